// GICv2 registers (IHI0048B chapter 4) over the shared GIC state machine.
#include "hw/intc/arm_gicv2.h"

#include <fmt/format.h>

namespace mimic::hw {

using namespace gic_virt;

namespace {
// GICD offsets.
constexpr uint64_t kGicdCtlr = 0x000, kGicdTyper = 0x004, kGicdIidr = 0x008, kGicdIgroupr = 0x080,
                   kGicdIsenabler = 0x100, kGicdIcenabler = 0x180, kGicdIspendr = 0x200, kGicdIcpendr = 0x280,
                   kGicdIsactiver = 0x300, kGicdIcactiver = 0x380, kGicdIpriorityr = 0x400, kGicdItargetsr = 0x800,
                   kGicdIcfgr = 0xc00, kGicdSgir = 0xf00, kGicdCpendsgir = 0xf10, kGicdSpendsgir = 0xf20,
                   kGicdIdBase = 0xfd0;
// GICC offsets.
constexpr uint64_t kGiccCtlr = 0x00, kGiccPmr = 0x04, kGiccBpr = 0x08, kGiccIar = 0x0c, kGiccEoir = 0x10,
                   kGiccRpr = 0x14, kGiccHppir = 0x18, kGiccAbpr = 0x1c, kGiccApr = 0xd0, kGiccNsapr = 0xe0,
                   kGiccIidr = 0xfc, kGiccDir = 0x1000;
// GICH offsets (the hypervisor's view of the virtual CPU interface).
constexpr uint64_t kGichHcr = 0x00, kGichVtr = 0x04, kGichVmcr = 0x08, kGichMisr = 0x10, kGichEisr0 = 0x20,
                   kGichElrsr0 = 0x30, kGichApr = 0xf0, kGichLr0 = 0x100;
// GICH_VTR: 4 list registers, 5 preemption and 5 priority bits.
constexpr uint32_t kGichVtrValue = (kGicListRegs - 1) | ((kGicVirtPriBits - 1) << 26) | ((kGicVirtPriBits - 1) << 29);
// GICH_LR<n> (32 bits) <-> the shared 64-bit (GICv3) list register format.
uint64_t lr_from_v2(uint32_t v) {
  return uint64_t(v & 0x3ff) | uint64_t((v >> 10) & 0x3ff) << 32 | uint64_t(((v >> 23) & 0x1f) << 3) << 48 |
         uint64_t((v >> 28) & 3) << 62 | uint64_t((v >> 30) & 1) << 60 | uint64_t(v >> 31) << 61;
}
uint32_t lr_to_v2(uint64_t lr) {
  return uint32_t(lr & 0x3ff) | uint32_t((lr >> 32) & 0x3ff) << 10 | uint32_t(((lr >> 48) & 0xff) >> 3) << 23 |
         uint32_t((lr >> 62) & 3) << 28 | uint32_t((lr >> 60) & 1) << 30 | uint32_t((lr >> 61) & 1) << 31;
}
// GICV_CTLR <-> GICH_VMCR: EnableGrp0/1, AckCtl, FIQEn, CBPR in bits 0-4, EOImode in 9.
constexpr uint32_t kVmcrCtlrBits = 0x21f;
// GICv2m frame offsets.
constexpr uint64_t kV2mTyper = 0x008, kV2mSetspiNs = 0x040, kV2mIidr = 0xfcc;
// QEMU's gic_id_gicv2: PIDR4..7, PIDR0..3, CIDR0..3 from 0xfd0.
constexpr uint8_t kGicv2Ids[] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
constexpr uint32_t kGiccCtlrMask = 0x21f;  // EnableGrp0/1, AckCtl, FIQEn, CBPR, EOImode

struct ArrayWindow {
  uint64_t base;
  GicArray array;
  uint64_t bytes_per_32;  // bytes covering 32 INTIDs
};
constexpr ArrayWindow kArrays[] = {
    {kGicdIgroupr, GicArray::Group, 4},         {kGicdIsenabler, GicArray::SetEnable, 4},
    {kGicdIcenabler, GicArray::ClearEnable, 4}, {kGicdIspendr, GicArray::SetPending, 4},
    {kGicdIcpendr, GicArray::ClearPending, 4},  {kGicdIsactiver, GicArray::SetActive, 4},
    {kGicdIcactiver, GicArray::ClearActive, 4}, {kGicdIpriorityr, GicArray::Priority, 32},
    {kGicdIcfgr, GicArray::Config, 8},
};
}  // namespace

GicV2::GicV2(unsigned num_cpus, unsigned num_irqs, tcg::Logger* log, bool virtualization)
    : ArmGic("arm_gic", 2, num_cpus, num_irqs, log, virtualization),
      targets_(num_irqs - kGicFirstSpi),
      sgi_sources_(num_cpus * 16) {
  reset();
}

MmioOps& GicV2::v2m(unsigned base_spi, unsigned count) {
  v2m_base_ = base_spi;
  v2m_count_ = count;
  return v2m_;
}

void GicV2::reset() {
  std::fill(targets_.begin(), targets_.end(), 0);
  std::fill(sgi_sources_.begin(), sgi_sources_.end(), 0);
  ArmGic::reset();
}

uint64_t GicV2::Window::read(uint64_t offset, unsigned size) {
  switch (kind) {
    case 0: return gic.dist_read(offset, size);
    case 1: return gic.cpu_read(gic.current_cpu(), offset, size);
    case 3:
    case 4:
      if (size != 4 || offset % 4) {
        gic.log_guest_error(fmt::format("{}: {}-byte read at {:#x}", kind == 3 ? "GICH" : "GICV", size, offset));
        return 0;
      }
      return kind == 3 ? gic.hyp_read(gic.current_cpu(), offset) : gic.vcpu_read(gic.current_cpu(), offset);
    default:
      if (offset == kV2mTyper && size == 4) return (uint64_t(gic.v2m_base_ + kGicFirstSpi) << 16) | gic.v2m_count_;
      // QEMU's GICv2m IIDR: product 'M', ARM implementer.
      if (offset == kV2mIidr && size == 4) return 0x53 << 20 | 'M' << 12 | 0x43b;
      gic.log_guest_error(fmt::format("v2m: read of unknown register {:#x}", offset));
      return 0;
  }
}

void GicV2::Window::write(uint64_t offset, uint64_t value, unsigned size) {
  switch (kind) {
    case 0: gic.dist_write(offset, value, size); return;
    case 1: gic.cpu_write(gic.current_cpu(), offset, value, size); return;
    case 3:
    case 4:
      if (size != 4 || offset % 4) {
        gic.log_guest_error(fmt::format("{}: {}-byte write at {:#x}", kind == 3 ? "GICH" : "GICV", size, offset));
        return;
      }
      if (kind == 3)
        gic.hyp_write(gic.current_cpu(), offset, uint32_t(value));
      else
        gic.vcpu_write(gic.current_cpu(), offset, uint32_t(value));
      return;
    default: {
      if (offset != kV2mSetspiNs || size < 2) {
        gic.log_guest_error(fmt::format("v2m: write of unknown register {:#x}", offset));
        return;
      }
      unsigned intid = unsigned(value & 0x3ff);
      if (intid < gic.v2m_base_ + kGicFirstSpi || intid >= gic.v2m_base_ + kGicFirstSpi + gic.v2m_count_) {
        gic.log_guest_error(fmt::format("v2m: MSI to INTID {} outside the frame", intid));
        return;
      }
      // An MSI is an edge: it latches the SPI pending.
      gic.irq(0, intid).latched = true;
      gic.update();
    }
  }
}

uint64_t GicV2::dist_read(uint64_t offset, unsigned size) {
  unsigned cpu = current_cpu();
  for (const ArrayWindow& w : kArrays) {
    uint64_t span = w.bytes_per_32 * (num_irqs_ / 32);
    if (offset >= w.base && offset + size <= w.base + span) {
      if (w.array == GicArray::Priority ? size > 4 : size != 4) break;
      return read_array(w.array, cpu, offset - w.base, size, 0, num_irqs_);
    }
  }
  if (offset >= kGicdItargetsr && offset + size <= kGicdItargetsr + num_irqs_) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
      unsigned id = unsigned(offset - kGicdItargetsr) + i;
      // SGIs and PPIs read as the accessing CPU's own bit.
      uint8_t t = id < kGicFirstSpi ? uint8_t(1u << cpu) : targets_[id - kGicFirstSpi];
      v |= uint64_t(t) << (8 * i);
    }
    return v;
  }
  if (offset >= kGicdCpendsgir && offset + size <= kGicdSpendsgir + 16) {
    uint64_t base = offset >= kGicdSpendsgir ? kGicdSpendsgir : kGicdCpendsgir;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint64_t(sgi_sources_[cpu * 16 + (offset - base) + i]) << (8 * i);
    return v;
  }
  if (offset >= kGicdIdBase && offset < kGicdIdBase + sizeof kGicv2Ids * 4 && size == 4 && offset % 4 == 0)
    return kGicv2Ids[(offset - kGicdIdBase) / 4];
  if (size == 4) {
    switch (offset) {
      case kGicdCtlr: return uint32_t(dist_enable_[0]) | uint32_t(dist_enable_[1]) << 1;
      case kGicdTyper: return ((num_cpus_ - 1) << 5) | (num_irqs_ / 32 - 1);
      case kGicdIidr: return 0x43b;
      default: break;
    }
  }
  log_guest_error(fmt::format("distributor: read of unknown register {:#x} size {}", offset, size));
  return 0;
}

