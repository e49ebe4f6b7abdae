// The virtio devices the command line asked for: -drive/-device/-global checked and turned into
// device models, in the order QEMU creates them (every -device first, then the if=virtio drives).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/device_options.h"
#include "hw/core/snapshot.h"
#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_pci.h"

namespace mimic::hw {

class PcieHost;
class VirtioBlk;

// How a device is plugged: into a virtio-mmio slot (the -device name virtio-X-device), or onto
// PCI (virtio-X-pci, or QEMU's alias virtio-X).
struct VirtioDeviceTransport {
  bool pci = false;
  VirtioPciOptions pci_options;  // disable-legacy=, disable-modern=, vectors=
  int pci_slot = -1;             // addr=; -1: the first free slot
  std::string text;              // the option that asked for it, for messages
};

struct VirtioDevicePlan {
  std::vector<std::unique_ptr<VirtioDevice>> devices;
  std::vector<VirtioDeviceTransport> transports;  // by device
  bool legacy = true;                             // -global virtio-mmio.force-legacy= (QEMU's default: on)
};

// Throws MachineError with one line naming the option and the problem. `pci_default`: -drive
// if=virtio, -virtfs and -nic make PCI devices (QEMU's virtio-blk/virtio-9p/virtio-net aliases on
// a board with PCI: both virt boards).
VirtioDevicePlan make_virtio_devices(const DeviceOptions& options, bool pci_default = false);

// A board's virtio-pci functions, from the plan's PCI devices (moved out of it), each plugged
// into `host` at its addr= or the first free slot. Throws MachineError when a slot is taken.
std::vector<std::unique_ptr<VirtioPci>> make_virtio_pci_devices(AddressSpace& memory, VirtioDevicePlan& plan,
                                                                PcieHost& host, tcg::Logger* log);

// A board's `count` virtio-mmio slots at base + i * stride, holding the devices `options` asks
// for as QEMU places them (riscv and arm virt alike): the first device in the highest slot.
// Slot i's interrupt goes to irq(i, level). Returned by slot (address order), already mapped.
// Throws MachineError when there are more devices than slots.
// Refuses PCI devices (the board has no PCI bus).
std::vector<std::unique_ptr<VirtioMmio>> make_virtio_mmio_slots(AddressSpace& memory, const DeviceOptions& options,
                                                                unsigned count, uint64_t base, uint64_t stride,
                                                                const std::function<void(unsigned, bool)>& irq,
                                                                tcg::Logger* log);
// The same from a plan whose PCI devices went elsewhere (make_virtio_pci_devices first).
std::vector<std::unique_ptr<VirtioMmio>> make_virtio_mmio_slots(AddressSpace& memory, VirtioDevicePlan& plan,
                                                                unsigned count, uint64_t base, uint64_t stride,
                                                                const std::function<void(unsigned, bool)>& irq,
                                                                tcg::Logger* log);

// What both boards' snapshots need from their virtio functions (PCI first, then the mmio slots):
// a section each (the PCI host's state is the board's), the device list a loaded snapshot must
// match, the first reason not to save now (a mounted 9p export), the virtio-blk disks, and a wait
// until no request is in flight.
struct VirtioFunctions {
  std::vector<std::unique_ptr<VirtioPci>>& pci;
  std::vector<std::unique_ptr<VirtioMmio>>& mmio;

  void snapshot_sections(std::vector<SnapshotSection>& out) const;
  std::string snapshot_devices() const;
  std::string snapshot_blocker() const;
  std::vector<VirtioBlk*> disks() const;
  void drain() const;
};

// `-device help`: every device -device takes, grouped as qemu-system lists them.
std::string virtio_device_help();

}  // namespace mimic::hw
