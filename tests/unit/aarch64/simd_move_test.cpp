// Tests for the simd_move area of the AArch64 translator (see target/arm/trans_simd_move.h):
// structure loads/stores, copies, modified immediates, bitwise ops, TBL/TBX, permutes, EXT,
// REV/CNT/NOT/RBIT. simd_move_cases.inc holds ~1300 cases whose results were measured on
// qemu-aarch64 by gen_simd_move_cases.py; reserved encodings and SP-based addressing are by hand.
#include <gtest/gtest.h>

#include "tests/unit/aarch64/harness.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;

// The case machine state as gen_simd_move_cases.py numbers it: x0..x7, the halves of v0..v31,
// then the 256-byte memory window at kMemBase (x0 = kMemBase + 64).
constexpr uint64_t kMemBase = kData;
constexpr unsigned kNumState = 8 + 64 + 32;

struct Word {
  unsigned code;
  uint64_t value;
};
struct SimdCase {
  uint32_t words[6];
  unsigned count;
  const char* text;
  unsigned num_over;
  Word over[6];
  unsigned num_changes;
  Word changes[40];
};

const SimdCase kCases[] = {
#include "tests/unit/aarch64/simd_move_cases.inc"
};

// The generator's input patterns.
uint8_t vbyte(unsigned r, unsigned j) { return uint8_t((r * 16 + j) * 0x9d + (r >> 4) * 0x3c + 0x5b); }
uint8_t membyte(unsigned i) { return uint8_t(i * 0x3b + 0x11); }
constexpr uint64_t kXIn[8] = {kMemBase + 64, 0x20, 0xfffffffffffffff0, 0x8877665544332211, 0xfedcba9876543210,
                              0x7f,          0x80, 0xffff8001};

std::array<uint64_t, kNumState> initial_state() {
  std::array<uint64_t, kNumState> st{};
  for (unsigned k = 0; k < 8; ++k) st[k] = kXIn[k];
  for (unsigned r = 0; r < 32; ++r)
    for (unsigned j = 0; j < 16; ++j) st[8 + 2 * r + j / 8] |= uint64_t(vbyte(r, j)) << (8 * (j % 8));
  for (unsigned i = 0; i < 256; ++i) st[72 + i / 8] |= uint64_t(membyte(i)) << (8 * (i % 8));
  return st;
}

void load_state(Machine& m, const std::array<uint64_t, kNumState>& st) {
  for (unsigned k = 0; k < 8; ++k) m.cpu->x[k] = st[k];
  for (unsigned r = 0; r < 32; ++r) m.cpu->v[r] = {st[8 + 2 * r], st[9 + 2 * r]};
  for (unsigned k = 0; k < 32; ++k) m.write<uint64_t>(kMemBase + 8 * k, st[72 + k]);
}
std::array<uint64_t, kNumState> save_state(const Machine& m) {
  std::array<uint64_t, kNumState> st{};
  for (unsigned k = 0; k < 8; ++k) st[k] = m.cpu->x[k];
  for (unsigned r = 0; r < 32; ++r) st[8 + 2 * r] = m.cpu->v[r].lo, st[9 + 2 * r] = m.cpu->v[r].hi;
  for (unsigned k = 0; k < 32; ++k) st[72 + k] = m.read<uint64_t>(kMemBase + 8 * k);
  return st;
}
std::string state_name(unsigned code) {
  if (code < 8) return "x" + std::to_string(code);
  if (code < 72) return "v" + std::to_string((code - 8) / 2) + ((code & 1) ? ".hi" : ".lo");
  return "mem[" + std::to_string(8 * (code - 72)) + "]";
}

TEST(A64SimdMove, QemuMeasuredCases) {
  ASSERT_GT(std::size(kCases), 1000u);
  for (const SimdCase& c : kCases) {
    SCOPED_TRACE(c.text);
    auto in = initial_state();
    for (unsigned k = 0; k < c.num_over; ++k) in[c.over[k].code] = c.over[k].value;
    auto want = in;
    for (unsigned k = 0; k < c.num_changes; ++k) want[c.changes[k].code] = c.changes[k].value;
    uint32_t reason = run_all(
        [&](Machine& m) {
          for (unsigned i = 0; i < c.count; ++i) m.code({c.words[i]}, kCode + 4 * i);
          m.code({kSvc0}, kCode + 4 * c.count);
          load_state(m, in);
        },
        [&](Machine& m) {
          const auto got = save_state(m);
          for (unsigned k = 0; k < kNumState; ++k)
            EXPECT_EQ(got[k], want[k]) << state_name(k) << std::hex << " got 0x" << got[k] << " want 0x" << want[k];
          EXPECT_EQ(m.cpu->pc, kCode + 4 * c.count);
        });
    EXPECT_EQ(reason, kExitSvc);
    if (HasFailure()) break;  // one detailed failure is enough
  }
}

