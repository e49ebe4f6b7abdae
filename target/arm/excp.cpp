// AArch64 exceptions in system mode: entry (SPSR, ELR, ESR, FAR, PSTATE, the vector offset),
// ERET with its illegal-return rules, IRQ/FIQ against DAIF, SYS maintenance operations, and the
// loop's side of every exit of translated code.
#include "target/arm/excp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "target/arm/mmu.h"
#include "tcg/exec/exec.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {
uint64_t& R(A64Cpu& c, ArmReg r) { return c.sys->r[size_t(r)]; }

// The registers of the EL an exception is taken to (EL1, EL2 or EL3).
ArmReg by_el(unsigned el, ArmReg el1, ArmReg el2, ArmReg el3) { return el == 3 ? el3 : el == 2 ? el2 : el1; }
ArmReg spsr_reg(unsigned el) { return by_el(el, ArmReg::SPSR_EL1, ArmReg::SPSR_EL2, ArmReg::SPSR_EL3); }
ArmReg elr_reg(unsigned el) { return by_el(el, ArmReg::ELR_EL1, ArmReg::ELR_EL2, ArmReg::ELR_EL3); }
ArmReg esr_reg(unsigned el) { return by_el(el, ArmReg::ESR_EL1, ArmReg::ESR_EL2, ArmReg::ESR_EL3); }
ArmReg far_reg(unsigned el) { return by_el(el, ArmReg::FAR_EL1, ArmReg::FAR_EL2, ArmReg::FAR_EL3); }
ArmReg vbar_reg(unsigned el) { return by_el(el, ArmReg::VBAR_EL1, ArmReg::VBAR_EL2, ArmReg::VBAR_EL3); }

uint64_t hcr(const A64Cpu& c) { return hcr_el2_effective(c); }
uint64_t scr(const A64Cpu& c) { return sys(c).have_el3 ? c.sys->r[size_t(ArmReg::SCR_EL3)] : 0; }

// Where a physical IRQ (fiq: FIQ) goes: EL3 when SCR_EL3.IRQ/FIQ route it there, EL2 when
// HCR_EL2.IMO/FMO or TGE do, else EL1.
unsigned interrupt_target_el(const A64Cpu& c, bool fiq) {
  if (scr(c) & (fiq ? Scr::kFiq : Scr::kIrq)) return 3;
  const uint64_t h = hcr(c);
  return (h & (fiq ? Hcr::kFmo : Hcr::kImo)) || (h & Hcr::kTge) ? 2 : 1;
}
// An interrupt for `target` is taken from a lower EL whatever PSTATE's mask, at `target` when
// unmasked, never from above it.
bool interrupt_unmasked(const A64Cpu& c, unsigned target, uint64_t mask_bit) {
  const ArmSysState& s = sys(c);
  return s.el < target || (s.el == target && !(s.pstate & mask_bit));
}
// A virtual IRQ/FIQ (HCR_EL2.VI/VF, or the GIC's virtual CPU interface): to EL1, with
// HCR_EL2.IMO/FMO set and TGE clear, from EL0/EL1 only.
bool virtual_pending(const A64Cpu& c, uint32_t lines, bool fiq) {
  const uint64_t h = hcr(c);
  if (!(h & (fiq ? Hcr::kFmo : Hcr::kImo)) || (h & Hcr::kTge) || sys(c).el > 1) return false;
  return (h & (fiq ? Hcr::kVf : Hcr::kVi)) || (lines & (fiq ? 8u : 4u));
}

void log_int(A64Cpu& c, const std::string& line) {
  ArmSysState& s = sys(c);
  if (s.hooks && s.hooks->log_int) s.hooks->log_int(line);
}
void log_unimp(A64Cpu& c, const std::string& line) {
  ArmSysState& s = sys(c);
  if (s.hooks && s.hooks->log_unimp) s.hooks->log_unimp(line);
}

}  // namespace

namespace {
constexpr uint64_t kMdscrSs = 1, kMdscrKde = 1u << 13;
constexpr uint64_t kMdcrTde = 1u << 8;

// Where debug exceptions go: EL2 with MDCR_EL2.TDE or HCR_EL2.TGE, else EL1.
unsigned debug_target_el(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  if (!s.have_el2) return 1;
  return (s.r[size_t(ArmReg::MDCR_EL2)] & kMdcrTde) || (hcr(c) & Hcr::kTge) ? 2 : 1;
}
// Debug exceptions from the current EL: never while the OS lock is set; from below the target
// EL always; at it with MDSCR_EL1.KDE and PSTATE.D clear.
bool debug_exceptions_enabled(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  if (s.oslk) return false;
  const unsigned target = debug_target_el(c);
  if (s.el < target) return true;
  return s.el == target && (s.r[size_t(ArmReg::MDSCR_EL1)] & kMdscrKde) && !(s.pstate & Pstate::kD);
}
}  // namespace

