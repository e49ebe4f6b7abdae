// Per-instruction tests of RV64I, M, A, Zicsr, Zba/Zbb/Zbs and control flow, with raw encodings.
// Expected values are worked out from the RISC-V unprivileged spec (comments give the reasoning
// where it is not obvious), not copied from the implementation.
#include <gtest/gtest.h>

#include "harness.h"

namespace mimic::riscv::test {
namespace {

constexpr uint32_t kEcall = 0x00000073;  // ecall
constexpr uint64_t kNeg1 = ~0ull;
enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, RA = 1, SP = 2 };

// rd = a0, rs1 = a1, rs2 = a2 (or an immediate) for every entry.
struct AluCase {
  uint32_t insn;
  const char* text;
  uint64_t a1, a2, expect;
};

// clang-format off
const AluCase kAlu[] = {
  {0x00c58533, "add a0, a1, a2", 0x7fffffffffffffff, 1, 0x8000000000000000},
  {0x40c58533, "sub a0, a1, a2", 0, 1, kNeg1},
  {0x00c59533, "sll a0, a1, a2", 1, 65, 2},  // shift amount is rs2 mod 64
  {0x00c5a533, "slt a0, a1, a2", kNeg1, 1, 1},
  {0x00c5b533, "sltu a0, a1, a2", kNeg1, 1, 0},
  {0x00c5c533, "xor a0, a1, a2", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0},
  {0x00c5d533, "srl a0, a1, a2", 0x8000000000000000, 63, 1},
  {0x40c5d533, "sra a0, a1, a2", 0x8000000000000000, 63, kNeg1},
  {0x00c5e533, "or a0, a1, a2", 0xf0, 0x0f, 0xff},
  {0x00c5f533, "and a0, a1, a2", 0xff00, 0x0ff0, 0x0f00},
  {0x00c5853b, "addw a0, a1, a2", 0x7fffffff, 1, 0xffffffff80000000},
  {0x40c5853b, "subw a0, a1, a2", 0x100000000, 1, kNeg1},
  {0x00c5953b, "sllw a0, a1, a2", 1, 63, 0xffffffff80000000},  // amount mod 32 = 31
  {0x00c5d53b, "srlw a0, a1, a2", 0xffffffff80000000, 31, 1},
  {0x40c5d53b, "sraw a0, a1, a2", 0x80000000, 4, 0xfffffffff8000000},
  // W forms read only the low words (upper garbage ignored) and mask shift counts by 31.
  {0x00c5853b, "addw a0, a1, a2", 0xabcd00000001, 0xffff0000ffffffff, 0},
  {0x00c5953b, "sllw a0, a1, a2", 0xffffffff00000003, 32, 3},
  {0x00c5d53b, "srlw a0, a1, a2", 0x1234567880000000, 36, 0x8000000},
  {0x40c5d53b, "sraw a0, a1, a2", 0xf0000000, 0x44, 0xffffffffff000000},
  {0x0005851b, "addiw a0, a1, 0 (sext.w)", 0x123456789abcdef0, 0, 0xffffffff9abcdef0},
  {0x0005d51b, "srliw a0, a1, 0", 0x80000001, 0, 0xffffffff80000001},
  {0x4005d51b, "sraiw a0, a1, 0", 0x17fffffff, 0, 0x7fffffff},
  {0x02c58533, "mul a0, a1, a2", 0x100000001, 0x100000001, 0x200000001},
  {0x02c59533, "mulh a0, a1, a2", 0x8000000000000000, 2, kNeg1},    // -2^64 >> 64
  {0x02c5a533, "mulhsu a0, a1, a2", kNeg1, kNeg1, kNeg1},           // -1 * (2^64-1)
  {0x02c5b533, "mulhu a0, a1, a2", kNeg1, kNeg1, 0xfffffffffffffffe},
  {0x02c5c533, "div a0, a1, a2", 0x8000000000000000, kNeg1, 0x8000000000000000},  // overflow
  {0x02c5c533, "div a0, a1, a2", uint64_t(-7), 2, uint64_t(-3)},   // rounds toward zero
  {0x02c5c533, "div a0, a1, a2", 5, 0, kNeg1},                      // by zero
  {0x02c5d533, "divu a0, a1, a2", 5, 0, kNeg1},
  {0x02c5d533, "divu a0, a1, a2", kNeg1, 2, 0x7fffffffffffffff},
  {0x02c5e533, "rem a0, a1, a2", uint64_t(-7), 2, kNeg1},          // sign of the dividend
  {0x02c5e533, "rem a0, a1, a2", 0x8000000000000000, kNeg1, 0},
  {0x02c5e533, "rem a0, a1, a2", uint64_t(-9), 0, uint64_t(-9)},
  {0x02c5f533, "remu a0, a1, a2", 7, 0, 7},
  {0x02c5853b, "mulw a0, a1, a2", 0x7fffffff, 2, 0xfffffffffffffffe},
  {0x02c5c53b, "divw a0, a1, a2", 0xffffffff80000000, kNeg1, 0xffffffff80000000},
  {0x02c5c53b, "divw a0, a1, a2", 0x100000006, 3, 2},               // upper bits ignored
  {0x02c5d53b, "divuw a0, a1, a2", 0xfffffff0, 0, kNeg1},
  {0x02c5d53b, "divuw a0, a1, a2", 0xffffffff, 2, 0x7fffffff},
  {0x02c5e53b, "remw a0, a1, a2", uint64_t(-7), 2, kNeg1},
  {0x02c5e53b, "remw a0, a1, a2", 0x580000000, 0, 0xffffffff80000000},  // by zero: sext(low word)
  {0x02c5f53b, "remuw a0, a1, a2", 0xffffffff, 0x10, 0xf},
  {0x08c5853b, "add.uw a0, a1, a2", kNeg1, 1, 0x100000000},
  {0x20c5a533, "sh1add a0, a1, a2", 3, 10, 16},
  {0x20c5c533, "sh2add a0, a1, a2", 3, 10, 22},
  {0x20c5e533, "sh3add a0, a1, a2", 3, 10, 34},
  {0x20c5a53b, "sh1add.uw a0, a1, a2", 0xf80000000, 0, 0x100000000},
  {0x20c5c53b, "sh2add.uw a0, a1, a2", 0xffffffff00000001, 1, 5},
  {0x20c5e53b, "sh3add.uw a0, a1, a2", 0x1ffffffff, 0, 0x7fffffff8},
  {0x40c5f533, "andn a0, a1, a2", 0xff, 0x0f, 0xf0},
  {0x40c5e533, "orn a0, a1, a2", 0, 0xffffffffffffff00, 0xff},
  {0x40c5c533, "xnor a0, a1, a2", 0xf0, 0x0f, 0xffffffffffffff00},
  {0x0ac5e533, "max a0, a1, a2", kNeg1, 1, 1},
  {0x0ac5f533, "maxu a0, a1, a2", kNeg1, 1, kNeg1},
  {0x0ac5c533, "min a0, a1, a2", kNeg1, 1, kNeg1},
  {0x0ac5d533, "minu a0, a1, a2", kNeg1, 1, 1},
  {0x60c59533, "rol a0, a1, a2", 0x8000000000000001, 65, 3},
  {0x60c5d533, "ror a0, a1, a2", 1, 1, 0x8000000000000000},
  {0x60c5953b, "rolw a0, a1, a2", 0xabcd80000001, 1, 3},
  {0x60c5d53b, "rorw a0, a1, a2", 1, 1, 0xffffffff80000000},
  {0x48c59533, "bclr a0, a1, a2", kNeg1, 67, 0xfffffffffffffff7},  // index mod 64 = 3
  {0x48c5d533, "bext a0, a1, a2", 0x8000000000000000, 63, 1},
  {0x68c59533, "binv a0, a1, a2", 0, 63, 0x8000000000000000},
  {0x28c59533, "bset a0, a1, a2", 0, 0, 1},
  {0xfff58513, "addi a0, a1, -1", 0, 0, kNeg1},
  {0xfff5a513, "slti a0, a1, -1", uint64_t(-2), 0, 1},
  {0xfff5b513, "sltiu a0, a1, -1", 5, 0, 1},  // the immediate sign-extends, then compares unsigned
  {0xfff5c513, "xori a0, a1, -1", 0x0f, 0, 0xfffffffffffffff0},
  {0x7ff5e513, "ori a0, a1, 0x7ff", 0x1000, 0, 0x17ff},
  {0xff05f513, "andi a0, a1, -16", 0x12345, 0, 0x12340},
  {0x03f59513, "slli a0, a1, 63", 1, 0, 0x8000000000000000},
  {0x03f5d513, "srli a0, a1, 63", 0x8000000000000000, 0, 1},
  {0x43f5d513, "srai a0, a1, 63", 0x8000000000000000, 0, kNeg1},
  {0xfff5851b, "addiw a0, a1, -1", 0x80000000, 0, 0x7fffffff},
  {0x01f5951b, "slliw a0, a1, 31", 1, 0, 0xffffffff80000000},
  {0x01f5d51b, "srliw a0, a1, 31", kNeg1, 0, 1},
  {0x41f5d51b, "sraiw a0, a1, 31", 0x80000000, 0, kNeg1},
  {0x0845951b, "slli.uw a0, a1, 4", kNeg1, 0, 0xffffffff0},
  {0x60059513, "clz a0, a1", 1, 0, 63},
  {0x60059513, "clz a0, a1", 0, 0, 64},
  {0x60159513, "ctz a0, a1", 0x8000000000000000, 0, 63},
  {0x60159513, "ctz a0, a1", 0, 0, 64},
  {0x60259513, "cpop a0, a1", 0xff00ff, 0, 16},
  {0x6005951b, "clzw a0, a1", 0xffffffff00000001, 0, 31},
  {0x6005951b, "clzw a0, a1", 0, 0, 32},
  {0x6015951b, "ctzw a0, a1", 0x100000000, 0, 32},
  {0x6025951b, "cpopw a0, a1", 0xffffffff0000000f, 0, 4},
  {0x60459513, "sext.b a0, a1", 0x80, 0, 0xffffffffffffff80},
  {0x60559513, "sext.h a0, a1", 0x18000, 0, 0xffffffffffff8000},
  {0x0805c53b, "zext.h a0, a1", 0xffffffffffff8001, 0, 0x8001},
  {0x6045d513, "rori a0, a1, 4", 1, 0, 0x1000000000000000},
  {0x6045d51b, "roriw a0, a1, 4", 0xf, 0, 0xfffffffff0000000},
  {0x2875d513, "orc.b a0, a1", 0x0001000200000300, 0, 0x00ff00ff0000ff00},
  {0x6b85d513, "rev8 a0, a1", 0x0102030405060708, 0, 0x0807060504030201},
  {0x4bf59513, "bclri a0, a1, 63", kNeg1, 0, 0x7fffffffffffffff},
  {0x4bf5d513, "bexti a0, a1, 63", 0x8000000000000000, 0, 1},
  {0x68059513, "binvi a0, a1, 0", 1, 0, 0},
  {0x2a859513, "bseti a0, a1, 40", 0, 0, 0x10000000000},
  {0xfffff537, "lui a0, 0xfffff", 0, 0, 0xfffffffffffff000},
  {0x80000517, "auipc a0, 0x80000", 0, 0, kCode + 0xffffffff80000000},
};
// clang-format on

TEST(RiscvAlu, Table) {
  for (const AluCase& c : kAlu) {
    SCOPED_TRACE(c.text);
    run_all(
        [&](Machine& m) {
          m.code32({c.insn, kEcall});
          m.cpu->x[A1] = c.a1;
          m.cpu->x[A2] = c.a2;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[A0], c.expect);
          EXPECT_EQ(m.cpu->x[A1], c.a1);
        });
  }
}

