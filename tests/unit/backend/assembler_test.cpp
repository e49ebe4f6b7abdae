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
// The reference: Xbyak's own mnemonics (BlockAssembler's mov/add/... encode common forms
// directly, so the reference goes through the base class).
using XbyakEmit = std::function<void(Xbyak::CodeGenerator&)>;

std::vector<uint8_t> bytes_of(const Emit& emit) {
  static uint8_t buf[64];
  thread_local BlockAssembler a;
  a.retarget(buf, sizeof(buf));
  emit(a);
  return std::vector<uint8_t>(buf, buf + a.getSize());
}

void expect_same(const Emit& direct, const XbyakEmit& xbyak, const char* what, int x, int y, int64_t z) {
  EXPECT_EQ(bytes_of(direct), bytes_of([&](BlockAssembler& a) { xbyak(a); }))
      << what << " " << x << " " << y << " " << z;
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
                      [&](Xbyak::CodeGenerator& a) {
                        if (wide)
                          a.mov(a.qword[Reg64(base) + d], Reg64(reg));
                        else
                          a.mov(a.dword[Reg64(base) + d], Reg32(reg));
                      },
                      wide ? "store64" : "store32", reg, base, d);
          expect_same([&](BlockAssembler& a) { a.load_gpr(wide, reg, base, d); },
                      [&](Xbyak::CodeGenerator& a) {
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
                    [&](Xbyak::CodeGenerator& a) { a.mov(a.dword[Xbyak::Reg64(base) + d], imm); }, "store_imm32", base,
                    d, imm);
        expect_same(
            [&](BlockAssembler& a) { a.store_imm32(true, base, d, imm); },
            [&](Xbyak::CodeGenerator& a) { a.mov(a.qword[Xbyak::Reg64(base) + d], uint64_t(int64_t(int32_t(imm)))); },
            "store_imm64", base, d, imm);
      }
      expect_same([&](BlockAssembler& a) { a.call_mem(base, d); },
                  [&](Xbyak::CodeGenerator& a) { a.call(a.qword[Xbyak::Reg64(base) + d]); }, "call_mem", base, d, 0);
      expect_same([&](BlockAssembler& a) { a.jmp_mem(base, d); },
                  [&](Xbyak::CodeGenerator& a) { a.jmp(a.qword[Xbyak::Reg64(base) + d]); }, "jmp_mem", base, d, 0);
    }
}

TEST(DirectEncoder, RegisterFormsMatchXbyak) {
  for (int dst = 0; dst < 16; ++dst) {
    for (int src = 0; src < 16; ++src) {
      expect_same([&](BlockAssembler& a) { a.move_gpr(true, dst, src); },
                  [&](Xbyak::CodeGenerator& a) { a.mov(Xbyak::Reg64(dst), Xbyak::Reg64(src)); }, "mov64", dst, src, 0);
      expect_same([&](BlockAssembler& a) { a.move_gpr(false, dst, src); },
                  [&](Xbyak::CodeGenerator& a) { a.mov(Xbyak::Reg32(dst), Xbyak::Reg32(src)); }, "mov32", dst, src, 0);
    }
    expect_same([&](BlockAssembler& a) { a.zero_gpr(dst); },
                [&](Xbyak::CodeGenerator& a) { a.xor_(Xbyak::Reg32(dst), Xbyak::Reg32(dst)); }, "xor", dst, dst, 0);
    for (uint64_t imm :
         {uint64_t(1), uint64_t(0xffffffff), uint64_t(0x100000000), ~uint64_t(0), uint64_t(-0x80000000ll),
          uint64_t(-0x80000001ll), uint64_t(0x8000000000000000), uint64_t(0x123456789abcdef0)}) {
      expect_same([&](BlockAssembler& a) { a.move_imm(dst, imm); },
                  [&](Xbyak::CodeGenerator& a) { a.mov(Xbyak::Reg64(dst), imm); }, "mov_imm", dst, 0, int64_t(imm));
      expect_same([&](BlockAssembler& a) { a.move_imm32(dst, uint32_t(imm)); },
                  [&](Xbyak::CodeGenerator& a) { a.mov(Xbyak::Reg32(dst), uint32_t(imm)); }, "mov_imm32", dst, 0,
                  int64_t(imm));
    }
  }
}

