// The T32 (32-bit Thumb-2) instruction table and its visitors. A T32 instruction is matched as its
// two halfwords joined (the first in bits 31-16). VFP and Advanced SIMD encodings are the A32 ones
// with another top byte: they are handed to the A32 coprocessor/NEON decoders rewritten.
#include "target/arm/trans_a32.h"

namespace mimic::arm {

namespace {
using S = A32Context;

int32_t sext(uint32_t v, unsigned bits) { return int32_t(v << (32 - bits)) >> (32 - bits); }
bool last_in_it(const S& s) { return !s.in_it() || s.next_it == 0; }

// The T32 data-processing opcodes (bits 24-21); TST/TEQ/CMN/CMP are rd = 15 with S, MOV/MVN rn = 15.
bool dp(S& s, uint32_t op, bool S_, uint32_t n, uint32_t d, Operand2 op2) {
  DpOp o;
  switch (op) {
    case 0: o = d == 15 && S_ ? DpOp::Tst : DpOp::And; break;
    case 1: o = DpOp::Bic; break;
    case 2: o = n == 15 ? DpOp::Mov : DpOp::Orr; break;
    case 3: o = n == 15 ? DpOp::Mvn : DpOp::Orn; break;
    case 4: o = d == 15 && S_ ? DpOp::Teq : DpOp::Eor; break;
    case 8: o = d == 15 && S_ ? DpOp::Cmn : DpOp::Add; break;
    case 10: o = DpOp::Adc; break;
    case 11: o = DpOp::Sbc; break;
    case 13: o = d == 15 && S_ ? DpOp::Cmp : DpOp::Sub; break;
    case 14: o = DpOp::Rsb; break;
    default: return false;
  }
  const bool test = o == DpOp::Tst || o == DpOp::Teq || o == DpOp::Cmn || o == DpOp::Cmp;
  // Only ADD/SUB with rn = SP may write SP (the others are UNPREDICTABLE); the pc is never a T32
  // data-processing destination.
  if (!test && d == 15) return false;
  return gen_dp(s, o, S_, d, n, op2);
}
bool logical(uint32_t op) { return op <= 4; }

bool DP_imm(S& s, uint32_t i, uint32_t op, bool S_, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm8) {
  const uint32_t imm12 = i << 11 | imm3 << 8 | imm8;
  return dp(s, op, S_, n, d, gen_t32_imm_operand(imm12, S_ && logical(op)));
}
bool addw(S& s, uint32_t i, bool sub, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm8) {
  if (d == 15) return false;
  const uint32_t imm12 = i << 11 | imm3 << 8 | imm8;
  if (n == 15) {  // ADR
    write_r(s, d, imm32(sub ? s.pc_aligned() - imm12 : s.pc_aligned() + imm12));
    return true;
  }
  return gen_dp(s, sub ? DpOp::Sub : DpOp::Add, false, d, n, {imm32(imm12), {}});
}
bool ADDW(S& s, uint32_t i, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm8) {
  return addw(s, i, false, n, imm3, d, imm8);
}
bool SUBW(S& s, uint32_t i, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm8) {
  return addw(s, i, true, n, imm3, d, imm8);
}
bool MOVW(S& s, uint32_t i, bool top, uint32_t imm4, uint32_t imm3, uint32_t d, uint32_t imm8) {
  return gen_movw(s, top, d, imm4 << 12 | i << 11 | imm3 << 8 | imm8);
}
bool SAT(S& s, bool u, bool sh, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm2, uint32_t sat) {
  const uint32_t imm5 = imm3 << 2 | imm2;
  if (sh && imm5 == 0) return gen_sat16(s, u, d, sat & 15, n);  // SSAT16 / USAT16
  return gen_sat(s, u, d, sat, n, sh, imm5);
}
bool BFX(S& s, bool u, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm2, uint32_t w) {
  return gen_bfx(s, !u, d, n, imm3 << 2 | imm2, w);
}
bool BFI(S& s, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm2, uint32_t msb) {
  return gen_bfi(s, d, n, imm3 << 2 | imm2, msb);
}
bool DP_reg(S& s, uint32_t op, bool S_, uint32_t n, uint32_t imm3, uint32_t d, uint32_t imm2, uint32_t type,
            uint32_t m) {
  const unsigned amount = imm3 << 2 | imm2;
  if (op == 6) {  // PKHBT/PKHTB
    if (S_ || (type & 1)) return false;
    return gen_pkh(s, type == 2, d, n, m, amount);
  }
  return dp(s, op, S_, n, d, gen_shift_imm(s, read_r(s, m), type, amount, S_ && logical(op)));
}
bool SHIFT_reg(S& s, uint32_t type, bool S_, uint32_t n, uint32_t d, uint32_t m) {
  return gen_dp(s, DpOp::Mov, S_, d, 0, gen_shift_reg(s, read_r(s, n), type, read_r(s, m), S_));
}
bool EXTEND(S& s, uint32_t op, bool u, uint32_t n, uint32_t d, uint32_t rot, uint32_t m) {
  static constexpr unsigned kSize[4] = {3, 0, 2, 9};
  if (kSize[op] == 9) return false;
  return gen_extend(s, u, kSize[op], d, n, m, rot);
}
bool PARALLEL(S& s, uint32_t op1, uint32_t n, uint32_t d, bool u, uint32_t op2, uint32_t m) {
  static constexpr unsigned kOps[8] = {4, 0, 1, 9, 7, 3, 2, 9};
  if (kOps[op1] == 9 || op2 == 3) return false;
  return gen_parallel(s, u, op2 + 1, kOps[op1], d, n, m);
}
bool QADDSUB(S& s, uint32_t n, uint32_t d, uint32_t op, uint32_t m) {
  return gen_qaddsub(s, (op >> 1) | (op & 1) << 1, d, n, m);  // T32: bit 1 sub, bit 0 double
}
bool MISC(S& s, uint32_t op1, uint32_t n, uint32_t d, uint32_t op2, uint32_t m) {
  static constexpr unsigned kRev[4] = {0, 1, 3, 2};  // REV, REV16, RBIT, REVSH as gen_rev numbers them
  if (op1 == 1 && n == m) return gen_rev(s, kRev[op2], d, m);
  if (op1 == 2 && op2 == 0) return gen_sel(s, d, n, m);
  if (op1 == 3 && op2 == 0 && n == m) return gen_clz(s, d, m);
  return false;
}
bool MUL(S& s, uint32_t n, uint32_t a, uint32_t d, bool sub, uint32_t m) {
  if (a == 15) return sub ? false : gen_mul(s, false, d, n, m, -1, false);
  return gen_mul(s, false, d, n, m, int(a), sub);
}
bool SMULxy(S& s, uint32_t n, uint32_t a, uint32_t d, bool x, bool y, uint32_t m) {
  return gen_smul_halves(s, a == 15 ? 3 : 0, d, a, m, n, x, y);
}
bool SMLAWy(S& s, uint32_t n, uint32_t a, uint32_t d, bool y, uint32_t m) {
  return gen_smul_halves(s, 1, d, a, m, n, a == 15, y);
}
bool SMLAD(S& s, uint32_t n, uint32_t a, uint32_t d, bool swap, uint32_t m) {
  return gen_smlad(s, false, swap, false, d, a, m, n);
}
bool SMLSD(S& s, uint32_t n, uint32_t a, uint32_t d, bool swap, uint32_t m) {
  return gen_smlad(s, true, swap, false, d, a, m, n);
}
bool SMMLA(S& s, uint32_t n, uint32_t a, uint32_t d, bool r, uint32_t m) { return gen_smmul(s, false, r, d, a, m, n); }
bool SMMLS(S& s, uint32_t n, uint32_t a, uint32_t d, bool r, uint32_t m) {
  return a == 15 ? false : gen_smmul(s, true, r, d, a, m, n);
}
bool USAD8(S& s, uint32_t n, uint32_t a, uint32_t d, uint32_t m) { return gen_usad8(s, d, a, m, n); }
bool MULL(S& s, bool a, bool u, uint32_t n, uint32_t lo, uint32_t hi, uint32_t m) {
  // op 00 SMULL, 01 UMULL (bit 21), accumulate bit 22
  return gen_mull(s, !u, a, false, lo, hi, n, m);
}
bool SMLALxy(S& s, uint32_t n, uint32_t lo, uint32_t hi, bool x, bool y, uint32_t m) {
  return gen_smul_halves(s, 2, hi, lo, m, n, x, y);
}
bool SMLALD(S& s, bool sub, uint32_t n, uint32_t lo, uint32_t hi, bool swap, uint32_t m) {
  return gen_smlad(s, sub, swap, true, hi, lo, m, n);
}
bool UMAAL(S& s, uint32_t n, uint32_t lo, uint32_t hi, uint32_t m) { return gen_umaal(s, lo, hi, n, m); }
bool DIV(S& s, bool u, uint32_t n, uint32_t d, uint32_t m) { return gen_div(s, !u, d, n, m); }

// ---- branches and control ----
uint32_t branch_offset(uint32_t S_, uint32_t hi, uint32_t j1, uint32_t j2, uint32_t lo, unsigned lo_bits) {
  const uint32_t i1 = !(j1 ^ S_), i2 = !(j2 ^ S_);
  const uint32_t v = S_ << 24 | i1 << 23 | i2 << 22 | hi << (lo_bits + 1) | lo << 1;
  return uint32_t(sext(v, 25));
}
bool B_w(S& s, uint32_t S_, uint32_t hi, uint32_t j1, uint32_t j2, uint32_t lo) {
  if (!last_in_it(s)) return false;
  gen_branch_to(s, s.pc_read() + branch_offset(S_, hi, j1, j2, lo, 11));
  return true;
}
bool BL(S& s, uint32_t S_, uint32_t hi, uint32_t j1, uint32_t j2, uint32_t lo) {
  if (!last_in_it(s)) return false;
  write_r(s, 14, imm32(uint32_t(s.next_pc()) | 1));
  gen_branch_to(s, s.pc_read() + branch_offset(S_, hi, j1, j2, lo, 11));
  return true;
}
bool BLX_imm(S& s, uint32_t S_, uint32_t hi, uint32_t j1, uint32_t j2, uint32_t lo) {
  if (!last_in_it(s)) return false;
  write_r(s, 14, imm32(uint32_t(s.next_pc()) | 1));
  const uint32_t target = (s.pc_aligned() + branch_offset(S_, hi, j1, j2, lo << 1, 11)) & ~3u;
  gen_branch_exchange(s, imm32(target));
  return true;
}
bool B_cond(S& s, uint32_t S_, uint32_t cond, uint32_t imm6, uint32_t j1, uint32_t j2, uint32_t imm11) {
  if (cond >= 14) return false;
  if (s.in_it()) return false;
  const uint32_t v = S_ << 20 | j2 << 19 | j1 << 18 | imm6 << 12 | imm11 << 1;
  const uint32_t target = s.pc_read() + uint32_t(sext(v, 21));
  uint32_t not_taken = s.ir.new_label();
  CondTest t = gen_test_cc(s, cond ^ 1);
  s.ir.br_cond(t.c, t.a, t.b, not_taken);
  s.ir.goto_tb(0, target);
  s.ir.label(not_taken);
  s.ir.goto_tb(1, s.next_pc());
  s.ended = true;
  return true;
}
bool MSR(S& s, uint32_t n, uint32_t mask) { return gen_msr(s, mask, read_r(s, n)); }
bool MRS(S& s, uint32_t d) { return gen_mrs(s, d); }
bool HINT(S&, uint32_t) { return true; }
bool CLREX(S& s) { return gen_clrex(s); }
bool DSB(S& s, uint32_t) { return gen_barrier(s, 4); }
bool DMB(S& s, uint32_t) { return gen_barrier(s, 5); }
bool ISB(S& s, uint32_t) { return gen_barrier(s, 6); }
bool UDF(S& s, uint32_t, uint32_t) { return gen_udf(s); }

// ---- loads and stores ----
// size 0 byte, 1 halfword, 2 word; sign-extending loads have bit 24 set.
uint32_t memop_of(uint32_t size, bool sgn) { return size | (sgn ? MemOp::kSigned : 0); }
bool preload(uint32_t size, bool L, uint32_t t) { return L && t == 15 && size < 2; }  // PLD/PLI
bool LDST_imm12(S& s, bool sgn, uint32_t size, bool L, uint32_t n, uint32_t t, uint32_t imm12) {
  if (size == 3 || (sgn && (!L || size == 2))) return false;
  if (preload(size, L, t)) return true;
  return gen_ldst(s, L, memop_of(size, sgn), t, n, imm32(imm12), true, true, false);
}
bool LDR_lit(S& s, bool sgn, bool U, uint32_t size, uint32_t t, uint32_t imm12);
// Rn = pc in the imm8 and register forms is a literal load with U = 0 whose imm12 has those bits
// (the literal pattern is less specific, so such an encoding lands here first).
bool LDST_imm8(S& s, bool sgn, uint32_t size, bool L, uint32_t n, uint32_t t, bool P, bool U, bool W, uint32_t imm8) {
  if (n == 15) return L && LDR_lit(s, sgn, false, size, t, 0x800 | P << 10 | U << 9 | W << 8 | imm8);
  if (size == 3 || (sgn && (!L || size == 2)) || (!P && !W)) return false;
  if (preload(size, L, t)) return true;
  return gen_ldst(s, L, memop_of(size, sgn), t, n, imm32(imm8), P, U, W);
}
bool LDST_reg(S& s, bool sgn, uint32_t size, bool L, uint32_t n, uint32_t t, uint32_t sh, uint32_t m) {
  if (n == 15) return L && LDR_lit(s, sgn, false, size, t, sh << 4 | m);
  if (size == 3 || (sgn && (!L || size == 2)) || m == 15 || m == 13) return false;
  if (preload(size, L, t)) return true;
  Arg off = sh ? s.ir.shl(read_r(s, m), imm32(sh)) : read_r(s, m);
  return gen_ldst(s, L, memop_of(size, sgn), t, n, off, true, true, false);
}
bool LDR_lit(S& s, bool sgn, bool U, uint32_t size, uint32_t t, uint32_t imm12) {
  if (size == 3) return false;
  if (preload(size, true, t)) return true;
  return gen_ldst(s, true, memop_of(size, sgn), t, 15, imm32(imm12), true, U, false);
}
bool LDSTD(S& s, bool P, bool U, bool W, bool L, uint32_t n, uint32_t t, uint32_t t2, uint32_t imm8) {
  if (!P && !W) return false;  // the exclusives and table branches
  return gen_ldstd(s, L, t, t2, n, imm32(imm8 * 4), P, U, W);
}
bool LDREX(S& s, uint32_t n, uint32_t t, uint32_t imm8) { return gen_ldrex(s, 2, t, 0, n, imm8 * 4); }
bool STREX(S& s, uint32_t n, uint32_t t, uint32_t d, uint32_t imm8) { return gen_strex(s, 2, d, t, 0, n, imm8 * 4); }
bool LDREX_bhd(S& s, uint32_t n, uint32_t t, uint32_t t2, uint32_t sz) {
  if (sz == 2) return false;
  if (sz != 3 && t2 != 15) return false;
  return gen_ldrex(s, sz, t, t2, n, 0);
}
bool STREX_bhd(S& s, uint32_t n, uint32_t t, uint32_t t2, uint32_t sz, uint32_t d) {
  if (sz == 2) return false;
  if (sz != 3 && t2 != 15) return false;
  return gen_strex(s, sz, d, t, t2, n, 0);
}
// LDAEX/STLEX (ARMv8): the exclusives with acquire/release order, sizes as LDREXB/H/D's plus word.
bool LDAEX(S& s, uint32_t n, uint32_t t, uint32_t t2, uint32_t sz) {
  if (sz != 3 && t2 != 15) return false;
  return gen_ldrex(s, sz, t, t2, n, 0);  // x86 loads are acquire loads
}
bool STLEX(S& s, uint32_t n, uint32_t t, uint32_t t2, uint32_t sz, uint32_t d) {
  if (sz != 3 && t2 != 15) return false;
  s.ir.fence(tcg::FenceKind::Full);  // release: earlier accesses first, as A32's STLEX
  return gen_strex(s, sz, d, t, t2, n, 0);
}
bool LDA(S& s, uint32_t n, uint32_t t, uint32_t sz) { return sz == 3 ? false : gen_ld_acquire(s, sz, t, n); }
bool STL(S& s, uint32_t n, uint32_t t, uint32_t sz) { return sz == 3 ? false : gen_st_release(s, sz, t, n); }
bool TBB(S& s, uint32_t n, bool h, uint32_t m) {
  if (!last_in_it(s) || m == 13 || m == 15) return false;
  Arg base = n == 15 ? imm32(s.pc_read()) : read_r(s, n);
  Arg idx = h ? s.ir.shl(read_r(s, m), imm32(1)) : read_r(s, m);
  Arg off = s.ir.load(Type::I32, gen_addr(s, s.ir.add(base, idx)), h ? MemOp::k16 : MemOp::k8);
  gen_branch_reg(s, s.ir.add(imm32(s.pc_read()), s.ir.shl(off, imm32(1))));
  return true;
}
bool LDM_STM(S& s, uint32_t op, bool W, bool L, uint32_t n, uint32_t list) {
  if (op == 0 || op == 3) return false;
  if (list & (1u << 13)) return false;
  if (!L && (list & (1u << 15))) return false;
  if (L && (list & (1u << 15)) && !last_in_it(s)) return false;
  return gen_ldm_stm(s, L, n, list, op == 1, op == 2, W);
}
bool CP15(S& s, uint32_t opc1, bool L, uint32_t crn, uint32_t t, uint32_t opc2, uint32_t crm) {
  return gen_cp15(s, L, opc1, crn, t, opc2, crm);
}
// VFP: the A32 encoding with cond = 1110 is the T32 one.
bool VFP(S& s) { return trans_a32_vfp(s, s.insn); }
// Advanced SIMD: T32 111U1111 / 11111001 are A32 1111001U / 11110100.
bool NEON_dp(S& s) {
  const uint32_t u = (s.insn >> 28) & 1;
  return trans_a32_neon(s, 0xf2000000u | u << 24 | (s.insn & 0x00ffffff));
}
bool NEON_ldst(S& s) { return trans_a32_neon(s, 0xf4000000u | (s.insn & 0x00ffffff)); }

bool CRC32(S& s, bool C, uint32_t n, uint32_t d, uint32_t sz, uint32_t m) { return gen_crc32(s, C, sz, d, n, m); }

#define INST(fn, name, bits) make_pattern<bits, &fn>(name)
// clang-format off
constexpr A32Pattern kTable[] = {
  // data processing
  INST(DP_imm,    "dp (modified imm)", "11110i0ooooSnnnn0jjjddddkkkkkkkk"),
  INST(ADDW,      "addw/adr",       "11110i100000nnnn0jjjddddkkkkkkkk"),
  INST(SUBW,      "subw/adr",       "11110i101010nnnn0jjjddddkkkkkkkk"),
  INST(MOVW,      "movw/movt",      "11110i10t100aaaa0jjjddddkkkkkkkk"),
  INST(SAT,       "ssat/usat",      "11110011u0h0nnnn0jjjddddkk0aaaaa"),
  INST(BFX,       "sbfx/ubfx",      "11110011u100nnnn0jjjddddkk0wwwww"),
  INST(BFI,       "bfi/bfc",        "111100110110nnnn0jjjddddkk0mmmmm"),
  INST(DP_reg,    "dp (shifted reg)", "1110101ooooSnnnn0jjjddddkkttmmmm"),
  INST(SHIFT_reg, "lsl/lsr/asr/ror (reg)", "111110100ttSnnnn1111dddd0000mmmm"),
  INST(EXTEND,    "sxtah/uxtb..",   "111110100oounnnn1111dddd10rrmmmm"),
  INST(PARALLEL,  "parallel add/sub", "111110101ooonnnn1111dddd0uppmmmm"),
  INST(QADDSUB,   "qadd/qsub",      "111110101000nnnn1111dddd10oommmm"),
  INST(MISC,      "rev/sel/clz",    "1111101010oonnnn1111dddd10ppmmmm"),
  INST(MUL,       "mul/mla/mls",    "111110110000nnnnaaaadddd000smmmm"),
  INST(SMULxy,    "smulxy/smlaxy",  "111110110001nnnnaaaadddd00xymmmm"),
  INST(SMLAD,     "smlad/smuad",    "111110110010nnnnaaaadddd000wmmmm"),
  INST(SMLSD,     "smlsd/smusd",    "111110110100nnnnaaaadddd000wmmmm"),
  INST(SMLAWy,    "smlawy/smulwy",  "111110110011nnnnaaaadddd000ymmmm"),
  INST(SMMLA,     "smmul/smmla",    "111110110101nnnnaaaadddd000rmmmm"),
  INST(SMMLS,     "smmls",          "111110110110nnnnaaaadddd000rmmmm"),
  INST(USAD8,     "usad8/usada8",   "111110110111nnnnaaaadddd0000mmmm"),
  INST(MULL,      "smull/umull/smlal/umlal", "111110111au0nnnnllllhhhh0000mmmm"),
  INST(SMLALxy,   "smlalxy",        "111110111100nnnnllllhhhh10xymmmm"),
  INST(SMLALD,    "smlald/smlsld",  "11111011110snnnnllllhhhh110wmmmm"),
  INST(UMAAL,     "umaal",          "111110111110nnnnllllhhhh0110mmmm"),
  INST(DIV,       "sdiv/udiv",      "1111101110u1nnnn1111dddd1111mmmm"),
  INST(CRC32,     "crc32/crc32c",   "11111010110cnnnn1111dddd10zzmmmm"),
  // branches and control
  INST(B_cond,    "b<c>.w",         "11110Sccccjjjjjj10a0bkkkkkkkkkkk"),
  INST(B_w,       "b.w",            "11110Sjjjjjjjjjj10a1bkkkkkkkkkkk"),
  INST(BL,        "bl",             "11110Sjjjjjjjjjj11a1bkkkkkkkkkkk"),
  INST(BLX_imm,   "blx (imm)",      "11110Sjjjjjjjjjj11a0bkkkkkkkkkk0"),
  INST(MSR,       "msr",            "111100111000nnnn1000mm0000000000"),
  INST(MRS,       "mrs",            "11110011111011111000dddd00000000"),
  INST(HINT,      "hint",           "111100111010111110000000oooooooo"),
  INST(CLREX,     "clrex",          "11110011101111111000111100101111"),
  INST(DSB,       "dsb",            "1111001110111111100011110100oooo"),
  INST(DMB,       "dmb",            "1111001110111111100011110101oooo"),
  INST(ISB,       "isb",            "1111001110111111100011110110oooo"),
  INST(UDF,       "udf.w",          "111101111111iiii1010jjjjjjjjjjjj"),
  // loads and stores
  INST(LDST_imm12, "ldr/str (imm12)", "1111100s1zzLnnnnttttiiiiiiiiiiii"),
  INST(LDST_imm8, "ldr/str (imm8)", "1111100s0zzLnnnntttt1PUWiiiiiiii"),
  INST(LDST_reg,  "ldr/str (reg)",  "1111100s0zzLnnnntttt000000hhmmmm"),
  INST(LDR_lit,   "ldr (literal)",  "1111100sUzz11111ttttiiiiiiiiiiii"),
  INST(LDSTD,     "ldrd/strd",      "1110100PU1WLnnnnttttTTTTiiiiiiii"),
  INST(LDREX,     "ldrex",          "111010000101nnnntttt1111iiiiiiii"),
  INST(STREX,     "strex",          "111010000100nnnnttttddddiiiiiiii"),
  INST(LDREX_bhd, "ldrexb/h/d",     "111010001101nnnnttttTTTT01zz1111"),
  INST(STREX_bhd, "strexb/h/d",     "111010001100nnnnttttTTTT01zzdddd"),
  INST(LDA,       "lda",            "111010001101nnnntttt111110zz1111"),
  INST(LDAEX,     "ldaex{b,h,d}",   "111010001101nnnnttttTTTT11zz1111"),
  INST(STLEX,     "stlex{b,h,d}",   "111010001100nnnnttttTTTT11zzdddd"),
  INST(STL,       "stl",            "111010001100nnnntttt111110zz1111"),
  INST(TBB,       "tbb/tbh",        "111010001101nnnn11110000000hmmmm"),
  INST(LDM_STM,   "ldm/stm",        "1110100oo0WLnnnnrrrrrrrrrrrrrrrr"),
  // coprocessor, VFP and Advanced SIMD
  INST(CP15,      "mrc/mcr p15",    "11101110oooLnnnntttt1111ppp1mmmm"),
  INST(VFP,       "vfp",            "1110110-------------101---------"),
  INST(VFP,       "vfp",            "11101110------------101---------"),
  INST(VFP,       "vfp (armv8)",    "11111110------------101---------"),
  INST(NEON_dp,   "neon",           "111-1111------------------------"),
};
// clang-format on
#undef INST
}  // namespace

// A "signed store" (11111001xxx0) is an Advanced SIMD element/structure load/store, whatever
// the load/store entries with more fixed bits (register offset, imm8) say.
constexpr A32Pattern kNeonLdst = make_pattern<"11111001---0--------------------", &NEON_ldst>("neon ld/st");

const A32Pattern* decode_t32(uint32_t insn) {
  static const PatternMatcher<A32Context> matcher(kTable, std::size(kTable), 25, 4);
  if ((insn & kNeonLdst.mask) == kNeonLdst.match) return &kNeonLdst;
  return matcher.find(insn);
}

}  // namespace mimic::arm
