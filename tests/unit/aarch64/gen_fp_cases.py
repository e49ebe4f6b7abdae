#!/usr/bin/env python3
# Generates fp_cases.inc: scalar FP and AdvSIMD floating-point instructions with their inputs
# (v0..v3, x0..x3, NZCV, FPCR) and the outputs MEASURED on qemu-aarch64 (v0..v3, x0..x3, NZCV and
# FPSR, which starts at 0). Encodings come from GNU as. Rerun after editing the cases:
#   tests/unit/aarch64/gen_fp_cases.py > tests/unit/aarch64/fp_cases.inc
# Cases read and write only v0..v3, x0..x3 and NZCV (and V17/V31 after setting them).
import os, struct, subprocess, sys, tempfile

M64 = (1 << 64) - 1
RN, RP, RM, RZ = 0, 1 << 22, 2 << 22, 3 << 22
FZ, DN, AHP = 1 << 24, 1 << 25, 1 << 26
MODES = [0, RP, RM, RZ, FZ, DN, FZ | DN | RM, FZ | RZ]
GARBAGE = 0xa5a5a5a5a5a5a5a5  # upper bits of the inputs: scalar writes must zero them


def f32(x): return struct.unpack("<I", struct.pack("<f", x))[0]
def f64(x): return struct.unpack("<Q", struct.pack("<d", x))[0]


S = [0, 0x80000000, f32(1.0), f32(-1.5), f32(0.1), f32(3.0), 0x7f7fffff, 0x00800000, 0x80800000, 0x00000001,
     0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7f800001, 0xff812345, 0x3f800001,
     f32(2.5), f32(-0.5), f32(2147483648.0), f32(-2147483648.0), f32(9.3e18), f32(-3.5e9), 0x3f7fffff, 0x00ffffff]
D = [0, 0x8000000000000000, f64(1.0), f64(-1.5), f64(0.1), f64(3.0), 0x7fefffffffffffff, 0x0010000000000000,
     0x8010000000000000, 0x1, 0x800fffffffffffff, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000,
     0xfff8000000012345, 0x7ff0000000000001, 0xfff0000000012345, 0x3ff0000000000001, f64(2.5), f64(-0.5),
     f64(2147483648.0), f64(-2147483649.0), f64(1.8e19), f64(-9.3e18), 0x3fefffffffffffff, 0x001fffffffffffff,
     f64(1e300), f64(1e-300), f64(3.4e38), f64(1.1754942e-38), 0x36a0000000000000]
# A few operands for the many-case groups (pairs, all modes).
S_SMALL = [0, 0x80000000, f32(1.0), f32(-1.5), f32(0.1), 0x7f7fffff, 0x00800000, 0x807fffff, 0x7f800000,
           0xff800000, 0x7fc00000, 0xffc12345, 0x7f800001, 0x3f7fffff]
D_SMALL = [0, 0x8000000000000000, f64(1.0), f64(-1.5), f64(0.1), 0x7fefffffffffffff, 0x0010000000000000,
           0x800fffffffffffff, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0xfff8000000012345,
           0x7ff0000000000001, 0x3fefffffffffffff]
H = [0, 0x8000, 0x3c00, 0xbe00, 0x7bff, 0x0400, 0x0001, 0x83ff, 0x7c00, 0xfc00, 0x7e00, 0xfe12, 0x7c01, 0x7fff]

CASES = []  # (asm, v[4] as (lo, hi), x[4], nzcv, fpcr)


def case(asm, v=(), x=(), nzcv=0, fpcr=0):
    vv = [(GARBAGE, GARBAGE)] * 4
    for i, e in enumerate(v):
        if i == 0: continue  # v0 is the destination: it starts as all 0xa5
        vv[i] = e if isinstance(e, tuple) else (e, GARBAGE)
    xx = [0x1111111111111111 * (i + 1) for i in range(4)]
    for i, e in enumerate(x):
        if i == 0: continue  # x0 is a destination
        xx[i] = e & M64
    CASES.append((asm, vv, xx, nzcv, fpcr))


def sv(bits):  # a single in the low lane, garbage above
    return ((GARBAGE & ~0xffffffff) | bits, GARBAGE)


def dv(bits):
    return (bits, GARBAGE)


def hv(bits):
    return ((GARBAGE & ~0xffff) | bits, GARBAGE)


# ---- scalar 2-source, all modes ----
for op in ["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"]:
    # min/max do not round: only FZ and DN matter
    for mode in [0, FZ | DN] if op in ("fmax", "fmin", "fmaxnm", "fminnm") else [0, RP, RM | DN, RZ | FZ, FZ | DN]:
        pairs = [(a, b) for a in S_SMALL for b in S_SMALL] if mode == 0 else \
            [(a, b) for a in S_SMALL[::2] for b in S_SMALL[1::2]]
        for a, b in pairs:
            case(f"{op} s0, s1, s2", [0, sv(a), sv(b)], fpcr=mode)
        pairs = [(a, b) for a in D_SMALL for b in D_SMALL[::2]] if mode == 0 else \
            [(a, b) for a in D_SMALL[1::2] for b in D_SMALL[::2]]
        for a, b in pairs:
            case(f"{op} d0, d1, d2", [0, dv(a), dv(b)], fpcr=mode)
