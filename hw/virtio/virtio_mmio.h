// A virtio-mmio transport slot. With no device plugged in it answers as QEMU's empty slots do:
// the magic, version and vendor id, device id 0 (so that Linux probes it and skips it).
#pragma once

#include "hw/core/device.h"

namespace mimic::hw {

class VirtioMmioSlot final : public RegisterDevice {
 public:
  static constexpr uint64_t kSize = 0x200;         // QEMU's region (the map slot is 0x1000)
  static constexpr uint32_t kMagic = 0x74726976;   // "virt"
  static constexpr uint32_t kVersion = 2;          // virtio 1.x (QEMU 7.2's default is legacy 1)
  static constexpr uint32_t kVendor = 0x554d4551;  // "QEMU"
  VirtioMmioSlot(std::string name, tcg::Logger* log);

 protected:
  uint64_t read_reg(const RegHit& hit, unsigned size) override;
  void write_reg(const RegHit& hit, uint64_t value, unsigned size) override {}
};

}  // namespace mimic::hw
