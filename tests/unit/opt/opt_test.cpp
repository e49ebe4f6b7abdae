// Tests of the IR passes on hand-written IR: before/after text, and the verifier after each pass.
#include <gtest/gtest.h>

#include "tcg/helper.h"
#include "tcg/ir/builder.h"
#include "tcg/ir/printer.h"
#include "tcg/ir/verifier.h"
#include "tcg/opt/passes.h"

using namespace mimic::tcg;

namespace {

uint64_t pure_fn(CpuBase*, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a * 3; }
uint64_t reader_fn(CpuBase*, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a; }
uint64_t writer_fn(CpuBase*, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a; }
const uint32_t kPure = register_helper("pure", pure_fn, HelperFlag::kPure);
const uint32_t kReader = register_helper("reader", reader_fn, HelperFlag::kReadsState);
const uint32_t kWriter = register_helper("writer", writer_fn, HelperFlag::kWritesState);

// Runs the pass, checks the block stays valid, and returns the compacted text.
template <typename Pass>
std::string after(Block& b, Pass pass, bool expect_change = true) {
  EXPECT_TRUE(verify(b).empty()) << "input invalid: " << verify(b)[0];
  EXPECT_EQ(pass(b), expect_change);
  const auto errs = verify(b);
  EXPECT_TRUE(errs.empty()) << errs[0] << "\n" << print_block(b);
  b.compact();
  return print_block(b);
}

}  // namespace

