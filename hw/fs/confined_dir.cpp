#include "hw/fs/confined_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace mimic::hw::fs {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int Node::stat(struct stat& st) const {
  int r = is_root() ? fstatat(dir.get(), "", &st, AT_EMPTY_PATH)
                    : fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW);
  return r < 0 ? -errno : 0;
}

int Node::open(int flags, mode_t mode) const {
  int fd = ::openat(dir.get(), is_root() ? "." : name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  return fd < 0 ? -errno : fd;
}

std::string Node::proc_path(bool& follow) const {
  follow = is_root();
  return is_root() ? fmt::format("/proc/self/fd/{}", dir.get()) : fmt::format("/proc/self/fd/{}/{}", dir.get(), name);
}

bool ConfinedDir::open(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("path={}: {}", path, errno == ENOTDIR ? "not a directory" : strerror(errno));
    return false;
  }
  root_ = UniqueFd(fd);
  return true;
}

namespace {
std::atomic<bool> no_openat2{false};  // set once the kernel answered ENOSYS
}  // namespace

void ConfinedDir::set_openat2(bool on) { no_openat2 = !on; }

int ConfinedDir::open_dir(const std::string& rel, bool readable) const {
  int flags = (readable ? O_RDONLY : O_PATH) | O_DIRECTORY | O_CLOEXEC;
  if (!no_openat2.load(std::memory_order_relaxed)) {
    open_how how{};
    how.flags = uint64_t(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    // EAGAIN: a rename elsewhere raced with the lookup; the kernel asks for a retry.
    for (int attempt = 0; attempt < 16; attempt++) {
      long fd = syscall(SYS_openat2, root_.get(), rel.empty() ? "." : rel.c_str(), &how, sizeof how);
      if (fd >= 0) return int(fd);
      if (errno != EAGAIN) break;
    }
    if (errno != ENOSYS) return -errno;
    no_openat2 = true;
  }
  return walk(rel, flags);
}

int ConfinedDir::walk(const std::string& rel, int flags) const {
  // Each component opened O_NOFOLLOW from its parent's descriptor: a symlink gives ENOTDIR.
  UniqueFd cur(::openat(root_.get(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!cur) return -errno;
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    std::string comp = rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!valid_name(comp)) return -EINVAL;
    UniqueFd next(::openat(cur.get(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return -errno;
    cur = std::move(next);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  int fd = ::openat(cur.get(), ".", flags);
  return fd < 0 ? -errno : fd;
}

int ConfinedDir::resolve(const std::string& rel, Node& node) const {
  int fd = open_dir(rel.empty() ? rel : parent(rel));
  if (fd < 0) return fd;
  node.dir = UniqueFd(fd);
  node.name = basename(rel);
  return 0;
}

bool ConfinedDir::valid_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::string ConfinedDir::join(const std::string& rel, const std::string& name) {
  return rel.empty() ? name : rel + "/" + name;
}

std::string ConfinedDir::parent(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

std::string ConfinedDir::basename(const std::string& rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

bool ConfinedDir::within(const std::string& rel, const std::string& dir) {
  if (dir.empty()) return true;
  return rel == dir || (rel.size() > dir.size() && rel.compare(0, dir.size(), dir) == 0 && rel[dir.size()] == '/');
}

}  // namespace mimic::hw::fs
