// File-descriptor system calls: read/write, open/close, fcntl, ioctl, pipes, polling, epoll, eventfd.
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/signal.h"
#include "linux-user/syscall.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

int fdarg(uint64_t v) { return int(int32_t(v)); }

// Guest iovec arrays become host ones pointing into the reservation.
int64_t get_iovecs(SyscallCtx& ctx, uint64_t addr, uint64_t count, std::vector<iovec>& out) {
  if (count > IOV_MAX) return -EINVAL;
  out.resize(count);
  const unsigned wb = guest_word_bytes(ctx.proc);
  for (uint64_t i = 0; i < count; i++) {
    uint64_t g[2];
    if (!get_guest_words(ctx.mem, addr + 2 * wb * i, g, 2, wb)) return -EFAULT;
    if (wb == 4 ? int32_t(g[1]) < 0 : int64_t(g[1]) < 0) return -EINVAL;
    void* p = guest_buffer(ctx.mem, g[0], g[1]);
    if (!p && g[1]) return -EFAULT;
    out[i] = {p, g[1]};
  }
  return 0;
}

// /proc/self/mem at guest addresses: the host's file read at guest_base + offset, limited to the
// guest's mapped pages (an unmapped page ends the transfer, EIO when it is the first, as in
// Linux; the host would read the reservation's PROT_NONE pages as zeros and, past it, mimic).
// The host file's position is kept at guest_base + the guest's position.
namespace {
std::atomic<int> g_mem_fd_opens{0};  // nonzero once the guest opened one: the fast path skips the check
constexpr int kMaxMemFd = 4096;
std::atomic<bool> g_mem_fd[kMaxMemFd];
std::atomic<uint64_t> g_mem_ino{0}, g_mem_dev{0};

bool is_guest_mem_fd(int fd) {
  if (g_mem_fd_opens.load(std::memory_order_relaxed) == 0 || fd < 0 || fd >= kMaxMemFd ||
      !g_mem_fd[fd].load(std::memory_order_relaxed))
    return false;
  struct stat st;  // the number may have been closed and reused since
  if (::fstat(fd, &st) == 0 && st.st_ino == g_mem_ino.load() && st.st_dev == g_mem_dev.load()) return true;
  g_mem_fd[fd].store(false);
  return false;
}

int64_t open_guest_mem(SyscallCtx& ctx, int flags) {
  const int fd = ::open("/proc/self/mem", flags);
  if (fd < 0) return -errno;
  struct stat st;
  if (fd >= kMaxMemFd || ::fstat(fd, &st) != 0) {
    ::close(fd);
    return -EMFILE;
  }
  g_mem_ino.store(st.st_ino);
  g_mem_dev.store(st.st_dev);
  syscall(SYS_lseek, fd, ctx.mem.base(), SEEK_SET);
  g_mem_fd[fd].store(true);
  g_mem_fd_opens.fetch_add(1);
  return fd;
}

// Transfers up to n bytes between guest buffer `buf` and guest memory at `pos`.
int64_t guest_mem_transfer(SyscallCtx& ctx, int fd, uint64_t buf, uint64_t n, uint64_t pos, bool write) {
  if (int64_t(pos) < 0) return -EINVAL;  // ksys_pread64's first check (a 32-bit off_t past 2 GiB)
  if (n == 0) return 0;
  if (pos >= ctx.mem.size()) return -EIO;
  n = std::min(n, ctx.mem.size() - pos);
  uint64_t end = pos;
  while (end < pos + n && (ctx.mem.page_flags(end) & PageFlag::kValid)) end = page_down(end) + kPageSize;
  n = std::min(end, pos + n) - pos;
  if (n == 0) return -EIO;
  void* host = guest_buffer(ctx.mem, buf, n);
  if (!host) return -EFAULT;
  const auto at = off_t(uintptr_t(ctx.mem.base()) + pos);
  const ssize_t r = write ? ::pwrite(fd, host, n, at) : ::pread(fd, host, n, at);
  if (r < 0) return -errno;
  // The kernel's forced write reaches read-only code pages too: their translations go.
  if (write && r > 0 && ctx.proc.engine) ctx.proc.engine->invalidate_range(pos, pos + uint64_t(r));
  return r;
}

int64_t guest_mem_stream(SyscallCtx& ctx, int fd, uint64_t buf, uint64_t n, bool write) {
  const uint64_t pos = uint64_t(syscall(SYS_lseek, fd, 0, SEEK_CUR)) - uintptr_t(ctx.mem.base());
  const int64_t r = guest_mem_transfer(ctx, fd, buf, n, pos, write);
  if (r > 0) syscall(SYS_lseek, fd, uintptr_t(ctx.mem.base()) + pos + uint64_t(r), SEEK_SET);
  return r;
}
}  // namespace