void GicV2::dist_write(uint64_t offset, uint64_t value, unsigned size) {
  unsigned cpu = current_cpu();
  for (const ArrayWindow& w : kArrays) {
    uint64_t span = w.bytes_per_32 * (num_irqs_ / 32);
    if (offset >= w.base && offset + size <= w.base + span) {
      if (w.array == GicArray::Priority ? size > 4 : size != 4) break;
      write_array(w.array, cpu, offset - w.base, uint32_t(value), size, 0, num_irqs_);
      return;
    }
  }
  if (offset >= kGicdItargetsr && offset + size <= kGicdItargetsr + num_irqs_) {
    for (unsigned i = 0; i < size; i++) {
      unsigned id = unsigned(offset - kGicdItargetsr) + i;
      if (id >= kGicFirstSpi) targets_[id - kGicFirstSpi] = uint8_t(value >> (8 * i)) & uint8_t((1u << num_cpus_) - 1);
    }
    update();
    return;
  }
  if (offset >= kGicdCpendsgir && offset + size <= kGicdSpendsgir + 16) {
    bool set = offset >= kGicdSpendsgir;
    uint64_t base = set ? kGicdSpendsgir : kGicdCpendsgir;
    for (unsigned i = 0; i < size; i++) {
      uint8_t bits = uint8_t(value >> (8 * i));
      uint8_t& src = sgi_sources_[cpu * 16 + (offset - base) + i];
      src = set ? uint8_t(src | bits) : uint8_t(src & ~bits);
    }
    update();
    return;
  }
  if (size == 4 && offset == kGicdCtlr) {
    dist_enable_[0] = value & 1;
    dist_enable_[1] = value & 2;
    update();
    return;
  }
  if (size == 4 && offset == kGicdSgir) {
    send_sgi(cpu, uint32_t(value));
    return;
  }
  log_guest_error(fmt::format("distributor: write of unknown register {:#x} size {} value {:#x}", offset, size, value));
}

