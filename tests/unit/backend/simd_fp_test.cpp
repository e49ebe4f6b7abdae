// The lane-wise vector floating-point ops (VFAdd, VFSub, VFMul, VFDiv, VFMA) and VFSpecial: compiled
// code against the reference semantics in tcg/ir/eval.h (which the interpreter runs), result bits
// and MXCSR flags in every rounding mode, on lanes that are quiet and signalling NaNs, infinities,
// zeros, denormals, +-the smallest normal and ordinary numbers; plus hand-checked values.
#include <immintrin.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tcg/ir/eval.h"
#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

using eval::V128;

constexpr uint32_t kFlagBits = 0x3f;                             // IE DE ZE OE UE PE
constexpr uint32_t kModes[] = {0x0000, 0x2000, 0x4000, 0x6000};  // RC: nearest, down, up, toward zero

const std::vector<uint64_t> kF32 = {0x3f800000, 0xbfc00000, 0x7fc00000, 0x7f800001, 0x7f800000, 0xff800000,
                                    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x80800000,
                                    0x7f7fffff, 0x3dcccccd, 0x40400000, 0x3f7fffff, 0xffc12345, 0x3f000000};
const std::vector<uint64_t> kF64 = {0x3ff0000000000000, 0xbff8000000000000, 0x7ff8000000000000, 0x7ff0000000000001,
                                    0x7ff0000000000000, 0xfff0000000000000, 0x0000000000000000, 0x8000000000000000,
                                    0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000, 0x8010000000000000,
                                    0x7fefffffffffffff, 0x3fb999999999999a, 0x4008000000000000, 0x3fefffffffffffff,
                                    0xfff8000000012345, 0x3fe0000000000000};

// Vectors mixing the special lanes with ordinary ones (and all-ordinary vectors).
std::vector<V128> vectors(unsigned lg) {
  const auto& l = lg == 3 ? kF64 : kF32;
  const size_t n = l.size();
  std::vector<V128> v;
  for (size_t i = 0; i < n; i += 2) {
    V128 x;
    for (unsigned k = 0; k < (16u >> lg); ++k) eval::lane_set(x, k, lg, l[(i * (2 * k + 1) + 3 * k) % n]);
    v.push_back(x);
  }
  V128 ordinary;
  for (unsigned k = 0; k < (16u >> lg); ++k) eval::lane_set(ordinary, k, lg, l[k % 2 ? 13 : 14]);
  v.push_back(ordinary);
  return v;
}

struct Result {
  V128 r;
  uint32_t flags;
};

// The reference under MXCSR mode `mode`: volatile inputs and output keep the SSE work between
// ldmxcsr and stmxcsr.
Result reference(uint32_t mode, const std::function<V128(const V128&, const V128&, const V128&)>& ref, V128 a, V128 b,
                 V128 c) {
  volatile V128 va = a, vb = b, vc = c;
  const uint32_t saved = _mm_getcsr();
  _mm_setcsr(kMxcsrForced | mode);
  const V128 x{va.lo, va.hi}, y{vb.lo, vb.hi}, z{vc.lo, vc.hi};
  volatile V128 out = ref(x, y, z);
  const uint32_t flags = _mm_getcsr() & kFlagBits;
  _mm_setcsr(saved);
  return {V128{out.lo, out.hi}, flags};
}

using Build = std::function<Arg(IRBuilder&, Arg, Arg, Arg)>;
using Ref = std::function<V128(const V128&, const V128&, const V128&)>;

// Runs `build` on vin[0..2] in the JIT under MXCSR mode `mode`: the result and the flags raised.
Result jit_run(Jit& jit, uint32_t mode, const Build& build, V128 a, V128 b, V128 c) {
  jit.cpu().guest_mxcsr = kMxcsrForced | mode;
  // The result, and the inputs (they survive the two-operand forms).
  run_vector_block(jit, {&a, &b, &c}, [&](IRBuilder& ir, const std::vector<Arg>& v) {
    return std::vector<Arg>{build(ir, v[0], v[1], v[2]), v[0], v[1], v[2]};
  });
  V128 got[4];
  std::memcpy(got, jit.cpu().vout, sizeof got);
  EXPECT_TRUE(got[1] == a && got[2] == b && got[3] == c) << "clobbered an input";
  return {got[0], jit.cpu().guest_mxcsr & kFlagBits};
}

std::string hex(const V128& v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx:%016llx", static_cast<unsigned long long>(v.hi),
                static_cast<unsigned long long>(v.lo));
  return buf;
}

