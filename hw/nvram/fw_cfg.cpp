// fw_cfg's data, selector and DMA registers (QEMU hw/nvram/fw_cfg.c's behaviour): reads past an
// item's end return 0; DMA "read" past the end fills zeros; "write" has no writable items and
// fails with the error bit, as QEMU without writable files.
#include "hw/nvram/fw_cfg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
constexpr uint32_t kDmaError = 1, kDmaRead = 2, kDmaSkip = 4, kDmaSelect = 8, kDmaWrite = 0x10;
constexpr uint64_t kDmaSignature = 0x51454d5520434647ull;  // "QEMU CFG"
constexpr uint32_t kIdTraditional = 1, kIdDma = 2;
constexpr size_t kFileNameLen = 56;
constexpr uint16_t kKeyMask = 0x3fff;  // without the write and arch-local bits
}  // namespace

FwCfg::FwCfg(AddressSpace& memory, tcg::Logger* log) : memory_(memory), log_(log) {
  add_bytes(FwCfgKey::kSignature, {'Q', 'E', 'M', 'U'});
  add_u32(FwCfgKey::kId, kIdTraditional | kIdDma);
  rebuild_directory();
}

void FwCfg::log_guest_error(const std::string& what) const {
  if (!log_ || !log_->enabled(tcg::LogFlag::kUnimp)) return;
  log_->write(fmt::format("device fw_cfg: {}\n", what));
}

void FwCfg::add_bytes(uint16_t key, std::vector<uint8_t> data) { items_[key] = std::move(data); }
void FwCfg::add_u16(uint16_t key, uint16_t value) { add_bytes(key, {uint8_t(value), uint8_t(value >> 8)}); }
void FwCfg::add_u32(uint16_t key, uint32_t value) {
  add_bytes(key, {uint8_t(value), uint8_t(value >> 8), uint8_t(value >> 16), uint8_t(value >> 24)});
}
void FwCfg::add_string(uint16_t key, const std::string& s) {
  std::vector<uint8_t> d(s.begin(), s.end());
  d.push_back(0);
  add_bytes(key, std::move(d));
}

uint16_t FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
  if (name.size() >= kFileNameLen) throw std::logic_error("fw_cfg file name too long: " + name);
  uint16_t key = uint16_t(FwCfgKey::kFileFirst + files_.size());
  files_.push_back({name, key});
  add_bytes(key, std::move(data));
  rebuild_directory();
  return key;
}

void FwCfg::rebuild_directory() {
  // struct FWCfgFiles: be32 count, then { be32 size; be16 select; u16 reserved; char name[56] },
  // sorted by name as QEMU keeps them.
  auto sorted = files_;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint8_t> dir(4 + sorted.size() * 64);
  uint32_t n = __builtin_bswap32(uint32_t(sorted.size()));
  memcpy(dir.data(), &n, 4);
  for (size_t i = 0; i < sorted.size(); i++) {
    uint8_t* e = dir.data() + 4 + i * 64;
    uint32_t size = __builtin_bswap32(uint32_t(items_[sorted[i].second].size()));
    uint16_t sel = __builtin_bswap16(sorted[i].second);
    memcpy(e, &size, 4);
    memcpy(e + 4, &sel, 2);
    memcpy(e + 8, sorted[i].first.data(), sorted[i].first.size());
  }
  items_[FwCfgKey::kFileDir] = std::move(dir);
}

void FwCfg::reset() { select(0); }

void FwCfg::select(uint16_t key) {
  cur_key_ = key & kKeyMask;
  cur_valid_ = items_.count(cur_key_) != 0;
  cur_offset_ = 0;
}

uint8_t FwCfg::next_byte() {
  if (!cur_valid_) return 0;
  const std::vector<uint8_t>& d = items_[cur_key_];
  if (cur_offset_ >= d.size()) return 0;
  return d[cur_offset_++];
}

uint64_t FwCfg::read(uint64_t offset, unsigned size) {
  if (offset < 8) {
    // The stream's bytes in address order: the first at the lowest address.
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint64_t(next_byte()) << (8 * i);
    return v;
  }
  if (offset >= 0x10 && offset + size <= 0x18) {
    // The DMA address register reads as the signature, big-endian.
    uint64_t sig = __builtin_bswap64(kDmaSignature);
    return (sig >> (8 * (offset - 0x10))) & (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1);
  }
  return 0;  // the selector is write-only
}

void FwCfg::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset == 8 && size == 2) {
    select(__builtin_bswap16(uint16_t(value)));
    return;
  }
  if (offset == 0x10 && size == 8) {
    dma_transfer(__builtin_bswap64(value));
    return;
  }
  if (offset == 0x10 && size == 4) {
    dma_addr_ = uint64_t(__builtin_bswap32(uint32_t(value))) << 32;
    return;
  }
  if (offset == 0x14 && size == 4) {
    dma_transfer(dma_addr_ | __builtin_bswap32(uint32_t(value)));
    dma_addr_ = 0;
    return;
  }
  if (offset < 8) {
    log_guest_error("write to the data register: no item is writable");
    return;
  }
  log_guest_error(fmt::format("{}-byte write at {:#x} (the selector takes 16 bits, DMA 32 or 64)", size, offset));
}

void FwCfg::dma_transfer(uint64_t addr) {
  // struct FWCfgDmaAccess: be32 control, be32 length, be64 address.
  uint8_t raw[16];
  if (!memory_.read(addr, raw, sizeof raw)) {
    log_guest_error(fmt::format("DMA descriptor at {:#x} is not in memory", addr));
    return;
  }
  uint32_t control, length;
  uint64_t address;
  memcpy(&control, raw, 4);
  memcpy(&length, raw + 4, 4);
  memcpy(&address, raw + 8, 8);
  control = __builtin_bswap32(control);
  length = __builtin_bswap32(length);
  address = __builtin_bswap64(address);
  if (control & kDmaSelect) select(uint16_t(control >> 16));
  uint32_t result = 0;
  if (control & (kDmaRead | kDmaSkip | kDmaWrite)) {
    if ((control & kDmaWrite) && !(control & (kDmaRead | kDmaSkip))) {
      result = kDmaError;  // no writable items
    } else {
      const std::vector<uint8_t>* d = cur_valid_ ? &items_[cur_key_] : nullptr;
      uint64_t avail = d && cur_offset_ < d->size() ? d->size() - cur_offset_ : 0;
      uint64_t n = std::min<uint64_t>(length, avail);
      if (control & kDmaRead) {
        bool ok = n == 0 || memory_.write(address, d->data() + cur_offset_, n);
        // Past the item's end the guest's buffer gets zeros (in pieces: the length is the guest's).
        static const uint8_t zeros[4096] = {};
        for (uint64_t at = n; ok && at < length; at += sizeof zeros)
          ok = memory_.write(address + at, zeros, std::min<uint64_t>(sizeof zeros, length - at));
        if (!ok) result = kDmaError;
      }
      cur_offset_ += n;
    }
  }
  uint32_t be = __builtin_bswap32(result);
  memory_.write(addr, &be, 4);
}

void FwCfg::snapshot_state(StateIo& io) {
  // The items are the board's (rebuilt the same by the same command line): only the selection.
  io(cur_key_), io(cur_valid_), io(cur_offset_), io(dma_addr_);
  if (io.loading() && cur_valid_ && !items_.count(cur_key_)) cur_valid_ = false;
}

}  // namespace mimic::hw
