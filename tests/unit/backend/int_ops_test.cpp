// Execution tests of the integer ops of the x86-64 backend against C++ reference arithmetic,
// in every operand form (register/register with live or dying inputs, register/immediate,
// immediate/register, both immediates, the same value twice) for I32 and I64.
#include <climits>

#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

// ---- reference semantics, written from the op descriptions in opcodes.inc ----
int64_t sx(Type t, uint64_t v) { return t == Type::I64 ? int64_t(v) : int64_t(int32_t(uint32_t(v))); }

uint64_t ref_binary(Opcode op, Type t, uint64_t a, uint64_t b) {
  const uint64_t m = mask_of(t);
  const unsigned w = t == Type::I64 ? 64 : 32;
  const bool w64 = t == Type::I64;
  a &= m;
  b &= m;
  const int64_t sa = sx(t, a), sb = sx(t, b);
  const int64_t min = w64 ? INT64_MIN : INT32_MIN;
  const unsigned n = unsigned(b % w);
  switch (op) {
    case Opcode::Add: return (a + b) & m;
    case Opcode::Sub: return (a - b) & m;
    case Opcode::Mul: return (a * b) & m;
    case Opcode::MulHS: return w64 ? uint64_t((__int128(sa) * __int128(sb)) >> 64) : uint64_t((sa * sb) >> 32) & m;
    case Opcode::MulHU: return w64 ? uint64_t((unsigned __int128)a * b >> 64) : (a * b) >> 32;
    case Opcode::MulHSU:
      return w64 ? uint64_t((__int128(sa) * __int128(b)) >> 64) : uint64_t((sa * int64_t(b)) >> 32) & m;
    case Opcode::DivS:
      if (b == 0) return m;
      if (sa == min && sb == -1) return a;
      return uint64_t(sa / sb) & m;
    case Opcode::DivU: return b == 0 ? m : a / b;
    case Opcode::RemS:
      if (b == 0) return a;
      if (sa == min && sb == -1) return 0;
      return uint64_t(sa % sb) & m;
    case Opcode::RemU: return b == 0 ? a : a % b;
    case Opcode::And: return a & b;
    case Opcode::Or: return a | b;
    case Opcode::Xor: return a ^ b;
    case Opcode::AndC: return a & ~b & m;
    case Opcode::OrC: return (a | ~b) & m;
    case Opcode::Shl: return (a << n) & m;
    case Opcode::Shr: return a >> n;
    case Opcode::Sar: return uint64_t(sa >> n) & m;
    case Opcode::Rotl: return n ? ((a << n) | (a >> (w - n))) & m : a;
    case Opcode::Rotr: return n ? ((a >> n) | (a << (w - n))) & m : a;
    default: ADD_FAILURE() << "no reference for " << op_name(op); return 0;
  }
}

const std::vector<uint64_t> kValues64 = {0,
                                         1,
                                         2,
                                         7,
                                         31,
                                         32,
                                         63,
                                         64,
                                         0xff,
                                         0x80,
                                         0x7fffffff,
                                         0x80000000,
                                         0xffffffff,
                                         0x100000000,
                                         0x123456789abcdef0,
                                         0x7fffffffffffffff,
                                         0x8000000000000000,
                                         ~0ull,
                                         ~0ull - 1,
                                         0xfffffffffffffff9};

const std::vector<uint64_t> kValues32 = {0,          1,          2,          3,          7,          31,
                                         32,         33,         0xff,       0x80,       0x7fff,     0x8000,
                                         0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x12345678, 0xfffffff9};

enum class Form { RegRegLive, RegRegDead, RegImm, ImmReg, ImmImm, Same };
constexpr Form kForms[] = {Form::RegRegLive, Form::RegRegDead, Form::RegImm, Form::ImmReg, Form::ImmImm, Form::Same};

