// 9P2000.L as Linux's v9fs speaks it (the message layouts are those of the Linux 9p docs and
// include/net/9p/9p.h); where the protocol leaves room, QEMU's hw/9pfs behaviour is the model.
#include "hw/fs/p9_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace mimic::hw::fs {

using p9::Reader;
using p9::Writer;

struct P9Server::Fid {
  std::string path;  // beneath the folder ("" = the folder)
  uint32_t uid = 0;  // the attaching user (n_uname): owner of what this fid creates
  UniqueFd fd;       // after lopen/lcreate
  bool opened = false, is_dir = false;
  DIR* dir = nullptr;  // readdir's stream over a dup of fd
  // xattrwalk: the value (or name list) read through Tread; xattrcreate: the value being written.
  enum class Xattr { kNo, kRead, kCreate } xattr = Xattr::kNo;
  std::string xattr_name;
  std::vector<uint8_t> xattr_value;
  uint64_t xattr_copied = 0;
  int xattr_flags = 0;
  ~Fid() {
    if (dir) closedir(dir);
  }
};

namespace {
constexpr uint32_t kV9fsMagic = 0x01021997;
constexpr size_t kXattrSizeMax = 65536;  // Linux's XATTR_SIZE_MAX
// 9P2000.L open flags (the Linux generic O_* values; translated, the host's may differ).
constexpr uint32_t kDotlAccMode = 3, kDotlExcl = 0200, kDotlTrunc = 01000, kDotlAppend = 02000, kDotlDsync = 010000,
                   kDotlSync = 04000000;
// Tsetattr's valid bits.
constexpr uint32_t kAttrMode = 1, kAttrUid = 2, kAttrGid = 4, kAttrSize = 8, kAttrAtime = 0x10, kAttrMtime = 0x20,
                   kAttrAtimeSet = 0x80, kAttrMtimeSet = 0x100;
constexpr uint64_t kGetattrBasic = 0x7ff;
constexpr uint32_t kRemoveDir = 0x200;  // Tunlinkat's AT_REMOVEDIR
constexpr uint8_t kLockSuccess = 0, kLockTypeUnlock = 2;

int host_open_flags(uint32_t f) {
  int acc = int(f & kDotlAccMode);
  int flags = acc == 1 ? O_WRONLY : acc == 2 ? O_RDWR : O_RDONLY;
  if (f & kDotlTrunc) flags |= O_TRUNC;
  if (f & kDotlAppend) flags |= O_APPEND;
  if ((f & kDotlSync) == kDotlSync)
    flags |= O_SYNC;
  else if (f & kDotlDsync)
    flags |= O_DSYNC;
  return flags;  // O_DIRECT, O_NOATIME, O_ASYNC are dropped as QEMU drops them
}

bool writes(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC); }
}  // namespace

p9::Qid qid_from_stat(const struct stat& st) {
  p9::Qid q;
  q.type = S_ISDIR(st.st_mode) ? p9::kQtDir : S_ISLNK(st.st_mode) ? p9::kQtSymlink : p9::kQtFile;
  q.version = uint32_t(st.st_mtime ^ (st.st_size << 8));
  q.path = uint64_t(st.st_ino);
  return q;
}

P9Server::P9Server(P9Options options) : options_(std::move(options)), metadata_(options_.model) {}
P9Server::~P9Server() = default;

bool P9Server::open(std::string& error) { return root_.open(options_.path, error); }

void P9Server::reset() {
  std::lock_guard lock(mutex_);
  fids_.clear();
  root_fid_ = p9::kNoFid;
  mounted_ = false;
}

void P9Server::forget(uint32_t fid) {
  fids_.erase(fid);
  if (fid == root_fid_) {  // the client unmounted
    root_fid_ = p9::kNoFid;
    mounted_ = false;
  }
}

P9Server::Fid* P9Server::find(uint32_t fid) {
  auto it = fids_.find(fid);
  return it == fids_.end() ? nullptr : it->second.get();
}

