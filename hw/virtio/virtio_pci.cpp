// virtio-pci register files: the modern common configuration (virtio 1.x 4.1.4.3), ISR (4.1.4.5),
// notifications (4.1.4.4, QEMU's notify_off_multiplier 4) and the legacy I/O layout (4.1.4.8).
#include "hw/virtio/virtio_pci.h"

#include <fmt/format.h>

#include <cstring>

#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
// virtio_pci_cap cfg_type values and where QEMU puts each structure in the modern BAR.
constexpr uint8_t kCapCommon = 1, kCapNotify = 2, kCapIsr = 3, kCapDevice = 4, kCapPciCfg = 5;
constexpr unsigned kModernBar = 4, kMsixBar = 1, kLegacyBar = 0;
constexpr uint64_t kCommonOff = 0x0000, kIsrOff = 0x1000, kDeviceOff = 0x2000, kNotifyOff = 0x3000,
                   kRegionSize = 0x1000;
constexpr uint32_t kNotifyMultiplier = 4;
// The capability offsets QEMU's pci_add_capability picks, in the order it adds them.
constexpr unsigned kCommonCap = 0x40, kIsrCap = 0x50, kDeviceCap = 0x60, kNotifyCap = 0x70, kPciCfgCap = 0x84,
                   kMsixCap = 0x98;
// Common configuration fields.
enum : uint64_t {
  kDeviceFeatureSelect = 0x00,
  kDeviceFeature = 0x04,
  kDriverFeatureSelect = 0x08,
  kDriverFeature = 0x0c,
  kMsixConfig = 0x10,
  kNumQueues = 0x12,
  kDeviceStatus = 0x14,
  kConfigGeneration = 0x15,
  kQueueSelect = 0x16,
  kQueueSize = 0x18,
  kQueueMsixVector = 0x1a,
  kQueueEnable = 0x1c,
  kQueueNotifyOff = 0x1e,
  kQueueDesc = 0x20,
  kQueueDriver = 0x28,
  kQueueDevice = 0x30,
  kCommonSize = 0x38,
};
// Legacy I/O registers.
enum : uint64_t {
  kLegacyHostFeatures = 0x00,
  kLegacyGuestFeatures = 0x04,
  kLegacyQueuePfn = 0x08,
  kLegacyQueueNum = 0x0c,
  kLegacyQueueSel = 0x0e,
  kLegacyQueueNotify = 0x10,
  kLegacyStatus = 0x12,
  kLegacyIsr = 0x13,
  kLegacyConfigVector = 0x14,
  kLegacyQueueVector = 0x16,
};
constexpr uint64_t kLegacyAlign = 4096;  // VIRTIO_PCI_VRING_ALIGN; PFNs in 4 KiB pages
constexpr uint8_t kIsrQueue = 1, kIsrConfig = 2;

// QEMU's PCI identities per device type: transitional device id and class code.
struct PciIdentity {
  uint32_t virtio_id;
  uint16_t transitional_id;
  uint32_t class_code;
};
constexpr PciIdentity kIdentities[] = {
    {virtio::kIdNet, 0x1000, 0x020000},      // ethernet
    {virtio::kIdBlock, 0x1001, 0x010000},    // SCSI storage, as QEMU
    {virtio::kIdConsole, 0x1003, 0x078000},  // other communication
    {virtio::kIdRng, 0x1005, 0x00ff00},      // PCI_CLASS_OTHERS as QEMU sets it (subclass ff)
    {virtio::kId9p, 0x1009, 0x000200},
};

uint64_t pow2ceil(uint64_t v) {
  uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

std::vector<uint8_t> virtio_cap(uint8_t len, uint8_t type, uint8_t bar, uint32_t offset, uint32_t length) {
  // cap_len, cfg_type, bar, id, padding[2], offset, length (after cap_vndr and cap_next).
  std::vector<uint8_t> b(len - 2);
  b[0] = len;
  b[1] = type;
  b[2] = bar;
  memcpy(&b[6], &offset, 4);
  memcpy(&b[10], &length, 4);
  return b;
}

void set_low(uint64_t& v, uint32_t low) { v = (v & ~uint64_t(0xffffffff)) | low; }
void set_high(uint64_t& v, uint32_t high) { v = (v & 0xffffffff) | uint64_t(high) << 32; }
}  // namespace