TEST(RiscvAlu, WritesToX0AreDropped) {
  run_all(
      [](Machine& m) {
        m.code32({0x00c58033 /* add zero, a1, a2 */, 0x00000513 /* addi a0, zero, 0 */, kEcall});
        m.cpu->x[A1] = 5, m.cpu->x[A0] = 9;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0u);
        EXPECT_EQ(m.cpu->x[A0], 0u);
      });
}

TEST(RiscvMem, LoadsSignAndZeroExtend) {
  struct L {
    uint32_t insn;
    const char* text;
    uint64_t expect;
  };
  // Memory below a1 holds ... 0x80 0x81 0x82 0x83 0x84 0x85 0x86 0x87 (little endian, a1 - 8 .. a1 - 1).
  const L loads[] = {
      {0xfff58503, "lb a0, -1(a1)", 0xffffffffffffff87},
      {0xffe59503, "lh a0, -2(a1)", 0xffffffffffff8786},
      {0xffc5a503, "lw a0, -4(a1)", 0xffffffff87868584},
      {0xff85b503, "ld a0, -8(a1)", 0x8786858483828180},
      {0xfff5c503, "lbu a0, -1(a1)", 0x87},
      {0xffe5d503, "lhu a0, -2(a1)", 0x8786},
      {0xffc5e503, "lwu a0, -4(a1)", 0x87868584},
  };
  for (const L& l : loads) {
    SCOPED_TRACE(l.text);
    run_all(
        [&](Machine& m) {
          m.code32({l.insn, kEcall});
          for (int i = 0; i < 8; ++i) m.write<uint8_t>(kData - 8 + i, uint8_t(0x80 + i));
          m.cpu->x[A1] = kData;
        },
        [&](Machine& m) { EXPECT_EQ(m.cpu->x[A0], l.expect); });
  }
}

