// The engine's debugger hooks: breakpoints stop before the instruction, single-step runs exactly one.
#include <gtest/gtest.h>

#include "tcg/exec/exec.h"
#include "tests/unit/exec/toy_guest.h"

namespace mimic::tcg {
namespace {

using namespace toy;

// r1 counts up to r2; r4 counts iterations; then r3 = r1 + r4 and halt.
constexpr uint64_t kLoop = 0x1000;
void load_loop(ToyTranslator& g) {
  g.load(kLoop, {addi(1, 1, 1), addi(4, 4, 1), bne(1, 2, kLoop), add(3, 1, 4), halt()});
}

class Debug : public ::testing::TestWithParam<bool> {  // param: interpreter
 protected:
  Debug() : engine(make_opts(), guest) { load_loop(guest); }
  static EngineOptions make_opts() {
    EngineOptions o;
    o.interpreter = GetParam();
    return o;
  }
  void start(uint64_t limit) {
    cpu.base.pc = kLoop;
    cpu.regs[1] = 0;
    cpu.regs[2] = limit;
    cpu.regs[4] = 0;
  }
  ToyTranslator guest;
  ExecEngine engine;
  ToyCpu cpu;
};

TEST_P(Debug, SingleStepRunsOneInstructionPerRun) {
  start(3);
  cpu.base.single_step = 1;
  // addi, addi, bne (taken) x2, then addi, addi, bne (not taken), add, halt.
  const uint64_t pcs[] = {kLoop + 4, kLoop + 8, kLoop,     kLoop + 4,  kLoop + 8,
                          kLoop,     kLoop + 4, kLoop + 8, kLoop + 12, kLoop + 16};
  for (uint64_t want : pcs) {
    ASSERT_EQ(engine.run(&cpu.base), kExitDebug);
    ASSERT_EQ(cpu.base.pc, want);
  }
  EXPECT_EQ(cpu.regs[1], 3u);
  EXPECT_EQ(cpu.regs[3], 6u);
  EXPECT_EQ(engine.run(&cpu.base), kExitHalt);
  // Normal blocks afterwards are not the one-instruction ones: a whole run needs no step exits.
  cpu.base.single_step = 0;
  start(1000);
  EXPECT_EQ(engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.regs[3], 2000u);
}

TEST_P(Debug, BreakpointInAChainedLoopStopsBeforeTheInstruction) {
  start(100);
  EXPECT_EQ(engine.run(&cpu.base), kExitHalt);  // warm: the loop's blocks exist and are chained
  start(100);
  ASSERT_TRUE(engine.add_breakpoint(kLoop + 4));
  EXPECT_FALSE(engine.add_breakpoint(kLoop + 4));
  for (uint64_t i = 0; i < 3; ++i) {
    ASSERT_EQ(engine.run(&cpu.base), kExitDebug);
    ASSERT_EQ(cpu.base.pc, kLoop + 4);
    EXPECT_EQ(cpu.regs[1], i + 1);
    EXPECT_EQ(cpu.regs[4], i);  // the instruction at the breakpoint did not run
    // Step over it as gdb does: remove, one step, put back.
    ASSERT_TRUE(engine.remove_breakpoint(kLoop + 4));
    cpu.base.single_step = 1;
    ASSERT_EQ(engine.run(&cpu.base), kExitDebug);
    EXPECT_EQ(cpu.base.pc, kLoop + 8);
    EXPECT_EQ(cpu.regs[4], i + 1);
    cpu.base.single_step = 0;
    ASSERT_TRUE(engine.add_breakpoint(kLoop + 4));
  }
  ASSERT_TRUE(engine.remove_breakpoint(kLoop + 4));
  EXPECT_EQ(engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.regs[3], 200u);
}

TEST_P(Debug, SingleStepDoesNotFollowTheJumpCache) {
  // An indirect jump whose target the jump cache already holds must still stop after one insn.
  constexpr uint64_t kJr = 0x2000, kTarget = 0x3000;
  guest.load(kJr, {jr(5)});
  guest.load(kTarget, {addi(6, 6, 1), addi(6, 6, 1), halt()});
  cpu.regs[5] = kTarget;
  cpu.base.pc = kJr;
  EXPECT_EQ(engine.run(&cpu.base), kExitHalt);
  EXPECT_EQ(cpu.regs[6], 2u);
  cpu.base.pc = kJr;
  cpu.base.single_step = 1;
  ASSERT_EQ(engine.run(&cpu.base), kExitDebug);
  EXPECT_EQ(cpu.base.pc, kTarget);
  EXPECT_EQ(cpu.regs[6], 2u);
  ASSERT_EQ(engine.run(&cpu.base), kExitDebug);
  EXPECT_EQ(cpu.base.pc, kTarget + 4);
  EXPECT_EQ(cpu.regs[6], 3u);
  // Now the target's one-instruction block exists too: the jump must still return first.
  cpu.base.pc = kJr;
  ASSERT_EQ(engine.run(&cpu.base), kExitDebug);
  EXPECT_EQ(cpu.base.pc, kTarget);
  EXPECT_EQ(cpu.regs[6], 3u);
}

INSTANTIATE_TEST_SUITE_P(JitAndInterpreter, Debug, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "interp" : "jit"; });

}  // namespace
}  // namespace mimic::tcg