TEST(DirectEncoder, Rel32BranchesMatchXbyakLabels) {
  for (int cc : {-1, int(BlockAssembler::kCcB), int(BlockAssembler::kCcAE), int(BlockAssembler::kCcNE),
                 int(BlockAssembler::kCcS)}) {
    auto xbyak_jcc = [](Xbyak::CodeGenerator& a, int cc, Xbyak::Label& l) {
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
        [&](Xbyak::CodeGenerator& a) {
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
        [&](Xbyak::CodeGenerator& a) {
          Xbyak::Label l;
          a.nop();
          a.L(l);
          a.nop();
          xbyak_jcc(a, cc, l);
        },
        "backward", cc, 0, 0);
  }
}

// op x, y for BlockAssembler (the direct forms) or Xbyak::CodeGenerator (the reference).
constexpr int kAluOps = 10;
template <class A>
void alu_op(A& a, int op, const Xbyak::Operand& x, const Xbyak::Operand& y) {
  switch (op) {
    case 0: a.mov(x, y); break;
    case 1: a.add(x, y); break;
    case 2: a.or_(x, y); break;
    case 3: a.adc(x, y); break;
    case 4: a.sbb(x, y); break;
    case 5: a.and_(x, y); break;
    case 6: a.sub(x, y); break;
    case 7: a.xor_(x, y); break;
    case 8: a.cmp(x, y); break;
    default: a.test(x, static_cast<const Xbyak::Reg&>(y)); break;
  }
}
template <class A>
void alu_imm(A& a, int op, const Xbyak::Operand& x, uint32_t imm) {
  switch (op) {
    case 1: a.add(x, imm); break;
    case 2: a.or_(x, imm); break;
    case 3: a.adc(x, imm); break;
    case 4: a.sbb(x, imm); break;
    case 5: a.and_(x, imm); break;
    case 6: a.sub(x, imm); break;
    case 7: a.xor_(x, imm); break;
    case 8: a.cmp(x, imm); break;
    default: a.test(x, imm); break;
  }
}
Xbyak::Reg32e gpr_of(bool wide, int r) {
  return wide ? Xbyak::Reg32e(Xbyak::Reg64(r)) : Xbyak::Reg32e(Xbyak::Reg32(r));
}
const uint32_t kImms[] = {0,      1,          0x7f,       0x80,       0xffffff80, 0xffffff7f,
                          0x7fff, 0xffff8000, 0x7fffffff, 0x80000000, 0xffffffff};

TEST(DirectEncoder, AluRegisterFormsMatchXbyak) {
  for (bool wide : {false, true})
    for (int d = 0; d < 16; ++d) {
      const Xbyak::Reg32e x = gpr_of(wide, d);
      for (int op = 0; op < kAluOps; ++op) {
        for (int s = 0; s < 16; ++s) {
          const Xbyak::Reg32e y = gpr_of(wide, s);
          expect_same([&](BlockAssembler& a) { alu_op(a, op, x, y); },
                      [&](Xbyak::CodeGenerator& a) { alu_op(a, op, x, y); }, "alu reg, reg", op, d, s);
        }
        if (op == 0) continue;  // mov r, imm is move_imm's
        for (uint32_t imm : kImms)
          expect_same([&](BlockAssembler& a) { alu_imm(a, op, x, imm); },
                      [&](Xbyak::CodeGenerator& a) { alu_imm(a, op, x, imm); }, "alu reg, imm", op, d, imm);
      }
    }
}

TEST(DirectEncoder, AluMemoryFormsMatchXbyak) {
  const int32_t disps[] = {0, 8, 127, 128, -128, -129, 0x7fffffff, INT32_MIN};
  for (bool wide : {false, true})
    for (int base : kBases)
      for (int index : {-1, 0, 5, 8, 13})
        for (int scale : {1, 2, 8}) {
          if (index < 0 && scale != 1) continue;
          for (int32_t d : disps) {
            auto addr = [&](Xbyak::CodeGenerator& a) {
              Xbyak::RegExp e = index < 0 ? Xbyak::RegExp(Xbyak::Reg64(base)) + d
                                          : Xbyak::Reg64(base) + Xbyak::Reg64(index) * scale + d;
              return wide ? a.qword[e] : a.dword[e];
            };
            for (int op = 0; op < kAluOps; ++op) {
              for (int r : {0, 3, 8, 15}) {
                const Xbyak::Reg32e y = gpr_of(wide, r);
                expect_same([&](BlockAssembler& a) { alu_op(a, op, addr(a), y); },
                            [&](Xbyak::CodeGenerator& a) { alu_op(a, op, addr(a), y); }, "alu mem, reg", op, base, d);
                if (op == kAluOps - 1) continue;  // test has no reg, mem form
                expect_same([&](BlockAssembler& a) { alu_op(a, op, y, addr(a)); },
                            [&](Xbyak::CodeGenerator& a) { alu_op(a, op, y, addr(a)); }, "alu reg, mem", op, base, d);
              }
              if (op == 0) continue;
              for (uint32_t imm : {0u, 0x7fu, 0x80u, 0xffffff80u, 0x12345678u})
                expect_same([&](BlockAssembler& a) { alu_imm(a, op, addr(a), imm); },
                            [&](Xbyak::CodeGenerator& a) { alu_imm(a, op, addr(a), imm); }, "alu mem, imm", op, base,
                            imm);
            }
            for (int r : {0, 3, 8, 15})
              expect_same([&](BlockAssembler& a) { a.lea(Xbyak::Reg64(r), addr(a)); },
                          [&](Xbyak::CodeGenerator& a) { a.lea(Xbyak::Reg64(r), addr(a)); }, "lea", r, base, d);
          }
        }
}

TEST(DirectEncoder, ShortBranchesAndBlockLabelsMatchXbyak) {
  for (int cc : {-1, int(BlockAssembler::kCcNE), int(BlockAssembler::kCcB)}) {
    // A short forward jcc (Xbyak's default for a label not defined yet).
    expect_same(
        [&](BlockAssembler& a) {
          const size_t f = a.jcc_rel8_forward(cc);
          a.nop();
          a.bind_rel8(f);
          a.ret();
        },
        [&](Xbyak::CodeGenerator& a) {
          Xbyak::Label l;
          cc < 0 ? a.jmp(l) : cc == BlockAssembler::kCcNE ? a.jne(l) : a.jb(l);
          a.nop();
          a.L(l);
          a.ret();
        },
        "rel8", cc, 0, 0);
    // Block labels: a forward and a backward branch to label 1, one to label 0 (T_NEAR).
    expect_same(
        [&](BlockAssembler& a) {
          a.begin_labels(2);
          a.bind_label(1);
          a.nop();
          a.jcc_label(cc, 0);
          a.jcc_label(cc, 1);
          a.nop();
          a.bind_label(0);
          a.ret();
          EXPECT_TRUE(a.resolve_labels());
        },
        [&](Xbyak::CodeGenerator& a) {
          constexpr auto kNear = Xbyak::CodeGenerator::T_NEAR;
          Xbyak::Label l0, l1;
          auto j = [&](Xbyak::Label& l) {
            cc < 0 ? a.jmp(l, kNear) : cc == BlockAssembler::kCcNE ? a.jne(l, kNear) : a.jb(l, kNear);
          };
          a.L(l1);
          a.nop();
          j(l0);
          j(l1);
          a.nop();
          a.L(l0);
          a.ret();
        },
        "block labels", cc, 0, 0);
  }
  // A short branch whose target is too far, and a label never bound, are errors.
  uint8_t buf[512];
  BlockAssembler a;
  a.retarget(buf, sizeof(buf));
  const size_t f = a.jcc_rel8_forward(BlockAssembler::kCcNE);
  for (int i = 0; i < 200; ++i) a.nop();
  EXPECT_THROW(a.bind_rel8(f), Xbyak::Error);
  a.begin_labels(1);
  a.jcc_label(-1, 0);
  EXPECT_FALSE(a.resolve_labels());
}

TEST(DirectEncoder, DataMatchesXbyak) {
  const uint64_t q = 0x0123456789abcdef;
  const uint32_t d = 0xfeedf00d;
  expect_same(
      [&](BlockAssembler& a) {
        a.data(&q, 8);
        a.data(&d, 4);
      },
      [&](Xbyak::CodeGenerator& a) {
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
