#!/usr/bin/env python3
"""Bare-metal tests: builds each program of tests/system/riscv/ (or aarch64/ with --arch aarch64)
and runs it under qemu-system-riscv64/-aarch64 (the reference) and under `mimic system` /
`mimic system-aarch64`, on QEMU's virt board with no firmware; the outputs (UART) and exit
statuses (SiFive test device; PSCI SYSTEM_OFF) must be identical.

QEMU runs with -cpu rv64,h=false: mimic's harts have no hypervisor extension, and QEMU 7.2's
default CPU has one (it shows in misa and in the delegation CSRs). AArch64 programs run under
each -cpu of --cpus (default cortex-a57); "program:cpu" in --expect-diff names runs whose
lines differ on purpose (idregs: mimic's ID registers show only what it implements) — those
compare everything but the lines that name a register listed in EXPECTED_DIFF.

Exit status 77 (meson's "skipped") with a message when `mimic system` is not implemented yet or
the cross compiler / QEMU is missing.
"""
import argparse
import os
import re
import select
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "riscv")
PROGRAMS = ["csr", "traps", "interrupts", "sstc", "counters", "vm", "pmp", "asid", "smp_ad", "codepage"]
# Further options of some RISC-V programs (the SMP ones race two harts).
RISCV_EXTRA = {"smp_ad": ["-smp", "2"]}
# AArch64 programs and the -cpu models they compare on (--cpus overrides): mimic's max is its
# own feature set (QEMU's max has BTI, FEAT_IDST... which change traps' syndromes), so only
# idregs runs there.
ARM_PROGRAMS = {"idregs": ["cortex-a53", "cortex-a57", "cortex-a72", "max"], "traps": ["cortex-a53", "cortex-a57"],
                "mmu": ["cortex-a57", "max"], "el2": ["cortex-a53", "cortex-a57"],
                "stage2": ["cortex-a57", "max"], "pmu": ["cortex-a53", "cortex-a57", "cortex-a72"],
                "sstep": ["cortex-a53", "cortex-a57"], "gic": ["cortex-a57"],
                "wp": ["cortex-a57"], "el2traps": ["cortex-a57"], "el3": ["cortex-a53", "cortex-a57"],
                "bp": ["cortex-a57"], "el3_bios": ["cortex-a57"], "its": ["cortex-a57"],
                "el3traps": ["cortex-a57"], "bp_linked": ["cortex-a57"],
                "vhe": ["max"], "gicv3_grp0": ["cortex-a57"], "gicv3_secure": ["cortex-a57"], "bp_vmid": ["cortex-a57"],
                "codepage": ["cortex-a57"], "sysreg_inline": ["cortex-a53", "cortex-a57"]}
# The -M of the programs that need more than the plain board.
ARM_MACHINE = {"el2": "virt,virtualization=on", "stage2": "virt,virtualization=on",
               "el2traps": "virt,virtualization=on", "el3": "virt,secure=on,virtualization=on",
               "el3_bios": "virt,secure=on", "its": "virt,gic-version=3",
               "el3traps": "virt,secure=on,virtualization=on", "vhe": "virt,virtualization=on",
               "gicv3_grp0": "virt,gic-version=3", "gicv3_secure": "virt,secure=on,gic-version=3",
               "bp_vmid": "virt,virtualization=on"}
# Programs entered at EL3 have no PSCI (QEMU disables its conduit when the guest starts at EL3):
# they print their "exit=" line and wait; the runner stops the machine there.
NO_POWEROFF = {"el3", "el3_bios", "el3traps", "gicv3_secure"}
# Firmware programs: linked for the flash (link_bios.ld), run as `-bios prog.bin`.
BIOS_PROGRAMS = {"el3_bios"}
# Further options of some programs (gic starts a second vCPU through PSCI).
ARM_EXTRA = {"gic": ["-smp", "2"]}
# ID register fields mimic reports differently from QEMU on purpose (docs/arm-system.md): the
# AArch32 EL0/EL1 and the crypto extensions mimic lacks, and -cpu max's feature set.
EXPECTED_DIFF = {
    "cortex-a53": {"ID_AA64PFR0_EL1"},
    "cortex-a57": {"ID_AA64PFR0_EL1"},
    "cortex-a72": {"ID_AA64PFR0_EL1"},
    "max": {"ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1", "ID_AA64DFR0_EL1", "ID_AA64ISAR0_EL1", "ID_AA64ISAR1_EL1",
            "ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1", "ID_AA64MMFR2_EL1", "ID_PFR0_EL1", "ID_DFR0_EL1",
            "ID_MMFR3_EL1", "ID_ISAR5_EL1", "MVFR1_EL1"},
}
SKIP = 77


