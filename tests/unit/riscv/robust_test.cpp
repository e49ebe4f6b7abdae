// Robustness: random 32-bit and 16-bit instruction words translate and either run or exit with
// a defined reason; none crashes the host or produces IR the verifier rejects.
#include <gtest/gtest.h>

#include <random>

#include "harness.h"
#include "tcg/backend.h"
#include "tcg/ir/verifier.h"

namespace mimic::riscv::test {
namespace {

void run_random(bool compressed, unsigned count) {
  std::mt19937_64 rng(compressed ? 16 : 32);
  Machine m;
  RiscvTranslator tr;
  tcg::Block b;
  std::vector<tcg::JumpCacheEntry> jc(tcg::kJumpCacheSize, {tcg::kJumpCacheEmpty, 0});
  unsigned illegal = 0, verify_failures = 0;
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
    // Every register points into the middle of guest memory so any reg+imm12 access stays inside.
    for (int r = 1; r < 32; ++r) m.cpu->x[r] = kData;
    m.cpu->pc = kCode;
    m.cpu->jump_cache = jc.data();
    fp_set_frm(*m.cpu, unsigned(i % 8));
    b.clear();
    b.guest_pc = kCode;
    b.flags = m.cpu->tb_flags;
    tr.translate(b, *m.cpu, 1);
    if (!tcg::verify(b).empty()) ++verify_failures;
    tcg::interpret_block(b, m.cpu.get());
    uint32_t r = m.cpu->exit_reason;
    bool ok = r == tcg::kExitChain || r == tcg::kExitLookup || r == tcg::kExitUnaligned || r == kExitEcall ||
              r == kExitEbreak || r == kExitIllegal || r == kExitFenceI;
    ASSERT_TRUE(ok) << std::hex << w << " exit " << r;
    if (r == kExitIllegal) {
      ++illegal;
      ASSERT_EQ(m.cpu->pc, kCode) << std::hex << w;
    }
  }
  EXPECT_EQ(verify_failures, 0u);
  EXPECT_GT(illegal, 0u);
  EXPECT_LT(illegal, count);
}

TEST(RiscvRobust, Random32BitWords) { run_random(false, 100000); }
TEST(RiscvRobust, Random16BitWords) { run_random(true, 100000); }

}  // namespace
}  // namespace mimic::riscv::test
