// The GIC state machine shared by GICv2 and GICv3 (IHI0048 chapter 3, IHI0069 chapter 4):
// pending/active transitions, priority masking and preemption, acknowledge and end of interrupt.
#include "hw/intc/arm_gic.h"

#include <fmt/format.h>

#include "tcg/exec/log.h"

namespace mimic::hw {

using namespace gic_virt;

ArmGic::ArmGic(std::string name, unsigned version, unsigned num_cpus, unsigned num_irqs, tcg::Logger* log,
               bool virtualization)
    : name_(std::move(name)),
      version_(version),
      num_cpus_(num_cpus),
      num_irqs_(num_irqs),
      log_(log),
      banked_(num_cpus * kGicFirstSpi),
      spis_(num_irqs - kGicFirstSpi),
      cpus_(num_cpus),
      virtualization_(virtualization),
      virt_(num_cpus) {}

ArmGic::~ArmGic() = default;

void ArmGic::reset() {
  for (bool& e : dist_enable_) e = false;
  for (IrqState& s : banked_) s = IrqState{};
  for (IrqState& s : spis_) s = IrqState{};
  for (VirtIface& v : virt_) {
    bool maint = v.maint_out;
    v = VirtIface{};
    v.maint_out = maint;
    // VBPR0/VBPR1 reset to their minimum (the architectural reset value is UNKNOWN).
    v.vmcr = uint64_t(kGicVirtMinBpr0) << kVmcrBpr0Shift | uint64_t(kGicVirtMinBpr1) << kVmcrBpr1Shift;
  }
  for (unsigned c = 0; c < num_cpus_; c++) {
    // SGIs are edge triggered and always enabled in GICv2 (GICD_ISENABLER0[15:0] RAO in QEMU's
    // model is not architectural: Linux enables them itself); PPIs default to level.
    for (unsigned i = 0; i < 16; i++) irq(c, i).edge = true;
    CpuIface& ci = cpus_[c];
    bool irq_out = ci.irq_out, fiq_out = ci.fiq_out, virq_out = ci.virq_out, vfiq_out = ci.vfiq_out;
    ci = CpuIface{};
    ci.virq_out = virq_out;
    ci.vfiq_out = vfiq_out;
    for (unsigned g = 0; g < kGicGroups; g++) ci.bpr[g] = min_bpr(g);
    ci.irq_out = irq_out;
    ci.fiq_out = fiq_out;
  }
  update();
}

unsigned ArmGic::current_cpu() const {
  unsigned c = current_cpu_ ? current_cpu_() : 0;
  return c < num_cpus_ ? c : 0;
}

void ArmGic::log_guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kUnimp)) return;
  log_->write(fmt::format("device {}: {}\n", name_, what));
}

bool ArmGic::is_pending(unsigned cpu, unsigned intid) const {
  if (intid < 16) return sgi_pending(cpu, intid);
  const IrqState& s = irq(cpu, intid);
  return s.latched || (!s.edge && s.level);
}

void ArmGic::set_pending(unsigned cpu, unsigned intid, bool pending) {
  if (intid < 16 && !pending) {
    clear_sgi_pending(cpu, intid);
    return;
  }
  irq(cpu, intid).latched = pending;
}

void ArmGic::set_irq(unsigned cpu, unsigned intid, bool level) {
  if (intid < 16 || intid >= num_irqs_ || (intid < kGicFirstSpi && cpu >= num_cpus_)) return;
  IrqState& s = irq(intid < kGicFirstSpi ? cpu : 0, intid);
  if (s.level == level) return;
  s.level = level;
  // An edge-triggered interrupt latches its rising edge; a level one is pending while high.
  if (level && s.edge) s.latched = true;
  update();
}

uint8_t ArmGic::group_priority_mask(unsigned cpu, unsigned group) const {
  const CpuIface& ci = cpus_[cpu];
  // Secure Group 1 counts its binary point as Group 0 does (with the Secure CBPR: BPR0's).
  if (group == kGicG1S) return uint8_t(0xff << ((ci.cbpr_s ? ci.bpr[0] : ci.bpr[kGicG1S]) + 1)) & priority_mask();
  unsigned bpr = group == 1 && ci.cbpr ? ci.bpr[0] : ci.bpr[group];
  // With CBPR (or GICv2's Group 1 using GICC_ABPR) Group 1's binary point counts one lower.
  if (group == 1 && !ci.cbpr) bpr = bpr > 0 ? bpr - 1 : 0;
  return uint8_t(0xff << (bpr + 1)) & priority_mask();
}

