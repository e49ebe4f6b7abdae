// Out-of-line AdvSIMD integer arithmetic: one helper per encoding group, each reading and writing the
// V registers in the CPU state (see simd.h) and OR-ing FPSR.QC into A64Cpu::fpsr when it saturates.
//
// Every helper takes one packed descriptor (Desc). The op is the instruction's own opcode bits with
// U on top (three same/misc/across/shift: U << 5 | opcode5; three different: U << 4 | opcode4), so
// the translator passes the encoding through and the helper needs no second op numbering.
#pragma once

#include <cstdint>

namespace mimic::arm::simd_arith {

enum class Group : uint8_t {
  kSame,    // three same (vector and scalar), pairwise, and the non-long by-element forms
  kDiff,    // three different (widening, wide, narrowing) and the long by-element forms
  kMisc,    // two-register misc (vector and scalar)
  kAcross,  // across lanes (ADDV, SADDLV/UADDLV, S/UMAXV, S/UMINV) and scalar ADDP
  kShift,   // shift by immediate (vector and scalar)
  kCount
};

// The descriptor of one instruction. esz is log2 bytes of the element the op is named by: the
// source element for widening ops, the destination element for narrowing ones.
struct Desc {
  unsigned op = 0;
  unsigned d = 0, n = 0, m = 0;
  unsigned esz = 0;
  bool q = false;       // 128-bit vector (false: 64-bit, bits 127:64 of Vd are zeroed)
  bool scalar = false;  // one element; everything above it in Vd is zeroed
  bool part = false;    // the "2" forms: upper half of the narrow source / destination
  bool elem = false;    // by element: operand m is lane idx of Vm, broadcast
  unsigned idx = 0;     // by-element lane
  unsigned imm = 0;     // shift amount (shift by immediate)

  uint64_t pack() const {
    return uint64_t(op) | uint64_t(d) << 8 | uint64_t(n) << 13 | uint64_t(m) << 18 | uint64_t(esz) << 23 |
           uint64_t(q) << 25 | uint64_t(scalar) << 26 | uint64_t(part) << 27 | uint64_t(elem) << 28 |
           uint64_t(idx) << 32 | uint64_t(imm) << 40;
  }
  static Desc unpack(uint64_t v) {
    Desc d;
    d.op = v & 0xff;
    d.d = (v >> 8) & 31;
    d.n = (v >> 13) & 31;
    d.m = (v >> 18) & 31;
    d.esz = (v >> 23) & 3;
    d.q = (v >> 25) & 1;
    d.scalar = (v >> 26) & 1;
    d.part = (v >> 27) & 1;
    d.elem = (v >> 28) & 1;
    d.idx = (v >> 32) & 15;
    d.imm = (v >> 40) & 0xff;
    return d;
  }
};

// FPSR.QC: cumulative saturation.
inline constexpr uint32_t kFpsrQc = 1u << 27;

// The registry id of a group's helper (void fn(env, desc), reads and writes V registers and FPSR).
uint32_t helper_id(Group g);

}  // namespace mimic::arm::simd_arith
