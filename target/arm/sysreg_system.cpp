// AArch64 system registers in system mode: the table sysregs.inc declares, the CPU models' ID
// values, PSTATE save/restore, and MRS/MSR/MSR (immediate) as translated code's helpers do them.
#include "target/arm/sysreg_system.h"

#include <fmt/format.h>

#include <array>
#include <cstring>

#include "target/arm/excp.h"
#include "target/arm/mmu.h"
#include "tcg/exec/exec.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {

enum class Kind : uint8_t { Store, Id, Special };
struct RegInfo {
  const char* name;
  uint32_t enc;
  uint8_t read_el, write_el;
  Kind kind;
};
constexpr RegInfo kRegs[] = {
#define SR(name, op0, op1, crn, crm, op2, rel, wel, kind) \
  {#name, sysreg_enc(op0, op1, crn, crm, op2), rel, wel, Kind::kind},
#include "target/arm/sysregs.inc"
#undef SR
};
static_assert(std::size(kRegs) == kNumArmRegs);

// kRegs' index of each 16-bit encoding (0xff: none): the helpers look registers up several
// times per access, and a scan of the table was most of their cost.
static_assert(kNumArmRegs < 0xff);
constexpr auto kRegIndex = [] {
  std::array<uint8_t, 1u << 16> t{};
  t.fill(0xff);
  for (size_t i = 0; i < kNumArmRegs; ++i) t[kRegs[i].enc] = uint8_t(i);
  return t;
}();

int find_reg(uint32_t enc) {
  if (enc >= kRegIndex.size()) return -1;
  const uint8_t i = kRegIndex[enc];
  return i == 0xff ? -1 : int(i);
}

uint64_t& R(A64Cpu& c, ArmReg r) { return c.sys->r[size_t(r)]; }
constexpr uint32_t kSpEl1Enc = sysreg_enc(3, 4, 4, 1, 0);  // SP_EL1 (an EL2 register)
constexpr uint32_t kSpEl2Enc = sysreg_enc(3, 6, 4, 1, 0);  // SP_EL2 (an EL3 register)
// HCR_EL2 bits that change where exceptions and interrupts go (a write re-checks the lines).
constexpr uint64_t kHcrRouting = Hcr::kFmo | Hcr::kImo | Hcr::kAmo | Hcr::kVf | Hcr::kVi | Hcr::kTge;
uint64_t R(const A64Cpu& c, ArmReg r) { return c.sys->r[size_t(r)]; }

// The ID space op0=3 op1=0 CRn=0 CRm=1..7: the AArch32 and AArch64 ID registers; unallocated
// ones read as zero (the architecture reserves them RAZ).
bool is_id_space(uint32_t enc) {
  return (enc >> 7) == (sysreg_enc(3, 0, 0, 0, 0) >> 7) && ((enc >> 3) & 15) >= 1 && ((enc >> 3) & 15) <= 7;
}
uint64_t id_space_value(const A64Cpu& c, uint32_t enc) {
  const ArmCpuModel& m = *sys(c).model;
  unsigned crm = (enc >> 3) & 15, op2 = enc & 7;
  if (crm <= 3) return m.aarch32_id[(crm - 1) * 8 + op2];
  switch (crm * 8 + op2) {
    case 4 * 8 + 0:  // EL2 (AArch64 only) when the board has it
      return m.id_aa64pfr0 | (sys(c).gicv3 ? uint64_t(1) << 24 : 0) | (sys(c).have_el2 ? uint64_t(1) << 8 : 0) |
             (sys(c).have_el3 ? uint64_t(1) << 12 : 0);
    case 4 * 8 + 1: return m.id_aa64pfr1;
    case 5 * 8 + 0: return m.id_aa64dfr0;
    case 6 * 8 + 0: return m.id_aa64isar0;
    case 6 * 8 + 1: return m.id_aa64isar1;
    case 7 * 8 + 0: return m.id_aa64mmfr0;
    case 7 * 8 + 1: return m.id_aa64mmfr1;
    case 7 * 8 + 2: return m.id_aa64mmfr2;
    default: return 0;
  }
}

// Debug breakpoint/watchpoint registers DBG{B,W}{V,C}R<n>_EL1: op0=2 op1=0 CRn=0 CRm=n op2=4..7.
bool is_debug_bp(uint32_t enc, unsigned* n, unsigned* which) {
  if ((enc >> 7) != (sysreg_enc(2, 0, 0, 0, 0) >> 7)) return false;
  unsigned op2 = enc & 7;
  if (op2 < 4) return false;
  *n = (enc >> 3) & 15;
  *which = op2 - 4;
  return true;
}
unsigned num_breakpoints(const A64Cpu& c) { return unsigned((sys(c).model->id_aa64dfr0 >> 12) & 15) + 1; }
unsigned num_watchpoints(const A64Cpu& c) { return unsigned((sys(c).model->id_aa64dfr0 >> 20) & 15) + 1; }

// The GICv3 CPU interface's system registers: op0=3, CRn=12, CRm=8..12 (ICC_*, ICH_*), op1
// 0/4/6, and ICC_PMR_EL1 (S3_0_C4_C6_0).
bool is_gic_reg(uint32_t enc) {
  unsigned op0 = enc >> 14, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15;
  return (op0 == 3 && crn == 12 && crm >= 8) || enc == sysreg_enc(3, 0, 4, 6, 0);
}

// The accessing state as the GIC's CPU interface needs it (ArmCpuHooks::gic_read).
unsigned gic_access(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  if (!s.have_el3) return kGicAccessNsBank;
  const uint64_t scr = s.r[size_t(ArmReg::SCR_EL3)];
  return (is_secure(c) ? kGicAccessSecure : 0) | ((scr & Scr::kNs) ? kGicAccessNsBank : 0) |
         ((scr & Scr::kFiq) ? kGicAccessScrFiq : 0) | ((scr & Scr::kIrq) ? kGicAccessScrIrq : 0);
}

constexpr uint64_t kCpacrFpen = uint64_t(3) << 20;
constexpr uint64_t kCptrTfp = uint64_t(1) << 10;
constexpr uint32_t kTimerEnable = 1, kTimerImask = 2, kTimerIstatus = 4;

uint64_t counter(const A64Cpu& c) { return sys(c).read_counter ? sys(c).read_counter() : 0; }

// SCTLR_EL1, or SCTLR_EL2 for EL0 under E2H and TGE (the EL2&0 regime's controls).
uint64_t el0_sctlr(const A64Cpu& c) { return R(c, e2h_tge_active(c) ? ArmReg::SCTLR_EL2 : ArmReg::SCTLR_EL1); }

uint64_t timer_count(const A64Cpu& c, unsigned t) {
  return t == unsigned(ArmTimerId::Virt) ? counter(c) - sys(c).cntvoff : counter(c);
}
// CNTPS_*: EL3, and Secure EL1 (which SCR_EL3.ST may trap to EL3); UNDEFINED elsewhere.
bool secure_timer_reachable(const A64Cpu& c) { return sys(c).el == 3 || (sys(c).el == 1 && is_secure(c)); }

uint64_t timer_ctl(const A64Cpu& c, unsigned t) {
  uint64_t ctl = sys(c).cnt_ctl[t] & (kTimerEnable | kTimerImask);
  if ((ctl & kTimerEnable) && timer_count(c, t) >= sys(c).cnt_cval[t]) ctl |= kTimerIstatus;
  return ctl;
}

// CNT{P,V,HP}_{TVAL,CTL,CVAL}: which timer (ArmTimerId) and which of its registers.
enum class TimerField { Tval, Ctl, Cval };
bool timer_reg(ArmReg r, unsigned* t, TimerField* f) {
  switch (r) {
    case ArmReg::CNTP_TVAL_EL0: *t = 0, *f = TimerField::Tval; return true;
    case ArmReg::CNTP_CTL_EL0: *t = 0, *f = TimerField::Ctl; return true;
    case ArmReg::CNTP_CVAL_EL0: *t = 0, *f = TimerField::Cval; return true;
    case ArmReg::CNTV_TVAL_EL0: *t = 1, *f = TimerField::Tval; return true;
    case ArmReg::CNTV_CTL_EL0: *t = 1, *f = TimerField::Ctl; return true;
    case ArmReg::CNTV_CVAL_EL0: *t = 1, *f = TimerField::Cval; return true;
    case ArmReg::CNTHP_TVAL_EL2: *t = 2, *f = TimerField::Tval; return true;
    case ArmReg::CNTHP_CTL_EL2: *t = 2, *f = TimerField::Ctl; return true;
    case ArmReg::CNTHP_CVAL_EL2: *t = 2, *f = TimerField::Cval; return true;
    case ArmReg::CNTPS_TVAL_EL1: *t = 3, *f = TimerField::Tval; return true;
    case ArmReg::CNTPS_CTL_EL1: *t = 3, *f = TimerField::Ctl; return true;
    case ArmReg::CNTPS_CVAL_EL1: *t = 3, *f = TimerField::Cval; return true;
    case ArmReg::CNTHV_TVAL_EL2: *t = 4, *f = TimerField::Tval; return true;
    case ArmReg::CNTHV_CTL_EL2: *t = 4, *f = TimerField::Ctl; return true;
    case ArmReg::CNTHV_CVAL_EL2: *t = 4, *f = TimerField::Cval; return true;
    default: return false;
  }
}

uint64_t timer_read(const A64Cpu& c, unsigned t, TimerField f) {
  switch (f) {
    case TimerField::Ctl: return timer_ctl(c, t);
    case TimerField::Cval: return sys(c).cnt_cval[t];
    case TimerField::Tval: break;
  }
  return uint64_t(int64_t(int32_t(uint32_t(sys(c).cnt_cval[t] - timer_count(c, t))))) & 0xffffffff;
}

void timers_changed(A64Cpu& c);
void timer_write(A64Cpu& c, unsigned t, TimerField f, uint64_t v) {
  ArmSysState& s = sys(c);
  switch (f) {
    case TimerField::Ctl: s.cnt_ctl[t] = v & (kTimerEnable | kTimerImask); break;
    case TimerField::Cval: s.cnt_cval[t] = v; break;
    case TimerField::Tval: s.cnt_cval[t] = timer_count(c, t) + uint64_t(int64_t(int32_t(uint32_t(v)))); break;
  }
  timers_changed(c);
}

void timers_changed(A64Cpu& c) {
  if (sys(c).timers_changed) sys(c).timers_changed();
}

// The deferred flush of this CPU's TLB (done by its loop before the next block).
void request_local_flush(A64Cpu& c) {
  if (sys(c).tlb_flush_all) sys(c).tlb_flush_all();
}

// An interrupt line that DAIF now lets through: leave translated code so the loop takes it.
void check_unmasked_irq(A64Cpu& c) {
  if (irq_pending(c)) c.exit_request.store(1);
}

void raise_undefined(A64Cpu& c, uint64_t pc) {
  c.pc = pc;
  record_exception(c, exception_target_el(c), syndrome_undefined());
  tcg::cpu_loop_exit(&c, kExitException);
}
void raise_sysreg_trap(A64Cpu& c, unsigned target_el, uint32_t enc, bool read, unsigned rt, uint64_t pc) {
  c.pc = pc;
  record_exception(c, target_el, syndrome_sysreg_trap(enc, read, rt));
  tcg::cpu_loop_exit(&c, kExitException);
}

// EL0 accesses that SCTLR_EL1/CNTKCTL_EL1/PMUSERENR_EL0 (SCTLR_EL2/CNTHCTL_EL2 under E2H and
// TGE) may disable: true when this one traps.
bool el0_trapped(const A64Cpu& c, ArmReg r) {
  uint64_t sctlr = el0_sctlr(c), kctl = el0_timer_controls(c);
  switch (r) {
    case ArmReg::CTR_EL0: return !(sctlr & Sctlr::kUCT);
    case ArmReg::DAIF: return !(sctlr & Sctlr::kUMA);
    case ArmReg::CNTPCT_EL0: return !(kctl & 1);
    case ArmReg::CNTVCT_EL0: return !(kctl & 3);
    case ArmReg::CNTFRQ_EL0: return !(kctl & 3);
    case ArmReg::CNTP_CTL_EL0:
    case ArmReg::CNTP_CVAL_EL0:
    case ArmReg::CNTP_TVAL_EL0: return !(kctl & (1u << 9));
    case ArmReg::CNTV_CTL_EL0:
    case ArmReg::CNTV_CVAL_EL0:
    case ArmReg::CNTV_TVAL_EL0: return !(kctl & (1u << 8));
    case ArmReg::PMSELR_EL0: return !(R(c, ArmReg::PMUSERENR_EL0) & 1);  // the other PMU registers: pmu.cpp
    default: return false;
  }
}

// An EL0 access that traps to EL1 (EC 0x18) rather than running.
bool el0_access_traps(const A64Cpu& c, uint32_t enc, bool read) {
  if (is_pmu_reg(enc)) return pmu_el0_trapped(c, enc, read);
  int i = find_reg(enc);
  return i >= 0 && el0_trapped(c, ArmReg(i));
}

// HCR_EL2 as it applies: 0 without EL2 (and for EL0 under TGE, whose EL1 controls do not apply).
uint64_t el2_traps(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  if (s.el > 1) return 0;
  const uint64_t h = hcr_el2_effective(c);
  return s.el == 0 && (h & Hcr::kTge) ? 0 : h;
}

// An EL0/EL1 access that HCR_EL2 (TVM, TRVM, TACR, TID1-3) or CNTHCTL_EL2 (EL1PCTEN, EL1PCEN)
// traps to EL2 (EC 0x18). EL0's own controls (el0_access_traps, to EL1) come first.
bool el2_access_traps(const A64Cpu& c, uint32_t enc, bool read) {
  const ArmSysState& s = sys(c);
  if (!s.have_el2 || s.el > 1 || is_secure(c) || (s.el == 0 && (R(c, ArmReg::HCR_EL2) & Hcr::kTge))) return false;
  // CNTHCTL_EL2.EL1PCTEN/EL1PCEN: bits 0/1, or 10/11 in the E2H layout.
  const uint64_t h = el2_traps(c), cnthctl = R(c, ArmReg::CNTHCTL_EL2) >> ((h & Hcr::kE2h) ? 10 : 0);
  if (is_id_space(enc)) return s.el == 1 && (h & Hcr::kTid3);
  const int i = find_reg(enc);
  if (i < 0) return false;
  switch (ArmReg(i)) {
    case ArmReg::CNTPCT_EL0: return !(cnthctl & 1);
    case ArmReg::CNTP_CTL_EL0:
    case ArmReg::CNTP_CVAL_EL0:
    case ArmReg::CNTP_TVAL_EL0: return !(cnthctl & 2);
    case ArmReg::CTR_EL0: return h & Hcr::kTid2;
    default: break;
  }
  if (s.el != 1) return false;
  switch (ArmReg(i)) {
    case ArmReg::SCTLR_EL1:
    case ArmReg::TTBR0_EL1:
    case ArmReg::TTBR1_EL1:
    case ArmReg::TCR_EL1:
    case ArmReg::ESR_EL1:
    case ArmReg::FAR_EL1:
    case ArmReg::AFSR0_EL1:
    case ArmReg::AFSR1_EL1:
    case ArmReg::MAIR_EL1:
    case ArmReg::AMAIR_EL1:
    case ArmReg::CONTEXTIDR_EL1: return h & (read ? Hcr::kTrvm : Hcr::kTvm);
    case ArmReg::ACTLR_EL1: return h & Hcr::kTacr;
    case ArmReg::REVIDR_EL1:
    case ArmReg::AIDR_EL1: return h & Hcr::kTid1;
    case ArmReg::CCSIDR_EL1:
    case ArmReg::CLIDR_EL1:
    case ArmReg::CSSELR_EL1: return h & Hcr::kTid2;
    default: return false;
  }
}

// EL1's and EL2's accesses to the ICC_* registers of a group whose physical interrupts
// SCR_EL3.FIQ (Group 0) or SCR_EL3.IRQ (Group 1) take to EL3, unless HCR_EL2.FMO/IMO give EL1
// the virtual interface; the registers of both groups trap with both routed (IHI0069 12.1.8).
bool gic_el3_traps(const A64Cpu& c, uint32_t enc) {
  const ArmSysState& s = sys(c);
  if (!s.gicv3 || !s.have_el3 || s.el == 0 || s.el == 3 || !is_gic_reg(enc) || ((enc >> 11) & 7) != 0) return false;
  const unsigned crm = (enc >> 3) & 15, op2 = enc & 7;
  const bool group0 = crm == 8 || (crm == 12 && op2 == 6);
  const bool group1 = crm == 9 || (crm == 12 && op2 != 4 && op2 != 5 && op2 != 6);
  if (crm == 12 && op2 == 5) return false;  // ICC_SRE_EL1
  const uint64_t scr = R(c, ArmReg::SCR_EL3), h = s.el == 1 ? hcr_el2_effective(c) : 0;
  if (group0) return (scr & Scr::kFiq) && !(h & Hcr::kFmo);
  if (group1) return (scr & Scr::kIrq) && !(h & Hcr::kImo);
  return (scr & Scr::kFiq) && (scr & Scr::kIrq) && !(h & (Hcr::kFmo | Hcr::kImo));
}

// Secure EL1's access to the Secure physical timer without SCR_EL3.ST, and the GIC's traps
// (gic_el3_traps): trapped to EL3.
bool el3_access_traps(const A64Cpu& c, uint32_t enc) {
  const ArmSysState& s = sys(c);
  if (gic_el3_traps(c, enc)) return true;
  if (s.el != 1 || !is_secure(c) || (R(c, ArmReg::SCR_EL3) & Scr::kSt)) return false;
  const int i = find_reg(enc);
  return i == int(ArmReg::CNTPS_CTL_EL1) || i == int(ArmReg::CNTPS_CVAL_EL1) || i == int(ArmReg::CNTPS_TVAL_EL1);
}

// DC/IC/TLBI (op = op1:CRn:CRm:op2) that HCR_EL2 traps to EL2: TSW (DC by set/way), TPCP (DC
// to the PoC), TPU (DC/IC to the PoU), TTLB (TLBI at EL1).
constexpr uint32_t kSysOp0 = 1u << 14;  // SYS's op0 in a trap syndrome
bool el2_sys_op_traps(const A64Cpu& c, uint32_t op) {
  const uint64_t h = el2_traps(c);
  if (!h) return false;
  const bool el1 = sys(c).el == 1;
  const unsigned op1 = op >> 11, crn = (op >> 7) & 15, crm = (op >> 3) & 15, op2 = op & 7;
  if (crn == 8) return el1 && op1 == 0 && (h & Hcr::kTtlb);
  if (crn != 7) return false;
  if (op1 == 0 && op2 == 2 && (crm == 6 || crm == 10 || crm == 14)) return el1 && (h & Hcr::kTsw);
  const bool poc = (op1 == 0 && crm == 6 && op2 == 1) ||
                   (op1 == 3 && op2 == 1 && (crm == 10 || crm == 14 || crm == 12 || crm == 13));
  const bool pou =
      (op1 == 3 && op2 == 1 && (crm == 11 || crm == 5)) || (op1 == 0 && op2 == 0 && (crm == 5 || crm == 1));
  return (poc && (h & Hcr::kTpcp)) || (pou && (h & Hcr::kTpu));
}

}  // namespace

