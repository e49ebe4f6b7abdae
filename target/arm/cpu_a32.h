// The AArch32 guest CPU state (user mode: A32/T32, VFP/NEON) and its translation flags.
//
// It extends the AArch64 state rather than copying it, as AArch32 state is architecturally a
// view of AArch64 state: NZCV live in the same lazy nf/zf/cf/vf fields (so the A64 flag emitters
// and condition tests serve both), Q0-Q15 are v[0..15] (D2n/D2n+1 the low/high halves of Vn, so
// the AdvSIMD helpers apply unchanged), and FPSCR is FPCR | FPSR plus NZCV in bits 31-28.
#pragma once

#include <cstddef>
#include <cstdint>

#include "target/arm/cpu.h"

namespace mimic::arm {

struct A32Cpu : A64Cpu {
  // R0-R14; r[15] is unused (the pc is CpuBase::pc, bit 0 clear: Thumb state is in tb_flags).
  uint32_t r[16] = {};
  uint32_t ge = 0;          // APSR.GE, bits 3..0
  uint32_t qf = 0;          // APSR.Q (sticky saturation), 0 or 1
  uint32_t tpidruro = 0;    // TLS pointer (CP15 c13 c0 3, set_tls), read-only to the guest
  uint32_t tpidrurw = 0;    // CP15 c13 c0 2, user read/write
  uint32_t fpscr_nzcv = 0;  // FPSCR bits 31-28 (VCMP results until VMRS APSR_nzcv copies them)
  uint32_t fpscr_vec = 0;   // FPSCR.STRIDE (21:20) and LEN (18:16): kept, VFP arithmetic traps when set
  uint64_t fp_tmp = 0;      // an inline FP result and its exact recomputation meet here
  // pc | IT << 32 of the last instruction that started inside an IT block (stored before it
  // runs): a fault's guest state is rebuilt from the pc alone, and this gives it the IT state.
  uint64_t it_insn = 0;
};

// The IT state the instruction at `pc` started under, when it was the last one run inside an IT
// block (0 otherwise).
inline uint32_t it_state_at(const A32Cpu& c, uint64_t pc) {
  return uint32_t(c.it_insn) == uint32_t(pc) ? uint32_t(c.it_insn >> 32) : 0;
}

inline uint32_t rreg_offset(unsigned r) { return uint32_t(offsetof(A32Cpu, r) + 4 * r); }

// tb_flags of AArch32: bits 0-4 as AArch64 (FPSCR RMode/FZ/DN/AHP, set by set_fpcr), Thumb state,
// and the IT-block state an instruction starts under (when a block starts inside an IT block).
constexpr uint32_t kTbThumb = 1u << 5;
// FPSCR.LEN or STRIDE is not zero: a Cortex-A15 has no VFP short vectors, so its VFP
// data-processing instructions are UNDEFINED then (qemu-arm's cortex-a15 does the same).
constexpr uint32_t kTbVfpVector = 1u << 6;
constexpr uint32_t kFpscrVecMask = 0x00370000;
constexpr uint32_t kTbItShift = 8;
constexpr uint32_t kTbItMask = 0xffu << kTbItShift;

// CPSR as user space sees it (signal frames, gdb, MRS): NZCV, Q, GE, IT, T; mode USR (0x10).
inline uint32_t get_cpsr(const A32Cpu& c) {
  const uint32_t it = (c.tb_flags & kTbItMask) >> kTbItShift;
  return get_nzcv(c) | (c.qf & 1) << 27 | (c.ge & 15) << 16 | (it & 3) << 25 | (it >> 2) << 10 |
         ((c.tb_flags & kTbThumb) ? 1u << 5 : 0) | 0x10;
}
inline void set_cpsr(A32Cpu& c, uint32_t v) {
  set_nzcv(c, v & 0xf0000000);
  c.qf = (v >> 27) & 1;
  c.ge = (v >> 16) & 15;
  const uint32_t it = ((v >> 25) & 3) | ((v >> 10) & 0x3f) << 2;
  c.tb_flags = (c.tb_flags & ~(kTbThumb | kTbItMask)) | ((v >> 5) & 1 ? kTbThumb : 0) | it << kTbItShift;
}

// FPSCR from FPCR/FPSR (fpenv.cpp's accessors) and the VFP compare flags, and back.
inline uint32_t get_fpscr(const A32Cpu& c) { return c.fpscr_nzcv | c.fpscr_vec | get_fpcr(c) | get_fpsr(c); }
inline void set_fpscr(A32Cpu& c, uint32_t v) {
  c.fpscr_nzcv = v & 0xf0000000;
  c.fpscr_vec = v & kFpscrVecMask;
  c.tb_flags = (c.tb_flags & ~kTbVfpVector) | (c.fpscr_vec ? kTbVfpVector : 0);
  set_fpcr(c, v & 0x07ff9f00);
  set_fpsr(c, v & 0x0800009f);
}

}  // namespace mimic::arm
