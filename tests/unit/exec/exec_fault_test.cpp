// Precise guest state on host faults: SIGSEGV in translated (or interpreted) code -> guest pc.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "tcg/exec/exec.h"
#include "tests/unit/exec/toy_guest.h"

namespace mimic::tcg {
namespace {

using namespace toy;

ExecEngine* g_engine = nullptr;
struct sigaction g_old_action;

// What the linux-user SIGSEGV handler does: map the host pc back to the guest instruction (and
// store the guest state the block still kept in host registers there), record the fault and
// leave through cpu_loop_exit.
void on_segv(int sig, siginfo_t* info, void* uc_void) {
  auto* uc = static_cast<ucontext_t*>(uc_void);
  CpuBase* env = ExecEngine::current_cpu();
  uintptr_t host_pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  if (env && g_engine) {
    bool ok = true;
    if (!ExecEngine::current_thread_interpreting()) {  // the interpreter keeps env->pc exact itself
      auto pc = g_engine->recover_fault_state(env, host_pc, uc);
      if (pc)
        env->pc = *pc;
      else
        ok = false;
    }
    if (ok) {
      env->fault_addr = uint64_t(static_cast<uint8_t*>(info->si_addr) - env->guest_base);
      env->fault_write = 0;
      cpu_loop_exit_from_signal(env, kExitMemFault, uc);
    }
  }
  sigaction(SIGSEGV, &g_old_action, nullptr);  // not ours: crash as usual
}

class FaultTest : public ::testing::TestWithParam<bool> {};

TEST_P(FaultTest, FaultingLoadMapsToTheExactGuestInstruction) {
  EngineOptions o;
  o.interpreter = GetParam();
  ToyTranslator guest;
  ExecEngine engine(o, guest);
  g_engine = &engine;
  struct sigaction sa = {};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGSEGV, &sa, &g_old_action), 0);

  // Guest memory: one readable page, then one inaccessible page.
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  auto* mem =
      static_cast<uint8_t*>(mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(mem, MAP_FAILED);
  ASSERT_EQ(mprotect(mem + page, page, PROT_NONE), 0);

  guest.load(0x4000, {addi(1, 1, 1), addi(1, 1, 1), ld(2, 3), addi(1, 1, 1), ld(2, 4), addi(1, 1, 1), halt()});
  ToyCpu cpu;
  cpu.base.guest_base = mem;
  for (int rep = 0; rep < 3; ++rep) {  // again from the cache, and after a handled fault
    cpu.base.pc = 0x4000;
    cpu.regs[1] = 0;
    cpu.regs[3] = 8;            // readable
    cpu.regs[4] = page + 0x40;  // faults
    EXPECT_EQ(engine.run(&cpu.base), kExitMemFault);
    EXPECT_EQ(cpu.base.pc, 0x4010u);  // the second load
    EXPECT_EQ(cpu.base.fault_addr, page + 0x40);
    EXPECT_EQ(cpu.regs[1], 3u);  // every instruction before the fault completed, none after
  }
  // The faulting thread's signal mask is restored: a fourth fault is delivered too.
  sigset_t set;
  pthread_sigmask(SIG_SETMASK, nullptr, &set);
  EXPECT_FALSE(sigismember(&set, SIGSEGV));
  EXPECT_EQ(ExecEngine::current_cpu(), nullptr);

  sigaction(SIGSEGV, &g_old_action, nullptr);
  g_engine = nullptr;
  munmap(mem, 2 * page);
}

INSTANTIATE_TEST_SUITE_P(JitAndInterpreter, FaultTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Interpreter" : "Jit"; });

}  // namespace
}  // namespace mimic::tcg
