// Positioned whole-buffer I/O on image files.
#include "hw/block/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace mimic::hw::block {

int pread_full(int fd, void* buf, size_t len, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pread(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) {
      std::memset(p, 0, len);
      return 0;
    }
    p += n, offset += uint64_t(n), len -= size_t(n);
  }
  return 0;
}

int pwrite_full(int fd, const void* buf, size_t len, uint64_t offset) {
  auto* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pwrite(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    p += n, offset += uint64_t(n), len -= size_t(n);
  }
  return 0;
}

int sync_file(int fd) { return ::fdatasync(fd) < 0 ? -errno : 0; }

int64_t file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) return -errno;
  return st.st_size;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

}  // namespace mimic::hw::block