def build(cc, name, out_dir, src=SRC, arch="riscv64"):
    out = os.path.join(out_dir, name)
    if arch == "aarch64":
        flags = ["-mgeneral-regs-only"]
    else:
        flags = ["-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany"]
    bios = name in BIOS_PROGRAMS
    cmd = [cc, "-nostdlib", "-nostartfiles", "-ffreestanding", "-static"] + flags + [
           "-O1", "-fno-pic", "-no-pie", "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments",
           "-T", os.path.join(src, "link_bios.ld" if bios else "link.ld"), "-I", src, "-o", out,
           os.path.join(src, "crt0.S"), os.path.join(src, "lib.c"), os.path.join(src, name + ".c")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        # Older binutils do not know --no-warn-rwx-segments.
        cmd.remove("-Wl,--no-warn-rwx-segments")
        r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"building {name} failed:\n{r.stderr}")
    if bios:  # the flash image: the loadable sections from address 0
        objcopy = cc[:-len("gcc")] + "objcopy" if cc.endswith("gcc") else "objcopy"
        r = subprocess.run([objcopy, "-O", "binary", "--only-section=.text", "--only-section=.rodata", out,
                            out + ".bin"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"objcopy of {name} failed:\n{r.stderr}")
        return out + ".bin"
    return out


# The last standard error of each runner's run: a failure's report shows it (a crash, a fatal
# message of mimic's), since only standard output is compared.
last_stderr = {"text": ""}


def run(cmd, timeout):
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        last_stderr["text"] = (e.stderr or b"").decode(errors="replace")
        return None, out + "\n<timeout>\n"
    last_stderr["text"] = r.stderr.decode(errors="replace")
    return r.returncode, r.stdout.decode(errors="replace").replace("\r\n", "\n")


def run_until_exit_line(cmd, timeout):
    """Runs `cmd` until its output has a line starting with "exit=" (then stops it: status 0) or
    the timeout passes (status None, as run())."""
    last_stderr["text"] = ""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out, line = b"", b""
    deadline = time.monotonic() + timeout
    os.set_blocking(p.stdout.fileno(), False)
    status = None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 0.2)
        if ready:
            chunk = p.stdout.read() or b""
            if not chunk and p.poll() is not None:
                status = p.returncode
                break
            out += chunk
            if re.search(rb"^exit=0x[0-9a-f]{16}\r?\n", out, re.M):
                status = 0
                break
        elif p.poll() is not None:
            status = p.returncode
            break
    p.kill()
    p.wait()
    text = out.decode(errors="replace").replace("\r\n", "\n")
    if status is None:
        text += "\n<timeout>\n"
    return status, text


def mimic_has_system(mimic, sub="system"):
    r = subprocess.run([mimic, sub, "-M", "help"], capture_output=True, text=True)
    return r.returncode == 0 and "virt" in r.stdout