void P9Server::handle(const uint8_t* request, size_t len, size_t max_reply, std::vector<uint8_t>& reply) {
  std::lock_guard lock(mutex_);
  Reader header(request, len);
  uint32_t size = header.u32();
  uint8_t type = header.u8();
  uint16_t tag = header.u16();
  if (header.failed() || size < p9::kHeaderSize || size > len) {
    p9::error_reply(reply, tag, EINVAL);
    return;
  }
  size_t limit = std::min<size_t>(max_reply, msize_);
  if (type == p9::kTversion) limit = max_reply;
  Reader body(request + p9::kHeaderSize, size - p9::kHeaderSize);
  Writer w(reply, uint8_t(type + 1), tag);
  int err = dispatch(type, body, w, limit);
  if (!err && reply.size() > limit) err = EMSGSIZE;
  if (err) {
    p9::error_reply(reply, tag, uint32_t(err));
    return;
  }
  w.finish();
}

int P9Server::dispatch(uint8_t type, Reader& r, Writer& w, size_t max_reply) {
  switch (type) {
    case p9::kTversion: return version(r, w);
    case p9::kTattach: return attach(r, w);
    case p9::kTwalk: return walk(r, w);
    case p9::kTlopen: return lopen(r, w);
    case p9::kTlcreate: return lcreate(r, w);
    case p9::kTsymlink:
    case p9::kTmknod:
    case p9::kTmkdir: return make_node(type, r, w);
    case p9::kTrename: return rename(r, w);
    case p9::kTrenameat: return renameat(r, w);
    case p9::kTunlinkat: return unlinkat(r, w);
    case p9::kTremove: return remove(r, w);
    case p9::kTlink: return link(r, w);
    case p9::kTreadlink: return readlink(r, w, max_reply);
    case p9::kTgetattr: return getattr(r, w);
    case p9::kTsetattr: return setattr(r, w);
    case p9::kTxattrwalk: return xattrwalk(r, w);
    case p9::kTxattrcreate: return xattrcreate(r, w);
    case p9::kTreaddir: return readdir(r, w, max_reply);
    case p9::kTread: return read(r, w, max_reply);
    case p9::kTwrite: return write(r, w);
    case p9::kTfsync: return fsync(r, w);
    case p9::kTlock: return lock(r, w);
    case p9::kTgetlock: return getlock(r, w);
    case p9::kTstatfs: return statfs(r, w);
    case p9::kTclunk: return clunk(r, w);
    case p9::kTflush:
      // Requests are served in order, one at a time: the flushed one has been answered already.
      r.u16();
      return r.failed() ? EINVAL : 0;
    default: return EOPNOTSUPP;  // Tauth, the legacy 9P2000(.u) messages, Rlerror sent as a request
  }
}

int P9Server::stat_path(const std::string& path, Node& node, struct stat& st) {
  int e = root_.resolve(path, node);
  if (!e) e = node.stat(st);
  if (e) return -e;
  metadata_.overlay(node, st);
  return 0;
}

int P9Server::qid_of(const std::string& path, p9::Qid& qid) {
  Node node;
  struct stat st;
  int e = stat_path(path, node, st);
  if (!e) qid = qid_from_stat(st);
  return e;
}

int P9Server::new_entry(uint32_t dfid, const std::string& name, Node& node, Fid** dir) {
  Fid* d = find(dfid);
  if (!d || d->xattr != Fid::Xattr::kNo) return ENOENT;
  if (!ConfinedDir::valid_name(name)) return name == "." || name == ".." ? EEXIST : EINVAL;
  if (metadata_.hidden(name)) return EACCES;
  if (options_.readonly) return EROFS;
  int fd = root_.open_dir(d->path);
  if (fd < 0) return -fd;
  node.dir = UniqueFd(fd);
  node.name = name;
  if (dir) *dir = d;
  return 0;
}

// ---- session ----

int P9Server::version(Reader& r, Writer& w) {
  uint32_t msize = r.u32();
  std::string version = r.str();
  if (r.failed()) return EINVAL;
  if (msize < kMinMsize) return EMSGSIZE;
  fids_.clear();  // a new session
  msize_ = std::min(msize, kMaxMsize);
  w.u32(msize_);
  w.str(version.rfind("9P2000.L", 0) == 0 ? "9P2000.L" : "unknown");
  return 0;
}

