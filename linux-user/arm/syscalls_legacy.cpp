// The old calls of the 32-bit Arm ABI that glibc no longer makes but other libcs, static binaries
// and hand-written assembly still do: the non-rt signal calls (one-word old_sigset_t), getdents's
// struct linux_dirent of longs, utimes/futimesat's timevals, pause and nice, waitid's 32-bit
// rusage, the time32 forms of the timer, clock and adjtimex calls, ustat and sysfs. Each converts its
// structures and runs the generic handler, with the semantics of Linux's kernel/signal.c,
// fs/readdir.c, fs/utimes.c and kernel/time/.
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "linux-user/arm/syscalls.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/signal.h"

namespace mimic::linux_user::arm32 {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

// ---- the non-rt signal calls: old_sigset_t is one 32-bit word (signals 1-32) ----
// The guest's whole 64-bit blocked mask, through rt_sigprocmask.
int64_t blocked_mask(SyscallCtx& ctx, uint64_t& mask) {
  const uint64_t t = scratch(ctx, 8);
  if (int64_t r = call(ctx, nr::k_rt_sigprocmask, {SIG_BLOCK, 0, t, 8}); r < 0) return r;
  return get_guest(ctx.mem, t, mask) ? 0 : -EFAULT;
}
int64_t set_blocked_mask(SyscallCtx& ctx, uint64_t mask) {
  const uint64_t t = scratch(ctx, 8);
  if (!put_guest(ctx.mem, t, mask)) return -EFAULT;
  return call(ctx, nr::k_rt_sigprocmask, {SIG_SETMASK, t, 0, 8});
}
// sigsuspend with a 64-bit mask: -EINTR once a handler ran.
int64_t suspend_with(SyscallCtx& ctx, uint64_t mask) {
  const uint64_t t = scratch(ctx, 8);
  if (!put_guest(ctx.mem, t, mask)) return -EFAULT;
  return call(ctx, nr::k_rt_sigsuspend, {t, 8});
}

// struct old_sigaction { handler; old_sigset_t sa_mask; unsigned long sa_flags; restorer; }
SYS(sigaction) {
  GuestSigaction act, old;
  if (a[1]) {
    uint32_t w[4];
    if (!copy_from_guest(ctx.mem, w, a[1], sizeof w)) return -EFAULT;
    act.handler = w[0], act.mask = w[1], act.flags = w[2], act.restorer = w[3];
  }
  if (int64_t r = set_guest_sigaction(ctx.proc, int(a[0]), a[1] ? &act : nullptr, &old); r < 0) return r;
  if (a[2]) {
    const uint32_t w[4] = {uint32_t(old.handler), uint32_t(old.mask), uint32_t(old.flags), uint32_t(old.restorer)};
    if (!copy_to_guest(ctx.mem, a[2], w, sizeof w)) return -EFAULT;
  }
  return 0;
}
// SIG_SETMASK replaces signals 1-32 only; the real-time signals stay as they are.
SYS(sigprocmask) {
  uint64_t cur;
  if (int64_t r = blocked_mask(ctx, cur); r < 0) return r;
  if (a[1]) {
    uint32_t set;
    if (!get_guest(ctx.mem, a[1], set)) return -EFAULT;
    uint64_t m;
    switch (int(a[0])) {
      case SIG_BLOCK: m = cur | set; break;
      case SIG_UNBLOCK: m = cur & ~uint64_t(set); break;
      case SIG_SETMASK: m = (cur & ~uint64_t(0xffffffff)) | set; break;
      default: return -EINVAL;
    }
    if (int64_t r = set_blocked_mask(ctx, m); r < 0) return r;
  }
  if (a[2] && !put_guest(ctx.mem, a[2], uint32_t(cur))) return -EFAULT;
  return 0;
}
SYS(sigpending) {
  const uint64_t t = scratch(ctx, 8);
  if (int64_t r = call(ctx, nr::k_rt_sigpending, {t, 8}); r < 0) return r;
  uint64_t m;
  if (!get_guest(ctx.mem, t, m)) return -EFAULT;
  return put_guest(ctx.mem, a[0], uint32_t(m)) ? 0 : -EFAULT;
}
// sigsuspend(int, int, old_sigset_t mask) (Arm's OLD_SIGSUSPEND3): the mask has no real-time
// signals blocked (siginitset).
SYS(sigsuspend) { return suspend_with(ctx, uint32_t(a[2])); }
SYS(pause) {
  uint64_t cur;
  if (int64_t r = blocked_mask(ctx, cur); r < 0) return r;
  return suspend_with(ctx, cur);
}

// nice(inc): the increment clamped to +-40, the result to -20..19 (kernel/sched/core.c).
SYS(nice) {
  const int inc = std::clamp(int32_t(a[0]), -40, 40);
  errno = 0;
  const int cur = ::getpriority(PRIO_PROCESS, 0);
  if (cur == -1 && errno) return -errno;
  const int want = std::clamp(cur + inc, -20, 19);
  if (::setpriority(PRIO_PROCESS, 0, want) != 0) return errno == EACCES ? -EPERM : -errno;
  return 0;
}

// ---- getdents: struct linux_dirent { long d_ino; long d_off; u16 d_reclen; char d_name[]; }
// with d_type in the record's last byte, records aligned to 4 (fs/readdir.c, filldir).
SYS(getdents) {
  const uint32_t count = uint32_t(a[2]);
  // A host record is never smaller than the guest's: a read of `count` host bytes fits. (At most
  // 1 MiB at a time, whatever the guest asks: a shorter answer is still a right one.)
  std::vector<uint8_t> host(std::clamp<uint32_t>(count, 512, 1u << 20));
  const long n = syscall(SYS_getdents64, int(a[0]), host.data(), host.size());
  if (n < 0) return -errno;
  std::vector<uint8_t> out;
  out.reserve(host.size());
  int64_t resume_at = -1;  // the offset of the first entry not returned
  for (long off = 0; off < n;) {
    const auto* d = reinterpret_cast<const struct dirent64*>(host.data() + off);
    const size_t namelen = strlen(d->d_name);
    const uint32_t reclen = uint32_t(10 + namelen + 2 + 3) & ~3u;
    if (d->d_ino > 0xffffffffu) {
      if (out.empty()) return -EOVERFLOW;
      resume_at = off;
      break;
    }
    if (out.size() + reclen > count) {
      if (out.empty()) return -EINVAL;  // the buffer holds not even one entry
      resume_at = off;
      break;
    }
    const size_t at = out.size();
    out.resize(at + reclen, 0);
    const uint32_t ino = uint32_t(d->d_ino), doff = uint32_t(d->d_off);
    const uint16_t rl = uint16_t(reclen);
    memcpy(&out[at], &ino, 4);
    memcpy(&out[at + 4], &doff, 4);
    memcpy(&out[at + 8], &rl, 2);
    memcpy(&out[at + 10], d->d_name, namelen);
    out[at + reclen - 1] = d->d_type;
    off += d->d_reclen;
  }
  if (resume_at >= 0) {
    // The directory position goes back to the first entry left out: the d_off of the last one
    // returned.
    int64_t prev = 0;
    for (long off = 0; off < resume_at;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(host.data() + off);
      prev = d->d_off;
      off += d->d_reclen;
    }
    if (::lseek(int(a[0]), prev, SEEK_SET) < 0) return -errno;
  }
  if (!out.empty() && !copy_to_guest(ctx.mem, a[1], out.data(), out.size())) return -EFAULT;
  return int64_t(out.size());
}

// ---- utimes/futimesat: two time32 timevals, microseconds checked (fs/utimes.c) ----
int64_t futimesat_at(SyscallCtx& ctx, uint64_t dirfd, uint64_t path, uint64_t tv) {
  uint64_t ts = 0;
  if (tv) {
    int32_t v[4];
    if (!copy_from_guest(ctx.mem, v, tv, sizeof v)) return -EFAULT;
    if (v[1] < 0 || v[1] >= 1000000 || v[3] < 0 || v[3] >= 1000000) return -EINVAL;
    const int64_t w[4] = {v[0], int64_t(v[1]) * 1000, v[2], int64_t(v[3]) * 1000};
    ts = scratch(ctx, sizeof w);
    if (!copy_to_guest(ctx.mem, ts, w, sizeof w)) return -EFAULT;
  }
  return call(ctx, nr::k_utimensat, {dirfd, path, ts, 0});
}
SYS(utimes) { return futimesat_at(ctx, uint64_t(-100), a[0], a[1]); }
SYS(futimesat) { return futimesat_at(ctx, a[0], a[1], a[2]); }

// ---- waitid: the siginfo is converted by the generic handler; the rusage is 18 longs ----
SYS(waitid) {
  if (!a[4]) return call(ctx, nr::k_waitid, {a[0], a[1], a[2], a[3], 0});
  const uint64_t t = scratch(ctx, 144);
  const int64_t r = call(ctx, nr::k_waitid, {a[0], a[1], a[2], a[3], t});
  if (r < 0) return r;
  return narrow_longs(ctx, t, a[4], 18) ? r : -EFAULT;
}

// ---- the time32 timer and clock calls ----
// struct itimerspec of two time32 timespecs at `addr` to 32 bytes at `t`, and back.
bool get_its32(SyscallCtx& ctx, uint64_t addr, uint64_t t) {
  return get_ts32(ctx, addr, t) && get_ts32(ctx, addr + 8, t + 16);
}
bool put_its32(SyscallCtx& ctx, uint64_t t, uint64_t addr) {
  return put_ts32(ctx, t, addr) && put_ts32(ctx, t + 16, addr + 8);
}
template <unsigned G>
int64_t settime32(SyscallCtx& ctx, const uint64_t* a) {
  const uint64_t t = scratch(ctx, 64);
  if (!get_its32(ctx, a[2], t)) return -EFAULT;
  if (int64_t r = call(ctx, G, {a[0], a[1], t, a[3] ? t + 32 : 0}); r < 0) return r;
  return !a[3] || put_its32(ctx, t + 32, a[3]) ? 0 : -EFAULT;
}
template <unsigned G>
int64_t gettime32(SyscallCtx& ctx, const uint64_t* a) {
  const uint64_t t = scratch(ctx, 32);
  if (int64_t r = call(ctx, G, {a[0], t}); r < 0) return r;
  return put_its32(ctx, t, a[1]) ? 0 : -EFAULT;
}
SYS(clock_settime32) {
  const uint64_t t = scratch(ctx, 16);
  if (!get_ts32(ctx, a[1], t)) return -EFAULT;
  return call(ctx, nr::k_clock_settime, {a[0], t});
}
SYS(settimeofday32) {
  // A timeval out of range is EINVAL before the permission check (kernel/time/time.c).
  uint64_t t = 0;
  if (a[0]) {
    int32_t tv[2];
    if (!copy_from_guest(ctx.mem, tv, a[0], sizeof tv)) return -EFAULT;
    if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000) return -EINVAL;
    t = scratch(ctx, 16);
    if (!get_ts32(ctx, a[0], t)) return -EFAULT;
  }
  return call(ctx, nr::k_settimeofday, {t, a[1]});  // struct timezone is two ints everywhere
}
SYS(sched_rr_get_interval32) {
  const uint64_t t = scratch(ctx, 16);
  if (int64_t r = call(ctx, nr::k_sched_rr_get_interval, {a[0], t}); r < 0) return r;
  return put_ts32(ctx, t, a[1]) ? 0 : -EFAULT;
}
// struct timex of 32-bit words (the kernel's old_timex32: 21 fields, the timeval two of them,
// then 11 padding words); the 64-bit struct timex has each field in an 8-byte slot.
constexpr unsigned kTimexFields = 21, kTimex32Bytes = 128, kTimex64Bytes = 208;
int64_t timex32_call(SyscallCtx& ctx, unsigned generic_nr, uint64_t clock, uint64_t addr) {
  const uint64_t t = scratch(ctx, kTimex64Bytes);
  const uint8_t zero[kTimex64Bytes] = {};
  if (!copy_to_guest(ctx.mem, t, zero, sizeof zero) || !widen_longs(ctx, addr, t, kTimexFields) ||
      !put_guest(ctx.mem, t + 4, uint32_t(0)))  // modes is unsigned: no sign in the slot's padding
    return -EFAULT;
  const int64_t r = generic_nr == nr::k_adjtimex ? call(ctx, generic_nr, {t}) : call(ctx, generic_nr, {clock, t});
  if (r < 0) return r;
  const uint8_t zero32[kTimex32Bytes - 4 * kTimexFields] = {};
  if (!narrow_longs(ctx, t, addr, kTimexFields) ||
      !copy_to_guest(ctx.mem, addr + 4 * kTimexFields, zero32, sizeof zero32))
    return -EFAULT;
  return r;
}
SYS(adjtimex32) { return timex32_call(ctx, nr::k_adjtimex, 0, a[0]); }
SYS(clock_adjtime32) { return timex32_call(ctx, nr::k_clock_adjtime, a[0], a[1]); }

