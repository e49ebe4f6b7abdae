// What the two Advanced SIMD translation files (trans_a32_neon.cpp: data processing,
// trans_a32_neon_ldst.cpp: element and structure loads/stores) share.
#pragma once

#include <cstddef>
#include <cstdint>

#include "target/arm/trans_a32.h"

namespace mimic::arm {

// D<r> is the 8 bytes at A64Cpu::v + 8r.
inline uint32_t neon_doff(unsigned r) { return uint32_t(offsetof(A64Cpu, v) + 8 * r); }
inline Arg neon_getd(A32Context& s, unsigned r) { return s.ir.get_state(Type::I64, neon_doff(r)); }
inline void neon_setd(A32Context& s, unsigned r, Arg v) { s.ir.set_state(neon_doff(r), v); }
// An element (i64, zero-extended) replicated over the 64 bits.
inline Arg neon_dup(A32Context& s, Arg elem, unsigned esz) {
  static constexpr uint64_t kOnes[4] = {0x0101010101010101ull, 0x0001000100010001ull, 0x0000000100000001ull, 1};
  return esz == 3 ? elem : s.ir.mul(elem, imm64(kOnes[esz]));
}

bool trans_a32_neon_dp(A32Context& s, uint32_t insn);    // 1111001x
bool trans_a32_neon_ldst(A32Context& s, uint32_t insn);  // 11110100

}  // namespace mimic::arm
