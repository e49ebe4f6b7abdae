// The SiFive test finisher: a guest write ends the machine (pass, fail with a code) or resets it.
#pragma once

#include <functional>

#include "hw/core/device.h"

namespace mimic::hw {

enum class FinisherAction { PowerOff, Reset };

class SifiveTest final : public RegisterDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  static constexpr uint32_t kFail = 0x3333, kPass = 0x5555, kReset = 0x7777;
  // `on_finish(PowerOff, status)` / `on_finish(Reset, 0)`: called with the device lock held, from
  // the vCPU thread that wrote; the board stops the machine (it must not block on that thread).
  SifiveTest(std::string name, std::function<void(FinisherAction, int status)> on_finish, tcg::Logger* log);

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override { return 0; }
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  std::function<void(FinisherAction, int)> on_finish_;
};

}  // namespace mimic::hw
