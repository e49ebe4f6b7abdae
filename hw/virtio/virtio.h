// The virtio device model, independent of the transport: a VirtioDevice offers features, a config
// space and queues; a VirtioTransport (virtio-mmio now, virtio-pci later) owns the register file,
// the virtqueues and the interrupt, and hands the device what it needs through this interface.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "hw/core/snapshot.h"
#include "hw/virtio/virtqueue.h"

namespace mimic::hw {

namespace virtio {
// Feature bits shared by every device type (virtio 1.x section 6).
constexpr uint64_t kFRingIndirectDesc = uint64_t(1) << 28;
constexpr uint64_t kFRingEventIdx = uint64_t(1) << 29;
constexpr uint64_t kFVersion1 = uint64_t(1) << 32;
// Device status bits (2.1).
constexpr uint32_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4, kStatusFeaturesOk = 8,
                   kStatusNeedsReset = 0x40, kStatusFailed = 0x80;
// Device ids (5).
constexpr uint32_t kIdNet = 1, kIdBlock = 2, kIdConsole = 3, kIdRng = 4, kId9p = 9;
}  // namespace virtio

// What a device sees of its transport. Every call but ram() is made with lock() held.
class VirtioTransport {
 public:
  virtual ~VirtioTransport() = default;
  virtual GuestRam& ram() = 0;
  virtual Virtqueue& queue(unsigned index) = 0;
  // The machine's device lock: held around register accesses, taken by I/O threads to touch rings.
  virtual std::recursive_mutex& lock() = 0;
  // After pushes to queue `index`: interrupts the driver if it asked for it.
  virtual void notify_used(unsigned index) = 0;
  virtual void config_changed() = 0;
  // The device found the driver's data unusable: DEVICE_NEEDS_RESET, logged under -d guest_errors.
  virtual void device_error(const std::string& why) = 0;
  virtual uint64_t driver_features() const = 0;
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  virtual const char* type_name() const = 0;  // "virtio-blk-device", ...
  virtual uint32_t device_id() const = 0;
  // Device-type features, plus the ring features the device supports (the transport adds
  // VERSION_1 in modern mode).
  virtual uint64_t device_features() const = 0;
  virtual unsigned num_queues() const = 0;
  virtual uint16_t queue_max_size(unsigned index) const { return 256; }
  // The config space: reads of bytes past its end give 0, writes there are dropped.
  virtual size_t config_size() const = 0;
  virtual void read_config(uint64_t offset, void* buf, size_t len) = 0;
  virtual void write_config(uint64_t offset, const void* buf, size_t len) {}
  // The driver made buffers available on queue `index` (lock held, on the vCPU's thread): the
  // device hands the work to its I/O thread.
  virtual void queue_notify(unsigned index) = 0;
  virtual void driver_ok() {}
  // Device reset (lock held): forget in-flight requests; the transport resets the queues.
  virtual void reset() = 0;
  // Stops the device's threads (lock NOT held: they may be waiting for it). Before destruction.
  virtual void stop() {}
  // Snapshots: the device's own guest-visible state (the transport saves the queues), and a wait
  // until no request is in flight. After loading, driver_ok() runs again when the driver was.
  virtual void snapshot_state(StateIo& io) {}
  virtual void drain() {}
  // Why the machine cannot be saved now (QEMU's migration blockers), or empty.
  virtual std::string snapshot_blocker() const { return {}; }

  void attach(VirtioTransport* transport) { transport_ = transport; }

 protected:
  VirtioTransport* transport_ = nullptr;
};

}  // namespace mimic::hw
