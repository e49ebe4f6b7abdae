// GICv3 registers (IHI0069 chapters 12 (ICC_*) and 12.9-12.11 (GICD_*, GICR_*)) over the shared
// GIC state machine.
#include "hw/intc/arm_gicv3.h"

#include <fmt/format.h>

#include <optional>

namespace mimic::hw {

using namespace gic_virt;

namespace {
constexpr uint64_t kGicdCtlr = 0x0000, kGicdTyper = 0x0004, kGicdIidr = 0x0008, kGicdTyper2 = 0x000c,
                   kGicdStatusr = 0x0010, kGicdIrouter = 0x6000, kGicdIgrpmodr = 0x0d00, kGicdNsacr = 0x0e00,
                   kGicdIdBase = 0xffd0;
constexpr uint64_t kGicrCtlr = 0x0000, kGicrIidr = 0x0004, kGicrTyper = 0x0008, kGicrStatusr = 0x0010,
                   kGicrWaker = 0x0014, kGicrPropbaser = 0x0070, kGicrPendbaser = 0x0078, kGicrSgiBase = 0x10000;
// GICD_CTLR, Secure (or only) view: EnableGrp0, EnableGrp1NS, EnableGrp1S, ARE_S (ARE), ARE_NS,
// DS. The Non-secure view has EnableGrp1A (Grp1NS) in bit 1 and ARE_NS in bit 4. ARE is RAO/WI.
constexpr uint32_t kGicdCtlrEnGrp0 = 1, kGicdCtlrEnGrp1 = 2, kGicdCtlrEnGrp1S = 4, kGicdCtlrAre = 1u << 4,
                   kGicdCtlrAreNs = 1u << 5, kGicdCtlrDs = 1u << 6;
constexpr uint32_t kGicdTyperSecurityExtn = 1u << 10;
constexpr uint32_t kWakerProcessorSleep = 2, kWakerChildrenAsleep = 4;
constexpr uint32_t kGicdTyperLpis = 1u << 17, kGicrTyperPlpis = 1, kGicrCtlrEnableLpis = 1;
// GICR_PROPBASER: OuterCache 58:56, PA 51:12, Shareability 11:10, InnerCache 9:7, IDbits 4:0.
// GICR_PENDBASER: OuterCache, PTZ 62 (write-only), PA 51:16, Shareability, InnerCache.
constexpr uint64_t kPropbaserPa = 0x000ffffffffff000ull, kPendbaserPa = 0x000fffffffff0000ull;
constexpr uint64_t kPropbaserMask = (7ull << 56) | kPropbaserPa | 0xf9f,
                   kPendbaserMask = (7ull << 56) | kPendbaserPa | 0xf80;
constexpr uint64_t kPendbaserPtz = 1ull << 62;
constexpr unsigned kLpiIdBits = 16;  // GICD_TYPER.IDbits + 1
// An LPI configuration table byte: Priority 7:2, Enable 0.
constexpr uint8_t kLpiConfigEnable = 1;
// QEMU's gicv3 ID registers (PIDR4..7, PIDR0..3, CIDR0..3 from 0xffd0); PIDR2 says GICv3.
constexpr uint8_t kGicv3Ids[] = {0x44, 0x00, 0x00, 0x00, 0x92, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

struct ArrayWindow {
  uint64_t base;
  GicArray array;
  uint64_t bytes_per_32;
};
constexpr ArrayWindow kArrays[] = {
    {0x0080, GicArray::Group, 4},       {0x0100, GicArray::SetEnable, 4},    {0x0180, GicArray::ClearEnable, 4},
    {0x0200, GicArray::SetPending, 4},  {0x0280, GicArray::ClearPending, 4}, {0x0300, GicArray::SetActive, 4},
    {0x0380, GicArray::ClearActive, 4}, {0x0400, GicArray::Priority, 32},    {0x0c00, GicArray::Config, 8},
    {0x0d00, GicArray::GroupMod, 4},
};

// A read or write through the INTID arrays, for INTIDs [lo, hi); true when `offset` is one.
template <typename Fn>
bool in_arrays(uint64_t offset, unsigned size, unsigned num_irqs, Fn&& fn) {
  for (const ArrayWindow& w : kArrays) {
    uint64_t span = w.bytes_per_32 * (num_irqs / 32);
    if (offset >= w.base && offset + size <= w.base + span) {
      if (w.array == GicArray::Priority ? size > 4 : size != 4) return false;
      fn(w.array, offset - w.base);
      return true;
    }
  }
  return false;
}

constexpr uint32_t sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
enum : uint32_t {
  kIccPmrEl1 = sysreg(3, 0, 4, 6, 0),
  kIccIar0El1 = sysreg(3, 0, 12, 8, 0),
  kIccEoir0El1 = sysreg(3, 0, 12, 8, 1),
  kIccHppir0El1 = sysreg(3, 0, 12, 8, 2),
  kIccBpr0El1 = sysreg(3, 0, 12, 8, 3),
  kIccAp0r0El1 = sysreg(3, 0, 12, 8, 4),  // ..AP0R3: op2 4..7
  kIccAp1r0El1 = sysreg(3, 0, 12, 9, 0),  // ..AP1R3: op2 0..3
  kIccDirEl1 = sysreg(3, 0, 12, 11, 1),
  kIccRprEl1 = sysreg(3, 0, 12, 11, 3),
  kIccSgi1rEl1 = sysreg(3, 0, 12, 11, 5),
  kIccAsgi1rEl1 = sysreg(3, 0, 12, 11, 6),
  kIccSgi0rEl1 = sysreg(3, 0, 12, 11, 7),
  kIccIar1El1 = sysreg(3, 0, 12, 12, 0),
  kIccEoir1El1 = sysreg(3, 0, 12, 12, 1),
  kIccHppir1El1 = sysreg(3, 0, 12, 12, 2),
  kIccBpr1El1 = sysreg(3, 0, 12, 12, 3),
  kIccCtlrEl1 = sysreg(3, 0, 12, 12, 4),
  kIccSreEl1 = sysreg(3, 0, 12, 12, 5),
  kIccIgrpen0El1 = sysreg(3, 0, 12, 12, 6),
  kIccIgrpen1El1 = sysreg(3, 0, 12, 12, 7),
  kIccSreEl2 = sysreg(3, 4, 12, 9, 5),
  kIccCtlrEl3 = sysreg(3, 6, 12, 12, 4),
  kIccSreEl3 = sysreg(3, 6, 12, 12, 5),
  kIccIgrpen1El3 = sysreg(3, 6, 12, 12, 7),
  kIchAp0r0El2 = sysreg(3, 4, 12, 8, 0),  // ..AP0R3: op2 0..3
  kIchAp1r0El2 = sysreg(3, 4, 12, 9, 0),  // ..AP1R3: op2 0..3
  kIchHcrEl2 = sysreg(3, 4, 12, 11, 0),
  kIchVtrEl2 = sysreg(3, 4, 12, 11, 1),
  kIchMisrEl2 = sysreg(3, 4, 12, 11, 2),
  kIchEisrEl2 = sysreg(3, 4, 12, 11, 3),
  kIchElrsrEl2 = sysreg(3, 4, 12, 11, 5),
  kIchVmcrEl2 = sysreg(3, 4, 12, 11, 7),
  kIchLr0El2 = sysreg(3, 4, 12, 12, 0),  // ..LR15: CRm 12 and 13, op2 0..7
};
// ICH_VTR_EL2: 4 list registers, TDS, nV4 (no direct injection), A3V, 16-bit IDs, 5 preemption
// and 5 priority bits.
constexpr uint64_t kVtrValue = (kGicListRegs - 1) | (1u << 19) | (1u << 20) | (1u << 21) |
                               (uint64_t(GicV3::kPriBits - 1) << 26) | (uint64_t(GicV3::kPriBits - 1) << 29);
// ICC_SRE_ELx: SRE (system register interface on, RAO/WI: mimic has no memory-mapped GICv3 CPU
// interface), DFB, DIB (bypass disabled, RAO/WI), Enable (lower ELs may use SRE, EL2/EL3 only).
constexpr uint64_t kSreValue = 0x7, kSreEnable = 0x8;
// ICC_CTLR_EL1: CBPR, EOImode, PRIbits 10:8, IDbits 13:11 (1: 24 bits, as QEMU), A3V.
constexpr uint64_t kIccCtlrCbpr = 1, kIccCtlrEoiMode = 2, kIccCtlrA3v = 1u << 15, kIccCtlrIdBits = 1u << 11;
// ICC_CTLR_EL3: CBPR_EL1S, CBPR_EL1NS, EOImode_EL3, EOImode_EL1S, EOImode_EL1NS, nDS (17).
constexpr uint64_t kCtlr3CbprS = 1, kCtlr3CbprNs = 2, kCtlr3EoiEl3 = 4, kCtlr3EoiS = 8, kCtlr3EoiNs = 0x10,
                   kCtlr3Nds = 1u << 17;
constexpr unsigned kIntidSecure = 1020, kIntidNonSecure = 1021;

}  // namespace

GicV3::GicV3(std::vector<uint64_t> mpidrs, unsigned num_irqs, tcg::Logger* log, bool virtualization, bool security)
    : ArmGic("arm_gicv3", 3, unsigned(mpidrs.size()), num_irqs, log, virtualization),
      mpidrs_(std::move(mpidrs)),
      irouter_(num_irqs - kGicFirstSpi),
      sleeping_(num_cpus_, true),
      security_(security),
      // A machine with EL3 starts its CPUs there (the CPUs report every change).
      worlds_(num_cpus_, security ? GicWorld::El3 : GicWorld::NonSecure),
      lpis_(num_cpus_) {
  reset();
}

MmioOps& GicV3::redistributors(unsigned first_cpu, unsigned count) {
  redist_windows_.push_back(std::make_unique<RedistWindow>(*this, first_cpu, count));
  return *redist_windows_.back();
}

void GicV3::reset() {
  std::fill(irouter_.begin(), irouter_.end(), 0);
  std::fill(sleeping_.begin(), sleeping_.end(), true);
  for (Lpis& l : lpis_) l = Lpis{};
  ArmGic::reset();  // every interrupt in Group 0, as QEMU resets them: Linux moves them to Group 1
  if (security_ && reset_nonsecure_) {
    for (IrqState& s : banked_) s.group1 = true;
    for (IrqState& s : spis_) s.group1 = true;
    update();
  }
}

void GicV3::set_cpu_world(unsigned cpu, GicWorld world) {
  if (cpu >= num_cpus_ || !security_ || worlds_[cpu] == world) return;
  worlds_[cpu] = world;
  update();
}

bool GicV3::group_on_fiq(unsigned cpu, unsigned group) const {
  if (!security_) return group == 0;
  // IHI0069 table 4-3: Group 0 is always FIQ; a Group 1 interrupt of the other Security state
  // (and any at EL3) is FIQ, of the CPU's own state IRQ.
  GicWorld w = worlds_[cpu];
  if (group == kGicG1S) return w != GicWorld::SecureEl1;
  if (group == kGicG1Ns) return w != GicWorld::NonSecure;
  return true;
}

uint32_t GicV3::gicd_ctlr(bool nonsecure) const {
  if (!security_)
    return (dist_enable_[0] ? kGicdCtlrEnGrp0 : 0) | (dist_enable_[1] ? kGicdCtlrEnGrp1 : 0) | kGicdCtlrAre |
           kGicdCtlrDs;
  if (nonsecure) return (dist_enable_[kGicG1Ns] ? kGicdCtlrEnGrp1 : 0) | kGicdCtlrAre;
  return (dist_enable_[0] ? kGicdCtlrEnGrp0 : 0) | (dist_enable_[kGicG1Ns] ? kGicdCtlrEnGrp1 : 0) |
         (dist_enable_[kGicG1S] ? kGicdCtlrEnGrp1S : 0) | kGicdCtlrAre | kGicdCtlrAreNs;
}

void GicV3::write_gicd_ctlr(uint32_t value, bool nonsecure) {
  if (nonsecure) {
    dist_enable_[kGicG1Ns] = value & kGicdCtlrEnGrp1;  // EnableGrp1A
  } else {
    dist_enable_[0] = value & kGicdCtlrEnGrp0;
    dist_enable_[kGicG1Ns] = value & kGicdCtlrEnGrp1;
    if (security_) dist_enable_[kGicG1S] = value & kGicdCtlrEnGrp1S;
    if (security_ && (value & kGicdCtlrDs))
      log_guest_error("distributor: GICD_CTLR.DS = 1 (one Security state) is not modelled: ignored");
  }
  update();
}

bool GicV3::spi_targets(unsigned intid, unsigned cpu) const {
  uint64_t r = irouter_[intid - kGicFirstSpi];
  // Interrupt_Routing_Mode 1 (any participating CPU): mimic delivers them to CPU 0.
  if (r & (1u << 31)) return cpu == 0;
  uint64_t aff = (r & 0xffffff) | ((r >> 32 & 0xff) << 32);
  return aff == mpidrs_[cpu];
}

uint64_t GicV3::dist_read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  const bool ns = nonsecure_access();
  // IGRPMODR exists with the Security Extensions only (RAZ/WI with DS = 1).
  if (!security_ && offset >= kGicdIgrpmodr && offset < kGicdIgrpmodr + 0x80) return 0;
  // With affinity routing the distributor's INTID 0..31 fields are RAZ/WI (the redistributors have them).
  if (in_arrays(offset, size, num_irqs_,
                [&](GicArray a, uint64_t rel) { v = read_array(a, 0, rel, size, kGicFirstSpi, num_irqs_, ns); }))
    return v;
  if (offset >= kGicdIrouter + 8 * kGicFirstSpi && offset + size <= kGicdIrouter + 8 * num_irqs_ &&
      (size == 8 || size == 4)) {
    unsigned n = unsigned((offset - kGicdIrouter) / 8) - kGicFirstSpi;
    if (ns && group_of(spis_[n]) != kGicG1Ns) return 0;  // a Secure SPI's routing: RAZ/WI
    uint64_t r = irouter_[n];
    if (size == 8) return r;
    return offset % 8 ? r >> 32 : uint32_t(r);
  }
  if (offset >= kGicdIdBase && offset < kGicdIdBase + sizeof kGicv3Ids * 4 && size == 4 && offset % 4 == 0)
    return kGicv3Ids[(offset - kGicdIdBase) / 4];
  // GICD_NSACR: RAZ/WI (Non-secure software cannot be granted Secure interrupts' controls).
  if (offset >= kGicdNsacr && offset < kGicdNsacr + 0x100) return 0;
  if (size == 4) {
    switch (offset) {
      case kGicdCtlr: return gicd_ctlr(ns);
      case kGicdTyper:
        // IDbits 16 (QEMU), LPIs (when the redistributors can reach memory), no MBIs, the
        // Security Extensions with secure=on, A3V (Aff3 is routed on).
        return (15u << 19) | (1u << 24) | (memory_ ? kGicdTyperLpis : 0) | (security_ ? kGicdTyperSecurityExtn : 0) |
               (num_irqs_ / 32 - 1);
      case kGicdIidr: return 0x43b;
      case kGicdTyper2:
      case kGicdStatusr: return 0;
      default: break;
    }
  }
  log_guest_error(fmt::format("distributor: read of unknown register {:#x} size {}", offset, size));
  return 0;
}

void GicV3::dist_write(uint64_t offset, uint64_t value, unsigned size) {
  const bool ns = nonsecure_access();
  if (!security_ && offset >= kGicdIgrpmodr && offset < kGicdIgrpmodr + 0x80) return;
  if (in_arrays(offset, size, num_irqs_, [&](GicArray a, uint64_t rel) {
        write_array(a, 0, rel, uint32_t(value), size, kGicFirstSpi, num_irqs_, ns);
      }))
    return;
  if (offset >= kGicdIrouter + 8 * kGicFirstSpi && offset + size <= kGicdIrouter + 8 * num_irqs_ &&
      (size == 8 || size == 4)) {
    unsigned n = unsigned((offset - kGicdIrouter) / 8) - kGicFirstSpi;
    if (ns && group_of(spis_[n]) != kGicG1Ns) return;
    uint64_t& r = irouter_[n];
    uint64_t mask = 0xff800000ffffffull & ~uint64_t(0x7f000000);  // Aff3, IRM, Aff2..0
    if (size == 8)
      r = value & mask;
    else if (offset % 8)
      r = (r & 0xffffffffull) | ((value << 32) & mask);
    else
      r = (r & ~0xffffffffull) | (value & mask & 0xffffffffull);
    update();
    return;
  }
  if (offset >= kGicdNsacr && offset < kGicdNsacr + 0x100) {
    if (value && !ns) log_guest_error("distributor: GICD_NSACR is RAZ/WI in mimic");
    return;
  }
  if (size == 4 && offset == kGicdCtlr) {
    write_gicd_ctlr(uint32_t(value), ns);
    return;
  }
  log_guest_error(fmt::format("distributor: write of unknown register {:#x} size {} value {:#x}", offset, size, value));
}

uint64_t GicV3::RedistWindow::read(uint64_t offset, unsigned size) {
  unsigned frame = unsigned(offset / kRedistStride);
  if (frame >= count) return 0;
  return gic.redist_read(first + frame, offset % kRedistStride, size);
}

void GicV3::RedistWindow::write(uint64_t offset, uint64_t value, unsigned size) {
  unsigned frame = unsigned(offset / kRedistStride);
  if (frame >= count) return;
  gic.redist_write(first + frame, offset % kRedistStride, value, size);
}

uint64_t GicV3::redist_read(unsigned cpu, uint64_t offset, unsigned size) {
  if (offset >= kGicrSgiBase) {
    uint64_t rel = offset - kGicrSgiBase, v = 0;
    if (rel == kGicdNsacr || (!security_ && rel == kGicdIgrpmodr)) return 0;
    const bool ns = nonsecure_access();
    if (in_arrays(rel, size, kGicFirstSpi,
                  [&](GicArray a, uint64_t r) { v = read_array(a, cpu, r, size, 0, kGicFirstSpi, ns); }))
      return v;
  } else if (offset >= kGicdIdBase && offset < kGicdIdBase + sizeof kGicv3Ids * 4 && size == 4 && offset % 4 == 0) {
    return kGicv3Ids[(offset - kGicdIdBase) / 4];
  } else {
    uint64_t mp = mpidrs_[cpu];
    uint64_t aff = ((mp >> 32 & 0xff) << 24) | (mp & 0xffffff);
    uint64_t typer =
        (aff << 32) | (uint64_t(cpu) << 8) | (cpu + 1 == num_cpus_ ? 1u << 4 : 0) | (memory_ ? kGicrTyperPlpis : 0);
    auto reg64 = [&](uint64_t v, uint64_t base) -> std::optional<uint64_t> {
      if (size == 8 && offset == base) return v;
      if (size == 4 && offset == base) return uint32_t(v);
      if (size == 4 && offset == base + 4) return v >> 32;
      return std::nullopt;
    };
    if (auto v = reg64(lpis_[cpu].propbaser, kGicrPropbaser)) return *v;
    if (auto v = reg64(lpis_[cpu].pendbaser & ~kPendbaserPtz, kGicrPendbaser)) return *v;
    switch (offset) {
      case kGicrCtlr: return lpis_[cpu].enabled ? kGicrCtlrEnableLpis : 0;
      case kGicrStatusr: return 0;
      case kGicrIidr: return 0x43b;
      case kGicrTyper:
        if (size == 8) return typer;
        if (size == 4) return uint32_t(typer);
        break;
      case kGicrTyper + 4:
        if (size == 4) return typer >> 32;
        break;
      case kGicrWaker: return sleeping_[cpu] ? kWakerProcessorSleep | kWakerChildrenAsleep : 0;
      default: break;
    }
  }
  log_guest_error(fmt::format("redistributor {}: read of unknown register {:#x} size {}", cpu, offset, size));
  return 0;
}

void GicV3::redist_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size) {
  if (offset >= kGicrSgiBase) {
    uint64_t rel = offset - kGicrSgiBase;
    if (rel == kGicdNsacr) {
      if (value && !nonsecure_access()) log_guest_error("redistributor: GICR_NSACR is RAZ/WI in mimic");
      return;
    }
    if (!security_ && rel == kGicdIgrpmodr) return;
    const bool ns = nonsecure_access();
    if (in_arrays(rel, size, kGicFirstSpi,
                  [&](GicArray a, uint64_t r) { write_array(a, cpu, r, uint32_t(value), size, 0, kGicFirstSpi, ns); }))
      return;
  } else {
    Lpis& l = lpis_[cpu];
    // The table registers are 64-bit, written whole or in halves; they are read-only while
    // LPIs are enabled (the architecture leaves such writes UNPREDICTABLE).
    auto write64 = [&](uint64_t& reg, uint64_t base, uint64_t mask) {
      if (offset != base && !(size == 4 && offset == base + 4)) return false;
      if (!l.enabled) {
        uint64_t v = size == 8        ? value
                     : offset == base ? (reg & ~0xffffffffull) | uint32_t(value)
                                      : (reg & 0xffffffffull) | value << 32;
        reg = v & mask;
      }
      return true;
    };
    if (write64(l.propbaser, kGicrPropbaser, kPropbaserMask)) return;
    if (offset == kGicrPendbaser || (size == 4 && offset == kGicrPendbaser + 4)) {
      // PTZ is kept until LPIs are enabled (it says the table needs no reading), then reads 0.
      write64(l.pendbaser, kGicrPendbaser, kPendbaserMask | kPendbaserPtz);
      return;
    }
    switch (offset) {
      case kGicrWaker: sleeping_[cpu] = value & kWakerProcessorSleep; return;
      case kGicrCtlr:
        if (size != 4) break;
        if ((value & kGicrCtlrEnableLpis) && !l.enabled && memory_) enable_lpis(cpu);
        if (!(value & kGicrCtlrEnableLpis) && l.enabled) {
          l.enabled = false;  // pending LPIs stay in the pending table
          l.pending.clear();
          update();
        }
        return;
      default: break;
    }
  }
  log_guest_error(
      fmt::format("redistributor {}: write of unknown register {:#x} size {} value {:#x}", cpu, offset, size, value));
}

