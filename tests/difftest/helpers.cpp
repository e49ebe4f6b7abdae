// Test helpers with 0..5 arguments for the differential test; some pure, some touching state.
#include "tcg/helper.h"
#include "tests/difftest/test_cpu.h"

namespace mimic::difftest {

namespace {
using tcg::CpuBase;
TestCpu* cpu(CpuBase* env) { return static_cast<TestCpu*>(env); }

uint64_t h0(CpuBase* env, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return cpu(env)->regs[0] * 3 + 1; }
uint64_t h1(CpuBase*, uint64_t a, uint64_t, uint64_t, uint64_t, uint64_t) {
  return (a * 0x9e3779b97f4a7c15ull) ^ (a >> 29);
}
uint64_t h2(CpuBase*, uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) { return a - b * 7; }
uint64_t h3(CpuBase* env, uint64_t a, uint64_t b, uint64_t c, uint64_t, uint64_t) {
  cpu(env)->regs[31] += a ^ (b << 1) ^ (c << 2);
  return cpu(env)->regs[31];
}
uint64_t h4(CpuBase*, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t) {
  return ((a << 7) | (a >> 57)) + b * 3 - (c ^ d);
}
uint64_t h5(CpuBase* env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  cpu(env)->regs[30] ^= e;
  return a + 2 * b + 3 * c + 5 * d + 7 * e + cpu(env)->regs[5];
}
}  // namespace

const TestHelpers& test_helpers() {
  using namespace tcg::HelperFlag;
  static const TestHelpers h = {
      {tcg::register_helper("test_h0", h0, kReadsState), tcg::register_helper("test_h1", h1, kPure),
       tcg::register_helper("test_h2", h2, kPure), tcg::register_helper("test_h3", h3, kReadsState | kWritesState),
       tcg::register_helper("test_h4", h4, kPure), tcg::register_helper("test_h5", h5, kReadsState | kWritesState)},
      {false, true, true, false, true, false}};
  return h;
}

}  // namespace mimic::difftest