int P9Server::attach(Reader& r, Writer& w) {
  uint32_t fid = r.u32();
  r.u32();  // afid: no authentication
  r.str();  // uname
  r.str();  // aname: the folder is the export, whatever the guest names
  uint32_t n_uname = r.u32();
  if (r.failed()) return EINVAL;
  if (find(fid)) return EEXIST;
  p9::Qid qid;
  if (int e = qid_of("", qid)) return e;
  auto f = std::make_unique<Fid>();
  f->uid = n_uname == p9::kNoFid ? 0 : n_uname;
  fids_[fid] = std::move(f);
  root_fid_ = fid;
  mounted_ = true;
  w.qid(qid);
  return 0;
}

int P9Server::walk(Reader& r, Writer& w) {
  uint32_t fid = r.u32(), newfid = r.u32();
  uint16_t n = r.u16();
  if (n > kMaxWalk) return EINVAL;
  std::vector<std::string> names(n);
  for (auto& s : names) s = r.str();
  if (r.failed()) return EINVAL;
  Fid* from = find(fid);
  if (!from || from->xattr != Fid::Xattr::kNo) return ENOENT;
  if (newfid != fid && find(newfid)) return EEXIST;
  std::string path = from->path;
  std::vector<p9::Qid> qids;
  for (const std::string& name : names) {
    std::string next;
    bool legal = true;
    if (name == "..")
      next = ConfinedDir::parent(path);  // the folder is its own parent
    else if (name == ".")
      next = path;
    else if (!ConfinedDir::valid_name(name) || metadata_.hidden(name))
      legal = false;
    else
      next = ConfinedDir::join(path, name);
    p9::Qid qid;
    int e = legal ? qid_of(next, qid) : ENOENT;
    if (e) {
      if (qids.empty()) return e;
      break;
    }
    qids.push_back(qid);
    path = next;
  }
  if (qids.size() == n) {
    auto f = std::make_unique<Fid>();
    f->path = path;
    f->uid = from->uid;
    fids_[newfid] = std::move(f);  // replaces `fid` itself when newfid == fid
  }
  w.u16(uint16_t(qids.size()));
  for (const p9::Qid& q : qids) w.qid(q);
  return 0;
}

int P9Server::clunk(Reader& r, Writer&) {
  uint32_t fid = r.u32();
  if (r.failed()) return EINVAL;
  auto it = fids_.find(fid);
  if (it == fids_.end()) return ENOENT;
  std::unique_ptr<Fid> f = std::move(it->second);
  forget(fid);
  return f->xattr == Fid::Xattr::kCreate ? commit_xattr(*f) : 0;
}

// ---- opening, reading, writing ----

int P9Server::lopen(Reader& r, Writer& w) {
  uint32_t fid = r.u32(), flags = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  if (f->opened) return EBADF;
  Node node;
  struct stat st;
  if (int e = stat_path(f->path, node, st)) return e;
  int hflags = host_open_flags(flags);
  if (options_.readonly && writes(hflags)) return EROFS;
  int fd;
  if (S_ISDIR(st.st_mode)) {
    if (writes(hflags)) return EISDIR;
    fd = root_.open_dir(f->path, true);
  } else {
    struct stat host;
    if (int e = node.stat(host)) return -e;
    // The guest's kernel serves its own devices, FIFOs and sockets: the server opens only
    // regular files (a host FIFO would block this thread, a host device is outside the folder).
    if (!S_ISREG(host.st_mode)) return S_ISLNK(host.st_mode) ? ELOOP : ENXIO;
    fd = node.open(hflags);
  }
  if (fd < 0) return -fd;
  f->fd = UniqueFd(fd);
  f->opened = true;
  f->is_dir = S_ISDIR(st.st_mode);
  w.qid(qid_from_stat(st));
  w.u32(0);  // iounit: the client uses msize
  return 0;
}

