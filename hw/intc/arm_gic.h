// The Arm Generic Interrupt Controller: the state machine GICv2 and GICv3 share (per-interrupt
// enable/pending/active/group/priority/trigger, banked SGIs and PPIs per CPU, the CPU
// interface's priority mask, binary point, running priority and active priorities), and the
// two front ends: GicV2 (distributor + memory-mapped CPU interface + GICv2m MSI frame) and GicV3
// (distributor with affinity routing, one redistributor per CPU, the ICC_* system registers).
//
// GICv2 models a GIC without the Security Extensions (no GICD_TYPER.SecurityExtn): Group 0
// signals FIQ (with FIQEn), Group 1 IRQ. GICv3 has them with -M virt,secure=on (GICD_CTLR.DS =
// 0: Group 0, Secure Group 1 and Non-secure Group 1, Secure and Non-secure register views,
// signalling by the CPU's Security state) and not without (DS = 1: Group 0 and Group 1).
//
// Locking: every entry point runs under the machine's device lock (MMIO, device lines, and the
// board takes it around the CPU's system register and timer calls). None of that is a hot path:
// the guest touches the GIC once or twice per interrupt, not per instruction.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/core/memory.h"
#include "hw/core/snapshot.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

// Lines into a CPU: what the GIC drives.
enum class ArmCpuIrq { Irq, Fiq, VIrq, VFiq };

constexpr unsigned kGicSpurious = 1023;
constexpr unsigned kGicFirstSpi = 32;
constexpr unsigned kGicFirstLpi = 8192;
constexpr unsigned kGicMaintenancePpi = 25;
// Interrupt groups: 0 (Group 0), 1 (Group 1; Non-secure Group 1 with the Security Extensions)
// and 2 (Secure Group 1: GICv3 with GICD_CTLR.DS = 0 only).
constexpr unsigned kGicGroups = 3, kGicG1Ns = 1, kGicG1S = 2;
// The CPU's Security state as a GICv3 CPU interface with the Security Extensions needs it: it
// decides whether each group signals FIQ or IRQ (IHI0069 4.6.2) and what the EL1 registers show.
enum class GicWorld : uint8_t { NonSecure, SecureEl1, El3 };
// How a CPU reaches the ICC_* registers (ArmCpuHooks::gic_read's `access`): its Security state,
// which bank EL3's accesses to the banked EL1 registers reach (SCR_EL3.NS), and SCR_EL3.FIQ/IRQ
// (Non-secure views of ICC_PMR_EL1 and ICC_RPR_EL1, ICC_DIR_EL1's checks).
namespace gic_access {
inline constexpr unsigned kSecure = 1, kNsBank = 2, kScrFiq = 4, kScrIrq = 8;
}
// The virtual CPU interface (both versions): list registers, 5 priority bits, minimum binary points.
constexpr unsigned kGicListRegs = 4, kGicVirtPriBits = 5, kGicVirtMinBpr0 = 2, kGicVirtMinBpr1 = 3;
constexpr uint8_t kGicVirtPriorityMask = 0xf8;
// Fields of the virtual interface's registers (GICv3 names; GICv2's GICH_* agree bit for bit
// except the list registers' 32-bit format).
namespace gic_virt {
// ICH_LR<n>_EL2 fields.
inline constexpr uint64_t kLrPending = 1ull << 62, kLrActive = 1ull << 63, kLrHw = 1ull << 61, kLrGroup1 = 1ull << 60,
                          kLrEoi = 1ull << 41;
inline constexpr unsigned kLrPriorityShift = 48;
// ICH_VMCR_EL2 fields.
inline constexpr uint64_t kVmcrEng0 = 1, kVmcrEng1 = 2, kVmcrFiqEn = 8, kVmcrCbpr = 1u << 4, kVmcrEoim = 1u << 9;
inline constexpr unsigned kVmcrBpr1Shift = 18, kVmcrBpr0Shift = 21, kVmcrPmrShift = 24;
// ICH_HCR_EL2 fields.
inline constexpr uint64_t kHcrEn = 1, kHcrUie = 2, kHcrLrenpie = 4, kHcrNpie = 8, kHcrVgrp0eie = 0x10,
                          kHcrVgrp0die = 0x20, kHcrVgrp1eie = 0x40, kHcrVgrp1die = 0x80;
inline constexpr uint64_t kHcrWritable =
    0xf80000ffull | (0x1full << 10);  // EOIcount, TC/TALL0/TALL1/TSEI/TDIR, enables
}  // namespace gic_virt

