// A 9P2000.L file server over one host folder (what QEMU's fsdev "local" driver serves): the
// guest's fids name paths beneath the folder (ConfinedDir), owners and modes go where the
// security model says (Metadata). Transport-independent: virtio-9p hands it one request at a time
// and sends back the reply. Every malformed request (short fields, unknown fids, names with '/',
// counts past the message or the negotiated msize) is answered with Rlerror and an errno.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hw/fs/confined_dir.h"
#include "hw/fs/p9_wire.h"
#include "hw/fs/security_model.h"

namespace mimic::hw::fs {

struct P9Options {
  std::string path;  // path=
  SecurityModel model = SecurityModel::kMappedXattr;
  bool readonly = false;  // readonly=on: every change is EROFS
};

class P9Server {
 public:
  static constexpr uint32_t kMaxMsize = 1 << 20;  // what Rversion offers at most
  static constexpr uint32_t kMinMsize = 4096;     // QEMU's P9_MIN_MSIZE
  static constexpr uint16_t kMaxWalk = 16;        // P9_MAXWELEM

  explicit P9Server(P9Options options);
  ~P9Server();
  // Opens the folder; false with `error` ("path=DIR: No such file or directory").
  bool open(std::string& error);
  // Serves one request of `len` bytes; the reply fits in `max_reply` bytes (at least 11, an
  // Rlerror) and in the negotiated msize.
  void handle(const uint8_t* request, size_t len, size_t max_reply, std::vector<uint8_t>& reply);
  // The transport was reset: every fid is forgotten (open files closed).
  void reset();
  uint32_t msize() const { return msize_; }
  // Whether the guest has the export mounted: from a Tattach until that fid is clunked or
  // removed, or the transport resets (QEMU's rule for its 9p migration blocker). The fids and
  // open files of a mounted export are host state no snapshot can carry.
  bool mounted() const { return mounted_.load(); }
  const std::string& path() const { return options_.path; }

 private:
  struct Fid;
  // Each returns 0 or a positive errno for Rlerror.
  int dispatch(uint8_t type, p9::Reader& r, p9::Writer& w, size_t max_reply);
  int version(p9::Reader& r, p9::Writer& w);
  int attach(p9::Reader& r, p9::Writer& w);
  int walk(p9::Reader& r, p9::Writer& w);
  int lopen(p9::Reader& r, p9::Writer& w);
  int lcreate(p9::Reader& r, p9::Writer& w);
  int make_node(uint8_t type, p9::Reader& r, p9::Writer& w);  // symlink, mknod, mkdir
  int rename(p9::Reader& r, p9::Writer& w);
  int renameat(p9::Reader& r, p9::Writer& w);
  int unlinkat(p9::Reader& r, p9::Writer& w);
  int remove(p9::Reader& r, p9::Writer& w);
  int link(p9::Reader& r, p9::Writer& w);
  int readlink(p9::Reader& r, p9::Writer& w, size_t max_reply);
  int getattr(p9::Reader& r, p9::Writer& w);
  int setattr(p9::Reader& r, p9::Writer& w);
  int xattrwalk(p9::Reader& r, p9::Writer& w);
  int xattrcreate(p9::Reader& r, p9::Writer& w);
  int readdir(p9::Reader& r, p9::Writer& w, size_t max_reply);
  int read(p9::Reader& r, p9::Writer& w, size_t max_reply);
  int write(p9::Reader& r, p9::Writer& w);
  int fsync(p9::Reader& r, p9::Writer& w);
  int lock(p9::Reader& r, p9::Writer& w);
  int getlock(p9::Reader& r, p9::Writer& w);
  int statfs(p9::Reader& r, p9::Writer& w);
  int clunk(p9::Reader& r, p9::Writer& w);

  Fid* find(uint32_t fid);
  // Drops a clunked or removed fid.
  void forget(uint32_t fid);
  // The node a fid names, with its guest-visible stat; 0 or errno.
  int stat_path(const std::string& path, Node& node, struct stat& st);
  int qid_of(const std::string& path, p9::Qid& qid);
  // The directory `dfid` names and a new `name` in it, for the calls that create.
  int new_entry(uint32_t dfid, const std::string& name, Node& node, Fid** dir = nullptr);
  int commit_xattr(Fid& f);
  // After a rename: fids beneath `from` now name the same files beneath `to`.
  void moved(const std::string& from, const std::string& to);

  P9Options options_;
  ConfinedDir root_;
  Metadata metadata_;
  std::mutex mutex_;  // handle() and reset() come from different threads
  std::map<uint32_t, std::unique_ptr<Fid>> fids_;
  uint32_t msize_ = 8192;
  uint32_t root_fid_ = p9::kNoFid;  // the fid of the last Tattach
  std::atomic<bool> mounted_{false};
};

p9::Qid qid_from_stat(const struct stat& st);

}  // namespace mimic::hw::fs
