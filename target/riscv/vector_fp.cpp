// Vector floating point (OPFVV/OPFVF), SEW 32 and 64 (no Zvfh, as qemu 7.2). Each element goes
// through the scalar F/D helpers (helpers.cpp), so vector and scalar results, NaNs, flags and
// rounding modes (RMM included) are the same code; vfrec7/vfrsqrt7 and round-to-odd are here.
#include <cmath>

#include "target/riscv/helpers.h"
#include "target/riscv/vector.h"

namespace mimic::riscv::vec {

uint64_t slide1(Insn& v, bool up, uint64_t scalar);  // vector_int.cpp

namespace {

constexpr uint64_t kRmDyn = 7, kRmRtz = 1;
constexpr uint64_t kBox = 0xffffffff00000000ull;

// A SEW-wide element as the scalar helpers take it (f32 NaN-boxed) and back.
uint64_t box(uint64_t e, unsigned sew) { return sew == 32 ? e | kBox : e; }
// The SEW bits of f[r] (an f32 that is not NaN-boxed reads as the canonical NaN).
uint64_t fscalar(const Insn& v, unsigned r) {
  uint64_t f = v.c.f[r];
  if (v.sew == 64) return f;
  return (f >> 32) == 0xffffffffu ? uint32_t(f) : 0x7fc00000u;
}

struct Ops {
  Helper add, sub, mul, div, sqrt, min, max, madd, msub, nmsub, nmadd, sgnj, sgnjn, sgnjx, eq, lt, le, cls;
  Helper to_u, to_s, from_u, from_s;  // same-width conversions
};
constexpr Ops kOpsS = {Helper::fadd_s,   Helper::fsub_s,    Helper::fmul_s,   Helper::fdiv_s,   Helper::fsqrt_s,
                       Helper::fmin_s,   Helper::fmax_s,    Helper::fmadd_s,  Helper::fmsub_s,  Helper::fnmsub_s,
                       Helper::fnmadd_s, Helper::fsgnj_s,   Helper::fsgnjn_s, Helper::fsgnjx_s, Helper::feq_s,
                       Helper::flt_s,    Helper::fle_s,     Helper::fclass_s, Helper::fcvt_wu_s, Helper::fcvt_w_s,
                       Helper::fcvt_s_wu, Helper::fcvt_s_w};
constexpr Ops kOpsD = {Helper::fadd_d,   Helper::fsub_d,    Helper::fmul_d,   Helper::fdiv_d,   Helper::fsqrt_d,
                       Helper::fmin_d,   Helper::fmax_d,    Helper::fmadd_d,  Helper::fmsub_d,  Helper::fnmsub_d,
                       Helper::fnmadd_d, Helper::fsgnj_d,   Helper::fsgnjn_d, Helper::fsgnjx_d, Helper::feq_d,
                       Helper::flt_d,    Helper::fle_d,     Helper::fclass_d, Helper::fcvt_lu_d, Helper::fcvt_l_d,
                       Helper::fcvt_d_lu, Helper::fcvt_d_l};

struct Fpu {
  Insn& v;
  unsigned sew;
  const Ops& ops;
  uint64_t call(Helper h, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
    return call_helper(h, &v.c, a, b, c, d);
  }
  // Binary arithmetic on SEW elements: result SEW bits.
  uint64_t bin(Helper h, uint64_t a, uint64_t b) { return trunc(call(h, box(a, sew), box(b, sew), kRmDyn), sew); }
  uint64_t fused(Helper h, uint64_t x, uint64_t y, uint64_t z) {
    return trunc(call(h, box(x, sew), box(y, sew), box(z, sew), kRmDyn), sew);
  }
  uint64_t cmp(Helper h, uint64_t a, uint64_t b) { return call(h, box(a, sew), box(b, sew)); }
};

// The second operand of element i: vs1's element or f[rs1].
uint64_t fop(const Insn& v, unsigned i) { return v.f3 == 1 ? get(v.src, v.vs1, i, v.sew) : fscalar(v, v.vs1); }

template <class Fn>
void each(const Insn& v, Fn fn) {
  for (unsigned i = v.vstart; i < v.vl; ++i)
    if (active(v, i)) fn(i);
}

bool legal_sss(const Insn& v) {
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul)) return false;
  if (v.f3 == 1 && !aligned(v.vs1, v.lmul)) return false;
  return v.vm || v.vd != 0;
}

