// Execution tests of the scalar floating-point and 128-bit vector ops of the x86-64 backend.
#include <cmath>
#include <cstring>
#include <limits>

#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

template <typename T, typename B>
T from_bits(B b) {
  T t;
  std::memcpy(&t, &b, sizeof t);
  return t;
}
template <typename T>
uint64_t to_bits(T t) {
  uint64_t b = 0;
  std::memcpy(&b, &t, sizeof t);
  return b;
}

const std::vector<double> kDoubles = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.5,
                                      3.25,
                                      1e300,
                                      -1e-300,
                                      4.9e-324,
                                      2147483648.0,
                                      -2147483649.0,
                                      9.3e18,
                                      -9.3e18,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::quiet_NaN()};

// Result bits must match the reference, except that any NaN matches any NaN.
template <typename T>
void expect_same(uint64_t got_bits, T want, const char* what, T a, T b) {
  T got = from_bits<T>(got_bits & (sizeof(T) == 4 ? 0xffffffffull : ~0ull));
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << what << " " << a << " " << b;
  } else {
    EXPECT_EQ(to_bits(got), to_bits(want)) << what << " " << a << " " << b << " got " << got;
  }
}

template <typename T>
void run_arith(Jit& jit, Type t) {
  for (double da : kDoubles)
    for (double db : kDoubles) {
      T a = T(da), b = T(db);
      jit.reset_cpu();
      jit.cpu().in[0] = to_bits(a);
      jit.cpu().in[1] = to_bits(b);
      Block blk;
      IRBuilder ir(blk);
      ir.insn_start(0x1000);
      Arg x = ir.get_state(t, jit.in_off(0));
      Arg y = ir.get_state(t, jit.in_off(1));
      ir.set_state(jit.out_off(0), ir.fadd(x, y));
      ir.set_state(jit.out_off(1), ir.fsub(x, y));
      ir.set_state(jit.out_off(2), ir.fmul(x, y));
      ir.set_state(jit.out_off(3), ir.fdiv(x, y));
      ir.set_state(jit.out_off(4), ir.fsqrt(x));
      ir.set_state(jit.out_off(5), ir.fneg(x));
      ir.set_state(jit.out_off(6), ir.fabs(x));
      ir.set_state(jit.out_off(7), ir.fsub(x, x));
      ir.set_state(jit.out_off(8), x);  // live inputs survive the two-operand forms
      ir.set_state(jit.out_off(9), y);
      finish(ir);
      jit.compile_and_run(blk);
      const uint64_t* o = jit.cpu().out;
      volatile T va = a, vb = b;  // keep the reference at run time, on the host's SSE unit
      expect_same<T>(o[0], va + vb, "fadd", a, b);
      expect_same<T>(o[1], va - vb, "fsub", a, b);
      expect_same<T>(o[2], va * vb, "fmul", a, b);
      expect_same<T>(o[3], va / vb, "fdiv", a, b);
      expect_same<T>(o[4], std::sqrt(T(va)), "fsqrt", a, b);
      EXPECT_EQ(o[5] & mask_of(t == Type::F32 ? Type::I32 : Type::I64),
                to_bits(a) ^ (sizeof(T) == 4 ? 0x80000000ull : 0x8000000000000000ull));
      EXPECT_EQ(o[6] & mask_of(t == Type::F32 ? Type::I32 : Type::I64),
                to_bits(a) & (sizeof(T) == 4 ? 0x7fffffffull : 0x7fffffffffffffffull));
      expect_same<T>(o[7], va - va, "fsub self", a, a);
      EXPECT_EQ(o[8] & mask_of(t == Type::F32 ? Type::I32 : Type::I64), to_bits(a));
      EXPECT_EQ(o[9] & mask_of(t == Type::F32 ? Type::I32 : Type::I64), to_bits(b));
    }
}

TEST(Float, ArithmeticF64) {
  Jit jit;
  run_arith<double>(jit, Type::F64);
}
TEST(Float, ArithmeticF32) {
  Jit jit;
  run_arith<float>(jit, Type::F32);
}

