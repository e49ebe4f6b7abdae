// Tests of the IR interpreter: op edge cases against independently computed C++ expressions,
// memory and atomics in a sandbox, helper calls and the exit protocol.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "tcg/backend.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/helper.h"
#include "tcg/ir/builder.h"
#include "tcg/ir/verifier.h"

using namespace mimic::tcg;

namespace {

struct Cpu : CpuBase {
  uint64_t r[8] = {};
};
// Offset of r[i] in Cpu; measured because derived members may live in CpuBase's tail padding.
uint32_t R(int i) {
  static const Cpu probe;
  return uint32_t(reinterpret_cast<const uint8_t*>(&probe.r[i]) - reinterpret_cast<const uint8_t*>(&probe));
}

// Runs `body(ir)` whose result is stored to r[0], and returns r[0].
template <typename F>
uint64_t run1(F body, Cpu* cpu_in = nullptr) {
  Block b;
  IRBuilder ir(b);
  Arg v = body(ir);
  if (v.type == Type::I32) v = ir.zext32_to_64(v);  // r[0] is 64 bits wide
  ir.set_state(R(0), v);
  ir.exit_loop(kExitGuestBase, IRBuilder::imm64(0));
  EXPECT_TRUE(verify(b).empty()) << verify(b)[0];
  Cpu local;
  Cpu& cpu = cpu_in ? *cpu_in : local;
  interpret_block(b, &cpu);
  return cpu.r[0];
}

uint64_t bin64(Opcode op, uint64_t a, uint64_t b) {
  return run1([&](IRBuilder& ir) { return ir.emit(op, Type::I64, {IRBuilder::imm64(a), IRBuilder::imm64(b)}); });
}
uint32_t bin32(Opcode op, uint32_t a, uint32_t b) {
  return uint32_t(run1([&](IRBuilder& ir) {
    return ir.emit(op, Type::I32, {IRBuilder::imm32(a), IRBuilder::imm32(b)});
  }));
}

constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();

}  // namespace

TEST(Interp, DivisionNeverTraps) {
  EXPECT_EQ(bin64(Opcode::DivS, 7, 0), ~0ull);
  EXPECT_EQ(bin64(Opcode::DivU, 7, 0), ~0ull);
  EXPECT_EQ(bin32(Opcode::DivU, 7, 0), 0xffffffffu);
  EXPECT_EQ(bin64(Opcode::DivS, uint64_t(kMin64), ~0ull), uint64_t(kMin64));
  EXPECT_EQ(bin32(Opcode::DivS, uint32_t(kMin32), ~0u), uint32_t(kMin32));
  EXPECT_EQ(bin64(Opcode::RemS, uint64_t(kMin64), ~0ull), 0u);
  EXPECT_EQ(bin64(Opcode::RemS, 7, 0), 7u);
  EXPECT_EQ(bin64(Opcode::RemU, 7, 0), 7u);
  EXPECT_EQ(bin64(Opcode::DivS, uint64_t(-7), 2), uint64_t(-7 / 2));
  EXPECT_EQ(bin64(Opcode::RemS, uint64_t(-7), 2), uint64_t(-7 % 2));
  EXPECT_EQ(bin32(Opcode::DivS, uint32_t(-9), 4), uint32_t(-9 / 4));
}

TEST(Interp, MultiplyHigh) {
  const uint64_t a = 0xfedcba9876543210ull, b = 0x8000000000000001ull;
  EXPECT_EQ(bin64(Opcode::MulHU, a, b), uint64_t((unsigned __int128)a * b >> 64));
  EXPECT_EQ(bin64(Opcode::MulHS, a, b), uint64_t((__int128(int64_t(a)) * int64_t(b)) >> 64));
  EXPECT_EQ(bin64(Opcode::MulHSU, a, b), uint64_t((__int128(int64_t(a)) * __int128(b)) >> 64));
  EXPECT_EQ(bin32(Opcode::MulHS, 0x80000000u, 0x80000000u), uint32_t((int64_t(kMin32) * kMin32) >> 32));
  EXPECT_EQ(bin32(Opcode::MulHSU, 0xffffffffu, 0xffffffffu), uint32_t((int64_t(-1) * int64_t(0xffffffffu)) >> 32));
  EXPECT_EQ(bin32(Opcode::Mul, 0x10000u, 0x10000u), 0u);
}