template <class Fn>
uint64_t binary(Insn& v, Fn fn) {
  if (!legal_sss(v)) return kVIllegal;
  each(v, [&](unsigned i) { put(v.c, v.vd, i, v.sew, fn(get(v.src, v.vs2, i, v.sew), fop(v, i), get(v.src, v.vd, i, v.sew))); });
  return kVOk;
}

template <class Fn>
uint64_t compare(Insn& v, Fn fn) {
  if (!aligned(v.vs2, v.lmul) || (v.f3 == 1 && !aligned(v.vs1, v.lmul))) return kVIllegal;
  if (v.vd != v.vs2 && !no_bad_overlap(v.vd, 0, v.vs2, v.lmul)) return kVIllegal;
  if (v.f3 == 1 && v.vd != v.vs1 && !no_bad_overlap(v.vd, 0, v.vs1, v.lmul)) return kVIllegal;
  each(v, [&](unsigned i) { put_mask(v.c, v.vd, i, fn(get(v.src, v.vs2, i, v.sew), fop(v, i)) != 0); });
  return kVOk;
}

// Widening arithmetic, SEW 32 only: the f32 operands are converted exactly (fcvt.d.s: sNaN
// raises NV, as qemu does) and the f64 operation rounds once.
template <class Fn>
uint64_t widening(Insn& v, bool wide_vs2, Fn fn) {
  if (v.sew != 32 || v.lmul >= 3) return kVIllegal;
  const int dl = v.lmul + 1;
  if (!aligned(v.vd, dl) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (wide_vs2 ? !aligned(v.vs2, dl) : (!aligned(v.vs2, v.lmul) || !no_bad_overlap(v.vd, dl, v.vs2, v.lmul)))
    return kVIllegal;
  if (v.f3 == 1 && (!aligned(v.vs1, v.lmul) || !no_bad_overlap(v.vd, dl, v.vs1, v.lmul))) return kVIllegal;
  auto widen = [&](uint64_t e) { return call_helper(Helper::fcvt_d_s, &v.c, e | kBox, 0); };
  each(v, [&](unsigned i) {
    uint64_t a = wide_vs2 ? get(v.src, v.vs2, i, 64) : widen(get(v.src, v.vs2, i, 32));
    uint64_t b = widen(fop(v, i));
    put(v.c, v.vd, i, 64, fn(a, b, get(v.src, v.vd, i, 64)));
  });
  return kVOk;
}

// vfrec7 / vfrsqrt7: 7-bit estimates from the spec's tables.
constexpr uint8_t kRec7[128] = {
    127, 125, 123, 121, 119, 117, 116, 114, 112, 110, 109, 107, 105, 104, 102, 100, 99, 97, 96, 94, 93, 91,
    90,  88,  87,  85,  84,  83,  81,  80,  79,  77,  76,  75,  74,  72,  71,  70,  69, 68, 66, 65, 64, 63,
    62,  61,  60,  59,  58,  57,  56,  55,  54,  53,  52,  51,  50,  49,  48,  47,  46, 45, 44, 43, 42, 41,
    40,  40,  39,  38,  37,  36,  35,  35,  34,  33,  32,  31,  31,  30,  29,  28,  28, 27, 26, 25, 25, 24,
    23,  23,  22,  21,  21,  20,  19,  19,  18,  17,  17,  16,  15,  15,  14,  14,  13, 12, 12, 11, 11, 10,
    9,   9,   8,   8,   7,   7,   6,   5,   5,   4,   4,   3,   3,   2,   2,   1,   1,  0};
constexpr uint8_t kRsqrt7[128] = {
    52,  51,  50,  48,  47,  46,  44,  43,  42,  41,  40,  39,  38,  36,  35,  34,  33,  32,  31,  30,  30,  29,
    28,  27,  26,  25,  24,  23,  23,  22,  21,  20,  19,  19,  18,  17,  16,  16,  15,  14,  14,  13,  12,  12,
    11,  10,  10,  9,   9,   8,   7,   7,   6,   6,   5,   4,   4,   3,   3,   2,   2,   1,   1,   0,   127, 125,
    123, 121, 119, 118, 116, 114, 113, 111, 109, 108, 106, 105, 103, 102, 100, 99,  97,  96,  95,  93,  92,  91,
    90,  88,  87,  86,  85,  84,  83,  82,  80,  79,  78,  77,  76,  75,  74,  73,  72,  71,  70,  70,  69,  68,
    67,  66,  65,  64,  63,  63,  62,  61,  60,  59,  59,  58,  57,  56,  56,  55,  54,  53};

struct Layout {
  unsigned exp_bits, frac_bits;
  uint64_t canon;
};
Layout layout(unsigned sew) {
  return sew == 32 ? Layout{8, 23, 0x7fc00000u} : Layout{11, 52, 0x7ff8000000000000ull};
}

uint64_t rec7(Insn& v, uint64_t x, uint32_t& flags) {
  const Layout L = layout(v.sew);
  const uint64_t frac_mask = (1ull << L.frac_bits) - 1, exp_max = (1ull << L.exp_bits) - 1;
  const uint64_t sign = x >> (L.exp_bits + L.frac_bits) & 1;
  uint64_t exp = (x >> L.frac_bits) & exp_max, frac = x & frac_mask;
  const uint64_t sign_bit = sign << (L.exp_bits + L.frac_bits);
  if (exp == exp_max) {
    if (frac == 0) return sign_bit;  // 1/inf = 0
    if (!(frac >> (L.frac_bits - 1))) flags |= kFlagNV;
    return L.canon;
  }
  if (exp == 0 && frac == 0) {
    flags |= kFlagDZ;
    return sign_bit | (exp_max << L.frac_bits);
  }
  if (exp == 0) {  // subnormal: normalize
    while (!((frac >> (L.frac_bits - 1)) & 1)) {
      --exp;
      frac <<= 1;
    }
    frac = (frac << 1) & frac_mask;
    if (exp != 0 && exp != ~0ull) {  // the reciprocal overflows
      flags |= kFlagOF | kFlagNX;
      unsigned rm = v.c.frm;
      bool to_max = rm == 1 || (rm == 2 && !sign) || (rm == 3 && sign);
      return sign_bit | ((exp_max << L.frac_bits) - (to_max ? 1 : 0));
    }
  }
  uint64_t out_frac = uint64_t(kRec7[frac >> (L.frac_bits - 7)]) << (L.frac_bits - 7);
  uint64_t out_exp = 2 * ((1ull << (L.exp_bits - 1)) - 1) + ~exp;
  if (out_exp == 0 || out_exp == ~0ull) {  // subnormal result, without underflow (no precision lost)
    out_frac = (out_frac >> 1) | (1ull << (L.frac_bits - 1));
    if (out_exp == ~0ull) {
      out_frac >>= 1;
      out_exp = 0;
    }
  }
  return sign_bit | ((out_exp & exp_max) << L.frac_bits) | (out_frac & frac_mask);
}

uint64_t rsqrt7(Insn& v, uint64_t x, uint32_t& flags) {
  const Layout L = layout(v.sew);
  const uint64_t frac_mask = (1ull << L.frac_bits) - 1, exp_max = (1ull << L.exp_bits) - 1;
  const uint64_t sign = x >> (L.exp_bits + L.frac_bits) & 1;
  int64_t exp = int64_t((x >> L.frac_bits) & exp_max);
  uint64_t frac = x & frac_mask;
  const uint64_t sign_bit = sign << (L.exp_bits + L.frac_bits);
  if (uint64_t(exp) == exp_max && frac != 0) {  // NaN
    if (!(frac >> (L.frac_bits - 1))) flags |= kFlagNV;
    return L.canon;
  }
  if (exp == 0 && frac == 0) {
    flags |= kFlagDZ;
    return sign_bit | (exp_max << L.frac_bits);
  }
  if (sign) {  // negative, nonzero
    flags |= kFlagNV;
    return L.canon;
  }
  if (uint64_t(exp) == exp_max) return 0;  // 1/sqrt(+inf) = +0
  if (exp == 0) {
    while (!((frac >> (L.frac_bits - 1)) & 1)) {
      --exp;
      frac <<= 1;
    }
    frac = (frac << 1) & frac_mask;
  }
  unsigned idx = unsigned(((exp & 1) << 6) | int64_t(frac >> (L.frac_bits - 6)));
  uint64_t out_exp = (3 * ((1ull << (L.exp_bits - 1)) - 1) + ~uint64_t(exp)) / 2;
  return ((out_exp & exp_max) << L.frac_bits) | (uint64_t(kRsqrt7[idx]) << (L.frac_bits - 7));
}

// Float to a narrower integer (vfncvt.x(u).f.w at SEW 16): the 64-bit conversion, then saturation
// with NV in place of the conversion's own NX.
uint64_t to_narrow_int(Insn& v, uint64_t f32, bool sign, uint64_t rm) {
  uint32_t before = v.c.fflags;
  int64_t r = int64_t(call_helper(sign ? Helper::fcvt_l_s : Helper::fcvt_lu_s, &v.c, f32 | kBox, rm));
  int64_t lo = sign ? -32768 : 0, hi = sign ? 32767 : 65535;
  bool nan = (f32 & 0x7fffffffu) > 0x7f800000u;
  if (nan || (sign ? r > hi : uint64_t(r) > uint64_t(hi)) || (sign ? r < lo : false)) {
    v.c.fflags = before | kFlagNV;
    return uint64_t(nan ? hi : (sign ? (r < lo ? lo : hi) : (uint64_t(r) > uint64_t(hi) ? hi : 0)));
  }
  return uint64_t(r);
}

// VFUNARY0: vfcvt, vfwcvt, vfncvt.
uint64_t convert(Insn& v) {
  const unsigned k = v.vs1, s = v.sew;
  const bool rtz = k == 6 || k == 7 || k == 14 || k == 15 || k == 22 || k == 23;
  const uint64_t rm = rtz ? kRmRtz : kRmDyn;
  if (!(v.vm || v.vd != 0)) return kVIllegal;
  auto run = [&](unsigned dst_w, unsigned src_w, auto fn) -> uint64_t {
    each(v, [&](unsigned i) { put(v.c, v.vd, i, dst_w, trunc(fn(get(v.src, v.vs2, i, src_w)), dst_w)); });
    return kVOk;
  };
  if (k < 8) {  // same width
    if ((s != 32 && s != 64) || k == 4 || k == 5) return kVIllegal;
    if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul)) return kVIllegal;
    const Ops& o = s == 32 ? kOpsS : kOpsD;
    // 0 xu.f, 1 x.f, 2 f.xu, 3 f.x, 6 rtz.xu.f, 7 rtz.x.f
    const bool from_int = k == 2 || k == 3, sign = k & 1;
    const Helper h = from_int ? (sign ? o.from_s : o.from_u) : (sign ? o.to_s : o.to_u);
    return run(s, s, [&](uint64_t e) { return call_helper(h, &v.c, from_int ? e : box(e, s), rm); });
  }
  const bool widen = k < 16;
  if (v.lmul >= 3 || s >= 64) return kVIllegal;
  const int wl = v.lmul + 1;
  if (widen) {
    if (!aligned(v.vd, wl) || !aligned(v.vs2, v.lmul) || !no_bad_overlap(v.vd, wl, v.vs2, v.lmul)) return kVIllegal;
  } else {
    if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, wl)) return kVIllegal;
    if (v.vd != v.vs2 && !no_bad_overlap(v.vd, v.lmul, v.vs2, wl)) return kVIllegal;
  }
  switch (k) {
    case 8:
    case 9:
    case 14:
    case 15:  // vfwcvt.x(u).f.v: f32 -> 64-bit integer
      if (s != 32) return kVIllegal;
      return run(64, 32, [&](uint64_t e) {
        return call_helper((k & 1) ? Helper::fcvt_l_s : Helper::fcvt_lu_s, &v.c, e | kBox, rm);
      });
    case 10:
    case 11:  // vfwcvt.f.x(u).v: 16-bit integer -> f32, 32-bit -> f64 (exact)
      if (s == 16)
        return run(32, 16, [&](uint64_t e) {
          return call_helper(Helper::fcvt_s_w, &v.c, k == 11 ? uint64_t(sext(e, 16)) : e, rm);
        });
      if (s != 32) return kVIllegal;
      return run(64, 32, [&](uint64_t e) {
        return call_helper(k == 11 ? Helper::fcvt_d_w : Helper::fcvt_d_wu, &v.c, k == 11 ? uint64_t(sext(e, 32)) : e, rm);
      });
    case 12:  // vfwcvt.f.f.v
      if (s != 32) return kVIllegal;
      return run(64, 32, [&](uint64_t e) { return call_helper(Helper::fcvt_d_s, &v.c, e | kBox, rm); });
    case 16:
    case 17:
    case 22:
    case 23:  // vfncvt.x(u).f.w
      if (s == 16) return run(16, 32, [&](uint64_t e) { return to_narrow_int(v, e, k & 1, rm); });
      if (s != 32) return kVIllegal;
      return run(32, 64, [&](uint64_t e) {
        return call_helper((k & 1) ? Helper::fcvt_w_d : Helper::fcvt_wu_d, &v.c, e, rm);
      });
    case 18:
    case 19:  // vfncvt.f.x(u).w: 64-bit integer -> f32
      if (s != 32) return kVIllegal;
      return run(32, 64, [&](uint64_t e) {
        return call_helper(k == 19 ? Helper::fcvt_s_l : Helper::fcvt_s_lu, &v.c, e, rm);
      });
    case 20:  // vfncvt.f.f.w
      if (s != 32) return kVIllegal;
      return run(32, 64, [&](uint64_t e) { return call_helper(Helper::fcvt_s_d, &v.c, e, rm); });
    case 21:  // vfncvt.rod.f.f.w: round toward zero, then make an inexact result odd
      if (s != 32) return kVIllegal;
      return run(32, 64, [&](uint64_t e) {
        uint32_t before = v.c.fflags;
        v.c.fflags = 0;
        uint64_t r = uint32_t(call_helper(Helper::fcvt_s_d, &v.c, e, kRmRtz));
        bool nan = (e & ~(1ull << 63)) > 0x7ff0000000000000ull;
        if ((v.c.fflags & kFlagNX) && !nan) r |= 1;
        v.c.fflags |= before;
        return r;
      });
    default: return kVIllegal;
  }
}

