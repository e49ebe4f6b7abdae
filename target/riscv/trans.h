// Per-instruction translation context and the trans_ functions of every extension.
#pragma once

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"
#include "tcg/ir/builder.h"
#include "tcg/ir/loop_unroll.h"

namespace mimic::riscv {

using tcg::Arg;
using tcg::Cond;
using tcg::IRBuilder;
using tcg::Type;
namespace MemOp = tcg::MemOp;

struct DisasContext {
  explicit DisasContext(tcg::IRBuilder& b) : ir(b) {}
  tcg::IRBuilder& ir;
  uint64_t pc = 0;       // this instruction
  uint64_t next_pc = 0;  // the instruction after it (pc + 2 or pc + 4)
  uint32_t insn = 0;
  bool ended = false;  // the instruction emitted the block's exit
  // frm as the block's tb_flags fix it (an frm write ends the block): the FP fast path and the
  // legality of dynamic rounding are decided at translation time.
  uint32_t frm = 0;
  // System mode (tb_flags): privileged instructions and CSRs allowed, the privilege the block
  // runs in, mstatus.FS, and whether this block already marked FS dirty.
  bool system = false;
  unsigned priv = 3;
  unsigned fs = 3;
  bool fs_dirty = true;
  bool vector = false;  // the hart has V (RiscvCpu::ext_v; linux-user only)
  // One-block loops (linux-user): copies of the body in one block (tcg/ir/loop_unroll.h).
  tcg::LoopUnroll unroll;
  unsigned insns = 0;    // instructions translated so far, this one included
  bool restart = false;  // the instruction asked for the body again, from the block's start
};

inline Arg imm64(uint64_t v) { return IRBuilder::imm64(v); }
inline Arg imm32(uint32_t v) { return IRBuilder::imm32(v); }

// x0 reads as zero and drops writes, so the optimizer sees constants instead of state traffic.
inline Arg gpr(DisasContext& s, unsigned r) { return r == 0 ? imm64(0) : s.ir.get_state(Type::I64, xreg_offset(r)); }
inline void set_gpr(DisasContext& s, unsigned r, Arg v) {
  if (r != 0) s.ir.set_state(xreg_offset(r), v);
}
inline Arg fpr(DisasContext& s, unsigned r) { return s.ir.get_state(Type::I64, freg_offset(r)); }
inline void set_fpr(DisasContext& s, unsigned r, Arg v) { s.ir.set_state(freg_offset(r), v); }
inline void gen_exit(DisasContext& s, uint32_t reason, uint64_t pc) {
  s.ir.exit_loop(reason, imm64(pc));
  s.ended = true;
}
// The illegal-instruction exit; in system mode it also leaves the instruction bits for mtval.
void gen_illegal(DisasContext& s);
// Guest address x[rs1] + imm.
inline Arg gen_addr(DisasContext& s, unsigned rs1, int64_t imm) {
  Arg base = gpr(s, rs1);
  return imm == 0 ? base : s.ir.add(base, imm64(uint64_t(imm)));
}

// False for reserved rm 5/6 and for rm == 7 when the block's frm is reserved (5..7).
bool gen_check_rm(DisasContext& s, unsigned rm);

// clang-format off
#define RISCV_TRANS_RVI(X) \
  X(lui) X(auipc) X(jal) X(jalr) X(beq) X(bne) X(blt) X(bge) X(bltu) X(bgeu) \
  X(lb) X(lh) X(lw) X(ld) X(lbu) X(lhu) X(lwu) X(sb) X(sh) X(sw) X(sd) \
  X(addi) X(slti) X(sltiu) X(xori) X(ori) X(andi) X(slli) X(srli) X(srai) \
  X(add) X(sub) X(sll) X(slt) X(sltu) X(xor) X(srl) X(sra) X(or) X(and) \
  X(addiw) X(slliw) X(srliw) X(sraiw) X(addw) X(subw) X(sllw) X(srlw) X(sraw) \
  X(fence) X(fence_i) X(ecall) X(ebreak)
#define RISCV_TRANS_RVM(X) \
  X(mul) X(mulh) X(mulhsu) X(mulhu) X(div) X(divu) X(rem) X(remu) \
  X(mulw) X(divw) X(divuw) X(remw) X(remuw)
#define RISCV_TRANS_RVA(X) \
  X(lr_w) X(sc_w) X(amoswap_w) X(amoadd_w) X(amoxor_w) X(amoand_w) X(amoor_w) \
  X(amomin_w) X(amomax_w) X(amominu_w) X(amomaxu_w) \
  X(lr_d) X(sc_d) X(amoswap_d) X(amoadd_d) X(amoxor_d) X(amoand_d) X(amoor_d) \
  X(amomin_d) X(amomax_d) X(amominu_d) X(amomaxu_d)
#define RISCV_TRANS_RVF_ONE(X, p) \
  X(fmadd_##p) X(fmsub_##p) X(fnmsub_##p) X(fnmadd_##p) X(fadd_##p) X(fsub_##p) X(fmul_##p) X(fdiv_##p) \
  X(fsqrt_##p) X(fsgnj_##p) X(fsgnjn_##p) X(fsgnjx_##p) X(fmin_##p) X(fmax_##p) X(feq_##p) X(flt_##p) \
  X(fle_##p) X(fclass_##p) X(fcvt_w_##p) X(fcvt_wu_##p) X(fcvt_l_##p) X(fcvt_lu_##p) X(fcvt_##p##_w) \
  X(fcvt_##p##_wu) X(fcvt_##p##_l) X(fcvt_##p##_lu)
#define RISCV_TRANS_RVF(X) \
  RISCV_TRANS_RVF_ONE(X, s) RISCV_TRANS_RVF_ONE(X, d) \
  X(flw) X(fsw) X(fld) X(fsd) X(fmv_x_w) X(fmv_w_x) X(fmv_x_d) X(fmv_d_x) X(fcvt_s_d) X(fcvt_d_s)
#define RISCV_TRANS_ZICSR(X) X(csrrw) X(csrrs) X(csrrc) X(csrrwi) X(csrrsi) X(csrrci)
#define RISCV_TRANS_PRIV(X) X(mret) X(sret) X(wfi) X(sfence_vma)
#define RISCV_TRANS_ZB(X) \
  X(add_uw) X(sh1add) X(sh2add) X(sh3add) X(sh1add_uw) X(sh2add_uw) X(sh3add_uw) X(slli_uw) \
  X(andn) X(orn) X(xnor) X(clz) X(ctz) X(cpop) X(clzw) X(ctzw) X(cpopw) X(max) X(maxu) X(min) X(minu) \
  X(sext_b) X(sext_h) X(zext_h) X(rol) X(ror) X(rori) X(rolw) X(rorw) X(roriw) X(orc_b) X(rev8) \
  X(bclr) X(bclri) X(bext) X(bexti) X(binv) X(binvi) X(bset) X(bseti)
#define RISCV_TRANS_RVV(X) X(vector)
// clang-format on

#define RISCV_DECLARE_TRANS(name) bool trans_##name(DisasContext& s, const Args& a);
RISCV_TRANS_RVI(RISCV_DECLARE_TRANS)
RISCV_TRANS_RVM(RISCV_DECLARE_TRANS)
RISCV_TRANS_RVA(RISCV_DECLARE_TRANS)
RISCV_TRANS_RVF(RISCV_DECLARE_TRANS)
RISCV_TRANS_ZICSR(RISCV_DECLARE_TRANS)
RISCV_TRANS_PRIV(RISCV_DECLARE_TRANS)
RISCV_TRANS_ZB(RISCV_DECLARE_TRANS)
RISCV_TRANS_RVV(RISCV_DECLARE_TRANS)
#undef RISCV_DECLARE_TRANS

}  // namespace mimic::riscv
