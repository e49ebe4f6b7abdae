// RISC-V trap entry and return: delegation, the saved state (xepc, xcause, xtval, xPP, xPIE),
// direct and vectored handlers, mret and sret.
#include "target/riscv/excp.h"

#include "target/riscv/csr.h"

namespace mimic::riscv {

void raise_trap(RiscvCpu& c, uint64_t cause, bool interrupt, uint64_t tval) {
  uint64_t deleg = interrupt ? c.mideleg : c.medeleg;
  bool to_s = c.priv <= kPrivS && cause < 64 && ((deleg >> cause) & 1);
  uint64_t xcause = cause | (interrupt ? kCauseInterrupt : 0);
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

}  // namespace mimic::riscv