// ---- ustat and sysfs: obsolete, still in Linux (fs/statfs.c, fs/filesystems.c) ----
// struct ustat { int f_tfree; unsigned long f_tinode; char f_fname[6], f_fpack[6]; }: 20 bytes.
SYS(ustat) {
  struct {
    int32_t tfree;
    uint64_t tinode;
    char fname[6], fpack[6];
  } host{};
  if (syscall(SYS_ustat, unsigned(a[0]), &host) != 0) return -errno;
  uint8_t g[20] = {};
  const uint32_t tinode = uint32_t(host.tinode);
  memcpy(g, &host.tfree, 4);
  memcpy(g + 4, &tinode, 4);
  memcpy(g + 8, host.fname, 12);
  return copy_to_guest(ctx.mem, a[1], g, sizeof g) ? 0 : -EFAULT;
}
// sysfs(1, name): the file system type's index; (2, index, buf): its name; (3): how many.
SYS(sysfs) {
  switch (int(a[0])) {
    case 1: {
      std::string name;
      if (int64_t r = read_guest_string(ctx.mem, a[1], name, 256); r < 0) return r;
      return host_ret(syscall(SYS_sysfs, 1, name.c_str()));
    }
    case 2: {
      char name[256] = {};
      if (syscall(SYS_sysfs, 2, unsigned(a[1]), name) != 0) return -errno;
      return copy_to_guest(ctx.mem, a[2], name, strlen(name) + 1) ? 0 : -EFAULT;
    }
    case 3: return host_ret(syscall(SYS_sysfs, 3));
    default: return -EINVAL;
  }
}