bool is_secure(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  return s.have_el3 && (s.el == 3 || !(s.r[size_t(ArmReg::SCR_EL3)] & Scr::kNs));
}

uint64_t hcr_el2_effective(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  return s.have_el2 && !is_secure(c) ? s.r[size_t(ArmReg::HCR_EL2)] : 0;
}

bool has_vhe(const A64Cpu& c) { return ((sys(c).model->id_aa64mmfr1 >> 8) & 15) != 0; }
bool e2h_active(const A64Cpu& c) { return hcr_el2_effective(c) & Hcr::kE2h; }
bool e2h_tge_active(const A64Cpu& c) {
  const uint64_t h = hcr_el2_effective(c);
  return (h & Hcr::kE2h) && (h & Hcr::kTge);
}

unsigned fp_trap_el(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  const uint64_t h = hcr_el2_effective(c);
  const bool tge = h & Hcr::kTge;
  // CPACR_EL1.FPEN: 0b01 traps EL0 only, 0b00/0b10 trap EL0 and EL1 (not EL0 under TGE).
  const unsigned fpen = unsigned(R(c, ArmReg::CPACR_EL1) >> 20) & 3;
  if (s.el <= 1 && !(s.el == 0 && tge) && (fpen == 0 || fpen == 2 || (fpen == 1 && s.el == 0)))
    return s.el == 0 && tge ? 2 : 1;
  if (s.have_el2 && s.el <= 2 && !is_secure(c)) {
    const uint64_t cptr = R(c, ArmReg::CPTR_EL2);
    if (h & Hcr::kE2h) {
      // The CPACR layout: FPEN 0b00/0b10 trap EL0-EL2, 0b01 EL0 under TGE.
      const unsigned fpen2 = unsigned(cptr >> 20) & 3;
      if (fpen2 == 0 || fpen2 == 2 || (fpen2 == 1 && tge && s.el == 0)) return 2;
    } else if (cptr & kCptrTfp) {
      return 2;
    }
  }
  if (s.have_el3 && (R(c, ArmReg::CPTR_EL3) & kCptrTfp)) return 3;  // CPTR_EL3.TFP: every EL
  return 0;
}

