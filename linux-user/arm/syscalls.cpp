// The Arm EABI system call ABI: its numbering (syscall_nr.h, mapped onto the generic handlers),
// 64-bit arguments in aligned register pairs, the 32-bit structure layouts (stat64, statfs64,
// rlimit, timespec/timeval of the time32 calls), the pre-*at path calls and sigreturn.
//
// Calls whose generic handler fits the 32-bit ABI (arguments zero-extended, the layout the same:
// most of them, and every *_time64 call) run it under their Arm number. The others are wrapped
// here; a call of the same name whose layout differs and that has no wrapper is left out
// (ENOSYS, which glibc answers by falling back to the newer call).
#include "linux-user/arm/syscalls.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "linux-user/arm/syscall_nr.h"
#include "linux-user/arm/thread.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user::arm32 {

namespace {
const SyscallTable* g_generic = nullptr;  // the generic handlers, by generic number
}  // namespace

int64_t call(SyscallCtx& ctx, unsigned generic_nr, std::initializer_list<uint64_t> args) {
  const SyscallDef* def = g_generic->find(generic_nr);
  if (!def) return -ENOSYS;
  uint64_t a[6] = {};
  size_t i = 0;
  for (uint64_t v : args) a[i++] = v;
  return def->fn(ctx, a);
}

// Guest memory the generic handler can take the 64-bit form of a structure in: below the guest's
// stack pointer (the thread's own stack, which nothing else uses while it is in a system call).
uint64_t scratch(SyscallCtx& ctx, unsigned bytes) { return (ctx.thread.sp() - 256 - bytes) & ~uint64_t(15); }

// time32: struct timespec / timeval of two 32-bit longs, converted through the 64-bit call.
bool get_ts32(SyscallCtx& ctx, uint64_t addr, uint64_t t) {
  int32_t v[2];
  if (!copy_from_guest(ctx.mem, v, addr, 8)) return false;
  const int64_t w[2] = {v[0], v[1]};
  return copy_to_guest(ctx.mem, t, w, 16);
}
bool put_ts32(SyscallCtx& ctx, uint64_t t, uint64_t addr) {
  int64_t w[2];
  if (!copy_from_guest(ctx.mem, w, t, 16)) return false;
  const int32_t v[2] = {int32_t(w[0]), int32_t(w[1])};
  return copy_to_guest(ctx.mem, addr, v, 8);
}

// Structures of longs (itimerval, mq_attr, rusage): n signed 32-bit words widened to 64 at `t`,
// and back.
bool widen_longs(SyscallCtx& ctx, uint64_t addr, uint64_t t, unsigned n) {
  int32_t v[32];
  int64_t w[32];
  if (n > 32 || !copy_from_guest(ctx.mem, v, addr, 4 * n)) return false;
  for (unsigned i = 0; i < n; i++) w[i] = v[i];
  return copy_to_guest(ctx.mem, t, w, 8 * n);
}
bool narrow_longs(SyscallCtx& ctx, uint64_t t, uint64_t addr, unsigned n) {
  int64_t w[32];
  int32_t v[32];
  if (n > 32 || !copy_from_guest(ctx.mem, w, t, 8 * n)) return false;
  for (unsigned i = 0; i < n; i++) v[i] = int32_t(w[i]);
  return copy_to_guest(ctx.mem, addr, v, 4 * n);
}

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

uint64_t pair(uint64_t lo, uint64_t hi) { return lo | hi << 32; }
uint64_t sext(uint64_t v) { return uint64_t(int64_t(int32_t(v))); }
constexpr uint64_t kAtFdcwd = uint64_t(-100);

// ---- the pre-*at path calls ----
SYS(open) { return call(ctx, nr::k_openat, {kAtFdcwd, a[0], a[1], a[2]}); }
SYS(creat) { return call(ctx, nr::k_openat, {kAtFdcwd, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]}); }
SYS(link) { return call(ctx, nr::k_linkat, {kAtFdcwd, a[0], kAtFdcwd, a[1], 0}); }
SYS(unlink) { return call(ctx, nr::k_unlinkat, {kAtFdcwd, a[0], 0}); }
SYS(mknod) { return call(ctx, nr::k_mknodat, {kAtFdcwd, a[0], a[1], a[2]}); }
SYS(chmod) { return call(ctx, nr::k_fchmodat, {kAtFdcwd, a[0], a[1]}); }
SYS(access) { return call(ctx, nr::k_faccessat, {kAtFdcwd, a[0], a[1]}); }
SYS(rename) { return call(ctx, nr::k_renameat, {kAtFdcwd, a[0], kAtFdcwd, a[1]}); }
SYS(mkdir) { return call(ctx, nr::k_mkdirat, {kAtFdcwd, a[0], a[1]}); }
SYS(rmdir) { return call(ctx, nr::k_unlinkat, {kAtFdcwd, a[0], AT_REMOVEDIR}); }
SYS(pipe) { return call(ctx, nr::k_pipe2, {a[0], 0}); }
SYS(dup2) {
  if (a[0] == a[1]) return host_ret(::fcntl(int(a[0]), F_GETFD)) < 0 ? -EBADF : int64_t(a[1]);
  return call(ctx, nr::k_dup3, {a[0], a[1], 0});
}
SYS(symlink) { return call(ctx, nr::k_symlinkat, {a[0], kAtFdcwd, a[1]}); }
SYS(readlink) { return call(ctx, nr::k_readlinkat, {kAtFdcwd, a[0], a[1], a[2]}); }
SYS(chown32) { return call(ctx, nr::k_fchownat, {kAtFdcwd, a[0], a[1], a[2], 0}); }
SYS(lchown32) { return call(ctx, nr::k_fchownat, {kAtFdcwd, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW}); }
SYS(fork) { return call(ctx, nr::k_clone, {SIGCHLD, 0, 0, 0, 0}); }
SYS(vfork) { return call(ctx, nr::k_clone, {CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0}); }
SYS(getpgrp) { return call(ctx, nr::k_getpgid, {0}); }
SYS(epoll_create) { return int32_t(a[0]) <= 0 ? -EINVAL : call(ctx, nr::k_epoll_create1, {0}); }
SYS(epoll_wait) { return call(ctx, nr::k_epoll_pwait, {a[0], a[1], a[2], a[3], 0, 8}); }
SYS(inotify_init) { return call(ctx, nr::k_inotify_init1, {0}); }
SYS(eventfd) { return call(ctx, nr::k_eventfd2, {a[0], 0}); }
SYS(signalfd) { return call(ctx, nr::k_signalfd4, {a[0], a[1], a[2], 0}); }
SYS(poll) {
  // struct pollfd is the same everywhere; the timeout becomes ppoll's timespec.
  if (int32_t(a[2]) < 0) return call(ctx, nr::k_ppoll, {a[0], a[1], 0, 0, 8});
  const int64_t ms = int32_t(a[2]);
  const int64_t ts[2] = {ms / 1000, (ms % 1000) * 1000000};
  const uint64_t t = scratch(ctx, sizeof ts);
  if (!copy_to_guest(ctx.mem, t, ts, sizeof ts)) return -EFAULT;
  return call(ctx, nr::k_ppoll, {a[0], a[1], t, 0, 8});
}

