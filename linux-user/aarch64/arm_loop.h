// The cpu loop both Arm guests (AArch64 and AArch32) share: they run on the same target/arm exit
// reasons, so the debugger hooks, the fault and trap exits turned into signals and the pending
// signals are one piece of code; each guest passes what differs (its SVC and its own exits).
#pragma once

#include <cstdint>

#include "linux-user/process.h"
#include "target/arm/cpu.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user::arm_common {

// What a guest's own exit handler did with an exit reason.
enum class ExitHandled {
  kNo,        // not one of its exits: the shared dispatch handles it
  kYes,       // handled: go on running
  kExitLoop,  // the thread is gone (exit, or the process ended)
};

// Runs `thread` until it exits. `own_exit(reason)` sees every exit first (SVC, and what else only
// one guest has); the shared part turns BRK/BKPT, UDF and illegal instructions, fetch, data and
// alignment faults into SIGTRAP, SIGILL, SIGSEGV and SIGBUS at `cpu.pc` or `cpu.fault_addr`.
template <typename OwnExit>
void run_arm_loop(Process& proc, GuestThread& thread, arm::A64Cpu& cpu, const char* arch_name, OwnExit&& own_exit);

// The shared dispatch of one exit reason (false: not one of them).
bool dispatch_arm_exit(Process& proc, GuestThread& thread, arm::A64Cpu& cpu, uint32_t reason);
// A cpu loop got an exit reason no one handles: an internal error, reported and aborted.
[[noreturn]] void unknown_arm_exit(const char* arch_name, uint32_t reason, uint64_t pc);
// The debugger's hooks and the signals pending after an exit.
void before_arm_run(Process& proc, GuestThread& thread);
void after_arm_exit(Process& proc, GuestThread& thread, uint32_t reason);

template <typename OwnExit>
void run_arm_loop(Process& proc, GuestThread& thread, arm::A64Cpu& cpu, const char* arch_name, OwnExit&& own_exit) {
  tcg::ExecEngine& engine = *proc.engine;
  for (;;) {
    before_arm_run(proc, thread);
    const uint32_t reason = engine.run(&cpu);
    const ExitHandled own = own_exit(reason);
    if (own == ExitHandled::kExitLoop) return;
    if (own == ExitHandled::kNo && !dispatch_arm_exit(proc, thread, cpu, reason))
      unknown_arm_exit(arch_name, reason, cpu.pc);
    after_arm_exit(proc, thread, reason);
  }
}

}  // namespace mimic::linux_user::arm_common