// Runs `op` on (a, b) in one operand form; returns out[0]. Also checks that I32 results are kept
// zero-extended and that live inputs are not clobbered by two-operand x86 forms.
uint64_t run_binary(Jit& jit, Opcode op, Type t, uint64_t a, uint64_t b, Form form, const BackendOptions& opt) {
  Block blk;
  IRBuilder ir(blk);
  jit.reset_cpu();
  TestCpu& cpu = jit.cpu();
  cpu.in[0] = a;
  cpu.in[1] = b;
  cpu.out[0] = cpu.out[1] = cpu.out[2] = cpu.out[3] = 0xdeadbeefdeadbeefull;
  ir.insn_start(0x1000);
  bool imm_a = form == Form::ImmReg || form == Form::ImmImm;
  bool imm_b = form == Form::RegImm || form == Form::ImmImm;
  Arg x = imm_a ? IRBuilder::imm(t, a) : ir.get_state(t, jit.in_off(0));
  Arg y = imm_b ? IRBuilder::imm(t, b) : ir.get_state(t, jit.in_off(1));
  if (form == Form::Same) y = x;
  Arg r = ir.emit(op, t, {x, y});
  ir.set_state(jit.out_off(0), r);
  if (t == Type::I32) ir.set_state(jit.out_off(1), ir.zext32_to_64(r));
  if (form == Form::RegRegLive) {
    ir.set_state(jit.out_off(2), x);
    ir.set_state(jit.out_off(3), y);
  }
  finish(ir);
  jit.compile_and_run(blk, opt);
  EXPECT_EQ(cpu.exit_reason, uint32_t(kExitGuestBase));
  EXPECT_EQ(cpu.pc, kEndPc);
  uint64_t m = mask_of(t);
  uint64_t res = cpu.out[0];
  if (t == Type::I32) {
    EXPECT_EQ(res >> 32, 0xdeadbeefu) << "an I32 SetState wrote 8 bytes";
    res &= m;
    EXPECT_EQ(cpu.out[1], res) << op_name(op) << ": I32 result not zero-extended in its register";
  }
  if (form == Form::RegRegLive) {
    EXPECT_EQ(cpu.out[2] & m, a & m) << op_name(op) << ": live input A0 clobbered";
    EXPECT_EQ(cpu.out[3] & m, b & m) << op_name(op) << ": live input A1 clobbered";
  }
  return res;
}

struct BinCase {
  Opcode op;
};

class BinaryOps : public ::testing::TestWithParam<std::tuple<Opcode, bool>> {};

TEST_P(BinaryOps, MatchReferenceInEveryForm) {
  auto [op, bmi] = GetParam();
  Jit jit;
  BackendOptions opt;
  opt.allow_bmi2 = bmi;
  for (Type t : {Type::I32, Type::I64}) {
    const auto& vals = t == Type::I64 ? kValues64 : kValues32;
    for (uint64_t a : vals)
      for (uint64_t b : vals)
        for (Form f : kForms) {
          uint64_t bb = f == Form::Same ? a : b;
          if (f == Form::Same && b != vals[0]) continue;
          uint64_t got = run_binary(jit, op, t, a, bb, f, opt);
          uint64_t want = ref_binary(op, t, a, bb);
          ASSERT_EQ(got, want) << op_name(op) << " " << type_name(t) << " a=0x" << std::hex << a << " b=0x" << bb
                               << " form=" << int(f) << " bmi=" << bmi;
        }
  }
}

INSTANTIATE_TEST_SUITE_P(Backend, BinaryOps,
                         ::testing::Combine(::testing::Values(Opcode::Add, Opcode::Sub, Opcode::Mul, Opcode::MulHS,
                                                              Opcode::MulHU, Opcode::MulHSU, Opcode::DivS, Opcode::DivU,
                                                              Opcode::RemS, Opcode::RemU, Opcode::And, Opcode::Or,
                                                              Opcode::Xor, Opcode::AndC, Opcode::OrC, Opcode::Shl,
                                                              Opcode::Shr, Opcode::Sar, Opcode::Rotl, Opcode::Rotr),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(op_name(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) ? "_bmi" : "_nobmi");
                         });

