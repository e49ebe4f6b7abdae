// Signal system calls: rt_sigaction, masks, sigaltstack, sigsuspend, sigreturn, kill and friends.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/signal.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

// The kernel's struct sigaction: {handler, flags, [restorer,] mask} with an 8-byte mask.
// The handler, flags and restorer are longs (the ABI's word); the mask follows them.
bool read_sigaction(SyscallCtx& ctx, uint64_t addr, GuestSigaction& act) {
  uint64_t w[3] = {};
  const bool restorer = ctx.proc.arch && ctx.proc.arch->sigaction_restorer;
  const unsigned wb = guest_word_bytes(ctx.proc), n = restorer ? 3 : 2;
  if (!get_guest_words(ctx.mem, addr, w, n, wb) || !get_guest(ctx.mem, addr + n * wb, act.mask)) return false;
  act.handler = w[0];
  act.flags = w[1];
  act.restorer = restorer ? w[2] : 0;
  return true;
}
bool write_sigaction(SyscallCtx& ctx, uint64_t addr, const GuestSigaction& act) {
  const bool restorer = ctx.proc.arch && ctx.proc.arch->sigaction_restorer;
  const unsigned wb = guest_word_bytes(ctx.proc), n = restorer ? 3 : 2;
  const uint64_t w[3] = {act.handler, act.flags, act.restorer};
  return put_guest_words(ctx.mem, addr, w, n, wb) && put_guest(ctx.mem, addr + n * wb, act.mask);
}

SYS(rt_sigaction) {
  if (a[3] != 8) return -EINVAL;
  GuestSigaction act, old;
  if (a[1] && !read_sigaction(ctx, a[1], act)) return -EFAULT;
  if (int64_t r = set_guest_sigaction(ctx.proc, int(a[0]), a[1] ? &act : nullptr, &old); r < 0) return r;
  if (a[2] && !write_sigaction(ctx, a[2], old)) return -EFAULT;
  return 0;
}

SYS(rt_sigprocmask) {
  if (a[3] != 8) return -EINVAL;
  uint64_t old = ctx.thread.signals.blocked, set = 0;
  if (a[1]) {
    if (!get_guest(ctx.mem, a[1], set)) return -EFAULT;
    uint64_t m;
    switch (int(a[0])) {
      case SIG_BLOCK: m = old | set; break;
      case SIG_UNBLOCK: m = old & ~set; break;
      case SIG_SETMASK: m = set; break;
      default: return -EINVAL;
    }
    set_guest_mask(ctx.thread, m);
  }
  if (a[2] && !put_guest(ctx.mem, a[2], old)) return -EFAULT;
  return 0;
}

SYS(rt_sigpending) {
  if (a[1] > 8) return -EINVAL;
  uint64_t host_pending = 0;
  syscall(SYS_rt_sigpending, &host_pending, 8);
  uint64_t m = ctx.thread.signals.pending.load() | host_pending;
  m &= ctx.thread.signals.blocked;
  if (!copy_to_guest(ctx.mem, a[0], &m, a[1])) return -EFAULT;
  return 0;
}

SYS(rt_sigsuspend) {
  if (a[1] != 8) return -EINVAL;
  uint64_t m;
  if (!get_guest(ctx.mem, a[0], m)) return -EFAULT;
  sigset_t hs = host_sigset_for_guest_mask(m);
  begin_temp_mask(ctx.thread, m);
  // Returns at once when a signal the temporary mask lets in is already recorded.
  safe_syscall(SYS_rt_sigsuspend, &hs, 8);
  end_temp_mask(ctx.thread, true);
  return -EINTR;
}

SYS(rt_sigtimedwait) {
  if (a[3] != 8) return -EINVAL;
  uint64_t m;
  if (!get_guest(ctx.mem, a[0], m)) return -EFAULT;
  sigset_t hs = host_sigset_for_guest_mask(m);
  timespec ts, *pts = nullptr;
  if (a[2]) {
    if (!get_guest_timespec(ctx, a[2], ts)) return -EFAULT;
    pts = &ts;
  }
  siginfo_t si;
  const int64_t r = safe_syscall(SYS_rt_sigtimedwait, &hs, &si, pts, 8);
  if (r < 0) return r;
  if (a[1] && !put_guest_siginfo(ctx, a[1], &si)) return -EFAULT;
  return r;
}