uint64_t effective_cntvoff(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  if ((s.el == 2 && e2h_active(c)) || (s.el == 0 && e2h_tge_active(c))) return 0;
  return s.cntvoff;
}

uint64_t el0_timer_controls(const A64Cpu& c) {
  return e2h_tge_active(c) ? R(c, ArmReg::CNTHCTL_EL2) & 0x3ff : R(c, ArmReg::CNTKCTL_EL1);
}

namespace {
constexpr uint32_t kNoReg = ~0u;  // vhe_redirect: the access is UNDEFINED
constexpr unsigned kOp1Shift = 11;
constexpr uint32_t kOp1Mask = 7u << kOp1Shift;

// The EL1 (and EL0 timer) registers E2H redirects at EL2 to their EL2 counterparts, and which
// the *_EL12/*_EL02 encodings (op1 = 5) reach from EL2.
ArmReg vhe_el2_counterpart(ArmReg r) {
  switch (r) {
    case ArmReg::SCTLR_EL1: return ArmReg::SCTLR_EL2;
    case ArmReg::CPACR_EL1: return ArmReg::CPTR_EL2;
    case ArmReg::TTBR0_EL1: return ArmReg::TTBR0_EL2;
    case ArmReg::TTBR1_EL1: return ArmReg::TTBR1_EL2;
    case ArmReg::TCR_EL1: return ArmReg::TCR_EL2;
    case ArmReg::SPSR_EL1: return ArmReg::SPSR_EL2;
    case ArmReg::ELR_EL1: return ArmReg::ELR_EL2;
    case ArmReg::AFSR0_EL1: return ArmReg::AFSR0_EL2;
    case ArmReg::AFSR1_EL1: return ArmReg::AFSR1_EL2;
    case ArmReg::ESR_EL1: return ArmReg::ESR_EL2;
    case ArmReg::FAR_EL1: return ArmReg::FAR_EL2;
    case ArmReg::MAIR_EL1: return ArmReg::MAIR_EL2;
    case ArmReg::AMAIR_EL1: return ArmReg::AMAIR_EL2;
    case ArmReg::VBAR_EL1: return ArmReg::VBAR_EL2;
    case ArmReg::CONTEXTIDR_EL1: return ArmReg::CONTEXTIDR_EL2;
    case ArmReg::CNTKCTL_EL1: return ArmReg::CNTHCTL_EL2;
    case ArmReg::CNTP_TVAL_EL0: return ArmReg::CNTHP_TVAL_EL2;
    case ArmReg::CNTP_CTL_EL0: return ArmReg::CNTHP_CTL_EL2;
    case ArmReg::CNTP_CVAL_EL0: return ArmReg::CNTHP_CVAL_EL2;
    case ArmReg::CNTV_TVAL_EL0: return ArmReg::CNTHV_TVAL_EL2;
    case ArmReg::CNTV_CTL_EL0: return ArmReg::CNTHV_CTL_EL2;
    case ArmReg::CNTV_CVAL_EL0: return ArmReg::CNTHV_CVAL_EL2;
    default: return ArmReg::kCount;
  }
}
// An op1 = 5 encoding (*_EL12, *_EL02): the EL1 or EL0 register it names, or kCount.
ArmReg vhe_el12_target(uint32_t enc) {
  if ((enc >> 14) != 3 || (enc & kOp1Mask) != (5u << kOp1Shift)) return ArmReg::kCount;
  const bool timer = ((enc >> 7) & 15) == 14 && (((enc >> 3) & 15) == 2 || ((enc >> 3) & 15) == 3);
  const int i = find_reg((enc & ~kOp1Mask) | ((timer ? 3u : 0u) << kOp1Shift));
  if (i < 0 || vhe_el2_counterpart(ArmReg(i)) == ArmReg::kCount) return ArmReg::kCount;
  return ArmReg(i);
}

// The register an access at the current EL reaches under VHE: with E2H at EL2 the EL1
// encodings name the EL2 registers and the *_EL12 ones the EL1 registers (UNDEFINED without
// E2H); at EL0 under E2H and TGE the EL1 timers are the EL2 ones.
uint32_t vhe_redirect(const A64Cpu& c, uint32_t enc) {
  const ArmSysState& s = sys(c);
  const ArmReg el1 = vhe_el12_target(enc);
  if (el1 != ArmReg::kCount) return s.el >= 2 && (R(c, ArmReg::HCR_EL2) & Hcr::kE2h) ? kRegs[size_t(el1)].enc : kNoReg;
  if (s.el == 1 || s.el == 3 || !e2h_active(c)) return enc;
  const int i = find_reg(enc);
  if (i < 0) return enc;
  const ArmReg el2 = vhe_el2_counterpart(ArmReg(i));
  if (el2 == ArmReg::kCount) return enc;
  if (s.el == 0) {  // EL0 under E2H+TGE reaches the EL2 timers; its other registers stay
    const bool timer = ArmReg(i) >= ArmReg::CNTP_TVAL_EL0 && ArmReg(i) <= ArmReg::CNTV_CVAL_EL0;
    return timer && e2h_tge_active(c) ? kRegs[size_t(el2)].enc : enc;
  }
  return kRegs[size_t(el2)].enc;
}
}  // namespace