def masked(out, names):
    """The output without the lines that show a register of `names`."""
    return "\n".join(l for l in out.splitlines() if l.split("=")[0] not in names)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", help="build/mimic: runs `mimic system ...`")
    ap.add_argument("--runner", help="instead of mimic: a program taking `-M virt ...` itself")
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "aarch64"])
    ap.add_argument("--qemu", default=None)
    ap.add_argument("--cc", default=None)
    ap.add_argument("--cpus", default=None, help="aarch64: comma-separated -cpu models to run each program on")
    ap.add_argument("--qemu-only", action="store_true", help="check the programs under QEMU alone")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--variant", action="append", default=None,
                    help="extra mimic options for one more run of every program (repeatable; '' = none)")
    ap.add_argument("programs", nargs="*")
    args = ap.parse_args()
    arm = args.arch == "aarch64"
    args.qemu = args.qemu or ("qemu-system-aarch64" if arm else "qemu-system-riscv64")
    args.cc = args.cc or ("aarch64-linux-gnu-gcc" if arm else "riscv64-linux-gnu-gcc")
    sub = "system-aarch64" if arm else "system"
    src = os.path.join(HERE, "aarch64") if arm else SRC
    for tool in (args.cc, args.qemu):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            print(f"SKIP: {tool} is not installed")
            return SKIP
    if args.runner:
        mimic_cmd = [args.runner]
    elif args.mimic:
        mimic_cmd = [args.mimic, sub]
        if not args.qemu_only and not mimic_has_system(args.mimic, sub):
            print(f"SKIP: '{args.mimic} {sub}' (with the virt board) is not implemented yet")
            return SKIP
    elif not args.qemu_only:
        sys.exit("--mimic or --runner is needed (or --qemu-only)")
    variants = args.variant if args.variant is not None else [""]
    os.makedirs(args.build_dir, exist_ok=True)
    failed = []
    runs = []
    for name in args.programs or (ARM_PROGRAMS if arm else PROGRAMS):
        cpus = (args.cpus.split(",") if args.cpus else ARM_PROGRAMS.get(name, ["cortex-a57"])) if arm else ["rv64,h=false"]
        for cpu in cpus:
            runs.append((name, cpu))
    built = {}
    for name, cpu in runs:
        if name not in built:
            built[name] = build(args.cc, name, args.build_dir, src, args.arch)
        prog = built[name]
        image = ["-bios" if name in BIOS_PROGRAMS else "-kernel", prog]
        board = ["-M", ARM_MACHINE.get(name, "virt"), "-cpu", cpu, "-nographic"] + image + ARM_EXTRA.get(name, [])
        if not arm:
            board = ["-M", "virt", "-bios", "none", "-nographic", "-kernel", prog] + RISCV_EXTRA.get(name, [])
        tag = f"{name} -cpu {cpu}" if arm else name
        runner = run_until_exit_line if name in NO_POWEROFF else run
        q_rc, q_out = runner([args.qemu] + (board if arm else ["-M", "virt", "-cpu", cpu, "-bios", "none", "-nographic",
                                                            "-kernel", prog] + RISCV_EXTRA.get(name, [])), args.timeout)
        done_line = "exit=0x0000000000000000\n" if arm else "DONE\n"
        ignore = EXPECTED_DIFF.get(cpu, set()) if arm and name == "idregs" else set()
        if q_rc != 0 or not q_out.endswith(done_line):
            print(f"FAIL {tag}: the program fails under QEMU itself (status {q_rc}):\n{q_out}")
            failed.append(tag)
            continue
        if args.qemu_only:
            print(f"ok   {tag} (QEMU, {q_out.count(chr(10))} lines)")
            continue
        bad = False
        for variant in variants:
            extra = variant.split()
            m_rc, m_out = runner(mimic_cmd + board + extra, args.timeout)
            if m_rc == q_rc and masked(m_out, ignore) == masked(q_out, ignore):
                continue
            print(f"FAIL {tag} {variant}: mimic status {m_rc}, QEMU {q_rc}")
            err = last_stderr["text"].strip()
            if err:
                print("  mimic's standard error (its end):\n    " + "\n    ".join(err.splitlines()[-15:]))
            q_lines, m_lines = q_out.splitlines(), m_out.splitlines()
            # The first differences only: meson shows a long log's last 100 lines, and the first
            # difference is the one that explains the rest.
            shown = 0
            for i in range(max(len(q_lines), len(m_lines))):
                q = q_lines[i] if i < len(q_lines) else "<none>"
                m = m_lines[i] if i < len(m_lines) else "<none>"
                if q != m and shown < 12:
                    print(f"  line {i + 1}: qemu  {q}\n  line {i + 1}: mimic {m}")
                    shown += 1
            if shown == 12:
                print(f"  ... (qemu {len(q_lines)} lines, mimic {len(m_lines)})")
            bad = True
        if bad:
            failed.append(tag)
            continue
        note = f", {len(ignore)} ID registers mimic shows differently on purpose" if ignore else ""
        print(f"ok   {tag} ({q_out.count(chr(10))} lines identical{note}; {', '.join(v or 'JIT' for v in variants)})")
    if failed:
        print("failed: " + " ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