TEST(RiscvMem, StoresWriteOnlyTheirSize) {
  run_all(
      [](Machine& m) {
        m.code32({0x00c580a3,  // sb a2, 1(a1)
                  0x00c59123,  // sh a2, 2(a1)
                  0x00c5a223,  // sw a2, 4(a1)
                  0x00c5b423,  // sd a2, 8(a1)
                  kEcall});
        m.cpu->x[A1] = kData;
        m.cpu->x[A2] = 0x1122334455667788;
      },
      [](Machine& m) {
        EXPECT_EQ(m.read<uint8_t>(kData), 0u);
        EXPECT_EQ(m.read<uint8_t>(kData + 1), 0x88u);
        EXPECT_EQ(m.read<uint16_t>(kData + 2), 0x7788u);
        EXPECT_EQ(m.read<uint32_t>(kData + 4), 0x55667788u);
        EXPECT_EQ(m.read<uint64_t>(kData + 8), 0x1122334455667788u);
        EXPECT_EQ(m.read<uint64_t>(kData + 16), 0u);
      });
}

TEST(RiscvBranch, TakenAndNotTaken) {
  struct B {
    uint32_t insn;
    const char* text;
    uint64_t a1, a2;
    bool taken;
  };
  const B cases[] = {
      {0x00c58463, "beq a1, a2, .+8", 5, 5, true},       {0x00c58463, "beq a1, a2, .+8", 5, 6, false},
      {0x00c59463, "bne a1, a2, .+8", 5, 6, true},       {0x00c59463, "bne a1, a2, .+8", 5, 5, false},
      {0x00c5c463, "blt a1, a2, .+8", kNeg1, 0, true},   {0x00c5c463, "blt a1, a2, .+8", 0, kNeg1, false},
      {0x00c5d463, "bge a1, a2, .+8", 0, kNeg1, true},   {0x00c5d463, "bge a1, a2, .+8", 3, 3, true},
      {0x00c5d463, "bge a1, a2, .+8", kNeg1, 0, false},  {0x00c5e463, "bltu a1, a2, .+8", 0, kNeg1, true},
      {0x00c5e463, "bltu a1, a2, .+8", kNeg1, 0, false}, {0x00c5f463, "bgeu a1, a2, .+8", kNeg1, 0, true},
      {0x00c5f463, "bgeu a1, a2, .+8", 0, kNeg1, false},
  };
  for (const B& b : cases) {
    SCOPED_TRACE(b.text);
    run_all(
        [&](Machine& m) {
          m.code32({0x00000513,  // addi a0, zero, 0
                    b.insn,
                    0x00150513,  // addi a0, a0, 1   (skipped when taken)
                    kEcall});
          m.cpu->x[A1] = b.a1;
          m.cpu->x[A2] = b.a2;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[A0], b.taken ? 0u : 1u);
          EXPECT_EQ(m.cpu->pc, kCode + 12);
        });
  }
}

