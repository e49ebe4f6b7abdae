// The lane-wise integer vector ops (VCmp, VMin/VMax, VMul, shifts by immediate, VNarrow, VWiden, VUzp):
// compiled code against the reference semantics in tcg/ir/eval.h (which the interpreter runs), for
// every lane size, condition and shift amount, on boundary and random inputs.
#include <cstring>
#include <functional>
#include <random>

#include "tcg/ir/eval.h"
#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

using eval::V128;

std::vector<std::pair<V128, V128>> inputs() {
  std::vector<std::pair<V128, V128>> v = {
      {{0, 0}, {0, 0}},
      {{~0ull, ~0ull}, {0, 0}},
      {{0x8000000000000000ull, 0x7fffffffffffffffull}, {0x7fffffffffffffffull, 0x8000000000000000ull}},
      {{0x80007fff7f80ff01ull, 0x0000000180000000ull}, {0x7fff800080ff017full, 0xffffffff00000001ull}},
      {{0x0102030405060708ull, 0xf0e0d0c0b0a09080ull}, {0x0102030405060708ull, 0x0f0e0d0c0b0a0908ull}},
  };
  std::mt19937_64 rng(7);
  for (int i = 0; i < 12; ++i) v.push_back({{rng(), rng()}, {rng(), rng()}});
  // Lanes equal in the low or the high dword only (the 64-bit compare is built from 32-bit ones).
  v.push_back({{0x00000005ffffffffull, 0xfffffffe00000000ull}, {0x0000000500000000ull, 0xffffffff00000000ull}});
  return v;
}

using Build = std::function<Arg(IRBuilder&, Arg, Arg)>;
using Ref = std::function<V128(const V128&, const V128&)>;

// Compiles `a op b` (and `a op a`, where both operands are one register) and compares with ref.
// Runs with and without the SSE4.1 forms (the SSE2 sequences are what older hosts run).
void check(const char* what, const Build& build, const Ref& ref) {
  Jit jit;
  for (bool sse41 : {true, false}) {
    for (const auto& [x, y] : inputs()) {
      BackendOptions opt;
      opt.allow_sse41 = sse41;
      // a op b, a op a, and the inputs (they must survive).
      run_vector_block(
          jit, {&x, &y},
          [&](IRBuilder& ir, const std::vector<Arg>& v) {
            return std::vector<Arg>{build(ir, v[0], v[1]), build(ir, v[0], v[0]), v[0], v[1]};
          },
          opt);
      V128 got[4];
      std::memcpy(got, jit.cpu().vout, sizeof got);
      const V128 want = ref(x, y), want_aa = ref(x, x);
      EXPECT_EQ(got[0].lo, want.lo) << what << (sse41 ? "" : " (SSE2)") << " lo, a = " << std::hex << x.lo << ":" << x.hi << " b = " << y.lo << ":" << y.hi;
      EXPECT_EQ(got[0].hi, want.hi) << what << " hi, a = " << std::hex << x.lo << ":" << x.hi << " b = " << y.lo << ":" << y.hi;
      EXPECT_EQ(got[1].lo, want_aa.lo) << what << " (a, a)";
      EXPECT_EQ(got[1].hi, want_aa.hi) << what << " (a, a)";
      EXPECT_TRUE(got[2] == x && got[3] == y) << what << " clobbered an input";
    }
  }
}

TEST(VectorInt, CompareToMask) {
  for (unsigned lg = 0; lg < 4; ++lg)
    for (unsigned c = 0; c <= unsigned(Cond::TstNe); ++c) {
      const std::string what = "vcmp " + std::string(cond_name(Cond(c))) + " lg " + std::to_string(lg);
      check(what.c_str(), [&](IRBuilder& ir, Arg a, Arg b) { return ir.vcmp(Cond(c), a, b, lg); },
            [&](const V128& a, const V128& b) { return eval::vcmp(a, b, Cond(c), lg); });
    }
}

