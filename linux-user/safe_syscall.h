// Blocking host system calls made for the guest, without the signal race (qemu's safe_syscall).
//
// A guest signal is recorded by a host signal handler and delivered by the cpu loop. A blocking
// call such as read(2) on a pipe returns EINTR when the host signal arrives during it, but a signal
// that arrives after the last check for pending signals and before the call enters the kernel
// would be noticed only when the call returns by itself, perhaps never (alarm(1); pause()).
// safe_syscall checks for a deliverable guest signal immediately before the `syscall`
// instruction; the host handler, when it interrupts a thread between that check and the
// instruction, moves it to the exit that returns kSysRestart (safe_syscall_interrupt).
//
// kSysRestart, not -EINTR: the call has not started, so the guest sees the signal arrive just
// before its system call, which then runs again after the handler, whatever SA_RESTART says (a
// write to a file must never fail with EINTR). Calls with a temporary mask (ppoll, pselect6,
// epoll_pwait, rt_sigsuspend) turn it into -EINTR, as the signal may be deliverable only under
// that mask.
#pragma once

#include <signal.h>

#include <cstdint>
#include <type_traits>

namespace mimic::linux_user {

int64_t safe_syscall_raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

// The result, -errno, or kSysRestart. Arguments are integers or pointers, as for syscall(2).
template <class... Args>
int64_t safe_syscall(long nr, Args... args) {
  static_assert(sizeof...(Args) <= 6);
  auto word = [](auto v) -> long {
    if constexpr (std::is_pointer_v<decltype(v)> || std::is_null_pointer_v<decltype(v)>)
      return reinterpret_cast<long>(v);
    else
      return long(v);
  };
  long w[6] = {word(args)...};
  return safe_syscall_raw(nr, w[0], w[1], w[2], w[3], w[4], w[5]);
}

// From a host signal handler that has just recorded a guest signal for the calling thread.
void safe_syscall_interrupt(ucontext_t* uc);

}  // namespace mimic::linux_user
