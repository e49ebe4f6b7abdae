// The Arm PrimeCell UART PL011 (DDI0183) as QEMU's pl011 models it: 16-entry receive FIFO (or
// a one-character holding register with LCR_H.FEN clear), transmission that completes at once,
// the interrupt mask/raw/masked status registers and the AMBA PrimeCell ID registers.
#pragma once

#include <cstdint>

#include "hw/core/device.h"
#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "hw/core/snapshot.h"

namespace mimic::hw {

class Pl011 final : public RegisterDevice {
 public:
  Pl011(std::string name, CharBackend& backend, tcg::Logger* log);
  ~Pl011() override;
  static constexpr uint64_t kSize = 0x1000;
  IrqLine& irq() { return irq_; }
  void reset();
  // The registers (hw/core/snapshot.h); loading re-derives the interrupt and timers.
  void snapshot_state(StateIo& io);
  bool can_receive() const;
  void receive(uint8_t byte);

  // Interrupt bits of RIS/MIS/IMSC/ICR.
  static constexpr uint32_t kIntRx = 0x10, kIntTx = 0x20, kIntRt = 0x40;

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override;

 private:
  void update_irq();
  unsigned fifo_depth() const;

  CharBackend& backend_;
  IrqLine irq_;
  uint32_t flags_ = 0, lcr_ = 0, rsr_ = 0, cr_ = 0, dmacr_ = 0, int_enabled_ = 0, int_level_ = 0, ilpr_ = 0, ibrd_ = 0,
           fbrd_ = 0, ifl_ = 0;
  uint32_t read_fifo_[16] = {};
  unsigned read_pos_ = 0, read_count_ = 0;
};

}  // namespace mimic::hw
