// virtio-rng (virtio 1.x section 5.4): every writable buffer the driver offers is filled from the
// host's getrandom(), on the device's I/O thread.
#pragma once

#include <memory>

#include "hw/virtio/queue_worker.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

class VirtioRng final : public VirtioDevice {
 public:
  VirtioRng();
  ~VirtioRng() override;
  const char* type_name() const override { return "virtio-rng-device"; }
  uint32_t device_id() const override { return virtio::kIdRng; }
  uint64_t device_features() const override { return virtio::kFRingIndirectDesc | virtio::kFRingEventIdx; }
  unsigned num_queues() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return 8; }  // QEMU's
  size_t config_size() const override { return 0; }
  void read_config(uint64_t, void* buf, size_t len) override;
  void queue_notify(unsigned) override { worker_->kick(); }
  void reset() override { worker_->reset(); }
  void stop() override { worker_->stop(); }
  void drain() override { worker_->drain(); }

 private:
  uint32_t serve(const VirtqChain& chain, const Virtqueue& queue);
  std::unique_ptr<QueueWorker> worker_;
};

}  // namespace mimic::hw
