// Robustness: random 32-bit instruction words translate to IR the verifier accepts and, run one
// at a time through every engine, either execute or exit with a defined reason (illegal at the
// instruction's own pc); none crashes the host. Plus differential runs of random valid sequences
// (data processing, branches, memory) that every engine must finish in the same state.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "harness.h"
#include "target/arm/decode.h"
#include "tcg/ir/verifier.h"

namespace mimic::arm::test {
namespace {

// Guest memory large enough that every addressing mode from a base of kBase stays inside it,
// including literal loads (+-1 MiB of the pc) and register offsets (kBase << 4).
constexpr uint64_t kRobustMem = 4 << 20;
constexpr uint64_t kRobustCode = 2 << 20;
constexpr uint64_t kBase = 0x1000;

bool allowed(uint32_t reason) {
  switch (reason) {
    case tcg::kExitChain:
    case tcg::kExitLookup:
    case tcg::kExitUnaligned:
    case kExitSvc:
    case kExitBrk:
    case kExitUdf:
    case kExitIllegal:
    case kExitIcInvalidate:
    case kExitPcAlignment: return true;
    default: return false;
  }
}

void run_random(Engine e, unsigned count) {
  std::mt19937_64 rng(64);
  Machine m(kRobustMem);
  tcg::RangeCodeFetcher fetch(kRobustCode, kRobustCode + 4);
  A64Translator tr(&fetch);
  tcg::Block b;
  std::vector<tcg::JumpCacheEntry> jc(tcg::kJumpCacheSize, {tcg::kJumpCacheEmpty, 0});
  unsigned illegal = 0, verify_failures = 0;
  for (unsigned i = 0; i < count; ++i) {
    const uint32_t w = uint32_t(rng());
    m.write<uint32_t>(kRobustCode, w);
    for (int r = 0; r < 31; ++r) m.cpu->x[r] = kBase;
    m.cpu->sp = kBase;
    m.cpu->pc = kRobustCode;
    m.cpu->jump_cache = jc.data();
    m.cpu->excl_addr = (i & 1) ? kBase : ~0ull;
    b.clear();
    b.guest_pc = kRobustCode;
    tr.translate(b, *m.cpu, 1);
    if (!tcg::verify(b).empty()) {
      ++verify_failures;
      ADD_FAILURE() << "verifier rejects the IR of " << std::hex << w << ": " << tcg::verify(b).front();
      continue;
    }
    // A rejected encoding emits nothing but its illegal-instruction exit (visitors validate first).
    const tcg::Inst& last = b.insts().back();
    if (last.op == tcg::Opcode::ExitLoop && last.args[0].imm == kExitIllegal) {
      ASSERT_EQ(b.size(), 2u) << std::hex << w;
    }
    ASSERT_TRUE(run_block(e, b, m.cpu.get())) << std::hex << w;
    const uint32_t r = m.cpu->exit_reason;
    ASSERT_TRUE(allowed(r)) << std::hex << w << " exit " << std::dec << r;
    if (r == kExitIllegal) {
      ++illegal;
      ASSERT_EQ(m.cpu->pc, kRobustCode) << std::hex << w;
    }
  }
  EXPECT_EQ(verify_failures, 0u);
  EXPECT_GT(illegal, 0u);
  EXPECT_LT(illegal, count);
}

TEST(A64Robust, RandomWords) {
  for (Engine e : engines()) {
    SCOPED_TRACE(engine_name(e));
    run_random(e, 100000);
  }
}

// Differential: random sequences of 8 valid data-processing and branch instructions (flags,
// conditions and the compare+branch fusion across instructions) must leave identical state in the
// plain interpreter, the optimized interpreter and the JIT.
TEST(A64Robust, RandomDataProcessingSequencesAgree) {
  static const std::set<std::string> kAllowed = {"adr",
                                                 "adrp",
                                                 "add/sub (imm)",
                                                 "logical (imm)",
                                                 "movn",
                                                 "movz",
                                                 "movk",
                                                 "sbfm",
                                                 "bfm",
                                                 "ubfm",
                                                 "extr",
                                                 "logical (reg)",
                                                 "add/sub (reg)",
                                                 "add/sub (ext)",
                                                 "adc/sbc",
                                                 "ccmn/ccmp (reg)",
                                                 "ccmn/ccmp (imm)",
                                                 "csel",
                                                 "udiv",
                                                 "sdiv",
                                                 "lslv/lsrv/asrv/rorv",
                                                 "crc32",
                                                 "rbit",
                                                 "rev16",
                                                 "rev/rev32",
                                                 "rev",
                                                 "clz",
                                                 "cls",
                                                 "madd/msub",
                                                 "smaddl/umaddl",
                                                 "smulh/umulh",
                                                 "b.cond",
                                                 "cbz/cbnz",
                                                 "tbz/tbnz"};
  std::mt19937_64 rng(8);
  for (unsigned iter = 0; iter < 3000; ++iter) {
    std::vector<uint32_t> seq;
    while (seq.size() < 8) {
      uint32_t w = uint32_t(rng());
      const Pattern* p = decode(w);
      if (p && kAllowed.count(p->name)) seq.push_back(w);
    }
    uint64_t seed = rng();
    SCOPED_TRACE(::testing::Message() << "iteration " << iter);
    run_all(
        [&](Machine& m) {
          for (size_t i = 0; i < seq.size(); ++i) m.code({seq[i]}, kCode + 4 * i);
          m.code({0xd4000001}, kCode + 32);
          std::mt19937_64 r(seed);
          for (int k = 0; k < 31; ++k) m.cpu->x[k] = (k & 1) ? r() : r() & 0xff;
          m.cpu->sp = r();
          m.set_flags(unsigned(r() & 15));
        },
        [](Machine&) {}, 8);
    if (HasFailure()) break;
  }
}

// Differential with memory: random sequences mixing data processing with loads, stores, pairs,
// exclusives and LSE atomics whose base is x28 or SP (kept inside guest memory: no other
// instruction writes them), compared across engines including guest memory.
TEST(A64Robust, RandomMemorySequencesAgree) {
  static const std::set<std::string> kAlu = {"add/sub (imm)",
                                             "logical (imm)",
                                             "movn",
                                             "movz",
                                             "movk",
                                             "sbfm",
                                             "bfm",
                                             "ubfm",
                                             "extr",
                                             "logical (reg)",
                                             "add/sub (reg)",
                                             "add/sub (ext)",
                                             "adc/sbc",
                                             "ccmn/ccmp (reg)",
                                             "ccmn/ccmp (imm)",
                                             "csel",
                                             "udiv",
                                             "sdiv",
                                             "lslv/lsrv/asrv/rorv",
                                             "rbit",
                                             "rev16",
                                             "rev/rev32",
                                             "rev",
                                             "clz",
                                             "cls",
                                             "madd/msub",
                                             "smaddl/umaddl",
                                             "smulh/umulh",
                                             "b.cond",
                                             "cbz/cbnz",
                                             "tbz/tbnz"};
  static const std::set<std::string> kMem = {"ldr/str (uimm)", "ldr/str (imm9)", "ldp/stp", "exclusive/ordered",
                                             "lse atomic"};
  constexpr uint64_t kMem256 = 0x40000, kBaseAddr = 0x20000;
  std::mt19937_64 rng(28);
  unsigned mem_ops = 0;
  for (unsigned iter = 0; iter < 3000; ++iter) {
    std::vector<uint32_t> seq;
    while (seq.size() < 8) {
      uint32_t w = uint32_t(rng());
      const Pattern* p = decode(w);
      if (!p) continue;
      if (kMem.count(p->name)) w = (w & ~(31u << 5)) | ((w & (1u << 5)) ? 28u << 5 : 31u << 5);  // the base
      const unsigned rd = w & 31, rn = (w >> 5) & 31, rt2 = (w >> 10) & 31, rs = (w >> 16) & 31;
      if (kAlu.count(p->name)) {
        if (rd == 28 || rd == 31) continue;  // keep the bases intact
      } else if (kMem.count(p->name)) {
        if ((rn != 28 && rn != 31) || rd == 28 || rt2 == 28 || rs == 28) continue;
        ++mem_ops;
      } else {
        continue;
      }
      seq.push_back(w);
    }
    uint64_t seed = rng();
    SCOPED_TRACE(::testing::Message() << "iteration " << iter);
    run_all(
        [&](Machine& m) {
          for (size_t i = 0; i < seq.size(); ++i) m.code({seq[i]}, kCode + 4 * i);
          m.code({0xd4000001}, kCode + 32);
          std::mt19937_64 r(seed);
          for (int k = 0; k < 31; ++k) m.cpu->x[k] = (k & 1) ? r() : r() & 0xff;
          m.cpu->x[28] = kBaseAddr + (r() & 0xff0);
          m.cpu->sp = kBaseAddr + 0x1000 + (r() & 0xff0);
          m.set_flags(unsigned(r() & 15));
          for (uint64_t a = kBaseAddr - 0x2000; a < kBaseAddr + 0x12000; a += 8) m.write<uint64_t>(a, r());
          if (r() & 1) m.cpu->excl_addr = m.cpu->x[28];
        },
        [](Machine&) {}, 8, kMem256);
    if (HasFailure()) {
      for (uint32_t w : seq) ADD_FAILURE() << std::hex << w;
      break;
    }
  }
  EXPECT_GT(mem_ops, 6000u);
}

}  // namespace
}  // namespace mimic::arm::test
