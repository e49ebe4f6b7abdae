// The per-block translation loop: fetch, decode through the pattern tables, call trans_, end blocks.
#include "target/riscv/translate.h"

#include <cstddef>
#include <cstring>

#include "target/riscv/decode.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
constexpr uint64_t kPageMask = ~uint64_t(0xfff);
}

void RiscvTranslator::translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) {
  IRBuilder ir(block);
  DisasContext s(ir);
  s.frm = block.flags & kTbFrmMask;
  const uint64_t start = block.guest_pc;
  uint64_t pc = start;
  if (max_insns == 0) max_insns = 1;
  for (unsigned n = 0;; ++n) {
    if (breakpoint_at(pc)) {  // a debugger breakpoint: the instruction exits instead of running
      if (n == 0) {
        ir.insn_start(pc);
        ir.exit_loop(tcg::kExitDebug, imm64(pc));
        pc += 2;
      } else {
        ir.goto_tb(0, pc);
      }
      break;
    }
    // Stop in front of code that cannot be fetched; only when it is the block's first
    // instruction is the fault raised (a later block starts there and faults precisely).
    uint16_t lo = 0;
    const bool have_lo = fetch(env, pc, &lo, 2);
    unsigned len = have_lo && (lo & 3) == 3 ? 4 : 2;
    uint32_t insn = lo;
    uint16_t hi = 0;
    const bool avail = have_lo && (len == 2 || fetch(env, pc + 2, &hi, 2));
    if (!avail) {
      if (n == 0) {
        uint64_t fault = have_lo ? pc + 2 : pc;
        ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), imm64(fault));
        ir.exit_loop(kExitFetchFault, imm64(pc));
      } else {
        ir.goto_tb(0, pc);
      }
      break;
    }
    if (len == 4) insn |= uint32_t(hi) << 16;

    s.pc = pc;
    s.next_pc = pc + len;
    s.insn = insn;
    s.ended = false;
    ir.insn_start(pc);
    Args args;
    const Pattern* p = decode(insn, args);
    if (!p || !p->fn(s, args)) gen_exit(s, kExitIllegal, pc);
    pc += len;
    if (s.ended) break;
    // Blocks stay within the page they start on (an instruction straddling into the next page
    // is the last one), so invalidating a page invalidates every block that reads it.
    if (n + 1 >= max_insns || (pc & kPageMask) != (start & kPageMask)) {
      ir.goto_tb(0, pc);
      break;
    }
  }
  block.guest_size = uint32_t(pc - start);
}

std::string RiscvTranslator::disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const {
  std::string out;
  const uint64_t end = pc + size;
  char line[160];
  for (uint16_t lo; pc < end && fetch(env, pc, &lo, 2);) {
    unsigned len = (lo & 3) == 3 ? 4 : 2;
    uint32_t insn = lo;
    uint16_t hi;
    if (len == 4) {
      if (!fetch(env, pc + 2, &hi, 2)) break;
      insn |= uint32_t(hi) << 16;
    }
    std::string text = disassemble_insn(insn, pc);
    if (text.empty()) text = ".insn (illegal)";
    if (len == 4)
      std::snprintf(line, sizeof line, "0x%016llx:  %08x  %s\n", (unsigned long long)pc, insn, text.c_str());
    else
      std::snprintf(line, sizeof line, "0x%016llx:  %04x      %s\n", (unsigned long long)pc, insn, text.c_str());
    out += line;
    pc += len;
  }
  return out;
}

}  // namespace mimic::riscv
