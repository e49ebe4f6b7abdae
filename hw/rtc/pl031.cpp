// PL031 registers (DDI0224 chapter 3), as QEMU's pl031: RTCCR reads 1 (always running), a load
// sets the counter, the match interrupt fires when the counter reaches RTCMR.
#include "hw/rtc/pl031.h"

#include <ctime>

namespace mimic::hw {

namespace {
enum RegId : unsigned { kDr, kMr, kLr, kCr, kImsc, kRis, kMis, kIcr, kId };
constexpr uint8_t kIds[] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
constexpr Reg kRegs[] = {
    {"RTCDR", kDr, 0x00, 4, RegAccess::kRead},
    {"RTCMR", kMr, 0x04, 4, RegAccess::kReadWrite},
    {"RTCLR", kLr, 0x08, 4, RegAccess::kReadWrite},
    {"RTCCR", kCr, 0x0c, 4, RegAccess::kReadWrite, 1},
    {"RTCIMSC", kImsc, 0x10, 4, RegAccess::kReadWrite},
    {"RTCRIS", kRis, 0x14, 4, RegAccess::kRead},
    {"RTCMIS", kMis, 0x18, 4, RegAccess::kRead},
    {"RTCICR", kIcr, 0x1c, 4, RegAccess::kWrite},
    {"PeriphID/PCellID", kId, 0xfe0, 4, RegAccess::kRead, 0, 8, 4},
};
int64_t host_seconds() { return int64_t(time(nullptr)); }
}  // namespace

Pl031::Pl031(std::string name, TimerQueue& timers, tcg::Logger* log)
    : RegisterDevice(std::move(name), kRegs, log), timers_(timers), alarm_(timers, [this] {
        ris_ = 1;
        update();
      }) {
  reset();
}

void Pl031::reset() {
  // The time the guest loaded survives a reset (QEMU keeps tick_offset).
  alarm_.cancel();
  mr_ = lr_ = imsc_ = ris_ = 0;
  irq_.lower();
}

uint32_t Pl031::seconds() const { return uint32_t(host_seconds() + tick_offset_); }

void Pl031::arm_alarm() {
  uint32_t delta = mr_ - seconds();  // modulo 2^32 as the counter wraps
  if (delta == 0) {
    alarm_.cancel();
    ris_ = 1;
    update();
    return;
  }
  alarm_.arm(timers_.clock().now_ns() + uint64_t(delta) * 1'000'000'000);
}

uint64_t Pl031::read_reg(const RegHit& hit, unsigned size) {
  uint32_t v = 0;
  switch (RegId(hit.reg->id)) {
    case kDr: v = seconds(); break;
    case kMr: v = mr_; break;
    case kLr: v = lr_; break;
    case kCr: v = 1; break;
    case kImsc: v = imsc_; break;
    case kRis: v = ris_; break;
    case kMis: v = ris_ & imsc_; break;
    case kId: v = kIds[hit.index]; break;
    default: break;
  }
  return (uint64_t(v) >> (8 * hit.shift)) & ((1ull << (8 * size)) - 1);
}

void Pl031::write_reg(const RegHit& hit, uint64_t value, unsigned size) {
  if (size != 4) {
    log_guest_error("registers take 32-bit accesses only");
    return;
  }
  uint32_t v = uint32_t(value);
  switch (RegId(hit.reg->id)) {
    case kMr:
      mr_ = v;
      arm_alarm();
      break;
    case kLr:
      lr_ = v;
      tick_offset_ = int64_t(v) - host_seconds();
      arm_alarm();
      break;
    case kCr: break;  // the counter cannot be stopped (QEMU)
    case kImsc:
      imsc_ = v & 1;
      update();
      break;
    case kIcr:
      ris_ &= ~v;
      update();
      break;
    default: break;
  }
}

void Pl031::snapshot_state(StateIo& io) {
  io(tick_offset_), io(mr_), io(lr_), io(imsc_), io(ris_);
  if (!io.loading()) return;
  arm_alarm();  // the match register's alarm, on the restored clock
  update();
}

}  // namespace mimic::hw
