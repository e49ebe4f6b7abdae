// virtio-mmio register file (virtio 1.x 4.2.2 modern, 4.2.4 legacy).
#include "hw/virtio/virtio_mmio.h"

#include <fmt/format.h>

#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
enum : uint64_t {
  kMagicValue = 0x000,
  kVersion = 0x004,
  kDeviceId = 0x008,
  kVendorId = 0x00c,
  kDeviceFeatures = 0x010,
  kDeviceFeaturesSel = 0x014,
  kDriverFeatures = 0x020,
  kDriverFeaturesSel = 0x024,
  kGuestPageSize = 0x028,  // legacy
  kQueueSel = 0x030,
  kQueueNumMax = 0x034,
  kQueueNum = 0x038,
  kQueueAlign = 0x03c,  // legacy
  kQueuePfn = 0x040,    // legacy
  kQueueReady = 0x044,
  kQueueNotify = 0x050,
  kInterruptStatus = 0x060,
  kInterruptAck = 0x064,
  kStatus = 0x070,
  kQueueDescLow = 0x080,
  kQueueDescHigh = 0x084,
  kQueueDriverLow = 0x090,
  kQueueDriverHigh = 0x094,
  kQueueDeviceLow = 0x0a0,
  kQueueDeviceHigh = 0x0a4,
  kShmSel = 0x0ac,
  kShmLenLow = 0x0b0,
  kShmLenHigh = 0x0b4,
  kShmBaseLow = 0x0b8,
  kShmBaseHigh = 0x0bc,
  kConfigGeneration = 0x0fc,
  kConfig = 0x100,
};

void set_low(uint64_t& v, uint32_t low) { v = (v & ~uint64_t(0xffffffff)) | low; }
void set_high(uint64_t& v, uint32_t high) { v = (v & 0xffffffff) | uint64_t(high) << 32; }
}  // namespace

VirtioMmio::VirtioMmio(std::string name, AddressSpace& memory, std::unique_ptr<VirtioDevice> device, bool legacy,
                       tcg::Logger* log)
    : name_(std::move(name)), memory_(memory), ram_(memory), device_(std::move(device)), legacy_(legacy), log_(log) {
  if (!device_) return;
  device_->attach(this);
  for (unsigned q = 0; q < device_->num_queues(); q++)
    queues_.push_back(std::make_unique<Virtqueue>(ram_, device_->queue_max_size(q)));
  s_.legacy_align.assign(queues_.size(), 4096);
  s_.legacy_pfn.assign(queues_.size(), 0);
}

VirtioMmio::~VirtioMmio() = default;

void VirtioMmio::stop() {
  if (device_) device_->stop();
}

void VirtioMmio::guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kGuestErrors | tcg::LogFlag::kUnimp)) return;
  log_->write(fmt::format("device {} ({}): {}\n", name_, device_ ? device_->type_name() : "empty", what));
}

uint64_t VirtioMmio::offered_features() const {
  uint64_t f = device_->device_features();
  if (!legacy_) f |= virtio::kFVersion1;
  return f;
}

Virtqueue* VirtioMmio::selected() {
  if (s_.queue_sel >= queues_.size()) return nullptr;
  return queues_[s_.queue_sel].get();
}

void VirtioMmio::reset() {
  if (device_) device_->reset();
  for (auto& q : queues_) q->reset();
  std::vector<uint32_t> align(queues_.size(), 4096), pfn(queues_.size(), 0);
  uint32_t generation = s_.config_generation;
  s_ = VirtioMmioState{};
  s_.legacy_align = std::move(align);
  s_.legacy_pfn = std::move(pfn);
  s_.config_generation = generation;
  update_irq();
}

void VirtioMmio::snapshot_state(StateIo& io) {
  io(s_.status), io(s_.interrupt_status), io(s_.device_features_sel), io(s_.driver_features_sel), io(s_.queue_sel);
  io(s_.driver_features), io(s_.guest_page_size), io(s_.legacy_align), io(s_.legacy_pfn), io(s_.config_generation);
  for (auto& q : queues_) {
    VirtqueueState& st = q->state();
    io(st.num), io(st.ready), io(st.desc), io(st.avail), io(st.used), io(st.last_avail), io(st.used_idx);
    io(st.signalled_used), io(st.signalled_valid), io(st.broken);
  }
  if (device_) device_->snapshot_state(io);
  if (!io.loading()) return;
  for (auto& q : queues_) q->set_event_idx(s_.driver_features & virtio::kFRingEventIdx);
  update_irq();
  if (device_ && (s_.status & virtio::kStatusDriverOk)) {
    device_->driver_ok();
    for (unsigned i = 0; i < queues_.size(); i++)
      if (queues_[i]->has_available()) device_->queue_notify(i);
  }
}

