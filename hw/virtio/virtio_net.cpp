#include "hw/virtio/virtio_net.h"

#include <cstring>

namespace mimic::hw {

namespace {
constexpr uint64_t kFMac = uint64_t(1) << 5, kFStatus = uint64_t(1) << 16;
constexpr uint16_t kLinkUp = 1;
constexpr size_t kPendingFrames = 256;
constexpr size_t kMaxFrame = 65536;
}  // namespace

VirtioNet::VirtioNet(std::unique_ptr<NetBackend> backend, std::array<uint8_t, 6> mac) : backend_(std::move(backend)) {
  state_.mac = mac;
  tx_ = std::make_unique<QueueWorker>(transport_, 1,
                                      [this](const VirtqChain& c, const Virtqueue& q) { return transmit(c, q); });
  backend_->set_receiver([this](const uint8_t* f, size_t n) { receive(f, n); });
}

VirtioNet::~VirtioNet() { stop(); }

void VirtioNet::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (started_) backend_->stop();
  tx_->stop();
}

uint64_t VirtioNet::device_features() const {
  return virtio::kFRingIndirectDesc | virtio::kFRingEventIdx | kFMac | kFStatus;
}

size_t VirtioNet::header_len() const {
  // struct virtio_net_hdr: 10 bytes; with VERSION_1 (or MRG_RXBUF) num_buffers makes it 12.
  return (transport_->driver_features() & virtio::kFVersion1) ? 12 : 10;
}

void VirtioNet::read_config(uint64_t offset, void* buf, size_t len) {
  // struct virtio_net_config: mac[6], status, max_virtqueue_pairs, mtu.
  uint8_t c[12] = {};
  memcpy(c, state_.mac.data(), 6);
  uint16_t status = kLinkUp, pairs = 1, mtu = 1500;
  memcpy(c + 6, &status, 2);
  memcpy(c + 8, &pairs, 2);
  memcpy(c + 10, &mtu, 2);
  for (size_t i = 0; i < len; i++) static_cast<uint8_t*>(buf)[i] = offset + i < sizeof c ? c[offset + i] : 0;
}

void VirtioNet::queue_notify(unsigned index) {
  if (index == 1)
    tx_->kick();
  else
    fill_rx();  // new receive buffers: frames waiting for them go now
}

void VirtioNet::driver_ok() {
  state_.driver_ok = true;
  // The backend's thread starts with the first driver: it needs the transport to deliver to.
  if (!started_) backend_->start();
  started_ = true;
}

void VirtioNet::reset() {
  tx_->reset();
  pending_.clear();
  state_.driver_ok = false;
}

void VirtioNet::receive(const uint8_t* frame, size_t len) {
  std::lock_guard lock(transport_->lock());
  if (!state_.driver_ok) return;  // no driver: the frame falls on the floor
  if (pending_.size() >= kPendingFrames) pending_.pop_front();
  pending_.emplace_back(frame, frame + len);
  fill_rx();
}

void VirtioNet::fill_rx() {
  if (!state_.driver_ok) return;
  Virtqueue& rx = transport_->queue(0);
  size_t hdr = header_len();
  bool pushed = false;
  while (!pending_.empty()) {
    std::optional<VirtqChain> c = rx.pop();
    if (!c) break;
    const std::vector<uint8_t>& f = pending_.front();
    uint8_t h[12] = {};
    uint16_t num_buffers = 1;
    memcpy(h + 10, &num_buffers, 2);
    uint32_t written = 0;
    if (c->writable_bytes() >= hdr + f.size() && rx.write_chain(*c, 0, h, hdr) &&
        rx.write_chain(*c, hdr, f.data(), f.size()))
      written = uint32_t(hdr + f.size());
    // A buffer too small for the frame: the frame is dropped, the buffer returned empty.
    rx.push(c->head, written);
    pushed = true;
    pending_.pop_front();
  }
  if (rx.state().broken) transport_->device_error(rx.error());
  if (pushed) transport_->notify_used(0);
}

uint32_t VirtioNet::transmit(const VirtqChain& chain, const Virtqueue& queue) {
  size_t hdr = header_len();
  uint64_t total = chain.readable_bytes();
  if (total < hdr || total - hdr > kMaxFrame) return 0;
  std::vector<uint8_t> f(total - hdr);
  if (!f.empty() && queue.read_chain(chain, hdr, f.data(), f.size())) backend_->send(f.data(), f.size());
  return 0;
}

}  // namespace mimic::hw
