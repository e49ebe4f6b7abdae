// Load/store tests: every addressing mode (unsigned offset, unscaled, pre/post-index with
// writeback, unprivileged, register offset with extend/shift, literal, pairs incl. non-temporal
// and LDPSW), sign-extending loads of every width, PRFM, and SIMD&FP B/H/S/D/Q loads and stores.
// Expected values follow from the Arm ARM and the fill pattern below, not from the implementation.
#include <gtest/gtest.h>

#include <vector>

#include "harness.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;
constexpr uint64_t kLo = kData - 0x1000, kHi = kData + 0x1000;  // the filled window

uint8_t byte_at(uint64_t a) { return uint8_t(0x80 + a * 13); }
uint64_t le(uint64_t a, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(byte_at(a + i)) << (8 * i);
  return v;
}
uint64_t sx(uint64_t v, unsigned bits) { return uint64_t(int64_t(v << (64 - bits)) >> (64 - bits)); }

struct Store {
  uint64_t addr, value;
  unsigned bytes;
};
// Memory in the window equals the fill pattern except for `stores`.
void expect_memory(const Machine& m, std::vector<Store> stores) {
  std::vector<uint8_t> want(kHi - kLo);
  for (uint64_t a = kLo; a < kHi; ++a) want[a - kLo] = byte_at(a);
  for (const Store& s : stores)
    for (unsigned i = 0; i < s.bytes; ++i) want[s.addr + i - kLo] = uint8_t(s.value >> (8 * (i % 8)));
  for (uint64_t a = kLo; a < kHi; ++a) EXPECT_EQ(m.mem[a], want[a - kLo]) << "byte at 0x" << std::hex << a;
}

// Runs `insn; svc #0` with the window filled, x1 = sp = kData, and the given extra setup.
void run1(uint32_t insn, const std::function<void(Machine&)>& setup, const std::function<void(Machine&)>& check) {
  uint32_t reason = run_all(
      [&](Machine& m) {
        for (uint64_t a = kLo; a < kHi; ++a) m.mem[a] = byte_at(a);
        m.code({insn, kSvc0});
        m.cpu->x[1] = kData;
        m.cpu->sp = kData;
        m.cpu->x[0] = 0x1122334455667788;
        m.cpu->x[2] = 0x99aabbccddeeff00;
        m.cpu->v[0] = {0x0102030405060708, 0x090a0b0c0d0e0f10};
        m.cpu->v[1] = {0xa1a2a3a4a5a6a7a8, 0xb1b2b3b4b5b6b7b8};
        setup(m);
      },
      check);
  EXPECT_EQ(reason, kExitSvc);
}
auto none = [](Machine&) {};
auto set_x1 = [](uint64_t v) { return [v](Machine& m) { m.cpu->x[1] = v; }; };
auto set_x2 = [](uint64_t v) { return [v](Machine& m) { m.cpu->x[2] = v; }; };

struct LoadCase {
  uint32_t insn;
  const char* text;
  uint64_t x2;      // index register
  uint64_t x0, x1;  // expected
};

