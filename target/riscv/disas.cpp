// Disassembly from the decode tables: each pattern knows its mnemonic and operand layout
// (capstone 4 has no RISC-V support).
#include <cinttypes>
#include <cstdio>
#include <string>

#include "target/riscv/decode.h"
#include "target/riscv/translate.h"

namespace mimic::riscv {

namespace {
constexpr const char* kXNames[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
                                     "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                     "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr const char* kFNames[32] = {"ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1", "fa0",
                                     "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4", "fs5",
                                     "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
constexpr const char* kRm[8] = {"rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"};

std::string csr_name(uint32_t csr) {
  switch (csr) {
    case 0x001: return "fflags";
    case 0x002: return "frm";
    case 0x003: return "fcsr";
    case 0xc00: return "cycle";
    case 0xc01: return "time";
    case 0xc02: return "instret";
    default: {
      char b[16];
      std::snprintf(b, sizeof b, "0x%x", csr);
      return b;
    }
  }
}
std::string fence_set(unsigned v) {
  std::string s;
  if (v & 8) s += 'i';
  if (v & 4) s += 'o';
  if (v & 2) s += 'r';
  if (v & 1) s += 'w';
  return s.empty() ? "0" : s;
}
}  // namespace

std::string disassemble_insn(uint32_t insn, uint64_t pc) {
  Args a;
  const Pattern* p = decode(insn, a);
  if (!p) return {};
  std::string name = p->name;
  std::string ops;
  char b[48];
  for (const char* o = p->ops; *o; ++o) {
    std::string op;
    switch (*o) {
      case ',': continue;
      case 'd': op = kXNames[a.rd]; break;
      case 's': op = kXNames[a.rs1]; break;
      case 't': op = kXNames[a.rs2]; break;
      case 'r': op = kXNames[a.rs3]; break;
      case 'D': op = kFNames[a.rd]; break;
      case 'S': op = kFNames[a.rs1]; break;
      case 'T': op = kFNames[a.rs2]; break;
      case 'R': op = kFNames[a.rs3]; break;
      case 'i': op = std::to_string(a.imm); break;
      case 'z': op = std::to_string(a.rs1); break;
      case 'm': op = std::to_string(a.imm) + "(" + kXNames[a.rs1] + ")"; break;
      case '(':  // "(s)"
        op = std::string("(") + kXNames[a.rs1] + ")";
        o += 2;
        break;
      case 'b':
        std::snprintf(b, sizeof b, "0x%" PRIx64, pc + uint64_t(a.imm));
        op = b;
        break;
      case 'u':
        std::snprintf(b, sizeof b, "0x%" PRIx64, (uint64_t(a.imm) >> 12) & 0xfffff);
        op = b;
        break;
      case 'c': op = csr_name(uint32_t(a.imm)); break;
      case 'k':
        if (a.rm == 7) continue;
        op = kRm[a.rm];
        break;
      case 'a':
        if (a.aq) name += ".aq";
        if (a.rl) name += ".rl";
        continue;
      case 'f': op = fence_set(unsigned(a.imm >> 4) & 15) + "," + fence_set(unsigned(a.imm) & 15); break;
      default: continue;
    }
    if (!ops.empty()) ops += ", ";
    ops += op;
  }
  return ops.empty() ? name : name + " " + ops;
}

}  // namespace mimic::riscv
