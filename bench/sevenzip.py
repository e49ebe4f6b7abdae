#!/usr/bin/env python3
"""7-Zip's own single-threaded benchmark (`7z b -mmt1`) on Debian's 7-Zip for arm64, riscv64 and armhf,
under mimic and under qemu-user in the same run, and natively when the host has 7-Zip; prints
the ratings (7-Zip's MIPS, higher is better) and the ratios.

The guest 7-Zip and its libraries come from Debian (arm64: bookworm's p7zip 16.02, the same
source as Debian 12's host p7zip-full; riscv64: trixie's 7zip, as bookworm has no riscv64) and are
unpacked into build/bench-sysroots/ARCH by scripts/fetch-debian-debs.sh; the run is dynamic,
with the sysroot given by -L to both emulators.

Usage: bench/sevenzip.py [--arch aarch64|riscv64|arm|all] [--dict N] [--mimic build/mimic]
  --dict N  largest dictionary, 2^N bytes (7-Zip's -md); 22 keeps one pass near a minute under
            emulation, 25 is 7-Zip's default.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUESTS = {
    "aarch64": ("arm64", "bookworm", ["p7zip", "p7zip-full", "libc6", "libgcc-s1", "libstdc++6", "gcc-12-base"],
                "qemu-aarch64"),
    "riscv64": ("riscv64", "trixie", ["7zip", "libc6", "libgcc-s1", "libstdc++6", "gcc-14-base"], "qemu-riscv64"),
    "arm": ("armhf", "bookworm", ["p7zip", "p7zip-full", "libc6", "libgcc-s1", "libstdc++6", "gcc-12-base"],
            "qemu-arm"),
}
# Where each package puts the real 7-Zip binary (p7zip's /usr/bin/7z is a shell wrapper).
CANDIDATES = ["usr/lib/p7zip/7z", "usr/bin/7zz", "usr/lib/7zip/7z"]
QEMU_CPU = {"aarch64": "cortex-a72", "arm": "cortex-a15"}  # the CPU mimic models (see bench/workloads.py)


def rating(output):
    """The total rating of `7z b`: the last number of its 'Tot:' line."""
    m = re.search(r"^Tot:\s+(\d+)\s+(\d+)\s+(\d+)", output, re.M)
    if not m:
        raise RuntimeError("no 'Tot:' line in 7-Zip's output:\n" + output[-800:])
    return int(m.group(3))


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {(p.stdout + p.stderr)[-500:]}")
    return rating(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="all", choices=["all", *GUESTS])
    ap.add_argument("--dict", type=int, default=22)
    ap.add_argument("--mimic", default=os.path.join(ROOT, "build", "mimic"))
    a = ap.parse_args()
    args = ["b", "1", "-mmt1", f"-md{a.dict}"]
    native = shutil.which("7zz") or shutil.which("7z")
    native_rating = run([native, *args]) if native else None
    print(f"# 7z {' '.join(args)}; rating = 7-Zip's total MIPS (higher is better)")
    with open("/proc/loadavg") as f:  # the machine is shared: ratios are read with the load
        print(f"# load: {' '.join(f.read().split()[:3])} (1, 5, 15 min)")
    print(f"native host 7-Zip: {native_rating if native_rating else 'not installed (apt-get install p7zip-full)'}")
    print(f"{'arch':10}{'mimic':>8}{'qemu':>8}{'mimic/qemu':>12}{'mimic/native':>14}")
    for arch in GUESTS if a.arch == "all" else [a.arch]:
        deb_arch, suite, packages, qemu = GUESTS[arch]
        root = os.path.join(ROOT, "build", "bench-sysroots", arch)
        subprocess.run([os.path.join(ROOT, "scripts", "fetch-debian-debs.sh"), deb_arch, suite, root, *packages],
                       check=True, stdout=subprocess.DEVNULL)
        exe = next((c for c in CANDIDATES if os.path.exists(os.path.join(root, c))), None)
        if not exe:
            raise RuntimeError(f"no 7-Zip binary in {root} (looked for {', '.join(CANDIDATES)})")
        guest_exe = os.path.join(root, exe)
        m = run([a.mimic, "user", "-L", root, guest_exe, *args])
        env = dict(os.environ, QEMU_CPU=QEMU_CPU[arch]) if arch in QEMU_CPU else None
        q = run([qemu, "-L", root, guest_exe, *args], env) if shutil.which(qemu) else None
        ratio_q = f"{m / q:.2f}x" if q else "-"
        ratio_n = f"{m / native_rating:.2f}" if native_rating else "-"
        print(f"{arch:10}{m:>8}{q if q else '-':>8}{ratio_q:>12}{ratio_n:>14}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
