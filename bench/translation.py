#!/usr/bin/env python3
"""Translation-bound guests under mimic and qemu-user, in one run: big programs that run briefly,
where the translator's own cost decides (issue 15).

  bench/translation.py [--arch aarch64|riscv64] [--mimic build/mimic] [--baseline OTHER_MIMIC] [--runs 2]
                       [--only cc1 shell python node node4]

Cases (the guest programs are Debian's, fetched into build/bench-translation/<arch>-root with
scripts/fetch-debian-debs.sh: bookworm for arm64, trixie for riscv64):
  cc1    the guest gcc's own cc1 -O2 compiling real C files, one process per file as make runs
         it: the benchmark workloads and the largest guest test programs (--all-files: all 40),
         preprocessed once on the host
         by the cross gcc (so both emulators read the same input); the assembly each emulator's
         cc1 writes must be identical.
  shell  dash running a script that forks and execs a few hundred small programs (coreutils).
  python python3 starting and importing a dozen standard modules, using each a little
         (bench/guest_scripts/python_imports.py; one untimed run first writes the .pyc files, as
         an installed system has them).
  node   Node.js (a guest that generates code: V8's JIT) running a CPU-bound script
         (bench/guest_scripts/node_compute.js).
  node4  Node.js with four worker_threads computing at once (bench/guest_scripts/node_workers.js).
Figures: CPU time (user + system, the emulator and its children, from wait4) and peak RSS, the
best of --runs; the ratio is mimic's CPU time over qemu-user's (below 1: mimic is cheaper). The
machine's load average is printed with them: other work on the machine inflates both columns.
--baseline runs a second mimic binary (say, a build from before a change) in the same run, with
its CPU time and mimic's over it (before/after under the same load)."""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUESTS = {
    # arch: (Debian arch, suite, cross gcc for preprocessing, qemu-user, cc1 path in the root, packages)
    "aarch64": ("arm64", "bookworm", "aarch64-linux-gnu-gcc", "qemu-aarch64", "usr/lib/gcc/aarch64-linux-gnu/12/cc1",
                ["cpp-12"]),
    "riscv64": ("riscv64", "trixie", "riscv64-linux-gnu-gcc", "qemu-riscv64",
                "usr/libexec/gcc/riscv64-linux-gnu/14/cc1", ["cpp-14-riscv64-linux-gnu"]),
}
# What the python and node cases add to the root, per arch: (program in the root, packages).
PYTHON = {
    "aarch64": ("usr/bin/python3.11", ["python3.11", "python3.11-minimal", "libpython3.11-minimal",
                                       "libpython3.11-stdlib", "libcrypt1", "libgdbm6", "libnsl2", "libtirpc3", "libdb5.3"]),
    "riscv64": ("usr/bin/python3.13", ["python3.13", "python3.13-minimal", "libpython3.13-minimal",
                                       "libpython3.13-stdlib", "libdb5.3t64"]),
}
PYTHON_COMMON = ["libbz2-1.0", "libexpat1", "libffi8", "liblzma5", "libncursesw6", "libtinfo6", "libsqlite3-0",
                 "libuuid1", "media-types"]
NODE = {
    "aarch64": ("usr/bin/node", ["nodejs", "libnode108", "libc-ares2", "libicu72", "libssl3", "libuv1", "node-busboy"]),
    "riscv64": ("usr/bin/node", ["nodejs", "libnode115", "libcares2", "libicu76", "libssl3t64", "libuv1t64",
                                 "node-balanced-match", "node-brace-expansion", "node-minimatch"]),
}
NODE_COMMON = ["libbrotli1", "libnghttp2-14", "libstdc++6", "node-acorn", "node-cjs-module-lexer", "node-undici",
               "node-xtend"]
SCRIPTS = os.path.join(ROOT, "bench", "guest_scripts")
COMMON_PACKAGES = ["libc6", "libgcc-s1", "libisl23", "libmpc3", "libmpfr6", "libgmp10", "zlib1g", "libzstd1",
                   "dash", "coreutils"]