TEST(A64Ldst, IntegerLoads) {
  const uint64_t D = kData;
  // clang-format off
  const LoadCase cases[] = {
    {0xf9400020, "ldr x0, [x1]", 0, le(D, 8), D},
    {0xb9400420, "ldr w0, [x1, #4]", 0, le(D + 4, 4), D},           // W load zeroes bits 63:32
    {0x397ffc20, "ldrb w0, [x1, #4095]", 0, byte_at(D + 4095), D},  // imm12 scaled by 1
    {0x79400420, "ldrh w0, [x1, #2]", 0, le(D + 2, 2), D},
    {0x39800020, "ldrsb x0, [x1]", 0, sx(byte_at(D), 8), D},
    {0x39c00020, "ldrsb w0, [x1]", 0, uint32_t(sx(byte_at(D), 8)), D},
    {0x79800020, "ldrsh x0, [x1]", 0, sx(le(D, 2), 16), D},
    {0x79c00020, "ldrsh w0, [x1]", 0, uint32_t(sx(le(D, 2), 16)), D},
    {0xb9800420, "ldrsw x0, [x1, #4]", 0, sx(le(D + 4, 4), 32), D},
    {0xf85f8020, "ldur x0, [x1, #-8]", 0, le(D - 8, 8), D},
    {0x38dff020, "ldursb w0, [x1, #-1]", 0, uint32_t(sx(byte_at(D - 1), 8)), D},
    {0xf8410c20, "ldr x0, [x1, #16]!", 0, le(D + 16, 8), D + 16},   // pre-index: access at the new base
    {0xf85f0420, "ldr x0, [x1], #-16", 0, le(D, 8), D - 16},        // post-index: access at the old base
    {0x78900c20, "ldrsh x0, [x1, #-256]!", 0, sx(le(D - 256, 2), 16), D - 256},
    {0xf8408820, "ldtr x0, [x1, #8]", 0, le(D + 8, 8), D},
    {0xb8800820, "ldtrsw x0, [x1]", 0, sx(le(D, 4), 32), D},
    {0xf8626820, "ldr x0, [x1, x2]", 24, le(D + 24, 8), D},
    {0xf8627820, "ldr x0, [x1, x2, lsl #3]", 3, le(D + 24, 8), D},
    {0xb8625820, "ldr w0, [x1, w2, uxtw #2]", 0xffffffff00000002, le(D + 8, 4), D},  // upper half ignored
    {0x38a2c820, "ldrsb x0, [x1, w2, sxtw]", 0xffffffff, sx(byte_at(D - 1), 8), D},  // w2 = -1
    {0x7862f820, "ldrh w0, [x1, x2, sxtx #1]", uint64_t(-2), le(D - 4, 2), D},
  };
  // clang-format on
  for (const LoadCase& c : cases) {
    SCOPED_TRACE(c.text);
    run1(c.insn, set_x2(c.x2), [&](Machine& m) {
      EXPECT_EQ(m.cpu->x[0], c.x0);
      EXPECT_EQ(m.cpu->x[1], c.x1);
      expect_memory(m, {});
    });
  }
  {
    SCOPED_TRACE("ldr x0, [x1, #32760]");
    run1(0xf97ffc20, set_x1(D - 32760 + 8), [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], le(D + 8, 8)); });
  }
}

struct StoreCase {
  uint32_t insn;
  const char* text;
  uint64_t x2;
  Store st;
  uint64_t x1;
};

TEST(A64Ldst, IntegerStores) {
  const uint64_t D = kData, X0 = 0x1122334455667788;
  // clang-format off
  const StoreCase cases[] = {
    {0x39000420, "strb w0, [x1, #1]", 0, {D + 1, X0, 1}, D},
    {0x79000420, "strh w0, [x1, #2]", 0, {D + 2, X0, 2}, D},
    {0xb9000420, "str w0, [x1, #4]", 0, {D + 4, X0, 4}, D},
    {0xf9000420, "str x0, [x1, #8]", 0, {D + 8, X0, 8}, D},
    {0xb81fd020, "stur w0, [x1, #-3]", 0, {D - 3, X0, 4}, D},       // unaligned is fine for normal stores
    {0xb81fcc20, "str w0, [x1, #-4]!", 0, {D - 4, X0, 4}, D - 4},
    {0x380ff420, "strb w0, [x1], #255", 0, {D, X0, 1}, D + 255},
    {0x381ff820, "sttrb w0, [x1, #-1]", 0, {D - 1, X0, 1}, D},
    {0xf822d820, "str x0, [x1, w2, sxtw #3]", 0xfffffffe, {D - 16, X0, 8}, D},
  };
  // clang-format on
  for (const StoreCase& c : cases) {
    SCOPED_TRACE(c.text);
    run1(c.insn, set_x2(c.x2), [&](Machine& m) {
      EXPECT_EQ(m.cpu->x[1], c.x1);
      expect_memory(m, {c.st});
    });
  }
}