void enter_nonsecure(A64Cpu& c, unsigned el) {
  ArmSysState& s = sys(c);
  s.r[size_t(ArmReg::SCR_EL3)] |= Scr::kNs | Scr::kRw | (s.have_el2 ? Scr::kHce : 0);
  set_el_sp(c, el, 1);
}

std::string sysreg_name(uint32_t enc) {
  int i = find_reg(enc);
  if (i >= 0) return kRegs[i].name;
  return fmt::format("S{}_{}_C{}_C{}_{}", enc >> 14, (enc >> 11) & 7, (enc >> 7) & 15, (enc >> 3) & 15, enc & 7);
}

uint64_t read_pstate(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  return uint64_t(get_nzcv(c)) | s.pstate | (uint64_t(s.el) << 2) | s.spsel;
}

void write_pstate(A64Cpu& c, uint64_t spsr) {
  set_nzcv(c, uint32_t(spsr) & 0xf0000000u);
  ArmSysState& s = sys(c);
  uint64_t keep = Pstate::kDaif | Pstate::kSSBS | Pstate::kSS | Pstate::kIL | Pstate::kDIT;
  if (s.model->pan) keep |= Pstate::kPAN;
  if (s.model->uao) keep |= Pstate::kUAO;
  s.pstate = spsr & keep;
  set_el_sp(c, unsigned(spsr >> 2) & 3, unsigned(spsr) & 1);
}

void set_el_sp(A64Cpu& c, unsigned el, unsigned spsel) {
  ArmSysState& s = sys(c);
  unsigned old_bank = s.spsel ? s.el : 0, new_bank = spsel ? el : 0;
  if (old_bank != new_bank) {
    s.sp_el[old_bank] = c.sp;
    c.sp = s.sp_el[new_bank];
  }
  s.el = el;
  s.spsel = spsel;
  update_tb_flags(c);
  report_gic_world(c);
}

void report_gic_world(A64Cpu& c, bool force) {
  ArmSysState& s = sys(c);
  if (!s.gicv3 || !s.have_el3 || !s.hooks || !s.hooks->gic_world) return;
  uint8_t w = uint8_t(s.el == 3 ? kGicWorldEl3 : is_secure(c) ? kGicWorldSecureEl1 : kGicWorldNonSecure);
  if (w == s.gic_world && !force) return;
  s.gic_world = w;
  s.hooks->gic_world(w);
}

void update_tb_flags(A64Cpu& c) {
  const ArmSysState& s = sys(c);
  uint32_t f = c.tb_flags & kTbFpcrMask;
  f |= s.el << kTbElShift;
  f |= data_mmu_index(c) << kTbMmuShift;
  if (fp_trap_el(c)) f |= kTbFpTrap;  // the exit asks fp_trap_el where
  if (el2_traps(c) & (Hcr::kTpcp | Hcr::kTpu)) f |= kTbCacheTrap;
  if (guest_breakpoints_armed(c)) f |= kTbGuestBp;
  if (e2h_tge_active(c)) f |= kTbEl2Host;
  if (s.el >= 1 && s.spsel == 0) f |= kTbSpSel0;
  if (s.el <= 1 && hcr_el2_effective(c) != 0) f |= kTbHypControls;
  c.tb_flags = f;
}

