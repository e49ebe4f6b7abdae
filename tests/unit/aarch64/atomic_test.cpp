// Exclusives (LDXR/STXR of every size and the pairs), load-acquire/store-release, and the LSE
// atomics (CAS, CASP, LDADD ... SWP). Expected values are worked out from the Arm ARM.
#include <gtest/gtest.h>

#include "harness.h"

namespace mimic::arm::test {
namespace {

constexpr uint32_t kSvc0 = 0xd4000001;
constexpr uint64_t kM = 0x8000000000000001, kM2 = 0xfedcba9876543210;  // memory at kData, kData + 8

// Runs code + svc with [kData] = kM, [kData+8] = kM2, x1 = sp = kData and extra setup.
uint32_t run_code(std::initializer_list<uint32_t> code, const std::function<void(Machine&)>& setup,
                  const std::function<void(Machine&)>& check) {
  return run_all(
      [&](Machine& m) {
        m.code(code);
        m.code({kSvc0}, kCode + 4 * code.size());
        m.write<uint64_t>(kData, kM);
        m.write<uint64_t>(kData + 8, kM2);
        m.cpu->x[1] = kData;
        m.cpu->sp = kData;
        setup(m);
      },
      check);
}
auto none = [](Machine&) {};

TEST(A64Exclusive, LoadStoreExclusiveSucceeds) {
  // ldxr x0, [x1]; add x2, x0, #1; stxr w3, x2, [x1]
  uint32_t r = run_code({0xc85f7c20, 0x91000402, 0xc8037c22}, none, [](Machine& m) {
    EXPECT_EQ(m.cpu->x[0], kM);
    EXPECT_EQ(m.cpu->x[3], 0u);  // success
    EXPECT_EQ(m.read<uint64_t>(kData), kM + 1);
    EXPECT_EQ(m.cpu->excl_addr, ~0ull);  // the monitor is cleared
  });
  EXPECT_EQ(r, kExitSvc);
}

TEST(A64Exclusive, StoreExclusiveFails) {
  auto failed = [](uint64_t mem) {
    return [mem](Machine& m) {
      EXPECT_EQ(m.cpu->x[3], 1u);
      EXPECT_EQ(m.read<uint64_t>(kData), mem);
    };
  };
  run_code({0xc8037c22}, none, failed(kM));                                  // stxr without ldxr
  run_code({0xc85f7c20, 0xf900003f, 0xc8037c22}, none, failed(0));           // ldxr; str xzr, [x1]; stxr
  run_code({0xc85f7c20, 0xd5033f5f, 0xc8037c22}, none, failed(kM));          // ldxr; clrex; stxr
  run_code({0x885f7c20 /* ldxr w0, [x1] */, 0xc8037c22}, none, failed(kM));  // store of another size
  run_code({0xc85f7c20, 0x91002021 /* add x1, x1, #8 */, 0xc8037c22}, none, [](Machine& m) {  // other address
    EXPECT_EQ(m.cpu->x[3], 1u);
    EXPECT_EQ(m.read<uint64_t>(kData + 8), kM2);
  });
}

TEST(A64Exclusive, SubwordAndAcquireRelease) {
  auto set_x2 = [](Machine& m) { m.cpu->x[2] = 0x1122334455667788; };
  run_code({0x085f7c20, 0x08037c22}, set_x2, [](Machine& m) {  // ldxrb w0, [x1]; stxrb w3, w2, [x1]
    EXPECT_EQ(m.cpu->x[0], 0x01u);
    EXPECT_EQ(m.cpu->x[3], 0u);
    EXPECT_EQ(m.read<uint64_t>(kData), 0x8000000000000088u);
  });
  run_code({0x485f7c20, 0x48037c22}, set_x2, [](Machine& m) {  // ldxrh w0, [x1]; stxrh w3, w2, [x1]
    EXPECT_EQ(m.cpu->x[0], 0x0001u);
    EXPECT_EQ(m.cpu->x[3], 0u);
    EXPECT_EQ(m.read<uint64_t>(kData), 0x8000000000007788u);
  });
  run_code({0x885ffc20, 0x8803fc22}, set_x2, [](Machine& m) {  // ldaxr w0, [x1]; stlxr w3, w2, [x1]
    EXPECT_EQ(m.cpu->x[0], 0x00000001u);
    EXPECT_EQ(m.cpu->x[3], 0u);
    EXPECT_EQ(m.read<uint64_t>(kData), 0x8000000055667788u);
  });
}

TEST(A64Exclusive, Pairs) {
  auto set = [](Machine& m) {
    m.cpu->x[4] = 0x4444444444444444;
    m.cpu->x[5] = 0x5555555555555555;
  };
  run_code({0xc87f0820, 0xc8231424}, set, [](Machine& m) {  // ldxp x0, x2, [x1]; stxp w3, x4, x5, [x1]
    EXPECT_EQ(m.cpu->x[0], kM);
    EXPECT_EQ(m.cpu->x[2], kM2);
    EXPECT_EQ(m.cpu->x[3], 0u);
    EXPECT_EQ(m.read<uint64_t>(kData), 0x4444444444444444u);
    EXPECT_EQ(m.read<uint64_t>(kData + 8), 0x5555555555555555u);
  });
  // ldxp; str xzr, [x1, #8]; stxp: the high doubleword changed, so the 128-bit compare fails.
  run_code({0xc87f0820, 0xf900043f, 0xc8231424}, set, [](Machine& m) {
    EXPECT_EQ(m.cpu->x[3], 1u);
    EXPECT_EQ(m.read<uint64_t>(kData), kM);
  });
  run_code({0x887f8820, 0x88239424}, set, [](Machine& m) {  // ldaxp w0, w2, [x1]; stlxp w3, w4, w5, [x1]
    EXPECT_EQ(m.cpu->x[0], 0x00000001u);
    EXPECT_EQ(m.cpu->x[2], 0x80000000u);
    EXPECT_EQ(m.cpu->x[3], 0u);
    EXPECT_EQ(m.read<uint64_t>(kData), 0x5555555544444444u);
    EXPECT_EQ(m.read<uint64_t>(kData + 8), kM2);
  });
}

TEST(A64Exclusive, MisalignedFaults) {
  auto at = [](uint64_t a) { return [a](Machine& m) { m.cpu->x[1] = a; }; };
  auto unaligned = [](uint64_t a) {
    return [a](Machine& m) {
      EXPECT_EQ(m.cpu->pc, kCode);
      EXPECT_EQ(m.cpu->fault_addr, a);
    };
  };
  EXPECT_EQ(run_code({0xc85f7c20}, at(kData + 4), unaligned(kData + 4)), tcg::kExitUnaligned);  // ldxr x0
  EXPECT_EQ(run_code({0xc8231424}, at(kData + 8), unaligned(kData + 8)), tcg::kExitUnaligned);  // stxp x
  EXPECT_EQ(run_code({0xf8220020}, at(kData + 1), unaligned(kData + 1)), tcg::kExitUnaligned);  // ldadd
  EXPECT_EQ(run_code({0x48247c26}, at(kData + 8), unaligned(kData + 8)), tcg::kExitUnaligned);  // casp x
  EXPECT_EQ(run_code({0xc8dffc20}, at(kData + 2), unaligned(kData + 2)), tcg::kExitUnaligned);  // ldar x0
  EXPECT_EQ(run_code({0xc87f0820}, at(kData + 8), unaligned(kData + 8)), tcg::kExitUnaligned);  // ldxp x0, x2
  EXPECT_EQ(run_code({0x48a0fc22}, at(kData + 1), unaligned(kData + 1)), tcg::kExitUnaligned);  // caslh
}

TEST(A64Ordered, AcquireRelease) {
  auto x2 = [](Machine& m) { m.cpu->x[2] = 0x1122334455667788; };
  run_code({0xc8dffc20}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], kM); });     // ldar x0, [x1]
  run_code({0x08dffc20}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0x01u); });  // ldarb w0, [x1]
  run_code({0xf8bfc020}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], kM); });     // ldapr x0, [x1]
  run_code({0x38bfc020}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], 0x01u); });  // ldaprb w0, [x1]
  run_code({0xc8df7c20}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], kM); });     // ldlar x0, [x1]
  run_code({0xc89ffc22}, x2, [](Machine& m) { EXPECT_EQ(m.read<uint64_t>(kData), 0x1122334455667788u); });  // stlr
  run_code({0x489ffc22}, x2, [](Machine& m) { EXPECT_EQ(m.read<uint64_t>(kData), 0x8000000000007788u); });  // stlrh
  run_code({0x889f7c22}, x2, [](Machine& m) { EXPECT_EQ(m.read<uint64_t>(kData), 0x8000000055667788u); });  // stllr
  run_code({0xc85f7fe0}, none, [](Machine& m) { EXPECT_EQ(m.cpu->x[0], kM); });  // ldxr x0, [sp]
}