# The guest test programs cc1 compiles besides bench/workloads (the largest; --all-files: every one).
CC1_GUEST_TESTS = ["mmap_remap.c", "mmap_semantics.c", "sigfeatures.c", "admin.c"]
# qemu-user runs the CPU mimic models, so both take the same library code paths.
QEMU_CPU = {"aarch64": "cortex-a72"}
# $EMU and $P: mimic runs an exec'd guest program itself (both empty); qemu-user without
# binfmt_misc would run the host's program of that name natively, so under qemu the script
# execs qemu-user on the sysroot's program (EMU="qemu -L ROOT", P=ROOT): a fork, an exec and an
# emulated program either way.
SHELL_SCRIPT = """i=0
while [ $i -lt {n} ]; do
  $EMU $P/usr/bin/true || exit 1
  $EMU $P/usr/bin/basename /a/b/c.txt .txt > /dev/null || exit 1
  $EMU $P/usr/bin/dirname /a/b/c > /dev/null || exit 1
  i=$((i + 1))
done
$EMU $P/usr/bin/printf 'done %d\\n' $i
"""


def fetch_root(arch, outdir, cases):
    deb_arch, suite, _, _, cc1, packages = GUESTS[arch]
    root = os.path.join(outdir, f"{arch}-root")
    wanted = [(cc1, packages + COMMON_PACKAGES)]
    if "python" in cases:
        wanted.append((PYTHON[arch][0], PYTHON[arch][1] + PYTHON_COMMON))
    if "node" in cases or "node4" in cases:
        # node-undici is the last of the node-* packages the list names: its file marks them all.
        wanted.append(("usr/share/nodejs/undici/package.json", NODE[arch][1] + NODE_COMMON))
    missing = [p for marker, pkgs in wanted if not os.path.exists(os.path.join(root, marker)) for p in pkgs]
    if missing:
        subprocess.run([os.path.join(ROOT, "scripts", "fetch-debian-debs.sh"), deb_arch, suite, root] +
                       sorted(set(missing + COMMON_PACKAGES)), check=True, stdout=subprocess.DEVNULL)
    return root