// Reads/writes of the distributor's bit-per-interrupt and byte/2-bit-per-interrupt register
// arrays, shared by GICv2's distributor and GICv3's distributor and redistributors.
// Offsets count from INTID 0; INTIDs outside [lo, hi) read as zero and ignore writes.
enum class GicArray {
  Group,
  SetEnable,
  ClearEnable,
  SetPending,
  ClearPending,
  SetActive,
  ClearActive,
  Priority,
  Config,
  GroupMod  // GICv3 GICD_IGRPMODR / GICR_IGRPMODR0 (Secure Group 1 with IGROUPR 0)
};

class ArmGic {
 public:
  // `virtualization`: the virtual CPU interface exists (virt's virtualization=on).
  ArmGic(std::string name, unsigned version, unsigned num_cpus, unsigned num_irqs, tcg::Logger* log,
         bool virtualization = false);
  virtual ~ArmGic();
  unsigned version() const { return version_; }
  unsigned num_cpus() const { return num_cpus_; }
  unsigned num_irqs() const { return num_irqs_; }

  // An input line: a PPI (INTID 16..31) of `cpu`, or an SPI (INTID >= 32; `cpu` ignored).
  void set_irq(unsigned cpu, unsigned intid, bool level);
  // Where the CPU interface outputs go (called on level changes only).
  void set_output(std::function<void(unsigned cpu, ArmCpuIrq line, bool level)> sink) { sink_ = std::move(sink); }
  // Which CPU makes the current MMIO access (banked registers, GICv2's CPU interface).
  void set_cpu_index_source(std::function<unsigned()> source) { current_cpu_ = std::move(source); }

  // GICv3 CPU interface system registers (see ArmVirtBoard::gic_sysreg_read).
  // `access`: gic_access flags.
  virtual bool sysreg_read(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t& value) { return false; }
  virtual bool sysreg_write(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t value) { return false; }
  // The CPU's Security state changed (exception entry and return): GICv3 with the Security
  // Extensions signals its groups accordingly.
  virtual void set_cpu_world(unsigned cpu, GicWorld world) {}
  // GICv3's virtual CPU interface (ICV_*, the ICC_* encodings as EL1 reaches them when
  // HCR_EL2.IMO/FMO are set).
  virtual bool vsysreg_read(unsigned cpu, uint32_t enc, uint64_t& value) { return false; }
  virtual bool vsysreg_write(unsigned cpu, uint32_t enc, uint64_t value) { return false; }

  virtual void reset();
  // The distributor, CPU interface and virtual interface state (hw/core/snapshot.h); the
  // versions add theirs. Loading drives the outputs from the loaded state.
  virtual void snapshot_state(StateIo& io);

  // The CPU interface operations both versions expose (GICC_IAR / ICC_IAR*_EL1 ...), also the
  // tests' view. `group` is 0 or 1; -1 acknowledges whichever group is highest.
  unsigned acknowledge(unsigned cpu, int group);
  void end_of_interrupt(unsigned cpu, unsigned intid, int group);
  void deactivate(unsigned cpu, unsigned intid);
  // The highest priority pending interrupt for `cpu` that its CPU interface may see (ignores
  // the running priority and the PMR), or kGicSpurious.
  unsigned highest_pending(unsigned cpu, int group) const;
  // The same with its priority (priority_mask() applied) and group; kGicSpurious when none.
  unsigned highest_pending(unsigned cpu, int group, unsigned& prio, unsigned& grp) const;
  unsigned running_priority(unsigned cpu) const;
  bool output_level(unsigned cpu, ArmCpuIrq line) const;