SYS(read) {
  if (is_guest_mem_fd(fdarg(a[0]))) return guest_mem_stream(ctx, fdarg(a[0]), a[1], a[2], false);
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  return safe_syscall(SYS_read, fdarg(a[0]), buf, a[2]);
}
SYS(write) {
  if (is_guest_mem_fd(fdarg(a[0]))) return guest_mem_stream(ctx, fdarg(a[0]), a[1], a[2], true);
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  return safe_syscall(SYS_write, fdarg(a[0]), buf, a[2]);
}
SYS(pread64) {
  if (is_guest_mem_fd(fdarg(a[0]))) return guest_mem_transfer(ctx, fdarg(a[0]), a[1], a[2], a[3], false);
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  return host_ret(::pread(fdarg(a[0]), buf, a[2], off_t(a[3])));
}
SYS(pwrite64) {
  if (is_guest_mem_fd(fdarg(a[0]))) return guest_mem_transfer(ctx, fdarg(a[0]), a[1], a[2], a[3], true);
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  return host_ret(::pwrite(fdarg(a[0]), buf, a[2], off_t(a[3])));
}
SYS(readv) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return safe_syscall(SYS_readv, fdarg(a[0]), v.data(), int(v.size()));
}
SYS(writev) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return safe_syscall(SYS_writev, fdarg(a[0]), v.data(), int(v.size()));
}
SYS(preadv) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return host_ret(::preadv(fdarg(a[0]), v.data(), int(v.size()), off_t(a[3])));
}
SYS(pwritev) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return host_ret(::pwritev(fdarg(a[0]), v.data(), int(v.size()), off_t(a[3])));
}
SYS(preadv2) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return host_ret(::preadv2(fdarg(a[0]), v.data(), int(v.size()), off_t(a[3]), int(a[5])));
}
SYS(pwritev2) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return host_ret(::pwritev2(fdarg(a[0]), v.data(), int(v.size()), off_t(a[3]), int(a[5])));
}

namespace {
// The file of this process or of one of its threads that `path` names under /proc (its name
// there, "maps", "stat"...), or empty: /proc/self/, /proc/<pid>/, /proc/thread-self/ and
// /proc/<self or pid>/task/<tid>/ for a thread of this process. `host_dir` is the host folder.
std::string proc_file_of_this_process(const std::string& path, std::string& host_dir) {
  const std::string pid = std::to_string(getpid());
  std::string rest;
  if (path.rfind("/proc/self/", 0) == 0) {
    rest = path.substr(11);
    host_dir = "/proc/self/";
  } else if (path.rfind("/proc/" + pid + "/", 0) == 0) {
    rest = path.substr(pid.size() + 7);
    host_dir = "/proc/self/";
  } else if (path.rfind("/proc/thread-self/", 0) == 0) {
    return host_dir = "/proc/thread-self/", path.substr(18);
  } else {
    return {};
  }
  if (rest.rfind("task/", 0) != 0) return rest;
  const size_t slash = rest.find('/', 5);
  if (slash == std::string::npos) return {};
  const std::string tid = rest.substr(5, slash - 5);
  struct stat st;  // a thread of this process: the host has its folder under our task/
  if (tid.empty() || tid.find_first_not_of("0123456789") != std::string::npos ||
      ::stat(("/proc/self/task/" + tid).c_str(), &st) != 0)
    return {};
  host_dir = "/proc/self/task/" + tid + "/";
  return rest.substr(slash + 1);
}

// /proc/<pid>/stat with the memory layout fields of the guest's mm_struct (the host's describe
// mimic: a vsize of the whole reservation, mimic's own code, stack and arguments); the other
// fields (state, times, faults, rss...) are the host process's own, which they are.
std::string guest_stat_text(SyscallCtx& ctx, const std::string& host_file) {
  FILE* f = fopen(host_file.c_str(), "r");
  if (!f) return {};
  char buf[4096];
  const size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  std::string text(buf, n);
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 > text.size()) return text;
  std::vector<std::string> fields;  // fields 3.. (state onwards)
  for (size_t i = paren + 2; i < text.size();) {
    size_t j = text.find_first_of(" \n", i);
    if (j == std::string::npos) j = text.size();
    fields.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  auto set = [&](size_t field, uint64_t v) {
    if (field >= 3 && field - 3 < fields.size()) fields[field - 3] = std::to_string(v);
  };
  const auto& l = ctx.proc.layout;
  set(23, ctx.mem.mapped_bytes());
  set(26, l.start_code);
  set(27, l.end_code);
  set(28, l.start_stack);
  set(29, 0);  // kstkesp and kstkeip: 0 unless the task is exiting or dumping core
  set(30, 0);
  set(45, l.start_data);
  set(46, l.end_data);
  set(47, ctx.mem.brk_start());
  set(48, l.arg_start);
  set(49, l.arg_end);
  set(50, l.env_start);
  set(51, l.env_end);
  std::string out = text.substr(0, paren + 2);
  for (size_t i = 0; i < fields.size(); i++) out += (i ? " " : "") + fields[i];
  return out + "\n";
}
}  // namespace

