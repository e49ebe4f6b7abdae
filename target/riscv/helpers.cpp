// RISC-V helpers: F/D arithmetic on the host FPU with exact RISC-V flags, rounding modes and NaN
// rules, the counter CSRs, and the rare bit operations without an IR op.
//
// Each FP helper sets the host rounding mode from the instruction's rm (or frm), computes with
// host SSE, reads the host exception flags into fflags, restores the host mode, and replaces any
// NaN result by the canonical NaN. RMM (round to nearest, ties away) has no host mode: the
// result is computed in RNE and corrected where an exact error term shows a tie.
// This file is compiled with -frounding-math; the barriers keep the FP operations between the
// fesetround and fetestexcept calls.
//
// While translated code runs, host MXCSR holds the guest's rounding mode and the flags of inline
// FP ops (docs/riscv-fp.md): a helper saves MXCSR whole and restores it, so those flags survive,
// and puts its own flags in RiscvCpu::fflags. (SSE detects underflow tininess after rounding, as
// RISC-V does, so host flags are RISC-V's flags; tests/unit/riscv/rvfd_test.cpp checks the edge.)
#include "target/riscv/helpers.h"

#include <x86intrin.h>
#include <xmmintrin.h>

#include <array>
#include <cfenv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <utility>

#include "target/riscv/cpu.h"
#include "target/riscv/csr.h"
#include "target/riscv/fma_error.h"
#include "tcg/helper.h"

