// Data processing, flags and condition tests from alu_cases.inc: outputs measured on qemu-aarch64
// by gen_alu_cases.py, run here through every engine.
#include <gtest/gtest.h>

#include "harness.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;  // svc #0

struct AluCase {
  uint32_t words[8];
  unsigned count;
  const char* text;
  uint64_t in[4];
  uint32_t nzcv_in;
  uint64_t out[4];
  uint32_t nzcv_out;
};

const AluCase kCases[] = {
#include "alu_cases.inc"
};

TEST(A64Alu, QemuMeasuredCases) {
  ASSERT_GT(std::size(kCases), 1000u);
  for (const AluCase& c : kCases) {
    SCOPED_TRACE(c.text);
    uint32_t reason = run_all(
        [&](Machine& m) {
          for (unsigned i = 0; i < c.count; ++i) m.code({c.words[i]}, kCode + 4 * i);
          m.code({kSvc0}, kCode + 4 * c.count);
          for (int r = 0; r < 4; ++r) m.cpu->x[r] = c.in[r];
          m.set_flags(c.nzcv_in);
        },
        [&](Machine& m) {
          for (int r = 0; r < 4; ++r) EXPECT_EQ(m.cpu->x[r], c.out[r]) << "x" << r;
          EXPECT_EQ(m.nzcv(), c.nzcv_out);
          EXPECT_EQ(m.cpu->pc, kCode + 4 * c.count);
        });
    EXPECT_EQ(reason, kExitSvc);
    if (HasFailure()) break;  // one detailed failure is enough
  }
}

}  // namespace
}  // namespace mimic::arm::test