TEST(RiscvBranch, BackwardBranchLoops) {
  // a0 counts down from 5: addi a0, a0, -1 ; bne a0, zero, .-4 ; ecall
  run_all(
      [](Machine& m) {
        m.code32({0xfff50513, 0xfe051ee3, kEcall});
        m.cpu->x[A0] = 5;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A0], 0u);
        EXPECT_EQ(m.cpu->pc, kCode + 8);
      });
}

TEST(RiscvBranch, OneBlockLoopCopiesLeaveAtEveryIteration) {
  // A one-block loop is translated as several copies of its body (tcg/ir/loop_unroll.h); the
  // loop must leave from whichever copy its count runs out in, with every store and register.
  // sb a2, 0(a1) ; addi a1, a1, 1 ; addi a0, a0, -1 ; bne a0, zero, .-12 ; ecall
  for (uint64_t n = 1; n <= 9; ++n) {
    SCOPED_TRACE(n);
    run_all(
        [&](Machine& m) {
          m.code32({0x00c58023, 0x00158593, 0xfff50513, 0xfe051ae3, kEcall});
          m.cpu->x[A0] = n;
          m.cpu->x[A1] = kData;
          m.cpu->x[A2] = 0x5a;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[A0], 0u);
          EXPECT_EQ(m.cpu->x[A1], kData + n);
          EXPECT_EQ(m.cpu->pc, kCode + 16);
          for (uint64_t i = 0; i < n; ++i) EXPECT_EQ(m.read<uint8_t>(kData + i), 0x5au);
          EXPECT_EQ(m.read<uint8_t>(kData + n), 0u);
        });
  }
}

