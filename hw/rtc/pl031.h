// The Arm PrimeCell RTC PL031 (DDI0224): a seconds counter from the host's wall clock (plus what
// the guest loads), one match alarm, one interrupt, the AMBA ID registers.
#pragma once

#include <cstdint>

#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

class Pl031 final : public RegisterDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  Pl031(std::string name, TimerQueue& timers, tcg::Logger* log);
  IrqLine& irq() { return irq_; }
  void reset();
  // The registers (hw/core/snapshot.h); loading re-derives the interrupt and timers.
  void snapshot_state(StateIo& io);
  uint32_t seconds() const;  // RTCDR now

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  void arm_alarm();
  void update() { irq_.set(ris_ & imsc_); }

  TimerQueue& timers_;
  Timer alarm_;
  IrqLine irq_;
  int64_t tick_offset_ = 0;  // seconds the guest's clock is ahead of the host's
  uint32_t mr_ = 0, lr_ = 0, imsc_ = 0, ris_ = 0;
};

}  // namespace mimic::hw
