#!/usr/bin/env python3
"""The console mux and the monitor of `mimic system`: Ctrl-a c opens the monitor, whose answers
(info mtree, info registers, info cpus, info tlb, xp, x, stop/cont) are checked, `quit` ends mimic with status 0; the
same keystrokes on qemu-system-riscv64 (the reference) give the same xp words for the reset vector.
-serial none gives the monitor stdio to itself, on both.

  monitor_test.py MIMIC"""
import re
import struct
import subprocess
import sys
import tempfile
import time

FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def session(cmd, lines, escape=True):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    time.sleep(2)  # OpenSBI prints its banner, then idles with no kernel to start
    if escape:
        p.stdin.write(b"\x01c")
        p.stdin.flush()
    for line in lines:
        time.sleep(0.4)
        p.stdin.write(line.encode() + b"\n")
        p.stdin.flush()
    try:
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        return None, out.decode(errors="replace")
    return p.returncode, out.decode(errors="replace")


def main():
    mimic = sys.argv[1]
    args = ["-M", "virt", "-nographic", "-bios", "default"]
    # x reads as hart 0 sees memory now: M-mode or (after OpenSBI hands over) S-mode with satp
    # bare, where PMP hides the firmware but not the reset vector's ROM.
    cmds = ["info mtree", "info registers", "xp /4x 0x1000", "x /2g 0x1000", "xp /2g 0x80000000", "stop", "cont",
            "quit"]
    # stop/cont as `info status` reports them, and system_reset (the firmware starts again), asked
    # of both emulators.
    state_cmds = ["stop", "info status", "cont", "info status", "system_reset"]
    cmds[-1:-1] = state_cmds
    status, out = session([mimic, "system"] + args, cmds)
    ok = True

    def check(cond, what):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and cond

    check(status == 0, f"quit ends mimic with status 0 (got {status})")
    check("mimic monitor" in out, "Ctrl-a c opens the monitor")
    check(re.search(r"0+10000000-0+10000007 \(prio 0, i/o\): serial", out) is not None, "info mtree lists the UART")
    check(re.search(r"mhartid\s+0+\b", out) is not None and "x10/a0" in out, "info registers shows CSRs and GPRs")
    fw = open(FW, "rb").read(16)
    words = "0x%016x 0x%016x" % (int.from_bytes(fw[0:8], "little"), int.from_bytes(fw[8:16], "little"))
    check(("0000000080000000: " + words) in out, "xp /2g 0x80000000 shows the firmware's first bytes (" + words + ")")
    m = re.search(r"0000000000001000: ((?:0x[0-9a-f]{8} ?){4})", out)
    g = re.search(r"0000000000001000: (0x[0-9a-f]{16}) (0x[0-9a-f]{16})", out)
    if m and g:
        w = m.group(1).split()
        want = ["0x%s%s" % (w[1][2:], w[0][2:]), "0x%s%s" % (w[3][2:], w[2][2:])]
        check([g.group(1), g.group(2)] == want, "x /2g 0x1000 (through the hart's MMU) agrees with xp (%s)" % want)
    else:
        check(False, "x /2g 0x1000 and xp /4x 0x1000 both answered")
    # info cpus on two harts running a firmware of `1: wfi; j 1b` with no interrupt enabled: both
    # sleep ("halted") at the wfi or the jump back to it; after stop both are parked ("paused").
    with tempfile.NamedTemporaryFile(suffix=".bin") as fw_wfi:
        fw_wfi.write(struct.pack("<II", 0x10500073, 0xffdff06f))
        fw_wfi.flush()
        status2, out2 = session([mimic, "system", "-M", "virt", "-nographic", "-smp", "2", "-bios", fw_wfi.name],
                                ["info cpus", "stop", "info cpus", "info tlb", "cont", "quit"])
    rows = re.findall(r"^([* ]) CPU #(\d): pc=0x0{8}(8000000[04])( \((?:halted|paused|stopped)\))? thread_id=(\d+)\s*$",
                      out2, re.M)
    check(status2 == 0 and len(rows) == 4 and [r[:2] for r in rows[:2]] == [("*", "0"), (" ", "1")],
          "info cpus lists both harts with pc and thread id (%s)" % rows)
    check(all(r[3] == " (halted)" for r in rows[:2]), "info cpus shows harts asleep in WFI as halted")
    check(all(r[3] == " (paused)" for r in rows[2:]) and len({r[4] for r in rows[:2]}) == 2,
          "after stop both harts are paused, each on its own thread")
    # info tlb: the page both harts fetch their loop from, in M-mode (no translation: virtual =
    # physical), with the soft-TLB's fetch right.
    check(len(re.findall(r"^M\s+0{8}80000000 -> 0{8}80000000 [r-][w-]x\s*$", out2, re.M)) == 2,
          "info tlb lists each hart's M-mode code page 0x80000000")
    qstatus, qout = session(["qemu-system-riscv64"] + args, ["xp /4x 0x1000"] + state_cmds + ["quit"])
    statuses = re.findall(r"VM status: (\w+)", out)
    check(statuses == re.findall(r"VM status: (\w+)", qout) == ["paused", "running"],
          f"info status after stop and after cont: {statuses}, as qemu-system-riscv64")
    check(out.count("OpenSBI v") == qout.count("OpenSBI v") == 2,
          "system_reset starts the firmware again (its banner twice, as on qemu-system-riscv64)")
    q = re.search(r"0000000000001000: ((?:0x[0-9a-f]{8} ?){4})", qout)
    check(bool(m) and bool(q) and m.group(1).strip() == q.group(1).strip(),
          "xp /4x 0x1000 matches qemu-system-riscv64's (%s / %s)" % (m and m.group(1), q and q.group(1)))
    # stdio's roles with -serial none, as qemu-system-riscv64 -nographic gives them: the monitor
    # alone on stdio (prompt at once, no Ctrl-a), the guest's serial output dropped; with
    # -monitor none as well, nothing at all.
    mstatus, mout = session([mimic, "system"] + args + ["-serial", "none"], ["info mtree", "quit"], escape=False)
    qstatus, qout = session(["qemu-system-riscv64"] + args + ["-serial", "none"], ["info mtree", "quit"], escape=False)
    for name, st, text in (("mimic", mstatus, mout), ("qemu-system-riscv64", qstatus, qout)):
        check(st == 0 and re.search(r"^\((mimic|qemu)\) ", text, re.M) is not None and "OpenSBI" not in text
              and "serial" in text, f"{name} -serial none: the monitor alone on stdio, no firmware banner, quit ends it")
    p = subprocess.run(["timeout", "3", mimic, "system"] + args + ["-serial", "none", "-monitor", "none"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check(p.returncode == 124 and p.stdout == b"", f"-serial none -monitor none: nothing on stdio (got {p.stdout[:80]!r})")
    # -cpu help and -device help list what mimic takes; each name is one qemu-system knows too.
    for arch, qemu in (("riscv64", "qemu-system-riscv64"), ("aarch64", "qemu-system-aarch64")):
        mine = subprocess.run([mimic, "system-" + arch, "-cpu", "help"], capture_output=True, text=True)
        ref = subprocess.run([qemu, "-M", "virt", "-cpu", "help"], capture_output=True, text=True).stdout.split()
        names = mine.stdout.split()[2:]
        check(mine.returncode == 0 and mine.stdout.startswith("Available CPUs:") and names
              and all(n in ref for n in names), f"{arch} -cpu help: {names}, each in {qemu}'s list")
    mine = subprocess.run([mimic, "system-aarch64", "-device", "help"], capture_output=True, text=True)
    ref = subprocess.run(["qemu-system-aarch64", "-M", "virt", "-device", "help"], capture_output=True, text=True).stdout
    names = re.findall(r'^name "([^"]+)"', mine.stdout, re.M)
    check(mine.returncode == 0 and "virtio-blk-pci" in names and all(f'name "{n}"' in ref for n in names),
          f"-device help: {len(names)} devices, each in qemu-system-aarch64's list")
    if not ok:
        print("---- mimic's console ----")
        print(out[-3000:])
        print(out2[-2000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
