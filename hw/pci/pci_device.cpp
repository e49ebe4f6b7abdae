// The type-0 header as QEMU's pci.c sets its masks (pci_init_wmask, pci_init_w1cmask), BAR
// sizing through the writable address bits, and MSI-X (PCI 3.0 6.8.2) as QEMU's msix.c.
#include "hw/pci/pci_device.h"

#include <fmt/format.h>

#include <cstring>

#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
constexpr unsigned kCacheLine = 0x0c, kLatency = 0x0d;
constexpr uint16_t kCommandWritable = pci::kCommandIo | pci::kCommandMemory | pci::kCommandBusMaster |
                                      0x0040 /* parity */ | 0x0100 /* SERR */ | pci::kCommandIntxDisable;
constexpr uint16_t kStatusW1c = 0xf900;  // parity and abort error bits
// MSI-X capability layout and table entry fields.
constexpr unsigned kMsixControl = 2, kMsixTable = 4, kMsixPba = 8, kMsixCapLen = 12, kMsixEntrySize = 16;
constexpr uint16_t kMsixEnable = 0x8000, kMsixFunctionMask = 0x4000;
constexpr unsigned kMsixEntryData = 8, kMsixEntryControl = 12;
constexpr uint32_t kMsixEntryMasked = 1;

uint16_t get16(const uint8_t* p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}
uint32_t get32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
void put16(uint8_t* p, uint16_t v) { memcpy(p, &v, 2); }
void put32(uint8_t* p, uint32_t v) { memcpy(p, &v, 4); }
}  // namespace

PciDevice::PciDevice(std::string name, tcg::Logger* log) : log_(log), name_(std::move(name)) {
  put16(&wmask_[pci::kCommand], kCommandWritable);
  put16(&w1cmask_[pci::kStatus], kStatusW1c);
  wmask_[kCacheLine] = 0xff;
  wmask_[kLatency] = 0xff;
  wmask_[pci::kInterruptLine] = 0xff;
  config_[pci::kInterruptPin] = 1;  // INTA
}

void PciDevice::guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kGuestErrors)) return;
  log_->write(fmt::format("pci {} ({:02x}.{}): {}\n", name_, devfn_ >> 3, devfn_ & 7, what));
}

void PciDevice::set_ids(uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code, uint16_t subsys_vendor,
                        uint16_t subsys) {
  put16(&config_[pci::kVendorId], vendor);
  put16(&config_[pci::kDeviceId], device);
  config_[pci::kRevision] = revision;
  config_[pci::kClassProg] = uint8_t(class_code);
  config_[pci::kClassProg + 1] = uint8_t(class_code >> 8);
  config_[pci::kClassProg + 2] = uint8_t(class_code >> 16);
  put16(&config_[pci::kSubsystemVendorId], subsys_vendor);
  put16(&config_[pci::kSubsystemId], subsys);
  reset_config_ = config_;
}

void PciDevice::define_bar(unsigned index, PciBarType type, uint64_t size, bool prefetchable) {
  bars_[index] = {type, size, prefetchable};
  unsigned reg = pci::kBar0 + 4 * index;
  uint64_t mask = ~(size - 1);
  uint32_t flags = type == PciBarType::Io ? 1 : type == PciBarType::Mem64 ? 4 : 0;
  if (prefetchable) flags |= 8;
  put32(&config_[reg], flags);
  put32(&wmask_[reg], uint32_t(mask) & (type == PciBarType::Io ? ~3u : ~15u));
  if (type == PciBarType::Mem64) put32(&wmask_[reg + 4], uint32_t(mask >> 32));
  reset_config_ = config_;
}

