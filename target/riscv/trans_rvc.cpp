// The C extension: the 16-bit pattern table and the expansion of compressed fields to the
// operands of the equivalent 32-bit instruction (both then use the same trans_ function).
#include "target/riscv/decode.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

#define T(name) trans_##name
// clang-format off
const Pattern kPatterns16[] = {
  // Quadrant 0
  pat("000 ----------- 00", Fmt::CAddi4spn, "c.addi4spn", "d,s,i", T(addi)),
  pat("001 ----------- 00", Fmt::CLd, "c.fld", "D,m", T(fld)),
  pat("010 ----------- 00", Fmt::CLw, "c.lw", "d,m", T(lw)),
  pat("011 ----------- 00", Fmt::CLd, "c.ld", "d,m", T(ld)),
  pat("101 ----------- 00", Fmt::CSd, "c.fsd", "T,m", T(fsd)),
  pat("110 ----------- 00", Fmt::CSw, "c.sw", "t,m", T(sw)),
  pat("111 ----------- 00", Fmt::CSd, "c.sd", "t,m", T(sd)),
  // Quadrant 1
  pat("000 ----------- 01", Fmt::CI, "c.addi", "d,i", T(addi)),
  pat("001 ----------- 01", Fmt::CIw, "c.addiw", "d,i", T(addiw)),
  pat("010 ----------- 01", Fmt::CLi, "c.li", "d,i", T(addi)),
  pat("011 - 00010 ----- 01", Fmt::CAddi16sp, "c.addi16sp", "d,i", T(addi)),
  pat("011 ----------- 01", Fmt::CLui, "c.lui", "d,u", T(lui)),
  pat("100 - 00 -------- 01", Fmt::CShift, "c.srli", "d,i", T(srli)),
  pat("100 - 01 -------- 01", Fmt::CShift, "c.srai", "d,i", T(srai)),
  pat("100 - 10 -------- 01", Fmt::CAndi, "c.andi", "d,i", T(andi)),
  pat("100 0 11 --- 00 --- 01", Fmt::CA, "c.sub", "d,t", T(sub)),
  pat("100 0 11 --- 01 --- 01", Fmt::CA, "c.xor", "d,t", T(xor)),
  pat("100 0 11 --- 10 --- 01", Fmt::CA, "c.or", "d,t", T(or)),
  pat("100 0 11 --- 11 --- 01", Fmt::CA, "c.and", "d,t", T(and)),
  pat("100 1 11 --- 00 --- 01", Fmt::CA, "c.subw", "d,t", T(subw)),
  pat("100 1 11 --- 01 --- 01", Fmt::CA, "c.addw", "d,t", T(addw)),
  pat("101 ----------- 01", Fmt::CJ, "c.j", "b", T(jal)),
  pat("110 ----------- 01", Fmt::CB, "c.beqz", "s,b", T(beq)),
  pat("111 ----------- 01", Fmt::CB, "c.bnez", "s,b", T(bne)),
  // Quadrant 2 (order matters: c.jr before c.mv, c.ebreak before c.jalr before c.add)
  pat("000 ----------- 10", Fmt::CSlli, "c.slli", "d,i", T(slli)),
  pat("001 ----------- 10", Fmt::CFldsp, "c.fldsp", "D,m", T(fld)),
  pat("010 ----------- 10", Fmt::CLwsp, "c.lwsp", "d,m", T(lw)),
  pat("011 ----------- 10", Fmt::CLdsp, "c.ldsp", "d,m", T(ld)),
  pat("100 0 ----- 00000 10", Fmt::CJr, "c.jr", "s", T(jalr)),
  pat("100 0 ----- ----- 10", Fmt::CMv, "c.mv", "d,t", T(add)),
  pat("100 1 00000 00000 10", Fmt::CNone, "c.ebreak", "", T(ebreak)),
  pat("100 1 ----- 00000 10", Fmt::CJalr, "c.jalr", "s", T(jalr)),
  pat("100 1 ----- ----- 10", Fmt::CAdd, "c.add", "d,t", T(add)),
  pat("101 ----------- 10", Fmt::CSdsp, "c.fsdsp", "T,m", T(fsd)),
  pat("110 ----------- 10", Fmt::CSwsp, "c.swsp", "t,m", T(sw)),
  pat("111 ----------- 10", Fmt::CSdsp, "c.sdsp", "t,m", T(sd)),
};
// clang-format on
#undef T
const size_t kNumPatterns16 = std::size(kPatterns16);