SYS(sigaltstack) {
  SignalState& s = ctx.thread.signals;
  uint64_t sp = ctx.thread.sp();
  bool on = s.altstack_size && sp - s.altstack_sp < s.altstack_size;
  if (a[1]) {
    // stack_t: {ss_sp, ss_flags, ss_size}, each a word (ss_flags is an int padded to one).
    uint64_t w[3] = {s.altstack_sp, uint64_t(on ? 1 : s.altstack_flags), s.altstack_size};  // SS_ONSTACK 1
    if (!put_guest_words(ctx.mem, a[1], w, 3, guest_word_bytes(ctx.proc))) return -EFAULT;
  }
  if (a[0]) {
    uint64_t w[3];
    if (!get_guest_words(ctx.mem, a[0], w, 3, guest_word_bytes(ctx.proc))) return -EFAULT;
    if (on) return -EPERM;
    int flags = int(w[1]);
    constexpr int kSsDisable = 2, kSsAutoDisarm = int(1u << 31);
    if (flags & ~(kSsDisable | kSsAutoDisarm)) return -EINVAL;
    if (flags & kSsDisable) {
      s.altstack_sp = s.altstack_size = 0;
      s.altstack_flags = kSsDisable;
    } else {
      uint64_t min = ctx.proc.arch ? ctx.proc.arch->min_sigstack : 2048;
      if (w[2] < min) return -ENOMEM;
      s.altstack_sp = w[0];
      s.altstack_size = w[2];
      s.altstack_flags = 0;
    }
  }
  return 0;
}

SYS(rt_sigreturn) { return do_rt_sigreturn(ctx.proc, ctx.thread); }

SYS(kill) { return host_ret(::kill(pid_t(a[0]), int(a[1]))); }
SYS(tkill) { return host_ret(syscall(SYS_tkill, int(a[0]), int(a[1]))); }
SYS(tgkill) { return host_ret(syscall(SYS_tgkill, int(a[0]), int(a[1]), int(a[2]))); }
SYS(rt_sigqueueinfo) {
  siginfo_t si;
  if (!get_guest_siginfo(ctx, a[2], &si)) return -EFAULT;
  return host_ret(syscall(SYS_rt_sigqueueinfo, int(a[0]), int(a[1]), &si));
}
SYS(rt_tgsigqueueinfo) {
  siginfo_t si;
  if (!get_guest_siginfo(ctx, a[3], &si)) return -EFAULT;
  return host_ret(syscall(SYS_rt_tgsigqueueinfo, int(a[0]), int(a[1]), int(a[2]), &si));
}

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_rt_sigaction, "rt_sigaction", sys_rt_sigaction, "Sppu", 'd'},
    {nr::k_rt_sigprocmask, "rt_sigprocmask", sys_rt_sigprocmask, "dppu", 'd'},
    {nr::k_rt_sigpending, "rt_sigpending", sys_rt_sigpending, "pu", 'd'},
    {nr::k_rt_sigsuspend, "rt_sigsuspend", sys_rt_sigsuspend, "pu", 'd'},
    {nr::k_rt_sigtimedwait, "rt_sigtimedwait", sys_rt_sigtimedwait, "pppu", 'd'},
    {nr::k_sigaltstack, "sigaltstack", sys_sigaltstack, "pp", 'd'},
    {nr::k_rt_sigreturn, "rt_sigreturn", sys_rt_sigreturn, "", 'n'},
    {nr::k_kill, "kill", sys_kill, "dS", 'd'},
    {nr::k_tkill, "tkill", sys_tkill, "dS", 'd'},
    {nr::k_tgkill, "tgkill", sys_tgkill, "ddS", 'd'},
    {nr::k_rt_sigqueueinfo, "rt_sigqueueinfo", sys_rt_sigqueueinfo, "dSp", 'd'},
    {nr::k_rt_tgsigqueueinfo, "rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo, "ddSp", 'd'},
};

}  // namespace

void register_signal_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