TEST(RiscvJump, JalLinksAndJumps) {
  run_all(
      [](Machine& m) {
        m.code32({0x008000ef /* jal ra, .+8 */, 0x00100073 /* ebreak */, kEcall});
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[RA], kCode + 4);
        EXPECT_EQ(m.cpu->pc, kCode + 8);
      });
}

TEST(RiscvJump, JalrClearsBitZeroAndReadsRs1BeforeLinking) {
  // jalr a1, 3(a1) with a1 = kCode + 5: target (kCode + 8) & ~1; rd == rs1 gets the link.
  uint32_t r = run_all(
      [](Machine& m) {
        m.code32({0x003585e7, 0x00100073 /* ebreak */, kEcall});
        m.cpu->x[A1] = kCode + 5;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A1], kCode + 4);
        EXPECT_EQ(m.cpu->pc, kCode + 8);
      });
  EXPECT_EQ(r, kExitEcall);
}

TEST(RiscvSystem, EcallEbreakFenceIAndIllegalExits) {
  struct S {
    uint32_t insn;
    const char* text;
    uint32_t reason;
    uint64_t pc;
  };
  const S cases[] = {
      {0x00000073, "ecall", kExitEcall, kCode + 4},
      {0x00100073, "ebreak", kExitEbreak, kCode + 4},
      {0x0000100f, "fence.i", kExitFenceI, kCode + 8},
      {0x00000000, "all-zero word (defined illegal)", kExitIllegal, kCode + 4},
      {0xffffffff, "all-ones word", kExitIllegal, kCode + 4},
      {0x30002573, "csrrs a0, mstatus, zero (machine CSR)", kExitIllegal, kCode + 4},
      {0xc0059573, "csrrw a0, cycle, a1 (read-only CSR)", kExitIllegal, kCode + 4},
      {0xc005a573, "csrrs a0, cycle, a1 (writes a read-only CSR)", kExitIllegal, kCode + 4},
  };
  for (const S& c : cases) {
    SCOPED_TRACE(c.text);
    uint32_t reason = run_all(
        [&](Machine& m) {
          m.code32({0x00100513 /* addi a0, zero, 1 */, c.insn, 0x00200513 /* addi a0, zero, 2 */, kEcall});
          m.cpu->x[A1] = 1;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->pc, c.pc);
          EXPECT_EQ(m.cpu->x[A0], 1u);  // nothing after the exit ran
        });
    EXPECT_EQ(reason, c.reason);
  }
}

TEST(RiscvSystem, FenceIsANop) {
  run_all(
      [](Machine& m) {
        m.code32({0x0330000f /* fence rw, rw */, 0x0120000f /* fence w, r */, 0x00100513, kEcall});
      },
      [](Machine& m) { EXPECT_EQ(m.cpu->x[A0], 1u); });
}

TEST(RiscvAtomic, LrScSucceedsThenFailsWithoutReservation) {
  run_all(
      [](Machine& m) {
        m.code32({0x1005a52f,  // lr.w a0, (a1)
                  0x18c5a6af,  // sc.w a3, a2, (a1)      succeeds: a3 = 0
                  0x18c5a72f,  // sc.w a4, a2, (a1)      no reservation: a4 = 1
                  kEcall});
        m.cpu->x[A1] = kData;
        m.cpu->x[A2] = 0x1234;
        m.cpu->x[A4] = 7;
        m.write<uint32_t>(kData, 0x80000001);
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A0], 0xffffffff80000001u);  // lr.w sign-extends
        EXPECT_EQ(m.cpu->x[A3], 0u);
        EXPECT_EQ(m.cpu->x[A4], 1u);
        EXPECT_EQ(m.read<uint64_t>(kData), 0x1234u);
      });
}