unsigned ArmGic::highest_pending(unsigned cpu, int group) const {
  unsigned prio, grp;
  return highest_pending(cpu, group, prio, grp);
}

unsigned ArmGic::highest_pending(unsigned cpu, int group, unsigned& best_prio, unsigned& best_group) const {
  unsigned best = kGicSpurious;
  best_prio = 0x100;
  best_group = 0;
  const CpuIface& ci = cpus_[cpu];
  for (unsigned id = 0; id < num_irqs_; id++) {
    const IrqState& s = irq(cpu, id);
    if (!s.enabled || s.active || !is_pending(cpu, id)) continue;
    unsigned g = group_of(s);
    if ((group >= 0 && unsigned(group) != g) || !dist_enable_[g] || !ci.enable_grp[g]) continue;
    if (id >= kGicFirstSpi && !spi_targets(id, cpu)) continue;
    unsigned prio = s.priority & priority_mask();
    if (prio < best_prio) {
      best_prio = prio;
      best = id;
      best_group = g;
    }
  }
  // LPIs are Group 1; on equal priority the lower INTID (an SPI or PPI) wins.
  if (group != 0 && dist_enable_[1] && ci.enable_grp[1]) {
    unsigned prio = 0x100;
    unsigned lpi = lpi_highest_pending(cpu, prio);
    if (lpi != kGicSpurious && prio < best_prio) {
      best_prio = prio;
      best = lpi;
      best_group = 1;
    }
  }
  return best;
}

unsigned ArmGic::running_priority(unsigned cpu) const {
  const CpuIface& ci = cpus_[cpu];
  for (unsigned p = 0; p < 256; p++)
    if (ci.active_prio[0][p] || ci.active_prio[1][p] || ci.active_prio[2][p]) return p;
  return 0x100;
}

bool ArmGic::output_level(unsigned cpu, ArmCpuIrq line) const {
  if (cpu >= num_cpus_) return false;
  const CpuIface& ci = cpus_[cpu];
  switch (line) {
    case ArmCpuIrq::Irq: return ci.irq_out;
    case ArmCpuIrq::Fiq: return ci.fiq_out;
    case ArmCpuIrq::VIrq: return ci.virq_out;
    case ArmCpuIrq::VFiq: return ci.vfiq_out;
  }
  return false;
}

void ArmGic::update() {
  for (unsigned c = 0; c < num_cpus_; c++) {
    CpuIface& ci = cpus_[c];
    bool irq_out = false, fiq_out = false;
    unsigned prio, g;
    unsigned id = highest_pending(c, -1, prio, g);
    if (id != kGicSpurious) {
      // Signalled when unmasked by the PMR and its group priority preempts the running one.
      if (can_preempt(c, prio, g)) (group_on_fiq(c, g) ? fiq_out : irq_out) = true;
    }
    if (irq_out != ci.irq_out) {
      ci.irq_out = irq_out;
      if (sink_) sink_(c, ArmCpuIrq::Irq, irq_out);
    }
    if (fiq_out != ci.fiq_out) {
      ci.fiq_out = fiq_out;
      if (sink_) sink_(c, ArmCpuIrq::Fiq, fiq_out);
    }
  }
  update_virtual();
}

bool ArmGic::can_preempt(unsigned cpu, unsigned prio, unsigned group) const {
  return prio < cpus_[cpu].pmr && (prio & group_priority_mask(cpu, group)) < running_priority(cpu);
}

unsigned ArmGic::acknowledge(unsigned cpu, int group) {
  // The highest priority pending interrupt, if it is of the group asked for (GICv3's IAR0 and
  // IAR1 return 1023 when the other group's is highest).
  unsigned prio, g;
  unsigned id = highest_pending(cpu, -1, prio, g);
  if (id == kGicSpurious) return kGicSpurious;
  if (group >= 0 && unsigned(group) != g) return kGicSpurious;
  if (!can_preempt(cpu, prio, g)) return kGicSpurious;
  return activate(cpu, id, prio, g);
}

