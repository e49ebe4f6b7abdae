// Guest signals: host handlers for faults and async signals, dispositions, masks and delivery.
#pragma once

#include <signal.h>

#include <cstdint>

#include "linux-user/process.h"

namespace mimic::linux_user {

inline uint64_t sig_bit(int sig) { return uint64_t(1) << (sig - 1); }

// Installs the host fault handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) and takes over the
// inherited dispositions. The calling host thread gets an alternate stack (see thread_signals_init).
void signals_init(Process& proc);
// Per host thread: the alternate stack the fault handlers run on (they must run even when the
// host stack is what overflowed). Every host thread that runs guest code calls it once.
void thread_signals_init();
// At the end of such a host thread (on its own stack, outside any handler): the alternate stack
// is switched off and unmapped.
void thread_signals_release();

// The guest thread the calling host thread runs (null outside any), for host signal handlers.
GuestThread* current_thread();
void set_current_thread(GuestThread* thread);

// The host mask for a guest mask: signals the emulator itself needs (faults) are never blocked.
uint64_t host_mask_for_guest(uint64_t mask);
// The same as a host sigset_t, for the raw system calls (sigsetsize 8): glibc's wrappers would
// drop signals 32 and 33.
sigset_t host_sigset_for_guest_mask(uint64_t mask);
// The calling host thread's mask, through the raw call (all 64 signals; `old` may be null).
void set_host_mask(uint64_t mask, uint64_t* old);
// Sets the thread's blocked mask (SIGKILL/SIGSTOP dropped) and mirrors it onto its host thread
// (which must be the calling one).
void set_guest_mask(GuestThread& thread, uint64_t mask);
// The host thread's current mask as a guest mask (the initial thread inherits it).
uint64_t host_mask_as_guest();

// A temporary mask for the duration of one call (rt_sigsuspend, ppoll, pselect6, epoll_pwait):
// when the call was interrupted, the mask stays until the signal is delivered, and the handler's
// frame records the original mask, as Linux does.
void begin_temp_mask(GuestThread& thread, uint64_t mask);
void end_temp_mask(GuestThread& thread, bool interrupted);

// rt_sigaction on the guest's table, updating the host disposition. Returns 0 or -errno.
int64_t set_guest_sigaction(Process& proc, int sig, const GuestSigaction* act, GuestSigaction* old);

// A synchronous signal the guest caused (illegal instruction, fault, ebreak): delivered to its
// handler now, or, when it has none (or blocks it), reported in one line and fatal.
void deliver_sync_signal(Process& proc, GuestThread& thread, int sig, int code, uint64_t addr);

// Delivers every pending signal the guest does not block: handler frames or default actions.
void process_pending_signals(Process& proc, GuestThread& thread);
// True when a pending, unblocked signal's handler asks for SA_RESTART (or there is nothing to
// deliver, so the host's EINTR was spurious): the interrupted system call should run again.
bool should_restart_syscall(Process& proc, GuestThread& thread);

// execve of a guest program: the signals mimic took from the kernel for this thread and has not
// delivered go back into the host kernel's pending set (their siginfo kept where the kernel allows
// it), and every host signal is blocked until the execve, so that the new program gets them as it
// would under Linux; the new mimic unblocks with the guest mask passed in kSigmaskVar. Returns the
// host mask to restore when the execve fails (the kernel then hands them to mimic's handlers again).
uint64_t requeue_signals_for_exec(GuestThread& thread);
void restore_signals_after_failed_exec(uint64_t saved_host_mask);
// The mask the initial guest thread starts with: kSigmaskVar's when a guest execve set it, else the
// host mask mimic inherited.
uint64_t inherited_guest_mask();

// rt_sigreturn for the current thread: restores the frame; returns kSysNoResult.
int64_t do_rt_sigreturn(Process& proc, GuestThread& thread);

// Ends mimic the way `sig` ends a process (status seen by the parent shell), no core file.
[[noreturn]] void die_from_signal(int sig);

// The host signal of the last guest memory fault on this thread (SIGSEGV or SIGBUS).
int last_fault_signal();

const char* signal_name(int sig);

// The start of struct ucontext on the 64-bit asm-generic architectures: uc_flags, uc_link,
// uc_stack (stack_t) and uc_sigmask (the architecture's padding and mcontext follow).
struct GuestUcontextHead {
  uint64_t uc_flags;
  uint64_t uc_link;
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t ss_pad;
  uint64_t ss_size;
  uint64_t uc_sigmask;
};
static_assert(sizeof(GuestUcontextHead) == 48);

// Where a handler's frame goes for a thread whose stack pointer is `sp`: the top of the alternate
// stack when the action asks for it (SA_ONSTACK) and the thread is not already on it, else `sp`.
// Fills `head` (uc_stack as sigaltstack reports it, uc_sigmask = saved_mask).
uint64_t signal_frame_top(const SignalState& s, uint64_t sp, const GuestSigaction& act, uint64_t saved_mask,
                          GuestUcontextHead& head);

}  // namespace mimic::linux_user