uint64_t VirtioMmio::read(uint64_t offset, unsigned size) {
  if (offset >= kConfig) {
    if (!device_) return 0;
    uint64_t v = 0;
    device_->read_config(offset - kConfig, &v, size);
    return v;
  }
  if (size != 4 || offset % 4 != 0) {
    guest_error(fmt::format("{}-byte read of register {:#x} (registers take 4-byte accesses)", size, offset));
    return 0;
  }
  switch (offset) {
    case kMagicValue: return kMagic;
    case kVersion: return legacy_ ? 1 : 2;
    case kDeviceId: return device_ ? device_->device_id() : 0;
    case kVendorId: return kVendor;
    default: break;
  }
  if (!device_) return 0;
  Virtqueue* q = selected();
  switch (offset) {
    case kDeviceFeatures:
      if (legacy_) return s_.device_features_sel == 0 ? uint32_t(offered_features()) : 0;
      return s_.device_features_sel == 0   ? uint32_t(offered_features())
             : s_.device_features_sel == 1 ? uint32_t(offered_features() >> 32)
                                           : 0;
    case kQueueNumMax: return q ? q->max_size() : 0;
    case kQueuePfn:
      if (!legacy_) break;
      return q ? s_.legacy_pfn[s_.queue_sel] : 0;
    case kQueueReady:
      if (legacy_) break;
      return q && q->state().ready;
    case kInterruptStatus: return s_.interrupt_status;
    case kStatus: return s_.status;
    case kConfigGeneration:
      if (legacy_) break;
      return s_.config_generation;
    case kShmLenLow:
    case kShmLenHigh: return 0xffffffff;  // no shared memory regions: length -1
    case kShmBaseLow:
    case kShmBaseHigh: return 0xffffffff;
    default: break;
  }
  guest_error(fmt::format("read of write-only or unknown register {:#x}", offset));
  return 0;
}

void VirtioMmio::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset >= kConfig) {
    if (device_) device_->write_config(offset - kConfig, &value, size);
    return;
  }
  if (size != 4 || offset % 4 != 0) {
    guest_error(fmt::format("{}-byte write of register {:#x} (registers take 4-byte accesses)", size, offset));
    return;
  }
  if (!device_) return;  // an empty slot drops writes, as QEMU's
  uint32_t v = uint32_t(value);
  Virtqueue* q = selected();
  // Queue registers are writable only while the queue is off (modern), as the spec says.
  auto queue_writable = [&] {
    if (!q) {
      guest_error(fmt::format("queue register {:#x} written with QueueSel {} (the device has {} queues)", offset,
                              s_.queue_sel, queues_.size()));
      return false;
    }
    if (!legacy_ && q->state().ready) {
      guest_error(fmt::format("queue {} register {:#x} written while the queue is ready", s_.queue_sel, offset));
      return false;
    }
    return true;
  };
  switch (offset) {
    case kDeviceFeaturesSel: s_.device_features_sel = v; return;
    case kDriverFeatures:
      if (s_.status & virtio::kStatusFeaturesOk) {
        guest_error("DriverFeatures written after FEATURES_OK");
        return;
      }
      if (s_.driver_features_sel == 0)
        set_low(s_.driver_features, v);
      else if (s_.driver_features_sel == 1 && !legacy_)
        set_high(s_.driver_features, v);
      return;
    case kDriverFeaturesSel: s_.driver_features_sel = v; return;
    case kGuestPageSize:
      if (!legacy_) break;
      s_.guest_page_size = v;
      return;
    case kQueueSel: s_.queue_sel = v; return;
    case kQueueNum:
      if (!queue_writable()) return;
      q->state().num = uint16_t(v);
      if (v > q->max_size() || v == 0 || (v & (v - 1)) != 0)
        guest_error(fmt::format("queue {} size {} (the maximum is {}, a power of 2)", s_.queue_sel, v, q->max_size()));
      return;
    case kQueueAlign:
      if (!legacy_) break;
      if (q) s_.legacy_align[s_.queue_sel] = v;
      return;
    case kQueuePfn:
      if (!legacy_) break;
      if (q) set_legacy_pfn(v);
      return;
    case kQueueReady:
      if (legacy_) break;
      if (!q) return;
      if (v & 1) {
        q->set_event_idx(s_.driver_features & virtio::kFRingEventIdx);
        q->state().ready = true;
        if (!q->validate_rings()) device_error(q->error());
      } else {
        q->state().ready = false;
      }
      return;
    case kQueueNotify:
      if (v < queues_.size() && queues_[v]->state().ready && (s_.status & virtio::kStatusDriverOk))
        device_->queue_notify(v);
      else if (v >= queues_.size())
        guest_error(fmt::format("notify of queue {} (the device has {})", v, queues_.size()));
      return;
    case kInterruptAck:
      s_.interrupt_status &= ~v;
      update_irq();
      return;
    case kStatus: write_status(v); return;
    case kQueueDescLow:
      if (!legacy_ && queue_writable()) set_low(q->state().desc, v);
      return;
    case kQueueDescHigh:
      if (!legacy_ && queue_writable()) set_high(q->state().desc, v);
      return;
    case kQueueDriverLow:
      if (!legacy_ && queue_writable()) set_low(q->state().avail, v);
      return;
    case kQueueDriverHigh:
      if (!legacy_ && queue_writable()) set_high(q->state().avail, v);
      return;
    case kQueueDeviceLow:
      if (!legacy_ && queue_writable()) set_low(q->state().used, v);
      return;
    case kQueueDeviceHigh:
      if (!legacy_ && queue_writable()) set_high(q->state().used, v);
      return;
    case kShmSel: return;
    default: break;
  }
  guest_error(fmt::format("write of read-only or unknown register {:#x} value {:#x}", offset, v));
}