// ---- 64-bit arguments in aligned register pairs, and 32-bit off_t ----
SYS(lseek) { return call(ctx, nr::k_lseek, {a[0], sext(a[1]), a[2]}); }
SYS(truncate) { return call(ctx, nr::k_truncate, {a[0], sext(a[1])}); }
SYS(ftruncate) { return call(ctx, nr::k_ftruncate, {a[0], sext(a[1])}); }
SYS(llseek) {  // _llseek(fd, offset_high, offset_low, loff_t* result, whence)
  const int64_t r = call(ctx, nr::k_lseek, {a[0], pair(a[2], a[1]), a[4]});
  if (r < 0) return r;
  return put_guest(ctx.mem, a[3], r) ? 0 : -EFAULT;
}
SYS(mmap2) {
  // The offset counts 4096-byte units, so files past 4 GiB map too.
  return call(ctx, nr::k_mmap, {a[0], a[1], a[2], a[3], sext(a[4]), a[5] << 12});
}
SYS(truncate64) { return call(ctx, nr::k_truncate, {a[0], pair(a[2], a[3])}); }
SYS(ftruncate64) { return call(ctx, nr::k_ftruncate, {a[0], pair(a[2], a[3])}); }
SYS(pread64) { return call(ctx, nr::k_pread64, {a[0], a[1], a[2], pair(a[4], a[5])}); }
SYS(pwrite64) { return call(ctx, nr::k_pwrite64, {a[0], a[1], a[2], pair(a[4], a[5])}); }
SYS(readahead) { return call(ctx, nr::k_readahead, {a[0], pair(a[2], a[3]), a[4]}); }
SYS(fadvise64_64) { return call(ctx, nr::k_fadvise64, {a[0], pair(a[2], a[3]), pair(a[4], a[5]), a[1]}); }
SYS(fallocate) { return call(ctx, nr::k_fallocate, {a[0], a[1], pair(a[2], a[3]), pair(a[4], a[5])}); }
SYS(sync_file_range2) { return call(ctx, nr::k_sync_file_range, {a[0], pair(a[2], a[3]), pair(a[4], a[5]), a[1]}); }
SYS(preadv) { return call(ctx, nr::k_preadv, {a[0], a[1], a[2], pair(a[3], a[4])}); }
SYS(pwritev) { return call(ctx, nr::k_pwritev, {a[0], a[1], a[2], pair(a[3], a[4])}); }
SYS(preadv2) { return call(ctx, nr::k_preadv2, {a[0], a[1], a[2], pair(a[3], a[4]), a[5]}); }
SYS(pwritev2) { return call(ctx, nr::k_pwritev2, {a[0], a[1], a[2], pair(a[3], a[4]), a[5]}); }
SYS(fcntl64) {
  // F_GETLK64/F_SETLK64/F_SETLKW64 (12-14) take the struct flock64 that is the generic struct
  // flock (and x86-64's); the plain 32-bit struct flock of F_GETLK (5-7) differs and is refused.
  uint64_t cmd = a[1];
  if (cmd >= 5 && cmd <= 7) return -EINVAL;
  if (cmd >= 12 && cmd <= 14) cmd -= 7;
  return call(ctx, nr::k_fcntl, {a[0], cmd, a[2]});
}

// ---- 32-bit structure layouts ----
// struct stat64 (arch/arm/include/uapi/asm/stat.h), 104 bytes with EABI alignment.
struct Stat64 {
  uint64_t st_dev;
  uint8_t pad0[4];
  uint32_t st_ino32;
  uint32_t st_mode;
  uint32_t st_nlink;
  uint32_t st_uid;
  uint32_t st_gid;
  uint64_t st_rdev;
  uint8_t pad3[4];
  int64_t st_size;
  uint32_t st_blksize;
  uint64_t st_blocks;
  uint32_t st_atime_sec, st_atime_nsec;
  uint32_t st_mtime_sec, st_mtime_nsec;
  uint32_t st_ctime_sec, st_ctime_nsec;
  uint64_t st_ino;
};
static_assert(sizeof(Stat64) == 104 && offsetof(Stat64, st_size) == 48 && offsetof(Stat64, st_blocks) == 64 &&
              offsetof(Stat64, st_atime_sec) == 72 && offsetof(Stat64, st_ino) == 96);

