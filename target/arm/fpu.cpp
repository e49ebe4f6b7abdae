// Arm floating-point semantics on host SSE (see fpu.h).
#include "target/arm/fpu.h"

#include <bit>
#include <cmath>

namespace mimic::arm::fp {

namespace {

using u128 = unsigned __int128;

// ---- host MXCSR and host arithmetic (asm, so the compiler never moves an op across an MXCSR access) ----
constexpr uint32_t kMxIE = 1, kMxZE = 4, kMxOE = 8, kMxUE = 16, kMxPE = 32, kMxFlags = 0x3f;
constexpr uint32_t kMxRcShift = 13, kMxRc = 3u << kMxRcShift, kMxRz = 3u << kMxRcShift;

inline uint32_t getcsr() {
  uint32_t v;
  asm volatile("stmxcsr %0" : "=m"(v)::"memory");
  return v;
}
inline void setcsr(uint32_t v) { asm volatile("ldmxcsr %0" ::"m"(v) : "memory"); }

inline float h_add(float a, float b) { asm volatile("addss %1, %0" : "+x"(a) : "x"(b)); return a; }
inline double h_add(double a, double b) { asm volatile("addsd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline float h_sub(float a, float b) { asm volatile("subss %1, %0" : "+x"(a) : "x"(b)); return a; }
inline double h_sub(double a, double b) { asm volatile("subsd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline float h_mul(float a, float b) { asm volatile("mulss %1, %0" : "+x"(a) : "x"(b)); return a; }
inline double h_mul(double a, double b) { asm volatile("mulsd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline float h_div(float a, float b) { asm volatile("divss %1, %0" : "+x"(a) : "x"(b)); return a; }
inline double h_div(double a, double b) { asm volatile("divsd %1, %0" : "+x"(a) : "x"(b)); return a; }
inline float h_sqrt(float a) { asm volatile("sqrtss %0, %0" : "+x"(a)); return a; }
inline double h_sqrt(double a) { asm volatile("sqrtsd %0, %0" : "+x"(a)); return a; }
bool host_has_fma() {
  static const bool v = __builtin_cpu_supports("fma");
  return v;
}
// a * b + c, one rounding. Without FMA3, glibc's fma honours the MXCSR mode and raises its flags.
inline float h_fma(float a, float b, float c) {
  if (!host_has_fma()) {
    asm volatile("" : "+x"(a), "+x"(b), "+x"(c));
    float r = std::fma(a, b, c);
    asm volatile("" : "+x"(r));
    return r;
  }
  asm volatile("vfmadd231ss %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
  return c;
}
inline double h_fma(double a, double b, double c) {
  if (!host_has_fma()) {
    asm volatile("" : "+x"(a), "+x"(b), "+x"(c));
    double r = std::fma(a, b, c);
    asm volatile("" : "+x"(r));
    return r;
  }
  asm volatile("vfmadd231sd %2, %1, %0" : "+x"(c) : "x"(a), "x"(b));
  return c;
}

// ---- bit facts ----
template <class U> struct Fmt;
template <> struct Fmt<uint32_t> { using F = float; static constexpr int E = 8, M = 23; };
template <> struct Fmt<uint64_t> { using F = double; static constexpr int E = 11, M = 52; };
template <class U> using FloatOf = typename Fmt<U>::F;
template <class U> constexpr int kM = Fmt<U>::M;
template <class U> constexpr int kE = Fmt<U>::E;
template <class U> constexpr U kSign = kSignBit<U>;
template <class U> constexpr U kExpMask = kInfBits<U>;
template <class U> constexpr U kFrac = (U(1) << kM<U>) - 1;
template <class U> constexpr U kQuiet = U(1) << (kM<U> - 1);
template <class U> constexpr U kMinNorm = kMinNormalBits<U>;

template <class U> FloatOf<U> to_f(U a) { return std::bit_cast<FloatOf<U>>(a); }
template <class U> U to_u(FloatOf<U> a) { return std::bit_cast<U>(a); }

template <class U> bool is_nan(U a) { return U(a & ~kSign<U>) > kExpMask<U>; }
template <class U> bool is_snan(U a) { return is_nan(a) && !(a & kQuiet<U>); }
template <class U> bool is_inf(U a) { return U(a & ~kSign<U>) == kExpMask<U>; }
template <class U> bool is_zero(U a) { return U(a & ~kSign<U>) == 0; }
template <class U> bool is_denormal(U a) { return (a & kExpMask<U>) == 0 && (a & kFrac<U>) != 0; }
template <class U> U sign_of(U a) { return a & kSign<U>; }

// FPUnpack's flush-to-zero of a denormal input.
template <class U> U flush(U a, Status& st) {
  if (st.fz() && is_denormal(a)) {
    st.flags |= kIDC;
    return sign_of(a);
  }
  return a;
}
// FPProcessNaN.
template <class U> U process_nan(U a, Status& st) {
  if (is_snan(a)) {
    st.flags |= kIOC;
    a |= kQuiet<U>;
  }
  return st.dn() ? kDefaultNaN<U> : a;
}
// FPProcessNaNs / FPProcessNaNs3: first signalling NaN, else first quiet NaN, in operand order.
template <class U> bool process_nans(U a, U b, Status& st, U& r) {
  if (!is_nan(a) && !is_nan(b)) return false;
  r = is_snan(a) ? process_nan(a, st) : is_snan(b) ? process_nan(b, st) : is_nan(a) ? process_nan(a, st) : process_nan(b, st);
  return true;
}
template <class U> bool process_nans3(U a, U b, U c, Status& st, U& r) {
  if (!is_nan(a) && !is_nan(b) && !is_nan(c)) return false;
  if (is_snan(a)) r = process_nan(a, st);
  else if (is_snan(b)) r = process_nan(b, st);
  else if (is_snan(c)) r = process_nan(c, st);
  else if (is_nan(a)) r = process_nan(a, st);
  else if (is_nan(b)) r = process_nan(b, st);
  else r = process_nan(c, st);
  return true;
}

// The exact result of `op` is below the smallest normal magnitude (Arm detects tininess before
// rounding; SSE after): recomputed rounding toward zero, which is below it exactly then.
template <class U, class Op> bool tiny_before_rounding(Op op) {
  uint32_t saved = getcsr();
  setcsr((saved & ~kMxRc) | kMxRz);
  U r = to_u<U>(op());
  setcsr(saved);
  return U(r & ~kSign<U>) < kMinNorm<U>;
}

// Runs a host IEEE operation on operands that are not NaN and gives the Arm result: an invalid
// operation's NaN is the default NaN, underflow is detected before rounding, and FZ flushes tiny
// results to zero with only UFC. Without FZ the host flags simply accumulate in MXCSR (HostScope).
template <class U, class Op> U round_host(Status& st, Op op) {
  if (!st.fz()) {
    U r = to_u<U>(op());
    U mag = r & ~kSign<U>;
    if (mag > kExpMask<U>) return kDefaultNaN<U>;
    if (mag == kMinNorm<U> && tiny_before_rounding<U>(op)) st.flags |= kUFC;
    return r;
  }
  uint32_t saved = getcsr();
  setcsr(saved & ~kMxFlags);
  U r = to_u<U>(op());
  uint32_t f = getcsr() & kMxFlags;
  U mag = r & ~kSign<U>;
  bool tiny = (mag != 0 && mag < kMinNorm<U>) || (mag == 0 && (f & kMxPE)) ||
              (mag == kMinNorm<U> && (f & kMxPE) && tiny_before_rounding<U>(op));
  if (tiny) {
    r &= kSign<U>;
    f = 0;
    st.flags |= kUFC;
  } else if (mag > kExpMask<U>) {
    r = kDefaultNaN<U>;
  }
  setcsr(saved | f);
  return r;
}

// ---- software unpack / round for conversions ----
struct FmtDesc {
  int E, M;
};
constexpr FmtDesc desc_of(unsigned bits) { return bits == 16 ? FmtDesc{5, 10} : bits == 32 ? FmtDesc{8, 23} : FmtDesc{11, 52}; }

enum Kind { kZeroK, kNumK, kInfK, kQNaNK, kSNaNK };
struct Num {
  Kind kind;
  bool sign;
  uint64_t mant;  // value = mant * 2^exp for kNumK
  int exp;
};
// FPUnpack of a `bits`-wide pattern; fz: FZ applies (flush denormals with IDC); ahp: the
// alternative half-precision format (no infinities or NaNs).
Num unpack(uint64_t a, unsigned bits, bool fz, bool ahp, Status& st) {
  const FmtDesc d = desc_of(bits);
  const int bias = (1 << (d.E - 1)) - 1;
  Num n{kNumK, bool((a >> (bits - 1)) & 1), 0, 0};
  const uint64_t frac = a & ((uint64_t(1) << d.M) - 1);
  const int e = int((a >> d.M) & ((1u << d.E) - 1));
  if (e == 0) {
    if (frac == 0 || fz) {
      if (frac != 0) st.flags |= kIDC;
      n.kind = kZeroK;
      return n;
    }
    n.mant = frac;
    n.exp = 1 - bias - d.M;
    return n;
  }
  if (e == (1 << d.E) - 1 && !ahp) {
    n.kind = frac == 0 ? kInfK : (frac >> (d.M - 1)) ? kQNaNK : kSNaNK;
    n.mant = frac;
    return n;
  }
  n.mant = frac | (uint64_t(1) << d.M);
  n.exp = e - bias - d.M;
  return n;
}

// Rounds magnitude `m` (an integer with a `shift`-bit fraction below it) to an integer in mode r.
// Returns the rounded integer; inexact says whether bits were lost.
u128 round_mag(u128 m, int shift, bool sign, Rounding r, bool& inexact) {
  if (shift <= 0) {
    inexact = false;
    return m << -shift;
  }
  u128 q, half_bit, sticky;
  if (shift > 126) {
    q = 0;
    half_bit = 0;
    sticky = m != 0;
  } else {
    q = m >> shift;
    half_bit = (m >> (shift - 1)) & 1;
    sticky = (m & ((u128(1) << (shift - 1)) - 1)) != 0;
  }
  inexact = half_bit || sticky;
  bool up = false;
  switch (r) {
    case kTieEven: up = half_bit && (sticky || (q & 1)); break;
    case kPosInf: up = inexact && !sign; break;
    case kNegInf: up = inexact && sign; break;
    case kZero: break;
    case kTieAway: up = half_bit; break;
    case kOdd:
      if (inexact) q |= 1;
      break;
  }
  return q + up;
}

// FPRound of sign * mant * 2^exp (mant != 0) to a `bits`-wide format. fz: FZ flushing applies;
// ahp: the alternative half-precision format.
uint64_t round_pack(bool sign, uint64_t mant, int exp, unsigned bits, Rounding r, bool fz, bool ahp, Status& st) {
  const FmtDesc d = desc_of(bits);
  const int bias = (1 << (d.E - 1)) - 1, emin = 1 - bias;
  const uint64_t sbit = uint64_t(sign) << (bits - 1);
  const int top = 63 - std::countl_zero(mant);
  const int e = exp + top;  // value in [2^e, 2^(e+1))
  if (fz && e < emin) {
    st.flags |= kUFC;
    return sbit;
  }
  int biased = e < emin ? 0 : e - emin + 1;
  const int lsb_exp = (biased == 0 ? emin : e) - d.M;
  bool inexact;
  uint64_t q = uint64_t(round_mag(mant, lsb_exp - exp, sign, r, inexact));
  if (biased == 0 && inexact) st.flags |= kUFC;
  if (biased == 0 && q >= (uint64_t(1) << d.M)) biased = 1;  // rounded up to the smallest normal
  if (q >= (uint64_t(1) << (d.M + 1))) {
    q >>= 1;
    ++biased;
  }
  if (!ahp) {
    if (biased >= (1 << d.E) - 1) {
      st.flags |= kOFC | kIXC;
      bool to_inf = r == kTieEven || r == kTieAway || (r == kPosInf && !sign) || (r == kNegInf && sign);
      uint64_t inf = uint64_t((1 << d.E) - 1) << d.M;
      return sbit | (to_inf ? inf : inf - 1);
    }
  } else if (biased >= (1 << d.E)) {
    st.flags |= kIOC;
    return sbit | 0x7fff;
  }
  if (inexact) st.flags |= kIXC;
  return sbit | (uint64_t(biased) << d.M) | (q & ((uint64_t(1) << d.M) - 1));
}

// RecipEstimate / RecipSqrtEstimate of the Arm ARM (9-bit fixed point in and out).
unsigned recip_estimate(unsigned a) {
  a = a * 2 + 1;
  unsigned b = (1u << 19) / a;
  return (b + 1) / 2;
}
unsigned rsqrt_estimate(unsigned a) {
  if (a < 256) {
    a = a * 2 + 1;
  } else {
    a = (a >> 1) << 1;
    a = (a + 1) * 2;
  }
  unsigned b = 512;
  while (uint64_t(a) * (b + 1) * (b + 1) < (uint64_t(1) << 28)) ++b;
  return (b + 1) / 2;
}

}  // namespace

// ---- scope ----
uint32_t mxcsr_to_fpsr(uint32_t m) {
  uint32_t f = 0;
  if (m & kMxIE) f |= kIOC;
  if (m & kMxZE) f |= kDZC;
  if (m & kMxOE) f |= kOFC;
  if (m & kMxUE) f |= kUFC;
  if (m & kMxPE) f |= kIXC;
  return f;
}
uint32_t rmode_to_mxcsr_rc(unsigned rmode) {
  static constexpr uint32_t kRc[] = {0, 2, 1, 3};  // RN, RP (up), RM (down), RZ
  return kRc[rmode & 3];
}

HostScope::HostScope(Status& st) : st_(st), saved_(getcsr()) {
  setcsr((saved_ & ~(kMxRc | kMxFlags)) | (rmode_to_mxcsr_rc(st.rmode()) << kMxRcShift));
}
HostScope::~HostScope() {
  st_.flags |= mxcsr_to_fpsr(getcsr());
  setcsr(saved_);
}

// ---- arithmetic ----
template <class U> U add(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  return round_host<U>(st, [=] { return h_add(to_f(a), to_f(b)); });
}
template <class U> U sub(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  return round_host<U>(st, [=] { return h_sub(to_f(a), to_f(b)); });
}
template <class U> U mul(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  return round_host<U>(st, [=] { return h_mul(to_f(a), to_f(b)); });
}
template <class U> U div(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  return round_host<U>(st, [=] { return h_div(to_f(a), to_f(b)); });
}
template <class U> U mulx(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  if ((is_inf(a) && is_zero(b)) || (is_zero(a) && is_inf(b))) return ((a ^ b) & kSign<U>) | to_u<U>(FloatOf<U>(2));
  return round_host<U>(st, [=] { return h_mul(to_f(a), to_f(b)); });
}
template <class U> U abd(U a, U b, Status& st) { return sub(a, b, st) & ~kSign<U>; }

// FPMax/FPMin on non-NaN operands: +0 is above -0.
template <class U> U max_num(U a, U b) {
  if (is_zero(a) && is_zero(b)) return a & b;
  return to_f(a) > to_f(b) ? a : b;
}
template <class U> U min_num(U a, U b) {
  if (is_zero(a) && is_zero(b)) return a | b;
  return to_f(a) < to_f(b) ? a : b;
}
template <class U> U max(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  return max_num(a, b);
}
template <class U> U min(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  return min_num(a, b);
}
// FMAXNM/FMINNM: a quiet NaN against a number gives the number.
template <class U> U maxnm(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  bool qa = is_nan(a) && !is_snan(a), qb = is_nan(b) && !is_snan(b);
  if (qa && !is_nan(b)) return b;
  if (qb && !is_nan(a)) return a;
  return max(a, b, st);
}
template <class U> U minnm(U a, U b, Status& st) {
  a = flush(a, st), b = flush(b, st);
  bool qa = is_nan(a) && !is_snan(a), qb = is_nan(b) && !is_snan(b);
  if (qa && !is_nan(b)) return b;
  if (qb && !is_nan(a)) return a;
  return min(a, b, st);
}
template <class U> U sqrt(U a, Status& st) {
  a = flush(a, st);
  if (is_nan(a)) return process_nan(a, st);
  return round_host<U>(st, [=] { return h_sqrt(to_f(a)); });
}
template <class U> U muladd(U c, U a, U b, Status& st) {
  c = flush(c, st), a = flush(a, st), b = flush(b, st);
  if (is_nan(c) && !is_snan(c) && ((is_inf(a) && is_zero(b)) || (is_zero(a) && is_inf(b)))) {
    st.flags |= kIOC;
    return kDefaultNaN<U>;
  }
  U r;
  if (process_nans3(c, a, b, st, r)) return r;
  return round_host<U>(st, [=] { return h_fma(to_f(a), to_f(b), to_f(c)); });
}
template <class U> U recps(U a, U b, Status& st) {
  a ^= kSign<U>;
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  if ((is_inf(a) && is_zero(b)) || (is_zero(a) && is_inf(b))) return to_u<U>(FloatOf<U>(2));
  if (is_inf(a) || is_inf(b)) return ((a ^ b) & kSign<U>) | kInfBits<U>;
  return round_host<U>(st, [=] { return h_fma(to_f(a), to_f(b), FloatOf<U>(2)); });
}
template <class U> U rsqrts(U a, U b, Status& st) {
  a ^= kSign<U>;
  a = flush(a, st), b = flush(b, st);
  U r;
  if (process_nans(a, b, st, r)) return r;
  if ((is_inf(a) && is_zero(b)) || (is_zero(a) && is_inf(b))) return to_u<U>(FloatOf<U>(1.5));
  if (is_inf(a) || is_inf(b)) return ((a ^ b) & kSign<U>) | kInfBits<U>;
  // (3 + a*b) / 2 with one rounding: halve an operand whose halving is exact, else halve after
  // (then the operands are tiny and the sum is 3 rounded, so halving is exact too).
  return round_host<U>(st, [=] {
    using F = FloatOf<U>;
    const U two_min = kMinNorm<U> << 1;
    F x = to_f(a), y = to_f(b);
    if (U(b & kExpMask<U>) >= two_min) return h_fma(x, h_mul(y, F(0.5)), F(1.5));
    if (U(a & kExpMask<U>) >= two_min) return h_fma(h_mul(x, F(0.5)), y, F(1.5));
    return h_mul(h_fma(x, y, F(3)), F(0.5));
  });
}
template <class U> U recpe(U a, Status& st) {
  constexpr int M = kM<U>, E = kE<U>;
  a = flush(a, st);
  const U sign = sign_of(a);
  if (is_nan(a)) return process_nan(a, st);
  if (is_inf(a)) return sign;
  if (is_zero(a)) {
    st.flags |= kDZC;
    return sign | kInfBits<U>;
  }
  if (U(a & ~kSign<U>) < (U(1) << (M - 2))) {  // |a| < 2^-(bias+1): the reciprocal overflows
    Rounding r = st.rmode();
    bool to_inf = r == kTieEven || (r == kPosInf && !sign) || (r == kNegInf && sign);
    st.flags |= kOFC | kIXC;
    return sign | (to_inf ? kInfBits<U> : kInfBits<U> - 1);
  }
  const int bexp = int((a >> M) & ((1u << E) - 1));
  if (st.fz() && bexp >= (1 << E) - 3) {  // |a| >= 2^(bias-1): the reciprocal is flushed
    st.flags |= kUFC;
    return sign;
  }
  constexpr uint64_t kMask52 = (uint64_t(1) << 52) - 1;
  uint64_t fraction = uint64_t(a & kFrac<U>) << (52 - M);
  int exp = bexp;
  if (exp == 0) {
    if (!((fraction >> 51) & 1)) {
      exp = -1;
      fraction = (fraction << 2) & kMask52;
    } else {
      fraction = (fraction << 1) & kMask52;
    }
  }
  unsigned scaled = 256 | unsigned(fraction >> 44);
  int result_exp = 2 * ((1 << (E - 1)) - 1) - 1 - exp;
  unsigned est = recip_estimate(scaled);
  fraction = uint64_t(est & 0xff) << 44;
  if (result_exp == 0) {
    fraction = (uint64_t(1) << 51) | (fraction >> 1);
  } else if (result_exp == -1) {
    fraction = (uint64_t(1) << 50) | (fraction >> 2);
    result_exp = 0;
  }
  return sign | (U(result_exp) << M) | U(fraction >> (52 - M));
}
template <class U> U rsqrte(U a, Status& st) {
  constexpr int M = kM<U>, E = kE<U>;
  a = flush(a, st);
  if (is_nan(a)) return process_nan(a, st);
  if (is_zero(a)) {
    st.flags |= kDZC;
    return sign_of(a) | kInfBits<U>;
  }
  if (sign_of(a)) {
    st.flags |= kIOC;
    return kDefaultNaN<U>;
  }
  if (is_inf(a)) return 0;
  constexpr uint64_t kMask52 = (uint64_t(1) << 52) - 1;
  uint64_t fraction = uint64_t(a & kFrac<U>) << (52 - M);
  int exp = int((a >> M) & ((1u << E) - 1));
  if (exp == 0) {
    while (!((fraction >> 51) & 1)) {
      fraction = (fraction << 1) & kMask52;
      --exp;
    }
    fraction = (fraction << 1) & kMask52;
  }
  unsigned scaled = (exp & 1) == 0 ? 256 | unsigned(fraction >> 44) : 128 | unsigned(fraction >> 45);
  const int bias = (1 << (E - 1)) - 1;
  int result_exp = (3 * bias - 1 - exp) / 2;
  unsigned est = rsqrt_estimate(scaled);
  return (U(result_exp) << M) | (U(est & 0xff) << (M - 8));
}
template <class U> U recpx(U a, Status& st) {
  constexpr int M = kM<U>, E = kE<U>;
  a = flush(a, st);
  if (is_nan(a)) return process_nan(a, st);
  const U emask = (U(1) << E) - 1;
  const U exp = (a >> M) & emask;
  return sign_of(a) | (U(exp == 0 ? emask - 1 : ~exp & emask) << M);
}
uint32_t urecpe(uint32_t a) {
  if (!(a >> 31)) return 0xffffffffu;
  return (recip_estimate((a >> 23) & 0x1ff) & 0x1ff) << 23;
}
uint32_t ursqrte(uint32_t a) {
  if (!(a >> 30)) return 0xffffffffu;
  return (rsqrt_estimate((a >> 23) & 0x1ff) & 0x1ff) << 23;
}

// ---- comparisons ----
template <class U> unsigned compare(U a, U b, bool signal, Status& st) {
  a = flush(a, st), b = flush(b, st);
  if (is_nan(a) || is_nan(b)) {
    if (signal || is_snan(a) || is_snan(b)) st.flags |= kIOC;
    return 0b0011;
  }
  if (is_zero(a) && is_zero(b)) return 0b0110;
  FloatOf<U> x = to_f(a), y = to_f(b);
  return x == y ? 0b0110 : x < y ? 0b1000 : 0b0010;
}
template <class U> bool cmp_eq(U a, U b, Status& st) { return compare(a, b, false, st) == 0b0110; }
template <class U> bool cmp_ge(U a, U b, Status& st) {
  unsigned n = compare(a, b, true, st);
  return n == 0b0110 || n == 0b0010;
}
template <class U> bool cmp_gt(U a, U b, Status& st) { return compare(a, b, true, st) == 0b0010; }

// ---- rounding and conversions ----
template <class U> U round_int(U a, Rounding r, bool exact, Status& st) {
  constexpr unsigned bits = sizeof(U) * 8;
  Num n = unpack(a, bits, st.fz(), false, st);
  switch (n.kind) {
    case kQNaNK:
    case kSNaNK: return process_nan(a, st);
    case kZeroK: return sign_of(a);
    case kInfK: return a;
    case kNumK: break;
  }
  if (n.exp >= 0) return a;  // already integral
  bool inexact;
  uint64_t q = uint64_t(round_mag(n.mant, -n.exp, n.sign, r, inexact));
  if (exact && inexact) st.flags |= kIXC;
  if (q == 0) return sign_of(a);
  Status exact_st{};  // q is representable: no flags
  return U(round_pack(n.sign, q, 0, bits, kZero, false, false, exact_st));
}

template <class U> uint64_t to_fixed(U a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding r, Status& st) {
  Num n = unpack(a, sizeof(U) * 8, st.fz(), false, st);
  const u128 umax = (u128(1) << int_bits) - 1;
  const u128 smax = (u128(1) << (int_bits - 1)) - 1;
  const uint64_t mask = int_bits == 64 ? ~uint64_t(0) : (uint64_t(1) << int_bits) - 1;
  auto saturate = [&](bool neg) -> uint64_t {
    st.flags |= kIOC;
    if (is_unsigned) return neg ? 0 : uint64_t(umax);
    return neg ? uint64_t(-(smax + 1)) & mask : uint64_t(smax);
  };
  switch (n.kind) {
    case kQNaNK:
    case kSNaNK: st.flags |= kIOC; return 0;
    case kZeroK: return 0;
    case kInfK: return saturate(n.sign);
    case kNumK: break;
  }
  const int sh = n.exp + int(fbits);
  if (sh > 64) return saturate(n.sign);
  bool inexact;
  u128 mag = round_mag(n.mant, -sh, n.sign, r, inexact);
  if (n.sign) {
    if (mag == 0) {
      // rounds to zero: fine
    } else if (is_unsigned || mag > smax + 1) {
      return saturate(true);
    }
  } else if (mag > (is_unsigned ? umax : smax)) {
    return saturate(false);
  }
  if (inexact) st.flags |= kIXC;
  return uint64_t(n.sign ? -mag : mag) & mask;
}

template <class U> U from_fixed(uint64_t v, bool is_signed, unsigned int_bits, unsigned fbits, Rounding r, Status& st) {
  if (int_bits == 32) v = is_signed ? uint64_t(int64_t(int32_t(v))) : uint32_t(v);
  bool sign = is_signed && int64_t(v) < 0;
  uint64_t mag = sign ? uint64_t(0) - v : v;
  if (mag == 0) return 0;
  return U(round_pack(sign, mag, -int(fbits), sizeof(U) * 8, r, st.fz(), false, st));
}

uint64_t convert(uint64_t a, unsigned from_bits, unsigned to_bits, Rounding r, Status& st) {
  const bool from_half = from_bits == 16, to_half = to_bits == 16;
  Num n = unpack(a, from_bits, !from_half && st.fz(), from_half && st.ahp(), st);
  const bool to_ahp = to_half && st.ahp();
  const FmtDesc df = desc_of(from_bits), dt = desc_of(to_bits);
  const uint64_t sbit = uint64_t(n.sign) << (to_bits - 1);
  const uint64_t inf = uint64_t((1 << dt.E) - 1) << dt.M;
  switch (n.kind) {
    case kQNaNK:
    case kSNaNK: {
      if (to_ahp) {
        st.flags |= kIOC;
        return sbit;
      }
      if (n.kind == kSNaNK) st.flags |= kIOC;
      if (st.dn()) return inf | (uint64_t(1) << (dt.M - 1));
      uint64_t frac = n.mant;
      frac = dt.M > df.M ? frac << (dt.M - df.M) : frac >> (df.M - dt.M);
      return sbit | inf | (uint64_t(1) << (dt.M - 1)) | frac;
    }
    case kInfK:
      if (to_ahp) {
        st.flags |= kIOC;
        return sbit | 0x7fff;
      }
      return sbit | inf;
    case kZeroK: return sbit;
    case kNumK: break;
  }
  return round_pack(n.sign, n.mant, n.exp, to_bits, r, !to_half && st.fz(), to_ahp, st);
}

#define FP_INSTANTIATE(U)                                                                          \
  template U add<U>(U, U, Status&);                                                                \
  template U sub<U>(U, U, Status&);                                                                \
  template U mul<U>(U, U, Status&);                                                                \
  template U div<U>(U, U, Status&);                                                                \
  template U mulx<U>(U, U, Status&);                                                               \
  template U abd<U>(U, U, Status&);                                                                \
  template U max<U>(U, U, Status&);                                                                \
  template U min<U>(U, U, Status&);                                                                \
  template U maxnm<U>(U, U, Status&);                                                              \
  template U minnm<U>(U, U, Status&);                                                              \
  template U sqrt<U>(U, Status&);                                                                  \
  template U muladd<U>(U, U, U, Status&);                                                          \
  template U recps<U>(U, U, Status&);                                                              \
  template U rsqrts<U>(U, U, Status&);                                                             \
  template U recpe<U>(U, Status&);                                                                 \
  template U rsqrte<U>(U, Status&);                                                                \
  template U recpx<U>(U, Status&);                                                                 \
  template unsigned compare<U>(U, U, bool, Status&);                                               \
  template bool cmp_eq<U>(U, U, Status&);                                                          \
  template bool cmp_ge<U>(U, U, Status&);                                                          \
  template bool cmp_gt<U>(U, U, Status&);                                                          \
  template U round_int<U>(U, Rounding, bool, Status&);                                             \
  template uint64_t to_fixed<U>(U, unsigned, bool, unsigned, Rounding, Status&);                   \
  template U from_fixed<U>(uint64_t, bool, unsigned, unsigned, Rounding, Status&);
FP_INSTANTIATE(uint32_t)
FP_INSTANTIATE(uint64_t)
#undef FP_INSTANTIATE

}  // namespace mimic::arm::fp
