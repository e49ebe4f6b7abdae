// Device registers declared as data: one table per device gives MMIO dispatch, reset values and
// the `-d unimp` report of registers a guest touches that the model does not implement.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "hw/core/memory.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

namespace RegAccess {
enum : uint8_t { kRead = 1, kWrite = 2, kReadWrite = 3 };
}

// One register, or an array of `count` registers `stride` bytes apart (PLIC priorities, per-hart
// mtimecmp...). `id` is the device's own enum value, handed back to its callbacks.
struct Reg {
  const char* name;
  unsigned id;
  uint64_t offset;
  unsigned width;  // bytes
  uint8_t access;  // RegAccess bits
  uint64_t reset = 0;
  unsigned count = 1;
  uint64_t stride = 0;
};

// Where a device access landed in its table.
struct RegHit {
  const Reg* reg = nullptr;
  unsigned index = 0;  // element of an array register
  unsigned shift = 0;  // byte offset inside the register, for accesses narrower than it
};

// Finds the register covering [offset, offset + size), or nothing.
RegHit find_reg(std::span<const Reg> regs, uint64_t offset, unsigned size);

// A device whose registers come from a Reg table. Accesses outside the table read 0 / are dropped
// and, under -d unimp, logged as "device NAME: unimplemented register 0xOFF read" (or "write
// 0xVALUE"); reads of write-only and writes of read-only registers likewise, logged as
// "device NAME: write to read-only register NAME (0xOFF)".
class RegisterDevice : public MmioOps {
 public:
  RegisterDevice(std::string name, std::span<const Reg> regs, tcg::Logger* log)
      : name_(std::move(name)), regs_(regs), log_(log) {}
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  const std::string& name() const { return name_; }

 protected:
  // A whole access inside one register: `hit.shift` bytes in, `size` bytes long.
  virtual uint64_t read_reg(const RegHit& hit, unsigned size) = 0;
  virtual void write_reg(const RegHit& hit, uint64_t value, unsigned size) = 0;
  void log_unimp(uint64_t offset, bool is_write, uint64_t value) const;
  // Guest mistakes the model detects (bad access size, bad value), logged under -d unimp too.
  void log_guest_error(const std::string& what) const;
  std::span<const Reg> regs() const { return regs_; }
  // For tables built at run time (their sizes depend on the configuration), owned by the device.
  void set_regs(std::span<const Reg> regs) { regs_ = regs; }

 private:
  std::string name_;
  std::span<const Reg> regs_;
  tcg::Logger* log_;
};

// A window of a device's register file mapped as its own region (QEMU maps the ACLINT's MSWI and
// MTIMER as two regions of one device): offsets are relative to `base` inside the device.
class MmioWindow final : public MmioOps {
 public:
  MmioWindow(MmioOps& device, uint64_t base) : device_(device), base_(base) {}
  uint64_t read(uint64_t offset, unsigned size) override { return device_.read(base_ + offset, size); }
  void write(uint64_t offset, uint64_t value, unsigned size) override { device_.write(base_ + offset, value, size); }

 private:
  MmioOps& device_;
  uint64_t base_;
};

}  // namespace mimic::hw
