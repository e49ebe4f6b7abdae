// AArch32 (A32, T32, T16) translation: the per-instruction context, register/pc/flag emitters
// shared by the three instruction sets, and their trans_ visitors.
//
// One set of gen_ functions holds the semantics; the A32, T32 and T16 visitors (one per encoding,
// each instruction set's fields) only extract their operands and call them. The condition of an
// A32 instruction and of an instruction in an IT block is applied around the visitor by the
// translation loop, which also keeps the IT state.
#pragma once

#include <cstdint>

#include "target/arm/cpu_a32.h"
#include "target/arm/decode.h"
#include "target/arm/trans.h"

namespace mimic::arm {

struct A32Context : DisasContext {
  explicit A32Context(IRBuilder& b) : DisasContext(b) {}
  bool thumb = false;
  unsigned len = 4;          // bytes of this instruction (2 for T16)
  uint32_t it = 0;           // ITSTATE this instruction runs under (0: outside an IT block)
  uint32_t next_it = 0;      // ITSTATE after it (IT itself sets the new block's state)
  bool conditional = false;  // the instruction runs under a condition (A32 cond or IT)
  bool in_it() const { return it != 0; }
  uint64_t next_pc() const { return pc + len; }
  // What reading R15 gives: the instruction's address + 8 (A32) or + 4 (Thumb).
  uint32_t pc_read() const { return uint32_t(pc + (thumb ? 4 : 8)); }
  // Align(PC, 4), as PC-relative loads and ADR use it.
  uint32_t pc_aligned() const { return pc_read() & ~3u; }
};

using A32Pattern = BasicPattern<A32Context>;

// ---- registers and the pc (translate_a32.cpp) ----
Arg read_r(A32Context& s, unsigned r);           // R15 reads as pc_read()
void write_r(A32Context& s, unsigned r, Arg v);  // r < 15 only
// The three ways an instruction writes the pc (the Arm ARM's BranchWritePC, BXWritePC and, for
// loads, LoadWritePC = BXWritePC): all end the block.
void gen_branch_to(A32Context& s, uint32_t target);   // direct, same instruction set
void gen_branch_exchange(A32Context& s, Arg target);  // bit 0 selects Thumb
void gen_branch_reg(A32Context& s, Arg target);       // same instruction set, bit 0 (Thumb) or 1:0 cleared
// A result written to rd by a data-processing instruction: R15 is ALUWritePC (interworking in
// A32, a plain branch in Thumb).
void write_r_alu(A32Context& s, unsigned rd, Arg v);
// A value loaded into rt (LDR, LDM, POP): R15 is LoadWritePC.
void write_r_load(A32Context& s, unsigned rt, Arg v);
void gen_exit_a32(A32Context& s, uint32_t reason);  // leaves at this instruction
Arg gen_addr(A32Context& s, Arg a32);               // guest address (i64) of an i32 value

// ---- flags ----
void gen_nz(A32Context& s, Arg r);       // N, Z from an i32 result; C, V kept
void gen_set_c(A32Context& s, Arg c01);  // C from an i64 0/1
Arg gen_carry_in(A32Context& s);         // C as i32 0/1

// ---- data processing (trans_a32_dp.cpp) ----
enum class DpOp : uint8_t { And, Eor, Sub, Rsb, Add, Adc, Sbc, Rsc, Tst, Teq, Cmp, Cmn, Orr, Mov, Bic, Mvn, Orn };
// A shifter operand: value and, for flag-setting logical instructions, its carry out (i64 0/1,
// none when C is unchanged).
struct Operand2 {
  Arg value, carry;
};
Operand2 gen_imm_operand(uint32_t imm8, uint32_t rot, bool want_carry);  // A32 modified immediate
Operand2 gen_t32_imm_operand(uint32_t imm12, bool want_carry);           // T32 modified immediate
// Shift by immediate (type LSL/LSR/ASR/ROR, amount 0..31 as encoded: LSR/ASR #0 mean #32, ROR #0 RRX).
Operand2 gen_shift_imm(A32Context& s, Arg v, unsigned type, unsigned amount, bool want_carry);
// Shift by a register's bottom byte.
Operand2 gen_shift_reg(A32Context& s, Arg v, unsigned type, Arg amount, bool want_carry);
// rd = rn <op> op2 (flags when S); false for encodings this op does not have.
bool gen_dp(A32Context& s, DpOp op, bool S, unsigned rd, unsigned rn, Operand2 op2);

bool gen_mul(A32Context& s, bool S, unsigned d, unsigned n, unsigned m, int acc /* -1 none */, bool sub);
bool gen_mull(A32Context& s, bool is_signed, bool accumulate, bool S, unsigned lo, unsigned hi, unsigned n, unsigned m);
bool gen_umaal(A32Context& s, unsigned lo, unsigned hi, unsigned n, unsigned m);
bool gen_div(A32Context& s, bool is_signed, unsigned d, unsigned n, unsigned m);
// SMULxy/SMLAxy (op 0 mla, 3 mul), SMULWy/SMLAWy (1), SMLALxy (2).
bool gen_smul_halves(A32Context& s, unsigned op, unsigned d, unsigned a, unsigned m, unsigned n, bool x, bool y);
// SMLAD/SMLSD/SMUAD/SMUSD (a = 15: no accumulate) and SMLALD/SMLSLD (long).
bool gen_smlad(A32Context& s, bool sub, bool swap, bool is_long, unsigned d, unsigned a, unsigned m, unsigned n);
bool gen_smmul(A32Context& s, bool sub, bool round, unsigned d, unsigned a, unsigned m, unsigned n);
bool gen_usad8(A32Context& s, unsigned d, unsigned a, unsigned m, unsigned n);
bool gen_clz(A32Context& s, unsigned d, unsigned m);
bool gen_rev(A32Context& s, unsigned op /* 0 rev, 1 rev16, 2 revsh, 3 rbit */, unsigned d, unsigned m);
bool gen_extend(A32Context& s, bool is_unsigned, unsigned size /* 0 b16, 2 b, 3 h */, unsigned d, unsigned n,
                unsigned m, unsigned rot);
bool gen_bfi(A32Context& s, unsigned d, unsigned n, unsigned lsb, unsigned msb);
bool gen_bfx(A32Context& s, bool is_signed, unsigned d, unsigned n, unsigned lsb, unsigned widthm1);
bool gen_pkh(A32Context& s, bool tb, unsigned d, unsigned n, unsigned m, unsigned imm5);
bool gen_sat(A32Context& s, bool is_unsigned, unsigned d, unsigned sat, unsigned n, bool sh, unsigned imm5);
bool gen_sat16(A32Context& s, bool is_unsigned, unsigned d, unsigned sat, unsigned n);
bool gen_sel(A32Context& s, unsigned d, unsigned n, unsigned m);
// Parallel add/subtract: prefix 1 S/U, 2 Q/UQ, 3 SH/UH; op 0 add16 1 asx 2 sax 3 sub16 4 add8 7 sub8.
bool gen_parallel(A32Context& s, bool is_unsigned, unsigned prefix, unsigned op, unsigned d, unsigned n, unsigned m);
// QADD/QSUB/QDADD/QDSUB (op bit 0 sub, bit 1 doubling).
bool gen_qaddsub(A32Context& s, unsigned op, unsigned d, unsigned n, unsigned m);
bool gen_movw(A32Context& s, bool top, unsigned d, uint32_t imm16);
bool gen_mrs(A32Context& s, unsigned d);
bool gen_msr(A32Context& s, unsigned mask, Arg v);  // mask bit 1: NZCVQ, bit 0: GE
bool gen_crc32(A32Context& s, bool castagnoli, unsigned size, unsigned d, unsigned n, unsigned m);

// ---- loads and stores (trans_a32_ldst.cpp) ----
// Load/store of size (MemOp) at rn +/- offset, pre-indexed (P), writeback (W).
bool gen_ldst(A32Context& s, bool load, uint32_t memop, unsigned t, unsigned n, Arg offset, bool P, bool U, bool W);
bool gen_ldstd(A32Context& s, bool load, unsigned t, unsigned t2, unsigned n, Arg offset, bool P, bool U, bool W);
// LDM/STM: increment (after unless before), writeback; PUSH/POP are the SP forms.
bool gen_ldm_stm(A32Context& s, bool load, unsigned n, uint32_t list, bool increment, bool before, bool W);
// Exclusives: size log2 (3 = doubleword pair t, t2); status register d for stores.
bool gen_ldrex(A32Context& s, unsigned size, unsigned t, unsigned t2, unsigned n, uint32_t imm);
bool gen_strex(A32Context& s, unsigned size, unsigned d, unsigned t, unsigned t2, unsigned n, uint32_t imm);
bool gen_ld_acquire(A32Context& s, unsigned size, unsigned t, unsigned n);
bool gen_st_release(A32Context& s, unsigned size, unsigned t, unsigned n);
bool gen_clrex(A32Context& s);
bool gen_swp(A32Context& s, bool byte, unsigned t, unsigned t2, unsigned n);  // SWP/SWPB Rt, Rt2, [Rn]
bool gen_setend(A32Context& s, bool big);
bool gen_barrier(A32Context& s, unsigned kind /* 4 dsb 5 dmb 6 isb */);
// MRC/MCR p15 (TLS registers, barriers, cache maintenance); others UNDEFINED.
bool gen_cp15(A32Context& s, bool load, unsigned opc1, unsigned crn, unsigned t, unsigned opc2, unsigned crm);

// ---- branches and exceptions (trans_a32_branch.cpp) ----
bool gen_svc(A32Context& s, uint32_t imm);
bool gen_bkpt(A32Context& s, uint32_t imm);
bool gen_udf(A32Context& s);

// ---- VFP / Advanced SIMD (trans_a32_vfp.cpp): the coprocessor 10/11 space ----
// Decoded by their own tables (vfp_a32.inc); T32 forms reach them by the same bits.
bool trans_a32_vfp(A32Context& s, uint32_t insn);   // cond/1110/110x coprocessor 10/11 insns
bool trans_a32_neon(A32Context& s, uint32_t insn);  // A32 encoding of Advanced SIMD (1111001x, 11110100)

// The decoders (decode_a32.cpp).
const A32Pattern* decode_a32(uint32_t insn);
const A32Pattern* decode_t32(uint32_t insn);
const A32Pattern* decode_t16(uint32_t insn);

}  // namespace mimic::arm
