// The 16550A UART as QEMU's `serial` device models it, memory mapped with one byte per register.
#pragma once

#include <cstdint>
#include <deque>

#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

class Ns16550a final : public RegisterDevice {
 public:
  // `baudbase`: the input clock / 16 as QEMU's serial_mm_init takes it (virt: 399193; the
  // device tree's clock-frequency is 3686400).
  Ns16550a(std::string name, CharBackend& backend, TimerQueue& timers, tcg::Logger* log, uint32_t baudbase = 399193);
  ~Ns16550a() override;
  static constexpr uint64_t kSize = 8;  // registers 0..7; the rest of the map slot is unassigned
  IrqLine& irq() { return irq_; }
  void reset();
  // Snapshots (hw/core/snapshot.h): the guest-visible state; loading drives the outputs again.
  void snapshot_state(StateIo& io);
  // Input from the backend (device lock held).
  bool can_receive() const;
  void receive(uint8_t byte);

  // QEMU ignores the access size: any access reads or writes the one register at its offset.
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  void update_irq();
  void update_parameters();
  void write_fcr(uint8_t val);
  void transmit(uint8_t byte);
  void timeout();

  CharBackend& backend_;
  TimerQueue& timers_;
  Timer fifo_timeout_;
  IrqLine irq_;
  uint32_t baudbase_;
  uint16_t divider_ = 0;
  uint8_t rbr_ = 0, ier_ = 0, iir_ = 0, fcr_ = 0, lcr_ = 0, mcr_ = 0, lsr_ = 0, msr_ = 0, scr_ = 0;
  bool thr_ipending_ = false, timeout_ipending_ = false;
  std::deque<uint8_t> rx_fifo_;
  unsigned rx_itl_ = 1;
  uint64_t char_time_ns_ = 0;
};

}  // namespace mimic::hw
