#!/usr/bin/env python3
"""Guest-program tests: cross-compiles tests/guest/src/*.c (and src/<arch>/*.c, programs only that
architecture has) for one guest architecture, runs each under mimic and compares stdout and the exit
status with the expected output (expected/<arch>/<name>.out where the output depends on the
architecture, else expected/<name>.out; generated once with qemu and checked by reading) and, when
qemu-<arch> is installed, with a live qemu run.

Usage: run.py --arch riscv64|aarch64|arm --mimic build/mimic [--build-dir DIR] [--update] [NAME...]
Exit status: 0 all passed, 1 a test failed, 77 (meson's skip) without the cross compiler.
A program whose output starts with "SKIP:" found the host without what it needs (it says what) and
is reported as skipped.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "src")
EXPECTED = os.path.join(HERE, "expected")
CC = {"riscv64": "riscv64-linux-gnu-gcc", "aarch64": "aarch64-linux-gnu-gcc", "arm": "arm-linux-gnueabihf-gcc"}

# Per-test arguments (after the program) and extra environment.
ARGS = {"args": ["one", "two words", ""], "procfs": ["a b", "c"]}
ENV = {"args": {"MIMIC_GUEST_TEST": "set-by-runner"}}
# Variables removed from a test's environment (none at the moment: fork_churn runs with the
# MALLOC_PERTURB_ meson sets, which once made each thread's never-freed signal stack resident).
ENV_UNSET = {}
# Per-test compiler flags: the NEON program needs the Advanced SIMD unit (armhf's default FPU is
# VFPv3-D16) and IEEE half precision for its conversions.
CFLAGS = {("arm", "neon"): ["-mfpu=neon-vfpv4", "-mfp16-format=ieee"],
          ("riscv64", "rvv_kernels"): ["-march=rv64gcv"], ("riscv64", "rvv_abi"): ["-march=rv64gcv"],
          ("riscv64", "vector_control"): ["-march=rv64gcv"]}
# Per-test mimic options. -strace widens the window between a guest signal being recorded and the
# host call being entered (the call is printed in between): without safe_syscall's check the
# signal_race test then loses a signal within a few hundred rounds.
MIMIC_OPTS = {"signal_race": ["-strace"],
              # The report of what mimic lacks, which the program reads back from its stderr.
              "unimp_report": ["-d", "unimp"],
              # Tier 2 on with a low threshold, so the hot loop runs as tier-2 code (MIMIC_TIER2 overrides).
              "tier2_signals": ["-tier2", "on", "-tier2-threshold", "20"]}


# The CPU qemu-user emulates, where its default differs from what mimic models: qemu-aarch64's
# default "max" CPU has SVE, whose signal-frame record overrides the FP/SIMD one on sigreturn.
QEMU_CPU = {"aarch64": "cortex-a72", "arm": "cortex-a15"}

# Programs run once per CPU model (mimic -cpu NAME, qemu-user QEMU_CPU=NAME), outputs joined under
# "== NAME" lines, and built by another compiler: the ARMv6 model runs armel (ARMv5TE) code, which
# every model runs (armhf's libc is Thumb-2, an ARMv7 instruction set).
TEST_CPUS = {("arm", "cpu_models"): ["arm1176", "cortex-a7", "cortex-a15"],
             # ARMv8-A AArch32 instructions: qemu-arm's cortex-a15 lacks them, its max has them.
             ("arm", "armv8"): ["max"],
             ("riscv64", "rvv_kernels"): ["rv64,v=true"], ("riscv64", "rvv_abi"): ["rv64,v=true"],
             ("riscv64", "hwprobe"): ["rv64", "rv64,v=true"], ("riscv64", "vector_control"): ["rv64", "rv64,v=true"]}
TEST_CC = {("arm", "cpu_models"): ("arm-linux-gnueabi-gcc", ["-marm"])}

# Where qemu-user itself departs from Linux, the expected file (checked against the kernel source)
# is the reference and the live qemu comparison is skipped, with the reason.
QEMU_DIFFERS = {
    ("aarch64", "signals"): "qemu-aarch64 reports an undefined instruction as SIGILL/ILL_ILLOPN; "
                            "Linux (arch/arm64/kernel/traps.c, do_el0_undef) sends ILL_ILLOPC",
    ("aarch64", "procfs"): "qemu-aarch64 (7.2) passes the host's x86 /proc/cpuinfo through; Linux's arm64 format "
                           "is in arch/arm64/kernel/cpuinfo.c",
    ("riscv64", "rvv_abi"): "qemu-riscv64 (7.2) puts no V record in signal frames (a handler's vector "
                            "registers leak into the interrupted code) and passes the host's /proc/cpuinfo through; "
                            "Linux's frame is arch/riscv/kernel/signal.c (save_v_state)",
    ("riscv64", "hwprobe"): "qemu-riscv64 (7.2) has no riscv_hwprobe (ENOSYS, Linux 6.4+); the expected values are "
                            "the ones Linux documents (Documentation/arch/riscv/hwprobe.rst, sys_hwprobe.c) for the "
                            "extensions /proc/cpuinfo lists",
    ("riscv64", "vector_control"): "qemu-riscv64 (7.2) has no PR_RISCV_V_SET_CONTROL/GET_CONTROL (EINVAL, Linux 6.5+); "
                                   "the expected output follows arch/riscv/kernel/vector.c "
                                   "(riscv_v_vstate_ctrl_set_current, riscv_v_vstate_ctrl_init)",
    ("riscv64", "procfs"): "qemu-riscv64 (7.2) passes the host's x86 /proc/cpuinfo through; Linux's riscv format "
                           "is in arch/riscv/kernel/cpu.c",
    ("riscv64", "sigfeatures"): "qemu-riscv64 (7.2) does not block sa_mask signals while the handler runs: a "
                                "SIGUSR2 raised inside a SIGUSR1 handler with SIGUSR2 in sa_mask runs at once",
    ("aarch64", "execchain"): "qemu-aarch64 without binfmt_misc cannot exec a guest program (the child's execv "
                              "fails, status 127); the chain's statuses follow from the program itself",
    ("riscv64", "execchain"): "qemu-riscv64 without binfmt_misc cannot exec a guest program (the child's execv "
                              "fails, status 127); the chain's statuses follow from the program itself",
    ("aarch64", "newcalls"): "qemu-aarch64 (7.2) has no openat2 (ENOSYS) and cannot execveat a guest program; "
                             "the expected output is the x86 kernel's own run of the same source",
    ("riscv64", "newcalls"): "qemu-riscv64 (7.2) has no openat2 (ENOSYS) and cannot execveat a guest program; "
                             "the expected output is the x86 kernel's own run of the same source",
    **{(arch, "execforms"): f"qemu-{arch} (7.2) has no execveat (ENOSYS, so glibc's fexecve execs /proc/self/fd/N) "
                            "and cannot exec a guest program without binfmt_misc; the expected output is the x86 "
                            "kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "vfork"): f"qemu-{arch} (7.2) runs vfork as fork (the parent neither waits nor sees the child's "
                        "writes, so posix_spawn cannot report a failed exec) and cannot exec a guest program; the "
                        "expected output is the x86 kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    ("aarch64", "mqueue"): "qemu-aarch64 (7.2) fails mq_notify; the expected output is the x86 kernel's own run",
    ("riscv64", "mqueue"): "qemu-riscv64 (7.2) fails mq_notify; the expected output is the x86 kernel's own run",
    ("aarch64", "smc_writes"): "qemu-aarch64 (7.2) write-protects pages holding translated code and then lets the "
                               "host kernel's futex WAKE_OP write fail with EFAULT; the x86 kernel's own run of the "
                               "futex call gives 0 and word 5",
    ("riscv64", "smc_writes"): "qemu-riscv64 (7.2) write-protects pages holding translated code and then lets the "
                               "host kernel's futex WAKE_OP write fail with EFAULT; the x86 kernel's own run of the "
                               "futex call gives 0 and word 5",
    ("aarch64", "threads_cancel"): "qemu-aarch64 (7.2) cannot map two of the guest's 31 realtime signals onto the "
                                   "host (it keeps host signals for itself): 29 of 31 handled; the expected output "
                                   "is the x86 kernel's own run",
    ("riscv64", "threads_cancel"): "qemu-riscv64 (7.2) cannot map two of the guest's 31 realtime signals onto the "
                                   "host (it keeps host signals for itself): 29 of 31 handled; the expected output "
                                   "is the x86 kernel's own run",
    ("aarch64", "admin"): "qemu-aarch64 runs threads of its own, so unshare(CLONE_NEWUSER) fails with EINVAL "
                          "(the kernel wants a single-threaded caller); the expected output is the x86 kernel's own run",
    ("riscv64", "admin"): "qemu-riscv64 runs threads of its own, so unshare(CLONE_NEWUSER) fails with EINVAL "
                          "(the kernel wants a single-threaded caller); the expected output is the x86 kernel's own run",
    **{(arch, "mmap_semantics"): f"qemu-{arch} (7.2) refuses MAP_SHARED_VALIDATE (EINVAL) and accepts "
                                 "MAP_PRIVATE|MAP_SYNC, checks len 0 before a bad fd (EINVAL for EBADF), maps "
                                 "MAP_FIXED_NOREPLACE at an unaligned address elsewhere instead of EINVAL, fails mmap "
                                 "with unknown PROT bits, answers mprotect of length 0 with ENOMEM, and spins forever "
                                 "on a store to a page of an mprotect that ran into a hole; the expected output is "
                                 "the x86 kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "mmap_remap"): f"qemu-{arch} (7.2) does not move pages with MREMAP_DONTUNMAP (both ranges read "
                             "zero) and ignores its hint, has no old_len 0 alias of shared memory, accepts advice "
                             "Linux refuses (an unknown one, MADV_FREE/MADV_WIPEONFORK on file or shared memory) and "
                             "unmapped ranges, ignores MADV_DONTFORK/MADV_WIPEONFORK across fork, has no mlock2, "
                             "does not unmap heap pages on a brk shrink and lets brk reach the next mapping; the "
                             "expected output is the x86 kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "exec_signal"): f"qemu-{arch} (7.2) loses a signal that arrives while it handles the guest's "
                              "execve (11 of 20 rounds on arm) and cannot exec a guest program without binfmt_misc; "
                              "the expected output is the x86 kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "fork_churn"): f"qemu-{arch} (7.2) hangs on this program (no exit within 60 s; natively it "
                             "takes half a second); the expected output is the x86 kernel's own run of the same "
                             "source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "huge_ranges"): f"qemu-{arch} (7.2) keeps state per guest page: a 2^44-byte PROT_NONE reservation "
                              "grows it until the host kills it; the expected output is the x86 kernel's own run "
                              "of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "procfs_self"): f"qemu-{arch} (7.2) emulates only some fields of /proc/self/stat (startcode, endcode and "
                              "the argument and environment addresses are 0) and passes /proc/thread-self/stat "
                              "through; the expected output is the x86 kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "abi_edges"): f"qemu-{arch} (7.2) execs the guest child only when the host's binfmt_misc knows the "
                            "architecture (the 100,000-argument execve fails otherwise); the expected output is the "
                            "x86 kernel's own run of the same source"
       for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "wild_addresses"): f"qemu-{arch} (7.2) reports si_addr 0 or a wrong address for accesses at or above "
                                 "2^47 (its host faults there are general-protection faults without an address); "
                                 "the expected output is Linux's: SEGV_MAPERR with the address (arch/riscv/mm/"
                                 "fault.c reports stval; arm64 reports FAR with the tag hidden, untagged_addr)"
       for arch in ("aarch64", "riscv64")},
    ("aarch64", "crypto"): "qemu-aarch64's cortex-a72 (the CPU the other tests compare on) has no SHA-512, SHA-3, "
                           "SM3 or SM4; the expected output is qemu-aarch64 -cpu max's run",
    ("aarch64", "threads"): "qemu-aarch64 answers set_robust_list with ENOSYS, so waiting on a robust "
                            "mutex whose owner died hangs forever instead of returning EOWNERDEAD",
    **{(arch, "jit_dualmap"): f"qemu-{arch} (7.2) runs stale code after stores through the writable view of a "
                              "memfd mapped twice (it watches only the executable view's pages and its "
                              "instruction-cache maintenance does nothing); the expected output is the x86 "
                              "kernel's own run of the same source (the fence.i line: the program's own check)"
       for arch in ("aarch64", "riscv64", "arm")},
    ("arm", "threads"): "qemu-arm (7.2) hangs on the robust mutex whose owner died (no EOWNERDEAD within 120 s)",
    ("arm", "execchain"): "qemu-arm without binfmt_misc cannot exec a guest program (the child's execv fails, "
                          "status 127); the chain's statuses follow from the program itself",
    ("arm", "newcalls"): "qemu-arm (7.2) has no openat2 (ENOSYS) and cannot execveat a guest program; the expected "
                         "output is the x86 kernel's own run of the same source",
    ("arm", "mqueue"): "qemu-arm (7.2) fails mq_notify; the expected output is the x86 kernel's own run",
    ("arm", "threads_cancel"): "qemu-arm (7.2) cannot map two of the guest's 31 realtime signals onto the host (it "
                               "keeps host signals for itself): 29 of 31 handled; the expected output is the x86 "
                               "kernel's own run",
    ("arm", "admin"): "qemu-arm runs threads of its own, so unshare(CLONE_NEWUSER) fails with EINVAL (the kernel "
                      "wants a single-threaded caller); the expected output is the x86 kernel's own run",
    **{(arch, "unimp_report"): "checks mimic's own -d unimp report (qemu-user's words differ); the calls' "
                               "answers are Linux's for calls and requests it lacks" for arch in ("aarch64", "riscv64", "arm")},
    **{(arch, "mount_api"): f"qemu-{arch} runs threads of its own, so unshare(CLONE_NEWUSER) fails with EINVAL, and "
                            "7.2 has no fsopen family (ENOSYS); the expected output is the x86 kernel's own run"
       for arch in ("aarch64", "riscv64", "arm")},
    ("arm", "signals"): "qemu-arm reports an undefined instruction as SIGILL/ILL_ILLOPN; Linux "
                        "(arch/arm/kernel/traps.c, do_undefinstr) sends ILL_ILLOPC",
    ("arm", "abi_structs"): "qemu-arm (7.2) copies the host's sysinfo memory counts into the 32-bit fields "
                            "without rescaling mem_unit, so on a host with more than 4 GiB they wrap and free "
                            "may exceed total, depending on the host's memory at the time; the expected output "
                            "is the x86 kernel's own run",
    ("arm", "procfs"): "qemu-arm (7.2) passes the host's x86 /proc/cpuinfo through; Linux's arm format is in "
                       "arch/arm/kernel/setup.c",
    ("arm", "procfs_mem"): "qemu-arm (7.2) passes the host's /proc/self/mem through (host addresses: it reads and "
                           "writes the wrong bytes); the expected output is the i386 kernel's own run of the same "
                           "source (gcc -m32: a 32-bit off_t, so addresses past 2 GiB are EINVAL as on armhf)",
    ("arm", "ioctls"): "qemu-arm (7.2) has no TCGETS2/TCSETS2 or TIOCGEXCL and answers an unknown request with "
                       "ENOSYS (Linux: ENOTTY); the expected output is the x86 kernel's own run of the same source "
                       "(gcc -m32)",
    ("arm", "old_calls"): "qemu-arm (7.2) returns the new value from nice, EFAULT from futimesat without a path and "
                          "from sigsuspend, clears the real-time signals on the old SIG_SETMASK and leaves struct "
                          "timex's padding; the expected output is the x86 kernel's own run of the same source "
                          "(gcc -m32: i386 has the same old calls and 32-bit layouts)",
}

# Programs that do not apply to the 32-bit Arm guest (reported as skipped, with the reason).
NOT_YET = {
    ("arm", "beyond_space"): "probes addresses past 2^46, which a 32-bit pointer cannot hold",
    ("arm", "limit_edges"): "probes addresses past 2^45, which a 32-bit pointer cannot hold",
    ("arm", "huge_ranges"): "maps 2^44-byte ranges, which a 4 GiB address space cannot hold",
}


def outcome(proc):
    out = proc.stdout.decode(errors="replace")
    rc = proc.returncode
    status = f"[exit {rc}]" if rc >= 0 else f"[signal {-rc}]"
    return out + status + "\n"


def run(cmd, env, cwd):
    try:
        return outcome(subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=120))
    except subprocess.TimeoutExpired:
        return "[timeout]\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", choices=sorted(CC), default="riscv64")
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--build-dir", default=None)
    ap.add_argument("--qemu", default=None, help="qemu-user binary (default: qemu-<arch> when installed)")
    ap.add_argument("--opt", default="-O2", help="compiler optimisation flags")
    ap.add_argument("--update", action="store_true", help="write expected files from qemu-<arch>")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    a.mimic = os.path.abspath(a.mimic)
    cc_name = CC[a.arch]
    qemu_name = f"qemu-{a.arch}"
    a.qemu = a.qemu or shutil.which(qemu_name)
    if not shutil.which(cc_name):
        print(f"SKIP: {cc_name} is not installed (Debian package gcc-{cc_name[:-4]})")
        return 77
    if not os.path.exists(a.mimic):
        print(f"FAIL: mimic binary {a.mimic} does not exist")
        return 1
    sources = {f[:-2]: os.path.join(SRC, f) for f in os.listdir(SRC) if f.endswith(".c")}
    arch_src = os.path.join(SRC, a.arch)
    sources.update({f[:-2]: os.path.join(arch_src, f) for f in os.listdir(arch_src) if f.endswith(".c")})
    names = a.names or sorted(sources)
    build = a.build_dir or tempfile.mkdtemp(prefix="mimic-guest-")
    os.makedirs(build, exist_ok=True)
    failed = []
    for name in names:
        if (a.arch, name) in NOT_YET:
            print(f"skip {name}: does not apply on {a.arch}: {NOT_YET[(a.arch, name)]}")
            continue
        exe = os.path.join(build, name)
        src = sources[name]
        this_cc, cc_flags = TEST_CC.get((a.arch, name), (cc_name, []))
        if not shutil.which(this_cc):
            print(f"skip {name}: {this_cc} is not installed (Debian package gcc-{this_cc[:-4]})")
            continue
        cc = subprocess.run([this_cc, "-static", *a.opt.split(), *cc_flags, *CFLAGS.get((a.arch, name), []), "-o", exe,
                             src, "-lm", "-lpthread"],
                            capture_output=True)
        if cc.returncode != 0:
            print(f"FAIL {name}: compile error\n{cc.stderr.decode()}")
            failed.append(name)
            continue
        env = dict(os.environ)
        env.update(ENV.get(name, {}))
        for var in ENV_UNSET.get(name, []):
            env.pop(var, None)
        args = ARGS.get(name, [])
        cpus = TEST_CPUS.get((a.arch, name), [None])

        def each_cpu(run_one):
            return "".join((f"== {c}\n" if c else "") + run_one(c) for c in cpus)

        def run_mimic(cpu):
            with tempfile.TemporaryDirectory() as scratch:
                return run([a.mimic, "user", *(["-cpu", cpu] if cpu else []), *MIMIC_OPTS.get(name, []), exe] + args,
                           env, scratch)
        got = each_cpu(run_mimic)
        if got.startswith("SKIP:"):  # the host lacks what the test needs (it says what)
            print(f"skip {name}: {got.splitlines()[0][5:].strip()}")
            continue
        problems = []
        qemu_out = None
        if a.qemu and (a.arch, name) not in QEMU_DIFFERS:
            def run_qemu(cpu):
                with tempfile.TemporaryDirectory() as scratch:
                    qemu_env = dict(env)
                    if cpu or a.arch in QEMU_CPU:
                        qemu_env["QEMU_CPU"] = cpu or QEMU_CPU[a.arch]
                    return run([a.qemu, exe] + args, qemu_env, scratch)
            qemu_out = each_cpu(run_qemu)
            if qemu_out != got:
                problems.append(f"differs from {qemu_name}:\n--- qemu\n{qemu_out}--- mimic\n{got}")
        exp_path = os.path.join(EXPECTED, a.arch, name + ".out")
        if not os.path.exists(exp_path) and not os.path.exists(os.path.join(arch_src, name + ".c")):
            exp_path = os.path.join(EXPECTED, name + ".out")
        if a.update and qemu_out is not None:
            common = os.path.join(EXPECTED, name + ".out")
            if exp_path == common and os.path.exists(common) and open(common).read() != qemu_out:
                exp_path = os.path.join(EXPECTED, a.arch, name + ".out")  # this arch differs
            with open(exp_path, "w") as f:
                f.write(qemu_out)
        if os.path.exists(exp_path):
            with open(exp_path) as f:
                exp = f.read()
            if exp != got:
                problems.append(f"differs from {os.path.relpath(exp_path, HERE)}:\n--- expected\n{exp}--- mimic\n{got}")
        else:
            problems.append(f"no expected output {exp_path}")
        if problems:
            failed.append(name)
            print(f"FAIL {name}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
        else:
            print(f"ok   {name}" + (f" (matches expected and {qemu_name})" if qemu_out else " (matches expected)"))
    if not a.build_dir:
        shutil.rmtree(build, ignore_errors=True)
    print(f"{len(names) - len(failed)}/{len(names)} {a.arch} guest programs passed ({a.opt})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
