// The riscv64 cpu loop: runs translated code and handles ecall, faults, fence.i and signals.
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/riscv64/thread.h"
#include "linux-user/signal.h"
#include "linux-user/syscall.h"
#include "target/riscv/translate.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user::riscv64 {

namespace {

// Calls Linux never restarts after a handler ran (they return EINTR): the sleeps and the waits
// with a temporary signal mask or a timeout.
bool never_restarts(uint64_t nr) {
  switch (nr) {
    case nr::k_ppoll:
    case nr::k_pselect6:
    case nr::k_epoll_pwait:
    case nr::k_epoll_pwait2:
    case nr::k_rt_sigsuspend:
    case nr::k_rt_sigtimedwait:
    case nr::k_nanosleep:
    case nr::k_clock_nanosleep:
    case nr::k_io_getevents: return true;
    default: return false;
  }
}

int segv_code(Process& proc, uint64_t addr) {
  return (proc.mem->page_flags(addr) & PageFlag::kValid) ? 2 /*SEGV_ACCERR*/ : 1 /*SEGV_MAPERR*/;
}

}  // namespace

int run(Process& proc, uint64_t entry, uint64_t sp) {
  riscv::RiscvTranslator translator(proc.mem.get());
  tcg::ExecEngine engine(proc.options.engine, translator);
  proc.engine = &engine;
  proc.mem->set_invalidate_hook([&engine](uint64_t s, uint64_t e) { engine.invalidate_range(s, e); });

  RiscvThread thread(proc);
  riscv::RiscvCpu& cpu = thread.cpu_state;
  cpu.guest_base = proc.mem->base();
  cpu.pc = entry;
  cpu.x[2] = sp;
  proc.thread = &thread;

  for (;;) {
    uint32_t reason = engine.run(&cpu);
    switch (reason) {
      case riscv::kExitEcall: {
        uint64_t nr = cpu.x[17];
        uint64_t args[6] = {cpu.x[10], cpu.x[11], cpu.x[12], cpu.x[13], cpu.x[14], cpu.x[15]};
        int64_t r = do_syscall(proc, thread, nr, args);
        if (proc.exited) {
          proc.mem->set_invalidate_hook(nullptr);
          proc.thread = nullptr;
          proc.engine = nullptr;
          return proc.exit_status;
        }
        if (r == kSysNoResult) break;  // registers already set (rt_sigreturn)
        if ((r == -EINTR && !never_restarts(nr) && should_restart_syscall(proc)) || r == kSysRestart)
          break;  // pc stays on the ecall: it runs again after the handler returns
        cpu.x[10] = uint64_t(r);
        cpu.pc += 4;
        break;
      }
      case riscv::kExitEbreak: deliver_sync_signal(proc, thread, SIGTRAP, 1 /*TRAP_BRKPT*/, cpu.pc); break;
      case riscv::kExitIllegal: deliver_sync_signal(proc, thread, SIGILL, 1 /*ILL_ILLOPC*/, cpu.pc); break;
      case riscv::kExitFetchFault:
        deliver_sync_signal(proc, thread, SIGSEGV, segv_code(proc, cpu.fault_addr), cpu.fault_addr);
        break;
      case tcg::kExitMemFault:
        if (last_fault_signal() == SIGBUS)
          deliver_sync_signal(proc, thread, SIGBUS, 2 /*BUS_ADRERR*/, cpu.fault_addr);
        else
          deliver_sync_signal(proc, thread, SIGSEGV, segv_code(proc, cpu.fault_addr), cpu.fault_addr);
        break;
      case tcg::kExitUnaligned: deliver_sync_signal(proc, thread, SIGBUS, 1 /*BUS_ADRALN*/, cpu.fault_addr); break;
      case riscv::kExitFenceI: engine.flush(); break;
      case tcg::kExitInterrupt: cpu.exit_request.store(0); break;
      default:
        fprintf(stderr, "mimic: internal error: riscv64 cpu loop got exit reason %u at pc %#llx\n", reason,
                (unsigned long long)cpu.pc);
        abort();
    }
    if (proc.signals.pending.load()) process_pending_signals(proc, thread);
  }
}

}  // namespace mimic::linux_user::riscv64