int64_t put_stat64(SyscallCtx& ctx, uint64_t addr, const struct stat& st) {
  Stat64 g{};
  g.st_dev = st.st_dev;
  g.st_ino32 = uint32_t(st.st_ino);
  g.st_mode = st.st_mode;
  g.st_nlink = uint32_t(st.st_nlink);
  g.st_uid = st.st_uid;
  g.st_gid = st.st_gid;
  g.st_rdev = st.st_rdev;
  g.st_size = st.st_size;
  g.st_blksize = uint32_t(st.st_blksize);
  g.st_blocks = uint64_t(st.st_blocks);
  g.st_atime_sec = uint32_t(st.st_atim.tv_sec), g.st_atime_nsec = uint32_t(st.st_atim.tv_nsec);
  g.st_mtime_sec = uint32_t(st.st_mtim.tv_sec), g.st_mtime_nsec = uint32_t(st.st_mtim.tv_nsec);
  g.st_ctime_sec = uint32_t(st.st_ctim.tv_sec), g.st_ctime_nsec = uint32_t(st.st_ctim.tv_nsec);
  g.st_ino = st.st_ino;
  return copy_to_guest(ctx.mem, addr, &g, sizeof g) ? 0 : -EFAULT;
}
int64_t stat_at(SyscallCtx& ctx, uint64_t dirfd, uint64_t path_addr, uint64_t out, int flags) {
  std::string path;
  if (int64_t r = guest_path(ctx, path_addr, path, !(flags & AT_SYMLINK_NOFOLLOW)); r < 0) return r;
  struct stat st;
  if (::fstatat(guest_dirfd(dirfd), path.c_str(), &st, flags) != 0) return -errno;
  return put_stat64(ctx, out, st);
}
SYS(stat64) { return stat_at(ctx, kAtFdcwd, a[0], a[1], 0); }
SYS(lstat64) { return stat_at(ctx, kAtFdcwd, a[0], a[1], AT_SYMLINK_NOFOLLOW); }
SYS(fstatat64) { return stat_at(ctx, a[0], a[1], a[2], int(a[3])); }
SYS(fstat64) {
  struct stat st;
  if (::fstat(int(a[0]), &st) != 0) return -errno;
  return put_stat64(ctx, a[1], st);
}

// struct statfs64 (arch/arm/include/uapi/asm/statfs.h): packed to 84 bytes under EABI.
struct __attribute__((packed, aligned(4))) Statfs64 {
  uint32_t f_type, f_bsize;
  uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  uint32_t f_namelen, f_frsize, f_flags;
  uint32_t f_spare[4];
};
static_assert(sizeof(Statfs64) == 84);
int64_t put_statfs64(SyscallCtx& ctx, uint64_t size, uint64_t addr, const struct statfs& sf) {
  // 88 is the size EABI user space sees (with the tail padding): Linux's sys_statfs64_wrapper
  // takes it for 84, the packed kernel structure.
  if (size != sizeof(Statfs64) && size != 88) return -EINVAL;
  Statfs64 g{};
  g.f_type = uint32_t(sf.f_type), g.f_bsize = uint32_t(sf.f_bsize);
  g.f_blocks = sf.f_blocks, g.f_bfree = sf.f_bfree, g.f_bavail = sf.f_bavail;
  g.f_files = sf.f_files, g.f_ffree = sf.f_ffree;
  memcpy(g.f_fsid, &sf.f_fsid, sizeof g.f_fsid);
  g.f_namelen = uint32_t(sf.f_namelen), g.f_frsize = uint32_t(sf.f_frsize), g.f_flags = uint32_t(sf.f_flags);
  return copy_to_guest(ctx.mem, addr, &g, sizeof g) ? 0 : -EFAULT;
}
SYS(statfs64) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[0], path); r < 0) return r;
  struct statfs sf;
  if (::statfs(path.c_str(), &sf) != 0) return -errno;
  return put_statfs64(ctx, a[1], a[2], sf);
}
SYS(fstatfs64) {
  struct statfs sf;
  if (::fstatfs(int(a[0]), &sf) != 0) return -errno;
  return put_statfs64(ctx, a[1], a[2], sf);
}

// struct rlimit of two unsigned longs; RLIM_INFINITY is ~0ul.
SYS(ugetrlimit) {
  const uint64_t t = scratch(ctx, 16);
  if (int64_t r = call(ctx, nr::k_prlimit64, {0, a[0], 0, t}); r < 0) return r;
  uint64_t lim[2];
  if (!copy_from_guest(ctx.mem, lim, t, 16)) return -EFAULT;
  const uint32_t out[2] = {uint32_t(std::min<uint64_t>(lim[0], ~0u)), uint32_t(std::min<uint64_t>(lim[1], ~0u))};
  return copy_to_guest(ctx.mem, a[1], out, 8) ? 0 : -EFAULT;
}
SYS(setrlimit) {
  uint32_t in[2];
  if (!copy_from_guest(ctx.mem, in, a[1], 8)) return -EFAULT;
  auto widen = [](uint32_t v) { return v == ~0u ? ~uint64_t(0) : uint64_t(v); };
  const uint64_t lim[2] = {widen(in[0]), widen(in[1])};
  const uint64_t t = scratch(ctx, 16);
  if (!copy_to_guest(ctx.mem, t, lim, 16)) return -EFAULT;
  return call(ctx, nr::k_prlimit64, {0, a[0], t, 0});
}

SYS(clock_gettime32) {
  const uint64_t t = scratch(ctx, 16);
  if (int64_t r = call(ctx, nr::k_clock_gettime, {a[0], t}); r < 0) return r;
  return put_ts32(ctx, t, a[1]) ? 0 : -EFAULT;
}
SYS(clock_getres32) {
  const uint64_t t = scratch(ctx, 16);
  if (int64_t r = call(ctx, nr::k_clock_getres, {a[0], a[1] ? t : 0}); r < 0 || !a[1]) return r;
  return put_ts32(ctx, t, a[1]) ? 0 : -EFAULT;
}
SYS(gettimeofday32) {
  const uint64_t t = scratch(ctx, 32);
  if (int64_t r = call(ctx, nr::k_gettimeofday, {a[0] ? t : 0, a[1] ? t + 16 : 0}); r < 0) return r;
  if (a[0] && !put_ts32(ctx, t, a[0])) return -EFAULT;
  if (a[1]) {
    uint32_t tz[2];
    if (!copy_from_guest(ctx.mem, tz, t + 16, 8) || !copy_to_guest(ctx.mem, a[1], tz, 8)) return -EFAULT;
  }
  return 0;
}
SYS(nanosleep32) {
  const uint64_t t = scratch(ctx, 32);
  if (!get_ts32(ctx, a[0], t)) return -EFAULT;
  const int64_t r = call(ctx, nr::k_nanosleep, {t, a[1] ? t + 16 : 0});
  if (a[1] && r == -EINTR && !put_ts32(ctx, t + 16, a[1])) return -EFAULT;
  return r;
}
SYS(clock_nanosleep32) {
  const uint64_t t = scratch(ctx, 32);
  if (!get_ts32(ctx, a[2], t)) return -EFAULT;
  const int64_t r = call(ctx, nr::k_clock_nanosleep, {a[0], a[1], t, a[3] ? t + 16 : 0});
  if (a[3] && r == -EINTR && !put_ts32(ctx, t + 16, a[3])) return -EFAULT;
  return r;
}
SYS(futex32) {
  // The timeout (4th argument) is a timespec for the WAIT operations; the others pass a value.
  const unsigned op = unsigned(a[1]) & 0x7f;
  const bool has_ts =
      op == 0 /*WAIT*/ || op == 9 /*WAIT_BITSET*/ || op == 6 /*LOCK_PI*/ || op == 11 /*WAIT_REQUEUE_PI*/;
  if (!has_ts || !a[3]) return call(ctx, nr::k_futex, {a[0], a[1], a[2], a[3], a[4], a[5]});
  const uint64_t t = scratch(ctx, 16);
  if (!get_ts32(ctx, a[3], t)) return -EFAULT;
  return call(ctx, nr::k_futex, {a[0], a[1], a[2], t, a[4], a[5]});
}