// Files under /proc whose host contents would describe mimic or the host CPU instead of the guest.
int open_emulated_proc(SyscallCtx& ctx, const std::string& path) {
  std::string rest, host_dir;
  if (path == "/proc/cpuinfo") {
    rest = path;  // one block per processor this process may run on, as Linux lists them
  } else {
    rest = proc_file_of_this_process(path, host_dir);
    if (rest.empty()) return -1;
  }
  std::string text;
  if (rest == "/proc/cpuinfo") {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (unsigned cpu = 0; cpu < unsigned(n > 0 ? n : 1); ++cpu) ctx.proc.arch->cpuinfo(text, cpu);
    if (ctx.proc.arch->cpuinfo_tail) text += ctx.proc.arch->cpuinfo_tail;
  } else if (rest == "maps") {
    text = ctx.mem.maps_text();
  } else if (rest == "stat") {
    text = guest_stat_text(ctx, host_dir + "stat");
    if (text.empty()) return -1;
  } else if (rest == "auxv") {
    // In the guest's word size, as the kernel's saved_auxv is.
    const unsigned wb = ctx.proc.arch ? ctx.proc.arch->word_bytes : 8;
    for (uint64_t w : ctx.proc.auxv) text.append(reinterpret_cast<const char*>(&w), wb);
  } else if (rest == "cmdline") {
    for (const auto& s : ctx.proc.options.argv) text += s, text += '\0';
  } else {
    return -1;
  }
  int fd = memfd_create("mimic-proc", MFD_CLOEXEC);
  if (fd < 0) return -2;
  if (::write(fd, text.data(), text.size()) != ssize_t(text.size())) {
    close(fd);
    return -2;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

// The open family's path step: the host path for guest path `addr` opened with host `flags`;
// returns an emulated /proc file's descriptor (>= 0), kOpenHostPath to open `path`, or -errno.
constexpr int64_t kOpenHostPath = -(int64_t(1) << 40);
int64_t open_path(SyscallCtx& ctx, int dirfd, uint64_t addr, int flags, std::string& path) {
  // O_CREAT|O_EXCL does not follow a final symlink either (it fails with EEXIST on one).
  const bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
  if (int64_t r = guest_path(ctx, addr, path, follow, dirfd); r < 0) return r;
  if (std::string dir; proc_file_of_this_process(path, dir) == "mem") return open_guest_mem(ctx, flags);
  int fd = open_emulated_proc(ctx, path);
  if (fd < 0) return kOpenHostPath;
  if (!(flags & O_CLOEXEC)) fcntl(fd, F_SETFD, 0);
  return fd;
}

SYS(openat) {
  const int flags = open_flags_to_host(ctx.proc, a[2]);
  std::string path;
  if (int64_t r = open_path(ctx, guest_dirfd(a[0]), a[1], flags, path); r != kOpenHostPath) return r;
  return safe_syscall(SYS_openat, guest_dirfd(a[0]), path.c_str(), flags, mode_t(a[3]));  // a FIFO blocks
}
// openat2(dirfd, path, how, size): struct open_how { u64 flags, mode, resolve } may grow; bytes
// past what this kernel knows must be zero (E2BIG), as Linux checks.
SYS(openat2) {
  struct OpenHow {
    uint64_t flags, mode, resolve;
  } how;
  const uint64_t size = a[3];
  if (size < sizeof how) return -EINVAL;
  if (size > 4096) return -E2BIG;
  if (!copy_from_guest(ctx.mem, &how, a[2], sizeof how)) return -EFAULT;
  for (uint64_t off = sizeof how; off < size; ++off) {
    uint8_t b;
    if (!copy_from_guest(ctx.mem, &b, a[2] + off, 1)) return -EFAULT;
    if (b) return -E2BIG;
  }
  if (how.flags >> 32) return -EINVAL;
  const int flags = open_flags_to_host(ctx.proc, how.flags);
  std::string path;
  // RESOLVE_* rules apply to the path as the guest gave it, relative to its dirfd.
  const int walk_base = how.resolve ? kDirfdLeaveToKernel : guest_dirfd(a[0]);
  if (int64_t r = open_path(ctx, walk_base, a[1], flags, path); r != kOpenHostPath) return r;
  OpenHow host{uint64_t(uint32_t(flags)), how.mode, how.resolve};
  return host_ret(syscall(SYS_openat2, guest_dirfd(a[0]), path.c_str(), &host, sizeof host));
}
SYS(sync_file_range) { return host_ret(::sync_file_range(fdarg(a[0]), off64_t(a[1]), off64_t(a[2]), unsigned(a[3]))); }
SYS(close) { return host_ret(::close(fdarg(a[0]))); }
SYS(close_range) { return host_ret(syscall(SYS_close_range, unsigned(a[0]), unsigned(a[1]), unsigned(a[2]))); }
SYS(lseek) {
  const int fd = fdarg(a[0]);
  if (is_guest_mem_fd(fd) && (a[2] == SEEK_SET || a[2] == SEEK_CUR)) {  // /proc/<pid>/mem: only these
    const uintptr_t base = uintptr_t(ctx.mem.base());
    const long r = syscall(SYS_lseek, fd, a[2] == SEEK_SET ? base + a[1] : a[1], int(a[2]));
    return r == -1 && errno > 0 && errno < 4096 ? -errno : int64_t(uint64_t(r) - base);
  }
  return host_ret(::lseek(fd, off_t(a[1]), int(a[2])));
}
SYS(getdents64) {
  // struct linux_dirent64 is the same everywhere.
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  return host_ret(syscall(SYS_getdents64, fdarg(a[0]), buf, size_t(a[2])));
}
SYS(dup) { return host_ret(::dup(fdarg(a[0]))); }
SYS(dup3) {
  int fl = open_flags_to_host(ctx.proc, a[2]);
  return host_ret(::dup3(fdarg(a[0]), fdarg(a[1]), fl));
}

SYS(fcntl) {
  int fd = fdarg(a[0]);
  int cmd = int(a[1]);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
    case F_GETFD:
    case F_SETFD:
    case F_SETOWN:
    case F_GETOWN:
    case F_SETSIG:
    case F_GETSIG:
    case F_SETLEASE:
    case F_GETLEASE:
    case F_NOTIFY:
    case F_SETPIPE_SZ:
    case F_GETPIPE_SZ:
    case F_ADD_SEALS:
    case F_GET_SEALS: return host_ret(::fcntl(fd, cmd, long(a[2])));
    case F_GETFL: {
      int r = ::fcntl(fd, F_GETFL);
      return r < 0 ? -errno : open_flags_to_guest(ctx.proc, r);
    }
    case F_SETFL: return host_ret(::fcntl(fd, F_SETFL, open_flags_to_host(ctx.proc, a[2])));
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
      // struct flock is the same on every 64-bit Linux.
      struct flock fl;
      if (!copy_from_guest(ctx.mem, &fl, a[2], sizeof fl)) return -EFAULT;
      const int64_t r = safe_syscall(SYS_fcntl, fd, cmd, &fl);  // F_SETLKW waits
      if (r < 0) return r;
      if ((cmd == F_GETLK || cmd == F_OFD_GETLK) && !copy_to_guest(ctx.mem, a[2], &fl, sizeof fl)) return -EFAULT;
      return r;
    }
    case F_GETOWN_EX:
    case F_SETOWN_EX: {
      struct f_owner_ex o;
      if (!copy_from_guest(ctx.mem, &o, a[2], sizeof o)) return -EFAULT;
      int r = ::fcntl(fd, cmd, &o);
      if (r < 0) return -errno;
      if (cmd == F_GETOWN_EX && !copy_to_guest(ctx.mem, a[2], &o, sizeof o)) return -EFAULT;
      return r;
    }
    default: report_unimplemented(ctx.proc, "fcntl", unsigned(cmd), "(EINVAL)"); return -EINVAL;
  }
}

