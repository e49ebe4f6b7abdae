// The per-block translation loop: fetch, decode through the pattern tables, call trans_, end blocks.
#include "target/riscv/translate.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "target/riscv/decode.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
constexpr uint64_t kPageMask = ~uint64_t(0xfff);
}

unsigned riscv_code_mmu_index(uint32_t tb_flags) {
  unsigned priv = (tb_flags & kTbPrivMask) >> kTbPrivShift;
  return priv == kPrivM ? 3 : priv;  // mmu.h: kMmuU, kMmuS, kMmuM
}

unsigned RiscvTranslator::code_mmu_index(uint32_t tb_flags) const {
  return system_ ? riscv_code_mmu_index(tb_flags) : 0;
}

namespace {
// FP instructions in system mode: 0 not FP, 1 FP that changes no FP state (stores, fmv.x.*,
// fclass), 2 FP that may write an f register or fflags: marks mstatus.FS dirty, so a kernel's
// lazy FP save sees flags raised by compares and conversions too (QEMU 7.2 marks only f writes).
int fp_kind(uint32_t insn) {
  if ((insn & 3) != 3) {
    unsigned q = insn & 3, f3 = (insn >> 13) & 7;
    if ((q == 0 || q == 2) && f3 == 1) return 2;  // c.fld, c.fldsp
    if ((q == 0 || q == 2) && f3 == 5) return 1;  // c.fsd, c.fsdsp
    return 0;
  }
  unsigned op = insn & 0x7f, f3 = (insn >> 12) & 7;
  switch (op) {
    case 0x07: return f3 == 2 || f3 == 3 ? 2 : 0;  // flw, fld
    case 0x27: return f3 == 2 || f3 == 3 ? 1 : 0;  // fsw, fsd
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: return 2;
    case 0x53: {
      unsigned f5 = insn >> 27;
      // fmv.x.w/d and fclass only write an x register; compares and conversions raise flags.
      return f5 == 0x1c ? 1 : 2;
    }
    default: return 0;
  }
}
constexpr uint32_t kMstatusOff = uint32_t(offsetof(RiscvCpu, mstatus));
constexpr uint32_t kTbFlagsOff = uint32_t(offsetof(tcg::CpuBase, tb_flags));
constexpr uint64_t kFsDirty = uint64_t(3) << 13;
}  // namespace

void gen_illegal(DisasContext& s) {
  if (s.system) s.ir.set_state(uint32_t(offsetof(RiscvCpu, bad_insn)), imm32(s.insn));
  gen_exit(s, kExitIllegal, s.pc);
}

void RiscvTranslator::translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) {
  IRBuilder ir(block);
  DisasContext s(ir);
  tcg::CodeReader code(fetcher_, env);
  s.frm = block.flags & kTbFrmMask;
  s.vector = !system_ && static_cast<const RiscvCpu&>(env).ext_v && !(block.flags & kTbVOff);
  if (system_) {
    s.system = true;
    s.priv = (block.flags & kTbPrivMask) >> kTbPrivShift;
    s.fs = (block.flags & kTbFsMask) >> kTbFsShift;
    s.fs_dirty = s.fs == 3;
    ir.mem_index = (block.flags & kTbMmuMask) >> kTbMmuShift;
  }
  const uint64_t start = block.guest_pc;
  uint64_t pc = start, end = start;
  if (max_insns == 0) max_insns = 1;
  // Copies of a one-block loop's body (gen_branch). Not in system mode, where a block's length
  // is also its share of the timer's budget.
  s.unroll.begin(start, system_ ? 0 : std::min(max_insns, tcg::LoopUnroll::kBudgetInsns));
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
    const bool have_lo = code.read(pc, &lo, 2);
    unsigned len = have_lo && (lo & 3) == 3 ? 4 : 2;
    uint32_t insn = lo;
    uint16_t hi = 0;
    const bool avail = have_lo && (len == 2 || code.read(pc + 2, &hi, 2));
    if (!avail) {
      if (n == 0) {
        uint64_t fault = have_lo ? pc + 2 : pc;
        ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), imm64(fault));
        ir.exit_loop(kExitFetchFault, imm64(pc));
        // The block covers the instruction it could not finish reading, so that it goes stale
        // when the second page becomes fetchable (system mode's page check, linux-user's mmap).
        if (have_lo) pc += 4;
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
    s.insns = n + 1;
    ir.insn_start(pc);
    Args args;
    const Pattern* p = decode(insn, args);
    int fp = s.system && p ? fp_kind(insn) : 0;
    if (fp && s.fs == 0) {
      gen_illegal(s);  // mstatus.FS Off: every FP instruction traps
    } else {
      if (fp == 2 && !s.fs_dirty) {
        // Mark FS (and tb_flags' copy) dirty before the instruction, once per block: blocks
        // translated for a dirty FS then need no check at all.
        ir.set_state(kMstatusOff, ir.or_(ir.get_state(Type::I64, kMstatusOff), imm64(kFsDirty)));
        ir.set_state(kTbFlagsOff, ir.or_(ir.get_state(Type::I32, kTbFlagsOff), imm32(kTbFsMask)));
        s.fs_dirty = true;
      }
      if (!p || !p->fn(s, args)) gen_illegal(s);
    }
    pc += len;
    end = std::max(end, pc);
    if (s.restart) {  // another copy of the loop body
      s.restart = false;
      pc = start;
      continue;
    }
    if (s.ended) break;
    // Blocks stay within the page they start on (an instruction straddling into the next page
    // is the last one), so invalidating a page invalidates every block that reads it.
    if (n + 1 >= max_insns || (pc & kPageMask) != (start & kPageMask)) {
      ir.goto_tb(0, pc);
      break;
    }
  }
  s.unroll.finish(ir);
  block.guest_size = uint32_t(std::max(end, pc) - start);
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
