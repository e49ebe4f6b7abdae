// The parts of every architecture's cpu loop that do not depend on the architecture: running a
// system call with Linux's restart rules, and turning engine exits for memory faults into signals.
#pragma once

#include <cstdint>

#include "linux-user/process.h"

namespace mimic::linux_user {

// Makes `engine` and `thread` the process's for the life of a cpu loop: guest memory changes
// invalidate the engine's translations, and the syscall/signal layers reach both.
class LoopBinding {
 public:
  LoopBinding(Process& proc, tcg::ExecEngine& engine, GuestThread& thread);
  ~LoopBinding();
  LoopBinding(const LoopBinding&) = delete;
  LoopBinding& operator=(const LoopBinding&) = delete;

 private:
  Process& proc_;
};

// What the cpu loop does after a guest system call.
enum class SyscallOutcome {
  kExited,     // the process (or this thread) is gone: leave the loop with proc.exit_status
  kNoResult,   // registers were set by the call itself (rt_sigreturn): touch nothing
  kRestart,    // interrupted, to be restarted: leave pc on the syscall instruction
  kReturn,     // write `result` to the return register and step past the instruction
};
// Runs system call `nr`; sets `result` for kReturn.
SyscallOutcome run_guest_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t args[6],
                                 int64_t& result);

// SIGSEGV (SEGV_MAPERR or SEGV_ACCERR) for a fault at `addr`.
void deliver_segv(Process& proc, GuestThread& thread, uint64_t addr);
// A guest load/store faulted in translated code (tcg::kExitMemFault at cpu.fault_addr): SIGSEGV,
// or SIGBUS (BUS_ADRERR) when the host saw SIGBUS (a file-backed page beyond the end of its file).
void deliver_mem_fault(Process& proc, GuestThread& thread, uint64_t addr);

}  // namespace mimic::linux_user