# underflow before rounding, results at the smallest normal, FZ flushing
EDGE_S = [(0x3f7fffff, 0x00800000), (0x3f800001, 0x007fffff), (0x3effffff, 0x01000000), (0x00ffffff, 0x3f000000),
          (0x00800001, 0x3f7fffff), (0x3f7ffffe, 0x00800001)]
EDGE_D = [(0x3fefffffffffffff, 0x0010000000000000), (0x3ff0000000000001, 0x000fffffffffffff),
          (0x001fffffffffffff, 0x3fe0000000000000), (0x0010000000000001, 0x3fefffffffffffff)]
for mode in [0, RP, RM, RZ, FZ, FZ | RP, FZ | RZ]:
    for a, b in EDGE_S:
        for op in ["fmul", "fdiv", "fadd", "fsub"]:
            case(f"{op} s0, s1, s2", [0, sv(a), sv(b)], fpcr=mode)
        case("fmul s0, s1, s2", [0, sv(a | 0x80000000), sv(b)], fpcr=mode)
        case("fmadd s0, s1, s2, s3", [0, sv(a), sv(b), sv(0x80000001)], fpcr=mode)
    for a, b in EDGE_D:
        for op in ["fmul", "fdiv", "fadd"]:
            case(f"{op} d0, d1, d2", [0, dv(a), dv(b)], fpcr=mode)
        case("fmadd d0, d1, d2, d3", [0, dv(a), dv(b), dv(0x1)], fpcr=mode)
        case("fcvt s0, d1", [0, dv(a)], fpcr=mode)
    for d in [0x380fffffe0000000, 0x380ffffff0000000, 0x3810000000000000, 0x3690000000000000, 0x47efffffe0000000,
              0x47effffff0000000, 0xc7efffffffffffff]:
        case("fcvt s0, d1", [0, dv(d)], fpcr=mode)
        case("fcvtxn s0, d1", [0, dv(d)], fpcr=mode)
# ---- 1-source and conversions between FP formats ----
for mode in [0, RP, RM, RZ, FZ | DN]:
    for op in ["fsqrt", "fabs", "fneg", "fmov", "frintn", "frintp", "frintm", "frintz", "frinta", "frintx", "frinti"]:
        for a in S:
            case(f"{op} s0, s1", [0, sv(a)], fpcr=mode)
        for a in D:
            case(f"{op} d0, d1", [0, dv(a)], fpcr=mode)
    for a in S:
        case("fcvt d0, s1", [0, sv(a)], fpcr=mode)
        case("fcvt h0, s1", [0, sv(a)], fpcr=mode)
    for a in D:
        case("fcvt s0, d1", [0, dv(a)], fpcr=mode)
        case("fcvt h0, d1", [0, dv(a)], fpcr=mode)
    for a in H:
        case("fcvt s0, h1", [0, hv(a)], fpcr=mode)
        case("fcvt d0, h1", [0, hv(a)], fpcr=mode)
for mode in [AHP, AHP | DN, AHP | FZ | RZ]:
    for a in S:
        case("fcvt h0, s1", [0, sv(a)], fpcr=mode)
    for a in D[::2]:
        case("fcvt h0, d1", [0, dv(a)], fpcr=mode)
    for a in H:
        case("fcvt s0, h1", [0, hv(a)], fpcr=mode)
        case("fcvt d0, h1", [0, hv(a)], fpcr=mode)
for a in [f32(0.33333), f32(1.0001), f32(2.5), f32(3.5), f32(-2.5), f32(65504.0), f32(65520.0), f32(70000.0),
          f32(6.1e-5), f32(3e-8), f32(1e-8), f32(-5.96e-8)]:
    for mode in [0, RP, RM, RZ, AHP, AHP | RZ]:
        case("fcvt h0, s1", [0, sv(a)], fpcr=mode)
# ---- 3-source ----
FMA_S = [0, 0x80000000, f32(1.0), f32(-1.5), f32(0.1), 0x7f7fffff, 0x807fffff, 0x7f800000, 0x7fc00000, 0x7f800001,
         0xffc12345]
FMA_D = [0, 0x8000000000000000, f64(1.0), f64(-1.5), f64(0.1), 0x7fefffffffffffff, 0x800fffffffffffff,
         0x7ff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001, 0xfff8000000012345]