TEST(RiscvAtomic, ScFailsWhenMemoryChangedSinceLr) {
  run_all(
      [](Machine& m) {
        m.code32({0x1605b52f,  // lr.d.aqrl a0, (a1)
                  0x00d5b023,  // sd a3, 0(a1)           another value is stored
                  0x1ac5b6af,  // sc.d.rl a3, a2, (a1)   compare-and-swap fails
                  kEcall});
        m.cpu->x[A1] = kData;
        m.cpu->x[A2] = 0x55;
        m.cpu->x[A3] = 0x66;
        m.write<uint64_t>(kData, 0x44);
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A0], 0x44u);
        EXPECT_EQ(m.cpu->x[A3], 1u);
        EXPECT_EQ(m.read<uint64_t>(kData), 0x66u);
      });
}

TEST(RiscvAtomic, Amos) {
  struct A {
    uint32_t insn;
    const char* text;
    uint64_t mem, a2, old, result;
    bool dword;
  };
  const A cases[] = {
      {0x00c5a52f, "amoadd.w a0, a2, (a1)", 0x7fffffff, 1, 0x7fffffff, 0x80000000, false},
      {0x80c5a52f, "amomin.w a0, a2, (a1)", 0xfffffffe, 1, 0xfffffffffffffffe, 0xfffffffe, false},  // -2 < 1
      {0xa0c5a52f, "amomax.w a0, a2, (a1)", 0xfffffffe, 1, 0xfffffffffffffffe, 1, false},
      {0xc0c5a52f, "amominu.w a0, a2, (a1)", 0xfffffffe, 1, 0xfffffffffffffffe, 1, false},
      {0x20c5a52f, "amoxor.w a0, a2, (a1)", 0xff, 0x0f, 0xff, 0xf0, false},
      {0x40c5a52f, "amoor.w a0, a2, (a1)", 0xf0, 0x0f, 0xf0, 0xff, false},
      {0xe0c5b52f, "amomaxu.d a0, a2, (a1)", 5, kNeg1, 5, kNeg1, true},
      {0x0cc5b52f, "amoswap.d.aq a0, a2, (a1)", 5, 9, 5, 9, true},
      {0x60c5b52f, "amoand.d a0, a2, (a1)", 0xff00, 0x0ff0, 0xff00, 0x0f00, true},
      {0x80c5b52f, "amomin.d a0, a2, (a1)", 1, kNeg1, 1, kNeg1, true},
  };
  for (const A& c : cases) {
    SCOPED_TRACE(c.text);
    run_all(
        [&](Machine& m) {
          m.code32({c.insn, kEcall});
          m.cpu->x[A1] = kData;
          m.cpu->x[A2] = c.a2;
          m.write<uint64_t>(kData, c.dword ? c.mem : (c.mem | 0xaaaaaaaa00000000ull));
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[A0], c.old);
          if (c.dword) {
            EXPECT_EQ(m.read<uint64_t>(kData), c.result);
          } else {
            EXPECT_EQ(m.read<uint32_t>(kData), uint32_t(c.result));
            EXPECT_EQ(m.read<uint32_t>(kData + 4), 0xaaaaaaaau);  // the word AMO leaves its neighbour alone
          }
        });
  }
}

TEST(RiscvAtomic, MisalignedAmoFaults) {
  uint32_t r = run_all(
      [](Machine& m) {
        m.code32({0x00c5a52f /* amoadd.w a0, a2, (a1) */, kEcall});
        m.cpu->x[A1] = kData + 2;
      },
      [](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode); });
  EXPECT_EQ(r, tcg::kExitUnaligned);
}

TEST(RiscvCsr, FflagsFrmFcsr) {
  run_all(
      [](Machine& m) {
        m.code32({0x00159573,  // csrrw a0, fflags, a1     a0 = old fflags (0x3), fflags = 0x15
                  0x002695f3,  // csrrw a1, frm, a3        a1 = old frm (2), frm = 4
                  0x00302673,  // csrrs a2, fcsr, zero     a2 = 4 << 5 | 0x15
                  0x0010f773,  // csrrci a4, fflags, 1     a4 = 0x15, fflags = 0x14
                  0x003fd7f3,  // csrrwi a5, fcsr, 0x1f    a5 = 0x94, frm = 0, fflags = 0x1f
                  kEcall});
        fp_set_fflags(*m.cpu, 0x3);
        fp_set_frm(*m.cpu, 2);
        m.cpu->x[A1] = 0xf5;  // only the low 5 bits land in fflags
        m.cpu->x[A3] = 4;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A0], 0x3u);
        EXPECT_EQ(m.cpu->x[A1], 2u);
        EXPECT_EQ(m.cpu->x[A2], (4u << 5) | 0x15u);
        EXPECT_EQ(m.cpu->x[A4], 0x15u);
        EXPECT_EQ(m.cpu->x[A5], (4u << 5) | 0x14u);
        EXPECT_EQ(fp_get_fflags(*m.cpu), 0x1fu);
        EXPECT_EQ(m.cpu->frm, 0u);
      });
}

