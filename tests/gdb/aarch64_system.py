#!/usr/bin/env python3
"""The gdb stub of `mimic system-aarch64` (-gdb tcp::PORT, -S), driven by Debian's gdb-multiarch.

  aarch64_system.py --mimic build/mimic --build-dir DIR

A bare-metal program (aarch64_bare.c on tests/system/aarch64's crt0 and lib) on two vCPUs, the
second started with PSCI CPU_ON: one gdb session (threads, breakpoints, a step, watch/rwatch,
cpsr and system registers, register and memory writes, physical memory mode, a local changed
before the program prints it) runs against mimic (JIT and -interp) and, as the reference,
against qemu-system-aarch64 -s -S; the transcripts must be equal. A raw protocol exchange then
checks what gdb does not send itself: vCont;s into the SVC's vector with ESR_EL1/ELR_EL1 read
through p, Ctrl-C of a spinning vCPU, thread 2's pc in its WFI loop, Z4, qRcmd and k; the
comparable answers are checked against QEMU's.

Exit 77 (skipped) without gdb-multiarch or the cross compiler."""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(ROOT, "tests", "system", "aarch64")
sys.path.insert(0, HERE)
from rsp import (Checks, Rsp, access_watch, check_shared_answers, ctrl_c_spinning, finish,  # noqa: E402
                 free_port, gdb_session, le, monitor, normalise, one_thread_name, start, symbols, transcript_diff,
                 wait_listening)

SKIP = 77
CC = "aarch64-linux-gnu-gcc"
NM = "aarch64-linux-gnu-nm"
FIRST_SYSREG = 68  # org.qemu.gdb.arm.sys.regs starts after the core and fpu registers

SESSION = [
    "break bump", "continue", "info threads", "p step", "p/x $pc", "p/x $cpsr", "p/x $SCTLR", "p/x $VBAR",
    "p/x $CPACR", "p/x $TCR_EL1", "p/x $MDSCR_EL1", "stepi", "p/x $pc", "delete",
    "watch counter", "continue", "continue", "delete",
    "rwatch source", "continue", "delete",
    "hbreak trap_here", "continue", "p/x $pc", "delete",
    "set var counter = 100", "p counter", "set $x19 = 0x1234", "p/x $x19", "p/x $ESR_EL1", "p/x $ELR_EL1", "p/x $SPSR_EL1",
    "maintenance packet Qqemu.PhyMemMode:1", "x/2xw 0x40080000", "maintenance packet Qqemu.PhyMemMode:0",
    "x/2xw 0x40080000",
    "break exit_with", "continue", "p status", "thread 2", "p/x $pc", "p/x $sp", "thread 1", "set var status = 3",
    "continue",
]


def sysreg_numbers(r):
    """{name: regnum} from the stub's system-registers.xml."""
    xml, off = "", 0
    while True:
        chunk = r.ask(f"qXfer:features:read:system-registers.xml:{off:x},ffb")
        xml += chunk[1:]
        off += len(chunk) - 1
        if not chunk.startswith("m"):
            break
    return {n: int(v) for n, v in re.findall(r'name="([^"]+)"[^>]*regnum="(\d+)"', xml)}


