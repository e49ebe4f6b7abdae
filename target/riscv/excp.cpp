// RISC-V trap entry and return: delegation, the saved state (xepc, xcause, xtval, xPP, xPIE),
// direct and vectored handlers, mret and sret.
#include "target/riscv/excp.h"

#include <cstring>

#include "target/riscv/csr.h"
#include "target/riscv/mmu.h"

namespace mimic::riscv {

void raise_trap(RiscvCpu& c, uint64_t cause, bool interrupt, uint64_t tval) {
  uint64_t deleg = interrupt ? c.mideleg : c.medeleg;
  bool to_s = c.priv <= kPrivS && cause < 64 && ((deleg >> cause) & 1);
  uint64_t xcause = cause | (interrupt ? kCauseInterrupt : 0);
  if (c.hooks) c.hooks->trap_taken(cause, interrupt, c.pc, tval, to_s ? kPrivS : kPrivM);
  c.reserve_addr = ~0ull;
  if (to_s) {
    c.scause = xcause;
    c.sepc = c.pc;
    c.stval = tval;
    uint64_t s = c.mstatus & ~(Mstatus::kSPIE | Mstatus::kSIE | Mstatus::kSPP);
    if (c.mstatus & Mstatus::kSIE) s |= Mstatus::kSPIE;
    if (c.priv == kPrivS) s |= Mstatus::kSPP;
    c.mstatus = s;
    c.priv = kPrivS;
    uint64_t base = c.stvec & ~3ull;
    c.pc = (c.stvec & 1) && interrupt ? base + 4 * cause : base;
  } else {
    c.mcause = xcause;
    c.mepc = c.pc;
    c.mtval = tval;
    uint64_t s = c.mstatus & ~(Mstatus::kMPIE | Mstatus::kMIE | Mstatus::kMPP);
    if (c.mstatus & Mstatus::kMIE) s |= Mstatus::kMPIE;
    s |= c.priv << Mstatus::kMPPShift;
    c.mstatus = s;
    c.priv = kPrivM;
    uint64_t base = c.mtvec & ~3ull;
    c.pc = (c.mtvec & 1) && interrupt ? base + 4 * cause : base;
  }
  update_tb_flags(c);
}

bool do_mret(RiscvCpu& c) {
  if (c.priv != kPrivM) return false;
  uint64_t mpp = (c.mstatus & Mstatus::kMPP) >> Mstatus::kMPPShift;
  uint64_t s = c.mstatus & ~(Mstatus::kMIE | Mstatus::kMPP);
  if (c.mstatus & Mstatus::kMPIE) s |= Mstatus::kMIE;
  s |= Mstatus::kMPIE;  // MPP becomes U, the least privileged mode
  if (mpp != kPrivM) s &= ~Mstatus::kMPRV;
  c.mstatus = s;
  c.priv = mpp;
  c.pc = c.mepc;
  c.reserve_addr = ~0ull;
  update_tb_flags(c);
  return true;
}

bool do_sret(RiscvCpu& c) {
  if (c.priv < kPrivS || (c.priv == kPrivS && (c.mstatus & Mstatus::kTSR))) return false;
  uint64_t spp = (c.mstatus & Mstatus::kSPP) ? kPrivS : kPrivU;
  uint64_t s = c.mstatus & ~(Mstatus::kSIE | Mstatus::kSPP | Mstatus::kMPRV);
  if (c.mstatus & Mstatus::kSPIE) s |= Mstatus::kSIE;
  s |= Mstatus::kSPIE;
  c.mstatus = s;
  c.priv = spp;
  c.pc = c.sepc;
  c.reserve_addr = ~0ull;
  update_tb_flags(c);
  return true;
}

namespace {
constexpr uint32_t kInsnMret = 0x30200073, kInsnSret = 0x10200073, kInsnWfi = 0x10500073;

// The instruction bits at pc, read without side effects; what could be read when a part cannot.
uint32_t insn_at(RiscvCpu& c, tcg::PhysMemory& phys, uint64_t pc) {
  uint32_t insn = 0;
  for (unsigned i = 0; i < 4; i += 2) {
    uint64_t pa;
    if (translate_address(c, phys, pc + i, tcg::Access::Fetch, fetch_mmu_index(c), false, &pa) != WalkResult::Ok)
      return insn;
    bool writable;
    uint8_t* page = phys.ram_page(pa & tcg::kPageMask, &writable);
    if (!page) return insn;
    uint16_t half;
    std::memcpy(&half, page + (pa & ~tcg::kPageMask), 2);
    insn |= uint32_t(half) << (8 * i);
    if (i == 0 && (half & 3) != 3) return insn;
  }
  return insn;
}
}  // namespace

ExitAction handle_exit(RiscvCpu& c, tcg::PhysMemory& phys, uint32_t reason, uint64_t* flush_addr) {
  switch (reason) {
    case kExitEcall: {
      static constexpr uint64_t kEcall[] = {kCauseEcallU, kCauseEcallS, 0, kCauseEcallM};
      raise_trap(c, kEcall[c.priv & 3], false, 0);
      return ExitAction::Continue;
    }
    case kExitEbreak: raise_trap(c, kCauseBreakpoint, false, 0); return ExitAction::Continue;
    case kExitIllegal: raise_trap(c, kCauseIllegal, false, c.bad_insn); return ExitAction::Continue;
    case kExitFetchFault: {
      // The translator only knows the code could not be read: the walk says why.
      uint64_t pa;
      WalkResult r = translate_address(c, phys, c.fault_addr, tcg::Access::Fetch, fetch_mmu_index(c), false, &pa);
      if (r == WalkResult::Ok) r = WalkResult::AccessFault;  // not RAM/ROM (MMIO, nothing)
      raise_trap(c, fault_cause(r, tcg::Access::Fetch), false, c.fault_addr);
      return ExitAction::Continue;
    }
    case tcg::kExitMemFault: raise_trap(c, c.trap_cause, false, c.trap_tval); return ExitAction::Continue;
    case tcg::kExitUnaligned: {
      // Only kAligned accesses exit here: LR is a load, SC and the AMOs are stores.
      uint32_t insn = insn_at(c, phys, c.pc);
      bool lr = (insn & 0x7f) == 0x2f && (insn >> 27) == 2;
      raise_trap(c, lr ? kCauseMisalignedLoad : kCauseMisalignedStore, false, c.fault_addr);
      return ExitAction::Continue;
    }
    case kExitFenceI: return ExitAction::Continue;  // writes to code pages already dropped their blocks
    case kExitMret:
      if (!do_mret(c)) raise_trap(c, kCauseIllegal, false, kInsnMret);
      return ExitAction::Continue;
    case kExitSret:
      if (!do_sret(c)) raise_trap(c, kCauseIllegal, false, kInsnSret);
      return ExitAction::Continue;
    case kExitWfi:
      // U-mode WFI always traps when S exists; S-mode WFI traps with TW (QEMU's rule).
      if (c.priv == kPrivU || (c.priv == kPrivS && (c.mstatus & Mstatus::kTW))) {
        raise_trap(c, kCauseIllegal, false, kInsnWfi);
        return ExitAction::Continue;
      }
      c.pc += 4;
      return ExitAction::Wait;
    case kExitSfenceVma:
      if (c.priv == kPrivS && (c.mstatus & Mstatus::kTVM)) {
        raise_trap(c, kCauseIllegal, false, c.bad_insn);
        return ExitAction::Continue;
      }
      c.pc += 4;
      *flush_addr = c.fault_addr;
      if (const unsigned rs2 = (c.bad_insn >> 20) & 31) {
        // One address space. The soft TLB holds only the current satp's translations (a satp
        // write empties it), so another ASID has nothing to drop, and the current one's are the
        // entries not filled from a global PTE.
        const uint64_t asid = c.x[rs2] & 0xffff, current = (c.satp >> 44) & 0xffff;
        if (asid != current) return ExitAction::Continue;
        return c.fault_write ? ExitAction::FlushTlbPage : ExitAction::FlushTlbAsid;
      }
      return c.fault_write ? ExitAction::FlushTlbPage : ExitAction::FlushTlb;
    default: return ExitAction::Unhandled;
  }
}

}  // namespace mimic::riscv
