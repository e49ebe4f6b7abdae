#!/usr/bin/env python3
"""-accel tcg,thread=single is reproducible: tests/system/riscv/smp_race.c (two harts racing on
shared memory with no synchronisation, the result recording their interleaving; with a third
argument "aarch64", tests/system/aarch64/smp_race.c on the arm virt board) runs twice under
the round-robin mode, with the JIT and with the interpreter, and each pair of runs must print the
same lines; the race must have interleaved the harts (switches > 1). The multi-threaded runs are
printed for comparison only (they depend on the host's scheduling).

No QEMU reference: QEMU's round robin slices by host time (its kick timer), so its result
differs from run to run. Exit 77 when the cross compiler or `mimic system` is missing."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_baremetal import SKIP, build, mimic_has_system, run  # noqa: E402


def main():
    mimic, build_dir = sys.argv[1], sys.argv[2]
    arm = len(sys.argv) > 3 and sys.argv[3] == "aarch64"
    cc = "aarch64-linux-gnu-gcc" if arm else "riscv64-linux-gnu-gcc"
    sub = "system-aarch64" if arm else "system"
    if subprocess.run(["sh", "-c", f"command -v {cc}"], capture_output=True).returncode != 0:
        print(f"SKIP: {cc} is not installed")
        return SKIP
    if not mimic_has_system(mimic, sub):
        print(f"SKIP: '{mimic} {sub}' is not implemented yet")
        return SKIP
    os.makedirs(build_dir, exist_ok=True)
    if arm:
        prog = build(cc, "smp_race", build_dir, os.path.join(HERE, "aarch64"), "aarch64")
        board = [mimic, sub, "-M", "virt", "-smp", "2", "-nographic", "-kernel", prog]
    else:
        prog = build(cc, "smp_race", build_dir)
        board = [mimic, sub, "-M", "virt", "-smp", "2", "-bios", "none", "-nographic", "-kernel", prog]
    done = "exit=0x0000000000000000\n" if arm else "DONE\n"
    failed = False
    for variant in ([], ["-interp"]):
        name = " ".join(["thread=single"] + variant)
        outs = []
        for _ in range(2):
            rc, out = run(board + ["-accel", "tcg,thread=single"] + variant, 300)
            if rc != 0 or not out.endswith(done):
                print(f"FAIL {name}: status {rc}:\n{out}")
                return 1
            outs.append(out)
        m = re.search(r"switches=(\d+)", outs[0])
        if outs[0] != outs[1]:
            print(f"FAIL {name}: two runs differ:\n--- first\n{outs[0]}--- second\n{outs[1]}")
            failed = True
        elif not m or int(m.group(1)) < 2:
            print(f"FAIL {name}: the harts did not interleave:\n{outs[0]}")
            failed = True
        else:
            print(f"ok   {name}: both runs print " + " ".join(outs[0].split()))
    for i in range(2):
        rc, out = run(board, 300)
        print(f"info multi-threaded run {i + 1} (not compared): status {rc}, " + " ".join(out.split()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
