// The riscv64 cpu loop: runs translated code and handles ecall, faults, fence.i and signals.
#include "linux-user/cpu_loop.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "linux-user/arch.h"
#include "linux-user/mmap.h"
#include "linux-user/riscv64/thread.h"
#include "linux-user/riscv64/vector_control.h"
#include "linux-user/signal.h"
#include "target/riscv/translate.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user::riscv64 {

namespace {
// -cpu rv64,v=true: vector instructions, whose loads and stores ask the memory map whether a
// range can be accessed (fault-only-first loads, whole-range copies).
void enable_vector(Process& proc, riscv::RiscvCpu& cpu) {
  if (proc.arch->cpu_model != kModelRv64V) return;
  cpu.ext_v = true;
  cpu.v_access_ok = [](const void* mem, uint64_t addr, uint64_t len, bool write) {
    return static_cast<const GuestMemory*>(mem)->access_ok(
        addr, len, PageFlag::kValid | (write ? PageFlag::kWrite : PageFlag::kRead));
  };
  cpu.v_access_ctx = proc.mem.get();
}
// ecall from the engine's exit hook (cpu_loop.h): a7 the number, a0-a5 the arguments.
bool ecall_in_place(tcg::CpuBase* env) {
  riscv::RiscvCpu& cpu = *static_cast<riscv::RiscvCpu*>(env);
  const uint64_t args[6] = {cpu.x[10], cpu.x[11], cpu.x[12], cpu.x[13], cpu.x[14], cpu.x[15]};
  int64_t r = 0;
  const InPlace how = run_syscall_in_place(cpu.x[17], args, r);
  if (how == InPlace::kReturned) {
    cpu.x[10] = uint64_t(r);
    cpu.pc += 4;
  }
  return continue_after_syscall(cpu, how);
}
}  // namespace

int run(Process& proc, uint64_t entry, uint64_t sp) {
  riscv::RiscvTranslator translator(proc.mem.get());
  tcg::ExecEngine engine(proc.options.engine, translator);
  RiscvThread thread(proc);
  riscv::RiscvCpu& cpu = thread.cpu_state;
  cpu.guest_base = proc.mem->base();
  enable_vector(proc, cpu);
  start_vector_control(thread);
  cpu.pc = entry;
  cpu.x[2] = sp;
  return run_initial_thread(proc, engine, thread);
}

std::unique_ptr<GuestThread> RiscvThread::clone_thread() {
  auto t = std::make_unique<RiscvThread>(proc_);
  riscv::RiscvCpu& c = t->cpu_state;
  const riscv::RiscvCpu& p = cpu_state;
  c.guest_base = p.guest_base;
  c.pc = p.pc + 4;  // past the ecall: the child returns from clone
  memcpy(c.x, p.x, sizeof c.x);
  memcpy(c.f, p.f, sizeof c.f);
  riscv::fp_set_fflags(c, riscv::fp_get_fflags(p));
  riscv::fp_set_frm(c, p.frm);
  c.instret_base = p.instret_base;
  enable_vector(proc_, c);
  memcpy(c.vreg, p.vreg, sizeof c.vreg);
  c.vl = p.vl;
  c.vtype = p.vtype;
  c.vstart = p.vstart;
  c.vxrm = p.vxrm;
  c.vxsat = p.vxsat;
  if (c.ext_v) apply_vector_control(*t, v_ctrl);  // a new thread inherits its creator's V control
  return t;
}

void RiscvThread::run_loop() {
  Process& proc = proc_;
  tcg::ExecEngine& engine = *proc.engine;
  RiscvThread& thread = *this;
  riscv::RiscvCpu& cpu = cpu_state;
  install_syscall_hook(cpu, riscv::kExitEcall, ecall_in_place);
  for (;;) {
    if (proc.debugger) proc.debugger->before_run(thread);
    uint32_t reason = engine.run(&cpu);
    switch (reason) {
      case riscv::kExitEcall: {
        const uint64_t args[6] = {cpu.x[10], cpu.x[11], cpu.x[12], cpu.x[13], cpu.x[14], cpu.x[15]};
        int64_t r = 0;
        switch (run_guest_syscall(proc, thread, cpu.x[17], args, r)) {
          case SyscallOutcome::kExited: return;
          case SyscallOutcome::kNoResult:
          case SyscallOutcome::kRestart: break;
          case SyscallOutcome::kReturn:
            cpu.x[10] = uint64_t(r);
            cpu.pc += 4;
            break;
        }
        break;
      }
      case riscv::kExitEbreak: deliver_sync_signal(proc, thread, SIGTRAP, 1 /*TRAP_BRKPT*/, cpu.pc); break;
      case riscv::kExitIllegal: deliver_sync_signal(proc, thread, SIGILL, 1 /*ILL_ILLOPC*/, cpu.pc); break;
      case riscv::kExitFetchFault: deliver_segv(proc, thread, cpu.fault_addr); break;
      case tcg::kExitMemFault: deliver_mem_fault(proc, thread, cpu.fault_addr); break;
      case tcg::kExitUnaligned: deliver_sync_signal(proc, thread, SIGBUS, 1 /*BUS_ADRALN*/, cpu.fault_addr); break;
      case riscv::kExitFenceI:
        // The write watch has dropped the blocks of pages written through their own address.
        if (!proc.mem->invalidate_unwatched_code()) engine.flush();
        break;
      case tcg::kExitInterrupt: cpu.exit_request.store(0); break;
      case tcg::kExitDebug: break;  // the debugger's (after_exit below)
      default:
        fprintf(stderr, "mimic: internal error: riscv64 cpu loop got exit reason %u at pc %#llx\n", reason,
                (unsigned long long)cpu.pc);
        abort();
    }
    if (proc.debugger) proc.debugger->after_exit(thread, reason);
    if (thread.signals.pending.load()) process_pending_signals(proc, thread);
  }
}

}  // namespace mimic::linux_user::riscv64