VirtioPci::VirtioPci(std::string name, AddressSpace& memory, std::unique_ptr<VirtioDevice> device,
                     const VirtioPciOptions& options, tcg::Logger* log)
    : PciDevice(name, log),
      name_(std::move(name)),
      memory_(memory),
      ram_(memory),
      device_(std::move(device)),
      options_(options) {
  device_->attach(this);
  for (unsigned q = 0; q < device_->num_queues(); q++)
    queues_.push_back(std::make_unique<Virtqueue>(ram_, device_->queue_max_size(q)));
  queue_vector_.assign(queues_.size(), kNoVector);
  legacy_pfn_.assign(queues_.size(), 0);
  for (auto& q : queues_) q->state().num = q->max_size();

  PciIdentity id{device_->device_id(), uint16_t(0x1000 + device_->device_id()), 0xff0000};
  for (const PciIdentity& k : kIdentities)
    if (k.virtio_id == device_->device_id()) id = k;
  if (options_.legacy)
    set_ids(0x1af4, id.transitional_id, 0, id.class_code, 0x1af4, uint16_t(id.virtio_id));
  else
    set_ids(0x1af4, uint16_t(0x1040 + id.virtio_id), 1, id.class_code, 0x1af4, 0x1100);

  vectors_ = options_.vectors < 0 ? unsigned(queues_.size() + 1) : unsigned(options_.vectors);
  if (options_.modern) {
    auto cap = [&](unsigned at, uint8_t type, uint64_t off, uint32_t len) {
      add_capability(at, pci::kCapIdVendor, virtio_cap(16, type, kModernBar, uint32_t(off), len));
    };
    cap(kCommonCap, kCapCommon, kCommonOff, kRegionSize);
    cap(kIsrCap, kCapIsr, kIsrOff, kRegionSize);
    cap(kDeviceCap, kCapDevice, kDeviceOff, kRegionSize);
    std::vector<uint8_t> notify = virtio_cap(20, kCapNotify, kModernBar, uint32_t(kNotifyOff), uint32_t(kRegionSize));
    memcpy(&notify[14], &kNotifyMultiplier, 4);
    add_capability(kNotifyCap, pci::kCapIdVendor, notify);
    // The PCI configuration access window: bar, offset, length and data are the driver's.
    add_capability(kPciCfgCap, pci::kCapIdVendor, virtio_cap(20, kCapPciCfg, 0, 0, 0), 4, 1);
    set_writable(kPciCfgCap + 8, 12);
    cfg_cap_ = kPciCfgCap;
    define_bar(kModernBar, PciBarType::Mem64, kModernBarSize, true);
  }
  if (vectors_) {
    // After the vendor capabilities, or first when there are none (QEMU's first free offset).
    init_msix(options_.modern ? kMsixCap : kCommonCap, kMsixBar, vectors_, kMsixBarSize / 2);
    define_bar(kMsixBar, PciBarType::Mem32, kMsixBarSize);
  }
  if (options_.legacy)
    define_bar(kLegacyBar, PciBarType::Io, pow2ceil((vectors_ ? 0x18 : 0x14) + device_->config_size()));
}

VirtioPci::~VirtioPci() = default;

uint64_t VirtioPci::offered_features() const {
  uint64_t f = device_->device_features();
  if (options_.modern) f |= virtio::kFVersion1;
  return f;
}

void VirtioPci::reset() {
  PciDevice::reset();
  reset_transport();
}

void VirtioPci::reset_transport() {
  device_->reset();
  // queue_size reads the maximum until the driver picks a smaller one (4.1.4.3.2).
  for (auto& q : queues_) {
    q->reset();
    q->state().num = q->max_size();
  }
  status_ = isr_ = 0;
  device_features_sel_ = driver_features_sel_ = 0;
  queue_sel_ = 0;
  config_vector_ = kNoVector;
  driver_features_ = 0;
  std::fill(queue_vector_.begin(), queue_vector_.end(), kNoVector);
  std::fill(legacy_pfn_.begin(), legacy_pfn_.end(), 0);
  set_intx(false);
}

void VirtioPci::interrupt(uint8_t isr_bit, uint16_t vector) {
  isr_ |= isr_bit;
  if (msix_enabled()) {
    if (vector != kNoVector) msix_notify(vector);
  } else {
    set_intx(true);
  }
}

uint8_t VirtioPci::read_isr() {
  uint8_t v = isr_;
  isr_ = 0;
  set_intx(false);
  return v;
}

