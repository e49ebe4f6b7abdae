// Split virtqueues (virtio 1.x section 2.7): descriptor table, available and used rings in guest
// RAM, with indirect descriptors and VIRTIO_RING_F_EVENT_IDX. Every address and length the guest
// hands over is checked against the machine's RAM before it is touched: a bad one marks the queue
// broken (the transport then sets DEVICE_NEEDS_RESET) and never reaches mimic's own memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/core/memory.h"

namespace mimic::hw {

// Guest RAM as devices see it: only RAM regions are reachable (a descriptor pointing at ROM, MMIO
// or nothing is refused), and writes go through the address space so that translated code on the
// written pages is dropped (AddressSpace's RAM write hook).
class GuestRam {
 public:
  explicit GuestRam(AddressSpace& memory) : memory_(memory) {}
  bool is_ram(uint64_t phys, uint64_t len) const;
  bool read(uint64_t phys, void* buf, size_t len) const;
  bool write(uint64_t phys, const void* buf, size_t len) const;

 private:
  AddressSpace& memory_;
};

// One buffer of a descriptor chain.
struct VirtqBuffer {
  uint64_t addr;
  uint32_t len;
  bool device_writes;  // VIRTQ_DESC_F_WRITE
};

// A chain popped from the available ring: readable buffers first, then writable ones.
struct VirtqChain {
  uint16_t head = 0;
  std::vector<VirtqBuffer> buffers;
  uint64_t readable_bytes() const;
  uint64_t writable_bytes() const;
};

// Everything a queue is, as plain data (what a snapshot will save).
struct VirtqueueState {
  uint16_t num = 0;  // size the driver chose (QueueNum); a power of 2 not above max
  bool ready = false;
  uint64_t desc = 0, avail = 0, used = 0;
  uint16_t last_avail = 0;  // next available-ring entry the device takes
  uint16_t used_idx = 0;    // the used ring's idx as the device last wrote it
  uint16_t signalled_used = 0;
  bool signalled_valid = false;  // false until the first interrupt decision (event idx)
  bool broken = false;
};

class Virtqueue {
 public:
  static constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
  static constexpr uint16_t kAvailNoInterrupt = 1, kUsedNoNotify = 1;

  Virtqueue(GuestRam& ram, uint16_t max_size) : ram_(ram), max_size_(max_size) {}
  uint16_t max_size() const { return max_size_; }
  VirtqueueState& state() { return s_; }
  const VirtqueueState& state() const { return s_; }
  void reset() { s_ = VirtqueueState{}; }
  // The driver's negotiated VIRTIO_RING_F_EVENT_IDX.
  void set_event_idx(bool on) { event_idx_ = on; }

  // Checks that the three rings of `num` entries lie in RAM; false (and broken) when not.
  bool validate_rings();
  // The next available chain, or nothing (ring empty, queue not ready, or broken: see error()).
  std::optional<VirtqChain> pop();
  // Returns a chain to the driver with `written` bytes written into its writable buffers.
  void push(uint16_t head, uint32_t written);
  // After pushes: whether the driver wants an interrupt now (event idx or NO_INTERRUPT).
  bool should_interrupt();
  // Chains the driver has made available that the device has not taken.
  bool has_available();
  const std::string& error() const { return error_; }

  // Reads `len` bytes at `offset` in the chain's readable part / writes into its writable part;
  // false when the chain is too short or a buffer is not RAM.
  bool read_chain(const VirtqChain& c, uint64_t offset, void* buf, size_t len) const;
  bool write_chain(const VirtqChain& c, uint64_t offset, const void* buf, size_t len) const;

 private:
  bool fail(std::string why);
  bool load16(uint64_t addr, uint16_t& v);
  bool add_desc(VirtqChain& c, uint64_t addr, uint32_t len, uint16_t flags, bool& seen_write);

  GuestRam& ram_;
  uint16_t max_size_;
  bool event_idx_ = false;
  VirtqueueState s_;
  std::string error_;
};

}  // namespace mimic::hw
