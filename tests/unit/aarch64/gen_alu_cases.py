#!/usr/bin/env python3
# Generates alu_cases.inc: short A64 sequences (data processing, flags, conditions, fused
# compare+branch) with their inputs, and the outputs MEASURED on qemu-aarch64 (a static program
# runs every case on the emulated CPU). Encodings come from GNU as. Rerun after editing CASES:
#   tests/unit/aarch64/gen_alu_cases.py > tests/unit/aarch64/alu_cases.inc
# Sequences read only x0..x3 and NZCV and may write x0..x3 and NZCV.
import os, subprocess, sys, tempfile

M64 = (1 << 64) - 1
B = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, M64,
     0x123456789abcdef0, 0xfffffffe00000001]
CONDS = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"]

CASES = []  # (asm, x0, x1, x2, x3, nzcv_in)
def case(asm, x1=0, x2=0, x3=0, x0=0, nzcv=0):
    CASES.append((asm, x0 & M64, x1 & M64, x2 & M64, x3 & M64, nzcv))

# add/sub with flags at every boundary, X and W forms, shifted register
for a in B:
    for b in B:
        for op in ["adds", "subs"]:
            case(f"{op} x0, x1, x2", a, b)
            case(f"{op} w0, w1, w2", a, b)
        for op in ["adcs", "sbcs"]:
            case(f"{op} x0, x1, x2", a, b, nzcv=2)
            case(f"{op} w0, w1, w2", a, b, nzcv=0)
for a in B[:6]:
    for b in B[:6]:
        case("adc x0, x1, x2", a, b, nzcv=2)
        case("sbc w0, w1, w2", a, b, nzcv=0)
        case("ands x0, x1, x2", a, b)
        case("bics w0, w1, w2", a, b, nzcv=15)
        case("ccmp x1, x2, #5, eq", a, b, nzcv=4)
        case("ccmp x1, x2, #5, eq", a, b, nzcv=0)
        case("ccmn w1, w2, #10, ne", a, b, nzcv=0)
        case("ccmp w1, #31, #2, ge", a, b, nzcv=9)
        case("ccmn x1, #3, #0, lt", a, b, nzcv=8)
# conditions read from flags after a compare (fused) and after a restore of NZCV (unfused)
for a, b in [(0, 0), (1, 2), (2, 1), (M64, 1), (1, M64), (0x8000000000000000, 1), (0x7fffffffffffffff, M64),
             (0x80000000, 1), (5, 5)]:
    for c in CONDS:
        case(f"cmp x1, x2\ncsinc x0, x3, xzr, {c}", a, b, 7)
        case(f"cmp w1, w2\ncsinv x0, x3, xzr, {c}", a, b, 7)
        case(f"cmn x1, x2\ncsneg w0, w3, w1, {c}", a, b, 7)
        case(f"tst x1, x2\ncsel x0, x3, x2, {c}", a, b, 7)
        case(f"cmp x1, x2\nb.{c} 1f\nmov x0, #1\nb 2f\n1: mov x0, #2\n2:", a, b)
        case(f"cmp w1, w2\nb.{c} 1f\nmov x0, #1\nb 2f\n1: mov x0, #2\n2:", a, b)
        case(f"tst w1, w2\nb.{c} 1f\nmov x0, #1\nb 2f\n1: mov x0, #2\n2:", a, b)
        case(f"cmp x1, #3\nadd x3, x3, #1\nb.{c} 1f\nmov x0, #1\nb 2f\n1: mov x0, #2\n2:", a, b)
for n in range(16):
    for c in CONDS + ["nv"]:
        case(f"b.{c} 1f\nmov x0, #1\nb 2f\n1: mov x0, #2\n2:", nzcv=n)
    case("csel x0, x1, x2, hi\ncsinc x3, x1, x2, ls", 7, 9, nzcv=n)
    case("csinv w0, w1, w2, gt\ncsneg x3, x1, x2, le", 7, 9, nzcv=n)
# chains: compare, conditional compare, then a condition consumer (fused operands flow through CCMP)
for a, b, c in [(1, 2, 3), (2, 2, 2), (M64, 0, 1), (0x8000000000000000, 1, 0x7fffffffffffffff), (5, 3, 5)]:
    for cc in ["eq", "ne", "hi", "ge", "lt", "vs"]:
        case(f"cmp x1, x2\nccmp x2, x3, #4, {cc}\ncsinc x0, x3, xzr, le", a, b, c)
        case(f"cmn w1, w2\nccmn w3, #7, #9, {cc}\ncsel x0, x1, x2, mi", a, b, c)
        case(f"subs x0, x1, x2\nadds x3, x1, x3\nb.{cc} 1f\nmov x0, #1\n1:", a, b, c)
        case(f"ands x0, x1, x2\nsbcs x3, x3, x1\ncsneg x2, x1, x2, {cc}", a, b, c, nzcv=2)
        case(f"cmp x1, x2\nmov x0, #5\ncsel x3, x1, x2, {cc}\nb.{cc} 1f\nmov x0, #1\n1:", a, b, c)
        case(f"tst w1, #0x80000000\nb.{cc} 1f\nmov x0, #1\n1:", a, b, c)