// ---- carry chains ----
struct CarryRef {
  uint64_t value, carry, overflow;
};
CarryRef ref_addc(Type t, uint64_t a, uint64_t b, uint64_t c) {
  uint64_t m = mask_of(t);
  unsigned w = t == Type::I64 ? 64 : 32;
  a &= m, b &= m, c &= 1;
  unsigned __int128 full = (unsigned __int128)a + b + c;
  __int128 sfull = __int128(sx(t, a)) + sx(t, b) + c;
  uint64_t v = uint64_t(full) & m;
  bool ovf = sfull != __int128(sx(t, v));
  return {v, uint64_t(full >> w) & 1, ovf};
}
CarryRef ref_subb(Type t, uint64_t a, uint64_t b, uint64_t c) {
  uint64_t m = mask_of(t);
  a &= m, b &= m, c &= 1;
  __int128 ufull = __int128(a) - __int128(b) - __int128(c);
  __int128 sfull = __int128(sx(t, a)) - sx(t, b) - c;
  uint64_t v = uint64_t(ufull) & m;
  return {v, ufull < 0, sfull != __int128(sx(t, v))};
}

TEST(CarryOps, AddSubWithCarryInMatchReference) {
  Jit jit;
  const Opcode ops[] = {Opcode::AddC, Opcode::AddCarry,  Opcode::AddOverflow,
                        Opcode::SubB, Opcode::SubBorrow, Opcode::SubOverflow};
  for (Type t : {Type::I32, Type::I64}) {
    const auto& vals = t == Type::I64 ? kValues64 : kValues32;
    for (Opcode op : ops)
      for (uint64_t a : vals)
        for (uint64_t b : vals)
          for (uint64_t cin : {0ull, 1ull, 2ull, 3ull})
            for (int form = 0; form < 4; ++form) {
              // form: 0 all registers (carry I64), 1 carry immediate, 2 B immediate, 3 carry I32 register
              Block blk;
              IRBuilder ir(blk);
              jit.reset_cpu();
              TestCpu& cpu = jit.cpu();
              cpu.in[0] = a, cpu.in[1] = b, cpu.in[2] = cin;
              ir.insn_start(0x1000);
              Arg x = ir.get_state(t, jit.in_off(0));
              Arg y = form == 2 ? IRBuilder::imm(t, b) : ir.get_state(t, jit.in_off(1));
              Arg c = form == 1   ? IRBuilder::imm64(cin)
                      : form == 3 ? ir.get_state(Type::I32, jit.in_off(2))
                                  : ir.get_state(Type::I64, jit.in_off(2));
              ir.set_state(jit.out_off(0), ir.emit(op, t, {x, y, c}));
              finish(ir);
              jit.compile_and_run(blk);
              CarryRef r = (op == Opcode::AddC || op == Opcode::AddCarry || op == Opcode::AddOverflow)
                               ? ref_addc(t, a, b, cin)
                               : ref_subb(t, a, b, cin);
              uint64_t want = (op == Opcode::AddC || op == Opcode::SubB)            ? r.value
                              : (op == Opcode::AddCarry || op == Opcode::SubBorrow) ? r.carry
                                                                                    : r.overflow;
              ASSERT_EQ(cpu.out[0] & mask_of(t), want)
                  << op_name(op) << " " << type_name(t) << std::hex << " a=" << a << " b=" << b << " c=" << cin;
            }
  }
}

