#!/usr/bin/env python3
# Assembles AArch64 lines (stdin, one per line) with GNU as and prints "0x..., // line" for the tests.
import subprocess, sys, tempfile, os

lines = [l.rstrip() for l in sys.stdin if l.strip()]
with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "a.s"); obj = os.path.join(d, "a.o"); bin_ = os.path.join(d, "a.bin")
    open(src, "w").write(".arch armv8.5-a+lse+crc+rcpc+sb\n.text\n" + "\n".join(lines) + "\n")
    subprocess.check_call(["aarch64-linux-gnu-as", "-o", obj, src])
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, bin_])
    data = open(bin_, "rb").read()
    for i, l in enumerate(lines):
        print("0x%08x,  // %s" % (int.from_bytes(data[4 * i:4 * i + 4], "little"), l))