void GicV2::send_sgi(unsigned source, uint32_t value) {
  unsigned id = value & 0xf;
  unsigned filter = (value >> 24) & 3;
  uint32_t targets = 0;
  uint32_t all = (1u << num_cpus_) - 1;
  switch (filter) {
    case 0: targets = (value >> 16) & 0xff & all; break;
    case 1: targets = all & ~(1u << source); break;
    case 2: targets = 1u << source; break;
    default: log_guest_error("GICD_SGIR: reserved TargetListFilter 3"); return;
  }
  for (unsigned c = 0; c < num_cpus_; c++)
    if (targets & (1u << c)) sgi_sources_[c * 16 + id] |= uint8_t(1u << source);
  update();
}

unsigned GicV2::acknowledge_sgi(unsigned cpu, unsigned intid) {
  uint8_t& src = sgi_sources_[cpu * 16 + intid];
  unsigned from = unsigned(__builtin_ctz(src));
  src &= uint8_t(src - 1);
  return (from << 10) | intid;
}

uint64_t GicV2::cpu_read(unsigned cpu, uint64_t offset, unsigned size) {
  CpuIface& ci = cpus_[cpu];
  if (size != 4) {
    log_guest_error(fmt::format("CPU interface: {}-byte read at {:#x}", size, offset));
    return 0;
  }
  switch (offset) {
    case kGiccCtlr:
      return uint32_t(ci.enable_grp[0]) | uint32_t(ci.enable_grp[1]) << 1 | uint32_t(ci.fiq_en) << 3 |
             uint32_t(ci.cbpr) << 4 | uint32_t(ci.eoi_mode) << 9;
    case kGiccPmr: return ci.pmr;
    case kGiccBpr: return ci.bpr[0];
    case kGiccAbpr: return ci.bpr[1];
    case kGiccIar: return acknowledge(cpu, -1);
    case kGiccRpr: {
      unsigned p = running_priority(cpu);
      return p > 0xff ? 0xff : p;
    }
    case kGiccHppir: {
      unsigned id = highest_pending(cpu, -1);
      if (id < 16 && id != kGicSpurious) id |= unsigned(__builtin_ctz(sgi_sources_[cpu * 16 + id])) << 10;
      return id;
    }
    case kGiccIidr: return (2u << 16) | 0x43b;  // GICv2, ARM
    default: break;
  }
  if (offset >= kGiccApr && offset < kGiccApr + 16) {
    // Bit n of GICC_APR0..3: Group 0 group priority n << 1 is active (8 priority bits).
    unsigned reg = unsigned(offset - kGiccApr) / 4;
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; b++) {
      unsigned prio = (reg * 32 + b) << 1;
      if (prio < 256 && (ci.active_prio[0][prio] || ci.active_prio[1][prio])) v |= 1u << b;
    }
    return v;
  }
  if (offset >= kGiccNsapr && offset < kGiccNsapr + 16) return 0;
  log_guest_error(fmt::format("CPU interface: read of unknown register {:#x}", offset));
  return 0;
}