template <typename T>
void run_cmp(Jit& jit, Type t) {
  for (double da : kDoubles)
    for (double db : kDoubles) {
      T a = T(da), b = T(db);
      jit.reset_cpu();
      jit.cpu().in[0] = to_bits(a);
      jit.cpu().in[1] = to_bits(b);
      Block blk;
      IRBuilder ir(blk);
      ir.insn_start(0x1000);
      Arg x = ir.get_state(t, jit.in_off(0));
      Arg y = ir.get_state(t, jit.in_off(1));
      for (int c = 0; c <= int(FCond::Ord); ++c) ir.set_state(jit.out_off(c), ir.zext32_to_64(ir.fcmp(FCond(c), x, y)));
      finish(ir);
      jit.compile_and_run(blk);
      bool uno = std::isnan(a) || std::isnan(b);
      bool want[] = {!uno && a == b, !uno && a < b, !uno && a <= b, uno, uno || a != b, !uno};
      for (int c = 0; c <= int(FCond::Ord); ++c)
        EXPECT_EQ(jit.cpu().out[c], uint64_t(want[c])) << fcond_name(FCond(c)) << " " << a << " " << b;
    }
}

TEST(Float, CompareAllConditionsIncludingUnordered) {
  Jit jit;
  run_cmp<double>(jit, Type::F64);
  run_cmp<float>(jit, Type::F32);
}

// Host "integer indefinite" for NaN and out-of-range conversions.
template <typename I, typename F>
I ref_ftosi(F f) {
  if (std::isnan(f) || f >= F(-(double)std::numeric_limits<I>::min()) || f < F(std::numeric_limits<I>::min()))
    return std::numeric_limits<I>::min();
  return I(f);
}

TEST(Float, ConversionsAndBitcasts) {
  Jit jit;
  for (double d : kDoubles) {
    float f = float(d);
    jit.reset_cpu();
    jit.cpu().in[0] = to_bits(d);
    jit.cpu().in[1] = to_bits(f);
    Block blk;
    IRBuilder ir(blk);
    ir.insn_start(0x1000);
    Arg x = ir.get_state(Type::F64, jit.in_off(0));
    Arg y = ir.get_state(Type::F32, jit.in_off(1));
    ir.set_state(jit.out_off(0), ir.ftosi(Type::I64, x));
    ir.set_state(jit.out_off(1), ir.zext32_to_64(ir.ftosi(Type::I32, x)));
    ir.set_state(jit.out_off(2), ir.ftosi(Type::I64, y));
    ir.set_state(jit.out_off(3), ir.zext32_to_64(ir.ftosi(Type::I32, y)));
    ir.set_state(jit.out_off(4), ir.fconv(Type::F32, x));
    ir.set_state(jit.out_off(5), ir.fconv(Type::F64, y));
    ir.set_state(jit.out_off(6), ir.bitcast(Type::I64, x));
    ir.set_state(jit.out_off(7), ir.zext32_to_64(ir.bitcast(Type::I32, y)));
    ir.set_state(jit.out_off(8), ir.bitcast(Type::F64, ir.bitcast(Type::I64, x)));
    ir.set_state(jit.out_off(9), ir.fconv(Type::F64, x));
    finish(ir);
    jit.cpu().out[4] = 0;
    jit.compile_and_run(blk);
    const uint64_t* o = jit.cpu().out;
    EXPECT_EQ(int64_t(o[0]), ref_ftosi<int64_t>(d)) << d;
    EXPECT_EQ(int32_t(uint32_t(o[1])), ref_ftosi<int32_t>(d)) << d;
    EXPECT_EQ(o[1] >> 32, 0u);
    EXPECT_EQ(int64_t(o[2]), ref_ftosi<int64_t>(f)) << f;
    EXPECT_EQ(int32_t(uint32_t(o[3])), ref_ftosi<int32_t>(f)) << f;
    volatile double vd = d;
    volatile float vf = f;
    expect_same<float>(o[4], float(vd), "fconv f32", f, f);
    expect_same<double>(o[5], double(vf), "fconv f64", d, d);
    EXPECT_EQ(o[6], to_bits(d));
    EXPECT_EQ(o[7], to_bits(f));
    EXPECT_EQ(o[8], to_bits(d));
    EXPECT_EQ(o[9], to_bits(d));
  }
  for (int64_t i : {int64_t(0), int64_t(-1), int64_t(123456789), INT64_MIN, INT64_MAX, int64_t(0x7fffffff)}) {
    jit.reset_cpu();
    jit.cpu().in[0] = uint64_t(i);
    Block blk;
    IRBuilder ir(blk);
    ir.insn_start(0x1000);
    Arg x64 = ir.get_state(Type::I64, jit.in_off(0));
    Arg x32 = ir.get_state(Type::I32, jit.in_off(0));
    ir.set_state(jit.out_off(0), ir.sitof(Type::F64, x64));
    ir.set_state(jit.out_off(1), ir.sitof(Type::F32, x64));
    ir.set_state(jit.out_off(2), ir.sitof(Type::F64, x32));
    ir.set_state(jit.out_off(3), ir.sitof(Type::F32, x32));
    ir.set_state(jit.out_off(4), ir.bitcast(Type::F64, x64));
    ir.set_state(jit.out_off(5), ir.bitcast(Type::F32, x32));
    ir.set_state(jit.out_off(6), ir.sitof(Type::F64, IRBuilder::imm64(uint64_t(i))));
    finish(ir);
    jit.compile_and_run(blk);
    const uint64_t* o = jit.cpu().out;
    volatile int64_t vi = i;
    volatile int32_t vi32 = int32_t(i);
    EXPECT_EQ(o[0], to_bits(double(vi)));
    EXPECT_EQ(uint32_t(o[1]), uint32_t(to_bits(float(vi))));
    EXPECT_EQ(o[2], to_bits(double(vi32)));
    EXPECT_EQ(uint32_t(o[3]), uint32_t(to_bits(float(vi32))));
    EXPECT_EQ(o[4], uint64_t(i));
    EXPECT_EQ(uint32_t(o[5]), uint32_t(i));
    EXPECT_EQ(o[6], to_bits(double(vi)));
  }
}

