// Split virtqueue processing (see virtqueue.h). Ring layout, virtio 1.x 2.7:
//   descriptor: u64 addr, u32 len, u16 flags, u16 next   (16 bytes)
//   available:  u16 flags, u16 idx, u16 ring[num], u16 used_event
//   used:       u16 flags, u16 idx, {u32 id, u32 len} ring[num], u16 avail_event
#include "hw/virtio/virtqueue.h"

#include <fmt/format.h>

#include <atomic>
#include <cstring>

namespace mimic::hw {

bool GuestRam::is_ram(uint64_t phys, uint64_t len) const {
  if (len == 0) return true;
  if (phys + len < phys) return false;
  uint64_t first_off, last_off;
  const MemoryRegion* first = memory_.find(phys, &first_off);
  const MemoryRegion* last = memory_.find(phys + len - 1, &last_off);
  return first && first == last && first->kind == RegionKind::Ram && last_off - first_off == len - 1;
}

bool GuestRam::read(uint64_t phys, void* buf, size_t len) const {
  return is_ram(phys, len) && memory_.read(phys, buf, len);
}

bool GuestRam::write(uint64_t phys, const void* buf, size_t len) const {
  return is_ram(phys, len) && memory_.write(phys, buf, len);
}

uint64_t VirtqChain::readable_bytes() const {
  uint64_t n = 0;
  for (const VirtqBuffer& b : buffers)
    if (!b.device_writes) n += b.len;
  return n;
}

uint64_t VirtqChain::writable_bytes() const {
  uint64_t n = 0;
  for (const VirtqBuffer& b : buffers)
    if (b.device_writes) n += b.len;
  return n;
}

bool Virtqueue::fail(std::string why) {
  if (!s_.broken) error_ = std::move(why);
  s_.broken = true;
  return false;
}

bool Virtqueue::load16(uint64_t addr, uint16_t& v) {
  if (!ram_.read(addr, &v, 2)) return fail(fmt::format("ring field at {:#x} is not in RAM", addr));
  return true;
}

bool Virtqueue::validate_rings() {
  uint64_t n = s_.num;
  if (n == 0 || n > max_size_ || (n & (n - 1)) != 0) return fail(fmt::format("queue size {} is not valid", n));
  if (!ram_.is_ram(s_.desc, 16 * n)) return fail(fmt::format("descriptor table at {:#x} is not in RAM", s_.desc));
  if (!ram_.is_ram(s_.avail, 6 + 2 * n)) return fail(fmt::format("available ring at {:#x} is not in RAM", s_.avail));
  if (!ram_.is_ram(s_.used, 6 + 8 * n)) return fail(fmt::format("used ring at {:#x} is not in RAM", s_.used));
  return true;
}

bool Virtqueue::has_available() {
  uint16_t idx;
  if (!s_.ready || s_.broken || !load16(s_.avail + 2, idx)) return false;
  return idx != s_.last_avail;
}

bool Virtqueue::add_desc(VirtqChain& c, uint64_t addr, uint32_t len, uint16_t flags, bool& seen_write) {
  bool w = flags & kDescWrite;
  if (!w && seen_write) return fail("a readable descriptor follows a writable one");
  seen_write |= w;
  if (!ram_.is_ram(addr, len)) return fail(fmt::format("buffer {:#x}+{:#x} is not in RAM", addr, len));
  c.buffers.push_back({addr, len, w});
  return true;
}

std::optional<VirtqChain> Virtqueue::pop() {
  if (!s_.ready || s_.broken) return std::nullopt;
  uint16_t avail_idx;
  if (!load16(s_.avail + 2, avail_idx)) return std::nullopt;
  if (avail_idx == s_.last_avail) return std::nullopt;
  if (uint16_t(avail_idx - s_.last_avail) > s_.num) {
    fail(fmt::format("available index {} is {} entries ahead of the device", avail_idx,
                     uint16_t(avail_idx - s_.last_avail)));
    return std::nullopt;
  }
  // The ring entry and descriptors were written before idx: read them after it.
  std::atomic_thread_fence(std::memory_order_acquire);
  uint16_t head;
  if (!load16(s_.avail + 4 + 2 * (s_.last_avail % s_.num), head)) return std::nullopt;
  if (head >= s_.num) {
    fail(fmt::format("available ring names descriptor {} of {}", head, s_.num));
    return std::nullopt;
  }
  VirtqChain c;
  c.head = head;
  bool seen_write = false;
  uint16_t i = head;
  for (unsigned steps = 0;; steps++) {
    if (steps >= s_.num) {
      fail("descriptor chain loops");
      return std::nullopt;
    }
    uint8_t d[16];
    if (!ram_.read(s_.desc + 16 * uint64_t(i), d, 16)) {
      fail("descriptor table left RAM");
      return std::nullopt;
    }
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
    memcpy(&addr, d, 8);
    memcpy(&len, d + 8, 4);
    memcpy(&flags, d + 12, 2);
    memcpy(&next, d + 14, 2);
    if (flags & kDescIndirect) {
      if (flags & kDescNext) {
        fail("an indirect descriptor has NEXT set");
        return std::nullopt;
      }
      if (len == 0 || len % 16 != 0 || len / 16 > 0x10000 || !ram_.is_ram(addr, len)) {
        fail(fmt::format("indirect table {:#x}+{:#x} is not valid", addr, len));
        return std::nullopt;
      }
      std::vector<uint8_t> table(len);
      ram_.read(addr, table.data(), len);
      unsigned n = len / 16;
      unsigned j = 0;
      for (unsigned k = 0;; k++) {
        if (k >= n) {
          fail("indirect descriptor chain loops");
          return std::nullopt;
        }
        const uint8_t* e = table.data() + 16 * j;
        uint64_t ea;
        uint32_t el;
        uint16_t ef, en;
        memcpy(&ea, e, 8);
        memcpy(&el, e + 8, 4);
        memcpy(&ef, e + 12, 2);
        memcpy(&en, e + 14, 2);
        if (ef & kDescIndirect) {
          fail("an indirect table holds an indirect descriptor");
          return std::nullopt;
        }
        if (!add_desc(c, ea, el, ef, seen_write)) return std::nullopt;
        if (!(ef & kDescNext)) break;
        if (en >= n) {
          fail(fmt::format("indirect descriptor {} names next {} of {}", j, en, n));
          return std::nullopt;
        }
        j = en;
      }
      break;  // an indirect descriptor ends the chain
    }
    if (!add_desc(c, addr, len, flags, seen_write)) return std::nullopt;
    if (!(flags & kDescNext)) break;
    if (next >= s_.num) {
      fail(fmt::format("descriptor {} names next {} of {}", i, next, s_.num));
      return std::nullopt;
    }
    i = next;
  }
  s_.last_avail++;
  // Event idx: tell the driver to kick when it makes the entry after this one available.
  if (event_idx_) ram_.write(s_.used + 4 + 8 * uint64_t(s_.num), &s_.last_avail, 2);
  return c;
}

void Virtqueue::push(uint16_t head, uint32_t written) {
  if (s_.broken) return;
  uint32_t elem[2] = {head, written};
  if (!ram_.write(s_.used + 4 + 8 * uint64_t(s_.used_idx % s_.num), elem, 8)) {
    fail("used ring left RAM");
    return;
  }
  // The element is visible before the index that publishes it.
  std::atomic_thread_fence(std::memory_order_release);
  s_.used_idx++;
  ram_.write(s_.used + 2, &s_.used_idx, 2);
}

bool Virtqueue::should_interrupt() {
  // The used index store is visible before the driver's flags/used_event are read.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  uint16_t old = s_.signalled_used, now = s_.used_idx;
  bool valid = s_.signalled_valid;
  s_.signalled_used = now;
  s_.signalled_valid = true;
  if (!event_idx_) {
    uint16_t flags;
    if (!load16(s_.avail, flags)) return false;
    return !(flags & kAvailNoInterrupt);
  }
  uint16_t used_event;
  if (!load16(s_.avail + 4 + 2 * uint64_t(s_.num), used_event)) return false;
  if (!valid) return true;
  // vring_need_event: the driver asked for an interrupt once used idx passes used_event.
  return uint16_t(now - used_event - 1) < uint16_t(now - old);
}

bool Virtqueue::read_chain(const VirtqChain& c, uint64_t offset, void* buf, size_t len) const {
  auto* out = static_cast<uint8_t*>(buf);
  for (const VirtqBuffer& b : c.buffers) {
    if (b.device_writes || len == 0) break;
    if (offset >= b.len) {
      offset -= b.len;
      continue;
    }
    size_t n = std::min<uint64_t>(len, b.len - offset);
    if (!ram_.read(b.addr + offset, out, n)) return false;
    out += n;
    len -= n;
    offset = 0;
  }
  return len == 0;
}

bool Virtqueue::write_chain(const VirtqChain& c, uint64_t offset, const void* buf, size_t len) const {
  auto* in = static_cast<const uint8_t*>(buf);
  for (const VirtqBuffer& b : c.buffers) {
    if (!b.device_writes) continue;
    if (len == 0) break;
    if (offset >= b.len) {
      offset -= b.len;
      continue;
    }
    size_t n = std::min<uint64_t>(len, b.len - offset);
    if (!ram_.write(b.addr + offset, in, n)) return false;
    in += n;
    len -= n;
    offset = 0;
  }
  return len == 0;
}

}  // namespace mimic::hw