SYS(ioctl) { return guest_ioctl(ctx, fdarg(a[0]), a[1], a[2]); }

SYS(pipe2) {
  int fds[2];
  if (::pipe2(fds, open_flags_to_host(ctx.proc, a[1])) != 0) return -errno;
  if (!copy_to_guest(ctx.mem, a[0], fds, sizeof fds)) {
    close(fds[0]);
    close(fds[1]);
    return -EFAULT;
  }
  return 0;
}
SYS(ftruncate) { return host_ret(::ftruncate(fdarg(a[0]), off_t(a[1]))); }
SYS(fsync) { return host_ret(::fsync(fdarg(a[0]))); }
SYS(fdatasync) { return host_ret(::fdatasync(fdarg(a[0]))); }
SYS(sync) {
  ::sync();
  return 0;
}
SYS(syncfs) { return host_ret(::syncfs(fdarg(a[0]))); }
SYS(fallocate) { return host_ret(::fallocate(fdarg(a[0]), int(a[1]), off_t(a[2]), off_t(a[3]))); }
SYS(fadvise64) { return -::posix_fadvise(fdarg(a[0]), off_t(a[1]), off_t(a[2]), int(a[3])); }
SYS(flock) { return safe_syscall(SYS_flock, fdarg(a[0]), int(a[1])); }
SYS(readahead) { return host_ret(::readahead(fdarg(a[0]), off64_t(a[1]), size_t(a[2]))); }

