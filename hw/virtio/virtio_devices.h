// The virtio devices the command line asked for: -drive/-device/-global checked and turned into
// device models, in the order QEMU creates them (every -device first, then the if=virtio drives).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hw/core/device_options.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_mmio.h"

namespace mimic::hw {

struct VirtioDevicePlan {
  std::vector<std::unique_ptr<VirtioDevice>> devices;
  bool legacy = true;  // -global virtio-mmio.force-legacy= (QEMU's default: on)
};

// Throws MachineError with one line naming the option and the problem.
VirtioDevicePlan make_virtio_devices(const DeviceOptions& options);

// A board's `count` virtio-mmio slots at base + i * stride, holding the devices `options` asks
// for as QEMU places them (riscv and arm virt alike): the first device in the highest slot.
// Slot i's interrupt goes to irq(i, level). Returned by slot (address order), already mapped.
// Throws MachineError when there are more devices than slots.
std::vector<std::unique_ptr<VirtioMmio>> make_virtio_mmio_slots(AddressSpace& memory, const DeviceOptions& options,
                                                                unsigned count, uint64_t base, uint64_t stride,
                                                                const std::function<void(unsigned, bool)>& irq,
                                                                tcg::Logger* log);

}  // namespace mimic::hw
