// Half-precision arithmetic for SEW 16 vector FP (vector_f16.h).
#include "target/riscv/vector_f16.h"

#include <xmmintrin.h>

#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>

#include "target/riscv/cpu.h"

namespace mimic::riscv {

HostRound::HostRound(unsigned rm) : mxcsr_(_mm_getcsr()), saved_(fegetround()) {
  static constexpr int kHost[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST};
  fesetround(kHost[rm <= 4 ? rm : 0]);
  feclearexcept(FE_ALL_EXCEPT);
}
HostRound::~HostRound() {
  fesetround(saved_);
  _mm_setcsr(mxcsr_);
}
uint32_t HostRound::flags() const {
  int e = fetestexcept(FE_ALL_EXCEPT);
  return (e & FE_INVALID ? kFlagNV : 0) | (e & FE_DIVBYZERO ? kFlagDZ : 0) | (e & FE_OVERFLOW ? kFlagOF : 0) |
         (e & FE_UNDERFLOW ? kFlagUF : 0) | (e & FE_INEXACT ? kFlagNX : 0);
}

}  // namespace mimic::riscv

namespace mimic::riscv::f16 {

namespace {

template <class F>
inline F barrier(F v) {
  asm volatile("" : "+x"(v));
  return v;
}

}  // namespace

bool is_nan(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff); }
bool is_snan(uint16_t h) { return is_nan(h) && !(h & 0x200); }

double to_double(uint16_t h) {
  const bool neg = h >> 15;
  const unsigned exp = (h >> 10) & 31, frac = h & 0x3ff;
  double m;
  if (exp == 31)
    m = frac ? (frac & 0x200 ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::signaling_NaN())
             : INFINITY;
  else if (exp == 0)
    m = std::ldexp(double(frac), -24);
  else
    m = std::ldexp(double(1024 + frac), int(exp) - 25);
  return neg ? -m : m;
}

uint16_t from_double(double x, unsigned rm, bool inexact, uint32_t& flags) {
  if (std::isnan(x)) return kCanon;
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (std::isinf(x)) return sign | 0x7c00;
  const double a = std::fabs(x);
  if (a == 0) return sign;
  // Rounds a to an integer multiple of 2^q_exp in rm.
  auto round_at = [&](int q_exp, bool& lost) {
    double n = std::ldexp(a, -q_exp), fl = std::floor(n), frac = n - fl;
    lost = frac != 0;
    bool up = false;
    switch (rm) {
      case 0: up = frac > 0.5 || (frac == 0.5 && std::fmod(fl, 2) != 0); break;
      case 1: break;
      case 2: up = sign && lost; break;
      case 3: up = !sign && lost; break;
      default: up = frac >= 0.5; break;
    }
    return fl + (up ? 1 : 0);
  };
  int e;
  std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1): the leading bit is 2^(e-1)
  const int lead = e - 1;
  // Tininess after rounding: the result rounded to 11 bits with an unbounded exponent is below 2^-14.
  bool lost_unbounded;
  double r_unb = std::ldexp(round_at(lead - 10, lost_unbounded), lead - 10);
  const bool tiny = r_unb < std::ldexp(1.0, -14);
  const int q = lead < -14 ? -24 : lead - 10;
  bool lost;
  const double r = round_at(q, lost);  // multiples of 2^q
  inexact = inexact || lost;
  const double value = std::ldexp(r, q);
  if (value > 65504.0) {
    flags |= kFlagOF | kFlagNX;
    bool to_max = rm == 1 || (rm == 2 && !sign) || (rm == 3 && sign);
    return sign | (to_max ? 0x7bff : 0x7c00);
  }
  if (inexact) flags |= kFlagNX;
  if (tiny && inexact) flags |= kFlagUF;
  if (value < std::ldexp(1.0, -14)) return sign | uint16_t(r);  // subnormal (r < 1024) or zero
  int ve;
  std::frexp(value, &ve);
  const int vlead = ve - 1;
  const uint16_t mant = uint16_t(std::ldexp(value, 10 - vlead)) - 1024;
  return sign | uint16_t((vlead + 15) << 10) | mant;
}

uint16_t arith(Op op, uint16_t x, uint16_t y, uint16_t z, unsigned rm, uint32_t& flags) {
  const bool unary = op == Op::Sqrt, fused = op == Op::Fma;
  const bool any_nan = is_nan(x) || (!unary && is_nan(y)) || (fused && is_nan(z));
  const double a = to_double(x), b = to_double(y), c = to_double(z);
  if (fused && ((std::isinf(a) && b == 0) || (a == 0 && std::isinf(b)))) flags |= kFlagNV;  // even with a NaN addend
  if (any_nan) {
    if (is_snan(x) || (!unary && is_snan(y)) || (fused && is_snan(z))) flags |= kFlagNV;
    return kCanon;
  }
  double r;
  uint32_t e;
  {
    HostRound hr(rm);  // RMM rounds to nearest here: a half-precision tie is exact in double
    double p = barrier(a), q = barrier(b), s = barrier(c);
    switch (op) {
      case Op::Add: r = barrier(p + q); break;
      case Op::Sub: r = barrier(p - q); break;
      case Op::Mul: r = barrier(p * q); break;
      case Op::Div: r = barrier(p / q); break;
      case Op::Sqrt: r = barrier(std::sqrt(p)); break;
      default: r = barrier(std::fma(p, q, s)); break;
    }
    e = hr.flags();
  }
  flags |= e & (kFlagNV | kFlagDZ);
  return from_double(r, rm, (e & kFlagNX) != 0, flags);
}

uint16_t min_max(uint16_t x, uint16_t y, bool is_max, uint32_t& flags) {
  if (is_snan(x) || is_snan(y)) flags |= kFlagNV;
  if (is_nan(x) && is_nan(y)) return kCanon;
  if (is_nan(x)) return y;
  if (is_nan(y)) return x;
  const double a = to_double(x), b = to_double(y);
  if (a == b) {  // -0 is below +0
    bool x_neg = x >> 15;
    return is_max ? (x_neg ? y : x) : (x_neg ? x : y);
  }
  return is_max ? (a > b ? x : y) : (a < b ? x : y);
}

bool compare(uint16_t x, uint16_t y, int kind, uint32_t& flags) {
  if (is_nan(x) || is_nan(y)) {
    if (kind != 0 || is_snan(x) || is_snan(y)) flags |= kFlagNV;
    return false;
  }
  const double a = to_double(x), b = to_double(y);
  return kind == 0 ? a == b : kind == 1 ? a < b : a <= b;
}

uint16_t classify(uint16_t x) {
  const bool neg = x >> 15;
  const unsigned exp = (x >> 10) & 31, frac = x & 0x3ff;
  if (exp == 31) return frac == 0 ? (neg ? 1u << 0 : 1u << 7) : (frac & 0x200) ? 1u << 9 : 1u << 8;
  if (exp == 0) return frac == 0 ? (neg ? 1u << 3 : 1u << 4) : (neg ? 1u << 2 : 1u << 5);
  return neg ? 1u << 1 : 1u << 6;
}

uint32_t to_f32(uint16_t h, uint32_t& flags) {
  if (is_nan(h)) {
    if (is_snan(h)) flags |= kFlagNV;
    return 0x7fc00000u;
  }
  float f = float(to_double(h));
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

}  // namespace mimic::riscv::f16
