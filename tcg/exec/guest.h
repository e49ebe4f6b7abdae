// The interface a guest architecture (target/<arch>) gives the execution engine.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "tcg/ir/builder.h"

namespace mimic::tcg {

struct CpuBase;

// The debugger's breakpoints (guest pcs) of one engine. Translators read it under the engine's
// translation lock; ExecEngine::add_breakpoint/remove_breakpoint change it and drop the blocks.
class BreakpointSet {
 public:
  bool empty() const { return pcs_.empty(); }
  bool contains(uint64_t pc) const { return !pcs_.empty() && pcs_.count(pc) != 0; }
  bool insert(uint64_t pc) { return pcs_.insert(pc).second; }
  bool erase(uint64_t pc) { return pcs_.erase(pc) != 0; }

 private:
  std::set<uint64_t> pcs_;
};

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

  // A translation flag the jump cache keeps in bit 0 of a block's pc rather than in its mode
  // (AArch32's Thumb bit), so that blocks of both values share one cache: GotoPtr's operand is
  // then an interworking address (bit 0 set for a block under the flag, as BX's operand), and
  // the loop clears bit 0 of a pc that misses. 0: pcs are plain.
  virtual uint32_t interwork_flag() const { return 0; }

  // Translators end a block before an instruction at a breakpoint and translate that instruction,
  // as a block's first, into ExitLoop(kExitDebug, pc): it does not run.
  bool breakpoint_at(uint64_t pc) const { return breakpoints_ && breakpoints_->contains(pc); }
  void set_breakpoints(const BreakpointSet* set) { breakpoints_ = set; }

 private:
  const BreakpointSet* breakpoints_ = nullptr;
};

}  // namespace mimic::tcg