namespace {
constexpr uint64_t kMdscrMde = 1u << 15;
unsigned num_breakpoints(const A64Cpu& c) { return unsigned((sys(c).model->id_aa64dfr0 >> 12) & 15) + 1; }
// The context-aware breakpoints are the last ID_AA64DFR0.CTX_CMPs + 1.
bool context_aware(const A64Cpu& c, unsigned n) {
  const unsigned brps = num_breakpoints(c), ctx = unsigned((sys(c).model->id_aa64dfr0 >> 28) & 15) + 1;
  return n < brps && n + ctx >= brps;
}

// DBGBCR<n>/DBGWCR<n>'s PMC/PAC (bits 2:1) and HMC (13) cover the current EL (EL3 never).
bool covers_el(uint64_t cr, unsigned el) {
  const unsigned pmc = unsigned(cr >> 1) & 3;
  const bool hmc = (cr >> 13) & 1;
  switch (el) {
    case 0: return pmc & 2;
    case 1: return pmc & 1;
    case 2: return hmc && (pmc == 3 || pmc == 0);
    default: return false;
  }
}
// SSC (bits 15:14): 0b01 and 0b11 the Non-secure state only, 0b10 the Secure state only.
bool covers_security_state(const A64Cpu& c, uint64_t cr) {
  const unsigned ssc = unsigned(cr >> 14) & 3;
  return ssc == 0 || (ssc == 2) == is_secure(c);
}

// A context ID comparison of breakpoint n: CONTEXTIDR_EL1 against DBGBVR<n>[31:0], at EL1 and
// EL0 (the EL2 and EL3 regimes have no CONTEXTIDR_EL1 to compare without VHE).
bool context_matches(const A64Cpu& c, unsigned n) {
  const ArmSysState& s = sys(c);
  if (s.el > 1) return false;
  return uint32_t(s.r[size_t(ArmReg::CONTEXTIDR_EL1)]) == uint32_t(s.dbg_bvr[n]);
}
// A VMID comparison of breakpoint n: VTTBR_EL2.VMID against DBGBVR<n>[39:32] (8-bit VMIDs; 16
// bits, [47:32], with VTCR_EL2.VS where ID_AA64MMFR1.VMIDBits offers them), in the Non-secure
// EL1&0 regime with EL2 (not EL0 under E2H and TGE, which has no VMID).
bool vmid_matches(const A64Cpu& c, unsigned n) {
  const ArmSysState& s = sys(c);
  if (!s.have_el2 || s.el > 1 || is_secure(c) || e2h_tge_active(c)) return false;
  const bool vmid16 = ((s.model->id_aa64mmfr1 >> 4) & 15) == 2 && ((s.r[size_t(ArmReg::VTCR_EL2)] >> 19) & 1);
  const uint64_t mask = vmid16 ? 0xffff : 0xff;
  return ((s.r[size_t(ArmReg::VTTBR_EL2)] >> 48) & mask) == ((s.dbg_bvr[n] >> 32) & mask);
}
// Whether the context of context-aware breakpoint n matches for its type: BT 0b001x context ID,
// 0b100x VMID, 0b101x both (the VMID types need EL2: reserved without, no events).
bool context_type_matches(const A64Cpu& c, unsigned n, unsigned bt) {
  switch (bt & ~1u) {
    case 2: return context_matches(c, n);
    case 8: return vmid_matches(c, n);
    case 10: return vmid_matches(c, n) && context_matches(c, n);
    default: return false;
  }
}
// The breakpoint a linked breakpoint or watchpoint names (LBN, bits 19:16) matches: an enabled
// context-aware breakpoint of a linked context type (BT 0b0011 context ID, 0b1001 VMID, 0b1011
// both) whose context matches. Links to anything else generate no events (the CONSTRAINED
// UNPREDICTABLE choice QEMU makes too).
bool linked_matches(const A64Cpu& c, uint64_t cr) {
  const ArmSysState& s = sys(c);
  const unsigned lbn = unsigned(cr >> 16) & 15;
  if (!context_aware(c, lbn)) return false;
  const uint64_t bcr = s.dbg_bcr[lbn];
  const unsigned bt = unsigned(bcr >> 20) & 15;
  return (bcr & 1) && (bt == 3 || bt == 9 || bt == 11) && context_type_matches(c, lbn, bt);
}

// Breakpoint n (enabled, for this EL and security state) matches the instruction at pc:
// BT 0b0000 unlinked address, 0b0001 address linked to a context breakpoint, 0b0010 unlinked
// context ID, 0b1000 unlinked VMID, 0b1010 unlinked context ID and VMID (any instruction in the
// context). Linked context types match only through a link; address mismatch and CONTEXTIDR_EL2
// types are not implemented (no events; the DBGBCR write logs it).
bool breakpoint_matches(const A64Cpu& c, unsigned n, uint64_t pc) {
  const ArmSysState& s = sys(c);
  const uint64_t bcr = s.dbg_bcr[n];
  if (!(bcr & 1) || !covers_el(bcr, s.el) || !covers_security_state(c, bcr)) return false;
  const unsigned bt = unsigned(bcr >> 20) & 15;
  const uint64_t addr = uint64_t(int64_t(s.dbg_bvr[n] << 15) >> 15) & ~uint64_t(3);  // VA[48:2], sign-extended
  switch (bt) {
    case 0: return addr == pc;
    case 1: return addr == pc && linked_matches(c, bcr);
    case 2:
    case 8:
    case 10: return context_aware(c, n) && context_type_matches(c, n, bt);
    default: return false;
  }
}

uint64_t h_breakpoint_check(tcg::CpuBase* env, uint64_t pc, uint64_t, uint64_t, uint64_t, uint64_t) {
  auto& c = *static_cast<A64Cpu*>(env);
  if (!debug_exceptions_enabled(c)) return 0;
  for (unsigned n = 0; n < num_breakpoints(c) && n < 16; ++n) {
    if (!breakpoint_matches(c, n, pc)) continue;
    const unsigned target = debug_target_el(c);
    c.pc = pc;
    record_exception(c, target, syndrome(sys(c).el < target ? kEcBreakpointLower : kEcBreakpoint, 0x22));
    tcg::cpu_loop_exit(&c, kExitException);
  }
  return 0;
}
}  // namespace