TEST(Fold, ConstantsPropagateThroughEveryUse) {
  Block b;
  IRBuilder ir(b);
  Arg a = ir.add(IRBuilder::imm64(2), IRBuilder::imm64(3));
  Arg m = ir.mul(a, IRBuilder::imm64(7));
  Arg d = ir.divu(m, IRBuilder::imm64(0));  // never traps: all ones
  ir.set_state(0, m);
  ir.set_state(8, d);
  ir.set_state(16, ir.setcond(Cond::LtS, IRBuilder::imm32(0x80000000), IRBuilder::imm32(1), Type::I32));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_fold),
            "  SetState +0x0, 0x23:i64\n"
            "  SetState +0x8, 0xffffffffffffffff:i64\n"
            "  SetState +0x10, 0x1:i32\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Fold, AlgebraicIdentitiesAndCopies) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  Arg y = ir.get_state(Type::I32, 8);
  ir.set_state(16, ir.add(x, IRBuilder::imm64(0)));
  ir.set_state(24, ir.mul(IRBuilder::imm64(1), ir.mov(x)));
  ir.set_state(32, ir.and_(x, IRBuilder::imm64(0)));
  ir.set_state(40, ir.or_(y, IRBuilder::imm32(0xffffffff)));
  ir.set_state(48, ir.xor_(x, x));
  ir.set_state(56, ir.shl(y, IRBuilder::imm32(32)));  // amount mod 32 == 0
  ir.set_state(64, ir.select(IRBuilder::imm32(0), x, IRBuilder::imm64(5)));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_fold),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i32 = GetState +0x8\n"
            "  SetState +0x10, v0\n"
            "  SetState +0x18, v0\n"
            "  SetState +0x20, 0x0:i64\n"
            "  SetState +0x28, 0xffffffff:i32\n"
            "  SetState +0x30, 0x0:i64\n"
            "  SetState +0x38, v1\n"
            "  SetState +0x40, 0x5:i64\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Fold, KnownZeroBitsDropRedundantMasks) {
  Block b;
  IRBuilder ir(b);
  Arg a = ir.get_state(Type::I64, 0);
  Arg byte = ir.load(Type::I64, a, MemOp::k8);              // bits 8.. known zero
  ir.set_state(8, ir.zext(byte, 16));                       // redundant
  ir.set_state(16, ir.and_(byte, IRBuilder::imm64(0xff)));  // redundant
  ir.set_state(24, ir.and_(byte, IRBuilder::imm64(0x0f)));  // needed
  Arg sh = ir.shr(a, IRBuilder::imm64(56));
  ir.set_state(32, ir.zext(sh, 8));  // redundant
  ir.set_state(40, ir.and_(ir.setcond(Cond::Eq, a, a), IRBuilder::imm64(1)));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_fold),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Load v0, u8\n"
            "  SetState +0x8, v1\n"
            "  SetState +0x10, v1\n"
            "  v4:i64 = And v1, 0xf:i64\n"
            "  SetState +0x18, v4\n"
            "  v6:i64 = Shr v0, 0x38:i64\n"
            "  SetState +0x20, v6\n"
            "  SetState +0x28, 0x1:i64\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Fold, ShiftPairsBecomeExtensions) {
  // RISC-V's zext.w / sext.h without Zba/Zbb: `slli k; srli k` and `slli k; srai k`.
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  Arg y = ir.get_state(Type::I32, 8);
  Arg hi = ir.shl(x, IRBuilder::imm64(32));
  ir.set_state(16, ir.shr(hi, IRBuilder::imm64(32)));                               // ZExt 32
  ir.set_state(24, ir.sar(ir.shl(x, IRBuilder::imm64(48)), IRBuilder::imm64(48)));  // SExt 16
  ir.set_state(32, ir.shr(ir.shl(y, IRBuilder::imm32(24)), IRBuilder::imm32(24)));  // I32 ZExt 8
  ir.set_state(40, ir.shr(ir.shl(x, IRBuilder::imm64(40)), IRBuilder::imm64(40)));  // 24 bits: kept
  ir.set_state(48, ir.shr(ir.shl(x, IRBuilder::imm64(32)), IRBuilder::imm64(16)));  // not a pair
  ir.set_state(56, hi);
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_fold),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i32 = GetState +0x8\n"
            "  v2:i64 = Shl v0, 0x20:i64\n"
            "  v3:i64 = ZExt v0, 32\n"
            "  SetState +0x10, v3\n"
            "  v5:i64 = Shl v0, 0x30:i64\n"
            "  v6:i64 = SExt v0, 16\n"
            "  SetState +0x18, v6\n"
            "  v8:i32 = Shl v1, 0x18:i32\n"
            "  v9:i32 = ZExt v1, 8\n"
            "  SetState +0x20, v9\n"
            "  v11:i64 = Shl v0, 0x28:i64\n"
            "  v12:i64 = Shr v11, 0x28:i64\n"
            "  SetState +0x28, v12\n"
            "  v14:i64 = Shl v0, 0x20:i64\n"
            "  v15:i64 = Shr v14, 0x10:i64\n"
            "  SetState +0x30, v15\n"
            "  SetState +0x38, v2\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Fold, ConstantBranchTakenRemovesSkippedCode) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::LtU, IRBuilder::imm64(1), IRBuilder::imm64(2), l);
  ir.set_state(8, ir.add(x, x));
  ir.goto_tb(0, 0x100);
  ir.label(l);
  ir.set_state(16, x);
  ir.goto_tb(1, 0x200);
  EXPECT_EQ(after(b, run_fold),
            "  v0:i64 = GetState +0x0\n"
            "  SetState +0x10, v0\n"
            "  GotoTb 1, 0x200\n");
}

TEST(Fold, ConstantBranchNotTakenDisappears) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, IRBuilder::imm32(1), IRBuilder::imm32(2), l);
  ir.set_state(8, x);
  ir.goto_tb(0, 0x100);
  ir.label(l);
  ir.goto_tb(1, 0x200);
  EXPECT_EQ(after(b, run_fold),
            "  v0:i64 = GetState +0x0\n"
            "  SetState +0x8, v0\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Dce, RemovesUnusedPureCodeKeepsSideEffects) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  Arg dead = ir.add(x, IRBuilder::imm64(1));
  ir.mul(dead, dead);
  ir.call(Type::I64, kPure, {x});     // pure helper, unused: goes
  ir.call(Type::I64, kReader, {x});   // not pure: stays
  ir.load(Type::I64, x, MemOp::k64);  // may fault: stays
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_dce),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Call reader, v0\n"
            "  v2:i64 = Load v0, u64\n"
            "  GotoTb 0, 0x100\n");
}

