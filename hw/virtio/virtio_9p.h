// virtio-9p (virtio 1.x section 5.14 / QEMU's virtio-9p-device): one request queue carrying 9P
// messages (each chain: the T-message readable, room for the R-message writable) and a config
// space holding the mount tag. Requests are served by a P9Server on the device's I/O thread.
#pragma once

#include <memory>
#include <string>

#include "hw/fs/p9_server.h"
#include "hw/virtio/queue_worker.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

class Virtio9p final : public VirtioDevice {
 public:
  static constexpr size_t kMaxTagLength = 255;  // QEMU's MAX_TAG_LEN

  Virtio9p(std::unique_ptr<fs::P9Server> server, std::string mount_tag);
  ~Virtio9p() override;
  const char* type_name() const override { return "virtio-9p-device"; }
  uint32_t device_id() const override { return virtio::kId9p; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return 128; }  // QEMU's MAX_REQ
  size_t config_size() const override { return 2 + tag_.size(); }
  void read_config(uint64_t offset, void* buf, size_t len) override;
  void queue_notify(unsigned) override { worker_->kick(); }
  void reset() override;
  void stop() override { worker_->stop(); }
  // Only an unmounted export can be saved (snapshot_blocker), so a snapshot holds no fids: a
  // machine loaded from one starts with none, whatever the current session had.
  void snapshot_state(StateIo& io) override;
  std::string snapshot_blocker() const override;

  // Serves one request chain (the I/O thread's handler); returns the reply's length.
  uint32_t serve(const VirtqChain& chain, const Virtqueue& queue);

 private:
  std::unique_ptr<fs::P9Server> server_;
  std::string tag_;
  std::unique_ptr<QueueWorker> worker_;
};

}  // namespace mimic::hw
