// The AArch32 per-block translation loop (A32 and Thumb), conditional execution and IT blocks,
// and the register, pc and flag emitters every AArch32 visitor uses.
#include "target/arm/translate_a32.h"

#include <cstdio>
#include <cstring>

#include "target/arm/trans_a32.h"

namespace mimic::arm {

namespace {
constexpr uint64_t kPageMask = ~uint64_t(0xfff);
constexpr uint32_t kTbFlagsOffset = uint32_t(offsetof(tcg::CpuBase, tb_flags));

// The translation flags every exit of this block continues under (Thumb as given, no IT state:
// a block that starts inside an IT block clears it on entry, see translate()).
uint32_t exit_flags(const A32Context& s, bool thumb) {
  uint32_t f = s.tb_flags & ~(kTbItMask | tcg::kTbSingleStep | kTbThumb);
  return thumb ? f | kTbThumb : f;
}

// ITSTATE after one instruction of the block (ITAdvance).
uint32_t it_advance(uint32_t it) { return (it & 7) == 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f); }

// Continues at `pc` under IT state `it` (a block cut inside an IT block leaves through a lookup
// with the state in tb_flags).
void gen_continue(A32Context& s, unsigned slot, uint64_t pc, uint32_t it) {
  if (it == 0) {
    s.ir.goto_tb(slot, pc);
  } else {
    s.ir.set_state(kTbFlagsOffset, imm32(exit_flags(s, s.thumb) | it << kTbItShift));
    s.ir.exit_loop(tcg::kExitLookup, imm64(pc));
  }
}
}  // namespace

Arg read_r(A32Context& s, unsigned r) {
  if (r == 15) return imm32(s.pc_read());
  return s.ir.get_state(Type::I32, rreg_offset(r));
}
void write_r(A32Context& s, unsigned r, Arg v) { s.ir.set_state(rreg_offset(r), v); }
Arg gen_addr(A32Context& s, Arg a32) { return s.ir.zext32_to_64(a32); }

void gen_exit_a32(A32Context& s, uint32_t reason) {
  s.ir.exit_loop(reason, imm64(s.pc));
  s.ended = true;
}

void gen_branch_to(A32Context& s, uint32_t target) {
  s.ir.goto_tb(0, target);
  s.ended = true;
}

// Indirect branches probe the jump cache with the interworking address (bit 0 set for a Thumb
// target, see interwork_flag()), so that ARM and Thumb blocks share one cache and a branch that
// changes instruction set stays in generated code as one that does not.
void gen_branch_reg(A32Context& s, Arg target) {
  s.ir.goto_ptr(gen_addr(s, s.thumb ? s.ir.or_(target, imm32(1)) : s.ir.and_(target, imm32(~3u))));
  s.ended = true;
}

void gen_branch_exchange(A32Context& s, Arg target) {
  // BX's operand is the interworking address already; a switch stores the new translation flags
  // first (the block it reaches and the loop read them).
  uint32_t swap = s.ir.new_label();
  s.ir.br_cond(s.thumb ? Cond::TstEq : Cond::TstNe, target, imm32(1), swap);
  s.ir.goto_ptr(gen_addr(s, target));
  s.ir.label(swap);
  s.ir.set_state(kTbFlagsOffset, imm32(exit_flags(s, !s.thumb)));
  s.ir.goto_ptr(gen_addr(s, target));
  s.ended = true;
}

void write_r_alu(A32Context& s, unsigned rd, Arg v) {
  if (rd != 15) return write_r(s, rd, v);
  if (s.thumb)
    gen_branch_reg(s, v);
  else
    gen_branch_exchange(s, v);
}

void write_r_load(A32Context& s, unsigned rt, Arg v) {
  if (rt != 15) return write_r(s, rt, v);
  gen_branch_exchange(s, v);
}

void gen_nz(A32Context& s, Arg r) {
  s.ir.set_state(kNfOffset, s.ir.sext32_to_64(r));
  s.ir.set_state(kZfOffset, s.ir.zext32_to_64(r));
  s.flags = FlagSource{};
}
void gen_set_c(A32Context& s, Arg c01) { s.ir.set_state(kCfOffset, c01); }
Arg gen_carry_in(A32Context& s) { return s.ir.trunc64_to_32(s.ir.get_state(Type::I64, kCfOffset)); }

uint32_t A32Translator::interwork_flag() const { return kTbThumb; }

