// The virtio PCI transport (virtio 1.x section 4.1) as QEMU 7.2 lays it out: a transitional
// device by default (device id 0x1000 + n, revision 0, the legacy register file in I/O BAR 0)
// with the modern vendor capabilities (common, ISR, device, notify, PCI configuration access)
// in 64-bit prefetchable memory BAR 4, and MSI-X (queues + 1 vectors) in BAR 1.
// disable-legacy=on gives the modern-only device (0x1040 + id, revision 1), disable-modern=on
// the legacy-only one. Without MSI-X the device interrupts on INTA.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hw/core/memory.h"
#include "hw/pci/pci_device.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

struct VirtioPciOptions {
  bool legacy = true, modern = true;  // !disable-legacy, !disable-modern
  int vectors = -1;                   // MSI-X vectors; -1: the device's queues + 1 (0: no MSI-X)
};

class VirtioPci final : public PciDevice, public VirtioTransport {
 public:
  static constexpr uint16_t kNoVector = 0xffff;
  static constexpr uint64_t kModernBarSize = 0x4000, kMsixBarSize = 0x1000;

  VirtioPci(std::string name, AddressSpace& memory, std::unique_ptr<VirtioDevice> device,
            const VirtioPciOptions& options, tcg::Logger* log);
  ~VirtioPci() override;
  VirtioDevice* device() { return device_.get(); }
  void reset() override;
  // Stops the device's I/O threads; called without the device lock before destruction.
  void stop() { device_->stop(); }
  // Snapshots (vCPUs paused): drain() waits for in-flight requests without the device lock;
  // snapshot_state saves the PCI function, the transport, every queue and the device.
  void drain() { device_->drain(); }
  void snapshot_state(StateIo& io);

  // VirtioTransport
  GuestRam& ram() override { return ram_; }
  Virtqueue& queue(unsigned index) override { return *queues_[index]; }
  std::recursive_mutex& lock() override { return memory_.device_lock(); }
  void notify_used(unsigned index) override;
  void config_changed() override;
  void device_error(const std::string& why) override;
  uint64_t driver_features() const override { return driver_features_; }

 protected:
  uint64_t bar_read(unsigned index, uint64_t offset, unsigned size) override;
  void bar_write(unsigned index, uint64_t offset, uint64_t value, unsigned size) override;
  void capability_written(unsigned reg) override;
  void before_config_read(unsigned reg, unsigned size) override;

 private:
  uint64_t offered_features() const;
  void reset_transport();
  void write_status(uint8_t value);
  void interrupt(uint8_t isr_bit, uint16_t vector);
  uint8_t read_isr();
  uint64_t common_read(uint64_t offset, unsigned size);
  void common_write(uint64_t offset, uint64_t value, unsigned size);
  uint64_t legacy_read(uint64_t offset, unsigned size);
  void legacy_write(uint64_t offset, uint64_t value, unsigned size);
  void notify(unsigned queue);
  void queue_enable(unsigned q);
  uint16_t checked_vector(uint16_t v) const { return v < vectors_ ? v : kNoVector; }
  unsigned legacy_config_offset() const { return msix_enabled() ? 0x18 : 0x14; }

  std::string name_;
  AddressSpace& memory_;
  GuestRam ram_;
  std::unique_ptr<VirtioDevice> device_;
  VirtioPciOptions options_;
  unsigned vectors_ = 0;
  unsigned cfg_cap_ = 0;  // VIRTIO_PCI_CAP_PCI_CFG's offset
  std::vector<std::unique_ptr<Virtqueue>> queues_;
  // Transport state.
  uint8_t status_ = 0, isr_ = 0, config_generation_ = 0;
  uint32_t device_features_sel_ = 0, driver_features_sel_ = 0;
  uint16_t queue_sel_ = 0, config_vector_ = kNoVector;
  uint64_t driver_features_ = 0;
  std::vector<uint16_t> queue_vector_;
  std::vector<uint32_t> legacy_pfn_;
};

}  // namespace mimic::hw