// ---- unary ops ----
uint64_t ref_unary(Opcode op, Type t, uint64_t a) {
  uint64_t m = mask_of(t);
  unsigned w = t == Type::I64 ? 64 : 32;
  a &= m;
  switch (op) {
    case Opcode::Neg: return (0 - a) & m;
    case Opcode::Not: return ~a & m;
    case Opcode::Clz: {
      unsigned n = 0;
      for (int i = int(w) - 1; i >= 0 && !((a >> i) & 1); --i) ++n;
      return n;
    }
    case Opcode::Ctz: {
      unsigned n = 0;
      for (unsigned i = 0; i < w && !((a >> i) & 1); ++i) ++n;
      return n;
    }
    case Opcode::Popcnt: {
      unsigned n = 0;
      for (unsigned i = 0; i < w; ++i) n += (a >> i) & 1;
      return n;
    }
    case Opcode::Bswap16: return ((a & 0xff) << 8) | ((a >> 8) & 0xff);
    case Opcode::Bswap32: {
      uint64_t r = 0;
      for (int i = 0; i < 4; ++i) r |= ((a >> (8 * i)) & 0xff) << (8 * (3 - i));
      return r;
    }
    case Opcode::Bswap64: {
      uint64_t r = 0;
      for (int i = 0; i < 8; ++i) r |= ((a >> (8 * i)) & 0xff) << (8 * (7 - i));
      return r;
    }
    default: ADD_FAILURE(); return 0;
  }
}

TEST(UnaryOps, MatchReference) {
  Jit jit;
  const Opcode ops[] = {Opcode::Neg,    Opcode::Not,     Opcode::Clz,     Opcode::Ctz,
                        Opcode::Popcnt, Opcode::Bswap16, Opcode::Bswap32, Opcode::Bswap64};
  for (bool bmi : {true, false}) {
    BackendOptions opt;
    opt.allow_bmi2 = bmi;
    for (Type t : {Type::I32, Type::I64})
      for (Opcode op : ops) {
        if (op == Opcode::Bswap64 && t == Type::I32) continue;
        for (uint64_t a : kValues64)
          for (bool live : {false, true}) {
            Block blk;
            IRBuilder ir(blk);
            jit.reset_cpu();
            jit.cpu().in[0] = a;
            ir.insn_start(0x1000);
            Arg x = ir.get_state(t, jit.in_off(0));
            Arg r = ir.emit(op, t, {x});
            ir.set_state(jit.out_off(0), r);
            if (t == Type::I32) ir.set_state(jit.out_off(1), ir.zext32_to_64(r));
            if (live) ir.set_state(jit.out_off(2), x);
            finish(ir);
            jit.compile_and_run(blk, opt);
            uint64_t want = ref_unary(op, t, a);
            ASSERT_EQ(jit.cpu().out[0] & mask_of(t), want)
                << op_name(op) << " " << type_name(t) << " a=0x" << std::hex << a << " bmi=" << bmi;
            if (t == Type::I32) {
              ASSERT_EQ(jit.cpu().out[1], want) << op_name(op) << " not zero-extended";
            }
            if (live) {
              ASSERT_EQ(jit.cpu().out[2] & mask_of(t), a & mask_of(t)) << op_name(op) << " clobbered input";
            }
          }
      }
  }
}

TEST(UnaryOps, ImmediateOperandsAreMaterialised) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  ir.set_state(jit.out_off(0), ir.neg(IRBuilder::imm64(0x123456789abcdef0)));
  ir.set_state(jit.out_off(1), ir.clz(IRBuilder::imm64(0x0000000100000000)));
  ir.set_state(jit.out_off(2), ir.bswap64(IRBuilder::imm64(0x0102030405060708)));
  ir.set_state(jit.out_off(3), ir.not_(IRBuilder::imm32(0x0f0f0f0f)));
  finish(ir);
  jit.compile_and_run(blk);
  EXPECT_EQ(jit.cpu().out[0], uint64_t(-0x123456789abcdef0ll));
  EXPECT_EQ(jit.cpu().out[1], 31u);
  EXPECT_EQ(jit.cpu().out[2], 0x0807060504030201ull);
  EXPECT_EQ(jit.cpu().out[3] & 0xffffffff, 0xf0f0f0f0u);
}