void VirtioPci::notify_used(unsigned index) {
  if (!queues_[index]->should_interrupt()) return;
  interrupt(kIsrQueue, queue_vector_[index]);
}

void VirtioPci::config_changed() {
  config_generation_++;
  if (status_ & virtio::kStatusDriverOk) interrupt(kIsrConfig, config_vector_);
}

void VirtioPci::device_error(const std::string& why) {
  guest_error(why + ": device needs reset");
  if (status_ & virtio::kStatusNeedsReset) return;
  status_ |= virtio::kStatusNeedsReset;
  if (status_ & virtio::kStatusDriverOk) interrupt(kIsrConfig, config_vector_);
}

void VirtioPci::write_status(uint8_t v) {
  if (v == 0) {
    reset_transport();
    return;
  }
  uint8_t added = v & ~status_;
  if ((added & virtio::kStatusFeaturesOk) && (driver_features_ & ~offered_features())) {
    guest_error(
        fmt::format("driver accepted features {:#x} the device did not offer", driver_features_ & ~offered_features()));
    v &= ~virtio::kStatusFeaturesOk;
  }
  status_ = uint8_t(v | (status_ & virtio::kStatusNeedsReset));
  if (added & virtio::kStatusDriverOk) {
    for (auto& q : queues_) q->set_event_idx(driver_features_ & virtio::kFRingEventIdx);
    device_->driver_ok();
    for (unsigned i = 0; i < queues_.size(); i++)
      if (queues_[i]->state().ready && queues_[i]->has_available()) device_->queue_notify(i);
  }
}

void VirtioPci::notify(unsigned q) {
  if (q >= queues_.size()) {
    guest_error(fmt::format("notify of queue {} (the device has {})", q, queues_.size()));
    return;
  }
  if (queues_[q]->state().ready && (status_ & virtio::kStatusDriverOk)) device_->queue_notify(q);
}

void VirtioPci::queue_enable(unsigned q) {
  Virtqueue& vq = *queues_[q];
  vq.set_event_idx(driver_features_ & virtio::kFRingEventIdx);
  vq.state().ready = true;
  if (!vq.validate_rings()) device_error(vq.error());
}

uint64_t VirtioPci::bar_read(unsigned index, uint64_t offset, unsigned size) {
  if (index == kLegacyBar && options_.legacy) return legacy_read(offset, size);
  if (index != kModernBar || !options_.modern) return 0;
  if (offset < kIsrOff) return common_read(offset - kCommonOff, size);
  if (offset < kDeviceOff) return offset == kIsrOff ? read_isr() : 0;
  if (offset < kNotifyOff) {
    uint64_t v = 0;
    device_->read_config(offset - kDeviceOff, &v, size);
    return v;
  }
  return 0;  // notify: write-only
}

void VirtioPci::bar_write(unsigned index, uint64_t offset, uint64_t value, unsigned size) {
  if (index == kLegacyBar && options_.legacy) return legacy_write(offset, value, size);
  if (index != kModernBar || !options_.modern) return;
  if (offset < kIsrOff) return common_write(offset - kCommonOff, value, size);
  if (offset < kDeviceOff) return;  // ISR is read-only
  if (offset < kNotifyOff) return device_->write_config(offset - kDeviceOff, &value, size);
  notify(unsigned((offset - kNotifyOff) / kNotifyMultiplier));
}

uint64_t VirtioPci::common_read(uint64_t offset, unsigned size) {
  Virtqueue* q = queue_sel_ < queues_.size() ? queues_[queue_sel_].get() : nullptr;
  uint64_t v = 0;
  switch (offset) {
    case kDeviceFeatureSelect: v = device_features_sel_; break;
    case kDeviceFeature:
      v = device_features_sel_ == 0   ? uint32_t(offered_features())
          : device_features_sel_ == 1 ? uint32_t(offered_features() >> 32)
                                      : 0;
      break;
    case kDriverFeatureSelect: v = driver_features_sel_; break;
    case kDriverFeature:
      v = driver_features_sel_ == 0   ? uint32_t(driver_features_)
          : driver_features_sel_ == 1 ? uint32_t(driver_features_ >> 32)
                                      : 0;
      break;
    case kMsixConfig: v = config_vector_; break;
    case kNumQueues: v = queues_.size(); break;
    case kDeviceStatus: v = status_; break;
    case kConfigGeneration: v = config_generation_; break;
    case kQueueSelect: v = queue_sel_; break;
    case kQueueSize: v = q ? q->state().num : 0; break;
    case kQueueMsixVector: v = q ? queue_vector_[queue_sel_] : kNoVector; break;
    case kQueueEnable: v = q && q->state().ready; break;
    case kQueueNotifyOff: v = queue_sel_; break;
    case kQueueDesc: v = q ? q->state().desc : 0; break;
    case kQueueDesc + 4: v = q ? q->state().desc >> 32 : 0; break;
    case kQueueDriver: v = q ? q->state().avail : 0; break;
    case kQueueDriver + 4: v = q ? q->state().avail >> 32 : 0; break;
    case kQueueDevice: v = q ? q->state().used : 0; break;
    case kQueueDevice + 4: v = q ? q->state().used >> 32 : 0; break;
    default:
      if (offset >= kCommonSize) return 0;
      guest_error(fmt::format("{}-byte read at common configuration offset {:#x}", size, offset));
      return 0;
  }
  return size >= 8 ? v : v & ((uint64_t(1) << (8 * size)) - 1);
}

