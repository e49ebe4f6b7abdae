// The M extension: multiply and divide (the IR's Div/Rem ops already give RISC-V's results for
// division by zero and overflow).
#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
using BinOp = Arg (IRBuilder::*)(Arg, Arg);
bool gen_m(DisasContext& s, const Args& a, BinOp op) {
  set_gpr(s, a.rd, (s.ir.*op)(gpr(s, a.rs1), gpr(s, a.rs2)));
  return true;
}
// Word forms operate on the low 32 bits as 32-bit values, so division overflow and the remainder
// sign follow the 32-bit rules; the result is sign-extended.
bool gen_m_w(DisasContext& s, const Args& a, BinOp op) {
  Arg l = s.ir.trunc64_to_32(gpr(s, a.rs1));
  Arg r = s.ir.trunc64_to_32(gpr(s, a.rs2));
  set_gpr(s, a.rd, s.ir.sext32_to_64((s.ir.*op)(l, r)));
  return true;
}
}  // namespace

bool trans_mul(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::mul); }
bool trans_mulh(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::mulhs); }
bool trans_mulhsu(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::mulhsu); }
bool trans_mulhu(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::mulhu); }
bool trans_div(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::divs); }
bool trans_divu(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::divu); }
bool trans_rem(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::rems); }
bool trans_remu(DisasContext& s, const Args& a) { return gen_m(s, a, &IRBuilder::remu); }
bool trans_mulw(DisasContext& s, const Args& a) { return gen_m_w(s, a, &IRBuilder::mul); }
bool trans_divw(DisasContext& s, const Args& a) { return gen_m_w(s, a, &IRBuilder::divs); }
bool trans_divuw(DisasContext& s, const Args& a) { return gen_m_w(s, a, &IRBuilder::divu); }
bool trans_remw(DisasContext& s, const Args& a) { return gen_m_w(s, a, &IRBuilder::rems); }
bool trans_remuw(DisasContext& s, const Args& a) { return gen_m_w(s, a, &IRBuilder::remu); }

}  // namespace mimic::riscv