def raw_exchange(cmd, port, sym):
    """The protocol checks; returns {name: answer} for comparison across emulators."""
    m = start(cmd)
    out = {}
    try:
        if not wait_listening(port, m):
            return {"error": "did not listen: " + finish(m, 5)[1]}
        r = Rsp(port)
        regs = sysreg_numbers(r)
        out["threads"] = r.ask("qfThreadInfo")
        r.ask(f"Z0,{sym['svc_insn']:x},4")
        out["to svc"] = one_thread_name(r.ask("vCont;c"))
        r.ask(f"z0,{sym['svc_insn']:x},4")
        out["step into svc"] = r.ask("vCont;s:p1.1")
        out["pc after step"] = le(r.ask("p20"))
        out["esr"] = le(r.ask(f"p{regs['ESR_EL1']:x}"))
        out["elr"] = le(r.ask(f"p{regs['ELR_EL1']:x}"))
        out["cpsr el1h masked"] = le(r.ask("p21")) & 0x3cf
        # A system register written through P reads back (QEMU 7.2 ignores such writes).
        out["sysreg write"] = (r.ask(f"P{regs['TPIDR_EL1']:x}=7856000000000000"), le(r.ask(f"p{regs['TPIDR_EL1']:x}")))
        ctrl_c_spinning(r, sym, out)
        out["cpu 2 pc"] = (r.ask("Hgp1.2"), le(r.ask("p20")) in (sym["park"], sym["park"] + 4))
        r.ask("Hgp1.1")
        # The access watchpoint on sink stops before main's next access to it.
        access_watch(r, sym["sink"], out)
        text, ok = monitor(r, "info registers")
        out["monitor"] = "PSTATE" in text and ok
        r.put("k")
        time.sleep(0.5)
    except Exception as e:  # a timeout or closed connection is the stub's failure
        out["error"] = repr(e)
    finally:
        status, _ = finish(m, 10)
        out["status after k"] = status is not None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    for tool in ("gdb-multiarch", CC):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            print(f"SKIP: {tool} is not installed")
            return SKIP
    os.makedirs(a.build_dir, exist_ok=True)
    exe = os.path.join(a.build_dir, "aarch64_bare")
    cmd = [CC, "-nostdlib", "-nostartfiles", "-ffreestanding", "-static", "-mgeneral-regs-only", "-O0", "-g",
           "-fno-pic", "-no-pie", "-Wl,--build-id=none", "-T", os.path.join(SRC, "link.ld"), "-I", SRC, "-o", exe,
           os.path.join(SRC, "crt0.S"), os.path.join(SRC, "lib.c"), os.path.join(HERE, "aarch64_bare.c")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("building aarch64_bare failed:\n" + r.stderr)
        return 1
    check = Checks()
    board = ["-M", "virt", "-cpu", "cortex-a57", "-kernel", exe, "-nographic", "-smp", "2"]
    qemu_ok = subprocess.run(["which", "qemu-system-aarch64"], capture_output=True).returncode == 0
    reference = None
    if qemu_ok:
        port = free_port()
        reference, _, _ = gdb_session(["qemu-system-aarch64", "-monitor", "none", "-serial", "stdio", *board, "-S",
                                       "-gdb", f"tcp::{port}"], port, exe, SESSION)
        if a.verbose:
            print(reference)
    else:
        print("note: qemu-system-aarch64 is not installed: the transcripts are checked against expectations only")
    for label, extra in [("", []), (" (-interp)", ["-interp"])]:
        port = free_port()
        got, status, console = gdb_session([a.mimic, "system-aarch64", *board, *extra, "-S", "-gdb", f"tcp::{port}"],
                                           port, exe, SESSION)
        if a.verbose:
            print(got)
        for pat, what in [(r"\* 1 +Thread 1\.1 \(CPU#0 \[running\]\)", "the stopped vCPU is thread 1, running"),
                          (r"Breakpoint 1, bump \(step=1\)", "a breakpoint on a function stops there"),
                          (r"Old value = 0\s+New value = 1\b.*Old value = 1\s+New value = 3\b",
                           "watch reports each write"),
                          (r"Hardware read watchpoint 3: source\s+Value = 5", "rwatch reports the read"),
                          (r"Thread 1\.2 \(CPU#1 \[halted \]\) 0x[0-9a-f]+ in secondary_main",
                           "the vCPU in WFI shows as halted")]:
            check(re.search(pat, got, re.S), "mimic" + label + ": " + what, got[-3000:])
        check("exit=0x0000000000000003" in console and status == 0,
              f"mimic{label} printed the status gdb set in a local and powered off (status {status})", console[-500:])
        if reference is not None:
            want, have = normalise(reference), normalise(got)
            check(want == have, f"mimic{label}'s gdb transcript equals qemu-system-aarch64's", transcript_diff(want, have))
    sym = symbols(NM, exe)
    port = free_port()
    got = raw_exchange([a.mimic, "system-aarch64", *board, "-S", "-gdb", f"tcp::{port}"], port, sym)
    if a.verbose:
        print(got)
    check(got.get("pc after step") == sym["vectors"] + 0x200, "vCont;s over an SVC ends at its vector (VBAR + 0x200)",
          str(got.get("pc after step")))
    check(got.get("esr") == (0x15 << 26 | 1 << 25 | 0x42) and got.get("elr") == sym["svc_insn"] + 4,
          "ESR_EL1/ELR_EL1 through p show the SVC", f"{got.get('esr')} {got.get('elr')}")
    check(got.get("sysreg write") == ("OK", 0x5678), "a system register written through P reads back",
          str(got.get("sysreg write")))
    check(got.get("cpu 2 pc") == ("OK", True), "Hg of thread 2 reads vCPU 1's pc (its WFI loop)")
    check_shared_answers(check, got, "vCPU")
    if qemu_ok:
        port = free_port()
        ref = raw_exchange(["qemu-system-aarch64", "-monitor", "none", "-serial", "stdio", *board, "-S", "-gdb",
                            f"tcp::{port}"], port, sym)
        if a.verbose:
            print(ref)
        # ("to svc" is left out: QEMU 7.2 sends no swbreak.)
        for key in ("pc after step", "esr", "elr", "cpsr el1h masked", "ctrl-c", "ctrl-c pc in main",
                    "cpu 2 pc"):
            check(ref.get(key) == got.get(key), f"'{key}' as qemu-system-aarch64 answers it ({ref.get(key)!r})",
                  f"mimic: {got.get(key)!r}")
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