bool guest_breakpoints_armed(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  if (s.oslk || !(s.r[size_t(ArmReg::MDSCR_EL1)] & kMdscrMde)) return false;
  for (unsigned n = 0; n < num_breakpoints(c) && n < 16; ++n)
    if (s.dbg_bcr[n] & 1) return true;
  return false;
}

uint32_t breakpoint_check_helper() {
  using namespace tcg::HelperFlag;
  static const uint32_t id =
      tcg::register_helper("a64_breakpoint_check", h_breakpoint_check, kReadsState | kWritesState | kMayExit);
  return id;
}

uint32_t syndrome_sysreg_trap(uint32_t enc, bool read, unsigned rt) {
  unsigned op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15, op2 = enc & 7;
  uint32_t iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);
  return syndrome(kEcSysreg, iss);
}

unsigned exception_target_el(const A64Cpu& c) {
  if (sys(c).el != 0) return sys(c).el;
  return hcr(c) & Hcr::kTge ? 2 : 1;
}

void record_exception(A64Cpu& c, unsigned target_el, uint32_t syn, bool far_valid, uint64_t far) {
  ArmSysState& s = sys(c);
  s.exc_target_el = target_el;
  s.exc_syndrome = syn;
  s.exc_far_valid = far_valid;
  s.exc_far = far;
  s.exc_wants_insn_syndrome = false;
  s.exc_ipa_valid = false;
}