for mode in [0, FZ | DN | RM]:
    for op in ["fmadd", "fmsub", "fnmadd", "fnmsub"]:
        for a in FMA_S:
            for b in FMA_S[::2]:
                for c in FMA_S[1::3]:
                    case(f"{op} s0, s1, s2, s3", [0, sv(a), sv(b), sv(c)], fpcr=mode)
        for a in FMA_D[::2]:
            for b in FMA_D[1::2]:
                for c in FMA_D[::3]:
                    case(f"{op} d0, d1, d2, d3", [0, dv(a), dv(b), dv(c)], fpcr=mode)
# ---- compares, conditional compare and select ----
for mode in [0, FZ]:
    for a in S_SMALL:
        for b in S_SMALL:
            case("fcmp s1, s2", [0, sv(a), sv(b)], fpcr=mode)
            case("fcmpe s1, s2", [0, sv(a), sv(b)], fpcr=mode)
        case("fcmp s1, #0.0", [0, sv(a)], fpcr=mode)
        case("fcmpe s1, #0.0", [0, sv(a)], fpcr=mode)
    for a in D_SMALL:
        for b in D_SMALL[::2]:
            case("fcmp d1, d2", [0, dv(a), dv(b)], fpcr=mode)
            case("fcmpe d1, d2", [0, dv(a), dv(b)], fpcr=mode)
        case("fcmpe d1, #0.0", [0, dv(a)], fpcr=mode)
for nz in [0, 4, 8, 15]:
    for a, b in [(f32(1.0), f32(2.0)), (f32(2.0), f32(2.0)), (0x7fc00000, 0), (0x7f800001, 0), (0x00000001, 0)]:
        for c in ["eq", "ne", "ge", "lt", "al"]:
            case(f"fccmp s1, s2, #5, {c}", [0, sv(a), sv(b)], nzcv=nz)
            case(f"fccmpe s1, s2, #10, {c}", [0, sv(a), sv(b)], nzcv=nz)
            case(f"fcsel s0, s1, s2, {c}", [0, sv(a), sv(b)], nzcv=nz)
        case("fccmpe d1, d2, #3, hi", [0, dv(f64(1.5)), dv(0x7ff8000000000000)], nzcv=nz)
        case("fcsel d0, d1, d2, vs", [0, dv(f64(1.5)), dv(0x7ff8000000000000)], nzcv=nz)
    case("fcmp s1, s2\nfccmp s2, s3, #0, eq\ncset x0, gt", [0, sv(f32(1)), sv(f32(1)), sv(f32(0.5))], nzcv=nz,
         fpcr=FZ)