TEST(Interp, ShiftsAndRotatesTakeAmountModuloWidth) {
  EXPECT_EQ(bin64(Opcode::Shl, 1, 64), 1u);
  EXPECT_EQ(bin64(Opcode::Shl, 1, 65), 2u);
  EXPECT_EQ(bin32(Opcode::Shr, 0x80000000u, 31), 1u);
  EXPECT_EQ(bin32(Opcode::Sar, 0x80000000u, 31), 0xffffffffu);
  EXPECT_EQ(bin32(Opcode::Sar, 0x80000000u, 32), 0x80000000u);
  EXPECT_EQ(bin64(Opcode::Rotl, 0x8000000000000001ull, 1), 3u);
  EXPECT_EQ(bin32(Opcode::Rotr, 1, 1), 0x80000000u);
  EXPECT_EQ(bin32(Opcode::Rotl, 0x12345678u, 0), 0x12345678u);
}

TEST(Interp, CarryBorrowOverflow) {
  auto carry64 = [](Opcode op, uint64_t a, uint64_t b, uint64_t c) {
    return run1([&](IRBuilder& ir) {
      return ir.emit(op, Type::I64, {IRBuilder::imm64(a), IRBuilder::imm64(b), IRBuilder::imm32(uint32_t(c))});
    });
  };
  EXPECT_EQ(carry64(Opcode::AddCarry, ~0ull, 0, 1), 1u);
  EXPECT_EQ(carry64(Opcode::AddCarry, ~0ull, 0, 2), 0u);  // only bit 0 of the carry-in counts
  EXPECT_EQ(carry64(Opcode::AddC, 5, 6, 3), 12u);
  EXPECT_EQ(carry64(Opcode::AddOverflow, uint64_t(INT64_MAX), 0, 1), 1u);
  EXPECT_EQ(carry64(Opcode::AddOverflow, uint64_t(kMin64), ~0ull, 1), 0u);
  EXPECT_EQ(carry64(Opcode::SubBorrow, 0, 0, 1), 1u);
  EXPECT_EQ(carry64(Opcode::SubBorrow, 5, 5, 0), 0u);
  EXPECT_EQ(carry64(Opcode::SubOverflow, uint64_t(kMin64), 0, 1), 1u);
  EXPECT_EQ(carry64(Opcode::SubB, 10, 3, 1), 6u);
}

TEST(Interp, BitFieldsAndWidths) {
  const uint64_t x = 0x8123456789abcdefull;
  auto un = [&](auto f) { return run1([&](IRBuilder& ir) { return f(ir, IRBuilder::imm64(x)); }); };
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.zext(a, 16); }), 0xcdefu);
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.sext(a, 8); }), uint64_t(int64_t(int8_t(0xef))));
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.extract(a, 60, 4); }), 0x8u);
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.sextract(a, 60, 4); }), uint64_t(-8));
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.deposit(a, IRBuilder::imm64(0), 4, 8); }), x & ~0xff0ull);
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.bswap64(a); }), __builtin_bswap64(x));
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.bswap32(a); }), uint64_t(__builtin_bswap32(uint32_t(x))));
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.bswap16(a); }), 0xefcdu);
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.popcnt(a); }), uint64_t(__builtin_popcountll(x)));
  EXPECT_EQ(un([](IRBuilder& ir, Arg a) { return ir.sext32_to_64(ir.trunc64_to_32(a)); }),
            uint64_t(int64_t(int32_t(uint32_t(x)))));
  EXPECT_EQ(run1([](IRBuilder& ir) { return ir.clz(IRBuilder::imm64(0)); }), 64u);
  EXPECT_EQ(run1([](IRBuilder& ir) { return ir.ctz(IRBuilder::imm32(0)); }), 32u);
  EXPECT_EQ(run1([](IRBuilder& ir) { return ir.clz(IRBuilder::imm32(1)); }), 31u);
}

TEST(Interp, CompareAndSelect) {
  auto sc = [](Cond c, uint32_t a, uint32_t b) {
    return run1([&](IRBuilder& ir) { return ir.setcond(c, IRBuilder::imm32(a), IRBuilder::imm32(b), Type::I64); });
  };
  EXPECT_EQ(sc(Cond::LtS, 0x80000000u, 0), 1u);
  EXPECT_EQ(sc(Cond::LtU, 0x80000000u, 0), 0u);
  EXPECT_EQ(sc(Cond::TstEq, 0xf0, 0x0f), 1u);
  EXPECT_EQ(sc(Cond::TstNe, 0xf0, 0x1f), 1u);
  EXPECT_EQ(sc(Cond::GeU, 5, 5), 1u);
  EXPECT_EQ(
      run1([](IRBuilder& ir) { return ir.select(IRBuilder::imm32(2), IRBuilder::imm64(11), IRBuilder::imm64(22)); }),
      11u);
}

