// Tests of the IR verifier: a clean block passes, and each rule is caught with a message naming it.
#include "tcg/ir/verifier.h"

#include <gtest/gtest.h>

#include "tcg/helper.h"
#include "tcg/ir/builder.h"

using namespace mimic::tcg;

namespace {

uint64_t verifier_helper(CpuBase*, uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) { return a + b; }
const uint32_t kHelper = register_helper("helper_verifier_test", verifier_helper, HelperFlag::kPure);

// Exactly one problem, and its text contains `needle` and names the instruction index.
void expect_one_error(const Block& b, const std::string& needle, size_t inst) {
  const auto errs = verify(b);
  ASSERT_EQ(errs.size(), 1u) << (errs.empty() ? "no error" : errs[0] + (errs.size() > 1 ? " | " + errs[1] : ""));
  EXPECT_NE(errs[0].find(needle), std::string::npos) << errs[0];
  EXPECT_NE(errs[0].find("inst " + std::to_string(inst) + " "), std::string::npos) << errs[0];
}

Inst raw(Opcode op, Type t, std::initializer_list<Arg> args) {
  Inst in;
  in.op = op;
  in.type = t;
  for (const Arg& a : args) in.args[in.num_args++] = a;
  return in;
}

}  // namespace

TEST(Verifier, AcceptsWellFormedBlockWithBranches) {
  Block b;
  IRBuilder ir(b);
  ir.insn_start(0x1000);
  Arg x = ir.get_state(Type::I64, 0);
  uint32_t other = ir.new_label(), end = ir.new_label();
  ir.br_cond(Cond::Eq, x, IRBuilder::imm64(0), other);
  Arg y = ir.add(x, x);
  ir.set_state(8, y);
  ir.br(end);
  ir.label(other);
  ir.set_state(8, x);  // x dominates both arms
  ir.label(end);
  ir.set_state(16, ir.call(Type::I64, kHelper, {x}));  // fewer helper args than slots is fine
  ir.goto_tb(0, 0x1004);
  EXPECT_TRUE(verify(b).empty()) << verify(b)[0];
}

TEST(Verifier, EmptyBlock) {
  Block b;
  ASSERT_EQ(verify(b).size(), 1u);
  EXPECT_NE(verify(b)[0].find("empty"), std::string::npos);
}

TEST(Verifier, OperandCount) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.emit(Opcode::Add, Type::I64, {x});
  ir.goto_tb(0, 0);
  expect_one_error(b, "has 1 operands, expected 2", 1);
}

TEST(Verifier, ImmediateSlotNeedsImmediate) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I32, 0);
  ir.emit(Opcode::ZExt, Type::I32, {x, x});
  ir.goto_tb(0, 0);
  expect_one_error(b, "operand 1 must be an immediate (bits)", 1);
}

TEST(Verifier, LabelInValueSlot) {
  Block b;
  IRBuilder ir(b);
  b.new_label();
  Arg x = ir.get_state(Type::I64, 0);
  ir.emit(Opcode::Add, Type::I64, {x, Arg::label(0)});
  ir.goto_tb(0, 0);
  expect_one_error(b, "must be a value or an immediate, not a label", 1);
}

TEST(Verifier, UseBeforeDefinition) {
  Block b;
  IRBuilder ir(b);
  b.append(raw(Opcode::Add, Type::I64, {Arg::val(1, Type::I64), IRBuilder::imm64(1)}));
  ir.get_state(Type::I64, 0);
  ir.goto_tb(0, 0);
  expect_one_error(b, "uses v1 which is not defined before this instruction", 0);
}

TEST(Verifier, UseOfInstructionWithoutValue) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.set_state(8, x);
  ir.emit(Opcode::Neg, Type::I64, {Arg::val(1, Type::I64)});
  ir.goto_tb(0, 0);
  expect_one_error(b, "uses v1 which defines no value", 2);
}

TEST(Verifier, OperandTypeMustMatchInstructionType) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.emit(Opcode::Add, Type::I64, {x, IRBuilder::imm32(1)});
  ir.goto_tb(0, 0);
  expect_one_error(b, "operand 1 has type i32, kind T requires i64", 1);
}