uint64_t unary1(Insn& v, const Ops& o) {
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
  const unsigned s = v.sew;
  switch (v.vs1) {
    case 0:
      each(v, [&](unsigned i) {
        put(v.c, v.vd, i, s, trunc(call_helper(o.sqrt, &v.c, box(get(v.src, v.vs2, i, s), s), kRmDyn), s));
      });
      return kVOk;
    case 4:
    case 5:
      each(v, [&](unsigned i) {
        uint32_t flags = 0;
        uint64_t e = get(v.src, v.vs2, i, s);
        put(v.c, v.vd, i, s, v.vs1 == 4 ? rsqrt7(v, e, flags) : rec7(v, e, flags));
        v.c.fflags |= flags;
      });
      return kVOk;
    case 16:
      each(v, [&](unsigned i) { put(v.c, v.vd, i, s, call_helper(o.cls, &v.c, box(get(v.src, v.vs2, i, s), s))); });
      return kVOk;
    default: return kVIllegal;
  }
}

// FP reductions, in element order (qemu's order for the unordered sum too).
uint64_t reduce(Insn& v, Helper h, bool wide) {
  if (v.vstart != 0 || !aligned(v.vs2, v.lmul)) return kVIllegal;
  if (wide && v.sew != 32) return kVIllegal;
  const unsigned w = wide ? 64 : v.sew;
  if (v.vl == 0) return kVOk;
  uint64_t acc = get(v.src, v.vs1, 0, w);
  each(v, [&](unsigned i) {
    uint64_t e = get(v.src, v.vs2, i, v.sew);
    if (wide) e = call_helper(Helper::fcvt_d_s, &v.c, e | kBox, 0);
    acc = trunc(call_helper(h, &v.c, box(acc, w), box(e, w), kRmDyn), w);
  });
  put(v.c, v.vd, 0, w, acc);
  return kVOk;
}

}  // namespace

