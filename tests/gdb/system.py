#!/usr/bin/env python3
"""The gdb stub of `mimic system` (-gdb tcp::PORT, -S), driven by Debian's gdb-multiarch.

  system.py --mimic build/mimic --build-dir DIR bare   bare-metal program (riscv_bare.c), 2 harts
  system.py --mimic build/mimic --build-dir DIR linux  Debian's riscv64 kernel under OpenSBI

bare: one gdb session (threads, breakpoints, watch/rwatch, register and memory reads and writes,
CSRs, physical memory mode, the exit status) runs against mimic and, as the reference, against
qemu-system-riscv64 -s -S; the transcripts must be equal. A raw protocol exchange then checks
what gdb does not send itself: vCont;s into a trap handler, watchpoints stopping before the
access, Z4, Ctrl-C of a spinning hart, qRcmd, attaching to a running machine, D and k; the same
exchange runs against QEMU where the answers are comparable.

linux: the kernel boots once to read start_kernel's and jiffies' addresses from /proc/kallsyms
(Debian ships no System.map with symbols), then again under gdb: break at start_kernel, pc, a
step, satp/sstatus/priv, memory at start_kernel against the kernel file, a watchpoint on jiffies
that the timer tick hits, then on to the shell, whose poweroff status gdb reports.

Exit 77 (skipped) without gdb-multiarch, the cross compiler or the Debian packages."""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BARE_SRC = os.path.join(ROOT, "tests", "system", "riscv")
sys.path.insert(0, HERE)
from rsp import (Checks, Rsp, access_watch, check_shared_answers, ctrl_c_spinning, finish,  # noqa: E402
                 free_port, gdb_session, le, monitor, normalise, start, symbols, transcript_diff,
                 wait_listening)

SKIP = 77
NM = "riscv64-linux-gnu-nm"
ARCH = "riscv:rv64"


BARE_SESSION = [
    "info threads", "p/x $pc",
    "break bump", "continue", "p step", "p/x $pc", "p/x $mstatus", "p/x $misa", "p $priv", "p/x $mhartid",
    "stepi", "p/x $pc", "delete",
    "watch counter", "continue", "continue", "delete",
    "rwatch source", "continue", "delete",
    "hbreak *trap_here", "continue", "p/x $pc", "delete",
    "set var counter = 100", "p counter", "set $s1 = 0x1234", "p/x $s1", "set $sscratch = 0x5678", "p/x $sscratch",
    "maintenance packet Qqemu.PhyMemMode:1", "x/2xw 0x80000000", "maintenance packet Qqemu.PhyMemMode:0",
    "x/2xw 0x80000000",
    "break test_exit", "continue", "p code", "thread 2", "p/x $mhartid", "p/x $pc", "thread 1", "set var code = 3",
    "continue",
]


def bare(a, check):
    cc = "riscv64-linux-gnu-gcc"
    os.makedirs(a.build_dir, exist_ok=True)
    exe = os.path.join(a.build_dir, "riscv_bare")
    cmd = [cc, "-nostdlib", "-nostartfiles", "-ffreestanding", "-static", "-march=rv64gc", "-mabi=lp64d",
           "-mcmodel=medany", "-O0", "-g", "-fno-pic", "-no-pie", "-Wl,--build-id=none", "-T",
           os.path.join(BARE_SRC, "link.ld"), "-I", BARE_SRC, "-o", exe, os.path.join(BARE_SRC, "crt0.S"),
           os.path.join(BARE_SRC, "lib.c"), os.path.join(HERE, "riscv_bare.c")]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        print(f"SKIP: {cc} is not installed")
        return SKIP
    if r.returncode != 0:
        print("building riscv_bare failed:\n" + r.stderr)
        return 1
    board = ["-M", "virt", "-bios", "none", "-kernel", exe, "-nographic", "-smp", "2"]
    qemu_ok = subprocess.run(["which", "qemu-system-riscv64"], capture_output=True).returncode == 0
    variants = [("", []), (" (-accel tcg,thread=single)", ["-accel", "tcg,thread=single"])]

    reference = None
    if qemu_ok:
        port = free_port()
        reference, _, _ = gdb_session(["qemu-system-riscv64", "-cpu", "rv64,h=false", "-monitor", "none", "-serial",
                                       "stdio", *board, "-S", "-gdb", f"tcp::{port}"], port, exe, BARE_SESSION,
                                      architecture=ARCH)
    else:
        print("note: qemu-system-riscv64 is not installed: the transcripts are checked against expectations only")
    for label, extra in variants:
        port = free_port()
        got, status, console = gdb_session([a.mimic, "system", *board, *extra, "-S", "-gdb", f"tcp::{port}"], port, exe,
                                           BARE_SESSION, architecture=ARCH)
        if a.verbose:
            print(got)
        for pat, what in [(r"Thread 1\.2 \(CPU#1 \[running\]\)", "two harts are two threads"),
                          (r"Breakpoint 1, bump \(step=1\)", "a breakpoint on a function stops there"),
                          (r"Old value = 0\s+New value = 1\b.*Old value = 1\s+New value = 3\b", "watch reports each write"),
                          (r"Hardware read watchpoint 3: source\s+Value = 5", "rwatch reports the read"),
                          (r"\$\d+ = 0x5678", "a CSR write reads back"),
                          (r"exited with code 03", "gdb sees the exit status it set in a local")]:
            check(re.search(pat, got, re.S), "mimic" + label + ": " + what, got[-3000:])
        check(status == 3, f"mimic{label} exited with the status gdb chose (3; got {status})", console[-500:])
        if reference is not None:
            want, have = normalise(reference), normalise(got)
            check(want == have, f"mimic{label}'s gdb transcript equals qemu-system-riscv64's", transcript_diff(want, have))
    raw_checks(a, exe, board, qemu_ok, check)
    return 0


