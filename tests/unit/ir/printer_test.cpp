// Tests of the IR printer: whole-block text for representative blocks.
#include "tcg/ir/printer.h"

#include <gtest/gtest.h>

#include "tcg/helper.h"
#include "tcg/ir/builder.h"

using namespace mimic::tcg;

namespace {
uint64_t printer_helper(CpuBase*, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) { return a; }
const uint32_t kPrinterHelper = register_helper("helper_printer_test", printer_helper, HelperFlag::kPure);
}  // namespace

TEST(Printer, StraightLineBlock) {
  Block b;
  IRBuilder ir(b);
  ir.insn_start(0x10074);
  Arg x = ir.get_state(Type::I64, 0x100);
  Arg y = ir.add(x, IRBuilder::imm64(0x10));
  ir.set_state(0x108, y);
  Arg c = ir.setcond(Cond::LtU, y, x, Type::I32);
  ir.set_state(0x110, c);
  ir.goto_tb(0, 0x10078);
  EXPECT_EQ(print_block(b),
            "---- 0x10074\n"
            "  v1:i64 = GetState +0x100\n"
            "  v2:i64 = Add v1, 0x10:i64\n"
            "  SetState +0x108, v2\n"
            "  v4:i32 = SetCond v2, v1, ltu\n"
            "  SetState +0x110, v4\n"
            "  GotoTb 0, 0x10078\n");
}

TEST(Printer, BranchesLabelsAndSkipsNops) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I32, 8);
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::GeS, x, IRBuilder::imm32(3), l);
  Arg dead = ir.neg(x);
  ir.label(l);
  ir.exit_loop(17, IRBuilder::imm64(0x2000));
  b[dead.value] = Inst{};
  EXPECT_EQ(print_block(b),
            "  v0:i32 = GetState +0x8\n"
            "  BrCond v0, 0x3:i32, ge, L0\n"
            "L0:\n"
            "  ExitLoop 17, 0x2000:i64\n");
}

TEST(Printer, MemOpsRmwHelpersFloatsAndVectors) {
  Block b;
  IRBuilder ir(b);
  Arg a = ir.get_state(Type::I64, 0);
  Arg l = ir.load(Type::I64, a, MemOp::k32 | MemOp::kSigned);
  ir.store(a, l, MemOp::k16 | MemOp::kAligned);
  Arg r = ir.atomic_rmw(RmwOp::UMax, a, l, MemOp::k64);
  Arg h = ir.call(Type::I64, kPrinterHelper, {r});
  Arg f = ir.bitcast(Type::F64, h);
  Arg cmp = ir.fcmp(FCond::Uno, f, f);
  Arg v = ir.vdup(cmp, 2);
  Arg e = ir.vextract(Type::I32, v, 3, 2);
  ir.fence(FenceKind::Full);
  ir.goto_ptr(ir.zext32_to_64(e));
  EXPECT_EQ(print_block(b),
            "  v0:i64 = GetState +0x0\n"
            "  v1:i64 = Load v0, s32\n"
            "  Store v0, v1, u16:al\n"
            "  v3:i64 = AtomicRmw v0, v1, u64, umax\n"
            "  v4:i64 = Call helper_printer_test, v3\n"
            "  v5:f64 = Bitcast v4\n"
            "  v6:i32 = FCmp v5, v5, uno\n"
            "  v7:v128 = VDup v6, 2\n"
            "  v8:i32 = VExtract v7, 3, 2\n"
            "  Fence full\n"
            "  v10:i64 = ZExt32To64 v8\n"
            "  GotoPtr v10\n");
}

TEST(Printer, BadImmediatesPrintWithoutCrashing) {
  Block b;
  IRBuilder ir(b);
  Arg x = ir.get_state(Type::I32, 0);
  ir.emit(Opcode::SetCond, Type::I32, {x, x, IRBuilder::imm32(99)});
  ir.emit_void(Opcode::CallVoid, {IRBuilder::imm32(100000)});
  EXPECT_EQ(print_inst(b, 1), "  v1:i32 = SetCond v0, v0, cond?99");
  EXPECT_EQ(print_inst(b, 2), "  CallVoid helper?100000");
}
