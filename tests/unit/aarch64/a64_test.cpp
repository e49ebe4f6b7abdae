// Hand-written A64 tests: PC-relative addressing, branches, SP/XZR rules, exception generation,
// hints and barriers, system registers, DC ZVA / IC IVAU, illegal encodings, block structure and
// the compare+branch fusion. Expected values come from the Arm ARM (and the Cortex-A72 TRM for
// the ID register values this CPU reports).
#include <gtest/gtest.h>

#include "harness.h"
#include "target/arm/decode.h"
#include "target/arm/flag_liveness.h"
#include "tcg/ir/verifier.h"
#include "tcg/opt/passes.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;

uint32_t run_code(std::initializer_list<uint32_t> code, const std::function<void(Machine&)>& setup,
                  const std::function<void(Machine&)>& check) {
  return run_all(
      [&](Machine& m) {
        m.code(code);
        m.code({kSvc0}, kCode + 4 * code.size());
        setup(m);
      },
      check);
}
auto none = [](Machine&) {};

TEST(A64Exceptions, SvcBrkUdf) {
  EXPECT_EQ(run_code({0xd4002461}, none,  // svc #0x123
                     [](Machine& m) {
                       EXPECT_EQ(m.cpu->pc, kCode);  // the svc itself; the cpu loop advances
                       EXPECT_EQ(m.cpu->svc_imm, 0x123u);
                     }),
            kExitSvc);
  EXPECT_EQ(run_code({0xd4207d00}, none,  // brk #0x3e8
                     [](Machine& m) {
                       EXPECT_EQ(m.cpu->pc, kCode);
                       EXPECT_EQ(m.cpu->svc_imm, 0x3e8u);
                     }),
            kExitBrk);
  EXPECT_EQ(run_code({0x00001234}, none, [](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode); }), kExitUdf);  // udf
}

TEST(A64PcRelative, AdrAdrp) {
  // adr x0, .+0x1234; adr x1, .-4; adrp x2, .+0x5000 (5 pages); adrp x3, .-0x100000
  run_code({0x100091a0, 0x10ffffe1, 0xb0000022, 0x90fff803}, none, [](Machine& m) {
    EXPECT_EQ(m.cpu->x[0], kCode + 0x1234);
    EXPECT_EQ(m.cpu->x[1], kCode);  // 4 + (-4)
    EXPECT_EQ(m.cpu->x[2], ((kCode + 8) & ~0xfffull) + 0x5000);
    EXPECT_EQ(m.cpu->x[3], ((kCode + 12) & ~0xfffull) - 0x100000);
  });
}

TEST(A64MoveWide, MovzMovkMovn) {
  // movz x0, #0x1234, lsl #32; movk x0, #0xffff; mov w1 (movz), #0x10000 ... in x0/x1
  run_code(
      {0xd2c24680, 0xf29fffe0, 0x52a00021}, [](Machine& m) { m.cpu->x[1] = ~0ull; },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0x000012340000ffffu);
        EXPECT_EQ(m.cpu->x[1], 0x10000u);  // W write zeroes the upper half
      });
}

TEST(A64Branch, Immediate) {
  // mov x0, #1; b .+8; mov x0, #2 (skipped); svc
  run_code({0xd2800020, 0x14000002, 0xd2800040}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 1u); });
  // bl .+12 -> kCode+12 (the svc); x30 = kCode + 4
  run_all(
      [](Machine& m) {
        m.code({0x94000003, 0xd2800040, 0xd2800040, kSvc0});
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[30], kCode + 4);
        EXPECT_EQ(m.cpu->x[0], 0u);
        EXPECT_EQ(m.cpu->pc, kCode + 12);
      });
  // A backward branch: b .-8 from kCode+12 goes to kCode+4.
  run_all(
      [](Machine& m) {
        m.code({0x14000003, 0xd2800000, kSvc0, 0x17fffffe});  // b .+12; mov x0, #0; svc; b .-8
        m.cpu->x[0] = 9;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0u);
        EXPECT_EQ(m.cpu->pc, kCode + 8);
      });
}