def raw_exchange(cmd, port, sym, attach_running=False):
    """The protocol checks; returns {name: answer} for comparison across emulators."""
    m = start(cmd)
    out = {}
    try:
        if not wait_listening(port, m):
            return {"error": "did not listen: " + finish(m, 5)[1]}
        if attach_running:
            time.sleep(0.2)
        r = Rsp(port)
        if attach_running:
            # Connecting stops the running machine; detaching lets it run on, and a second gdb
            # can connect.
            out["attach ?"] = r.ask("?")
            out["attach pc"] = le(r.ask("p20"))
            out["detach"] = r.ask("D")
            time.sleep(0.3)
            out["runs on"] = m.poll() is None
            r = Rsp(port)
            out["reattach ?"] = r.ask("?")
            r.put("k")
            return out
        out["threads"] = r.ask("qfThreadInfo")
        trap_at = sym["illegal_insn"]
        r.ask(f"Z0,{trap_at:x},2")
        out["to trap"] = r.ask("vCont;c")
        r.ask(f"z0,{trap_at:x},2")
        out["step into trap"] = r.ask("vCont;s:p1.1")
        out["pc after step"] = le(r.ask("p20"))
        out["mcause"] = le(r.ask(f"p{65 + 0x342:x}"))
        out["mepc"] = le(r.ask(f"p{65 + 0x341:x}"))
        ctrl_c_spinning(r, sym, out)
        # Hart 1 waits in crt0's park loop (its WFI, or the test of secondary_entry after a wake-up).
        out["hart 2 pc"] = (r.ask("Hgp1.2"), sym["park"] <= le(r.ask("p20")) < sym["park_forever"] + 6)
        r.ask("Hgp1.1")
        # The access watchpoint on sink stops before main's next write to it (pc at the store).
        access_watch(r, sym["sink"], out)
        text, ok = monitor(r, "info registers")
        out["monitor"] = ("mstatus" in text or "MSTATUS" in text) and ok
        r.put("k")
        time.sleep(0.5)
    except Exception as e:  # a timeout or closed connection is the stub's failure
        out["error"] = repr(e)
    finally:
        status, console = finish(m, 10)
        out["status after k"] = status is not None
    return out


def raw_checks(a, exe, board, qemu_ok, check):
    sym = symbols(NM, exe)
    port = free_port()
    got = raw_exchange([a.mimic, "system", *board, "-S", "-gdb", f"tcp::{port}"], port, sym)
    if a.verbose:
        print(got)
    check(got.get("pc after step") == sym["m_trap_entry"], "vCont;s over an illegal instruction ends at the M trap "
          "handler", str(got.get("pc after step")))
    check(got.get("mcause") == 2 and got.get("mepc") == sym["illegal_insn"], "mcause/mepc through p show the trap")
    check(got.get("hart 2 pc") == ("OK", True), "Hg of thread 2 reads hart 1's pc (its WFI loop)")
    check_shared_answers(check, got, "hart")
    if qemu_ok:
        port = free_port()
        ref = raw_exchange(["qemu-system-riscv64", "-cpu", "rv64,h=false", "-monitor", "none", "-serial", "stdio",
                            *board, "-S", "-gdb", f"tcp::{port}"], port, sym)
        # (CSRs are left out: QEMU numbers them from 66, gdb and mimic from 65.)
        for key in ("pc after step", "ctrl-c", "ctrl-c pc in main", "hart 2 pc"):
            check(ref.get(key) == got.get(key), f"'{key}' as qemu-system-riscv64 answers it ({ref.get(key)!r})",
                  f"mimic: {got.get(key)!r}")
    # Attaching to a machine that runs (no -S; no program: the hart traps at address 0x80000000's
    # zeros forever), detaching, attaching again.
    port = free_port()
    got = raw_exchange([a.mimic, "system", "-M", "virt", "-bios", "none", "-nographic", "-gdb", f"tcp::{port}"], port,
                       sym, attach_running=True)
    check(re.fullmatch(r"T05thread:p1\.1;", got.get("attach ?", "")) and got.get("detach") == "OK" and
          got.get("runs on") and got.get("reattach ?") == got.get("attach ?"),
          "gdb attaches to a running machine, detaches (it runs on) and attaches again", str(got))


