// Interrupt lines: a device drives a level, whoever is connected (an interrupt controller, a
// CPU's pending bit) is told. Level-triggered; a repeated level is not a new event.
#pragma once

#include <functional>

namespace mimic::hw {

class IrqLine {
 public:
  void connect(std::function<void(bool level)> sink) { sink_ = std::move(sink); }
  void set(bool level) {
    if (sink_) sink_(level);
  }
  void raise() { set(true); }
  void lower() { set(false); }

 private:
  std::function<void(bool)> sink_;
};

}  // namespace mimic::hw
