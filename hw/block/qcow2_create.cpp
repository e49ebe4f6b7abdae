// New qcow2 images (qemu-img create's layout: header, refcount table, refcount blocks, L1) and
// the throwaway overlay of -snapshot.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "hw/block/file.h"
#include "hw/block/formats.h"
#include "hw/block/lock.h"
#include "hw/block/qcow2.h"

namespace mimic::hw::block::qcow2 {
namespace {

struct Layout {
  unsigned cluster_bits = 16;
  uint32_t version = 3, refcount_order = 4;
  uint64_t size = 0;
  std::string backing_file, backing_format;
  bool zstd = false, lazy = false;
};

int write_new_image(int fd, const Layout& l, std::string& error) {
  const uint64_t cs = 1ull << l.cluster_bits;
  std::vector<uint8_t> h(cs, 0);
  put_be32(&h[0], kMagic);
  put_be32(&h[4], l.version);
  put_be32(&h[20], l.cluster_bits);
  put_be64(&h[24], l.size);
  const unsigned range_bits = 2 * l.cluster_bits - 3;
  uint64_t l1n = (l.size >> range_bits) + ((l.size & ((1ull << range_bits) - 1)) ? 1 : 0);
  if (l1n * 8 > kMaxL1Bytes) {
    error = fmt::format("the disk size {} needs an L1 table larger than 32 MiB with {}-byte clusters", l.size, cs);
    return -EFBIG;
  }
  uint64_t l1c = (l1n * 8 + cs - 1) / cs;
  uint64_t per_block = (cs * 8) >> l.refcount_order, rbc = 1, rtc = 1;
  for (;;) {
    uint64_t total = 1 + rtc + rbc + l1c;
    uint64_t need_rb = (total + per_block - 1) / per_block, need_rt = (need_rb * 8 + cs - 1) / cs;
    if (need_rb == rbc && need_rt == rtc) break;
    rbc = need_rb, rtc = need_rt;
  }
  const uint64_t total = 1 + rtc + rbc + l1c;
  put_be32(&h[36], uint32_t(l1n));
  put_be64(&h[40], (1 + rtc + rbc) * cs);
  put_be64(&h[48], cs);
  put_be32(&h[56], uint32_t(rtc));
  uint64_t p = 72;
  if (l.version == 3) {
    uint64_t incompat = l.zstd ? kIncompatCompression : 0;
    put_be64(&h[72], incompat);
    put_be64(&h[80], l.lazy ? kCompatLazyRefcounts : 0);
    put_be32(&h[96], l.refcount_order);
    put_be32(&h[100], 112);
    h[104] = l.zstd ? 1 : 0;
    p = 112;
  }
  auto ext = [&](uint32_t type, const void* data, uint32_t len) {
    put_be32(&h[p], type), put_be32(&h[p + 4], len);
    std::memcpy(&h[p + 8], data, len);
    p += 8 + ((len + 7) & ~7u);
  };
  if (!l.backing_format.empty()) ext(kExtBackingFormat, l.backing_format.data(), uint32_t(l.backing_format.size()));
  if (l.version == 3) {
    static const struct {
      uint8_t type, bit;
      const char* name;
    } features[] = {{0, 0, "dirty bit"},        {0, 1, "corrupt bit"},         {0, 2, "external data file"},
                    {0, 3, "compression type"}, {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"},
                    {2, 0, "bitmaps"},          {2, 1, "raw external data"}};
    uint8_t table[sizeof(features) / sizeof(features[0]) * 48] = {};
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); ++i) {
      table[i * 48] = features[i].type, table[i * 48 + 1] = features[i].bit;
      std::memcpy(&table[i * 48 + 2], features[i].name, std::strlen(features[i].name));
    }
    ext(kExtFeatureTable, table, sizeof(table));
  }
  p += 8;  // end of extensions
  if (!l.backing_file.empty()) {
    if (p + l.backing_file.size() > cs || l.backing_file.size() > 1023) {
      error = "the backing file name is too long";
      return -EINVAL;
    }
    std::memcpy(&h[p], l.backing_file.data(), l.backing_file.size());
    put_be64(&h[8], p);
    put_be32(&h[16], uint32_t(l.backing_file.size()));
  }
  std::vector<uint8_t> meta((rtc + rbc) * cs, 0);
  for (uint64_t i = 0; i < rbc; ++i) put_be64(&meta[i * 8], (1 + rtc + i) * cs);
  uint8_t* blocks = &meta[rtc * cs];
  for (uint64_t c = 0; c < total; ++c) {
    // refcount 1 in the block's width (16 bits unless asked otherwise)
    unsigned bits = 1u << l.refcount_order;
    uint8_t* b = blocks + (c / per_block) * cs;
    uint64_t i = c % per_block;
    if (bits < 8)
      b[i * bits / 8] |= uint8_t(1u << ((i * bits) % 8));
    else
      b[i * bits / 8 + bits / 8 - 1] = 1;
  }
  if (::ftruncate(fd, 0) < 0 || ::ftruncate(fd, off_t(total * cs)) < 0) return -errno;
  if (int r = pwrite_full(fd, h.data(), h.size(), 0); r < 0) return r;
  if (int r = pwrite_full(fd, meta.data(), meta.size(), cs); r < 0) return r;
  return sync_file(fd);
}

}  // namespace

