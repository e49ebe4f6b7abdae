// F and D tests: the generated table (fp_cases.inc, measured on qemu-riscv64 by gen_fp_tables.py)
// run through every engine, plus rounding-mode legality, NaN-boxing of loads and moves.
#include <gtest/gtest.h>

#include "harness.h"

namespace mimic::riscv::test {
namespace {

constexpr uint32_t kEcall = 0x00000073;

struct FpCase {
  uint32_t insn;
  const char* text;
  uint64_t a, b, c;
  uint32_t frm;
  uint64_t result;
  uint32_t fflags;
  bool int_dest;
};
const FpCase kFpCases[] = {
#include "fp_cases.inc"
};

enum { T1 = 6, T2 = 7, FT1 = 1, FT2 = 2, FT3 = 3, FT4 = 4, A0 = 10, A1 = 11 };

TEST(RiscvFp, GeneratedTable) {
  for (Engine e : engines()) {
    SCOPED_TRACE(engine_name(e));
    Machine m;
    unsigned failures = 0;
    for (const FpCase& c : kFpCases) {
      m.code_end = kCode;
      m.code32({c.insn, kEcall});
      m.cpu->pc = kCode;
      m.cpu->f[FT1] = c.a, m.cpu->f[FT2] = c.b, m.cpu->f[FT3] = c.c, m.cpu->f[FT4] = 0;
      m.cpu->x[T1] = 0, m.cpu->x[T2] = c.a;
      fp_set_frm(*m.cpu, c.frm);
      fp_set_fflags(*m.cpu, 0);
      uint32_t reason = m.run(e);
      uint64_t got = c.int_dest ? m.cpu->x[T1] : m.cpu->f[FT4];
      uint32_t flags = fp_get_fflags(*m.cpu);
      bool ok = reason == kExitEcall && got == c.result && flags == c.fflags;
      if (!ok && ++failures <= 40) {
        ADD_FAILURE() << c.text << " a=" << std::hex << c.a << " b=" << c.b << " c=" << c.c << " frm=" << c.frm
                      << ": got " << got << " flags " << flags << ", want " << c.result << " flags " << c.fflags
                      << " (exit " << std::dec << reason << ")";
      }
    }
    EXPECT_EQ(failures, 0u) << "of " << std::size(kFpCases);
  }
}

TEST(RiscvFp, ReservedStaticRoundingModesAreIllegal) {
  // fadd.s ft4, ft1, ft2 with rm = 5 and rm = 6 (0x00208253 | rm << 12).
  for (uint32_t rm : {5u, 6u}) {
    uint32_t r = run_all(
        [&](Machine& m) {
          m.code32({0x00208253 | (rm << 12), kEcall});
        },
        [](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode); });
    EXPECT_EQ(r, kExitIllegal);
  }
}

TEST(RiscvFp, InvalidDynamicRoundingModeIsIllegalAtRunTime) {
  for (uint32_t frm : {5u, 6u, 7u}) {
    uint32_t r = run_all(
        [&](Machine& m) {
          m.code32({0x0020f253 /* fadd.s ft4, ft1, ft2 (dyn) */, kEcall});
          fp_set_frm(*m.cpu, frm);
        },
        [](Machine& m) {
          EXPECT_EQ(m.cpu->pc, kCode);
          EXPECT_EQ(m.cpu->f[FT4], 0u);
        });
    EXPECT_EQ(r, kExitIllegal);
  }
}

TEST(RiscvFp, LoadsStoresAndMovesBoxSingles) {
  run_all(
      [](Machine& m) {
        m.code32({0x0045a207,  // flw ft4, 4(a1)        boxed: upper 32 bits all ones
                  0x0015a427,  // fsw ft1, 8(a1)        low 32 bits, boxed or not
                  kEcall});
        m.cpu->x[A1] = kData;
        m.write<uint32_t>(kData + 4, 0x3f800000);
        m.cpu->f[FT1] = 0x12345678c0000000;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->f[FT4], 0xffffffff3f800000u);
        EXPECT_EQ(m.read<uint32_t>(kData + 8), 0xc0000000u);
        EXPECT_EQ(m.read<uint32_t>(kData + 12), 0u);
      });
}

