// The T16 (16-bit Thumb) instruction table and its visitors. Most T16 data-processing
// instructions set the flags outside an IT block and not inside one; IT itself is here.
#include "target/arm/trans_a32.h"

namespace mimic::arm {

namespace {
using S = A32Context;

bool flags(const S& s) { return !s.in_it(); }
int32_t sext(uint32_t v, unsigned bits) { return int32_t(v << (32 - bits)) >> (32 - bits); }

bool SHIFT_imm(S& s, uint32_t op, uint32_t imm5, uint32_t m, uint32_t d) {
  const bool S_ = flags(s);
  return gen_dp(s, DpOp::Mov, S_, d, 0, gen_shift_imm(s, read_r(s, m), op, imm5, S_));
}
bool ADDSUB_reg(S& s, bool sub, uint32_t m, uint32_t n, uint32_t d) {
  return gen_dp(s, sub ? DpOp::Sub : DpOp::Add, flags(s), d, n, {read_r(s, m), {}});
}
bool ADDSUB_imm3(S& s, bool sub, uint32_t imm, uint32_t n, uint32_t d) {
  return gen_dp(s, sub ? DpOp::Sub : DpOp::Add, flags(s), d, n, {imm32(imm), {}});
}
bool IMM8(S& s, uint32_t op, uint32_t d, uint32_t imm) {
  static constexpr DpOp kOps[4] = {DpOp::Mov, DpOp::Cmp, DpOp::Add, DpOp::Sub};
  return gen_dp(s, kOps[op], op == 1 || flags(s), d, d, {imm32(imm), {}});
}
bool DP(S& s, uint32_t op, uint32_t m, uint32_t d) {
  const bool S_ = flags(s);
  Arg rm = read_r(s, m);
  switch (op) {
    case 2: return gen_dp(s, DpOp::Mov, S_, d, 0, gen_shift_reg(s, read_r(s, d), 0, rm, S_));
    case 3: return gen_dp(s, DpOp::Mov, S_, d, 0, gen_shift_reg(s, read_r(s, d), 1, rm, S_));
    case 4: return gen_dp(s, DpOp::Mov, S_, d, 0, gen_shift_reg(s, read_r(s, d), 2, rm, S_));
    case 7: return gen_dp(s, DpOp::Mov, S_, d, 0, gen_shift_reg(s, read_r(s, d), 3, rm, S_));
    case 9: return gen_dp(s, DpOp::Rsb, S_, d, m, {imm32(0), {}});  // NEG (RSBS rd, rm, #0)
    case 13: return gen_mul(s, S_, d, d, m, -1, false);
    default: break;
  }
  static constexpr DpOp kOps[16] = {DpOp::And, DpOp::Eor, DpOp::Mov, DpOp::Mov, DpOp::Mov, DpOp::Adc,
                                    DpOp::Sbc, DpOp::Mov, DpOp::Tst, DpOp::Rsb, DpOp::Cmp, DpOp::Cmn,
                                    DpOp::Orr, DpOp::Mov, DpOp::Bic, DpOp::Mvn};
  const DpOp o = kOps[op];
  const bool test = o == DpOp::Tst || o == DpOp::Cmp || o == DpOp::Cmn;
  return gen_dp(s, o, test || S_, d, d, {rm, {}});
}
bool ADD_hi(S& s, uint32_t dn, uint32_t m, uint32_t d) {
  const unsigned rd = dn << 3 | d;
  if (rd == 15 && m == 15) return false;
  return gen_dp(s, DpOp::Add, false, rd, rd, {read_r(s, m), {}});
}
bool CMP_hi(S& s, uint32_t n1, uint32_t m, uint32_t n) {
  return gen_dp(s, DpOp::Cmp, true, 0, n1 << 3 | n, {read_r(s, m), {}});
}
bool MOV_hi(S& s, uint32_t d1, uint32_t m, uint32_t d) {
  return gen_dp(s, DpOp::Mov, false, d1 << 3 | d, 0, {read_r(s, m), {}});
}
bool BX(S& s, uint32_t m) {
  if (s.in_it() && s.next_it) return false;  // must be last in an IT block
  gen_branch_exchange(s, read_r(s, m));
  return true;
}
bool BLX(S& s, uint32_t m) {
  if (m == 15 || (s.in_it() && s.next_it)) return false;
  Arg target = read_r(s, m);
  write_r(s, 14, imm32(uint32_t(s.next_pc()) | 1));
  gen_branch_exchange(s, target);
  return true;
}
bool LDR_lit(S& s, uint32_t t, uint32_t imm8) {
  return gen_ldst(s, true, MemOp::k32, t, 15, imm32(imm8 * 4), true, true, false);
}
bool LDST_reg(S& s, uint32_t op, uint32_t m, uint32_t n, uint32_t t) {
  static constexpr uint32_t kOps[8] = {MemOp::k32, MemOp::k16, MemOp::k8, MemOp::k8 | MemOp::kSigned,
                                       MemOp::k32, MemOp::k16, MemOp::k8, MemOp::k16 | MemOp::kSigned};
  return gen_ldst(s, op >= 3, kOps[op], t, n, read_r(s, m), true, true, false);
}
bool LDST_w(S& s, bool L, uint32_t imm5, uint32_t n, uint32_t t) {
  return gen_ldst(s, L, MemOp::k32, t, n, imm32(imm5 * 4), true, true, false);
}
bool LDST_b(S& s, bool L, uint32_t imm5, uint32_t n, uint32_t t) {
  return gen_ldst(s, L, MemOp::k8, t, n, imm32(imm5), true, true, false);
}
bool LDST_h(S& s, bool L, uint32_t imm5, uint32_t n, uint32_t t) {
  return gen_ldst(s, L, MemOp::k16, t, n, imm32(imm5 * 2), true, true, false);
}
bool LDST_sp(S& s, bool L, uint32_t t, uint32_t imm8) {
  return gen_ldst(s, L, MemOp::k32, t, 13, imm32(imm8 * 4), true, true, false);
}
bool ADR(S& s, uint32_t d, uint32_t imm8) {
  write_r(s, d, imm32(s.pc_aligned() + imm8 * 4));
  return true;
}
bool ADD_sp(S& s, uint32_t d, uint32_t imm8) { return gen_dp(s, DpOp::Add, false, d, 13, {imm32(imm8 * 4), {}}); }
bool ADJ_sp(S& s, bool sub, uint32_t imm7) {
  return gen_dp(s, sub ? DpOp::Sub : DpOp::Add, false, 13, 13, {imm32(imm7 * 4), {}});
}
bool CBZ(S& s, bool nz, uint32_t i, uint32_t imm5, uint32_t n) {
  if (s.in_it()) return false;
  const uint32_t target = s.pc_read() + (i << 6 | imm5 << 1);
  uint32_t not_taken = s.ir.new_label();
  s.ir.br_cond(nz ? Cond::Eq : Cond::Ne, read_r(s, n), imm32(0), not_taken);
  s.ir.goto_tb(0, target);
  s.ir.label(not_taken);
  s.ir.goto_tb(1, s.next_pc());
  s.ended = true;
  return true;
}
bool EXTEND(S& s, uint32_t op, uint32_t m, uint32_t d) {
  // SXTH, SXTB, UXTH, UXTB
  static constexpr unsigned kSize[4] = {3, 2, 3, 2};
  return gen_extend(s, op >= 2, kSize[op], d, 15, m, 0);
}
bool PUSH(S& s, bool lr, uint32_t list) {
  return gen_ldm_stm(s, false, 13, list | (lr ? 1u << 14 : 0), false, true, true);
}
bool POP(S& s, bool pc, uint32_t list) {
  if (pc && s.in_it() && s.next_it) return false;
  return gen_ldm_stm(s, true, 13, list | (pc ? 1u << 15 : 0), true, false, true);
}
bool REV(S& s, uint32_t op, uint32_t m, uint32_t d) {
  if (op == 2) return false;
  static constexpr unsigned kOps[4] = {0, 1, 0, 2};
  return gen_rev(s, kOps[op], d, m);
}
bool BKPT(S& s, uint32_t imm8) { return gen_bkpt(s, imm8); }
bool IT(S& s, uint32_t firstcond, uint32_t mask) {
  if (s.in_it() || firstcond == 15 || (firstcond == 14 && (mask & (mask - 1)) != 0)) return false;
  s.next_it = firstcond << 4 | mask;
  return true;
}
bool HINT(S&, uint32_t) { return true; }
bool LDM_STM(S& s, bool L, uint32_t n, uint32_t list) {
  // LDM writes back unless the base is in the list; STM always does.
  const bool wback = !L || !(list & (1u << n));
  return gen_ldm_stm(s, L, n, list, true, false, wback);
}
bool B_cond(S& s, uint32_t cond, uint32_t imm8) {
  if (s.in_it() || cond >= 14) return false;
  const uint32_t target = uint32_t(s.pc_read() + sext(imm8, 8) * 2);
  uint32_t not_taken = s.ir.new_label();
  CondTest t = gen_test_cc(s, cond ^ 1);
  s.ir.br_cond(t.c, t.a, t.b, not_taken);
  s.ir.goto_tb(0, target);
  s.ir.label(not_taken);
  s.ir.goto_tb(1, s.next_pc());
  s.ended = true;
  return true;
}
bool UDF(S& s, uint32_t) { return gen_udf(s); }
bool SVC(S& s, uint32_t imm8) { return gen_svc(s, imm8); }
bool B(S& s, uint32_t imm11) {
  if (s.in_it() && s.next_it) return false;
  gen_branch_to(s, uint32_t(s.pc_read() + sext(imm11, 11) * 2));
  return true;
}

bool SETEND(S& s, bool E) { return gen_setend(s, E); }

#define INST(fn, name, bits) make_pattern<bits, &fn>(name)
// clang-format off
constexpr A32Pattern kTable[] = {
  INST(SHIFT_imm,  "lsl/lsr/asr (imm)", "000ooiiiiimmmddd"),
  INST(SETEND,     "setend",         "101101100101e000"),
  INST(ADDSUB_reg, "add/sub (reg)",  "000110smmmnnnddd"),
  INST(ADDSUB_imm3, "add/sub (imm3)", "000111siiinnnddd"),
  INST(IMM8,       "mov/cmp/add/sub (imm8)", "001oodddiiiiiiii"),
  INST(DP,         "data processing", "010000oooommmddd"),
  INST(ADD_hi,     "add (high reg)",  "01000100Dmmmmddd"),
  INST(CMP_hi,     "cmp (high reg)",  "01000101Nmmmmnnn"),
  INST(MOV_hi,     "mov (high reg)",  "01000110Dmmmmddd"),
  INST(BX,         "bx",             "010001110mmmm000"),
  INST(BLX,        "blx (reg)",      "010001111mmmm000"),
  INST(LDR_lit,    "ldr (literal)",  "01001tttiiiiiiii"),
  INST(LDST_reg,   "ldr/str (reg)",  "0101ooommmnnnttt"),
  INST(LDST_w,     "ldr/str (imm)",  "0110Liiiiinnnttt"),
  INST(LDST_b,     "ldrb/strb (imm)", "0111Liiiiinnnttt"),
  INST(LDST_h,     "ldrh/strh (imm)", "1000Liiiiinnnttt"),
  INST(LDST_sp,    "ldr/str (sp)",   "1001Ltttiiiiiiii"),
  INST(ADR,        "adr",            "10100dddiiiiiiii"),
  INST(ADD_sp,     "add (sp, imm)",  "10101dddiiiiiiii"),
  INST(ADJ_sp,     "add/sub sp",     "10110000siiiiiii"),
  INST(CBZ,        "cbz/cbnz",       "1011o0i1jjjjjnnn"),
  INST(EXTEND,     "sxth/sxtb/uxth/uxtb", "10110010oommmddd"),
  INST(PUSH,       "push",           "1011010lrrrrrrrr"),
  INST(POP,        "pop",            "1011110prrrrrrrr"),
  INST(REV,        "rev/rev16/revsh", "10111010oommmddd"),
  INST(BKPT,       "bkpt",           "10111110iiiiiiii"),
  INST(IT,         "it",             "10111111ccccmmmm"),
  INST(HINT,       "hint",           "10111111oooo0000"),
  INST(LDM_STM,    "ldm/stm",        "1100Lnnnrrrrrrrr"),
  INST(B_cond,     "b<c>",           "1101cccciiiiiiii"),
  INST(UDF,        "udf",            "11011110iiiiiiii"),
  INST(SVC,        "svc",            "11011111iiiiiiii"),
  INST(B,          "b",              "11100iiiiiiiiiii"),
};
// clang-format on
#undef INST
}  // namespace

const A32Pattern* decode_t16(uint32_t insn) {
  static const PatternMatcher<A32Context> matcher(kTable, std::size(kTable), 12, 4);
  return matcher.find(insn);
}

}  // namespace mimic::arm
