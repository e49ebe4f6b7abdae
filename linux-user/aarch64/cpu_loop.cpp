// The aarch64 cpu loop: runs translated code and handles SVC, BRK/UDF/illegal, faults, IC IVAU
// and signals.
#include "linux-user/cpu_loop.h"

#include <cstring>

#include "linux-user/aarch64/arm_loop.h"
#include "linux-user/aarch64/thread.h"
#include "linux-user/arch.h"
#include "linux-user/signal.h"
#include "target/arm/translate_a64.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user::aarch64 {

namespace {
arm::A64Translator* g_translator = nullptr;  // the process's one translator

// A guest access faulting with a tag in the address's top byte: that is TBI, which the translator
// then starts to honour (blocks are retranslated and the access runs again). Once it does, such a
// fault is the guest's own.
bool start_top_byte_ignore(tcg::ExecEngine& engine, uint64_t fault_addr) {
  if (!g_translator || g_translator->top_byte_ignore() || (fault_addr >> 56) == 0) return false;
  g_translator->set_top_byte_ignore(true);
  engine.flush();
  return true;
}
// SVC from the engine's exit hook (cpu_loop.h): x8 the number, x0-x5 the arguments.
bool svc_in_place(tcg::CpuBase* env) {
  arm::A64Cpu& cpu = *static_cast<arm::A64Cpu*>(env);
  const uint64_t args[6] = {cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]};
  int64_t r = 0;
  const InPlace how = run_syscall_in_place(cpu.x[8], args, r);
  if (how == InPlace::kReturned) {
    cpu.x[0] = uint64_t(r);
    cpu.pc += 4;
  }
  return continue_after_syscall(cpu, how);
}
}  // namespace

int run(Process& proc, uint64_t entry, uint64_t sp) {
  arm::A64Translator translator(proc.mem.get());
  g_translator = &translator;
  tcg::ExecEngine engine(proc.options.engine, translator);
  A64Thread thread(proc);
  arm::A64Cpu& cpu = thread.cpu_state;
  cpu.guest_base = proc.mem->base();
  cpu.pc = entry;
  cpu.sp = sp;
  arm::set_fpcr(cpu, 0);
  arm::set_fpsr(cpu, 0);
  return run_initial_thread(proc, engine, thread);
}

std::unique_ptr<GuestThread> A64Thread::clone_thread() {
  auto t = std::make_unique<A64Thread>(proc_);
  arm::A64Cpu& c = t->cpu_state;
  const arm::A64Cpu& p = cpu_state;
  c.guest_base = p.guest_base;
  c.pc = p.pc + 4;  // past the svc: the child returns from clone
  memcpy(c.x, p.x, sizeof c.x);
  c.sp = p.sp;
  c.nf = p.nf, c.zf = p.zf, c.cf = p.cf, c.vf = p.vf;
  c.tpidr_el0 = p.tpidr_el0;
  c.tpidrro_el0 = p.tpidrro_el0;
  memcpy(c.v, p.v, sizeof c.v);
  arm::set_fpcr(c, arm::get_fpcr(p));
  arm::set_fpsr(c, arm::get_fpsr(p));
  return t;
}

void A64Thread::run_loop() {
  Process& proc = proc_;
  tcg::ExecEngine& engine = *proc.engine;
  arm::A64Cpu& cpu = cpu_state;
  install_syscall_hook(cpu, arm::kExitSvc, svc_in_place);
  using arm_common::ExitHandled;
  arm_common::run_arm_loop(proc, *this, cpu, "aarch64", [&](uint32_t reason) {
    switch (reason) {
      case arm::kExitSvc: {
        const uint64_t args[6] = {cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]};
        int64_t r = 0;
        switch (run_guest_syscall(proc, *this, cpu.x[8], args, r)) {
          case SyscallOutcome::kExited: return ExitHandled::kExitLoop;
          case SyscallOutcome::kNoResult:
          case SyscallOutcome::kRestart: break;
          case SyscallOutcome::kReturn:
            cpu.x[0] = uint64_t(r);
            cpu.pc += 4;
            break;
        }
        return ExitHandled::kYes;
      }
      case tcg::kExitMemFault:
        // A tagged address first turns top-byte-ignore on (the access then runs again); after that
        // arm64 Linux hides the tag in si_addr (bits 56-63 copy bit 55: untagged_addr).
        if (start_top_byte_ignore(engine, cpu.fault_addr)) return ExitHandled::kYes;
        deliver_mem_fault(proc, *this, uint64_t(int64_t(cpu.fault_addr << 8) >> 8));
        return ExitHandled::kYes;
      case arm::kExitIcInvalidate: {
        // The translations of the page holding the invalidated line go (blocks never span pages),
        // and those of its other mappings: the instruction cache is physically indexed.
        const uint64_t page = cpu.ic_inval_addr & ~uint64_t(0xfff);
        proc.mem->invalidate_code(page, page + 0x1000);
        return ExitHandled::kYes;
      }
      default: return ExitHandled::kNo;
    }
  });
}

}  // namespace mimic::linux_user::aarch64
