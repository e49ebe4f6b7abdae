#!/usr/bin/env python3
"""Runs the C workloads in bench/workloads natively, under qemu-user and under mimic; prints ratios.

Each workload is compiled twice from the same source: for the host (gcc -O2 -static) and for the
guest (<triple>-gcc -O2 -static). Every run's output must be identical (checksums), so a fast but
wrong emulator cannot score. Times are the best of --runs wall-clock runs.

--baseline OTHER_MIMIC also times another mimic binary (the same source before a change, say),
alternating its runs with mimic's so that both see the same machine load, and prints both CPU
times (user + system, best of --runs) and mimic's as a percentage of the baseline's; every
column is then CPU time. --baseline-options gives the baseline runs mimic options (--baseline
build/mimic --baseline-options=-simple-codegen compares with the code generation before issue 15).

--tier2 compares tier 2 on (the mimic column: -tier2 on) with tier 2 off (the base column:
the same binary with -tier2 off), the same way (docs/tier2.md).
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = ["sieve", "hash", "sort", "strings", "matmul", "syscalls", "simd"]
# Per-guest compiler flags of a workload: armhf's default FPU is VFPv3-D16, without NEON.
GUEST_CFLAGS = {("arm", "simd"): ["-mfpu=neon"]}
GUESTS = {"riscv64": ("riscv64-linux-gnu-gcc", "qemu-riscv64"),
          "aarch64": ("aarch64-linux-gnu-gcc", "qemu-aarch64"),
          "arm": ("arm-linux-gnueabihf-gcc", "qemu-arm")}  # armhf: Thumb-2, VFPv3-D16
# qemu-user runs the CPU mimic models, so both take the same library code paths (glibc picks its
# string functions by CPU; qemu-aarch64's default "max" CPU would send it to SVE versions).
QEMU_CPU = {"aarch64": "cortex-a72", "arm": "cortex-a15"}


def build(compiler, src, out, extra=()):
    subprocess.run([compiler, "-O2", "-static", *extra, "-o", out, src], check=True)


def best_time(cmd, runs, env=None, cpu=False):
    """Best wall-clock time of `runs` runs (with cpu: best user+system CPU time) and the output."""
    best, output = None, None
    for _ in range(runs):
        t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        dt = time.perf_counter() - t0
        if cpu:
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            dt = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[:300]}")
        if output is not None and p.stdout != output:
            raise RuntimeError(f"{' '.join(cmd)}: output changed between runs")
        output = p.stdout
        best = dt if best is None else min(best, dt)
    return best, output


def best_times_alternating(cmds, runs):
    """Best CPU time of each command, the commands' runs interleaved; their outputs must agree.
    CPU time rather than wall-clock: on a loaded machine the wall clock mostly measures waiting."""
    best, outputs = [None] * len(cmds), [None] * len(cmds)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            t, out = best_time(cmd, 1, cpu=True)
            if outputs[i] is not None and out != outputs[i]:
                raise RuntimeError(f"{' '.join(cmd)}: output changed between runs")
            outputs[i] = out
            best[i] = t if best[i] is None else min(best[i], t)
    return best, outputs


def load_average():
    """`uptime`'s load averages: the machine is shared, so a ratio is read with the load it ran under."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3]) + " (1, 5, 15 min)"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", default="riscv64", choices=sorted(GUESTS))
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=WORKLOADS)
    ap.add_argument("--outdir", default=os.path.join(ROOT, "build", "bench-workloads"))
    ap.add_argument("--baseline", help="another mimic binary to compare with (runs alternate with mimic's)")
    ap.add_argument("--baseline-options", default="",
                    help="mimic user options for the baseline runs (e.g. -simple-codegen: the same binary's old code)")
    ap.add_argument("--tier2", action="store_true", help="mimic with -tier2 on against itself with -tier2 off")
    args = ap.parse_args()
    mimic_opts, base_opts = [], []
    if args.tier2:
        args.baseline = args.baseline or args.mimic
        mimic_opts, base_opts = ["-tier2", "on"], ["-tier2", "off"]

    cc, qemu = GUESTS[args.arch]
    os.makedirs(args.outdir, exist_ok=True)
    have_qemu = shutil.which(qemu) is not None
    what = "CPU times (user + system)" if args.baseline else "times"
    print(f"# arch {args.arch}; {what} are best of {args.runs}; ratio = time / native time")
    print(f"# load: {load_average()}")
    if args.tier2:
        print("# mimic = -tier2 on, base = -tier2 off (the same binary)")
    base_head = f" {'base cpu':>9} {'vs base':>8}" if args.baseline else ""
    print(f"{'workload':10} {'native s':>9} {'qemu s':>9} {'mimic s':>9} {'qemu x':>8} {'mimic x':>8} {'mimic vs qemu':>14}"
          + base_head)
    failed = False
    for name in args.only:
        src = os.path.join(ROOT, "bench", "workloads", name + ".c")
        native_bin = os.path.join(args.outdir, f"{name}-native")
        guest_bin = os.path.join(args.outdir, f"{name}-{args.arch}")
        build("gcc", src, native_bin)
        build(cc, src, guest_bin, GUEST_CFLAGS.get((args.arch, name), []))
        cpu = args.baseline is not None  # then every column is CPU time (see best_times_alternating)
        tn, out_n = best_time([native_bin], args.runs, cpu=cpu)
        tq = out_q = None
        if have_qemu:
            qemu_env = dict(os.environ)
            if args.arch in QEMU_CPU:
                qemu_env["QEMU_CPU"] = QEMU_CPU[args.arch]
            tq, out_q = best_time([qemu, guest_bin], args.runs, qemu_env, cpu=cpu)
        tb = out_b = None
        try:
            if args.baseline:
                (tm, tb), (out_m, out_b) = best_times_alternating(
                    [[args.mimic, "user", *mimic_opts, guest_bin], [args.baseline, "user", *base_opts, *args.baseline_options.split(), guest_bin]],
                    args.runs)
            else:
                tm, out_m = best_time([args.mimic, "user", guest_bin], args.runs)
        except RuntimeError as e:
            print(f"{name:10} mimic failed: {e}")
            failed = True
            continue
        if out_m != out_n or (out_q is not None and out_q != out_n) or (out_b is not None and out_b != out_n):
            print(f"{name:10} OUTPUT MISMATCH native={out_n.strip()!r} qemu={out_q!r} mimic={out_m.strip()!r}")
            failed = True
            continue
        q = f"{tq:9.3f}" if tq else f"{'-':>9}"
        qx = f"{tq / tn:8.2f}" if tq else f"{'-':>8}"
        speed = f"{tq / tm:13.2f}x" if tq else f"{'-':>14}"
        base = f" {tb:9.3f} {100 * tm / tb:7.1f}%" if tb else ""
        print(f"{name:10} {tn:9.3f} {q} {tm:9.3f} {qx} {tm / tn:8.2f} {speed}{base}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