TEST(A64Branch, CompareAndTest) {
  struct Case {
    uint32_t insn;
    const char* text;
    uint64_t x1;
    bool taken;
  };
  const Case cases[] = {
      {0xb4000041, "cbz x1, .+8", 0, true},
      {0xb4000041, "cbz x1, .+8", 1ull << 63, false},
      {0x35000041, "cbnz w1, .+8", 1ull << 32, false},  // only the W register is tested
      {0x35000041, "cbnz w1, .+8", 0x80000000, true},
      {0xb6f80041, "tbz x1, #63, .+8", 0x7fffffffffffffff, true},
      {0xb6f80041, "tbz x1, #63, .+8", 1ull << 63, false},
      {0x37180041, "tbnz w1, #3, .+8", 8, true},
      {0x37180041, "tbnz w1, #3, .+8", 7, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    // insn; mov x0, #1 (skipped when taken); svc
    run_code(
        {c.insn, 0xd2800020}, [&](Machine& m) { m.cpu->x[1] = c.x1; },
        [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], c.taken ? 0u : 1u); });
  }
}

TEST(A64Branch, Register) {
  const uint64_t target = kCode + 8;  // the svc after two instructions
  run_code(
      {0xd61f0020, 0xd2800020}, [&](Machine& m) { m.cpu->x[1] = target; },  // br x1
      [&](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0u);
        EXPECT_EQ(m.cpu->pc, target);
      });
  run_code(
      {0xd63f0020, 0xd2800020}, [&](Machine& m) { m.cpu->x[1] = target; },  // blr x1
      [&](Machine& m) { EXPECT_EQ(m.cpu->x[30], kCode + 4); });
  run_code(
      {0xd65f03c0, 0xd2800020}, [&](Machine& m) { m.cpu->x[30] = target; },  // ret
      [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0u); });
  run_code(
      {0xd65f0040, 0xd2800020}, [&](Machine& m) { m.cpu->x[2] = target; },  // ret x2
      [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0u); });
  run_code(
      {0xd63f03c0, 0xd2800020}, [&](Machine& m) { m.cpu->x[30] = target; },  // blr x30: old x30
      [&](Machine& m) {
        EXPECT_EQ(m.cpu->pc, target);
        EXPECT_EQ(m.cpu->x[30], kCode + 4);
      });
  // A misaligned target faults at the target.
  EXPECT_EQ(run_code(
                {0xd61f0020}, [](Machine& m) { m.cpu->x[1] = kCode + 6; },
                [](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode + 6); }),
            kExitPcAlignment);
}

TEST(A64Registers, SpAndZr) {
  auto sp = [](Machine& m) {
    m.cpu->sp = 0x8000;
    m.cpu->x[1] = 0x100;
    m.cpu->x[2] = 0xffffffff00000004;
  };
  run_code({0x910003e0}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0x8000u); });  // mov x0, sp
  run_code({0x910043ff}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->sp, 0x8010u); });    // add sp, sp, #16
  run_code({0x8b22483f}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->sp, 0x110u); });     // add sp, x1, w2, uxtw #2
  run_code({0xb10007e0}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0x8001u); });  // adds x0, sp, #1
  run_code({0x9100003f}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->sp, 0x100u); });     // mov sp, x1
  run_code({0xcb2263ff}, sp,
           [](Machine& m) { EXPECT_EQ(m.cpu->sp, 0x8000u - 0xffffffff00000004u); });  // sub sp, sp, x2
  run_code({0xf10043ff}, sp, [](Machine& m) {  // cmp sp, #0x10: Rd is XZR, SP unchanged
    EXPECT_EQ(m.cpu->sp, 0x8000u);
    EXPECT_EQ(m.nzcv(), 0b0010u);  // 0x8000 - 0x10: positive, no borrow
  });
  run_code({0x8b2163e0}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0x8100u); });  // add x0, sp, x1 (extended)
  run_code({0xb27c0c3f}, sp, [](Machine& m) { EXPECT_EQ(m.cpu->sp, 0x1f0u); });     // orr sp, x1, #0xf0
  // ldp x0, x1, [sp], #16 covered in ldst_test; str xzr stores zero:
  run_code(
      {0xf900003f}, [](Machine& m) { m.cpu->x[1] = kData, m.write<uint64_t>(kData, ~0ull); },
      [](Machine& m) { EXPECT_EQ(m.read<uint64_t>(kData), 0u); });
}

