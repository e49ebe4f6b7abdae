// A synthetic guest for the engine benchmark: blocks of arithmetic and memory ops of the shape a
// real RISC-V/AArch64 frontend emits (register reads, ALU op, register write, some loads/stores).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tcg/exec/cpu_base.h"
#include "tcg/exec/guest.h"
#include "tcg/ir/builder.h"

namespace mimic::bench {

struct SynthCpu {
  tcg::CpuBase base;
  uint64_t regs[32] = {};
};

constexpr uint32_t kExitDone = tcg::kExitGuestBase;
inline uint32_t reg_off(unsigned r) { return uint32_t(offsetof(SynthCpu, regs) + 8 * (r & 31)); }

// Code layout (pc = 4 * instruction index):
//   [0, ring_blocks * 0x100): a ring of blocks, `ring_body` ALU instructions each, then a jump to
//   the next block; the last block decrements r31 and loops while it is nonzero, else exits.
//   Above kSynthBase: "realistic" blocks for translation speed: `synth_insns` instructions mixing
//   ALU ops on pseudo-random registers with loads/stores every fourth instruction.
class SyntheticGuest final : public tcg::GuestTranslator {
 public:
  static constexpr uint64_t kSynthBase = 0x10000000;
  unsigned ring_blocks = 64;
  unsigned ring_body = 4;
  unsigned synth_insns = 24;

  const char* arch_name() const override { return "synthetic"; }

  void translate(tcg::Block& block, const tcg::CpuBase&, unsigned max_insns) override {
    using namespace tcg;
    IRBuilder b(block);
    const uint64_t start = block.guest_pc;
    uint64_t pc = start;
    auto reg = [&](unsigned r) { return b.get_state(Type::I64, reg_off(r)); };
    if (start >= kSynthBase) {
      uint64_t seed = start * 0x9e3779b97f4a7c15ull;
      for (unsigned i = 0; i < synth_insns && i < max_insns; ++i, pc += 4) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        unsigned rd = 1 + unsigned(seed >> 59) % 30, rs1 = 1 + unsigned(seed >> 40) % 30,
                 rs2 = unsigned(seed >> 20) % 31;
        b.insn_start(pc);
        switch (i % 8) {
          case 3:
            b.set_state(reg_off(rd), b.load(Type::I64, b.add(reg(rs1), IRBuilder::imm64(8 * i)), MemOp::k64));
            break;
          case 7: b.store(b.add(reg(rs1), IRBuilder::imm64(16)), reg(rs2), MemOp::k32); break;
          case 1: b.set_state(reg_off(rd), b.xor_(reg(rs1), b.shl(reg(rs2), IRBuilder::imm64(3)))); break;
          case 5: b.set_state(reg_off(rd), b.setcond(Cond::LtU, reg(rs1), reg(rs2))); break;
          default: b.set_state(reg_off(rd), b.add(reg(rs1), IRBuilder::imm64(seed & 0xfff))); break;
        }
      }
      b.insn_start(pc);
      b.goto_tb(0, pc + 4);
      pc += 4;
    } else {
      const unsigned index = unsigned(start / 0x100);
      for (unsigned i = 0; i < ring_body; ++i, pc += 4) {
        b.insn_start(pc);
        b.set_state(reg_off(1 + i % 8), b.add(reg(1 + i % 8), IRBuilder::imm64(i + 1)));
      }
      b.insn_start(pc);
      if (index + 1 < ring_blocks) {
        b.goto_tb(0, uint64_t(index + 1) * 0x100);
      } else {
        Arg n = b.sub(reg(31), IRBuilder::imm64(1));
        b.set_state(reg_off(31), n);
        uint32_t again = b.new_label();
        b.br_cond(Cond::Ne, n, IRBuilder::imm64(0), again);
        b.exit_loop(kExitDone, IRBuilder::imm64(pc + 4));
        b.label(again);
        b.goto_tb(1, 0);
      }
      pc += 4;
    }
    block.guest_size = uint32_t(pc - start);
  }

  std::string disassemble(const tcg::CpuBase&, uint64_t pc, uint32_t size) const override {
    return "synthetic code at 0x" + std::to_string(pc) + " size " + std::to_string(size);
  }
};

}  // namespace mimic::bench