struct CasCase {
  uint32_t insn;
  const char* text;
  uint64_t x0, x2;        // expected value (Rs) and new value (Rt)
  uint64_t want_x0, mem;  // old value returned in Rs, memory after
};

TEST(A64Lse, CompareAndSwap) {
  // clang-format off
  const CasCase cases[] = {
    {0xc8a07c22, "cas x0, x2, [x1]", kM, 0x77, kM, 0x77},
    {0xc8a07c22, "cas x0, x2, [x1] (fails)", 5, 0x77, kM, kM},
    {0x88e07c22, "casa w0, w2, [x1]", 0xffffffff00000001, 0xaabbccdd, 1, 0x80000000aabbccdd},  // compares w0 only
    {0x08e0fc22, "casalb w0, w2, [x1]", 0x101, 0x1ee, 1, 0x80000000000000ee},
    {0x48a0fc22, "caslh w0, w2, [x1] (fails)", 0x2, 0x1234, 1, kM},
  };
  // clang-format on
  for (const CasCase& c : cases) {
    SCOPED_TRACE(c.text);
    run_code(
        {c.insn},
        [&](Machine& m) {
          m.cpu->x[0] = c.x0;
          m.cpu->x[2] = c.x2;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[0], c.want_x0);
          EXPECT_EQ(m.read<uint64_t>(kData), c.mem);
        });
  }
}