 protected:
  struct IrqState {
    bool enabled = false, latched = false, active = false, level = false, edge = false, group1 = false;
    bool grpmod = false;  // GICv3 with the Security Extensions: IGROUPR 0 + IGRPMODR 1 = Secure Group 1
    uint8_t priority = 0;
  };
  struct CpuIface {
    bool enable_grp[kGicGroups] = {false, false, false};
    bool eoi_mode = false;  // split priority drop and deactivation (GICv3: the Non-secure ICC_CTLR_EL1's)
    bool cbpr = false;      // GICv2: Group 1 uses GICC_BPR; GICv3: the Non-secure ICC_CTLR_EL1.CBPR
    // GICv3 with the Security Extensions: the Secure ICC_CTLR_EL1's CBPR and EOImode, and
    // ICC_CTLR_EL3.EOImode_EL3.
    bool cbpr_s = false, eoi_mode_s = false, eoi_mode_el3 = false;
    bool fiq_en = false;  // GICv2 GICC_CTLR.FIQEn: Group 0 on FIQ (else IRQ)
    uint8_t pmr = 0;
    uint8_t bpr[kGicGroups] = {0, 0, 0};
    // Active priorities per group, indexed by group priority (priority & the group's mask).
    std::array<std::bitset<256>, kGicGroups> active_prio;
    bool irq_out = false, fiq_out = false, virq_out = false, vfiq_out = false;
  };

