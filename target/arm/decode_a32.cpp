// The A32 instruction table (one entry per encoding) and its visitors, which extract the A32
// fields and call the shared AArch32 emitters (trans_a32.h). The condition field (bits 31-28) is
// applied by the translation loop; entries spelling out 1111 there are the unconditional space.
#include "target/arm/trans_a32.h"

namespace mimic::arm {

namespace {
using S = A32Context;

constexpr DpOp kA32DpOps[16] = {DpOp::And, DpOp::Eor, DpOp::Sub, DpOp::Rsb, DpOp::Add, DpOp::Adc, DpOp::Sbc, DpOp::Rsc,
                                DpOp::Tst, DpOp::Teq, DpOp::Cmp, DpOp::Cmn, DpOp::Orr, DpOp::Mov, DpOp::Bic, DpOp::Mvn};
bool is_logical(DpOp op) {
  return op == DpOp::And || op == DpOp::Eor || op == DpOp::Tst || op == DpOp::Teq || op == DpOp::Orr ||
         op == DpOp::Mov || op == DpOp::Bic || op == DpOp::Mvn;
}
bool is_test(uint32_t op) { return op >= 8 && op <= 11; }

// ---- data processing ----
bool DP_imm(S& s, uint32_t op, bool S_, uint32_t n, uint32_t d, uint32_t rot, uint32_t imm8) {
  if (is_test(op) && !S_) return false;  // MOVW/MOVT/MSR space: other entries
  DpOp o = kA32DpOps[op];
  return gen_dp(s, o, S_, d, n, gen_imm_operand(imm8, rot, S_ && is_logical(o)));
}
bool DP_reg(S& s, uint32_t op, bool S_, uint32_t n, uint32_t d, uint32_t imm5, uint32_t type, uint32_t m) {
  if (is_test(op) && !S_) return false;
  DpOp o = kA32DpOps[op];
  return gen_dp(s, o, S_, d, n, gen_shift_imm(s, read_r(s, m), type, imm5, S_ && is_logical(o)));
}
bool DP_rsr(S& s, uint32_t op, bool S_, uint32_t n, uint32_t d, uint32_t rs, uint32_t type, uint32_t m) {
  if (is_test(op) && !S_) return false;
  if (d == 15 || n == 15 || m == 15 || rs == 15) return false;
  DpOp o = kA32DpOps[op];
  return gen_dp(s, o, S_, d, n, gen_shift_reg(s, read_r(s, m), type, read_r(s, rs), S_ && is_logical(o)));
}
bool MOVW(S& s, uint32_t hi, uint32_t d, uint32_t lo) { return gen_movw(s, false, d, hi << 12 | lo); }
bool MOVT(S& s, uint32_t hi, uint32_t d, uint32_t lo) { return gen_movw(s, true, d, hi << 12 | lo); }

// ---- multiplies ----
bool MUL(S& s, bool a, bool S_, uint32_t d, uint32_t acc, uint32_t m, uint32_t n) {
  if (!a && acc != 0) return false;
  return gen_mul(s, S_, d, n, m, a ? int(acc) : -1, false);
}
bool MLS(S& s, uint32_t d, uint32_t a, uint32_t m, uint32_t n) { return gen_mul(s, false, d, n, m, int(a), true); }
bool MULL(S& s, bool sgn, bool a, bool S_, uint32_t hi, uint32_t lo, uint32_t m, uint32_t n) {
  if (hi == lo) return false;
  return gen_mull(s, sgn, a, S_, lo, hi, n, m);
}
bool UMAAL(S& s, uint32_t hi, uint32_t lo, uint32_t m, uint32_t n) { return gen_umaal(s, lo, hi, n, m); }
bool SMULxy(S& s, uint32_t op, uint32_t d, uint32_t a, uint32_t m, bool y, bool x, uint32_t n) {
  return gen_smul_halves(s, op, d, a, m, n, x, y);
}
bool SDIV(S& s, uint32_t d, uint32_t m, uint32_t n) { return gen_div(s, true, d, n, m); }
bool UDIV(S& s, uint32_t d, uint32_t m, uint32_t n) { return gen_div(s, false, d, n, m); }
bool SMLAD(S& s, uint32_t d, uint32_t a, uint32_t m, bool sub, bool swap, uint32_t n) {
  return gen_smlad(s, sub, swap, false, d, a, m, n);
}
bool SMLALD(S& s, uint32_t hi, uint32_t lo, uint32_t m, bool sub, bool swap, uint32_t n) {
  return gen_smlad(s, sub, swap, true, hi, lo, m, n);
}
bool SMMUL(S& s, uint32_t d, uint32_t a, uint32_t m, uint32_t op, bool r, uint32_t n) {
  if (op == 1 || op == 2 || (op == 3 && a == 15)) return false;  // 00: SMMUL/SMMLA, 11: SMMLS
  return gen_smmul(s, op == 3, r, d, a, m, n);
}
bool USAD8(S& s, uint32_t d, uint32_t a, uint32_t m, uint32_t n) { return gen_usad8(s, d, a, m, n); }

// ---- miscellaneous ----
bool BX(S& s, uint32_t m) {
  gen_branch_exchange(s, read_r(s, m));
  return true;
}
bool BLX_reg(S& s, uint32_t m) {
  if (m == 15) return false;
  Arg target = read_r(s, m);
  write_r(s, 14, imm32(uint32_t(s.next_pc())));
  gen_branch_exchange(s, target);
  return true;
}
bool CLZ(S& s, uint32_t d, uint32_t m) { return gen_clz(s, d, m); }
bool MRS(S& s, uint32_t d) { return gen_mrs(s, d); }
bool MSR_reg(S& s, uint32_t mask, uint32_t n) { return gen_msr(s, mask, read_r(s, n)); }
bool MSR_imm(S& s, uint32_t mask, uint32_t rot, uint32_t imm8) {
  return gen_msr(s, mask, gen_imm_operand(imm8, rot, false).value);
}
bool HINT(S&, uint32_t) { return true; }  // NOP, YIELD, WFE, WFI, SEV: no effect for one process
bool QADDSUB(S& s, uint32_t op, uint32_t n, uint32_t d, uint32_t m) { return gen_qaddsub(s, op, d, n, m); }
bool BKPT(S& s, uint32_t hi, uint32_t lo) { return gen_bkpt(s, hi << 4 | lo); }
bool UDF(S& s, uint32_t, uint32_t) { return gen_udf(s); }
bool SVC(S& s, uint32_t imm) { return gen_svc(s, imm); }
bool B(S& s, bool link, uint32_t imm24) {
  const uint32_t target = uint32_t(s.pc_read() + (int32_t(imm24 << 8) >> 6));
  if (link) write_r(s, 14, imm32(uint32_t(s.next_pc())));
  gen_branch_to(s, target);
  return true;
}
bool BLX_imm(S& s, bool h, uint32_t imm24) {
  const uint32_t target = uint32_t(s.pc_read() + (int32_t(imm24 << 8) >> 6) + (h ? 2 : 0));
  write_r(s, 14, imm32(uint32_t(s.next_pc())));
  gen_branch_exchange(s, imm32(target | 1));
  return true;
}

// ---- media ----
bool EXTEND(S& s, bool u, uint32_t size, uint32_t n, uint32_t d, uint32_t rot, uint32_t m) {
  if (size == 1) return false;
  return gen_extend(s, u, size, d, n, m, rot);
}
bool REV(S& s, uint32_t d, uint32_t m) { return gen_rev(s, 0, d, m); }
bool REV16(S& s, uint32_t d, uint32_t m) { return gen_rev(s, 1, d, m); }
bool REVSH(S& s, uint32_t d, uint32_t m) { return gen_rev(s, 2, d, m); }
bool RBIT(S& s, uint32_t d, uint32_t m) { return gen_rev(s, 3, d, m); }
bool PKH(S& s, uint32_t n, uint32_t d, uint32_t imm5, bool tb, uint32_t m) { return gen_pkh(s, tb, d, n, m, imm5); }
bool SSAT(S& s, uint32_t sat, uint32_t d, uint32_t imm5, bool sh, uint32_t n) {
  return gen_sat(s, false, d, sat, n, sh, imm5);
}
bool USAT(S& s, uint32_t sat, uint32_t d, uint32_t imm5, bool sh, uint32_t n) {
  return gen_sat(s, true, d, sat, n, sh, imm5);
}
bool SSAT16(S& s, uint32_t sat, uint32_t d, uint32_t n) { return gen_sat16(s, false, d, sat, n); }
bool USAT16(S& s, uint32_t sat, uint32_t d, uint32_t n) { return gen_sat16(s, true, d, sat, n); }
bool SEL(S& s, uint32_t n, uint32_t d, uint32_t m) { return gen_sel(s, d, n, m); }
bool PARALLEL(S& s, bool u, uint32_t prefix, uint32_t n, uint32_t d, uint32_t op, uint32_t m) {
  return gen_parallel(s, u, prefix, op, d, n, m);
}
bool BFI(S& s, uint32_t msb, uint32_t d, uint32_t lsb, uint32_t n) { return gen_bfi(s, d, n, lsb, msb); }
bool UBFX(S& s, uint32_t w, uint32_t d, uint32_t lsb, uint32_t n) { return gen_bfx(s, false, d, n, lsb, w); }
bool SBFX(S& s, uint32_t w, uint32_t d, uint32_t lsb, uint32_t n) { return gen_bfx(s, true, d, n, lsb, w); }

// ---- loads and stores ----
constexpr uint32_t kSizeOf[2] = {MemOp::k32, MemOp::k8};
bool LDST_imm(S& s, bool P, bool U, bool B_, bool W, bool L, uint32_t n, uint32_t t, uint32_t imm12) {
  return gen_ldst(s, L, kSizeOf[B_], t, n, imm32(imm12), P, U, W);
}
bool LDST_reg(S& s, bool P, bool U, bool B_, bool W, bool L, uint32_t n, uint32_t t, uint32_t imm5, uint32_t type,
              uint32_t m) {
  if (m == 15) return false;
  return gen_ldst(s, L, kSizeOf[B_], t, n, gen_shift_imm(s, read_r(s, m), type, imm5, false).value, P, U, W);
}
// LDRH/STRH/LDRSB/LDRSH/LDRD/STRD (op2 = bits 6:5).
bool ldst_extra(S& s, bool P, bool U, bool W, bool L, uint32_t n, uint32_t t, uint32_t op2, Arg offset) {
  if (op2 == 0) return false;
  if (!L && op2 >= 2) {  // LDRD (10) / STRD (11)
    if (t & 1) return false;
    return gen_ldstd(s, op2 == 2, t, t + 1, n, offset, P, U, W);
  }
  static constexpr uint32_t kOps[4] = {0, MemOp::k16, MemOp::k8 | MemOp::kSigned, MemOp::k16 | MemOp::kSigned};
  return gen_ldst(s, L, kOps[op2], t, n, offset, P, U, W);
}
// Two entries each: op2 = 01 (halfword) and 1x, so that op2 = 00 (multiplies, exclusives) never
// reaches them whatever the other entries' specificity.
bool LDST_h_imm(S& s, bool P, bool U, bool W, bool L, uint32_t n, uint32_t t, uint32_t hi, uint32_t lo) {
  return ldst_extra(s, P, U, W, L, n, t, 1, imm32(hi << 4 | lo));
}
bool LDST_x_imm(S& s, bool P, bool U, bool W, bool L, uint32_t n, uint32_t t, uint32_t hi, bool o, uint32_t lo) {
  return ldst_extra(s, P, U, W, L, n, t, 2 | o, imm32(hi << 4 | lo));
}
bool LDST_h_reg(S& s, bool P, bool U, bool W, bool L, uint32_t n, uint32_t t, uint32_t m) {
  if (m == 15) return false;
  return ldst_extra(s, P, U, W, L, n, t, 1, read_r(s, m));
}
bool LDST_x_reg(S& s, bool P, bool U, bool W, bool L, uint32_t n, uint32_t t, bool o, uint32_t m) {
  if (m == 15) return false;
  return ldst_extra(s, P, U, W, L, n, t, 2 | o, read_r(s, m));
}
bool LDM_STM(S& s, bool P, bool U, bool S_, bool W, bool L, uint32_t n, uint32_t list) {
  if (S_) return false;  // user-bank / exception-return forms: not at PL0
  return gen_ldm_stm(s, L, n, list, U, P, W);
}
// LDREX/STREX family (bits 22:21 size: 0 word, 1 doubleword, 2 byte, 3 halfword; bits 9:8 kind).
constexpr unsigned kExSize[4] = {2, 3, 0, 1};
bool EXCL(S& s, uint32_t sz, bool L, uint32_t n, uint32_t d, uint32_t kind, uint32_t t) {
  const unsigned size = kExSize[sz];
  if (kind == 0) {  // LDA/STL (ARMv8): no doubleword form
    if (size == 3) return false;
    return L ? gen_ld_acquire(s, size, d, n) : gen_st_release(s, size, t, n);
  }
  if (kind == 1) return false;
  if (L) {
    if (t != 15) return false;
    return gen_ldrex(s, size, d, d + 1, n, 0);
  }
  if (size == 3 && (t & 1)) return false;
  if (kind == 2) s.ir.fence(tcg::FenceKind::Full);  // STLEX
  return gen_strex(s, size, d, t, t + 1, n, 0);
}
bool SWP(S& s, bool B, uint32_t n, uint32_t t, uint32_t t2) { return gen_swp(s, B, t, t2, n); }
bool SETEND(S& s, bool E) { return gen_setend(s, E); }
bool CRC32(S& s, uint32_t sz, uint32_t n, uint32_t d, bool C, uint32_t m) { return gen_crc32(s, C, sz, d, n, m); }
bool PLD(S&) { return true; }  // preload hints
bool CLREX(S& s) { return gen_clrex(s); }
bool DSB(S& s, uint32_t) { return gen_barrier(s, 4); }
bool DMB(S& s, uint32_t) { return gen_barrier(s, 5); }
bool ISB(S& s, uint32_t) { return gen_barrier(s, 6); }
bool CP15(S& s, uint32_t opc1, bool L, uint32_t crn, uint32_t t, uint32_t opc2, uint32_t crm) {
  return gen_cp15(s, L, opc1, crn, t, opc2, crm);
}
bool VFP(S& s) { return trans_a32_vfp(s, s.insn); }
bool NEON(S& s) { return trans_a32_neon(s, s.insn); }

#define INST(fn, name, bits) make_pattern<bits, &fn>(name)
// clang-format off
constexpr A32Pattern kTable[] = {
  INST(DP_imm,        "dp (imm)",       "----001ooooSnnnnddddrrrriiiiiiii"),
  INST(DP_reg,        "dp (reg)",       "----000ooooSnnnnddddiiiiitt0mmmm"),
  INST(DP_rsr,        "dp (rsr)",       "----000ooooSnnnnddddssss0tt1mmmm"),
  INST(MOVW,          "movw",           "----00110000iiiiddddjjjjjjjjjjjj"),
  INST(MOVT,          "movt",           "----00110100iiiiddddjjjjjjjjjjjj"),
  INST(MUL,           "mul/mla",        "----000000aSddddccccmmmm1001nnnn"),
  INST(MLS,           "mls",            "----00000110ddddaaaammmm1001nnnn"),
  INST(UMAAL,         "umaal",          "----00000100hhhhllllmmmm1001nnnn"),
  INST(MULL,          "umull/smull",    "----00001uaShhhhllllmmmm1001nnnn"),
  INST(SMULxy,        "smulxy",         "----00010oo0ddddaaaammmm1yx0nnnn"),
  INST(SDIV,          "sdiv",           "----01110001dddd1111mmmm0001nnnn"),
  INST(UDIV,          "udiv",           "----01110011dddd1111mmmm0001nnnn"),
  INST(SMLAD,         "smlad",          "----01110000ddddaaaammmm0sw1nnnn"),
  INST(SMLALD,        "smlald",         "----01110100hhhhllllmmmm0sw1nnnn"),
  INST(SMMUL,         "smmul",          "----01110101ddddaaaammmmxxr1nnnn"),
  INST(USAD8,         "usad8",          "----01111000ddddaaaammmm0001nnnn"),
  INST(BX,            "bx",             "----000100101111111111110001mmmm"),
  INST(BLX_reg,       "blx (reg)",      "----000100101111111111110011mmmm"),
  INST(CLZ,           "clz",            "----000101101111dddd11110001mmmm"),
  INST(MRS,           "mrs",            "----000100001111dddd000000000000"),
  INST(MSR_reg,       "msr (reg)",      "----00010010mm00111100000000nnnn"),
  INST(MSR_imm,       "msr (imm)",      "----00110010mm001111rrrriiiiiiii"),
  INST(HINT,          "hint",           "----0011001000001111000000000ooo"),
  INST(QADDSUB,       "qadd/qsub",      "----00010oo0nnnndddd00000101mmmm"),
  INST(BKPT,          "bkpt",           "111000010010iiiiiiiiiiii0111jjjj"),
  INST(UDF,           "udf",            "111001111111iiiiiiiiiiii1111jjjj"),
  INST(SVC,           "svc",            "----1111iiiiiiiiiiiiiiiiiiiiiiii"),
  INST(B,             "b/bl",           "----101liiiiiiiiiiiiiiiiiiiiiiii"),
  INST(EXTEND,        "sxtb/uxtah..",   "----01101uzznnnnddddrr000111mmmm"),
  INST(REV,           "rev",            "----011010111111dddd11110011mmmm"),
  INST(REV16,         "rev16",          "----011010111111dddd11111011mmmm"),
  INST(REVSH,         "revsh",          "----011011111111dddd11111011mmmm"),
  INST(RBIT,          "rbit",           "----011011111111dddd11110011mmmm"),
  INST(PKH,           "pkhbt/pkhtb",    "----01101000nnnnddddiiiiit01mmmm"),
  INST(SSAT,          "ssat",           "----0110101aaaaaddddiiiiih01nnnn"),
  INST(USAT,          "usat",           "----0110111aaaaaddddiiiiih01nnnn"),
  INST(SSAT16,        "ssat16",         "----01101010aaaadddd11110011nnnn"),
  INST(USAT16,        "usat16",         "----01101110aaaadddd11110011nnnn"),
  INST(SEL,           "sel",            "----01101000nnnndddd11111011mmmm"),
  INST(PARALLEL,      "parallel add/sub", "----01100uppnnnndddd1111ooo1mmmm"),
  INST(BFI,           "bfi/bfc",        "----0111110mmmmmddddlllll001nnnn"),
  INST(UBFX,          "ubfx",           "----0111111wwwwwddddlllll101nnnn"),
  INST(SBFX,          "sbfx",           "----0111101wwwwwddddlllll101nnnn"),
  INST(LDST_imm,      "ldr/str (imm)",  "----010PUBWLnnnnttttiiiiiiiiiiii"),
  INST(LDST_reg,      "ldr/str (reg)",  "----011PUBWLnnnnttttiiiiiyy0mmmm"),
  INST(LDST_h_imm,    "ldrh/strh (imm)", "----000PU1WLnnnnttttiiii1011jjjj"),
  INST(LDST_x_imm,    "ldrsb/ldrsh/ldrd/strd (imm)", "----000PU1WLnnnnttttiiii11o1jjjj"),
  INST(LDST_h_reg,    "ldrh/strh (reg)", "----000PU0WLnnnntttt00001011mmmm"),
  INST(LDST_x_reg,    "ldrsb/ldrsh/ldrd/strd (reg)", "----000PU0WLnnnntttt000011o1mmmm"),
  INST(LDM_STM,       "ldm/stm",        "----100PUSWLnnnnrrrrrrrrrrrrrrrr"),
  INST(EXCL,          "ldrex/strex/lda/stl", "----00011zzLnnnndddd11kk1001tttt"),
  INST(SWP,           "swp/swpb",       "----00010b00nnnntttt00001001mmmm"),
  INST(CRC32,         "crc32/crc32c",   "----00010zz0nnnndddd00c00100mmmm"),
  INST(CP15,          "mrc/mcr p15",    "----1110oooLnnnntttt1111ppp1mmmm"),
  INST(VFP,           "vfp",            "----110-------------101---------"),
  INST(VFP,           "vfp",            "----1110------------101---------"),
  // The unconditional space (cond 1111) from here on: searched on its own, so that an A32
  // entry with more fixed bits elsewhere cannot take a 1111 encoding (MOVW vs NEON).
  INST(BLX_imm,       "blx (imm)",      "1111101hiiiiiiiiiiiiiiiiiiiiiiii"),
  INST(PLD,           "pld (imm)",      "11110101-101----1111------------"),
  INST(PLD,           "pld (reg)",      "11110111-101----1111-------0----"),
  INST(PLD,           "pli (imm)",      "11110100-101----1111------------"),
  INST(CLREX,         "clrex",          "11110101011111111111000000011111"),
  INST(SETEND,        "setend",         "1111000100000001000000e000000000"),
  INST(DSB,           "dsb",            "1111010101111111111100000100oooo"),
  INST(DMB,           "dmb",            "1111010101111111111100000101oooo"),
  INST(ISB,           "isb",            "1111010101111111111100000110oooo"),
  INST(VFP,           "vfp (armv8)",    "11111110------------101---------"),
  INST(NEON,          "neon",           "1111001-------------------------"),
  INST(NEON,          "neon ld/st",     "11110100---0--------------------"),
};
// clang-format on
#undef INST
}  // namespace

constexpr size_t kFirstUncond = [] {
  size_t i = 0;
  while (i < std::size(kTable) && !((kTable[i].mask >> 28) == 0xf && (kTable[i].match >> 28) == 0xf)) ++i;
  return i;
}();
static_assert(
    [] {
      for (size_t i = kFirstUncond; i < std::size(kTable); ++i)
        if ((kTable[i].mask >> 28) != 0xf || (kTable[i].match >> 28) != 0xf) return false;
      return true;
    }(),
    "the unconditional entries are the table's tail");

const A32Pattern* decode_a32(uint32_t insn) {
  // Buckets keyed by bits 27..25 (the A32 op1 group).
  static const PatternMatcher<A32Context> cond_matcher(kTable, kFirstUncond, 25, 3);
  static const PatternMatcher<A32Context> uncond_matcher(kTable + kFirstUncond, std::size(kTable) - kFirstUncond, 25,
                                                         3);
  return (insn >> 28) == 0xf ? uncond_matcher.find(insn) : cond_matcher.find(insn);
}

}  // namespace mimic::arm