uint32_t GicV3::lpi_limit(unsigned cpu) const {
  unsigned bits = std::min<unsigned>(unsigned(lpis_[cpu].propbaser & 0x1f) + 1, kLpiIdBits);
  return bits < 14 ? 0 : uint32_t(1) << bits;  // fewer than 14 ID bits: no LPIs at all
}

bool GicV3::lpi_accepted(unsigned cpu, uint32_t intid) const {
  return cpu < num_cpus_ && lpis_[cpu].enabled && intid >= kGicFirstLpi && intid < lpi_limit(cpu);
}

bool GicV3::lpi_pending(unsigned cpu, uint32_t intid) const {
  return cpu < num_cpus_ && lpis_[cpu].pending.count(intid) != 0;
}

void GicV3::enable_lpis(unsigned cpu) {
  Lpis& l = lpis_[cpu];
  l.enabled = true;
  bool zeroed = l.pendbaser & kPendbaserPtz;
  l.pendbaser &= ~kPendbaserPtz;
  l.pending.clear();
  uint32_t limit = lpi_limit(cpu);
  if (!zeroed && limit > kGicFirstLpi) {
    // The pending table's LPI part (the first 1 KiB is the SGI/PPI/SPI range's, unused).
    std::vector<uint8_t> bits((limit - kGicFirstLpi) / 8);
    if (memory_->read((l.pendbaser & kPendbaserPa) + kGicFirstLpi / 8, bits.data(), bits.size())) {
      for (size_t i = 0; i < bits.size(); i++)
        for (unsigned b = 0; b < 8; b++)
          if (bits[i] >> b & 1) l.pending.insert(uint32_t(kGicFirstLpi + i * 8 + b));
    } else {
      log_guest_error(
          fmt::format("redistributor {}: pending table at {:#x} is not in RAM", cpu, l.pendbaser & kPendbaserPa));
    }
  }
  update();
}

