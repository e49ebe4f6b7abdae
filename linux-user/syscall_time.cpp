// Time system calls: clocks, sleeps, interval timers and POSIX timers.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "linux-user/generic/syscall_nr.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

// timespec, timeval, itimerval and itimerspec have the same 64-bit layout on guest and host.
// The reads of the clock go through the host C library, which answers from the host's vDSO
// where it can: ~10 times faster than the system call, and guests read the time often.
SYS(clock_gettime) {
  timespec ts;
  if (::clock_gettime(clockid_t(a[0]), &ts) != 0) return -errno;
  return put_guest(ctx.mem, a[1], ts) ? 0 : -EFAULT;
}
SYS(clock_getres) {
  timespec ts;
  if (::clock_getres(clockid_t(a[0]), &ts) != 0) return -errno;
  if (a[1] && !put_guest(ctx.mem, a[1], ts)) return -EFAULT;
  return 0;
}
SYS(clock_settime) {
  timespec ts;
  if (!get_guest_timespec(ctx, a[1], ts)) return -EFAULT;
  return host_ret(syscall(SYS_clock_settime, clockid_t(a[0]), &ts));
}
SYS(clock_nanosleep) {
  timespec req, rem{};
  if (!get_guest_timespec(ctx, a[2], req)) return -EFAULT;
  // Interrupted before it slept, the whole request remains.
  rem = req;
  const int64_t r = safe_syscall(SYS_clock_nanosleep, clockid_t(a[0]), int(a[1]), &req, &rem);
  if (r == -EINTR && a[3] && !(a[1] & TIMER_ABSTIME)) put_guest(ctx.mem, a[3], rem);
  return r;
}
SYS(nanosleep) {
  timespec req, rem{};
  if (!get_guest_timespec(ctx, a[0], req)) return -EFAULT;
  rem = req;  // interrupted before it slept, the whole request remains
  const int64_t r = safe_syscall(SYS_nanosleep, &req, &rem);
  if (r == -EINTR && a[1]) put_guest(ctx.mem, a[1], rem);
  return r;
}
SYS(gettimeofday) {
  timeval tv;
  struct timezone tz;
  if (::gettimeofday(&tv, &tz) != 0) return -errno;
  if (a[0] && !put_guest(ctx.mem, a[0], tv)) return -EFAULT;
  if (a[1] && !put_guest(ctx.mem, a[1], tz)) return -EFAULT;
  return 0;
}
SYS(settimeofday) { return -EPERM; }
SYS(getitimer) {
  itimerval v;
  if (::getitimer(__itimer_which(a[0]), &v) != 0) return -errno;
  return put_guest(ctx.mem, a[1], v) ? 0 : -EFAULT;
}
SYS(setitimer) {
  itimerval n, o;
  if (a[1] && !get_guest(ctx.mem, a[1], n)) return -EFAULT;
  if (!a[1]) n = {};
  if (::setitimer(__itimer_which(a[0]), &n, &o) != 0) return -errno;
  if (a[2] && !put_guest(ctx.mem, a[2], o)) return -EFAULT;
  return 0;
}
SYS(timer_create) {
  // struct sigevent is the same on 64-bit guests; SIGEV_THREAD is done by libc with SIGEV_THREAD_ID.
  struct sigevent ev, *pev = nullptr;
  if (a[1]) {
    if (!copy_from_guest(ctx.mem, &ev, a[1], sizeof ev)) return -EFAULT;
    pev = &ev;
  }
  int id;
  if (syscall(SYS_timer_create, clockid_t(a[0]), pev, &id) != 0) return -errno;
  return put_guest(ctx.mem, a[2], id) ? 0 : -EFAULT;
}
SYS(timer_settime) {
  itimerspec n, o;
  if (!get_guest_itimerspec(ctx, a[2], n)) return -EFAULT;
  if (syscall(SYS_timer_settime, int(a[0]), int(a[1]), &n, a[3] ? &o : nullptr) != 0) return -errno;
  if (a[3] && !put_guest(ctx.mem, a[3], o)) return -EFAULT;
  return 0;
}
SYS(timer_gettime) {
  itimerspec o;
  if (syscall(SYS_timer_gettime, int(a[0]), &o) != 0) return -errno;
  return put_guest(ctx.mem, a[1], o) ? 0 : -EFAULT;
}
SYS(timer_getoverrun) { return host_ret(syscall(SYS_timer_getoverrun, int(a[0]))); }
SYS(timer_delete) { return host_ret(syscall(SYS_timer_delete, int(a[0]))); }

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_clock_gettime, "clock_gettime", sys_clock_gettime, "cp", 'd'},
    {nr::k_clock_getres, "clock_getres", sys_clock_getres, "cp", 'd'},
    {nr::k_clock_settime, "clock_settime", sys_clock_settime, "cp", 'd'},
    {nr::k_clock_nanosleep, "clock_nanosleep", sys_clock_nanosleep, "cxpp", 'd'},
    {nr::k_nanosleep, "nanosleep", sys_nanosleep, "pp", 'd'},
    {nr::k_gettimeofday, "gettimeofday", sys_gettimeofday, "pp", 'd'},
    {nr::k_settimeofday, "settimeofday", sys_settimeofday, "pp", 'd'},
    {nr::k_getitimer, "getitimer", sys_getitimer, "dp", 'd'},
    {nr::k_setitimer, "setitimer", sys_setitimer, "dpp", 'd'},
    {nr::k_timer_create, "timer_create", sys_timer_create, "cpp", 'd'},
    {nr::k_timer_settime, "timer_settime", sys_timer_settime, "dxpp", 'd'},
    {nr::k_timer_gettime, "timer_gettime", sys_timer_gettime, "dp", 'd'},
    {nr::k_timer_getoverrun, "timer_getoverrun", sys_timer_getoverrun, "d", 'd'},
    {nr::k_timer_delete, "timer_delete", sys_timer_delete, "d", 'd'},
};

}  // namespace

void register_time_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