// ---- the inline fast path (docs/riscv-fp.md): flags live in MXCSR while translated code runs ----

enum { FT5 = 5, FT6 = 6, A2 = 12, A3 = 13 };
constexpr uint64_t kOne = 0x3ff0000000000000, kTenth = 0x3fb999999999999a;

TEST(RiscvFpFast, FlagsAccrueAcrossInlineOpsAndCsrReadsThem) {
  run_all(
      [](Machine& m) {
        m.code32({0x0220f253,  // fadd.d ft4, ft1, ft2   NX
                  0x1a30f2d3,  // fdiv.d ft5, ft1, ft3   DZ
                  0x1220f353,  // fmul.d ft6, ft1, ft2   exact
                  0x00102573,  // frflags a0             NX|DZ
                  0x001015f3,  // fsflags a1, zero       a1 = NX|DZ, clears
                  0x0220f253,  // fadd.d ft4, ft1, ft2   NX
                  0x00102673,  // frflags a2
                  kEcall});
        m.cpu->f[FT1] = kOne, m.cpu->f[FT2] = kTenth, m.cpu->f[FT3] = 0;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->x[A0], uint64_t(kFlagNX | kFlagDZ));
        EXPECT_EQ(m.cpu->x[A1], uint64_t(kFlagNX | kFlagDZ));
        EXPECT_EQ(m.cpu->x[A2], uint64_t(kFlagNX));
        EXPECT_EQ(fp_get_fflags(*m.cpu), uint32_t(kFlagNX));
        EXPECT_EQ(m.cpu->f[FT5], 0x7ff0000000000000u);
      });
}

TEST(RiscvFpFast, FlagsSurviveLeavingTranslatedCode) {
  for (Engine e : engines()) {
    SCOPED_TRACE(engine_name(e));
    Machine m;
    m.code32({0x0220f253,  // fadd.d ft4, ft1, ft2   NX, accrued in MXCSR
              kEcall,      // back to the loop, as a system call or a signal delivery does
              0x00102573,  // frflags a0
              kEcall});
    m.cpu->f[FT1] = kOne, m.cpu->f[FT2] = kTenth;
    ASSERT_EQ(m.run(e), kExitEcall);
    EXPECT_EQ(fp_get_fflags(*m.cpu), uint32_t(kFlagNX));  // what a signal frame's fcsr gets
    EXPECT_EQ(m.cpu->mxcsr_live, 0u);
    m.cpu->pc += 4;
    ASSERT_EQ(m.run(e), kExitEcall);
    EXPECT_EQ(m.cpu->x[A0], uint64_t(kFlagNX));
    fp_set_fflags(*m.cpu, 0);  // as sigreturn restoring fcsr = 0 does
    EXPECT_EQ(fp_get_fflags(*m.cpu), 0u);
  }
}

TEST(RiscvFpFast, FrmChangesMidBlock) {
  // 1 + 0.75 ulp: RTZ gives 1, RUP and RNE 1 + ulp; 1 + 0.25 ulp: RUP gives 1 + ulp.
  run_all(
      [](Machine& m) {
        m.code32({0x0020d073,  // fsrmi 1 (RTZ)         ends the block
                  0x0220f253,  // fadd.d ft4, ft1, ft2
                  0x0021d073,  // fsrmi 3 (RUP)
                  0x0220f2d3,  // fadd.d ft5, ft1, ft2
                  0x02208353,  // fadd.d ft6, ft1, ft2, rne   static rm other than frm: helper
                  0x002026f3,  // frrm a3
                  kEcall});
        m.cpu->f[FT1] = kOne, m.cpu->f[FT2] = 0x3ca8000000000000;
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->f[FT4], kOne);
        EXPECT_EQ(m.cpu->f[FT5], kOne + 1);
        EXPECT_EQ(m.cpu->f[FT6], kOne + 1);
        EXPECT_EQ(m.cpu->x[A3], 3u);
        EXPECT_EQ(m.cpu->frm, 3u);
        EXPECT_EQ(m.cpu->tb_flags & kTbFrmMask, 3u);
        EXPECT_EQ(fp_get_fflags(*m.cpu), uint32_t(kFlagNX));
      });
}