namespace {
constexpr uint32_t bit(uint32_t insn, unsigned b) { return (insn >> b) & 1; }
constexpr uint32_t bits(uint32_t insn, unsigned hi, unsigned lo) { return (insn >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr int64_t sext(uint64_t v, unsigned n) { return int64_t(v << (64 - n)) >> (64 - n); }
}  // namespace

// Returns false for reserved encodings (zero immediates and x0 operands the spec reserves).
bool expand_compressed(Fmt fmt, uint32_t insn, Args& a) {
  const uint8_t rdp = uint8_t(bits(insn, 4, 2) + 8);   // rd' / rs2'
  const uint8_t rs1p = uint8_t(bits(insn, 9, 7) + 8);  // rs1' / rd'
  const uint8_t r = uint8_t(bits(insn, 11, 7));        // full rd / rs1
  const uint8_t r2 = uint8_t(bits(insn, 6, 2));        // full rs2
  const int64_t imm6 = sext((bit(insn, 12) << 5) | bits(insn, 6, 2), 6);
  const uint32_t uimm_w = (bits(insn, 12, 10) << 3) | (bit(insn, 6) << 2) | (bit(insn, 5) << 6);
  const uint32_t uimm_d = (bits(insn, 12, 10) << 3) | (bits(insn, 6, 5) << 6);
  switch (fmt) {
    case Fmt::CAddi4spn:
      a.rd = rdp, a.rs1 = 2;
      a.imm = (bits(insn, 12, 11) << 4) | (bits(insn, 10, 7) << 6) | (bit(insn, 6) << 2) | (bit(insn, 5) << 3);
      return a.imm != 0;
    case Fmt::CLw: a.rd = rdp, a.rs1 = rs1p, a.imm = uimm_w; return true;
    case Fmt::CLd: a.rd = rdp, a.rs1 = rs1p, a.imm = uimm_d; return true;
    case Fmt::CSw: a.rs2 = rdp, a.rs1 = rs1p, a.imm = uimm_w; return true;
    case Fmt::CSd: a.rs2 = rdp, a.rs1 = rs1p, a.imm = uimm_d; return true;
    case Fmt::CI: a.rd = a.rs1 = r, a.imm = imm6; return true;
    case Fmt::CIw: a.rd = a.rs1 = r, a.imm = imm6; return r != 0;
    case Fmt::CLi: a.rd = r, a.rs1 = 0, a.imm = imm6; return true;
    case Fmt::CAddi16sp:
      a.rd = a.rs1 = 2;
      a.imm = sext((bit(insn, 12) << 9) | (bit(insn, 6) << 4) | (bit(insn, 5) << 6) | (bits(insn, 4, 3) << 7) |
                       (bit(insn, 2) << 5),
                   10);
      return a.imm != 0;
    case Fmt::CLui:
      a.rd = r, a.imm = sext((uint64_t(bit(insn, 12)) << 17) | (bits(insn, 6, 2) << 12), 18);
      return a.imm != 0;
    case Fmt::CShift: a.rd = a.rs1 = rs1p, a.imm = (bit(insn, 12) << 5) | bits(insn, 6, 2); return true;
    case Fmt::CAndi: a.rd = a.rs1 = rs1p, a.imm = imm6; return true;
    case Fmt::CA: a.rd = a.rs1 = rs1p, a.rs2 = rdp; return true;
    case Fmt::CJ:
      a.rd = 0;
      a.imm = sext((bit(insn, 12) << 11) | (bit(insn, 11) << 4) | (bits(insn, 10, 9) << 8) | (bit(insn, 8) << 10) |
                       (bit(insn, 7) << 6) | (bit(insn, 6) << 7) | (bits(insn, 5, 3) << 1) | (bit(insn, 2) << 5),
                   12);
      return true;
    case Fmt::CB:
      a.rs1 = rs1p, a.rs2 = 0;
      a.imm = sext((bit(insn, 12) << 8) | (bits(insn, 11, 10) << 3) | (bits(insn, 6, 5) << 6) |
                       (bits(insn, 4, 3) << 1) | (bit(insn, 2) << 5),
                   9);
      return true;
    case Fmt::CSlli: a.rd = a.rs1 = r, a.imm = (bit(insn, 12) << 5) | bits(insn, 6, 2); return true;
    case Fmt::CLwsp:
      a.rd = r, a.rs1 = 2, a.imm = (bit(insn, 12) << 5) | (bits(insn, 6, 4) << 2) | (bits(insn, 3, 2) << 6);
      return r != 0;
    case Fmt::CLdsp:
    case Fmt::CFldsp:
      a.rd = r, a.rs1 = 2, a.imm = (bit(insn, 12) << 5) | (bits(insn, 6, 5) << 3) | (bits(insn, 4, 2) << 6);
      return fmt == Fmt::CFldsp || r != 0;
    case Fmt::CJr: a.rd = 0, a.rs1 = r, a.imm = 0; return r != 0;
    case Fmt::CJalr: a.rd = 1, a.rs1 = r, a.imm = 0; return true;
    case Fmt::CMv: a.rd = r, a.rs1 = 0, a.rs2 = r2; return true;
    case Fmt::CAdd: a.rd = a.rs1 = r, a.rs2 = r2; return true;
    case Fmt::CSwsp: a.rs2 = r2, a.rs1 = 2, a.imm = (bits(insn, 12, 9) << 2) | (bits(insn, 8, 7) << 6); return true;
    case Fmt::CSdsp: a.rs2 = r2, a.rs1 = 2, a.imm = (bits(insn, 12, 10) << 3) | (bits(insn, 9, 7) << 6); return true;
    case Fmt::CNone: return true;
    default: return false;
  }
}

}  // namespace mimic::riscv