void GicV3::write_pending_bit(unsigned cpu, uint32_t intid, bool pending) {
  uint64_t addr = (lpis_[cpu].pendbaser & kPendbaserPa) + intid / 8;
  uint8_t byte = 0;
  if (!memory_->read(addr, &byte, 1)) return;
  byte = pending ? byte | uint8_t(1u << (intid % 8)) : byte & uint8_t(~(1u << (intid % 8)));
  memory_->write(addr, &byte, 1);
}

void GicV3::set_lpi_pending(unsigned cpu, uint32_t intid, bool pending) {
  if (!lpi_accepted(cpu, intid)) return;
  Lpis& l = lpis_[cpu];
  if (pending ? !l.pending.insert(intid).second : l.pending.erase(intid) == 0) return;
  write_pending_bit(cpu, intid, pending);
  update();
}

void GicV3::move_lpi(unsigned from, unsigned to, uint32_t intid) {
  if (from == to || !lpi_pending(from, intid)) return;
  set_lpi_pending(from, intid, false);
  set_lpi_pending(to, intid, true);
}

void GicV3::move_all_lpis(unsigned from, unsigned to) {
  if (from == to || from >= num_cpus_ || to >= num_cpus_) return;
  std::set<uint32_t> moving = lpis_[from].pending;
  for (uint32_t intid : moving) move_lpi(from, to, intid);
}