  IrqState& irq(unsigned cpu, unsigned intid) {
    return intid < kGicFirstSpi ? banked_[cpu * kGicFirstSpi + intid] : spis_[intid - kGicFirstSpi];
  }
  const IrqState& irq(unsigned cpu, unsigned intid) const {
    return intid < kGicFirstSpi ? banked_[cpu * kGicFirstSpi + intid] : spis_[intid - kGicFirstSpi];
  }
  bool is_pending(unsigned cpu, unsigned intid) const;
  static unsigned group_of(const IrqState& s) { return s.group1 ? kGicG1Ns : s.grpmod ? kGicG1S : 0; }
  // Whether a pending interrupt of priority `prio` in `group` may be signalled / acknowledged
  // now (below the PMR, its group priority above the running priority).
  bool can_preempt(unsigned cpu, unsigned prio, unsigned group) const;
  // Acknowledges `intid` (priority `prio`, `group`): active, its group priority active;
  // returns the value IAR reads (GICv2 adds an SGI's source).
  unsigned activate(unsigned cpu, unsigned intid, unsigned prio, unsigned group);
  // The priority drop of EOI: the highest active priority of `group` (-1: of any) goes.
  bool drop_priority(unsigned cpu, int group);
  // GICv3's LPIs (INTID >= kGicFirstLpi; Group 1, edge triggered, no active state): the highest
  // priority pending and enabled one of `cpu` with its priority, or kGicSpurious; and the
  // acknowledge that ends its pending state.
  virtual unsigned lpi_highest_pending(unsigned cpu, unsigned& prio) const { return kGicSpurious; }
  virtual void lpi_acknowledge(unsigned cpu, unsigned intid) {}
  void set_pending(unsigned cpu, unsigned intid, bool pending);
  // Whether SPI `intid` is delivered to `cpu` (GICv2 targets, GICv3 IROUTER).
  virtual bool spi_targets(unsigned intid, unsigned cpu) const = 0;
  // GICv2 tracks SGIs by source CPU; the returned INTID carries the source (bits 10..12).
  // GICv3's SGIs are edge triggered without sources: acknowledging one ends its pending state.
  virtual unsigned acknowledge_sgi(unsigned cpu, unsigned intid) {
    irq(cpu, intid).latched = false;
    return intid;
  }
  virtual bool sgi_pending(unsigned cpu, unsigned intid) const { return irq(cpu, intid).latched; }
  virtual void clear_sgi_pending(unsigned cpu, unsigned intid) { irq(cpu, intid).latched = false; }
  // The mask that gives an interrupt's group priority (its preemption level) for the binary point.
  uint8_t group_priority_mask(unsigned cpu, unsigned group) const;
  // The minimum binary point of each group and how many priority bits the CPU interface keeps.
  virtual uint8_t min_bpr(unsigned group) const = 0;
  virtual uint8_t priority_mask() const = 0;
  virtual bool group_on_fiq(unsigned cpu, unsigned group) const = 0;
  bool dist_group_enabled(unsigned group) const { return dist_enable_[group]; }
  unsigned current_cpu() const;
  // A register of `array` at byte `offset` into it, as `cpu` sees it. `nonsecure`: a Non-secure
  // access to a GIC with the Security Extensions (Secure interrupts' fields read as zero and
  // ignore writes, IGROUPR/IGRPMODR too, Non-secure priorities in the Non-secure view).
  uint32_t read_array(GicArray array, unsigned cpu, uint64_t offset, unsigned size, unsigned lo, unsigned hi,
                      bool nonsecure = false) const;
  void write_array(GicArray array, unsigned cpu, uint64_t offset, uint32_t value, unsigned size, unsigned lo,
                   unsigned hi, bool nonsecure = false);
  // Recomputes every CPU's IRQ/FIQ outputs and reports changes (then update_virtual()).
  void update();
  // The virtual CPU interfaces' VIRQ/VFIQ and maintenance interrupts, after the physical outputs.
  void update_virtual();
  // A CPU's virtual CPU interface as the hypervisor programs it (GICv3's ICH_*_EL2; GICv2's
  // GICH_* has the same layout in 32 bits) and as the guest's ICV_*/GICV_* see it. List
  // registers in GICv3's 64-bit format.
  struct VirtIface {
    uint64_t hcr = 0, vmcr = 0;
    uint32_t ap[2] = {0, 0};  // ICH_AP0R0/AP1R0: bit n = group priority n << 3 active
    uint64_t lr[kGicListRegs] = {};
    uint32_t eoi_count() const { return uint32_t(hcr >> 27); }
    bool maint_out = false;
  };
  uint64_t misr(unsigned cpu) const;
  // The list register holding the highest priority pending virtual interrupt, or -1.
  int virt_highest_pending(unsigned cpu) const;
  unsigned virt_running_priority(unsigned cpu) const;
  uint8_t virt_group_mask(unsigned cpu, unsigned group) const;
  bool virt_can_signal(unsigned cpu, int lr) const;
  void virt_priority_drop(unsigned cpu, unsigned group);
  void virt_deactivate(unsigned cpu, uint32_t vintid);
  // The guest's acknowledge (of `group`, or either with -1): the list register it took, or -1.
  int virt_acknowledge(unsigned cpu, int group);
  // The guest's EOI: priority drop, and deactivation unless VEOIM splits it off to DIR.
  void virt_end_of_interrupt(unsigned cpu, uint32_t vintid, int group);

  void log_guest_error(const std::string& what) const;

  std::string name_;
  unsigned version_, num_cpus_, num_irqs_;
  tcg::Logger* log_;
  bool dist_enable_[kGicGroups] = {false, false, false};
  std::vector<IrqState> banked_, spis_;
  std::vector<CpuIface> cpus_;
  std::function<void(unsigned, ArmCpuIrq, bool)> sink_;
  std::function<unsigned()> current_cpu_;
  bool virtualization_;
  std::vector<VirtIface> virt_;
};

}  // namespace mimic::hw