void take_exception(A64Cpu& c, unsigned target_el, VectorKind kind, uint32_t syn, bool far_valid, uint64_t far,
                    uint64_t preferred_return) {
  ArmSysState& s = sys(c);
  const unsigned from_el = s.el;
  uint64_t spsr = read_pstate(c);
  uint64_t offset = from_el < target_el ? 0x400 : s.spsel ? 0x200 : 0x000;
  offset += 0x80 * unsigned(kind);
  if (s.hooks && s.hooks->log_int)
    log_int(c, fmt::format("Taking exception {} [{}] on CPU {:x}\n...from EL{} to EL{}\n...with ESR 0x{:x}/0x{:x}\n"
                           "...with FAR 0x{:x}\n...with ELR 0x{:x}\n...to EL{} PC 0x{:x} PSTATE 0x{:x}\n",
                           kind == VectorKind::Sync  ? 2
                           : kind == VectorKind::Irq ? 5
                                                     : 6,
                           kind == VectorKind::Sync  ? "sync"
                           : kind == VectorKind::Irq ? "IRQ"
                                                     : "FIQ",
                           s.mpidr & 0xff, from_el, target_el, syn >> 26, syn, far, preferred_return, target_el,
                           R(c, vbar_reg(target_el)) + offset, spsr));
  pmu_sync(c);  // the counters' EL filters change with the EL
  set_el_sp(c, target_el, 1);
  R(c, spsr_reg(target_el)) = spsr;
  R(c, elr_reg(target_el)) = preferred_return;
  if (kind == VectorKind::Sync) {
    R(c, esr_reg(target_el)) = syn;
    if (far_valid) R(c, far_reg(target_el)) = far;
  }
  uint64_t ps = s.pstate | Pstate::kDaif;
  ps &= ~(Pstate::kSS | Pstate::kIL | Pstate::kUAO);
  // SCTLR_ELx.SPAN clear: PAN is set on entry to EL1, and to EL2 under E2H+TGE.
  const bool pan_regime = target_el == 1 || (target_el == 2 && e2h_tge_active(c));
  if (s.model->pan && pan_regime && !(R(c, target_el == 1 ? ArmReg::SCTLR_EL1 : ArmReg::SCTLR_EL2) & Sctlr::kSPAN))
    ps |= Pstate::kPAN;
  s.pstate = ps;
  c.excl_addr = ~0ull;
  c.pc = R(c, vbar_reg(target_el)) + offset;
  update_tb_flags(c);
}

void take_recorded_exception(A64Cpu& c) {
  ArmSysState& s = sys(c);
  uint32_t syn = s.exc_syndrome;
  if (s.exc_wants_insn_syndrome && c.softmmu) syn |= data_abort_insn_syndrome(insn_at(c, c.softmmu->phys(), c.pc));
  s.exc_wants_insn_syndrome = false;
  if (s.exc_ipa_valid) R(c, ArmReg::HPFAR_EL2) = (s.exc_ipa >> 12) << 4;  // FIPA
  s.exc_ipa_valid = false;
  take_exception(c, s.exc_target_el, VectorKind::Sync, syn, s.exc_far_valid, s.exc_far, c.pc);
}

void do_eret(A64Cpu& c) {
  ArmSysState& s = sys(c);
  const unsigned el = s.el;
  uint64_t spsr = R(c, spsr_reg(el)), elr = R(c, elr_reg(el));
  unsigned target = unsigned(spsr >> 2) & 3;
  // From EL3 the lower ELs are AArch64 with SCR_EL3.RW, and EL2 exists in the Non-secure state only.
  const bool lower_aarch32 = el == 3 && target < 3 && !(scr(c) & Scr::kRw);
  const bool el2_absent = !s.have_el2 || (s.have_el3 && !(scr(c) & Scr::kNs));
  bool illegal = (spsr & 0x10) != 0 || lower_aarch32 ||                          // AArch32: not implemented
                 target > el ||                                                  // to a higher EL
                 (target == 3 && !s.have_el3) || (target == 2 && el2_absent) ||  // an EL this CPU lacks
                 (target == 1 && (hcr(c) & Hcr::kTge)) ||                        // EL1 while TGE routes it all to EL2
                 (target == 0 && (spsr & 1)) ||                                  // EL0 with SP_ELx
                 (spsr & Pstate::kIL);
  c.excl_addr = ~0ull;
  pmu_sync(c);
  if (illegal) {
    // PSTATE.EL/SP stay, IL is set, the rest comes from SPSR: the next instruction (at ELR)
    // takes the Illegal State exception, which is raised here at once.
    set_nzcv(c, uint32_t(spsr) & 0xf0000000u);
    s.pstate = (spsr & (Pstate::kDaif | Pstate::kPAN | Pstate::kUAO)) | Pstate::kIL;
    c.pc = elr;
    update_tb_flags(c);
    take_exception(c, exception_target_el(c), VectorKind::Sync, syndrome(kEcIllegalState, 0), false, 0, elr);
    return;
  }
  write_pstate(c, spsr);
  // PSTATE.SS comes from SPSR only while software step is enabled at the EL returned to.
  if (!(R(c, ArmReg::MDSCR_EL1) & kMdscrSs) || !debug_exceptions_enabled(c)) s.pstate &= ~Pstate::kSS;
  c.pc = elr;
  if (target == 0 && (R(c, ArmReg::TCR_EL1) >> 37 & 1) && !(elr >> 55 & 1)) c.pc = (elr << 8) >> 8;  // TBI0
}

