#!/usr/bin/env python3
"""Builds tests/go/main.go for the host and for each guest architecture with the Go toolchain
(static, CGO_ENABLED=0) and runs the guest builds under mimic: stdout and the exit status must be
those of the host's own run. Exits 77 (meson's skip) when `go` is not installed.

Usage: run_go.py --mimic build/mimic [--arch aarch64 --arch riscv64] [--runs N] [--work DIR]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GOARCH = {"aarch64": "arm64", "riscv64": "riscv64", "host": "amd64"}


def build(go, goarch, out, work):
    env = dict(os.environ, GOOS="linux", GOARCH=goarch, CGO_ENABLED="0", GOCACHE=os.path.join(work, "cache"),
               GOPATH=os.path.join(work, "gopath"), GO111MODULE="off", HOME=work)
    subprocess.run([go, "build", "-o", out, os.path.join(HERE, "main.go")], env=env, check=True, cwd=HERE)


def run(cmd, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=300)
        return p.stdout.decode(errors="replace") + f"[exit {p.returncode}]\n", p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "[timeout]\n", ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--arch", action="append", choices=["aarch64", "riscv64"])
    ap.add_argument("--runs", type=int, default=1, help="runs per architecture (intermittent failures)")
    ap.add_argument("--work", default=None, help="build folder (kept; default: a temporary one)")
    a = ap.parse_args()
    go = shutil.which("go")
    if not go:
        print("SKIP: the Go toolchain is not installed (Debian package golang-go)")
        return 77
    mimic = os.path.abspath(a.mimic)
    work = os.path.abspath(a.work) if a.work else tempfile.mkdtemp(prefix="mimic-go-")
    os.makedirs(work, exist_ok=True)
    arches = a.arch or ["aarch64", "riscv64"]
    exes = {}
    for arch in ["host"] + arches:
        exes[arch] = os.path.join(work, f"gotest-{arch}")
        build(go, GOARCH[arch], exes[arch], work)
    expected, _ = run([exes["host"]], work)
    failed = 0
    for arch in arches:
        for i in range(a.runs):
            got, err = run([mimic, "user", exes[arch]], work)
            if got == expected:
                print(f"ok   go {arch} run {i + 1}")
            else:
                failed += 1
                print(f"FAIL go {arch} run {i + 1}\n--- host\n{expected}--- mimic\n{got}--- mimic stderr\n{err[-2000:]}")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    total = len(arches) * a.runs
    print(f"{total - failed}/{total} Go runs matched the host's own output")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
