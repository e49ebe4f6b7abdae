#!/usr/bin/env python3
# Generates simd_arith_cases.inc: every AdvSIMD integer arithmetic instruction form (vector and
# scalar, every element size, Q = 0 and Q = 1, the "2" upper-half forms) with inputs in v0..v3 and
# FPSR, and the outputs MEASURED on qemu-aarch64 (a static program runs every case on the emulated
# CPU). Encodings come from GNU as. Rerun after editing:
#   tests/unit/aarch64/gen_simd_arith_cases.py > tests/unit/aarch64/simd_arith_cases.inc
# Every instruction writes v0 and reads v0 (accumulators), v1, v2 and v3 (by-element operand).
import math, os, random, subprocess, sys, tempfile

M64 = (1 << 64) - 1
QC = 1 << 27
rng = random.Random(2024)
BITS = [8, 16, 32, 64]
ARR = {(0, 0): "8b", (0, 1): "16b", (1, 0): "4h", (1, 1): "8h", (2, 0): "2s", (2, 1): "4s", (3, 1): "2d", (3, 0): "1d"}
SC = "bhsd"


def bnd(e):
    """Boundary element values of esize 8 << e (as unsigned)."""
    b = 8 << e; m = (1 << b) - 1
    return [0, 1, (1 << (b - 1)) - 1, 1 << (b - 1), m, (1 << (b - 1)) + 1, m - 1, 0x5a5a5a5a5a5a5a5a & m]


def shifts(e):
    """Register shift counts (signed low byte; upper bits are garbage the op must ignore)."""
    b = 8 << e; m = (1 << b) - 1
    v = [0, 1, b - 1, b, b + 1, -1, -(b - 1), -b, -(b + 1), -128, 127, 3, -3, 64, -64, 2]
    junk = 0x1234567812345600 & m & ~0xff
    return [(x & 0xff) | (junk if i % 2 else 0) for i, x in enumerate(v)]


def pack(lanes, e):
    b = 8 << e; v = 0
    for i, x in enumerate(lanes):
        v |= (x & ((1 << b) - 1)) << (b * i)
    return v


def rnd():
    return rng.getrandbits(128)


CASES = []  # (asm, [v0, v1, v2, v3] as 128-bit ints, fpsr_in)


def add(asm, regs, fpsr=0):
    CASES.append((asm, [r & ((1 << 128) - 1) for r in regs], fpsr))


