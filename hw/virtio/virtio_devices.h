// The virtio devices the command line asked for: -drive/-device/-global checked and turned into
// device models, in the order QEMU creates them (every -device first, then the if=virtio drives).
#pragma once

#include <memory>
#include <vector>

#include "hw/core/device_options.h"
#include "hw/virtio/virtio.h"

namespace mimic::hw {

struct VirtioDevicePlan {
  std::vector<std::unique_ptr<VirtioDevice>> devices;
  bool legacy = true;  // -global virtio-mmio.force-legacy= (QEMU's default: on)
};

// Throws MachineError with one line naming the option and the problem.
VirtioDevicePlan make_virtio_devices(const DeviceOptions& options);

}  // namespace mimic::hw
