// The AArch64 vCPU's architectural state in a whole-machine snapshot (hw/core/snapshot.h): the
// list of what is saved, in order. A register added to the CPU is added here (and the cpu.N
// section's version bumped when an old snapshot can no longer be read).
#include "target/arm/snapshot.h"

#include <fmt/format.h>

#include "hw/core/snapshot.h"
#include "target/arm/cpu.h"
#include "target/arm/sysreg_system.h"

namespace mimic::arm {

void snapshot_registers(A64Cpu& c, hw::StateIo& io) {
  // General-purpose, SIMD&FP, flags, FPCR/FPSR through their accessors (parts live in the MXCSR
  // and tb_flags), the thread registers.
  io(c.pc), io(c.x), io(c.sp), io(c.v), io(c.tpidr_el0), io(c.tpidrro_el0);
  uint32_t nzcv = get_nzcv(c), fpcr = get_fpcr(c), fpsr = get_fpsr(c);
  io(nzcv), io(fpcr), io(fpsr);
  // System state: PSTATE, the banked SPs (SP_EL0..SP_EL3), every stored system register
  // (sysregs.inc: the EL1, EL2 and EL3 registers, SCR_EL3 and the timers' controls), debug
  // registers, the PMU, the generic timer (the EL1 physical/virtual, EL2 and Secure timers).
  ArmSysState& s = sys(c);
  io(s.el), io(s.spsel), io(s.pstate), io(s.sp_el), io(s.r);
  io(s.dbg_bvr), io(s.dbg_bcr), io(s.dbg_wvr), io(s.dbg_wcr), io(s.claim), io(s.oslk);
  io(s.pmu);
  io(s.cntvoff), io(s.cnt_ctl), io(s.cnt_cval);
  io(s.lines), io(s.event);
  if (!io.loading()) return;
  if (s.el > 3 || s.spsel > 1) throw hw::SnapshotError("cpu: exception level out of range");
  // A machine saved at EL2/EL3 needs those levels here (virtualization=on, secure=on).
  if ((s.el == 3 && !s.have_el3) || (s.el == 2 && !s.have_el2))
    throw hw::SnapshotError(fmt::format("cpu: saved at EL{}, which this machine does not have (-M virt,{}=on)", s.el,
                                        s.el == 3 ? "secure" : "virtualization"));
  set_nzcv(c, nzcv);
  set_fpcr(c, fpcr);
  set_fpsr(c, fpsr);
  c.excl_addr = ~0ull;  // the exclusive monitor is open: a pending STXR fails, as after an exception
  update_tb_flags(c);
}

}  // namespace mimic::arm