// Unused FP results still raise IEEE flags that the guest reads (RISC-V fflags accrue in MXCSR),
// so DCE keeps the arithmetic; bit operations on floats raise nothing and go.
TEST(Dce, KeepsUnusedFloatingPointArithmetic) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::F64, 0);
  ir.fdiv(x, x);
  ir.fneg(x);
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_dce),
            "  v0:f64 = GetState +0x0\n"
            "  v1:f64 = FDiv v0, v0\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Dce, NothingToDo) {
  Block b;
  IRBuilder ir(b);
  ir.set_state(0, ir.get_state(Type::I64, 8));
  ir.goto_tb(0, 0x100);
  after(b, run_dce, false);
}

TEST(StateForward, LoadsBecomeKnownValues) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  Arg x2 = ir.get_state(Type::I64, 0);  // same field: x
  ir.set_state(8, ir.add(x, x2));
  Arg y = ir.get_state(Type::I64, 8);  // just stored: the sum
  Arg z = ir.get_state(Type::I32, 8);  // different type: stays
  ir.set_state(16, y);
  ir.set_state(24, z);
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_state_forward),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Add v0, v0\n"
            "  SetState +0x8, v1\n"
            "  v3:i32 = GetState +0x8\n"
            "  SetState +0x10, v1\n"
            "  SetState +0x18, v3\n"
            "  GotoTb 0, 0x100\n");
}

TEST(StateForward, PartialOverlapInvalidates) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(4, IRBuilder::imm32(7));  // overwrites the high half of x's field
  Arg again = ir.get_state(Type::I64, 0);
  ir.set_state(8, again);
  ir.set_state(16, x);
  ir.goto_tb(0, 0x100);
  std::string before = print_block(b);
  EXPECT_EQ(after(b, run_state_forward, false), before);
}

TEST(StateForward, HelperCallsInvalidateUnlessTheyLeaveStateAlone) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.call_void(kReader, {x});  // only reads: x stays known
  Arg x2 = ir.get_state(Type::I64, 0);
  ir.call_void(kWriter, {x});  // may write: forget
  Arg x3 = ir.get_state(Type::I64, 0);
  ir.set_state(8, x2);
  ir.set_state(16, x3);
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_state_forward),
            "  v0:i64 = GetState +0x0\n"
            "  CallVoid reader, v0\n"
            "  CallVoid writer, v0\n"
            "  v3:i64 = GetState +0x0\n"
            "  SetState +0x8, v0\n"
            "  SetState +0x10, v3\n"
            "  GotoTb 0, 0x100\n");
}

TEST(StateForward, LabelsEndTheRegion) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, x, IRBuilder::imm64(0), l);
  ir.set_state(0, IRBuilder::imm64(5));
  ir.label(l);
  ir.set_state(8, ir.get_state(Type::I64, 0));  // 0 or 5 depending on the path: must stay a load
  ir.goto_tb(0, 0x100);
  std::string before = print_block(b);
  EXPECT_EQ(after(b, run_state_forward, false), before);
}

TEST(StateForward, OverwrittenStoreRemovedWhenNothingObservesIt) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(8, x);
  ir.set_state(8, ir.add(x, IRBuilder::imm64(1)));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_state_forward),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Add v0, 0x1:i64\n"
            "  SetState +0x8, v1\n"
            "  GotoTb 0, 0x100\n");
}

// The safety rule: guest state must be exact at every op that may fault or call out, so a store
// followed by such an op and then overwritten must stay.
TEST(StateForward, StoreBeforeFaultingOpIsKept) {
  const auto observers = [](IRBuilder& ir, Arg x, int which) {
    switch (which) {
      case 0: ir.load(Type::I64, x, MemOp::k64); break;            // kMayFault
      case 1: ir.store(x, x, MemOp::k32); break;                   // kMayFault
      case 2: ir.atomic_rmw(RmwOp::Add, x, x, MemOp::k64); break;  // kMayFault
      case 3: ir.call_void(kPure, {x}); break;                     // kCallClobber
      case 4: ir.call_void(kReader, {x}); break;                   // kReadsState
      case 5: ir.get_state(Type::I32, 12); break;                  // reads the stored bytes
    }
  };
  for (int which = 0; which < 6; ++which) {
    Block b;
    IRBuilder ir(b);
    Arg x = ir.get_state(Type::I64, 0);
    ir.set_state(8, x);
    observers(ir, x, which);
    ir.set_state(8, IRBuilder::imm64(1));
    ir.goto_tb(0, 0x100);
    run_state_forward(b);
    EXPECT_TRUE(verify(b).empty());
    int stores = 0;
    for (const Inst& in : b.insts()) stores += in.op == Opcode::SetState;
    EXPECT_EQ(stores, 2) << "observer " << which << " lost the first store:\n" << print_block(b);
  }
}

