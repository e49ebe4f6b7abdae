#!/usr/bin/env python3
"""Boots Debian's riscv64 kernel under OpenSBI again and again, several at once, looking for a
boot that stops making progress (issue 12: the rare -smp 4 hang). On a stall it records what a
developer needs (docs/system.md, "Debugging a hang"): `info cpus` twice a few seconds apart
(spinning harts move, sleeping ones say "halted") with `info registers`, then every host
thread's backtrace (gdb), and the console with the kernel's last lines.

  scripts/hang_hunt.py MIMIC KERNEL INITRD [--runs N] [--jobs J] [--smp 4] [--jitter]
      [--append 'console=ttyS0 earlycon=sbi panic=-1'] [--until 'Run /init'] [--stall 60]
      [--out DIR] [--bios default]

--jitter sets MIMIC_DEBUG_JITTER to a new seed per boot (printed, to replay it). The kernel and
initrd are the ones tests/system/boot_linux.py fetches and builds (its work directory). Exit 1
when a boot stalled or failed, 0 when all reached --until."""
import argparse
import os
import re
import subprocess
import sys
import threading
import time


def monitor(p, buf, cmds, wait):
    """Sends monitor commands (the console must be in monitor mode) and returns what came back."""
    at = len(buf)
    for c in cmds:
        p.stdin.write((c + "\n").encode())
        p.stdin.flush()
        time.sleep(wait)
    return bytes(buf[at:])


def one_boot(a, n, seed):
    env = dict(os.environ)
    if seed is not None:
        env["MIMIC_DEBUG_JITTER"] = str(seed)
    cmd = [a.mimic, "system", "-M", "virt", "-m", "512M", "-smp", str(a.smp), "-nographic", "-bios", a.bios,
           "-kernel", a.kernel, "-initrd", a.initrd, "-append", a.append, "-no-reboot"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    buf = bytearray()
    last = [time.monotonic()]

    def reader():
        while True:
            b = p.stdout.read1(65536)
            if not b:
                return
            buf.extend(b)
            last[0] = time.monotonic()

    threading.Thread(target=reader, daemon=True).start()
    t0 = time.monotonic()
    while True:
        if a.until.encode() in buf:
            p.stdin.write(b"\x01x")
            p.stdin.flush()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
            m = re.search(rb"Boot HART ID\s*: (\d+)", bytes(buf))
            return True, f"{time.monotonic() - t0:.1f}s boot hart {int(m.group(1)) if m else '?'}"
        if p.poll() is not None or time.monotonic() - last[0] > a.stall:
            break
        time.sleep(0.2)
    secs = time.monotonic() - t0
    out = os.path.join(a.out, f"stall-{n}")
    if p.poll() is None:
        # The monitor first: attaching gdb interrupts every thread's sleep, which may itself end
        # a stall that a lost wake-up caused.
        at = len(buf)
        p.stdin.write(b"\x01c")
        p.stdin.flush()
        time.sleep(1)
        mon = b"---- after Ctrl-a c (%d new bytes) ----\n" % (len(buf) - at)
        mon += monitor(p, buf, ["info cpus", "info registers"], 2)
        time.sleep(5)
        mon += b"---- 5 s later ----\n" + monitor(p, buf, ["info cpus", "info registers"], 2)
        with open(out + ".mon", "wb") as f:
            f.write(mon)
        g = subprocess.run(["gdb", "-p", str(p.pid), "-batch", "-ex", "thread apply all bt 20"],
                           capture_output=True, text=True)
        with open(out + ".gdb", "w") as f:
            f.write(g.stdout + g.stderr)
        p.kill()
    with open(out + ".console", "wb") as f:
        f.write(bytes(buf))
    print(f"boot {n}: STALL/FAIL after {secs:.1f}s rc={p.poll()} seed={seed}: {out}.*", flush=True)
    tail = bytes(buf).decode(errors="replace").splitlines()[-5:]
    for line in tail:
        print("   | " + line[:150], flush=True)
    return False, f"{secs:.1f}s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mimic")
    ap.add_argument("kernel")
    ap.add_argument("initrd")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--smp", type=int, default=4)
    ap.add_argument("--bios", default="default")
    ap.add_argument("--jitter", action="store_true")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--append", default="console=ttyS0 earlycon=sbi panic=-1")
    ap.add_argument("--until", default="Run /init")
    ap.add_argument("--stall", type=float, default=60, help="seconds without console output that count as a hang")
    ap.add_argument("--out", default="/tmp/hang-hunt")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    lock = threading.Lock()
    nxt = [0]
    bad = []

    def worker():
        while True:
            with lock:
                n = nxt[0]
                nxt[0] += 1
            if n >= a.runs:
                return
            seed = a.seed + n if a.jitter else None
            ok, secs = one_boot(a, n, seed)
            with lock:
                if ok:
                    print(f"boot {n}: ok {secs} seed={seed}", flush=True)
                else:
                    bad.append(n)

    threads = [threading.Thread(target=worker) for _ in range(a.jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{a.runs - len(bad)} of {a.runs} boots reached {a.until!r}; stalled or failed: {bad}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