int P9Server::lcreate(Reader& r, Writer& w) {
  uint32_t dfid = r.u32();
  std::string name = r.str();
  uint32_t flags = r.u32(), mode = r.u32(), gid = r.u32();
  if (r.failed()) return EINVAL;
  Node node;
  Fid* d;
  if (int e = new_entry(dfid, name, node, &d)) return e;
  if (d->opened) return EBADF;
  int hflags = host_open_flags(flags) | O_CREAT | ((flags & kDotlExcl) ? O_EXCL : 0);
  mode_t host_mode = metadata_.mapped() ? Metadata::kMappedFileMode : (mode & 07777);
  int fd = node.open(hflags, host_mode);
  if (fd < 0) return -fd;
  UniqueFd file(fd);
  if (int e = metadata_.created(node, {d->uid, gid, mode_t(S_IFREG | (mode & 07777)), 0})) {
    ::unlinkat(node.dir.get(), name.c_str(), 0);
    return -e;
  }
  struct stat st;
  if (fstat(fd, &st) < 0) return errno;
  metadata_.overlay(node, st);
  d->path = ConfinedDir::join(d->path, name);
  d->fd = std::move(file);
  d->opened = true;
  d->is_dir = false;
  w.qid(qid_from_stat(st));
  w.u32(0);
  return 0;
}

int P9Server::read(Reader& r, Writer& w, size_t max_reply) {
  uint32_t fid = r.u32();
  uint64_t offset = r.u64();
  uint32_t count = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  size_t room = max_reply > p9::kHeaderSize + 4 ? max_reply - p9::kHeaderSize - 4 : 0;
  count = uint32_t(std::min<uint64_t>(count, room));
  if (f->xattr == Fid::Xattr::kRead) {
    uint64_t avail = offset < f->xattr_value.size() ? f->xattr_value.size() - offset : 0;
    uint32_t n = uint32_t(std::min<uint64_t>(count, avail));
    w.u32(n);
    if (n) w.bytes(f->xattr_value.data() + offset, n);
    return 0;
  }
  if (!f->opened || f->xattr != Fid::Xattr::kNo) return EBADF;
  if (f->is_dir) return EISDIR;
  if (offset > uint64_t(INT64_MAX)) return EINVAL;
  size_t at = w.size();
  w.u32(0);
  size_t data = w.reserve(count);
  ssize_t n = pread(f->fd.get(), w.at(data), count, off_t(offset));
  if (n < 0) return errno;
  w.truncate(data + size_t(n));
  for (int i = 0; i < 4; i++) w.at(at)[i] = uint8_t(uint32_t(n) >> (8 * i));
  return 0;
}

int P9Server::write(Reader& r, Writer& w) {
  uint32_t fid = r.u32();
  uint64_t offset = r.u64();
  uint32_t count = r.u32();
  const uint8_t* data = r.bytes(count);
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  if (f->xattr == Fid::Xattr::kCreate) {
    if (offset > f->xattr_value.size() || count > f->xattr_value.size() - offset) return ENOSPC;
    memcpy(f->xattr_value.data() + offset, data, count);
    f->xattr_copied += count;
    w.u32(count);
    return 0;
  }
  if (!f->opened || f->is_dir || f->xattr != Fid::Xattr::kNo) return EBADF;
  if (options_.readonly) return EROFS;
  if (offset > uint64_t(INT64_MAX)) return EINVAL;
  ssize_t n = pwrite(f->fd.get(), data, count, off_t(offset));
  if (n < 0) return errno;
  w.u32(uint32_t(n));
  return 0;
}

int P9Server::fsync(Reader& r, Writer&) {
  uint32_t fid = r.u32();
  uint32_t datasync = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  if (!f->opened) return EBADF;
  return (datasync ? fdatasync(f->fd.get()) : ::fsync(f->fd.get())) < 0 ? errno : 0;
}

