#!/usr/bin/env python3
# Generates crypto_cases.inc: every AES, SHA-1, SHA-256, SHA-512, SHA-3, SM3, SM4 and PMULL.1Q instruction
# with random inputs in v0..v3 and the outputs MEASURED on qemu-aarch64 -cpu max, through the
# runner of gen_simd_arith_cases.py. Rerun after editing:
#   tests/unit/aarch64/gen_crypto_cases.py > tests/unit/aarch64/crypto_cases.inc
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_simd_arith_cases as g  # noqa: E402

g.ARCH = "armv8.2-a+crypto+sha3+sm4"
g.GENERATOR = "gen_crypto_cases.py"
g.CASES.clear()
rng = random.Random(17)

INSNS = [
    "aese v0.16b, v1.16b", "aesd v0.16b, v1.16b", "aesmc v0.16b, v1.16b", "aesimc v0.16b, v1.16b",
    "aesmc v0.16b, v0.16b",
    "sha1c q0, s1, v2.4s", "sha1p q0, s1, v2.4s", "sha1m q0, s1, v2.4s", "sha1su0 v0.4s, v1.4s, v2.4s",
    "sha1h s0, s1", "sha1su1 v0.4s, v1.4s",
    "sha256h q0, q1, v2.4s", "sha256h2 q0, q1, v2.4s", "sha256su0 v0.4s, v1.4s", "sha256su1 v0.4s, v1.4s, v2.4s",
    "sha512h q0, q1, v2.2d", "sha512h2 q0, q1, v2.2d", "sha512su0 v0.2d, v1.2d", "sha512su1 v0.2d, v1.2d, v2.2d",
    "eor3 v0.16b, v1.16b, v2.16b, v3.16b", "bcax v0.16b, v1.16b, v2.16b, v3.16b", "rax1 v0.2d, v1.2d, v2.2d",
    "xar v0.2d, v1.2d, v2.2d, #0", "xar v0.2d, v1.2d, v2.2d, #1", "xar v0.2d, v1.2d, v2.2d, #37",
    "xar v0.2d, v1.2d, v2.2d, #63",
    "pmull v0.1q, v1.1d, v2.1d", "pmull2 v0.1q, v1.2d, v2.2d", "pmull v3.1q, v3.1d, v3.1d",
    "sm3partw1 v0.4s, v1.4s, v2.4s", "sm3partw2 v0.4s, v1.4s, v2.4s", "sm3ss1 v0.4s, v1.4s, v2.4s, v3.4s",
    "sm3tt1a v0.4s, v1.4s, v2.s[0]", "sm3tt1a v0.4s, v1.4s, v2.s[3]", "sm3tt1b v0.4s, v1.4s, v2.s[1]",
    "sm3tt2a v0.4s, v1.4s, v2.s[2]", "sm3tt2b v0.4s, v1.4s, v2.s[3]", "sm3tt2b v0.4s, v1.4s, v2.s[0]",
    "sm4e v0.4s, v1.4s", "sm4ekey v0.4s, v1.4s, v2.4s", "sm4e v1.4s, v1.4s",
]
for asm in INSNS:
    regs = [[0, 0, 0, 0], [(1 << 128) - 1] * 4, [1 << 127, 1, 1 << 63, (1 << 64) - 1]]
    regs += [[rng.getrandbits(128) for _ in range(4)] for _ in range(5)]
    for r in regs:
        g.add(asm, r)

if __name__ == "__main__":
    g.main()
