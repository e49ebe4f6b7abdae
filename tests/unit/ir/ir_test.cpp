// Tests of the op table and the IRBuilder/Block basics.
#include <gtest/gtest.h>

#include "tcg/ir/builder.h"

using namespace mimic::tcg;

TEST(OpTable, EveryOpHasNameAndDescription) {
  for (size_t i = 1; i < size_t(Opcode::kCount); ++i) {
    const OpInfo& info = op_info(Opcode(i));
    EXPECT_FALSE(info.name.empty()) << i;
    EXPECT_FALSE(info.description.empty()) << info.name;
  }
  EXPECT_EQ(op_name(Opcode::Add), "Add");
  EXPECT_EQ(op_info(Opcode::BrCond).num_args, 4);
  EXPECT_TRUE(has_flag(Opcode::GotoTb, kBlockEnd));
  EXPECT_TRUE(has_flag(Opcode::Load, kMayFault));
  EXPECT_FALSE(has_flag(Opcode::Add, kSideEffects));
}

TEST(Builder, InfersTypesAndKeepsValueIds) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I64, 8);
  Arg y = ir.add(x, IRBuilder::imm64(5));
  Arg c = ir.setcond(Cond::LtU, y, x, Type::I32);
  EXPECT_EQ(y.type, Type::I64);
  EXPECT_EQ(c.type, Type::I32);
  EXPECT_EQ(b[y.value].args[0].value, x.value);
  EXPECT_EQ(b[y.value].args[1].imm, 5u);
}

TEST(Block, CompactRenumbersUses) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I32, 0);
  Arg dead = ir.add(x, x);
  Arg y = ir.add(x, IRBuilder::imm32(1));
  ir.set_state(4, y);
  b[dead.value].op = Opcode::Nop;
  b.compact();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[1].args[0].value, 0u);
  EXPECT_EQ(b[2].args[1].value, 1u);
}

TEST(Conditions, InvertAndSwapAreConsistent) {
  for (int i = 0; i <= int(Cond::TstNe); ++i) {
    Cond c = Cond(i);
    EXPECT_EQ(invert(invert(c)), c);
    EXPECT_EQ(swap(swap(c)), c);
  }
  EXPECT_EQ(invert(Cond::LtU), Cond::GeU);
  EXPECT_EQ(swap(Cond::LtS), Cond::GtS);
}
