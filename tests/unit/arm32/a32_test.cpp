// Per-instruction tests of the AArch32 translator (A32 and T32): every case of a32_cases.inc runs
// one instruction through each engine (IR interpreter, optimized IR, JIT) with the inputs
// runner.c gives it, and must change exactly what qemu-arm's run of the same instruction changed
// (gen_a32_cases.py recorded it in runner.c's output format, which this test prints too).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "target/arm/cpu_a32.h"
#include "target/arm/translate_a32.h"
#include "tcg/backend.h"
#include "tcg/exec/guest_memory.h"
#include "tcg/ir/verifier.h"
#include "tests/unit/common/jit_runner.h"
#ifdef MIMIC_TEST_OPT
#include "tcg/opt/passes.h"
#endif

namespace mimic::arm::test {
namespace {

using tcg::test::Engine;

struct Case {
  char mode;  // 'A' or 'T'
  uint32_t insn;
  unsigned set;
  uint32_t fpscr, apsr;
  const char* out;
};
const Case kCases[] = {
#include "a32_cases.inc"
};

// runner.c's fixed code and data pages; guest memory is the 64 KiB from kBase.
constexpr uint64_t kBase = 0xf00000, kCode = 0xf01000, kData = 0xf08000, kMemSize = 0x10000;
constexpr uint32_t kDataR0 = kData + 64;  // r0: the middle of the data buffer, as runner.c

// runner.c's input sets (fill_set): splitmix64 values, special values in D0-D7 of even sets.
void fill_set(uint64_t* d, unsigned k) {
  static const uint64_t kSpecial[] = {
      0x0000000000000000ull, 0xffffffffffffffffull, 0x7fffffff80000000ull, 0x3f800000bf800000ull,
      0x7f8000007fc00000ull, 0x0000000180000001ull, 0x8000000000000001ull, 0x7f7f80807fff8000ull,
      0x0000000100000000ull, 0x4049000000400000ull, 0x00ff00ff00ff00ffull, 0x0102030405060708ull,
      0x41200000c1200000ull, 0xff8000007f800001ull, 0x1f1f1f1f01010101ull, 0x8080808080808080ull,
  };
  uint64_t state = 0x1234 + k;
  for (unsigned i = 0; i < 32; ++i) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    d[i] = z ^ (z >> 31);
  }
  if (k % 2 == 0)
    for (unsigned i = 0; i < 8; ++i) d[i] = kSpecial[(i + k) % 16];
}

uint64_t getd(const A32Cpu& c, unsigned r) {
  uint64_t v;
  std::memcpy(&v, reinterpret_cast<const uint8_t*>(&c.v[0]) + 8 * r, 8);
  return v;
}

bool run_block(Engine e, tcg::Block& block, A32Cpu* cpu) {
#ifdef MIMIC_TEST_OPT
  if (e != Engine::Interp) tcg::optimize(block);
#endif
  if (e == Engine::Jit) {
#ifdef MIMIC_TEST_JIT
    const void* code = tcg::test::jit_compile(block);
    if (!code) return false;
    tcg::test::jit_enter(cpu, code);
#endif
  } else {
    tcg::interpret_block(block, cpu);
  }
  return true;
}

// Runs the case and returns what changed, in runner.c's format.
std::string run_case(const Case& c, Engine e, std::vector<std::string>& verify_errors) {
  std::vector<uint8_t> window(kMemSize);
  uint8_t* mem = window.data() - kBase;  // indexed by guest address
  auto cpu = std::make_unique<A32Cpu>();
  cpu->guest_base = mem;
  if (c.mode == 'A') {
    const uint32_t words[2] = {c.insn, 0xef000000};  // svc #0
    std::memcpy(&mem[kCode], words, 8);
  } else {
    uint16_t hw[4] = {uint16_t(c.insn >> 16), uint16_t(c.insn), 0xdf00, 0xdf00};  // svc #0
    if (c.insn <= 0xffff) hw[0] = uint16_t(c.insn), hw[1] = 0xdf00;
    std::memcpy(&mem[kCode], hw, 8);
    cpu->tb_flags |= kTbThumb;
  }
  for (unsigned i = 0; i < 256; ++i) mem[kData + i] = uint8_t(i * 7 + 1);
  uint64_t d_in[32];
  fill_set(d_in, c.set);
  std::memcpy(&cpu->v[0], d_in, sizeof d_in);
  const uint32_t r_in[4] = {kDataR0, 8, 0x80000001u, 0xfffffffeu};
  std::memcpy(cpu->r, r_in, sizeof r_in);
  set_fpscr(*cpu, c.fpscr);
  set_nzcv(*cpu, c.apsr & 0xf0000000);
  cpu->qf = (c.apsr >> 27) & 1;
  cpu->ge = (c.apsr >> 16) & 15;
  cpu->pc = kCode;

  tcg::RangeCodeFetcher fetch(kCode, kCode + 8);
  A32Translator tr(&fetch);
  std::vector<tcg::JumpCacheEntry> jump_cache(tcg::kJumpCacheSize, {tcg::kJumpCacheEmpty, 0});
  cpu->jump_cache = jump_cache.data();
  tcg::Block block;
  uint32_t reason = ~0u;
  for (unsigned i = 0; i < 4; ++i) {
    block.clear();
    block.guest_pc = cpu->pc;
    block.flags = cpu->tb_flags;
    tr.translate(block, *cpu, 64);
    for (auto& err : tcg::verify(block)) verify_errors.push_back(err);
    if (!run_block(e, block, cpu.get())) return "JIT FAILED";
    reason = cpu->exit_reason;
    if (reason != tcg::kExitChain && reason != tcg::kExitLookup) break;
    if (reason == tcg::kExitLookup) cpu->pc &= ~uint64_t(1);  // an interworking address, as the engine's loop
  }
  if (reason == kExitIllegal || reason == kExitUdf) return "ILL";
  if (reason != kExitSvc) return "exit " + std::to_string(reason);
  std::string out;
  char buf[64];
  for (unsigned i = 0; i < 32; ++i)
    if (getd(*cpu, i) != d_in[i]) {
      std::snprintf(buf, sizeof buf, "d%u=%llx ", i, static_cast<unsigned long long>(getd(*cpu, i)));
      out += buf;
    }
  for (unsigned i = 0; i < 4; ++i)
    if (cpu->r[i] != r_in[i]) {
      std::snprintf(buf, sizeof buf, "r%u=%x ", i, i == 0 ? cpu->r[0] - r_in[0] : cpu->r[i]);
      out += buf;
    }
  for (unsigned i = 0; i < 256; ++i)
    if (mem[kData + i] != uint8_t(i * 7 + 1)) {
      std::snprintf(buf, sizeof buf, "m%u=%x ", i, mem[kData + i]);
      out += buf;
    }
  const uint32_t apsr = get_nzcv(*cpu) | (cpu->qf & 1) << 27 | (cpu->ge & 15) << 16;
  std::snprintf(buf, sizeof buf, "fpscr=%x apsr=%x", get_fpscr(*cpu), apsr);
  return out + buf;
}

TEST(A32Insns, QemuMeasuredCases) {
  ASSERT_GT(std::size(kCases), 4000u);
  unsigned failures = 0;
  for (const Case& c : kCases) {
    for (Engine e : tcg::test::engines()) {
      std::vector<std::string> verify_errors;
      const std::string got = run_case(c, e, verify_errors);
      EXPECT_TRUE(verify_errors.empty()) << verify_errors.front();
      if (got != c.out && ++failures <= 40)
        ADD_FAILURE() << c.mode << " " << std::hex << c.insn << " (set " << std::dec << c.set << ", fpscr " << std::hex
                      << c.fpscr << ", apsr " << c.apsr << ") on " << tcg::test::engine_name(e)
                      << "\n  qemu:  " << c.out << "\n  mimic: " << got;
    }
  }
  EXPECT_EQ(failures, 0u);
}

// Every NEON and VFP group has cases that run (not only undefined encodings).
TEST(A32Insns, CoverEveryGroup) {
  unsigned neon_run = 0, neon_ill = 0, ldst_run = 0, vfp_run = 0, thumb_run = 0;
  for (const Case& c : kCases) {
    const bool ill = std::strcmp(c.out, "ILL") == 0;
    const uint32_t top = c.insn >> 24;
    if (c.mode == 'T' && !ill) ++thumb_run;
    if (c.mode == 'A' && (top == 0xf2 || top == 0xf3)) (ill ? neon_ill : neon_run)++;
    if (c.mode == 'A' && top == 0xf4 && !ill) ++ldst_run;
    if (c.mode == 'A' && (top == 0xee || top == 0xfe) && !ill) ++vfp_run;
  }
  EXPECT_GT(neon_run, 1500u);
  EXPECT_GT(neon_ill, 50u);
  EXPECT_GT(ldst_run, 150u);
  EXPECT_GT(vfp_run, 500u);
  EXPECT_GT(thumb_run, 500u);
}

}  // namespace
}  // namespace mimic::arm::test
