// The exit dispatch both Arm cpu loops share (arm_loop.h).
#include "linux-user/aarch64/arm_loop.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "linux-user/cpu_loop.h"
#include "linux-user/signal.h"

namespace mimic::linux_user::arm_common {

bool dispatch_arm_exit(Process& proc, GuestThread& thread, arm::A64Cpu& cpu, uint32_t reason) {
  switch (reason) {
    case arm::kExitBrk: deliver_sync_signal(proc, thread, SIGTRAP, 1 /*TRAP_BRKPT*/, cpu.pc); return true;
    case arm::kExitUdf:
    case arm::kExitIllegal: deliver_sync_signal(proc, thread, SIGILL, 1 /*ILL_ILLOPC*/, cpu.pc); return true;
    case arm::kExitFetchFault: deliver_segv(proc, thread, cpu.fault_addr); return true;
    case arm::kExitPcAlignment: deliver_sync_signal(proc, thread, SIGBUS, 1 /*BUS_ADRALN*/, cpu.pc); return true;
    case tcg::kExitMemFault: deliver_mem_fault(proc, thread, cpu.fault_addr); return true;
    case tcg::kExitUnaligned: deliver_sync_signal(proc, thread, SIGBUS, 1 /*BUS_ADRALN*/, cpu.fault_addr); return true;
    case tcg::kExitInterrupt: cpu.exit_request.store(0); return true;
    case tcg::kExitDebug: return true;  // the debugger's (after_arm_exit)
    default: return false;
  }
}

void unknown_arm_exit(const char* arch_name, uint32_t reason, uint64_t pc) {
  fprintf(stderr, "mimic: internal error: %s cpu loop got exit reason %u at pc %#llx\n", arch_name, reason,
          (unsigned long long)pc);
  abort();
}

void before_arm_run(Process& proc, GuestThread& thread) {
  if (proc.debugger) proc.debugger->before_run(thread);
}

void after_arm_exit(Process& proc, GuestThread& thread, uint32_t reason) {
  if (proc.debugger) proc.debugger->after_exit(thread, reason);
  if (thread.signals.pending.load()) process_pending_signals(proc, thread);
}

}  // namespace mimic::linux_user::arm_common
