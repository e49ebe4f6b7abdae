// RiscvTranslator: the RV64GC (+ Zba/Zbb/Zbs) guest translator the execution engine drives.
#pragma once

#include <cstdint>
#include <string>

#include "tcg/exec/guest.h"
#include "tcg/exec/guest_memory.h"

namespace mimic::riscv {

class RiscvTranslator : public tcg::GuestTranslator {
 public:
  // `fetcher` reads guest code (linux-user: says which guest code is mapped executable; system
  // mode: tcg::SoftMmuCodeFetcher over riscv_code_mmu_index); null means all of guest memory at
  // guest_base (callers that validated the range themselves). It must outlive the translator.
  // `system`: privileged instructions and CSRs, tb_flags with privilege, FS and MMU index.
  explicit RiscvTranslator(const tcg::CodeFetcher* fetcher = nullptr, bool system = false)
      : fetcher_(fetcher), system_(system) {}

  const char* arch_name() const override { return "riscv64"; }
  void translate(tcg::Block& block, const tcg::CpuBase& env, unsigned max_insns) override;
  std::string disassemble(const tcg::CpuBase& env, uint64_t pc, uint32_t size) const override;
  unsigned code_mmu_index(uint32_t tb_flags) const override;

 private:
  bool fetch(const tcg::CpuBase& env, uint64_t addr, void* buf, unsigned len) const {
    return tcg::fetch_code(fetcher_, env, addr, buf, len);
  }
  const tcg::CodeFetcher* fetcher_;
  bool system_;
};

// System mode: the MMU index instruction fetch uses under `tb_flags` (the privilege's: U, S, M).
unsigned riscv_code_mmu_index(uint32_t tb_flags);

// One instruction as "mnemonic operands" (16-bit when (insn & 3) != 3), or an empty string when
// the encoding is unknown or reserved: for -d in_asm and illegal-instruction messages.
std::string disassemble_insn(uint32_t insn, uint64_t pc);

}  // namespace mimic::riscv