namespace {
// The interrupt to take now: FIQ before IRQ, physical before virtual; false when none.
bool next_interrupt(const A64Cpu& c, unsigned* target, VectorKind* kind) {
  const uint32_t lines = sys(c).lines.load(std::memory_order_acquire);
  if (!lines && !(hcr(c) & (Hcr::kVi | Hcr::kVf))) return false;
  for (bool fiq : {true, false}) {
    const VectorKind k = fiq ? VectorKind::Fiq : VectorKind::Irq;
    const uint64_t mask = fiq ? Pstate::kF : Pstate::kI;
    const unsigned t = interrupt_target_el(c, fiq);
    if ((lines & (fiq ? 2u : 1u)) && interrupt_unmasked(c, t, mask)) {
      *target = t, *kind = k;
      return true;
    }
    if (virtual_pending(c, lines, fiq) && interrupt_unmasked(c, 1, mask)) {
      *target = 1, *kind = k;
      return true;
    }
  }
  return false;
}
}  // namespace

bool irq_pending(const A64Cpu& c) {
  unsigned target;
  VectorKind kind;
  return next_interrupt(c, &target, &kind);
}

bool take_pending_interrupt(A64Cpu& c) {
  unsigned target;
  VectorKind kind;
  if (!next_interrupt(c, &target, &kind)) return false;
  take_exception(c, target, kind, 0, false, 0, c.pc);
  return true;
}

bool software_step_active(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  return (s.pstate & Pstate::kSS) && (s.r[size_t(ArmReg::MDSCR_EL1)] & kMdscrSs) && debug_exceptions_enabled(c);
}

void software_step_advance(A64Cpu& c) { sys(c).pstate &= ~Pstate::kSS; }

void take_software_step(A64Cpu& c, bool exclusive_load) {
  software_step_advance(c);
  const unsigned target = debug_target_el(c);
  const uint32_t iss = (1u << 24) | (exclusive_load ? 1u << 6 : 0) | 0x22;  // ISV, EX, IFSC "debug"
  take_exception(c, target, VectorKind::Sync, syndrome(sys(c).el < target ? kEcSoftStepLower : kEcSoftStep, iss), false,
                 0, c.pc);
}

bool is_load_exclusive(uint32_t insn) { return (insn & 0x3fc00000) == 0x08400000; }

std::vector<GuestWatch> guest_watchpoints(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  std::vector<GuestWatch> out;
  if (s.oslk || !(s.r[size_t(ArmReg::MDSCR_EL1)] & kMdscrMde)) return out;
  const unsigned count = unsigned((s.model->id_aa64dfr0 >> 20) & 15) + 1;
  for (unsigned n = 0; n < count && n < 16; ++n) {
    const uint64_t wcr = s.dbg_wcr[n], wvr = s.dbg_wvr[n];
    const unsigned lsc = unsigned(wcr >> 3) & 3, bas = unsigned(wcr >> 5) & 0xff, mask = unsigned(wcr >> 24) & 31;
    if (!(wcr & 1) || !lsc || (!mask && !bas)) continue;
    uint64_t addr, len;
    if (mask >= 3) {  // a power-of-two range
      addr = wvr & ~((uint64_t(1) << mask) - 1);
      len = uint64_t(1) << mask;
    } else {  // the bytes BAS selects in the doubleword (contiguous, as software programs them)
      const unsigned first = unsigned(__builtin_ctz(bas)), last = 31 - unsigned(__builtin_clz(bas));
      addr = (wvr & ~uint64_t(7)) + first;
      len = last - first + 1;
    }
    addr = uint64_t(int64_t(addr << 15) >> 15);  // DBGWVR holds VA[48:2], sign-extended
    const auto type = lsc == 1   ? tcg::Watchpoints::kRead
                      : lsc == 2 ? tcg::Watchpoints::kWrite
                                 : tcg::Watchpoints::kAccess;
    out.push_back({n, {addr, len, type}});
  }
  return out;
}

