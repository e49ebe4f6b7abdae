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
  // The Thumb bit: the jump cache keys a Thumb block by pc | 1, as an interworking address.
  uint32_t interwork_flag() const override;
  // An ARMv6 CPU (-cpu arm1176): the encodings ARMv6T2 and ARMv7 added are undefined (SIGILL).
  void set_armv6(bool v6) { armv6_ = v6; }

 private:
  bool can_fetch(uint64_t addr, unsigned len) const { return !fetcher_ || fetcher_->can_fetch(addr, len); }
  const tcg::CodeFetcher* fetcher_;
  bool armv6_ = false;
};

// False for an instruction ARMv6K with VFPv2 does not have (Thumb-2's 32-bit encodings but BL and
// BLX, CBZ/CBNZ and IT; MOVW/MOVT, the bit-field, divide, MLS and RBIT instructions, DMB/DSB/
// ISB, VFPv3's VMOV immediate). `len` is 2 for a T16 instruction.
bool in_armv6(bool thumb, unsigned len, uint32_t insn);

// One AArch32 instruction as "mnemonic operands" via capstone (empty when it does not know it).
std::string disassemble_a32_insn(const uint8_t* bytes, unsigned len, uint64_t pc, bool thumb);

}  // namespace mimic::arm
