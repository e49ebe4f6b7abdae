// virtio-blk requests (5.2.6): a 16-byte header (u32 type, u32 ioprio, u64 sector) in the
// readable part, data after it (readable for writes, writable for reads), and a status byte as
// the last writable byte.
#include "hw/virtio/virtio_blk.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mimic::hw {

namespace {
constexpr uint64_t kSectorSize = 512;
// Feature bits (5.2.3).
constexpr uint64_t kFSegMax = 1 << 2, kFRo = 1 << 5, kFBlkSize = 1 << 6, kFFlush = 1 << 9, kFTopology = 1 << 10,
                   kFConfigWce = 1 << 11, kFMq = 1 << 12, kFDiscard = 1 << 13, kFWriteZeroes = 1 << 14;
// Beyond Linux's largest request; a chain asking more is an I/O error, not an allocation.
constexpr uint64_t kMaxRequestBytes = 64 << 20;
constexpr uint32_t kMaxDiscardSectors = 0x3fffff;  // QEMU's BDRV_REQUEST_MAX_SECTORS
constexpr uint32_t kUnmapFlag = 1;

// A bounce buffer aligned for O_DIRECT images.
struct AlignedBuffer {
  explicit AlignedBuffer(size_t n)
      : data(static_cast<uint8_t*>(std::aligned_alloc(4096, (n + 4095) & ~size_t(4095)))) {}
  ~AlignedBuffer() { std::free(data); }
  uint8_t* data;
};

template <typename T>
void put(std::vector<uint8_t>& b, size_t off, T v) {
  memcpy(b.data() + off, &v, sizeof v);
}
}  // namespace

VirtioBlk::VirtioBlk(std::shared_ptr<block::BlockImage> image, const VirtioBlkConfig& config)
    : image_(std::move(image)), config_(config) {
  state_.writeback = config_.writeback;
  for (unsigned q = 0; q < config_.num_queues; q++)
    workers_.push_back(std::make_unique<QueueWorker>(
        transport_, q, [this](const VirtqChain& c, const Virtqueue& vq) { return serve(c, vq); }));
}

VirtioBlk::~VirtioBlk() { stop(); }

void VirtioBlk::stop() {
  for (auto& w : workers_) w->stop();
}

uint64_t VirtioBlk::device_features() const {
  uint64_t f = virtio::kFRingIndirectDesc | virtio::kFRingEventIdx | kFSegMax | kFBlkSize | kFFlush | kFTopology |
               kFConfigWce | kFDiscard | kFWriteZeroes;
  if (image_->read_only()) f |= kFRo;
  if (config_.num_queues > 1) f |= kFMq;
  return f;
}

std::vector<uint8_t> VirtioBlk::config_bytes() const {
  // struct virtio_blk_config (5.2.4).
  std::vector<uint8_t> b(60, 0);
  put<uint64_t>(b, 0, image_->size() / kSectorSize);       // capacity
  put<uint32_t>(b, 12, uint32_t(config_.queue_size - 2));  // seg_max (QEMU: queue size - 2)
  put<uint32_t>(b, 20, uint32_t(kSectorSize));             // blk_size
  b[24] = 0;                                               // physical_block_exp
  put<uint16_t>(b, 26, 1);                                 // min_io_size (sectors)
  b[32] = state_.writeback;
  put<uint16_t>(b, 34, uint16_t(config_.num_queues));
  put<uint32_t>(b, 36, kMaxDiscardSectors);  // max_discard_sectors
  put<uint32_t>(b, 40, 1);                   // max_discard_seg
  put<uint32_t>(b, 44, 1);                   // discard_sector_alignment
  put<uint32_t>(b, 48, kMaxDiscardSectors);  // max_write_zeroes_sectors
  put<uint32_t>(b, 52, 1);                   // max_write_zeroes_seg
  b[56] = config_.discard_unmap;             // write_zeroes_may_unmap
  return b;
}

void VirtioBlk::read_config(uint64_t offset, void* buf, size_t len) {
  std::vector<uint8_t> b = config_bytes();
  for (size_t i = 0; i < len; i++) static_cast<uint8_t*>(buf)[i] = offset + i < b.size() ? b[offset + i] : 0;
}

void VirtioBlk::write_config(uint64_t offset, const void* buf, size_t len) {
  // Only the writeback byte is writable, and only with CONFIG_WCE.
  if (offset == 32 && len >= 1 && (transport_->driver_features() & kFConfigWce))
    state_.writeback = *static_cast<const uint8_t*>(buf) != 0;
}

void VirtioBlk::queue_notify(unsigned index) { workers_[index]->kick(); }