void sysreg_reset(A64Cpu& c, const ArmCpuModel& model, uint64_t mpidr) {
  ArmSysState& s = sys(c);
  s.model = &model;
  s.mpidr = mpidr;
  s.ctr_el0 = model.ctr;
  s.dczid_el0 = model.dczid;
  std::memset(s.r, 0, sizeof s.r);
  std::memset(s.sp_el, 0, sizeof s.sp_el);
  std::memset(s.dbg_bvr, 0, sizeof s.dbg_bvr);
  std::memset(s.dbg_bcr, 0, sizeof s.dbg_bcr);
  std::memset(s.dbg_wvr, 0, sizeof s.dbg_wvr);
  std::memset(s.dbg_wcr, 0, sizeof s.dbg_wcr);
  s.claim = 0;
  pmu_reset(c);
  s.oslk = true;
  s.cntvoff = 0;
  std::memset(s.cnt_ctl, 0, sizeof s.cnt_ctl);
  std::memset(s.cnt_cval, 0, sizeof s.cnt_cval);
  s.exc_syndrome = 0;
  s.event.store(false);
  R(c, ArmReg::SCTLR_EL1) = model.reset_sctlr;
  R(c, ArmReg::MDSCR_EL1) = 0;
  R(c, ArmReg::VPIDR_EL2) = model.midr;
  R(c, ArmReg::VMPIDR_EL2) = mpidr;
  R(c, ArmReg::SCTLR_EL2) = kSctlrEl2Reset;
  R(c, ArmReg::CPTR_EL2) = kCptrEl2Reset;
  R(c, ArmReg::CNTHCTL_EL2) = kCnthctlEl2Reset;
  R(c, ArmReg::SCTLR_EL3) = kSctlrEl3Reset;
  R(c, ArmReg::SCR_EL3) = kScrEl3Reset;
  c.sp = 0;
  s.el = s.have_el3 ? 3 : s.have_el2 ? 2 : 1;  // the highest EL this CPU has
  s.spsel = 1;
  s.pstate = Pstate::kDaif;
  c.excl_addr = ~0ull;
  update_tb_flags(c);
}

SysregCheck sysreg_accessible(uint32_t enc, unsigned el, bool write, bool gicv3) {
  if (is_gic_reg(enc)) return gicv3 && el >= 1 ? SysregCheck::Ok : SysregCheck::Undefined;
  if (is_id_space(enc)) return !write && el >= 1 ? SysregCheck::Ok : SysregCheck::Undefined;
  unsigned n, which;
  if (is_debug_bp(enc, &n, &which)) return el >= 1 ? SysregCheck::Ok : SysregCheck::Undefined;
  // *_EL12/*_EL02: from EL2 up (the helper checks HCR_EL2.E2H).
  if (vhe_el12_target(enc) != ArmReg::kCount) return el >= 2 ? SysregCheck::Ok : SysregCheck::Undefined;
  int i = find_reg(enc);
  if (i < 0 && is_pmu_reg(enc)) return SysregCheck::Ok;  // PMEVCNTR<n>/PMEVTYPER<n>: pmu.cpp decides
  if (i < 0) return SysregCheck::Undefined;
  unsigned need = write ? kRegs[i].write_el : kRegs[i].read_el;
  return el >= need ? SysregCheck::Ok : SysregCheck::Undefined;
}

bool sysreg_write_ends_block(uint32_t enc) {
  unsigned n, which;
  if (is_debug_bp(enc, &n, &which)) return true;  // the soft-MMU's watch list or kTbGuestBp changes
  switch (find_reg(enc)) {
    case int(ArmReg::MDSCR_EL1):
    case int(ArmReg::OSLAR_EL1):
    case int(ArmReg::SCTLR_EL1):
    case int(ArmReg::CPACR_EL1):
    case int(ArmReg::TTBR0_EL1):
    case int(ArmReg::TTBR1_EL1):
    case int(ArmReg::TCR_EL1):
    case int(ArmReg::SP_EL0):
    case int(ArmReg::SPSEL):
    case int(ArmReg::PAN):
    case int(ArmReg::UAO):
    case int(ArmReg::DAIF):
    case int(ArmReg::SCTLR_EL2):
    case int(ArmReg::HCR_EL2):
    case int(ArmReg::CPTR_EL2):
    case int(ArmReg::TTBR0_EL2):
    case int(ArmReg::TTBR1_EL2):
    case int(ArmReg::TCR_EL2):
    case int(ArmReg::VTTBR_EL2):
    case int(ArmReg::VTCR_EL2):
    case int(ArmReg::CNTVOFF_EL2):
    case int(ArmReg::CNTKCTL_EL1):
    case int(ArmReg::CNTP_CTL_EL0):
    case int(ArmReg::CNTV_CTL_EL0):
    case int(ArmReg::CNTP_CVAL_EL0):
    case int(ArmReg::CNTV_CVAL_EL0):
    case int(ArmReg::CNTP_TVAL_EL0):
    case int(ArmReg::CNTV_TVAL_EL0):
    case int(ArmReg::CNTHP_CTL_EL2):
    case int(ArmReg::CNTHP_CVAL_EL2):
    case int(ArmReg::CNTHP_TVAL_EL2):
    case int(ArmReg::CNTHV_CTL_EL2):
    case int(ArmReg::CNTHV_CVAL_EL2):
    case int(ArmReg::CNTHV_TVAL_EL2):
    case int(ArmReg::SCTLR_EL3):
    case int(ArmReg::SCR_EL3):
    case int(ArmReg::CPTR_EL3):
    case int(ArmReg::TTBR0_EL3):
    case int(ArmReg::TCR_EL3):
    case int(ArmReg::CNTPS_CTL_EL1):
    case int(ArmReg::CNTPS_CVAL_EL1):
    case int(ArmReg::CNTPS_TVAL_EL1): return true;
    default: return is_gic_reg(enc);  // an EOI or priority mask change may let an interrupt in
  }
}

InlineSysreg sysreg_inline(uint32_t enc, unsigned el, uint32_t tb_flags, bool write) {
  // EL1 outside HCR_EL2's reach only: EL0 has its own controls (SCTLR_EL1.UCT, DZE...), EL2 and
  // EL3 VHE's redirection; the GIC, ID, debug and PMU registers are computed.
  unsigned n, which;
  if (el != 1 || (tb_flags & kTbHypControls) || is_gic_reg(enc) || is_id_space(enc) || is_pmu_reg(enc) ||
      is_debug_bp(enc, &n, &which))
    return {};
  const int i = find_reg(enc);
  if (i < 0) return {};
  auto field = [](size_t off) { return InlineSysreg{InlineSysreg::kField, sys_state_offset(off), ~0ull}; };
  const size_t value = offsetof(ArmSysState, r) + 8 * size_t(i);
  if (kRegs[i].kind == Kind::Store) return field(value);  // read_named/write_named: the value itself
  switch (ArmReg(i)) {
    case ArmReg::SP_EL0: return tb_flags & kTbSpSel0 ? InlineSysreg{} : field(offsetof(ArmSysState, sp_el));
    case ArmReg::DAIF:
      return {InlineSysreg::kDaif, sys_state_offset(offsetof(ArmSysState, pstate)), uint64_t(Pstate::kDaif)};
    default: break;
  }
  if (write) return {};
  switch (ArmReg(i)) {  // read as the value their writes (with side effects) stored
    case ArmReg::SCTLR_EL1:
    case ArmReg::CPACR_EL1:
    case ArmReg::TTBR0_EL1:
    case ArmReg::TTBR1_EL1:
    case ArmReg::TCR_EL1:
    case ArmReg::VBAR_EL1:
    case ArmReg::TPIDRRO_EL0:
    case ArmReg::CNTKCTL_EL1:
    case ArmReg::MDSCR_EL1: return field(value);
    case ArmReg::CTR_EL0: return field(offsetof(ArmSysState, ctr_el0));
    case ArmReg::DCZID_EL0: return field(offsetof(ArmSysState, dczid_el0));  // EL0's DZE does not apply
    default: return {};
  }
}

namespace {
// MRS/MSR of the register `enc` names (after VHE's redirection; the debugger's view as it is).
bool read_named(A64Cpu& c, uint32_t enc, uint64_t& v);
bool write_named(A64Cpu& c, uint32_t enc, uint64_t v);
}  // namespace

