// Goldfish RTC: TIME_LOW latches TIME_HIGH, the alarm fires on the machine's timer thread.
#include "hw/rtc/goldfish_rtc.h"

#include <time.h>

namespace mimic::hw {

namespace {
enum RegId : unsigned {
  kTimeLow,
  kTimeHigh,
  kAlarmLow,
  kAlarmHigh,
  kIrqEnabled,
  kClearAlarm,
  kAlarmStatus,
  kClearInterrupt
};
constexpr Reg kRegs[] = {
    {"TIME_LOW", kTimeLow, 0x00, 4, RegAccess::kReadWrite},
    {"TIME_HIGH", kTimeHigh, 0x04, 4, RegAccess::kReadWrite},
    {"ALARM_LOW", kAlarmLow, 0x08, 4, RegAccess::kReadWrite},
    {"ALARM_HIGH", kAlarmHigh, 0x0c, 4, RegAccess::kReadWrite},
    {"IRQ_ENABLED", kIrqEnabled, 0x10, 4, RegAccess::kReadWrite},
    {"CLEAR_ALARM", kClearAlarm, 0x14, 4, RegAccess::kWrite},
    {"ALARM_STATUS", kAlarmStatus, 0x18, 4, RegAccess::kRead},
    {"CLEAR_INTERRUPT", kClearInterrupt, 0x1c, 4, RegAccess::kWrite},
};

uint64_t wall_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}
uint64_t deposit(uint64_t old, unsigned shift, uint64_t v32) {
  uint64_t mask = uint64_t(0xffffffff) << shift;
  return (old & ~mask) | ((v32 << shift) & mask);
}
}  // namespace

GoldfishRtc::GoldfishRtc(std::string name, TimerQueue& timers, tcg::Logger* log)
    : RegisterDevice(std::move(name), kRegs, log), timers_(timers), alarm_timer_(timers, [this] { raise_alarm(); }) {
  reset();
}

void GoldfishRtc::reset() {
  // QEMU keeps tick_offset (the time the guest set) across resets; a new machine starts at 0.
  alarm_timer_.cancel();
  alarm_next_ = 0;
  alarm_running_ = irq_pending_ = irq_enabled_ = time_high_ = 0;
  irq_.lower();
}

uint64_t GoldfishRtc::count() const { return wall_ns() + uint64_t(tick_offset_); }

// The counter is the host's wall clock plus the guest's offset, so that a restored guest's
// `date` moves on to the present, as QEMU's RTC does with its default -rtc base=utc.
void GoldfishRtc::snapshot_state(StateIo& io) {
  io(tick_offset_), io(alarm_next_), io(alarm_running_), io(irq_pending_), io(irq_enabled_), io(time_high_);
  if (!io.loading()) return;
  alarm_timer_.cancel();
  if (alarm_running_) set_alarm();
  update();
}

void GoldfishRtc::update() { irq_.set(irq_pending_ & irq_enabled_); }

void GoldfishRtc::clear_alarm() {
  alarm_timer_.cancel();
  alarm_running_ = 0;
}

void GoldfishRtc::raise_alarm() {
  alarm_running_ = 0;
  irq_pending_ = 1;
  update();
}

void GoldfishRtc::set_alarm() {
  uint64_t ticks = count();
  if (alarm_next_ <= ticks) {
    clear_alarm();
    raise_alarm();
    return;
  }
  alarm_running_ = 1;
  // The alarm is in wall-clock time; the timer runs in guest time, which advances with it.
  alarm_timer_.arm(timers_.clock().now_ns() + (alarm_next_ - ticks));
}

uint64_t GoldfishRtc::read_reg(const RegHit& hit, unsigned size) {
  switch (hit.reg->id) {
    case kTimeLow: {
      uint64_t r = count();
      time_high_ = uint32_t(r >> 32);
      return uint32_t(r);
    }
    case kTimeHigh: return time_high_;
    case kAlarmLow: return uint32_t(alarm_next_);
    case kAlarmHigh: return uint32_t(alarm_next_ >> 32);
    case kIrqEnabled: return irq_enabled_;
    case kAlarmStatus: return alarm_running_;
  }
  return 0;
}

void GoldfishRtc::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  switch (hit.reg->id) {
    case kTimeLow: {
      uint64_t cur = count();
      tick_offset_ += int64_t(deposit(cur, 0, value) - cur);
      return;
    }
    case kTimeHigh: {
      uint64_t cur = count();
      tick_offset_ += int64_t(deposit(cur, 32, value) - cur);
      return;
    }
    case kAlarmLow:  // writing the low half arms the alarm (Linux writes HIGH first)
      alarm_next_ = deposit(alarm_next_, 0, value);
      set_alarm();
      return;
    case kAlarmHigh: alarm_next_ = deposit(alarm_next_, 32, value); return;
    case kIrqEnabled:
      irq_enabled_ = uint32_t(value & 1);
      update();
      return;
    case kClearAlarm: clear_alarm(); return;
    case kClearInterrupt:
      irq_pending_ = 0;
      update();
      return;
  }
}

}  // namespace mimic::hw
