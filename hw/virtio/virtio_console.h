// virtio-console (virtio 1.x section 5.3) with one port and no MULTIPORT: Linux makes it hvc0.
// QEMU's spelling is -device virtio-serial-device -device virtconsole,chardev=ID; the port's
// bytes go to and come from that -chardev.
#pragma once

#include <deque>
#include <memory>

#include "hw/char/chardev.h"
#include "hw/virtio/queue_worker.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

class VirtioConsole final : public VirtioDevice {
 public:
  explicit VirtioConsole(std::unique_ptr<CharDev> chardev);  // null: a port with nothing behind it
  ~VirtioConsole() override;
  const char* type_name() const override { return "virtio-serial-device"; }
  uint32_t device_id() const override { return virtio::kIdConsole; }
  uint64_t device_features() const override { return virtio::kFRingIndirectDesc | virtio::kFRingEventIdx; }
  unsigned num_queues() const override { return 2; }  // receiveq0, transmitq0
  size_t config_size() const override { return 12; }
  void read_config(uint64_t offset, void* buf, size_t len) override;
  void queue_notify(unsigned index) override;
  void driver_ok() override;
  void reset() override;
  void stop() override;
  void drain() override { tx_->drain(); }

 private:
  size_t receive(const uint8_t* data, size_t len);
  uint32_t transmit(const VirtqChain& chain, const Virtqueue& queue);

  std::unique_ptr<CharDev> chardev_;
  std::unique_ptr<QueueWorker> tx_;
  bool driver_ok_ = false;  // device lock
  bool started_ = false, stopped_ = false;
};

}  // namespace mimic::hw
