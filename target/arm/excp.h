// AArch64 exception entry and return in system mode: syndromes (ESR_ELx), the vector table
// offsets, ERET, interrupts, and the loop's handling of every exit of translated code.
#pragma once

#include <cstdint>
#include <vector>

#include "target/arm/sysreg_system.h"
#include "tcg/exec/softmmu.h"

namespace mimic::arm {

// The generic timer's frequency (CNTFRQ_EL0), QEMU's: 62.5 MHz.
constexpr uint64_t kSystemCntfrq = 62'500'000;

// Exception classes (ESR_ELx.EC).
enum Ec : uint32_t {
  kEcUnknown = 0x00,
  kEcWfx = 0x01,
  kEcFpAccess = 0x07,
  kEcIllegalState = 0x0e,
  kEcSvc = 0x15,
  kEcHvc = 0x16,
  kEcSmc = 0x17,
  kEcSysreg = 0x18,
  kEcInsnAbortLower = 0x20,
  kEcInsnAbort = 0x21,
  kEcPcAlign = 0x22,
  kEcDataAbortLower = 0x24,
  kEcDataAbort = 0x25,
  kEcSpAlign = 0x26,
  kEcSoftStepLower = 0x32,
  kEcSoftStep = 0x33,
  kEcWatchpointLower = 0x34,
  kEcWatchpoint = 0x35,
  kEcBreakpointLower = 0x30,
  kEcBreakpoint = 0x31,
  kEcBrk = 0x3c,
};
constexpr uint32_t kEsrIl = 1u << 25;  // 32-bit instruction

inline uint32_t syndrome(uint32_t ec, uint32_t iss) { return (ec << 26) | kEsrIl | (iss & 0x1ffffff); }
inline uint32_t syndrome_undefined() { return syndrome(kEcUnknown, 0); }
// MRS/MSR/SYS trapped (EC 0x18): Op0 Op2 Op1 CRn Rt CRm Direction.
uint32_t syndrome_sysreg_trap(uint32_t enc, bool read, unsigned rt);

// The EL a synchronous exception from the current state goes to (EL1 from EL0, or EL2 with
// HCR_EL2.TGE; else the current EL).
unsigned exception_target_el(const A64Cpu& c);
// Records a synchronous exception for the loop to take (kExitException / kExitMemFault).
void record_exception(A64Cpu& c, unsigned target_el, uint32_t syndrome, bool far_valid = false, uint64_t far = 0);

enum class VectorKind : unsigned { Sync = 0, Irq = 1, Fiq = 2, SError = 3 };
// Takes an exception to `target_el`: SPSR/ELR (= preferred_return), ESR/FAR for synchronous
// ones, PSTATE (EL, SPx, DAIF masked, PAN per SCTLR.SPAN), pc = VBAR + the vector offset.
void take_exception(A64Cpu& c, unsigned target_el, VectorKind kind, uint32_t syndrome, bool far_valid, uint64_t far,
                    uint64_t preferred_return);
// Takes the exception record_exception stored, returning to c.pc.
void take_recorded_exception(A64Cpu& c);
// ERET at c.pc (EL1 or above): restores PSTATE from SPSR_ELx and jumps to ELR_ELx; an illegal
// return (to a higher or absent EL, to AArch32) sets PSTATE.IL and raises the Illegal State exception.
void do_eret(A64Cpu& c);

// An unmasked interrupt line (IRQ/FIQ against PSTATE.I/F), or -1.
bool irq_pending(const A64Cpu& c);
// Takes the highest-priority unmasked interrupt, if any: true when one was taken.
bool take_pending_interrupt(A64Cpu& c);

// Software step (MDSCR_EL1.SS with PSTATE.SS, debug exceptions enabled at the current EL):
// the next instruction runs alone and then take_software_step raises the Software Step
// exception (EC 0x32/0x33, ISV, EX for a load-exclusive) before the one after it.
bool software_step_active(const A64Cpu& c);
void take_software_step(A64Cpu& c, bool exclusive_load);
// The stepped instruction ended in SVC/HVC/SMC: the step is complete (SPSR.SS = 0 in the handler).
void software_step_advance(A64Cpu& c);
// Hardware breakpoints (DBGBCR<n>/DBGBVR<n>, unlinked address match): armed when MDSCR_EL1.MDE
// is set, the OS lock clear and some DBGBCR<n>.E set (tb_flags' kTbGuestBp). Translated code
// calls the helper (pc) before each instruction; a match whose PMC/HMC covers the EL, with debug
// exceptions enabled, raises the Breakpoint exception (EC 0x30/0x31, ELR = pc) instead.
bool guest_breakpoints_armed(const A64Cpu& c);
uint32_t breakpoint_check_helper();

// Is `insn` a load-exclusive (LDXR, LDAXR, LDXP...)?
bool is_load_exclusive(uint32_t insn);

// Hardware watchpoints (DBGWCR<n>/DBGWVR<n>, with MDSCR_EL1.MDE and the OS lock clear): the
// ranges the soft-MMU is to watch, as DebugWatch entries (index n, address range, load/store).
struct GuestWatch {
  unsigned n;
  tcg::Watchpoints::Point point;
};
std::vector<GuestWatch> guest_watchpoints(const A64Cpu& c);
// Watchpoint n hit by the instruction at pc (not yet run): true when it applies at this EL
// (DBGWCR.PAC, debug exceptions enabled), after taking the Watchpoint exception (EC 0x34/0x35,
// WnR, FAR = `addr`, ELR = pc).
bool take_watchpoint(A64Cpu& c, unsigned n, uint64_t addr, bool write);
// Whether a load/store instruction writes memory (stores, and atomic read-modify-writes).
bool insn_writes(uint32_t insn);

// SYS (TLBI, AT, DC, IC) as the helper performs it: false = UNDEFINED.
bool do_sys_op(A64Cpu& c, uint32_t op, uint64_t value);

enum class ExitAction {
  Continue,  // run on from c.pc
  Wfi,       // sleep until an interrupt line is up (pc is past the wfi)
  Wfe,       // sleep until an event, an interrupt or the event stream (pc is past the wfe)
  CpuOff,    // PSCI CPU_OFF: the vCPU parks until CPU_ON
  Unhandled,
};
// Carries out one exit of translated code on the CPU state.
ExitAction handle_exit(A64Cpu& c, tcg::PhysMemory& phys, uint32_t reason);

}  // namespace mimic::arm