// ---- width changes and bit fields ----
TEST(WidthOps, ExtendAndTruncate) {
  Jit jit;
  for (uint64_t a : kValues64) {
    Block blk;
    IRBuilder ir(blk);
    jit.reset_cpu();
    jit.cpu().in[0] = a;
    ir.insn_start(0x1000);
    Arg x64 = ir.get_state(Type::I64, jit.in_off(0));
    Arg x32 = ir.get_state(Type::I32, jit.in_off(0));
    int o = 0;
    for (unsigned bits : {8u, 16u, 32u}) {
      ir.set_state(jit.out_off(o++), ir.zext(x64, bits));
      ir.set_state(jit.out_off(o++), ir.sext(x64, bits));
      ir.set_state(jit.out_off(o++), ir.zext32_to_64(ir.zext(x32, bits)));
      ir.set_state(jit.out_off(o++), ir.zext32_to_64(ir.sext(x32, bits)));
    }
    ir.set_state(jit.out_off(o++), ir.zext32_to_64(x32));
    ir.set_state(jit.out_off(o++), ir.sext32_to_64(x32));
    ir.set_state(jit.out_off(o++), ir.zext32_to_64(ir.trunc64_to_32(x64)));
    finish(ir);
    jit.compile_and_run(blk);
    const uint64_t* out = jit.cpu().out;
    o = 0;
    for (unsigned bits : {8u, 16u, 32u}) {
      uint64_t lm = bits == 32 ? 0xffffffffull : (1ull << bits) - 1;
      uint64_t z = a & lm;
      int64_t s = (z >> (bits - 1)) & 1 ? int64_t(z | ~lm) : int64_t(z);
      EXPECT_EQ(out[o++], z) << "zext64 " << bits;
      EXPECT_EQ(out[o++], uint64_t(s)) << "sext64 " << bits;
      EXPECT_EQ(out[o++], z & 0xffffffff) << "zext32 " << bits;
      EXPECT_EQ(out[o++], uint64_t(s) & 0xffffffff) << "sext32 " << bits;
    }
    EXPECT_EQ(out[o++], a & 0xffffffff);
    EXPECT_EQ(out[o++], uint64_t(int64_t(int32_t(uint32_t(a)))));
    EXPECT_EQ(out[o++], a & 0xffffffff);
  }
}

// 32-bit ops on the low halves of 64-bit state fields: Trunc64To32 of a GetState is read straight
// from the env field (as a 32-bit ALU memory operand or a movsxd/movzx source) unless the field
// is written before the truncated value's last use; extensions read memory sources narrowly.
TEST(WidthOps, LowHalfOfStateFieldsAsMemoryOperands) {
  Jit jit;
  const std::vector<uint64_t> others = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff80000000, 0x123456789abcdef0};
  for (uint64_t a : kValues64) {
    for (uint64_t b : others) {
      Block blk;
      IRBuilder ir(blk);
      jit.reset_cpu();
      jit.cpu().in[0] = a;
      jit.cpu().in[1] = b;
      ir.insn_start(0x1000);
      Arg x = ir.get_state(Type::I64, jit.in_off(0));
      Arg y = ir.get_state(Type::I64, jit.in_off(1));
      Arg tx = ir.trunc64_to_32(x), ty = ir.trunc64_to_32(y);
      int o = 0;
      ir.set_state(jit.out_off(o++), ir.sext32_to_64(ir.add(tx, ty)));
      ir.set_state(jit.out_off(o++), ir.sext32_to_64(ir.sub(tx, ty)));
      ir.set_state(jit.out_off(o++), ir.sext32_to_64(ty));
      ir.set_state(jit.out_off(o++), ir.zext32_to_64(ty));
      ir.set_state(jit.out_off(o++), ir.sext(y, 8));
      ir.set_state(jit.out_off(o++), ir.zext(y, 16));
      ir.set_state(jit.out_off(o++), ir.sext(y, 32));
      ir.set_state(jit.out_off(o++), ir.extract(y, 0, 16));
      ir.set_state(jit.out_off(o++), ir.sextract(y, 0, 32));
      ir.set_state(jit.out_off(o++), ir.zext32_to_64(ir.zext(ty, 8)));
      // in[0] is overwritten while tx is still live: tx must not be read from the field after it.
      ir.set_state(jit.in_off(0), IRBuilder::imm64(0x5555555555555555));
      ir.set_state(jit.out_off(o++), ir.sext32_to_64(ir.xor_(ty, tx)));
      ir.set_state(jit.out_off(o++), ir.sext32_to_64(ir.shl(tx, IRBuilder::imm32(3))));
      finish(ir);
      jit.compile_and_run(blk);
      const uint64_t* out = jit.cpu().out;
      auto s32 = [](uint64_t v) { return uint64_t(int64_t(int32_t(uint32_t(v)))); };
      o = 0;
      EXPECT_EQ(out[o++], s32(a + b)) << a << " " << b;
      EXPECT_EQ(out[o++], s32(a - b));
      EXPECT_EQ(out[o++], s32(b));
      EXPECT_EQ(out[o++], b & 0xffffffff);
      EXPECT_EQ(out[o++], uint64_t(int64_t(int8_t(uint8_t(b)))));
      EXPECT_EQ(out[o++], b & 0xffff);
      EXPECT_EQ(out[o++], s32(b));
      EXPECT_EQ(out[o++], b & 0xffff);
      EXPECT_EQ(out[o++], s32(b));
      EXPECT_EQ(out[o++], b & 0xff);
      EXPECT_EQ(out[o++], s32(a ^ b));
      EXPECT_EQ(out[o++], s32(a << 3));
    }
  }
}

