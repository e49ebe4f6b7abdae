// VirtualBox's VDI: a 512-byte header, a block map of 32-bit entries (block number in the data
// area, or unallocated / discarded), 1 MiB blocks allocated at the end of the file. A new
// block's data is written first; its map entry and the header's count reach the file at the
// next flush, after the data is on disk.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "hw/block/file.h"
#include "hw/block/formats.h"
#include "hw/block/lock.h"

namespace mimic::hw::block::vdi {
namespace {

constexpr uint32_t kSignature = 0xbeda107f, kVersion = 0x00010001;
constexpr uint32_t kUnallocated = 0xffffffff, kDiscarded = 0xfffffffe;
constexpr uint32_t kDynamic = 1, kStatic = 2;
constexpr uint32_t kBlockSize = 1u << 20;

class VdiImage final : public BlockImage {
 public:
  VdiImage(int fd, std::string path, bool ro) : fd_(fd), path_(std::move(path)), read_only_(ro) {}
  ~VdiImage() override {
    flush();
    ::close(fd_);
  }
  bool open(std::string& error) {
    int64_t flen = file_size(fd_);
    auto fail = [&](const std::string& m) {
      error = path_ + ": " + m;
      return false;
    };
    if (flen < 512 || pread_full(fd_, h_, 512, 0) < 0) return fail("not a VDI image (too short)");
    if (le32(h_ + 64) != kSignature) return fail("not a VDI image (bad signature)");
    if (le32(h_ + 68) != kVersion) return fail(fmt::format("unsupported VDI version {:#x}", le32(h_ + 68)));
    type_ = le32(h_ + 76);
    if (type_ != kDynamic && type_ != kStatic) return fail(fmt::format("unsupported VDI image type {}", type_));
    offset_bmap_ = le32(h_ + 340), offset_data_ = le32(h_ + 344);
    if (le32(h_ + 360) != 512) return fail("VDI sector size is not 512");
    size_ = le64(h_ + 368);
    block_size_ = le32(h_ + 376);
    if (block_size_ != kBlockSize) return fail(fmt::format("unsupported VDI block size {} (only 1 MiB)", block_size_));
    if (le32(h_ + 380) != 0) return fail("VDI block extra data is not supported");
    blocks_ = le32(h_ + 384), allocated_ = le32(h_ + 388);
    if (blocks_ > 0x3fffffff || uint64_t(blocks_) * block_size_ < size_)
      return fail(fmt::format("VDI disk size {} does not fit its {} blocks", size_, blocks_));
    if (allocated_ > blocks_) return fail("VDI counts more allocated blocks than it has");
    if (offset_bmap_ < 512 || !fits(offset_bmap_, uint64_t(blocks_) * 4, uint64_t(flen)))
      return fail("VDI block map lies past the end of the file or overlaps the header");
    if (offset_data_ < offset_bmap_ + uint64_t(blocks_) * 4 || (offset_data_ & 511))
      return fail("VDI data area overlaps the block map");
    std::vector<uint8_t> raw(uint64_t(blocks_) * 4);
    if (pread_full(fd_, raw.data(), raw.size(), offset_bmap_) < 0) return fail("reading the block map failed");
    bmap_.resize(blocks_);
    for (uint32_t i = 0; i < blocks_; ++i) {
      bmap_[i] = le32(&raw[i * 4]);
      if (bmap_[i] < kDiscarded && bmap_[i] >= allocated_)
        return fail(
            fmt::format("VDI block map entry {} points at block {}, past the {} allocated", i, bmap_[i], allocated_));
    }
    return true;
  }

  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  const char* format_name() const override { return "vdi"; }
  uint64_t cluster_size() const override { return block_size_; }

  int read(uint64_t offset, void* buf, size_t len) override {
    if (!fits(offset, len, size_)) return -EINVAL;
    std::lock_guard g(mu_);
    auto* p = static_cast<uint8_t*>(buf);
    while (len) {
      uint64_t b = offset / block_size_, in = offset % block_size_;
      size_t part = size_t(std::min<uint64_t>(len, block_size_ - in));
      uint32_t e = bmap_[b];
      if (e >= kDiscarded) {
        std::memset(p, 0, part);
      } else if (int r = pread_full(fd_, p, part, offset_data_ + uint64_t(e) * block_size_ + in); r < 0) {
        return r;
      }
      p += part, offset += part, len -= part;
    }
    return 0;
  }

  int write(uint64_t offset, const void* buf, size_t len) override {
    if (read_only_) return -EROFS;
    if (!fits(offset, len, size_)) return -EINVAL;
    std::lock_guard g(mu_);
    auto* p = static_cast<const uint8_t*>(buf);
    while (len) {
      uint64_t b = offset / block_size_, in = offset % block_size_;
      size_t part = size_t(std::min<uint64_t>(len, block_size_ - in));
      uint32_t e = bmap_[b];
      if (e < kDiscarded) {
        if (int r = pwrite_full(fd_, p, part, offset_data_ + uint64_t(e) * block_size_ + in); r < 0) return r;
      } else if (!is_zero(p, part)) {
        std::vector<uint8_t> block(block_size_, 0);
        std::memcpy(&block[in], p, part);
        uint32_t n = allocated_;
        if (int r = pwrite_full(fd_, block.data(), block.size(), offset_data_ + uint64_t(n) * block_size_); r < 0)
          return r;
        bmap_[b] = n;
        dirty_[b] = n;
        ++allocated_;
      }
      p += part, offset += part, len -= part;
    }
    return 0;
  }

