// The host side of a virtual Ethernet link (QEMU's -netdev): a NIC model hands it the frames the
// guest sends and receives, through set_receiver, the frames for the guest. Every backend runs
// its own host thread (poll loop); send() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hw/core/device_options.h"

namespace mimic::hw {

class NetBackend {
 public:
  virtual ~NetBackend() = default;
  // A frame from the guest (without any virtio header). Never blocks for long: a backend that
  // cannot take it now drops it, as a congested wire would.
  virtual void send(const uint8_t* frame, size_t len) = 0;
  // Installed by the NIC before start(): called on the backend's thread for each frame.
  void set_receiver(std::function<void(const uint8_t*, size_t)> rx) { receiver_ = std::move(rx); }
  virtual void start() = 0;
  // Ends the backend's thread (before the NIC goes).
  virtual void stop() = 0;

 protected:
  void deliver(const uint8_t* frame, size_t len) {
    if (receiver_) receiver_(frame, len);
  }

 private:
  std::function<void(const uint8_t*, size_t)> receiver_;
};

// -netdev TYPE,id=...,... (user, socket, stream, dgram, tap). Throws MachineError naming the option.
std::unique_ptr<NetBackend> make_net_backend(const OptionList& netdev);

}  // namespace mimic::hw
