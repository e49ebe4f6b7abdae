// Execution tests of guest memory ops: loads/stores of every size and sign, immediate and
// register addresses, alignment faults, atomics and fences, against a host-side sandbox.
#include <cstring>

#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

constexpr uint64_t kPattern = 0xf1e2d3c4b5a69788ull;

TEST(Load, EverySizeSignAndTypeWithRegisterAndImmediateAddress) {
  Jit jit;
  for (unsigned lg = 0; lg <= 3; ++lg)
    for (bool sign : {false, true})
      for (Type t : {Type::I32, Type::I64})
        for (bool imm_addr : {false, true}) {
          jit.reset_cpu();
          const uint64_t addr = 0x340;
          std::memcpy(jit.mem() + addr, &kPattern, 8);
          Block blk;
          IRBuilder ir(blk);
          jit.cpu().in[0] = addr;
          ir.insn_start(0x1000);
          Arg a = imm_addr ? IRBuilder::imm64(addr) : ir.get_state(Type::I64, jit.in_off(0));
          uint32_t memop = lg | (sign ? uint32_t(MemOp::kSigned) : 0u);
          Arg v = ir.load(t, a, memop);
          ir.set_state(jit.out_off(0), v);
          if (t == Type::I32) ir.set_state(jit.out_off(1), ir.zext32_to_64(v));
          finish(ir);
          jit.compile_and_run(blk);
          unsigned bytes = 1u << lg;
          uint64_t raw = bytes == 8 ? kPattern : kPattern & ((1ull << (8 * bytes)) - 1);
          uint64_t want = raw;
          if (sign && bytes < 8 && ((raw >> (8 * bytes - 1)) & 1)) want = raw | ~((1ull << (8 * bytes)) - 1);
          want &= mask_of(t);
          ASSERT_EQ(jit.cpu().out[0] & mask_of(t), want)
              << "size " << bytes << " signed " << sign << " " << type_name(t) << " imm " << imm_addr;
          if (t == Type::I32) {
            ASSERT_EQ(jit.cpu().out[1], want);
          }
        }
}

TEST(Store, EverySizeRegisterAndImmediateValue) {
  Jit jit;
  for (unsigned lg = 0; lg <= 3; ++lg)
    for (Type t : {Type::I32, Type::I64})
      for (int form = 0; form < 3; ++form) {  // 0 reg value, 1 imm value, 2 imm address
        jit.reset_cpu();
        std::memset(jit.mem() + 0x400, 0xcc, 32);
        uint64_t val = t == Type::I64 ? 0x8877665544332211ull : 0x84332211ull;
        Block blk;
        IRBuilder ir(blk);
        jit.cpu().in[0] = 0x408;
        jit.cpu().in[1] = val;
        ir.insn_start(0x1000);
        Arg a = form == 2 ? IRBuilder::imm64(0x408) : ir.get_state(Type::I64, jit.in_off(0));
        Arg v = form == 1 ? IRBuilder::imm(t, val) : ir.get_state(t, jit.in_off(1));
        ir.store(a, v, lg);
        finish(ir);
        jit.compile_and_run(blk);
        unsigned bytes = 1u << lg;
        uint8_t want[32];
        std::memset(want, 0xcc, 32);
        uint64_t stored = val & mask_of(t);  // an I32 stored with 8 bytes is zero-extended
        std::memcpy(want + 8, &stored, bytes);
        ASSERT_EQ(std::memcmp(jit.mem() + 0x400, want, 32), 0)
            << "size " << bytes << " " << type_name(t) << " form " << form;
      }
}

