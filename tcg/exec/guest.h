// The interface a guest architecture (target/<arch>) gives the execution engine.
#pragma once

#include <cstdint>
#include <string>

#include "tcg/ir/builder.h"

namespace mimic::tcg {

struct CpuBase;

class GuestTranslator {
 public:
  virtual ~GuestTranslator() = default;
  virtual const char* arch_name() const = 0;  // "riscv64", "aarch64", ...

  // Translates guest code at `pc` into `block` (already cleared, guest_pc/flags set), emitting an
  // InsnStart before each guest instruction and ending with a block-exit op on every path. At most
  // `max_insns` guest instructions; the block also ends at branches, at the end of the guest page
  // and at instructions that change translation state. Sets block.guest_size.
  // Code that cannot be fetched is not an error here: the translator emits the guest's fetch
  // fault as an ExitLoop (or ends the block before the unreadable page).
  virtual void translate(Block& block, const CpuBase& env, unsigned max_insns) = 0;

  // For `-d in_asm` and error messages: disassembly of guest code at pc, one line per instruction.
  virtual std::string disassemble(const CpuBase& env, uint64_t pc, uint32_t size) const = 0;

  // System mode: the MMU mode instruction fetch uses under these translation flags.
  virtual unsigned code_mmu_index(uint32_t tb_flags) const { return 0; }
};

}  // namespace mimic::tcg