void VirtioMmio::set_legacy_pfn(uint32_t pfn) {
  Virtqueue& q = *queues_[s_.queue_sel];
  s_.legacy_pfn[s_.queue_sel] = pfn;
  if (pfn == 0) {
    q.state().ready = false;
    return;
  }
  // Legacy layout (virtio 0.9.5 2.3): descriptors, then the available ring, then the used ring
  // at the next QueueAlign boundary; all from PFN * GuestPageSize.
  uint64_t page = s_.guest_page_size ? s_.guest_page_size : 4096;
  uint64_t align = s_.legacy_align[s_.queue_sel];
  if (align == 0 || (align & (align - 1)) != 0) {
    device_error(fmt::format("queue {} QueueAlign {:#x} is not a power of 2", s_.queue_sel, align));
    return;
  }
  VirtqueueState& st = q.state();
  uint64_t n = st.num;
  st.desc = uint64_t(pfn) * page;
  st.avail = st.desc + 16 * n;
  st.used = (st.avail + 6 + 2 * n + align - 1) & ~(align - 1);
  q.set_event_idx(s_.driver_features & virtio::kFRingEventIdx);
  st.ready = true;
  if (!q.validate_rings()) device_error(q.error());
}

void VirtioMmio::write_status(uint32_t v) {
  if (v == 0) {
    reset();
    return;
  }
  uint32_t added = v & ~s_.status;
  if ((added & virtio::kStatusFeaturesOk) && (s_.driver_features & ~offered_features())) {
    guest_error(fmt::format("driver accepted features {:#x} the device did not offer",
                            s_.driver_features & ~offered_features()));
    v &= ~virtio::kStatusFeaturesOk;  // the driver reads it back and gives up
  }
  if (!legacy_ && (added & virtio::kStatusFeaturesOk) && !(s_.driver_features & virtio::kFVersion1)) {
    guest_error("modern transport: driver did not accept VERSION_1");
    v &= ~virtio::kStatusFeaturesOk;
  }
  s_.status = v | (s_.status & virtio::kStatusNeedsReset);
  if (added & virtio::kStatusDriverOk) {
    for (auto& q : queues_) q->set_event_idx(s_.driver_features & virtio::kFRingEventIdx);
    device_->driver_ok();
    // Buffers made available before DRIVER_OK (their notify was ignored).
    for (unsigned i = 0; i < queues_.size(); i++)
      if (queues_[i]->has_available()) device_->queue_notify(i);
  }
}

void VirtioMmio::notify_used(unsigned index) {
  if (!queues_[index]->should_interrupt()) return;
  s_.interrupt_status |= kInterruptVring;
  update_irq();
}

void VirtioMmio::config_changed() {
  s_.config_generation++;
  if (!(s_.status & virtio::kStatusDriverOk)) return;
  s_.interrupt_status |= kInterruptConfig;
  update_irq();
}

void VirtioMmio::device_error(const std::string& why) {
  guest_error(why + ": device needs reset");
  if (s_.status & virtio::kStatusNeedsReset) return;
  s_.status |= virtio::kStatusNeedsReset;
  if (s_.status & virtio::kStatusDriverOk) {
    s_.interrupt_status |= kInterruptConfig;
    update_irq();
  }
}

}  // namespace mimic::hw
