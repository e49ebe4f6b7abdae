// A queue's requests served off the vCPU threads: the vCPU's notify only wakes this thread; it
// takes the available chains under the device lock, serves them without it (disk and host calls
// may block for long), returns them and raises the interrupt under the lock again. A device reset
// meanwhile makes the served chains stale: they are dropped, not pushed into the new rings.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "hw/virtio/virtio.h"

namespace mimic::hw {

class QueueWorker {
 public:
  // Serves one chain; returns the bytes written into its writable buffers.
  using Handler = std::function<uint32_t(const VirtqChain& chain, const Virtqueue& queue)>;
  QueueWorker(VirtioTransport*& transport, unsigned queue, Handler handler);
  ~QueueWorker();
  void kick();
  // Lock held: chains in flight are forgotten.
  void reset() { generation_++; }
  void stop();
  // Waits until every request taken from the ring is back in it (snapshots, as QEMU drains);
  // called without the device lock, with the vCPUs paused so that no new kick comes.
  void drain();

 private:
  void run();
  void serve();

  VirtioTransport*& transport_;
  unsigned queue_;
  Handler handler_;
  uint64_t generation_ = 0;  // under the device lock
  std::mutex mutex_;
  std::condition_variable cv_;
  bool kicked_ = false, stopping_ = false, busy_ = false;
  std::thread thread_;
};

}  // namespace mimic::hw