SYS(sendfile) {
  off_t off, *poff = nullptr;
  if (a[2]) {
    if (!get_guest(ctx.mem, a[2], off)) return -EFAULT;
    poff = &off;
  }
  ssize_t r = ::sendfile(fdarg(a[0]), fdarg(a[1]), poff, a[3]);
  if (r < 0) return -errno;
  if (poff && !put_guest(ctx.mem, a[2], off)) return -EFAULT;
  return r;
}
// copy_file_range and splice: two optional guest loff_t pointers, read before and written back after.
template <typename HostCall>
int64_t with_offset_pair(SyscallCtx& ctx, const uint64_t* a, HostCall call) {
  loff_t in, out, *pin = nullptr, *pout = nullptr;
  if (a[1]) {
    if (!get_guest(ctx.mem, a[1], in)) return -EFAULT;
    pin = &in;
  }
  if (a[3]) {
    if (!get_guest(ctx.mem, a[3], out)) return -EFAULT;
    pout = &out;
  }
  const int64_t r = call(pin, pout);
  if (r < 0) return r;
  if (pin) put_guest(ctx.mem, a[1], in);
  if (pout) put_guest(ctx.mem, a[3], out);
  return r;
}
SYS(copy_file_range) {
  return with_offset_pair(ctx, a, [&](loff_t* pin, loff_t* pout) {
    return host_ret(::copy_file_range(fdarg(a[0]), pin, fdarg(a[2]), pout, a[4], unsigned(a[5])));
  });
}
SYS(splice) {
  return with_offset_pair(ctx, a, [&](loff_t* pin, loff_t* pout) {
    return safe_syscall(SYS_splice, fdarg(a[0]), pin, fdarg(a[2]), pout, a[4], unsigned(a[5]));
  });
}
SYS(vmsplice) {
  std::vector<iovec> v;
  if (int64_t r = get_iovecs(ctx, a[1], a[2], v); r < 0) return r;
  return safe_syscall(SYS_vmsplice, fdarg(a[0]), v.data(), v.size(), unsigned(a[3]));
}
SYS(tee) { return safe_syscall(SYS_tee, fdarg(a[0]), fdarg(a[1]), a[2], unsigned(a[3])); }