# logical, shifts, extends
for a in B[:9]:
    for b in [0, 1, 31, 32, 63, 64, 0xff00ff00ff00ff00]:
        case("lslv x0, x1, x2", a, b); case("lsrv w0, w1, w2", a, b); case("asrv x0, x1, x2", a, b)
        case("asr w0, w1, w2", a, b); case("rorv x0, x1, x2", a, b); case("ror w0, w1, w2", a, b)
        case("udiv x0, x1, x2", a, b); case("sdiv x0, x1, x2", a, b); case("udiv w0, w1, w2", a, b)
        case("sdiv w0, w1, w2", a, b)
for a in B:
    case("sdiv x0, x1, x2", a, M64); case("sdiv w0, w1, w2", a, 0xffffffff)
    for sh in ["lsl #0", "lsl #7", "lsr #1", "asr #63", "ror #13"]:
        case(f"and x0, x1, x2, {sh}", a, 0xf0f0f0f0ff00ff00); case(f"orr x0, x1, x2, {sh}", a, 0x8000000000000001)
        case(f"eon x0, x1, x2, {sh}", a, 0x0123456789abcdef); case(f"orn x0, x1, x2, {sh}", a, 0x5)
        case(f"bic x0, x1, x2, {sh}", a, M64)
    for sh in ["lsl #0", "lsl #31", "lsr #31", "asr #17", "ror #31"]:
        case(f"eor w0, w1, w2, {sh}", a, 0x80000001); case(f"ands w0, w1, w2, {sh}", a, 0xc0000000)
    for sh in ["lsl #3", "lsr #63", "asr #1"]:
        case(f"add x0, x1, x2, {sh}", a, 0x8000000000000003); case(f"subs x0, x1, x2, {sh}", a, 0x40000000)
        case(f"adds w0, w1, w2, {sh.replace('63', '31')}", a, 0x80000003)
        case(f"neg x0, x1, {sh}", a); case(f"negs w0, w1, {sh.replace('63', '31')}", a)
    for ext in ["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"]:
        for s in [0, 2, 4]:
            case(f"add x0, x1, w2, {ext} #{s}" if ext[3] != 'x' else f"add x0, x1, x2, {ext} #{s}", 0x1000, a)
        case(f"subs w0, w1, w2, {ext} #1", 0x1000, a)
        case(f"cmp x1, w2, {ext}" if ext[3] != 'x' else f"cmp x1, x2, {ext}", 0x80, a)
    # 1-source
    for op in ["rbit", "rev16", "rev", "clz", "cls"]:
        case(f"{op} x0, x1", a); case(f"{op} w0, w1", a)
    case("rev32 x0, x1", a)
    # 3-source
    case("madd x0, x1, x2, x3", a, 0x10001, 5); case("msub w0, w1, w2, w3", a, 0x10001, 5)
    case("smaddl x0, w1, w2, x3", a, 0xfffffffe, 7); case("umsubl x0, w1, w2, x3", a, 0xfffffffe, 7)
    case("smulh x0, x1, x2", a, M64); case("umulh x0, x1, x2", a, M64)
    case("smulh x0, x1, x2", a, 0x8000000000000000); case("umulh x0, x1, x2", a, 0x123456789)
    case("mneg w0, w1, w2", a, 3); case("smnegl x0, w1, w2", a, 3); case("umull x0, w1, w2", a, a)
    # CRC
    for op in ["crc32b", "crc32h", "crc32w", "crc32cb", "crc32ch", "crc32cw"]:
        case(f"{op} w0, w1, w2", 0xffffffff, a)
    case("crc32x w0, w1, x2", 0, a); case("crc32cx w0, w1, x2", 0x12345678, a)
    # immediates
    case("add x0, x1, #4095", a); case("adds w0, w1, #1, lsl #12", a); case("subs x0, x1, #4095, lsl #12", a)
    case("cmn w1, #1\ncset x0, eq", a); case("cmp x1, #0\ncset x0, hi", a)
    case("and x0, x1, #0xff00ff00ff00ff00", a); case("orr w0, w1, #0x80000001", a)
    case("eor x0, x1, #0x5555555555555555", a); case("ands w0, w1, #0xfffffffe", a)
    case("tst x1, #0x8000000000000000\ncset x0, mi", a)
    case("movk x0, #0xbeef, lsl #48", x0=a); case("movk w0, #0xbeef, lsl #16", x0=a)
    # bitfields (all aliases), EXTR
    for ins in ["sbfx x0, x1, #3, #13", "ubfx w0, w1, #31, #1", "sbfiz x0, x1, #60, #4", "ubfiz w0, w1, #5, #27",
                "bfi x0, x1, #8, #16", "bfxil w0, w1, #4, #8", "bfc x0, #3, #61", "asr x0, x1, #63", "lsr w0, w1, #1",
                "lsl x0, x1, #63", "sxtb x0, w1", "sxth w0, w1", "sxtw x0, w1", "uxtb w0, w1", "uxth w0, w1",
                "sbfx w0, w1, #0, #32", "bfi w0, w1, #0, #32", "bfm x0, x1, #63, #62", "sbfm x0, x1, #63, #0",
                "extr x0, x1, x2, #17", "extr w0, w1, w2, #31", "ror x0, x1, #1", "extr x0, x1, x2, #0"]:
        case(ins, a, 0x0f1e2d3c4b5a6978, x0=0xaaaaaaaaaaaaaaaa)