unsigned PciDevice::add_capability(unsigned offset, uint8_t id, const std::vector<uint8_t>& body,
                                   unsigned writable_from, unsigned writable_len) {
  config_[offset] = id;
  config_[offset + 1] = uint8_t(next_cap_);
  memcpy(&config_[offset + 2], body.data(), body.size());
  for (unsigned i = 0; i < writable_len; i++) wmask_[offset + writable_from + i] = 0xff;
  next_cap_ = offset;
  config_[pci::kCapabilityList] = uint8_t(offset);
  put16(&config_[pci::kStatus], get16(&config_[pci::kStatus]) | pci::kStatusCapList);
  reset_config_ = config_;
  return offset;
}

void PciDevice::init_msix(unsigned cap_offset, unsigned bar, unsigned vectors, uint64_t pba_offset) {
  msix_cap_ = cap_offset;
  msix_bar_ = bar;
  msix_vectors_ = vectors;
  msix_pba_offset_ = pba_offset;
  std::vector<uint8_t> body(kMsixCapLen - 2);
  put16(&body[0], uint16_t(vectors - 1));
  put32(&body[2], uint32_t(0) | bar);
  put32(&body[6], uint32_t(pba_offset) | bar);
  add_capability(cap_offset, pci::kCapIdMsix, body);
  wmask_[cap_offset + kMsixControl + 1] = uint8_t((kMsixEnable | kMsixFunctionMask) >> 8);
  reset_config_ = config_;
  msix_table_.assign(vectors * kMsixEntrySize, 0);
  msix_pba_.assign((vectors + 63) / 64 * 8, 0);
  for (unsigned v = 0; v < vectors; v++) put32(&msix_table_[v * kMsixEntrySize + kMsixEntryControl], kMsixEntryMasked);
}

void PciDevice::reset() {
  config_ = reset_config_;
  if (msix_vectors_) {
    std::fill(msix_table_.begin(), msix_table_.end(), 0);
    std::fill(msix_pba_.begin(), msix_pba_.end(), 0);
    for (unsigned v = 0; v < msix_vectors_; v++)
      put32(&msix_table_[v * kMsixEntrySize + kMsixEntryControl], kMsixEntryMasked);
  }
  set_intx(false);
}

uint32_t PciDevice::config_read(unsigned reg, unsigned size) {
  if (reg + size > pci::kConfigSize) return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  if (reg >= 0x40) before_config_read(reg, size);
  uint32_t v = 0;
  memcpy(&v, &config_[reg], size);
  return v;
}

void PciDevice::config_write(unsigned reg, uint32_t value, unsigned size) {
  if (reg + size > pci::kConfigSize) return;
  uint16_t old_command = get16(&config_[pci::kCommand]);
  uint16_t old_msix = msix_cap_ ? get16(&config_[msix_cap_ + kMsixControl]) : 0;
  bool cap_bytes = false;
  for (unsigned i = 0; i < size; i++) {
    unsigned r = reg + i;
    uint8_t b = uint8_t(value >> (8 * i));
    config_[r] = uint8_t((config_[r] & ~wmask_[r]) | (b & wmask_[r]));
    config_[r] &= uint8_t(~(b & w1cmask_[r]));
    cap_bytes |= r >= 0x40 && wmask_[r];
  }
  uint16_t command = get16(&config_[pci::kCommand]);
  if ((command ^ old_command) & pci::kCommandIntxDisable) set_intx(intx_level_);
  if (msix_cap_ && get16(&config_[msix_cap_ + kMsixControl]) != old_msix) {
    msix_changed();
    msix_deliver_pending();
  }
  if (cap_bytes) capability_written(reg);
}

uint64_t PciDevice::bar_address(unsigned index) const {
  const Bar& b = bars_[index];
  uint32_t low = get32(&config_[pci::kBar0 + 4 * index]);
  if (b.type == PciBarType::Io) return low & ~3u;
  uint64_t a = low & ~15u;
  if (b.type == PciBarType::Mem64) a |= uint64_t(get32(&config_[pci::kBar0 + 4 * index + 4])) << 32;
  return a;
}

