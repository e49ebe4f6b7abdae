#!/usr/bin/env python3
# Assembles RISC-V lines (stdin, one per line) with GNU as and prints "0x..., // line" for the tests.
import subprocess, sys, tempfile, os

lines = [l.rstrip() for l in sys.stdin if l.strip()]
with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "a.s"); obj = os.path.join(d, "a.o"); bin_ = os.path.join(d, "a.bin")
    body = []
    for l in lines:
        body.append(l if l.startswith("c.") else ".option push\n.option norvc\n" + l + "\n.option pop")
    open(src, "w").write(".text\n" + "\n".join(body) + "\n")
    subprocess.check_call(["riscv64-linux-gnu-as", "-march=rv64gc_zba_zbb_zbs", "-o", obj, src])
    subprocess.check_call(["riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, bin_])
    data = open(bin_, "rb").read()
    off = 0
    for l in lines:
        lo = int.from_bytes(data[off:off + 2], "little")
        n = 4 if lo & 3 == 3 else 2
        v = int.from_bytes(data[off:off + n], "little")
        print(("0x%08x" if n == 4 else "0x%04x") % v + ",  // " + l)
        off += n
