// Where a shared folder keeps the guest's owners, modes and device numbers, as QEMU's
// security_model= defines it:
//   passthrough   the host file gets them (chown/chmod/mknod for real; needs privileges);
//   none          the same, but a failed chown at creation is ignored (unprivileged mimic);
//   mapped-xattr  host files stay the user's (files 0600, directories 0700); the guest's uid, gid,
//                 mode and rdev live in user.virtfs.{uid,gid,mode,rdev} xattrs, and symlinks and
//                 device nodes are regular files (a symlink's target is its content), so nothing
//                 the guest makes is ever a real host symlink or device;
//   mapped-file   as mapped-xattr, the attributes in DIR/.virtfs_metadata/NAME text files
//                 (".virtfs_metadata_root" for the folder itself), hidden from the guest.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

#include "hw/fs/confined_dir.h"

namespace mimic::hw::fs {

enum class SecurityModel { kNone, kPassthrough, kMappedXattr, kMappedFile };
bool parse_security_model(const std::string& text, SecurityModel& out);

// The guest's attributes for a new file: mode includes the type bits.
struct GuestCred {
  uint32_t uid = 0, gid = 0;
  mode_t mode = 0;
  dev_t rdev = 0;
};

class Metadata {
 public:
  static constexpr const char* kMetadataDir = ".virtfs_metadata";
  static constexpr const char* kMetadataRoot = ".virtfs_metadata_root";
  // Host permissions of what mapped models create (QEMU's defaults for fmode= and dmode=).
  static constexpr mode_t kMappedFileMode = 0600, kMappedDirMode = 0700;

  explicit Metadata(SecurityModel model) : model_(model) {}
  SecurityModel model() const { return model_; }
  bool mapped() const { return model_ == SecurityModel::kMappedXattr || model_ == SecurityModel::kMappedFile; }

  // The guest's view of a file: the host's lstat with the stored attributes over it.
  void overlay(const Node& n, struct stat& st) const;
  // Gives a new file the guest's owner and mode. 0 or -errno.
  int created(const Node& n, const GuestCred& c) const;
  // uid/gid of ~0u stay as they are.
  int chown(const Node& n, uint32_t uid, uint32_t gid) const;
  int chmod(const Node& n, mode_t perm) const;
  // mapped-file bookkeeping after the host operation succeeded.
  void renamed(const Node& from, const Node& to) const;
  void linked(const Node& from, const Node& to) const;
  // Before removing `n`: a directory's own (empty) metadata folder goes first.
  void removing(const Node& n, bool dir) const;
  void removed(const Node& n) const;
  // Names the guest never sees nor makes (mapped-file's metadata).
  bool hidden(const std::string& name) const;
  // Extended attributes the guest may not touch (mapped-xattr's own user.virtfs.*).
  bool reserved_xattr(const std::string& name) const;

 private:
  struct Stored {
    std::optional<uint32_t> uid, gid, mode;
    std::optional<uint64_t> rdev;
  };
  Stored load(const Node& n) const;
  int store(const Node& n, const Stored& s) const;
  int load_file(const Node& n, Stored& s) const;
  int store_file(const Node& n, const Stored& s) const;
  SecurityModel model_;
};

// l*xattr through the node's /proc/self/fd path (the last component never followed).
ssize_t node_getxattr(const Node& n, const std::string& name, void* buf, size_t size);
ssize_t node_listxattr(const Node& n, char* buf, size_t size);
int node_setxattr(const Node& n, const std::string& name, const void* buf, size_t size, int flags);
int node_removexattr(const Node& n, const std::string& name);

}  // namespace mimic::hw::fs