def sets(e, q, bvals=None, few=False, scalar=False, unary=False, cap=8):
    """Input register sets for element size e: (a, b) pairs of boundary values laid across the lanes
    of v1/v2 (v0 gets a third rotation for accumulators; at most 12 sets, sampled evenly when there
    are more pairs), then a random set. Scalars use the five most extreme values only."""
    L = 1 if scalar else 16 >> e
    av = bnd(e)[:5] if scalar else bnd(e)
    bv = bvals if bvals is not None else av
    pairs = [(a, a) for a in av] if unary else [(a, b) for a in av for b in bv]
    if len(pairs) > cap * L:
        step = next(k for k in range(len(pairs) // (cap * L), len(pairs)) if math.gcd(k, len(pairs)) == 1)
        pairs = [pairs[(j * step) % len(pairs)] for j in range(cap * L)]
    out = []
    n_cases = 1 if few else (len(pairs) + L - 1) // L
    for k in range(n_cases):
        ps = [pairs[(k * L + i) % len(pairs)] for i in range(16 >> e)]
        acc = [bnd(e)[(k * L + i) * 3 % 8] for i in range(16 >> e)]
        out.append([pack(acc, e), pack([p[0] for p in ps], e), pack([p[1] for p in ps], e),
                    pack(list(reversed([p[1] for p in ps])), e)])
    out.append([rnd(), rnd(), rnd(), rnd()])
    return out


def emit(asm, e, q, bvals=None, few=None, unary=False, cap=8):
    if few is None:
        few = not q
    scalar = asm.split()[1][0] in "bhsd"
    for k, regs in enumerate(sets(e, q, bvals, few, scalar, unary, cap)):
        add(asm, regs, QC if k == 1 else 0)  # one case per form starts with QC set (sticky)


def vec(e, q):
    return ARR[(e, int(q))]


# ---- three same ----
ALL = [0, 1, 2, 3]
NO_D = [0, 1, 2]
SAME = {
    "shadd": NO_D, "uhadd": NO_D, "srhadd": NO_D, "urhadd": NO_D, "shsub": NO_D, "uhsub": NO_D,
    "sqadd": ALL, "uqadd": ALL, "sqsub": ALL, "uqsub": ALL, "cmgt": ALL, "cmhi": ALL, "cmge": ALL, "cmhs": ALL,
    "sshl": ALL, "ushl": ALL, "srshl": ALL, "urshl": ALL, "sqshl": ALL, "uqshl": ALL, "sqrshl": ALL, "uqrshl": ALL,
    "smax": NO_D, "smin": NO_D, "umax": NO_D, "umin": NO_D, "sabd": NO_D, "uabd": NO_D, "saba": NO_D, "uaba": NO_D,
    "add": ALL, "sub": ALL, "cmtst": ALL, "cmeq": ALL, "mla": NO_D, "mls": NO_D, "mul": NO_D, "pmul": [0],
    "smaxp": NO_D, "sminp": NO_D, "umaxp": NO_D, "uminp": NO_D, "sqdmulh": [1, 2], "sqrdmulh": [1, 2], "addp": ALL,
}
SHIFT_OPS = {"sshl", "ushl", "srshl", "urshl", "sqshl", "uqshl", "sqrshl", "uqrshl"}
for op, sizes in SAME.items():
    for e in sizes:
        for q in (0, 1):
            if e == 3 and not q:
                continue
            a = vec(e, q)
            emit(f"{op} v0.{a}, v1.{a}, v2.{a}", e, q, shifts(e) if op in SHIFT_OPS else None)
SCALAR_SAME = {"sqadd": ALL, "uqadd": ALL, "sqsub": ALL, "uqsub": ALL, "sqshl": ALL, "uqshl": ALL, "sqrshl": ALL,
               "uqrshl": ALL, "cmgt": [3], "cmhi": [3], "cmge": [3], "cmhs": [3], "sshl": [3], "ushl": [3],
               "srshl": [3], "urshl": [3], "add": [3], "sub": [3], "cmtst": [3], "cmeq": [3], "sqdmulh": [1, 2],
               "sqrdmulh": [1, 2]}
for op, sizes in SCALAR_SAME.items():
    for e in sizes:
        r = SC[e]
        emit(f"{op} {r}0, {r}1, {r}2", e, 1, shifts(e) if op in SHIFT_OPS else None)

# ---- three different ----
for op in ["saddl", "uaddl", "ssubl", "usubl", "sabal", "uabal", "sabdl", "uabdl", "smlal", "umlal", "smlsl", "umlsl",
           "smull", "umull", "sqdmlal", "sqdmlsl", "sqdmull", "pmull"]:
    for e in ([1, 2] if op.startswith("sqd") else [0] if op == "pmull" else NO_D):
        for q in (0, 1):
            emit(f"{op}{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{vec(e, q)}, v2.{vec(e, q)}", e, 1)
for op in ["saddw", "uaddw", "ssubw", "usubw"]:
    for e in NO_D:
        for q in (0, 1):
            emit(f"{op}{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{vec(e + 1, 1)}, v2.{vec(e, q)}", e, 1)
for op in ["addhn", "raddhn", "subhn", "rsubhn"]:
    for e in NO_D:
        for q in (0, 1):
            emit(f"{op}{'2' if q else ''} v0.{vec(e, q)}, v1.{vec(e + 1, 1)}, v2.{vec(e + 1, 1)}", e + 1, 1)
for op in ["sqdmlal", "sqdmlsl", "sqdmull"]:
    for e in [1, 2]:
        emit(f"{op} {SC[e + 1]}0, {SC[e]}1, {SC[e]}2", e, 1)

# ---- two-register misc ----
for op in ["saddlp", "uaddlp", "sadalp", "uadalp"]:
    for e in NO_D:
        for q in (0, 1):
            dst = {0: "4h", 1: "8h"}[q] if e == 0 else {0: "2s", 1: "4s"}[q] if e == 1 else {0: "1d", 1: "2d"}[q]
            emit(f"{op} v0.{dst}, v1.{vec(e, q)}", e, q, unary=True, few=False)
for op in ["suqadd", "usqadd", "sqabs", "sqneg", "abs", "neg", "cls", "clz", "cmgt", "cmge", "cmeq", "cmle", "cmlt"]:
    for e in (NO_D if op in ("cls", "clz") else ALL):
        for q in (0, 1):
            if e == 3 and not q:
                continue
            zero = ", #0" if op.startswith("cm") else ""
            emit(f"{op} v0.{vec(e, q)}, v1.{vec(e, q)}{zero}", e, q, unary=(op not in ("suqadd", "usqadd")))
for op in ["xtn", "sqxtn", "uqxtn", "sqxtun"]:
    for e in NO_D:
        for q in (0, 1):
            emit(f"{op}{'2' if q else ''} v0.{vec(e, q)}, v1.{vec(e + 1, 1)}", e + 1, 1, unary=True)
for e in NO_D:
    for q in (0, 1):
        emit(f"shll{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{vec(e, q)}, #{8 << e}", e, 1, unary=True)
for op in ["suqadd", "usqadd", "sqabs", "sqneg"]:
    for e in ALL:
        emit(f"{op} {SC[e]}0, {SC[e]}1", e, 1, unary=op.startswith("sq"))
for op in ["cmgt", "cmge", "cmeq", "cmle", "cmlt", "abs", "neg"]:
    emit(f"{op} d0, d1{', #0' if op.startswith('cm') else ''}", 3, 1, unary=True)
for op in ["sqxtn", "uqxtn", "sqxtun"]:
    for e in NO_D:
        emit(f"{op} {SC[e]}0, {SC[e + 1]}1", e + 1, 1, unary=True)

# ---- across lanes, scalar pairwise ----
for op in ["addv", "smaxv", "sminv", "umaxv", "uminv", "saddlv", "uaddlv"]:
    for e, q in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 1)]:
        dst = SC[e + 1] if op.endswith("lv") else SC[e]
        emit(f"{op} {dst}0, v1.{vec(e, q)}", e, 1, unary=True)
