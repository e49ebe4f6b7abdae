// A32Translator: the AArch32 (A32 and Thumb-2, user mode) guest translator the engine drives.
#pragma once

#include <string>

#include "tcg/exec/guest.h"
#include "tcg/exec/guest_memory.h"

namespace mimic::arm {

class A32Translator : public tcg::GuestTranslator {
 public:
  // `fetcher` says which guest code is mapped executable; null means all of it.
  explicit A32Translator(const tcg::CodeFetcher* fetcher = nullptr) : fetcher_(fetcher) {}

  const char* arch_name() const override { return "arm"; }
  void translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) override;
  std::string disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const override;

 private:
  bool can_fetch(uint64_t addr, unsigned len) const { return !fetcher_ || fetcher_->can_fetch(addr, len); }
  const tcg::CodeFetcher* fetcher_;
};

// One AArch32 instruction as "mnemonic operands" via capstone (empty when it does not know it).
std::string disassemble_a32_insn(const uint8_t* bytes, unsigned len, uint64_t pc, bool thumb);

}  // namespace mimic::arm