TEST(Float, SelectBetweenFloatsAndVectors) {
  Jit jit;
  for (uint64_t c : {0ull, 1ull}) {
    jit.reset_cpu();
    jit.cpu().in[0] = c;
    jit.cpu().in[1] = to_bits(1.25);
    jit.cpu().in[2] = to_bits(-8.0);
    for (int i = 0; i < 16; ++i) jit.cpu().vin[0][i] = uint8_t(i), jit.cpu().vin[1][i] = uint8_t(0x80 + i);
    Block blk;
    IRBuilder ir(blk);
    ir.insn_start(0x1000);
    Arg cond = ir.get_state(Type::I64, jit.in_off(0));
    Arg a = ir.get_state(Type::F64, jit.in_off(1));
    Arg b = ir.get_state(Type::F64, jit.in_off(2));
    Arg va = ir.get_state(Type::V128, jit.off(jit.cpu().vin[0]));
    Arg vb = ir.get_state(Type::V128, jit.off(jit.cpu().vin[1]));
    ir.set_state(jit.out_off(0), ir.select(cond, a, b));
    ir.set_state(jit.off(jit.cpu().vout[0]), ir.select(cond, va, vb));
    ir.set_state(jit.out_off(1), b);
    finish(ir);
    jit.compile_and_run(blk);
    EXPECT_EQ(jit.cpu().out[0], to_bits(c ? 1.25 : -8.0));
    EXPECT_EQ(jit.cpu().out[1], to_bits(-8.0));
    EXPECT_EQ(std::memcmp(jit.cpu().vout[0], c ? jit.cpu().vin[0] : jit.cpu().vin[1], 16), 0);
  }
}

// ---- vectors ----
struct V {
  uint8_t b[16];
};
V lanewise(const V& x, const V& y, unsigned lg, bool sub) {
  V r{};
  unsigned bytes = 1u << lg;
  for (unsigned i = 0; i < 16; i += bytes) {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, x.b + i, bytes);
    std::memcpy(&b, y.b + i, bytes);
    uint64_t s = sub ? a - b : a + b;
    std::memcpy(r.b + i, &s, bytes);
  }
  return r;
}

