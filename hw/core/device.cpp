// Register-table dispatch for devices (see device.h).
#include "hw/core/device.h"

#include <fmt/format.h>

#include "tcg/exec/log.h"

namespace mimic::hw {

RegHit find_reg(std::span<const Reg> regs, uint64_t offset, unsigned size) {
  for (const Reg& r : regs) {
    if (offset < r.offset) continue;
    uint64_t rel = offset - r.offset;
    uint64_t stride = r.count > 1 ? r.stride : r.width;
    uint64_t index = rel / stride;
    if (index >= r.count) continue;
    uint64_t in = rel - index * stride;
    if (in + size > r.width) continue;
    return RegHit{&r, unsigned(index), unsigned(in)};
  }
  return {};
}

uint64_t RegisterDevice::read(uint64_t offset, unsigned size) {
  RegHit hit = find_reg(regs_, offset, size);
  if (!hit.reg) {
    log_unimp(offset, false, 0);
    return 0;
  }
  if (!(hit.reg->access & RegAccess::kRead)) {
    log_guest_error(fmt::format("read of write-only register {} ({:#x})", hit.reg->name, offset));
    return 0;
  }
  return read_reg(hit, size);
}

void RegisterDevice::write(uint64_t offset, uint64_t value, unsigned size) {
  RegHit hit = find_reg(regs_, offset, size);
  if (!hit.reg) {
    log_unimp(offset, true, value);
    return;
  }
  if (!(hit.reg->access & RegAccess::kWrite)) {
    log_guest_error(fmt::format("write to read-only register {} ({:#x})", hit.reg->name, offset));
    return;
  }
  write_reg(hit, value, size);
}

void RegisterDevice::log_unimp(uint64_t offset, bool is_write, uint64_t value) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kUnimp)) return;
  if (is_write)
    log_->write(fmt::format("device {}: unimplemented register {:#x} write {:#x}\n", name_, offset, value));
  else
    log_->write(fmt::format("device {}: unimplemented register {:#x} read\n", name_, offset));
}

void RegisterDevice::log_guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kUnimp)) return;
  log_->write(fmt::format("device {}: {}\n", name_, what));
}

}  // namespace mimic::hw