int create(const std::string& path, const CreateOptions& o, std::string& error) {
  Layout l;
  uint64_t cs = o.cluster_size ? o.cluster_size : 65536;
  if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1))) {
    error = path + ": cluster size must be a power of two between 512 and 2M";
    return -EINVAL;
  }
  l.cluster_bits = unsigned(__builtin_ctzll(cs));
  if (o.compat == "0.10" || o.compat == "v2") {
    l.version = 2;
  } else if (!o.compat.empty() && o.compat != "1.1" && o.compat != "v3") {
    error = path + ": invalid compat value '" + o.compat + "' (0.10 or 1.1)";
    return -EINVAL;
  }
  if (o.refcount_bits == 0 || o.refcount_bits > 64 || (o.refcount_bits & (o.refcount_bits - 1)) ||
      (l.version == 2 && o.refcount_bits != 16)) {
    error = path + ": refcount_bits must be a power of two up to 64 (16 for compat=0.10)";
    return -EINVAL;
  }
  l.refcount_order = unsigned(__builtin_ctz(o.refcount_bits));
  if (o.compression_type == "zstd") {
    l.zstd = true;
  } else if (!o.compression_type.empty() && o.compression_type != "zlib") {
    error = path + ": unknown compression type '" + o.compression_type + "' (zlib or zstd)";
    return -EINVAL;
  }
  l.lazy = o.lazy_refcounts;
  if (l.version == 2 && (l.zstd || l.lazy)) {
    error = path + ": compression_type=zstd and lazy_refcounts need compat=1.1";
    return -EINVAL;
  }
  if (o.preallocation != "off" && o.preallocation != "metadata" && o.preallocation != "full" &&
      o.preallocation != "falloc") {
    error = path + ": invalid preallocation mode '" + o.preallocation + "'";
    return -EINVAL;
  }
  l.size = o.size;
  l.backing_file = o.backing_file;
  l.backing_format = o.backing_format;
  if (!o.backing_file.empty()) {
    std::string resolved = o.backing_file[0] == '/' ? o.backing_file : dir_of(path) + o.backing_file;
    OpenOptions bo;
    bo.read_only = true;
    bo.format = o.backing_format;
    std::string sub;
    auto backing = open_image(resolved, bo, sub);
    if (!backing) {
      error = path + ": cannot open backing file: " + sub;
      return -ENOENT;
    }
    if (l.backing_format.empty()) l.backing_format = backing->format_name();
    if (!l.size) l.size = backing->size();
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return -errno;
  }
  if (int r = lock_image(fd, path, true, error); r < 0) {
    ::close(fd);
    return r;
  }
  if (int r = write_new_image(fd, l, error); r < 0) {
    if (error.empty()) error = std::strerror(-r);
    error = path + ": " + error;
    ::close(fd);
    return r;
  }
  ::close(fd);
  if (o.preallocation != "off") {
    OpenOptions oo;
    oo.format = "qcow2";
    auto img = open_image(path, oo, error);
    if (!img) return -EIO;
    if (int r = static_cast<Image*>(img.get())->preallocate(o.preallocation != "metadata"); r < 0) {
      error = path + ": preallocation failed: " + std::strerror(-r);
      return r;
    }
  }
  return 0;
}

std::unique_ptr<BlockImage> temporary_overlay(std::unique_ptr<BlockImage> backing, std::string& error) {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/mimic-snapshot-XXXXXX";
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) {
    error = tmpl + ": cannot create the -snapshot overlay: " + std::strerror(errno);
    return nullptr;
  }
  ::unlink(tmpl.c_str());
  Layout l;
  l.size = backing->size();
  if (int r = write_new_image(fd, l, error); r < 0) {
    error = tmpl + ": " + (error.empty() ? std::strerror(-r) : error);
    ::close(fd);
    return nullptr;
  }
  auto overlay = std::make_unique<Image>(fd, tmpl, false);
  OpenOptions oo;
  oo.open_backing = false;
  ChainIds chain;
  if (!overlay->open(oo, 0, chain, error)) return nullptr;
  overlay->adopt_backing(std::move(backing));
  return overlay;
}

}  // namespace mimic::hw::block::qcow2