namespace mimic::riscv {

namespace {

template <class F>
inline F barrier(F v) {
  asm volatile("" : "+x"(v));
  return v;
}

template <class F>
struct Fp;
template <>
struct Fp<float> {
  using U = uint32_t;
  static constexpr U kCanon = 0x7fc00000u, kSign = 0x80000000u, kQuiet = 0x00400000u, kExp = 0x7f800000u,
                     kFrac = 0x007fffffu;
};
template <>
struct Fp<double> {
  using U = uint64_t;
  static constexpr U kCanon = 0x7ff8000000000000ull, kSign = 0x8000000000000000ull, kQuiet = 0x0008000000000000ull,
                     kExp = 0x7ff0000000000000ull, kFrac = 0x000fffffffffffffull;
};

template <class F>
typename Fp<F>::U bits_of(F f) {
  typename Fp<F>::U u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
template <class F>
F from_bits(typename Fp<F>::U u) {
  F f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// NaN-boxing: an f32 register value whose upper 32 bits are not all ones reads as the canonical NaN.
template <class F>
typename Fp<F>::U unbox_bits(uint64_t v) {
  if constexpr (sizeof(F) == 4)
    return (v >> 32) == 0xffffffffu ? uint32_t(v) : Fp<float>::kCanon;
  else
    return v;
}
template <class F>
F unbox(uint64_t v) {
  return from_bits<F>(unbox_bits<F>(v));
}
template <class F>
uint64_t box_bits(typename Fp<F>::U u) {
  if constexpr (sizeof(F) == 4)
    return 0xffffffff00000000ull | u;
  else
    return u;
}
template <class F>
uint64_t box(F f) {
  return std::isnan(f) ? box_bits<F>(Fp<F>::kCanon) : box_bits<F>(bits_of(f));
}
template <class F>
bool is_snan(F f) {
  auto u = bits_of(f);
  return (u & Fp<F>::kExp) == Fp<F>::kExp && (u & Fp<F>::kFrac) != 0 && (u & Fp<F>::kQuiet) == 0;
}

RiscvCpu* cpu_of(tcg::CpuBase* env) { return static_cast<RiscvCpu*>(env); }

constexpr unsigned kRmRne = 0, kRmRtz = 1, kRmRdn = 2, kRmRup = 3, kRmRmm = 4, kRmDyn = 7;

// Host rounding mode and exception flags for the span of one helper.
class FpScope {
 public:
  FpScope(tcg::CpuBase* env, uint64_t rm) : cpu_(cpu_of(env)) {
    rm_ = rm == kRmDyn ? cpu_->frm : unsigned(rm);
    saved_mxcsr_ = _mm_getcsr();
    saved_ = fegetround();
    static constexpr int kHost[] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST};
    fesetround(kHost[rm_ <= kRmRmm ? rm_ : 0]);
    feclearexcept(FE_ALL_EXCEPT);
  }
  ~FpScope() {
    fesetround(saved_);
    _mm_setcsr(saved_mxcsr_);  // the guest's accrued inline flags and rounding mode
  }
  unsigned rm() const { return rm_; }
  bool rmm() const { return rm_ == kRmRmm; }
  // Accrues the host flags raised since construction (plus `extra`) into fflags.
  void accrue(uint32_t extra = 0) {
    int e = fetestexcept(FE_ALL_EXCEPT);
    uint32_t f = extra;
    if (e & FE_INVALID) f |= kFlagNV;
    if (e & FE_DIVBYZERO) f |= kFlagDZ;
    if (e & FE_OVERFLOW) f |= kFlagOF;
    if (e & FE_UNDERFLOW) f |= kFlagUF;
    if (e & FE_INEXACT) f |= kFlagNX;
    cpu_->fflags |= f;
  }
  RiscvCpu* cpu() { return cpu_; }

 private:
  RiscvCpu* cpu_;
  unsigned rm_;
  int saved_;
  unsigned saved_mxcsr_;
};

// MXCSR exception flags (IE DE ZE OE UE PE in bits 0-5) as fflags; DE has no RISC-V flag.
constexpr uint32_t kMxIE = 1, kMxZE = 4, kMxOE = 8, kMxUE = 16, kMxPE = 32, kMxFlags = 0x3f;
constexpr uint32_t kMxRcShift = 13, kMxRc = 3u << kMxRcShift;
uint32_t mxcsr_fflags(uint32_t m) {
  uint32_t f = 0;
  if (m & kMxIE) f |= kFlagNV;
  if (m & kMxZE) f |= kFlagDZ;
  if (m & kMxOE) f |= kFlagOF;
  if (m & kMxUE) f |= kFlagUF;
  if (m & kMxPE) f |= kFlagNX;
  return f;
}
uint32_t guest_mxcsr(const RiscvCpu& c) { return c.mxcsr_live ? _mm_getcsr() : c.guest_mxcsr; }
void set_guest_mxcsr(RiscvCpu& c, uint32_t m) {
  if (c.mxcsr_live)
    _mm_setcsr(m);
  else
    c.guest_mxcsr = m;
}

// For helpers that set their flags by hand: host FP ops on their operands (classification, a
// signalling NaN passing through an xmm register op) must not raise flags in the guest's MXCSR.
class KeepMxcsr {
 public:
  KeepMxcsr() : saved_(_mm_getcsr()) {}
  ~KeepMxcsr() { _mm_setcsr(saved_); }
  KeepMxcsr(const KeepMxcsr&) = delete;
  KeepMxcsr& operator=(const KeepMxcsr&) = delete;

 private:
  unsigned saved_;
};

// Round-to-nearest-ties-away correction: s is the RNE result, e the exact error (exact - s) in a
// type E wide enough to hold it. On an exact tie RNE picked the even neighbour; RMM wants the one
// of larger magnitude.
template <class F, class E>
F rmm_fix(F s, E e) {
  if (e == 0 || !std::isfinite(s)) return s;
  F n = std::nextafter(s, e > 0 ? std::numeric_limits<F>::infinity() : -std::numeric_limits<F>::infinity());
  if (!std::isfinite(n)) return s;
  if (E(n) - E(s) == e + e && std::fabs(n) > std::fabs(s)) return n;
  return s;
}

template <class F>
uint64_t add_sub(tcg::CpuBase* env, uint64_t a, uint64_t b, uint64_t rm, bool sub) {
  FpScope sc(env, rm);
  F x = barrier(unbox<F>(a)), y = barrier(unbox<F>(b));
  if (sub) y = -y;
  F r = barrier(x + y);
  sc.accrue();
  if (sc.rmm() && std::isfinite(r)) {
    F bb = r - x;
    F e = (x - (r - bb)) + (y - bb);  // TwoSum: exact error of x + y
    r = rmm_fix(r, e);
  }
  return box(r);
}

// The exact error x * y - r of a rounded product. Singles: the double product is exact. Doubles:
// fma gives it exactly unless it underflows, so tiny products are scaled into range first.
inline double mul_error(float x, float y, float r) { return double(x) * double(y) - double(r); }
inline long double mul_error(double x, double y, double r) {
  constexpr double kScale = 0x1p300;
  if (std::fabs(r) >= 0x1p-700) return std::fma(x, y, -r);
  if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
  // |y| is the smaller input: scaling it keeps every term of the scaled error representable.
  return (long double)std::fma(x, y * kScale, -r * kScale) / (long double)kScale;
}

// fflags (1), frm (2), fcsr (3) for csrr* in translated code: fflags is split between the field
// and the live MXCSR.
constexpr uint32_t kCsrFflags = 1, kCsrFrm = 2, kCsrFcsr = 3;
uint64_t fcsr_read(tcg::CpuBase* env, uint64_t csr) {
  RiscvCpu& c = *cpu_of(env);
  if (csr == kCsrFrm) return c.frm;
  uint32_t f = fp_get_fflags(c);
  return csr == kCsrFflags ? f : f | (c.frm << 5);
}
uint64_t fcsr_write(tcg::CpuBase* env, uint64_t csr, uint64_t v) {
  RiscvCpu& c = *cpu_of(env);
  if (csr == kCsrFflags || csr == kCsrFcsr) fp_set_fflags(c, uint32_t(v) & 0x1f);
  if (csr == kCsrFrm) fp_set_frm(c, uint32_t(v) & 7);
  if (csr == kCsrFcsr) fp_set_frm(c, uint32_t(v >> 5) & 7);
  return 0;
}

template <class F>
uint64_t mul(tcg::CpuBase* env, uint64_t a, uint64_t b, uint64_t rm) {
  FpScope sc(env, rm);
  F x = barrier(unbox<F>(a)), y = barrier(unbox<F>(b));
  F r = barrier(x * y);
  sc.accrue();
  if (sc.rmm() && std::isfinite(r)) r = rmm_fix(r, mul_error(x, y, r));
  return box(r);
}

// Quotients and square roots are never exactly halfway between two floats: RMM equals RNE.
template <class F>
uint64_t div(tcg::CpuBase* env, uint64_t a, uint64_t b, uint64_t rm) {
  FpScope sc(env, rm);
  F x = barrier(unbox<F>(a)), y = barrier(unbox<F>(b));
  F r = barrier(x / y);
  sc.accrue();
  return box(r);
}
template <class F>
uint64_t sqrt(tcg::CpuBase* env, uint64_t a, uint64_t rm) {
  FpScope sc(env, rm);
  F x = barrier(unbox<F>(a));
  F r = barrier(std::sqrt(x));
  sc.accrue();
  return box(r);
}

// neg_prod / neg_add select fmadd, fmsub, fnmsub, fnmadd. The product 0 * inf is invalid even
// when the addend is a quiet NaN (the RISC-V spec requires it; IEEE leaves it open).
template <class F>
uint64_t fused(tcg::CpuBase* env, uint64_t a, uint64_t b, uint64_t c, uint64_t rm, bool neg_prod, bool neg_add) {
  FpScope sc(env, rm);
  F x = unbox<F>(a), y = unbox<F>(b), z = unbox<F>(c);
  if (neg_prod) x = -x;
  if (neg_add) z = -z;
  x = barrier(x), y = barrier(y), z = barrier(z);
  F r = barrier(std::fma(x, y, z));
  uint32_t extra = ((std::isinf(x) && y == 0) || (x == 0 && std::isinf(y))) ? uint32_t(kFlagNV) : 0u;
  sc.accrue(extra);
  if (sc.rmm() && std::isfinite(r)) {
    if constexpr (sizeof(F) == 4) {
      // Singles: the double product is exact and TwoSum gives the exact sum as hi + lo, so the
      // error of r is exact in long double.
      double p = double(x) * double(y), hi = p + double(z), bb = hi - p;
      double lo = (p - (hi - bb)) + (double(z) - bb);
      r = rmm_fix(r, ((long double)hi - (long double)r) + (long double)lo);
    } else if (auto e = fma_error(x, y, z, r)) {
      // Doubles: the exact error of the FMA (fma_error.h). Results below 2^-900, where the error
      // terms could underflow, keep the ties-to-even result: a documented gap.
      r = rmm_fix(r, *e);
    }
  }
  return box(r);
}

template <class F>
uint64_t minmax(tcg::CpuBase* env, uint64_t a, uint64_t b, bool is_max) {
  KeepMxcsr keep;
  F x = unbox<F>(a), y = unbox<F>(b);
  if (is_snan(x) || is_snan(y)) cpu_of(env)->fflags |= kFlagNV;
  if (std::isnan(x) && std::isnan(y)) return box_bits<F>(Fp<F>::kCanon);
  if (std::isnan(x)) return box(y);
  if (std::isnan(y)) return box(x);
  if (x == y) {  // -0 is below +0
    bool x_neg = std::signbit(x);
    return box(is_max ? (x_neg ? y : x) : (x_neg ? x : y));
  }
  return box(is_max ? (x > y ? x : y) : (x < y ? x : y));
}

// Sign injection works on raw bits: no NaN canonicalisation, no flags.
template <class F>
uint64_t sgnj(uint64_t a, uint64_t b, int kind) {
  auto x = unbox_bits<F>(a), y = unbox_bits<F>(b);
  auto sign = Fp<F>::kSign;
  decltype(x) s = kind == 0 ? (y & sign) : kind == 1 ? (~y & sign) : ((x ^ y) & sign);
  return box_bits<F>((x & ~sign) | s);
}

// feq is a quiet comparison (NV only for signalling NaNs); flt and fle signal on any NaN.
template <class F>
uint64_t compare(tcg::CpuBase* env, uint64_t a, uint64_t b, int kind) {
  KeepMxcsr keep;
  F x = unbox<F>(a), y = unbox<F>(b);
  if (std::isnan(x) || std::isnan(y)) {
    if (kind != 0 || is_snan(x) || is_snan(y)) cpu_of(env)->fflags |= kFlagNV;
    return 0;
  }
  return kind == 0 ? x == y : kind == 1 ? x < y : x <= y;
}

template <class F>
uint64_t fclass(uint64_t a) {
  KeepMxcsr keep;
  F x = unbox<F>(a);
  bool neg = std::signbit(x);
  switch (std::fpclassify(x)) {
    case FP_INFINITE: return neg ? 1u << 0 : 1u << 7;
    case FP_NORMAL: return neg ? 1u << 1 : 1u << 6;
    case FP_SUBNORMAL: return neg ? 1u << 2 : 1u << 5;
    case FP_ZERO: return neg ? 1u << 3 : 1u << 4;
    default: return is_snan(x) ? 1u << 8 : 1u << 9;
  }
}

// Float to integer, saturating: NaN and too large give the maximum, too small the minimum, both
// with NV; otherwise NX when rounding changed the value. `lo`/`hi` are the exact limits as doubles
// (hi exclusive: 2^31, 2^32, 2^63, 2^64).
template <class F>
uint64_t to_int(tcg::CpuBase* env, uint64_t a, uint64_t rm, double lo, double hi, uint64_t min_result,
                uint64_t max_result, int64_t (*cast)(double)) {
  FpScope sc(env, rm);
  F x = unbox<F>(a);
  RiscvCpu* cpu = sc.cpu();
  if (std::isnan(x)) {
    cpu->fflags |= kFlagNV;
    return max_result;
  }
  double r = sc.rmm() ? std::round(double(x)) : std::nearbyint(double(barrier(x)));
  if (r < lo) {
    cpu->fflags |= kFlagNV;
    return min_result;
  }
  if (r >= hi) {
    cpu->fflags |= kFlagNV;
    return max_result;
  }
  if (r != double(x)) cpu->fflags |= kFlagNX;
  return uint64_t(cast(r));
}
int64_t cast_w(double r) { return int64_t(int32_t(r)); }
int64_t cast_wu(double r) { return int64_t(int32_t(uint32_t(r))); }
int64_t cast_l(double r) { return int64_t(r); }
int64_t cast_lu(double r) { return int64_t(uint64_t(r)); }

// Integer to float in the current rounding mode; the exact error for RMM fits a long double.
template <class F, class I>
uint64_t from_int(tcg::CpuBase* env, I v, uint64_t rm) {
  FpScope sc(env, rm);
  I in = v;
  asm volatile("" : "+r"(in));
  F r = barrier(F(in));
  sc.accrue();
  if (sc.rmm()) r = rmm_fix(r, (long double)v - (long double)r);
  return box(r);
}

uint64_t cvt_s_d(tcg::CpuBase* env, uint64_t a, uint64_t rm) {
  FpScope sc(env, rm);
  double x = barrier(unbox<double>(a));
  float r = barrier(float(x));
  sc.accrue();
  if (sc.rmm() && std::isfinite(r)) r = rmm_fix(r, x - double(r));
  return box(r);
}
uint64_t cvt_d_s(tcg::CpuBase* env, uint64_t a, uint64_t rm) {
  KeepMxcsr keep;
  float x = unbox<float>(a);
  if (is_snan(x)) cpu_of(env)->fflags |= kFlagNV;
  return box(double(x));
}

uint64_t orc_b(uint64_t x) {
  uint64_t r = 0;
  for (int i = 0; i < 64; i += 8)
    if ((x >> i) & 0xff) r |= uint64_t(0xff) << i;
  return r;
}

// The time CSR ticks at 10 MHz, the timebase of QEMU's virt board that guests expect.
uint64_t rdtime() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 10000000u + uint64_t(ts.tv_nsec) / 100u;
}

constexpr double k2p31 = 2147483648.0, k2p32 = 4294967296.0, k2p63 = 9223372036854775808.0,
                 k2p64 = 18446744073709551616.0;

using tcg::CpuBase;
#define H(name) uint64_t h_##name(CpuBase* env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
#define FP_HELPERS(p, F)                                                                                      \
  H(fadd_##p) { return add_sub<F>(env, a, b, c, false); }                                                     \
  H(fsub_##p) { return add_sub<F>(env, a, b, c, true); }                                                      \
  H(fmul_##p) { return mul<F>(env, a, b, c); }                                                                \
  H(fdiv_##p) { return div<F>(env, a, b, c); }                                                                \
  H(fsqrt_##p) { return sqrt<F>(env, a, b); }                                                                 \
  H(fmin_##p) { return minmax<F>(env, a, b, false); }                                                         \
  H(fmax_##p) { return minmax<F>(env, a, b, true); }                                                          \
  H(fmadd_##p) { return fused<F>(env, a, b, c, d, false, false); }                                            \
  H(fmsub_##p) { return fused<F>(env, a, b, c, d, false, true); }                                             \
  H(fnmsub_##p) { return fused<F>(env, a, b, c, d, true, false); }                                            \
  H(fnmadd_##p) { return fused<F>(env, a, b, c, d, true, true); }                                             \
  H(fsgnj_##p) { return sgnj<F>(a, b, 0); }                                                                   \
  H(fsgnjn_##p) { return sgnj<F>(a, b, 1); }                                                                  \
  H(fsgnjx_##p) { return sgnj<F>(a, b, 2); }                                                                  \
  H(feq_##p) { return compare<F>(env, a, b, 0); }                                                             \
  H(flt_##p) { return compare<F>(env, a, b, 1); }                                                             \
  H(fle_##p) { return compare<F>(env, a, b, 2); }                                                             \
  H(fclass_##p) { return fclass<F>(a); }                                                                      \
  H(fcvt_w_##p) { return to_int<F>(env, a, b, -k2p31, k2p31, 0xffffffff80000000ull, 0x7fffffffull, cast_w); } \
  H(fcvt_wu_##p) { return to_int<F>(env, a, b, 0.0, k2p32, 0, ~0ull, cast_wu); }                              \
  H(fcvt_l_##p) { return to_int<F>(env, a, b, -k2p63, k2p63, 1ull << 63, ~0ull >> 1, cast_l); }               \
  H(fcvt_lu_##p) { return to_int<F>(env, a, b, 0.0, k2p64, 0, ~0ull, cast_lu); }                              \
  H(fcvt_##p##_w) { return from_int<F, int32_t>(env, int32_t(a), b); }                                        \
  H(fcvt_##p##_wu) { return from_int<F, uint32_t>(env, uint32_t(a), b); }                                     \
  H(fcvt_##p##_l) { return from_int<F, int64_t>(env, int64_t(a), b); }                                        \
  H(fcvt_##p##_lu) { return from_int<F, uint64_t>(env, a, b); }
FP_HELPERS(s, float)
FP_HELPERS(d, double)
#undef FP_HELPERS
H(fcvt_s_d) { return cvt_s_d(env, a, b); }
H(fcvt_d_s) { return cvt_d_s(env, a, b); }
H(rdcycle) { return __rdtsc(); }
H(rdtime) { return rdtime(); }
// instret is not counted by translated code; the cycle counter is the closest monotonic stand-in.
H(rdinstret) { return __rdtsc(); }
H(orc_b) { return orc_b(a); }
H(fcsr_read) { return fcsr_read(env, a); }
H(fcsr_write) { return fcsr_write(env, a, b); }
// System mode's CSR instruction. a: csr | op << 12 | writes << 14 | rd << 16; b: the source
// value; c: the instruction bits; d: its pc. Returns 1 (and leaves the bits in bad_insn) when the
// access is illegal; otherwise writes rd and asks for a loop exit when an interrupt became takeable.
H(csr) {
  RiscvCpu* cpu = cpu_of(env);
  uint64_t old = 0;
  bool writes = (a >> 14) & 1;
  if (!csr_access(*cpu, uint32_t(a & 0xfff), CsrOp((a >> 12) & 3), b, writes, &old, d, uint32_t(c))) {
    cpu->bad_insn = uint32_t(c);
    return 1;
  }
  unsigned rd = unsigned(a >> 16) & 31;
  if (rd) cpu->x[rd] = old;
  if (writes && pending_interrupt(*cpu) >= 0) cpu->exit_request.store(1, std::memory_order_relaxed);
  return 0;
}
#undef H

struct Entry {
  const char* name;
  tcg::HelperFn fn;
  uint32_t flags;
};
constexpr uint32_t kFpFlags = tcg::HelperFlag::kReadsState | tcg::HelperFlag::kWritesState;
const Entry kEntries[] = {
#define RISCV_HELPER_ENTRY(name) {"riscv_" #name, h_##name, kFpFlags},
    RISCV_HELPERS(RISCV_HELPER_ENTRY)
#undef RISCV_HELPER_ENTRY
};
static_assert(std::size(kEntries) == size_t(Helper::kCount));

}  // namespace

uint32_t fp_get_fflags(const RiscvCpu& c) { return (c.fflags & 0x1f) | mxcsr_fflags(guest_mxcsr(c)); }

void fp_set_fflags(RiscvCpu& c, uint32_t fflags) {
  c.fflags = fflags & 0x1f;
  set_guest_mxcsr(c, guest_mxcsr(c) & ~kMxFlags);
}

void fp_set_frm(RiscvCpu& c, uint32_t frm) {
  frm &= 7;
  c.frm = frm;
  c.tb_flags = (c.tb_flags & ~kTbFrmMask) | frm;
  // RNE RTZ RDN RUP as MXCSR rounding control; RMM and the reserved values never run inline
  // (blocks translated for them use the helpers), so MXCSR keeps RNE for them.
  static constexpr uint32_t kRc[] = {0, 3, 1, 2};
  uint32_t rc = frm < 4 ? kRc[frm] : 0;
  set_guest_mxcsr(c, (guest_mxcsr(c) & ~kMxRc) | (rc << kMxRcShift));
}

uint32_t helper_id(Helper h) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(Helper::kCount)> ids{};
    for (size_t i = 0; i < ids.size(); ++i) {
      uint32_t flags = kEntries[i].flags;
      // Sign injection, fclass and orc.b only read their arguments.
      Helper k = Helper(i);
      if (k == Helper::fsgnj_s || k == Helper::fsgnjn_s || k == Helper::fsgnjx_s || k == Helper::fsgnj_d ||
          k == Helper::fsgnjn_d || k == Helper::fsgnjx_d || k == Helper::fclass_s || k == Helper::fclass_d ||
          k == Helper::orc_b)
        flags = tcg::HelperFlag::kPure;
      ids[i] = tcg::register_helper(kEntries[i].name, kEntries[i].fn, flags);
    }
    return ids;
  }();
  return ids[size_t(h)];
}

uint64_t call_helper(Helper h, void* env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  return kEntries[size_t(h)].fn(static_cast<tcg::CpuBase*>(env), a0, a1, a2, a3, 0);
}

}  // namespace mimic::riscv
