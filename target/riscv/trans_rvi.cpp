// RV64I: integer computation, loads and stores, control transfer, fence, ecall/ebreak, fence.i.
#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
using BinOp = Arg (IRBuilder::*)(Arg, Arg);

bool gen_arith(DisasContext& s, const Args& a, BinOp op) {
  set_gpr(s, a.rd, (s.ir.*op)(gpr(s, a.rs1), gpr(s, a.rs2)));
  return true;
}
bool gen_arith_imm(DisasContext& s, const Args& a, BinOp op) {
  set_gpr(s, a.rd, (s.ir.*op)(gpr(s, a.rs1), imm64(uint64_t(a.imm))));
  return true;
}
// The *W forms are real 32-bit IR ops on the low halves, sign-extended: the backend then uses
// 32-bit instructions (reading the low half of a guest register field directly from env) and one
// movsxd, instead of a 64-bit op plus an extension. 32-bit IR shifts mask the count by 31, as
// the W shifts want.
Arg low32(DisasContext& s, unsigned r) { return s.ir.trunc64_to_32(gpr(s, r)); }
bool gen_arith_w(DisasContext& s, Arg lhs, Arg rhs, unsigned rd, BinOp op) {
  set_gpr(s, rd, s.ir.sext32_to_64((s.ir.*op)(lhs, rhs)));
  return true;
}
bool gen_setcond(DisasContext& s, const Args& a, Cond c, Arg rhs) {
  set_gpr(s, a.rd, s.ir.setcond(c, gpr(s, a.rs1), rhs));
  return true;
}
bool gen_branch(DisasContext& s, const Args& a, Cond c) {
  switch (s.unroll.branch(s.ir, c, gpr(s, a.rs1), gpr(s, a.rs2), s.pc + uint64_t(a.imm), s.next_pc, s.insns)) {
    case tcg::LoopUnroll::Result::kRestart: s.restart = true; return true;
    case tcg::LoopUnroll::Result::kEnded: s.ended = true; return true;
    case tcg::LoopUnroll::Result::kNotLoop: break;
  }
  uint32_t taken = s.ir.new_label();
  s.ir.br_cond(c, gpr(s, a.rs1), gpr(s, a.rs2), taken);
  s.ir.goto_tb(0, s.next_pc);
  s.ir.label(taken);
  s.ir.goto_tb(1, s.pc + uint64_t(a.imm));
  s.ended = true;
  return true;
}
bool gen_load(DisasContext& s, const Args& a, uint32_t memop) {
  set_gpr(s, a.rd, s.ir.load(Type::I64, gen_addr(s, a.rs1, a.imm), memop));
  return true;
}
bool gen_store(DisasContext& s, const Args& a, uint32_t memop) {
  s.ir.store(gen_addr(s, a.rs1, a.imm), gpr(s, a.rs2), memop);
  return true;
}
}  // namespace

bool trans_lui(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, imm64(uint64_t(a.imm)));
  return true;
}
bool trans_auipc(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, imm64(s.pc + uint64_t(a.imm)));
  return true;
}
bool trans_jal(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, imm64(s.next_pc));
  s.ir.goto_tb(0, s.pc + uint64_t(a.imm));
  s.ended = true;
  return true;
}
bool trans_jalr(DisasContext& s, const Args& a) {
  // The target is computed before rd is written: rd may equal rs1.
  Arg target = s.ir.and_(gen_addr(s, a.rs1, a.imm), imm64(~uint64_t(1)));
  set_gpr(s, a.rd, imm64(s.next_pc));
  s.ir.goto_ptr(target);
  s.ended = true;
  return true;
}
bool trans_beq(DisasContext& s, const Args& a) { return gen_branch(s, a, Cond::Eq); }
bool trans_bne(DisasContext& s, const Args& a) { return gen_branch(s, a, Cond::Ne); }
bool trans_blt(DisasContext& s, const Args& a) { return gen_branch(s, a, Cond::LtS); }
bool trans_bge(DisasContext& s, const Args& a) { return gen_branch(s, a, Cond::GeS); }
bool trans_bltu(DisasContext& s, const Args& a) { return gen_branch(s, a, Cond::LtU); }
bool trans_bgeu(DisasContext& s, const Args& a) { return gen_branch(s, a, Cond::GeU); }