unsigned GicV3::lpi_highest_pending(unsigned cpu, unsigned& prio) const {
  const Lpis& l = lpis_[cpu];
  unsigned best = kGicSpurious;
  prio = 0x100;
  if (!l.enabled || l.pending.empty()) return best;
  uint64_t table = l.propbaser & kPropbaserPa;
  for (uint32_t intid : l.pending) {
    uint8_t config = 0;
    if (!memory_->read(table + (intid - kGicFirstLpi), &config, 1) || !(config & kLpiConfigEnable)) continue;
    unsigned p = config & 0xfc & priority_mask();
    if (p < prio) {
      prio = p;
      best = intid;
    }
  }
  return best;
}

void GicV3::send_sgi(unsigned source, uint64_t value, unsigned group, bool nonsecure) {
  unsigned id = unsigned(value >> 24) & 0xf;
  bool all_but_self = value & (1ull << 40);
  uint64_t aff321 = ((value >> 48 & 0xff) << 32) | ((value >> 32 & 0xff) << 16) | ((value >> 16 & 0xff) << 8);
  unsigned rs = unsigned(value >> 44) & 0xf;
  uint16_t list = uint16_t(value);
  for (unsigned c = 0; c < num_cpus_; c++) {
    bool hit;
    if (all_but_self) {
      hit = c != source;
    } else {
      uint64_t mp = mpidrs_[c];
      unsigned aff0 = unsigned(mp & 0xff);
      hit = (mp & ~uint64_t(0xff)) == aff321 && aff0 / 16 == rs && ((list >> (aff0 % 16)) & 1);
    }
    if (!hit) continue;
    // An SGI reaches the CPUs where it is configured in the group the register generates (a
    // Secure Group 1 one also a Group 0 SGI); the Non-secure state reaches no Secure SGI
    // (GICR_NSACR is 0).
    unsigned g = group_of(irq(c, id));
    if (g != group && !(group == kGicG1S && g == 0)) continue;
    if (security_ && nonsecure && g != kGicG1Ns) continue;
    irq(c, id).latched = true;
  }
  update();
}