// Host sigsets for calls that take a temporary mask (ppoll, pselect6, epoll_pwait).
int64_t get_temp_mask(SyscallCtx& ctx, uint64_t addr, uint64_t size, sigset_t& host, const sigset_t*& p) {
  p = nullptr;
  if (!addr) return 0;
  if (size != 8) return -EINVAL;
  uint64_t m;
  if (!get_guest(ctx.mem, addr, m)) return -EFAULT;
  host = host_sigset_for_guest_mask(m);
  begin_temp_mask(ctx.thread, m);
  p = &host;
  return 0;
}
// The result of a call made with get_temp_mask's mask, which ends with it. A signal noticed before
// the call entered the kernel answers EINTR rather than a restart (safe_syscall.h): the signal may
// be one that only the temporary mask lets in.
int64_t end_temp_mask_call(SyscallCtx& ctx, const sigset_t* mask, int64_t r) {
  if (r == kSysRestart) r = -EINTR;
  if (mask) end_temp_mask(ctx.thread, r == -EINTR);
  return r;
}

SYS(ppoll) {
  uint64_t n = a[1];
  if (n > 65536) return -EINVAL;
  void* fds = guest_buffer(ctx.mem, a[0], n * sizeof(pollfd));
  if (!fds && n) return -EFAULT;
  timespec ts, *pts = nullptr;
  if (a[2]) {
    if (!get_guest_timespec(ctx, a[2], ts)) return -EFAULT;
    pts = &ts;
  }
  sigset_t hm;
  const sigset_t* pm;
  if (int64_t r = get_temp_mask(ctx, a[3], a[4], hm, pm); r < 0) return r;
  const int64_t r = end_temp_mask_call(ctx, pm, safe_syscall(SYS_ppoll, fds, n, pts, pm, pm ? 8 : 0));
  if (r < 0) return r;
  if (pts) put_guest(ctx.mem, a[2], ts);
  return r;
}

