// The Arm PrimeCell GPIO PL061 (DDI0190): 8 lines, the address-masked data register, edge/level
// interrupt detection on inputs, the AMBA ID registers. virt wires line 3 to the power button.
#pragma once

#include <cstdint>
#include <functional>

#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

class Pl061 final : public RegisterDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  Pl061(std::string name, tcg::Logger* log);
  IrqLine& irq() { return irq_; }
  void reset();
  // The registers (hw/core/snapshot.h); loading re-derives the interrupt and timers.
  void snapshot_state(StateIo& io);
  // An external input line (ignored while the line is an output).
  void set_input(unsigned line, bool level);
  uint8_t outputs() const { return data_ & dir_; }
  // Called when output lines change: (which changed, their levels now).
  void set_output_handler(std::function<void(uint8_t changed, uint8_t level)> h) { output_handler_ = std::move(h); }

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  void update();

  IrqLine irq_;
  std::function<void(uint8_t, uint8_t)> output_handler_;
  uint8_t old_out_ = 0;
  uint8_t data_ = 0, inputs_ = 0, old_in_ = 0, dir_ = 0, is_ = 0, ibe_ = 0, iev_ = 0, ie_ = 0, istate_ = 0, afsel_ = 0;
};

}  // namespace mimic::hw