void GicV2::cpu_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size) {
  CpuIface& ci = cpus_[cpu];
  if (size != 4) {
    log_guest_error(fmt::format("CPU interface: {}-byte write at {:#x}", size, offset));
    return;
  }
  uint32_t v = uint32_t(value);
  switch (offset) {
    case kGiccCtlr:
      v &= kGiccCtlrMask;
      ci.enable_grp[0] = v & 1;
      ci.enable_grp[1] = v & 2;
      ci.fiq_en = v & 8;
      ci.cbpr = v & 0x10;
      ci.eoi_mode = v & 0x200;
      break;
    case kGiccPmr: ci.pmr = uint8_t(v); break;
    case kGiccBpr: ci.bpr[0] = std::max<uint8_t>(uint8_t(v & 7), min_bpr(0)); break;
    case kGiccAbpr: ci.bpr[1] = std::max<uint8_t>(uint8_t(v & 7), min_bpr(1)); break;
    case kGiccEoir: end_of_interrupt(cpu, v & 0x3ff, -1); return;
    case kGiccDir: deactivate(cpu, v & 0x3ff); return;
    default:
      if (offset >= kGiccApr && offset < kGiccNsapr + 16) return;  // writes of saved APRs: not restored
      log_guest_error(fmt::format("CPU interface: write of unknown register {:#x} value {:#x}", offset, value));
      return;
  }
  update();
}

uint64_t GicV2::hyp_read(unsigned cpu, uint64_t offset) {
  VirtIface& v = virt_[cpu];
  if (offset >= kGichLr0 && offset < kGichLr0 + 4 * kGicListRegs) return lr_to_v2(v.lr[(offset - kGichLr0) / 4]);
  switch (offset) {
    case kGichHcr: return uint32_t(v.hcr);
    case kGichVtr: return kGichVtrValue;
    case kGichVmcr: return uint32_t(v.vmcr);
    case kGichMisr: return misr(cpu);
    case kGichEisr0:
    case kGichElrsr0: {
      uint32_t bits = 0;
      for (unsigned n = 0; n < kGicListRegs; n++) {
        uint64_t lr = v.lr[n];
        bool empty = !(lr & (kLrPending | kLrActive));
        bool eoi = empty && !(lr & kLrHw) && (lr & kLrEoi);
        if (offset == kGichEisr0 ? eoi : empty && !eoi) bits |= 1u << n;
      }
      return bits;
    }
    case kGichEisr0 + 4:
    case kGichElrsr0 + 4: return 0;
    case kGichApr: return v.ap[0] | v.ap[1];
    default: log_guest_error(fmt::format("GICH: read of unknown register {:#x}", offset)); return 0;
  }
}

