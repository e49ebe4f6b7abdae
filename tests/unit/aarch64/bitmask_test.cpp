// Bitmask immediates: the decoder (DecodeBitMasks) against every logical immediate enumerated
// independently and encoded by GNU as (bitmask_imms.inc), in both directions, plus execution of
// a sample through every engine.
#include <gtest/gtest.h>

#include <set>

#include "harness.h"
#include "target/arm/trans.h"

namespace mimic::arm::test {
namespace {

struct Imm {
  uint32_t insn;  // and Rd, Rn, #value
  bool sf;
  uint64_t value;
};
const Imm kImms[] = {
#include "bitmask_imms.inc"
};

TEST(A64Bitmask, AssemblerEncodingsDecode) {
  size_t n64 = 0, n32 = 0;
  for (const Imm& i : kImms) {
    const unsigned N = (i.insn >> 22) & 1, immr = (i.insn >> 16) & 63, imms = (i.insn >> 10) & 63;
    uint64_t v = 0;
    ASSERT_TRUE(decode_bit_masks(i.sf, N, imms, immr, v)) << std::hex << i.insn;
    EXPECT_EQ(v, i.value) << std::hex << i.insn;
    (i.sf ? n64 : n32)++;
  }
  EXPECT_EQ(n64, 5334u);  // the well-known count of 64-bit logical immediates
  EXPECT_EQ(n32, 1302u);
}

TEST(A64Bitmask, DecoderProducesExactlyTheValidSet) {
  for (bool sf : {true, false}) {
    std::set<uint64_t> want, got;
    for (const Imm& i : kImms) {
      if (i.sf == sf) want.insert(i.value);
    }
    for (unsigned N = 0; N < 2; ++N)
      for (unsigned immr = 0; immr < 64; ++immr)
        for (unsigned imms = 0; imms < 64; ++imms) {
          uint64_t v;
          if (decode_bit_masks(sf, N, imms, immr, v)) {
            got.insert(v);
            if (!sf) {
              EXPECT_EQ(N, 0u);  // W forms never take N = 1 (64-bit elements)
            }
          }
        }
    EXPECT_EQ(got, want) << (sf ? "X" : "W");
  }
}

TEST(A64Bitmask, ExecutesThroughEveryEngine) {
  constexpr uint32_t kSvc0 = 0xd4000001;
  for (size_t k = 0; k < std::size(kImms); k += 37) {
    const Imm& i = kImms[k];
    SCOPED_TRACE(::testing::Message() << std::hex << i.insn);
    run_all(
        [&](Machine& m) {
          m.code({i.insn, kSvc0});
          m.cpu->x[1] = ~0ull;
          m.cpu->x[0] = 0x1234;
        },
        [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], i.value); });
  }
}

}  // namespace
}  // namespace mimic::arm::test
