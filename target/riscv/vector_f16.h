// IEEE half precision for the vector unit (SEW 16 FP, which qemu 7.2's V has): arithmetic is
// done exactly or once-rounded in double under the instruction's rounding direction, then rounded
// to half precision with RISC-V's flags (tininess after rounding). double holds 53 bits, more than
// 2 * 11 + 2, so the two roundings of +, -, *, / and sqrt give the correctly rounded result.
#pragma once

#include <cstdint>

namespace mimic::riscv {

// The host rounding direction of RISC-V rounding mode rm (RMM: to nearest) and cleared host
// flags for the span of one vector instruction; the guest's MXCSR (inline FP flags, rounding) is
// restored after.
class HostRound {
 public:
  explicit HostRound(unsigned rm);
  ~HostRound();
  HostRound(const HostRound&) = delete;
  HostRound& operator=(const HostRound&) = delete;
  uint32_t flags() const;  // the host flags raised since construction, as fflags bits

 private:
  unsigned mxcsr_;
  int saved_;
};

}  // namespace mimic::riscv

namespace mimic::riscv::f16 {

enum class Op { Add, Sub, Mul, Div, Sqrt, Fma };
constexpr uint16_t kCanon = 0x7e00;

double to_double(uint16_t h);  // exact (NaNs keep their quiet bit)
bool is_nan(uint16_t h);
bool is_snan(uint16_t h);
// x rounded to half precision in rounding mode rm (0..4); `inexact` says x itself was rounded.
uint16_t from_double(double x, unsigned rm, bool inexact, uint32_t& flags);
// x * y + z for Fma; y and z unused by the unary and binary ops.
uint16_t arith(Op op, uint16_t x, uint16_t y, uint16_t z, unsigned rm, uint32_t& flags);
uint16_t min_max(uint16_t x, uint16_t y, bool is_max, uint32_t& flags);
// kind 0 eq (quiet), 1 lt, 2 le (signalling).
bool compare(uint16_t x, uint16_t y, int kind, uint32_t& flags);
uint16_t classify(uint16_t x);
// Exact widening to single precision (a signalling NaN raises NV and becomes the canonical NaN).
uint32_t to_f32(uint16_t h, uint32_t& flags);

}  // namespace mimic::riscv::f16