// run_fault_state: the store a later one overwrites goes even across loads and stores; each
// memory op in between records the field's value for its fault path.
TEST(FaultState, OverwrittenStoreBecomesEntriesOfTheMemoryOpsInBetween) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(8, x);
  ir.set_state(16, IRBuilder::imm64(7));
  Arg y = ir.load(Type::I64, x, MemOp::k64);
  ir.store(x, y, MemOp::k32);
  ir.set_state(8, y);
  ir.set_state(16, y);
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_fault_state),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Load v0, u64\n"
            "      fault state: +0x8 = v0 +0x10 = 0x7:i64\n"
            "  Store v0, v1, u32\n"
            "      fault state: +0x8 = v0 +0x10 = 0x7:i64\n"
            "  SetState +0x8, v1\n"
            "  SetState +0x10, v1\n"
            "  GotoTb 0, 0x100\n");
}

// Helper calls, labels and reads of the bytes keep the store where it was; a store no memory op
// saw leaves no entry.
TEST(FaultState, CallsLabelsAndReadsKeepTheStore) {
  for (int which = 0; which < 5; ++which) {
    Block b;
    IRBuilder ir(b);
    Arg x = ir.get_state(Type::I64, 0);
    ir.set_state(8, x);
    ir.load(Type::I64, x, MemOp::k64);
    switch (which) {
      case 0: ir.call_void(kPure, {x}); break;
      case 1: ir.call_void(kReader, {x}); break;
      case 2: ir.get_state(Type::I32, 12); break;
      case 3: ir.label(ir.new_label()); break;
      case 4: ir.set_state(12, IRBuilder::imm32(1)); break;  // a partial overlap
    }
    ir.set_state(8, IRBuilder::imm64(1));
    ir.goto_tb(0, 0x100);
    run_fault_state(b);
    EXPECT_TRUE(verify(b).empty());
    int stores = 0;
    for (const Inst& in : b.insts()) stores += in.op == Opcode::SetState && in.args[0].imm == 8;
    EXPECT_EQ(stores, 2) << "case " << which << " lost the first store:\n" << print_block(b);
    EXPECT_TRUE(b.fault_state.empty()) << which;
  }
}

// Compaction renumbers the entries with the instructions.
TEST(FaultState, EntriesFollowCompaction) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.get_state(Type::I64, 8);  // unused: a Nop after DCE
  Arg s = ir.add(x, IRBuilder::imm64(1));
  ir.set_state(8, s);
  ir.load(Type::I64, x, MemOp::k64);
  ir.set_state(8, x);
  ir.goto_tb(0, 0x100);
  run_dce(b);
  run_fault_state(b);
  b.compact();
  ASSERT_EQ(b.fault_state.size(), 1u);
  EXPECT_EQ(b[b.fault_state[0].site].op, Opcode::Load);
  EXPECT_EQ(b[b.fault_state[0].value.value].op, Opcode::Add);
}

