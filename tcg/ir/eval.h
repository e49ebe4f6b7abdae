// The scalar semantics of the IR ops, in one place: the interpreter and the constant folder both
// evaluate through these functions, so folding can never disagree with execution.
//
// Values are carried as uint64_t holding the bit pattern of the value, zero-extended: an I32 or
// F32 lives in the low 32 bits with the high 32 bits clear. V128 is a pair of uint64_t.
// Floating-point operations use SSE instructions through inline asm rather than C++ operators,
// because the compiler may commute `a + b` and the NaN an SSE op returns depends on the order.
#pragma once

#include <immintrin.h>

#include <bit>
#include <cstdint>

#include "tcg/ir/ir.h"

namespace mimic::tcg::eval {

struct V128 {
  uint64_t lo = 0, hi = 0;
  bool operator==(const V128&) const = default;
};

constexpr uint64_t width_mask(unsigned bits) { return bits >= 64 ? ~0ull : (1ull << bits) - 1; }
constexpr uint64_t type_mask(Type t) { return type_bits(t) == 32 ? 0xffffffffull : ~0ull; }
constexpr int64_t sext_bits(uint64_t v, unsigned bits) {
  return bits >= 64 ? int64_t(v) : int64_t(v << (64 - bits)) >> (64 - bits);
}
constexpr int64_t as_signed(Type t, uint64_t v) { return sext_bits(v, type_bits(t)); }

// SetCond/BrCond: `a <c> b` compared as values of integer type t.
constexpr bool compare(Cond c, Type t, uint64_t a, uint64_t b) {
  a &= type_mask(t);
  b &= type_mask(t);
  const int64_t sa = as_signed(t, a), sb = as_signed(t, b);
  switch (c) {
    case Cond::Eq: return a == b;
    case Cond::Ne: return a != b;
    case Cond::LtS: return sa < sb;
    case Cond::LeS: return sa <= sb;
    case Cond::GtS: return sa > sb;
    case Cond::GeS: return sa >= sb;
    case Cond::LtU: return a < b;
    case Cond::LeU: return a <= b;
    case Cond::GtU: return a > b;
    case Cond::GeU: return a >= b;
    case Cond::TstEq: return (a & b) == 0;
    case Cond::TstNe: return (a & b) != 0;
  }
  return false;
}

// ---- floating point through SSE ----
inline float f32(uint64_t v) { return std::bit_cast<float>(uint32_t(v)); }
inline double f64(uint64_t v) { return std::bit_cast<double>(v); }
inline uint64_t bits(float f) { return std::bit_cast<uint32_t>(f); }
inline uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }

#define MIMIC_SSE_BINOP(fn, insn_s, insn_d)   \
  inline float fn(float a, float b) {         \
    asm(insn_s " %1, %0" : "+x"(a) : "x"(b)); \
    return a;                                 \
  }                                           \
  inline double fn(double a, double b) {      \
    asm(insn_d " %1, %0" : "+x"(a) : "x"(b)); \
    return a;                                 \
  }
MIMIC_SSE_BINOP(sse_add, "addss", "addsd")
MIMIC_SSE_BINOP(sse_sub, "subss", "subsd")
MIMIC_SSE_BINOP(sse_mul, "mulss", "mulsd")
MIMIC_SSE_BINOP(sse_div, "divss", "divsd")
#undef MIMIC_SSE_BINOP

