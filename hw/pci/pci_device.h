// A conventional PCI function on the PCIe host's root bus (PCI 3.0 section 6): the type-0
// configuration header with its writable and write-one-to-clear bits, up to six BARs the guest
// sizes and places, the capability list, INTx (pin A) and MSI-X with its table and PBA in a BAR.
// A device model derives from it and implements its BARs' registers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/core/snapshot.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

namespace pci {
// Configuration header offsets.
constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06, kRevision = 0x08,
                   kClassProg = 0x09, kHeaderType = 0x0e, kBar0 = 0x10, kSubsystemVendorId = 0x2c, kSubsystemId = 0x2e,
                   kRomAddress = 0x30, kCapabilityList = 0x34, kInterruptLine = 0x3c, kInterruptPin = 0x3d;
constexpr uint16_t kCommandIo = 0x1, kCommandMemory = 0x2, kCommandBusMaster = 0x4, kCommandIntxDisable = 0x400;
constexpr uint16_t kStatusInterrupt = 0x08, kStatusCapList = 0x10;
constexpr uint8_t kCapIdMsix = 0x11, kCapIdVendor = 0x09;
constexpr unsigned kConfigSize = 256;
}  // namespace pci

enum class PciBarType { None, Io, Mem32, Mem64 };

// What the function needs from its bus: interrupts and DMA-side memory writes (MSI messages).
class PciBus {
 public:
  virtual ~PciBus() = default;
  virtual void set_intx(unsigned devfn, unsigned pin, bool level) = 0;
  // A memory write the function at `devfn` makes as bus master (an MSI message: 4 bytes at
  // `address`); the devfn is the write's requester ID, the ITS's DeviceID.
  virtual void send_msi(unsigned devfn, uint64_t address, uint32_t data) = 0;
};

class PciDevice {
 public:
  PciDevice(std::string name, tcg::Logger* log);
  virtual ~PciDevice() = default;
  const std::string& name() const { return name_; }
  void plug(PciBus* bus, unsigned devfn) {
    bus_ = bus;
    devfn_ = devfn;
  }
  unsigned devfn() const { return devfn_; }

  // Configuration space (256 bytes; the extended space reads all ones), little-endian.
  uint32_t config_read(unsigned reg, unsigned size);
  void config_write(unsigned reg, uint32_t value, unsigned size);

  // The bus address BAR `index` decodes now, if it is enabled (command bit, placed): its window
  // kind must match `io`. Used by the host to route window accesses.
  bool bar_decodes(unsigned index, bool io, uint64_t bus_addr, uint64_t* offset) const;
  uint64_t bar_access_read(unsigned index, uint64_t offset, unsigned size);
  void bar_access_write(unsigned index, uint64_t offset, uint64_t value, unsigned size);
  unsigned bar_count() const { return 6; }

  // Device reset (the machine's): the header to its reset values, MSI-X off, INTx low.
  virtual void reset();
  // Configuration space (BAR addresses, command, capabilities) and the MSI-X table and PBA.
  void snapshot_state(StateIo& io);

 protected:
  // The device's registers behind its BARs (MSI-X's table and PBA are handled before these).
  virtual uint64_t bar_read(unsigned index, uint64_t offset, unsigned size) = 0;
  virtual void bar_write(unsigned index, uint64_t offset, uint64_t value, unsigned size) = 0;
  // Capability bytes with side effects (virtio's PCI configuration access window): called after
  // a write of writable capability bytes at `reg`, and before a read at [reg, reg + size).
  virtual void capability_written(unsigned reg) {}
  virtual void before_config_read(unsigned reg, unsigned size) {}
  // MSI-X was switched on or off (Enable or Function Mask changed).
  virtual void msix_changed() {}

  // Header setup, at construction (reset() keeps these).
  void set_ids(uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code, uint16_t subsys_vendor,
               uint16_t subsys);
  void define_bar(unsigned index, PciBarType type, uint64_t size, bool prefetchable = false);
  // Adds a capability of `len` bytes (its first two bytes are id and next) at `offset`, at the
  // head of the list as QEMU's pci_add_capability; returns its offset. `writable` bytes past the
  // header the guest may write.
  unsigned add_capability(unsigned offset, uint8_t id, const std::vector<uint8_t>& body, unsigned writable_from = 0,
                          unsigned writable_len = 0);
  void set_writable(unsigned reg, unsigned len) {
    for (unsigned i = 0; i < len; i++) wmask_[reg + i] = 0xff;
  }
  // MSI-X with `vectors` entries: the table at offset 0 of BAR `bar`, the PBA at `pba_offset`.
  void init_msix(unsigned cap_offset, unsigned bar, unsigned vectors, uint64_t pba_offset);
  bool msix_enabled() const;
  // Signals vector `v` (MSI-X on): sends its message, or sets its pending bit while masked.
  void msix_notify(unsigned v);
  void set_intx(bool level);

  uint8_t* config() { return config_.data(); }
  void guest_error(const std::string& what) const;
  tcg::Logger* log_;

 private:
  struct Bar {
    PciBarType type = PciBarType::None;
    uint64_t size = 0;
    bool prefetchable = false;
  };
  uint64_t bar_address(unsigned index) const;
  bool msix_masked(unsigned v) const;
  void msix_deliver_pending();

  std::string name_;
  PciBus* bus_ = nullptr;
  unsigned devfn_ = 0;
  std::array<uint8_t, pci::kConfigSize> config_{}, reset_config_{}, wmask_{}, w1cmask_{};
  std::array<Bar, 6> bars_{};
  unsigned next_cap_ = 0;
  // MSI-X
  unsigned msix_cap_ = 0, msix_bar_ = 0, msix_vectors_ = 0;
  uint64_t msix_pba_offset_ = 0;
  std::vector<uint8_t> msix_table_;
  std::vector<uint8_t> msix_pba_;
  bool intx_level_ = false;
};

}  // namespace mimic::hw
