// Helpers of the FP area: scalar FP operations the translator does not inline, the slow paths of
// the inline ones, FPCR/FPSR access, and AdvSIMD floating point over the lanes of V registers.
// All of them read FPCR and write FPSR (and the vector ones V registers) through env, so they
// are registered with kReadsState | kWritesState.
#pragma once

#include <cstdint>

namespace mimic::arm {

// Per-element operations (fpu.h) the helpers apply.
enum class FpOp : uint8_t {
  // binary: (n, m)
  Add, Sub, Mul, Div, Max, Min, MaxNm, MinNm, NMul, MulX, Abd, Recps, Rsqrts,
  CmEq, CmGe, CmGt, AcGe, AcGt,  // all ones / zero
  // unary: (n)
  Sqrt, Recpe, Rsqrte, Recpx, Urecpe, Ursqrte, RintN, RintP, RintM, RintZ, RintA, RintX, RintI,
  CmGt0, CmGe0, CmEq0, CmLe0, CmLt0,
  // accumulate into d: d + n * m, d - n * m
  Mla, Mls,
};

enum class FpHelper : uint16_t {
  bin,       // (op | dbl << 8, a, b) -> the element result bits
  un,        // (op | dbl << 8, a) -> result
  fma,       // (neg_addend | neg_product << 1 | dbl << 2, addend, n, m) -> addend + n * m, one rounding
  cmp,       // (signal | dbl << 1, a, b) -> NZCV in bits 3..0
  cvt,       // (from_bits | to_bits << 8, a) -> FCVT between H, S and D (FPCR rounding)
  to_int,    // (desc, a): see fp_int_desc
  from_int,  // (desc, v): see fp_int_desc
  get_fpsr,  // () -> FPSR
  set_fpsr,  // (v)
  set_fpcr,  // (v): also tb_flags and MXCSR rounding; the block must end after it
  vbin,      // (regs, op, vflags): three-same, by element (kVElem), pairwise (kVPair), accumulate
  vun,       // (regs, op, vflags): two-register misc, compares with zero
  vreduce,   // (regs, op, vflags): across lanes / scalar pairwise reduction of Vn to scalar Vd
  vint,      // (regs, desc, vflags): FCVT*S/U and SCVTF/UCVTF per lane (desc: fp_int_desc)
  vnarrow,   // (regs, round_odd, vflags): FCVTN/FCVTN2/FCVTXN (vflags dbl: from double)
  vwiden,    // (regs, 0, vflags): FCVTL/FCVTL2 (vflags dbl: to double)
  kCount
};

// regs argument of the vector helpers: d | n << 5 | m << 10.
inline uint64_t vregs(unsigned d, unsigned n, unsigned m = 0) { return d | n << 5 | m << 10; }
// vflags of the vector helpers.
constexpr uint64_t kVQ = 1;       // 128-bit vector (else 64 bits, upper half zeroed)
constexpr uint64_t kVDbl = 2;     // 64-bit elements (else 32-bit; vnarrow/vwiden: the wide side is double)
constexpr uint64_t kVScalar = 4;  // one element (AdvSIMD scalar form), the rest of Vd zeroed
constexpr uint64_t kVPair = 8;    // pairwise: operands are the lanes of n followed by those of m, pairs combined
constexpr uint64_t kVElem = 16;   // by element: m's lane (bits 8..11) for every lane
constexpr uint64_t kVElemShift = 8;
// desc of to_int/from_int/vint: fbits (bits 0-6), rounding (fp::Rounding, bits 8-10),
// unsigned (bit 11), 64-bit integer (bit 12), double (bit 13), from int (bit 14, vint only).
inline uint64_t fp_int_desc(unsigned fbits, unsigned rounding, bool is_unsigned, bool int64, bool dbl, bool from_int = false) {
  return fbits | rounding << 8 | unsigned(is_unsigned) << 11 | unsigned(int64) << 12 | unsigned(dbl) << 13 |
         unsigned(from_int) << 14;
}
constexpr unsigned kRoundFpcr = 7;  // rounding field value: FPCR.RMode

uint32_t fp_helper_id(FpHelper h);

}  // namespace mimic::arm
