// System-mode address translation of RISC-V: the MMU index scheme, the Sv39/Sv48/Sv57 page walk
// with A/D updates, and the tcg::MmuTarget the soft-MMU calls on a TLB miss.
#pragma once

#include <cstdint>
#include <string>

#include "target/riscv/cpu.h"
#include "tcg/exec/softmmu.h"

namespace mimic::riscv {

// MMU indices (soft-TLB tables). Everything that changes what a translation may grant has its own
// index, so switching privilege or toggling SUM/MXR/MPRV needs no flush: only satp, PMP writes
// and sfence.vma flush.
enum MmuIndex : unsigned {
  kMmuU = 0,        // U-mode
  kMmuS = 1,        // S-mode, SUM=0
  kMmuSSum = 2,     // S-mode, SUM=1 (loads/stores may touch U pages)
  kMmuM = 3,        // M-mode: physical, PMP only for locked entries
  kMmuUMxr = 4,     // U-mode, MXR=1 (loads from execute-only pages)
  kMmuSMxr = 5,     // S-mode, MXR=1
  kMmuSSumMxr = 6,  // S-mode, SUM=1, MXR=1
};
constexpr unsigned kNumMmuModes = 7;

unsigned mmu_index(unsigned priv, bool sum, bool mxr);
// The privilege an index translates for (U, S or M).
unsigned mmu_index_priv(unsigned idx);
// Loads and stores: privilege with MPRV/MPP applied, SUM and MXR of mstatus.
unsigned data_mmu_index(const RiscvCpu& c);
// Instruction fetch: the current privilege alone.
unsigned fetch_mmu_index(const RiscvCpu& c);

enum class WalkResult { Ok, PageFault, AccessFault };

// Translates one access. With `update_ad` the walk sets A (and D for writes) with a host CAS, as
// hardware that manages A/D does; without it (debug, fault diagnosis) nothing is written.
// `prot` receives what the entry allows this index (tcg::Prot), `cacheable` false when a PMP
// region boundary falls inside the page (every access must then be checked again, as a whole:
// `size` bytes from vaddr, within its page). `global`: a PTE of the walk had G (Bare and M: false).
WalkResult translate_address(RiscvCpu& c, tcg::PhysMemory& phys, uint64_t vaddr, tcg::Access access, unsigned mmu_idx,
                             bool update_ad, uint64_t* paddr, uint8_t* prot = nullptr, bool* cacheable = nullptr,
                             unsigned size = 1, bool* global = nullptr, unsigned* page_bits = nullptr);

// Exception cause of a failed access.
uint64_t fault_cause(WalkResult r, tcg::Access access);

// PMP (pmp.cpp). pmp_check: may `priv` make an `access` to [addr, addr + size)? pmp_page_prot:
// the Prot bits a whole 4 KiB page allows `priv`, with `uniform` false when entries split it.
bool pmp_check(const RiscvCpu& c, uint64_t addr, uint64_t size, tcg::Access access, unsigned priv);
uint8_t pmp_page_prot(const RiscvCpu& c, uint64_t page, unsigned priv, bool* uniform);
// Recomputes RiscvCpu::pmp_active after a PMP CSR write.
void pmp_update(RiscvCpu& c);
// Whether a pmpcfg/pmpaddr register may be written (lock rules).
bool pmpcfg_locked(const RiscvCpu& c, unsigned entry);
bool pmpaddr_locked(const RiscvCpu& c, unsigned entry);

// The MmuTarget of a hart: walk + PMP for the soft-MMU, recording the fault in RiscvCpu.
class RiscvMmuTarget final : public tcg::MmuTarget {
 public:
  explicit RiscvMmuTarget(tcg::PhysMemory& phys) : phys_(phys) {}
  bool tlb_fill(tcg::CpuBase* env, uint64_t vaddr, tcg::Access access, unsigned mmu_idx, bool probe,
                tcg::TlbFill* out) override;
  void access_fault(tcg::CpuBase* env, uint64_t vaddr, tcg::Access access, unsigned mmu_idx) override;

 private:
  tcg::PhysMemory& phys_;
};

}  // namespace mimic::riscv
