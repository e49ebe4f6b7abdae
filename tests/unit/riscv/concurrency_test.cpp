// RISC-V atomics under real host threads: several guest CPUs run the same code through one
// ExecEngine (shared code cache, concurrent translation and chaining) and increment shared
// counters with LR/SC loops and AMOs; no increment may be lost.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "harness.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/guest_memory.h"

namespace mimic::riscv::test {
namespace {

constexpr unsigned kThreads = 4;
constexpr uint64_t kIters = 5000000;  // long enough that the threads normally overlap

// Runs the program at kCode on kThreads CPUs at once, each with a0 = kIters and a1 = kData,
// until each reaches its ecall.
void run_threads(Machine& m, std::initializer_list<uint32_t> code) {
  m.code32(code);
  tcg::RangeCodeFetcher fetch(kCode, m.code_end);
  RiscvTranslator translator(&fetch);
  tcg::ExecEngine engine(tcg::EngineOptions{}, translator);
  std::atomic<unsigned> ready{0}, errors{0};  // start together so that the CPUs really contend
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto cpu = std::make_unique<RiscvCpu>();
      cpu->guest_base = m.cpu->guest_base;
      cpu->x[10] = kIters;
      cpu->x[11] = kData;
      cpu->pc = kCode;
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      uint32_t reason;
      while ((reason = engine.run(cpu.get())) == tcg::kExitInterrupt) cpu->exit_request = 0;
      if (reason != kExitEcall) ++errors;
      engine.unregister_cpu(cpu.get());
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0u);
}

// The control: without atomics the same loop loses updates when the threads really run at once.
// On a machine too loaded for them to overlap it loses none, and then an atomic test passing would
// prove nothing: it is skipped instead, saying so.
void require_contention() {
  Machine m;
  // 1: ld t0, 0(a1); addi t0, t0, 1; sd t0, 0(a1); addi a0, a0, -1; bnez a0, 1b; ecall
  run_threads(m, {0x0005b283, 0x00128293, 0x0055b023, 0xfff50513, 0xfe0518e3, 0x00000073});
  if (m.read<uint64_t>(kData) == kThreads * kIters)
    GTEST_SKIP() << "the guest threads did not overlap (plain increments lost nothing): machine too loaded";
}

TEST(RiscvConcurrency, LrScDoublewordCounter) {
  require_contention();
  if (IsSkipped()) return;
  Machine m;
  // 1: lr.d t0, (a1); addi t0, t0, 1; sc.d t1, t0, (a1); bnez t1, 1b; addi a0, a0, -1; bnez a0, 1b; ecall
  run_threads(m, {0x1005b2af, 0x00128293, 0x1855b32f, 0xfe031ae3, 0xfff50513, 0xfe0516e3, 0x00000073});
  EXPECT_EQ(m.read<uint64_t>(kData), kThreads * kIters);
}

TEST(RiscvConcurrency, LrScWordCounterKeepsTheNeighbour) {
  require_contention();
  if (IsSkipped()) return;
  Machine m;
  m.write<uint32_t>(kData + 4, 0x77777777);
  // 1: lr.w.aq t0, (a1); addiw t0, t0, 1; sc.w.rl t1, t0, (a1); bnez t1, 1b; addi a0, a0, -1;
  //    bnez a0, 1b; ecall
  run_threads(m, {0x1405a2af, 0x0012829b, 0x1a55a32f, 0xfe031ae3, 0xfff50513, 0xfe0516e3, 0x00000073});
  EXPECT_EQ(m.read<uint32_t>(kData), uint32_t(kThreads * kIters));
  EXPECT_EQ(m.read<uint32_t>(kData + 4), 0x77777777u);
}

TEST(RiscvConcurrency, AmoaddDoublewordCounter) {
  require_contention();
  if (IsSkipped()) return;
  Machine m;
  // li t2, 1; 1: amoadd.d zero, t2, (a1); addi a0, a0, -1; bnez a0, 1b; ecall
  run_threads(m, {0x00100393, 0x0075b02f, 0xfff50513, 0xfe051ce3, 0x00000073});
  EXPECT_EQ(m.read<uint64_t>(kData), kThreads * kIters);
}

TEST(RiscvConcurrency, AmoaddWordCounter) {
  require_contention();
  if (IsSkipped()) return;
  Machine m;
  m.write<uint32_t>(kData + 4, 0x55555555);
  // li t2, 1; 1: amoadd.w.aqrl zero, t2, (a1); addi a0, a0, -1; bnez a0, 1b; ecall
  run_threads(m, {0x00100393, 0x0675a02f, 0xfff50513, 0xfe051ce3, 0x00000073});
  EXPECT_EQ(m.read<uint32_t>(kData), uint32_t(kThreads * kIters));
  EXPECT_EQ(m.read<uint32_t>(kData + 4), 0x55555555u);
}

}  // namespace
}  // namespace mimic::riscv::test