// rusage: 16 longs after two timevals (of two longs each).
SYS(wait4) {
  if (!a[3]) return call(ctx, nr::k_wait4, {a[0], a[1], a[2], 0});
  const uint64_t t = scratch(ctx, 144);
  const int64_t r = call(ctx, nr::k_wait4, {a[0], a[1], a[2], t});
  if (r <= 0) return r;
  int64_t ru[18];
  if (!copy_from_guest(ctx.mem, ru, t, sizeof ru)) return -EFAULT;
  int32_t out[18];
  for (int i = 0; i < 18; i++) out[i] = int32_t(ru[i]);
  return copy_to_guest(ctx.mem, a[3], out, sizeof out) ? r : -EFAULT;
}

SYS(getitimer) {
  const uint64_t t = scratch(ctx, 32);
  if (int64_t r = call(ctx, nr::k_getitimer, {a[0], t}); r < 0) return r;
  return narrow_longs(ctx, t, a[1], 4) ? 0 : -EFAULT;
}
SYS(setitimer) {
  const uint64_t t = scratch(ctx, 64);
  if (a[1] && !widen_longs(ctx, a[1], t, 4)) return -EFAULT;
  if (int64_t r = call(ctx, nr::k_setitimer, {a[0], a[1] ? t : 0, a[2] ? t + 32 : 0}); r < 0) return r;
  return !a[2] || narrow_longs(ctx, t + 32, a[2], 4) ? 0 : -EFAULT;
}
// struct sigevent: sigval (a word), signo, notify, then the thread id (or SIGEV_THREAD's
// function and attributes, which libc turns into SIGEV_THREAD_ID before the kernel sees them).
bool widen_sigevent(SyscallCtx& ctx, uint64_t addr, uint64_t t) {
  uint32_t v[4];
  if (!copy_from_guest(ctx.mem, v, addr, sizeof v)) return false;
  uint8_t w[64] = {};
  const uint64_t sigval = v[0];
  memcpy(w, &sigval, 8);
  memcpy(w + 8, &v[1], 12);
  return copy_to_guest(ctx.mem, t, w, sizeof w);
}
SYS(timer_create) {
  const uint64_t t = scratch(ctx, 64);
  if (a[1] && !widen_sigevent(ctx, a[1], t)) return -EFAULT;
  return call(ctx, nr::k_timer_create, {a[0], a[1] ? t : 0, a[2]});
}
SYS(mq_notify) {
  const uint64_t t = scratch(ctx, 64);
  if (a[1] && !widen_sigevent(ctx, a[1], t)) return -EFAULT;
  return call(ctx, nr::k_mq_notify, {a[0], a[1] ? t : 0});
}
// struct mq_attr: 4 longs and 4 reserved.
SYS(mq_open) {
  const uint64_t t = scratch(ctx, 64);
  if (a[3] && !widen_longs(ctx, a[3], t, 8)) return -EFAULT;
  return call(ctx, nr::k_mq_open, {a[0], a[1], a[2], a[3] ? t : 0});
}
SYS(mq_getsetattr) {
  const uint64_t t = scratch(ctx, 128);
  if (a[1] && !widen_longs(ctx, a[1], t, 8)) return -EFAULT;
  if (int64_t r = call(ctx, nr::k_mq_getsetattr, {a[0], a[1] ? t : 0, a[2] ? t + 64 : 0}); r < 0) return r;
  return !a[2] || narrow_longs(ctx, t + 64, a[2], 8) ? 0 : -EFAULT;
}
SYS(rt_sigtimedwait32) {
  const uint64_t t = scratch(ctx, 16);
  if (a[2] && !get_ts32(ctx, a[2], t)) return -EFAULT;
  return call(ctx, nr::k_rt_sigtimedwait, {a[0], a[1], a[2] ? t : 0, a[3]});
}
// pselect6's last argument is {const sigset_t* ss; size_t ss_len} in words; widened at `t`.
bool widen_sigset_desc(SyscallCtx& ctx, uint64_t addr, uint64_t t) {
  uint32_t d[2];
  if (!copy_from_guest(ctx.mem, d, addr, 8)) return false;
  const uint64_t wide[2] = {d[0], d[1]};
  return copy_to_guest(ctx.mem, t, wide, 16);
}
SYS(pselect6_time64) {
  const uint64_t t = scratch(ctx, 16);
  if (a[5] && !widen_sigset_desc(ctx, a[5], t)) return -EFAULT;
  return call(ctx, nr::k_pselect6, {a[0], a[1], a[2], a[3], a[4], a[5] ? t : 0});
}
// pselect6 with a time32 timespec, which Linux updates with the time left (as for select).
SYS(pselect6_time32) {
  const uint64_t t = scratch(ctx, 32);
  if (a[4] && !get_ts32(ctx, a[4], t)) return -EFAULT;
  if (a[5] && !widen_sigset_desc(ctx, a[5], t + 16)) return -EFAULT;
  const int64_t r = call(ctx, nr::k_pselect6, {a[0], a[1], a[2], a[3], a[4] ? t : 0, a[5] ? t + 16 : 0});
  if (a[4] && r != -EFAULT && !put_ts32(ctx, t, a[4])) return -EFAULT;
  return r;
}
// select (_newselect) with a time32 timeval: pselect6 without a mask; the time left is written
// back in microseconds, as Linux's select does.
SYS(newselect) {
  const uint64_t t = scratch(ctx, 16);
  if (a[4]) {
    int32_t tv[2];
    if (!copy_from_guest(ctx.mem, tv, a[4], 8)) return -EFAULT;
    if (tv[0] < 0 || tv[1] < 0) return -EINVAL;
    const int64_t ts[2] = {int64_t(tv[0]) + tv[1] / 1000000, int64_t(tv[1] % 1000000) * 1000};
    if (!copy_to_guest(ctx.mem, t, ts, 16)) return -EFAULT;
  }
  const int64_t r = call(ctx, nr::k_pselect6, {a[0], a[1], a[2], a[3], a[4] ? t : 0, 0});
  if (a[4] && r != -EFAULT) {
    int64_t ts[2];
    if (!copy_from_guest(ctx.mem, ts, t, 16)) return -EFAULT;
    const int32_t tv[2] = {int32_t(ts[0]), int32_t(ts[1] / 1000)};
    if (!copy_to_guest(ctx.mem, a[4], tv, 8)) return -EFAULT;
  }
  return r;
}