TEST(BitFieldOps, ExtractSExtractDepositMatchReference) {
  Jit jit;
  const uint64_t a = 0x8badf00ddeadbeefull, b = 0xfedcba9876543210ull;
  for (Type t : {Type::I32, Type::I64}) {
    unsigned w = t == Type::I64 ? 64 : 32;
    uint64_t m = mask_of(t);
    for (unsigned pos = 0; pos < w; pos += (pos < 4 ? 1 : 7))
      for (unsigned len : {1u, 3u, 8u, 16u, 17u, 31u, 32u, 33u, 63u, 64u}) {
        if (pos + len > w) continue;
        for (bool imm_val : {false, true}) {
          Block blk;
          IRBuilder ir(blk);
          jit.reset_cpu();
          jit.cpu().in[0] = a;
          jit.cpu().in[1] = b;
          ir.insn_start(0x1000);
          Arg x = ir.get_state(t, jit.in_off(0));
          Arg y = imm_val ? IRBuilder::imm(t, 0x5a5) : ir.get_state(t, jit.in_off(1));
          ir.set_state(jit.out_off(0), ir.extract(x, pos, len));
          ir.set_state(jit.out_off(1), ir.sextract(x, pos, len));
          ir.set_state(jit.out_off(2), ir.deposit(x, y, pos, len));
          ir.set_state(jit.out_off(3), ir.deposit(x, x, pos, len));
          finish(ir);
          jit.compile_and_run(blk);
          uint64_t lm = len == 64 ? ~0ull : (1ull << len) - 1;
          uint64_t av = a & m, bv = (imm_val ? 0x5a5 : b) & m;
          uint64_t field = (av >> pos) & lm;
          uint64_t sfield = ((field >> (len - 1)) & 1) ? (field | ~lm) & m : field;
          uint64_t dep = ((av & ~(lm << pos)) | ((bv & lm) << pos)) & m;
          uint64_t dep_self = ((av & ~(lm << pos)) | ((av & lm) << pos)) & m;
          const uint64_t* out = jit.cpu().out;
          ASSERT_EQ(out[0] & m, field) << type_name(t) << " extract " << pos << "," << len;
          ASSERT_EQ(out[1] & m, sfield) << type_name(t) << " sextract " << pos << "," << len;
          ASSERT_EQ(out[2] & m, dep) << type_name(t) << " deposit " << pos << "," << len << " imm=" << imm_val;
          ASSERT_EQ(out[3] & m, dep_self) << type_name(t) << " deposit self " << pos << "," << len;
        }
      }
  }
}