def measure(cmd, env=None, cwd=None):
    """Runs cmd and waits with wait4: (cpu seconds, peak RSS KiB, stdout bytes)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        if cwd:
            os.chdir(cwd)
        try:
            os.execvpe(cmd[0], cmd, env if env is not None else os.environ)
        finally:
            os._exit(127)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {os.waitstatus_to_exitcode(status)}")
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss, b"".join(chunks)


def best_of(runs, fn):
    best = None
    for _ in range(runs):
        cpu, rss, out = fn()
        if best is None or cpu < best[0]:
            best = (cpu, max(rss, best[1] if best else 0), out)
        else:
            best = (best[0], max(rss, best[1]), best[2])
    return best


def cc1_case(args, root, emulators, work):
    _, _, cross_gcc, _, cc1, _ = GUESTS[args.arch]
    sources = sorted(glob.glob(os.path.join(ROOT, "bench", "workloads", "*.c")))
    guest_tests = os.path.join(ROOT, "tests", "guest", "src")
    sources += sorted(glob.glob(os.path.join(guest_tests, "*.c")) if args.all_files else
                      [os.path.join(guest_tests, f) for f in CC1_GUEST_TESTS])
    inputs = []
    for src in sources:
        out = os.path.join(work, os.path.basename(src)[:-2] + ".i")
        p = subprocess.run([cross_gcc, "-E", "-O2", "-D_GNU_SOURCE", "-I", os.path.dirname(src), src, "-o", out],
                           capture_output=True)
        if p.returncode == 0:
            inputs.append(out)
    lines = sum(sum(1 for _ in open(i, errors="replace")) for i in inputs)
    print(f"# cc1: {len(inputs)} C files ({lines} preprocessed lines), cc1 -O2 each")
    results = {}
    for name, prefix, env in emulators:
        def once():
            cpu = rss = 0
            asm = []
            for i in inputs:
                s = i[:-2] + f".{name}.s"
                c, r, _ = measure(prefix + [os.path.join(root, cc1), "-quiet", "-O2", i, "-o", s], env)
                cpu += c
                rss = max(rss, r)
                asm.append(open(s, "rb").read())
            return cpu, rss, b"".join(asm)
        results[name] = best_of(args.runs, once)
    return results


def shell_case(args, root, emulators, work):
    script = os.path.join(work, "spawn.sh")
    with open(script, "w") as f:
        f.write(SHELL_SCRIPT.format(n=args.spawns))
    print(f"# shell: dash runs a loop of {args.spawns} x 3 fork+exec of coreutils programs")
    results = {}
    for name, prefix, env in emulators:
        env = dict(env if env is not None else os.environ)
        env["EMU"] = "" if name.startswith("mimic") else " ".join(prefix)
        env["P"] = "" if name.startswith("mimic") else root
        results[name] = best_of(args.runs, lambda: measure(prefix + [os.path.join(root, "usr/bin/dash"), script], env))
    return results


def script_case(program, script, note, warm_up=False):
    """A case that runs one guest program on one of bench/guest_scripts/ (python, node)."""
    def case(args, root, emulators, work):
        print(f"# {note}")
        cmd = [os.path.join(root, program), os.path.join(SCRIPTS, script)]
        if warm_up:  # untimed: writes what the program caches on disk (python's .pyc files)
            measure(emulators[0][1] + cmd, emulators[0][2], work)
        return {name: best_of(args.runs, lambda: measure(prefix + cmd, env, work)) for name, prefix, env in emulators}
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="aarch64", choices=sorted(GUESTS))
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    ap.add_argument("--baseline", help="a second mimic binary measured in the same run (before/after)")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--spawns", type=int, default=100)
    ap.add_argument("--all-files", action="store_true", help="cc1 compiles every tests/guest/src/*.c too")
    ap.add_argument("--only", nargs="*", default=["cc1", "shell", "python", "node", "node4"])
    ap.add_argument("--outdir", default=os.path.join(ROOT, "build", "bench-translation"))
    args = ap.parse_args()

    os.makedirs(args.outdir, exist_ok=True)
    root = fetch_root(args.arch, args.outdir, args.only)
    work = os.path.join(args.outdir, f"{args.arch}-work")
    os.makedirs(work, exist_ok=True)
    _, _, _, qemu, _, _ = GUESTS[args.arch]
    emulators = [("mimic", [args.mimic, "user", "-L", root], None)]
    if args.baseline:
        emulators.append(("mimic-base", [args.baseline, "user", "-L", root], None))
    if shutil.which(qemu):
        qenv = dict(os.environ)
        if args.arch in QEMU_CPU:
            qenv["QEMU_CPU"] = QEMU_CPU[args.arch]
        emulators.append(("qemu", [qemu, "-L", root], qenv))
    else:
        print(f"# {qemu} not installed: mimic's figures only")
    load = os.getloadavg()
    print(f"# arch {args.arch}; best of {args.runs}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"{'case':8} {'mimic cpu s':>12} {'qemu cpu s':>11} {'mimic/qemu':>11} {'mimic RSS MiB':>14} "
          f"{'qemu RSS MiB':>13}" + (f" {'base cpu s':>11} {'mimic/base':>11}" if args.baseline else ""))
    failed = False
    cases = {
        "cc1": cc1_case,
        "shell": shell_case,
        "python": script_case(PYTHON[args.arch][0], "python_imports.py",
                              "python: python3 starts, imports 14 standard modules and uses each", warm_up=True),
        "node": script_case(NODE[args.arch][0], "node_compute.js", "node: Node.js, a CPU-bound script (V8 JIT)"),
        "node4": script_case(NODE[args.arch][0], "node_workers.js", "node4: Node.js, 4 worker_threads computing"),
    }
    for case in args.only:
        t0 = time.perf_counter()
        try:
            res = cases[case](args, root, emulators, work)
        except RuntimeError as e:
            print(f"{case:8} failed: {e}")
            failed = True
            continue
        m = res["mimic"]
        q = res.get("qemu")
        base = res.get("mimic-base")
        if (q and q[2] != m[2]) or (base and base[2] != m[2]):
            print(f"{case:8} OUTPUT MISMATCH between mimic and {'qemu' if q and q[2] != m[2] else 'the baseline'}")
            failed = True
            continue
        qs = f"{q[0]:11.2f}" if q else f"{'-':>11}"
        ratio = f"{m[0] / q[0]:11.2f}" if q else f"{'-':>11}"
        qr = f"{q[1] / 1024:13.1f}" if q else f"{'-':>13}"
        bs = f" {base[0]:11.2f} {m[0] / base[0]:11.2f}" if base else ""
        print(f"{case:8} {m[0]:12.2f} {qs} {ratio} {m[1] / 1024:14.1f} {qr}{bs}   ({time.perf_counter() - t0:.0f} s)")
    load = os.getloadavg()
    print(f"# load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