TEST(A64System, HintsAndBarriers) {
  // nop; yield; hint #34; paciasp; autiasp; dmb ish; dsb sy; sb; isb; mov x0, #1
  run_code(
      {0xd503201f, 0xd503203f, 0xd503245f, 0xd503233f, 0xd50323bf, 0xd5033bbf, 0xd5033f9f, 0xd50330ff, 0xd5033fdf,
       0xd2800020},
      [](Machine& m) { m.cpu->x[30] = 0x1234; },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 1u);
        EXPECT_EQ(m.cpu->x[30], 0x1234u);  // PAC hints are NOPs without FEAT_PAuth
      });
  run_code(
      {0xd5033f5f}, [](Machine& m) { m.cpu->excl_addr = kData; },  // clrex
      [](Machine& m) { EXPECT_EQ(m.cpu->excl_addr, ~0ull); });
}

TEST(A64System, SystemRegisters) {
  // msr tpidr_el0, x1; mrs x0, tpidr_el0
  run_code(
      {0xd51bd041, 0xd53bd040}, [](Machine& m) { m.cpu->x[1] = 0xdeadbeef12345678; },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0xdeadbeef12345678u);
        EXPECT_EQ(m.cpu->tpidr_el0, 0xdeadbeef12345678u);
      });
  // msr nzcv, x1; mrs x0, nzcv (bits other than 31..28 read as zero)
  run_code(
      {0xd51b4201, 0xd53b4200}, [](Machine& m) { m.cpu->x[1] = 0xffffffffa5a5a5a5; },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0xa0000000u);
        EXPECT_EQ(m.nzcv(), 0b1010u);
      });
  for (uint32_t flags = 0; flags < 16; ++flags) {  // mrs x0, nzcv for every flag combination
    run_code(
        {0xd53b4200}, [&](Machine& m) { m.set_flags(flags); },
        [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], uint64_t(flags) << 28); });
  }
  // msr fpcr, x1; mrs x0, fpcr; msr fpsr, x1; mrs x2, fpsr (RES0 bits dropped: FPCR has AHP, DN,
  // FZ and RMode only, as a core without FP16, trapping or AFP)
  run_code(
      {0xd51b4401, 0xd53b4400, 0xd51b4421, 0xd53b4422}, [](Machine& m) { m.cpu->x[1] = ~0ull; },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], 0x07c00000u);
        EXPECT_EQ(m.cpu->x[2], 0xf800009fu);
      });
  struct Ro {
    uint32_t insn;
    const char* text;
    uint64_t value;
  };
  const Ro ro[] = {
      {0xd53be000, "mrs x0, cntfrq_el0", 1000000000},
      {0xd53b0020, "mrs x0, ctr_el0", 0x8444c004},
      {0xd53b00e0, "mrs x0, dczid_el0", 4},  // 64-byte DC ZVA blocks
      {0xd5380000, "mrs x0, midr_el1", 0x410fd083},
      {0xd5380600, "mrs x0, id_aa64isar0_el1", 0x11100212120},  // SM4, SM3, SHA3, LSE, CRC32, SHA512, SHA1, AES+PMULL
      {0xd5380400, "mrs x0, id_aa64pfr0_el1", 0x11},
      {0xd5380740, "mrs x0, id_aa64mmfr2_el1", 0},
      {0xd53bd060, "mrs x0, tpidrro_el0", 0x77},
  };
  for (const Ro& r : ro) {
    SCOPED_TRACE(r.text);
    run_code(
        {r.insn}, [](Machine& m) { m.cpu->tpidrro_el0 = 0x77; }, [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], r.value); });
  }
}

TEST(A64System, CounterAdvances) {
  // mrs x0, cntvct_el0; mrs x1, cntvct_el0: a real clock, so no cross-engine comparison.
  for (Engine e : engines()) {
    SCOPED_TRACE(engine_name(e));
    Machine m;
    m.code({0xd53be040, 0xd53be041, kSvc0});
    ASSERT_EQ(m.run(e), kExitSvc);
    EXPECT_GT(m.cpu->x[0], 0u);
    EXPECT_GE(m.cpu->x[1], m.cpu->x[0]);
  }
}

