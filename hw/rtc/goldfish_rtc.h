// The Goldfish RTC (QEMU hw/rtc/goldfish_rtc.c): wall-clock nanoseconds, one alarm, one IRQ.
#pragma once

#include <cstdint>

#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

class GoldfishRtc final : public RegisterDevice {
 public:
  static constexpr uint64_t kSize = 0x24;  // QEMU's region (the map slot is 0x1000)
  GoldfishRtc(std::string name, TimerQueue& timers, tcg::Logger* log);
  IrqLine& irq() { return irq_; }
  void reset();
  // Snapshots (hw/core/snapshot.h): the guest-visible state; loading drives the outputs again.
  void snapshot_state(StateIo& io);
  uint64_t count() const;  // the guest's clock: host wall-clock ns + what the guest set

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  void set_alarm();
  void clear_alarm();
  void raise_alarm();
  void update();

  TimerQueue& timers_;
  Timer alarm_timer_;
  IrqLine irq_;
  int64_t tick_offset_ = 0;
  uint64_t alarm_next_ = 0;
  uint32_t alarm_running_ = 0, irq_pending_ = 0, irq_enabled_ = 0, time_high_ = 0;
};

}  // namespace mimic::hw