TEST(Unreachable, RemovesDeadRegionsAndTrivialBranches) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  uint32_t l0 = ir.new_label(), l1 = ir.new_label();
  ir.br(l0);
  ir.label(l1);  // nothing branches here and it follows a Br: dead
  ir.set_state(8, x);
  ir.label(l0);
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(after(b, run_unreachable),
            "  v0:i64 = GetState +0x0\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Optimize, PipelineKeepsBlocksValid) {
  Block b;
  IRBuilder ir(b);
  ir.insn_start(0x100);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(8, ir.add(x, IRBuilder::imm64(4)));
  ir.insn_start(0x104);
  Arg y = ir.get_state(Type::I64, 8);
  ir.set_state(8, ir.sub(y, IRBuilder::imm64(4)));
  ir.goto_tb(0, 0x108);
  optimize(b);
  ASSERT_TRUE(verify(b).empty());
  EXPECT_EQ(print_block(b),
            "---- 0x100\n"
            "  v1:i64 = GetState +0x0\n"
            "  v2:i64 = Add v1, 0x4:i64\n"
            "---- 0x104\n"
            "  v4:i64 = Sub v2, 0x4:i64\n"
            "  SetState +0x8, v4\n"
            "  GotoTb 0, 0x108\n");
}

// Code after a label keeps mapping to the same guest instruction when dead code before it goes.
TEST(Unreachable, KeepsInsnStartMarkersOfRemovedCode) {
  Block b;
  IRBuilder ir(b);
  ir.insn_start(0x100);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, IRBuilder::imm32(1), IRBuilder::imm32(1), l);
  ir.insn_start(0x104);
  ir.set_state(8, IRBuilder::imm64(1));
  ir.label(l);
  ir.load(Type::I64, IRBuilder::imm64(0x1000), MemOp::k64 | MemOp::kAligned);
  ir.goto_tb(0, 0x108);
  EXPECT_EQ(after(b, run_fold),
            "---- 0x104\n"
            "  v1:i64 = Load 0x1000:i64, u64:al\n"
            "  GotoTb 0, 0x108\n");
}

// Runs narrow then dce (the rewritten originals become dead) and returns the text.
std::string narrowed(Block& b, bool expect_change = true) {
  return after(
      b, [](Block& x) { return run_narrow(x) && (run_dce(x), true); }, expect_change);
}