void A32Translator::translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) {
  IRBuilder ir(block);
  A32Context s(ir);
  s.tb_flags = block.flags;
  s.thumb = (block.flags & kTbThumb) != 0;
  uint32_t it = (block.flags & kTbItMask) >> kTbItShift;
  // Entering inside an IT block (after a cut at a page end): the state is this block's to carry
  // now; every exit continues outside it unless it says otherwise.
  if (it) ir.set_state(kTbFlagsOffset, imm32(exit_flags(s, s.thumb)));
  const uint64_t start = block.guest_pc;
  s.code = PageCode{env.guest_base, fetcher_, start & kPageMask};
  uint64_t pc = start;
  if (max_insns == 0) max_insns = 1;
  const unsigned align = s.thumb ? 2 : 4;
  for (unsigned n = 0;; ++n) {
    if (pc & (align - 1)) {  // only reachable as a block start
      ir.insn_start(pc);
      ir.exit_loop(kExitPcAlignment, imm64(pc));
      pc += align - (pc & (align - 1));
      break;
    }
    if (breakpoint_at(pc)) {
      if (n == 0) {
        ir.insn_start(pc);
        ir.exit_loop(tcg::kExitDebug, imm64(pc));
        pc += align;
      } else {
        gen_continue(s, 0, pc, it);
      }
      break;
    }
    // The instruction's length: T32 instructions start with a halfword 0b11101/0b1111x.
    unsigned len = 4;
    if (s.thumb && can_fetch(pc, 2)) {
      uint16_t hw1;
      std::memcpy(&hw1, env.guest_base + pc, 2);
      len = (hw1 >> 11) >= 0x1d ? 4 : 2;
    }
    const bool crosses = ((pc + len - 1) & kPageMask) != (pc & kPageMask);
    if (n > 0 && crosses) {  // a T32 instruction across a page boundary starts its own block
      gen_continue(s, 0, pc, it);
      break;
    }
    if (!can_fetch(pc, len)) {
      if (n == 0) {
        ir.insn_start(pc);
        const uint64_t bad = can_fetch(pc, 2) ? pc + 2 : pc;
        ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), imm64(bad));
        ir.exit_loop(kExitFetchFault, imm64(pc));
        pc += len;
      } else {
        gen_continue(s, 0, pc, it);
      }
      break;
    }
    uint32_t insn;
    if (len == 2) {
      uint16_t hw;
      std::memcpy(&hw, env.guest_base + pc, 2);
      insn = hw;
    } else if (s.thumb) {
      uint16_t hw[2];
      std::memcpy(hw, env.guest_base + pc, 4);
      insn = uint32_t(hw[0]) << 16 | hw[1];
    } else {
      std::memcpy(&insn, env.guest_base + pc, 4);
    }
    s.pc = pc;
    s.insn = insn;
    s.len = len;
    s.ended = false;
    s.it = it;
    s.next_it = it_advance(it);
    ir.insn_start(pc);
    const A32Pattern* p;
    unsigned cond = 14;
    if (!s.thumb) {
      p = decode_a32(insn);
      cond = insn >> 28;
      // The unconditional space: only entries that spell out 1111 belong to it (BKPT and UDF
      // spell out 1110, AL, and are ordinary entries).
      const bool uncond_entry = p && (p->mask >> 28) == 0xf && (p->match >> 28) == 0xf;
      if (cond == 15) {
        if (!uncond_entry) p = nullptr;
        cond = 14;
      } else if (uncond_entry) {
        p = nullptr;  // an unconditional-only encoding with a condition
      }
    } else {
      p = len == 2 ? decode_t16(insn) : decode_t32(insn);
      if (it) cond = it >> 4;
    }
    if (p && armv6_ && !in_armv6(s.thumb, len, insn)) p = nullptr;
    // Inside an IT block: the state is recorded for a fault of this instruction (signal frames).
    if (it) ir.set_state(uint32_t(offsetof(A32Cpu, it_insn)), imm64(pc | uint64_t(it) << 32));
    s.conditional = cond < 14;
    uint32_t skip = 0;
    if (s.conditional) {
      skip = ir.new_label();
      CondTest t = gen_test_cc(s, cond ^ 1);  // the inverse condition skips the instruction
      ir.br_cond(t.c, t.a, t.b, skip);
    }
    if (!p || !p->fn(s, insn)) gen_exit_a32(s, kExitIllegal);
    it = s.next_it;
    pc += len;
    if (s.conditional) {
      ir.label(skip);
      s.flags = FlagSource{};  // the flags now depend on the path taken
      if (s.ended) {           // the instruction left the block: when skipped, the next one follows
        gen_continue(s, 1, pc, it);
        break;
      }
    }
    if (s.ended) break;
    if (n + 1 >= max_insns || (pc & kPageMask) != (start & kPageMask)) {
      gen_continue(s, 0, pc, it);
      break;
    }
  }
  block.guest_size = uint32_t(pc - start);
}

std::string A32Translator::disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const {
  std::string out;
  const uint64_t end = pc + size;
  const bool thumb = (env.tb_flags & kTbThumb) != 0;
  char line[200];
  while (pc < end && can_fetch(pc, 2)) {
    unsigned len = 4;
    if (thumb) {
      uint16_t hw;
      std::memcpy(&hw, env.guest_base + pc, 2);
      len = (hw >> 11) >= 0x1d ? 4 : 2;
    }
    if (!can_fetch(pc, len)) break;
    const uint8_t* bytes = env.guest_base + pc;
    std::string text = disassemble_a32_insn(bytes, len, pc, thumb);
    if (text.empty()) text = ".inst (unknown)";
    char hex[12];
    if (len == 2)
      std::snprintf(hex, sizeof hex, "%04x", bytes[0] | bytes[1] << 8);
    else if (thumb)
      std::snprintf(hex, sizeof hex, "%04x%04x", bytes[0] | bytes[1] << 8, bytes[2] | bytes[3] << 8);
    else
      std::snprintf(hex, sizeof hex, "%08x", bytes[0] | bytes[1] << 8 | bytes[2] << 16 | unsigned(bytes[3]) << 24);
    std::snprintf(line, sizeof line, "0x%08llx:  %-8s  %s\n", (unsigned long long)pc, hex, text.c_str());
    out += line;
    pc += len;
  }
  return out;
}

}  // namespace mimic::arm
