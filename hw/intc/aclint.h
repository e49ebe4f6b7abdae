// The RISC-V ACLINT as QEMU's virt maps it at 0x2000000 (the "sifive,clint0" layout): MSWI
// (msip per hart at +0x0), MTIMER (mtimecmp per hart at +0x4000, mtime at +0xbff8).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

class Aclint final : public RegisterDevice {
 public:
  // QEMU maps MSWI (0x4000) and MTIMER (0x8000) back to back; the last 0x4000 bytes of the
  // 0x10000 map slot answer nothing.
  static constexpr uint64_t kSize = 0xc000;
  static constexpr uint64_t kMtimecmpBase = 0x4000, kMtimeOffset = 0xbff8;
  Aclint(std::string name, unsigned num_harts, TimerQueue& timers, tcg::Logger* log, uint64_t timebase_hz = 10'000'000);
  ~Aclint() override;

  IrqLine& msip(unsigned hart) { return msip_out_[hart]; }
  IrqLine& mtip(unsigned hart) { return mtip_out_[hart]; }
  // mtime now (the harts' `time` CSR reads this), and the guest time at which mtime reaches
  // `mtime` (rounded up, so that a timer armed for it never fires early).
  uint64_t read_mtime() const;
  uint64_t mtime_to_ns(uint64_t mtime) const;
  void reset();
  // Snapshots (hw/core/snapshot.h): the guest-visible state; loading drives the outputs again.
  void snapshot_state(StateIo& io);

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  void write_timecmp(unsigned hart, uint64_t value);
  void timer_fired(unsigned hart);

  unsigned num_harts_;
  TimerQueue& timers_;
  uint64_t timebase_hz_;
  std::vector<Reg> table_;
  // mtime = guest ns * timebase / 1e9 + delta (a guest write of mtime moves delta). Atomic:
  // harts read mtime (the `time` CSR) without the device lock.
  std::atomic<int64_t> time_delta_{0};
  std::vector<uint32_t> msip_;
  std::vector<uint64_t> timecmp_;
  std::vector<IrqLine> msip_out_, mtip_out_;
  std::vector<std::unique_ptr<Timer>> timers_per_hart_;
};

}  // namespace mimic::hw