emit("addp d0, v1.2d", 3, 1, unary=True)

# ---- shift by immediate ----
def rshifts(b): return sorted({1, 2, b // 2, b - 1, b})
def lshifts(b): return sorted({0, 1, b // 2, b - 1})
for e in ALL:
    b = 8 << e
    for q in (0, 1):
        if e == 3 and not q:
            continue
        a = vec(e, q)
        for op in ["sshr", "ushr", "ssra", "usra", "srshr", "urshr", "srsra", "ursra", "sri"]:
            for sh in rshifts(b):
                emit(f"{op} v0.{a}, v1.{a}, #{sh}", e, q, unary=True)
        for op in ["shl", "sli", "sqshl", "uqshl", "sqshlu"]:
            for sh in lshifts(b):
                emit(f"{op} v0.{a}, v1.{a}, #{sh}", e, q, unary=True)
for e in NO_D:
    b = 8 << e
    for q in (0, 1):
        for op in ["shrn", "rshrn", "sqshrn", "uqshrn", "sqrshrn", "uqrshrn", "sqshrun", "sqrshrun"]:
            for sh in rshifts(b):
                emit(f"{op}{'2' if q else ''} v0.{vec(e, q)}, v1.{vec(e + 1, 1)}, #{sh}", e + 1, 1, unary=True)
        for op in ["sshll", "ushll"]:
            for sh in lshifts(b):
                emit(f"{op}{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{vec(e, q)}, #{sh}", e, 1, unary=True)
        emit(f"uxtl{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{vec(e, q)}", e, 1, unary=True)
        emit(f"sxtl{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{vec(e, q)}", e, 1, unary=True)
for op in ["sshr", "ushr", "ssra", "usra", "srshr", "urshr", "srsra", "ursra", "sri"]:
    for sh in rshifts(64):
        emit(f"{op} d0, d1, #{sh}", 3, 1, unary=True)
for op in ["shl", "sli"]:
    for sh in lshifts(64):
        emit(f"{op} d0, d1, #{sh}", 3, 1, unary=True)
for e in ALL:
    for op in ["sqshl", "uqshl", "sqshlu"]:
        for sh in lshifts(8 << e):
            emit(f"{op} {SC[e]}0, {SC[e]}1, #{sh}", e, 1, unary=True)
for e in NO_D:
    for op in ["sqshrn", "uqshrn", "sqrshrn", "uqrshrn", "sqshrun", "sqrshrun"]:
        for sh in rshifts(8 << e):
            emit(f"{op} {SC[e]}0, {SC[e + 1]}1, #{sh}", e + 1, 1, unary=True)

# ---- by element ----
for e in [1, 2]:
    lanes = 8 >> (e - 1)
    for idx in sorted({0, 1, lanes - 1}):
        el = f"v3.{SC[e]}[{idx}]"
        for q in (0, 1):
            a = vec(e, q)
            for op in ["mul", "mla", "mls", "sqdmulh", "sqrdmulh"]:
                emit(f"{op} v0.{a}, v1.{a}, {el}", e, q, cap=4)
            for op in ["smull", "umull", "smlal", "umlal", "smlsl", "umlsl", "sqdmull", "sqdmlal", "sqdmlsl"]:
                emit(f"{op}{'2' if q else ''} v0.{vec(e + 1, 1)}, v1.{a}, {el}", e, 1, cap=4)
        for op in ["sqdmulh", "sqrdmulh"]:
            emit(f"{op} {SC[e]}0, {SC[e]}1, {el}", e, 1, cap=8)
        for op in ["sqdmull", "sqdmlal", "sqdmlsl"]:
            emit(f"{op} {SC[e + 1]}0, {SC[e]}1, {el}", e, 1, cap=8)
# the register number of a by-element H operand is 4 bits: v15 is the highest
emit("mul v0.8h, v1.8h, v15.h[7]", 1, 1, unary=True)
emit("sqdmull s0, h1, v15.h[5]", 1, 1, unary=True)


ARCH = "armv8-a"  # the assembler's .arch (gen_crypto_cases.py sets the crypto extensions)
GENERATOR = "gen_simd_arith_cases.py"


def assemble(lines, d):
    src = os.path.join(d, "enc.s"); obj = os.path.join(d, "enc.o"); b = os.path.join(d, "enc.bin")
    open(src, "w").write(f".arch {ARCH}\n.text\n" + "\n".join(lines) + "\n")
    subprocess.check_call(["aarch64-linux-gnu-as", "-o", obj, src])
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, b])
    data = open(b, "rb").read()
    assert len(data) == 4 * len(lines)
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]


def main():
    insns = sorted({c[0] for c in CASES}, key=lambda s: [c[0] for c in CASES].index(s))
    with tempfile.TemporaryDirectory() as d:
        words = dict(zip(insns, assemble(insns, d)))
        # One function per distinct instruction: x0 points at {v0..v3 in, fpsr in, v0..v3 out, fpsr out}.
        runner = [f".arch {ARCH}", ".text"]
        for i, ins in enumerate(insns):
            runner += [f".global insn_{i}", f"insn_{i}:", "ldp q0, q1, [x0]", "ldp q2, q3, [x0, #32]",
                       "ldr x9, [x0, #64]", "msr fpsr, x9", "ldr q15, [x0, #32]", ins,
                       "stp q0, q1, [x0, #80]", "stp q2, q3, [x0, #112]", "mrs x9, fpsr", "str x9, [x0, #144]", "ret"]
        open(os.path.join(d, "cases.s"), "w").write("\n".join(runner) + "\n")
        idx = {ins: i for i, ins in enumerate(insns)}
        cmain = ["#include <stdio.h>", "struct S { unsigned long v[19]; } __attribute__((aligned(16)));"]
        cmain += [f"extern void insn_{i}(struct S*);" for i in range(len(insns))]
        cmain.append("static void (*fns[])(struct S*) = {" + ",".join(f"insn_{i}" for i in range(len(insns))) + "};")
        cmain.append("static const unsigned which[] = {" + ",".join(str(idx[c[0]]) for c in CASES) + "};")
        rows = []
        for c in CASES:
            vs = []
            for r in c[1]:
                vs += [r & M64, r >> 64]
            rows.append("{{" + ",".join("%#xUL" % x for x in vs) + ",%#xUL}}" % c[2])
        cmain.append("static struct S data[] = {" + ",\n".join(rows) + "};")
        cmain.append("int main(void) { for (unsigned i = 0; i < sizeof which / sizeof *which; ++i) {"
                     " fns[which[i]](&data[i]); for (int k = 10; k < 19; ++k) printf(\"%lx \", data[i].v[k]);"
                     " printf(\"\\n\"); } return 0; }")
        open(os.path.join(d, "main.c"), "w").write("\n".join(cmain) + "\n")
        exe = os.path.join(d, "cases")
        subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-o", exe, os.path.join(d, "main.c"),
                               os.path.join(d, "cases.s")])
        out = subprocess.check_output(["qemu-aarch64", "-cpu", "max", exe], text=True).split("\n")
    print(f"// Generated by {GENERATOR} from qemu-aarch64 runs: do not edit.")
    print("// encoding, asm, v0..v3 in (lo, hi), fpsr in, v0..v3 out (lo, hi), fpsr out")
    for i, c in enumerate(CASES):
        o = [int(v, 16) for v in out[i].split()]
        vin = []
        for r in c[1]:
            vin += [r & M64, r >> 64]
        print("{0x%08x, \"%s\", {%s}, 0x%x, {%s}, 0x%x}," % (
            words[c[0]], c[0], ", ".join("0x%xull" % x for x in vin), c[2],
            ", ".join("0x%xull" % x for x in o[:8]), o[8]))


if __name__ == "__main__":
    main()
