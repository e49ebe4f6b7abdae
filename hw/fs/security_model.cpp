#include "hw/fs/security_model.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace mimic::hw::fs {

bool parse_security_model(const std::string& text, SecurityModel& out) {
  if (text == "none")
    out = SecurityModel::kNone;
  else if (text == "passthrough")
    out = SecurityModel::kPassthrough;
  else if (text == "mapped-xattr" || text == "mapped")
    out = SecurityModel::kMappedXattr;
  else if (text == "mapped-file")
    out = SecurityModel::kMappedFile;
  else
    return false;
  return true;
}

ssize_t node_getxattr(const Node& n, const std::string& name, void* buf, size_t size) {
  bool follow;
  std::string p = n.proc_path(follow);
  ssize_t r = follow ? getxattr(p.c_str(), name.c_str(), buf, size) : lgetxattr(p.c_str(), name.c_str(), buf, size);
  return r < 0 ? -errno : r;
}

ssize_t node_listxattr(const Node& n, char* buf, size_t size) {
  bool follow;
  std::string p = n.proc_path(follow);
  ssize_t r = follow ? listxattr(p.c_str(), buf, size) : llistxattr(p.c_str(), buf, size);
  return r < 0 ? -errno : r;
}

int node_setxattr(const Node& n, const std::string& name, const void* buf, size_t size, int flags) {
  bool follow;
  std::string p = n.proc_path(follow);
  int r = follow ? setxattr(p.c_str(), name.c_str(), buf, size, flags)
                 : lsetxattr(p.c_str(), name.c_str(), buf, size, flags);
  return r < 0 ? -errno : 0;
}

int node_removexattr(const Node& n, const std::string& name) {
  bool follow;
  std::string p = n.proc_path(follow);
  int r = follow ? removexattr(p.c_str(), name.c_str()) : lremovexattr(p.c_str(), name.c_str());
  return r < 0 ? -errno : 0;
}

namespace {
// mapped-xattr's values: little-endian u32 (uid, gid, mode) and u64 (rdev), as QEMU stores them.
template <typename T>
std::optional<T> get_le(const Node& n, const char* name) {
  uint8_t b[sizeof(T)];
  if (node_getxattr(n, name, b, sizeof b) != ssize_t(sizeof b)) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof b; i++) v |= uint64_t(b[i]) << (8 * i);
  return T(v);
}

template <typename T>
int set_le(const Node& n, const char* name, T v) {
  uint8_t b[sizeof(T)];
  for (size_t i = 0; i < sizeof b; i++) b[i] = uint8_t(uint64_t(v) >> (8 * i));
  return node_setxattr(n, name, b, sizeof b, 0);
}