TEST(Store, WideImmediatesAndNegativeAddresses) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = 0x500;
  ir.insn_start(0x1000);
  Arg base = ir.get_state(Type::I64, jit.in_off(0));
  ir.store(base, IRBuilder::imm64(0x123456789abcdef0), MemOp::k64);
  ir.store(ir.add(base, IRBuilder::imm64(8)), IRBuilder::imm64(0xffffffff80000000), MemOp::k64);
  ir.store(ir.add(base, IRBuilder::imm64(16)), IRBuilder::imm32(0x80000000), MemOp::k64);
  ir.set_state(jit.out_off(0), ir.load(Type::I64, IRBuilder::imm64(0x500), MemOp::k64));
  finish(ir);
  jit.compile_and_run(blk);
  uint64_t v[3];
  std::memcpy(v, jit.mem() + 0x500, 24);
  EXPECT_EQ(v[0], 0x123456789abcdef0u);
  EXPECT_EQ(v[1], 0xffffffff80000000u);
  EXPECT_EQ(v[2], 0x80000000u);
  EXPECT_EQ(jit.cpu().out[0], 0x123456789abcdef0u);
}

TEST(Load, FloatAndVectorSizes) {
  Jit jit;
  uint8_t bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = uint8_t(0x10 + i * 7);
  std::memcpy(jit.mem() + 0x600, bytes, 16);
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = 0x600;
  ir.insn_start(0x1000);
  Arg a = ir.get_state(Type::I64, jit.in_off(0));
  Arg f32 = ir.load(Type::F32, a, MemOp::k32);
  Arg f64 = ir.load(Type::F64, a, MemOp::k64);
  Arg v128 = ir.load(Type::V128, a, MemOp::k128);
  Arg v64 = ir.load(Type::V128, a, MemOp::k64);
  Arg v32 = ir.load(Type::V128, a, MemOp::k32);
  ir.set_state(jit.out_off(0), f32);
  ir.set_state(jit.out_off(1), f64);
  ir.set_state(jit.off(jit.cpu().vout[0]), v128);
  ir.set_state(jit.off(jit.cpu().vout[1]), v64);
  ir.set_state(jit.off(jit.cpu().vout[2]), v32);
  ir.store(ir.add(a, IRBuilder::imm64(0x100)), v128, MemOp::k128);
  ir.store(ir.add(a, IRBuilder::imm64(0x120)), f64, MemOp::k64);
  ir.store(ir.add(a, IRBuilder::imm64(0x130)), f32, MemOp::k32);
  finish(ir);
  std::memset(jit.cpu().out, 0, 16);
  jit.compile_and_run(blk);
  TestCpu& c = jit.cpu();
  EXPECT_EQ(std::memcmp(&c.out[0], bytes, 4), 0);
  EXPECT_EQ(std::memcmp(&c.out[1], bytes, 8), 0);
  EXPECT_EQ(std::memcmp(c.vout[0], bytes, 16), 0);
  uint8_t z[16] = {};
  EXPECT_EQ(std::memcmp(c.vout[1], bytes, 8), 0);
  EXPECT_EQ(std::memcmp(c.vout[1] + 8, z, 8), 0) << "a 64-bit vector load zero-fills the upper half";
  EXPECT_EQ(std::memcmp(c.vout[2], bytes, 4), 0);
  EXPECT_EQ(std::memcmp(c.vout[2] + 4, z, 12), 0);
  EXPECT_EQ(std::memcmp(jit.mem() + 0x700, bytes, 16), 0);
  EXPECT_EQ(std::memcmp(jit.mem() + 0x720, bytes, 8), 0);
  EXPECT_EQ(std::memcmp(jit.mem() + 0x730, bytes, 4), 0);
}

