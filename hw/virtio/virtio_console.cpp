#include "hw/virtio/virtio_console.h"

#include <cstring>
#include <vector>

namespace mimic::hw {

VirtioConsole::VirtioConsole(std::unique_ptr<CharDev> chardev) : chardev_(std::move(chardev)) {
  tx_ = std::make_unique<QueueWorker>(transport_, 1,
                                      [this](const VirtqChain& c, const Virtqueue& q) { return transmit(c, q); });
  if (chardev_) chardev_->set_receiver([this](const uint8_t* d, size_t n) { return receive(d, n); });
}

void VirtioConsole::driver_ok() {
  driver_ok_ = true;
  // The chardev's thread starts with the first driver (it delivers through the transport); its
  // socket listens from the start, so a client may connect earlier.
  if (chardev_ && !started_) chardev_->start();
  started_ = true;
}

VirtioConsole::~VirtioConsole() { stop(); }

void VirtioConsole::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (chardev_ && started_) chardev_->stop();
  tx_->stop();
}

void VirtioConsole::read_config(uint64_t offset, void* buf, size_t len) {
  // struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr (none offered: zeros, 1 port).
  uint8_t c[12] = {};
  uint32_t ports = 1;
  memcpy(c + 4, &ports, 4);
  for (size_t i = 0; i < len; i++) static_cast<uint8_t*>(buf)[i] = offset + i < sizeof c ? c[offset + i] : 0;
}

void VirtioConsole::queue_notify(unsigned index) {
  if (index == 1)
    tx_->kick();
  else if (chardev_)
    chardev_->wake_reader();  // new receive buffers: bytes held back can go now
}

void VirtioConsole::reset() {
  tx_->reset();
  driver_ok_ = false;
}

size_t VirtioConsole::receive(const uint8_t* data, size_t len) {
  std::lock_guard lock(transport_->lock());
  if (!driver_ok_) return len;  // no driver yet: input is dropped, as on an unopened port
  Virtqueue& rx = transport_->queue(0);
  size_t done = 0;
  while (done < len) {
    std::optional<VirtqChain> c = rx.pop();
    if (!c) break;
    size_t n = std::min<uint64_t>(c->writable_bytes(), len - done);
    if (!rx.write_chain(*c, 0, data + done, n)) n = 0;
    rx.push(c->head, uint32_t(n));
    done += n;
  }
  if (rx.state().broken) transport_->device_error(rx.error());
  if (done) transport_->notify_used(0);
  return done;
}

uint32_t VirtioConsole::transmit(const VirtqChain& chain, const Virtqueue& queue) {
  std::vector<uint8_t> bytes(std::min<uint64_t>(chain.readable_bytes(), 1 << 20));
  if (chardev_ && !bytes.empty() && queue.read_chain(chain, 0, bytes.data(), bytes.size()))
    chardev_->write(bytes.data(), bytes.size());
  return 0;
}

}  // namespace mimic::hw