bool sysreg_read(A64Cpu& c, uint32_t enc, uint64_t& v) {
  enc = vhe_redirect(c, enc);
  return enc != kNoReg && read_named(c, enc, v);
}
bool sysreg_write(A64Cpu& c, uint32_t enc, uint64_t v) {
  enc = vhe_redirect(c, enc);
  return enc != kNoReg && write_named(c, enc, v);
}

namespace {
bool read_named(A64Cpu& c, uint32_t enc, uint64_t& v) {
  ArmSysState& s = sys(c);
  if (is_gic_reg(enc)) return s.hooks && s.hooks->gic_read && s.hooks->gic_read(enc, s.el, gic_access(c), v);
  if (is_id_space(enc)) {
    v = id_space_value(c, enc);
    return true;
  }
  unsigned n, which;
  if (is_debug_bp(enc, &n, &which)) {
    unsigned limit = which < 2 ? num_breakpoints(c) : num_watchpoints(c);
    if (n >= limit) return false;
    uint64_t* regs[] = {s.dbg_bvr, s.dbg_bcr, s.dbg_wvr, s.dbg_wcr};
    v = regs[which][n];
    return true;
  }
  if (is_pmu_reg(enc)) return pmu_read(c, enc, v);
  int i = find_reg(enc);
  if (i < 0) return false;
  ArmReg r = ArmReg(i);
  const ArmCpuModel& m = *s.model;
  if (kRegs[i].kind == Kind::Store) {
    v = s.r[i];
    return true;
  }
  unsigned timer;
  TimerField field;
  if (timer_reg(r, &timer, &field)) {
    if (timer == unsigned(ArmTimerId::SecurePhys) && !secure_timer_reachable(c)) return false;
    v = timer_read(c, timer, field);
    return true;
  }
  switch (r) {
    // EL1 reads the virtualized identity EL2 gives it.
    case ArmReg::MIDR_EL1: v = s.have_el2 && s.el == 1 && !is_secure(c) ? R(c, ArmReg::VPIDR_EL2) : m.midr; return true;
    case ArmReg::MPIDR_EL1:
      v = s.have_el2 && s.el == 1 && !is_secure(c) ? R(c, ArmReg::VMPIDR_EL2) : s.mpidr;
      return true;
    case ArmReg::REVIDR_EL1: v = m.revidr; return true;
    case ArmReg::CTR_EL0: v = m.ctr; return true;
    case ArmReg::DCZID_EL0: v = m.dczid | (s.el == 0 && !(el0_sctlr(c) & Sctlr::kDZE) ? 16 : 0); return true;
    case ArmReg::CLIDR_EL1: v = m.clidr; return true;
    case ArmReg::AIDR_EL1: v = m.aidr; return true;
    case ArmReg::CCSIDR_EL1: {
      unsigned sel = unsigned(R(c, ArmReg::CSSELR_EL1)) & 0xf;  // Level:InD
      v = sel < 3 ? m.ccsidr[sel] : 0;
      return true;
    }
    case ArmReg::SCTLR_EL1:
    case ArmReg::CPACR_EL1:
    case ArmReg::TTBR0_EL1:
    case ArmReg::TTBR1_EL1:
    case ArmReg::TCR_EL1:
    case ArmReg::VBAR_EL1:
    case ArmReg::TPIDRRO_EL0:
    case ArmReg::CNTKCTL_EL1:
    case ArmReg::CNTHCTL_EL2:
    case ArmReg::SCTLR_EL2:
    case ArmReg::HCR_EL2:
    case ArmReg::CPTR_EL2:
    case ArmReg::TTBR0_EL2:
    case ArmReg::TTBR1_EL2:
    case ArmReg::TCR_EL2:
    case ArmReg::VTTBR_EL2:
    case ArmReg::VTCR_EL2:
    case ArmReg::VBAR_EL2:
    case ArmReg::SCTLR_EL3:
    case ArmReg::SCR_EL3:
    case ArmReg::CPTR_EL3:
    case ArmReg::TTBR0_EL3:
    case ArmReg::TCR_EL3:
    case ArmReg::VBAR_EL3: v = s.r[i]; return true;
    case ArmReg::RVBAR_EL3: v = 0; return true;        // QEMU virt's reset vector: the flash base
    case ArmReg::SP_EL1: v = s.sp_el[1]; return true;  // never the live SP at EL2
    case ArmReg::SP_EL2: v = s.sp_el[2]; return true;  // never the live SP at EL3
    case ArmReg::MDSCR_EL1: v = s.r[i]; return true;
    case ArmReg::CNTVOFF_EL2: v = s.cntvoff; return true;
    case ArmReg::TPIDR_EL0: v = c.tpidr_el0; return true;
    case ArmReg::SP_EL0:
      if (s.spsel == 0) return false;  // MRS SP_EL0 with SP_EL0 selected is UNDEFINED
      v = s.sp_el[0];
      return true;
    case ArmReg::SPSEL: v = s.spsel; return true;
    case ArmReg::CURRENTEL: v = uint64_t(s.el) << 2; return true;
    case ArmReg::PAN:
      if (!m.pan) return false;
      v = s.pstate & Pstate::kPAN;
      return true;
    case ArmReg::UAO:
      if (!m.uao) return false;
      v = s.pstate & Pstate::kUAO;
      return true;
    case ArmReg::DAIF: v = s.pstate & Pstate::kDaif; return true;
    case ArmReg::DIT: v = s.pstate & Pstate::kDIT; return true;
    case ArmReg::SSBS: v = s.pstate & Pstate::kSSBS; return true;
    case ArmReg::ISR_EL1: {
      uint32_t lines = s.lines.load();
      v = ((lines & 1) ? 0x80 : 0) | ((lines & 2) ? 0x40 : 0);
      return true;
    }
    case ArmReg::CNTFRQ_EL0: v = kSystemCntfrq; return true;
    case ArmReg::CNTPCT_EL0: v = counter(c); return true;
    case ArmReg::CNTVCT_EL0: v = counter(c) - effective_cntvoff(c); return true;
    case ArmReg::OSLSR_EL1: v = 0x8 | (s.oslk ? 2 : 0); return true;  // OSLM = 0b10: the OS lock is implemented
    case ArmReg::DBGCLAIMSET_EL1: v = 0xff; return true;
    case ArmReg::DBGCLAIMCLR_EL1: v = s.claim; return true;
    case ArmReg::DBGAUTHSTATUS_EL1: v = 0xaa; return true;  // non-secure invasive/non-invasive: implemented, disabled
    case ArmReg::MDCCSR_EL0: v = 0; return true;
    default: return false;
  }
}

bool write_named(A64Cpu& c, uint32_t enc, uint64_t v) {
  ArmSysState& s = sys(c);
  if (is_gic_reg(enc)) return s.hooks && s.hooks->gic_write && s.hooks->gic_write(enc, s.el, gic_access(c), v);
  unsigned n, which;
  if (is_debug_bp(enc, &n, &which)) {
    unsigned limit = which < 2 ? num_breakpoints(c) : num_watchpoints(c);
    if (n >= limit) return false;
    uint64_t* regs[] = {s.dbg_bvr, s.dbg_bcr, s.dbg_wvr, s.dbg_wcr};
    regs[which][n] = v;
    const unsigned bt = unsigned(v >> 20) & 15;
    if (which == 1 && (v & 1) && bt >= 4 && bt <= 7 && s.hooks && s.hooks->log_unimp)
      s.hooks->log_unimp(
          fmt::format("aarch64: DBGBCR{}_EL1.BT {:#x} (address mismatch or CONTEXTIDR_EL2 matching) is not "
                      "implemented: the breakpoint never matches",
                      n, bt));
    if (which >= 2 && s.debug_regs_changed) s.debug_regs_changed();
    update_tb_flags(c);  // breakpoints armed or not
    return true;
  }
  if (is_pmu_reg(enc)) return pmu_write(c, enc, v);
  int i = find_reg(enc);
  if (i < 0) return false;
  ArmReg r = ArmReg(i);
  const ArmCpuModel& m = *s.model;
  if (kRegs[i].kind == Kind::Store) {
    s.r[i] = v;
    return true;
  }
  unsigned timer;
  TimerField field;
  if (timer_reg(r, &timer, &field)) {
    if (timer == unsigned(ArmTimerId::SecurePhys) && !secure_timer_reachable(c)) return false;
    timer_write(c, timer, field, v);
    return true;
  }
  switch (r) {
    case ArmReg::SCTLR_EL1:
      s.r[i] = v;
      request_local_flush(c);  // the MMU may have been turned on or off
      update_tb_flags(c);
      return true;
    case ArmReg::CPACR_EL1:
      s.r[i] = v & kCpacrFpen;
      update_tb_flags(c);
      return true;
    case ArmReg::TTBR0_EL1:
    case ArmReg::TTBR1_EL1:
    case ArmReg::TCR_EL1:
      // The soft-TLB is not tagged by ASID: any change of the translation regime flushes it.
      if (s.r[i] != v) request_local_flush(c);
      s.r[i] = v;
      return true;
    case ArmReg::VBAR_EL1:
    case ArmReg::VBAR_EL2:
    case ArmReg::VBAR_EL3: s.r[i] = v & ~uint64_t(0x7ff); return true;
    case ArmReg::SCTLR_EL3:
    case ArmReg::TTBR0_EL3:
    case ArmReg::TCR_EL3:
      if (s.r[i] != v) request_local_flush(c);
      s.r[i] = v;
      return true;
    case ArmReg::SCR_EL3: {
      v = (v & Scr::kWritable) | Scr::kRes1;
      // Secure and Non-secure EL1&0 share the soft-TLB's indices: a world switch empties it.
      // SIF changes what the Secure regimes may execute.
      if ((s.r[i] ^ v) & (Scr::kNs | Scr::kSif)) request_local_flush(c);
      s.r[i] = v;
      check_unmasked_irq(c);  // IRQ/FIQ routing
      update_tb_flags(c);
      return true;
    }
    case ArmReg::CPTR_EL3:
      s.r[i] = v;
      update_tb_flags(c);
      return true;
    case ArmReg::SP_EL2: s.sp_el[2] = v; return true;
    case ArmReg::SCTLR_EL2:
    case ArmReg::TTBR0_EL2:
    case ArmReg::TTBR1_EL2:
    case ArmReg::TCR_EL2:
    case ArmReg::VTTBR_EL2:  // the soft-TLB holds no VMIDs either
    case ArmReg::VTCR_EL2:
      if (s.r[i] != v) request_local_flush(c);
      s.r[i] = v;
      return true;
    case ArmReg::HCR_EL2: {
      if (!has_vhe(c)) v &= ~Hcr::kE2h;  // RES0 without FEAT_VHE (-cpu max has it)
      const uint64_t changed = s.r[i] ^ v;
      s.r[i] = v;
      // E2H/TGE switch EL0 and EL2 between regimes that share the soft-TLB's indices.
      if (changed & (Hcr::kVm | Hcr::kE2h | Hcr::kTge)) request_local_flush(c);
      if (changed & kHcrRouting) check_unmasked_irq(c);
      update_tb_flags(c);  // TPCP/TPU
      return true;
    }
    case ArmReg::CPTR_EL2:
      s.r[i] = v;
      update_tb_flags(c);
      return true;
    case ArmReg::CNTHCTL_EL2:
      s.r[i] = v;
      timers_changed(c);  // the event stream under E2H+TGE
      return true;
    case ArmReg::SP_EL1: s.sp_el[1] = v; return true;
    case ArmReg::CNTVOFF_EL2:
      s.cntvoff = v;
      timers_changed(c);
      return true;
    case ArmReg::TPIDRRO_EL0:
      s.r[i] = v;
      c.tpidrro_el0 = v;
      return true;
    case ArmReg::TPIDR_EL0: c.tpidr_el0 = v; return true;
    case ArmReg::CNTKCTL_EL1:
      s.r[i] = v & 0x3ff;
      timers_changed(c);  // the event stream
      return true;
    case ArmReg::SP_EL0:
      if (s.spsel == 0) return false;
      s.sp_el[0] = v;
      return true;
    case ArmReg::SPSEL: set_el_sp(c, s.el, unsigned(v & 1)); return true;
    case ArmReg::PAN:
      if (!m.pan) return false;
      s.pstate = (s.pstate & ~Pstate::kPAN) | (v & Pstate::kPAN);
      update_tb_flags(c);
      return true;
    case ArmReg::UAO:
      if (!m.uao) return false;
      s.pstate = (s.pstate & ~Pstate::kUAO) | (v & Pstate::kUAO);
      update_tb_flags(c);
      return true;
    case ArmReg::DAIF:
      s.pstate = (s.pstate & ~Pstate::kDaif) | (v & Pstate::kDaif);
      check_unmasked_irq(c);
      return true;
    case ArmReg::DIT: s.pstate = (s.pstate & ~Pstate::kDIT) | (v & Pstate::kDIT); return true;
    case ArmReg::SSBS: s.pstate = (s.pstate & ~Pstate::kSSBS) | (v & Pstate::kSSBS); return true;
    case ArmReg::OSLAR_EL1:
      s.oslk = v & 1;
      if (s.debug_regs_changed) s.debug_regs_changed();
      update_tb_flags(c);
      return true;
    case ArmReg::MDSCR_EL1:
      s.r[i] = v;
      if (s.debug_regs_changed) s.debug_regs_changed();
      update_tb_flags(c);
      return true;
    case ArmReg::DBGCLAIMSET_EL1: s.claim |= v & 0xff; return true;
    case ArmReg::DBGCLAIMCLR_EL1: s.claim &= ~(v & 0xff); return true;
    default: return false;
  }
}

// Translated code's helpers: the accessibility at this EL was checked at translation; the
// dynamic traps (EL0 controls, the GIC's answer, SP_EL0 with SPSel 0) are raised here.
uint64_t h_sysreg_read(tcg::CpuBase* env, uint64_t enc, uint64_t pc, uint64_t rt, uint64_t, uint64_t) {
  auto& c = *static_cast<A64Cpu*>(env);
  if (sys(c).el == 0 && el0_access_traps(c, uint32_t(enc), true))
    raise_sysreg_trap(c, exception_target_el(c), uint32_t(enc), true, unsigned(rt), pc);
  if (el2_access_traps(c, uint32_t(enc), true)) raise_sysreg_trap(c, 2, uint32_t(enc), true, unsigned(rt), pc);
  if (el3_access_traps(c, uint32_t(enc))) raise_sysreg_trap(c, 3, uint32_t(enc), true, unsigned(rt), pc);
  uint64_t v = 0;
  if (!sysreg_read(c, uint32_t(enc), v)) raise_undefined(c, pc);
  return v;
}
uint64_t h_sysreg_write(tcg::CpuBase* env, uint64_t enc, uint64_t v, uint64_t pc, uint64_t rt, uint64_t) {
  auto& c = *static_cast<A64Cpu*>(env);
  if (sys(c).el == 0 && el0_access_traps(c, uint32_t(enc), false))
    raise_sysreg_trap(c, exception_target_el(c), uint32_t(enc), false, unsigned(rt), pc);
  if (el2_access_traps(c, uint32_t(enc), false)) raise_sysreg_trap(c, 2, uint32_t(enc), false, unsigned(rt), pc);
  if (el3_access_traps(c, uint32_t(enc))) raise_sysreg_trap(c, 3, uint32_t(enc), false, unsigned(rt), pc);
  if (!sysreg_write(c, uint32_t(enc), v)) raise_undefined(c, pc);
  if (sysreg_write_ends_block(uint32_t(enc))) check_unmasked_irq(c);
  return 0;
}
uint64_t h_sys_op(tcg::CpuBase* env, uint64_t op, uint64_t v, uint64_t pc, uint64_t rt, uint64_t) {
  auto& c = *static_cast<A64Cpu*>(env);
  if (el2_sys_op_traps(c, uint32_t(op))) raise_sysreg_trap(c, 2, kSysOp0 | uint32_t(op), false, unsigned(rt), pc);
  if (!do_sys_op(c, uint32_t(op), v)) raise_undefined(c, pc);
  return 0;
}

}  // namespace

