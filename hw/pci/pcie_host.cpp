// The gpex host bridge's configuration space as QEMU presents it: Red Hat 1b36:0008, class
// 06.00 (host bridge), subsystem 1af4:1100, no BARs, no capabilities; only the command
// register's memory/IO/bus-master/SERR/INTx-disable bits are writable.
#include "hw/pci/pcie_host.h"

#include <cstring>

namespace mimic::hw {

namespace {
constexpr unsigned kCommand = 0x04, kStatus = 0x06, kCacheLine = 0x0c, kLatency = 0x0d, kInterruptLine = 0x3c;
constexpr uint16_t kCommandWritable = 0x0001 | 0x0002 | 0x0004 | 0x0100 | 0x0400;

void put16(uint8_t* p, uint16_t v) { memcpy(p, &v, 2); }
}  // namespace

PcieHost::PcieHost(tcg::Logger* log) : log_(log) { reset(); }

void PcieHost::reset() {
  bridge_.fill(0);
  put16(&bridge_[0x00], 0x1b36);
  put16(&bridge_[0x02], 0x0008);
  bridge_[0x0a] = 0x00;  // subclass: host bridge
  bridge_[0x0b] = 0x06;  // class: bridge
  put16(&bridge_[0x2c], 0x1af4);
  put16(&bridge_[0x2e], 0x1100);
}

uint32_t PcieHost::config_read(unsigned bdf, unsigned reg, unsigned size) const {
  if (bdf != 0 || reg + size > bridge_.size()) return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  uint32_t v = 0;
  memcpy(&v, &bridge_[reg], size);
  return v;
}

void PcieHost::config_write(unsigned bdf, unsigned reg, uint32_t value, unsigned size) {
  if (bdf != 0 || reg + size > bridge_.size()) return;  // no such function: dropped
  for (unsigned i = 0; i < size; i++) {
    unsigned r = reg + i;
    uint8_t b = uint8_t(value >> (8 * i));
    if (r == kCommand || r == kCommand + 1) {
      uint16_t mask = kCommandWritable >> (8 * (r - kCommand));
      bridge_[r] = uint8_t((bridge_[r] & ~mask) | (b & mask));
    } else if (r == kStatus + 1) {
      bridge_[r] &= uint8_t(~b);  // error bits: write one to clear
    } else if (r == kCacheLine || r == kLatency || r == kInterruptLine) {
      bridge_[r] = b;
    }
  }
}

uint64_t PcieHost::Ecam::read(uint64_t offset, unsigned size) {
  if (size > 4) return ~0ull;
  return host.config_read(unsigned(offset >> 12), unsigned(offset & 0xfff), size);
}

void PcieHost::Ecam::write(uint64_t offset, uint64_t value, unsigned size) {
  if (size > 4) return;
  host.config_write(unsigned(offset >> 12), unsigned(offset & 0xfff), uint32_t(value), size);
}

}  // namespace mimic::hw
