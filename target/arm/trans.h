// Per-instruction translation context, register/flag/condition emitters and the trans_ visitors.
#pragma once

#include <cstddef>
#include <cstdint>

#include "target/arm/cpu.h"
#include "target/arm/decode.h"
#include "target/arm/flag_liveness.h"
#include "tcg/ir/builder.h"
#include "tcg/ir/loop_unroll.h"

namespace mimic::arm {

using tcg::Arg;
using tcg::Cond;
using tcg::IRBuilder;
using tcg::Type;
namespace MemOp = tcg::MemOp;

// The last flag-setting instruction of this block whose IR operands are still in scope: a later
// condition (B.cond, CSEL, CCMP ...) is then evaluated on them directly, which the backend turns
// into one host cmp + jcc/setcc/cmov, instead of being rebuilt from the NF/ZF/CF/VF fields.
struct FlagSource {
  enum Kind : uint8_t { kNone, kSub, kAdd, kLogic } kind = kNone;
  Arg a, b;    // the operands (kSub: a - b; kAdd: a + b)
  Arg result;  // a op b (kLogic: the result only)
};

struct DisasContext {
  explicit DisasContext(tcg::IRBuilder& b) : ir(b) {}
  tcg::IRBuilder& ir;
  uint64_t pc = 0;  // this instruction
  uint32_t insn = 0;
  uint32_t tb_flags = 0;  // the translation flags the block is translated under (block.flags)
  bool ended = false;     // the instruction emitted the block's exit
  FlagSource flags;
  PageCode code;  // the block's page, for look-ahead at its exits
  // System mode (false in linux-user): the EL the block runs at, from tb_flags.
  bool system = false;
  unsigned el = 0;
  // One-block loops (linux-user): copies of the body in one block (tcg/ir/loop_unroll.h).
  tcg::LoopUnroll unroll;
  unsigned insns = 0;    // instructions translated so far, this one included
  bool restart = false;  // the instruction asked for the body again, from the block's start
};

// LDTR/STTR at EL1 in system mode: EL0's MMU index (mmu.h kMmuEl0; PSTATE.UAO is not modelled).
constexpr unsigned kUnprivMmuIndex = 0;

inline Arg imm64(uint64_t v) { return IRBuilder::imm64(v); }
inline Arg imm32(uint32_t v) { return IRBuilder::imm32(v); }
inline Arg imm_sf(bool sf, uint64_t v) { return sf ? imm64(v) : imm32(uint32_t(v)); }
inline Type type_sf(bool sf) { return sf ? Type::I64 : Type::I32; }

constexpr uint32_t kSpOffset = uint32_t(offsetof(A64Cpu, sp));
constexpr uint32_t kNfOffset = uint32_t(offsetof(A64Cpu, nf));
constexpr uint32_t kZfOffset = uint32_t(offsetof(A64Cpu, zf));
constexpr uint32_t kCfOffset = uint32_t(offsetof(A64Cpu, cf));
constexpr uint32_t kVfOffset = uint32_t(offsetof(A64Cpu, vf));

// Register 31 is XZR in these (reads give 0, writes are dropped) ...
inline Arg read_x(DisasContext& s, unsigned r) {
  return r == 31 ? imm64(0) : s.ir.get_state(Type::I64, xreg_offset(r));
}
// ... and SP in these.
inline Arg read_xsp(DisasContext& s, unsigned r) {
  return s.ir.get_state(Type::I64, r == 31 ? kSpOffset : xreg_offset(r));
}
// W (sf = 0, i32 value) or X (i64) view.
inline Arg read_reg(DisasContext& s, unsigned r, bool sf) {
  if (r == 31) return imm_sf(sf, 0);
  Arg v = read_x(s, r);
  return sf ? v : s.ir.trunc64_to_32(v);
}
inline Arg read_reg_sp(DisasContext& s, unsigned r, bool sf) {
  Arg v = read_xsp(s, r);
  return sf ? v : s.ir.trunc64_to_32(v);
}
// Writes of an i32 value zero the upper half, as every W-form write does.
inline Arg widen(DisasContext& s, Arg v) { return v.type == Type::I32 ? s.ir.zext32_to_64(v) : v; }
inline void write_x(DisasContext& s, unsigned r, Arg v) {
  if (r != 31) s.ir.set_state(xreg_offset(r), widen(s, v));
}
inline void write_xsp(DisasContext& s, unsigned r, Arg v) {
  s.ir.set_state(r == 31 ? kSpOffset : xreg_offset(r), widen(s, v));
}

inline void gen_exit(DisasContext& s, uint32_t reason, uint64_t pc) {
  s.ir.exit_loop(reason, imm64(pc));
  s.ended = true;
}
// Before a block exit to `next` (and `other`, for two-way exits): when the code there overwrites
// NZCV before reading it on every path, this block's flag stores are dropped.
void gen_discard_dead_flags(DisasContext& s, uint64_t next, uint64_t other);
inline void gen_discard_dead_flags(DisasContext& s, uint64_t next) { gen_discard_dead_flags(s, next, next); }
inline void gen_goto(DisasContext& s, unsigned slot, uint64_t target) {
  gen_discard_dead_flags(s, target);
  s.ir.goto_tb(slot, target);
}
// Leaves for an indirect target (BR/BLR/RET): misaligned targets fault at the target.
void gen_goto_ptr(DisasContext& s, Arg target);

// ---- flags (flags.cpp) ----
// N and Z from a result (i32 or i64); C and V as given (i64 fields).
void gen_set_nzcv(DisasContext& s, Arg result, Arg cf, Arg vf);
void gen_logic_flags(DisasContext& s, Arg result);           // ANDS/BICS: C = V = 0
Arg gen_adds(DisasContext& s, Arg a, Arg b);                 // a + b with flags
Arg gen_subs(DisasContext& s, Arg a, Arg b);                 // a - b with flags
Arg gen_adc(DisasContext& s, Arg a, Arg b, bool set_flags);  // a + b + C (SBC: pass ~b)
// V (as an i64 with V in bit 63) of r = a + b (+ carry) and of r = a - b.
Arg gen_vf_add(DisasContext& s, Arg a, Arg b, Arg r);
Arg gen_vf_sub(DisasContext& s, Arg a, Arg b, Arg r);
// A condition as one compare: it holds iff a <c> b.
struct CondTest {
  Cond c;
  Arg a, b;
};
CondTest gen_test_cc(DisasContext& s, unsigned cond);  // cond 0..13 (AL/NV are not tests)
Arg gen_cond_value(DisasContext& s, unsigned cond);    // i64 0/1 (1 for AL/NV)

// ---- memory helpers (trans_ldst.cpp) ----
Arg gen_ext_reg(DisasContext& s, unsigned m, unsigned option, unsigned shift);  // extended register operand (i64)

// clang-format off
// Data processing, immediate (trans_dp_imm.cpp).
bool trans_ADR(DisasContext& s, uint32_t lo, uint32_t hi, uint32_t d);
bool trans_ADRP(DisasContext& s, uint32_t lo, uint32_t hi, uint32_t d);
bool trans_ADDSUB_imm(DisasContext& s, bool sf, bool op, bool S, uint32_t sh, uint32_t imm12, uint32_t n, uint32_t d);
bool trans_LOGIC_imm(DisasContext& s, bool sf, uint32_t opc, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d);
bool trans_MOVN(DisasContext& s, bool sf, uint32_t hw, uint32_t imm16, uint32_t d);
bool trans_MOVZ(DisasContext& s, bool sf, uint32_t hw, uint32_t imm16, uint32_t d);
bool trans_MOVK(DisasContext& s, bool sf, uint32_t hw, uint32_t imm16, uint32_t d);
bool trans_SBFM(DisasContext& s, bool sf, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d);
bool trans_BFM(DisasContext& s, bool sf, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d);
bool trans_UBFM(DisasContext& s, bool sf, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d);
bool trans_EXTR(DisasContext& s, bool sf, uint32_t N, uint32_t m, uint32_t imms, uint32_t n, uint32_t d);

// Data processing, register (trans_dp_reg.cpp).
bool trans_LOGIC_shift(DisasContext& s, bool sf, uint32_t opc, uint32_t shift, bool N, uint32_t m, uint32_t imm6, uint32_t n, uint32_t d);
bool trans_ADDSUB_shift(DisasContext& s, bool sf, bool op, bool S, uint32_t shift, uint32_t m, uint32_t imm6, uint32_t n, uint32_t d);
bool trans_ADDSUB_ext(DisasContext& s, bool sf, bool op, bool S, uint32_t m, uint32_t option, uint32_t imm3, uint32_t n, uint32_t d);
bool trans_ADCSBC(DisasContext& s, bool sf, bool op, bool S, uint32_t m, uint32_t n, uint32_t d);
bool trans_CCMP_reg(DisasContext& s, bool sf, bool op, uint32_t m, uint32_t cond, uint32_t n, uint32_t nzcv);
bool trans_CCMP_imm(DisasContext& s, bool sf, bool op, uint32_t imm5, uint32_t cond, uint32_t n, uint32_t nzcv);
bool trans_CSEL(DisasContext& s, bool sf, bool op, uint32_t m, uint32_t cond, bool o2, uint32_t n, uint32_t d);
bool trans_UDIV(DisasContext& s, bool sf, uint32_t m, uint32_t n, uint32_t d);
bool trans_SDIV(DisasContext& s, bool sf, uint32_t m, uint32_t n, uint32_t d);
bool trans_SHIFTV(DisasContext& s, bool sf, uint32_t m, uint32_t op2, uint32_t n, uint32_t d);
bool trans_CRC32(DisasContext& s, bool sf, uint32_t m, bool C, uint32_t sz, uint32_t n, uint32_t d);
bool trans_RBIT(DisasContext& s, bool sf, uint32_t n, uint32_t d);
bool trans_REV16(DisasContext& s, bool sf, uint32_t n, uint32_t d);
bool trans_REV32(DisasContext& s, bool sf, uint32_t n, uint32_t d);
bool trans_REV64(DisasContext& s, uint32_t n, uint32_t d);
bool trans_CLZ(DisasContext& s, bool sf, uint32_t n, uint32_t d);
bool trans_CLS(DisasContext& s, bool sf, uint32_t n, uint32_t d);
bool trans_MADD(DisasContext& s, bool sf, uint32_t m, bool o0, uint32_t a, uint32_t n, uint32_t d);
bool trans_MADDL(DisasContext& s, bool U, uint32_t m, bool o0, uint32_t a, uint32_t n, uint32_t d);
bool trans_MULH(DisasContext& s, bool U, uint32_t m, uint32_t a, uint32_t n, uint32_t d);

// Branches, exceptions and system (trans_branch.cpp).
bool trans_B(DisasContext& s, bool link, uint32_t imm26);
bool trans_B_cond(DisasContext& s, uint32_t imm19, uint32_t cond);
bool trans_CBZ(DisasContext& s, bool sf, bool nz, uint32_t imm19, uint32_t t);
bool trans_TBZ(DisasContext& s, uint32_t b5, bool nz, uint32_t b40, uint32_t imm14, uint32_t t);
bool trans_BR(DisasContext& s, uint32_t n);
bool trans_BLR(DisasContext& s, uint32_t n);
bool trans_RET(DisasContext& s, uint32_t n);
bool trans_SVC(DisasContext& s, uint32_t imm16);
bool trans_BRK(DisasContext& s, uint32_t imm16);
bool trans_UDF(DisasContext& s, uint32_t imm16);
bool trans_HINT(DisasContext& s, uint32_t crm, uint32_t op2);
bool trans_CLREX(DisasContext& s, uint32_t crm);
bool trans_DSB(DisasContext& s, uint32_t crm);
bool trans_DMB(DisasContext& s, uint32_t crm);
bool trans_ISB(DisasContext& s, uint32_t crm);
bool trans_SB(DisasContext& s);
bool trans_SYS(DisasContext& s, uint32_t op, uint32_t t);
bool trans_MSR_reg(DisasContext& s, uint32_t reg, uint32_t t);
bool trans_MRS(DisasContext& s, uint32_t reg, uint32_t t);
// System mode's system instructions (trans_system.cpp); in linux-user they are UNDEFINED as
// before, and trans_SYS/MSR_reg/MRS/HINT send system mode here.
bool trans_ERET(DisasContext& s);
bool trans_HVC(DisasContext& s, uint32_t imm16);
bool trans_SMC(DisasContext& s, uint32_t imm16);
bool trans_MSR_imm(DisasContext& s, uint32_t op1, uint32_t crm, uint32_t op2);
bool trans_SYS_system(DisasContext& s, uint32_t op, uint32_t t);
bool trans_MRS_system(DisasContext& s, uint32_t reg, uint32_t t);
bool trans_MSR_system(DisasContext& s, uint32_t reg, uint32_t t);
bool trans_HINT_system(DisasContext& s, uint32_t crm, uint32_t op2);
// An FP/SIMD instruction under CPACR_EL1.FPEN trapping: emits the trap, true when it did.
bool gen_fp_trap_check(DisasContext& s);
// The EL0-view MRS/MSR of sysreg.cpp (NZCV, FPCR, FPSR, TPIDR_EL0 inline).
bool trans_MRS_el0(DisasContext& s, uint32_t reg, uint32_t t);
bool trans_MSR_el0(DisasContext& s, uint32_t reg, uint32_t t);

// Loads and stores (trans_ldst.cpp).
bool trans_LDST_uimm(DisasContext& s, uint32_t size, bool V, uint32_t opc, uint32_t imm12, uint32_t n, uint32_t t);
bool trans_LDST_imm9(DisasContext& s, uint32_t size, bool V, uint32_t opc, uint32_t imm9, uint32_t idx, uint32_t n, uint32_t t);
bool trans_LDST_reg(DisasContext& s, uint32_t size, bool V, uint32_t opc, uint32_t m, uint32_t option, bool S, uint32_t n, uint32_t t);
bool trans_LDR_lit(DisasContext& s, uint32_t opc, bool V, uint32_t imm19, uint32_t t);
bool trans_LDST_pair(DisasContext& s, uint32_t opc, bool V, uint32_t idx, bool L, uint32_t imm7, uint32_t t2, uint32_t n, uint32_t t);

// Exclusives, load-acquire/store-release and LSE atomics (trans_atomic.cpp).
bool trans_LDST_excl(DisasContext& s, uint32_t size, bool o2, bool L, bool o1, uint32_t rs, bool o0, uint32_t t2, uint32_t n, uint32_t t);
bool trans_ATOMIC(DisasContext& s, uint32_t size, bool A, bool R, uint32_t rs, uint32_t op, uint32_t n, uint32_t t);
// clang-format on

// Bitmask immediate decoding (DecodeBitMasks): false for reserved encodings.
bool decode_bit_masks(bool sf, unsigned N, unsigned imms, unsigned immr, uint64_t& wmask);

}  // namespace mimic::arm
