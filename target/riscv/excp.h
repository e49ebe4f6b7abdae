// Exception and interrupt entry (delegation to M or S, xcause/xepc/xtval, xPP/xPIE/xIE, vectored
// mode) and the return instructions, on the RISC-V CPU state.
#pragma once

#include <cstdint>

#include "target/riscv/cpu.h"

namespace mimic::riscv {

enum Cause : uint64_t {
  kCauseMisalignedFetch = 0,
  kCauseFetchAccess = 1,
  kCauseIllegal = 2,
  kCauseBreakpoint = 3,
  kCauseMisalignedLoad = 4,
  kCauseLoadAccess = 5,
  kCauseMisalignedStore = 6,
  kCauseStoreAccess = 7,
  kCauseEcallU = 8,
  kCauseEcallS = 9,
  kCauseEcallM = 11,
  kCauseFetchPage = 12,
  kCauseLoadPage = 13,
  kCauseStorePage = 15,
};
constexpr uint64_t kCauseInterrupt = 1ull << 63;

// Takes an exception (cause < 64) or interrupt (`interrupt`, cause = mip bit) at c.pc: picks M or
// S by medeleg/mideleg and the current privilege, saves pc/cause/tval, updates mstatus and the
// privilege, and sets pc to the handler. Drops the LR reservation. tb_flags follow.
void raise_trap(RiscvCpu& c, uint64_t cause, bool interrupt, uint64_t tval);

// mret / sret at c.pc: false when illegal here (mret below M, sret in U or in S with TSR);
// otherwise the state is restored and pc = xepc.
bool do_mret(RiscvCpu& c);
bool do_sret(RiscvCpu& c);

}  // namespace mimic::riscv