TEST(A64Lse, CompareAndSwapPair) {
  auto regs = [](uint64_t x4, uint64_t x5) {
    return [=](Machine& m) {
      m.cpu->x[4] = x4, m.cpu->x[5] = x5;
      m.cpu->x[6] = 0x6666666666666666, m.cpu->x[7] = 0x7777777777777777;
    };
  };
  run_code({0x48247c26}, regs(kM, kM2), [](Machine& m) {  // casp x4, x5, x6, x7, [x1]
    EXPECT_EQ(m.read<uint64_t>(kData), 0x6666666666666666u);
    EXPECT_EQ(m.read<uint64_t>(kData + 8), 0x7777777777777777u);
    EXPECT_EQ(m.cpu->x[4], kM);
    EXPECT_EQ(m.cpu->x[5], kM2);
  });
  run_code({0x48247c26}, regs(kM, 0), [](Machine& m) {  // fails on the high half
    EXPECT_EQ(m.read<uint64_t>(kData), kM);
    EXPECT_EQ(m.cpu->x[4], kM);
    EXPECT_EQ(m.cpu->x[5], kM2);
  });
  run_code({0x0864fc26}, regs(0xffffffff00000001, 0x80000000), [](Machine& m) {  // caspal w4, w5, w6, w7, [x1]
    EXPECT_EQ(m.read<uint64_t>(kData), 0x7777777766666666u);
    EXPECT_EQ(m.cpu->x[4], 1u);
    EXPECT_EQ(m.cpu->x[5], 0x80000000u);
  });
}

struct RmwCase {
  uint32_t insn;
  const char* text;
  uint64_t mem_in, x2;
  uint64_t want_x0, mem;
};

TEST(A64Lse, AtomicRmw) {
  // clang-format off
  const RmwCase cases[] = {
    {0xf8220020, "ldadd x2, x0, [x1]", kM, 5, kM, kM + 5},
    {0xb8e20020, "ldaddal w2, w0, [x1]", kM, 0xffffffff, 1, 0x8000000000000000},  // 32-bit wrap, upper word kept
    {0xf8221020, "ldclr x2, x0, [x1]", kM, 1, kM, 0x8000000000000000},            // and-not
    {0x38222020, "ldeorb w2, w0, [x1]", kM, 0xff, 1, 0x80000000000000fe},
    {0x78623020, "ldsetlh w2, w0, [x1]", kM, 0x8000, 1, 0x8000000000008001},
    {0xf8224020, "ldsmax x2, x0, [x1]", kM, 5, kM, 5},                           // kM is negative
    {0xb8225020, "ldsmin w2, w0, [x1]", kM, 0xffffffff, 1, 0x80000000ffffffff},
    {0xf8226020, "ldumax x2, x0, [x1]", kM, 5, kM, kM},
    {0xb8227020, "ldumin w2, w0, [x1]", kM, 0xffffffff, 1, kM},
    {0x38224020, "ldsmaxb w2, w0, [x1]", 0x80, 0x101, 0x80, 0x01},               // -128 < 1; result zero-extended
    {0x78227020, "lduminh w2, w0, [x1]", 0xffff8000, 0x7fff, 0x8000, 0xffff7fff},
    {0xf8228020, "swp x2, x0, [x1]", kM, 0x1234, kM, 0x1234},
    {0xb8e28020, "swpal w2, w0, [x1]", kM, 0x99999999, 1, 0x8000000099999999},
    {0x38228020, "swpb w2, w0, [x1]", kM, 0xabcd, 1, 0x80000000000000cd},
    {0xf822003f, "stadd x2, [x1]", kM, 2, 0x5a5a, kM + 2},                      // Rt = XZR: x0 untouched
  };
  // clang-format on
  for (const RmwCase& c : cases) {
    SCOPED_TRACE(c.text);
    run_code(
        {c.insn},
        [&](Machine& m) {
          m.write<uint64_t>(kData, c.mem_in);
          m.cpu->x[0] = 0x5a5a;
          m.cpu->x[2] = c.x2;
        },
        [&](Machine& m) {
          EXPECT_EQ(m.cpu->x[0], c.want_x0);
          EXPECT_EQ(m.read<uint64_t>(kData), c.mem);
        });
  }
}

}  // namespace
}  // namespace mimic::arm::test