// Fused multiply-add (FMA3, encoded by the assembler whatever -m flags say; callers check the host).
inline float sse_fma(float a, float b, float c) {
  asm("vfmadd231ss %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
  return c;
}
inline double sse_fma(double a, double b, double c) {
  asm("vfmadd231sd %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
  return c;
}
inline float sse_sqrt(float a) {
  float r = 0;
  asm("sqrtss %1, %0" : "+x"(r) : "x"(a));
  return r;
}
inline double sse_sqrt(double a) {
  double r = 0;
  asm("sqrtsd %1, %0" : "+x"(r) : "x"(a));
  return r;
}
inline double sse_f32_to_f64(float a) {
  double r = 0;
  asm("cvtss2sd %1, %0" : "+x"(r) : "x"(a));
  return r;
}
inline float sse_f64_to_f32(double a) {
  float r = 0;
  asm("cvtsd2ss %1, %0" : "+x"(r) : "x"(a));
  return r;
}

// FCmp: ordered conditions are false on NaN; Ne is "unordered or not equal". Quiet compares
// (isless/islessequal, ucomis), as the backend: only signalling NaNs raise IE.
inline bool fcompare(FCond c, Type t, uint64_t a, uint64_t b) {
  const double x = t == Type::F32 ? double(f32(a)) : f64(a);
  const double y = t == Type::F32 ? double(f32(b)) : f64(b);
  const bool uno = x != x || y != y;
  switch (c) {
    case FCond::Eq: return x == y;
    case FCond::Lt: return __builtin_isless(x, y);
    case FCond::Le: return __builtin_islessequal(x, y);
    case FCond::Uno: return uno;
    case FCond::Ne: return !(x == y);
    case FCond::Ord: return !uno;
  }
  return false;
}

// FToSI: truncating conversion with the x86 "integer indefinite" for NaN and out-of-range.
inline uint64_t float_to_int(Type to, Type from, uint64_t a) {
  if (to == Type::I32) {
    const int32_t r = from == Type::F32 ? _mm_cvttss_si32(_mm_set_ss(f32(a))) : _mm_cvttsd_si32(_mm_set_sd(f64(a)));
    return uint32_t(r);
  }
  return uint64_t(from == Type::F32 ? _mm_cvttss_si64(_mm_set_ss(f32(a))) : _mm_cvttsd_si64(_mm_set_sd(f64(a))));
}

// ---- integer helpers ----
inline uint64_t mul_high(Opcode op, Type t, uint64_t a, uint64_t b) {
  if (t == Type::I32) {
    int64_t p = 0;
    switch (op) {
      case Opcode::MulHS: p = int64_t(int32_t(a)) * int64_t(int32_t(b)); break;
      case Opcode::MulHU: p = int64_t(uint64_t(uint32_t(a)) * uint32_t(b)); break;
      default: p = int64_t(int32_t(a)) * int64_t(uint32_t(b)); break;  // MulHSU
    }
    return uint64_t(p >> 32);
  }
  switch (op) {
    case Opcode::MulHS: return uint64_t((__int128(int64_t(a)) * __int128(int64_t(b))) >> 64);
    case Opcode::MulHU: return uint64_t((unsigned __int128)a * b >> 64);
    default: return uint64_t((__int128(int64_t(a)) * __int128(b)) >> 64);  // MulHSU
  }
}

// Carry/borrow/overflow ops, computed exactly in 128 bits.
inline uint64_t carry_op(Opcode op, Type t, uint64_t a, uint64_t b, uint64_t cin) {
  const unsigned w = type_bits(t);
  cin &= 1;
  const __int128 sa = as_signed(t, a), sb = as_signed(t, b);
  const __int128 smin = -(__int128(1) << (w - 1)), smax = (__int128(1) << (w - 1)) - 1;
  switch (op) {
    case Opcode::AddCarry: return uint64_t((((unsigned __int128)a + b + cin) >> w) & 1);
    case Opcode::AddOverflow: {
      const __int128 r = sa + sb + __int128(cin);
      return r < smin || r > smax;
    }
    case Opcode::SubBorrow: return (unsigned __int128)a < (unsigned __int128)b + cin;
    default: {  // SubOverflow
      const __int128 r = sa - sb - __int128(cin);
      return r < smin || r > smax;
    }
  }
}

// The integer and scalar-float ops: every op whose result depends only on its operands and that
// neither touches memory, state nor control flow. Returns false for any other op.
// `a` holds the operand values (immediates included), `a0_type` the type of operand 0 (the
// compared type of SetCond, the source type of conversions).
inline bool scalar(Opcode op, Type t, Type a0_type, const uint64_t* a, uint64_t& out) {
  const unsigned w = type_bits(t);
  const uint64_t m = type_mask(t);
  const uint64_t x = a[0], y = a[1];
  const unsigned sh = unsigned(y) & (w - 1);
  uint64_t r = 0;
  switch (op) {
    case Opcode::Mov: r = x; break;
    case Opcode::Add: r = x + y; break;
    case Opcode::Sub: r = x - y; break;
    case Opcode::Neg: r = 0 - x; break;
    case Opcode::Mul: r = x * y; break;
    case Opcode::MulHS:
    case Opcode::MulHU:
    case Opcode::MulHSU: r = mul_high(op, t, x & m, y & m); break;
    case Opcode::DivS: {
      const int64_t sx = as_signed(t, x), sy = as_signed(t, y);
      if (sy == 0)
        r = ~0ull;
      else if (sy == -1)
        r = uint64_t(0) - uint64_t(sx);  // MIN / -1 wraps back to MIN
      else
        r = uint64_t(sx / sy);
      break;
    }
    case Opcode::DivU: r = (y & m) == 0 ? ~0ull : (x & m) / (y & m); break;
    case Opcode::RemS: {
      const int64_t sx = as_signed(t, x), sy = as_signed(t, y);
      if (sy == 0)
        r = x;
      else if (sy == -1)
        r = 0;
      else
        r = uint64_t(sx % sy);
      break;
    }
    case Opcode::RemU: r = (y & m) == 0 ? x : (x & m) % (y & m); break;
    case Opcode::AddC: r = x + y + (a[2] & 1); break;
    case Opcode::SubB: r = x - y - (a[2] & 1); break;
    case Opcode::AddCarry:
    case Opcode::AddOverflow:
    case Opcode::SubBorrow:
    case Opcode::SubOverflow: r = carry_op(op, t, x & m, y & m, a[2]); break;
    case Opcode::And: r = x & y; break;
    case Opcode::Or: r = x | y; break;
    case Opcode::Xor: r = x ^ y; break;
    case Opcode::Not: r = ~x; break;
    case Opcode::AndC: r = x & ~y; break;
    case Opcode::OrC: r = x | ~y; break;
    case Opcode::Shl: r = x << sh; break;
    case Opcode::Shr: r = (x & m) >> sh; break;
    case Opcode::Sar: r = uint64_t(as_signed(t, x) >> sh); break;
    case Opcode::Rotl: r = sh == 0 ? x : ((x & m) << sh) | ((x & m) >> (w - sh)); break;
    case Opcode::Rotr: r = sh == 0 ? x : ((x & m) >> sh) | ((x & m) << (w - sh)); break;
    case Opcode::ZExt: r = x & width_mask(unsigned(y)); break;
    case Opcode::SExt: r = uint64_t(sext_bits(x, unsigned(y))); break;
    case Opcode::ZExt32To64: r = x & 0xffffffffull; break;
    case Opcode::SExt32To64: r = uint64_t(sext_bits(x, 32)); break;
    case Opcode::Trunc64To32: r = x; break;
    case Opcode::Extract: r = ((x & m) >> y) & width_mask(unsigned(a[2])); break;
    case Opcode::SExtract: r = uint64_t(sext_bits((x & m) >> y, unsigned(a[2]))); break;
    case Opcode::Deposit: {
      const uint64_t field = width_mask(unsigned(a[3])) << a[2];
      r = (x & ~field) | ((y << a[2]) & field);
      break;
    }
    case Opcode::Bswap16: r = __builtin_bswap16(uint16_t(x)); break;
    case Opcode::Bswap32: r = __builtin_bswap32(uint32_t(x)); break;
    case Opcode::Bswap64: r = __builtin_bswap64(x); break;
    case Opcode::Clz:
      r = (x & m) == 0 ? w : w == 32 ? unsigned(__builtin_clz(uint32_t(x))) : unsigned(__builtin_clzll(x));
      break;
    case Opcode::Ctz: r = (x & m) == 0 ? w : unsigned(__builtin_ctzll(x & m)); break;
    case Opcode::Popcnt: r = unsigned(__builtin_popcountll(x & m)); break;
    case Opcode::SetCond: r = compare(Cond(a[2]), a0_type, x, y); break;
    case Opcode::Select: r = x != 0 ? y : a[2]; break;
    case Opcode::FAdd: r = t == Type::F32 ? bits(sse_add(f32(x), f32(y))) : bits(sse_add(f64(x), f64(y))); break;
    case Opcode::FSub: r = t == Type::F32 ? bits(sse_sub(f32(x), f32(y))) : bits(sse_sub(f64(x), f64(y))); break;
    case Opcode::FMul: r = t == Type::F32 ? bits(sse_mul(f32(x), f32(y))) : bits(sse_mul(f64(x), f64(y))); break;
    case Opcode::FDiv: r = t == Type::F32 ? bits(sse_div(f32(x), f32(y))) : bits(sse_div(f64(x), f64(y))); break;
    case Opcode::FMA:
      r = t == Type::F32 ? bits(sse_fma(f32(x), f32(y), f32(a[2]))) : bits(sse_fma(f64(x), f64(y), f64(a[2])));
      break;
    case Opcode::FSqrt: r = t == Type::F32 ? bits(sse_sqrt(f32(x))) : bits(sse_sqrt(f64(x))); break;
    case Opcode::FNeg: r = x ^ (t == Type::F32 ? 0x80000000ull : 0x8000000000000000ull); break;
    case Opcode::FAbs: r = x & (t == Type::F32 ? 0x7fffffffull : 0x7fffffffffffffffull); break;
    case Opcode::FCmp: r = fcompare(FCond(a[2]), a0_type, x, y); break;
    case Opcode::FToSI: r = float_to_int(t, a0_type, x); break;
    case Opcode::SIToF: {
      const int64_t s = as_signed(a0_type, x);
      // int32 -> float/double goes through int64 exactly, so one rounding happens, like cvtsi2ss.
      r = t == Type::F32 ? bits(float(s)) : bits(double(s));
      break;
    }
    case Opcode::FConv:
      if (t == a0_type)
        r = x;
      else
        r = t == Type::F64 ? bits(sse_f32_to_f64(f32(x))) : bits(sse_f64_to_f32(f64(x)));
      break;
    case Opcode::Bitcast: r = x; break;
    default: return false;
  }
  out = r & m;
  return true;
}

// AtomicRmw: the new memory value for `old <op> v`, both of 1 << size_log2 bytes.
constexpr uint64_t rmw(RmwOp op, unsigned size_log2, uint64_t old, uint64_t v) {
  const unsigned w = 8u << size_log2;
  const uint64_t m = width_mask(w);
  old &= m;
  v &= m;
  switch (op) {
    case RmwOp::Xchg: return v;
    case RmwOp::Add: return (old + v) & m;
    case RmwOp::And: return old & v;
    case RmwOp::Or: return old | v;
    case RmwOp::Xor: return old ^ v;
    case RmwOp::SMin: return sext_bits(old, w) <= sext_bits(v, w) ? old : v;
    case RmwOp::SMax: return sext_bits(old, w) >= sext_bits(v, w) ? old : v;
    case RmwOp::UMin: return old <= v ? old : v;
    case RmwOp::UMax: return old >= v ? old : v;
  }
  return v;
}

// A loaded value of MemOp size, extended to type t as the MemOp's sign bit says.
constexpr uint64_t extend_loaded(uint64_t raw, uint64_t memop, Type t) {
  if (!is_int(t)) return raw;
  const unsigned w = 8u * MemOp::size_bytes(memop);
  raw &= width_mask(w);
  if (MemOp::is_signed(memop)) raw = uint64_t(sext_bits(raw, w));
  return raw & type_mask(t);
}

// ---- 128-bit vector lanes (esize_log2: 0 = 8-bit lanes ... 3 = 64-bit lanes) ----
constexpr uint64_t lane_get(const V128& v, unsigned lane, unsigned esize_log2) {
  const unsigned w = 8u << esize_log2;
  const unsigned bit = lane * w;
  const uint64_t half = bit < 64 ? v.lo : v.hi;
  return (half >> (bit & 63)) & width_mask(w);
}
constexpr void lane_set(V128& v, unsigned lane, unsigned esize_log2, uint64_t x) {
  const unsigned w = 8u << esize_log2;
  const unsigned bit = lane * w;
  uint64_t& half = bit < 64 ? v.lo : v.hi;
  const uint64_t field = width_mask(w) << (bit & 63);
  half = (half & ~field) | ((x << (bit & 63)) & field);
}
constexpr V128 lanewise_add(V128 a, const V128& b, unsigned esize_log2, bool subtract) {
  const unsigned lanes = 16u >> esize_log2;
  for (unsigned i = 0; i < lanes; ++i) {
    const uint64_t x = lane_get(a, i, esize_log2), y = lane_get(b, i, esize_log2);
    lane_set(a, i, esize_log2, subtract ? x - y : x + y);
  }
  return a;
}
constexpr V128 dup(uint64_t x, unsigned esize_log2) {
  V128 r;
  for (unsigned i = 0; i < (16u >> esize_log2); ++i) lane_set(r, i, esize_log2, x);
  return r;
}

// The lane-wise vector ops with one per-lane function (VCmp, VMin*, VMax*, VMul, shifts by immediate).
template <class F>
constexpr V128 lanewise(const V128& a, const V128& b, unsigned esize_log2, F f) {
  V128 r;
  for (unsigned i = 0; i < (16u >> esize_log2); ++i)
    lane_set(r, i, esize_log2, f(lane_get(a, i, esize_log2), lane_get(b, i, esize_log2)));
  return r;
}
constexpr V128 vcmp(const V128& a, const V128& b, Cond c, unsigned esize_log2) {
  const Type t = esize_log2 == 3 ? Type::I64 : Type::I32;
  const unsigned w = 8u << esize_log2;
  return lanewise(a, b, esize_log2, [&](uint64_t x, uint64_t y) -> uint64_t {
    // Sign-extend the lanes so the I32/I64 compare sees them as lane-width integers; unsigned
    // order is unchanged by sign-extending both.
    const uint64_t sx = uint64_t(sext_bits(x, w)), sy = uint64_t(sext_bits(y, w));
    return compare(c, t, sx, sy) ? ~0ull : 0;
  });
}
constexpr V128 vminmax(const V128& a, const V128& b, unsigned esize_log2, bool is_signed, bool is_max) {
  const unsigned w = 8u << esize_log2;
  return lanewise(a, b, esize_log2, [&](uint64_t x, uint64_t y) {
    const bool less = is_signed ? sext_bits(x, w) < sext_bits(y, w) : x < y;
    return (less != is_max) ? x : y;
  });
}
constexpr V128 vmul(const V128& a, const V128& b, unsigned esize_log2) {
  return lanewise(a, b, esize_log2, [](uint64_t x, uint64_t y) { return x * y; });
}
// kind: 0 shl, 1 logical shr, 2 arithmetic shr; sh in [0, lane width].
constexpr V128 vshift_imm(const V128& a, unsigned sh, unsigned esize_log2, int kind) {
  const unsigned w = 8u << esize_log2;
  return lanewise(a, a, esize_log2, [&](uint64_t x, uint64_t) -> uint64_t {
    if (kind == 2) return uint64_t(sext_bits(x, w) >> (sh >= w ? w - 1 : sh));
    if (sh >= w) return 0;
    return kind == 0 ? x << sh : x >> sh;
  });
}
constexpr V128 vnarrow(const V128& a, unsigned esize_log2) {
  V128 r;
  for (unsigned i = 0; i < (16u >> esize_log2); ++i) lane_set(r, i, esize_log2 - 1, lane_get(a, i, esize_log2));
  return r;
}
constexpr V128 vzero_high(const V128& a) { return V128{a.lo, 0}; }
constexpr V128 vuzp(const V128& a, const V128& b, unsigned esize_log2, bool odd) {
  V128 r;
  const unsigned n = 16u >> esize_log2;  // lanes per operand
  for (unsigned i = 0; i < n; ++i) {
    const unsigned j = 2 * i + unsigned(odd);
    lane_set(r, i, esize_log2, j < n ? lane_get(a, j, esize_log2) : lane_get(b, j - n, esize_log2));
  }
  return r;
}
constexpr V128 vwiden(const V128& a, unsigned esize_log2, bool high, bool is_signed) {
  V128 r;
  const unsigned n = 8u >> esize_log2, w = 8u << esize_log2;
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t x = lane_get(a, i + (high ? n : 0), esize_log2);
    lane_set(r, i, esize_log2 + 1, is_signed ? uint64_t(sext_bits(x, w)) : x);
  }
  return r;
}

// ---- float lanes (esize_log2 2: binary32, 3: binary64): each lane is the scalar op on SSE, so
// results, NaNs and MXCSR flags are those of the packed host instruction ----
inline V128 vfbin(Opcode op, const V128& a, const V128& b, unsigned esize_log2) {
  const Type t = esize_log2 == 3 ? Type::F64 : Type::F32;
  const Opcode scalar_op = op == Opcode::VFAdd   ? Opcode::FAdd
                           : op == Opcode::VFSub ? Opcode::FSub
                           : op == Opcode::VFMul ? Opcode::FMul
                                                 : Opcode::FDiv;
  V128 r;
  for (unsigned i = 0; i < (16u >> esize_log2); ++i) {
    const uint64_t x[2] = {lane_get(a, i, esize_log2), lane_get(b, i, esize_log2)};
    uint64_t out = 0;
    scalar(scalar_op, t, t, x, out);
    lane_set(r, i, esize_log2, out);
  }
  return r;
}
inline V128 vfma(const V128& a, const V128& b, const V128& c, unsigned esize_log2) {
  const Type t = esize_log2 == 3 ? Type::F64 : Type::F32;
  V128 r;
  for (unsigned i = 0; i < (16u >> esize_log2); ++i) {
    const uint64_t x[3] = {lane_get(a, i, esize_log2), lane_get(b, i, esize_log2), lane_get(c, i, esize_log2)};
    uint64_t out = 0;
    scalar(Opcode::FMA, t, t, x, out);
    lane_set(r, i, esize_log2, out);
  }
  return r;
}
// NaN: the magnitude bits above those of infinity; the smallest normal: exponent 1, fraction 0.
constexpr bool vfspecial(const V128& a, unsigned esize_log2) {
  const unsigned w = 8u << esize_log2;
  const uint64_t mag = width_mask(w - 1), inf = w == 64 ? 0x7ff0000000000000ull : 0x7f800000ull;
  const uint64_t min_normal = w == 64 ? 0x0010000000000000ull : 0x00800000ull;
  for (unsigned i = 0; i < (16u >> esize_log2); ++i) {
    const uint64_t m = lane_get(a, i, esize_log2) & mag;
    if (m > inf || m == min_normal) return true;
  }
  return false;
}

}  // namespace mimic::tcg::eval
