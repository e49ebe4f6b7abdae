#!/usr/bin/env python3
# Generates simd_move_cases.inc: AdvSIMD structure loads/stores, copies, modified immediates,
# bitwise ops, table lookups, permutes, EXT and REV/CNT/NOT/RBIT, with the outputs MEASURED on
# qemu-aarch64 (a static program runs every case on the emulated CPU). Encodings come from GNU as.
# Rerun after editing the cases:
#   tests/unit/aarch64/gen_simd_move_cases.py > tests/unit/aarch64/simd_move_cases.inc
#
# Machine state of a case: x0..x7, v0..v31 and a 256-byte memory window. Inputs are the fixed
# patterns below (mirrored in simd_move_test.cpp) plus per-case overrides; x0 always points 64
# bytes into the window (kMemBase + 64 in the test). Outputs are stored as the list of 64-bit
# words that differ from the inputs: code 0..7 = x0..x7, 8 + 2*r + h = half h of v<r>,
# 72 + k = bytes [8k, 8k+8) of the window.
import os, subprocess, sys, tempfile

M64 = (1 << 64) - 1
MEM_BASE = 0x8000  # the window's guest address in the test (x0 = MEM_BASE + 64)
MAX_OVER, MAX_CHANGES = 6, 40

def vbyte(r, j): return ((r * 16 + j) * 0x9d + (r >> 4) * 0x3c + 0x5b) & 0xff
def membyte(i): return (i * 0x3b + 0x11) & 0xff
def le(bs): return sum(b << (8 * i) for i, b in enumerate(bs))
X_IN = [MEM_BASE + 64, 0x20, 0xfffffffffffffff0, 0x8877665544332211, 0xfedcba9876543210, 0x7f, 0x80, 0xffff8001]

def initial():
    st = list(X_IN)
    for r in range(32):
        for h in range(2): st.append(le([vbyte(r, 8 * h + j) for j in range(8)]))
    for k in range(32): st.append(le([membyte(8 * k + j) for j in range(8)]))
    return st

CASES = []  # (asm, overrides {code: value})
def case(asm, **over):
    o = {}
    for name, val in over.items():
        if name[0] == 'x': o[int(name[1:])] = val & M64
        else:
            r = int(name[1:])
            o[8 + 2 * r] = val[0] & M64; o[9 + 2 * r] = val[1] & M64
    assert len(o) <= MAX_OVER
    CASES.append((asm, o))

ARR = ["8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"]
def regbytes(a): return 16 if a in ("16b", "8h", "4s", "2d") else 8
def reglist(first, n, a): return "{" + ", ".join(f"v{(first + k) % 32}.{a}" for k in range(n)) + "}"

# ---- LD1/ST1 (multiple structures): 1-4 registers, every arrangement, every addressing form ----
for a in ARR:
    for n in range(1, 5):
        for op in ["ld1", "st1"]:
            first = 30 if n >= 3 else (31 if n == 2 else 5)  # register numbers wrap mod 32
            regs = reglist(first, n, a)
            case(f"{op} {regs}, [x0]")
            case(f"{op} {regs}, [x0], #{n * regbytes(a)}")
            case(f"{op} {regs}, [x0], x1")
            case(f"{op} {reglist(2, n, a)}, [x0], x2")
# ---- LD2-4/ST2-4 (multiple structures) ----
for a in ARR:
    if a == "1d": continue
    for n in range(2, 5):
        for op in [f"ld{n}", f"st{n}"]:
            case(f"{op} {reglist(30, n, a)}, [x0]")
            case(f"{op} {reglist(1, n, a)}, [x0], #{n * regbytes(a)}")
            case(f"{op} {reglist(7, n, a)}, [x0], x2")
