// RISC-V instruction encodings as data: bit-pattern tables expanded at compile time, and the decoder.
//
// Each entry is a bit string (most significant bit first; '0'/'1' fixed, any other character a
// field bit, spaces ignored), an operand format that says how the fields are extracted, the
// mnemonic and operand layout for disassembly, and the trans_ function that emits IR. Compressed
// (16-bit) entries use their own formats that expand the fields to those of the equivalent 32-bit
// instruction, so both call the same trans_ function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace mimic::riscv {

struct DisasContext;

// Fields of one decoded instruction, already extracted and sign-extended.
struct Args {
  uint8_t rd = 0, rs1 = 0, rs2 = 0, rs3 = 0;
  uint8_t rm = 0;  // funct3 rounding mode (FP) / fence pred (I)
  bool aq = false, rl = false;
  int64_t imm = 0;  // immediate, shift amount, CSR number (Csr formats), fence bits
};

// Returns false when the instruction is illegal in the current state; it then must not have
// emitted anything (the caller emits the illegal-instruction exit).
using TransFn = bool (*)(DisasContext&, const Args&);

enum class Fmt : uint8_t {
  // 32-bit: rd, rs1, rs2, rs3, rm, aq, rl always extracted; the format chooses the immediate.
  R,    // no immediate
  I,    // imm[11:0] = insn[31:20]
  S,    // imm[11:5|4:0] = insn[31:25|11:7]
  B,    // branch offset
  U,    // imm[31:12]
  J,    // jal offset
  Sh6,  // shamt = insn[25:20]
  Sh5,  // shamt = insn[24:20]
  Csr,  // imm = csr number (unsigned), rs1 = register or uimm
  // 16-bit (C extension), named after the expanded instruction's shape.
  CAddi4spn,  // addi rd', x2, nzuimm
  CLw,        // lw rd', uimm(rs1')
  CLd,        // ld/fld rd', uimm(rs1')
  CSw,        // sw rs2', uimm(rs1')
  CSd,        // sd/fsd rs2', uimm(rs1')
  CI,         // op rd, rd, simm6
  CIw,        // addiw rd, rd, simm6 (rd != 0)
  CLi,        // addi rd, x0, simm6
  CAddi16sp,  // addi x2, x2, nzimm
  CLui,       // lui rd, nzimm
  CShift,     // srli/srai rd', rd', shamt6
  CAndi,      // andi rd', rd', simm6
  CA,         // op rd', rd', rs2'
  CJ,         // jal x0, offset
  CB,         // beq/bne rs1', x0, offset
  CSlli,      // slli rd, rd, shamt6
  CLwsp,      // lw rd, uimm(x2) (rd != 0)
  CLdsp,      // ld rd, uimm(x2) (rd != 0)
  CFldsp,     // fld rd, uimm(x2)
  CJr,        // jalr x0, 0(rs1) (rs1 != 0)
  CJalr,      // jalr x1, 0(rs1)
  CMv,        // add rd, x0, rs2
  CAdd,       // add rd, rd, rs2
  CSwsp,      // sw rs2, uimm(x2)
  CSdsp,      // sd/fsd rs2, uimm(x2)
  CNone,      // no operands (c.ebreak)
};

struct Pattern {
  uint32_t mask = 0, match = 0;
  uint8_t bits = 32;  // 16 for compressed entries
  Fmt fmt = Fmt::R;
  const char* name = "";  // mnemonic
  // Disassembly operands, comma separated letters: d/s/t/r = x rd/rs1/rs2/rs3, D/S/T/R = f regs,
  // i = imm, m = imm(rs1), b = pc-relative target, u = upper imm, c = csr, z = rs1 as uimm,
  // k = rounding mode (omitted when dynamic), a = .aq/.rl suffix (mnemonic), f = fence sets.
  const char* ops = "";
  TransFn fn = nullptr;
};

// Builds an entry from a bit string at compile time; a malformed string is a compile error.
template <size_t N>
consteval Pattern pat(const char (&bits)[N], Fmt fmt, const char* name, const char* ops, TransFn fn) {
  Pattern p;
  unsigned count = 0;
  for (size_t i = 0; i + 1 < N; ++i) {
    char c = bits[i];
    if (c == ' ') continue;
    p.mask <<= 1;
    p.match <<= 1;
    if (c == '0' || c == '1') {
      p.mask |= 1;
      p.match |= unsigned(c - '0');
    }
    ++count;
  }
  if (count != 32 && count != 16) throw std::logic_error("pattern must have 32 or 16 bits");
  p.bits = uint8_t(count);
  p.fmt = fmt;
  p.name = name;
  p.ops = ops;
  p.fn = fn;
  return p;
}

// The compressed table (trans_rvc.cpp); the 32-bit one is private to decode.cpp.
extern const Pattern kPatterns16[];
extern const size_t kNumPatterns16;

// Finds the entry for `insn` (16-bit when (insn & 3) != 3) and extracts its fields. Returns null
// for unknown encodings and for reserved operand values of known ones.
const Pattern* decode(uint32_t insn, Args& args);

}  // namespace mimic::riscv
