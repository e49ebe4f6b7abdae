// The block layer: one interface for every disk image format. virtio-blk (and later any other
// disk device) talks to a BlockImage; the format drivers (raw here; qcow2, vmdk, vdi beside it)
// implement it; `mimic img` and -drive open images through open_image().
//
// Threading: a device may call read/write/flush/discard of one image from several I/O threads at
// once; every driver is safe for that (raw by positioned I/O, the others by their own locking).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mimic::hw::block {

class BlockImage {
 public:
  virtual ~BlockImage() = default;
  // Guest-visible size in bytes.
  virtual uint64_t size() const = 0;
  virtual bool read_only() const = 0;
  // "raw", "qcow2", ...: what -drive format= and `mimic img info` call it.
  virtual const char* format_name() const = 0;

  // Each returns 0, or a negative errno (-EIO, -ENOSPC, -EROFS...) that the device reports to the
  // guest as an I/O error. Any offset and length; ranges past size() are -EINVAL.
  virtual int read(uint64_t offset, void* buf, size_t len) = 0;
  virtual int write(uint64_t offset, const void* buf, size_t len) = 0;
  // Everything written before it is on stable storage when it returns 0.
  virtual int flush() = 0;
  // The range's contents become unspecified (may read as zero); the space may be given back.
  virtual int discard(uint64_t offset, uint64_t len) { return 0; }
  // The range reads as zero afterwards; with may_unmap the space may be given back.
  virtual int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap);
};

struct OpenOptions {
  std::string format;      // empty: probe the file's contents (a raw image is the fallback)
  bool read_only = false;  // readonly=on
  bool direct = false;     // cache=none / cache=directsync: O_DIRECT
  bool lock = true;        // locking=off turns the image lock off
};

// Opens an image. On failure returns null and sets `error` to one line naming the file and the
// problem ("disk.qcow2: L1 table offset 0x... lies past the end of the file").
std::unique_ptr<BlockImage> open_image(const std::string& path, const OpenOptions& options, std::string& error);

// The raw format: the file is the disk. `fd` is owned by the returned image.
std::unique_ptr<BlockImage> open_raw(int fd, const std::string& path, bool read_only, std::string& error);

}  // namespace mimic::hw::block