void VirtioPci::common_write(uint64_t offset, uint64_t value, unsigned size) {
  Virtqueue* q = queue_sel_ < queues_.size() ? queues_[queue_sel_].get() : nullptr;
  uint32_t v = uint32_t(value);
  auto need_queue = [&] {
    if (!q) guest_error(fmt::format("queue field {:#x} written with queue_select {}", offset, queue_sel_));
    return q != nullptr;
  };
  switch (offset) {
    case kDeviceFeatureSelect: device_features_sel_ = v; return;
    case kDriverFeatureSelect: driver_features_sel_ = v; return;
    case kDriverFeature:
      if (status_ & virtio::kStatusFeaturesOk) {
        guest_error("driver_feature written after FEATURES_OK");
        return;
      }
      if (driver_features_sel_ == 0) set_low(driver_features_, v);
      if (driver_features_sel_ == 1) set_high(driver_features_, v);
      return;
    case kMsixConfig: config_vector_ = checked_vector(uint16_t(v)); return;
    case kDeviceStatus: write_status(uint8_t(v)); return;
    case kQueueSelect: queue_sel_ = uint16_t(v); return;
    case kQueueSize:
      if (!need_queue()) return;
      if (v > q->max_size() || v == 0 || (v & (v - 1)) != 0)
        guest_error(fmt::format("queue {} size {} (the maximum is {}, a power of 2)", queue_sel_, v, q->max_size()));
      q->state().num = uint16_t(v);
      return;
    case kQueueMsixVector:
      if (need_queue()) queue_vector_[queue_sel_] = checked_vector(uint16_t(v));
      return;
    case kQueueEnable:
      if (!need_queue()) return;
      if (v & 1) queue_enable(queue_sel_);
      return;
    case kQueueDesc:
    case kQueueDesc + 4:
    case kQueueDriver:
    case kQueueDriver + 4:
    case kQueueDevice:
    case kQueueDevice + 4: {
      if (!need_queue()) return;
      uint64_t& field = offset < kQueueDriver   ? q->state().desc
                        : offset < kQueueDevice ? q->state().avail
                                                : q->state().used;
      if (size == 8)
        field = value;
      else if (offset % 8 == 0)
        set_low(field, v);
      else
        set_high(field, v);
      return;
    }
    default: break;
  }
  guest_error(fmt::format("write of read-only or unknown common configuration field {:#x} value {:#x}", offset, v));
}

uint64_t VirtioPci::legacy_read(uint64_t offset, unsigned size) {
  unsigned config = legacy_config_offset();
  if (offset >= config) {
    uint64_t v = 0;
    device_->read_config(offset - config, &v, size);
    return v;
  }
  switch (offset) {
    case kLegacyHostFeatures: return uint32_t(offered_features());
    case kLegacyGuestFeatures: return uint32_t(driver_features_);
    case kLegacyQueuePfn: return queue_sel_ < queues_.size() ? legacy_pfn_[queue_sel_] : 0;
    case kLegacyQueueNum: return queue_sel_ < queues_.size() ? queues_[queue_sel_]->max_size() : 0;
    case kLegacyQueueSel: return queue_sel_;
    case kLegacyStatus: return status_;
    case kLegacyIsr: return read_isr();
    case kLegacyConfigVector: return config_vector_;
    case kLegacyQueueVector: return queue_sel_ < queues_.size() ? queue_vector_[queue_sel_] : kNoVector;
    default: return 0;
  }
}