TEST(Verifier, ArgTypeMustMatchDefinition) {
  Block b;
  IRBuilder ir(b);
  ir.get_state(Type::I64, 0);
  ir.emit(Opcode::Neg, Type::I32, {Arg::val(0, Type::I32)});
  ir.goto_tb(0, 0);
  expect_one_error(b, "says v0 has type i32 but it is defined as i64", 1);
}

TEST(Verifier, XInt2MustMatchXInt) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.emit(Opcode::SetCond, Type::I32, {x, IRBuilder::imm32(1), IRBuilder::imm32(0)});
  ir.goto_tb(0, 0);
  expect_one_error(b, "kind XInt2 requires i64", 1);
}

TEST(Verifier, ResultKind) {
  Block b;
  IRBuilder ir(b);
  Arg f = ir.get_state(Type::F64, 0);
  ir.emit(Opcode::Add, Type::F64, {f, f});
  ir.goto_tb(0, 0);
  const auto errs = verify(b);
  ASSERT_FALSE(errs.empty());
  EXPECT_NE(errs[0].find("result type f64 does not fit result kind T"), std::string::npos) << errs[0];
}

TEST(Verifier, LabelDefinedTwice) {
  Block b;
  IRBuilder ir(b);
  uint32_t l = ir.new_label();
  ir.label(l);
  ir.label(l);
  ir.goto_tb(0, 0);
  expect_one_error(b, "label L0 defined twice", 1);
}

TEST(Verifier, BackwardBranch) {
  Block b;
  IRBuilder ir(b);
  uint32_t l = ir.new_label();
  ir.label(l);
  ir.br_cond(Cond::Eq, IRBuilder::imm32(0), IRBuilder::imm32(1), l);
  ir.goto_tb(0, 0);
  expect_one_error(b, "backward branch to label L0", 1);
}

TEST(Verifier, BranchToUndefinedLabel) {
  Block b;
  IRBuilder ir(b);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, IRBuilder::imm32(0), IRBuilder::imm32(1), l);
  ir.goto_tb(0, 0);
  expect_one_error(b, "branch to label L0 which is never defined", 0);
}

TEST(Verifier, UnallocatedLabel) {
  Block b;
  IRBuilder ir(b);
  ir.br(7);
  const auto errs = verify(b);
  ASSERT_FALSE(errs.empty());
  EXPECT_NE(errs[0].find("label L7 was never allocated"), std::string::npos) << errs[0];
}

TEST(Verifier, UseNotDominatedByDefinition) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  uint32_t skip = ir.new_label();
  ir.br_cond(Cond::Eq, x, IRBuilder::imm64(0), skip);
  Arg y = ir.add(x, x);  // only defined when the branch is not taken
  ir.label(skip);
  ir.set_state(8, y);
  ir.goto_tb(0, 0);
  expect_one_error(b, "uses v2 (defined at inst 2) on a path where it is not defined", 4);
}

TEST(Verifier, FallsOffTheEnd) {
  Block b;
  IRBuilder ir(b);
  ir.set_state(0, IRBuilder::imm64(1));
  expect_one_error(b, "block falls off its end", 0);
}

TEST(Verifier, UnreachableAfterExit) {
  Block b;
  IRBuilder ir(b);
  ir.goto_tb(0, 0);
  ir.set_state(0, IRBuilder::imm64(1));
  ir.goto_tb(1, 0);
  expect_one_error(b, "unreachable: follows GotoTb at inst 0 without a label", 1);
}

TEST(Verifier, UnreachableAfterBr) {
  Block b;
  IRBuilder ir(b);
  uint32_t l = ir.new_label();
  ir.br(l);
  ir.set_state(0, IRBuilder::imm64(1));
  ir.label(l);
  ir.goto_tb(0, 0);
  expect_one_error(b, "unreachable: follows Br at inst 0", 1);
}

TEST(Verifier, ExtractOutOfRange) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I32, 0);
  ir.extract(x, 20, 13);
  ir.goto_tb(0, 0);
  expect_one_error(b, "bit field at 20 of length 13 does not fit in 32 bits", 1);
}