// ---- comparisons ----
bool ref_cond(Cond c, Type t, uint64_t a, uint64_t b) {
  uint64_t m = mask_of(t);
  a &= m, b &= m;
  int64_t sa = sx(t, a), sb = sx(t, b);
  switch (c) {
    case Cond::Eq: return a == b;
    case Cond::Ne: return a != b;
    case Cond::LtS: return sa < sb;
    case Cond::LeS: return sa <= sb;
    case Cond::GtS: return sa > sb;
    case Cond::GeS: return sa >= sb;
    case Cond::LtU: return a < b;
    case Cond::LeU: return a <= b;
    case Cond::GtU: return a > b;
    case Cond::GeU: return a >= b;
    case Cond::TstEq: return (a & b) == 0;
    case Cond::TstNe: return (a & b) != 0;
  }
  return false;
}

TEST(Compare, SetCondBrCondSelectMatchReference) {
  Jit jit;
  const uint64_t vals[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x8000000000000000ull, ~0ull};
  for (Type t : {Type::I32, Type::I64})
    for (int ci = 0; ci <= int(Cond::TstNe); ++ci)
      for (uint64_t a : vals)
        for (uint64_t b : vals)
          for (bool imm_b : {false, true}) {
            Cond c = Cond(ci);
            Block blk;
            IRBuilder ir(blk);
            jit.reset_cpu();
            jit.cpu().in[0] = a, jit.cpu().in[1] = b;
            ir.insn_start(0x1000);
            Arg x = ir.get_state(t, jit.in_off(0));
            Arg y = imm_b ? IRBuilder::imm(t, b) : ir.get_state(t, jit.in_off(1));
            Arg s32 = ir.setcond(c, x, y, Type::I32);
            Arg s64 = ir.setcond(c, x, y, Type::I64);
            ir.set_state(jit.out_off(0), s32);
            ir.set_state(jit.out_off(1), s64);
            ir.set_state(jit.out_off(2), ir.select(s32, IRBuilder::imm64(111), ir.get_state(Type::I64, jit.in_off(5))));
            uint32_t taken = ir.new_label();
            ir.set_state(jit.out_off(3), IRBuilder::imm64(10));
            ir.br_cond(c, x, y, taken);
            ir.set_state(jit.out_off(3), IRBuilder::imm64(20));
            ir.label(taken);
            finish(ir);
            jit.cpu().in[5] = 222;
            jit.compile_and_run(blk);
            bool want = ref_cond(c, t, a, b);
            const uint64_t* out = jit.cpu().out;
            ASSERT_EQ(out[0] & 0xffffffff, uint64_t(want))
                << cond_name(c) << " " << type_name(t) << std::hex << " " << a << " " << b;
            ASSERT_EQ(out[1], uint64_t(want)) << cond_name(c);
            ASSERT_EQ(out[2], want ? 111u : 222u) << cond_name(c);
            ASSERT_EQ(out[3], want ? 10u : 20u)
                << "brcond " << cond_name(c) << " " << type_name(t) << std::hex << " " << a << " " << b;
          }
}

TEST(Compare, SelectForms) {
  Jit jit;
  for (uint64_t cval : {0ull, 1ull, 0x100000000ull}) {
    Block blk;
    IRBuilder ir(blk);
    jit.reset_cpu();
    jit.cpu().in[0] = cval;
    jit.cpu().in[1] = 0x1111111111111111;
    jit.cpu().in[2] = 0x2222222222222222;
    ir.insn_start(0x1000);
    Arg c64 = ir.get_state(Type::I64, jit.in_off(0));
    Arg c32 = ir.get_state(Type::I32, jit.in_off(0));
    Arg t = ir.get_state(Type::I64, jit.in_off(1));
    Arg f = ir.get_state(Type::I64, jit.in_off(2));
    ir.set_state(jit.out_off(0), ir.select(c64, t, f));
    ir.set_state(jit.out_off(1), ir.select(c32, t, f));  // condition is only the low 32 bits
    ir.set_state(jit.out_off(2), ir.select(IRBuilder::imm32(1), t, f));
    ir.set_state(jit.out_off(3), ir.select(IRBuilder::imm32(0), t, IRBuilder::imm64(0x123456789)));
    ir.set_state(jit.out_off(4), ir.select(c64, IRBuilder::imm32(5), IRBuilder::imm32(6)));
    ir.set_state(jit.out_off(5), t);
    ir.set_state(jit.out_off(6), f);
    finish(ir);
    jit.compile_and_run(blk);
    const uint64_t* out = jit.cpu().out;
    EXPECT_EQ(out[0], cval ? 0x1111111111111111u : 0x2222222222222222u);
    EXPECT_EQ(out[1], uint32_t(cval) ? 0x1111111111111111u : 0x2222222222222222u);
    EXPECT_EQ(out[2], 0x1111111111111111u);
    EXPECT_EQ(out[3], 0x123456789u);
    EXPECT_EQ(out[4] & 0xffffffff, cval ? 5u : 6u);
    EXPECT_EQ(out[5], 0x1111111111111111u);
    EXPECT_EQ(out[6], 0x2222222222222222u);
  }
}