TEST(A64System, DcZvaAndIcIvau) {
  run_code(
      {0xd50b7421},  // dc zva, x1: zeroes the aligned 64-byte block containing x1
      [](Machine& m) {
        for (uint64_t a = kData; a < kData + 0x100; ++a) m.mem[a] = 0xff;
        m.cpu->x[1] = kData + 0x47;
      },
      [](Machine& m) {
        for (uint64_t a = kData; a < kData + 0x100; ++a)
          EXPECT_EQ(m.mem[a], a >= kData + 0x40 && a < kData + 0x80 ? 0 : 0xff) << std::hex << a;
      });
  // dc cvau, x1; dc civac, x1: no effect
  run_code(
      {0xd50b7b21, 0xd50b7e21}, [](Machine& m) { m.cpu->x[1] = kData; }, none);
  EXPECT_EQ(run_code(
                {0xd50b7521}, [](Machine& m) { m.cpu->x[1] = 0x1234; },  // ic ivau, x1
                [](Machine& m) {
                  EXPECT_EQ(m.cpu->pc, kCode + 4);  // continue after it
                  EXPECT_EQ(m.cpu->ic_inval_addr, 0x1234u);
                }),
            kExitIcInvalidate);
}

TEST(A64Decode, IllegalEncodings) {
  // clang-format off
  const uint32_t illegal[] = {
    0x0b028020,  // add w0, w1, w2, lsl #32 (shift >= 32 in a W form)
    0x0bc20020,  // add with ROR shift
    0x12400000,  // logical immediate, W form with N = 1
    0x8b221420,  // add extended, shift 5
    0x52c00000,  // movz w0 with hw = 2
    0x13400000,  // sbfm w form with N = 1
    0xb9c00000,  // ldrsw-like with opc = 11 (size 10)
    0xe9000000,  // stp with opc = 11
    0x68400000,  // ldnp with opc = 01 (no non-temporal LDPSW)
    0xf8600800,  // register offset with option = 000
    0x3c400800,  // ldtr into a SIMD&FP register
    0xf8800c00,  // prfm pre-index
    0x1ac04c00,  // crc32x with sf = 0
    0x5ac00c00,  // rev (64-bit opc) with sf = 0
    0x48217c00,  // casp with odd Rs
    0x7d800c20,  // SIMD&FP store with size 01 and opc 1x
    0xf8ffc000,  // ldapr with A = R = 1
    0xd5381000,  // mrs x0, sctlr_el1 (EL1)
    0xd51bd061,  // msr tpidrro_el0, x1 (read-only at EL0)
    0xd50342df,  // msr daifset, #2
    0xd5384240,  // mrs x0, currentel
    0xd5087621,  // dc ivac, x1 (EL1)
    0xd508751f,  // ic iallu (EL1)
    0x1ee22820,  // fadd h0, h1, h2 (FEAT_FP16 arithmetic is not implemented)
    0x1ea22820,  // fadd with ftype = 10 (reserved)
    0x0e62d420,  // fadd v0.2d with Q = 0 (reserved)
  };
  // clang-format on
  for (uint32_t insn : illegal) {
    SCOPED_TRACE(::testing::Message() << std::hex << insn);
    uint32_t r = run_code(
        {0xd2800021 /* mov x1, #1 */, insn}, [](Machine& m) { m.cpu->x[0] = 0x55; },
        [](Machine& m) {
          EXPECT_EQ(m.cpu->pc, kCode + 4);  // the illegal instruction
          EXPECT_EQ(m.cpu->x[0], 0x55u);
          EXPECT_EQ(m.cpu->x[1], 1u);  // earlier instructions completed
        });
    EXPECT_EQ(r, kExitIllegal);
  }
}

TEST(A64Decode, TableHasNoShadowedEntries) {
  // Every entry must be reachable: decoding its own match value finds an entry at least as specific.
  for (size_t i = 0; i < num_patterns(); ++i) {
    const Pattern& p = pattern(i);
    const Pattern* found = decode(p.match);
    ASSERT_NE(found, nullptr) << p.name;
    EXPECT_EQ(found, &p) << p.name << " is shadowed by " << found->name;
  }
}