uint64_t GicV3::ctlr_el1(unsigned cpu, bool secure_bank) const {
  const CpuIface& ci = cpus_[cpu];
  bool cbpr = secure_bank ? ci.cbpr_s : ci.cbpr, eoi = secure_bank ? ci.eoi_mode_s : ci.eoi_mode;
  return (cbpr ? kIccCtlrCbpr : 0) | (eoi ? kIccCtlrEoiMode : 0) | uint64_t(kPriBits - 1) << 8 | kIccCtlrIdBits |
         kIccCtlrA3v;
}

uint64_t GicV3::ctlr_el3(unsigned cpu) const {
  const CpuIface& ci = cpus_[cpu];
  return (ci.cbpr_s ? kCtlr3CbprS : 0) | (ci.cbpr ? kCtlr3CbprNs : 0) | (ci.eoi_mode_el3 ? kCtlr3EoiEl3 : 0) |
         (ci.eoi_mode_s ? kCtlr3EoiS : 0) | (ci.eoi_mode ? kCtlr3EoiNs : 0) | uint64_t(kPriBits - 1) << 8 |
         kIccCtlrIdBits | kIccCtlrA3v | (security_ ? kCtlr3Nds : 0);
}

unsigned GicV3::hppir_value(unsigned cpu, unsigned group_reg, bool secure, bool el3, unsigned& prio,
                            unsigned& grp) const {
  unsigned id = highest_pending(cpu, -1, prio, grp);
  if (id == kGicSpurious) return id;
  if (!security_) return grp == group_reg ? id : kGicSpurious;
  // IHI0069's CheckGroup0ForSpecialIdentifiers / CheckGroup1ForSpecialIdentifiers.
  bool irq_secure = grp != kGicG1Ns;
  if (group_reg == 0) {
    if (grp != 0 && !el3) return kGicSpurious;
    if (irq_secure && !secure) return kGicSpurious;
    if (grp != 0) return irq_secure ? kIntidSecure : kIntidNonSecure;
    return id;
  }
  if (grp == 0) return kGicSpurious;
  if (irq_secure && !secure) return kGicSpurious;          // Secure interrupts are hidden from Non-secure
  if (!irq_secure && secure && !el3) return kGicSpurious;  // and Non-secure ones from Secure EL1
  return id;
}

