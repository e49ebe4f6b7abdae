// Character devices for device models other than the board's console (QEMU's -chardev): a byte
// stream to and from a host socket or file, with its own poll thread. virtconsole uses them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "hw/core/device_options.h"

namespace mimic::hw {

class CharDev {
 public:
  virtual ~CharDev() = default;
  // Bytes from the device to the host side; dropped while nothing is connected.
  virtual void write(const uint8_t* data, size_t len) = 0;
  // Called on the chardev's thread with bytes from the host side; returns how many it took (the
  // rest is offered again when `wake_reader` is called).
  void set_receiver(std::function<size_t(const uint8_t*, size_t)> rx) { receiver_ = std::move(rx); }
  virtual void start() = 0;
  virtual void stop() = 0;
  // The device has room again for bytes it refused.
  virtual void wake_reader() = 0;

 protected:
  std::function<size_t(const uint8_t*, size_t)> receiver_;
};

// -chardev socket,id=,path=|host=,port=,server=on,wait=off | file,id=,path= | null,id=.
// Throws MachineError naming the option.
std::unique_ptr<CharDev> make_chardev(const OptionList& chardev);

}  // namespace mimic::hw