// A time32 call whose struct timespec argument (N of them, at argument I) is in 32-bit longs:
// glibc uses these when the argument is NULL (and on kernels without the *_time64 calls).
template <unsigned G, unsigned I, unsigned N = 1>
int64_t time32_call(SyscallCtx& ctx, const uint64_t* a) {
  uint64_t b[6];
  memcpy(b, a, sizeof b);
  if (a[I]) {
    const uint64_t t = scratch(ctx, 16 * N);
    for (unsigned k = 0; k < N; k++)
      if (!get_ts32(ctx, a[I] + 8 * k, t + 16 * k)) return -EFAULT;
    b[I] = t;
  }
  return call(ctx, G, {b[0], b[1], b[2], b[3], b[4], b[5]});
}

// ---- the socket calls Arm has besides sendto/recvfrom ----
SYS(send) { return call(ctx, nr::k_sendto, {a[0], a[1], a[2], a[3], 0, 0}); }
SYS(recv) { return call(ctx, nr::k_recvfrom, {a[0], a[1], a[2], a[3], 0, 0}); }

// ---- structures of longs: sysinfo, times, getrusage ----
// struct sysinfo of 32-bit longs; memory sizes that do not fit 32 bits are given in larger units
// (mem_unit up to the page size), as Linux's compat_sys_sysinfo does.
SYS(sysinfo) {
  struct sysinfo si;
  if (::sysinfo(&si) != 0) return -errno;
  uint64_t mem[6] = {si.totalram, si.freeram, si.sharedram, si.bufferram, si.totalswap, si.freeswap};
  uint64_t high[2] = {si.totalhigh, si.freehigh};
  uint32_t unit = si.mem_unit;
  if ((si.totalram >> 32) || (si.totalswap >> 32)) {
    unsigned bits = 0;
    while (unit < 4096) unit <<= 1, bits++;
    for (uint64_t& v : mem) v >>= bits;
    for (uint64_t& v : high) v >>= bits;
  }
  struct {
    int32_t uptime;
    uint32_t loads[3];
    uint32_t mem[6];
    uint16_t procs, pad;
    uint32_t totalhigh, freehigh, mem_unit;
    char f[8];
  } g{};
  static_assert(sizeof g == 64);
  g.uptime = int32_t(si.uptime);
  for (int i = 0; i < 3; i++) g.loads[i] = uint32_t(si.loads[i]);
  for (int i = 0; i < 6; i++) g.mem[i] = uint32_t(mem[i]);
  g.procs = si.procs;
  g.totalhigh = uint32_t(high[0]), g.freehigh = uint32_t(high[1]), g.mem_unit = unit;
  return copy_to_guest(ctx.mem, a[0], &g, sizeof g) ? 0 : -EFAULT;
}
SYS(times) {
  const uint64_t t = scratch(ctx, 32);
  const int64_t r = call(ctx, nr::k_times, {a[0] ? t : 0});
  if (r < 0 && r > -4096) return r;
  if (a[0] && !narrow_longs(ctx, t, a[0], 4)) return -EFAULT;
  return int64_t(uint32_t(r));  // the clock ticks of a 32-bit clock_t
}
SYS(getrusage) {  // two timevals and 14 longs
  const uint64_t t = scratch(ctx, 144);
  if (int64_t r = call(ctx, nr::k_getrusage, {a[0], t}); r < 0) return r;
  return narrow_longs(ctx, t, a[1], 8) && narrow_longs(ctx, t + 64, a[1] + 32, 8) &&
                 narrow_longs(ctx, t + 128, a[1] + 64, 2)
             ? 0
             : -EFAULT;
}

// ---- the 16-bit uid calls (Arm keeps them beside the *32 ones) ----
// An id above 65535 reads as the overflow id 65534; 0xffff given means -1 (no change).
constexpr uint32_t kOverflowId = 65534;
uint64_t id16_in(uint64_t v) { return uint16_t(v) == 0xffff ? ~uint64_t(0) : uint16_t(v); }
uint16_t id16_out(uint64_t v) { return v > 0xffff ? kOverflowId : uint16_t(v); }
template <unsigned G>
int64_t get_id16(SyscallCtx& ctx, const uint64_t*) {
  const int64_t r = call(ctx, G, {});
  return r < 0 ? r : id16_out(uint64_t(r));
}
template <unsigned G, unsigned N>
int64_t set_id16(SyscallCtx& ctx, const uint64_t* a) {
  uint64_t b[3] = {id16_in(a[0]), N > 1 ? id16_in(a[1]) : 0, N > 2 ? id16_in(a[2]) : 0};
  return call(ctx, G, {b[0], b[1], b[2]});
}
template <unsigned G>
int64_t getres_id16(SyscallCtx& ctx, const uint64_t* a) {
  const uint64_t t = scratch(ctx, 12);
  if (int64_t r = call(ctx, G, {t, t + 4, t + 8}); r < 0) return r;
  uint32_t ids[3];
  if (!copy_from_guest(ctx.mem, ids, t, sizeof ids)) return -EFAULT;
  for (int i = 0; i < 3; i++)
    if (!put_guest(ctx.mem, a[i], id16_out(ids[i]))) return -EFAULT;
  return 0;
}
SYS(getgroups16) {
  const int32_t n = int32_t(a[0]);
  if (n < 0) return -EINVAL;
  std::vector<gid_t> g(size_t(std::min(n, 65536)));
  const int r = ::getgroups(n, g.data());
  if (r < 0) return -errno;
  for (int i = 0; n && i < r; i++)
    if (!put_guest(ctx.mem, a[1] + 2 * uint64_t(i), id16_out(g[size_t(i)]))) return -EFAULT;
  return r;
}
SYS(setgroups16) {
  const uint32_t n = uint32_t(a[0]);
  if (n > 65536) return -EINVAL;
  std::vector<uint16_t> g16(n);
  if (n && !copy_from_guest(ctx.mem, g16.data(), a[1], 2 * n)) return -EFAULT;
  std::vector<uint32_t> g(g16.begin(), g16.end());
  const uint64_t t = scratch(ctx, 4 * n);
  if (n && !copy_to_guest(ctx.mem, t, g.data(), 4 * n)) return -EFAULT;
  return call(ctx, nr::k_setgroups, {n, t});
}
SYS(chown16) { return call(ctx, nr::k_fchownat, {kAtFdcwd, a[0], id16_in(a[1]), id16_in(a[2]), 0}); }
SYS(lchown16) { return call(ctx, nr::k_fchownat, {kAtFdcwd, a[0], id16_in(a[1]), id16_in(a[2]), AT_SYMLINK_NOFOLLOW}); }
SYS(fchown16) { return call(ctx, nr::k_fchown, {a[0], id16_in(a[1]), id16_in(a[2])}); }