void GicV2::hyp_write(unsigned cpu, uint64_t offset, uint32_t value) {
  VirtIface& v = virt_[cpu];
  if (offset >= kGichLr0 && offset < kGichLr0 + 4 * kGicListRegs) {
    v.lr[(offset - kGichLr0) / 4] = lr_from_v2(value);
  } else if (offset == kGichHcr) {
    v.hcr = value & 0xf80000ffu;
  } else if (offset == kGichVmcr) {
    uint64_t bpr0 = std::max<uint64_t>((value >> kVmcrBpr0Shift) & 7, kGicVirtMinBpr0);
    uint64_t bpr1 = std::max<uint64_t>((value >> kVmcrBpr1Shift) & 7, kGicVirtMinBpr1);
    v.vmcr = (value & kVmcrCtlrBits) | bpr0 << kVmcrBpr0Shift | bpr1 << kVmcrBpr1Shift |
             uint64_t(value & (uint32_t(kGicVirtPriorityMask) << kVmcrPmrShift));
  } else if (offset == kGichApr) {
    v.ap[0] = value;
    v.ap[1] = 0;
  } else {
    log_guest_error(fmt::format("GICH: write of unknown or read-only register {:#x}", offset));
    return;
  }
  update();
}

uint64_t GicV2::vcpu_read(unsigned cpu, uint64_t offset) {
  VirtIface& v = virt_[cpu];
  switch (offset) {
    case kGiccCtlr: return v.vmcr & kVmcrCtlrBits;
    case kGiccPmr: return (v.vmcr >> kVmcrPmrShift) & 0xff;
    case kGiccBpr: return (v.vmcr >> kVmcrBpr0Shift) & 7;
    case kGiccAbpr: return (v.vmcr >> kVmcrBpr1Shift) & 7;
    case kGiccIar: {
      int n = virt_acknowledge(cpu, -1);
      if (n < 0) return kGicSpurious;
      uint64_t lr = v.lr[n];
      unsigned id = unsigned(lr & 0x3ff);
      // A virtual SGI carries its source CPU from the list register's CPUID field.
      return id < 16 ? id | unsigned((lr >> 32) & 7) << 10 : id;
    }
    case kGiccHppir: {
      int n = virt_highest_pending(cpu);
      return n < 0 ? kGicSpurious : unsigned(v.lr[n] & 0x3ff);
    }
    case kGiccRpr: {
      unsigned p = virt_running_priority(cpu);
      return p > 0xff ? 0xff : p;
    }
    case kGiccApr: return v.ap[0] | v.ap[1];
    case kGiccIidr: return (2u << 16) | 0x43b;
    default: log_guest_error(fmt::format("GICV: read of unknown register {:#x}", offset)); return 0;
  }
}

void GicV2::vcpu_write(unsigned cpu, uint64_t offset, uint32_t value) {
  VirtIface& v = virt_[cpu];
  auto set_field = [&](unsigned shift, uint64_t mask, uint64_t val) {
    v.vmcr = (v.vmcr & ~(mask << shift)) | ((val & mask) << shift);
  };
  switch (offset) {
    case kGiccCtlr: v.vmcr = (v.vmcr & ~uint64_t(kVmcrCtlrBits)) | (value & kVmcrCtlrBits); break;
    case kGiccPmr: set_field(kVmcrPmrShift, 0xff, value & kGicVirtPriorityMask); break;
    case kGiccBpr: set_field(kVmcrBpr0Shift, 7, std::max<uint64_t>(value & 7, kGicVirtMinBpr0)); break;
    case kGiccAbpr: set_field(kVmcrBpr1Shift, 7, std::max<uint64_t>(value & 7, kGicVirtMinBpr1)); break;
    case kGiccEoir: virt_end_of_interrupt(cpu, value & 0x3ff, -1); return;
    case kGiccDir:
      if (v.vmcr & kVmcrEoim) virt_deactivate(cpu, value & 0x3ff);
      update();
      return;
    case kGiccApr:
      v.ap[0] = value;
      v.ap[1] = 0;
      break;
    default: log_guest_error(fmt::format("GICV: write of unknown register {:#x}", offset)); return;
  }
  update();
}

void GicV2::snapshot_state(StateIo& io) {
  io(targets_), io(sgi_sources_);
  ArmGic::snapshot_state(io);
}

}  // namespace mimic::hw