TEST(Interp, FloatingPointMatchesSse) {
  Cpu cpu;
  std::memcpy(&cpu.r[1], &(const double&)1.5, 8);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::memcpy(&cpu.r[2], &nan, 8);
  auto f = [&](auto body) {
    return run1([&](IRBuilder& ir) { return body(ir, ir.get_state(Type::F64, R(1)), ir.get_state(Type::F64, R(2))); },
                &cpu);
  };
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg) { return ir.bitcast(Type::I64, ir.fmul(a, a)); }),
            std::bit_cast<uint64_t>(2.25));
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg) { return ir.ftosi(Type::I32, ir.fneg(a)); }), uint32_t(-1));
  EXPECT_EQ(f([](IRBuilder& ir, Arg, Arg n) { return ir.ftosi(Type::I64, n); }), 0x8000000000000000ull);
  EXPECT_EQ(f([](IRBuilder& ir, Arg, Arg n) { return ir.ftosi(Type::I32, n); }), 0x80000000ull);
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg) {
              return ir.ftosi(Type::I32, ir.fmul(a, ir.sitof(Type::F64, IRBuilder::imm64(1ull << 40))));
            }),
            0x80000000ull);
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg n) { return ir.fcmp(FCond::Ne, a, n); }), 1u);
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg n) { return ir.fcmp(FCond::Eq, n, n); }), 0u);
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg n) { return ir.fcmp(FCond::Uno, a, n); }), 1u);
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg) { return ir.fcmp(FCond::Le, a, a); }), 1u);
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg) { return ir.bitcast(Type::I32, ir.fconv(Type::F32, a)); }),
            std::bit_cast<uint32_t>(1.5f));
  EXPECT_EQ(
      f([](IRBuilder& ir, Arg a, Arg) { return ir.bitcast(Type::I64, ir.fsqrt(ir.fneg(a))); }) & 0x7ff8000000000000ull,
      0x7ff8000000000000ull);  // sqrt of a negative is a NaN
  EXPECT_EQ(f([](IRBuilder& ir, Arg a, Arg) { return ir.bitcast(Type::I64, ir.fabs(ir.fneg(a))); }),
            std::bit_cast<uint64_t>(1.5));
}

TEST(Interp, Vectors) {
  Cpu cpu;
  auto v = [&](auto body) { return run1([&](IRBuilder& ir) { return body(ir); }, &cpu); };
  EXPECT_EQ(v([](IRBuilder& ir) {
              Arg a = ir.vconst(0x00ff00ff00ff00ffull, 0x1);
              Arg s = ir.vadd(a, ir.vdup(IRBuilder::imm32(1), 0), 0);
              return ir.vextract(Type::I64, s, 0, 3);
            }),
            0x0100010001000100ull);
  EXPECT_EQ(v([](IRBuilder& ir) {
              Arg a = ir.vinsert(ir.vconst(0, 0), IRBuilder::imm32(0xabcd), 7, 1);
              return ir.vextract(Type::I64, a, 1, 3);
            }),
            0xabcd000000000000ull);
  EXPECT_EQ(v([](IRBuilder& ir) {
              Arg a = ir.vsub(ir.vconst(0, 0), ir.vconst(1, 0), 2);
              return ir.vextract(Type::I32, a, 1, 2);
            }),
            0u);
}

TEST(Interp, MemoryAndAtomics) {
  alignas(16) uint8_t mem[64] = {};
  Cpu cpu;
  cpu.guest_base = reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(mem) - 0x1000);  // guest 0x1000 is mem[0]
  uint64_t init = 0x80ff7f0102030405ull;
  std::memcpy(mem, &init, 8);
  EXPECT_EQ(run1([](IRBuilder& ir) { return ir.load(Type::I64, IRBuilder::imm64(0x1006), MemOp::k8 | MemOp::kSigned); },
                 &cpu),
            uint64_t(-1));
  EXPECT_EQ(
      run1([](IRBuilder& ir) { return ir.load(Type::I32, IRBuilder::imm64(0x1006), MemOp::k16 | MemOp::kSigned); },
           &cpu),
      0xffff80ffu);
  EXPECT_EQ(run1([](IRBuilder& ir) { return ir.load(Type::I64, IRBuilder::imm64(0x1000), MemOp::k32); }, &cpu),
            0x02030405u);
  EXPECT_EQ(run1(
                [](IRBuilder& ir) {
                  return ir.atomic_rmw(RmwOp::SMax, IRBuilder::imm64(0x1008), IRBuilder::imm32(0xfffffff0), MemOp::k32);
                },
                &cpu),
            0u);
  uint32_t w;
  std::memcpy(&w, mem + 8, 4);
  EXPECT_EQ(w, 0u);  // smax(0, -16) == 0
  run1(
      [](IRBuilder& ir) {
        return ir.atomic_rmw(RmwOp::UMax, IRBuilder::imm64(0x1008), IRBuilder::imm32(0xfffffff0), MemOp::k32);
      },
      &cpu);
  std::memcpy(&w, mem + 8, 4);
  EXPECT_EQ(w, 0xfffffff0u);
  // Cas compares the low MemOp-size bits; the result is the old value, sign-extended with kSigned.
  EXPECT_EQ(run1(
                [](IRBuilder& ir) {
                  return ir.atomic_cas(IRBuilder::imm64(0x1008), IRBuilder::imm64(0xfffffff0), IRBuilder::imm64(7),
                                       MemOp::k32 | MemOp::kSigned);
                },
                &cpu),
            uint64_t(-16));
  std::memcpy(&w, mem + 8, 4);
  EXPECT_EQ(w, 7u);
}

