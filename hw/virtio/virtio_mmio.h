// The virtio-mmio transport (virtio 1.x section 4.2): the register file of one slot, in the
// modern layout (version 2) or the legacy one (version 1, QEMU's default: force-legacy=on).
// With no device plugged in it answers as QEMU's empty slots do: magic, version, vendor id and
// device id 0, so that Linux probes it and skips it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hw/core/irq.h"
#include "hw/core/memory.h"
#include "hw/virtio/virtio.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

// Transport state as plain data (what a snapshot will save), beside the queues' VirtqueueState.
struct VirtioMmioState {
  uint32_t status = 0;
  uint32_t interrupt_status = 0;
  uint32_t device_features_sel = 0, driver_features_sel = 0, queue_sel = 0;
  uint64_t driver_features = 0;
  uint32_t guest_page_size = 0;                    // legacy
  std::vector<uint32_t> legacy_align, legacy_pfn;  // legacy, per queue
  uint32_t config_generation = 0;
};

class VirtioMmio final : public MmioOps, public VirtioTransport {
 public:
  static constexpr uint64_t kSize = 0x200;         // QEMU's region (the map slot is 0x1000)
  static constexpr uint32_t kMagic = 0x74726976;   // "virt"
  static constexpr uint32_t kVendor = 0x554d4551;  // "QEMU"
  static constexpr uint32_t kInterruptVring = 1, kInterruptConfig = 2;

  // `device` may be null (an empty slot). `legacy`: version 1 register layout.
  VirtioMmio(std::string name, AddressSpace& memory, std::unique_ptr<VirtioDevice> device, bool legacy,
             tcg::Logger* log);
  ~VirtioMmio() override;
  IrqLine& irq() { return irq_; }
  VirtioDevice* device() { return device_.get(); }
  bool legacy() const { return legacy_; }
  // Machine reset.
  void reset();
  // Stops the device's I/O threads; called without the device lock before destruction.
  void stop();
  // Snapshots: waits for in-flight requests (without the device lock, vCPUs paused); the
  // transport's registers, every queue's indices and the device's own state.
  void drain() {
    if (device_) device_->drain();
  }
  void snapshot_state(StateIo& io);

  // MmioOps
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

  // VirtioTransport
  GuestRam& ram() override { return ram_; }
  Virtqueue& queue(unsigned index) override { return *queues_[index]; }
  std::recursive_mutex& lock() override { return memory_.device_lock(); }
  void notify_used(unsigned index) override;
  void config_changed() override;
  void device_error(const std::string& why) override;
  uint64_t driver_features() const override { return s_.driver_features; }

 private:
  uint64_t offered_features() const;
  void write_status(uint32_t value);
  void set_legacy_pfn(uint32_t pfn);
  void update_irq() { irq_.set(s_.interrupt_status != 0); }
  void guest_error(const std::string& what) const;
  Virtqueue* selected();

  std::string name_;
  AddressSpace& memory_;
  GuestRam ram_;
  std::unique_ptr<VirtioDevice> device_;
  bool legacy_;
  tcg::Logger* log_;
  std::vector<std::unique_ptr<Virtqueue>> queues_;
  VirtioMmioState s_;
  IrqLine irq_;
};

}  // namespace mimic::hw