void VirtioPci::legacy_write(uint64_t offset, uint64_t value, unsigned size) {
  unsigned config = legacy_config_offset();
  if (offset >= config) return device_->write_config(offset - config, &value, size);
  uint32_t v = uint32_t(value);
  switch (offset) {
    case kLegacyGuestFeatures: driver_features_ = v & offered_features(); return;
    case kLegacyQueuePfn: {
      if (queue_sel_ >= queues_.size()) return;
      Virtqueue& q = *queues_[queue_sel_];
      legacy_pfn_[queue_sel_] = v;
      if (v == 0) {
        reset_transport();  // QEMU's legacy: PFN 0 resets the device
        return;
      }
      // Legacy layout (virtio 0.9.5 2.3) at PFN * 4096, the used ring 4096-aligned, max size.
      VirtqueueState& st = q.state();
      st.num = q.max_size();
      st.desc = uint64_t(v) * kLegacyAlign;
      st.avail = st.desc + 16 * uint64_t(st.num);
      st.used = (st.avail + 6 + 2 * uint64_t(st.num) + kLegacyAlign - 1) & ~(kLegacyAlign - 1);
      queue_enable(queue_sel_);
      return;
    }
    case kLegacyQueueSel: queue_sel_ = uint16_t(v); return;
    case kLegacyQueueNotify: notify(v & 0xffff); return;
    case kLegacyStatus: write_status(uint8_t(v)); return;
    case kLegacyConfigVector: config_vector_ = checked_vector(uint16_t(v)); return;
    case kLegacyQueueVector:
      if (queue_sel_ < queues_.size()) queue_vector_[queue_sel_] = checked_vector(uint16_t(v));
      return;
    default: break;
  }
  guest_error(fmt::format("legacy: write of read-only or unknown register {:#x} value {:#x}", offset, v));
}

// VIRTIO_PCI_CAP_PCI_CFG: the driver names bar, offset and length, then reads or writes
// pci_cfg_data, which is that BAR's register at that offset.
void VirtioPci::capability_written(unsigned reg) {
  if (!cfg_cap_ || reg + 4 <= cfg_cap_ + 16 || reg >= cfg_cap_ + 20) return;
  uint8_t* c = config() + cfg_cap_;
  uint32_t offset, length, data;
  memcpy(&offset, c + 8, 4);
  memcpy(&length, c + 12, 4);
  memcpy(&data, c + 16, 4);
  if (c[4] == kModernBar && (length == 1 || length == 2 || length == 4) && offset % length == 0)
    bar_write(kModernBar, offset, data, length);
}

void VirtioPci::before_config_read(unsigned reg, unsigned size) {
  if (!cfg_cap_ || reg + size <= cfg_cap_ + 16 || reg >= cfg_cap_ + 20) return;
  uint8_t* c = config() + cfg_cap_;
  uint32_t offset, length;
  memcpy(&offset, c + 8, 4);
  memcpy(&length, c + 12, 4);
  uint32_t data = 0;
  if (c[4] == kModernBar && (length == 1 || length == 2 || length == 4) && offset % length == 0)
    data = uint32_t(bar_read(kModernBar, offset, length));
  memcpy(c + 16, &data, 4);
}

void VirtioPci::snapshot_state(StateIo& io) {
  PciDevice::snapshot_state(io);
  io(status_), io(isr_), io(config_generation_), io(device_features_sel_), io(driver_features_sel_), io(queue_sel_);
  io(config_vector_), io(driver_features_), io(queue_vector_), io(legacy_pfn_);
  for (auto& q : queues_) {
    VirtqueueState& st = q->state();
    io(st.num), io(st.ready), io(st.desc), io(st.avail), io(st.used), io(st.last_avail), io(st.used_idx);
    io(st.signalled_used), io(st.signalled_valid), io(st.broken);
  }
  device_->snapshot_state(io);
  if (!io.loading()) return;
  if (queue_sel_ >= queues_.size()) queue_sel_ = 0;
  for (auto& q : queues_) q->set_event_idx(driver_features_ & virtio::kFRingEventIdx);
  if (status_ & virtio::kStatusDriverOk) {
    device_->driver_ok();
    for (unsigned i = 0; i < queues_.size(); i++)
      if (queues_[i]->has_available()) device_->queue_notify(i);
  }
}

}  // namespace mimic::hw