bool insn_writes(uint32_t insn) {
  if ((insn & 0x0a000000) != 0x08000000) return false;                         // not a load/store
  if ((insn & 0x3b200c00) == 0x38200000 && !(insn & (1u << 26))) return true;  // LSE atomics
  return !((insn >> 22) & 1);                                                  // L (or opc<0>) clear: a store
}

bool take_watchpoint(A64Cpu& c, unsigned n, uint64_t addr, bool write) {
  ArmSysState& s = sys(c);
  // DBGWCR's PAC/HMC and SSC as a breakpoint's; WT (bit 20) links it to a context breakpoint.
  const uint64_t wcr = s.dbg_wcr[n];
  const bool matches =
      covers_el(wcr, s.el) && covers_security_state(c, wcr) && (!(wcr & (1u << 20)) || linked_matches(c, wcr));
  if (!matches || !debug_exceptions_enabled(c)) return false;
  const unsigned target = debug_target_el(c);
  const uint32_t iss = (write ? 1u << 6 : 0) | 0x22;
  take_exception(c, target, VectorKind::Sync, syndrome(s.el < target ? kEcWatchpointLower : kEcWatchpoint, iss), true,
                 addr, c.pc);
  return true;
}

bool do_sys_op(A64Cpu& c, uint32_t op, uint64_t v) {
  ArmSysState& s = sys(c);
  const unsigned op1 = op >> 11, crn = (op >> 7) & 15, crm = (op >> 3) & 15, op2 = op & 7;
  if (op1 == 0 && crn == 8) {
    // TLBI (EL1): by VA (VAE1, VALE1, VAAE1, VAALE1) flushes the page; the rest, everything.
    // "IS" forms (CRm 3) reach every vCPU. The soft-TLB holds no ASIDs: by-ASID flushes all.
    bool inner = crm == 3 || crm == 1;
    bool by_va = op2 == 1 || op2 == 3 || op2 == 5 || op2 == 7;
    uint64_t page = tcg::SoftMmu::kFlushAll;
    // A VA inside a block mapping: the soft-MMU widens the flush itself (SoftMmu::flush_page).
    if (by_va) page = (v << 12) & ~uint64_t(0xfff);
    if (by_va && page != tcg::SoftMmu::kFlushAll) page = uint64_t(int64_t(page << 8) >> 8);  // VA[55] extends
    if (page == tcg::SoftMmu::kFlushAll) {
      if (s.tlb_flush_all) s.tlb_flush_all();
    } else if (s.tlb_flush_page) {
      s.tlb_flush_page(page);
    }
    if (inner && s.hooks && s.hooks->broadcast_tlb_flush) s.hooks->broadcast_tlb_flush(page);
    return true;
  }
  if ((op1 == 4 || op1 == 6) && crn == 8) {
    // TLBI of the EL2 and EL3 regimes and of stage 2 (ALLE2, VAE2, VMALLS12E1, IPAS2E1, ALLE3,
    // VAE3...): the soft-TLB holds no VMIDs, so everything, on every vCPU.
    if (s.tlb_flush_all) s.tlb_flush_all();
    if (s.hooks && s.hooks->broadcast_tlb_flush) s.hooks->broadcast_tlb_flush(tcg::SoftMmu::kFlushAll);
    return true;
  }
  if (op1 == 0 && crn == 7 && crm == 8 && op2 < 4) {  // AT S1E1R, S1E1W, S1E0R, S1E0W
    bool write = op2 & 1;
    unsigned idx = op2 >= 2 ? kMmuEl0 : kMmuEl1;
    R(c, ArmReg::PAR_EL1) = address_translate(c, c.softmmu->phys(), v, write, idx);
    return true;
  }
  if (crn == 7) return true;  // DC / IC maintenance: no cache model, code writes drop their blocks
  return false;
}