// ---- the old struct stat and struct statfs of 32-bit longs ----
// arch/arm/include/uapi/asm/stat.h's struct stat (64 bytes): what does not fit is EOVERFLOW, as
// Linux's cp_compat_stat says (device numbers of 8-bit majors and minors, 32-bit inodes, sizes
// below 2 GiB).
int64_t put_old_stat(SyscallCtx& ctx, uint64_t addr, const struct stat& st) {
  auto old_dev_ok = [](dev_t d) { return major(d) < 256 && minor(d) < 256; };
  if (!old_dev_ok(st.st_dev) || !old_dev_ok(st.st_rdev) || st.st_ino > 0xffffffffu || st.st_size > 0x7fffffff)
    return -EOVERFLOW;
  struct {
    uint32_t dev, ino;
    uint16_t mode, nlink, uid, gid;
    uint32_t rdev, size, blksize, blocks;
    uint32_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec, unused4, unused5;
  } g{};
  static_assert(sizeof g == 64);
  g.dev = uint32_t(major(st.st_dev) << 8 | minor(st.st_dev));
  g.ino = uint32_t(st.st_ino);
  g.mode = uint16_t(st.st_mode);
  if (st.st_nlink > 0xffff) return -EOVERFLOW;
  g.nlink = uint16_t(st.st_nlink);
  g.uid = id16_out(st.st_uid), g.gid = id16_out(st.st_gid);
  g.rdev = uint32_t(major(st.st_rdev) << 8 | minor(st.st_rdev));
  g.size = uint32_t(st.st_size), g.blksize = uint32_t(st.st_blksize), g.blocks = uint32_t(st.st_blocks);
  g.atime = uint32_t(st.st_atim.tv_sec), g.atime_nsec = uint32_t(st.st_atim.tv_nsec);
  g.mtime = uint32_t(st.st_mtim.tv_sec), g.mtime_nsec = uint32_t(st.st_mtim.tv_nsec);
  g.ctime = uint32_t(st.st_ctim.tv_sec), g.ctime_nsec = uint32_t(st.st_ctim.tv_nsec);
  return copy_to_guest(ctx.mem, addr, &g, sizeof g) ? 0 : -EFAULT;
}
int64_t old_stat_at(SyscallCtx& ctx, uint64_t path_addr, uint64_t out, int flags) {
  std::string path;
  if (int64_t r = guest_path(ctx, path_addr, path, !(flags & AT_SYMLINK_NOFOLLOW)); r < 0) return r;
  struct stat st;
  if (::fstatat(AT_FDCWD, path.c_str(), &st, flags) != 0) return -errno;
  return put_old_stat(ctx, out, st);
}
SYS(stat) { return old_stat_at(ctx, a[0], a[1], 0); }
SYS(lstat) { return old_stat_at(ctx, a[0], a[1], AT_SYMLINK_NOFOLLOW); }
SYS(fstat) {
  struct stat st;
  if (::fstat(int(a[0]), &st) != 0) return -errno;
  return put_old_stat(ctx, a[1], st);
}
// struct statfs of 32-bit words (64 bytes); block counts past 32 bits are EOVERFLOW.
int64_t put_old_statfs(SyscallCtx& ctx, uint64_t addr, const struct statfs& sf) {
  if ((uint64_t(sf.f_blocks) | sf.f_bfree | sf.f_bavail | uint64_t(sf.f_bsize) | uint64_t(sf.f_frsize)) >> 32)
    return -EOVERFLOW;
  auto files32 = [](uint64_t v) -> int64_t { return v == ~uint64_t(0) ? 0xffffffff : v >> 32 ? -1 : int64_t(v); };
  if (files32(sf.f_files) < 0 || files32(sf.f_ffree) < 0) return -EOVERFLOW;
  uint32_t g[16] = {uint32_t(sf.f_type),          uint32_t(sf.f_bsize),  uint32_t(sf.f_blocks),
                    uint32_t(sf.f_bfree),         uint32_t(sf.f_bavail), uint32_t(files32(sf.f_files)),
                    uint32_t(files32(sf.f_ffree))};
  memcpy(&g[7], &sf.f_fsid, 8);
  g[9] = uint32_t(sf.f_namelen), g[10] = uint32_t(sf.f_frsize), g[11] = uint32_t(sf.f_flags);
  return copy_to_guest(ctx.mem, addr, g, sizeof g) ? 0 : -EFAULT;
}
SYS(statfs) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[0], path); r < 0) return r;
  struct statfs sf;
  if (::statfs(path.c_str(), &sf) != 0) return -errno;
  return put_old_statfs(ctx, a[1], sf);
}
SYS(fstatfs) {
  struct statfs sf;
  if (::fstatfs(int(a[0]), &sf) != 0) return -errno;
  return put_old_statfs(ctx, a[1], sf);
}

