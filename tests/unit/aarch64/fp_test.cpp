// Tests for the fp area of the AArch64 translator (see target/arm/trans_fp.h): scalar FP and
// AdvSIMD floating point, result bits and FPSR, under every FPCR rounding mode, FZ, DN and AHP.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "target/arm/fpu.h"
#include "tests/unit/aarch64/harness.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;  // svc #0
constexpr uint64_t G = 0xa5a5a5a5a5a5a5a5ull;
constexpr uint64_t S(uint64_t x) { return (G & ~0xffffffffull) | x; }
constexpr uint64_t H(uint64_t x) { return (G & ~0xffffull) | x; }

struct FpCase {
  uint32_t words[4];
  unsigned count;
  const char* text;
  uint64_t v_in[6];  // v1..v3 (lo, hi)
  uint64_t x1;
  uint32_t nzcv_in;
  uint32_t fpcr;
  uint64_t v0[2];
  uint64_t x0;
  uint32_t nzcv_out;
  uint32_t fpsr;
};

const FpCase kCases[] = {
#include "fp_cases.inc"
};

void run_case(const FpCase& c) {
  SCOPED_TRACE(c.text);
  SCOPED_TRACE(testing::Message() << "fpcr " << std::hex << c.fpcr << " v1 " << c.v_in[0] << " v2 " << c.v_in[2]
                                  << " v3 " << c.v_in[4] << " x1 " << c.x1);
  uint32_t reason = run_all(
      [&](Machine& m) {
        for (unsigned i = 0; i < c.count; ++i) m.code({c.words[i]}, kCode + 4 * i);
        m.code({kSvc0}, kCode + 4 * c.count);
        m.cpu->v[0] = {G, G};
        for (int r = 1; r < 4; ++r) m.cpu->v[r] = {c.v_in[2 * r - 2], c.v_in[2 * r - 1]};
        m.cpu->x[0] = 0x1111111111111111ull;
        m.cpu->x[1] = c.x1;
        m.cpu->x[2] = 0x3333333333333333ull;
        m.cpu->x[3] = 0x4444444444444444ull;
        m.set_flags(c.nzcv_in);
        set_fpcr(*m.cpu, c.fpcr);
        set_fpsr(*m.cpu, 0);
      },
      [&](Machine& m) {
        EXPECT_EQ(m.cpu->v[0].lo, c.v0[0]) << std::hex << "v0.lo " << m.cpu->v[0].lo << " want " << c.v0[0];
        EXPECT_EQ(m.cpu->v[0].hi, c.v0[1]) << std::hex << "v0.hi " << m.cpu->v[0].hi << " want " << c.v0[1];
        EXPECT_EQ(m.cpu->x[0], c.x0) << std::hex << "x0 " << m.cpu->x[0] << " want " << c.x0;
        EXPECT_EQ(m.nzcv(), c.nzcv_out);
        EXPECT_EQ(get_fpsr(*m.cpu), c.fpsr) << std::hex << "fpsr " << get_fpsr(*m.cpu) << " want " << c.fpsr;
        EXPECT_EQ(get_fpcr(*m.cpu), c.fpcr);
        EXPECT_EQ(m.cpu->pc, kCode + 4 * c.count);
      });
  EXPECT_EQ(reason, kExitSvc);
}

TEST(A64Fp, QemuMeasuredCases) {
  ASSERT_GT(std::size(kCases), 1000u);
  const char* only = std::getenv("FP_CASE_FILTER");  // while debugging: cases whose text contains it
  for (const FpCase& c : kCases) {
    if (only && !std::strstr(c.text, only)) continue;
    run_case(c);
    if (HasFailure()) break;  // one detailed failure is enough
  }
}

}  // namespace
}  // namespace mimic::arm::test