bool sys_op_known(uint32_t op, unsigned el) {
  const unsigned op1 = op >> 11, crn = (op >> 7) & 15, crm = (op >> 3) & 15, op2 = op & 7;
  if (el == 0) {
    // EL0 may do DC CVAU/CVAC/CIVAC/CVAP/ZVA and IC IVAU (SCTLR_EL1.UCI enables them; Linux sets it).
    return op1 == 3 && crn == 7 &&
           ((crm == 11 || crm == 10 || crm == 14 || crm == 12 || crm == 13 || crm == 4) && op2 == 1 ||
            (crm == 5 && op2 == 1));
  }
  if (op1 == 0 && crn == 8) return crm == 7 || crm == 3 || crm == 1 || crm == 5;  // TLBI ...E1(IS|OS)
  if (op1 == 4 && crn == 8) return el >= 2;                                       // TLBI ...E2, ...S12E1
  if (op1 == 6 && crn == 8) return el >= 3;                                       // TLBI ...E3
  if (op1 == 0 && crn == 7 && crm == 8 && op2 < 4) return true;                   // AT
  if (op1 == 0 && crn == 7)
    return (crm == 5 && op2 == 0) || (crm == 1 && op2 == 0) || crm == 6 || crm == 10 || crm == 14;
  if (op1 == 3 && crn == 7) return true;  // DC ZVA/CVAU/CVAC/CIVAC/CVAP, IC IVAU
  return false;
}