TEST(Vector, LogicArithmeticConstants) {
  Jit jit;
  V x, y;
  for (int i = 0; i < 16; ++i) x.b[i] = uint8_t(0xf0 + i * 3), y.b[i] = uint8_t(0x7f * i + 0x11);
  std::memcpy(jit.cpu().vin[0], x.b, 16);
  std::memcpy(jit.cpu().vin[1], y.b, 16);
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  Arg a = ir.get_state(Type::V128, jit.off(jit.cpu().vin[0]));
  Arg b = ir.get_state(Type::V128, jit.off(jit.cpu().vin[1]));
  uint32_t base = jit.off(jit.cpu().out[0]);
  int slot = 0;
  auto put = [&](Arg v) { ir.set_state(base + 16 * slot++, v); };
  put(ir.vand(a, b));
  put(ir.vor(a, b));
  put(ir.vxor(a, b));
  put(ir.vandc(a, b));
  for (unsigned lg = 0; lg < 4; ++lg) put(ir.vadd(a, b, lg));
  for (unsigned lg = 0; lg < 4; ++lg) put(ir.vsub(a, b, lg));
  put(ir.vconst(0x0123456789abcdef, 0xfedcba9876543210));
  put(ir.vconst(0, 0));
  put(ir.vconst(0x55, 0));
  put(a);
  put(b);
  finish(ir);
  jit.compile_and_run(blk);
  const uint8_t* o = reinterpret_cast<const uint8_t*>(jit.cpu().out);
  auto check = [&](int s, const V& want, const char* what) {
    EXPECT_EQ(std::memcmp(o + 16 * s, want.b, 16), 0) << what;
  };
  V r;
  for (int i = 0; i < 16; ++i) r.b[i] = x.b[i] & y.b[i];
  check(0, r, "vand");
  for (int i = 0; i < 16; ++i) r.b[i] = x.b[i] | y.b[i];
  check(1, r, "vor");
  for (int i = 0; i < 16; ++i) r.b[i] = x.b[i] ^ y.b[i];
  check(2, r, "vxor");
  for (int i = 0; i < 16; ++i) r.b[i] = x.b[i] & ~y.b[i];
  check(3, r, "vandc");
  for (unsigned lg = 0; lg < 4; ++lg) check(4 + lg, lanewise(x, y, lg, false), "vadd");
  for (unsigned lg = 0; lg < 4; ++lg) check(8 + lg, lanewise(x, y, lg, true), "vsub");
  uint64_t c[2] = {0x0123456789abcdef, 0xfedcba9876543210};
  std::memcpy(r.b, c, 16);
  check(12, r, "vconst");
  std::memset(r.b, 0, 16);
  check(13, r, "vconst zero");
  r.b[0] = 0x55;
  check(14, r, "vconst low");
  check(15, x, "a intact");
  check(16, y, "b intact");
}

