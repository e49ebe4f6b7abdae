// A host folder that nothing resolved through it can leave: paths are relative ("" is the folder
// itself, "a/b" below it), built only from checked names (never "..", never a '/'), and every
// directory on the way is opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS) from the folder's descriptor (a component-by-component O_NOFOLLOW walk
// where the kernel has no openat2). The last component is then used through *at() calls that do
// not follow it either, so a symlink anywhere (made by the host or by the guest, absolute,
// relative or into /proc) is only ever read as a link, never followed by mimic.
#pragma once

#include <sys/stat.h>

#include <string>

namespace mimic::hw::fs {

// An owned descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// One file beneath the folder: the directory holding it (opened confined) and its name there;
// the folder itself is its own directory with an empty name.
struct Node {
  UniqueFd dir;
  std::string name;
  bool is_root() const { return name.empty(); }
  // lstat; 0 or -errno.
  int stat(struct stat& st) const;
  // Opens the file itself (O_NOFOLLOW added); a descriptor or -errno.
  int open(int flags, mode_t mode = 0) const;
  // A path naming the file through /proc/self/fd for the calls that have no *at() form
  // (l*xattr): with `follow` false the last component is not followed; the folder itself is its
  // directory's descriptor, which must then be followed (it is not a symlink, it is the folder).
  std::string proc_path(bool& follow) const;
};

class ConfinedDir {
 public:
  // Opens `path` as the folder; false with `error` naming it when it is not a usable directory.
  bool open(const std::string& path, std::string& error);
  int fd() const { return root_.get(); }

  // The directory `rel` beneath the folder, O_PATH (or readable with `readable`); -errno when a
  // component is missing, not a directory, or a symlink (ELOOP / ENOTDIR).
  int open_dir(const std::string& rel, bool readable = false) const;
  // The node at `rel`; 0 or -errno (from opening its directory).
  int resolve(const std::string& rel, Node& node) const;

  // Tests: resolve with the component-by-component walk as on kernels without openat2.
  static void set_openat2(bool on);

  // One path component the guest may name: not empty, not "." or "..", no '/' or NUL.
  static bool valid_name(const std::string& name);
  static std::string join(const std::string& rel, const std::string& name);
  static std::string parent(const std::string& rel);
  static std::string basename(const std::string& rel);
  // Whether `rel` is `dir` or lies beneath it.
  static bool within(const std::string& rel, const std::string& dir);

 private:
  int walk(const std::string& rel, int flags) const;
  UniqueFd root_;
};

}  // namespace mimic::hw::fs
