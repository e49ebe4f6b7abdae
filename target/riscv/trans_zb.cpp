// The bit-manipulation extensions Zba (address generation), Zbb (basic) and Zbs (single bit).
#include "target/riscv/helpers.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
using BinOp = Arg (IRBuilder::*)(Arg, Arg);
using UnOp = Arg (IRBuilder::*)(Arg);

bool gen_r(DisasContext& s, const Args& a, BinOp op) {
  set_gpr(s, a.rd, (s.ir.*op)(gpr(s, a.rs1), gpr(s, a.rs2)));
  return true;
}
bool gen_shadd(DisasContext& s, const Args& a, unsigned sh, bool uw) {
  Arg x = gpr(s, a.rs1);
  if (uw) x = s.ir.zext(x, 32);
  set_gpr(s, a.rd, s.ir.add(s.ir.shl(x, imm64(sh)), gpr(s, a.rs2)));
  return true;
}
bool gen_unary(DisasContext& s, const Args& a, UnOp op) {
  set_gpr(s, a.rd, (s.ir.*op)(gpr(s, a.rs1)));
  return true;
}
// Counting on the low word: 32-bit op, zero-extended count.
bool gen_unary_w(DisasContext& s, const Args& a, UnOp op) {
  set_gpr(s, a.rd, s.ir.zext32_to_64((s.ir.*op)(s.ir.trunc64_to_32(gpr(s, a.rs1)))));
  return true;
}
bool gen_minmax(DisasContext& s, const Args& a, Cond c) {
  Arg x = gpr(s, a.rs1), y = gpr(s, a.rs2);
  set_gpr(s, a.rd, s.ir.select(s.ir.setcond(c, x, y), x, y));
  return true;
}
// 32-bit rotates: the rotate is on the low word, the result sign-extended.
bool gen_rot_w(DisasContext& s, const Args& a, BinOp op, Arg amount) {
  Arg x = s.ir.trunc64_to_32(gpr(s, a.rs1));
  set_gpr(s, a.rd, s.ir.sext32_to_64((s.ir.*op)(x, s.ir.trunc64_to_32(amount))));
  return true;
}
Arg bit_mask(DisasContext& s, Arg index) { return s.ir.shl(imm64(1), index); }
}  // namespace

// ---- Zba ----
bool trans_add_uw(DisasContext& s, const Args& a) { return gen_shadd(s, a, 0, true); }
bool trans_sh1add(DisasContext& s, const Args& a) { return gen_shadd(s, a, 1, false); }
bool trans_sh2add(DisasContext& s, const Args& a) { return gen_shadd(s, a, 2, false); }
bool trans_sh3add(DisasContext& s, const Args& a) { return gen_shadd(s, a, 3, false); }
bool trans_sh1add_uw(DisasContext& s, const Args& a) { return gen_shadd(s, a, 1, true); }
bool trans_sh2add_uw(DisasContext& s, const Args& a) { return gen_shadd(s, a, 2, true); }
bool trans_sh3add_uw(DisasContext& s, const Args& a) { return gen_shadd(s, a, 3, true); }
bool trans_slli_uw(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.shl(s.ir.zext(gpr(s, a.rs1), 32), imm64(uint64_t(a.imm))));
  return true;
}

// ---- Zbb ----
bool trans_andn(DisasContext& s, const Args& a) { return gen_r(s, a, &IRBuilder::andc); }
bool trans_orn(DisasContext& s, const Args& a) { return gen_r(s, a, &IRBuilder::orc); }
bool trans_xnor(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.not_(s.ir.xor_(gpr(s, a.rs1), gpr(s, a.rs2))));
  return true;
}
bool trans_clz(DisasContext& s, const Args& a) { return gen_unary(s, a, &IRBuilder::clz); }
bool trans_ctz(DisasContext& s, const Args& a) { return gen_unary(s, a, &IRBuilder::ctz); }
bool trans_cpop(DisasContext& s, const Args& a) { return gen_unary(s, a, &IRBuilder::popcnt); }
bool trans_clzw(DisasContext& s, const Args& a) { return gen_unary_w(s, a, &IRBuilder::clz); }
bool trans_ctzw(DisasContext& s, const Args& a) { return gen_unary_w(s, a, &IRBuilder::ctz); }
bool trans_cpopw(DisasContext& s, const Args& a) { return gen_unary_w(s, a, &IRBuilder::popcnt); }
bool trans_max(DisasContext& s, const Args& a) { return gen_minmax(s, a, Cond::GtS); }
bool trans_maxu(DisasContext& s, const Args& a) { return gen_minmax(s, a, Cond::GtU); }
bool trans_min(DisasContext& s, const Args& a) { return gen_minmax(s, a, Cond::LtS); }
bool trans_minu(DisasContext& s, const Args& a) { return gen_minmax(s, a, Cond::LtU); }
bool trans_sext_b(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.sext(gpr(s, a.rs1), 8));
  return true;
}
bool trans_sext_h(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.sext(gpr(s, a.rs1), 16));
  return true;
}
bool trans_zext_h(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.zext(gpr(s, a.rs1), 16));
  return true;
}
bool trans_rol(DisasContext& s, const Args& a) { return gen_r(s, a, &IRBuilder::rotl); }
bool trans_ror(DisasContext& s, const Args& a) { return gen_r(s, a, &IRBuilder::rotr); }
bool trans_rori(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.rotr(gpr(s, a.rs1), imm64(uint64_t(a.imm))));
  return true;
}
bool trans_rolw(DisasContext& s, const Args& a) { return gen_rot_w(s, a, &IRBuilder::rotl, gpr(s, a.rs2)); }
bool trans_rorw(DisasContext& s, const Args& a) { return gen_rot_w(s, a, &IRBuilder::rotr, gpr(s, a.rs2)); }
bool trans_roriw(DisasContext& s, const Args& a) { return gen_rot_w(s, a, &IRBuilder::rotr, imm64(uint64_t(a.imm))); }
bool trans_orc_b(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.call(Type::I64, helper_id(Helper::orc_b), {gpr(s, a.rs1)}));
  return true;
}
bool trans_rev8(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.bswap64(gpr(s, a.rs1)));
  return true;
}

// ---- Zbs (the IR shift takes the index modulo 64, as these instructions do) ----
bool trans_bclr(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.andc(gpr(s, a.rs1), bit_mask(s, gpr(s, a.rs2))));
  return true;
}
bool trans_bclri(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.and_(gpr(s, a.rs1), imm64(~(uint64_t(1) << a.imm))));
  return true;
}
bool trans_bext(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.and_(s.ir.shr(gpr(s, a.rs1), gpr(s, a.rs2)), imm64(1)));
  return true;
}
bool trans_bexti(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.extract(gpr(s, a.rs1), unsigned(a.imm), 1));
  return true;
}
bool trans_binv(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.xor_(gpr(s, a.rs1), bit_mask(s, gpr(s, a.rs2))));
  return true;
}
bool trans_binvi(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.xor_(gpr(s, a.rs1), imm64(uint64_t(1) << a.imm)));
  return true;
}
bool trans_bset(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.or_(gpr(s, a.rs1), bit_mask(s, gpr(s, a.rs2))));
  return true;
}
bool trans_bseti(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.or_(gpr(s, a.rs1), imm64(uint64_t(1) << a.imm)));
  return true;
}

}  // namespace mimic::riscv
