// GenericTimer: CNTP/CNTV/CNTHP/CNTPS/CNTHV compare values against the counter (virtual = physical - CNTVOFF),
// ISTATUS and the output level (ENABLE && ISTATUS && !IMASK), host deadlines on the TimerQueue.
#include "target/arm/timer.h"

#include "hw/core/clock.h"

namespace mimic::arm {

GenericTimer::GenericTimer(A64Cpu& cpu, hw::TimerQueue& timers, std::recursive_mutex& device_lock,
                           std::function<void(unsigned, bool)> output)
    : cpu_(cpu), output_(std::move(output)), lock_(device_lock) {
  for (auto& d : deadline_) d = std::make_unique<hw::Timer>(timers, [this] { update(); });
}

GenericTimer::~GenericTimer() {
  for (auto& d : deadline_) d->cancel();
}

void GenericTimer::update() {
  const ArmSysState& s = sys(cpu_);
  bool changed[kNumArmTimers] = {}, level[kNumArmTimers];
  std::lock_guard<std::recursive_mutex> lock(lock_);
  {
    uint64_t count = s.read_counter ? s.read_counter() : 0;
    for (unsigned t = 0; t < kNumArmTimers; ++t) {
      uint64_t ctl = s.cnt_ctl[t], cval = s.cnt_cval[t];
      uint64_t offset = t == unsigned(ArmTimerId::Virt) ? s.cntvoff : 0;
      bool enabled = ctl & 1, fired = enabled && count - offset >= cval;
      level[t] = fired && !(ctl & 2);
      changed[t] = level[t] != level_[t];
      level_[t] = level[t];
      // The next deadline in physical ticks (a compare value in the past has fired already).
      if (enabled && !fired) {
        uint64_t ticks = cval + offset;
        uint64_t ns = ticks > UINT64_MAX / kNsPerTick ? UINT64_MAX : ticks * kNsPerTick;
        deadline_[t]->arm(ns);
      } else {
        deadline_[t]->cancel();
      }
    }
  }
  for (unsigned t = 0; t < kNumArmTimers; ++t)
    if (changed[t] && output_) output_(t, level[t]);
}

void GenericTimer::stop() {
  bool drop[kNumArmTimers];
  std::lock_guard<std::recursive_mutex> lock(lock_);
  {
    for (unsigned t = 0; t < kNumArmTimers; ++t) {
      deadline_[t]->cancel();
      drop[t] = level_[t];
      level_[t] = false;
    }
  }
  for (unsigned t = 0; t < kNumArmTimers; ++t)
    if (drop[t] && output_) output_(t, false);
}

uint64_t GenericTimer::event_stream_period_ns() const {
  uint64_t kctl = el0_timer_controls(cpu_);  // CNTKCTL_EL1, or CNTHCTL_EL2 under E2H+TGE
  if (!(kctl & 4)) return 0;
  // An event each time counter bit EVNTI changes (one edge direction): every 2^(EVNTI+1) ticks.
  unsigned bit = unsigned(kctl >> 4) & 15;
  return (uint64_t(2) << bit) * kNsPerTick;
}

}  // namespace mimic::arm