SYS(pselect6) {
  int n = int(a[0]);
  if (n < 0) return -EINVAL;
  // The guest's fd_set is in longs of the ABI's word: a 32-bit guest's set may end 4 bytes before
  // the host's would, so the sets are copied in and out of host ones, never written past their end.
  const unsigned wb = guest_word_bytes(ctx.proc);
  const size_t bytes = size_t((int64_t(n) + 8 * wb - 1) / (8 * wb)) * wb;
  if (bytes > (1u << 20)) return -EINVAL;
  std::vector<uint64_t> host_sets[3];
  fd_set* sets[3] = {};
  for (int i = 0; i < 3; i++) {
    if (!a[1 + i]) continue;
    if (!ctx.mem.access_ok(a[1 + i], bytes, PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
    host_sets[i].assign((bytes + 7) / 8, 0);
    if (!copy_from_guest(ctx.mem, host_sets[i].data(), a[1 + i], bytes)) return -EFAULT;
    sets[i] = reinterpret_cast<fd_set*>(host_sets[i].data());
  }
  timespec ts, *pts = nullptr;
  if (a[4]) {
    if (!get_guest_timespec(ctx, a[4], ts)) return -EFAULT;
    pts = &ts;
  }
  sigset_t hm;
  const sigset_t* pm = nullptr;
  if (a[5]) {
    uint64_t d[2];  // { const sigset_t* ss; size_t ss_len; }
    if (!copy_from_guest(ctx.mem, d, a[5], 16)) return -EFAULT;
    if (int64_t r = get_temp_mask(ctx, d[0], d[1], hm, pm); r < 0) return r;
  }
  // The raw syscall keeps the kernel's timeout update and bounded fd_set sizes.
  struct {
    const sigset_t* ss;
    size_t len;
  } sig = {pm, 8};
  const int64_t r =
      end_temp_mask_call(ctx, pm, safe_syscall(SYS_pselect6, n, sets[0], sets[1], sets[2], pts, pm ? &sig : nullptr));
  if (r < 0) return r;
  if (pts) put_guest(ctx.mem, a[4], ts);
  for (int i = 0; i < 3; i++)
    if (sets[i] && !copy_to_guest(ctx.mem, a[1 + i], sets[i], bytes)) return -EFAULT;
  return r;
}

SYS(eventfd2) { return host_ret(::eventfd(unsigned(a[0]), open_flags_to_host(ctx.proc, a[1]))); }
SYS(epoll_create1) { return host_ret(::epoll_create1(open_flags_to_host(ctx.proc, a[0]))); }

// The guest's struct epoll_event is 16 bytes (u32 events, pad, u64 data); x86-64's is packed (12).
struct GuestEpollEvent {
  uint32_t events;
  uint32_t pad;
  uint64_t data;
};
SYS(epoll_ctl) {
  epoll_event ev{}, *pev = nullptr;
  if (a[3] && int(a[1]) != EPOLL_CTL_DEL) {
    GuestEpollEvent g;
    if (!get_guest(ctx.mem, a[3], g)) return -EFAULT;
    ev.events = g.events;
    ev.data.u64 = g.data;
    pev = &ev;
  }
  return host_ret(::epoll_ctl(fdarg(a[0]), int(a[1]), fdarg(a[2]), pev));
}
int64_t epoll_wait_common(SyscallCtx& ctx, const uint64_t* a, const timespec* ts, bool has_ts) {
  int max = int(a[2]);
  if (max <= 0 || max > 1 << 20) return -EINVAL;
  if (!ctx.mem.access_ok(a[1], uint64_t(max) * 16, PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
  std::vector<epoll_event> evs(static_cast<size_t>(max));
  sigset_t hm;
  const sigset_t* pm;
  if (int64_t r = get_temp_mask(ctx, a[4], a[5], hm, pm); r < 0) return r;
  const int64_t r =
      end_temp_mask_call(ctx, pm,
                         has_ts ? safe_syscall(SYS_epoll_pwait2, fdarg(a[0]), evs.data(), max, ts, pm, 8)
                                : safe_syscall(SYS_epoll_pwait, fdarg(a[0]), evs.data(), max, int(a[3]), pm, 8));
  if (r < 0) return r;
  for (int i = 0; i < r; i++) {
    GuestEpollEvent g{evs[size_t(i)].events, 0, evs[size_t(i)].data.u64};
    put_guest(ctx.mem, a[1] + 16 * uint64_t(i), g);
  }
  return r;
}
SYS(epoll_pwait) { return epoll_wait_common(ctx, a, nullptr, false); }
SYS(epoll_pwait2) {
  timespec ts, *pts = nullptr;
  if (a[3]) {
    if (!get_guest_timespec(ctx, a[3], ts)) return -EFAULT;
    pts = &ts;
  }
  return epoll_wait_common(ctx, a, pts, true);
}

SYS(inotify_init1) { return host_ret(::inotify_init1(open_flags_to_host(ctx.proc, a[0]))); }
SYS(inotify_add_watch) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, !(a[2] & IN_DONT_FOLLOW)); r < 0) return r;
  return host_ret(::inotify_add_watch(fdarg(a[0]), path.c_str(), uint32_t(a[2])));
}
SYS(inotify_rm_watch) { return host_ret(::inotify_rm_watch(fdarg(a[0]), int(a[1]))); }
SYS(signalfd4) {
  uint64_t m;
  if (a[2] != 8) return -EINVAL;
  if (!get_guest(ctx.mem, a[1], m)) return -EFAULT;
  sigset_t hm = host_sigset_for_guest_mask(m);
  return host_ret(::signalfd(fdarg(a[0]), &hm, open_flags_to_host(ctx.proc, a[3])));
}
SYS(timerfd_create) { return host_ret(::timerfd_create(int(a[0]), open_flags_to_host(ctx.proc, a[1]))); }
SYS(timerfd_settime) {
  itimerspec n, o;
  if (!get_guest_itimerspec(ctx, a[2], n)) return -EFAULT;
  if (::timerfd_settime(fdarg(a[0]), int(a[1]), &n, a[3] ? &o : nullptr) != 0) return -errno;
  if (a[3] && !put_guest(ctx.mem, a[3], o)) return -EFAULT;
  return 0;
}
SYS(timerfd_gettime) {
  itimerspec o;
  if (::timerfd_gettime(fdarg(a[0]), &o) != 0) return -errno;
  if (!put_guest(ctx.mem, a[1], o)) return -EFAULT;
  return 0;
}
SYS(memfd_create) {
  std::string name;
  if (int64_t r = read_guest_string(ctx.mem, a[0], name, 256); r < 0) return r;
  return host_ret(::memfd_create(name.c_str(), unsigned(a[1])));
}

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_read, "read", sys_read, "dpu", 'd'},
    {nr::k_write, "write", sys_write, "dpu", 'd'},
    {nr::k_pread64, "pread64", sys_pread64, "dpud", 'd'},
    {nr::k_pwrite64, "pwrite64", sys_pwrite64, "dpud", 'd'},
    {nr::k_readv, "readv", sys_readv, "dpd", 'd'},
    {nr::k_writev, "writev", sys_writev, "dpd", 'd'},
    {nr::k_preadv, "preadv", sys_preadv, "dpdd", 'd'},
    {nr::k_pwritev, "pwritev", sys_pwritev, "dpdd", 'd'},
    {nr::k_preadv2, "preadv2", sys_preadv2, "dpdddx", 'd'},
    {nr::k_pwritev2, "pwritev2", sys_pwritev2, "dpdddx", 'd'},
    {nr::k_openat, "openat", sys_openat, "fsom", 'd'},
    {nr::k_openat2, "openat2", sys_openat2, "fspu", 'd'},
    {nr::k_sync_file_range, "sync_file_range", sys_sync_file_range, "duux", 'd'},
    {nr::k_close, "close", sys_close, "d", 'd'},
    {nr::k_close_range, "close_range", sys_close_range, "uux", 'd'},
    {nr::k_lseek, "lseek", sys_lseek, "ddd", 'd'},
    {nr::k_getdents64, "getdents64", sys_getdents64, "dpu", 'd'},
    {nr::k_dup, "dup", sys_dup, "d", 'd'},
    {nr::k_dup3, "dup3", sys_dup3, "ddo", 'd'},
    {nr::k_fcntl, "fcntl", sys_fcntl, "ddx", 'd'},
    {nr::k_ioctl, "ioctl", sys_ioctl, "dxp", 'd'},
    {nr::k_pipe2, "pipe2", sys_pipe2, "po", 'd'},
    {nr::k_ftruncate, "ftruncate", sys_ftruncate, "dd", 'd'},
    {nr::k_fsync, "fsync", sys_fsync, "d", 'd'},
    {nr::k_fdatasync, "fdatasync", sys_fdatasync, "d", 'd'},
    {nr::k_sync, "sync", sys_sync, "", 'd'},
    {nr::k_syncfs, "syncfs", sys_syncfs, "d", 'd'},
    {nr::k_fallocate, "fallocate", sys_fallocate, "dxdd", 'd'},
    {nr::k_fadvise64, "fadvise64", sys_fadvise64, "dddd", 'd'},
    {nr::k_flock, "flock", sys_flock, "dx", 'd'},
    {nr::k_readahead, "readahead", sys_readahead, "ddu", 'd'},
    {nr::k_sendfile, "sendfile", sys_sendfile, "ddpu", 'd'},
    {nr::k_copy_file_range, "copy_file_range", sys_copy_file_range, "dpdpux", 'd'},
    {nr::k_splice, "splice", sys_splice, "dpdpux", 'd'},
    {nr::k_tee, "tee", sys_tee, "ddux", 'd'},
    {nr::k_vmsplice, "vmsplice", sys_vmsplice, "dpux", 'd'},
    {nr::k_ppoll, "ppoll", sys_ppoll, "pdppu", 'd'},
    {nr::k_pselect6, "pselect6", sys_pselect6, "dppppp", 'd'},
    {nr::k_eventfd2, "eventfd2", sys_eventfd2, "uo", 'd'},
    {nr::k_epoll_create1, "epoll_create1", sys_epoll_create1, "o", 'd'},
    {nr::k_epoll_ctl, "epoll_ctl", sys_epoll_ctl, "dddp", 'd'},
    {nr::k_epoll_pwait, "epoll_pwait", sys_epoll_pwait, "dpddpu", 'd'},
    {nr::k_epoll_pwait2, "epoll_pwait2", sys_epoll_pwait2, "dpdppu", 'd'},
    {nr::k_inotify_init1, "inotify_init1", sys_inotify_init1, "o", 'd'},
    {nr::k_inotify_add_watch, "inotify_add_watch", sys_inotify_add_watch, "dsx", 'd'},
    {nr::k_inotify_rm_watch, "inotify_rm_watch", sys_inotify_rm_watch, "dd", 'd'},
    {nr::k_signalfd4, "signalfd4", sys_signalfd4, "dpuo", 'd'},
    {nr::k_timerfd_create, "timerfd_create", sys_timerfd_create, "co", 'd'},
    {nr::k_timerfd_settime, "timerfd_settime", sys_timerfd_settime, "dxpp", 'd'},
    {nr::k_timerfd_gettime, "timerfd_gettime", sys_timerfd_gettime, "dp", 'd'},
    {nr::k_memfd_create, "memfd_create", sys_memfd_create, "sx", 'd'},
};

}  // namespace

void register_file_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
