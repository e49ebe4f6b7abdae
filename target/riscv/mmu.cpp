// The RISC-V page walk (Sv39, Sv48, Sv57) for the soft-MMU: PTE reads through the physical
// memory (PMP-checked as S-mode accesses), superpages, reserved-bit and permission checks, A/D
// set with a host compare-and-swap, and the final PMP check of the physical page.
#include "target/riscv/mmu.h"

#include <atomic>
#include <cstring>

#include "target/riscv/csr.h"

namespace mimic::riscv {

namespace {
namespace Pte {
enum : uint64_t {
  kV = 1,
  kR = 2,
  kW = 4,
  kX = 8,
  kU = 16,
  kG = 32,
  kA = 64,
  kD = 128,
  // PPN bits 53:10; 63 (N, Svnapot), 62:61 (PBMT, Svpbmt) and 60:54 are reserved here.
  kPpnMask = ((1ull << 44) - 1) << 10,
  kReserved = ~((1ull << 54) - 1),
};
}
using tcg::Access;
namespace Prot = tcg::Prot;

constexpr uint8_t kAll = Prot::kRead | Prot::kWrite | Prot::kExec;

// The PTE word at a physical address, as a host atomic when it is RAM (A/D updates use CAS on it).
std::atomic<uint64_t>* pte_slot(tcg::PhysMemory& phys, uint64_t pa, bool* writable) {
  uint8_t* page = phys.ram_page(pa & tcg::kPageMask, writable);
  if (!page) return nullptr;
  return reinterpret_cast<std::atomic<uint64_t>*>(page + (pa & ~tcg::kPageMask));
}
}  // namespace

unsigned mmu_index(unsigned priv, bool sum, bool mxr) {
  if (priv == kPrivM) return kMmuM;
  if (priv == kPrivU) return mxr ? kMmuUMxr : kMmuU;
  if (sum) return mxr ? kMmuSSumMxr : kMmuSSum;
  return mxr ? kMmuSMxr : kMmuS;
}

unsigned mmu_index_priv(unsigned idx) {
  switch (idx) {
    case kMmuU:
    case kMmuUMxr: return kPrivU;
    case kMmuM: return kPrivM;
    default: return kPrivS;
  }
}

unsigned data_mmu_index(const RiscvCpu& c) {
  unsigned priv = unsigned(c.priv);
  if (priv == kPrivM && (c.mstatus & Mstatus::kMPRV))
    priv = unsigned((c.mstatus & Mstatus::kMPP) >> Mstatus::kMPPShift);
  return mmu_index(priv, c.mstatus & Mstatus::kSUM, c.mstatus & Mstatus::kMXR);
}

unsigned fetch_mmu_index(const RiscvCpu& c) { return mmu_index(unsigned(c.priv), false, false); }

uint64_t fault_cause(WalkResult r, Access access) {
  bool page = r == WalkResult::PageFault;
  switch (access) {
    case Access::Fetch: return page ? 12 : 1;
    case Access::Read: return page ? 13 : 5;
    default: return page ? 15 : 7;
  }
}

WalkResult translate_address(RiscvCpu& c, tcg::PhysMemory& phys, uint64_t vaddr, Access access, unsigned mmu_idx,
                             bool update_ad, uint64_t* paddr, uint8_t* prot_out, bool* cacheable, unsigned size,
                             bool* global_out, unsigned* page_bits_out) {
  bool global = false;
  unsigned page_bits = tcg::kPageBits;  // of the leaf: a superpage's above 12
  const unsigned priv = mmu_index_priv(mmu_idx);
  const bool sum = mmu_idx == kMmuSSum || mmu_idx == kMmuSSumMxr;
  const bool mxr = mmu_idx == kMmuUMxr || mmu_idx == kMmuSMxr || mmu_idx == kMmuSSumMxr;
  uint64_t mode = c.satp >> 60;
  uint64_t pa;
  uint8_t prot;
  if (priv == kPrivM || mode == 0) {
    pa = vaddr;
    prot = kAll;
  } else {
    const unsigned levels = mode == 8 ? 3 : mode == 9 ? 4 : 5;
    const unsigned va_bits = 12 + 9 * levels;
    // The address must be the sign extension of its low va_bits.
    if (int64_t(vaddr << (64 - va_bits)) >> (64 - va_bits) != int64_t(vaddr)) return WalkResult::PageFault;
    uint64_t table;
  restart:
    // A lost A/D race (another hart changed the PTE) walks again from the root.
    table = (c.satp & ((1ull << 44) - 1)) << 12;
    global = false;
    for (int level = int(levels) - 1; level >= 0; --level) {
      uint64_t pte_addr = table + ((vaddr >> (12 + 9 * level)) & 511) * 8;
      if (!pmp_check(c, pte_addr, 8, Access::Read, kPrivS)) return WalkResult::AccessFault;
      bool writable = false;
      std::atomic<uint64_t>* slot = pte_slot(phys, pte_addr, &writable);
      uint64_t pte;
      if (slot) {
        pte = slot->load(std::memory_order_acquire);
      } else if (!phys.io_read(pte_addr, 8, &pte)) {
        return WalkResult::AccessFault;
      }
      if (!(pte & Pte::kV) || (!(pte & Pte::kR) && (pte & Pte::kW)) || (pte & Pte::kReserved))
        return WalkResult::PageFault;
      global |= (pte & Pte::kG) != 0;  // G in a pointer makes every mapping below it global
      uint64_t ppn = (pte & Pte::kPpnMask) >> 10;
      if (!(pte & (Pte::kR | Pte::kX))) {
        // Pointer to the next level: D, A and U are reserved there.
        if (level == 0 || (pte & (Pte::kD | Pte::kA | Pte::kU))) return WalkResult::PageFault;
        table = ppn << 12;
        continue;
      }
      // A superpage's PPN must be aligned to its size.
      if (ppn & ((1ull << (9 * level)) - 1)) return WalkResult::PageFault;
      // Privilege: U pages from U (and from S loads/stores with SUM, never S fetches); others from S only.
      bool user_page = pte & Pte::kU;
      if (priv == kPrivU && !user_page) return WalkResult::PageFault;
      bool s_on_user = priv == kPrivS && user_page;
      if (s_on_user && (access == Access::Fetch || !sum)) return WalkResult::PageFault;
      bool readable = (pte & Pte::kR) || (mxr && (pte & Pte::kX));
      bool ok = access == Access::Read    ? readable
                : access == Access::Write ? (pte & Pte::kW) != 0
                                          : (pte & Pte::kX) != 0;
      if (!ok) return WalkResult::PageFault;
      uint64_t want = Pte::kA | (access == Access::Write ? uint64_t(Pte::kD) : 0);
      if ((pte & want) != want) {
        if (!update_ad) {
          // Diagnosis only: the access would succeed (A/D would be set).
        } else {
          if (!slot || !writable) return WalkResult::AccessFault;
          // Hardware A/D update: only if the PTE is still what was checked, else walk again.
          if (!slot->compare_exchange_strong(pte, pte | want, std::memory_order_acq_rel)) goto restart;
          pte |= want;
        }
      }
      page_bits = 12 + 9 * unsigned(level);
      uint64_t page_mask = (1ull << page_bits) - 1;
      pa = ((ppn << 12) & ~page_mask) | (vaddr & page_mask);
      // What this index may do on the page now: reads/fetches need A (set), writes a set D.
      prot = 0;
      if (!s_on_user || sum) {
        if (readable) prot |= Prot::kRead;
        if ((pte & Pte::kW) && (pte & Pte::kD)) prot |= Prot::kWrite;
      }
      if ((pte & Pte::kX) && !s_on_user) prot |= Prot::kExec;
      if (!(pte & Pte::kA)) prot = 0;
      break;
    }
  }
  // PMP on the physical page (the whole page when one entry decides it, else this access).
  bool uniform = true;
  uint8_t pmp = pmp_page_prot(c, pa & tcg::kPageMask, priv, &uniform);
  if (!uniform) {
    uint8_t need = access == Access::Read ? Prot::kRead : access == Access::Write ? Prot::kWrite : Prot::kExec;
    pmp = pmp_check(c, pa, size ? size : 1, access, priv) ? need : 0;
  }
  prot &= pmp;
  uint8_t need = access == Access::Read ? Prot::kRead : access == Access::Write ? Prot::kWrite : Prot::kExec;
  if (!(pmp & need)) return WalkResult::AccessFault;
  *paddr = pa;
  if (prot_out) *prot_out = prot;
  if (cacheable) *cacheable = uniform;
  if (global_out) *global_out = global;
  if (page_bits_out) *page_bits_out = page_bits;
  return WalkResult::Ok;
}

bool RiscvMmuTarget::tlb_fill(tcg::CpuBase* env, uint64_t vaddr, Access access, unsigned mmu_idx, bool probe,
                              tcg::TlbFill* out) {
  auto* c = static_cast<RiscvCpu*>(env);
  uint64_t pa = 0;
  uint8_t prot = 0;
  bool cacheable = true;
  bool global = false;
  unsigned page_bits = tcg::kPageBits;
  WalkResult r = translate_address(*c, phys_, vaddr, access, mmu_idx, true, &pa, &prot, &cacheable, out->size, &global,
                                   &page_bits);
  if (r != WalkResult::Ok) {
    if (!probe) {
      c->trap_cause = fault_cause(r, access);
      c->trap_tval = vaddr;
    }
    return false;
  }
  out->phys_page = pa & tcg::kPageMask;
  out->prot = prot;
  out->single_use = !cacheable;
  out->global = global;
  out->page_bits = page_bits;
  return true;
}

void RiscvMmuTarget::access_fault(tcg::CpuBase* env, uint64_t vaddr, Access access, unsigned) {
  auto* c = static_cast<RiscvCpu*>(env);
  c->trap_cause = fault_cause(WalkResult::AccessFault, access);
  c->trap_tval = vaddr;
}

}  // namespace mimic::riscv
