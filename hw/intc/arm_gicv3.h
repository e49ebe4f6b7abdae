// GICv3 (IHI0069) as QEMU's arm_gicv3 models it for virt (affinity routing always on), without
// the Security Extensions (secure=off: GICD_CTLR.DS = 1) or with them (secure=on: DS = 0, Secure
// Group 1, Secure and Non-secure views of the registers, banked ICC_* registers): the
// distributor, one redistributor per CPU (RD_base + SGI_base frames, 128 KiB apart) with LPIs
// (GICR_PROPBASER/PENDBASER tables in guest memory; the ITS in arm_gicv3_its.h makes them
// pending), the ICC_* CPU interface system registers, and the virtualization registers:
// ICH_*_EL2 (4 list registers) with the virtual CPU interface (ICV_*) they drive, its
// VIRQ/VFIQ outputs and the maintenance interrupt (PPI 25).
#pragma once

#include <memory>
#include <set>

#include "hw/intc/arm_gic.h"

namespace mimic::hw {

class GicV3 final : public ArmGic {
 public:
  // `mpidrs`: each CPU's MPIDR affinity (Aff3 in bits 39:32, Aff2..0 in 23:0).
  // `security`: the Security Extensions (GICD_CTLR.DS = 0), for a machine with EL3.
  GicV3(std::vector<uint64_t> mpidrs, unsigned num_irqs, tcg::Logger* log, bool virtualization = false,
        bool security = false);
  static constexpr uint64_t kDistSize = 0x10000, kRedistStride = 0x20000;
  static constexpr unsigned kPriBits = 5;  // QEMU's GICV3 CPU interface: 32 priority levels
  MmioOps& distributor() { return dist_; }
  // The redistributors of CPUs [first_cpu, first_cpu + count) as one contiguous region; the
  // last CPU's GICR_TYPER.Last is set when it is the machine's last.
  MmioOps& redistributors(unsigned first_cpu, unsigned count);
  void reset() override;
  // With the Security Extensions: reset puts every interrupt in Non-secure Group 1, as the
  // Secure firmware does before it starts a Non-secure kernel (QEMU's direct kernel boot).
  void set_reset_nonsecure(bool nonsecure) { reset_nonsecure_ = nonsecure; }
  void snapshot_state(StateIo& io) override;

  // LPIs: the redistributors read the guest's LPI configuration table (enable bit, priority)
  // and keep its pending table current through `memory` (the board's bus). Without it (unit
  // tests of the SPI/PPI side) GICR_TYPER.PLPIS reads 0.
  void set_memory(AddressSpace* memory) { memory_ = memory; }
  // Whether `cpu`'s redistributor takes `intid` as an LPI now (EnableLPIs set, INTID below
  // 2^(GICR_PROPBASER.IDbits + 1)).
  bool lpi_accepted(unsigned cpu, uint32_t intid) const;
  bool lpi_pending(unsigned cpu, uint32_t intid) const;
  // What the ITS does to an LPI: makes it pending / not pending on a redistributor, moves its
  // pending state to another (MOVI, MOVALL), or asks for the configuration to be read again
  // (INV, INVALL: mimic reads it at every priority decision, so only the outputs change).
  void set_lpi_pending(unsigned cpu, uint32_t intid, bool pending);
  void move_lpi(unsigned from, unsigned to, uint32_t intid);
  void move_all_lpis(unsigned from, unsigned to);
  void lpi_config_changed() { update(); }

  bool sysreg_read(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t& value) override;
  bool sysreg_write(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t value) override;
  void set_cpu_world(unsigned cpu, GicWorld world) override;
  bool vsysreg_read(unsigned cpu, uint32_t enc, uint64_t& value) override;
  bool vsysreg_write(unsigned cpu, uint32_t enc, uint64_t value) override;

  uint64_t dist_read(uint64_t offset, unsigned size);
  void dist_write(uint64_t offset, uint64_t value, unsigned size);
  uint64_t redist_read(unsigned cpu, uint64_t offset, unsigned size);
  void redist_write(unsigned cpu, uint64_t offset, uint64_t value, unsigned size);

 protected:
  bool spi_targets(unsigned intid, unsigned cpu) const override;
  // Group 0 and Secure Group 1 count the binary point from 7 - priority bits, Group 1 one higher.
  uint8_t min_bpr(unsigned group) const override { return group == kGicG1Ns ? 8 - kPriBits : 7 - kPriBits; }
  uint8_t priority_mask() const override { return uint8_t(0xff << (8 - kPriBits)); }
  bool group_on_fiq(unsigned cpu, unsigned group) const override;
  unsigned lpi_highest_pending(unsigned cpu, unsigned& prio) const override;
  void lpi_acknowledge(unsigned cpu, unsigned intid) override { set_lpi_pending(cpu, intid, false); }

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
  // An SGI of `group` from `source`; `nonsecure`: from the Non-secure state.
  void send_sgi(unsigned source, uint64_t value, unsigned group, bool nonsecure);
  bool ich_read(unsigned cpu, uint32_t enc, uint64_t& value);
  bool ich_write(unsigned cpu, uint32_t enc, uint64_t value);
  // ICC_CTLR_EL1 of the Secure (`secure_bank`) or Non-secure copy, and ICC_CTLR_EL3.
  uint64_t ctlr_el1(unsigned cpu, bool secure_bank) const;
  uint64_t ctlr_el3(unsigned cpu) const;
  // What ICC_HPPIR0/1_EL1 read for the CPU's highest priority pending interrupt (IHI0069's
  // special INTIDs 1020/1021 tell EL3 of a Group 1 one); `secure`/`el3`: the reader's state.
  unsigned hppir_value(unsigned cpu, unsigned group_reg, bool secure, bool el3, unsigned& prio, unsigned& grp) const;
  // Which copy of a banked ICC_* register an access reaches (the Secure one: Secure Group 1's).
  bool secure_bank(unsigned access) const { return security_ && !(access & gic_access::kNsBank); }
  // A Non-secure access to the memory-mapped registers (the calling CPU's state: mimic does
  // not carry the NS attribute of a Secure stage 1 mapping to the device).
  bool nonsecure_access() const { return security_ && worlds_[current_cpu()] == GicWorld::NonSecure; }
  uint32_t gicd_ctlr(bool nonsecure) const;
  void write_gicd_ctlr(uint32_t value, bool nonsecure);

  DistWindow dist_{*this};
  std::vector<std::unique_ptr<RedistWindow>> redist_windows_;
  std::vector<uint64_t> mpidrs_;
  std::vector<uint64_t> irouter_;  // GICD_IROUTER<n> of each SPI
  std::vector<bool> sleeping_;     // GICR_WAKER.ProcessorSleep
  bool security_;
  bool reset_nonsecure_ = false;
  std::vector<GicWorld> worlds_;  // each CPU's Security state (ArmGic::set_cpu_world)

  // One redistributor's LPI state: its table registers, GICR_CTLR.EnableLPIs, and the pending
  // LPIs (also written through to the pending table, which is read when LPIs are enabled).
  struct Lpis {
    uint64_t propbaser = 0, pendbaser = 0;
    bool enabled = false;
    std::set<uint32_t> pending;
  };
  uint32_t lpi_limit(unsigned cpu) const;  // one past the highest LPI INTID the tables hold
  void write_pending_bit(unsigned cpu, uint32_t intid, bool pending);
  void enable_lpis(unsigned cpu);
  AddressSpace* memory_ = nullptr;
  std::vector<Lpis> lpis_;
};

}  // namespace mimic::hw