uint32_t sysreg_read_helper() {
  using namespace tcg::HelperFlag;
  static const uint32_t id =
      tcg::register_helper("a64_sysreg_read", h_sysreg_read, kReadsState | kWritesState | kMayExit);
  return id;
}
uint32_t sysreg_write_helper() {
  using namespace tcg::HelperFlag;
  static const uint32_t id =
      tcg::register_helper("a64_sysreg_write", h_sysreg_write, kReadsState | kWritesState | kMayExit);
  return id;
}
uint32_t sys_op_helper() {
  using namespace tcg::HelperFlag;
  static const uint32_t id = tcg::register_helper("a64_sys_op", h_sys_op, kReadsState | kWritesState | kMayExit);
  return id;
}

const std::vector<DebugSysreg>& debug_sysregs() {
  static const std::vector<DebugSysreg> regs = [] {
    std::vector<DebugSysreg> out;
    for (size_t i = 0; i < kNumArmRegs; ++i) {
      const ArmReg r = ArmReg(i);
      const bool pstate_field = r == ArmReg::SPSEL || r == ArmReg::CURRENTEL || r == ArmReg::PAN || r == ArmReg::UAO ||
                                r == ArmReg::DAIF || r == ArmReg::DIT || r == ArmReg::SSBS;
      if (!pstate_field && kRegs[i].read_el < 4) out.push_back({kRegs[i].name, kRegs[i].enc});
    }
    static const char* const kIdNames[] = {"ID_AA64PFR0_EL1",  "ID_AA64PFR1_EL1",  "ID_AA64DFR0_EL1",
                                           "ID_AA64ISAR0_EL1", "ID_AA64ISAR1_EL1", "ID_AA64MMFR0_EL1",
                                           "ID_AA64MMFR1_EL1", "ID_AA64MMFR2_EL1"};
    static const uint8_t kIdCrmOp2[] = {0x40, 0x41, 0x50, 0x60, 0x61, 0x70, 0x71, 0x72};
    for (size_t i = 0; i < std::size(kIdNames); ++i)
      out.push_back({kIdNames[i], sysreg_enc(3, 0, 0, kIdCrmOp2[i] >> 4, kIdCrmOp2[i] & 7)});
    // Every model has 6 breakpoints and 4 watchpoints (ID_AA64DFR0 0x10305106, as QEMU's).
    static const char* const kDbg[] = {"DBGBVR", "DBGBCR", "DBGWVR", "DBGWCR"};
    for (unsigned n = 0; n < 6; ++n)
      for (unsigned which = 0; which < 4; ++which)
        if (which < 2 || n < 4)
          out.push_back({fmt::format("{}{}_EL1", kDbg[which], n), sysreg_enc(2, 0, 0, n, 4 + which)});
    return out;
  }();
  return regs;
}