uint64_t exec_opf(Insn& v) {
  if (v.vill) return kVIllegal;
  if (v.sew != 32 && v.sew != 64) return kVIllegal;
  if (v.c.frm > 4) return kVIllegal;  // every vector FP instruction uses the dynamic rounding mode
  const unsigned s = v.sew;
  const bool vv = v.f3 == 1;
  const Ops& o = s == 32 ? kOpsS : kOpsD;
  Fpu f{v, s, o};
  switch (v.f6) {
    case 0x00: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(o.add, a, b); });
    case 0x01: return vv ? reduce(v, o.add, false) : kVIllegal;
    case 0x02: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(o.sub, a, b); });
    case 0x03: return vv ? reduce(v, o.add, false) : kVIllegal;
    case 0x04: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return trunc(f.cmp(o.min, a, b), s); });
    case 0x05: return vv ? reduce(v, o.min, false) : kVIllegal;
    case 0x06: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return trunc(f.cmp(o.max, a, b), s); });
    case 0x07: return vv ? reduce(v, o.max, false) : kVIllegal;
    case 0x08: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return trunc(f.cmp(o.sgnj, a, b), s); });
    case 0x09: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return trunc(f.cmp(o.sgnjn, a, b), s); });
    case 0x0a: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return trunc(f.cmp(o.sgnjx, a, b), s); });
    case 0x0e: return vv ? kVIllegal : slide1(v, true, fscalar(v, v.vs1));
    case 0x0f: return vv ? kVIllegal : slide1(v, false, fscalar(v, v.vs1));
    case 0x10:
      if (vv) {  // vfmv.f.s
        if (v.vs1 != 0 || !v.vm) return kVIllegal;
        uint64_t e = get(v.src, v.vs2, 0, s);
        v.c.f[v.vd] = s == 32 ? e | kBox : e;
        return kVOk;
      }
      if (v.vs2 != 0 || !v.vm) return kVIllegal;  // vfmv.s.f
      if (v.vl > 0 && v.vstart < v.vl) put(v.c, v.vd, 0, s, fscalar(v, v.vs1));
      return kVOk;
    case 0x12: return vv ? convert(v) : kVIllegal;
    case 0x13: return vv ? unary1(v, o) : kVIllegal;
    case 0x17: {  // vfmerge.vfm / vfmv.v.f
      if (vv || (v.vm && v.vs2 != 0)) return kVIllegal;
      if (!aligned(v.vd, v.lmul) || (!v.vm && (v.vd == 0 || !aligned(v.vs2, v.lmul)))) return kVIllegal;
      uint64_t b = fscalar(v, v.vs1);
      for (unsigned i = v.vstart; i < v.vl; ++i)
        put(v.c, v.vd, i, s, v.vm || mask_bit(v.src, 0, i) ? b : get(v.src, v.vs2, i, s));
      return kVOk;
    }
    case 0x18: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(o.eq, a, b); });
    case 0x19: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(o.le, a, b); });
    case 0x1b: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(o.lt, a, b); });
    case 0x1c: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(o.eq, a, b) ^ 1; });
    case 0x1d: return vv ? kVIllegal : compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(o.lt, b, a); });
    case 0x1f: return vv ? kVIllegal : compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(o.le, b, a); });
    case 0x20: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(o.div, a, b); });
    case 0x21: return vv ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(o.div, b, a); });
    case 0x24: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(o.mul, a, b); });
    case 0x27: return vv ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(o.sub, b, a); });
    // a = vs2, b = vs1 or f[rs1], d = vd.
    case 0x28: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.madd, b, d, a); });
    case 0x29: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.nmadd, b, d, a); });
    case 0x2a: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.msub, b, d, a); });
    case 0x2b: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.nmsub, b, d, a); });
    case 0x2c: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.madd, b, a, d); });
    case 0x2d: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.nmadd, b, a, d); });
    case 0x2e: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.msub, b, a, d); });
    case 0x2f: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(o.nmsub, b, a, d); });
    default: break;
  }
  // Widening forms (f32 -> f64).
  auto d2 = [&](Helper h, uint64_t a, uint64_t b) { return call_helper(h, &v.c, a, b, kRmDyn); };
  auto d3 = [&](Helper h, uint64_t a, uint64_t b, uint64_t c) { return call_helper(h, &v.c, a, b, c, kRmDyn); };
  switch (v.f6) {
    case 0x30: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return d2(Helper::fadd_d, a, b); });
    case 0x31: return vv ? reduce(v, Helper::fadd_d, true) : kVIllegal;
    case 0x32: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return d2(Helper::fsub_d, a, b); });
    case 0x33: return vv ? reduce(v, Helper::fadd_d, true) : kVIllegal;
    case 0x34: return widening(v, true, [&](uint64_t a, uint64_t b, uint64_t) { return d2(Helper::fadd_d, a, b); });
    case 0x36: return widening(v, true, [&](uint64_t a, uint64_t b, uint64_t) { return d2(Helper::fsub_d, a, b); });
    case 0x38: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return d2(Helper::fmul_d, a, b); });
    case 0x3c: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d3(Helper::fmadd_d, b, a, d); });
    case 0x3d: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d3(Helper::fnmadd_d, b, a, d); });
    case 0x3e: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d3(Helper::fmsub_d, b, a, d); });
    case 0x3f: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d3(Helper::fnmsub_d, b, a, d); });
    default: return kVIllegal;
  }
}

}  // namespace mimic::riscv::vec