TEST(A64Ldst, Literal) {
  // The literal sits 16 bytes after the load: kCode + 16.
  auto lit = [](Machine& m) { m.write<uint64_t>(kCode + 16, 0x80000001fedcba98); };
  run1(0x58000080, lit, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0x80000001fedcba98u); });  // ldr x0, .+16
  run1(0x18000080, lit, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0xfedcba98u); });          // ldr w0, .+16
  run1(0x98000080, lit, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0xfffffffffedcba98u); });  // ldrsw x0, .+16
  run1(0x9c000080, lit, [](Machine& m) {                                                   // ldr q0, .+16
    EXPECT_EQ(m.cpu->v[0].lo, 0x80000001fedcba98u);
    EXPECT_EQ(m.cpu->v[0].hi, 0u);  // the 8 bytes after the literal are zero
  });
  run1(0x1c000080, lit, [](Machine& m) {  // ldr s0, .+16
    EXPECT_EQ(m.cpu->v[0].lo, 0xfedcba98u);
    EXPECT_EQ(m.cpu->v[0].hi, 0u);
  });
  run1(0x5c000080, lit, [](Machine& m) { EXPECT_EQ(m.cpu->v[0].lo, 0x80000001fedcba98u); });  // ldr d0, .+16
}

TEST(A64Ldst, PrefetchIsNop) {
  for (uint32_t insn : {0xd8000080u /* prfm pldl1keep, .+16 */, 0xf9800020u /* prfm pldl1keep, [x1] */,
                        0xf8a26833u /* prfm pstl2strm, [x1, x2] */, 0xf89ff020u /* prfum pldl1keep, [x1, #-1] */}) {
    run1(insn, none, [](Machine& m) {
      EXPECT_EQ(m.cpu->x[0], 0x1122334455667788u);
      EXPECT_EQ(m.cpu->x[1], kData);
      expect_memory(m, {});
    });
  }
}

TEST(A64Ldst, Pairs) {
  const uint64_t D = kData, X0 = 0x1122334455667788, X2 = 0x99aabbccddeeff00;
  run1(0xa9400820, none, [&](Machine& m) {  // ldp x0, x2, [x1]
    EXPECT_EQ(m.cpu->x[0], le(D, 8));
    EXPECT_EQ(m.cpu->x[2], le(D + 8, 8));
  });
  run1(0x297f0820, none, [&](Machine& m) {  // ldp w0, w2, [x1, #-8]
    EXPECT_EQ(m.cpu->x[0], le(D - 8, 4));
    EXPECT_EQ(m.cpu->x[2], le(D - 4, 4));
  });
  run1(0xa9c10820, none, [&](Machine& m) {  // ldp x0, x2, [x1, #16]!
    EXPECT_EQ(m.cpu->x[0], le(D + 16, 8));
    EXPECT_EQ(m.cpu->x[2], le(D + 24, 8));
    EXPECT_EQ(m.cpu->x[1], D + 16);
  });
  run1(0xa8ff0820, none, [&](Machine& m) {  // ldp x0, x2, [x1], #-16
    EXPECT_EQ(m.cpu->x[0], le(D, 8));
    EXPECT_EQ(m.cpu->x[2], le(D + 8, 8));
    EXPECT_EQ(m.cpu->x[1], D - 16);
  });
  run1(0xa9bf0820, none, [&](Machine& m) {  // stp x0, x2, [x1, #-16]!
    expect_memory(m, {{D - 16, X0, 8}, {D - 8, X2, 8}});
    EXPECT_EQ(m.cpu->x[1], D - 16);
  });
  run1(0x28810820, none, [&](Machine& m) {  // stp w0, w2, [x1], #8
    expect_memory(m, {{D, X0, 4}, {D + 4, X2, 4}});
    EXPECT_EQ(m.cpu->x[1], D + 8);
  });
  run1(0x69408820, none, [&](Machine& m) {  // ldpsw x0, x2, [x1, #4]
    EXPECT_EQ(m.cpu->x[0], sx(le(D + 4, 4), 32));
    EXPECT_EQ(m.cpu->x[2], sx(le(D + 8, 4), 32));
  });
  run1(0xa8410820, none, [&](Machine& m) {  // ldnp x0, x2, [x1, #16]
    EXPECT_EQ(m.cpu->x[0], le(D + 16, 8));
    EXPECT_EQ(m.cpu->x[2], le(D + 24, 8));
    EXPECT_EQ(m.cpu->x[1], D);
  });
  run1(0x283f0820, none, [&](Machine& m) {
    expect_memory(m, {{D - 8, X0, 4}, {D - 4, X2, 4}});
  });                                       // stnp w0, w2, [x1, #-8]
  run1(0xa8c107e0, none, [&](Machine& m) {  // ldp x0, x1, [sp], #16
    EXPECT_EQ(m.cpu->x[0], le(D, 8));
    EXPECT_EQ(m.cpu->x[1], le(D + 8, 8));
    EXPECT_EQ(m.cpu->sp, D + 16);
  });
  run1(
      0xa9be7bfd,  // stp x29, x30, [sp, #-32]!
      [](Machine& m) {
        m.cpu->x[29] = 0x2929292929292929;
        m.cpu->x[30] = 0x3030303030303030;
      },
      [&](Machine& m) {
        expect_memory(m, {{D - 32, 0x2929292929292929, 8}, {D - 24, 0x3030303030303030, 8}});
        EXPECT_EQ(m.cpu->sp, D - 32);
      });
  run1(0xf94007e0, none, [&](Machine& m) { EXPECT_EQ(m.cpu->x[0], le(D + 8, 8)); });  // ldr x0, [sp, #8]
}

