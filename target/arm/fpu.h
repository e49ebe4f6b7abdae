// Arm floating-point semantics (FPCR modes, FPSR cumulative flags, Arm NaN rules) on host SSE,
// one element at a time: the single place the scalar FP helpers and the per-lane loops of the
// AdvSIMD FP helpers take their arithmetic from.
//
// Values are bit patterns: U = uint32_t (single) or uint64_t (double); half precision only
// appears in conversions (16-bit patterns in a uint64_t). Every function follows the Arm ARM
// pseudocode (FPUnpack with FZ input flushing and IDC, FPProcessNaNs operand priority, FPRound
// with tininess detected before rounding and FZ output flushing, FPToFixed, FPRoundInt,
// FPRecipEstimate ...). Arithmetic that IEEE defines (add, sub, mul, div, sqrt, fma) runs on the
// host under an MXCSR set for FPCR.RMode, inside a HostScope that turns the host flags into FPSR
// flags; NaNs, FZ, the underflow edge and conversions are handled in software.
#pragma once

#include <cstdint>

namespace mimic::arm::fp {

// FPSR cumulative exception bits.
enum Flag : uint32_t { kIOC = 1, kDZC = 2, kOFC = 4, kUFC = 8, kIXC = 16, kIDC = 128 };
constexpr uint32_t kExcFlags = 0x9f;

// FPRounding, in the Arm ARM's order (the first four are FPCR.RMode values).
enum Rounding : unsigned { kTieEven, kPosInf, kNegInf, kZero, kTieAway, kOdd };

// FPCR bits the implementation has (AHP, DN, FZ, RMode), and where they sit.
constexpr uint32_t kFpcrAhp = 1u << 26, kFpcrDn = 1u << 25, kFpcrFz = 1u << 24;
constexpr unsigned kFpcrRModeShift = 22;

// The FP environment of one instruction: FPCR in, FPSR exception flags out.
struct Status {
  uint32_t fpcr = 0;
  uint32_t flags = 0;  // FPSR cumulative bits raised (Flag)
  bool fz() const { return fpcr & kFpcrFz; }
  bool dn() const { return fpcr & kFpcrDn; }
  bool ahp() const { return fpcr & kFpcrAhp; }
  Rounding rmode() const { return Rounding((fpcr >> kFpcrRModeShift) & 3); }
};

// Scope for calling the functions below: sets the host MXCSR rounding control for st.fpcr with
// no flags, and on exit adds the host flags raised meanwhile to st.flags and puts back the MXCSR
// it found (so the guest flags that inline code keeps in MXCSR are neither lost nor added to).
class HostScope {
 public:
  explicit HostScope(Status& st);
  ~HostScope();
  HostScope(const HostScope&) = delete;
  HostScope& operator=(const HostScope&) = delete;

 private:
  Status& st_;
  uint32_t saved_;
};

// MXCSR <-> Arm mapping (IE->IOC, ZE->DZC, OE->OFC, UE->UFC, PE->IXC; DE is not IDC).
uint32_t mxcsr_to_fpsr(uint32_t mxcsr);
uint32_t rmode_to_mxcsr_rc(unsigned rmode);  // the MXCSR RC field value (bits 13-14 shifted down)

// ---- arithmetic (U = uint32_t or uint64_t) ----
template <class U> U add(U a, U b, Status& st);
template <class U> U sub(U a, U b, Status& st);
template <class U> U mul(U a, U b, Status& st);
template <class U> U div(U a, U b, Status& st);
template <class U> U mulx(U a, U b, Status& st);  // FMULX: inf * 0 = +-2
template <class U> U abd(U a, U b, Status& st);   // FABD: |a - b|
template <class U> U max(U a, U b, Status& st);
template <class U> U min(U a, U b, Status& st);
template <class U> U maxnm(U a, U b, Status& st);
template <class U> U minnm(U a, U b, Status& st);
template <class U> U sqrt(U a, Status& st);
// addend + a * b with one rounding (FPMulAdd); negations are the caller's (FPNeg on the bits).
template <class U> U muladd(U addend, U a, U b, Status& st);
template <class U> U recps(U a, U b, Status& st);   // FRECPS: 2 - a * b
template <class U> U rsqrts(U a, U b, Status& st);  // FRSQRTS: (3 - a * b) / 2
template <class U> U recpe(U a, Status& st);        // FRECPE
template <class U> U rsqrte(U a, Status& st);       // FRSQRTE
template <class U> U recpx(U a, Status& st);        // FRECPX
uint32_t urecpe(uint32_t a);
uint32_t ursqrte(uint32_t a);

// ---- comparisons ----
// FCMP/FCMPE: NZCV as 4 bits (N in bit 3); `signal` raises IOC for quiet NaNs too.
template <class U> unsigned compare(U a, U b, bool signal, Status& st);
template <class U> bool cmp_eq(U a, U b, Status& st);  // FCMEQ (IOC for signalling NaNs)
template <class U> bool cmp_ge(U a, U b, Status& st);  // FCMGE (IOC for any NaN)
template <class U> bool cmp_gt(U a, U b, Status& st);  // FCMGT

// ---- rounding and conversions ----
// FRINT*: round to an integral value in the same format; `exact` (FRINTX) raises IXC.
template <class U> U round_int(U a, Rounding r, bool exact, Status& st);
// FPToFixed: to a signed/unsigned integer of int_bits (32/64) with fbits fraction bits,
// saturating with IOC. The result is zero-extended from int_bits.
template <class U> uint64_t to_fixed(U a, unsigned fbits, bool is_unsigned, unsigned int_bits, Rounding r, Status& st);
// FixedToFP: the low int_bits of v (signed or not) divided by 2^fbits.
template <class U> U from_fixed(uint64_t v, bool is_signed, unsigned int_bits, unsigned fbits, Rounding r, Status& st);
// FPConvert between half (16), single (32) and double (64); FPCR.AHP selects the alternative
// half-precision format.
uint64_t convert(uint64_t a, unsigned from_bits, unsigned to_bits, Rounding r, Status& st);

// The FPCR/FPSR-free bit facts the translator needs.
template <class U> constexpr U kSignBit = U(1) << (sizeof(U) * 8 - 1);
template <class U> constexpr U kDefaultNaN = sizeof(U) == 4 ? U(0x7fc00000u) : U(0x7ff8000000000000ull);
template <class U> constexpr U kInfBits = sizeof(U) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
template <class U> constexpr U kMinNormalBits = sizeof(U) == 4 ? U(0x00800000u) : U(0x0010000000000000ull);

}  // namespace mimic::arm::fp