# ---- FP <-> integer, fixed point ----
for mode in [0, RM, FZ]:
    for a in S:
        for op in ["fcvtzs", "fcvtzu", "fcvtns", "fcvtnu", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtas", "fcvtau"]:
            case(f"{op} w0, s1", [0, sv(a)], fpcr=mode)
            case(f"{op} x0, s1", [0, sv(a)], fpcr=mode)
    for a in D:
        for op in ["fcvtzs", "fcvtzu", "fcvtns", "fcvtnu", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtas", "fcvtau"]:
            case(f"{op} w0, d1", [0, dv(a)], fpcr=mode)
            case(f"{op} x0, d1", [0, dv(a)], fpcr=mode)
    for fb in [1, 16, 31, 32]:
        for a in S[::2] + D[::3]:
            case(f"fcvtzs w0, s1, #{fb}", [0, sv(a & 0xffffffff)], fpcr=mode)
            case(f"fcvtzu x0, d1, #{fb * 2}", [0, dv(a)], fpcr=mode)
INTS = [0, 1, M64, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x123456789abcdef1,
        0x00ffffff01, 0x1000001, 0xfffffffffeffffff, 0x20000001, 0x20000000000001]
for mode in [0, RP, RM, RZ, FZ]:
    for i in INTS:
        for op in ["scvtf", "ucvtf"]:
            for dst in ["s0", "d0"]:
                case(f"{op} {dst}, w1", [], [0, i], fpcr=mode)
                case(f"{op} {dst}, x1", [], [0, i], fpcr=mode)
            case(f"{op} s0, w1, #5", [], [0, i], fpcr=mode)
            case(f"{op} d0, x1, #64", [], [0, i], fpcr=mode)
            case(f"{op} s0, x1, #33", [], [0, i], fpcr=mode)
# ---- FMOV ----
for i in [0x3f800000, 0xffffffff80000001]:
    case("fmov s0, w1", [], [0, i]); case("fmov d0, x1", [], [0, i]); case("fmov v0.d[1], x1", [], [0, i])
case("fmov w0, s1", [0, sv(0x12345678)]); case("fmov x0, d1", [0, dv(0x123456789)])
case("fmov x0, v1.d[1]", [0, (1, 0xfedcba9876543210)])
for imm in ["1.0", "-2.0", "0.125", "31.0", "-1.9375", "0.1875"]:
    case(f"fmov s0, #{imm}"); case(f"fmov d0, #{imm}")

# ---- MSR/MRS FPCR and FPSR: modes change between blocks, flags of inline code are visible ----
for x1 in [RZ, RM, RP, FZ, DN, FZ | DN]:
    case("msr fpcr, x1\nfadd s0, s1, s2\nmrs x0, fpsr\nmsr fpcr, xzr", [0, sv(f32(1.0)), sv(0x33800001)], [0, x1])
    case("msr fpcr, x1\nfmul d0, d1, d2\nmrs x0, fpsr\nmsr fpcr, xzr", [0, dv(0x3fefffffffffffff), dv(0x0010000000000000)], [0, x1])
    case("msr fpcr, x1\nfadd s0, s1, s2\nmrs x0, fpcr\nmsr fpcr, xzr", [0, sv(0x7f800001), sv(0x00000001)], [0, x1 | 0xffff])
case("fdiv s0, s1, s2\nmrs x0, fpsr\nmsr fpsr, xzr\nfadd s0, s0, s0", [0, sv(f32(1.0)), sv(0)])
case("fdiv s0, s1, s2\nmsr fpsr, x1\nfadd s0, s1, s1", [0, sv(f32(1.0)), sv(f32(3.0))], [0, 0x08000001])
case("fcvtzs w0, s1\nmrs x0, fpsr", [0, sv(f32(1e10))])

# ---- AdvSIMD floating point ----
def vs(a, b, c, d): return (a | b << 32, c | d << 32)
def vd(a, b): return (a, b)
QS = [vs(f32(1.0), f32(-1.5), 0x7fc00000, 0x00800000), vs(0x7f800001, f32(0.1), 0x80000000, 0x7f7fffff),
      vs(0xff800000, 0x807fffff, f32(3.0), 0x3f7fffff), vs(f32(2.5), 0xffc12345, 0x00000001, f32(-2147483648.0))]
QD = [vd(f64(1.0), 0x7ff0000000000001), vd(0xfff8000000012345, f64(-1.5)), vd(0x7fefffffffffffff, 0x000fffffffffffff),
      vd(0x8000000000000000, f64(2.5)), vd(0x3fefffffffffffff, 0x0010000000000000)]
VMODES = [0, FZ | DN | RM, RP]
for mode in VMODES:
    for op in ["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm", "fmulx", "fabd", "frecps",
               "frsqrts", "fcmeq", "fcmge", "fcmgt", "facge", "facgt", "fmla", "fmls", "faddp", "fmaxp", "fminp",
               "fmaxnmp", "fminnmp"]:
        for a in QS:
            for b in QS[1::2]:
                case(f"{op} v0.4s, v1.4s, v2.4s", [0, a, b], fpcr=mode)
                case(f"{op} v0.2s, v1.2s, v2.2s", [0, a, b], fpcr=mode)
        for a in QD:
            for b in QD[::2]:
                case(f"{op} v0.2d, v1.2d, v2.2d", [0, a, b], fpcr=mode)
    for op in ["fmulx", "fabd", "frecps", "frsqrts", "fcmeq", "fcmge", "fcmgt", "facge", "facgt"]:
        for a in S_SMALL[::3]:
            for b in S_SMALL[1::3]:
                case(f"{op} s0, s1, s2", [0, sv(a), sv(b)], fpcr=mode)
        for a in D_SMALL[::3]:
            case(f"{op} d0, d1, d2", [0, dv(a), dv(D_SMALL[5])], fpcr=mode)
    for op in ["frintn", "frintp", "frintm", "frintz", "frinta", "frintx", "frinti", "fcvtns", "fcvtnu", "fcvtps",
               "fcvtpu", "fcvtms", "fcvtmu", "fcvtzs", "fcvtzu", "fcvtas", "fcvtau", "scvtf", "ucvtf", "frecpe",
               "frsqrte", "fsqrt", "fabs", "fneg"]:
        for a in QS:
            case(f"{op} v0.4s, v1.4s", [0, a], fpcr=mode)
            case(f"{op} v0.2s, v1.2s", [0, a], fpcr=mode)
        for a in QD:
            case(f"{op} v0.2d, v1.2d", [0, a], fpcr=mode)
    for cmp in ["fcmeq", "fcmge", "fcmgt", "fcmle", "fcmlt"]:
        for a in QS:
            case(f"{cmp} v0.4s, v1.4s, #0.0", [0, a], fpcr=mode)
        for a in QD:
            case(f"{cmp} v0.2d, v1.2d, #0.0", [0, a], fpcr=mode)
        for a in S_SMALL[::2]:
            case(f"{cmp} s0, s1, #0.0", [0, sv(a)], fpcr=mode)
    for op in ["urecpe", "ursqrte"]:
        for a in QS + [vs(0x80000000, 0xffffffff, 0x40000000, 0x3fffffff), vs(0xc0800000, 0x7fffffff, 0x12345678, 0x9abcdef0)]:
            case(f"{op} v0.4s, v1.4s", [0, a], fpcr=mode)
    for op in ["fcvtns", "fcvtnu", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtzs", "fcvtzu", "fcvtas", "fcvtau",
               "scvtf", "ucvtf", "frecpe", "frsqrte", "frecpx"]:
        for a in S[::2]:
            case(f"{op} s0, s1", [0, sv(a)], fpcr=mode)
        for a in D[::3]:
            case(f"{op} d0, d1", [0, dv(a)], fpcr=mode)
    for a in QS + [vs(0x47800000, 0x477ff000, 0x33000000, 0x387fc000)]:
        case("fcvtn v0.4h, v1.4s", [0, a], fpcr=mode); case("fcvtn2 v0.8h, v1.4s", [0, a], fpcr=mode)
        case("fcvtl v0.2d, v1.2s", [0, a], fpcr=mode); case("fcvtl2 v0.2d, v1.4s", [0, a], fpcr=mode)
        case("fcvtl v0.4s, v1.4h", [0, a], fpcr=mode); case("fcvtl2 v0.4s, v1.8h", [0, a], fpcr=mode)
        case("fcvtl v0.4s, v1.4h", [0, a], fpcr=mode | AHP); case("fcvtn v0.4h, v1.4s", [0, a], fpcr=mode | AHP)
    for a in QD + [vd(0x380fffffe0000000, 0x47effffff0000000), vd(0x3ff0000010000000, 0xbff0000030000001)]:
        case("fcvtn v0.2s, v1.2d", [0, a], fpcr=mode); case("fcvtn2 v0.4s, v1.2d", [0, a], fpcr=mode)
        case("fcvtxn v0.2s, v1.2d", [0, a], fpcr=mode); case("fcvtxn2 v0.4s, v1.2d", [0, a], fpcr=mode)
        case("fcvtxn s0, d1", [0, a], fpcr=mode)
    for a in QS:
        for b in QS[::3]:
            case("fmla v0.4s, v1.4s, v2.s[3]", [0, a, b], fpcr=mode); case("fmls v0.2s, v1.2s, v2.s[1]", [0, a, b], fpcr=mode)
            case("fmul v0.4s, v1.4s, v2.s[2]", [0, a, b], fpcr=mode); case("fmulx v0.2s, v1.2s, v2.s[0]", [0, a, b], fpcr=mode)
            case("fmla s0, s1, v2.s[1]", [0, a, b], fpcr=mode); case("fmulx s0, s1, v2.s[3]", [0, a, b], fpcr=mode)
            case("fmul s0, s1, v2.s[2]", [0, a, b], fpcr=mode); case("fmls s0, s1, v2.s[0]", [0, a, b], fpcr=mode)
        for op in ["fmaxv", "fminv", "fmaxnmv", "fminnmv"]:
            case(f"{op} s0, v1.4s", [0, a], fpcr=mode)
        for op in ["faddp", "fmaxp", "fminp", "fmaxnmp", "fminnmp"]:
            case(f"{op} s0, v1.2s", [0, a], fpcr=mode)
    for a in QD:
        for b in QD[::2]:
            case("fmla v0.2d, v1.2d, v2.d[1]", [0, a, b], fpcr=mode); case("fmls v0.2d, v1.2d, v2.d[0]", [0, a, b], fpcr=mode)
            case("fmul d0, d1, v2.d[1]", [0, a, b], fpcr=mode); case("fmulx v0.2d, v1.2d, v2.d[1]", [0, a, b], fpcr=mode)
        for op in ["faddp", "fmaxp", "fminp", "fmaxnmp", "fminnmp"]:
            case(f"{op} d0, v1.2d", [0, a], fpcr=mode)
    for a in QS + [vs(5, 0xffffffff, 0x80000000, 0x7fffffff)]:
        for ins in ["scvtf v0.4s, v1.4s, #3", "ucvtf v0.2s, v1.2s, #32", "fcvtzs v0.4s, v1.4s, #1",
                    "fcvtzu v0.4s, v1.4s, #32", "scvtf s0, s1, #5", "fcvtzu s0, s1, #2", "ucvtf v0.4s, v1.4s, #1"]:
            case(ins, [0, a], fpcr=mode)
    for a in QD + [vd(5, 0xffffffffffffffff), vd(0x8000000000000000, 0x7fffffffffffffff)]:
        for ins in ["scvtf v0.2d, v1.2d, #60", "ucvtf v0.2d, v1.2d, #1", "fcvtzs v0.2d, v1.2d, #64",
                    "fcvtzu v0.2d, v1.2d, #3", "fcvtzs d0, d1, #64", "ucvtf d0, d1, #17"]:
            case(ins, [0, a], fpcr=mode)

# ---- AdvSIMD inline fast path (FZ = 0: packed SSE, then the exact helper when a lane is a NaN or
# +-the smallest normal): ordinary lanes only, one special lane among ordinary ones, results at the
# smallest normal, flags from single lanes, Q = 0 with upper source lanes that would raise flags or
# be NaNs, aliasing of Vd with Vn/Vm, and the by-element forms (every index, Vm in V16-V31) ----
NS = [f32(1.0), f32(-1.5), f32(0.1), f32(3.0), f32(2.5), f32(-0.5), 0x3f7fffff, f32(1e30), f32(7.0), f32(-1e-30)]
ND = [f64(1.0), f64(-1.5), f64(0.1), f64(3.0), f64(2.5), f64(-0.5), 0x3fefffffffffffff, f64(1e300), f64(7.0),
      f64(-1e-300)]
# Lane values that make one lane special (NaN, or an operand pair giving +-the smallest normal),
# overflow, divide by zero, or underflow to a denormal that is not the smallest normal.
ONE_S = [0x7fc00000, 0x7f800001, 0xff800000, 0x00800000, 0x80800000, 0x00000001, 0, 0x00800001, 0x7f7fffff]
ONE_D = [0x7ff8000000000000, 0x7ff0000000000001, 0xfff0000000000000, 0x0010000000000000, 0x8010000000000000, 0x1, 0,
         0x0010000000000001, 0x7fefffffffffffff]
FAST_MODES = [0, RP, RM, RZ, DN, FZ]
def ns4(i): return vs(NS[i % 10], NS[(i + 3) % 10], NS[(i + 5) % 10], NS[(i + 7) % 10])
def nd2(i): return vd(ND[i % 10], ND[(i + 3) % 10])
for mode in FAST_MODES:
    for op in ["fadd", "fsub", "fmul", "fdiv", "fmla", "fmls"]:
        for i in range(4):
            a, b = ns4(i), ns4(i + 5)
            case(f"{op} v0.4s, v1.4s, v2.4s", [0, a, b], fpcr=mode)
            case(f"{op} v0.2s, v1.2s, v2.2s", [0, a, b], fpcr=mode)
            a, b = nd2(i), nd2(i + 5)
            case(f"{op} v0.2d, v1.2d, v2.2d", [0, a, b], fpcr=mode)
        # One lane of a special or flag-raising value among ordinary lanes, in each position.
        for k, x in enumerate(ONE_S):
            a = list(ns4(k)); lane = k % 4
            a[lane // 2] = (a[lane // 2] & ~(0xffffffff << 32 * (lane % 2))) | x << 32 * (lane % 2)
            case(f"{op} v0.4s, v1.4s, v2.4s", [0, tuple(a), ns4(k + 1)], fpcr=mode)
            case(f"{op} v0.4s, v2.4s, v1.4s", [0, tuple(a), ns4(k + 1)], fpcr=mode)
            if lane < 2: case(f"{op} v0.2s, v1.2s, v2.2s", [0, tuple(a), ns4(k + 1)], fpcr=mode)
        for k, x in enumerate(ONE_D):
            a = list(nd2(k)); a[k % 2] = x
            case(f"{op} v0.2d, v1.2d, v2.2d", [0, tuple(a), nd2(k + 1)], fpcr=mode)
            case(f"{op} v0.2d, v2.2d, v1.2d", [0, tuple(a), nd2(k + 1)], fpcr=mode)
    # Results at the smallest normal (Arm: tiny before rounding) next to ordinary lanes.
    for a, b in EDGE_S:
        for op in ["fmul", "fdiv", "fadd", "fsub"]:
            case(f"{op} v0.4s, v1.4s, v2.4s", [0, vs(f32(1.0), a, f32(2.0), a), vs(f32(3.0), b, f32(0.5), b ^ 0x80000000)], fpcr=mode)
            case(f"{op} v0.2s, v1.2s, v2.2s", [0, vs(a, f32(1.0), 0, 0), vs(b, f32(1.0), 0, 0)], fpcr=mode)
        case("fmla v0.4s, v1.4s, v2.4s", [0, vs(a, a, f32(1.0), a), vs(b, b ^ 0x80000000, f32(1.0), b)], fpcr=mode)
    for a, b in EDGE_D:
        for op in ["fmul", "fdiv", "fadd", "fmla", "fmls"]:
            case(f"{op} v0.2d, v1.2d, v2.2d", [0, vd(a, f64(1.5)), vd(b, f64(2.0))], fpcr=mode)
    # Q = 0: the upper source lanes hold values that would overflow, divide by zero, be inexact or
    # invalid (and NaNs), while the low lanes are exact: only the low lanes may set FPSR bits.
    for hi_a, hi_b in [(vs(0x7f7fffff, 0x7f7fffff, 0, 0)[0], vs(0x7f7fffff, 0, 0, 0)[0]),
                       (vs(0x7f800001, 0xff800000, 0, 0)[0], vs(0x7f800000, 0, 0, 0)[0]),
                       (vs(f32(0.1), 0x00000001, 0, 0)[0], vs(f32(3.0), 0x00800000, 0, 0)[0]),
                       (vs(0x7fc00000, 0x00800000, 0, 0)[0], vs(0x00800000, 0x80000000, 0, 0)[0])]:
        for op in ["fadd", "fsub", "fmul", "fdiv", "fmla", "fmls"]:
            case(f"{op} v0.2s, v1.2s, v2.2s", [0, vs(f32(1.0), f32(2.0), 0, 0)[:1] + (hi_a,),
                                               vs(f32(0.5), f32(4.0), 0, 0)[:1] + (hi_b,)], fpcr=mode)
            if op in ("fmul", "fmla", "fmls"):
                case(f"{op} v0.2s, v1.2s, v2.s[0]", [0, vs(f32(1.0), f32(2.0), 0, 0)[:1] + (hi_a,),
                                                     vs(f32(0.5), f32(4.0), 0, 0)[:1] + (hi_b,)], fpcr=mode)
        case("fmla v0.2s, v1.2s, v2.2s\nmov v3.16b, v0.16b\nmov v0.d[1], v1.d[1]\nfmla v0.2s, v0.2s, v3.2s",
             [0, vs(f32(1.0), f32(2.0), 0, 0)[:1] + (hi_a,), vs(f32(0.5), f32(4.0), 0, 0)[:1] + (hi_b,)], fpcr=mode)
    # Vd aliasing Vn and Vm (the helper must see the unmodified registers on the slow path).
    for a, b in [(ns4(1), ns4(4)), (vs(f32(1.0), 0x7fc00000, f32(2.0), f32(3.0)), ns4(2)),
                 (vs(0x00800000, f32(1.0), f32(2.0), f32(3.0)), vs(f32(1.0), f32(1.0), f32(1.0), f32(-1.0)))]:
        for op in ["fmls", "fmla", "fadd", "fdiv"]:
            case(f"mov v0.16b, v1.16b\n{op} v0.4s, v0.4s, v2.4s", [0, a, b], fpcr=mode)
            case(f"mov v0.16b, v2.16b\n{op} v0.4s, v1.4s, v0.4s", [0, a, b], fpcr=mode)
            case(f"mov v0.16b, v1.16b\n{op} v0.2s, v0.2s, v0.2s", [0, a, b], fpcr=mode)
        case("mov v0.16b, v1.16b\nfmls v0.4s, v0.4s, v0.s[2]", [0, a, b], fpcr=mode)
        case("mov v0.16b, v1.16b\nfmul v0.4s, v2.4s, v0.s[1]", [0, a, b], fpcr=mode)
    for a, b in [(nd2(1), nd2(4)), (vd(0x7ff0000000000001, f64(2.0)), nd2(2)), (vd(f64(1.0), 0x0010000000000000), nd2(3))]:
        for op in ["fmls", "fmla", "fmul"]:
            case(f"mov v0.16b, v1.16b\n{op} v0.2d, v0.2d, v2.2d", [0, a, b], fpcr=mode)
            case(f"mov v0.16b, v2.16b\n{op} v0.2d, v1.2d, v0.d[1]", [0, a, b], fpcr=mode)
    # By element: every index, ordinary and special elements, Vm in V16-V31 (M = 1).
    for k in range(4):
        for b in [ns4(k + 3), vs(f32(2.0), 0x7f800001, 0x00800000, f32(-3.0))]:
            case(f"fmla v0.4s, v1.4s, v2.s[{k}]", [0, ns4(k), b], fpcr=mode)
            case(f"fmls v0.2s, v1.2s, v2.s[{k}]", [0, ns4(k), b], fpcr=mode)
            case(f"fmul v0.4s, v1.4s, v2.s[{k}]", [0, ns4(k), b], fpcr=mode)
            case(f"mov v17.16b, v2.16b\nfmla v0.4s, v1.4s, v17.s[{k}]", [0, ns4(k), b], fpcr=mode)
    for k in range(2):
        for b in [nd2(k + 3), vd(0x7ff8000000000000, f64(-2.0)), vd(0x0010000000000000, f64(1e-300))]:
            case(f"fmla v0.2d, v1.2d, v2.d[{k}]", [0, nd2(k), b], fpcr=mode)
            case(f"fmls v0.2d, v1.2d, v2.d[{k}]", [0, nd2(k), b], fpcr=mode)
            case(f"fmul v0.2d, v1.2d, v2.d[{k}]", [0, nd2(k), b], fpcr=mode)
            case(f"mov v31.16b, v2.16b\nfmul v0.2d, v1.2d, v31.d[{k}]", [0, nd2(k), b], fpcr=mode)
    # Flags accumulate over several inline instructions, and MRS FPSR reads them.
    case("fmul v0.4s, v1.4s, v2.4s\nfadd v3.4s, v0.4s, v1.4s\nfdiv v0.4s, v3.4s, v2.4s\nmrs x0, fpsr",
         [0, ns4(2), ns4(5)], fpcr=mode)


def assemble(lines, d, name):
    src = os.path.join(d, name + ".s"); obj = os.path.join(d, name + ".o"); b = os.path.join(d, name + ".bin")
    open(src, "w").write(".arch armv8-a\n.text\n" + lines + "\n")
    subprocess.check_call(["aarch64-linux-gnu-as", "-o", obj, src])
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, b])
    data = open(b, "rb").read()
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]