TEST(Alignment, MisalignedAlignedAccessExitsWithPreciseState) {
  Jit jit;
  for (bool imm_addr : {false, true})
    for (bool is_store : {false, true}) {
      jit.reset_cpu();
      Block blk;
      IRBuilder ir(blk);
      jit.cpu().in[0] = 0x802;
      ir.insn_start(0x1000);
      ir.set_state(jit.out_off(0), IRBuilder::imm64(1));  // before the fault: must be visible
      ir.insn_start(0x1004);
      Arg a = imm_addr ? IRBuilder::imm64(0x802) : ir.get_state(Type::I64, jit.in_off(0));
      if (is_store)
        ir.store(a, IRBuilder::imm32(7), MemOp::k32 | MemOp::kAligned);
      else
        ir.set_state(jit.out_off(2), ir.load(Type::I32, a, MemOp::k32 | MemOp::kAligned));
      ir.set_state(jit.out_off(1), IRBuilder::imm64(2));  // after: must not run
      finish(ir);
      jit.cpu().out[0] = jit.cpu().out[1] = 0;
      jit.compile_and_run(blk);
      EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitUnaligned));
      EXPECT_EQ(jit.cpu().pc, 0x1004u);
      EXPECT_EQ(jit.cpu().fault_addr, 0x802u);
      EXPECT_EQ(jit.cpu().out[0], 1u);
      EXPECT_EQ(jit.cpu().out[1], 0u);
    }
  // Aligned addresses pass, and kAligned on a byte never faults.
  jit.reset_cpu();
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = 0x808;
  ir.insn_start(0x1000);
  Arg a = ir.get_state(Type::I64, jit.in_off(0));
  ir.store(a, IRBuilder::imm64(0x55), MemOp::k64 | MemOp::kAligned);
  ir.store(ir.add(a, IRBuilder::imm64(1)), IRBuilder::imm32(0x66), MemOp::k8 | MemOp::kAligned);
  ir.set_state(jit.out_off(0), ir.load(Type::I64, IRBuilder::imm64(0x808), MemOp::k64 | MemOp::kAligned));
  finish(ir);
  jit.compile_and_run(blk);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitGuestBase));
  EXPECT_EQ(jit.cpu().out[0], 0x6655u);
}

uint64_t sext_bytes(uint64_t v, unsigned bytes) {
  if (bytes == 8) return v;
  uint64_t m = (1ull << (8 * bytes)) - 1;
  v &= m;
  return (v >> (8 * bytes - 1)) & 1 ? v | ~m : v;
}

TEST(Atomics, CompareAndSwapEverySize) {
  Jit jit;
  for (unsigned lg = 0; lg <= 3; ++lg)
    for (bool match : {true, false})
      for (bool sign : {false, true})
        for (bool live : {false, true}) {
          jit.reset_cpu();
          unsigned bytes = 1u << lg;
          uint64_t old = 0x8182838485868788ull, desired = 0x0102030405060708ull;
          std::memcpy(jit.mem() + 0x900, &old, 8);
          Block blk;
          IRBuilder ir(blk);
          jit.cpu().in[0] = 0x900;
          jit.cpu().in[1] = match ? old : 5;
          jit.cpu().in[2] = desired;
          ir.insn_start(0x1000);
          Arg a = ir.get_state(Type::I64, jit.in_off(0));
          Arg e = ir.get_state(Type::I64, jit.in_off(1));
          Arg d = ir.get_state(Type::I64, jit.in_off(2));
          Arg r = ir.atomic_cas(a, e, d, lg | (sign ? uint32_t(MemOp::kSigned) : 0u));
          ir.set_state(jit.out_off(0), r);
          if (live) ir.set_state(jit.out_off(1), e);
          finish(ir);
          jit.compile_and_run(blk);
          uint64_t m = bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
          uint64_t want_old = sign ? sext_bytes(old, bytes) : old & m;
          EXPECT_EQ(jit.cpu().out[0], want_old) << bytes << " match " << match;
          uint64_t now;
          std::memcpy(&now, jit.mem() + 0x900, 8);
          uint64_t want_mem = match ? (old & ~m) | (desired & m) : old;
          EXPECT_EQ(now, want_mem) << bytes << " match " << match;
          if (live) {
            EXPECT_EQ(jit.cpu().out[1], match ? old : 5u);
          }
        }
}