TEST(RiscvCsr, CountersAreReadableAndMonotonic) {
  run_all(
      [](Machine& m) {
        m.code32({0xc0002573,  // rdcycle a0
                  0xc01025f3,  // rdtime a1
                  0xc0202673,  // rdinstret a2
                  0xc00026f3,  // rdcycle a3
                  kEcall});
      },
      [](Machine& m) {
        EXPECT_NE(m.cpu->x[A0], 0u);
        EXPECT_NE(m.cpu->x[A1], 0u);
        EXPECT_GE(m.cpu->x[A3], m.cpu->x[A0]);
      },
      64, /*compare=*/false);
}

TEST(RiscvCompressed, ArithmeticAndMoves) {
  run_all(
      [](Machine& m) {
        m.code16({0x0808,            // c.addi4spn a0, sp, 16      a0 = sp + 16
                  0x1575,            // c.addi a0, -3              a0 = sp + 13
                  0x5681,            // c.li a3, -32
                  0x7139,            // c.addi16sp sp, -64
                  0x7705,            // c.lui a4, 0xfffe1          a4 = sext(0xfffe1000)
                  0x95fd,            // c.srai a1, 63              a1 = -1 (a1 negative)
                  0x9a79,            // c.andi a2, -2
                  0x852e,            // c.mv a0, a1... overwritten below? no: a0 = a1 = -1
                  0x2505,            // c.addiw a0, 1              a0 = 0
                  0x157e,            // c.slli a0, 63              a0 = 0
                  0x0001,            // c.nop
                  0x0073, 0x0000});  // ecall (32-bit, as two halves)
        m.cpu->x[SP] = kData;
        m.cpu->x[A1] = 0x8000000000000000;
        m.cpu->x[A2] = 0xff;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[SP], kData - 64);
        EXPECT_EQ(m.cpu->x[A3], uint64_t(-32));
        EXPECT_EQ(m.cpu->x[A4], 0xfffffffffffe1000u);
        EXPECT_EQ(m.cpu->x[A1], kNeg1);
        EXPECT_EQ(m.cpu->x[A2], 0xfeu);
        EXPECT_EQ(m.cpu->x[A0], 0u);
        EXPECT_EQ(m.cpu->pc, kCode + 22);
      });
}

TEST(RiscvCompressed, RegisterRegister) {
  struct C {
    uint16_t insn;
    const char* text;
    uint64_t a0, a1, expect;
  };
  const C cases[] = {
      {0x8d0d, "c.sub a0, a1", 5, 7, uint64_t(-2)},
      {0x8d2d, "c.xor a0, a1", 0xff, 0x0f, 0xf0},
      {0x8d4d, "c.or a0, a1", 0xf0, 0x0f, 0xff},
      {0x8d6d, "c.and a0, a1", 0xff, 0x0f, 0x0f},
      {0x9d0d, "c.subw a0, a1", 0, 1, kNeg1},
      {0x9d2d, "c.addw a0, a1", 0x7fffffff, 1, 0xffffffff80000000},
      {0x952e, "c.add a0, a1", 2, 3, 5},
      {0x852e, "c.mv a0, a1", 2, 3, 3},
      {0x8105, "c.srli a0, 1", 0x8000000000000000, 0, 0x4000000000000000},
  };
  for (const C& c : cases) {
    SCOPED_TRACE(c.text);
    run_all(
        [&](Machine& m) {
          m.code16({c.insn, 0x0073, 0x0000});
          m.cpu->x[A0] = c.a0;
          m.cpu->x[A1] = c.a1;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[A0], c.expect);
          EXPECT_EQ(m.cpu->pc, kCode + 2);
        });
  }
}