int P9Server::readdir(Reader& r, Writer& w, size_t max_reply) {
  uint32_t fid = r.u32();
  uint64_t offset = r.u64();
  uint32_t count = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  if (!f->opened || !f->is_dir) return ENOTDIR;
  if (!f->dir) {
    int fd = dup(f->fd.get());
    if (fd < 0) return errno;
    f->dir = fdopendir(fd);
    if (!f->dir) {
      int e = errno;
      close(fd);
      return e;
    }
  }
  size_t room = max_reply > p9::kHeaderSize + 4 ? max_reply - p9::kHeaderSize - 4 : 0;
  size_t limit = std::min<size_t>(count, room);
  // The offset is the previous entry's telldir() cookie (0: the start).
  if (offset == 0)
    rewinddir(f->dir);
  else
    seekdir(f->dir, long(offset));
  size_t at = w.size();
  w.u32(0);
  size_t used = 0;
  for (;;) {
    long before = telldir(f->dir);
    errno = 0;
    struct dirent* e = ::readdir(f->dir);
    if (!e) {
      if (errno) return errno;
      break;
    }
    std::string name = e->d_name;
    if (metadata_.hidden(name)) continue;
    size_t need = 13 + 8 + 1 + 2 + name.size();
    if (used + need > limit) {
      seekdir(f->dir, before);
      break;
    }
    p9::Qid q;
    q.type = e->d_type == DT_DIR ? p9::kQtDir : e->d_type == DT_LNK ? p9::kQtSymlink : p9::kQtFile;
    q.path = uint64_t(e->d_ino);
    w.qid(q);
    w.u64(uint64_t(telldir(f->dir)));
    w.u8(e->d_type);
    w.str(name);
    used += need;
  }
  for (int i = 0; i < 4; i++) w.at(at)[i] = uint8_t(uint32_t(used) >> (8 * i));
  return 0;
}

// ---- making and removing names ----

int P9Server::make_node(uint8_t type, Reader& r, Writer& w) {
  uint32_t dfid = r.u32();
  std::string name = r.str(), target;
  uint32_t mode = 0, major = 0, minor = 0;
  if (type == p9::kTsymlink)
    target = r.str();
  else
    mode = r.u32();
  if (type == p9::kTmknod) {
    major = r.u32();
    minor = r.u32();
  }
  uint32_t gid = r.u32();
  if (r.failed()) return EINVAL;
  Node node;
  Fid* d;
  if (int e = new_entry(dfid, name, node, &d)) return e;
  int dir = node.dir.get();
  const char* n = name.c_str();
  GuestCred cred{d->uid, gid, 0, 0};
  bool mapped = metadata_.mapped();
  if (type == p9::kTmkdir) {
    cred.mode = S_IFDIR | (mode & 07777);
    if (mkdirat(dir, n, mapped ? Metadata::kMappedDirMode : (mode & 07777)) < 0) return errno;
  } else if (type == p9::kTsymlink) {
    cred.mode = S_IFLNK | 0777;
    if (!mapped) {
      if (symlinkat(target.c_str(), dir, n) < 0) return errno;
    } else {
      // A mapped symlink is a regular file holding the target: never followed by anyone.
      int fd = node.open(O_WRONLY | O_CREAT | O_EXCL, Metadata::kMappedFileMode);
      if (fd < 0) return -fd;
      UniqueFd file(fd);
      if (::write(fd, target.data(), target.size()) != ssize_t(target.size())) {
        int e = errno ? errno : EIO;
        ::unlinkat(dir, n, 0);
        return e;
      }
    }
  } else {
    cred.mode = mode;
    cred.rdev = makedev(major, minor);
    if (!mapped) {
      if (mknodat(dir, n, mode, cred.rdev) < 0) return errno;
    } else {
      if (S_ISDIR(mode)) return EINVAL;
      int fd = node.open(O_WRONLY | O_CREAT | O_EXCL, Metadata::kMappedFileMode);
      if (fd < 0) return -fd;
      close(fd);
    }
  }
  if (int e = metadata_.created(node, cred)) {
    ::unlinkat(dir, n, type == p9::kTmkdir ? AT_REMOVEDIR : 0);
    return -e;
  }
  struct stat st;
  if (int e = node.stat(st)) return -e;
  metadata_.overlay(node, st);
  w.qid(qid_from_stat(st));
  return 0;
}

void P9Server::moved(const std::string& from, const std::string& to) {
  for (auto& [id, f] : fids_)
    if (ConfinedDir::within(f->path, from)) f->path = to + f->path.substr(from.size());
}

