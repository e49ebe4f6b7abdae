#!/usr/bin/env python3
"""Guest-program tests: cross-compiles tests/guest/src/*.c for riscv64, runs each under mimic and
compares stdout and the exit status with tests/guest/expected/<name>.out (generated once with
qemu-riscv64 and checked by reading) and, when qemu-riscv64 is installed, with a live qemu run.

Usage: run.py --mimic build/mimic [--build-dir DIR] [--update] [NAME...]
Exit status: 0 all passed, 1 a test failed, 77 (meson's skip) without the cross compiler.
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
CC = "riscv64-linux-gnu-gcc"

# Per-test arguments (after the program) and extra environment.
ARGS = {"args": ["one", "two words", ""]}
ENV = {"args": {"MIMIC_GUEST_TEST": "set-by-runner"}}


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
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--build-dir", default=None)
    ap.add_argument("--qemu", default=shutil.which("qemu-riscv64"))
    ap.add_argument("--update", action="store_true", help="rewrite expected files from qemu-riscv64")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if not shutil.which(CC):
        print(f"SKIP: {CC} is not installed (Debian package gcc-riscv64-linux-gnu)")
        return 77
    if not os.path.exists(a.mimic):
        print(f"FAIL: mimic binary {a.mimic} does not exist")
        return 1
    names = a.names or sorted(f[:-2] for f in os.listdir(SRC) if f.endswith(".c"))
    build = a.build_dir or tempfile.mkdtemp(prefix="mimic-guest-")
    os.makedirs(build, exist_ok=True)
    failed = []
    for name in names:
        exe = os.path.join(build, name)
        src = os.path.join(SRC, name + ".c")
        cc = subprocess.run([CC, "-static", "-O2", "-o", exe, src, "-lm"], capture_output=True)
        if cc.returncode != 0:
            print(f"FAIL {name}: compile error\n{cc.stderr.decode()}")
            failed.append(name)
            continue
        env = dict(os.environ)
        env.update(ENV.get(name, {}))
        args = ARGS.get(name, [])
        with tempfile.TemporaryDirectory() as scratch:
            got = run([a.mimic, "user", exe] + args, env, scratch)
        problems = []
        qemu_out = None
        if a.qemu:
            with tempfile.TemporaryDirectory() as scratch:
                qemu_out = run([a.qemu, exe] + args, env, scratch)
            if qemu_out != got:
                problems.append(f"differs from qemu-riscv64:\n--- qemu\n{qemu_out}--- mimic\n{got}")
        exp_path = os.path.join(EXPECTED, name + ".out")
        if a.update and qemu_out is not None:
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
            print(f"ok   {name}" + (" (matches expected and qemu-riscv64)" if qemu_out else " (matches expected)"))
    if not a.build_dir:
        shutil.rmtree(build, ignore_errors=True)
    print(f"{len(names) - len(failed)}/{len(names)} guest programs passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