TEST(RiscvCompressed, LoadsAndStores) {
  run_all(
      [](Machine& m) {
        m.code16({0x41c8,  // c.lw a0, 4(a1)
                  0x6590,  // c.ld a2, 8(a1)
                  0x2588,  // c.fld fa0, 8(a1)
                  0xa988,  // c.fsd fa0, 16(a1)
                  0xc9c8,  // c.sw a0, 20(a1)
                  0xed90,  // c.sd a2, 24(a1)
                  0x4792,  // c.lwsp a5, 4(sp)
                  0x25a2,  // c.fldsp fa1, 8(sp)
                  0xa82e,  // c.fsdsp fa1, 16(sp)
                  0xca3e,  // c.swsp a5, 20(sp)
                  0x67a2,  // c.ldsp a5, 8(sp)
                  0xec3e,  // c.sdsp a5, 24(sp)
                  0x0073, 0x0000});
        m.cpu->x[A1] = kData;
        m.cpu->x[SP] = kData + 0x100;
        m.write<uint32_t>(kData + 4, 0x80000000);
        m.write<uint64_t>(kData + 8, 0x1122334455667788);
        m.write<uint32_t>(kData + 0x104, 0x7fffffff);
        m.write<uint64_t>(kData + 0x108, 0x99);
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A0], 0xffffffff80000000u);
        EXPECT_EQ(m.cpu->x[A2], 0x1122334455667788u);
        EXPECT_EQ(m.cpu->f[10], 0x1122334455667788u);
        EXPECT_EQ(m.read<uint32_t>(kData + 16), 0x55667788u);  // c.sw then overwrote the upper half
        EXPECT_EQ(m.read<uint32_t>(kData + 20), 0x80000000u);
        EXPECT_EQ(m.read<uint64_t>(kData + 24), 0x1122334455667788u);
        EXPECT_EQ(m.cpu->f[11], 0x99u);
        EXPECT_EQ(m.read<uint32_t>(kData + 0x110), 0x99u);  // c.swsp overwrote the upper half
        EXPECT_EQ(m.read<uint32_t>(kData + 0x114), 0x7fffffffu);
        EXPECT_EQ(m.cpu->x[A5], 0x99u);
        EXPECT_EQ(m.read<uint64_t>(kData + 0x118), 0x99u);
      });
}

TEST(RiscvCompressed, ControlTransfer) {
  // c.j .+6 skips the c.ebreak and lands on c.bnez; c.jalr links pc + 2.
  run_all(
      [](Machine& m) {
        m.code16({
            0xa019,          // +0  c.j .+6
            0x9002,          // +2  c.ebreak
            0x9002,          // +4  c.ebreak
            0xe111,          // +6  c.bnez a0, .+4    taken (a0 = 1)
            0x9002,          // +8  c.ebreak
            0xc111,          // +10 c.beqz a0, .+4    not taken
            0x9582,          // +12 c.jalr a1         -> kCode + 20, ra = kCode + 14
            0x9002,          // +14 c.ebreak
            0x9002,          // +16
            0x9002,          // +18
            0x0073, 0x0000,  // +20 ecall
        });
        m.cpu->x[A0] = 1;
        m.cpu->x[A1] = kCode + 20;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->pc, kCode + 20);
        EXPECT_EQ(m.cpu->x[RA], kCode + 14);
      });
}

TEST(RiscvCompressed, JrAndEbreak) {
  uint32_t r = run_all(
      [](Machine& m) {
        m.code16({0x8082, 0x0001, 0x9002});  // c.jr ra ; c.nop ; c.ebreak
        m.cpu->x[RA] = kCode + 4;
      },
      [](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode + 4); });
  EXPECT_EQ(r, kExitEbreak);
}

TEST(RiscvCompressed, ReservedEncodingsAreIllegal) {
  const uint16_t reserved[] = {
      0x0000,  // all zero (c.addi4spn with nzuimm = 0)
      0x6101,  // c.addi16sp with imm 0
      0x6501,  // c.lui a0, 0
      0x2001,  // c.addiw x0
      0x4002,  // c.lwsp x0
      0x6002,  // c.ldsp x0
      0x8002,  // c.jr x0
      0x9c41,  // funct6 100111 with funct2 = 10 (reserved)
  };
  for (uint16_t h : reserved) {
    SCOPED_TRACE(h);
    uint32_t r = run_all([&](Machine& m) { m.code16({h, 0x0001}); }, [](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode); });
    EXPECT_EQ(r, kExitIllegal);
  }
}

}  // namespace
}  // namespace mimic::riscv::test