int P9Server::renameat(Reader& r, Writer&) {
  uint32_t olddir = r.u32();
  std::string oldname = r.str();
  uint32_t newdir = r.u32();
  std::string newname = r.str();
  if (r.failed()) return EINVAL;
  Node from, to;
  Fid *od, *nd;
  if (int e = new_entry(olddir, oldname, from, &od)) return e;
  if (int e = new_entry(newdir, newname, to, &nd)) return e;
  if (::renameat(from.dir.get(), oldname.c_str(), to.dir.get(), newname.c_str()) < 0) return errno;
  metadata_.renamed(from, to);
  moved(ConfinedDir::join(od->path, oldname), ConfinedDir::join(nd->path, newname));
  return 0;
}

int P9Server::rename(Reader& r, Writer&) {
  uint32_t fid = r.u32(), dfid = r.u32();
  std::string name = r.str();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  if (f->path.empty()) return EBUSY;
  Node from, to;
  Fid* nd;
  if (int e = new_entry(dfid, name, to, &nd)) return e;
  if (int e = root_.resolve(f->path, from)) return -e;
  if (::renameat(from.dir.get(), from.name.c_str(), to.dir.get(), name.c_str()) < 0) return errno;
  metadata_.renamed(from, to);
  moved(std::string(f->path), ConfinedDir::join(nd->path, name));
  return 0;
}

int P9Server::unlinkat(Reader& r, Writer&) {
  uint32_t dfid = r.u32();
  std::string name = r.str();
  uint32_t flags = r.u32();
  if (r.failed()) return EINVAL;
  if (flags & ~kRemoveDir) return EINVAL;
  Node node;
  if (int e = new_entry(dfid, name, node)) return e;
  bool dir = flags & kRemoveDir;
  metadata_.removing(node, dir);
  if (::unlinkat(node.dir.get(), name.c_str(), dir ? AT_REMOVEDIR : 0) < 0) return errno;
  metadata_.removed(node);
  return 0;
}

int P9Server::remove(Reader& r, Writer&) {
  uint32_t fid = r.u32();
  if (r.failed()) return EINVAL;
  auto it = fids_.find(fid);
  if (it == fids_.end()) return ENOENT;
  std::string path = it->second->path;
  forget(fid);  // clunked whether or not the remove succeeds
  if (options_.readonly) return EROFS;
  if (path.empty()) return EBUSY;
  Node node;
  struct stat st;
  if (int e = root_.resolve(path, node)) return -e;
  if (int e = node.stat(st)) return -e;
  bool dir = S_ISDIR(st.st_mode);
  metadata_.removing(node, dir);
  if (::unlinkat(node.dir.get(), node.name.c_str(), dir ? AT_REMOVEDIR : 0) < 0) return errno;
  metadata_.removed(node);
  return 0;
}

int P9Server::link(Reader& r, Writer&) {
  uint32_t dfid = r.u32(), fid = r.u32();
  std::string name = r.str();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  Node from, to;
  if (int e = new_entry(dfid, name, to)) return e;
  if (f->path.empty()) return EPERM;
  if (int e = root_.resolve(f->path, from)) return -e;
  if (linkat(from.dir.get(), from.name.c_str(), to.dir.get(), name.c_str(), 0) < 0) return errno;
  metadata_.linked(from, to);
  return 0;
}

int P9Server::readlink(Reader& r, Writer& w, size_t max_reply) {
  uint32_t fid = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  Node node;
  struct stat st;
  if (int e = stat_path(f->path, node, st)) return e;
  if (!S_ISLNK(st.st_mode)) return EINVAL;
  std::string target(PATH_MAX, '\0');
  ssize_t n;
  struct stat host;
  if (int e = node.stat(host)) return -e;
  if (S_ISLNK(host.st_mode)) {  // a real symlink (the host's, or any under passthrough/none)
    n = readlinkat(node.dir.get(), node.name.c_str(), target.data(), target.size());
    if (n < 0) return errno;
  } else {
    int fd = node.open(O_RDONLY | O_NONBLOCK);
    if (fd < 0) return -fd;
    UniqueFd file(fd);
    n = ::read(fd, target.data(), target.size());
    if (n < 0) return errno;
  }
  target.resize(size_t(n));
  if (p9::kHeaderSize + 2 + target.size() > max_reply) return ENAMETOOLONG;
  w.str(target);
  return 0;
}

// ---- attributes ----