TEST(Mov, CopiesAllTypes) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = 0xabcdef0123456789;
  ir.insn_start(0x1000);
  Arg x = ir.get_state(Type::I64, jit.in_off(0));
  ir.set_state(jit.out_off(0), ir.mov(x));
  ir.set_state(jit.out_off(1), ir.mov(IRBuilder::imm64(0xfedcba9876543210)));
  ir.set_state(jit.out_off(2), ir.mov(ir.get_state(Type::F64, jit.in_off(0))));
  ir.set_state(jit.out_off(3), x);
  finish(ir);
  jit.compile_and_run(blk);
  EXPECT_EQ(jit.cpu().out[0], 0xabcdef0123456789u);
  EXPECT_EQ(jit.cpu().out[1], 0xfedcba9876543210u);
  EXPECT_EQ(jit.cpu().out[2], 0xabcdef0123456789u);
  EXPECT_EQ(jit.cpu().out[3], 0xabcdef0123456789u);
}

// Regression (found by the difftest): a live value that happens to sit in rcx, and is not an
// operand, must be moved out before a variable rotate loads its count into rcx.
TEST(RegAlloc, UnrelatedValueInFixedRegisterIsMovedOut) {
  for (bool bmi : {true, false}) {
    Jit jit;
    Block blk;
    IRBuilder ir(blk);
    jit.cpu().in[0] = 0x0123456789abcdef;
    jit.cpu().in[1] = 12;
    jit.cpu().in[2] = 0x7777;
    ir.insn_start(0x1000);
    Arg x = ir.get_state(Type::I64, jit.in_off(0));
    Arg n = ir.get_state(Type::I64, jit.in_off(1));
    Arg pressure[12];  // occupy the preferred registers so later results land in rcx
    for (int i = 0; i < 12; ++i) pressure[i] = ir.add(ir.get_state(Type::I64, jit.in_off(2)), IRBuilder::imm64(i));
    Arg other = ir.xor_(ir.get_state(Type::I64, jit.in_off(2)), IRBuilder::imm64(0x5555));
    ir.set_state(jit.out_off(0), ir.rotr(x, n));
    ir.set_state(jit.out_off(1), ir.rotl(x, n));
    ir.set_state(jit.out_off(2), other);
    for (int i = 0; i < 12; ++i) ir.set_state(jit.out_off(3 + i), pressure[i]);
    finish(ir);
    BackendOptions opt;
    opt.allow_bmi2 = bmi;
    jit.compile_and_run(blk, opt);
    uint64_t v = 0x0123456789abcdef;
    EXPECT_EQ(jit.cpu().out[0], (v >> 12) | (v << 52)) << "bmi " << bmi;
    EXPECT_EQ(jit.cpu().out[1], (v << 12) | (v >> 52)) << "bmi " << bmi;
    EXPECT_EQ(jit.cpu().out[2], 0x7777u ^ 0x5555u);
    for (int i = 0; i < 12; ++i) EXPECT_EQ(jit.cpu().out[3 + i], 0x7777u + i);
  }
}

}  // namespace
}  // namespace mimic::tcg::test
