// The per-block translation loop: fetch, decode through the pattern table, call trans_, end blocks.
#include "target/arm/translate_a64.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "target/arm/decode.h"
#include "target/arm/excp.h"
#include "target/arm/trans.h"

namespace mimic::arm {
unsigned a64_code_mmu_index(uint32_t tb_flags);  // mmu.cpp (system mode only)
}

namespace mimic::arm {

namespace {
constexpr uint64_t kPageMask = ~uint64_t(0xfff);
constexpr uint64_t kTopByteIgnored = (uint64_t(1) << 56) - 1;

// Data processing (SIMD&FP) and loads/stores of SIMD&FP registers: what CPACR_EL1.FPEN traps.
bool is_fp_simd(uint32_t insn) { return ((insn >> 25) & 7) == 7 || (((insn >> 25) & 5) == 4 && ((insn >> 26) & 1)); }
}  // namespace

unsigned A64Translator::code_mmu_index(uint32_t tb_flags) const { return system_ ? a64_code_mmu_index(tb_flags) : 0; }

void gen_goto_ptr(DisasContext& s, Arg target) {
  // A64 has no Thumb bit: a misaligned target takes a PC alignment fault when it is reached.
  uint32_t bad = s.ir.new_label();
  s.ir.br_cond(Cond::TstNe, target, imm64(3), bad);
  s.ir.goto_ptr(target);
  s.ir.label(bad);
  s.ir.exit_loop(kExitPcAlignment, target);
  s.ended = true;
}

void A64Translator::translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) {
  IRBuilder ir(block);
  if (top_byte_ignore()) ir.addr_mask = kTopByteIgnored;
  DisasContext s(ir);
  s.tb_flags = block.flags;
  if (system_) {
    s.system = true;
    s.el = (block.flags & kTbElMask) >> kTbElShift;
    ir.mem_index = (block.flags & kTbMmuMask) >> kTbMmuShift;
  }
  const uint64_t start = block.guest_pc;
  s.code = PageCode{env.guest_base, fetcher_, start & kPageMask};
  tcg::CodeReader code(fetcher_, env);
  uint64_t pc = start, end = start;
  if (max_insns == 0) max_insns = 1;
  // Copies of a one-block loop's body (gen_cond_branch). Not in system mode, where a block's
  // length is also its share of the timer's budget.
  s.unroll.begin(start, system_ ? 0 : std::min(max_insns, tcg::LoopUnroll::kBudgetInsns));
  for (unsigned n = 0;; ++n) {
    if (pc & 3) {  // only reachable as a block start (direct branch targets are aligned)
      ir.insn_start(pc);
      ir.exit_loop(kExitPcAlignment, imm64(pc));
      pc += 4 - (pc & 3);
      break;
    }
    if (breakpoint_at(pc)) {  // a debugger breakpoint: the instruction exits instead of running
      if (n == 0) {
        ir.insn_start(pc);
        ir.exit_loop(tcg::kExitDebug, imm64(pc));
        pc += 4;
      } else {
        gen_goto(s, 0, pc);
      }
      break;
    }
    // Stop in front of code that cannot be fetched; only when it is the block's first
    // instruction is the fault raised (a later block starts there and faults precisely).
    uint32_t insn;
    if (!code.read(pc, &insn, 4)) {
      if (n == 0) {
        ir.insn_start(pc);
        ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), imm64(pc));
        ir.exit_loop(kExitFetchFault, imm64(pc));
        pc += 4;
      } else {
        ir.goto_tb(0, pc);
      }
      break;
    }
    s.pc = pc;
    s.insn = insn;
    s.ended = false;
    s.insns = n + 1;
    ir.insn_start(pc);
    if (s.system && (s.tb_flags & kTbGuestBp)) ir.call(Type::I64, breakpoint_check_helper(), {imm64(pc)});
    const Pattern* p = decode(insn);
    if (p && s.system && is_fp_simd(insn) && gen_fp_trap_check(s)) {
      // trapped before it runs
    } else if (!p || !p->fn(s, insn)) {
      gen_exit(s, kExitIllegal, pc);
    }
    pc += 4;
    end = std::max(end, pc);
    if (s.restart) {  // another copy of the loop body
      s.restart = false;
      pc = start;
      continue;
    }
    if (s.ended) break;
    // Blocks stay within their 4 KiB page, so invalidating a page invalidates every block on it.
    if (n + 1 >= max_insns || (pc & kPageMask) != (start & kPageMask)) {
      gen_goto(s, 0, pc);
      break;
    }
  }
  s.unroll.finish(ir);
  block.guest_size = uint32_t(std::max(end, pc) - start);
}

std::string A64Translator::disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const {
  std::string out;
  const uint64_t end = pc + size;
  char line[200];
  uint32_t insn;
  for (; pc < end && tcg::fetch_code(fetcher_, env, pc, &insn, 4); pc += 4) {
    std::string text = disassemble_insn(insn, pc);
    if (text.empty()) text = ".inst (unknown)";
    std::snprintf(line, sizeof line, "0x%016llx:  %08x  %s\n", (unsigned long long)pc, insn, text.c_str());
    out += line;
  }
  return out;
}

}  // namespace mimic::arm