TEST(VectorInt, MinMaxMul) {
  for (unsigned lg = 0; lg < 4; ++lg) {
    const std::string s = " lg " + std::to_string(lg);
    check(("vmins" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg b) { return ir.vmins(a, b, lg); },
          [&](const V128& a, const V128& b) { return eval::vminmax(a, b, lg, true, false); });
    check(("vminu" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg b) { return ir.vminu(a, b, lg); },
          [&](const V128& a, const V128& b) { return eval::vminmax(a, b, lg, false, false); });
    check(("vmaxs" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg b) { return ir.vmaxs(a, b, lg); },
          [&](const V128& a, const V128& b) { return eval::vminmax(a, b, lg, true, true); });
    check(("vmaxu" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg b) { return ir.vmaxu(a, b, lg); },
          [&](const V128& a, const V128& b) { return eval::vminmax(a, b, lg, false, true); });
    check(("vmul" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg b) { return ir.vmul(a, b, lg); },
          [&](const V128& a, const V128& b) { return eval::vmul(a, b, lg); });
  }
}

TEST(VectorInt, ShiftsByImmediate) {
  for (unsigned lg = 0; lg < 4; ++lg) {
    const unsigned w = 8u << lg;
    for (unsigned sh : {0u, 1u, 3u, w / 2 - 1, w - 1, w}) {
      const std::string s = " lg " + std::to_string(lg) + " by " + std::to_string(sh);
      check(("vshli" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg) { return ir.vshli(a, sh, lg); },
            [&](const V128& a, const V128&) { return eval::vshift_imm(a, sh, lg, 0); });
      check(("vshri" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg) { return ir.vshri(a, sh, lg); },
            [&](const V128& a, const V128&) { return eval::vshift_imm(a, sh, lg, 1); });
      check(("vsari" + s).c_str(), [&](IRBuilder& ir, Arg a, Arg) { return ir.vsari(a, sh, lg); },
            [&](const V128& a, const V128&) { return eval::vshift_imm(a, sh, lg, 2); });
    }
  }
}

TEST(VectorInt, NarrowAndWiden) {
  for (unsigned lg = 1; lg < 4; ++lg)
    check(("vnarrow lg " + std::to_string(lg)).c_str(), [&](IRBuilder& ir, Arg a, Arg) { return ir.vnarrow(a, lg); },
          [&](const V128& a, const V128&) { return eval::vnarrow(a, lg); });
  for (unsigned lg = 0; lg < 3; ++lg)
    for (bool high : {false, true})
      for (bool sgn : {false, true}) {
        const std::string what = std::string(sgn ? "vwidens" : "vwidenu") + " lg " + std::to_string(lg) +
                                 (high ? " high" : " low");
        check(what.c_str(), [&](IRBuilder& ir, Arg a, Arg) { return ir.vwiden(a, lg, high, sgn); },
              [&](const V128& a, const V128&) { return eval::vwiden(a, lg, high, sgn); });
      }
}

TEST(VectorInt, Unzip) {
  // The reference itself, on bytes numbered 0..31 across a:b: even/odd positions by lane size.
  const V128 a{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull}, b{0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull};
  EXPECT_EQ(eval::vuzp(a, b, 0, false).lo, 0x0e0c0a0806040200ull);
  EXPECT_EQ(eval::vuzp(a, b, 0, true).hi, 0x1f1d1b1917151311ull);
  EXPECT_EQ(eval::vuzp(a, b, 1, true).lo, 0x0f0e0b0a07060302ull);
  EXPECT_EQ(eval::vuzp(a, b, 2, false).hi, 0x1b1a191813121110ull);
  EXPECT_EQ(eval::vuzp(a, b, 3, true).lo, a.hi);
  EXPECT_EQ(eval::vuzp(a, b, 3, true).hi, b.hi);
  for (unsigned lg = 0; lg < 4; ++lg)
    for (bool odd : {false, true})
      check(("vuzp lg " + std::to_string(lg) + (odd ? " odd" : " even")).c_str(),
            [&](IRBuilder& ir, Arg a, Arg b) { return ir.vuzp(a, b, lg, odd); },
            [&](const V128& a, const V128& b) { return eval::vuzp(a, b, lg, odd); });
}

}  // namespace
}  // namespace mimic::tcg::test