// Reserved and unallocated field values exit as illegal at the instruction, with nothing changed.
TEST(A64SimdMove, ReservedEncodingsAreIllegal) {
  // clang-format off
  const uint32_t words[] = {
    0x4c408c00 & ~(1u << 30),                 // ld2 {v0.1d, v1.1d}: 1D with more than one element per structure
    (0x4c407000 & ~0xf000u) | 0x1000,         // multiple structures, opcode 0001
    (0x4c407000 & ~0xf000u) | 0xc000,         // multiple structures, opcode 1100
    0x0d408400 | (1u << 12),                  // ld1 {v0.d}[..] with S = 1
    0x0d404000 | (1u << 10),                  // ld1 {v0.h}[..] with size<0> = 1
    0x0d408000 | (1u << 11),                  // ld1 {v0.s}[..] with size = 10
    0x4d40c000 & ~(1u << 22),                 // "st1r": replicate store
    0x4d40c000 | (1u << 12),                  // ld1r with S = 1
    0x4e080420 & ~(1u << 30),                 // dup v0.1d, v1.d[0]
    0x4e080c20 & ~(1u << 30),                 // dup v0.1d, x1
    0x4e041c20 & ~(1u << 30),                 // ins (general) with Q = 0
    0x6e040420 & ~(1u << 30),                 // ins (element) with Q = 0
    (0x4e010420 & ~(0x1fu << 16)) | (0x10u << 16),  // dup with imm5 = 10000
    0x4e042c41 & ~(1u << 30),                 // smov w1, v2.s[0]
    (0x4e022c41 & ~(0x1fu << 16)) | (0x08u << 16),  // smov x1, v2.d[0]
    0x4e083c41 & ~(1u << 30),                 // umov w1, v2.d[0]
    0x0e043c41 | (1u << 30),                  // umov x1, v2.s[0]
    0x6f03f601 & ~(1u << 30),                 // fmov v1.1d, #1.0
    0x4f03f601 | (1u << 11),                  // fmov v1.8h, #1.0 (FP16, not implemented)
    0x6f00e401 | (1u << 11),                  // modified immediate with o2 = 1, op = 1
    0x4ec33841 & ~(1u << 30),                 // zip1 v1.1d
    0x4ec33841 & ~(7u << 12),                 // permute opcode 000
    0x2e030041 | (8u << 11),                  // ext v1.8b, ..., #8
    0x4ea00841 | (3u << 22),                  // rev64 with size 11
    0x0e201841 | (1u << 22),                  // rev16 v1.4h
    0x6e600841 | (1u << 23),                  // rev32 v1.4s
    0x0e205841 | (1u << 22),                  // cnt v1.4h
    0x2e605841 | (1u << 23),                  // rbit/not with size 10
  };
  // clang-format on
  for (uint32_t w : words) {
    SCOPED_TRACE(::testing::Message() << std::hex << w);
    auto in = initial_state();
    uint32_t reason = run_all(
        [&](Machine& m) {
          m.code({w, kSvc0});
          load_state(m, in);
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->pc, kCode);
          EXPECT_TRUE(save_state(m) == in);
        });
    EXPECT_EQ(reason, kExitIllegal);
  }
}

// SP as the base register, with immediate and register post-index.
TEST(A64SimdMove, StackPointerBase) {
  auto in = initial_state();
  run_all(
      [&](Machine& m) {
        m.code({0x4cdf73e0, 0x4c817fe1, kSvc0});  // ld1 {v0.16b}, [sp], #16; st1 {v1.2d}, [sp], x1
        load_state(m, in);
        m.cpu->sp = kMemBase + 16;
      },
      [&](Machine& m) {
        EXPECT_EQ(m.cpu->v[0].lo, in[72 + 2]);
        EXPECT_EQ(m.cpu->v[0].hi, in[72 + 3]);
        EXPECT_EQ(m.cpu->sp, kMemBase + 32 + 0x20);
        EXPECT_EQ(m.read<uint64_t>(kMemBase + 32), in[8 + 2]);
        EXPECT_EQ(m.read<uint64_t>(kMemBase + 40), in[8 + 3]);
      });
}

// Loops across blocks (chained, JIT register allocation of v128 values over several instructions):
// a 512-byte LD1/ST1 copy, then four LD3/REV64/ST3 rounds on 16-bit structures.
TEST(A64SimdMove, CopyAndStructureLoops) {
  constexpr uint64_t kSrc = kData, kDst = kData + 0x1000;
  auto src = [](uint64_t i) { return uint8_t(i * 7 + (i >> 8) * 3 + 1); };
  run_all(
      [&](Machine& m) {
        m.code({0x4cdf2020, 0x4c9f2000, 0xf1010042, 0x54ffffa1,  // ld1 {v0-v3.16b}, [x1], #64; st1 ..., [x0], #64
                0x4cdf4424, 0x4e600884, 0x4c9f4404, 0xf1000463,  // ld3 {v4-v6.8h}, [x1], #48; rev64 v4.8h; st3
                0x54ffff81, kSvc0});
        for (uint64_t i = 0; i < 1024; ++i) m.mem[kSrc + i] = src(i);
        m.cpu->x[0] = kDst, m.cpu->x[1] = kSrc, m.cpu->x[2] = 512, m.cpu->x[3] = 4;
      },
      [&](Machine& m) {
        EXPECT_EQ(m.cpu->x[0], kDst + 512 + 4 * 48);
        EXPECT_EQ(m.cpu->x[1], kSrc + 512 + 4 * 48);
        for (uint64_t i = 0; i < 512; ++i) ASSERT_EQ(m.mem[kDst + i], src(i)) << i;
        for (uint64_t b = 0; b < 4; ++b)
          for (uint64_t j = 0; j < 8; ++j)  // structure j: halfwords 3j, 3j+1, 3j+2
            for (uint64_t e = 0; e < 3; ++e)
              for (uint64_t k = 0; k < 2; ++k) {
                const uint64_t from = 512 + 48 * b + 6 * (e == 0 ? j ^ 3 : j) + 2 * e + k;
                ASSERT_EQ(m.mem[kDst + 512 + 48 * b + 6 * j + 2 * e + k], src(from)) << b << " " << j << " " << e;
              }
      });
}

}  // namespace
}  // namespace mimic::arm::test
