// Guest signals: host handlers for faults and async signals, dispositions, masks and delivery.
#pragma once

#include <signal.h>

#include <cstdint>

#include "linux-user/process.h"

namespace mimic::linux_user {

inline uint64_t sig_bit(int sig) { return uint64_t(1) << (sig - 1); }

// Installs the host fault handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) on an alternate stack.
void signals_init(Process& proc);

// The host mask for a guest mask: signals the emulator itself needs (faults) are never blocked.
sigset_t host_sigset_for_guest_mask(uint64_t mask);
// Sets the guest's blocked mask (SIGKILL/SIGSTOP dropped) and mirrors it onto the host thread.
void set_guest_mask(Process& proc, uint64_t mask);

// A temporary mask for the duration of one call (rt_sigsuspend, ppoll, pselect6, epoll_pwait):
// when the call was interrupted, the mask stays until the signal is delivered, and the handler's
// frame records the original mask, as Linux does.
void begin_temp_mask(Process& proc, uint64_t mask);
void end_temp_mask(Process& proc, bool interrupted);

// rt_sigaction on the guest's table, updating the host disposition. Returns 0 or -errno.
int64_t set_guest_sigaction(Process& proc, int sig, const GuestSigaction* act, GuestSigaction* old);

// A synchronous signal the guest caused (illegal instruction, fault, ebreak): delivered to its
// handler now, or, when it has none (or blocks it), reported in one line and fatal.
void deliver_sync_signal(Process& proc, GuestThread& thread, int sig, int code, uint64_t addr);

// Delivers every pending signal the guest does not block: handler frames or default actions.
void process_pending_signals(Process& proc, GuestThread& thread);
// True when a pending, unblocked signal's handler asks for SA_RESTART (or there is nothing to
// deliver, so the host's EINTR was spurious): the interrupted system call should run again.
bool should_restart_syscall(Process& proc);

// rt_sigreturn for the current thread: restores the frame; returns kSysNoResult.
int64_t do_rt_sigreturn(Process& proc, GuestThread& thread);

// Ends mimic the way `sig` ends a process (status seen by the parent shell), no core file.
[[noreturn]] void die_from_signal(int sig);

// The host signal of the last guest memory fault on this thread (SIGSEGV or SIGBUS).
int last_fault_signal();

const char* signal_name(int sig);

}  // namespace mimic::linux_user