TEST(Vector, DupExtractInsert) {
  Jit jit;
  V x;
  for (int i = 0; i < 16; ++i) x.b[i] = uint8_t(0xa0 + i);
  std::memcpy(jit.cpu().vin[0], x.b, 16);
  jit.cpu().in[0] = 0x8877665544332211ull;
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  Arg v = ir.get_state(Type::V128, jit.off(jit.cpu().vin[0]));
  Arg s64 = ir.get_state(Type::I64, jit.in_off(0));
  Arg s32 = ir.get_state(Type::I32, jit.in_off(0));
  uint32_t vbase = jit.off(jit.cpu().out[0]);
  for (unsigned lg = 0; lg < 4; ++lg) ir.set_state(vbase + 16 * lg, ir.vdup(s64, lg));
  ir.set_state(vbase + 16 * 4, ir.vdup(s32, 3));
  ir.set_state(vbase + 16 * 5, ir.vinsert(v, s64, 1, 0));
  ir.set_state(vbase + 16 * 6, ir.vinsert(v, s64, 3, 1));
  ir.set_state(vbase + 16 * 7, ir.vinsert(v, s32, 2, 2));
  ir.set_state(vbase + 16 * 8, ir.vinsert(v, s64, 1, 3));
  ir.set_state(vbase + 16 * 9, ir.vinsert(v, IRBuilder::imm32(0x77), 15, 0));
  int e = 20;
  uint32_t ebase = jit.off(jit.cpu().out[e]);
  int n = 0;
  for (unsigned lg = 0; lg < 4; ++lg) {
    unsigned lanes = 16u >> lg;
    for (unsigned lane : {0u, lanes - 1}) {
      ir.set_state(ebase + 8 * n++, ir.vextract(Type::I64, v, lane, lg));
      ir.set_state(ebase + 8 * n++, ir.zext32_to_64(ir.vextract(Type::I32, v, lane, lg)));
    }
  }
  finish(ir);
  jit.compile_and_run(blk);
  const uint8_t* o = reinterpret_cast<const uint8_t*>(jit.cpu().out);
  uint64_t src = 0x8877665544332211ull;
  for (unsigned lg = 0; lg < 4; ++lg) {
    unsigned bytes = 1u << lg;
    for (unsigned i = 0; i < 16; i += bytes) EXPECT_EQ(std::memcmp(o + 16 * lg + i, &src, bytes), 0) << "vdup " << lg;
  }
  uint64_t src32 = src & 0xffffffff;
  EXPECT_EQ(std::memcmp(o + 64, &src32, 8), 0);
  EXPECT_EQ(std::memcmp(o + 72, &src32, 8), 0);
  auto inserted = [&](unsigned lane, unsigned lg, uint64_t val) {
    V r = x;
    std::memcpy(r.b + lane * (1u << lg), &val, 1u << lg);
    return r;
  };
  V r = inserted(1, 0, src);
  EXPECT_EQ(std::memcmp(o + 80, r.b, 16), 0) << "vinsert 8";
  r = inserted(3, 1, src);
  EXPECT_EQ(std::memcmp(o + 96, r.b, 16), 0) << "vinsert 16";
  r = inserted(2, 2, src);
  EXPECT_EQ(std::memcmp(o + 112, r.b, 16), 0) << "vinsert 32";
  r = inserted(1, 3, src);
  EXPECT_EQ(std::memcmp(o + 128, r.b, 16), 0) << "vinsert 64";
  r = inserted(15, 0, 0x77);
  EXPECT_EQ(std::memcmp(o + 144, r.b, 16), 0) << "vinsert imm";
  n = 0;
  for (unsigned lg = 0; lg < 4; ++lg) {
    unsigned lanes = 16u >> lg, bytes = 1u << lg;
    for (unsigned lane : {0u, lanes - 1}) {
      uint64_t want = 0;
      std::memcpy(&want, x.b + lane * bytes, bytes);
      EXPECT_EQ(jit.cpu().out[e + n++], want) << "vextract i64 lg " << lg << " lane " << lane;
      EXPECT_EQ(jit.cpu().out[e + n++], want & 0xffffffff) << "vextract i32 lg " << lg << " lane " << lane;
    }
  }
}

TEST(Vector, ManyLiveVectorsSpillToPairedSlots) {
  Jit jit;
  for (int i = 0; i < 16; ++i) jit.cpu().vin[0][i] = uint8_t(i + 1);
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  Arg a = ir.get_state(Type::V128, jit.off(jit.cpu().vin[0]));
  std::vector<Arg> v;
  for (int i = 0; i < 24; ++i) v.push_back(ir.vadd(a, ir.vdup(IRBuilder::imm32(uint32_t(i)), 0), 0));
  Arg acc = v[23];
  for (int i = 22; i >= 0; --i) acc = ir.vxor(acc, v[i]);
  ir.set_state(jit.off(jit.cpu().vout[0]), acc);
  ir.set_state(jit.off(jit.cpu().vout[1]), v[5]);
  finish(ir);
  jit.compile_and_run(blk);
  for (int lane = 0; lane < 16; ++lane) {
    uint8_t want = 0;
    for (int i = 0; i < 24; ++i) want ^= uint8_t(lane + 1 + i);
    EXPECT_EQ(jit.cpu().vout[0][lane], want) << lane;
    EXPECT_EQ(jit.cpu().vout[1][lane], uint8_t(lane + 1 + 5));
  }
}

}  // namespace
}  // namespace mimic::tcg::test
