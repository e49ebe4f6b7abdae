// Vector floating point (OPFVV/OPFVF) at SEW 16, 32 and 64 (half precision as qemu 7.2 has it).
// Single and double elements go through the scalar F/D helpers (helpers.cpp), so vector and
// scalar results, NaNs, flags and rounding modes (RMM included) are the same code; half precision
// is vector_f16.cpp. vfrec7/vfrsqrt7 and round-to-odd are here.
#include <cmath>
#include <cstring>

#include "target/riscv/helpers.h"
#include "target/riscv/vector.h"
#include "target/riscv/vector_f16.h"

namespace mimic::riscv::vec {

uint64_t slide1(Insn& v, bool up, uint64_t scalar);  // vector_int.cpp

namespace {

template <class F>
inline F barrier(F v) {
  asm volatile("" : "+x"(v));
  return v;
}
template <class F>
F bits_to(uint64_t u) {
  F f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
template <class F>
uint64_t to_bits(F f) {
  std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t> u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

constexpr uint64_t kRmDyn = 7, kRmRtz = 1;
constexpr uint64_t kBox = 0xffffffff00000000ull;

// A 32- or 64-bit element as the scalar helpers take it (f32 NaN-boxed).
uint64_t box(uint64_t e, unsigned sew) { return sew == 32 ? e | kBox : e; }
// The SEW bits of f[r]; a value not NaN-boxed to SEW reads as the canonical NaN.
uint64_t fscalar(const Insn& v, unsigned r) {
  uint64_t f = v.c.f[r];
  if (v.sew == 64) return f;
  if (v.sew == 32) return (f >> 32) == 0xffffffffu ? uint32_t(f) : 0x7fc00000u;
  return (f >> 16) == 0xffffffffffffull ? uint16_t(f) : f16::kCanon;
}

struct Ops {
  Helper add, sub, mul, div, sqrt, min, max, madd, msub, nmsub, nmadd, eq, lt, le, cls;
  Helper to_u, to_s, from_u, from_s;  // same-width conversions
};
constexpr Ops kOpsS = {Helper::fadd_s,    Helper::fsub_s,   Helper::fmul_s,    Helper::fdiv_s,  Helper::fsqrt_s,
                       Helper::fmin_s,    Helper::fmax_s,   Helper::fmadd_s,   Helper::fmsub_s, Helper::fnmsub_s,
                       Helper::fnmadd_s,  Helper::feq_s,    Helper::flt_s,     Helper::fle_s,   Helper::fclass_s,
                       Helper::fcvt_wu_s, Helper::fcvt_w_s, Helper::fcvt_s_wu, Helper::fcvt_s_w};
constexpr Ops kOpsD = {Helper::fadd_d,    Helper::fsub_d,   Helper::fmul_d,    Helper::fdiv_d,  Helper::fsqrt_d,
                       Helper::fmin_d,    Helper::fmax_d,   Helper::fmadd_d,   Helper::fmsub_d, Helper::fnmsub_d,
                       Helper::fnmadd_d,  Helper::feq_d,    Helper::flt_d,     Helper::fle_d,   Helper::fclass_d,
                       Helper::fcvt_lu_d, Helper::fcvt_l_d, Helper::fcvt_d_lu, Helper::fcvt_d_l};

enum class Fused { Madd, Msub, Nmsub, Nmadd };  // x*y+z, x*y-z, -x*y+z, -x*y-z

// The element operations of one SEW: the scalar helpers for 32 and 64, vector_f16 for 16.
struct Fpu {
  Insn& v;
  unsigned sew;
  const Ops& o;
  // Host arithmetic inline under the instruction's HostRound (exec_opf): SEW 32/64, frm not RMM.
  bool host = false;
  uint64_t h(Helper fn, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
    return call_helper(fn, &v.c, a, b, c, d);
  }
  template <class F>
  static F host_op(f16::Op op, F x, F y, F z) {
    x = barrier(x), y = barrier(y), z = barrier(z);
    switch (op) {
      case f16::Op::Add: return barrier(x + y);
      case f16::Op::Sub: return barrier(x - y);
      case f16::Op::Mul: return barrier(x * y);
      case f16::Op::Div: return barrier(x / y);
      case f16::Op::Sqrt: return barrier(std::sqrt(x));
      default: return barrier(std::fma(x, y, z));
    }
  }
  // The host's result; any NaN becomes the canonical one. RISC-V's flags are the host's (SSE
  // detects tininess after rounding too), except 0 * inf + qNaN, invalid only on RISC-V.
  uint64_t inline_op(f16::Op op, uint64_t a, uint64_t b, uint64_t c) {
    if (sew == 32) {
      float x = bits_to<float>(a), y = bits_to<float>(b), z = bits_to<float>(c);
      if (op == f16::Op::Fma && ((std::isinf(x) && y == 0) || (x == 0 && std::isinf(y)))) v.c.fflags |= kFlagNV;
      float r = host_op(op, x, y, z);
      return std::isnan(r) ? 0x7fc00000u : to_bits(r);
    }
    double x = bits_to<double>(a), y = bits_to<double>(b), z = bits_to<double>(c);
    if (op == f16::Op::Fma && ((std::isinf(x) && y == 0) || (x == 0 && std::isinf(y)))) v.c.fflags |= kFlagNV;
    double r = host_op(op, x, y, z);
    return std::isnan(r) ? 0x7ff8000000000000ull : to_bits(r);
  }
  uint64_t bin(f16::Op op, uint64_t a, uint64_t b) {
    if (sew == 16) return f16::arith(op, uint16_t(a), uint16_t(b), 0, v.c.frm, v.c.fflags);
    if (host) return inline_op(op, a, b, 0);
    Helper fn = op == f16::Op::Add ? o.add : op == f16::Op::Sub ? o.sub : op == f16::Op::Mul ? o.mul : o.div;
    return trunc(h(fn, box(a, sew), box(b, sew), kRmDyn), sew);
  }
  uint64_t sqrt(uint64_t a) {
    if (sew == 16) return f16::arith(f16::Op::Sqrt, uint16_t(a), 0, 0, v.c.frm, v.c.fflags);
    if (host) return inline_op(f16::Op::Sqrt, a, 0, 0);
    return trunc(h(o.sqrt, box(a, sew), kRmDyn), sew);
  }
  uint64_t fused(Fused k, uint64_t x, uint64_t y, uint64_t z) {
    if (sew == 16) {
      uint16_t sx = (k == Fused::Nmsub || k == Fused::Nmadd) ? 0x8000 : 0;
      uint16_t sz = (k == Fused::Msub || k == Fused::Nmadd) ? 0x8000 : 0;
      return f16::arith(f16::Op::Fma, uint16_t(x ^ sx), uint16_t(y), uint16_t(z ^ sz), v.c.frm, v.c.fflags);
    }
    if (host) {
      const uint64_t sign = 1ull << (sew - 1);
      bool neg_prod = k == Fused::Nmsub || k == Fused::Nmadd, neg_add = k == Fused::Msub || k == Fused::Nmadd;
      return inline_op(f16::Op::Fma, neg_prod ? x ^ sign : x, y, neg_add ? z ^ sign : z);
    }
    Helper fn = k == Fused::Madd ? o.madd : k == Fused::Msub ? o.msub : k == Fused::Nmsub ? o.nmsub : o.nmadd;
    return trunc(h(fn, box(x, sew), box(y, sew), box(z, sew), kRmDyn), sew);
  }
  uint64_t min_max(bool is_max, uint64_t a, uint64_t b) {
    if (sew == 16) return f16::min_max(uint16_t(a), uint16_t(b), is_max, v.c.fflags);
    return trunc(h(is_max ? o.max : o.min, box(a, sew), box(b, sew)), sew);
  }
  bool cmp(int kind, uint64_t a, uint64_t b) {  // 0 eq, 1 lt, 2 le
    if (sew == 16) return f16::compare(uint16_t(a), uint16_t(b), kind, v.c.fflags);
    return h(kind == 0 ? o.eq : kind == 1 ? o.lt : o.le, box(a, sew), box(b, sew)) != 0;
  }
  uint64_t cls(uint64_t a) { return sew == 16 ? f16::classify(uint16_t(a)) : h(o.cls, box(a, sew)); }
  // Sign injection on raw bits: 0 sgnj, 1 sgnjn, 2 sgnjx.
  uint64_t sgnj(int kind, uint64_t a, uint64_t b) const {
    const uint64_t sign = 1ull << (sew - 1);
    uint64_t sb = kind == 0 ? b & sign : kind == 1 ? ~b & sign : (a ^ b) & sign;
    return (a & ~sign) | sb;
  }
  // An element widened exactly to 2 * SEW (a signalling NaN raises NV).
  uint64_t widen(uint64_t e) {
    if (sew == 16) return f16::to_f32(uint16_t(e), v.c.fflags);
    return h(Helper::fcvt_d_s, e | kBox, 0);
  }
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

// vd[i] = fn(vs2[i], op[i], vd[i]) for the active elements.
template <class Fn>
uint64_t binary(Insn& v, Fn fn) {
  if (!legal_sss(v)) return kVIllegal;
  each(v, [&](unsigned i) {
    put(v.c, v.vd, i, v.sew, fn(get(v.src, v.vs2, i, v.sew), fop(v, i), get(v.src, v.vd, i, v.sew)));
  });
  return kVOk;
}

template <class Fn>
uint64_t compare(Insn& v, Fn fn) {
  if (!aligned(v.vs2, v.lmul) || (v.f3 == 1 && !aligned(v.vs1, v.lmul))) return kVIllegal;
  if (v.vd != v.vs2 && !no_bad_overlap(v.vd, 0, v.vs2, v.lmul)) return kVIllegal;
  if (v.f3 == 1 && v.vd != v.vs1 && !no_bad_overlap(v.vd, 0, v.vs1, v.lmul)) return kVIllegal;
  each(v, [&](unsigned i) { put_mask(v.c, v.vd, i, fn(get(v.src, v.vs2, i, v.sew), fop(v, i))); });
  return kVOk;
}

// Widening arithmetic (SEW 16 -> 32, 32 -> 64): operands widened exactly, one rounding at 2 * SEW.
// fn(a, b, d) gets vs2 (wide), the other operand (widened) and vd, and the wide Fpu.
template <class Fn>
uint64_t widening(Insn& v, Fpu& f, bool wide_vs2, Fn fn) {
  if (v.sew == 64 || v.lmul >= 3) return kVIllegal;
  const int dl = v.lmul + 1;
  if (!aligned(v.vd, dl) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (wide_vs2 ? !aligned(v.vs2, dl) : (!aligned(v.vs2, v.lmul) || !no_bad_overlap(v.vd, dl, v.vs2, v.lmul)))
    return kVIllegal;
  if (v.f3 == 1 && (!aligned(v.vs1, v.lmul) || !no_bad_overlap(v.vd, dl, v.vs1, v.lmul))) return kVIllegal;
  const unsigned w = 2 * v.sew;
  Fpu wide{v, w, w == 32 ? kOpsS : kOpsD, f.host};
  each(v, [&](unsigned i) {
    uint64_t a = wide_vs2 ? get(v.src, v.vs2, i, w) : f.widen(get(v.src, v.vs2, i, v.sew));
    uint64_t b = f.widen(fop(v, i));
    put(v.c, v.vd, i, w, fn(wide, a, b, get(v.src, v.vd, i, w)));
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
    52,  51,  50,  48,  47,  46,  44,  43,  42,  41,  40,  39,  38,  36,  35,  34, 33, 32, 31, 30, 30,  29,
    28,  27,  26,  25,  24,  23,  23,  22,  21,  20,  19,  19,  18,  17,  16,  16, 15, 14, 14, 13, 12,  12,
    11,  10,  10,  9,   9,   8,   7,   7,   6,   6,   5,   4,   4,   3,   3,   2,  2,  1,  1,  0,  127, 125,
    123, 121, 119, 118, 116, 114, 113, 111, 109, 108, 106, 105, 103, 102, 100, 99, 97, 96, 95, 93, 92,  91,
    90,  88,  87,  86,  85,  84,  83,  82,  80,  79,  78,  77,  76,  75,  74,  73, 72, 71, 70, 70, 69,  68,
    67,  66,  65,  64,  63,  63,  62,  61,  60,  59,  59,  58,  57,  56,  56,  55, 54, 53};

struct Layout {
  unsigned exp_bits, frac_bits;
  uint64_t canon;
};
Layout layout(unsigned sew) {
  return sew == 16   ? Layout{5, 10, f16::kCanon}
         : sew == 32 ? Layout{8, 23, 0x7fc00000u}
                     : Layout{11, 52, 0x7ff8000000000000ull};
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

// Float to a narrower integer (vfncvt.x(u).f.w to 8 or 16 bits, vfcvt at SEW 16): the 64-bit
// conversion of the exact double, then saturation with NV in place of the conversion's own NX.
uint64_t to_narrow_int(Insn& v, double x, unsigned bits, bool sign, uint64_t rm) {
  uint32_t before = v.c.fflags;
  uint64_t d;
  std::memcpy(&d, &x, 8);
  int64_t r = int64_t(call_helper(sign ? Helper::fcvt_l_d : Helper::fcvt_lu_d, &v.c, d, rm));
  const int64_t hi = sign ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
  const int64_t lo = sign ? -hi - 1 : 0;
  if (std::isnan(x) || (sign ? r > hi : uint64_t(r) > uint64_t(hi)) || (sign && r < lo)) {
    v.c.fflags = before | kFlagNV;
    if (std::isnan(x)) return uint64_t(hi);
    return uint64_t(sign ? (r < lo ? lo : hi) : hi);
  }
  return uint64_t(r);
}

// An element of EEW `bits` as the double it holds (exactly).
double fp_value(uint64_t e, unsigned bits) {
  if (bits == 16) return f16::to_double(uint16_t(e));
  if (bits == 32) {
    float f;
    uint32_t u = uint32_t(e);
    std::memcpy(&f, &u, 4);
    return f;
  }
  double d;
  std::memcpy(&d, &e, 8);
  return d;
}

// VFUNARY0: vfcvt, vfwcvt, vfncvt. Integers convert to and from half precision through double
// (exact for the 8-, 16- and 32-bit integers involved).
uint64_t convert(Insn& v, Fpu& f) {
  const unsigned k = v.vs1, s = v.sew;
  const bool rtz = k == 6 || k == 7 || k == 14 || k == 15 || k == 22 || k == 23;
  const uint64_t rm = rtz ? kRmRtz : kRmDyn;
  const unsigned rm_now = rtz ? 1 : v.c.frm;
  if (!(v.vm || v.vd != 0)) return kVIllegal;
  auto run = [&](unsigned dst_w, unsigned src_w, auto fn) -> uint64_t {
    each(v, [&](unsigned i) { put(v.c, v.vd, i, dst_w, trunc(fn(get(v.src, v.vs2, i, src_w)), dst_w)); });
    return kVOk;
  };
  auto int_to_h = [&](int64_t x) { return uint64_t(f16::from_double(double(x), rm_now, false, v.c.fflags)); };
  if (k < 8) {  // same width: 0 xu.f, 1 x.f, 2 f.xu, 3 f.x, 6 rtz.xu.f, 7 rtz.x.f
    if (s == 8 || k == 4 || k == 5) return kVIllegal;
    if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul)) return kVIllegal;
    const bool from_int = k == 2 || k == 3, sign = k & 1;
    if (s == 16)
      return run(16, 16, [&](uint64_t e) {
        if (from_int) return int_to_h(sign ? sext(e, 16) : int64_t(e));
        return to_narrow_int(v, f16::to_double(uint16_t(e)), 16, sign, rm);
      });
    const Ops& o = f.o;
    const Helper fn = from_int ? (sign ? o.from_s : o.from_u) : (sign ? o.to_s : o.to_u);
    return run(s, s, [&](uint64_t e) { return call_helper(fn, &v.c, from_int ? e : box(e, s), rm); });
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
  auto dbits = [](double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
  };
  switch (k) {
    case 8:
    case 9:
    case 14:
    case 15:  // vfwcvt.x(u).f.v: f16 -> 32-bit, f32 -> 64-bit integer
      if (s == 16)
        return run(32, 16, [&](uint64_t e) {
          return call_helper((k & 1) ? Helper::fcvt_w_d : Helper::fcvt_wu_d, &v.c, dbits(fp_value(e, 16)), rm);
        });
      if (s != 32) return kVIllegal;
      return run(64, 32, [&](uint64_t e) {
        return call_helper((k & 1) ? Helper::fcvt_l_s : Helper::fcvt_lu_s, &v.c, e | kBox, rm);
      });
    case 10:
    case 11:  // vfwcvt.f.x(u).v: 8-bit integer -> f16, 16-bit -> f32, 32-bit -> f64 (exact)
      if (s == 8) return run(16, 8, [&](uint64_t e) { return int_to_h(k == 11 ? sext(e, 8) : int64_t(e)); });
      if (s == 16)
        return run(32, 16, [&](uint64_t e) {
          return call_helper(Helper::fcvt_s_w, &v.c, k == 11 ? uint64_t(sext(e, 16)) : e, rm);
        });
      return run(64, 32, [&](uint64_t e) {
        return call_helper(k == 11 ? Helper::fcvt_d_w : Helper::fcvt_d_wu, &v.c, k == 11 ? uint64_t(sext(e, 32)) : e,
                           rm);
      });
    case 12:  // vfwcvt.f.f.v
      if (s == 8) return kVIllegal;
      return run(2 * s, s, [&](uint64_t e) { return f.widen(e); });
    case 16:
    case 17:
    case 22:
    case 23:  // vfncvt.x(u).f.w: to 8-, 16- or 32-bit integers
      if (s == 32)
        return run(32, 64, [&](uint64_t e) {
          return call_helper((k & 1) ? Helper::fcvt_w_d : Helper::fcvt_wu_d, &v.c, e, rm);
        });
      return run(s, 2 * s, [&](uint64_t e) { return to_narrow_int(v, fp_value(e, 2 * s), s, k & 1, rm); });
    case 18:
    case 19:  // vfncvt.f.x(u).w: 32-bit integer -> f16, 64-bit -> f32
      if (s == 16) return run(16, 32, [&](uint64_t e) { return int_to_h(k == 19 ? sext(e, 32) : int64_t(e)); });
      if (s != 32) return kVIllegal;
      return run(32, 64,
                 [&](uint64_t e) { return call_helper(k == 19 ? Helper::fcvt_s_l : Helper::fcvt_s_lu, &v.c, e, rm); });
    case 20:  // vfncvt.f.f.w
      if (s == 16)
        return run(16, 32, [&](uint64_t e) {
          if ((e & 0x7fffffffu) > 0x7f800000u) {  // NaN
            if (!(e & 0x00400000u)) v.c.fflags |= kFlagNV;
            return uint64_t(f16::kCanon);
          }
          return uint64_t(f16::from_double(fp_value(e, 32), rm_now, false, v.c.fflags));
        });
      if (s != 32) return kVIllegal;
      return run(32, 64, [&](uint64_t e) { return call_helper(Helper::fcvt_s_d, &v.c, e, rm); });
    case 21:  // vfncvt.rod.f.f.w: round toward zero, then make an inexact result odd
      if (s == 8) return kVIllegal;
      return run(s, 2 * s, [&](uint64_t e) {
        uint32_t before = v.c.fflags;
        v.c.fflags = 0;
        uint64_t r;
        bool nan = s == 16 ? (e & 0x7fffffffu) > 0x7f800000u : (e & ~(1ull << 63)) > 0x7ff0000000000000ull;
        if (s == 16) {
          if (nan && !(e & 0x00400000u)) v.c.fflags |= kFlagNV;
          r = nan ? f16::kCanon : f16::from_double(fp_value(e, 32), 1, false, v.c.fflags);
        } else {
          r = uint32_t(call_helper(Helper::fcvt_s_d, &v.c, e, kRmRtz));
        }
        if ((v.c.fflags & kFlagNX) && !nan) r |= 1;
        v.c.fflags |= before;
        return r;
      });
    default: return kVIllegal;
  }
}

uint64_t unary1(Insn& v, Fpu& f) {
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
  const unsigned s = v.sew;
  switch (v.vs1) {
    case 0: each(v, [&](unsigned i) { put(v.c, v.vd, i, s, f.sqrt(get(v.src, v.vs2, i, s))); }); return kVOk;
    case 4:
    case 5:
      each(v, [&](unsigned i) {
        uint32_t flags = 0;
        uint64_t e = get(v.src, v.vs2, i, s);
        put(v.c, v.vd, i, s, v.vs1 == 4 ? rsqrt7(v, e, flags) : rec7(v, e, flags));
        v.c.fflags |= flags;
      });
      return kVOk;
    case 16: each(v, [&](unsigned i) { put(v.c, v.vd, i, s, f.cls(get(v.src, v.vs2, i, s))); }); return kVOk;
    default: return kVIllegal;
  }
}

// FP reductions, in element order (qemu's order for the unordered sums too). fn(fpu, acc, e).
template <class Fn>
uint64_t reduce(Insn& v, Fpu& f, bool wide, Fn fn) {
  if (v.vstart != 0 || !aligned(v.vs2, v.lmul)) return kVIllegal;
  if (wide && v.sew == 64) return kVIllegal;
  const unsigned w = wide ? 2 * v.sew : v.sew;
  Fpu acc_fpu{v, w, w == 16 ? f.o : w == 32 ? kOpsS : kOpsD, f.host && w != 16};
  if (v.vl == 0) return kVOk;
  uint64_t acc = get(v.src, v.vs1, 0, w);
  each(v, [&](unsigned i) {
    uint64_t e = get(v.src, v.vs2, i, v.sew);
    acc = fn(acc_fpu, acc, wide ? f.widen(e) : e);
  });
  put(v.c, v.vd, 0, w, acc);
  return kVOk;
}

uint64_t exec_opf_in(Insn& v, bool host) {
  const unsigned s = v.sew;
  const bool vv = v.f3 == 1;
  Fpu f{v, s, s == 32 ? kOpsS : kOpsD, host && s >= 32};
  // SEW 8 has only the conversions from and to 8-bit integers.
  if (s == 8 && !(vv && v.f6 == 0x12 && (v.vs1 == 10 || v.vs1 == 11 || (v.vs1 >= 16 && v.vs1 != 20)))) return kVIllegal;
  using f16::Op;
  auto add = [](Fpu& g, uint64_t a, uint64_t e) { return g.bin(Op::Add, a, e); };
  switch (v.f6) {
    case 0x00: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(Op::Add, a, b); });
    case 0x01:
    case 0x03: return vv ? reduce(v, f, false, add) : kVIllegal;
    case 0x02: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(Op::Sub, a, b); });
    case 0x04: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.min_max(false, a, b); });
    case 0x05:
      return vv ? reduce(v, f, false, [](Fpu& g, uint64_t a, uint64_t e) { return g.min_max(false, a, e); })
                : kVIllegal;
    case 0x06: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.min_max(true, a, b); });
    case 0x07:
      return vv ? reduce(v, f, false, [](Fpu& g, uint64_t a, uint64_t e) { return g.min_max(true, a, e); }) : kVIllegal;
    case 0x08:
    case 0x09:
    case 0x0a: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.sgnj(int(v.f6 - 0x08), a, b); });
    case 0x0e: return vv ? kVIllegal : slide1(v, true, fscalar(v, v.vs1));
    case 0x0f: return vv ? kVIllegal : slide1(v, false, fscalar(v, v.vs1));
    case 0x10:
      if (vv) {  // vfmv.f.s: NaN-boxed to 64 bits
        if (v.vs1 != 0 || !v.vm) return kVIllegal;
        uint64_t e = get(v.src, v.vs2, 0, s);
        v.c.f[v.vd] = s == 64 ? e : e | (~0ull << s);
        return kVOk;
      }
      if (v.vs2 != 0 || !v.vm) return kVIllegal;  // vfmv.s.f
      if (v.vl > 0 && v.vstart < v.vl) put(v.c, v.vd, 0, s, fscalar(v, v.vs1));
      return kVOk;
    case 0x12: return vv ? convert(v, f) : kVIllegal;
    case 0x13: return vv ? unary1(v, f) : kVIllegal;
    case 0x17: {  // vfmerge.vfm / vfmv.v.f
      if (vv || (v.vm && v.vs2 != 0)) return kVIllegal;
      if (!aligned(v.vd, v.lmul) || (!v.vm && (v.vd == 0 || !aligned(v.vs2, v.lmul)))) return kVIllegal;
      uint64_t b = fscalar(v, v.vs1);
      for (unsigned i = v.vstart; i < v.vl; ++i)
        put(v.c, v.vd, i, s, v.vm || mask_bit(v.src, 0, i) ? b : get(v.src, v.vs2, i, s));
      return kVOk;
    }
    case 0x18: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(0, a, b); });
    case 0x19: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(2, a, b); });
    case 0x1b: return compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(1, a, b); });
    case 0x1c: return compare(v, [&](uint64_t a, uint64_t b) { return !f.cmp(0, a, b); });
    case 0x1d: return vv ? kVIllegal : compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(1, b, a); });
    case 0x1f: return vv ? kVIllegal : compare(v, [&](uint64_t a, uint64_t b) { return f.cmp(2, b, a); });
    case 0x20: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(Op::Div, a, b); });
    case 0x21:
      return vv ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(Op::Div, b, a); });
    case 0x24: return binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(Op::Mul, a, b); });
    case 0x27:
      return vv ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b, uint64_t) { return f.bin(Op::Sub, b, a); });
    // a = vs2, b = vs1 or f[rs1], d = vd.
    case 0x28: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Madd, b, d, a); });
    case 0x29: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Nmadd, b, d, a); });
    case 0x2a: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Msub, b, d, a); });
    case 0x2b: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Nmsub, b, d, a); });
    case 0x2c: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Madd, b, a, d); });
    case 0x2d: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Nmadd, b, a, d); });
    case 0x2e: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Msub, b, a, d); });
    case 0x2f: return binary(v, [&](uint64_t a, uint64_t b, uint64_t d) { return f.fused(Fused::Nmsub, b, a, d); });
    // Widening forms.
    case 0x30:
      return widening(v, f, false, [](Fpu& w, uint64_t a, uint64_t b, uint64_t) { return w.bin(Op::Add, a, b); });
    case 0x31:
    case 0x33: return vv ? reduce(v, f, true, add) : kVIllegal;
    case 0x32:
      return widening(v, f, false, [](Fpu& w, uint64_t a, uint64_t b, uint64_t) { return w.bin(Op::Sub, a, b); });
    case 0x34:
      return widening(v, f, true, [](Fpu& w, uint64_t a, uint64_t b, uint64_t) { return w.bin(Op::Add, a, b); });
    case 0x36:
      return widening(v, f, true, [](Fpu& w, uint64_t a, uint64_t b, uint64_t) { return w.bin(Op::Sub, a, b); });
    case 0x38:
      return widening(v, f, false, [](Fpu& w, uint64_t a, uint64_t b, uint64_t) { return w.bin(Op::Mul, a, b); });
    case 0x3c:
      return widening(v, f, false,
                      [](Fpu& w, uint64_t a, uint64_t b, uint64_t d) { return w.fused(Fused::Madd, b, a, d); });
    case 0x3d:
      return widening(v, f, false,
                      [](Fpu& w, uint64_t a, uint64_t b, uint64_t d) { return w.fused(Fused::Nmadd, b, a, d); });
    case 0x3e:
      return widening(v, f, false,
                      [](Fpu& w, uint64_t a, uint64_t b, uint64_t d) { return w.fused(Fused::Msub, b, a, d); });
    case 0x3f:
      return widening(v, f, false,
                      [](Fpu& w, uint64_t a, uint64_t b, uint64_t d) { return w.fused(Fused::Nmsub, b, a, d); });
    default: return kVIllegal;
  }
}

}  // namespace

uint64_t exec_opf(Insn& v) {
  if (v.vill) return kVIllegal;
  if (v.c.frm > 4) return kVIllegal;  // every vector FP instruction uses the dynamic rounding mode
  if (v.c.frm == 4 || v.sew < 32) return exec_opf_in(v, false);  // RMM: the exact scalar helpers
  // One host rounding scope for the whole instruction; the helpers some forms still call keep
  // MXCSR as they found it, so the flags raised inline accumulate across them.
  HostRound scope(v.c.frm);
  uint64_t st = exec_opf_in(v, true);
  v.c.fflags |= scope.flags();
  return st;
}

}  // namespace mimic::riscv::vec