def fmt(v):  # inputs: the 0xa5 filler as G, a single or half over the filler as S(x) / H(x)
    if v == GARBAGE: return "G"
    if v >> 32 == GARBAGE >> 32: return "S(%#x)" % (v & 0xffffffff)
    if v >> 16 == GARBAGE >> 16: return "H(%#x)" % (v & 0xffff)
    return "%#x" % v


def main():
    with tempfile.TemporaryDirectory() as d:
        words = assemble("\n".join(c[0] for c in CASES), d, "enc")
        lens = [sum(1 for l in c[0].split("\n") if l.split(":")[-1].strip()) for c in CASES]
        assert sum(lens) == len(words), (sum(lens), len(words))
        runner = [".arch armv8-a", ".text"]
        for i, c in enumerate(CASES):
            runner += [f".global case_{i}", f"case_{i}:", "mov x9, x0", "ldr x10, [x9, #104]", "msr fpcr, x10",
                       "msr fpsr, xzr", "ldr x10, [x9, #96]", "msr nzcv, x10", "ldp q0, q1, [x9]",
                       "ldp q2, q3, [x9, #32]", "ldp x0, x1, [x9, #64]", "ldp x2, x3, [x9, #80]", c[0],
                       "stp q0, q1, [x9, #112]", "stp q2, q3, [x9, #144]", "stp x0, x1, [x9, #176]",
                       "stp x2, x3, [x9, #192]", "mrs x10, nzcv", "str x10, [x9, #208]", "mrs x10, fpsr",
                       "str x10, [x9, #216]", "msr fpcr, xzr", "ret"]
        open(os.path.join(d, "cases.s"), "w").write("\n".join(runner) + "\n")
        cmain = ["#include <stdio.h>", "struct S { unsigned long v[28]; };"]
        cmain += [f"extern void case_{i}(struct S*);" for i in range(len(CASES))]
        cmain.append("static void (*fns[])(struct S*) = {" + ",".join(f"case_{i}" for i in range(len(CASES))) + "};")
        rows = []
        for c in CASES:
            vals = [w for lohi in c[1] for w in lohi] + list(c[2]) + [c[3] << 28, c[4]]
            rows.append("{{" + ",".join("%#xUL" % v for v in vals) + "}}")
        cmain.append("static struct S data[] = {" + ",\n".join(rows) + "};")
        cmain.append("int main(void) { for (unsigned i = 0; i < sizeof fns / sizeof *fns; ++i) { fns[i](&data[i]);"
                     " for (int k = 14; k < 28; ++k) printf(\"%lx \", data[i].v[k]); printf(\"\\n\"); } return 0; }")
        open(os.path.join(d, "main.c"), "w").write("\n".join(cmain) + "\n")
        exe = os.path.join(d, "cases")
        subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-o", exe, os.path.join(d, "main.c"),
                               os.path.join(d, "cases.s")])
        out = subprocess.check_output(["qemu-aarch64", "-cpu", "cortex-a72", exe], text=True).split("\n")
    print("// Generated by gen_fp_cases.py from qemu-aarch64 runs: do not edit.")
    print("// {encodings}, count, asm, {v1..v3 in (lo, hi)}, x1 in, nzcv in, fpcr, {v0 out (lo, hi)}, x0 out,")
    print("//   nzcv out, fpsr out (v0 starts as all 0xa5, x0 as 0x1111111111111111)")
    pos = 0
    for i, c in enumerate(CASES):
        w = words[pos:pos + lens[i]]; pos += lens[i]
        o = [int(v, 16) for v in out[i].split()]
        assert c[1][0] == (GARBAGE, GARBAGE) and c[2][0] == 0x1111111111111111 and c[2][2:] == [0x3333333333333333, 0x4444444444444444]
        ins = [x for lohi in c[1][1:] for x in lohi]
        asm = c[0].replace("\n", "; ")
        print("{{%s},%d,\"%s\",{%s},%#x,%d,%#x,{%#x,%#x},%#x,%d,%#x}," % (
            ",".join("%#x" % x for x in w), len(w), asm, ",".join(fmt(x) for x in ins), c[2][1], c[3], c[4],
            o[0], o[1], o[8], o[12] >> 28, o[13]))
    print("// %d cases" % len(CASES), file=sys.stderr)

main()