TEST(A64Ldst, SimdFpRegisters) {
  const uint64_t D = kData, V0L = 0x0102030405060708, V0H = 0x090a0b0c0d0e0f10;
  auto expect_v = [](Machine& m, unsigned r, uint64_t lo, uint64_t hi) {
    EXPECT_EQ(m.cpu->v[r].lo, lo) << "v" << r << ".lo";
    EXPECT_EQ(m.cpu->v[r].hi, hi) << "v" << r << ".hi";
  };
  // Scalar loads zero the rest of the 128-bit register.
  run1(0x3d400420, none, [&](Machine& m) { expect_v(m, 0, byte_at(D + 1), 0); });             // ldr b0, [x1, #1]
  run1(0x7d400420, none, [&](Machine& m) { expect_v(m, 0, le(D + 2, 2), 0); });               // ldr h0, [x1, #2]
  run1(0xbd400420, none, [&](Machine& m) { expect_v(m, 0, le(D + 4, 4), 0); });               // ldr s0, [x1, #4]
  run1(0xfd400420, none, [&](Machine& m) { expect_v(m, 0, le(D + 8, 8), 0); });               // ldr d0, [x1, #8]
  run1(0x3dc00420, none, [&](Machine& m) { expect_v(m, 0, le(D + 16, 8), le(D + 24, 8)); });  // ldr q0, [x1, #16]
  run1(0x3d000420, none, [&](Machine& m) { expect_memory(m, {{D + 1, V0L, 1}}); });           // str b0, [x1, #1]
  run1(0x7d000420, none, [&](Machine& m) { expect_memory(m, {{D + 2, V0L, 2}}); });           // str h0, [x1, #2]
  run1(0xbd000020, none, [&](Machine& m) { expect_memory(m, {{D, V0L, 4}}); });               // str s0, [x1]
  run1(0xfd000420, none, [&](Machine& m) { expect_memory(m, {{D + 8, V0L, 8}}); });           // str d0, [x1, #8]
  run1(0x3d800420, none, [&](Machine& m) { expect_memory(m, {{D + 16, V0L, 8}, {D + 24, V0H, 8}}); });  // str q0
  run1(0x3cdff020, none, [&](Machine& m) { expect_v(m, 0, le(D - 1, 8), le(D + 7, 8)); });  // ldur q0, [x1, #-1]
  run1(0x3c9f0c20, none, [&](Machine& m) {                                                  // str q0, [x1, #-16]!
    expect_memory(m, {{D - 16, V0L, 8}, {D - 8, V0H, 8}});
    EXPECT_EQ(m.cpu->x[1], D - 16);
  });
  run1(0xfc408420, none, [&](Machine& m) {  // ldr d0, [x1], #8
    expect_v(m, 0, le(D, 8), 0);
    EXPECT_EQ(m.cpu->x[1], D + 8);
  });
  run1(0x3ce27820, set_x2(2),
       [&](Machine& m) { expect_v(m, 0, le(D + 32, 8), le(D + 40, 8)); });                 // ldr q0, [x1, x2, lsl #4]
  run1(0xbc225820, set_x2(3), [&](Machine& m) { expect_memory(m, {{D + 12, V0L, 4}}); });  // str s0, [x1, w2, uxtw #2]
  run1(0xad400420, none, [&](Machine& m) {                                                 // ldp q0, q1, [x1]
    expect_v(m, 0, le(D, 8), le(D + 8, 8));
    expect_v(m, 1, le(D + 16, 8), le(D + 24, 8));
  });
  run1(0xad810420, none, [&](Machine& m) {  // stp q0, q1, [x1, #32]!
    expect_memory(
        m, {{D + 32, V0L, 8}, {D + 40, V0H, 8}, {D + 48, 0xa1a2a3a4a5a6a7a8, 8}, {D + 56, 0xb1b2b3b4b5b6b7b8, 8}});
    EXPECT_EQ(m.cpu->x[1], D + 32);
  });
  run1(0x2d7f0420, none, [&](Machine& m) {  // ldp s0, s1, [x1, #-8]
    expect_v(m, 0, le(D - 8, 4), 0);
    expect_v(m, 1, le(D - 4, 4), 0);
  });
  run1(0x6c810420, none, [&](Machine& m) {  // stp d0, d1, [x1], #16
    expect_memory(m, {{D, V0L, 8}, {D + 8, 0xa1a2a3a4a5a6a7a8, 8}});
    EXPECT_EQ(m.cpu->x[1], D + 16);
  });
  run1(0x6c400420, none, [&](Machine& m) {  // ldnp d0, d1, [x1]
    expect_v(m, 0, le(D, 8), 0);
    expect_v(m, 1, le(D + 8, 8), 0);
  });
  run1(0xac000420, none, [&](Machine& m) {  // stnp q0, q1, [x1]
    expect_memory(m, {{D, V0L, 8}, {D + 8, V0H, 8}, {D + 16, 0xa1a2a3a4a5a6a7a8, 8}, {D + 24, 0xb1b2b3b4b5b6b7b8, 8}});
  });
}