// Every pair (or, with `ternary`, triples with a third operand from a stride) of lane vectors, in
// every rounding mode: bits and flags equal.
void check(const char* what, unsigned lg, bool ternary, const Build& build, const Ref& ref) {
  Jit jit;
  const std::vector<V128> v = vectors(lg);
  for (uint32_t mode : kModes)
    for (size_t i = 0; i < v.size(); ++i)
      for (size_t j = 0; j < v.size(); ++j) {
        const V128 a = v[i], b = v[j], c = ternary ? v[(i + 2 * j + 1) % v.size()] : V128{};
        const Result want = reference(mode, ref, a, b, c), got = jit_run(jit, mode, build, a, b, c);
        EXPECT_TRUE(got.r == want.r) << what << " mode " << std::hex << mode << " a " << hex(a) << " b " << hex(b)
                                     << " c " << hex(c) << ": got " << hex(got.r) << " want " << hex(want.r);
        EXPECT_EQ(got.flags, want.flags) << what << " flags, mode " << std::hex << mode << " a " << hex(a) << " b "
                                         << hex(b) << " c " << hex(c);
        if (testing::Test::HasFailure()) return;
      }
}

bool host_fma() { return __builtin_cpu_supports("fma"); }

TEST(VectorFloat, ArithmeticAgainstReference) {
  for (unsigned lg : {2u, 3u}) {
    const std::string s = lg == 3 ? " f64" : " f32";
    check(("vfadd" + s).c_str(), lg, false, [&](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfadd(a, b, lg); },
          [&](const V128& a, const V128& b, const V128&) { return eval::vfbin(Opcode::VFAdd, a, b, lg); });
    check(("vfsub" + s).c_str(), lg, false, [&](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfsub(a, b, lg); },
          [&](const V128& a, const V128& b, const V128&) { return eval::vfbin(Opcode::VFSub, a, b, lg); });
    check(("vfmul" + s).c_str(), lg, false, [&](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfmul(a, b, lg); },
          [&](const V128& a, const V128& b, const V128&) { return eval::vfbin(Opcode::VFMul, a, b, lg); });
    check(("vfdiv" + s).c_str(), lg, false, [&](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfdiv(a, b, lg); },
          [&](const V128& a, const V128& b, const V128&) { return eval::vfbin(Opcode::VFDiv, a, b, lg); });
    // a op a: both operands in one register.
    check(("vfmul a, a" + s).c_str(), lg, false, [&](IRBuilder& ir, Arg a, Arg, Arg) { return ir.vfmul(a, a, lg); },
          [&](const V128& a, const V128&, const V128&) { return eval::vfbin(Opcode::VFMul, a, a, lg); });
    if (host_fma())
      check(("vfma" + s).c_str(), lg, true, [&](IRBuilder& ir, Arg a, Arg b, Arg c) { return ir.vfma(a, b, c, lg); },
            [&](const V128& a, const V128& b, const V128& c) { return eval::vfma(a, b, c, lg); });
  }
}

TEST(VectorFloat, HandCheckedValues) {
  Jit jit;
  auto run = [&](const Build& b, V128 x, V128 y, V128 z = {}) { return jit_run(jit, 0, b, x, y, z); };
  auto s4 = [](uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    return V128{a | uint64_t(b) << 32, c | uint64_t(d) << 32};
  };
  // {1, -1.5, 3, 0.1f} + {0.5, 0.5, -3, 0.2f} = {1.5, -1, +0, 0.3f}, inexact (0.1f + 0.2f).
  Result r =
      run([](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfadd(a, b, 2); },
          s4(0x3f800000, 0xbfc00000, 0x40400000, 0x3dcccccd), s4(0x3f000000, 0x3f000000, 0xc0400000, 0x3e4ccccd));
  EXPECT_TRUE(r.r == s4(0x3fc00000, 0xbf800000, 0, 0x3e99999a)) << hex(r.r);
  EXPECT_EQ(r.flags, 0x20u);
  // {1, 1} / {+0, -0} = {+inf, -inf}, divide by zero.
  r = run([](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfdiv(a, b, 3); },
          V128{0x3ff0000000000000, 0x3ff0000000000000}, V128{0, 0x8000000000000000});
  EXPECT_TRUE(r.r == (V128{0x7ff0000000000000, 0xfff0000000000000})) << hex(r.r);
  EXPECT_EQ(r.flags, 0x04u);
  // The smallest normal * 0.5 is an exact denormal (no underflow flag when exact); inf - inf is
  // invalid, giving the x86 default NaN (negative).
  r = run([](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfmul(a, b, 3); },
          V128{0x0010000000000000, 0x7ff0000000000000}, V128{0x3fe0000000000000, 0});
  EXPECT_TRUE(r.r == (V128{0x0008000000000000, 0xfff8000000000000})) << hex(r.r);
  EXPECT_EQ(r.flags, 0x01u);
  // One lane of float max * 2 overflows: OE and PE.
  r = run([](IRBuilder& ir, Arg a, Arg b, Arg) { return ir.vfsub(a, b, 2); }, s4(0x7f7fffff, 0x3f800000, 0, 0),
          s4(0xff7fffff, 0x3f800000, 0, 0));
  EXPECT_TRUE(r.r == s4(0x7f800000, 0, 0, 0)) << hex(r.r);
  EXPECT_EQ(r.flags, 0x28u);
  if (host_fma()) {
    // Fused: (1 + 2^-30)^2 - (1 + 2^-29) = 2^-60 exactly (a separate multiply would round it away).
    r = run([](IRBuilder& ir, Arg a, Arg b, Arg c) { return ir.vfma(a, b, c, 3); },
            V128{0x3ff0000000400000, 0x3ff0000000000000}, V128{0x3ff0000000400000, 0x4000000000000000},
            V128{0xbff0000000800000, 0x3ff0000000000000});
    EXPECT_TRUE(r.r == (V128{0x3c30000000000000, 0x4008000000000000})) << hex(r.r);
    EXPECT_EQ(r.flags, 0u);
    // Single: (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24.
    r = run([](IRBuilder& ir, Arg a, Arg b, Arg c) { return ir.vfma(a, b, c, 2); }, s4(0x3f800800, 0, 0, 0),
            s4(0x3f800800, 0, 0, 0), s4(0xbf801000, 0, 0, 0));
    EXPECT_TRUE(r.r == s4(0x33800000, 0, 0, 0)) << hex(r.r);
    EXPECT_EQ(r.flags, 0u);
  }
}

