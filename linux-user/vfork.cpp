// vfork's shared address space for a forked child: the child's memory writes and mapping calls,
// sent down the close-on-exec pipe of do_clone (syscall_process.cpp) and replayed by the parent.
#include "linux-user/vfork.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "linux-user/process.h"

namespace mimic::linux_user {

namespace {

// One record on the pipe: a page (kind 0: its address, then its kPageSize bytes) or a mapping
// call (then path_len bytes of the file's host path).
struct Record {
  uint32_t kind;
  int32_t prot, flags;
  uint32_t path_len;
  uint64_t addr, len, new_len, result, offset;
};
constexpr uint32_t kPageRecord = 0;
constexpr uint32_t kMaxPath = 4096;
constexpr int kMremapMayMove = 1, kMremapFixed = 2, kMremapDontUnmap = 4;

bool write_all(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= size_t(n);
  }
  return true;
}

// False at the end of the stream (the child exec'd or exited).
bool read_all(int fd, void* data, size_t len) {
  char* p = static_cast<char*>(data);
  while (len > 0) {
    const ssize_t n = ::read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;  // the parent's signals wait, as in a real vfork
    if (n <= 0) return false;
    p += n;
    len -= size_t(n);
  }
  return true;
}

// The mappings whose contents the parent cannot rebuild from its own pages and the write log: a
// shared anonymous mapping the child made (the parent's replay is a new object), a private one it
// moved (its pages were logged at their old addresses), a file the parent cannot open again.
enum class Whole { kNo, kResident, kEvery };
Whole whole_contents(const VforkMapOp& op) {
  if (op.kind == VforkMapOp::kMremap) return op.result != op.addr ? Whole::kResident : Whole::kNo;
  if (op.kind != VforkMapOp::kMmap) return Whole::kNo;
  const bool anon = op.flags & GuestMap::kAnonymous;
  if (anon) return (op.flags & GuestMap::kTypeMask) != GuestMap::kPrivate ? Whole::kResident : Whole::kNo;
  return op.path.empty() ? Whole::kEvery : Whole::kNo;
}

void replay(GuestMemory& mem, const Record& r, const std::string& path, bool report) {
  switch (r.kind) {
    case VforkMapOp::kMmap: {
      int flags = r.flags;
      // Where the child let the kernel choose, the parent's own threads may have mapped since.
      if (!(flags & GuestMap::kFixed)) flags |= GuestMap::kFixedNoReplace;
      int fd = -1;
      if (!(flags & GuestMap::kAnonymous)) {
        const bool shared = (flags & GuestMap::kTypeMask) != GuestMap::kPrivate;
        if (!path.empty())
          fd = ::open(path.c_str(), ((shared && (r.prot & GuestProt::kWrite)) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0) {
          // The child sends the pages themselves: private memory holding them stands in.
          if (report && shared)
            fprintf(stderr, "mimic: vfork: the child's shared mapping of %s at %#llx is a private copy in the parent\n",
                    path.empty() ? "a file without a path" : path.c_str(), (unsigned long long)r.result);
          flags = (flags & ~(GuestMap::kTypeMask | GuestMap::kSync)) | GuestMap::kPrivate | GuestMap::kAnonymous;
        }
      }
      const int64_t got = mem.mmap(r.result, r.len, r.prot, flags, fd, fd >= 0 ? r.offset : 0);
      if (fd >= 0) ::close(fd);
      if (got != int64_t(r.result) && report)
        fprintf(stderr, "mimic: vfork: the child's mapping at %#llx is not in the parent (%s)\n",
                (unsigned long long)r.result, strerror(int(-got)));
      break;
    }
    case VforkMapOp::kMunmap: mem.munmap(r.addr, r.len); break;
    case VforkMapOp::kMprotect: mem.mprotect(r.addr, r.len, r.prot); break;
    case VforkMapOp::kMremap:
      if (r.result == r.addr)
        mem.mremap(r.addr, r.len, r.new_len, 0, 0);
      else
        mem.mremap(r.addr, r.len, r.new_len, kMremapMayMove | kMremapFixed | (r.flags & kMremapDontUnmap), r.result);
      break;
    case VforkMapOp::kBrk: mem.brk(r.result); break;
    default: break;
  }
}

}  // namespace

void note_vfork_mapping(Process& proc, VforkMapOp op, int host_fd) {
  if (proc.vfork_pipe < 0) return;
  GuestMemory& mem = *proc.mem;
  switch (op.kind) {
    case VforkMapOp::kMmap:
      if (!(op.flags & GuestMap::kAnonymous)) {
        // The parent opens the file again by its path: only where that path still names it.
        op.path = host_path_of_fd(host_fd);
        struct stat by_fd, by_path;
        if (op.path.empty() || op.path[0] != '/' || op.path.size() > kMaxPath || ::fstat(host_fd, &by_fd) != 0 ||
            ::stat(op.path.c_str(), &by_path) != 0 || by_fd.st_dev != by_path.st_dev || by_fd.st_ino != by_path.st_ino)
          op.path.clear();
      }
      mem.log_writes_in(op.result, op.len);
      break;
    case VforkMapOp::kMprotect: mem.log_writes_in(op.addr, op.len); break;
    case VforkMapOp::kMremap: mem.log_writes_in(op.result, op.new_len); break;
    case VforkMapOp::kBrk:
      if (op.result > op.addr) mem.log_writes_in(op.addr, op.result - op.addr);
      break;
    case VforkMapOp::kMunmap: break;
  }
  proc.vfork_map_ops.push_back(std::move(op));
}

void send_vfork_writes(Process& proc) {
  if (proc.vfork_pipe < 0) return;
  struct stat st;
  if (fstat(proc.vfork_pipe, &st) != 0 || !S_ISFIFO(st.st_mode) || st.st_ino != proc.vfork_pipe_inode) return;
  const int fd = proc.vfork_pipe;
  GuestMemory& mem = *proc.mem;
  // The mapping calls first (each once: an exec that fails sends only the later ones again).
  for (; proc.vfork_map_ops_sent < proc.vfork_map_ops.size(); proc.vfork_map_ops_sent++) {
    const VforkMapOp& op = proc.vfork_map_ops[proc.vfork_map_ops_sent];
    const Record r{op.kind,    op.prot,   op.flags, uint32_t(op.path.size()), op.addr, op.len,
                   op.new_len, op.result, op.offset};
    if (!write_all(fd, &r, sizeof r) || !write_all(fd, op.path.data(), op.path.size())) return;
  }
  // Then every page written so far, as it is now (a page unmapped or made unreadable since is
  // not the parent's any more).
  auto send_page = [&](uint64_t page) {
    constexpr uint8_t kReadable = PageFlag::kValid | PageFlag::kRead;
    if ((mem.page_flags(page) & kReadable) != kReadable) return true;
    const Record r{kPageRecord, 0, 0, 0, page, kPageSize, 0, 0, 0};
    return write_all(fd, &r, sizeof r) && write_all(fd, mem.host(page), kPageSize);
  };
  for (uint64_t page : mem.written_pages())
    if (!send_page(page)) return;
  for (const VforkMapOp& op : proc.vfork_map_ops) {
    const Whole whole = whole_contents(op);
    if (whole == Whole::kNo) continue;
    const uint64_t start = op.result, len = page_up(op.kind == VforkMapOp::kMremap ? op.new_len : op.len);
    if (!mem.in_range(start, len)) continue;
    // Anonymous pages never touched are not resident, and are zero in the parent's replay too.
    std::vector<unsigned char> resident(len / kPageSize, 1);
    if (whole == Whole::kResident && ::mincore(mem.host(start), len, resident.data()) != 0)
      std::fill(resident.begin(), resident.end(), 1);
    for (uint64_t i = 0; i < resident.size(); i++)
      if ((resident[i] & 1) && !send_page(start + i * kPageSize)) return;
  }
}

void receive_vfork_writes(GuestMemory& mem, int fd, bool report) {
  Record r;
  std::vector<uint8_t> page(kPageSize);
  std::string path;
  while (read_all(fd, &r, sizeof r)) {
    if (r.kind == kPageRecord) {
      if (!read_all(fd, page.data(), kPageSize)) return;
      if (!mem.access_ok(r.addr, kPageSize, PageFlag::kValid | PageFlag::kWrite)) continue;
      mem.prepare_host_write(r.addr, kPageSize);
      memcpy(mem.host(r.addr), page.data(), kPageSize);
      continue;
    }
    path.resize(std::min(r.path_len, kMaxPath));
    if (!read_all(fd, path.data(), path.size())) return;
    replay(mem, r, path, report);
  }
}

}  // namespace mimic::linux_user
