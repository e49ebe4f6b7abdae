// ACLINT MSWI + MTIMER (QEMU hw/intc/riscv_aclint.c's behaviour): mtime from the virtual clock,
// MTIP as the level mtime >= mtimecmp kept by a timer, MSIP from msip bit 0.
#include "hw/intc/aclint.h"

#include <fmt/format.h>

#include "hw/core/jitter.h"

namespace mimic::hw {

namespace {
enum RegId : unsigned { kMsip, kMtimecmp, kMtime };
constexpr uint64_t kNsPerSec = 1'000'000'000;
}  // namespace

Aclint::Aclint(std::string name, unsigned num_harts, TimerQueue& timers, tcg::Logger* log, uint64_t timebase_hz)
    : RegisterDevice(std::move(name), {}, log),
      num_harts_(num_harts),
      timers_(timers),
      timebase_hz_(timebase_hz),
      msip_out_(num_harts),
      mtip_out_(num_harts) {
  table_ = {
      {"msip", kMsip, 0x0, 4, RegAccess::kReadWrite, 0, num_harts, 4},
      {"mtimecmp", kMtimecmp, kMtimecmpBase, 8, RegAccess::kReadWrite, 0, num_harts, 8},
      {"mtime", kMtime, kMtimeOffset, 8, RegAccess::kReadWrite, 0},
  };
  set_regs(table_);
  for (unsigned h = 0; h < num_harts; h++)
    timers_per_hart_.push_back(std::make_unique<Timer>(timers, [this, h] { timer_fired(h); }));
  reset();
}

Aclint::~Aclint() = default;

void Aclint::reset() {
  time_delta_ = 0;
  msip_.assign(num_harts_, 0);
  // QEMU starts mtimecmp at 0 and leaves MTIP low until the guest writes it.
  timecmp_.assign(num_harts_, 0);
  for (unsigned h = 0; h < num_harts_; h++) {
    timers_per_hart_[h]->cancel();
    msip_out_[h].lower();
    mtip_out_[h].lower();
  }
}

void Aclint::snapshot_state(StateIo& io) {
  io(time_delta_), io(msip_), io(timecmp_);
  if (!io.loading()) return;
  for (unsigned h = 0; h < num_harts_; h++) {
    msip_out_[h].set(msip_[h] & 1);
    if (timecmp_[h]) {
      write_timecmp(h, timecmp_[h]);  // re-arms the timer in the restored guest time
    } else {
      timers_per_hart_[h]->cancel();  // never written since reset: MTIP stays low
      mtip_out_[h].lower();
    }
  }
}

uint64_t Aclint::read_mtime() const {
  unsigned __int128 ticks = (unsigned __int128)timers_.clock().now_ns() * timebase_hz_ / kNsPerSec;
  return uint64_t(ticks) + uint64_t(time_delta_.load(std::memory_order_relaxed));
}

uint64_t Aclint::mtime_to_ns(uint64_t mtime) const {
  __int128 raw = (__int128)mtime - time_delta_.load(std::memory_order_relaxed);
  if (raw <= 0) return 0;  // reached before the machine started
  __int128 ns = (raw * kNsPerSec + timebase_hz_ - 1) / timebase_hz_;
  return ns > (__int128)~uint64_t(0) ? ~uint64_t(0) : uint64_t(ns);
}

void Aclint::write_timecmp(unsigned hart, uint64_t value) {
  timecmp_[hart] = value;
  if (value <= read_mtime()) {
    timers_per_hart_[hart]->cancel();
    mtip_out_[hart].raise();
    return;
  }
  mtip_out_[hart].lower();
  timers_per_hart_[hart]->arm(mtime_to_ns(value));
}

void Aclint::timer_fired(unsigned hart) {
  // Rounding of the ns conversion can wake us a tick early: check and re-arm rather than raise.
  write_timecmp(hart, timecmp_[hart]);
}

uint64_t Aclint::read_reg(const RegHit& hit, unsigned size) {
  uint64_t v = 0;
  switch (hit.reg->id) {
    case kMsip: return msip_[hit.index];
    case kMtimecmp: v = timecmp_[hit.index]; break;
    case kMtime: v = read_mtime(); break;
  }
  v >>= 8 * hit.shift;
  return size == 8 ? v : v & ((uint64_t(1) << (8 * size)) - 1);
}

void Aclint::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  auto deposit = [&](uint64_t old) {
    if (size == 8) return value;
    uint64_t mask = ((uint64_t(1) << (8 * size)) - 1) << (8 * hit.shift);
    return (old & ~mask) | ((value << (8 * hit.shift)) & mask);
  };
  switch (hit.reg->id) {
    case kMsip:
      msip_[hit.index] = uint32_t(value) & 1;
      jitter::pause(jitter::Point::kDeviceWrite);
      msip_out_[hit.index].set(value & 1);
      return;
    case kMtimecmp: write_timecmp(hit.index, deposit(timecmp_[hit.index])); return;
    case kMtime: {
      uint64_t now = read_mtime();
      uint64_t want = deposit(now);
      time_delta_.fetch_add(int64_t(want - now), std::memory_order_relaxed);
      // Every comparison changes with the counter.
      for (unsigned h = 0; h < num_harts_; h++) write_timecmp(h, timecmp_[h]);
      return;
    }
  }
}

}  // namespace mimic::hw