TEST(A64Translate, BlocksEndAtPageAndLimit) {
  Machine m;
  const uint64_t start = 0x1ff8;  // two instructions before the page end at 0x2000
  for (uint64_t a = start; a < start + 64; a += 4) m.write<uint32_t>(a, 0xd503201f);  // nop
  m.code_start = start, m.code_end = start + 64;
  tcg::RangeCodeFetcher fetch(start, start + 64);
  A64Translator tr(&fetch);
  tcg::Block b;
  b.guest_pc = start;
  tr.translate(b, *m.cpu, 64);
  EXPECT_EQ(b.guest_size, 8u);
  EXPECT_EQ(b.guest_insns, 2u);
  EXPECT_TRUE(tcg::verify(b).empty());
  b.clear();
  b.guest_pc = 0x2000;
  tr.translate(b, *m.cpu, 5);
  EXPECT_EQ(b.guest_size, 20u);
  // Fetch faults are raised only when reached.
  m.cpu->pc = 0x3000;
  EXPECT_EQ(m.run(Engine::Interp), kExitFetchFault);
  EXPECT_EQ(m.cpu->pc, 0x3000u);
  EXPECT_EQ(m.cpu->fault_addr, 0x3000u);
  m.cpu->pc = start + 2;  // a misaligned pc
  EXPECT_EQ(m.run(Engine::Interp), kExitPcAlignment);
}

TEST(A64Translate, CompareBranchIsFused) {
  // cmp x1, x2; b.lt .+8: the branch compares the compare's operands directly (no flag reads).
  Machine m;
  m.code({0xeb02003f, 0x5400004b});
  tcg::RangeCodeFetcher fetch(kCode, kCode + 8);
  A64Translator tr(&fetch);
  tcg::Block b;
  b.guest_pc = kCode;
  tr.translate(b, *m.cpu, 64);
  ASSERT_TRUE(tcg::verify(b).empty());
  int brconds = 0, flag_reads = 0;
  for (const tcg::Inst& in : b.insts()) {
    if (in.op == tcg::Opcode::BrCond) {
      ++brconds;
      EXPECT_EQ(tcg::Cond(in.args[2].imm), tcg::Cond::LtS);
    }
    if (in.op == tcg::Opcode::GetState && in.args[0].imm >= offsetof(A64Cpu, nf) &&
        in.args[0].imm <= offsetof(A64Cpu, vf))
      ++flag_reads;
  }
  EXPECT_EQ(brconds, 1);
  EXPECT_EQ(flag_reads, 0);
}

// Stores to NZCV left in the block at `pc` after optimization.
int flag_stores_after_opt(Machine& m, uint64_t pc, uint64_t code_end) {
  tcg::RangeCodeFetcher fetch(kCode, code_end);
  A64Translator tr(&fetch);
  tcg::Block b;
  b.guest_pc = pc;
  tr.translate(b, *m.cpu, 64);
  EXPECT_TRUE(tcg::verify(b).empty());
  tcg::optimize(b);
  int stores = 0;
  for (const tcg::Inst& in : b.insts())
    if (in.op == tcg::Opcode::SetState && in.args[0].imm >= offsetof(A64Cpu, nf) &&
        in.args[0].imm <= offsetof(A64Cpu, vf))
      ++stores;
  return stores;
}

TEST(A64Translate, FlagsOverwrittenAtEveryExitAreNotStored) {
  // a: subs x0, x0, #1; b.ne a; cmp x1, x2; svc: both exits of the loop block compare first.
  const std::initializer_list<uint32_t> prog = {0xf1000400, 0x54ffffe1, 0xeb02003f, kSvc0};
  Machine m;
  m.code(prog);
  EXPECT_EQ(flag_stores_after_opt(m, kCode, kCode + 16), 0);
  // The compare before the svc stays visible: the kernel side (signal frames) may read it.
  EXPECT_EQ(flag_stores_after_opt(m, kCode + 8, kCode + 16), 4);
  run_all(
      [&](Machine& mm) {
        mm.code(prog);
        mm.cpu->x[0] = 3, mm.cpu->x[1] = 1, mm.cpu->x[2] = 2;
      },
      [](Machine& mm) {
        EXPECT_EQ(mm.cpu->x[0], 0u);
        EXPECT_EQ(mm.nzcv(), 0b1000u);  // 1 - 2: N
      });
}

