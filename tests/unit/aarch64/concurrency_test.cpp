// Exclusives and LSE atomics under real host threads (JIT): several guest CPUs increment shared
// counters with LDXR/STXR loops (STXR is a compare-and-swap), LDADD, 16-bit exclusives and
// 128-bit LDXP/STXP; no increment may be lost.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include "harness.h"
#include "tcg/opt/passes.h"

namespace mimic::arm::test {
namespace {

#ifdef MIMIC_TEST_JIT
constexpr unsigned kThreads = 4;
constexpr uint64_t kIters = 500000;  // long enough that the threads overlap (a plain ldr/add/str loop loses updates)

// Translates and compiles every block reachable from kCode through direct exits up front, then
// runs the program on kThreads CPUs at once (each with x0 = kIters, x1 = kData).
void run_threads(Machine& m, std::initializer_list<uint32_t> code) {
  m.code(code);
  tcg::RangeCodeFetcher fetch(m.code_start, m.code_end);
  A64Translator tr(&fetch);
  std::map<uint64_t, const void*> compiled;
  std::deque<uint64_t> todo{kCode};
  std::deque<tcg::Block> blocks;
  while (!todo.empty()) {
    uint64_t pc = todo.front();
    todo.pop_front();
    if (compiled.count(pc)) continue;
    tcg::Block& b = blocks.emplace_back();
    b.guest_pc = pc;
    tr.translate(b, *m.cpu, 64);
    for (const tcg::Inst& in : b.insts())
      if (in.op == tcg::Opcode::GotoTb) todo.push_back(in.args[1].imm);
    tcg::optimize(b);
    compiled[pc] = jit_compile(b);
    ASSERT_NE(compiled[pc], nullptr);
  }
  std::atomic<int> errors{0};
  std::atomic<unsigned> ready{0};  // start together so that the CPUs really contend
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto cpu = std::make_unique<A64Cpu>();
      cpu->guest_base = m.mem.data();
      cpu->x[0] = kIters;
      cpu->x[1] = kData;
      cpu->pc = kCode;
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      for (;;) {
        auto it = compiled.find(cpu->pc);
        if (it == compiled.end()) {
          ++errors;
          return;
        }
        jit_enter(cpu.get(), it->second);
        if (cpu->exit_reason == kExitSvc) return;
        if (cpu->exit_reason != tcg::kExitChain) {
          ++errors;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
}

TEST(A64Concurrency, LdxrStxrCounter) {
  Machine m;
  // 1: ldxr x2, [x1]; add x2, x2, #1; stxr w3, x2, [x1]; cbnz w3, 1b; subs x0, x0, #1; b.ne 1b; svc #0
  run_threads(m, {0xc85f7c22, 0x91000442, 0xc8037c22, 0x35ffffa3, 0xf1000400, 0x54ffff61, 0xd4000001});
  EXPECT_EQ(m.read<uint64_t>(kData), kThreads * kIters);
}

TEST(A64Concurrency, LdaddCounter) {
  Machine m;
  // mov x4, #1; 1: ldadd x4, x2, [x1]; subs x0, x0, #1; b.ne 1b; svc #0
  run_threads(m, {0xd2800024, 0xf8240022, 0xf1000400, 0x54ffffc1, 0xd4000001});
  EXPECT_EQ(m.read<uint64_t>(kData), kThreads * kIters);
}

TEST(A64Concurrency, HalfwordExclusiveCounter) {
  Machine m;
  m.write<uint16_t>(kData + 2, 0x7777);  // the neighbouring halfword must survive
  // 1: ldaxrh w2, [x1]; add w2, w2, #1; stlxrh w3, w2, [x1]; cbnz w3, 1b; subs x0, x0, #1; b.ne 1b; svc
  run_threads(m, {0x485ffc22, 0x11000442, 0x4803fc22, 0x35ffffa3, 0xf1000400, 0x54ffff61, 0xd4000001});
  EXPECT_EQ(m.read<uint16_t>(kData), uint16_t(kThreads * kIters));  // modulo 2^16
  EXPECT_EQ(m.read<uint16_t>(kData + 2), 0x7777);
}

TEST(A64Concurrency, PairExclusiveCounter) {
  Machine m;
  // 1: ldxp x2, x5, [x1]; add x2, x2, #1; add x5, x5, #2; stxp w3, x2, x5, [x1]; cbnz w3, 1b;
  //    subs x0, x0, #1; b.ne 1b; svc #0
  run_threads(m, {0xc87f1422, 0x91000442, 0x910008a5, 0xc8231422, 0x35ffff83, 0xf1000400, 0x54ffff41, 0xd4000001});
  EXPECT_EQ(m.read<uint64_t>(kData), kThreads * kIters);
  EXPECT_EQ(m.read<uint64_t>(kData + 8), 2 * kThreads * kIters);
}
#endif

}  // namespace
}  // namespace mimic::arm::test