bool GicV3::sysreg_read(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t& value) {
  if (cpu >= num_cpus_) return false;
  if ((enc >> 11) == ((3u << 3) | 4) && ((enc >> 7) & 0xf) == 12 && ((enc >> 3) & 0xf) != 9)
    return el >= 2 && ich_read(cpu, enc, value);
  if (enc >= kIchAp1r0El2 && enc < kIchAp1r0El2 + 4) return el >= 2 && ich_read(cpu, enc, value);
  CpuIface& ci = cpus_[cpu];
  const bool secure = security_ && (access & gic_access::kSecure), el3 = el == 3;
  const bool sbank = secure_bank(access);
  const unsigned g1 = sbank ? kGicG1S : kGicG1Ns;  // the Group 1 the banked registers serve
  // Non-secure accesses to ICC_PMR_EL1 / ICC_RPR_EL1 when Group 0 belongs to EL3 (SCR_EL3.FIQ):
  // the Non-secure view, the lower half of the priority range shifted up.
  const bool ns_priority_view = security_ && !secure && (access & gic_access::kScrFiq);
  auto ns_view = [](unsigned p) -> unsigned { return !(p & 0x80) ? 0 : p == 0xff ? p : (p << 1) & 0xff; };
  auto aprs = [&](unsigned g, unsigned reg) {
    // Bit n of AP0R0/AP1R0: group priority n << 3 is active (5 priority bits: one register).
    uint64_t v = 0;
    for (unsigned b = 0; b < 32 && reg == 0; b++)
      if (ci.active_prio[g][b << 3]) v |= 1u << b;
    return v;
  };
  if (enc >= kIccAp0r0El1 && enc < kIccAp0r0El1 + 4) {
    value = aprs(0, enc - kIccAp0r0El1);
    return true;
  }
  if (enc >= kIccAp1r0El1 && enc < kIccAp1r0El1 + 4) {
    value = aprs(g1, enc - kIccAp1r0El1);
    return true;
  }
  switch (enc) {
    case kIccPmrEl1: value = ns_priority_view ? ns_view(ci.pmr) : ci.pmr; return true;
    case kIccIar0El1:
    case kIccIar1El1:
    case kIccHppir0El1:
    case kIccHppir1El1: {
      unsigned prio, grp;
      unsigned id = hppir_value(cpu, enc == kIccIar1El1 || enc == kIccHppir1El1 ? 1 : 0, secure, el3, prio, grp);
      bool special = id >= kIntidSecure && id <= kGicSpurious;  // 1020..1023: nothing to acknowledge
      if ((enc == kIccIar0El1 || enc == kIccIar1El1) && !special)
        id = can_preempt(cpu, prio, grp) ? activate(cpu, id, prio, grp) : kGicSpurious;
      value = id;
      return true;
    }
    case kIccBpr0El1: value = ci.bpr[0]; return true;
    case kIccBpr1El1:
      if (g1 == kGicG1S)
        value = ci.cbpr_s ? ci.bpr[0] : ci.bpr[kGicG1S];
      else
        value = ci.cbpr ? std::min<unsigned>(ci.bpr[0] + 1u, 7u) : ci.bpr[kGicG1Ns];
      return true;
    case kIccRprEl1: {
      unsigned p = running_priority(cpu);
      p = p > 0xff ? 0xff : p;
      value = ns_priority_view ? ns_view(p) : p;
      return true;
    }
    case kIccCtlrEl1: value = ctlr_el1(cpu, sbank); return true;
    case kIccSreEl1: value = kSreValue; return true;
    case kIccIgrpen0El1: value = ci.enable_grp[0]; return true;
    case kIccIgrpen1El1: value = ci.enable_grp[g1]; return true;
    case kIccSreEl2:
      if (el < 2) return false;
      value = kSreValue | kSreEnable;
      return true;
    case kIccSreEl3:
      if (el < 3) return false;
      value = kSreValue | kSreEnable;
      return true;
    case kIccCtlrEl3:
      if (el < 3) return false;
      value = ctlr_el3(cpu);
      return true;
    case kIccIgrpen1El3:
      if (el < 3) return false;
      value = (ci.enable_grp[kGicG1Ns] ? 1 : 0) | (security_ ? (ci.enable_grp[kGicG1S] ? 2 : 0) : 0);
      return true;
    case kIccSgi0rEl1:
    case kIccSgi1rEl1:
    case kIccAsgi1rEl1:
    case kIccEoir0El1:
    case kIccEoir1El1:
    case kIccDirEl1: return false;  // write-only: UNDEFINED to read
    default: return false;
  }
}

bool GicV3::sysreg_write(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t value) {
  if (cpu >= num_cpus_) return false;
  if ((enc >> 11) == ((3u << 3) | 4) && ((enc >> 7) & 0xf) == 12 && ((enc >> 3) & 0xf) != 9)
    return el >= 2 && ich_write(cpu, enc, value);
  if (enc >= kIchAp1r0El2 && enc < kIchAp1r0El2 + 4) return el >= 2 && ich_write(cpu, enc, value);
  CpuIface& ci = cpus_[cpu];
  const bool secure = security_ && (access & gic_access::kSecure), el3 = el == 3;
  const bool sbank = secure_bank(access);
  const unsigned g1 = sbank ? kGicG1S : kGicG1Ns;
  if ((enc >= kIccAp0r0El1 && enc < kIccAp0r0El1 + 4) || (enc >= kIccAp1r0El1 && enc < kIccAp1r0El1 + 4)) {
    // Restoring saved active priorities (suspend/resume): only an all-clear write is meaningful
    // to a CPU interface that has nothing active, which is when software does it.
    unsigned g = enc >= kIccAp1r0El1 ? g1 : 0;
    unsigned reg = enc >= kIccAp1r0El1 ? enc - kIccAp1r0El1 : enc - kIccAp0r0El1;
    if (reg == 0)
      for (unsigned b = 0; b < 32; b++) ci.active_prio[g][b << 3] = (value >> b) & 1;
    update();
    return true;
  }
  // Whether EOI splits priority drop and deactivation for the writer.
  const bool eoi_split = !security_ ? ci.eoi_mode : el3 ? ci.eoi_mode_el3 : secure ? ci.eoi_mode_s : ci.eoi_mode;
  switch (enc) {
    case kIccPmrEl1:
      if (security_ && !secure && (access & gic_access::kScrFiq)) {
        if (!(ci.pmr & 0x80)) return true;  // a Secure priority mask stays
        value = 0x80 | (value >> 1);
      }
      ci.pmr = uint8_t(value) & priority_mask();
      break;
    case kIccEoir0El1:
    case kIccEoir1El1: {
      unsigned intid = unsigned(value & 0xffffff);
      if (!security_) {
        end_of_interrupt(cpu, intid, enc == kIccEoir1El1 ? 1 : 0);
        return true;
      }
      // The EOI's group must be the one of the highest active priority (else it is ignored).
      unsigned grp = enc == kIccEoir0El1 ? 0 : g1;  // EL3: Group 1 of SCR_EL3.NS's state
      unsigned best = 0x100, best_group = 0;
      for (unsigned g = 0; g < kGicGroups; g++)
        for (unsigned p = 0; p < best; p++)
          if (ci.active_prio[g][p]) {
            best = p;
            best_group = g;
            break;
          }
      if (best > 0xff || best_group != grp) return true;
      drop_priority(cpu, int(grp));
      if (!eoi_split) deactivate(cpu, intid);
      break;
    }
    case kIccDirEl1: {
      unsigned intid = unsigned(value & 0xffffff);
      if (security_) {
        if (!eoi_split || intid >= num_irqs_) return true;
        // IHI0069's ICC_DIR_EL1 checks: whether the writer's state may deactivate the group.
        unsigned g = group_of(irq(cpu, intid));
        bool fiq3 = access & gic_access::kScrFiq, irq3 = access & gic_access::kScrIrq;
        bool allowed = el3 || (secure ? (g == 0 ? !fiq3 : !irq3) : g == kGicG1Ns && !irq3);
        if (!allowed) return true;
      }
      deactivate(cpu, intid);
      return true;
    }
    case kIccBpr0El1: ci.bpr[0] = std::max<uint8_t>(uint8_t(value & 7), min_bpr(0)); break;
    case kIccBpr1El1:
      if (g1 == kGicG1S)
        ci.bpr[ci.cbpr_s ? 0 : kGicG1S] = std::max<uint8_t>(uint8_t(value & 7), min_bpr(0));
      else if (!ci.cbpr)
        ci.bpr[kGicG1Ns] = std::max<uint8_t>(uint8_t(value & 7), min_bpr(kGicG1Ns));
      break;
    case kIccCtlrEl1:
      // With EL3 and two Security states CBPR is EL3's to set (ICC_CTLR_EL3).
      if (sbank) {
        ci.eoi_mode_s = value & kIccCtlrEoiMode;
      } else {
        if (!security_) ci.cbpr = value & kIccCtlrCbpr;
        ci.eoi_mode = value & kIccCtlrEoiMode;
      }
      break;
    case kIccSreEl1: return true;  // SRE, DFB, DIB are RAO/WI
    case kIccIgrpen0El1: ci.enable_grp[0] = value & 1; break;
    case kIccIgrpen1El1: ci.enable_grp[g1] = value & 1; break;
    case kIccSgi0rEl1: send_sgi(cpu, value, 0, !secure); return true;
    case kIccSgi1rEl1: send_sgi(cpu, value, secure ? kGicG1S : kGicG1Ns, !secure); return true;
    case kIccAsgi1rEl1: send_sgi(cpu, value, security_ && !secure ? kGicG1S : kGicG1Ns, !secure); return true;
    case kIccSreEl2:
      if (el < 2) return false;
      return true;
    case kIccSreEl3:
      if (el < 3) return false;
      return true;
    case kIccCtlrEl3:
      if (el < 3) return false;
      ci.cbpr_s = value & kCtlr3CbprS;
      ci.cbpr = value & kCtlr3CbprNs;
      ci.eoi_mode_el3 = value & kCtlr3EoiEl3;
      ci.eoi_mode_s = value & kCtlr3EoiS;
      ci.eoi_mode = value & kCtlr3EoiNs;
      break;
    case kIccIgrpen1El3:
      if (el < 3) return false;
      ci.enable_grp[kGicG1Ns] = value & 1;
      if (security_) ci.enable_grp[kGicG1S] = value & 2;
      break;
    case kIccIar0El1:
    case kIccIar1El1:
    case kIccHppir0El1:
    case kIccHppir1El1:
    case kIccRprEl1: return false;  // read-only
    default: return false;
  }
  update();
  return true;
}

