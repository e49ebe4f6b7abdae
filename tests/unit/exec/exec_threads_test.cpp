// ExecEngine with several guest threads: shared translation, exclusive flushes, exit_request.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tcg/exec/exec.h"
#include "tests/unit/exec/toy_guest.h"

namespace mimic::tcg {
namespace {

using namespace toy;

// Runs until a non-interrupt exit, handling kExitInterrupt the way a linux-user cpu loop does.
uint32_t run_to_exit(ExecEngine& e, ToyCpu& cpu, unsigned* interrupts = nullptr) {
  for (;;) {
    uint32_t r = e.run(&cpu.base);
    if (r != kExitInterrupt) return r;
    cpu.base.exit_request.store(0);
    if (interrupts) ++*interrupts;
  }
}

// A ring of `blocks` blocks (r1++ each), `rounds` times around, then halt.
constexpr uint64_t kRing = 0x200000;
void load_ring(ToyTranslator& g, unsigned blocks) {
  for (unsigned i = 0; i + 1 < blocks; ++i) g.load(kRing + 0x10 * i, {addi(1, 1, 1), jmp(kRing + 0x10 * (i + 1))});
  g.load(kRing + 0x10 * (blocks - 1), {addi(1, 1, 1), addi(5, 5, 1), bne(5, 6, kRing), halt()});
}

TEST(ExecThreads, FourThreadsShareTranslationsOfOneLoop) {
  EngineOptions o;
  ToyTranslator guest;
  ExecEngine engine(o, guest);
  guest.load(0x1000, {addi(1, 1, 1), bne(1, 2, 0x1000), halt()});
  constexpr int kThreads = 4;
  constexpr uint64_t kIters = 10000;
  std::vector<ToyCpu> cpus(kThreads);
  std::vector<uint32_t> exits(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ToyCpu& c = cpus[size_t(t)];
      for (int rep = 0; rep < 5; ++rep) {
        c.base.pc = 0x1000;
        c.regs[1] = 0;
        c.regs[2] = kIters;
        exits[size_t(t)] = run_to_exit(engine, c);
        if (exits[size_t(t)] != kExitHalt || c.regs[1] != kIters) return;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(exits[size_t(t)], kExitHalt);
    EXPECT_EQ(cpus[size_t(t)].regs[1], kIters);
  }
  EXPECT_EQ(engine.stats().translations, 2u);  // each (pc, flags) translated once
  for (auto& c : cpus) engine.unregister_cpu(&c.base);
}

TEST(ExecThreads, ExclusiveFlushesUnderLoadKeepResultsCorrect) {
  EngineOptions o;
  o.code_cache_bytes = 16 << 10;  // the ring does not fit: every thread keeps flushing
  ToyTranslator guest;
  ExecEngine engine(o, guest);
  constexpr unsigned kBlocks = 500, kRounds = 20;
  constexpr int kThreads = 4;
  load_ring(guest, kBlocks);
  std::vector<ToyCpu> cpus(kThreads);
  std::vector<uint32_t> exits(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ToyCpu& c = cpus[size_t(t)];
      c.base.pc = kRing;
      c.regs[6] = kRounds;
      exits[size_t(t)] = run_to_exit(engine, c);
    });
  }
  // Flushes requested from outside as well, while the CPUs run.
  for (int i = 0; i < 20; ++i) {
    engine.flush();
    std::this_thread::yield();
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(exits[size_t(t)], kExitHalt);
    EXPECT_EQ(cpus[size_t(t)].regs[1], uint64_t(kBlocks) * kRounds);
    EXPECT_EQ(cpus[size_t(t)].regs[5], kRounds);
  }
  EXPECT_GE(engine.stats().flushes, 20u);
}

TEST(ExecThreads, InvalidationWhileOtherThreadsRun) {
  EngineOptions o;
  ToyTranslator guest;
  ExecEngine engine(o, guest);
  constexpr unsigned kBlocks = 64, kRounds = 20000;
  constexpr int kThreads = 3;
  load_ring(guest, kBlocks);
  std::vector<ToyCpu> cpus(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ToyCpu& c = cpus[size_t(t)];
      c.base.pc = kRing;
      c.regs[6] = kRounds;
      run_to_exit(engine, c);
      done.fetch_add(1);
    });
  }
  // The code does not change, so dropping blocks at random must never change results.
  for (uint64_t i = 0; done.load() < kThreads; ++i) {
    uint64_t pc = kRing + 0x10 * (i % kBlocks);
    engine.invalidate_range(pc, pc + 1);
  }
  for (auto& th : threads) th.join();
  for (auto& c : cpus) EXPECT_EQ(c.regs[1], uint64_t(kBlocks) * kRounds);
}

TEST(ExecThreads, ExitRequestStopsAnInfiniteChainedLoop) {
  EngineOptions o;
  ToyTranslator guest;
  ExecEngine engine(o, guest);
  guest.load(0x5000, {addi(1, 1, 1), jmp(0x5000)});
  ToyCpu cpu;
  cpu.base.pc = 0x5000;
  std::atomic<uint32_t> result{0};
  std::thread runner([&] { result = engine.run(&cpu.base); });
  // Wait until the loop is spinning in chained code, then ask it to stop.
  while (__atomic_load_n(&cpu.regs[1], __ATOMIC_RELAXED) < 100000) std::this_thread::yield();
  cpu.base.exit_request.store(1);
  runner.join();
  EXPECT_EQ(result.load(), kExitInterrupt);
  EXPECT_EQ(cpu.base.pc, 0x5000u);  // the next block's start
  EXPECT_LE(engine.stats().blocks_entered, 3u);
}

}  // namespace
}  // namespace mimic::tcg