TEST(Interp, MisalignedAlignedAccessExits) {
  alignas(16) uint8_t mem[64] = {};
  Block b;
  IRBuilder ir(b);
  ir.insn_start(0x4000);
  ir.set_state(R(1), IRBuilder::imm64(1));
  ir.insn_start(0x4004);
  Arg v = ir.load(Type::I32, IRBuilder::imm64(0x1002), MemOp::k32 | MemOp::kAligned);
  ir.set_state(R(2), v);
  ir.goto_tb(0, 0x4008);
  Cpu cpu;
  cpu.guest_base = reinterpret_cast<uint8_t*>(reinterpret_cast<uintptr_t>(mem) - 0x1000);  // guest 0x1000 is mem[0]
  interpret_block(b, &cpu);
  EXPECT_EQ(cpu.exit_reason, kExitUnaligned);
  EXPECT_EQ(cpu.pc, 0x4004u);
  EXPECT_EQ(cpu.fault_addr, 0x1002u);
  EXPECT_EQ(cpu.r[1], 1u);  // state before the faulting instruction is exact
}

TEST(Interp, ExitProtocol) {
  Block b;
  IRBuilder ir(b);
  b.guest_pc = 0x8000;
  Arg x = ir.get_state(Type::I64, R(0));
  uint32_t l = ir.new_label();
  ir.br_cond(Cond::Eq, x, IRBuilder::imm64(0), l);
  ir.goto_ptr(x);
  ir.label(l);
  ir.goto_tb(1, 0x9000);
  ASSERT_TRUE(verify(b).empty());

  Cpu cpu;
  cpu.exit_tb = 55;
  interpret_block(b, &cpu);
  EXPECT_EQ(cpu.exit_reason, kExitChain);
  EXPECT_EQ(cpu.pc, 0x9000u);
  EXPECT_EQ(cpu.exit_slot, 1u);
  EXPECT_EQ(cpu.exit_tb, 0u);

  cpu.r[0] = 0x1234;
  interpret_block(b, &cpu);
  EXPECT_EQ(cpu.exit_reason, kExitLookup);
  EXPECT_EQ(cpu.pc, 0x1234u);

  cpu.exit_request = 1;
  interpret_block(b, &cpu);
  EXPECT_EQ(cpu.exit_reason, kExitInterrupt);
  EXPECT_EQ(cpu.pc, 0x8000u);
}

namespace {
uint64_t sum5(CpuBase* env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  static_cast<Cpu*>(env)->r[7] = 99;
  return a + b + c + d + e;
}
const uint32_t kSum5 = register_helper("test_sum5", sum5, HelperFlag::kWritesState);
}  // namespace

TEST(Interp, HelperCallsGetEnvAndZeroExtendedArgs) {
  Cpu cpu;
  EXPECT_EQ(run1(
                [](IRBuilder& ir) {
                  return ir.call(Type::I64, kSum5,
                                 {IRBuilder::imm32(0xffffffff), IRBuilder::imm64(1), IRBuilder::imm64(2),
                                  IRBuilder::imm64(3), IRBuilder::imm64(4)});
                },
                &cpu),
            0xffffffffull + 10);
  EXPECT_EQ(cpu.r[7], 99u);
  // An i32 result keeps only the low half of what the helper returns.
  EXPECT_EQ(run1(
                [](IRBuilder& ir) {
                  return ir.zext32_to_64(ir.call(Type::I32, kSum5,
                                                 {IRBuilder::imm64(0xffffffff), IRBuilder::imm64(1),
                                                  IRBuilder::imm64(0), IRBuilder::imm64(0), IRBuilder::imm64(0)}));
                },
                &cpu),
            0u);
}