bool GicV3::ich_read(unsigned cpu, uint32_t enc, uint64_t& value) {
  if (!virtualization_) return false;
  VirtIface& v = virt_[cpu];
  if (enc >= kIchLr0El2 && enc < kIchLr0El2 + 16) {
    unsigned n = enc - kIchLr0El2;
    if (n >= kGicListRegs) return false;
    value = v.lr[n];
    return true;
  }
  if (enc >= kIchAp0r0El2 && enc < kIchAp0r0El2 + 4) {
    value = enc == kIchAp0r0El2 ? v.ap[0] : 0;  // one register with 5 preemption bits
    return true;
  }
  if (enc >= kIchAp1r0El2 && enc < kIchAp1r0El2 + 4) {
    value = enc == kIchAp1r0El2 ? v.ap[1] : 0;
    return true;
  }
  switch (enc) {
    case kIchHcrEl2: value = v.hcr; return true;
    case kIchVtrEl2: value = kVtrValue; return true;
    case kIchMisrEl2: value = misr(cpu); return true;
    case kIchVmcrEl2: value = v.vmcr; return true;
    case kIchEisrEl2:
    case kIchElrsrEl2: {
      value = 0;
      for (unsigned n = 0; n < kGicListRegs; n++) {
        uint64_t lr = v.lr[n];
        bool empty = !(lr & (kLrPending | kLrActive));
        bool eoi = empty && !(lr & kLrHw) && (lr & kLrEoi);
        if (enc == kIchEisrEl2 ? eoi : empty && !eoi) value |= 1u << n;
      }
      return true;
    }
    default: return false;
  }
}

bool GicV3::ich_write(unsigned cpu, uint32_t enc, uint64_t value) {
  if (!virtualization_) return false;
  VirtIface& v = virt_[cpu];
  if (enc >= kIchLr0El2 && enc < kIchLr0El2 + 16) {
    unsigned n = enc - kIchLr0El2;
    if (n >= kGicListRegs) return false;
    // Priority keeps the implemented bits; the rest of the register is stored as written.
    uint64_t prio_unimpl = uint64_t(uint8_t(~priority_mask())) << kLrPriorityShift;
    v.lr[n] = value & ~prio_unimpl;
  } else if (enc >= kIchAp0r0El2 && enc < kIchAp0r0El2 + 4) {
    if (enc == kIchAp0r0El2) v.ap[0] = uint32_t(value);
  } else if (enc >= kIchAp1r0El2 && enc < kIchAp1r0El2 + 4) {
    if (enc == kIchAp1r0El2) v.ap[1] = uint32_t(value);
  } else if (enc == kIchHcrEl2) {
    v.hcr = value & kHcrWritable;
  } else if (enc == kIchVmcrEl2) {
    uint64_t bpr0 = std::max<uint64_t>((value >> kVmcrBpr0Shift) & 7, kGicVirtMinBpr0);
    uint64_t bpr1 = std::max<uint64_t>((value >> kVmcrBpr1Shift) & 7, kGicVirtMinBpr1);
    uint64_t pmr = (value >> kVmcrPmrShift) & priority_mask();
    v.vmcr = (value & (kVmcrEng0 | kVmcrEng1 | kVmcrCbpr | kVmcrEoim)) | bpr0 << kVmcrBpr0Shift |
             bpr1 << kVmcrBpr1Shift | pmr << kVmcrPmrShift;
  } else {
    return false;  // VTR, MISR, EISR, ELRSR are read-only
  }
  update();
  return true;
}

