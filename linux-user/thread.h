// Guest threads: clone(CLONE_VM|CLONE_THREAD) as a host thread per guest thread, thread exit
// (robust futex list, CLONE_CHILD_CLEARTID wake-up) and the process-wide exit.
#pragma once

#include <cstdint>

#include "linux-user/process.h"

namespace mimic::linux_user {

// Makes `thread` the calling host thread's guest thread for its lifetime: host signal handlers and
// the process's thread list reach it, and the engine forgets its CPU when it ends.
class ThreadBinding {
 public:
  ThreadBinding(Process& proc, GuestThread& thread);
  ~ThreadBinding();
  ThreadBinding(const ThreadBinding&) = delete;
  ThreadBinding& operator=(const ThreadBinding&) = delete;

 private:
  Process& proc_;
  GuestThread& thread_;
};

// clone() with CLONE_VM|CLONE_THREAD: starts the child on a new host thread with a copy of the
// parent's registers (return value 0, stack `newsp` when nonzero, TLS when CLONE_SETTLS), handles
// CLONE_PARENT_SETTID / CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID. Returns the child's tid or -errno.
int64_t spawn_guest_thread(Process& proc, GuestThread& parent, uint64_t flags, uint64_t newsp, uint64_t ptid,
                           uint64_t tls, uint64_t ctid);

// What Linux does when a thread ends (exit(2) or the end of the process): the robust futex list
// is walked (locks it held get FUTEX_OWNER_DIED and a waiter is woken), then the
// CLONE_CHILD_CLEARTID word is zeroed and woken (pthread_join waits on it).
void release_thread_resources(Process& proc, GuestThread& thread);

// Ends the whole process now with `status` from any thread (exit_group from a thread other than
// the initial one, or the last thread's exit).
[[noreturn]] void exit_process(int status);

}  // namespace mimic::linux_user