SYS(sigreturn) {
  static_cast<A32Thread&>(ctx.thread).restoring_old_frame = true;
  return call(ctx, nr::k_rt_sigreturn, {});
}

struct Alias {
  const char* arm;
  unsigned generic;
};
// Arm calls that are a generic call under another name.
constexpr Alias kAliases[] = {
    {"getuid32", nr::k_getuid},
    {"getgid32", nr::k_getgid},
    {"geteuid32", nr::k_geteuid},
    {"getegid32", nr::k_getegid},
    {"setreuid32", nr::k_setreuid},
    {"setregid32", nr::k_setregid},
    {"getgroups32", nr::k_getgroups},
    {"setgroups32", nr::k_setgroups},
    {"fchown32", nr::k_fchown},
    {"setresuid32", nr::k_setresuid},
    {"getresuid32", nr::k_getresuid},
    {"setresgid32", nr::k_setresgid},
    {"getresgid32", nr::k_getresgid},
    {"setuid32", nr::k_setuid},
    {"setgid32", nr::k_setgid},
    {"setfsuid32", nr::k_setfsuid},
    {"setfsgid32", nr::k_setfsgid},
    {"sendfile64", nr::k_sendfile},
    {"clock_gettime64", nr::k_clock_gettime},
    {"clock_settime64", nr::k_clock_settime},
    {"clock_adjtime64", nr::k_clock_adjtime},
    {"clock_getres_time64", nr::k_clock_getres},
    {"clock_nanosleep_time64", nr::k_clock_nanosleep},
    {"timer_gettime64", nr::k_timer_gettime},
    {"timer_settime64", nr::k_timer_settime},
    {"timerfd_gettime64", nr::k_timerfd_gettime},
    {"timerfd_settime64", nr::k_timerfd_settime},
    {"utimensat_time64", nr::k_utimensat},
    {"ppoll_time64", nr::k_ppoll},
    {"io_pgetevents_time64", nr::k_io_pgetevents},
    {"recvmmsg_time64", nr::k_recvmmsg},
    {"mq_timedsend_time64", nr::k_mq_timedsend},
    {"mq_timedreceive_time64", nr::k_mq_timedreceive},
    {"semtimedop_time64", nr::k_semtimedop},
    {"rt_sigtimedwait_time64", nr::k_rt_sigtimedwait},
    {"futex_time64", nr::k_futex},
    {"sched_rr_get_interval_time64", nr::k_sched_rr_get_interval},
};
// Calls of a generic name whose 32-bit layout differs and that are not wrapped: left out.
constexpr const char* kLayoutDiffers[] = {
    "settimeofday",    "clock_settime",   "clock_adjtime",   "timer_gettime",
    "timer_settime",   "timerfd_gettime", "timerfd_settime", "utimensat",
    "ppoll",           "io_getevents",    "io_pgetevents",   "mq_timedsend",
    "mq_timedreceive", "semtimedop",      "rt_sigtimedwait", "sched_rr_get_interval",
    "select",          "timer_create",    "mq_notify",       "adjtimex",
    "getitimer",       "setitimer",       "waitid",          "mmap",
    "getrlimit",
};

