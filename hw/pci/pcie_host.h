// QEMU's generic PCIe host bridge (gpex, device tree "pci-host-ecam-generic"): the ECAM
// configuration window (bus << 20 | device << 15 | function << 12 | register), the host
// bridge's own configuration header at 00:00.0, the functions plugged into bus 0, and the PIO/MMIO
// windows that route accesses to the BARs the guest placed. An absent function answers all ones;
// a window access no BAR claims aborts (all ones, writes dropped) as on PCI.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hw/core/memory.h"
#include "hw/pci/pci_device.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

class PcieHost final : public PciBus {
 public:
  static constexpr unsigned kIntxLines = 4;
  // `intx(line, level)`: the host's four INTx outputs (the board's interrupt-map swizzle gives
  // slot S pin P line (P - 1 + S) % 4). `msi(requester, address, data)`: an MSI write onto the
  // system bus by the function whose requester ID (bus 0: devfn) is `requester`.
  PcieHost(tcg::Logger* log, std::function<void(unsigned line, bool level)> intx = {},
           std::function<void(unsigned requester, uint64_t address, uint32_t data)> msi = {});
  MmioOps& ecam() { return ecam_; }
  // A window onto the bus: CPU offset 0 of the region is bus address `bus_base`; `io` selects
  // the I/O space (BARs of type I/O) rather than memory.
  MmioOps& add_window(bool io, uint64_t bus_base);
  // Plugs `dev` in at `devfn` (device << 3 | function, device 1..31); false when taken.
  bool plug(unsigned devfn, PciDevice* dev);
  // The first free device number from 1 (QEMU's automatic addr=), or -1.
  int free_slot() const;
  void reset();
  // The host bridge's configuration header and the INTx levels (the functions save their own).
  void snapshot_state(StateIo& io);
  // Configuration space (4 KiB per function, little-endian).
  uint32_t config_read(unsigned bdf, unsigned reg, unsigned size);
  void config_write(unsigned bdf, unsigned reg, uint32_t value, unsigned size);

  // PciBus
  void set_intx(unsigned devfn, unsigned pin, bool level) override;
  void send_msi(unsigned devfn, uint64_t address, uint32_t data) override;

 private:
  struct Ecam final : MmioOps {
    explicit Ecam(PcieHost& h) : host(h) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;
    PcieHost& host;
  };
  struct Window final : MmioOps {
    Window(PcieHost& h, bool i, uint64_t b) : host(h), io(i), bus_base(b) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;
    PcieHost& host;
    bool io;
    uint64_t bus_base;
  };
  PciDevice* route(bool io, uint64_t bus_addr, unsigned* bar, uint64_t* offset);

  Ecam ecam_{*this};
  std::vector<std::unique_ptr<Window>> windows_;
  tcg::Logger* log_;
  std::function<void(unsigned, bool)> intx_;
  std::function<void(unsigned, uint64_t, uint32_t)> msi_;
  std::array<uint8_t, 4096> bridge_{};
  std::array<PciDevice*, 256> functions_{};  // by devfn, bus 0
  std::array<std::array<bool, 256>, kIntxLines> intx_sources_{};
  std::array<bool, kIntxLines> intx_level_{};
};

}  // namespace mimic::hw