TEST(A64Translate, FlagsReadInALaterBlockAreStored) {
  // cmp x1, x2; b c; nop; c: cset x3, eq; svc
  const std::initializer_list<uint32_t> jump = {0xeb02003f, 0x14000002, 0xd503201f, 0x9a9f17e3, kSvc0};
  Machine m;
  m.code(jump);
  EXPECT_EQ(flag_stores_after_opt(m, kCode, kCode + 20), 4);
  for (uint64_t x2 : {5u, 6u})
    run_all(
        [&](Machine& mm) {
          mm.code(jump);
          mm.cpu->x[1] = 5, mm.cpu->x[2] = x2;
        },
        [&](Machine& mm) { EXPECT_EQ(mm.cpu->x[3], x2 == 5 ? 1u : 0u); });
  // cmp x1, x2; cbz x4, e; cmp x2, x2; e: cset x3, eq; svc: one path reads the first compare.
  const std::initializer_list<uint32_t> two_way = {0xeb02003f, 0xb4000044, 0xeb02005f, 0x9a9f17e3, kSvc0};
  m.code(two_way);
  EXPECT_EQ(flag_stores_after_opt(m, kCode, kCode + 20), 4);
  for (uint64_t x4 : {0u, 1u})
    run_all(
        [&](Machine& mm) {
          mm.code(two_way);
          mm.cpu->x[1] = 5, mm.cpu->x[2] = 6, mm.cpu->x[4] = x4;
        },
        [&](Machine& mm) { EXPECT_EQ(mm.cpu->x[3], x4 == 0 ? 0u : 1u); });
}

TEST(A64Translate, NzcvLookAheadClassifiesReadersAndWriters) {
  std::vector<uint8_t> mem(0x3000);
  auto dead = [&](std::initializer_list<uint32_t> words, uint64_t at = 0x1000) {
    uint64_t a = at;
    for (uint32_t w : words) std::memcpy(&mem[a], &w, 4), a += 4;
    return nzcv_dead_at(PageCode{mem.data(), nullptr, at & ~uint64_t(0xfff)}, at);
  };
  EXPECT_TRUE(dead({0x8b020020, 0xeb02003f}));              // add x0, x1, x2; cmp x1, x2
  EXPECT_TRUE(dead({0x1e602020}));                          // fcmp d1, d0
  EXPECT_TRUE(dead({0xea02003f}));                          // tst x1, x2
  EXPECT_TRUE(dead({0x72000c3f}));                          // tst w1, #0xf
  EXPECT_FALSE(dead({0x9a020020}));                         // adc x0, x1, x2
  EXPECT_FALSE(dead({0x9a821020}));                         // csel x0, x1, x2, ne
  EXPECT_FALSE(dead({0xfa421020}));                         // ccmp x1, x2, #0, ne
  EXPECT_FALSE(dead({0x1e621c20}));                         // fcsel d0, d1, d2, ne
  EXPECT_FALSE(dead({0xd53b4200}));                         // mrs x0, nzcv
  EXPECT_FALSE(dead({0xd65f03c0}));                         // ret
  EXPECT_FALSE(dead({0x54000040}));                         // b.eq .+8
  EXPECT_FALSE(dead({0xd503201f, 0xd503201f}, 0x1ff8));     // runs off its page: unknown
  EXPECT_TRUE(dead({0x14000002, 0x9a9f17e3, 0xeb02003f}));  // b .+8 over cset to a cmp
  // A loop body of 40 flag-neutral instructions (add x0, x1, x2) before its compare.
  std::vector<uint32_t> body(40, 0x8b020020);
  body.push_back(0xeb02003f);
  uint64_t a = 0x2000;
  for (uint32_t w : body) std::memcpy(&mem[a], &w, 4), a += 4;
  EXPECT_TRUE(nzcv_dead_at(PageCode{mem.data(), nullptr, 0x2000}, 0x2000));
}

TEST(A64Disassembly, CapstoneLines) {
  EXPECT_EQ(disassemble_insn(0x91000420, 0), "add x0, x1, #1");
  EXPECT_EQ(disassemble_insn(0xd4000001, 0), "svc #0");
  Machine m;
  m.code({0x91000420, 0xd4000001});
  A64Translator tr;
  std::string text = tr.disassemble(*m.cpu, kCode, 8);
  EXPECT_NE(text.find("0x0000000000001000:  91000420  add x0, x1, #1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("svc #0"), std::string::npos) << text;
}

}  // namespace
}  // namespace mimic::arm::test
