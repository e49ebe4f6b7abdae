// Tests for the simd_arith area of the AArch64 translator (see target/arm/trans_simd_arith.h).
// simd_arith_cases.inc: every AdvSIMD integer arithmetic form with boundary and random inputs,
// outputs measured on qemu-aarch64 by gen_simd_arith_cases.py, run here through every engine; the
// cryptographic extensions' crypto_cases.inc the same way (gen_crypto_cases.py).
#include <gtest/gtest.h>

#include "harness.h"
#include "target/arm/decode.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;  // svc #0

struct SimdCase {
  uint32_t word;
  const char* text;
  uint64_t in[8];  // v0..v3, low then high doubleword
  uint32_t fpsr_in;
  uint64_t out[8];
  uint32_t fpsr_out;
};

const SimdCase kCases[] = {
#include "simd_arith_cases.inc"
};

const SimdCase kCryptoCases[] = {
#include "crypto_cases.inc"
};

// Runs each case through every engine: the registers and FPSR after it must be qemu's.
template <size_t N>
void run_measured(const SimdCase (&cases)[N]) {
  for (const SimdCase& c : cases) {
    SCOPED_TRACE(c.text);
    uint32_t reason = run_all(
        [&](Machine& m) {
          m.code({c.word, kSvc0});
          for (int r = 0; r < 4; ++r) m.cpu->v[r] = {c.in[2 * r], c.in[2 * r + 1]};
          m.cpu->v[15] = m.cpu->v[2];  // the generator's by-element operand v15 is a copy of v2
          m.cpu->fpsr = c.fpsr_in;
        },
        [&](Machine& m) {
          for (int r = 0; r < 4; ++r) {
            EXPECT_EQ(m.cpu->v[r].lo, c.out[2 * r]) << "v" << r << ".d[0]";
            EXPECT_EQ(m.cpu->v[r].hi, c.out[2 * r + 1]) << "v" << r << ".d[1]";
          }
          EXPECT_EQ(get_fpsr(*m.cpu), c.fpsr_out) << "fpsr";
          EXPECT_EQ(m.cpu->pc, kCode + 4);
        });
    EXPECT_EQ(reason, kExitSvc);
    if (::testing::Test::HasFailure()) break;  // one detailed failure is enough
  }
}

TEST(A64SimdArith, QemuMeasuredCases) {
  ASSERT_GT(std::size(kCases), 5000u);
  run_measured(kCases);
}

// crypto_cases.inc (gen_crypto_cases.py): AES, SHA-1, SHA-256, SHA-512, SHA-3 and PMULL.1Q.
TEST(A64Crypto, QemuMeasuredCases) {
  ASSERT_GT(std::size(kCryptoCases), 200u);
  run_measured(kCryptoCases);
}

// Reserved size/Q/U combinations and the extensions nobody implements (RDM, dot product), and the
// unallocated opcodes of the SM3/SM4 groups
// must exit as illegal at their own pc. Encodings: a valid one from GNU as with a field changed.
TEST(A64SimdArith, ReservedEncodingsAreIllegal) {
  const struct {
    uint32_t word;
    const char* text;
  } kReserved[] = {
      {0x0ee28420, "add v0.1d (Q = 0, size = 3)"},
      {0x4ee20420, "shadd .2d"},
      {0x6e629c20, "pmul .8h"},
      {0x4e22b420, "sqdmulh .16b"},
      {0x4ee2b420, "sqdmulh .2d"},
      {0x6ea2bc20, "addp with U = 1"},
      {0xce62cc20, "sm3partw/sm4ekey group opcode 3 (unallocated)"},
      {0xcec08820, "sha512 two-reg opcode 2 (unallocated)"},
      {0xce620c20, "eor3/bcax/sm3ss1 group Op0 = 3 (unallocated)"},
      {0x5e027020, "sha three-reg opcode 7 (unallocated)"},
      {0x5e283820, "sha two-reg opcode 3 (unallocated)"},
      {0x0e62e020, "pmull .4s <- .4h"},
      {0x0ee20020, "saddl size = 3"},
      {0x0ee12820, "xtn size = 3"},
      {0x0e213820, "shll with U = 0"},
      {0x0eb1b820, "addv s0, v1.2s"},
      {0x6eb1b820, "addv with U = 1"},
      {0x0f7f0420, "sshr v0.1d"},
      {0x0f7f8420, "shrn immh = 1xxx"},
      {0x4fc28020, "mul by element size = 3"},
      {0x4f028020, "mul by element size = 0"},
      {0x5ea28420, "add s0, s1, s2"},
      {0x5f3f0420, "sshr s0, s1, #1"},
      {0x5ee14820, "sqxtn size = 3"},
      {0x5ea09820, "cmeq s0, s1, #0"},
      {0x5eb1b820, "addp s0, v1.2s"},
      {0x5e22d020, "sqdmull h0, b1, b2"},
      {0x5ee2d020, "sqdmull size = 3"},
      {0x6e428420, "sqrdmlah (vector, RDM)"},
      {0x6f52d020, "sqrdmlah (by element, RDM)"},
      {0x4fa2e020, "sdot (by element)"},
      {0x0f123020, "sqdmlal by element size = 0"},
      {0x0ee02820, "saddlp size = 3"},
  };
  for (const auto& c : kReserved) {
    SCOPED_TRACE(c.text);
    uint32_t reason = run_all([&](Machine& m) { m.code({c.word, kSvc0}); },
                              [&](Machine& m) { EXPECT_EQ(m.cpu->pc, kCode); });
    EXPECT_EQ(reason, kExitIllegal);
  }
}

// FPSR.QC is sticky and the other FPSR bits are left alone: two saturating ops in one block.
TEST(A64SimdArith, QcIsStickyAcrossABlock) {
  // sqadd v0.16b, v1.16b, v2.16b (saturates); add v3.16b, v1.16b, v2.16b (does not)
  run_all(
      [](Machine& m) {
        m.code({0x4e220c20, 0x4e228423, kSvc0});
        m.cpu->v[1] = {0x7f7f7f7f7f7f7f7f, 0};
        m.cpu->v[2] = {0x0101010101010101, 0};
        m.cpu->fpsr = 0x10;  // IXC from an earlier FP op stays
      },
      [](Machine& m) {
        EXPECT_EQ(m.cpu->v[0].lo, 0x7f7f7f7f7f7f7f7fu);
        EXPECT_EQ(m.cpu->v[3].lo, 0x8080808080808080u);
        EXPECT_EQ(get_fpsr(*m.cpu), (1u << 27) | 0x10);
      });
}

}  // namespace
}  // namespace mimic::arm::test