// Scalar and 128-bit views of the same V register in one block: a scalar load zeroes the upper
// half, and a following Q store must see exactly that (state forwarding across access widths).
TEST(A64Ldst, MixedWidthVectorAccessesInOneBlock) {
  const uint64_t D = kData;
  run_all(
      [](Machine& m) {
        for (uint64_t a = kLo; a < kHi; ++a) m.mem[a] = byte_at(a);
        // ldr d0, [x1]; str q0, [x1, #16]; ldr q0, [x1, #32]; str d0, [x1, #64]; ldr s0, [x1, #8];
        // str q0, [x1, #80]; ldr q1, [x1]; ldr b1, [x1, #3]; str q1, [x1, #96]; svc
        m.code({0xfd400020, 0x3d800420, 0x3dc00820, 0xfd002020, 0xbd400820, 0x3d801420, 0x3dc00021, 0x3d400c21,
                0x3d801821, kSvc0});
        m.cpu->x[1] = kData;
        m.cpu->v[0] = {~0ull, ~0ull};
        m.cpu->v[1] = {~0ull, ~0ull};
      },
      [&](Machine& m) {
        expect_memory(m, {{D + 16, le(D, 8), 8},
                          {D + 24, 0, 8},
                          {D + 64, le(D + 32, 8), 8},
                          {D + 80, le(D + 8, 4), 8},
                          {D + 88, 0, 8},
                          {D + 96, byte_at(D + 3), 8},
                          {D + 104, 0, 8}});
      });
}

}  // namespace
}  // namespace mimic::arm::test
