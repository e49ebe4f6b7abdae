// The format-independent half of the block layer: defaults for formats without a feature,
// probing, open_image() (which picks the driver, takes the lock and builds -snapshot's overlay)
// and create_image().
#include "hw/block/block.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>
#include <vector>

#include "hw/block/file.h"
#include "hw/block/formats.h"
#include "hw/block/lock.h"
#include "hw/block/qcow2.h"

namespace mimic::hw::block {

int BlockImage::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  static const std::vector<uint8_t> zeroes(1 << 20);
  while (len > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(len, zeroes.size()));
    if (int r = write(offset, zeroes.data(), chunk); r < 0) return r;
    offset += chunk;
    len -= chunk;
  }
  return 0;
}

int BlockImage::block_status(uint64_t offset, uint64_t len, BlockStatus& st) {
  if (offset > size() || len > size() - offset || len == 0) return -EINVAL;
  st = {BlockStatus::kData, len, UINT64_MAX};
  return 0;
}

namespace {
int unsupported(const BlockImage& image, const char* what, std::string& error) {
  error = std::string("the ") + image.format_name() + " format does not support " + what;
  return -ENOTSUP;
}
}  // namespace

int BlockImage::resize(uint64_t, bool, std::string& error) { return unsupported(*this, "resizing", error); }
int BlockImage::snapshot_create(const std::string&, std::string& error) {
  return unsupported(*this, "internal snapshots", error);
}
std::string human_size(uint64_t n) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = double(n);
  int u = 0;
  while (v >= 1024 && u < 6) v /= 1024, ++u;
  if (u == 0) return fmt::format("{} B", n);
  std::string s = fmt::format("{:.3g}", v);
  return s + " " + units[u];
}

std::string snapshot_line(const SnapshotInfo& s) {
  time_t t = time_t(s.date_sec);
  tm tmv{};
  localtime_r(&t, &tmv);
  char date[32];
  strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tmv);
  uint64_t secs = s.vm_clock_nsec / 1000000000ull;
  std::string clock = fmt::format("{:02}:{:02}:{:02}.{:03}", secs / 3600, (secs / 60) % 60, secs % 60,
                                  (s.vm_clock_nsec / 1000000) % 1000);
  return fmt::format("{:<9} {:<16} {:>8}{:>20}{:>13}{:>11}", s.id, s.name, human_size(s.vm_state_size), date, clock,
                     s.icount == UINT64_MAX ? "" : std::to_string(s.icount));
}

int BlockImage::snapshot_create_vm(const std::string&, uint64_t, uint64_t, std::string& error) {
  return unsupported(*this, "internal snapshots", error);
}
int BlockImage::snapshot_apply(const std::string&, std::string& error) {
  return unsupported(*this, "internal snapshots", error);
}
int BlockImage::snapshot_delete(const std::string&, std::string& error) {
  return unsupported(*this, "internal snapshots", error);
}
int BlockImage::set_backing_file(const std::string&, const std::string&, std::string& error) {
  return unsupported(*this, "backing files", error);
}

void report_problem(const std::string& line) {
  static std::mutex mu;
  static std::set<std::string> seen;
  std::lock_guard g(mu);
  if (seen.size() < 1000 && seen.insert(line).second) std::fprintf(stderr, "mimic: %s\n", line.c_str());
}

std::string probe_format(const uint8_t* head, size_t len) {
  if (len >= 4 && be32(head) == qcow2::kMagic) return "qcow2";
  if (len >= 4 && le32(head) == 0x564d444b) return "vmdk";  // "KDMV"
  if (len >= 68 && le32(head + 64) == 0xbeda107f) return "vdi";
  if (len >= 20 && std::memcmp(head, "# Disk DescriptorFile", 21) == 0) return "vmdk";
  return "raw";
}

std::unique_ptr<BlockImage> open_in_chain(const std::string& path, const OpenOptions& options, int depth,
                                          ChainIds& chain, std::string& error) {
  int flags = (options.read_only || options.snapshot ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0) chain.push_back({st.st_dev, st.st_ino});
  if (options.lock) {
    if (lock_image(fd, path, !(options.read_only || options.snapshot), error) < 0) {
      ::close(fd);
      return nullptr;
    }
  }
  std::string format = options.format;
  if (format.empty()) {
    uint8_t head[512] = {};
    pread_full(fd, head, sizeof(head), 0);
    format = probe_format(head, sizeof(head));
  }
  OpenOptions opts = options;
  if (opts.snapshot) opts.read_only = true;
  std::unique_ptr<BlockImage> image;
  if (format == "raw") {
    // cache=none bypasses the page cache for raw images only: the other formats' table I/O is
    // not sector-aligned, and their data goes through their own caches anyway.
    if (options.direct && ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_DIRECT) < 0) {
      error = path + ": cache=none: the file system does not support O_DIRECT";
      ::close(fd);
      return nullptr;
    }
    image = open_raw(fd, path, opts.read_only, error);
  } else if (format == "qcow2") {
    image = qcow2::open(fd, path, opts, depth, chain, error);
  } else if (format == "vdi") {
    image = vdi::open(fd, path, opts.read_only, error);
  } else if (format == "vmdk") {
    image = vmdk::open(fd, path, opts, error);
  } else {
    ::close(fd);
    error = path + ": unknown image format '" + format + "' (raw, qcow2, vmdk or vdi)";
    return nullptr;
  }
  if (image && options.snapshot) return qcow2::temporary_overlay(std::move(image), error);
  return image;
}

std::unique_ptr<BlockImage> open_image(const std::string& path, const OpenOptions& options, std::string& error) {
  ChainIds chain;
  return open_in_chain(path, options, 0, chain, error);
}

int create_image(const std::string& path, const CreateOptions& options, std::string& error) {
  if (options.format == "qcow2") return qcow2::create(path, options, error);
  if (options.format == "vdi") return vdi::create(path, options, error);
  if (options.format == "vmdk") return vmdk::create(path, options, error);
  if (options.format != "raw") {
    error = path + ": unknown image format '" + options.format + "' (raw, qcow2, vmdk or vdi)";
    return -EINVAL;
  }
  if (!options.backing_file.empty()) {
    error = path + ": the raw format does not support backing files";
    return -EINVAL;
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
  int r = 0;
  if (::ftruncate(fd, 0) < 0 || ::ftruncate(fd, off_t(options.size)) < 0) r = -errno;
  if (!r && (options.preallocation == "falloc" || options.preallocation == "full") && options.size &&
      ::posix_fallocate(fd, 0, off_t(options.size)) != 0)
    r = -ENOSPC;
  if (r < 0) error = path + ": " + std::strerror(-r);
  ::close(fd);
  return r;
}

}  // namespace mimic::hw::block
