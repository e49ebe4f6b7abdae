// A toy guest for engine tests: CpuBase plus eight registers, instructions read from a table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "tcg/exec/cpu_base.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/guest.h"
#include "tcg/helper.h"
#include "tcg/ir/builder.h"

namespace mimic::tcg::toy {

struct ToyCpu {
  CpuBase base;  // first: the engine sees a ToyCpu as its CpuBase
  uint64_t regs[8] = {};
};
static_assert(offsetof(ToyCpu, base) == 0);
inline ToyCpu* toy(CpuBase* env) { return reinterpret_cast<ToyCpu*>(env); }

constexpr uint32_t kExitHalt = kExitGuestBase;            // Halt instruction
constexpr uint32_t kExitNoCode = kExitGuestBase + 1;      // pc has no instruction in the table
constexpr uint32_t kExitTrap = kExitGuestBase + 2;        // raised by the Trap helper
constexpr uint32_t kExitReachedEnd = kExitGuestBase + 3;  // unused marker

enum class Op { AddI, Add, Ld, St, Bne, Jmp, Jr, Halt, Trap };
struct Insn {
  Op op;
  int rd = 0, rs1 = 0, rs2 = 0;
  uint64_t imm = 0;  // AddI immediate or branch target
};
constexpr uint64_t kInsnSize = 4;

inline uint32_t reg_offset(int r) { return uint32_t(offsetof(ToyCpu, regs) + 8 * size_t(r)); }

// Raises kExitTrap through cpu_loop_exit, as a guest exception helper would.
inline uint64_t helper_trap(CpuBase* env, uint64_t pc, uint64_t, uint64_t, uint64_t, uint64_t) {
  env->pc = pc;
  cpu_loop_exit(env, kExitTrap);
}
inline uint32_t trap_helper_id() {
  static const uint32_t id = register_helper("toy_trap", helper_trap, HelperFlag::kMayExit);
  return id;
}

class ToyTranslator final : public GuestTranslator {
 public:
  const char* arch_name() const override { return "toy"; }

  void set(uint64_t pc, Insn insn) {
    std::lock_guard lock(mutex_);
    code_[pc] = insn;
  }
  // Places `insns` at pc, pc + 4, ...
  void load(uint64_t pc, std::initializer_list<Insn> insns) {
    for (const Insn& i : insns) {
      set(pc, i);
      pc += kInsnSize;
    }
  }
  unsigned translations() const { return translations_; }

  void translate(Block& block, const CpuBase& env, unsigned max_insns) override {
    std::lock_guard lock(mutex_);
    ++translations_;
    IRBuilder b(block);
    uint64_t pc = block.guest_pc;
    auto reg = [&](int r) { return r == 0 ? IRBuilder::imm64(0) : b.get_state(Type::I64, reg_offset(r)); };
    auto set_reg = [&](int r, Arg v) {
      if (r != 0) b.set_state(reg_offset(r), v);
    };
    for (unsigned n = 0;; ++n) {
      if (n == max_insns) {
        b.goto_tb(0, pc);
        break;
      }
      if (breakpoint_at(pc)) {  // as the real translators do (ExecEngine::add_breakpoint)
        if (n == 0) {
          b.insn_start(pc);
          b.exit_loop(kExitDebug, IRBuilder::imm64(pc));
          pc += kInsnSize;
        } else {
          b.goto_tb(0, pc);
        }
        break;
      }
      auto it = code_.find(pc);
      if (it == code_.end()) {
        b.insn_start(pc);
        b.exit_loop(kExitNoCode, IRBuilder::imm64(pc));
        break;
      }
      const Insn& i = it->second;
      b.insn_start(pc);
      const uint64_t next = pc + kInsnSize;
      bool end = true;
      switch (i.op) {
        case Op::AddI:
          set_reg(i.rd, b.add(reg(i.rs1), IRBuilder::imm64(i.imm)));
          end = false;
          break;
        case Op::Add:
          set_reg(i.rd, b.add(reg(i.rs1), reg(i.rs2)));
          end = false;
          break;
        case Op::Ld:
          set_reg(i.rd, b.load(Type::I64, reg(i.rs1), MemOp::k64));
          end = false;
          break;
        case Op::St:
          b.store(reg(i.rs1), reg(i.rs2), MemOp::k64);
          end = false;
          break;
        case Op::Bne: {
          uint32_t taken = b.new_label();
          b.br_cond(Cond::Ne, reg(i.rs1), reg(i.rs2), taken);
          b.goto_tb(0, next);
          b.label(taken);
          b.goto_tb(1, i.imm);
          break;
        }
        case Op::Jmp: b.goto_tb(0, i.imm); break;
        case Op::Jr: b.goto_ptr(reg(i.rs1)); break;
        case Op::Halt: b.exit_loop(kExitHalt, IRBuilder::imm64(pc)); break;
        case Op::Trap:
          b.call_void(trap_helper_id(), {IRBuilder::imm64(pc)});
          b.goto_tb(0, next);
          break;
      }
      pc = next;
      if (end) break;
    }
    block.guest_size = uint32_t(pc - block.guest_pc);
  }

  std::string disassemble(const CpuBase&, uint64_t pc, uint32_t size) const override {
    return "toy code at " + std::to_string(pc) + " (" + std::to_string(size) + " bytes)";
  }

 private:
  std::mutex mutex_;
  std::map<uint64_t, Insn> code_;
  unsigned translations_ = 0;
};

inline Insn addi(int rd, int rs, uint64_t imm) { return Insn{Op::AddI, rd, rs, 0, imm}; }
inline Insn add(int rd, int rs1, int rs2) { return Insn{Op::Add, rd, rs1, rs2, 0}; }
inline Insn ld(int rd, int rs) { return Insn{Op::Ld, rd, rs, 0, 0}; }
inline Insn st(int rs_addr, int rs_val) { return Insn{Op::St, 0, rs_addr, rs_val, 0}; }
inline Insn bne(int rs1, int rs2, uint64_t target) { return Insn{Op::Bne, 0, rs1, rs2, target}; }
inline Insn jmp(uint64_t target) { return Insn{Op::Jmp, 0, 0, 0, target}; }
inline Insn jr(int rs) { return Insn{Op::Jr, 0, rs, 0, 0}; }
inline Insn halt() { return Insn{Op::Halt}; }
inline Insn trap() { return Insn{Op::Trap}; }

}  // namespace mimic::tcg::toy
