// GICv2 (IHI0048B) as QEMU's arm_gic models it for virt with secure=off: the distributor, the
// memory-mapped CPU interface (banked by the accessing CPU) and the GICv2m MSI frame.
#pragma once

#include "hw/intc/arm_gic.h"

namespace mimic::hw {

class GicV2 final : public ArmGic {
 public:
  // `virtualization`: with the Virtualization Extensions' GICH (hypervisor control) and GICV
  // (virtual CPU interface) frames.
  GicV2(unsigned num_cpus, unsigned num_irqs, tcg::Logger* log, bool virtualization = false);
  static constexpr uint64_t kDistSize = 0x1000, kCpuSize = 0x2000, kV2mSize = 0x1000, kHypSize = 0x1000,
                            kVcpuSize = 0x2000;
  // MMIO windows the board maps: GICD, GICC, and the MSI frame delivering SPIs
  // [v2m_base, v2m_base + v2m_count).
  MmioOps& distributor() { return dist_; }
  MmioOps& cpu_interface() { return cpu_; }
  MmioOps& v2m(unsigned base_spi, unsigned count);
  // The accessing CPU's GICH_* and GICV_* (virtualization only).
  MmioOps& hyp_interface() { return hyp_; }
  MmioOps& vcpu_interface() { return vcpu_; }
  void reset() override;
  void snapshot_state(StateIo& io) override;

  uint64_t dist_read(uint64_t offset, unsigned size);
  void dist_write(uint64_t offset, uint64_t value, unsigned size);
  uint64_t cpu_read(unsigned cpu, uint64_t offset, unsigned size);
  void cpu_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size);
  uint64_t hyp_read(unsigned cpu, uint64_t offset);
  void hyp_write(unsigned cpu, uint64_t offset, uint32_t value);
  uint64_t vcpu_read(unsigned cpu, uint64_t offset);
  void vcpu_write(unsigned cpu, uint64_t offset, uint32_t value);

 protected:
  // A uniprocessor GIC routes every SPI to its CPU (GICD_ITARGETSR is then RAZ/WI).
  bool spi_targets(unsigned intid, unsigned cpu) const override {
    return num_cpus_ == 1 || ((targets_[intid - kGicFirstSpi] >> cpu) & 1);
  }
  unsigned acknowledge_sgi(unsigned cpu, unsigned intid) override;
  bool sgi_pending(unsigned cpu, unsigned intid) const override { return sgi_sources_[cpu * 16 + intid] != 0; }
  void clear_sgi_pending(unsigned cpu, unsigned intid) override { sgi_sources_[cpu * 16 + intid] = 0; }
  uint8_t min_bpr(unsigned group) const override { return group == 0 ? 0 : 1; }
  uint8_t priority_mask() const override { return 0xff; }
  bool group_on_fiq(unsigned cpu, unsigned group) const override { return group == 0 && cpus_[cpu].fiq_en; }

 private:
  struct Window final : MmioOps {
    Window(GicV2& g, int kind) : gic(g), kind(kind) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;
    GicV2& gic;
    int kind;  // 0 distributor, 1 CPU interface, 2 v2m, 3 GICH, 4 GICV
  };
  void send_sgi(unsigned source, uint32_t value);
  Window dist_{*this, 0}, cpu_{*this, 1}, v2m_{*this, 2}, hyp_{*this, 3}, vcpu_{*this, 4};
  unsigned v2m_base_ = 0, v2m_count_ = 0;
  std::vector<uint8_t> targets_;      // GICD_ITARGETSR of each SPI
  std::vector<uint8_t> sgi_sources_;  // per target CPU and SGI: which CPUs sent it
};

}  // namespace mimic::hw
