// Exception and interrupt entry (delegation to M or S, xcause/xepc/xtval, xPP/xPIE/xIE, vectored
// mode) and the return instructions, on the RISC-V CPU state.
#pragma once

#include <cstdint>

#include "target/riscv/cpu.h"
#include "tcg/exec/softmmu.h"

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

// What the machine around the hart must do after handle_exit.
enum class ExitAction {
  Continue,      // run on from c.pc
  Wait,          // WFI: sleep until wfi_wakeup(c) (or stop), then run on (pc is past the wfi)
  FlushTlb,      // sfence.vma without address: every soft-TLB entry and the jump cache
  FlushTlbPage,  // sfence.vma with address (*flush_addr): that page, and the jump cache
  FlushTlbAsid,  // sfence.vma x0, rs2 naming the current ASID: every non-global entry, the jump cache
  Unhandled,     // not an exit of this target: the hart cannot go on
};

// Carries out one exit of translated code (a riscv::ExitReason or tcg's kExitMemFault /
// kExitUnaligned) on the CPU state: the trap it raises (ecall, ebreak, illegal, fetch and memory
// faults, misaligned atomics) or the privileged instruction it completes (mret, sret, wfi,
// sfence.vma with their TSR/TW/TVM checks). `phys` serves the side-effect-free walks that tell a
// fetch page fault from an access fault and read the instruction of a misaligned atomic.
ExitAction handle_exit(RiscvCpu& c, tcg::PhysMemory& phys, uint32_t reason, uint64_t* flush_addr);

}  // namespace mimic::riscv
