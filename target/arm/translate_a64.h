// A64Translator: the AArch64 (A64, EL0) integer guest translator the execution engine drives.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "tcg/exec/guest.h"
#include "tcg/exec/guest_memory.h"

namespace mimic::arm {

class A64Translator : public tcg::GuestTranslator {
 public:
  // `fetcher` says which guest code is mapped executable; null means all of it. It must outlive
  // the translator.
  // `system`: privileged instructions and system registers, tb_flags with EL and MMU index, code
  // read through `fetcher` (tcg::SoftMmuCodeFetcher over a64_code_mmu_index).
  explicit A64Translator(const tcg::CodeFetcher* fetcher = nullptr, bool system = false)
      : fetcher_(fetcher), system_(system) {}

  const char* arch_name() const override { return "aarch64"; }
  void translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) override;
  std::string disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const override;
  unsigned code_mmu_index(uint32_t tb_flags) const override;

  // Top-byte-ignore (TBI0, which Linux enables for user space): accesses clear an address's
  // bits 63:56 first. Off until a program is seen to use a tagged pointer, because the mask costs
  // an instruction per access; blocks translated before the change must be flushed.
  void set_top_byte_ignore(bool on) { tbi_.store(on, std::memory_order_relaxed); }
  bool top_byte_ignore() const { return tbi_.load(std::memory_order_relaxed); }

 private:
  bool can_fetch(uint64_t addr, unsigned len) const { return !fetcher_ || fetcher_->can_fetch(addr, len); }
  const tcg::CodeFetcher* fetcher_;
  bool system_ = false;
  std::atomic<bool> tbi_{false};
};

// One instruction as "mnemonic operands" via capstone, or an empty string when capstone does not
// know it: for -d in_asm and illegal-instruction messages.
std::string disassemble_insn(uint32_t insn, uint64_t pc);

}  // namespace mimic::arm
