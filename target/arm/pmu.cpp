// PMUv3: counters kept as values brought up to date lazily (pmu_sync) from the guest's cycle
// count; the next overflow of a cycle-driven counter is armed as a host deadline
// (ArmSysState::pmu_deadline) so that the interrupt comes without a register access.
#include "target/arm/pmu.h"

#include "target/arm/sysreg_system.h"
#include "target/arm/timer.h"

namespace mimic::arm {

namespace {

namespace Pmcr {
enum : uint64_t { kE = 1, kP = 2, kC = 4, kD = 8, kX = 16, kDp = 32, kLc = 64, kWritable = 0x79 };
}
constexpr uint32_t kEvSwIncr = 0x00, kEvCpuCycles = 0x11;
constexpr uint32_t kCounterMask = (1u << kPmuCounters) - 1, kAllMask = kCounterMask | (1u << kPmuCycleCounter);

uint64_t cycles_now(const A64Cpu& c) {
  const ArmSysState& s = sys(c);
  return s.read_counter ? s.read_counter() * kNsPerTick : 0;
}

// QEMU's pmu_counter_enabled without EL3 (Non-secure): PMCR.E, the enable bit, the EL filter.
bool counting(const A64Cpu& c, unsigned n) {
  const ArmSysState& s = sys(c);
  const PmuState& p = s.pmu;
  if (!(p.pmcr & Pmcr::kE) || !(p.cnten & (1u << n))) return false;
  const uint64_t f = n == kPmuCycleCounter ? p.ccfilter : p.evtype[n];
  const bool pf = f >> 31 & 1, uf = f >> 30 & 1, nsk = f >> 29 & 1, nsu = f >> 28 & 1, nsh = f >> 27 & 1;
  switch (s.el) {
    case 0: return uf == nsu;
    case 1: return pf == nsk;
    default: return nsh;
  }
}

void update_irq(A64Cpu& c) {
  ArmSysState& s = sys(c);
  PmuState& p = s.pmu;
  const bool level = (p.pmcr & Pmcr::kE) && (p.ovs & p.inten);
  if (level == p.irq) return;
  p.irq = level;
  if (s.hooks && s.hooks->pmu_output) s.hooks->pmu_output(level);
}

// The host deadline of the next overflow of a counting cycle-driven counter (none: 0).
void arm_deadline(A64Cpu& c) {
  ArmSysState& s = sys(c);
  const PmuState& p = s.pmu;
  if (!s.pmu_deadline) return;
  uint64_t soonest = 0;
  auto consider = [&](uint64_t cycles) {
    if (cycles && (!soonest || cycles < soonest)) soonest = cycles;
  };
  if (counting(c, kPmuCycleCounter)) {
    const uint64_t left = (p.pmcr & Pmcr::kLc) ? ~p.ccnt + 1 : (uint64_t(1) << 32) - (p.ccnt & 0xffffffff);
    consider((p.pmcr & Pmcr::kD) && left <= UINT64_MAX / 64 ? left * 64 : left);
  }
  for (unsigned n = 0; n < kPmuCounters; ++n)
    if (counting(c, n) && (p.evtype[n] & 0xffff) == kEvCpuCycles) consider((uint64_t(1) << 32) - p.evcnt[n]);
  s.pmu_deadline(soonest ? p.last + soonest : 0);  // cycles are ns
}

// After a register write: the counters run on from now, the line and the deadline follow.
void restart(A64Cpu& c) {
  sys(c).pmu.last = cycles_now(c);
  update_irq(c);
  arm_deadline(c);
}

void sw_increment(A64Cpu& c, uint32_t mask) {
  PmuState& p = sys(c).pmu;
  for (unsigned n = 0; n < kPmuCounters; ++n) {
    if (!(mask & (1u << n)) || (p.evtype[n] & 0xffff) != kEvSwIncr || !counting(c, n)) continue;
    if (++p.evcnt[n] == 0) p.ovs |= 1u << n;
  }
}

enum class Reg {
  None,
  Pmcr,
  CntenSet,
  CntenClr,
  OvsClr,
  OvsSet,
  SwInc,
  Ceid0,
  Ceid1,
  Ccntr,
  XevType,
  XevCntr,
  IntenSet,
  IntenClr,
  Ccfiltr,
  Evcntr,
  Evtyper
};

Reg classify(uint32_t enc, unsigned* n) {
  const unsigned op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15, op2 = enc & 7;
  if (op0 != 3) return Reg::None;
  if (op1 == 0 && crn == 9 && crm == 14) return op2 == 1 ? Reg::IntenSet : op2 == 2 ? Reg::IntenClr : Reg::None;
  if (op1 != 3) return Reg::None;
  if (crn == 9 && crm == 12) {
    static const Reg kC12[] = {Reg::Pmcr,  Reg::CntenSet, Reg::CntenClr, Reg::OvsClr,
                               Reg::SwInc, Reg::None,     Reg::Ceid0,    Reg::Ceid1};
    return op2 == 5 ? Reg::None : kC12[op2];  // PMSELR_EL0 is a plain register
  }
  if (crn == 9 && crm == 13)
    return op2 == 0 ? Reg::Ccntr : op2 == 1 ? Reg::XevType : op2 == 2 ? Reg::XevCntr : Reg::None;
  if (crn == 9 && crm == 14 && op2 == 3) return Reg::OvsSet;
  if (crn == 14 && crm == 15 && op2 == 7) return Reg::Ccfiltr;
  if (crn == 14 && crm >= 8) {
    *n = ((crm & 3) << 3) | op2;
    return crm < 12 ? Reg::Evcntr : Reg::Evtyper;
  }
  return Reg::None;
}

}  // namespace

void pmu_sync(A64Cpu& c) {
  PmuState& p = sys(c).pmu;
  if (!(p.pmcr & Pmcr::kE)) return;  // nothing counts: `last` is set when counting starts
  const uint64_t now = cycles_now(c), delta = now - p.last;
  if (counting(c, kPmuCycleCounter)) {
    const uint64_t d = (p.pmcr & Pmcr::kD) ? now / 64 - p.last / 64 : delta;
    const uint64_t before = p.ccnt;
    p.ccnt += d;
    const bool wrapped = (p.pmcr & Pmcr::kLc) ? p.ccnt < before : ((before & 0xffffffff) + d) >> 32 != 0;
    if (wrapped) p.ovs |= 1u << kPmuCycleCounter;
  }
  for (unsigned n = 0; n < kPmuCounters; ++n) {
    if (!counting(c, n) || (p.evtype[n] & 0xffff) != kEvCpuCycles) continue;
    if ((uint64_t(p.evcnt[n]) + delta) >> 32) p.ovs |= 1u << n;
    p.evcnt[n] = uint32_t(p.evcnt[n] + delta);
  }
  p.last = now;
  update_irq(c);
  arm_deadline(c);
}

void pmu_reset(A64Cpu& c) {
  ArmSysState& s = sys(c);
  s.pmu = PmuState{};
  if (s.pmu_deadline) s.pmu_deadline(0);
}

bool is_pmu_reg(uint32_t enc) {
  unsigned n;
  return classify(enc, &n) != Reg::None;
}

bool pmu_el0_trapped(const A64Cpu& c, uint32_t enc, bool read) {
  const uint64_t userenr = sys(c).r[size_t(ArmReg::PMUSERENR_EL0)];
  if (userenr & 1) return false;  // EN
  unsigned n;
  const Reg r = classify(enc, &n);
  if (r == Reg::SwInc) return !(userenr & 2);                                  // SW
  if (read && r == Reg::Ccntr) return !(userenr & 4);                          // CR
  if (read && (r == Reg::Evcntr || r == Reg::XevCntr)) return !(userenr & 8);  // ER
  return true;
}

bool pmu_read(A64Cpu& c, uint32_t enc, uint64_t& v) {
  ArmSysState& s = sys(c);
  PmuState& p = s.pmu;
  unsigned n = 0;
  const Reg r = classify(enc, &n);
  const unsigned sel = unsigned(s.r[size_t(ArmReg::PMSELR_EL0)]) & 31;
  pmu_sync(c);
  switch (r) {
    case Reg::Pmcr: v = s.model->reset_pmcr | (p.pmcr & Pmcr::kWritable); return true;
    case Reg::CntenSet:
    case Reg::CntenClr: v = p.cnten; return true;
    case Reg::OvsSet:
    case Reg::OvsClr: v = p.ovs; return true;
    case Reg::IntenSet:
    case Reg::IntenClr: v = p.inten; return true;
    case Reg::Ceid0: v = (uint64_t(1) << kEvCpuCycles) | (uint64_t(1) << kEvSwIncr); return true;
    case Reg::Ceid1: v = 0; return true;
    case Reg::Ccntr: v = p.ccnt; return true;
    case Reg::Ccfiltr: v = p.ccfilter; return true;
    case Reg::XevType: v = sel == 31 ? p.ccfilter : sel < kPmuCounters ? p.evtype[sel] : 0; return true;
    case Reg::XevCntr: v = sel < kPmuCounters ? p.evcnt[sel] : 0; return true;
    case Reg::Evcntr:
      if (n >= kPmuCounters) return false;
      v = p.evcnt[n];
      return true;
    case Reg::Evtyper:
      if (n >= kPmuCounters) return false;
      v = p.evtype[n];
      return true;
    case Reg::SwInc: v = 0; return true;  // write-only (reads are refused at translation)
    case Reg::None: return false;
  }
  return false;
}

bool pmu_write(A64Cpu& c, uint32_t enc, uint64_t v) {
  ArmSysState& s = sys(c);
  PmuState& p = s.pmu;
  unsigned n = 0;
  const Reg r = classify(enc, &n);
  const unsigned sel = unsigned(s.r[size_t(ArmReg::PMSELR_EL0)]) & 31;
  // PMEVTYPER: the event number (16 bits) and the filter bits P U NSK NSU NSH M.
  constexpr uint32_t kTypeMask = 0xfc00ffff;
  pmu_sync(c);
  switch (r) {
    case Reg::Pmcr:
      if (v & Pmcr::kP)
        for (uint32_t& e : p.evcnt) e = 0;
      if (v & Pmcr::kC) p.ccnt = 0;
      p.pmcr = v & Pmcr::kWritable;
      break;
    case Reg::CntenSet: p.cnten |= uint32_t(v) & kAllMask; break;
    case Reg::CntenClr: p.cnten &= ~uint32_t(v); break;
    case Reg::OvsSet: p.ovs |= uint32_t(v) & kAllMask; break;
    case Reg::OvsClr: p.ovs &= ~uint32_t(v); break;
    case Reg::IntenSet: p.inten |= uint32_t(v) & kAllMask; break;
    case Reg::IntenClr: p.inten &= ~uint32_t(v); break;
    case Reg::SwInc: sw_increment(c, uint32_t(v) & kCounterMask); break;
    case Reg::Ccntr: p.ccnt = v; break;
    case Reg::Ccfiltr: p.ccfilter = v & 0xfc000000; break;
    case Reg::XevType:
      if (sel == 31) p.ccfilter = v & 0xfc000000;
      if (sel < kPmuCounters) p.evtype[sel] = uint32_t(v) & kTypeMask;
      break;
    case Reg::XevCntr:
      if (sel < kPmuCounters) p.evcnt[sel] = uint32_t(v);
      break;
    case Reg::Evcntr:
      if (n >= kPmuCounters) return false;
      p.evcnt[n] = uint32_t(v);
      break;
    case Reg::Evtyper:
      if (n >= kPmuCounters) return false;
      p.evtype[n] = uint32_t(v) & kTypeMask;
      break;
    case Reg::Ceid0:
    case Reg::Ceid1:
    case Reg::None: return false;
  }
  restart(c);
  return true;
}

}  // namespace mimic::arm
