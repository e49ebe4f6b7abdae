// RiscvTranslator: the RV64GC (+ Zba/Zbb/Zbs) guest translator the execution engine drives.
#pragma once

#include <cstdint>
#include <string>

#include "tcg/exec/guest.h"
#include "tcg/exec/guest_memory.h"

namespace mimic::riscv {

// System mode: how the translator reads guest code (the hart's soft-MMU, system.cpp).
class SystemCodeReader {
 public:
  virtual ~SystemCodeReader() = default;
  // Host pointer to the code byte at `vaddr` (valid up to the end of its 4 KiB page), or null when
  // it cannot be fetched with fetch MMU index `mmu_idx`. No guest exception is raised here.
  virtual const uint8_t* code_ptr(const tcg::CpuBase& env, uint64_t vaddr, unsigned mmu_idx) const = 0;
};

class RiscvTranslator : public tcg::GuestTranslator {
 public:
  // linux-user: `fetcher` says which guest code is mapped executable; null means all of it
  // (callers that validated the range themselves). It must outlive the translator.
  explicit RiscvTranslator(const tcg::CodeFetcher* fetcher = nullptr) : fetcher_(fetcher) {}
  // System mode: privileged instructions and CSRs, tb_flags with privilege/FS/MMU index, code
  // read through `reader` (which must outlive the translator).
  explicit RiscvTranslator(const SystemCodeReader& reader) : fetcher_(nullptr), system_(&reader) {}

  const char* arch_name() const override { return "riscv64"; }
  void translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) override;
  std::string disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const override;

 private:
  bool can_fetch(uint64_t addr, unsigned len) const { return !fetcher_ || fetcher_->can_fetch(addr, len); }
  // Reads `len` code bytes at pc into *out; false when any cannot be fetched (*fault_addr: the first).
  bool fetch(const tcg::CpuBase& env, uint64_t pc, unsigned len, unsigned mmu_idx, void* out,
             uint64_t* fault_addr) const;
  const tcg::CodeFetcher* fetcher_;
  const SystemCodeReader* system_ = nullptr;
};

// One instruction as "mnemonic operands" (16-bit when (insn & 3) != 3), or an empty string when
// the encoding is unknown or reserved: for -d in_asm and illegal-instruction messages.
std::string disassemble_insn(uint32_t insn, uint64_t pc);

}  // namespace mimic::riscv
