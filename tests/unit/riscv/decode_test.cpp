// Block formation (page ends, instruction limits, fetch faults) and table-driven disassembly.
#include "target/riscv/decode.h"

#include <gtest/gtest.h>

#include "harness.h"
#include "tcg/ir/ir.h"

namespace mimic::riscv::test {
namespace {

constexpr uint32_t kNop = 0x00000013;  // addi zero, zero, 0

const tcg::Inst& last(const tcg::Block& b) { return b.insts().back(); }

TEST(RiscvBlocks, EndAtPageBoundary) {
  Machine m;
  for (int i = 0; i < 8; ++i) m.write<uint32_t>(kCode + 0x1000 - 16 + 4 * i, kNop);
  tcg::RangeCodeFetcher fetch(kCode, kCode + 0x2000);
  RiscvTranslator tr(&fetch);
  tcg::Block b;
  b.guest_pc = kCode + 0x1000 - 8;
  tr.translate(b, *m.cpu, 64);
  EXPECT_EQ(b.guest_size, 8u);
  EXPECT_EQ(b.guest_insns, 2u);
  EXPECT_EQ(last(b).op, tcg::Opcode::GotoTb);
  EXPECT_EQ(last(b).args[1].imm, kCode + 0x1000);
}

TEST(RiscvBlocks, MaxInsns) {
  Machine m;
  for (int i = 0; i < 8; ++i) m.write<uint32_t>(kCode + 4 * i, kNop);
  RiscvTranslator tr;
  tcg::Block b;
  b.guest_pc = kCode;
  tr.translate(b, *m.cpu, 3);
  EXPECT_EQ(b.guest_insns, 3u);
  EXPECT_EQ(b.guest_size, 12u);
}

TEST(RiscvBlocks, StopsBeforeUnfetchableCodeThenFaults) {
  // Two nops end exactly at the end of the fetchable range: the first block runs them, the
  // next one starts at the unfetchable address and raises the fetch fault there.
  uint32_t r = run_all(
      [](Machine& m) {
        m.code32({kNop, kNop});
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->pc, kCode + 8);
        EXPECT_EQ(m.cpu->fault_addr, kCode + 8);
      });
  EXPECT_EQ(r, kExitFetchFault);
}

TEST(RiscvBlocks, InstructionStraddlingIntoUnfetchablePageFaults) {
  // A 32-bit instruction at the last halfword of the fetchable page: its second half is not
  // fetchable, so the fault names the instruction's pc and fault_addr the first missing byte.
  uint32_t r = run_all(
      [](Machine& m) {
        uint64_t at = kCode + 0x1000 - 2;
        m.write<uint32_t>(at, 0x00150513);  // addi a0, a0, 1
        m.fetch_lo = kCode;
        m.fetch_hi = kCode + 0x1000;
        m.cpu->pc = at;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->pc, kCode + 0x1000 - 2);
        EXPECT_EQ(m.cpu->fault_addr, kCode + 0x1000);
        EXPECT_EQ(m.cpu->x[10], 0u);
      });
  EXPECT_EQ(r, kExitFetchFault);
}

TEST(RiscvBlocks, StraddlingInstructionRunsWhenBothPagesAreFetchable) {
  uint32_t r = run_all(
      [](Machine& m) {
        uint64_t at = kCode + 0x1000 - 2;
        m.write<uint32_t>(at, 0x00150513);              // addi a0, a0, 1
        m.write<uint32_t>(kCode + 0x1002, 0x00000073);  // ecall
        m.fetch_lo = kCode;
        m.fetch_hi = kCode + 0x2000;
        m.cpu->pc = at;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[10], 1u);
        EXPECT_EQ(m.cpu->pc, kCode + 0x1002);
      });
  EXPECT_EQ(r, kExitEcall);
}

TEST(RiscvDisas, FromTheTables) {
  EXPECT_EQ(disassemble_insn(0x00c58533, 0), "add a0, a1, a2");
  EXPECT_EQ(disassemble_insn(0xfff58503, 0), "lb a0, -1(a1)");
  EXPECT_EQ(disassemble_insn(0x00c5b423, 0), "sd a2, 8(a1)");
  EXPECT_EQ(disassemble_insn(0x00c58463, 0x1000), "beq a1, a2, 0x1008");
  EXPECT_EQ(disassemble_insn(0xfffff537, 0), "lui a0, 0xfffff");
  EXPECT_EQ(disassemble_insn(0x1605b52f, 0), "lr.d.aq.rl a0, (a1)");
  EXPECT_EQ(disassemble_insn(0x00c5a52f, 0), "amoadd.w a0, a2, (a1)");
  EXPECT_EQ(disassemble_insn(0x00208253, 0), "fadd.s ft4, ft1, ft2, rne");
  EXPECT_EQ(disassemble_insn(0x00159573, 0), "csrrw a0, fflags, a1");
  EXPECT_EQ(disassemble_insn(0x0505, 0), "c.addi a0, 1");
  EXPECT_EQ(disassemble_insn(0x8082, 0), "c.jr ra");
  EXPECT_EQ(disassemble_insn(0x6b85d513, 0), "rev8 a0, a1");
  EXPECT_EQ(disassemble_insn(0x0330000f, 0), "fence rw,rw");
  EXPECT_EQ(disassemble_insn(0x00000000, 0), "");
}

TEST(RiscvDisas, Block) {
  Machine m;
  m.code32({0x00c58533, 0x00000073});
  RiscvTranslator tr;
  std::string s = tr.disassemble(*m.cpu, kCode, 8);
  EXPECT_NE(s.find("00c58533  add a0, a1, a2"), std::string::npos) << s;
  EXPECT_NE(s.find("ecall"), std::string::npos) << s;
}

}  // namespace
}  // namespace mimic::riscv::test
