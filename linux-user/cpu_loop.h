// The parts of every architecture's cpu loop that do not depend on the architecture: running a
// system call with Linux's restart rules, and turning engine exits for memory faults into signals.
#pragma once

#include <cstdint>

#include "linux-user/process.h"

namespace mimic::linux_user {

// Makes `engine` the process's (shared by all its threads) for the life of the initial thread's
// loop: guest memory changes invalidate its translations, and the syscall layer reaches it.
class EngineBinding {
 public:
  EngineBinding(Process& proc, tcg::ExecEngine& engine);
  ~EngineBinding();
  EngineBinding(const EngineBinding&) = delete;
  EngineBinding& operator=(const EngineBinding&) = delete;

 private:
  Process& proc_;
};

// What the cpu loop does after a guest system call.
enum class SyscallOutcome {
  kExited,     // the process or this thread is gone: leave the loop
  kNoResult,   // registers were set by the call itself (rt_sigreturn): touch nothing
  kRestart,    // interrupted, to be restarted: leave pc on the syscall instruction
  kReturn,     // write `result` to the return register and step past the instruction
};
// Runs system call `nr`; sets `result` for kReturn. kExited when the process or this thread ended.
SyscallOutcome run_guest_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t args[6],
                                 int64_t& result);

// SIGSEGV (SEGV_MAPERR or SEGV_ACCERR) for a fault at `addr`.
void deliver_segv(Process& proc, GuestThread& thread, uint64_t addr);
// A guest load/store faulted in translated code (tcg::kExitMemFault at cpu.fault_addr): SIGSEGV,
// or SIGBUS (BUS_ADRERR) when the host saw SIGBUS (a file-backed page beyond the end of its file).
void deliver_mem_fault(Process& proc, GuestThread& thread, uint64_t addr);

// The initial thread: runs `thread` (already set up at the entry point) on the calling host thread
// until the process ends, and returns its exit status. When the initial thread exits alone
// (exit(2) while other threads run), its host thread ends and the process lives on, as in Linux.
int run_initial_thread(Process& proc, tcg::ExecEngine& engine, GuestThread& thread);

}  // namespace mimic::linux_user