ExitAction handle_exit(A64Cpu& c, tcg::PhysMemory& phys, uint32_t reason) {
  ArmSysState& s = sys(c);
  const unsigned target = exception_target_el(c);
  auto sync = [&](uint32_t syn, bool far_valid = false, uint64_t far = 0, uint64_t ret = ~0ull) {
    take_exception(c, target, VectorKind::Sync, syn, far_valid, far, ret == ~0ull ? c.pc : ret);
  };
  switch (reason) {
    case kExitSvc: sync(syndrome(kEcSvc, c.svc_imm), false, 0, c.pc + 4); return ExitAction::Continue;
    case kExitBrk: sync(syndrome(kEcBrk, c.svc_imm)); return ExitAction::Continue;
    case kExitUdf:
    case kExitIllegal: sync(syndrome_undefined()); return ExitAction::Continue;
    case kExitSysregUndef: {
      uint32_t insn = c.svc_imm;
      if ((insn >> 22) == 0x354) {  // MRS/MSR/SYS
        uint32_t enc = (insn >> 5) & 0xffff;
        bool read = (insn >> 21) & 1;
        bool sysop = ((insn >> 19) & 3) == 1;
        // Only encodings this CPU lacks at every EL: an EL1 register read at EL0 (Linux emulates
        // MIDR_EL1 for user space that way) is the architecture working, not something missing.
        bool known =
            sysop ? sys_op_known(enc & 0x3fff, 1) : sysreg_accessible(enc, 3, !read, s.gicv3) != SysregCheck::Undefined;
        if (!known)
          log_unimp(c, fmt::format("aarch64: {} of {} at EL{} is UNDEFINED (pc 0x{:x})",
                                   sysop  ? "SYS"
                                   : read ? "MRS"
                                          : "MSR",
                                   sysreg_name(enc), s.el, c.pc));
      }
      sync(syndrome_undefined());
      return ExitAction::Continue;
    }
    case kExitFpTrap: {
      // CPACR_EL1.FPEN (to EL1) first, then CPTR_EL2 (to EL2), then CPTR_EL3.TFP (to EL3).
      const unsigned to = fp_trap_el(c);
      take_exception(c, to ? to : target, VectorKind::Sync, syndrome(kEcFpAccess, 0x1e00000), false, 0, c.pc);
      return ExitAction::Continue;
    }
    case kExitPcAlignment: sync(syndrome(kEcPcAlign, 0), true, c.pc); return ExitAction::Continue;
    case kExitFetchFault: {
      WalkResult r = translate_address(c, phys, c.fault_addr, tcg::Access::Fetch, fetch_mmu_index(s.el), false);
      if (r.fault == Fault::None) r.fault = Fault::External;  // not RAM/ROM
      record_abort(c, r, c.fault_addr, tcg::Access::Fetch);
      take_recorded_exception(c);
      return ExitAction::Continue;
    }
    case kExitException:
    case tcg::kExitMemFault: take_recorded_exception(c); return ExitAction::Continue;
    case tcg::kExitUnaligned: {
      uint32_t insn = insn_at(c, phys, c.pc);
      // Exclusive and atomic accesses: loads have L (bit 22) set and are not stores of a pair/RMW.
      bool is_load = (insn & 0x3f000000) == 0x08000000 && ((insn >> 22) & 1);
      WalkResult r;
      r.fault = Fault::Alignment;
      record_abort(c, r, c.fault_addr, is_load ? tcg::Access::Read : tcg::Access::Write);
      take_recorded_exception(c);
      return ExitAction::Continue;
    }
    case kExitIcInvalidate: return ExitAction::Continue;  // code writes already dropped their blocks
    case kExitEret:
      if (s.el == 0) {
        sync(syndrome_undefined());
        return ExitAction::Continue;
      }
      do_eret(c);
      return ExitAction::Continue;
    case kExitHvc:
    case kExitSmc: {
      if (s.el == 0) {
        sync(syndrome_undefined());
        return ExitAction::Continue;
      }
      const bool hvc = reason == kExitHvc;
      if (s.have_el2 && hvc) {
        // HVC goes to EL2 (the board's PSCI is on SMC then; at EL3 it stays there), unless
        // SCR_EL3.HCE (with EL3) or HCR_EL2.HCD (without) disables it; Secure EL1 has no EL2.
        const bool off = s.have_el3 ? !(scr(c) & Scr::kHce) || (s.el == 1 && is_secure(c)) : (hcr(c) & Hcr::kHcd);
        if (off)
          sync(syndrome_undefined());
        else
          take_exception(c, std::max(2u, s.el), VectorKind::Sync, syndrome(kEcHvc, c.svc_imm), false, 0, c.pc + 4);
        return ExitAction::Continue;
      }
      if (s.have_el2 && !hvc && s.el == 1 && (hcr(c) & Hcr::kTsc)) {  // SMC trapped to EL2, ELR at it
        take_exception(c, 2, VectorKind::Sync, syndrome(kEcSmc, c.svc_imm), false, 0, c.pc);
        return ExitAction::Continue;
      }
      // PSCI through the conduit (QEMU's psci-conduit) first; then SMC goes to EL3 (ELR past it)
      // unless SCR_EL3.SMD disables it; without EL3 it is UNDEFINED.
      uint64_t fn = c.x[0];
      if (s.hooks && s.hooks->psci) {
        uint64_t r = s.hooks->psci(reason == kExitHvc, fn, c.x[1], c.x[2], c.x[3]);
        if (r == kPsciCpuOff) {
          c.pc += 4;
          return ExitAction::CpuOff;
        }
        if (r != kPsciNotHandled) {
          c.x[0] = r;
          c.pc += 4;
          return ExitAction::Continue;
        }
      }
      if (!hvc && s.have_el3 && !(scr(c) & Scr::kSmd)) {
        take_exception(c, 3, VectorKind::Sync, syndrome(kEcSmc, c.svc_imm), false, 0, c.pc + 4);
        return ExitAction::Continue;
      }
      sync(syndrome_undefined());
      return ExitAction::Continue;
    }
    case kExitWfi:
    case kExitWfe: {
      bool wfi = reason == kExitWfi;
      // EL0's SCTLR.nTWI/nTWE: SCTLR_EL1's, SCTLR_EL2's under E2H+TGE, none under TGE alone.
      const bool tge = hcr(c) & Hcr::kTge;
      const uint64_t sctlr = R(c, e2h_tge_active(c) ? ArmReg::SCTLR_EL2 : ArmReg::SCTLR_EL1);
      // A WFI with an interrupt pending (masked or not) completes at once and so never traps (QEMU too).
      if (wfi && (s.lines.load() || (hcr(c) & (Hcr::kVi | Hcr::kVf)))) {
        c.pc += 4;
        return ExitAction::Continue;
      }
      if (s.el == 0 && (!tge || e2h_tge_active(c)) && !(sctlr & (wfi ? Sctlr::kNTWI : Sctlr::kNTWE))) {
        sync(syndrome(kEcWfx, wfi ? 0x1e00000 : 0x1e00001));
        return ExitAction::Continue;
      }
      if (s.el <= 1 && (hcr(c) & (wfi ? Hcr::kTwi : Hcr::kTwe))) {  // HCR_EL2.TWI/TWE
        take_exception(c, 2, VectorKind::Sync, syndrome(kEcWfx, wfi ? 0x1e00000 : 0x1e00001), false, 0, c.pc);
        return ExitAction::Continue;
      }
      if (s.el <= 2 && (scr(c) & (wfi ? Scr::kTwi : Scr::kTwe))) {  // SCR_EL3.TWI/TWE, after EL1's and EL2's
        take_exception(c, 3, VectorKind::Sync, syndrome(kEcWfx, wfi ? 0x1e00000 : 0x1e00001), false, 0, c.pc);
        return ExitAction::Continue;
      }
      c.pc += 4;
      return wfi ? ExitAction::Wfi : ExitAction::Wfe;
    }
    default: return ExitAction::Unhandled;
  }
}

}  // namespace mimic::arm