const SyscallDef kDefs[] = {
    {5, "open", sys_open, "som", 'd'},
    {8, "creat", sys_creat, "sm", 'd'},
    {9, "link", sys_link, "ss", 'd'},
    {10, "unlink", sys_unlink, "s", 'd'},
    {14, "mknod", sys_mknod, "smx", 'd'},
    {15, "chmod", sys_chmod, "sm", 'd'},
    {33, "access", sys_access, "sx", 'd'},
    {38, "rename", sys_rename, "ss", 'd'},
    {39, "mkdir", sys_mkdir, "sm", 'd'},
    {40, "rmdir", sys_rmdir, "s", 'd'},
    {42, "pipe", sys_pipe, "p", 'd'},
    {63, "dup2", sys_dup2, "dd", 'd'},
    {83, "symlink", sys_symlink, "ss", 'd'},
    {85, "readlink", sys_readlink, "spu", 'd'},
    {212, "chown32", sys_chown32, "sdd", 'd'},
    {198, "lchown32", sys_lchown32, "sdd", 'd'},
    {2, "fork", sys_fork, "", 'd'},
    {190, "vfork", sys_vfork, "", 'd'},
    {65, "getpgrp", sys_getpgrp, "", 'd'},
    {250, "epoll_create", sys_epoll_create, "d", 'd'},
    {252, "epoll_wait", sys_epoll_wait, "dpdd", 'd'},
    {316, "inotify_init", sys_inotify_init, "", 'd'},
    {351, "eventfd", sys_eventfd, "u", 'd'},
    {349, "signalfd", sys_signalfd, "dpu", 'd'},
    {168, "poll", sys_poll, "pud", 'd'},
    {19, "lseek", sys_lseek, "ddd", 'd'},
    {92, "truncate", sys_truncate, "sd", 'd'},
    {93, "ftruncate", sys_ftruncate, "dd", 'd'},
    {140, "_llseek", sys_llseek, "dxxpd", 'd'},
    {192, "mmap2", sys_mmap2, "xuPMdx", 'x'},
    {193, "truncate64", sys_truncate64, "sxxx", 'd'},
    {194, "ftruncate64", sys_ftruncate64, "dxxx", 'd'},
    {180, "pread64", sys_pread64, "dpuxxx", 'd'},
    {181, "pwrite64", sys_pwrite64, "dpuxxx", 'd'},
    {225, "readahead", sys_readahead, "dxxxu", 'd'},
    {270, "arm_fadvise64_64", sys_fadvise64_64, "ddxxxx", 'd'},
    {352, "fallocate", sys_fallocate, "ddxxxx", 'd'},
    {341, "arm_sync_file_range", sys_sync_file_range2, "dxxxxx", 'd'},
    {361, "preadv", sys_preadv, "dpdxx", 'd'},
    {362, "pwritev", sys_pwritev, "dpdxx", 'd'},
    {392, "preadv2", sys_preadv2, "dpdxxx", 'd'},
    {393, "pwritev2", sys_pwritev2, "dpdxxx", 'd'},
    {221, "fcntl64", sys_fcntl64, "ddx", 'd'},
    {195, "stat64", sys_stat64, "sp", 'd'},
    {196, "lstat64", sys_lstat64, "sp", 'd'},
    {197, "fstat64", sys_fstat64, "dp", 'd'},
    {327, "fstatat64", sys_fstatat64, "fspx", 'd'},
    {266, "statfs64", sys_statfs64, "sup", 'd'},
    {267, "fstatfs64", sys_fstatfs64, "dup", 'd'},
    {191, "ugetrlimit", sys_ugetrlimit, "dp", 'd'},
    {75, "setrlimit", sys_setrlimit, "dp", 'd'},
    {263, "clock_gettime", sys_clock_gettime32, "cp", 'd'},
    {264, "clock_getres", sys_clock_getres32, "cp", 'd'},
    {78, "gettimeofday", sys_gettimeofday32, "pp", 'd'},
    {162, "nanosleep", sys_nanosleep32, "pp", 'd'},
    {265, "clock_nanosleep", sys_clock_nanosleep32, "cdpp", 'd'},
    {240, "futex", sys_futex32, "pdxppx", 'd'},
    {114, "wait4", sys_wait4, "dpdp", 'd'},
    {119, "sigreturn", sys_sigreturn, "", 'n'},
    {105, "getitimer", sys_getitimer, "dp", 'd'},
    {104, "setitimer", sys_setitimer, "dpp", 'd'},
    {257, "timer_create", sys_timer_create, "cpp", 'd'},
    {278, "mq_notify", sys_mq_notify, "dp", 'd'},
    {274, "mq_open", sys_mq_open, "sodp", 'd'},
    {279, "mq_getsetattr", sys_mq_getsetattr, "dpp", 'd'},
    {177, "rt_sigtimedwait", sys_rt_sigtimedwait32, "pppu", 'd'},
    {413, "pselect6_time64", sys_pselect6_time64, "dppppp", 'd'},
    {289, "send", sys_send, "dpud", 'd'},
    {291, "recv", sys_recv, "dpud", 'd'},
    {116, "sysinfo", sys_sysinfo, "p", 'd'},
    {43, "times", sys_times, "p", 'd'},
    {77, "getrusage", sys_getrusage, "dp", 'd'},
    {106, "stat", sys_stat, "sp", 'd'},
    {107, "lstat", sys_lstat, "sp", 'd'},
    {108, "fstat", sys_fstat, "dp", 'd'},
    {99, "statfs", sys_statfs, "sp", 'd'},
    {100, "fstatfs", sys_fstatfs, "dp", 'd'},
    {24, "getuid", get_id16<nr::k_getuid>, "", 'd'},
    {47, "getgid", get_id16<nr::k_getgid>, "", 'd'},
    {49, "geteuid", get_id16<nr::k_geteuid>, "", 'd'},
    {50, "getegid", get_id16<nr::k_getegid>, "", 'd'},
    {23, "setuid", set_id16<nr::k_setuid, 1>, "d", 'd'},
    {46, "setgid", set_id16<nr::k_setgid, 1>, "d", 'd'},
    {138, "setfsuid", set_id16<nr::k_setfsuid, 1>, "d", 'd'},
    {139, "setfsgid", set_id16<nr::k_setfsgid, 1>, "d", 'd'},
    {70, "setreuid", set_id16<nr::k_setreuid, 2>, "dd", 'd'},
    {71, "setregid", set_id16<nr::k_setregid, 2>, "dd", 'd'},
    {164, "setresuid", set_id16<nr::k_setresuid, 3>, "ddd", 'd'},
    {170, "setresgid", set_id16<nr::k_setresgid, 3>, "ddd", 'd'},
    {165, "getresuid", getres_id16<nr::k_getresuid>, "ppp", 'd'},
    {171, "getresgid", getres_id16<nr::k_getresgid>, "ppp", 'd'},
    {80, "getgroups", sys_getgroups16, "dp", 'd'},
    {81, "setgroups", sys_setgroups16, "dp", 'd'},
    {182, "chown", sys_chown16, "sdd", 'd'},
    {16, "lchown", sys_lchown16, "sdd", 'd'},
    {95, "fchown", sys_fchown16, "ddd", 'd'},
    {365, "recvmmsg", time32_call<nr::k_recvmmsg, 4>, "dpudp", 'd'},
    {335, "pselect6", sys_pselect6_time32, "dppppp", 'd'},
    {142, "_newselect", sys_newselect, "dpppp", 'd'},
    {276, "mq_timedsend", time32_call<nr::k_mq_timedsend, 4>, "dpuup", 'd'},
    {277, "mq_timedreceive", time32_call<nr::k_mq_timedreceive, 4>, "dpupp", 'd'},
    {336, "ppoll", time32_call<nr::k_ppoll, 2>, "pdppu", 'd'},
    {348, "utimensat", time32_call<nr::k_utimensat, 2, 2>, "fspx", 'd'},
    {312, "semtimedop", time32_call<nr::k_semtimedop, 3>, "dpup", 'd'},
    {245, "io_getevents", time32_call<nr::k_io_getevents, 4>, "xddpp", 'd'},
};

}  // namespace

void register_syscalls(SyscallTable& table) {
  static SyscallTable generic = table;  // as the generic areas filled it
  g_generic = &generic;
  table.clear();
  struct Row {
    unsigned nr;
    const char* name;
    int generic;
  };
#define MIMIC_ARM_ROW(nr, name, g) Row{nr, #name, g},
  static constexpr Row kRows[] = {MIMIC_ARM_SYSCALLS(MIMIC_ARM_ROW)};
#undef MIMIC_ARM_ROW
  for (const Row& r : kRows) {
    table.set_name(r.nr, r.name);
    int g = r.generic;
    for (const Alias& al : kAliases)
      if (strcmp(al.arm, r.name) == 0) g = int(al.generic);
    for (const char* bad : kLayoutDiffers)
      if (strcmp(bad, r.name) == 0) g = -1;
    if (g < 0) continue;
    if (const SyscallDef* def = generic.find(unsigned(g))) {
      SyscallDef d = *def;
      d.nr = r.nr;
      d.name = r.name;
      table.add(d);
    }
  }
  for (const SyscallDef& d : kDefs) table.add(d);
  add_legacy_syscalls(table);
}

}  // namespace mimic::linux_user::arm32