# ---- single structure (one lane) and replicate ----
LANES = {"b": 16, "h": 8, "s": 4, "d": 2}
for n in range(1, 5):
    for e, cnt in LANES.items():
        esz = {"b": 1, "h": 2, "s": 4, "d": 8}[e]
        for op in [f"ld{n}", f"st{n}"]:
            for idx in sorted({0, cnt - 1, cnt // 2 - 1}):
                regs = "{" + ", ".join(f"v{(30 + k) % 32}.{e}" for k in range(n)) + "}"
                case(f"{op} {regs}[{idx}], [x0]")
            regs = "{" + ", ".join(f"v{3 + k}.{e}" for k in range(n)) + "}"
            case(f"{op} {regs}[{cnt - 1}], [x0], #{n * esz}")
            case(f"{op} {regs}[1], [x0], x1")
    for a in ARR:
        esz = {"b": 1, "h": 2, "s": 4, "d": 8}[a[-1]]
        case(f"ld{n}r {reglist(31, n, a)}, [x0]")
        case(f"ld{n}r {reglist(4, n, a)}, [x0], #{n * esz}")
        case(f"ld{n}r {reglist(4, n, a)}, [x0], x2")
# ---- copies ----
SIGNED = (0x80ff7f0180017ffe, 0xc3a5968778695a4b)
for a in ARR:
    if a == "1d": continue
    e = a[-1]
    for idx in sorted({0, LANES[e] - 1, LANES[e] // 2}):
        case(f"dup v1.{a}, v2.{e}[{idx}]")
        case(f"dup v31.{a}, v31.{e}[{idx}]")
    case(f"dup v1.{a}, {'x' if e == 'd' else 'w'}3")
    case(f"dup v1.{a}, {'xzr' if e == 'd' else 'wzr'}")
for e, cnt in LANES.items():
    r = "x" if e == "d" else "w"
    for idx in sorted({0, cnt - 1, cnt // 2}):
        case(f"mov v1.{e}[{idx}], {r}3")
        case(f"mov v1.{e}[{idx}], v2.{e}[{cnt - 1 - idx}]")
        case(f"mov v1.{e}[{idx}], v1.{e}[{(idx + 1) % cnt}]")
        case(f"mov {'d' if e == 'd' else e}1, v2.{e}[{idx}]".replace("d1, v2.d", "d1, v2.d"))
        case(f"umov {r}1, v2.{e}[{idx}]", v2=SIGNED)
        if e in "bh":
            case(f"smov w1, v2.{e}[{idx}]", v2=SIGNED, x1=M64)
            case(f"smov x1, v2.{e}[{idx}]", v2=SIGNED)
        if e == "s":
            case(f"smov x1, v2.s[{idx}]", v2=SIGNED)
case("mov w1, v2.s[3]"); case("mov x1, v2.d[1]"); case("ins v3.s[1], wzr")
# ---- modified immediate ----
for imm in [0, 0x5a, 0xff, 0x80]:
    for a in ["8b", "16b"]:
        case(f"movi v1.{a}, #{imm:#x}")
    for a in ["4h", "8h"]:
        for sh in [0, 8]:
            for op in ["movi", "mvni", "orr", "bic"]:
                case(f"{op} v1.{a}, #{imm:#x}, lsl #{sh}")
    for a in ["2s", "4s"]:
        for sh in [0, 8, 16, 24]:
            for op in ["movi", "mvni", "orr", "bic"]:
                case(f"{op} v1.{a}, #{imm:#x}, lsl #{sh}")
        for sh in [8, 16]:
            case(f"movi v1.{a}, #{imm:#x}, msl #{sh}")
            case(f"mvni v1.{a}, #{imm:#x}, msl #{sh}")
for m in [0, 0xff00ff00ff00ff00, 0x00000000000000ff, M64, 0xff000000000000ff]:
    case(f"movi d1, #{m:#x}")
    case(f"movi v1.2d, #{m:#x}")
for f in ["1.0", "-2.0", "0.125", "31.0", "-1.9375", "0.1328125"]:
    for a in ["2s", "4s", "2d"]:
        case(f"fmov v1.{a}, #{f}")
# ---- three-same logical ----
for op in ["and", "bic", "orr", "orn", "eor", "bsl", "bit", "bif"]:
    for a in ["8b", "16b"]:
        case(f"{op} v1.{a}, v2.{a}, v3.{a}")
        case(f"{op} v2.{a}, v2.{a}, v3.{a}")
        case(f"{op} v3.{a}, v2.{a}, v3.{a}")
        case(f"{op} v4.{a}, v4.{a}, v4.{a}")
for a in ["8b", "16b"]:
    case(f"mov v1.{a}, v2.{a}"); case(f"not v1.{a}, v2.{a}"); case(f"mvn v2.{a}, v2.{a}")
# ---- TBL/TBX ----
IDX = (0x3f2010400f1e0d01, 0xff801f3021432f11)  # in range for 1..4 registers and out of range
for n in range(1, 5):
    for a in ["8b", "16b"]:
        for op in ["tbl", "tbx"]:
            case(f"{op} v1.{a}, {reglist(2, n, '16b')}, v0.{a}", v0=IDX)
            case(f"{op} v0.{a}, {reglist(31, n, '16b')}, v0.{a}", v0=IDX)  # wraps; d is also a table reg
            case(f"{op} v3.{a}, {reglist(3, n, '16b')}, v9.{a}", v9=IDX)
# ---- permutes, EXT ----
for op in ["zip1", "zip2", "uzp1", "uzp2", "trn1", "trn2"]:
    for a in ARR:
        if a == "1d": continue
        case(f"{op} v1.{a}, v2.{a}, v3.{a}")
        case(f"{op} v2.{a}, v2.{a}, v2.{a}")
        case(f"{op} v3.{a}, v2.{a}, v3.{a}")
for i in range(8):
    case(f"ext v1.8b, v2.8b, v3.8b, #{i}")
for i in range(16):
    case(f"ext v1.16b, v2.16b, v3.16b, #{i}")
case("ext v2.16b, v2.16b, v2.16b, #9"); case("ext v3.8b, v2.8b, v3.8b, #3")
# ---- REV16/32/64, CNT, RBIT ----
for a in ["8b", "16b", "4h", "8h", "2s", "4s"]:
    case(f"rev64 v1.{a}, v2.{a}")
for a in ["8b", "16b", "4h", "8h"]:
    case(f"rev32 v1.{a}, v2.{a}")
for a in ["8b", "16b"]:
    case(f"rev16 v1.{a}, v2.{a}"); case(f"cnt v1.{a}, v2.{a}"); case(f"rbit v1.{a}, v2.{a}")
    case(f"cnt v2.{a}, v2.{a}", v2=(0xff7f3f1f0f070301, 0x00800180c0e0f0fe)); case(f"rbit v3.{a}, v3.{a}")
# ---- sequences (memcpy/memset/strlen-like idioms) ----
case("dup v0.16b, w3\nstp q0, q0, [x0]\nst1 {v0.16b}, [x0], #16")
case("ld1 {v0.16b, v1.16b}, [x0], #32\nst1 {v0.16b, v1.16b}, [x0]\nld1 {v2.16b}, [x0], x2")
case("movi v1.16b, #0x5b\nld1 {v2.16b}, [x0]\neor v3.16b, v2.16b, v1.16b\numov x1, v3.d[0]\numov x2, v3.d[1]")
case("ld1 {v2.8b}, [x0]\nmov v2.d[1], x3\nbsl v2.16b, v4.16b, v5.16b\nmov x4, v2.d[1]")
case("ld4 {v0.4s, v1.4s, v2.4s, v3.4s}, [x0]\nst4 {v0.4s, v1.4s, v2.4s, v3.4s}, [x0], #64")
case("ld3 {v0.8b, v1.8b, v2.8b}, [x0]\nst3 {v0.8b, v1.8b, v2.8b}, [x0], #24")
case("ld2 {v0.8h, v1.8h}, [x0]\nzip1 v2.8h, v0.8h, v1.8h\nzip2 v3.8h, v0.8h, v1.8h")

def assemble(src_text, d, name):
    src = os.path.join(d, name + ".s"); obj = os.path.join(d, name + ".o"); b = os.path.join(d, name + ".bin")
    open(src, "w").write(".arch armv8-a\n.text\n" + src_text + "\n")
    subprocess.check_call(["aarch64-linux-gnu-as", "-o", obj, src])
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, b])
    data = open(b, "rb").read()
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]

NSTATE = 8 + 64 + 32
with tempfile.TemporaryDirectory() as d:
    words = assemble("\n".join(c[0] for c in CASES), d, "enc")
    lens = [len(c[0].split("\n")) for c in CASES]
    assert sum(lens) == len(words), (sum(lens), len(words))
    # Runner: struct S { u64 x[8]; u64 v[64]; u8 mem[256]; }; x0 = &S. Callee-saved d8-d15 are kept.
    run = [".arch armv8-a", ".text"]
    for i, c in enumerate(CASES):
        run += [f".global case_{i}", f"case_{i}:", "mov x9, x0", "stp d8, d9, [sp, #-64]!", "stp d10, d11, [sp, #16]",
                "stp d12, d13, [sp, #32]", "stp d14, d15, [sp, #48]"]
        run += [f"ldp q{2 * k}, q{2 * k + 1}, [x9, #{64 + 32 * k}]" for k in range(16)]
        run += [f"ldp x{2 * k}, x{2 * k + 1}, [x9, #{16 * k}]" for k in range(4)]
        run += c[0].split("\n")
        run += [f"stp q{2 * k}, q{2 * k + 1}, [x9, #{64 + 32 * k}]" for k in range(16)]
        run += [f"stp x{2 * k}, x{2 * k + 1}, [x9, #{16 * k}]" for k in range(4)]
        run += ["ldp d14, d15, [sp, #48]", "ldp d12, d13, [sp, #32]", "ldp d10, d11, [sp, #16]",
                "ldp d8, d9, [sp], #64", "ret"]
    open(os.path.join(d, "cases.s"), "w").write("\n".join(run) + "\n")
    init = initial()
    cm = ["#include <stdio.h>", "#include <string.h>", "#include <stdint.h>",
          "struct S { uint64_t s[%d]; } __attribute__((aligned(16)));" % NSTATE,
          "static const uint64_t init[%d] = {%s};" % (NSTATE, ",".join("%#xULL" % v for v in init))]
    cm += [f"extern void case_{i}(struct S*);" for i in range(len(CASES))]
    cm.append("static void (*fns[])(struct S*) = {" + ",".join(f"case_{i}" for i in range(len(CASES))) + "};")
    cm.append("static const uint64_t over[][%d] = {%s};" % (2 * MAX_OVER + 1, ",".join(
        "{%d,%s}" % (len(c[1]), ",".join("%dULL,%#xULL" % kv for kv in c[1].items()) or "0") for c in CASES)))
    cm.append("""int main(void) {
  for (unsigned i = 0; i < sizeof fns / sizeof *fns; ++i) {
    static struct S st;
    memcpy(st.s, init, sizeof init);
    for (unsigned k = 0; k < over[i][0]; ++k) st.s[over[i][1 + 2 * k]] = over[i][2 + 2 * k];
    const uint64_t mem = (uint64_t)(uintptr_t)&st.s[72];
    st.s[0] = mem + 64;
    fns[i](&st);
    st.s[0] = st.s[0] - mem + %dULL;
    for (unsigned k = 0; k < %d; ++k) printf("%%llx ", (unsigned long long)st.s[k]);
    printf("\\n");
  }
  return 0;
}""" % (MEM_BASE, NSTATE))
    open(os.path.join(d, "main.c"), "w").write("\n".join(cm) + "\n")
    exe = os.path.join(d, "cases")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-o", exe, os.path.join(d, "main.c"),
                           os.path.join(d, "cases.s")])
    out = subprocess.check_output(["qemu-aarch64", "-cpu", "max", exe], text=True).strip().split("\n")
    assert len(out) == len(CASES)
    print("// Generated by gen_simd_move_cases.py from qemu-aarch64 runs: do not edit.")
    print("// {encodings}, count, asm, #overrides, {code, value}..., #changed words, {code, value}... (codes: see the generator)")
    pos = 0
    for i, c in enumerate(CASES):
        w = words[pos:pos + lens[i]]; pos += lens[i]
        st = list(init)
        for k, v in c[1].items(): st[k] = v
        res = [int(v, 16) for v in out[i].split()]
        changes = [(k, res[k]) for k in range(NSTATE) if res[k] != st[k]]
        assert len(changes) <= MAX_CHANGES, c[0]
        fmt = lambda kv: "{%d, 0x%xull}" % kv
        print('{{%s}, %d, "%s", %d, {%s}, %d, {%s}},' % (", ".join("0x%08x" % x for x in w), len(w),
              c[0].replace("\n", "; "), len(c[1]), ", ".join(map(fmt, c[1].items())), len(changes),
              ", ".join(map(fmt, changes))))