struct FastCase {
  uint32_t insn;
  const char* text;
  uint64_t a, b, c, result;
  uint32_t fflags;
};
// Inline-path risks: NaN boxing, canonical NaNs, 0 * inf + qNaN (silent in vfmadd), and underflow
// at the smallest normal, where tininess before rounding (which SSE does not use) would differ
// from RISC-V's after rounding.
const FastCase kFastCases[] = {
    {0x0020f253, "fadd.s unboxed input", 0x000000003f800000, 0xffffffff3f800000, 0, 0xffffffff7fc00000, 0},
    {0x0020f253, "fadd.s boxed", 0xffffffff3f800000, 0xffffffff3f800000, 0, 0xffffffff40000000, 0},
    {0x20209253, "fsgnjn.s unboxed", 0x000000003f800000, 0xffffffff3f800000, 0, 0xffffffffffc00000, 0},
    {0x2220a253, "fsgnjx.d", 0xbff0000000000000, 0xc000000000000000, 0, 0x3ff0000000000000, 0},
    {0x0220f253, "fadd.d snan", 0x7ff0000000000001, kOne, 0, 0x7ff8000000000000, kFlagNV},
    {0x0220f253, "fadd.d qnan (x86 keeps its payload)", 0xfff8000000000123, kOne, 0, 0x7ff8000000000000, 0},
    {0x1220f253, "fmul.d min normal, not tiny after rounding", 0x000fffffffffffff, 0x3ff0000000000001, 0,
     0x0010000000000000, kFlagNX},
    {0x1220f253, "fmul.d min normal, tiny after rounding", 0x3fefffffffffffff, 0x0010000000000000, 0,
     0x0010000000000000, kFlagNX | kFlagUF},
    {0x1220f253, "fmul.d subnormal result", 0x0010000000000000, 0x3fd5555555555555, 0, 0x0005555555555555,
     kFlagNX | kFlagUF},
    {0x1020f253, "fmul.s min normal, not tiny after rounding", 0xffffffff007fffff, 0xffffffff3f800001, 0,
     0xffffffff00800000, kFlagNX},
    {0x1a20f243, "fmadd.d min normal, not tiny after rounding", 0x000fffffffffffff, 0x3ff0000000000001, 0,
     0x0010000000000000, kFlagNX},
    {0x1a20f243, "fmadd.d 0 * inf + qnan", 0, 0x7ff0000000000000, 0x7ff8000000000000, 0x7ff8000000000000, kFlagNV},
    {0x4010f253, "fcvt.s.d min normal, not tiny after rounding", 0x380fffffffc00000, 0, 0, 0xffffffff00800000, kFlagNX},
    {0x1a20f253, "fdiv.d by zero", kOne, 0, 0, 0x7ff0000000000000, kFlagDZ},
};

TEST(RiscvFpFast, InlineRisks) {
  // frm RNE runs the inline path; frm RMM the helpers (the same results for these inputs).
  for (uint32_t frm : {0u, 4u}) {
    for (const FastCase& c : kFastCases) {
      SCOPED_TRACE(std::string(c.text) + (frm ? " (helpers)" : " (inline)"));
      run_all(
          [&](Machine& m) {
            m.code32({c.insn, kEcall});
            m.cpu->f[FT1] = c.a, m.cpu->f[FT2] = c.b, m.cpu->f[FT3] = c.c, m.cpu->f[FT4] = 0;
            fp_set_frm(*m.cpu, frm);
          },
          [&](Machine& m) {
            EXPECT_EQ(m.cpu->f[FT4], c.result) << std::hex << m.cpu->f[FT4];
            EXPECT_EQ(fp_get_fflags(*m.cpu), c.fflags);
          });
    }
  }
}

}  // namespace
}  // namespace mimic::riscv::test