void VirtioBlk::reset() {
  for (auto& w : workers_) w->reset();
  state_.writeback = config_.writeback;
}

uint32_t VirtioBlk::serve(const VirtqChain& chain, const Virtqueue& queue) {
  uint8_t header[16];
  uint64_t readable = chain.readable_bytes(), writable = chain.writable_bytes();
  if (writable < 1 || !queue.read_chain(chain, 0, header, sizeof header)) {
    // No room for a status or no header: nothing sensible to answer (QEMU marks the device broken).
    transport_->device_error("virtio-blk request without a header or a status byte");
    return 0;
  }
  uint32_t type;
  uint64_t sector;
  memcpy(&type, header, 4);
  memcpy(&sector, header + 8, 8);
  uint32_t written = 0;
  uint8_t status =
      execute(type, sector, chain, queue, type == kIn || type == kGetId ? writable - 1 : readable - 16, written);
  queue.write_chain(chain, writable - 1, &status, 1);
  return written + 1;
}

uint8_t VirtioBlk::execute(uint32_t type, uint64_t sector, const VirtqChain& chain, const Virtqueue& queue,
                           uint64_t data_len, uint32_t& written) {
  bool ro = image_->read_only();
  switch (type) {
    case kIn:
    case kOut: {
      if (data_len % kSectorSize != 0 || data_len > kMaxRequestBytes) return kStatusIoErr;
      if (sector > image_->size() / kSectorSize || data_len > image_->size() - sector * kSectorSize)
        return kStatusIoErr;
      if (type == kOut && ro) return kStatusIoErr;
      if (data_len == 0) return kStatusOk;
      AlignedBuffer buf(data_len);
      if (!buf.data) return kStatusIoErr;
      uint64_t offset = sector * kSectorSize;
      if (type == kIn) {
        if (image_->read(offset, buf.data, data_len) < 0) return kStatusIoErr;
        if (!queue.write_chain(chain, 0, buf.data, data_len)) return kStatusIoErr;
        written = uint32_t(data_len);
        return kStatusOk;
      }
      if (!queue.read_chain(chain, 16, buf.data, data_len)) return kStatusIoErr;
      if (image_->write(offset, buf.data, data_len) < 0) return kStatusIoErr;
      if (!state_.writeback && !config_.ignore_flush && image_->flush() < 0) return kStatusIoErr;
      return kStatusOk;
    }
    case kFlush:
      if (config_.ignore_flush) return kStatusOk;
      return image_->flush() < 0 ? kStatusIoErr : kStatusOk;
    case kGetId: {
      char id[20] = {};
      memcpy(id, config_.serial.data(), std::min<size_t>(config_.serial.size(), sizeof id));
      size_t n = std::min<uint64_t>(data_len, sizeof id);
      if (!queue.write_chain(chain, 0, id, n)) return kStatusIoErr;
      written = uint32_t(n);
      return kStatusOk;
    }
    case kDiscard:
    case kWriteZeroes:
      if (ro) return kStatusIoErr;
      return ranges(type, chain, queue, data_len);
    default: return kStatusUnsupported;
  }
}

uint8_t VirtioBlk::ranges(uint32_t type, const VirtqChain& chain, const Virtqueue& queue, uint64_t data_len) {
  // struct virtio_blk_discard_write_zeroes: u64 sector, u32 num_sectors, u32 flags; one per
  // segment (max_*_seg is 1, as QEMU's).
  if (data_len != 16) return kStatusUnsupported;
  uint8_t seg[16];
  if (!queue.read_chain(chain, 16, seg, sizeof seg)) return kStatusIoErr;
  uint64_t sector;
  uint32_t count, flags;
  memcpy(&sector, seg, 8);
  memcpy(&count, seg + 8, 4);
  memcpy(&flags, seg + 12, 4);
  if (count > kMaxDiscardSectors) return kStatusIoErr;
  if ((type == kDiscard && flags != 0) || (flags & ~kUnmapFlag)) return kStatusUnsupported;
  uint64_t total = image_->size() / kSectorSize;
  if (sector > total || count > total - sector) return kStatusIoErr;
  uint64_t offset = sector * kSectorSize, len = uint64_t(count) * kSectorSize;
  int r;
  if (type == kDiscard)
    r = config_.discard_unmap ? image_->discard(offset, len) : 0;
  else
    r = image_->write_zeroes(offset, len, config_.discard_unmap && (flags & kUnmapFlag));
  if (r < 0) return kStatusIoErr;
  if (!state_.writeback && !config_.ignore_flush && image_->flush() < 0) return kStatusIoErr;
  return kStatusOk;
}

}  // namespace mimic::hw
