#include "hw/virtio/queue_worker.h"

#include <vector>

namespace mimic::hw {

QueueWorker::QueueWorker(VirtioTransport*& transport, unsigned queue, Handler handler)
    : transport_(transport), queue_(queue), handler_(std::move(handler)), thread_([this] { run(); }) {}

QueueWorker::~QueueWorker() { stop(); }

void QueueWorker::kick() {
  {
    std::lock_guard lock(mutex_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void QueueWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void QueueWorker::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return kicked_ || stopping_; });
      if (stopping_) return;
      kicked_ = false;
      busy_ = true;
    }
    serve();
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

void QueueWorker::drain() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return (!kicked_ && !busy_) || stopping_ || !thread_.joinable(); });
}

void QueueWorker::serve() {
  // Batches of what the driver has made available, until the ring stays empty.
  for (;;) {
    std::vector<VirtqChain> batch;
    uint64_t generation;
    Virtqueue* vq;
    {
      std::lock_guard lock(transport_->lock());
      generation = generation_;
      vq = &transport_->queue(queue_);
      while (batch.size() < 64) {
        std::optional<VirtqChain> c = vq->pop();
        if (!c) break;
        batch.push_back(std::move(*c));
      }
      if (vq->state().broken) transport_->device_error(vq->error());
    }
    if (batch.empty()) return;
    std::vector<uint32_t> written;
    written.reserve(batch.size());
    for (const VirtqChain& c : batch) written.push_back(handler_(c, *vq));
    std::lock_guard lock(transport_->lock());
    if (generation != generation_) return;  // reset meanwhile
    for (size_t i = 0; i < batch.size(); i++) vq->push(batch[i].head, written[i]);
    transport_->notify_used(queue_);
  }
}

}  // namespace mimic::hw
