// ExecEngine on one thread: caching, chaining, jump cache, invalidation, flushes, interpreter.
#include "tcg/exec/exec.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tcg/exec/code_buffer.h"
#include "tests/unit/exec/toy_guest.h"

namespace mimic::tcg {
namespace {

using namespace toy;

struct Fixture {
  explicit Fixture(EngineOptions o = {}) : opts(o), engine(opts, guest) {}
  EngineOptions opts;
  ToyTranslator guest;
  ExecEngine engine;
};

// r1 counts up to r2; r4 counts iterations.
constexpr uint64_t kLoop = 0x1000;
void load_loop(ToyTranslator& g, uint64_t step = 1) {
  g.load(kLoop, {addi(1, 1, step), addi(4, 4, 1), bne(1, 2, kLoop), halt()});
}
uint32_t run_loop(ExecEngine& e, ToyCpu& cpu, uint64_t limit, uint64_t start = kLoop) {
  cpu.base.pc = start;
  cpu.regs[1] = 0;
  cpu.regs[2] = limit;
  cpu.regs[4] = 0;
  return e.run(&cpu.base);
}

TEST(CodeBuffer, WriteViewAndExecViewShareMemory) {
  CodeBuffer buf(1 << 16);
  ASSERT_NE(reinterpret_cast<uintptr_t>(buf.write_base()), buf.exec_base());
  buf.write_base()[100] = 0xc3;
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(buf.exec_base())[100], 0xc3);
  HostCodeRegion r = buf.free_region();
  EXPECT_EQ(r.capacity, buf.capacity());
  uintptr_t a = buf.commit(10);
  uintptr_t b = buf.commit(10);
  EXPECT_EQ(a, buf.exec_base());
  EXPECT_EQ(b % CodeBuffer::kBlockAlign, 0u);
  EXPECT_GT(b, a);
  buf.reset();
  EXPECT_EQ(buf.free_region().exec, buf.exec_base());
}

TEST(ExecEngine, RunsALoopAndTranslatesEachBlockOnce) {
  Fixture f;
  load_loop(f.guest);
  ToyCpu cpu;
  EXPECT_EQ(run_loop(f.engine, cpu, 1000), kExitHalt);
  EXPECT_EQ(cpu.regs[1], 1000u);
  EXPECT_EQ(cpu.regs[4], 1000u);
  EXPECT_EQ(cpu.base.pc, kLoop + 12);
  EXPECT_EQ(f.engine.stats().translations, 2u);  // loop body, halt
  EXPECT_EQ(run_loop(f.engine, cpu, 500), kExitHalt);
  EXPECT_EQ(cpu.regs[4], 500u);
  EXPECT_EQ(f.engine.stats().translations, 2u);  // cached by (pc, flags)
  cpu.base.tb_flags = 1;                         // another translation mode: new blocks
  EXPECT_EQ(run_loop(f.engine, cpu, 10), kExitHalt);
  EXPECT_EQ(cpu.regs[4], 10u);
  EXPECT_EQ(f.engine.stats().translations, 4u);
  EXPECT_EQ(f.guest.translations(), 4u);
}

TEST(ExecEngine, ChainingKeepsTheLoopInTranslatedCode) {
  Fixture chained;
  EngineOptions o;
  o.log = LogFlag::kNoChain;
  Fixture unchained(o);
  load_loop(chained.guest);
  load_loop(unchained.guest);
  ToyCpu a, b;
  EXPECT_EQ(run_loop(chained.engine, a, 1000), kExitHalt);
  EXPECT_EQ(run_loop(unchained.engine, b, 1000), kExitHalt);
  EXPECT_EQ(a.regs[1], b.regs[1]);
  EXPECT_EQ(a.regs[4], b.regs[4]);
  EXPECT_EQ(a.regs[4], 1000u);
  ExecStats sa = chained.engine.stats(), sb = unchained.engine.stats();
  EXPECT_LE(sa.blocks_entered, 5u);
  EXPECT_GE(sa.chains, 1u);
  EXPECT_GE(sb.blocks_entered, 1000u);
  EXPECT_GE(sb.chain_exits, 999u);
  EXPECT_EQ(sb.chains, 0u);
}

TEST(ExecEngine, GotoPtrHitsTheJumpCache) {
  Fixture f;
  // 0x2000: r1++, if r1 != r2 goto 0x2010 else halt; 0x2010: jr r3 (r3 = 0x2000)
  f.guest.load(0x2000, {addi(1, 1, 1), bne(1, 2, 0x2010), halt()});
  f.guest.load(0x2010, {jr(3)});
  ToyCpu cpu;
  cpu.regs[3] = 0x2000;
  EXPECT_EQ(run_loop(f.engine, cpu, 1000, 0x2000), kExitHalt);
  EXPECT_EQ(cpu.regs[1], 1000u);
  ExecStats s = f.engine.stats();
  EXPECT_LE(s.lookup_exits, 2u);  // only the first indirect jump misses
  EXPECT_LE(s.blocks_entered, 8u);
  EXPECT_NE(cpu.base.jump_cache, nullptr);
  EXPECT_EQ(cpu.base.jump_cache[jump_cache_index(0x2000)].guest_pc, 0x2000u);
}

// System mode's TLB page flush walks only jump_cache_page_first(page) and the entries after it.
TEST(JumpCache, EveryPcOfAPageHashesIntoItsRange) {
  for (uint64_t page : {0x0ull, 0x400000ull, 0x7fff12345000ull, 0xffffffc000801000ull, 0x1000ull << 17}) {
    const size_t first = jump_cache_page_first(page);
    ASSERT_EQ(first % kJumpCachePageEntries, 0u);
    for (uint64_t pc = page; pc < page + 4096; pc += 2) {
      const size_t idx = jump_cache_index(pc);
      ASSERT_GE(idx, first) << std::hex << pc;
      ASSERT_LT(idx, first + kJumpCachePageEntries) << std::hex << pc;
    }
  }
}

TEST(ExecEngine, InvalidateRangeDropsBlocksAndUnchainsJumpsIntoThem) {
  Fixture f;
  load_loop(f.guest);
  f.guest.load(0x3000, {addi(5, 5, 1), jmp(kLoop)});  // entry block chained into the loop
  ToyCpu cpu;
  EXPECT_EQ(run_loop(f.engine, cpu, 2000, 0x3000), kExitHalt);
  EXPECT_EQ(cpu.regs[4], 2000u);

  // Self-modifying code: the loop now steps by 2. Without invalidation the old code still runs.
  f.guest.set(kLoop, addi(1, 1, 2));
  EXPECT_EQ(run_loop(f.engine, cpu, 2000, 0x3000), kExitHalt);
  EXPECT_EQ(cpu.regs[4], 2000u);

  const uint64_t before = f.engine.stats().translations;
  f.engine.invalidate_range(kLoop, kLoop + 4);
  EXPECT_EQ(f.engine.stats().invalidated, 1u);
  EXPECT_EQ(run_loop(f.engine, cpu, 2000, 0x3000), kExitHalt);
  EXPECT_EQ(cpu.regs[4], 1000u);  // the entry block's chained jump reached the new translation
  EXPECT_EQ(cpu.regs[5], 3u);
  EXPECT_EQ(f.engine.stats().translations, before + 1);  // only the loop, not the entry block

  f.engine.invalidate_range(0x9000, 0xa000);  // nothing there
  EXPECT_EQ(f.engine.stats().invalidated, 1u);
}

TEST(ExecEngine, InvalidationReachesTheJumpCache) {
  Fixture f;
  f.guest.load(0x2000, {addi(1, 1, 1), bne(1, 2, 0x2010), halt()});
  f.guest.load(0x2010, {jr(3)});
  ToyCpu cpu;
  cpu.regs[3] = 0x2000;
  EXPECT_EQ(run_loop(f.engine, cpu, 100, 0x2000), kExitHalt);
  f.guest.set(0x2000, addi(1, 1, 4));
  f.engine.invalidate_range(0x2000, 0x2001);
  EXPECT_EQ(cpu.base.jump_cache[jump_cache_index(0x2000)].guest_pc, kJumpCacheEmpty);
  EXPECT_EQ(run_loop(f.engine, cpu, 400, 0x2000), kExitHalt);
  EXPECT_EQ(cpu.regs[1], 400u);
  EXPECT_EQ(f.engine.stats().translations, 4u);
}

// 600 blocks in a ring, each r1++ then jump to the next; the last counts rounds in r5.
constexpr uint64_t kRing = 0x100000;
void load_ring(ToyTranslator& g, unsigned blocks) {
  for (unsigned i = 0; i + 1 < blocks; ++i) g.load(kRing + 0x10 * i, {addi(1, 1, 1), jmp(kRing + 0x10 * (i + 1))});
  g.load(kRing + 0x10 * (blocks - 1), {addi(1, 1, 1), addi(5, 5, 1), bne(5, 6, kRing), halt()});
}

TEST(ExecEngine, FlushesWhenTheCacheIsFullAndStaysCorrect) {
  EngineOptions o;
  o.code_cache_bytes = 16 << 10;
  Fixture f(o);
  constexpr unsigned kBlocks = 600, kRounds = 5;
  load_ring(f.guest, kBlocks);
  ToyCpu cpu;
  cpu.base.pc = kRing;
  cpu.regs[6] = kRounds;
  EXPECT_EQ(f.engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.regs[1], uint64_t(kBlocks) * kRounds);
  EXPECT_EQ(cpu.regs[5], kRounds);
  EXPECT_GE(f.engine.stats().flushes, 2u);
  f.engine.flush();  // on request, from outside the loop
  cpu.base.pc = kRing;
  cpu.regs[1] = cpu.regs[5] = 0;
  EXPECT_EQ(f.engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.regs[1], uint64_t(kBlocks) * kRounds);
}

TEST(ExecEngine, HelperExceptionLeavesThroughCpuLoopExit) {
  Fixture f;
  f.guest.load(0x6000, {addi(1, 1, 7), trap(), addi(1, 1, 100), halt()});
  ToyCpu cpu;
  cpu.base.pc = 0x6000;
  EXPECT_EQ(f.engine.run(&cpu.base), kExitTrap);
  EXPECT_EQ(cpu.base.pc, 0x6004u);
  EXPECT_EQ(cpu.regs[1], 7u);  // guest state is exact at the helper call
  EXPECT_EQ(ExecEngine::current_cpu(), nullptr);
  // The engine is usable again afterwards.
  load_loop(f.guest);
  EXPECT_EQ(run_loop(f.engine, cpu, 10), kExitHalt);
  EXPECT_EQ(cpu.regs[4], 10u);
}

TEST(ExecEngine, MissingCodeAndMemoryGoThroughGuestBase) {
  Fixture f;
  std::vector<uint64_t> mem(16, 0);
  mem[2] = 41;
  f.guest.load(0x7000, {ld(1, 3), addi(1, 1, 1), st(4, 1), jmp(0x7100)});
  ToyCpu cpu;
  cpu.base.guest_base = reinterpret_cast<uint8_t*>(mem.data());
  cpu.base.pc = 0x7000;
  cpu.regs[3] = 16;
  cpu.regs[4] = 24;
  EXPECT_EQ(f.engine.run(&cpu.base), kExitNoCode);
  EXPECT_EQ(cpu.base.pc, 0x7100u);
  EXPECT_EQ(mem[3], 42u);
}

TEST(ExecEngine, InterpreterGivesTheSameResults) {
  EngineOptions o;
  o.interpreter = true;
  Fixture interp(o);
  Fixture jit;
  for (Fixture* f : {&interp, &jit}) {
    load_loop(f->guest);
    f->guest.load(0x2000, {addi(1, 1, 1), bne(1, 2, 0x2010), halt()});
    f->guest.load(0x2010, {jr(3)});
    f->guest.load(0x6000, {addi(1, 1, 7), trap(), halt()});
  }
  ToyCpu a, b;
  EXPECT_EQ(run_loop(interp.engine, a, 300), kExitHalt);
  EXPECT_EQ(run_loop(jit.engine, b, 300), kExitHalt);
  EXPECT_EQ(a.regs[4], b.regs[4]);
  EXPECT_EQ(a.base.pc, b.base.pc);
  a.regs[3] = b.regs[3] = 0x2000;
  EXPECT_EQ(run_loop(interp.engine, a, 300, 0x2000), kExitHalt);
  EXPECT_EQ(run_loop(jit.engine, b, 300, 0x2000), kExitHalt);
  EXPECT_EQ(a.regs[1], b.regs[1]);
  EXPECT_EQ(interp.engine.stats().translations, 5u);  // cached IR blocks, as for the JIT
  a.base.pc = b.base.pc = 0x6000;
  EXPECT_EQ(interp.engine.run(&a.base), kExitTrap);
  EXPECT_EQ(jit.engine.run(&b.base), kExitTrap);
  EXPECT_EQ(a.base.pc, b.base.pc);
  // Invalidation in interpreter mode.
  interp.guest.set(kLoop, addi(1, 1, 2));
  interp.engine.invalidate_range(kLoop, kLoop + 4);
  EXPECT_EQ(run_loop(interp.engine, a, 300), kExitHalt);
  EXPECT_EQ(a.regs[4], 150u);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ExecEngine, LogsToTheDFileAndWritesThePerfMap) {
  const std::string log_path = ::testing::TempDir() + "mimic-exec-log-" + std::to_string(getpid()) + ".txt";
  const std::string map_path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::remove(map_path.c_str());
  {
    EngineOptions o;
    o.log = LogFlag::kInAsm | LogFlag::kOp | LogFlag::kOpOpt | LogFlag::kOutAsm | LogFlag::kExec;
    o.log_file = log_path;
    o.perf_map = true;
    Fixture f(o);
    load_loop(f.guest);
    ToyCpu cpu;
    EXPECT_EQ(run_loop(f.engine, cpu, 3), kExitHalt);
  }
  std::string log = read_file(log_path);
  EXPECT_NE(log.find("IN: toy pc=0x1000"), std::string::npos) << log;
  EXPECT_NE(log.find("toy code at 4096"), std::string::npos);  // the translator's disassembly
  EXPECT_NE(log.find("OP: pc=0x1000"), std::string::npos);
  EXPECT_NE(log.find("OP after optimization: pc=0x1000"), std::string::npos);
  EXPECT_NE(log.find("OUT: pc=0x1000"), std::string::npos);
  EXPECT_NE(log.find("Trace: host=0x"), std::string::npos);
  EXPECT_NE(log.find("pc=0x100c"), std::string::npos);
  std::string map = read_file(map_path);
  EXPECT_NE(map.find(" mimic:toy:0x1000\n"), std::string::npos) << map;
  EXPECT_NE(map.find(" mimic:toy:0x100c\n"), std::string::npos) << map;
  std::remove(log_path.c_str());
  std::remove(map_path.c_str());
}

// fork(): the child chains a block to code only it has; the parent, translating something else
// into the same cache offset afterwards, must not follow that chain. (The code cache is a shared
// memfd mapping, so without before_fork/after_fork_* both processes write the same pages.)
TEST(ExecEngine, ForkGivesTheChildItsOwnCodeCache) {
  Fixture f;
  f.guest.load(0x3000, {bne(1, 2, 0x3100), halt()});
  f.guest.load(0x3100, {addi(6, 6, 1), halt()});
  f.guest.load(0x4000, {addi(5, 5, 7), halt()});
  ToyCpu cpu;
  cpu.base.pc = 0x3000;  // r1 == r2: falls through, so the taken slot stays unchained
  ASSERT_EQ(f.engine.run(&cpu.base), kExitHalt);
  ASSERT_EQ(cpu.base.pc, 0x3004u);

  int snapshot = f.engine.before_fork();
  fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    f.engine.after_fork_child(snapshot, &cpu.base);
    ToyCpu c;
    c.base.pc = 0x3000;
    c.regs[1] = 1;  // taken: translates 0x3100 and chains the slot to it
    bool ok = f.engine.run(&c.base) == kExitHalt && c.base.pc == 0x3104 && c.regs[6] == 1;
    c.base.pc = 0x3000;  // again, now through the chained jump
    ok = ok && f.engine.run(&c.base) == kExitHalt && c.base.pc == 0x3104 && c.regs[6] == 2;
    _exit(ok ? 0 : 1);
  }
  f.engine.after_fork_parent(snapshot);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's own run went wrong";

  cpu.base.pc = 0x4000;  // lands where the child put 0x3100's block
  ASSERT_EQ(f.engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.regs[5], 7u);
  cpu.base.pc = 0x3000;
  cpu.regs[1] = 1;
  ASSERT_EQ(f.engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.base.pc, 0x3104u);
  EXPECT_EQ(cpu.regs[6], 1u);
  EXPECT_EQ(cpu.regs[5], 7u) << "followed the child's chain into the parent's other block";
}

TEST(ExecEngine, GuestPcForHostPcOutsideTheCache) {
  Fixture f;
  int local = 0;
  EXPECT_FALSE(f.engine.guest_pc_for_host_pc(reinterpret_cast<uintptr_t>(&local)).has_value());
  EXPECT_FALSE(f.engine.in_code_cache(reinterpret_cast<uintptr_t>(&local)));
}

}  // namespace
}  // namespace mimic::tcg