# move wide, ADR/ADRP are position dependent: tested by hand in the unit tests
for ins in ["movz x0, #0xffff, lsl #48", "movn w0, #0x1234, lsl #16", "movn x0, #0", "mov w0, #-1", "mov x0, #-2"]:
    case(ins, x0=0x5555)
# register 31: SP in add/sub immediate/extended, XZR elsewhere
case("orr x0, xzr, x1", 0x77); case("add x0, xzr, x1, lsl #4", 3); case("ands xzr, x1, x1\ncset x0, eq", 0)

def assemble(lines, d, name):
    src = os.path.join(d, name + ".s"); obj = os.path.join(d, name + ".o"); b = os.path.join(d, name + ".bin")
    open(src, "w").write(".arch armv8.2-a+crc\n.text\n" + lines + "\n")
    subprocess.check_call(["aarch64-linux-gnu-as", "-o", obj, src])
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, b])
    data = open(b, "rb").read()
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]

with tempfile.TemporaryDirectory() as d:
    # Encodings: each case assembled on its own (the sequences are position independent).
    allsrc = []
    for i, c in enumerate(CASES):
        allsrc.append(f".balign 4\n.global start_{i}\nstart_{i}:\n{c[0]}\nend_{i}:")
    words = assemble("\n".join(allsrc), d, "enc")
    # Recover per-case boundaries by assembling lengths: every case is a sequence of 4-byte insns.
    lens = []
    for c in CASES:
        lens.append(sum(1 for l in c[0].split("\n") if l.split(":")[-1].strip()))
    assert sum(lens) == len(words), (sum(lens), len(words))
    runner = [".arch armv8.2-a+crc", ".text"]
    for i, c in enumerate(CASES):
        runner += [f".global case_{i}", f"case_{i}:", "mov x9, x0", "ldr x10, [x9, #32]", "msr nzcv, x10",
                   "ldp x0, x1, [x9]", "ldp x2, x3, [x9, #16]", c[0], "stp x0, x1, [x9, #40]",
                   "stp x2, x3, [x9, #56]", "mrs x10, nzcv", "str x10, [x9, #72]", "ret"]
    open(os.path.join(d, "cases.s"), "w").write("\n".join(runner) + "\n")
    cmain = ["#include <stdio.h>", "struct S { unsigned long v[10]; };"]
    cmain += [f"extern void case_{i}(struct S*);" for i in range(len(CASES))]
    cmain.append("static void (*fns[])(struct S*) = {" + ",".join(f"case_{i}" for i in range(len(CASES))) + "};")
    cmain.append("static struct S data[] = {" + ",".join(
        "{{%#xUL,%#xUL,%#xUL,%#xUL,%#xUL}}" % (c[1], c[2], c[3], c[4], c[5] << 28) for c in CASES) + "};")
    cmain.append("int main(void) { for (unsigned i = 0; i < sizeof fns / sizeof *fns; ++i) { fns[i](&data[i]);"
                 " printf(\"%lx %lx %lx %lx %lx\\n\", data[i].v[5], data[i].v[6], data[i].v[7], data[i].v[8],"
                 " data[i].v[9] >> 28); } return 0; }")
    open(os.path.join(d, "main.c"), "w").write("\n".join(cmain) + "\n")
    exe = os.path.join(d, "cases")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-march=armv8.2-a+crc", "-o", exe,
                           os.path.join(d, "main.c"), os.path.join(d, "cases.s")])
    out = subprocess.check_output(["qemu-aarch64", "-cpu", "max", exe], text=True).split("\n")
    print("// Generated by gen_alu_cases.py from qemu-aarch64 runs: do not edit.")
    print("// {encodings}, count, asm, x0..x3 in, nzcv in, x0..x3 out, nzcv out")
    pos = 0
    for i, c in enumerate(CASES):
        w = words[pos:pos + lens[i]]; pos += lens[i]
        o = [int(v, 16) for v in out[i].split()]
        asm = c[0].replace("\n", "; ")
        print("{{%s}, %d, \"%s\", 0x%xull, 0x%xull, 0x%xull, 0x%xull, %d, 0x%xull, 0x%xull, 0x%xull, 0x%xull, %d}," % (
            ", ".join("0x%08x" % x for x in w), len(w), asm, c[1], c[2], c[3], c[4], c[5], o[0], o[1], o[2], o[3], o[4]))
