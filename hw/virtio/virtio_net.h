// virtio-net (virtio 1.x section 5.1) in front of a NetBackend (-netdev): frames the guest puts on
// the transmit queue go to the backend from the device's I/O thread; frames from the backend fill
// the guest's receive buffers (a short queue holds them while the guest has none posted; past it
// frames are dropped, as by a real NIC with a full ring).
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <vector>

#include "hw/net/net_backend.h"
#include "hw/virtio/queue_worker.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

// Guest-visible state as plain data (for snapshots).
struct VirtioNetState {
  std::array<uint8_t, 6> mac{};
  bool driver_ok = false;
};

class VirtioNet final : public VirtioDevice {
 public:
  VirtioNet(std::unique_ptr<NetBackend> backend, std::array<uint8_t, 6> mac);
  ~VirtioNet() override;
  const char* type_name() const override { return "virtio-net-device"; }
  uint32_t device_id() const override { return virtio::kIdNet; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 2; }  // receiveq1, transmitq1
  size_t config_size() const override { return 12; }
  void read_config(uint64_t offset, void* buf, size_t len) override;
  void queue_notify(unsigned index) override;
  void driver_ok() override;
  void reset() override;
  void stop() override;
  // Frames the backend queued are not part of a snapshot (slirp's state is not saved either):
  // a restored guest starts with empty queues, as QEMU's with a fresh backend.
  void snapshot_state(StateIo& io) override {
    if (io.loading()) pending_.clear();
  }
  void drain() override { tx_->drain(); }

 private:
  size_t header_len() const;
  void receive(const uint8_t* frame, size_t len);
  void fill_rx();  // device lock held
  uint32_t transmit(const VirtqChain& chain, const Virtqueue& queue);

  std::unique_ptr<NetBackend> backend_;
  VirtioNetState state_;
  std::deque<std::vector<uint8_t>> pending_;  // device lock
  std::unique_ptr<QueueWorker> tx_;
  bool started_ = false, stopped_ = false;
};

}  // namespace mimic::hw
