// The A64 instruction table and the decoder (patterns bucketed by the top-level op0 bits).
#include "target/arm/decode.h"

#include <iterator>

#include "target/arm/trans.h"
#include "target/arm/trans_crypto.h"
#include "target/arm/trans_fp.h"
#include "target/arm/trans_simd_arith.h"
#include "target/arm/trans_simd_move.h"

namespace mimic::arm {

namespace {

#define INST(fn, name, bits) make_pattern<bits, &trans_##fn>(name)
// clang-format off
constexpr Pattern kTable[] = {
  // ---- data processing: immediate ----
  INST(ADR,          "adr",            "0LL10000HHHHHHHHHHHHHHHHHHHddddd"),
  INST(ADRP,         "adrp",           "1LL10000HHHHHHHHHHHHHHHHHHHddddd"),
  INST(ADDSUB_imm,   "add/sub (imm)",  "zoS100010hiiiiiiiiiiiinnnnnddddd"),
  INST(LOGIC_imm,    "logical (imm)",  "zoo100100Nrrrrrrssssssnnnnnddddd"),
  INST(MOVN,         "movn",           "z00100101hhiiiiiiiiiiiiiiiiddddd"),
  INST(MOVZ,         "movz",           "z10100101hhiiiiiiiiiiiiiiiiddddd"),
  INST(MOVK,         "movk",           "z11100101hhiiiiiiiiiiiiiiiiddddd"),
  INST(SBFM,         "sbfm",           "z00100110Nrrrrrrssssssnnnnnddddd"),
  INST(BFM,          "bfm",            "z01100110Nrrrrrrssssssnnnnnddddd"),
  INST(UBFM,         "ubfm",           "z10100110Nrrrrrrssssssnnnnnddddd"),
  INST(EXTR,         "extr",           "z00100111N0mmmmmssssssnnnnnddddd"),
  // ---- branches, exception generation, system ----
  INST(B,            "b/bl",           "L00101iiiiiiiiiiiiiiiiiiiiiiiiii"),
  INST(B_cond,       "b.cond",         "01010100iiiiiiiiiiiiiiiiiii0cccc"),
  INST(CBZ,          "cbz/cbnz",       "z011010oiiiiiiiiiiiiiiiiiiittttt"),
  INST(TBZ,          "tbz/tbnz",       "B011011obbbbbiiiiiiiiiiiiiittttt"),
  INST(BR,           "br",             "1101011000011111000000nnnnn00000"),
  INST(BLR,          "blr",            "1101011000111111000000nnnnn00000"),
  INST(RET,          "ret",            "1101011001011111000000nnnnn00000"),
  INST(SVC,          "svc",            "11010100000iiiiiiiiiiiiiiii00001"),
  INST(BRK,          "brk",            "11010100001iiiiiiiiiiiiiiii00000"),
  INST(UDF,          "udf",            "0000000000000000iiiiiiiiiiiiiiii"),
  INST(HINT,         "hint",           "11010101000000110010MMMMooo11111"),
  INST(CLREX,        "clrex",          "11010101000000110011MMMM01011111"),
  INST(DSB,          "dsb",            "11010101000000110011MMMM10011111"),
  INST(DMB,          "dmb",            "11010101000000110011MMMM10111111"),
  INST(ISB,          "isb",            "11010101000000110011MMMM11011111"),
  INST(SB,           "sb",             "11010101000000110011000011111111"),
  INST(ERET,         "eret",           "11010110100111110000001111100000"),
  INST(HVC,          "hvc",            "11010100000iiiiiiiiiiiiiiii00010"),
  INST(SMC,          "smc",            "11010100000iiiiiiiiiiiiiiii00011"),
  INST(MSR_imm,      "msr (imm)",      "1101010100000ooo0100MMMMppp11111"),
  INST(SYS,          "sys",            "1101010100001rrrrrrrrrrrrrrttttt"),
  INST(MSR_reg,      "msr",            "110101010001rrrrrrrrrrrrrrrttttt"),
  INST(MRS,          "mrs",            "110101010011rrrrrrrrrrrrrrrttttt"),
  // ---- loads and stores ----
  INST(LDST_uimm,    "ldr/str (uimm)", "ss111V01ooiiiiiiiiiiiinnnnnttttt"),
  INST(LDST_imm9,    "ldr/str (imm9)", "ss111V00oo0iiiiiiiiiwwnnnnnttttt"),
  INST(LDST_reg,     "ldr/str (reg)",  "ss111V00oo1mmmmmxxxS10nnnnnttttt"),
  INST(LDR_lit,      "ldr (literal)",  "oo011V00iiiiiiiiiiiiiiiiiiittttt"),
  INST(LDST_pair,    "ldp/stp",        "oo101V0wwLiiiiiiiuuuuunnnnnttttt"),
  INST(LDST_excl,    "exclusive/ordered", "zz001000PLQsssssOuuuuunnnnnttttt"),
  INST(ATOMIC,       "lse atomic",     "zz111000AR1sssssoooo00nnnnnttttt"),
  // ---- data processing: register ----
  INST(LOGIC_shift,  "logical (reg)",  "zoo01010hhNmmmmmiiiiiinnnnnddddd"),
  INST(ADDSUB_shift, "add/sub (reg)",  "zoS01011hh0mmmmmiiiiiinnnnnddddd"),
  INST(ADDSUB_ext,   "add/sub (ext)",  "zoS01011001mmmmmxxxiiinnnnnddddd"),
  INST(ADCSBC,       "adc/sbc",        "zoS11010000mmmmm000000nnnnnddddd"),
  INST(CCMP_reg,     "ccmn/ccmp (reg)", "zo111010010mmmmmcccc00nnnnn0ffff"),
  INST(CCMP_imm,     "ccmn/ccmp (imm)", "zo111010010iiiiicccc10nnnnn0ffff"),
  INST(CSEL,         "csel",           "zo011010100mmmmmcccc0pnnnnnddddd"),
  INST(UDIV,         "udiv",           "z0011010110mmmmm000010nnnnnddddd"),
  INST(SDIV,         "sdiv",           "z0011010110mmmmm000011nnnnnddddd"),
  INST(SHIFTV,       "lslv/lsrv/asrv/rorv", "z0011010110mmmmm0010oonnnnnddddd"),
  INST(CRC32,        "crc32",          "z0011010110mmmmm010Cssnnnnnddddd"),
  INST(RBIT,         "rbit",           "z101101011000000000000nnnnnddddd"),
  INST(REV16,        "rev16",          "z101101011000000000001nnnnnddddd"),
  INST(REV32,        "rev/rev32",      "z101101011000000000010nnnnnddddd"),
  INST(REV64,        "rev",            "1101101011000000000011nnnnnddddd"),
  INST(CLZ,          "clz",            "z101101011000000000100nnnnnddddd"),
  INST(CLS,          "cls",            "z101101011000000000101nnnnnddddd"),
  INST(MADD,         "madd/msub",      "z0011011000mmmmmoaaaaannnnnddddd"),
  INST(MADDL,        "smaddl/umaddl",  "10011011U01mmmmmoaaaaannnnnddddd"),
  INST(MULH,         "smulh/umulh",    "10011011U10mmmmm0aaaaannnnnddddd"),
  // ---- scalar FP and AdvSIMD: one table fragment per area (see docs/aarch64.md) ----
#include "target/arm/insns_fp.inc"
#include "target/arm/insns_simd_move.inc"
#include "target/arm/insns_simd_arith.inc"
#include "target/arm/insns_crypto.inc"
};
// clang-format on
#undef INST

constexpr size_t kNumPatterns = std::size(kTable);

}  // namespace

const Pattern* decode(uint32_t insn) {
  // Buckets keyed by insn bits 28..25, the A64 op0 group.
  static const PatternMatcher<DisasContext> matcher(kTable, kNumPatterns, 25, 4);
  return matcher.find(insn);
}

size_t num_patterns() { return kNumPatterns; }
const Pattern& pattern(size_t i) { return kTable[i]; }

}  // namespace mimic::arm