unsigned ArmGic::activate(unsigned cpu, unsigned id, unsigned prio, unsigned g) {
  CpuIface& ci = cpus_[cpu];
  uint8_t gp = prio & group_priority_mask(cpu, g);
  unsigned value = id;
  if (id >= kGicFirstLpi) {
    lpi_acknowledge(cpu, id);  // no active state: only the priority drop is left to do
  } else {
    IrqState& s = irq(cpu, id);
    if (id < 16)
      value = acknowledge_sgi(cpu, id);
    else
      s.latched = false;  // a level interrupt stays pending while its line is high
    s.active = true;
  }
  ci.active_prio[g].set(gp);
  update();
  return value;
}

bool ArmGic::drop_priority(unsigned cpu, int group) {
  CpuIface& ci = cpus_[cpu];
  // Priority drop: the highest active priority (lowest value) goes.
  for (unsigned p = 0; p < 256; p++) {
    for (unsigned g = 0; g < kGicGroups; g++) {
      if ((group < 0 || unsigned(group) == g) && ci.active_prio[g][p]) {
        ci.active_prio[g].reset(p);
        return true;
      }
    }
  }
  return false;
}

void ArmGic::end_of_interrupt(unsigned cpu, unsigned intid, int group) {
  if (!drop_priority(cpu, group)) log_guest_error(fmt::format("EOI of INTID {} with no active priority", intid));
  if (!cpus_[cpu].eoi_mode) deactivate(cpu, intid);
  update();
}

void ArmGic::deactivate(unsigned cpu, unsigned intid) {
  if (version_ == 2) intid &= 0x3ff;  // GICv2's EOIR/DIR carry the SGI source CPU above
  if (intid >= num_irqs_) return;     // spurious, an LPI (no active state) or out of range: ignored
  irq(cpu, intid).active = false;
  update();
}

uint32_t ArmGic::read_array(GicArray array, unsigned cpu, uint64_t offset, unsigned size, unsigned lo, unsigned hi,
                            bool nonsecure) const {
  if (nonsecure && (array == GicArray::Group || array == GicArray::GroupMod)) return 0;
  unsigned bits = array == GicArray::Priority ? 8 : array == GicArray::Config ? 2 : 1;
  unsigned first = unsigned(offset * 8 / bits);
  unsigned n = size * 8 / bits;
  uint32_t v = 0;
  for (unsigned i = 0; i < n; i++) {
    unsigned id = first + i;
    if (id < lo || id >= hi || id >= num_irqs_) continue;
    const IrqState& s = irq(cpu, id);
    if (nonsecure && group_of(s) != kGicG1Ns) continue;
    uint32_t f = 0;
    switch (array) {
      case GicArray::Group: f = s.group1; break;
      case GicArray::GroupMod: f = s.grpmod; break;
      case GicArray::SetEnable:
      case GicArray::ClearEnable: f = s.enabled; break;
      case GicArray::SetPending:
      case GicArray::ClearPending: f = is_pending(cpu, id); break;
      case GicArray::SetActive:
      case GicArray::ClearActive: f = s.active; break;
      case GicArray::Priority:
        f = s.priority & priority_mask();
        if (nonsecure) f = (f << 1) & 0xff;  // the Non-secure view: the lower half, shifted
        break;
      case GicArray::Config: f = s.edge ? 2 : 0; break;
    }
    v |= f << (i * bits);
  }
  return v;
}

