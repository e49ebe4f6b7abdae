// QEMU-compatible image locks (see lock.h).
#include "hw/block/lock.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace mimic::hw::block {
namespace {

constexpr int kPermBase = 100, kSharedBase = 200;
constexpr const char* kPermNames[] = {"consistent read", "write", "write unchanged", "resize"};
constexpr unsigned kAllPerms = 0xf, kConsistentRead = 1, kWrite = 2, kWriteUnchanged = 4;

int set_lock(int fd, int byte) {
  struct flock fl {};
  fl.l_type = F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  return ::fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

// Whether some other open file description holds a lock on `byte`.
bool locked_by_other(int fd, int byte) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = byte;
  fl.l_len = 1;
  if (::fcntl(fd, F_OFD_GETLK, &fl) < 0) return false;
  return fl.l_type != F_UNLCK;
}

}  // namespace

int lock_image(int fd, const std::string& path, bool writable, std::string& error) {
  unsigned perms = writable ? kAllPerms : kConsistentRead;
  unsigned shared = writable ? (kConsistentRead | kWriteUnchanged) : (kAllPerms & ~kWrite);
  for (int bit = 0; bit < 4; ++bit) {
    if (perms & (1u << bit)) {
      if (int r = set_lock(fd, kPermBase + bit); r < 0 && r != -EINVAL && r != -ENOTSUP) {
        error = path + ": cannot lock the image: " + std::strerror(-r);
        return r;
      }
    }
    if (!(shared & (1u << bit))) set_lock(fd, kSharedBase + bit);
  }
  for (int bit = 0; bit < 4; ++bit) {
    bool conflict = ((perms & (1u << bit)) && locked_by_other(fd, kSharedBase + bit)) ||
                    (!(shared & (1u << bit)) && locked_by_other(fd, kPermBase + bit));
    if (conflict) {
      error = path + ": failed to get \"" + kPermNames[bit] +
              "\" lock: is another process using the image? (locking=off or -U opens it anyway)";
      return -EAGAIN;
    }
  }
  return 0;
}

}  // namespace mimic::hw::block
