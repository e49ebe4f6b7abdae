// The generic timer of one vCPU: the EL1 physical and virtual timers (CNTP_*, CNTV_*) and EL2's
// physical timer (CNTHP_*) firing on the machine's TimerQueue and driving their output lines
// (the board wires them to GIC PPIs), and the event stream period WFE sleeps by
// (CNTKCTL_EL1.EVNTEN/EVNTI).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "target/arm/sysreg_system.h"

namespace mimic::hw {
class TimerQueue;
class Timer;
}  // namespace mimic::hw

namespace mimic::arm {

// Counter ticks at 62.5 MHz: 16 ns each.
constexpr uint64_t kNsPerTick = 16;

class GenericTimer {
 public:
  // `device_lock` (the machine's big lock) is held around every evaluation and output change, so
  // that the vCPU thread and the timer thread deliver level changes in the order they computed them.
  GenericTimer(A64Cpu& cpu, hw::TimerQueue& timers, std::recursive_mutex& device_lock,
               std::function<void(unsigned timer, bool level)> output);
  ~GenericTimer();
  // Re-evaluates the timers after a register write (or a deadline): outputs and host deadlines.
  void update();
  // Cancels the deadlines and drops the outputs (reset, CPU_OFF).
  void stop();
  // 0 when the event stream is off.
  uint64_t event_stream_period_ns() const;

 private:
  A64Cpu& cpu_;
  std::function<void(unsigned, bool)> output_;
  std::unique_ptr<hw::Timer> deadline_[kNumArmTimers];
  std::recursive_mutex& lock_;
  bool level_[kNumArmTimers] = {};
};

}  // namespace mimic::arm
