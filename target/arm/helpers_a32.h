// The AArch32 helper functions translated code calls (saturation, packed SIMD, APSR, division).
#pragma once

#include <cstdint>

namespace mimic::arm {

enum class A32Helper : uint16_t {
  shift_reg,  // (v, amount 0..255, type, C) -> result | carry out << 32
  udiv,       // (n, m) -> n / m, 0 when m is 0
  sdiv,       // (n, m) -> n / m, 0 when m is 0, INT_MIN for INT_MIN / -1
  add_setq,   // (a, b) -> a + b; sets Q on signed overflow
  usad8,      // (n, m) -> sum of |n.b[i] - m.b[i]|
  rbit,       // (v) -> bits reversed
  ssat,       // (v, sat_imm) -> v saturated to sat_imm + 1 signed bits; sets Q when it saturates
  usat,       // (v, sat_imm) -> v saturated to sat_imm unsigned bits; sets Q
  ssat16,     // as ssat on each halfword (sat_imm + 1 bits)
  usat16,     // as usat on each halfword
  sel,        // (n, m) -> bytes of n where GE is set, else of m
  parallel,   // (n, m, code << 4 | op) -> the ARMv6 parallel add/subtract; S/U forms set GE
  qaddsub,    // (m, n, op) -> QADD/QSUB/QDADD/QDSUB of m and n (op bit 0 sub, bit 1 double n)
  get_apsr,   // () -> APSR (NZCVQ, GE)
  set_apsr,   // (v, mask: bit 1 NZCVQ, bit 0 GE)
  get_fpscr,  // () -> FPSCR
  set_fpscr,  // (v): also tb_flags and MXCSR rounding; the block must end after it
  kCount
};

uint32_t a32_helper_id(A32Helper h);

}  // namespace mimic::arm
