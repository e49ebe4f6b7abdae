// GICv3 (IHI0069) as QEMU's arm_gicv3 models it for virt with secure=off (GICD_CTLR.DS = 1,
// affinity routing always on, no LPIs/ITS yet): the distributor, one redistributor per CPU
// (RD_base + SGI_base frames, 128 KiB apart), the ICC_* CPU interface system registers, and the
// virtualization registers: ICH_*_EL2 (4 list registers) with the virtual CPU interface (ICV_*)
// they drive, its VIRQ/VFIQ outputs and the maintenance interrupt (PPI 25).
#pragma once

#include <memory>

#include "hw/intc/arm_gic.h"

namespace mimic::hw {

class GicV3 final : public ArmGic {
 public:
  // `mpidrs`: each CPU's MPIDR affinity (Aff3 in bits 39:32, Aff2..0 in 23:0).
  GicV3(std::vector<uint64_t> mpidrs, unsigned num_irqs, tcg::Logger* log);
  static constexpr uint64_t kDistSize = 0x10000, kRedistStride = 0x20000;
  static constexpr unsigned kPriBits = 5;  // QEMU's GICV3 CPU interface: 32 priority levels
  MmioOps& distributor() { return dist_; }
  // The redistributors of CPUs [first_cpu, first_cpu + count) as one contiguous region; the
  // last CPU's GICR_TYPER.Last is set when it is the machine's last.
  MmioOps& redistributors(unsigned first_cpu, unsigned count);
  void reset() override;

  bool sysreg_read(unsigned cpu, uint32_t enc, unsigned el, bool secure, uint64_t& value) override;
  bool sysreg_write(unsigned cpu, uint32_t enc, unsigned el, bool secure, uint64_t value) override;
  bool vsysreg_read(unsigned cpu, uint32_t enc, uint64_t& value) override;
  bool vsysreg_write(unsigned cpu, uint32_t enc, uint64_t value) override;
  static constexpr unsigned kListRegs = 4;

  uint64_t dist_read(uint64_t offset, unsigned size);
  void dist_write(uint64_t offset, uint64_t value, unsigned size);
  uint64_t redist_read(unsigned cpu, uint64_t offset, unsigned size);
  void redist_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size);

 protected:
  bool spi_targets(unsigned intid, unsigned cpu) const override;
  uint8_t min_bpr(unsigned group) const override { return group == 0 ? 7 - kPriBits : 8 - kPriBits; }
  uint8_t priority_mask() const override { return uint8_t(0xff << (8 - kPriBits)); }
  bool group_on_fiq(unsigned cpu, unsigned group) const override { return group == 0; }
  void update_virtual() override;

 private:
  struct DistWindow final : MmioOps {
    explicit DistWindow(GicV3& g) : gic(g) {}
    uint64_t read(uint64_t offset, unsigned size) override { return gic.dist_read(offset, size); }
    void write(uint64_t offset, uint64_t value, unsigned size) override { gic.dist_write(offset, value, size); }
    GicV3& gic;
  };
  struct RedistWindow final : MmioOps {
    RedistWindow(GicV3& g, unsigned first, unsigned count) : gic(g), first(first), count(count) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;
    GicV3& gic;
    unsigned first, count;
  };
  void send_sgi(unsigned source, uint64_t value, unsigned group);
  // The EL2 view of a CPU's virtual interface (ICH_*_EL2), and what the guest's ICV_* see.
  struct VirtIface {
    uint64_t hcr = 0, vmcr = 0;
    uint32_t ap[2] = {0, 0};  // ICH_AP0R0/AP1R0: bit n = group priority n << 3 active
    uint64_t lr[kListRegs] = {};
    uint32_t eoi_count() const { return uint32_t(hcr >> 27); }
    bool maint_out = false;
  };
  bool ich_read(unsigned cpu, uint32_t enc, uint64_t& value);
  bool ich_write(unsigned cpu, uint32_t enc, uint64_t value);
  uint64_t misr(unsigned cpu) const;
  // The list register holding the highest priority pending virtual interrupt, or -1.
  int virt_highest_pending(unsigned cpu) const;
  unsigned virt_running_priority(unsigned cpu) const;
  uint8_t virt_group_mask(unsigned cpu, unsigned group) const;
  bool virt_can_signal(unsigned cpu, int lr) const;
  void virt_priority_drop(unsigned cpu, unsigned group);
  void virt_deactivate(unsigned cpu, uint32_t vintid);
  uint64_t ctlr_el1(unsigned cpu) const;

  DistWindow dist_{*this};
  std::vector<std::unique_ptr<RedistWindow>> redist_windows_;
  std::vector<uint64_t> mpidrs_;
  std::vector<uint64_t> irouter_;  // GICD_IROUTER<n> of each SPI
  std::vector<bool> sleeping_;     // GICR_WAKER.ProcessorSleep
  std::vector<VirtIface> virt_;
};

}  // namespace mimic::hw