bool PciDevice::bar_decodes(unsigned index, bool io, uint64_t bus_addr, uint64_t* offset) const {
  const Bar& b = bars_[index];
  if (b.type == PciBarType::None || (b.type == PciBarType::Io) != io) return false;
  uint16_t command = get16(&config_[pci::kCommand]);
  if (!(command & (io ? pci::kCommandIo : pci::kCommandMemory))) return false;
  // As QEMU's pci_bar_address: address 0 is a place (firmware puts the first I/O BAR there); a
  // BAR whose end wraps (or passes 4 GiB when it is 32-bit) is not mapped.
  uint64_t base = bar_address(index), last = base + b.size - 1;
  if (last < base || (b.type != PciBarType::Mem64 && last >= 0xffffffffu)) return false;
  if (bus_addr < base || bus_addr > last) return false;
  *offset = bus_addr - base;
  return true;
}

uint64_t PciDevice::bar_access_read(unsigned index, uint64_t offset, unsigned size) {
  if (msix_vectors_ && index == msix_bar_) {
    uint64_t v = 0;
    if (offset + size <= msix_table_.size())
      memcpy(&v, &msix_table_[offset], size);
    else if (offset >= msix_pba_offset_ && offset - msix_pba_offset_ + size <= msix_pba_.size())
      memcpy(&v, &msix_pba_[offset - msix_pba_offset_], size);
    return v;
  }
  return bar_read(index, offset, size);
}

void PciDevice::bar_access_write(unsigned index, uint64_t offset, uint64_t value, unsigned size) {
  if (msix_vectors_ && index == msix_bar_) {
    if (offset + size > msix_table_.size()) return;  // the PBA is read-only
    unsigned v = unsigned(offset / kMsixEntrySize);
    bool was_masked = msix_masked(v);
    memcpy(&msix_table_[offset], &value, size);
    if (was_masked && !msix_masked(v)) msix_deliver_pending();
    return;
  }
  bar_write(index, offset, value, size);
}

bool PciDevice::msix_enabled() const { return msix_cap_ && (get16(&config_[msix_cap_ + kMsixControl]) & kMsixEnable); }

bool PciDevice::msix_masked(unsigned v) const {
  if (get16(&config_[msix_cap_ + kMsixControl]) & kMsixFunctionMask) return true;
  return get32(&msix_table_[v * kMsixEntrySize + kMsixEntryControl]) & kMsixEntryMasked;
}

void PciDevice::msix_notify(unsigned v) {
  if (!msix_enabled() || v >= msix_vectors_) return;
  if (msix_masked(v)) {
    msix_pba_[v / 8] |= uint8_t(1u << (v % 8));
    return;
  }
  // A function that is not bus master cannot write its message (QEMU drops it too).
  if (!(get16(&config_[pci::kCommand]) & pci::kCommandBusMaster)) return;
  const uint8_t* e = &msix_table_[v * kMsixEntrySize];
  uint64_t address = get32(e) | uint64_t(get32(e + 4)) << 32;
  if (bus_) bus_->send_msi(devfn_, address, get32(e + kMsixEntryData));
}

void PciDevice::msix_deliver_pending() {
  if (!msix_enabled()) return;
  for (unsigned v = 0; v < msix_vectors_; v++) {
    uint8_t bit = uint8_t(1u << (v % 8));
    if ((msix_pba_[v / 8] & bit) && !msix_masked(v)) {
      msix_pba_[v / 8] &= uint8_t(~bit);
      msix_notify(v);
    }
  }
}

void PciDevice::set_intx(bool level) {
  intx_level_ = level;
  uint16_t status = get16(&config_[pci::kStatus]);
  put16(&config_[pci::kStatus], level ? status | pci::kStatusInterrupt : status & ~pci::kStatusInterrupt);
  bool disabled = get16(&config_[pci::kCommand]) & pci::kCommandIntxDisable;
  if (bus_) bus_->set_intx(devfn_, 1, level && !disabled);
}

void PciDevice::snapshot_state(StateIo& io) { io(config_), io(msix_table_), io(msix_pba_), io(intx_level_); }

}  // namespace mimic::hw