// VFSpecial of v in the JIT; the input must survive and no MXCSR flag be raised.
bool jit_special(Jit& jit, const V128& v, unsigned lg, bool sse41) {
  jit.cpu().guest_mxcsr = kMxcsrForced;
  BackendOptions opt;
  opt.allow_sse41 = sse41;
  run_vector_block(
      jit, {&v},
      [&](IRBuilder& ir, const std::vector<Arg>& x) {
        return std::vector<Arg>{x[0], ir.zext32_to_64(ir.vfspecial(x[0], lg))};
      },
      opt);
  uint64_t r;
  std::memcpy(&r, jit.cpu().vout[1], 8);
  EXPECT_TRUE(std::memcmp(jit.cpu().vout[0], &v, 16) == 0) << "clobbered the input";
  EXPECT_EQ(jit.cpu().guest_mxcsr & kFlagBits, 0u) << "integer test raised a flag";
  EXPECT_LE(r, 1u);
  return r != 0;
}

TEST(VectorFloat, SpecialLanes) {
  struct Case {
    V128 v;
    unsigned lg;
    bool special;
  };
  const Case cases[] = {
      {{0, 0}, 2, false},
      {{0x3f8000007f800000, 0xff7fffff00000001}, 2, false},  // inf, 1, denormal, -max
      {{0x3f80000000800001, 0x807fffff7f7fffff}, 2, false},  // just above the smallest normal, -largest denormal
      {{0, 0x7f80000100000000}, 2, true},                    // signalling NaN in lane 3
      {{0xffc1234500000000, 0}, 2, true},                    // negative quiet NaN in lane 1
      {{0x0000000080800000, 0}, 2, true},                    // -the smallest normal in lane 0
      {{0, 0x0080000000000000}, 2, true},                    // the smallest normal in lane 3
      {{0x7ff0000000000000, 0xfff0000000000000}, 3, false},  // infinities
      {{0x0010000000000001, 0x000fffffffffffff}, 3, false},  // next to the smallest normal
      {{0x0000000000100000, 0x7ff0000000000000}, 3, false},  // low dword = a high dword pattern
      {{0x7fefffffffffffff, 0x8000000000000000}, 3, false},
      {{0x3ff0000000000000, 0x7ff0000000000001}, 3, true},  // NaN differing from inf only in the low dword
      {{0xfff8000000012345, 0}, 3, true},
      {{0, 0x8010000000000000}, 3, true},
      {{0x0010000000000000, 0x3ff0000000000000}, 3, true},
      {{0x00100000ffffffff, 0}, 3, false},  // high dword of the smallest normal, low nonzero
      {{0x7ff00000ffffffff, 0}, 3, true},
  };
  Jit jit;
  for (const Case& c : cases) {
    EXPECT_EQ(eval::vfspecial(c.v, c.lg), c.special) << hex(c.v);
    for (bool sse41 : {true, false})
      EXPECT_EQ(jit_special(jit, c.v, c.lg, sse41), c.special) << hex(c.v) << (sse41 ? "" : " (SSE2)");
  }
  // And every mixed vector of the arithmetic tests, JIT against the reference.
  for (unsigned lg : {2u, 3u})
    for (const V128& v : vectors(lg)) EXPECT_EQ(jit_special(jit, v, lg, true), eval::vfspecial(v, lg)) << hex(v);
}

}  // namespace
}  // namespace mimic::tcg::test
