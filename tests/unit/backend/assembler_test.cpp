// The backend's direct encoder (tcg/x86_64/assembler.h) must write exactly the bytes Xbyak writes
// for the same instruction: every GPR, every base register class (rsp/r12 need a SIB byte,
// rbp/r13 a displacement even when it is 0) and every displacement and immediate class.
#include "tcg/x86_64/assembler.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace mimic::tcg::x86_64 {
namespace {

using Emit = std::function<void(BlockAssembler&)>;

std::vector<uint8_t> bytes_of(const Emit& emit) {
  static uint8_t buf[64];
  thread_local BlockAssembler a;
  a.retarget(buf, sizeof(buf));
  emit(a);
  return std::vector<uint8_t>(buf, buf + a.getSize());
}

void expect_same(const Emit& direct, const Emit& xbyak, const char* what, int x, int y, int64_t z) {
  EXPECT_EQ(bytes_of(direct), bytes_of(xbyak)) << what << " " << x << " " << y << " " << z;
}

const int32_t kDisps[] = {0, 1, 8, 127, 128, -1, -128, -129, 0x118, 0x7fffffff, INT32_MIN};
const int kBases[] = {0, 3, 4, 5, 7, 8, 12, 13, 15};

TEST(DirectEncoder, MemoryFormsMatchXbyak) {
  for (int reg = 0; reg < 16; ++reg)
    for (int base : kBases)
      for (int32_t d : kDisps)
        for (bool wide : {false, true}) {
          using Xbyak::Reg32;
          using Xbyak::Reg64;
          expect_same([&](BlockAssembler& a) { a.store_gpr(wide, base, d, reg); },
                      [&](BlockAssembler& a) {
                        if (wide)
                          a.mov(a.qword[Reg64(base) + d], Reg64(reg));
                        else
                          a.mov(a.dword[Reg64(base) + d], Reg32(reg));
                      },
                      wide ? "store64" : "store32", reg, base, d);
          expect_same([&](BlockAssembler& a) { a.load_gpr(wide, reg, base, d); },
                      [&](BlockAssembler& a) {
                        if (wide)
                          a.mov(Reg64(reg), a.qword[Reg64(base) + d]);
                        else
                          a.mov(Reg32(reg), a.dword[Reg64(base) + d]);
                      },
                      wide ? "load64" : "load32", reg, base, d);
        }
  for (int base : kBases)
    for (int32_t d : kDisps) {
      for (uint32_t imm : {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
        expect_same([&](BlockAssembler& a) { a.store_imm32(false, base, d, imm); },
                    [&](BlockAssembler& a) { a.mov(a.dword[Xbyak::Reg64(base) + d], imm); }, "store_imm32", base, d,
                    imm);
        expect_same([&](BlockAssembler& a) { a.store_imm32(true, base, d, imm); },
                    [&](BlockAssembler& a) { a.mov(a.qword[Xbyak::Reg64(base) + d], uint64_t(int64_t(int32_t(imm)))); },
                    "store_imm64", base, d, imm);
      }
      expect_same([&](BlockAssembler& a) { a.call_mem(base, d); },
                  [&](BlockAssembler& a) { a.call(a.qword[Xbyak::Reg64(base) + d]); }, "call_mem", base, d, 0);
      expect_same([&](BlockAssembler& a) { a.jmp_mem(base, d); },
                  [&](BlockAssembler& a) { a.jmp(a.qword[Xbyak::Reg64(base) + d]); }, "jmp_mem", base, d, 0);
    }
}

TEST(DirectEncoder, RegisterFormsMatchXbyak) {
  for (int dst = 0; dst < 16; ++dst) {
    for (int src = 0; src < 16; ++src) {
      expect_same([&](BlockAssembler& a) { a.move_gpr(true, dst, src); },
                  [&](BlockAssembler& a) { a.mov(Xbyak::Reg64(dst), Xbyak::Reg64(src)); }, "mov64", dst, src, 0);
      expect_same([&](BlockAssembler& a) { a.move_gpr(false, dst, src); },
                  [&](BlockAssembler& a) { a.mov(Xbyak::Reg32(dst), Xbyak::Reg32(src)); }, "mov32", dst, src, 0);
    }
    expect_same([&](BlockAssembler& a) { a.zero_gpr(dst); },
                [&](BlockAssembler& a) { a.xor_(Xbyak::Reg32(dst), Xbyak::Reg32(dst)); }, "xor", dst, dst, 0);
    for (uint64_t imm :
         {uint64_t(1), uint64_t(0xffffffff), uint64_t(0x100000000), ~uint64_t(0), uint64_t(-0x80000000ll),
          uint64_t(-0x80000001ll), uint64_t(0x8000000000000000), uint64_t(0x123456789abcdef0)}) {
      expect_same([&](BlockAssembler& a) { a.move_imm(dst, imm); },
                  [&](BlockAssembler& a) { a.mov(Xbyak::Reg64(dst), imm); }, "mov_imm", dst, 0, int64_t(imm));
      expect_same([&](BlockAssembler& a) { a.move_imm32(dst, uint32_t(imm)); },
                  [&](BlockAssembler& a) { a.mov(Xbyak::Reg32(dst), uint32_t(imm)); }, "mov_imm32", dst, 0,
                  int64_t(imm));
    }
  }
}

TEST(DirectEncoder, Rel32BranchesMatchXbyakLabels) {
  for (int cc : {-1, int(BlockAssembler::kCcB), int(BlockAssembler::kCcAE), int(BlockAssembler::kCcNE),
                 int(BlockAssembler::kCcS)}) {
    auto xbyak_jcc = [](BlockAssembler& a, int cc, Xbyak::Label& l) {
      constexpr auto kNear = Xbyak::CodeGenerator::T_NEAR;
      switch (cc) {
        case -1: a.jmp(l, kNear); break;
        case BlockAssembler::kCcB: a.jb(l, kNear); break;
        case BlockAssembler::kCcAE: a.jae(l, kNear); break;
        case BlockAssembler::kCcS: a.js(l, kNear); break;
        default: a.jne(l, kNear); break;
      }
    };
    // Forward: a branch, some code, its target.
    expect_same(
        [&](BlockAssembler& a) {
          const size_t f = a.jcc_rel32_forward(cc);
          a.nop();
          a.bind_rel32(f);
          a.ret();
        },
        [&](BlockAssembler& a) {
          Xbyak::Label l;
          xbyak_jcc(a, cc, l);
          a.nop();
          a.L(l);
          a.ret();
        },
        "forward", cc, 0, 0);
    // Backward: a target, some code, the branch to it.
    expect_same(
        [&](BlockAssembler& a) {
          a.nop();
          const size_t t = a.getSize();
          a.nop();
          a.jcc_rel32_back(cc, t);
        },
        [&](BlockAssembler& a) {
          Xbyak::Label l;
          a.nop();
          a.L(l);
          a.nop();
          xbyak_jcc(a, cc, l);
        },
        "backward", cc, 0, 0);
  }
}

TEST(DirectEncoder, DataMatchesXbyak) {
  const uint64_t q = 0x0123456789abcdef;
  const uint32_t d = 0xfeedf00d;
  expect_same(
      [&](BlockAssembler& a) {
        a.data(&q, 8);
        a.data(&d, 4);
      },
      [&](BlockAssembler& a) {
        a.dq(q);
        a.dd(d);
      },
      "data", 0, 0, 0);
}

TEST(DirectEncoder, FullRegionIsCodeTooBig) {
  uint8_t buf[8];
  BlockAssembler a;
  a.retarget(buf, sizeof(buf));
  a.move_imm32(0, 1);  // 5 bytes
  try {
    a.move_imm64(0, 0x123456789);  // 10 more do not fit
    FAIL() << "no error";
  } catch (const Xbyak::Error& e) {
    EXPECT_EQ(int(e), Xbyak::ERR_CODE_IS_TOO_BIG);
  }
  EXPECT_EQ(a.getSize(), 5u);
}

}  // namespace
}  // namespace mimic::tcg::x86_64