TEST(Verifier, ExtensionBits) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I32, 0);
  ir.zext(x, 32);  // not less than the width
  ir.sext(x, 12);  // not 8/16/32
  ir.goto_tb(0, 0);
  const auto errs = verify(b);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_NE(errs[0].find("extension from 32 bits"), std::string::npos) << errs[0];
  EXPECT_NE(errs[1].find("extension from 12 bits"), std::string::npos) << errs[1];
}

TEST(Verifier, MemOpSizes) {
  Block b;
  IRBuilder ir(b);
  Arg a = ir.get_state(Type::I64, 0);
  ir.load(Type::I32, a, MemOp::k64);
  ir.goto_tb(0, 0);
  expect_one_error(b, "8-byte access does not fit the i32 value", 1);

  Block c;
  IRBuilder ir2(c);
  Arg a2 = ir2.get_state(Type::I64, 0);
  ir2.store(a2, a2, 0x40);
  ir2.goto_tb(0, 0);
  expect_one_error(c, "invalid memop 0x40: unknown bits", 1);
}

TEST(Verifier, FloatMemoryNeedsExactSize) {
  Block b;
  IRBuilder ir(b);
  Arg a = ir.get_state(Type::I64, 0);
  ir.load(Type::F64, a, MemOp::k32);
  ir.goto_tb(0, 0);
  expect_one_error(b, "loaded f64 value needs a 8-byte access", 1);
}

TEST(Verifier, GotoTbSlot) {
  Block b;
  IRBuilder ir(b);
  ir.goto_tb(2, 0);
  expect_one_error(b, "GotoTb slot 2 is not 0 or 1", 0);
}

TEST(Verifier, GotoTbSlotUsedTwice) {
  Block b;
  IRBuilder ir(b);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, IRBuilder::imm32(0), IRBuilder::imm32(1), l);
  ir.goto_tb(0, 0x10);
  ir.label(l);
  ir.goto_tb(0, 0x20);
  expect_one_error(b, "GotoTb slot 0 used twice", 3);
}

TEST(Verifier, UnregisteredHelper) {
  Block b;
  IRBuilder ir(b);
  ir.call_void(1000000, {});
  ir.goto_tb(0, 0);
  expect_one_error(b, "helper id 1000000 is not registered", 0);
}

TEST(Verifier, InvalidCondition) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 0);
  ir.emit(Opcode::SetCond, Type::I64, {x, x, IRBuilder::imm32(12)});
  ir.goto_tb(0, 0);
  expect_one_error(b, "invalid condition 12", 1);
}

TEST(Verifier, FloatOpsTypeRules) {
  Block b;
  IRBuilder ir(b);
  Arg f = ir.get_state(Type::F32, 0);
  Arg d = ir.get_state(Type::F64, 8);
  ir.fcmp(FCond::Eq, f, d);
  ir.emit(Opcode::Bitcast, Type::I64, {f});
  ir.goto_tb(0, 0);
  const auto errs = verify(b);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_NE(errs[0].find("compares f32 with f64"), std::string::npos) << errs[0];
  EXPECT_NE(errs[1].find("bitcast from f32 to i64"), std::string::npos) << errs[1];
}

TEST(Verifier, ImmediateOfFloatTypeRejected) {
  Block b;
  IRBuilder ir(b);
  Arg f = ir.get_state(Type::F64, 0);
  Arg bad = Arg::constant(Type::I64, 0);
  bad.type = Type::F64;
  ir.emit(Opcode::FAdd, Type::F64, {f, bad});
  ir.goto_tb(0, 0);
  expect_one_error(b, "operand 1 is an immediate of non-integer type f64", 1);
}

TEST(Verifier, VectorLaneRange) {
  Block b;
  IRBuilder ir(b);
  Arg v = ir.vconst(0, 0);
  ir.vextract(Type::I64, v, 2, 3);
  ir.goto_tb(0, 0);
  expect_one_error(b, "lane 2 out of range for 64-bit lanes", 1);
}
