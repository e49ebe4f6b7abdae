// The raw format: guest sector N is byte N*512 of the file. Sparse files stay sparse: discard and
// zero writes punch holes where the file system can.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "hw/block/block.h"

namespace mimic::hw::block {
namespace {

class RawImage final : public BlockImage {
 public:
  RawImage(int fd, uint64_t size, bool read_only) : fd_(fd), size_(size), read_only_(read_only) {}
  ~RawImage() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }
  const char* format_name() const override { return "raw"; }

  int read(uint64_t offset, void* buf, size_t len) override {
    if (!in_range(offset, len)) return -EINVAL;
    auto* p = static_cast<uint8_t*>(buf);
    while (len > 0) {
      ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -errno;
      if (n == 0) {  // the file shrank under us: what lies past its end reads as zero
        std::memset(p, 0, len);
        return 0;
      }
      p += n, offset += n, len -= n;
    }
    return 0;
  }

  int write(uint64_t offset, const void* buf, size_t len) override {
    if (read_only_) return -EROFS;
    if (!in_range(offset, len)) return -EINVAL;
    auto* p = static_cast<const uint8_t*>(buf);
    while (len > 0) {
      ssize_t n = ::pwrite(fd_, p, len, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -errno;
      p += n, offset += n, len -= n;
    }
    return 0;
  }

  int flush() override {
    if (read_only_) return 0;
    return ::fdatasync(fd_) < 0 ? -errno : 0;
  }

  int discard(uint64_t offset, uint64_t len) override {
    if (read_only_) return -EROFS;
    if (!in_range(offset, len)) return -EINVAL;
    // A file system without hole punching keeps the data: discard is only a hint.
    ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset), static_cast<off_t>(len));
    return 0;
  }

  // Holes of a sparse file read as zero: SEEK_DATA/SEEK_HOLE say where they are.
  int block_status(uint64_t offset, uint64_t len, BlockStatus& st) override {
    if (!in_range(offset, len) || len == 0) return -EINVAL;
    st = {BlockStatus::kData, len, offset};
    off_t data = ::lseek(fd_, off_t(offset), SEEK_DATA);
    // A hole still lies at its own offset in the file (qemu-img map prints its "offset" too).
    if (data < 0 && errno == ENXIO) {
      st = {BlockStatus::kZero, len, offset};
    } else if (data > off_t(offset)) {
      st = {BlockStatus::kZero, std::min<uint64_t>(len, uint64_t(data) - offset), offset};
    } else if (data == off_t(offset)) {
      off_t hole = ::lseek(fd_, off_t(offset), SEEK_HOLE);
      if (hole > off_t(offset)) st.length = std::min<uint64_t>(len, uint64_t(hole) - offset);
    }
    return 0;
  }

  int resize(uint64_t new_size, bool allow_shrink, std::string& error) override {
    if (read_only_) return -EROFS;
    if (new_size < size_ && !allow_shrink) {
      error = "use the --shrink option to shrink the image";
      return -EINVAL;
    }
    if (::ftruncate(fd_, off_t(new_size)) < 0) return -errno;
    size_ = new_size;
    return 0;
  }

  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override {
    if (read_only_) return -EROFS;
    if (!in_range(offset, len)) return -EINVAL;
    int mode = may_unmap ? (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) : FALLOC_FL_ZERO_RANGE;
    if (::fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(len)) == 0) return 0;
    return BlockImage::write_zeroes(offset, len, may_unmap);
  }

 private:
  bool in_range(uint64_t offset, uint64_t len) const { return offset <= size_ && len <= size_ - offset; }
  int fd_;
  uint64_t size_;
  bool read_only_;
};

}  // namespace

std::unique_ptr<BlockImage> open_raw(int fd, const std::string& path, bool read_only, std::string& error) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) {
    error = path + ": " + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (S_ISBLK(st.st_mode)) {
    off_t end = ::lseek(fd, 0, SEEK_END);
    size = end < 0 ? 0 : static_cast<uint64_t>(end);
  } else if (!S_ISREG(st.st_mode)) {
    error = path + ": not a regular file or block device";
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<RawImage>(fd, size, read_only);
}

}  // namespace mimic::hw::block