void ArmGic::write_array(GicArray array, unsigned cpu, uint64_t offset, uint32_t value, unsigned size, unsigned lo,
                         unsigned hi, bool nonsecure) {
  if (nonsecure && (array == GicArray::Group || array == GicArray::GroupMod)) return;
  unsigned bits = array == GicArray::Priority ? 8 : array == GicArray::Config ? 2 : 1;
  unsigned first = unsigned(offset * 8 / bits);
  unsigned n = size * 8 / bits;
  for (unsigned i = 0; i < n; i++) {
    unsigned id = first + i;
    if (id < lo || id >= hi || id >= num_irqs_) continue;
    IrqState& s = irq(cpu, id);
    if (nonsecure && group_of(s) != kGicG1Ns) continue;
    uint32_t f = (value >> (i * bits)) & ((1u << bits) - 1);
    switch (array) {
      case GicArray::Group: s.group1 = f; break;
      case GicArray::GroupMod: s.grpmod = f; break;
      case GicArray::SetEnable:
        if (f) s.enabled = true;
        break;
      case GicArray::ClearEnable:
        if (f) s.enabled = false;
        break;
      // GICv2's SGIs have their own pending registers (per source); GICv3's are set and
      // cleared here.
      case GicArray::SetPending:
        if (f && (id >= 16 || version_ == 3)) s.latched = true;
        break;
      case GicArray::ClearPending:
        if (f && (id >= 16 || version_ == 3)) s.latched = false;
        break;
      case GicArray::SetActive:
        if (f) s.active = true;
        break;
      case GicArray::ClearActive:
        if (f) s.active = false;
        break;
      case GicArray::Priority:
        if (nonsecure) f = 0x80 | (f >> 1);
        s.priority = uint8_t(f) & priority_mask();
        break;
      case GicArray::Config:
        // SGIs are always edge; PPIs' configuration is implementation defined (QEMU: writable).
        if (id >= 16) s.edge = f & 2;
        break;
    }
  }
  update();
}

uint64_t ArmGic::misr(unsigned cpu) const {
  const VirtIface& v = virt_[cpu];
  unsigned valid = 0;
  bool any_pending = false, eoi = false;
  for (unsigned n = 0; n < kGicListRegs; n++) {
    uint64_t lr = v.lr[n];
    if (lr & (kLrPending | kLrActive)) valid++;
    if ((lr & (kLrPending | kLrActive)) == kLrPending) any_pending = true;
    if (!(lr & (kLrPending | kLrActive)) && !(lr & kLrHw) && (lr & kLrEoi)) eoi = true;
  }
  bool eng0 = v.vmcr & kVmcrEng0, eng1 = v.vmcr & kVmcrEng1;
  uint64_t m = 0;
  if (eoi) m |= 1;
  if ((v.hcr & kHcrUie) && valid <= 1) m |= 2;
  if ((v.hcr & kHcrLrenpie) && v.eoi_count() != 0) m |= 4;
  if ((v.hcr & kHcrNpie) && !any_pending) m |= 8;
  if ((v.hcr & kHcrVgrp0eie) && eng0) m |= 0x10;
  if ((v.hcr & kHcrVgrp0die) && !eng0) m |= 0x20;
  if ((v.hcr & kHcrVgrp1eie) && eng1) m |= 0x40;
  if ((v.hcr & kHcrVgrp1die) && !eng1) m |= 0x80;
  return m;
}

uint8_t ArmGic::virt_group_mask(unsigned cpu, unsigned group) const {
  uint64_t vmcr = virt_[cpu].vmcr;
  unsigned bpr;
  if (group == 1 && (vmcr & kVmcrCbpr))
    bpr = unsigned(vmcr >> kVmcrBpr0Shift) & 7;
  else if (group == 1)
    bpr = (unsigned(vmcr >> kVmcrBpr1Shift) & 7) - 1;
  else
    bpr = unsigned(vmcr >> kVmcrBpr0Shift) & 7;
  return uint8_t(0xff << (bpr + 1)) & kGicVirtPriorityMask;
}

unsigned ArmGic::virt_running_priority(unsigned cpu) const {
  uint32_t active = virt_[cpu].ap[0] | virt_[cpu].ap[1];
  return active ? unsigned(__builtin_ctz(active)) << (8 - kGicVirtPriBits) : 0x100;
}

int ArmGic::virt_highest_pending(unsigned cpu) const {
  const VirtIface& v = virt_[cpu];
  int best = -1;
  unsigned best_prio = 0x100;
  for (unsigned n = 0; n < kGicListRegs; n++) {
    uint64_t lr = v.lr[n];
    if ((lr & (kLrPending | kLrActive)) != kLrPending) continue;
    bool g1 = lr & kLrGroup1;
    if (!(v.vmcr & (g1 ? kVmcrEng1 : kVmcrEng0))) continue;
    unsigned prio = unsigned(lr >> kLrPriorityShift) & 0xff;
    if (prio < best_prio) {
      best_prio = prio;
      best = int(n);
    }
  }
  return best;
}

