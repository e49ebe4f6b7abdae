// Robustness: random 32-bit and 16-bit instruction words translate and either run or exit with
// a defined reason; none crashes the host or produces IR the verifier rejects.
#include <gtest/gtest.h>

#include <random>

#include "harness.h"
#include "tcg/backend.h"
#include "tcg/ir/verifier.h"

namespace mimic::riscv::test {
namespace {

// Each word runs as a one-instruction block through every engine this build has (interpreter,
// optimized interpreter, JIT): the JIT is what users run, so it must survive every encoding too.
void run_random(bool compressed, unsigned count) {
  std::mt19937_64 rng(compressed ? 16 : 32);
  Machine m;
  m.code_end = kCode + 4;
  unsigned illegal = 0;
  for (unsigned i = 0; i < count; ++i) {
    uint32_t w = uint32_t(rng());
    if (compressed) {
      w &= 0xffff;
      if ((w & 3) == 3) w &= ~1u;  // keep it a 16-bit encoding
      m.write<uint16_t>(kCode, uint16_t(w));
      m.write<uint16_t>(kCode + 2, 0x0001);
    } else {
      w |= 3;
      m.write<uint32_t>(kCode, w);
    }
    for (Engine e : engines()) {
      // Every register points into the middle of guest memory so any reg+imm12 access stays inside.
      for (int r = 1; r < 32; ++r) m.cpu->x[r] = kData;
      m.cpu->pc = kCode;
      fp_set_frm(*m.cpu, unsigned(i % 8));
      m.run(e, 1, 1);
      uint32_t r = m.cpu->exit_reason;
      bool ok = r == tcg::kExitChain || r == tcg::kExitLookup || r == tcg::kExitUnaligned || r == kExitEcall ||
                r == kExitEbreak || r == kExitIllegal || r == kExitFenceI;
      ASSERT_TRUE(ok) << std::hex << w << " exit " << r << " on " << engine_name(e);
      if (r == kExitIllegal) {
        illegal += e == engines().front();
        ASSERT_EQ(m.cpu->pc, kCode) << std::hex << w << " on " << engine_name(e);
      }
    }
  }
  EXPECT_TRUE(m.verify_errors.empty()) << m.verify_errors.front();
  EXPECT_GT(illegal, 0u);
  EXPECT_LT(illegal, count);
}

TEST(RiscvRobust, Random32BitWords) { run_random(false, 100000); }
TEST(RiscvRobust, Random16BitWords) { run_random(true, 100000); }

}  // namespace
}  // namespace mimic::riscv::test
