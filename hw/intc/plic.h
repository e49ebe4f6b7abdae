// The SiFive PLIC as QEMU's virt configures it: per-source priorities, pending bits, per-context
// enables, thresholds and claim/complete; level-triggered sources; one output line per context.
#pragma once

#include <cstdint>
#include <vector>

#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

struct PlicConfig {
  // Source ids 0..96, 0 reserved: QEMU's virt has VIRT_IRQCHIP_NUM_SOURCES = 96 devices and
  // creates its PLIC with one more (the device tree's riscv,ndev is 96).
  unsigned num_sources = 97;
  unsigned num_priorities = 7;
  unsigned num_contexts = 2;  // virt: 2 per hart (M, S), context 2h = hart h M-mode
  uint64_t priority_base = 0x0, pending_base = 0x1000, enable_base = 0x2000, enable_stride = 0x80;
  uint64_t context_base = 0x200000, context_stride = 0x1000;
  uint64_t size = 0x600000;  // QEMU virt's aperture whatever the hart count
};

class Plic final : public RegisterDevice {
 public:
  Plic(std::string name, const PlicConfig& config, tcg::Logger* log);
  // Source `source` drives its line (level): device lock held.
  void set_irq(unsigned source, bool level);
  // Context outputs: high while the context has an enabled pending source above its threshold.
  IrqLine& context_irq(unsigned context) { return outputs_[context]; }
  const PlicConfig& config() const { return config_; }
  void reset();
  // Snapshots (hw/core/snapshot.h): the guest-visible state; loading drives the outputs again.
  void snapshot_state(StateIo& io);

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  unsigned claimable(unsigned context) const;
  void update();
  bool bit(const std::vector<uint32_t>& v, unsigned i) const { return (v[i / 32] >> (i % 32)) & 1; }
  void set_bit(std::vector<uint32_t>& v, unsigned i, bool on) {
    if (on)
      v[i / 32] |= 1u << (i % 32);
    else
      v[i / 32] &= ~(1u << (i % 32));
  }

  PlicConfig config_;
  std::vector<Reg> table_;
  unsigned words_;
  std::vector<uint32_t> priority_, threshold_;
  std::vector<uint32_t> pending_, claimed_, level_, enable_;  // enable_: words_ per context
  std::vector<IrqLine> outputs_;
  std::vector<int> output_level_;
};

}  // namespace mimic::hw
