// The gpex host bridge's configuration space as QEMU presents it: Red Hat 1b36:0008, class
// 06.00 (host bridge), subsystem 1af4:1100, no BARs, no capabilities; only the command
// register's memory/IO/bus-master/SERR/INTx-disable bits are writable. The other functions of
// bus 0 are PciDevice's; the windows route to their BARs.
#include "hw/pci/pcie_host.h"

#include <cstring>

namespace mimic::hw {

namespace {
constexpr unsigned kCommand = 0x04, kStatus = 0x06, kCacheLine = 0x0c, kLatency = 0x0d, kInterruptLine = 0x3c;
constexpr uint16_t kCommandWritable = 0x0001 | 0x0002 | 0x0004 | 0x0100 | 0x0400;

void put16(uint8_t* p, uint16_t v) { memcpy(p, &v, 2); }
}  // namespace

PcieHost::PcieHost(tcg::Logger* log, std::function<void(unsigned, bool)> intx,
                   std::function<void(unsigned, uint64_t, uint32_t)> msi)
    : log_(log), intx_(std::move(intx)), msi_(std::move(msi)) {
  reset();
}

MmioOps& PcieHost::add_window(bool io, uint64_t bus_base) {
  windows_.push_back(std::make_unique<Window>(*this, io, bus_base));
  return *windows_.back();
}

bool PcieHost::plug(unsigned devfn, PciDevice* dev) {
  if (devfn < 8 || devfn >= functions_.size() || functions_[devfn]) return false;
  functions_[devfn] = dev;
  dev->plug(this, devfn);
  return true;
}

int PcieHost::free_slot() const {
  for (unsigned slot = 1; slot < 32; slot++) {
    bool free = true;
    for (unsigned fn = 0; fn < 8; fn++) free &= !functions_[slot * 8 + fn];
    if (free) return int(slot);
  }
  return -1;
}

void PcieHost::set_intx(unsigned devfn, unsigned pin, bool level) {
  unsigned line = (pin - 1 + (devfn >> 3)) % kIntxLines;
  intx_sources_[line][devfn] = level;
  bool any = false;
  for (bool s : intx_sources_[line]) any |= s;
  if (any == intx_level_[line]) return;
  intx_level_[line] = any;
  if (intx_) intx_(line, any);
}

void PcieHost::send_msi(unsigned devfn, uint64_t address, uint32_t data) {
  if (msi_) msi_(devfn, address, data);  // bus 0: the requester ID is the devfn
}

PciDevice* PcieHost::route(bool io, uint64_t bus_addr, unsigned* bar, uint64_t* offset) {
  for (PciDevice* d : functions_) {
    if (!d) continue;
    for (unsigned b = 0; b < d->bar_count(); b++)
      if (d->bar_decodes(b, io, bus_addr, offset)) {
        *bar = b;
        return d;
      }
  }
  return nullptr;
}

uint64_t PcieHost::Window::read(uint64_t offset, unsigned size) {
  unsigned bar;
  uint64_t off;
  if (PciDevice* d = host.route(io, bus_base + offset, &bar, &off)) return d->bar_access_read(bar, off, size);
  return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

void PcieHost::Window::write(uint64_t offset, uint64_t value, unsigned size) {
  unsigned bar;
  uint64_t off;
  if (PciDevice* d = host.route(io, bus_base + offset, &bar, &off)) d->bar_access_write(bar, off, value, size);
}

void PcieHost::reset() {
  for (PciDevice* d : functions_)
    if (d) d->reset();
  bridge_.fill(0);
  put16(&bridge_[0x00], 0x1b36);
  put16(&bridge_[0x02], 0x0008);
  bridge_[0x0a] = 0x00;  // subclass: host bridge
  bridge_[0x0b] = 0x06;  // class: bridge
  put16(&bridge_[0x2c], 0x1af4);
  put16(&bridge_[0x2e], 0x1100);
}

uint32_t PcieHost::config_read(unsigned bdf, unsigned reg, unsigned size) {
  if (bdf != 0 && bdf < functions_.size() && functions_[bdf]) return functions_[bdf]->config_read(reg, size);
  if (bdf != 0 || reg + size > bridge_.size()) return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  uint32_t v = 0;
  memcpy(&v, &bridge_[reg], size);
  return v;
}

void PcieHost::config_write(unsigned bdf, unsigned reg, uint32_t value, unsigned size) {
  if (bdf != 0 && bdf < functions_.size() && functions_[bdf]) return functions_[bdf]->config_write(reg, value, size);
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

void PcieHost::snapshot_state(StateIo& io) { io(bridge_), io(intx_sources_), io(intx_level_); }

}  // namespace mimic::hw