#undef SYS

const SyscallDef kLegacyDefs[] = {
    {67, "sigaction", sys_sigaction, "Spp", 'd'},
    {126, "sigprocmask", sys_sigprocmask, "dpp", 'd'},
    {73, "sigpending", sys_sigpending, "p", 'd'},
    {72, "sigsuspend", sys_sigsuspend, "ddx", 'd'},
    {29, "pause", sys_pause, "", 'd'},
    {34, "nice", sys_nice, "d", 'd'},
    {141, "getdents", sys_getdents, "dpu", 'd'},
    {269, "utimes", sys_utimes, "sp", 'd'},
    {326, "futimesat", sys_futimesat, "fsp", 'd'},
    {280, "waitid", sys_waitid, "ddpxp", 'd'},
    {258, "timer_settime", settime32<nr::k_timer_settime>, "dxpp", 'd'},
    {259, "timer_gettime", gettime32<nr::k_timer_gettime>, "dp", 'd'},
    {353, "timerfd_settime", settime32<nr::k_timerfd_settime>, "dxpp", 'd'},
    {354, "timerfd_gettime", gettime32<nr::k_timerfd_gettime>, "dp", 'd'},
    {262, "clock_settime", sys_clock_settime32, "cp", 'd'},
    {79, "settimeofday", sys_settimeofday32, "pp", 'd'},
    {161, "sched_rr_get_interval", sys_sched_rr_get_interval32, "dp", 'd'},
    {124, "adjtimex", sys_adjtimex32, "p", 'd'},
    {372, "clock_adjtime", sys_clock_adjtime32, "cp", 'd'},
    {62, "ustat", sys_ustat, "xp", 'd'},
    {135, "sysfs", sys_sysfs, "dxx", 'd'},
};

}  // namespace

void add_legacy_syscalls(SyscallTable& table) {
  for (const SyscallDef& d : kLegacyDefs) table.add(d);
}

}  // namespace mimic::linux_user::arm32
