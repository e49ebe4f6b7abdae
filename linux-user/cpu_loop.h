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
  kExited,    // the process or this thread is gone: leave the loop
  kNoResult,  // registers were set by the call itself (rt_sigreturn): touch nothing
  kRestart,   // interrupted, to be restarted: leave pc on the syscall instruction
  kReturn,    // write `result` to the return register and step past the instruction
};
// Runs system call `nr`; sets `result` for kReturn. kExited when the process or this thread ended.
SyscallOutcome run_guest_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t args[6],
                                 int64_t& result);

// System calls run from the engine's exit hook (tcg::CpuBase::exit_hook), where translated code
// left, without a return through the loop: the frequent calls that need nothing of the loop (file
// and pipe I/O, stat, clocks, ids, futex, poll). docs/linux-user.md, "System calls without a
// return to the loop".
enum class InPlace {
  kNotRun,    // not such a call, or a debugger is attached: the loop runs it (exit reason unchanged)
  kReturned,  // done: the arch hook writes `result` to the return register and steps past the call
  kRestart,   // interrupted, to run again after the signal handler: pc stays on the instruction
};
InPlace run_syscall_in_place(uint64_t nr, const uint64_t args[6], int64_t& result);
// After the arch hook applied `how`: true goes on in translated code at env.pc; false leaves, with
// the exit reason unchanged for kNotRun and as kExitInterrupt otherwise (pending signals, a
// restart, an exit request), so that the loop does its after-exit work.
bool continue_after_syscall(tcg::CpuBase& env, InPlace how);
// Makes env's `reason` exits (the architecture's system call) go through `hook` first, unless
// MIMIC_SYSCALL_IN_PLACE=0 asks for every call through the loop.
void install_syscall_hook(tcg::CpuBase& env, uint32_t reason, bool (*hook)(tcg::CpuBase*));

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