// mapped-file: the directory holding a node's metadata file, and that file's name in it.
int metadata_dir(const Node& n, bool create) {
  if (n.is_root()) return ::openat(n.dir.get(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (create && mkdirat(n.dir.get(), Metadata::kMetadataDir, 0700) < 0 && errno != EEXIST) return -1;
  return ::openat(n.dir.get(), Metadata::kMetadataDir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

const char* metadata_name(const Node& n) { return n.is_root() ? Metadata::kMetadataRoot : n.name.c_str(); }
}  // namespace

int Metadata::load_file(const Node& n, Stored& s) const {
  UniqueFd dir(metadata_dir(n, false));
  if (!dir) return -errno;
  UniqueFd f(::openat(dir.get(), metadata_name(n), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!f) return -errno;
  char buf[512];
  ssize_t len = read(f.get(), buf, sizeof buf - 1);
  if (len < 0) return -errno;
  buf[len] = 0;
  for (char* line = strtok(buf, "\n"); line; line = strtok(nullptr, "\n")) {
    char* eq = strchr(line, '=');
    if (!eq) continue;
    *eq = 0;
    uint64_t v = strtoull(eq + 1, nullptr, 10);
    if (!strcmp(line, "virtfs.uid"))
      s.uid = uint32_t(v);
    else if (!strcmp(line, "virtfs.gid"))
      s.gid = uint32_t(v);
    else if (!strcmp(line, "virtfs.mode"))
      s.mode = uint32_t(v);
    else if (!strcmp(line, "virtfs.rdev"))
      s.rdev = v;
  }
  return 0;
}

int Metadata::store_file(const Node& n, const Stored& s) const {
  Stored merged;
  load_file(n, merged);
  if (s.uid) merged.uid = s.uid;
  if (s.gid) merged.gid = s.gid;
  if (s.mode) merged.mode = s.mode;
  if (s.rdev) merged.rdev = s.rdev;
  UniqueFd dir(metadata_dir(n, true));
  if (!dir) return -errno;
  UniqueFd f(::openat(dir.get(), metadata_name(n), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!f) return -errno;
  std::string text;
  if (merged.uid) text += fmt::format("virtfs.uid={}\n", *merged.uid);
  if (merged.gid) text += fmt::format("virtfs.gid={}\n", *merged.gid);
  if (merged.mode) text += fmt::format("virtfs.mode={}\n", *merged.mode);
  if (merged.rdev) text += fmt::format("virtfs.rdev={}\n", *merged.rdev);
  return write(f.get(), text.data(), text.size()) == ssize_t(text.size()) ? 0 : -EIO;
}

Metadata::Stored Metadata::load(const Node& n) const {
  Stored s;
  if (model_ == SecurityModel::kMappedXattr) {
    s.uid = get_le<uint32_t>(n, "user.virtfs.uid");
    s.gid = get_le<uint32_t>(n, "user.virtfs.gid");
    s.mode = get_le<uint32_t>(n, "user.virtfs.mode");
    s.rdev = get_le<uint64_t>(n, "user.virtfs.rdev");
  } else if (model_ == SecurityModel::kMappedFile) {
    load_file(n, s);
  }
  return s;
}

int Metadata::store(const Node& n, const Stored& s) const {
  if (model_ == SecurityModel::kMappedFile) return store_file(n, s);
  int r = 0;
  if (s.uid && (r = set_le<uint32_t>(n, "user.virtfs.uid", *s.uid)) < 0) return r;
  if (s.gid && (r = set_le<uint32_t>(n, "user.virtfs.gid", *s.gid)) < 0) return r;
  if (s.mode && (r = set_le<uint32_t>(n, "user.virtfs.mode", *s.mode)) < 0) return r;
  if (s.rdev && (r = set_le<uint64_t>(n, "user.virtfs.rdev", *s.rdev)) < 0) return r;
  return 0;
}

void Metadata::overlay(const Node& n, struct stat& st) const {
  if (!mapped()) return;
  Stored s = load(n);
  if (s.uid) st.st_uid = *s.uid;
  if (s.gid) st.st_gid = *s.gid;
  if (s.mode) st.st_mode = *s.mode;
  if (s.rdev) st.st_rdev = *s.rdev;
}

namespace {
// chmod of the node itself, never of what a symlink names: an O_PATH descriptor of the node,
// then chmod through its /proc link (which names exactly that inode).
int chmod_nofollow(const Node& n, mode_t perm) {
  int fd = n.open(O_PATH);
  if (fd < 0) return fd;
  UniqueFd f(fd);
  struct stat st;
  if (fstat(fd, &st) < 0) return -errno;
  if (S_ISLNK(st.st_mode)) return -EOPNOTSUPP;
  return ::chmod(fmt::format("/proc/self/fd/{}", fd).c_str(), perm) < 0 ? -errno : 0;
}
}  // namespace

int Metadata::created(const Node& n, const GuestCred& c) const {
  if (mapped()) {
    Stored s;
    s.uid = c.uid;
    s.gid = c.gid;
    s.mode = uint32_t(c.mode);
    s.rdev = uint64_t(c.rdev);
    return store(n, s);
  }
  const char* name = n.is_root() ? "" : n.name.c_str();
  if (fchownat(n.dir.get(), name, c.uid, c.gid, AT_SYMLINK_NOFOLLOW) < 0 && model_ == SecurityModel::kPassthrough)
    return -errno;
  if (S_ISLNK(c.mode)) return 0;
  return chmod_nofollow(n, c.mode & 07777);
}

int Metadata::chown(const Node& n, uint32_t uid, uint32_t gid) const {
  if (mapped()) {
    Stored s;
    if (uid != ~0u) s.uid = uid;
    if (gid != ~0u) s.gid = gid;
    return store(n, s);
  }
  int flags = AT_SYMLINK_NOFOLLOW | (n.is_root() ? AT_EMPTY_PATH : 0);
  return fchownat(n.dir.get(), n.is_root() ? "" : n.name.c_str(), uid, gid, flags) < 0 ? -errno : 0;
}

int Metadata::chmod(const Node& n, mode_t perm) const {
  if (!mapped()) return chmod_nofollow(n, perm & 07777);
  struct stat st;
  int r = n.stat(st);
  if (r < 0) return r;
  overlay(n, st);
  Stored s;
  s.mode = uint32_t((st.st_mode & S_IFMT) | (perm & 07777));
  return store(n, s);
}

bool Metadata::hidden(const std::string& name) const {
  return model_ == SecurityModel::kMappedFile && (name == kMetadataDir || name == kMetadataRoot);
}

bool Metadata::reserved_xattr(const std::string& name) const {
  return model_ == SecurityModel::kMappedXattr && name.rfind("user.virtfs.", 0) == 0;
}

void Metadata::renamed(const Node& from, const Node& to) const {
  if (model_ != SecurityModel::kMappedFile) return;
  UniqueFd fd(metadata_dir(from, false));
  if (!fd) return;
  UniqueFd td(metadata_dir(to, true));
  if (td) renameat(fd.get(), metadata_name(from), td.get(), metadata_name(to));
}

void Metadata::linked(const Node& from, const Node& to) const {
  if (model_ != SecurityModel::kMappedFile) return;
  UniqueFd fd(metadata_dir(from, false));
  if (!fd) return;
  UniqueFd td(metadata_dir(to, true));
  if (td) linkat(fd.get(), metadata_name(from), td.get(), metadata_name(to), 0);
}

void Metadata::removing(const Node& n, bool dir) const {
  if (model_ != SecurityModel::kMappedFile || !dir || n.is_root()) return;
  UniqueFd d(::openat(n.dir.get(), n.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (d) unlinkat(d.get(), kMetadataDir, AT_REMOVEDIR);
}

void Metadata::removed(const Node& n) const {
  if (model_ != SecurityModel::kMappedFile) return;
  UniqueFd d(metadata_dir(n, false));
  if (d) unlinkat(d.get(), metadata_name(n), 0);
}

}  // namespace mimic::hw::fs