bool trans_lb(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k8 | MemOp::kSigned); }
bool trans_lh(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k16 | MemOp::kSigned); }
bool trans_lw(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k32 | MemOp::kSigned); }
bool trans_ld(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k64); }
bool trans_lbu(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k8); }
bool trans_lhu(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k16); }
bool trans_lwu(DisasContext& s, const Args& a) { return gen_load(s, a, MemOp::k32); }
bool trans_sb(DisasContext& s, const Args& a) { return gen_store(s, a, MemOp::k8); }
bool trans_sh(DisasContext& s, const Args& a) { return gen_store(s, a, MemOp::k16); }
bool trans_sw(DisasContext& s, const Args& a) { return gen_store(s, a, MemOp::k32); }
bool trans_sd(DisasContext& s, const Args& a) { return gen_store(s, a, MemOp::k64); }

bool trans_addi(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::add); }
bool trans_slti(DisasContext& s, const Args& a) { return gen_setcond(s, a, Cond::LtS, imm64(uint64_t(a.imm))); }
bool trans_sltiu(DisasContext& s, const Args& a) { return gen_setcond(s, a, Cond::LtU, imm64(uint64_t(a.imm))); }
bool trans_xori(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::xor_); }
bool trans_ori(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::or_); }
bool trans_andi(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::and_); }
bool trans_slli(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::shl); }
bool trans_srli(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::shr); }
bool trans_srai(DisasContext& s, const Args& a) { return gen_arith_imm(s, a, &IRBuilder::sar); }

bool trans_add(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::add); }
bool trans_sub(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::sub); }
bool trans_sll(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::shl); }
bool trans_slt(DisasContext& s, const Args& a) { return gen_setcond(s, a, Cond::LtS, gpr(s, a.rs2)); }
bool trans_sltu(DisasContext& s, const Args& a) { return gen_setcond(s, a, Cond::LtU, gpr(s, a.rs2)); }
bool trans_xor(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::xor_); }
bool trans_srl(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::shr); }
bool trans_sra(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::sar); }
bool trans_or(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::or_); }
bool trans_and(DisasContext& s, const Args& a) { return gen_arith(s, a, &IRBuilder::and_); }

bool trans_addiw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), imm32(uint32_t(a.imm)), a.rd, &IRBuilder::add);
}
bool trans_slliw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), imm32(uint32_t(a.imm)), a.rd, &IRBuilder::shl);
}
bool trans_srliw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), imm32(uint32_t(a.imm)), a.rd, &IRBuilder::shr);
}
bool trans_sraiw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), imm32(uint32_t(a.imm)), a.rd, &IRBuilder::sar);
}
bool trans_addw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), low32(s, a.rs2), a.rd, &IRBuilder::add);
}
bool trans_subw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), low32(s, a.rs2), a.rd, &IRBuilder::sub);
}
bool trans_sllw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), low32(s, a.rs2), a.rd, &IRBuilder::shl);
}
bool trans_srlw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), low32(s, a.rs2), a.rd, &IRBuilder::shr);
}
bool trans_sraw(DisasContext& s, const Args& a) {
  return gen_arith_w(s, low32(s, a.rs1), low32(s, a.rs2), a.rd, &IRBuilder::sar);
}

bool trans_fence(DisasContext& s, const Args& a) {
  // x86 is TSO: only an earlier store ordered before a later load needs a real barrier.
  unsigned pred = unsigned(a.imm >> 4) & 15, succ = unsigned(a.imm) & 15;  // bits I O R W
  bool store_to_load = (pred & 0b0101) && (succ & 0b1010);
  s.ir.fence(store_to_load ? tcg::FenceKind::Full : tcg::FenceKind::Acquire);
  return true;
}
bool trans_fence_i(DisasContext& s, const Args& a) {
  gen_exit(s, kExitFenceI, s.next_pc);
  return true;
}
bool trans_ecall(DisasContext& s, const Args& a) {
  gen_exit(s, kExitEcall, s.pc);
  return true;
}
bool trans_ebreak(DisasContext& s, const Args& a) {
  gen_exit(s, kExitEbreak, s.pc);
  return true;
}

}  // namespace mimic::riscv