int P9Server::getattr(Reader& r, Writer& w) {
  uint32_t fid = r.u32();
  r.u64();  // request_mask: the basic set is always there
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  Node node;
  struct stat st;
  if (f->opened && !f->path.empty() && fstat(f->fd.get(), &st) == 0) {
    // An open file is still there when its name has gone (unlinked while open).
    if (root_.resolve(f->path, node) == 0) metadata_.overlay(node, st);
  } else if (int e = stat_path(f->path, node, st)) {
    return e;
  }
  w.u64(kGetattrBasic);
  w.qid(qid_from_stat(st));
  w.u32(st.st_mode);
  w.u32(st.st_uid);
  w.u32(st.st_gid);
  w.u64(st.st_nlink);
  w.u64(st.st_rdev);
  w.u64(uint64_t(st.st_size));
  w.u64(uint64_t(st.st_blksize));
  w.u64(uint64_t(st.st_blocks));
  w.u64(uint64_t(st.st_atim.tv_sec));
  w.u64(uint64_t(st.st_atim.tv_nsec));
  w.u64(uint64_t(st.st_mtim.tv_sec));
  w.u64(uint64_t(st.st_mtim.tv_nsec));
  w.u64(uint64_t(st.st_ctim.tv_sec));
  w.u64(uint64_t(st.st_ctim.tv_nsec));
  for (int i = 0; i < 4; i++) w.u64(0);  // btime, gen, data_version
  return 0;
}

int P9Server::setattr(Reader& r, Writer&) {
  uint32_t fid = r.u32(), valid = r.u32(), mode = r.u32(), uid = r.u32(), gid = r.u32();
  uint64_t size = r.u64(), atime_sec = r.u64(), atime_nsec = r.u64(), mtime_sec = r.u64(), mtime_nsec = r.u64();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  if (options_.readonly) return EROFS;
  Node node;
  struct stat st;
  if (int e = stat_path(f->path, node, st)) return e;
  if (valid & kAttrMode)
    if (int e = metadata_.chmod(node, mode)) return -e;
  if (valid & (kAttrAtime | kAttrMtime)) {
    timespec ts[2];
    ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
    ts[0].tv_sec = ts[1].tv_sec = 0;
    if (valid & kAttrAtime) {
      ts[0].tv_sec = (valid & kAttrAtimeSet) ? time_t(atime_sec) : 0;
      ts[0].tv_nsec = (valid & kAttrAtimeSet) ? long(atime_nsec) : UTIME_NOW;
    }
    if (valid & kAttrMtime) {
      ts[1].tv_sec = (valid & kAttrMtimeSet) ? time_t(mtime_sec) : 0;
      ts[1].tv_nsec = (valid & kAttrMtimeSet) ? long(mtime_nsec) : UTIME_NOW;
    }
    int rc = node.is_root() ? utimensat(node.dir.get(), "", ts, AT_EMPTY_PATH)
                            : utimensat(node.dir.get(), node.name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    if (rc < 0) return errno;
  }
  if (valid & (kAttrUid | kAttrGid))
    if (int e = metadata_.chown(node, (valid & kAttrUid) ? uid : ~0u, (valid & kAttrGid) ? gid : ~0u)) return -e;
  if (valid & kAttrSize) {
    if (size > uint64_t(INT64_MAX)) return EINVAL;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (!S_ISREG(st.st_mode)) return EINVAL;
    if (f->opened && !f->is_dir && (fcntl(f->fd.get(), F_GETFL) & O_ACCMODE) != O_RDONLY) {
      if (ftruncate(f->fd.get(), off_t(size)) < 0) return errno;
    } else {
      int fd = node.open(O_WRONLY | O_NONBLOCK);
      if (fd < 0) return -fd;
      UniqueFd file(fd);
      if (ftruncate(fd, off_t(size)) < 0) return errno;
    }
  }
  return 0;
}

int P9Server::xattrwalk(Reader& r, Writer& w) {
  uint32_t fid = r.u32(), newfid = r.u32();
  std::string name = r.str();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  if (newfid != fid && find(newfid)) return EEXIST;
  Node node;
  if (int e = root_.resolve(f->path, node)) return -e;
  std::vector<uint8_t> value;
  if (name.empty()) {
    ssize_t n = node_listxattr(node, nullptr, 0);
    if (n < 0) return int(-n);
    std::vector<char> list(size_t(n) + 1);
    n = node_listxattr(node, list.data(), size_t(n));
    if (n < 0) return int(-n);
    for (size_t i = 0; i < size_t(n);) {
      std::string one(list.data() + i);
      if (!metadata_.reserved_xattr(one)) value.insert(value.end(), one.c_str(), one.c_str() + one.size() + 1);
      i += one.size() + 1;
    }
  } else {
    if (metadata_.reserved_xattr(name)) return ENODATA;
    ssize_t n = node_getxattr(node, name, nullptr, 0);
    if (n < 0) return int(-n);
    value.resize(size_t(n));
    n = node_getxattr(node, name, value.data(), value.size());
    if (n < 0) return int(-n);
    value.resize(size_t(n));
  }
  auto x = std::make_unique<Fid>();
  x->path = f->path;
  x->uid = f->uid;
  x->xattr = Fid::Xattr::kRead;
  x->xattr_value = std::move(value);
  w.u64(x->xattr_value.size());
  fids_[newfid] = std::move(x);
  return 0;
}

int P9Server::xattrcreate(Reader& r, Writer&) {
  uint32_t fid = r.u32();
  std::string name = r.str();
  uint64_t size = r.u64();
  uint32_t flags = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f || f->xattr != Fid::Xattr::kNo) return ENOENT;
  if (f->opened) return EBADF;
  if (options_.readonly) return EROFS;
  if (name.empty() || name.find('\0') != std::string::npos) return EINVAL;
  if (flags & ~3u) return EINVAL;  // XATTR_CREATE | XATTR_REPLACE
  if (size > kXattrSizeMax) return E2BIG;
  if (metadata_.reserved_xattr(name)) return EACCES;
  f->xattr = Fid::Xattr::kCreate;
  f->xattr_name = name;
  f->xattr_value.assign(size_t(size), 0);
  f->xattr_copied = 0;
  f->xattr_flags = int(flags);
  return 0;
}

