// AArch64 stage-1 address translation for the soft-MMU: MMU indices, the VMSAv8-64 table walk
// (4K/16K/64K granules, TTBR0/TTBR1, block and page descriptors, AP/UXN/PXN, AF, DBM), the fault
// syndromes, AT's PAR_EL1, and the tcg::MmuTarget a CPU's SoftMmu calls on a miss.
#pragma once

#include <cstdint>

#include "target/arm/sysreg_system.h"
#include "tcg/exec/softmmu.h"

namespace mimic::arm {

// Everything that changes what a translation grants has its own index, so EL changes and PAN
// need no flush: only TTBR/TCR/SCTLR writes and TLBI do.
enum MmuIndex : unsigned {
  kMmuEl0 = 0,     // EL1&0 regime, unprivileged (EL0, and LDTR/STTR at EL1)
  kMmuEl1 = 1,     // EL1&0 regime, privileged
  kMmuEl1Pan = 2,  // EL1 with PSTATE.PAN: EL0-accessible data is denied
  kMmuEl2 = 3,     // EL2 regime (MMU off: flat)
  kMmuEl3 = 4,     // EL3 regime (MMU off: flat)
  kMmuEl2Pan = 5,  // EL2 with E2H (the EL2&0 regime) and PSTATE.PAN
};
constexpr unsigned kNumMmuModes = 6;

unsigned data_mmu_index(const A64Cpu& c);
unsigned fetch_mmu_index(unsigned el);
// LDTR/STTR at `el` with PSTATE.UAO: the index they use.
unsigned unpriv_mmu_index(unsigned el, bool uao);
unsigned a64_code_mmu_index(uint32_t tb_flags);

// Fault status codes (DFSC/IFSC) of a failed walk.
enum class Fault : uint8_t { None, AddressSize, Translation, AccessFlag, Permission, External, Alignment };
struct WalkResult {
  Fault fault = Fault::None;
  unsigned level = 0;
  bool s1ptw = false;
  uint64_t pa = 0;
  uint8_t prot = 0;         // tcg::Prot this index may use the page for now
  uint8_t attr = 0;         // MAIR attribute byte of the page
  uint8_t sh = 0;           // shareability
  unsigned page_bits = 12;  // log2 of the mapping's size (a block, a 16K/64K granule: TLBI by VA flushes more)
  bool stage2 = false;      // the fault is stage 2's (taken to EL2 with HPFAR_EL2 = ipa)
  uint64_t ipa = 0;
  bool ns = true;  // the output is in the Non-secure physical address space
};
uint32_t fault_status(const WalkResult& r);
// Is `pa` in a region of the Secure physical address space only (ArmSysState::secure_only_ranges)?
bool secure_only(const A64Cpu& c, uint64_t pa);

// Translates one access. With `update` the walk sets AF (and clears AP[2] for DBM writes) with a
// host CAS when TCR_EL1.HA/HD ask; without it (AT, debug, fault diagnosis) nothing is written.
// With HCR_EL2.VM the EL1&0 regime's output (and its table walks) go through stage 2
// (VTCR_EL2/VTTBR_EL2) unless `stage1_only` (AT S1E1*: PAR_EL1 holds the IPA).
WalkResult translate_address(A64Cpu& c, tcg::PhysMemory& phys, uint64_t vaddr, tcg::Access access, unsigned mmu_idx,
                             bool update, bool stage1_only = false);

// The instruction word at pc, read without side effects (0 when it cannot be read).
uint32_t insn_at(A64Cpu& c, tcg::PhysMemory& phys, uint64_t pc);
// The instruction syndrome of a data abort (ISV, SAS, SSE, SRT, SF, AR) for the load or store
// `insn`; 0 for those without one (pairs, writeback, FP/SIMD, exclusives, atomics).
uint32_t data_abort_insn_syndrome(uint32_t insn);

// The syndrome of a failed access at the current EL (data or instruction abort); data aborts
// taken to EL2 carry the instruction syndrome (as the Arm ARM gives it, and QEMU).
void record_abort(A64Cpu& c, const WalkResult& r, uint64_t vaddr, tcg::Access access);

// AT S1E1R/W, S1E0R/W: PAR_EL1 for `vaddr`.
uint64_t address_translate(A64Cpu& c, tcg::PhysMemory& phys, uint64_t vaddr, bool write, unsigned mmu_idx);

class A64MmuTarget final : public tcg::MmuTarget {
 public:
  explicit A64MmuTarget(tcg::PhysMemory& phys) : phys_(phys) {}
  bool tlb_fill(tcg::CpuBase* env, uint64_t vaddr, tcg::Access access, unsigned mmu_idx, bool probe,
                tcg::TlbFill* out) override;
  void access_fault(tcg::CpuBase* env, uint64_t vaddr, tcg::Access access, unsigned mmu_idx) override;

 private:
  tcg::PhysMemory& phys_;
};

}  // namespace mimic::arm