TEST(Atomics, ReadModifyWriteEveryOpAndSize) {
  Jit jit;
  const RmwOp ops[] = {RmwOp::Xchg, RmwOp::Add,  RmwOp::And,  RmwOp::Or,  RmwOp::Xor,
                       RmwOp::SMin, RmwOp::SMax, RmwOp::UMin, RmwOp::UMax};
  const uint64_t olds[] = {0x8182838485868788ull, 0x0102030405060708ull};
  const uint64_t vals[] = {0x7f7f7f7f7f7f7f7full, 0xf0f0f0f0f0f0f0f0ull, 3};
  for (RmwOp op : ops)
    for (unsigned lg = 0; lg <= 3; ++lg)
      for (uint64_t old : olds)
        for (uint64_t val : vals)
          for (Type t : {Type::I32, Type::I64}) {
            if (t == Type::I32 && lg == 3) continue;
            jit.reset_cpu();
            unsigned bytes = 1u << lg;
            std::memcpy(jit.mem() + 0xa00, &old, 8);
            Block blk;
            IRBuilder ir(blk);
            jit.cpu().in[0] = 0xa00;
            jit.cpu().in[1] = val;
            ir.insn_start(0x1000);
            Arg a = ir.get_state(Type::I64, jit.in_off(0));
            Arg v = ir.get_state(t, jit.in_off(1));
            ir.set_state(jit.out_off(0), ir.atomic_rmw(op, a, v, lg));
            ir.set_state(jit.out_off(1), v);
            finish(ir);
            jit.compile_and_run(blk);
            uint64_t m = bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
            uint64_t o = old & m, x = val & mask_of(t) & m;
            int64_t so = int64_t(sext_bytes(o, bytes)), sxv = int64_t(sext_bytes(x, bytes));
            uint64_t n = 0;
            switch (op) {
              case RmwOp::Xchg: n = x; break;
              case RmwOp::Add: n = o + x; break;
              case RmwOp::And: n = o & x; break;
              case RmwOp::Or: n = o | x; break;
              case RmwOp::Xor: n = o ^ x; break;
              case RmwOp::SMin: n = so < sxv ? o : x; break;
              case RmwOp::SMax: n = so > sxv ? o : x; break;
              case RmwOp::UMin: n = o < x ? o : x; break;
              case RmwOp::UMax: n = o > x ? o : x; break;
            }
            n &= m;
            uint64_t now;
            std::memcpy(&now, jit.mem() + 0xa00, 8);
            ASSERT_EQ(now, (old & ~m) | n) << rmw_name(op) << " size " << bytes << " " << type_name(t);
            ASSERT_EQ(jit.cpu().out[0] & mask_of(t), o) << rmw_name(op) << " result, size " << bytes;
            ASSERT_EQ(jit.cpu().out[1] & mask_of(t), val & mask_of(t)) << rmw_name(op) << " clobbered operand";
          }
}

TEST(Atomics, ImmediateAddressesAndFences) {
  Jit jit;
  uint32_t init = 40;
  std::memcpy(jit.mem() + 0xb00, &init, 4);
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  ir.fence(FenceKind::Full);
  ir.fence(FenceKind::Acquire);
  Arg r = ir.atomic_rmw(RmwOp::Add, IRBuilder::imm64(0xb00), IRBuilder::imm32(2), MemOp::k32);
  Arg c = ir.atomic_cas(IRBuilder::imm64(0xb00), IRBuilder::imm32(42), IRBuilder::imm32(99), MemOp::k32);
  ir.fence(FenceKind::Release);
  ir.set_state(jit.out_off(0), r);
  ir.set_state(jit.out_off(1), c);
  finish(ir);
  jit.compile_and_run(blk);
  uint32_t now;
  std::memcpy(&now, jit.mem() + 0xb00, 4);
  EXPECT_EQ(now, 99u);
  EXPECT_EQ(jit.cpu().out[0] & 0xffffffff, 40u);
  EXPECT_EQ(jit.cpu().out[1] & 0xffffffff, 42u);
}

TEST(Atomics, MisalignedAtomicFaults) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = 0xc01;
  ir.insn_start(0x1040);
  Arg a = ir.get_state(Type::I64, jit.in_off(0));
  ir.set_state(jit.out_off(0), ir.atomic_rmw(RmwOp::Or, a, IRBuilder::imm64(1), MemOp::k64 | MemOp::kAligned));
  finish(ir);
  jit.compile_and_run(blk);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitUnaligned));
  EXPECT_EQ(jit.cpu().fault_addr, 0xc01u);
  EXPECT_EQ(jit.cpu().pc, 0x1040u);
}

}  // namespace
}  // namespace mimic::tcg::test
