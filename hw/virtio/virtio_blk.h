// virtio-blk (virtio 1.x section 5.2) over a BlockImage: read, write, flush, discard,
// write-zeroes, get-id, read-only disks and several request queues, each served by its own I/O
// thread (the vCPU that notifies never waits for the disk).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hw/block/block.h"
#include "hw/virtio/queue_worker.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

struct VirtioBlkConfig {
  unsigned num_queues = 1;     // num-queues=
  uint16_t queue_size = 256;   // queue-size=
  std::string serial;          // serial=: what GET_ID answers (20 bytes at most)
  bool writeback = true;       // cache=writeback (else writethrough: every write is flushed)
  bool ignore_flush = false;   // cache=unsafe
  bool discard_unmap = false;  // discard=unmap: discards reach the image (else ignored)
  std::string path;            // file=: what snapshots name the disk by
};

// The device's guest-visible state as plain data (a snapshot saves it with the transport's).
struct VirtioBlkState {
  bool writeback = true;  // the config space's writeback byte (CONFIG_WCE)
};

class VirtioBlk final : public VirtioDevice {
 public:
  // Request types and status values (5.2.6).
  static constexpr uint32_t kIn = 0, kOut = 1, kFlush = 4, kGetId = 8, kDiscard = 11, kWriteZeroes = 13;
  static constexpr uint8_t kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupported = 2;

  VirtioBlk(std::shared_ptr<block::BlockImage> image, const VirtioBlkConfig& config);
  ~VirtioBlk() override;
  const char* type_name() const override { return "virtio-blk-device"; }
  uint32_t device_id() const override { return virtio::kIdBlock; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return config_.num_queues; }
  uint16_t queue_max_size(unsigned) const override { return config_.queue_size; }
  size_t config_size() const override { return 60; }
  void read_config(uint64_t offset, void* buf, size_t len) override;
  void write_config(uint64_t offset, const void* buf, size_t len) override;
  void queue_notify(unsigned index) override;
  void reset() override;
  void stop() override;
  void snapshot_state(StateIo& io) override { io(state_.writeback); }
  void drain() override {
    for (auto& w : workers_) w->drain();
  }

  // Serves one request chain (what the I/O threads call); returns the bytes written into it.
  uint32_t serve(const VirtqChain& chain, const Virtqueue& queue);
  // Snapshots: the disk behind the device and its file= name.
  block::BlockImage& image() { return *image_; }
  const std::string& path() const { return config_.path; }

 private:
  uint8_t execute(uint32_t type, uint64_t sector, const VirtqChain& chain, const Virtqueue& queue, uint64_t data_len,
                  uint32_t& written);
  uint8_t ranges(uint32_t type, const VirtqChain& chain, const Virtqueue& queue, uint64_t data_len);
  std::vector<uint8_t> config_bytes() const;

  std::shared_ptr<block::BlockImage> image_;
  VirtioBlkConfig config_;
  VirtioBlkState state_;
  std::vector<std::unique_ptr<QueueWorker>> workers_;
};

}  // namespace mimic::hw