bool GicV3::vsysreg_read(unsigned cpu, uint32_t enc, uint64_t& value) {
  if (cpu >= num_cpus_ || !virtualization_) return false;
  VirtIface& v = virt_[cpu];
  switch (enc) {
    case kIccIar0El1:
    case kIccIar1El1: {
      int n = virt_acknowledge(cpu, enc == kIccIar1El1 ? 1 : 0);
      value = n >= 0 ? uint32_t(v.lr[n]) : kGicSpurious;
      return true;
    }
    case kIccHppir0El1:
    case kIccHppir1El1: {
      int n = virt_highest_pending(cpu);
      bool g1 = enc == kIccHppir1El1;
      value = n >= 0 && bool(v.lr[n] & kLrGroup1) == g1 ? uint32_t(v.lr[n]) : kGicSpurious;
      return true;
    }
    case kIccPmrEl1: value = (v.vmcr >> kVmcrPmrShift) & 0xff; return true;
    case kIccBpr0El1: value = (v.vmcr >> kVmcrBpr0Shift) & 7; return true;
    case kIccBpr1El1:
      value = (v.vmcr & kVmcrCbpr) ? std::min<uint64_t>(((v.vmcr >> kVmcrBpr0Shift) & 7) + 1, 7)
                                   : (v.vmcr >> kVmcrBpr1Shift) & 7;
      return true;
    case kIccRprEl1: {
      unsigned p = virt_running_priority(cpu);
      value = p > 0xff ? 0xff : p;
      return true;
    }
    case kIccCtlrEl1:
      value = ((v.vmcr & kVmcrCbpr) ? kIccCtlrCbpr : 0) | ((v.vmcr & kVmcrEoim) ? kIccCtlrEoiMode : 0) |
              uint64_t(kPriBits - 1) << 8 | kIccCtlrA3v;
      return true;
    case kIccIgrpen0El1: value = v.vmcr & kVmcrEng0; return true;
    case kIccIgrpen1El1: value = (v.vmcr & kVmcrEng1) >> 1; return true;
    case kIccAp0r0El1: value = v.ap[0]; return true;
    case kIccAp1r0El1: value = v.ap[1]; return true;
    default:
      if ((enc > kIccAp0r0El1 && enc < kIccAp0r0El1 + 4) || (enc > kIccAp1r0El1 && enc < kIccAp1r0El1 + 4)) {
        value = 0;
        return true;
      }
      return false;
  }
}

bool GicV3::vsysreg_write(unsigned cpu, uint32_t enc, uint64_t value) {
  if (cpu >= num_cpus_ || !virtualization_) return false;
  VirtIface& v = virt_[cpu];
  auto set_field = [&](unsigned shift, uint64_t mask, uint64_t val) {
    v.vmcr = (v.vmcr & ~(mask << shift)) | ((val & mask) << shift);
  };
  switch (enc) {
    case kIccEoir0El1:
    case kIccEoir1El1: virt_end_of_interrupt(cpu, uint32_t(value & 0xffffff), enc == kIccEoir1El1 ? 1 : 0); break;
    case kIccDirEl1:
      if (v.vmcr & kVmcrEoim) virt_deactivate(cpu, uint32_t(value & 0xffffff));
      break;
    case kIccPmrEl1: set_field(kVmcrPmrShift, 0xff, value & priority_mask()); break;
    case kIccBpr0El1: set_field(kVmcrBpr0Shift, 7, std::max<uint64_t>(value & 7, kGicVirtMinBpr0)); break;
    case kIccBpr1El1:
      if (!(v.vmcr & kVmcrCbpr)) set_field(kVmcrBpr1Shift, 7, std::max<uint64_t>(value & 7, kGicVirtMinBpr1));
      break;
    case kIccCtlrEl1:
      v.vmcr = (v.vmcr & ~(kVmcrCbpr | kVmcrEoim)) | ((value & kIccCtlrCbpr) ? kVmcrCbpr : 0) |
               ((value & kIccCtlrEoiMode) ? kVmcrEoim : 0);
      break;
    case kIccIgrpen0El1: v.vmcr = (v.vmcr & ~kVmcrEng0) | (value & 1); break;
    case kIccIgrpen1El1: v.vmcr = (v.vmcr & ~kVmcrEng1) | ((value & 1) << 1); break;
    case kIccAp0r0El1: v.ap[0] = uint32_t(value); break;
    case kIccAp1r0El1: v.ap[1] = uint32_t(value); break;
    default:
      if ((enc > kIccAp0r0El1 && enc < kIccAp0r0El1 + 4) || (enc > kIccAp1r0El1 && enc < kIccAp1r0El1 + 4)) return true;
      return false;  // SGIs from a guest trap to EL2 (ICH_HCR_EL2.TC's business): not virtualised here
  }
  update();
  return true;
}

void GicV3::snapshot_state(StateIo& io) {
  io(irouter_);
  for (GicWorld& w : worlds_) {
    uint8_t v = uint8_t(w);
    io(v);
    if (io.loading() && v > uint8_t(GicWorld::El3)) throw SnapshotError("arm_gicv3: bad CPU Security state");
    w = GicWorld(v);
  }
  for (unsigned c = 0; c < num_cpus_; c++) {
    bool asleep = sleeping_[c];
    io(asleep);
    sleeping_[c] = asleep;
    Lpis& l = lpis_[c];
    io(l.propbaser), io(l.pendbaser), io(l.enabled);
    // Pending LPIs by INTID (they are also in the guest's pending table, saved with RAM).
    uint32_t n = uint32_t(l.pending.size());
    io(n);
    if (io.loading()) {
      if (n > (1u << kLpiIdBits)) throw SnapshotError("arm_gicv3: too many pending LPIs");
      l.pending.clear();
      for (uint32_t i = 0; i < n; i++) {
        uint32_t id = 0;
        io(id);
        if (id < kGicFirstLpi || id >= (1u << kLpiIdBits)) throw SnapshotError("arm_gicv3: pending LPI out of range");
        l.pending.insert(id);
      }
    } else {
      for (uint32_t id : l.pending) io(id);
    }
  }
  ArmGic::snapshot_state(io);
}

}  // namespace mimic::hw
