// QEMU's generic PCIe host bridge (gpex, device tree "pci-host-ecam-generic"): the ECAM
// configuration window (bus << 20 | device << 15 | function << 12 | register), the host
// bridge's own configuration header at 00:00.0, and the PIO/MMIO windows. No endpoint devices
// yet: every other function answers as absent (all ones), an unclaimed window access aborts
// (all ones, writes dropped) as on PCI.
#pragma once

#include <array>
#include <cstdint>

#include "hw/core/memory.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

class PcieHost {
 public:
  explicit PcieHost(tcg::Logger* log);
  MmioOps& ecam() { return ecam_; }
  // The PIO and MMIO windows (BARs the guest assigns would be decoded here).
  MmioOps& window() { return window_; }
  void reset();
  // The host bridge's configuration space (4 KiB, little-endian).
  uint32_t config_read(unsigned bdf, unsigned reg, unsigned size) const;
  void config_write(unsigned bdf, unsigned reg, uint32_t value, unsigned size);

 private:
  struct Ecam final : MmioOps {
    explicit Ecam(PcieHost& h) : host(h) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;
    PcieHost& host;
  };
  struct Window final : MmioOps {
    uint64_t read(uint64_t, unsigned size) override { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }
    void write(uint64_t, uint64_t, unsigned) override {}
  };
  Ecam ecam_{*this};
  Window window_;
  tcg::Logger* log_;
  std::array<uint8_t, 4096> bridge_{};
};

}  // namespace mimic::hw