bool debug_sysreg_read(A64Cpu& c, uint32_t enc, uint64_t& v) {
  ArmSysState& s = sys(c);
  // The banked stack pointers: the live one is A64Cpu::sp.
  if (enc == kRegs[size_t(ArmReg::SP_EL0)].enc || enc == kSpEl1Enc || enc == kSpEl2Enc) {
    const unsigned bank = enc == kSpEl2Enc ? 2 : enc == kSpEl1Enc ? 1 : 0;
    v = bank == (s.spsel ? s.el : 0) ? c.sp : s.sp_el[bank];
    return true;
  }
  return read_named(c, enc, v);  // the register named, not VHE's redirection at the vCPU's EL
}

bool debug_sysreg_write(A64Cpu& c, uint32_t enc, uint64_t v) {
  ArmSysState& s = sys(c);
  if (enc == kRegs[size_t(ArmReg::SP_EL0)].enc || enc == kSpEl1Enc || enc == kSpEl2Enc) {
    const unsigned bank = enc == kSpEl2Enc ? 2 : enc == kSpEl1Enc ? 1 : 0;
    (bank == (s.spsel ? s.el : 0) ? c.sp : s.sp_el[bank]) = v;
    return true;
  }
  const int i = find_reg(enc);
  if (is_id_space(enc) || (i >= 0 && kRegs[i].kind == Kind::Id)) return false;
  return write_named(c, enc, v);
}

std::string dump_sysregs(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  std::string out = fmt::format(" PSTATE   {:016x} (EL{}{} DAIF {:x})\n", read_pstate(c), s.el, s.spsel ? 'h' : 't',
                                (s.pstate >> 6) & 15);
  const unsigned top_el = s.have_el3 ? 3 : s.have_el2 ? 2 : 1;
  for (unsigned el = 0; el < top_el; ++el)
    out += fmt::format(" SP_EL{}    {:016x}\n", el, el == (s.spsel ? s.el : 0) ? c.sp : s.sp_el[el]);
  static const ArmReg kShown[] = {ArmReg::SCTLR_EL1, ArmReg::TCR_EL1,       ArmReg::TTBR0_EL1, ArmReg::TTBR1_EL1,
                                  ArmReg::MAIR_EL1,  ArmReg::VBAR_EL1,      ArmReg::ELR_EL1,   ArmReg::SPSR_EL1,
                                  ArmReg::ESR_EL1,   ArmReg::FAR_EL1,       ArmReg::PAR_EL1,   ArmReg::CPACR_EL1,
                                  ArmReg::TPIDR_EL1, ArmReg::CONTEXTIDR_EL1};
  // The hypervisor's and the secure monitor's controls, on boards that have those levels.
  static const ArmReg kShownEl2[] = {ArmReg::HCR_EL2,   ArmReg::SCTLR_EL2, ArmReg::TCR_EL2,
                                     ArmReg::TTBR0_EL2, ArmReg::TTBR1_EL2, ArmReg::VBAR_EL2,
                                     ArmReg::VTCR_EL2,  ArmReg::VTTBR_EL2, ArmReg::CNTHCTL_EL2};
  static const ArmReg kShownEl3[] = {ArmReg::SCR_EL3, ArmReg::SCTLR_EL3, ArmReg::VBAR_EL3, ArmReg::CPTR_EL3};
  for (ArmReg r : kShown) out += fmt::format(" {:<14} {:016x}\n", kRegs[size_t(r)].name, s.r[size_t(r)]);
  if (s.have_el2)
    for (ArmReg r : kShownEl2) out += fmt::format(" {:<14} {:016x}\n", kRegs[size_t(r)].name, s.r[size_t(r)]);
  if (s.have_el3)
    for (ArmReg r : kShownEl3) out += fmt::format(" {:<14} {:016x}\n", kRegs[size_t(r)].name, s.r[size_t(r)]);
  return out;
}

}  // namespace mimic::arm