bool ArmGic::virt_can_signal(unsigned cpu, int n) const {
  if (n < 0) return false;
  uint64_t lr = virt_[cpu].lr[n];
  unsigned prio = unsigned(lr >> kLrPriorityShift) & 0xff;
  unsigned g = (lr & kLrGroup1) ? 1 : 0;
  unsigned vpmr = unsigned(virt_[cpu].vmcr >> kVmcrPmrShift) & 0xff;
  return prio < vpmr && (prio & virt_group_mask(cpu, g)) < virt_running_priority(cpu);
}

void ArmGic::update_virtual() {
  for (unsigned c = 0; c < num_cpus_; c++) {
    VirtIface& v = virt_[c];
    CpuIface& ci = cpus_[c];
    bool virq = false, vfiq = false;
    if (!virtualization_) continue;
    if (v.hcr & kHcrEn) {
      int n = virt_highest_pending(c);
      // Group 0 on VFIQ (GICv2: with GICH_VMCR.VMFIQEn), Group 1 on VIRQ.
      bool fiq = !(v.lr[n] & kLrGroup1) && (version_ == 3 || (v.vmcr & kVmcrFiqEn));
      if (virt_can_signal(c, n)) (fiq ? vfiq : virq) = true;
    }
    if (virq != ci.virq_out) {
      ci.virq_out = virq;
      if (sink_) sink_(c, ArmCpuIrq::VIrq, virq);
    }
    if (vfiq != ci.vfiq_out) {
      ci.vfiq_out = vfiq;
      if (sink_) sink_(c, ArmCpuIrq::VFiq, vfiq);
    }
    bool maint = (v.hcr & kHcrEn) && misr(c) != 0;
    if (maint != v.maint_out) {
      v.maint_out = maint;
      set_irq(c, kGicMaintenancePpi, maint);  // re-enters update() once; the levels are settled
    }
  }
}

void ArmGic::virt_priority_drop(unsigned cpu, unsigned group) {
  VirtIface& v = virt_[cpu];
  uint32_t all = v.ap[0] | v.ap[1];
  if (!all) return;
  uint32_t bit = all & -all;  // the highest priority active
  v.ap[(v.ap[group] & bit) ? group : 1 - group] &= ~bit;
}

void ArmGic::virt_deactivate(unsigned cpu, uint32_t vintid) {
  VirtIface& v = virt_[cpu];
  for (unsigned n = 0; n < kGicListRegs; n++) {
    uint64_t& lr = v.lr[n];
    if (uint32_t(lr) != vintid || !(lr & kLrActive)) continue;
    lr &= ~kLrActive;
    // A hardware interrupt's physical INTID is deactivated with it.
    if (lr & kLrHw) deactivate(cpu, unsigned(lr >> 32) & 0x3ff);
    return;
  }
  // No list register holds it (the hypervisor took it out): counted for the hypervisor.
  v.hcr += 1ull << 27;
  v.hcr &= kHcrWritable;
}

int ArmGic::virt_acknowledge(unsigned cpu, int group) {
  VirtIface& v = virt_[cpu];
  int n = virt_highest_pending(cpu);
  if (n < 0 || !virt_can_signal(cpu, n)) return -1;
  uint64_t& lr = v.lr[n];
  unsigned g = (lr & kLrGroup1) ? 1 : 0;
  if (group >= 0 && unsigned(group) != g) return -1;
  lr = (lr & ~kLrPending) | kLrActive;
  unsigned prio = unsigned(lr >> kLrPriorityShift) & 0xff;
  v.ap[g] |= 1u << ((prio & virt_group_mask(cpu, g)) >> (8 - kGicVirtPriBits));
  update();
  return n;
}

void ArmGic::virt_end_of_interrupt(unsigned cpu, uint32_t vintid, int group) {
  virt_priority_drop(cpu, group < 0 ? 0 : unsigned(group));
  if (!(virt_[cpu].vmcr & kVmcrEoim)) virt_deactivate(cpu, vintid);
}

void ArmGic::snapshot_state(StateIo& io) {
  io(dist_enable_), io(banked_), io(spis_), io(cpus_), io(virt_);
  if (!io.loading()) return;
  // The CPUs' lines are saved with them: the outputs as they were, then recomputed.
  update();
}

}  // namespace mimic::hw
