// The 32-bit Arm cpu loop: runs translated code and handles SVC (EABI and the ARM-private calls),
// BKPT/UDF/illegal instructions, faults and signals.
#include "linux-user/cpu_loop.h"

#include <signal.h>

#include <cstring>

#include "linux-user/aarch64/arm_loop.h"
#include "linux-user/arch.h"
#include "linux-user/arm/thread.h"
#include "linux-user/signal.h"
#include "target/arm/translate_a32.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user::arm32 {

void map_kuser_helpers(Process& proc);

namespace {
// arch/arm/include/uapi/asm/unistd.h: __ARM_NR_BASE + n.
constexpr uint32_t kArmNrBase = 0x0f0000;
constexpr uint32_t kArmBreakpoint = kArmNrBase + 1, kArmCacheflush = kArmNrBase + 2, kArmUsr26 = kArmNrBase + 3,
                   kArmUsr32 = kArmNrBase + 4, kArmSetTls = kArmNrBase + 5, kArmGetTls = kArmNrBase + 6;

// The ARM-private system calls; false when `nr` is none of them.
bool arm_private_syscall(Process& proc, A32Thread& thread, uint32_t nr, int64_t& r) {
  arm::A32Cpu& c = thread.cpu_state;
  switch (nr) {
    case kArmSetTls:
      c.tpidruro = c.r[0];
      r = 0;
      return true;
    case kArmGetTls: r = c.tpidruro; return true;
    case kArmCacheflush: {
      // Translations of the range go; blocks never span pages, so whole pages are dropped.
      const uint64_t start = c.r[0] & ~uint64_t(0xfff), end = (uint64_t(c.r[1]) + 0xfff) & ~uint64_t(0xfff);
      if (end > start) proc.engine->invalidate_range(start, end);
      r = 0;
      return true;
    }
    case kArmUsr26:
    case kArmUsr32: r = 0; return true;
    case kArmBreakpoint: r = INT64_MIN; return true;  // the caller raises SIGTRAP
    default: return false;
  }
}
}  // namespace

int run(Process& proc, uint64_t entry, uint64_t sp) {
  arm::A32Translator translator(proc.mem.get());
  translator.set_armv6(proc.arch->cpu_model == kArm1176);
  tcg::ExecEngine engine(proc.options.engine, translator);
  map_kuser_helpers(proc);
  A32Thread thread(proc);
  arm::A32Cpu& cpu = thread.cpu_state;
  cpu.guest_base = proc.mem->base();
  // The entry point's bit 0 selects Thumb, as the kernel's start_thread does.
  cpu.pc = entry & ~uint64_t(1);
  cpu.tb_flags = (entry & 1) ? arm::kTbThumb : 0;
  cpu.r[13] = uint32_t(sp);
  arm::set_fpscr(cpu, 0);
  return run_initial_thread(proc, engine, thread);
}

std::unique_ptr<GuestThread> A32Thread::clone_thread() {
  auto t = std::make_unique<A32Thread>(proc_);
  arm::A32Cpu& c = t->cpu_state;
  const arm::A32Cpu& p = cpu_state;
  c.guest_base = p.guest_base;
  c.pc = p.pc + svc_length(p);  // past the svc: the child returns from clone
  c.tb_flags = p.tb_flags & ~arm::kTbItMask;
  memcpy(c.r, p.r, sizeof c.r);
  c.nf = p.nf, c.zf = p.zf, c.cf = p.cf, c.vf = p.vf;
  c.ge = p.ge, c.qf = p.qf;
  c.tpidruro = p.tpidruro;
  c.tpidrurw = p.tpidrurw;
  memcpy(c.v, p.v, sizeof c.v);
  arm::set_fpscr(c, arm::get_fpscr(p));
  return t;
}

void A32Thread::run_loop() {
  Process& proc = proc_;
  arm::A32Cpu& cpu = cpu_state;
  using arm_common::ExitHandled;
  arm_common::run_arm_loop(proc, *this, cpu, "arm", [&](uint32_t reason) {
    if (reason != arm::kExitSvc) {
      // A fault or trap inside an IT block: the signal frame's CPSR has the IT state the
      // instruction started under (and sigreturn resumes it), as Linux's does.
      const bool sync = reason == tcg::kExitMemFault || reason == tcg::kExitUnaligned || reason == arm::kExitUdf ||
                        reason == arm::kExitIllegal || reason == arm::kExitBrk;
      if (const uint32_t it = arm::it_state_at(cpu, cpu.pc); sync && it)
        cpu.tb_flags = (cpu.tb_flags & ~arm::kTbItMask) | it << arm::kTbItShift;
      return ExitHandled::kNo;
    }
    // EABI: the number in r7, arguments in r0-r5 (64-bit ones in aligned pairs; the syscall
    // table's ABI entries reassemble them).
    const uint32_t nr = cpu.r[7];
    int64_t r = 0;
    if (arm_private_syscall(proc, *this, nr, r)) {
      cpu.pc += svc_length(cpu);
      if (r == INT64_MIN)
        deliver_sync_signal(proc, *this, SIGTRAP, 1 /*TRAP_BRKPT*/, cpu.pc);
      else
        cpu.r[0] = uint32_t(r);
      return ExitHandled::kYes;
    }
    const uint64_t args[6] = {cpu.r[0], cpu.r[1], cpu.r[2], cpu.r[3], cpu.r[4], cpu.r[5]};
    switch (run_guest_syscall(proc, *this, nr, args, r)) {
      case SyscallOutcome::kExited: return ExitHandled::kExitLoop;
      case SyscallOutcome::kNoResult:
      case SyscallOutcome::kRestart: break;
      case SyscallOutcome::kReturn:
        cpu.r[0] = uint32_t(r);
        cpu.pc += svc_length(cpu);
        break;
    }
    return ExitHandled::kYes;
  });
}

}  // namespace mimic::linux_user::arm32
