#!/usr/bin/env python3
"""Bare-metal RISC-V tests: builds each program of tests/system/riscv/ and runs it under
qemu-system-riscv64 (the reference) and under `mimic system`, on QEMU's virt board with no
firmware; the outputs (UART) and exit statuses (SiFive test device) must be identical.

QEMU runs with -cpu rv64,h=false: mimic's harts have no hypervisor extension, and QEMU 7.2's
default CPU has one (it shows in misa and in the delegation CSRs).

Exit status 77 (meson's "skipped") with a message when `mimic system` is not implemented yet or
the cross compiler / QEMU is missing.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "riscv")
PROGRAMS = ["csr", "traps", "interrupts", "sstc", "counters", "vm", "pmp"]
SKIP = 77


def build(cc, name, out_dir):
    out = os.path.join(out_dir, name)
    cmd = [cc, "-nostdlib", "-nostartfiles", "-ffreestanding", "-static", "-march=rv64gc", "-mabi=lp64d",
           "-mcmodel=medany", "-O1", "-fno-pic", "-no-pie", "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments",
           "-T", os.path.join(SRC, "link.ld"), "-I", SRC, "-o", out,
           os.path.join(SRC, "crt0.S"), os.path.join(SRC, "lib.c"), os.path.join(SRC, name + ".c")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        # Older binutils do not know --no-warn-rwx-segments.
        cmd.remove("-Wl,--no-warn-rwx-segments")
        r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"building {name} failed:\n{r.stderr}")
    return out


def run(cmd, timeout):
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        return None, out + "\n<timeout>\n"
    return r.returncode, r.stdout.decode(errors="replace").replace("\r\n", "\n")


def mimic_has_system(mimic):
    r = subprocess.run([mimic, "system", "-M", "help"], capture_output=True, text=True)
    return r.returncode == 0 and "virt" in r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", help="build/mimic: runs `mimic system ...`")
    ap.add_argument("--runner", help="instead of mimic: a program taking `-M virt ...` itself")
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--cc", default="riscv64-linux-gnu-gcc")
    ap.add_argument("--qemu-only", action="store_true", help="check the programs under QEMU alone")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--variant", action="append", default=None,
                    help="extra mimic options for one more run of every program (repeatable; '' = none)")
    ap.add_argument("programs", nargs="*")
    args = ap.parse_args()
    for tool in (args.cc, args.qemu):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            print(f"SKIP: {tool} is not installed")
            return SKIP
    if args.runner:
        mimic_cmd = [args.runner]
    elif args.mimic:
        mimic_cmd = [args.mimic, "system"]
        if not args.qemu_only and not mimic_has_system(args.mimic):
            print(f"SKIP: '{args.mimic} system' (with the virt board) is not implemented yet")
            return SKIP
    elif not args.qemu_only:
        sys.exit("--mimic or --runner is needed (or --qemu-only)")
    variants = args.variant if args.variant is not None else [""]
    os.makedirs(args.build_dir, exist_ok=True)
    failed = []
    for name in args.programs or PROGRAMS:
        prog = build(args.cc, name, args.build_dir)
        q_rc, q_out = run([args.qemu, "-M", "virt", "-cpu", "rv64,h=false", "-bios", "none", "-nographic",
                           "-kernel", prog], args.timeout)
        if q_rc != 0 or not q_out.endswith("DONE\n"):
            print(f"FAIL {name}: the program fails under QEMU itself (status {q_rc}):\n{q_out}")
            failed.append(name)
            continue
        if args.qemu_only:
            print(f"ok   {name} (QEMU, {q_out.count(chr(10))} lines)")
            continue
        bad = False
        for variant in variants:
            extra = variant.split()
            m_rc, m_out = run(mimic_cmd + ["-M", "virt", "-bios", "none", "-nographic", "-kernel", prog] + extra,
                              args.timeout)
            if m_rc == q_rc and m_out == q_out:
                continue
            print(f"FAIL {name} {variant}: mimic status {m_rc}, QEMU {q_rc}")
            q_lines, m_lines = q_out.splitlines(), m_out.splitlines()
            for i in range(max(len(q_lines), len(m_lines))):
                q = q_lines[i] if i < len(q_lines) else "<none>"
                m = m_lines[i] if i < len(m_lines) else "<none>"
                if q != m:
                    print(f"  line {i + 1}: qemu  {q}\n  line {i + 1}: mimic {m}")
            bad = True
        if bad:
            failed.append(name)
            continue
        print(f"ok   {name} ({q_out.count(chr(10))} lines identical; {', '.join(v or 'JIT' for v in variants)})")
    if failed:
        print("failed: " + " ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