  int flush() override {
    if (read_only_) return 0;
    std::lock_guard g(mu_);
    if (dirty_.empty()) return sync_file(fd_);
    if (int r = sync_file(fd_); r < 0) return r;  // the blocks before the map entries naming them
    for (auto [b, e] : dirty_) {
      uint8_t v[4];
      put_le32(v, e);
      if (int r = pwrite_full(fd_, v, 4, offset_bmap_ + uint64_t(b) * 4); r < 0) return r;
    }
    uint8_t c[4];
    put_le32(c, allocated_);
    if (int r = pwrite_full(fd_, c, 4, 388); r < 0) return r;
    dirty_.clear();
    return sync_file(fd_);
  }

  int block_status(uint64_t offset, uint64_t len, BlockStatus& st) override {
    if (!fits(offset, len, size_) || !len) return -EINVAL;
    std::lock_guard g(mu_);
    st = {};
    while (st.length < len) {
      uint64_t o = offset + st.length, b = o / block_size_;
      uint32_t e = bmap_[b];
      auto kind = e == kUnallocated ? BlockStatus::kUnallocated
                  : e == kDiscarded ? BlockStatus::kZero
                                    : BlockStatus::kData;
      uint64_t host =
          kind == BlockStatus::kData ? offset_data_ + uint64_t(e) * block_size_ + o % block_size_ : UINT64_MAX;
      if (st.length == 0)
        st.kind = kind, st.host_offset = host;
      else if (kind != st.kind || (host != UINT64_MAX && host != st.host_offset + st.length))
        break;
      st.length += std::min<uint64_t>(len - st.length, block_size_ - o % block_size_);
    }
    return 0;
  }

  ImageInfo info() const override {
    ImageInfo in;
    in.cluster_size = block_size_;
    return in;
  }

  int check(Repair repair, CheckResult& res) override {
    std::lock_guard g(mu_);
    std::vector<uint8_t> used(allocated_, 0);
    for (uint32_t i = 0; i < blocks_; ++i) {
      if (bmap_[i] >= kDiscarded) continue;
      if (used[bmap_[i]]++) {
        res.messages.push_back(fmt::format("ERROR: block index {} also used by {}", i, bmap_[i]));
        ++res.corruptions;
      }
      ++res.allocated_clusters;
    }
    res.total_clusters = blocks_;
    return 0;
  }

 private:
  int fd_;
  std::string path_;
  bool read_only_;
  std::mutex mu_;
  uint8_t h_[512];
  uint32_t type_ = 0, offset_bmap_ = 0, offset_data_ = 0, block_size_ = 0, blocks_ = 0, allocated_ = 0;
  uint64_t size_ = 0;
  std::vector<uint32_t> bmap_;
  std::map<uint32_t, uint32_t> dirty_;
};

}  // namespace

std::unique_ptr<BlockImage> open(int fd, const std::string& path, bool read_only, std::string& error) {
  auto image = std::make_unique<VdiImage>(fd, path, read_only);
  if (!image->open(error)) return nullptr;
  return image;
}

int create(const std::string& path, const CreateOptions& o, std::string& error) {
  if (!o.backing_file.empty()) {
    error = path + ": the vdi format does not support backing files";
    return -EINVAL;
  }
  uint64_t size = (o.size + 511) & ~511ull;
  uint64_t blocks = (size + kBlockSize - 1) / kBlockSize;
  if (blocks > 0x3fffffff) {
    error = path + ": the disk is too large for VDI";
    return -EFBIG;
  }
  bool fixed =
      o.preallocation == "full" || o.preallocation == "falloc" || o.subformat == "static" || o.subformat == "fixed";
  uint8_t h[512] = {};
  const char* text = "<<< QEMU VM Virtual Disk Image >>>\n";
  std::memcpy(h, text, std::strlen(text));
  put_le32(h + 64, kSignature);
  put_le32(h + 68, kVersion);
  put_le32(h + 72, 0x180);
  put_le32(h + 76, fixed ? kStatic : kDynamic);
  uint64_t bmap_bytes = (blocks * 4 + 511) & ~511ull;
  put_le32(h + 340, 0x200);
  put_le32(h + 344, uint32_t(0x200 + bmap_bytes));
  put_le32(h + 360, 512);
  put_le64(h + 368, size);
  put_le32(h + 376, kBlockSize);
  put_le32(h + 384, uint32_t(blocks));
  put_le32(h + 388, fixed ? uint32_t(blocks) : 0);
  if (getrandom(h + 392, 32, 0) != 32) std::memset(h + 392, 0x5a, 32);
  h[392 + 6] = uint8_t((h[392 + 6] & 0x0f) | 0x40), h[392 + 8] = uint8_t((h[392 + 8] & 0x3f) | 0x80);
  h[408 + 6] = uint8_t((h[408 + 6] & 0x0f) | 0x40), h[408 + 8] = uint8_t((h[408 + 8] & 0x3f) | 0x80);
  std::vector<uint8_t> bmap(bmap_bytes, 0);
  for (uint64_t i = 0; i < blocks; ++i) put_le32(&bmap[i * 4], fixed ? uint32_t(i) : kUnallocated);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return -errno;
  }
  int r = lock_image(fd, path, true, error);
  if (r == 0 && ::ftruncate(fd, 0) < 0) r = -errno;
  if (r == 0) r = pwrite_full(fd, h, sizeof(h), 0);
  if (r == 0) r = pwrite_full(fd, bmap.data(), bmap.size(), 0x200);
  if (r == 0 && fixed && ::ftruncate(fd, off_t(0x200 + bmap_bytes + blocks * kBlockSize)) < 0) r = -errno;
  if (r == 0) r = sync_file(fd);
  if (r < 0 && error.empty()) error = path + ": " + std::strerror(-r);
  ::close(fd);
  return r;
}

}  // namespace mimic::hw::block::vdi