int P9Server::commit_xattr(Fid& f) {
  // The value is set when the fid is clunked; an empty one removes the attribute.
  if (f.xattr_copied != f.xattr_value.size()) return EINVAL;
  Node node;
  if (int e = root_.resolve(f.path, node)) return -e;
  int e = f.xattr_value.empty()
              ? node_removexattr(node, f.xattr_name)
              : node_setxattr(node, f.xattr_name, f.xattr_value.data(), f.xattr_value.size(), f.xattr_flags);
  return -e;
}

int P9Server::lock(Reader& r, Writer& w) {
  uint32_t fid = r.u32();
  r.u8();   // type
  r.u32();  // flags
  r.u64();  // start
  r.u64();  // length
  r.u32();  // proc_id
  r.str();  // client_id
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  if (!f->opened) return EBADF;
  // As QEMU: POSIX locks are the guest kernel's business; the server grants them all.
  w.u8(kLockSuccess);
  return 0;
}

int P9Server::getlock(Reader& r, Writer& w) {
  uint32_t fid = r.u32();
  r.u8();
  uint64_t start = r.u64(), length = r.u64();
  uint32_t proc_id = r.u32();
  std::string client = r.str();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  if (!f->opened) return EBADF;
  w.u8(kLockTypeUnlock);
  w.u64(start);
  w.u64(length);
  w.u32(proc_id);
  w.str(client);
  return 0;
}

int P9Server::statfs(Reader& r, Writer& w) {
  uint32_t fid = r.u32();
  if (r.failed()) return EINVAL;
  Fid* f = find(fid);
  if (!f) return ENOENT;
  struct statfs s;
  if (fstatfs(root_.fd(), &s) < 0) return errno;
  uint64_t fsid;
  memcpy(&fsid, &s.f_fsid, sizeof fsid);
  w.u32(kV9fsMagic);
  w.u32(uint32_t(s.f_bsize));
  w.u64(s.f_blocks);
  w.u64(s.f_bfree);
  w.u64(s.f_bavail);
  w.u64(s.f_files);
  w.u64(s.f_ffree);
  w.u64(fsid);
  w.u32(uint32_t(s.f_namelen));
  return 0;
}

}  // namespace mimic::hw::fs