def linux(a, check):
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from riscv_boot_image import build_initramfs, fetch
    os.makedirs(a.build_dir, exist_ok=True)
    got = fetch(a.build_dir)
    if not got:
        print("SKIP: the Debian packages could not be fetched")
        return SKIP
    kernel, busybox = got
    init = (r"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
echo "SYMS-BEGIN"
grep -E " (start_kernel|jiffies_64)$" /proc/kallsyms
echo "SYMS-END"
echo "SHELL-OK"
devmem 0x100000 32 $(( (5 << 16) | 0x3333 ))
""")
    initrd = os.path.join(a.build_dir, "initrd-gdb.gz")
    build_initramfs(busybox, initrd, init)
    board = [a.mimic, "system", "-M", "virt", "-m", "512M", "-nographic", "-bios", "default", "-kernel", kernel,
             "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-no-reboot"]
    # The symbols, cached in the build folder: one boot without gdb.
    cache = os.path.join(a.build_dir, "gdb-symbols-" + os.path.basename(kernel))
    if not os.path.exists(cache):
        status, out = finish(start(board), 300)
        m = re.search(r"SYMS-BEGIN(.*)SYMS-END", out, re.S)
        if not m:
            check(False, "the kernel booted to print its symbols", out[-2000:])
            return 1
        open(cache, "w").write(m.group(1))
    syms = {l.split()[2]: int(l.split()[0], 16) for l in open(cache).read().splitlines() if len(l.split()) == 3}
    start_kernel, jiffies = syms["start_kernel"], syms["jiffies_64"]
    port = free_port()
    t0 = time.monotonic()
    transcript, status, console = gdb_session(board + ["-S", "-gdb", f"tcp::{port}"], port, None, [
        f"break *0x{start_kernel:x}", "continue", "p/x $pc", "stepi", "p/x $pc", "p/x $satp", "p/x $sstatus",
        "p $priv", f"x/8xw 0x{start_kernel:x}", "delete", f"watch *(long *)0x{jiffies:x}", "continue", "delete",
        "info threads", "continue"], timeout=400, architecture=ARCH)
    secs = time.monotonic() - t0
    if a.verbose:
        print(transcript)
    check(re.search(rf"Breakpoint 1, 0x0*{start_kernel:x} in", transcript), "the breakpoint at start_kernel is hit",
          transcript[-3000:])
    pcs = [int(x, 16) for x in re.findall(r"\$\d+ = 0x([0-9a-f]+)", transcript)]
    check(len(pcs) >= 2 and pcs[0] == start_kernel and start_kernel < pcs[1] <= start_kernel + 4,
          "pc is start_kernel, and one instruction further after stepi")
    m = re.search(r"\$3 = 0x([0-9a-f]+)\s+\$4 = 0x([0-9a-f]+)\s+\$5 = (\d)", transcript)
    satp = int(m.group(1), 16) if m else 0
    check(m and satp >> 60 in (8, 9, 10) and satp & ((1 << 44) - 1) and m.group(3) == "1",
          "satp names a page table (Sv39/48/57), sstatus reads, the hart is in S-mode")
    # start_kernel's bytes through the MMU equal the kernel file's (Image loads at the first 2 MiB
    # boundary of RAM after OpenSBI; its virtual base is 0xffffffff80000000).
    data = open(kernel, "rb").read()
    off = start_kernel - 0xffffffff80000000
    want = [int.from_bytes(data[off + i:off + i + 4], "little") for i in range(0, 32, 4)]
    m = re.search(rf"0x0*{start_kernel:x}:((?:\s+0x[0-9a-f]+){{4}})\s+0x[0-9a-f]+:((?:\s+0x[0-9a-f]+){{4}})", transcript)
    words = [int(w, 16) for w in (m.group(1) + m.group(2)).split()] if m else []
    check(words == want, f"32 bytes at start_kernel read through the MMU are the kernel file's ({want[4]:#x}...)",
          str([hex(w) for w in words]))
    check(re.search(r"Hardware watchpoint 2: .*\s+Old value = (-?\d+)\s+New value = (-?\d+)", transcript),
          "the watchpoint on jiffies is hit by the timer tick (Old value/New value)")
    check("SHELL-OK" in console, "the boot went on to the initramfs shell")
    check(re.search(r"exited with code 05", transcript) and status == 5,
          f"the guest's poweroff status reaches gdb and the exit status (5; got {status})", console[-1500:])
    print(f"boot with gdb: {secs:.1f} s")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("what", choices=["bare", "linux"])
    a = ap.parse_args()
    if subprocess.run(["which", "gdb-multiarch"], capture_output=True).returncode != 0:
        print("SKIP: gdb-multiarch is not installed")
        return SKIP
    check = Checks()
    rc = bare(a, check) if a.what == "bare" else linux(a, check)
    if rc:
        return rc
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