TEST(Narrow, RotateOfSignExtendedShiftsBecomesRotr32) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  // RISC-V srliw t, x, 6; slliw u, x, 26; or r, t, u; addiw r, r, 1
  Arg t = ir.sext32_to_64(ir.shr(ir.trunc64_to_32(x), IRBuilder::imm32(6)));
  Arg u = ir.sext32_to_64(ir.shl(ir.trunc64_to_32(x), IRBuilder::imm32(26)));
  Arg r = ir.or_(t, u);
  ir.set_state(8, ir.sext32_to_64(ir.add(ir.trunc64_to_32(r), IRBuilder::imm32(1))));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(narrowed(b),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i32 = Trunc64To32 v0\n"
            "  v2:i32 = Rotr v1, 0x6:i32\n"
            "  v3:i32 = Add v2, 0x1:i32\n"
            "  v4:i64 = SExt32To64 v3\n"
            "  SetState +0x8, v4\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Narrow, BitwiseOpsOfSignExtendedValuesRunOn32Bits) {
  Block b;
  IRBuilder ir(b);
  Arg p = ir.sext32_to_64(ir.get_state(Type::I32, 0));
  Arg q = ir.sext32_to_64(ir.get_state(Type::I32, 4));
  ir.set_state(8, ir.xor_(p, q));
  ir.set_state(16, ir.and_(p, IRBuilder::imm64(0xfffffffffffffff0)));  // a sign-extended constant
  ir.set_state(24, ir.not_(q));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(narrowed(b),
            "  v0:i32 = GetState +0x0\n"
            "  v1:i32 = GetState +0x4\n"
            "  v2:i32 = Xor v0, v1\n"
            "  v3:i64 = SExt32To64 v2\n"
            "  SetState +0x8, v3\n"
            "  v5:i32 = And v0, 0xfffffff0:i32\n"
            "  v6:i64 = SExt32To64 v5\n"
            "  SetState +0x10, v6\n"
            "  v8:i32 = Not v1\n"
            "  v9:i64 = SExt32To64 v8\n"
            "  SetState +0x18, v9\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Narrow, LeavesOpsWhoseHighHalfDependsOnMoreThanTheLowHalves) {
  Block b;
  IRBuilder ir(b);
  Arg p = ir.sext32_to_64(ir.get_state(Type::I32, 0));
  Arg q = ir.sext32_to_64(ir.get_state(Type::I32, 4));
  Arg x = ir.get_state(Type::I64, 8);
  ir.set_state(16, ir.add(p, q));                             // carries into the high half
  ir.set_state(24, ir.or_(p, IRBuilder::imm64(0x80000000)));  // not a sign-extended constant
  ir.set_state(32, ir.xor_(p, x));                            // x is not an extension
  Arg x32 = ir.trunc64_to_32(x);
  ir.set_state(40, ir.or_(ir.shr(x32, IRBuilder::imm32(5)), ir.shl(x32, IRBuilder::imm32(26))));  // 5 + 26 != 32
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(narrowed(b, false),
            "  v0:i32 = GetState +0x0\n"
            "  v1:i64 = SExt32To64 v0\n"
            "  v2:i32 = GetState +0x4\n"
            "  v3:i64 = SExt32To64 v2\n"
            "  v4:i64 = GetState +0x8\n"
            "  v5:i64 = Add v1, v3\n"
            "  SetState +0x10, v5\n"
            "  v7:i64 = Or v1, 0x80000000:i64\n"
            "  SetState +0x18, v7\n"
            "  v9:i64 = Xor v1, v4\n"
            "  SetState +0x20, v9\n"
            "  v11:i32 = Trunc64To32 v4\n"
            "  v12:i32 = Shl v11, 0x1a:i32\n"
            "  v13:i32 = Shr v11, 0x5:i32\n"
            "  v14:i32 = Or v13, v12\n"
            "  SetState +0x28, v14\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Narrow, Rotate64AndAddOfDisjointShifts) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(8, ir.add(ir.shl(x, IRBuilder::imm64(56)), ir.shr(x, IRBuilder::imm64(8))));
  Arg y = ir.get_state(Type::I32, 16);
  ir.set_state(20, ir.xor_(ir.shr(y, IRBuilder::imm32(31)), ir.shl(y, IRBuilder::imm32(1))));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(narrowed(b),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Rotr v0, 0x8:i64\n"
            "  SetState +0x8, v1\n"
            "  v3:i32 = GetState +0x10\n"
            "  v4:i32 = Rotr v3, 0x1f:i32\n"
            "  SetState +0x14, v4\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Narrow, SignExtensionOfOneValueIsSharedUntilALabel) {
  Block b;
  IRBuilder ir(b);
  Arg p = ir.get_state(Type::I32, 0);
  ir.set_state(8, ir.sext32_to_64(p));
  ir.set_state(16, ir.sext32_to_64(p));
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, p, IRBuilder::imm32(0), l);
  ir.set_state(24, ir.sext32_to_64(ir.not_(p)));
  ir.label(l);
  ir.set_state(32, ir.sext32_to_64(p));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(narrowed(b),
            "  v0:i32 = GetState +0x0\n"
            "  v1:i64 = SExt32To64 v0\n"
            "  SetState +0x8, v1\n"
            "  SetState +0x10, v1\n"
            "  BrCond v0, 0x0:i32, eq, L0\n"
            "  v5:i32 = Not v0\n"
            "  v6:i64 = SExt32To64 v5\n"
            "  SetState +0x18, v6\n"
            "L0:\n"
            "  v9:i64 = SExt32To64 v0\n"
            "  SetState +0x20, v9\n"
            "  GotoTb 0, 0x100\n");
}

TEST(Narrow, ExtensionOfATruncationExtendsTheI64Directly) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(8, ir.sext32_to_64(ir.trunc64_to_32(x)));  // RISC-V sext.w
  ir.set_state(16, ir.zext32_to_64(ir.trunc64_to_32(x)));
  ir.goto_tb(0, 0x100);
  EXPECT_EQ(narrowed(b),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = SExt v0, 32\n"
            "  SetState +0x8, v1\n"
            "  v3:i64 = ZExt v0, 32\n"
            "  SetState +0x10, v3\n"
            "  GotoTb 0, 0x100\n");
}
