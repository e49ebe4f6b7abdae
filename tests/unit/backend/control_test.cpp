// Execution tests of block layout and exits (GotoTb chaining, GotoPtr, ExitLoop, exit requests),
// in-block branches, helper calls, register pressure, limits, pc maps and dual-mapped code.
#include <fmt/format.h>

#include <cstring>

#include "tcg/helper.h"
#include "tcg/x86_64/disasm.h"
#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

uint64_t helper_weighted_sum(CpuBase* env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + static_cast<TestCpu*>(env)->in[40];
}
uint64_t helper_fmul(CpuBase*, uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) {
  double x, y;
  std::memcpy(&x, &a, 8);
  std::memcpy(&y, &b, 8);
  double r = x * y;
  uint64_t bits;
  std::memcpy(&bits, &r, 8);
  return bits;
}
uint64_t helper_fadd32(CpuBase*, uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) {
  float x, y;
  uint32_t ab = uint32_t(a), bb = uint32_t(b);
  std::memcpy(&x, &ab, 4);
  std::memcpy(&y, &bb, 4);
  float r = x + y;
  uint32_t bits;
  std::memcpy(&bits, &r, 4);
  return bits | 0xabcd000000000000ull;  // garbage above an f32/i32 result must be ignored
}
uint64_t helper_record(CpuBase* env, uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) {
  static_cast<TestCpu*>(env)->out[47] = a * 1000 + b;
  return 0;
}
// Clobbers every caller-saved register it can reach, like real helpers may.
uint64_t helper_clobber(CpuBase*, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  asm volatile(
      "mov $-1, %%rax\n mov $-1, %%rcx\n mov $-1, %%rdx\n mov $-1, %%rsi\n mov $-1, %%rdi\n"
      "mov $-1, %%r8\n mov $-1, %%r9\n mov $-1, %%r10\n mov $-1, %%r11\n pcmpeqd %%xmm0, %%xmm0\n"
      "pcmpeqd %%xmm1, %%xmm1\n pcmpeqd %%xmm7, %%xmm7\n pcmpeqd %%xmm15, %%xmm15\n" ::
          : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm7", "xmm15");
  return 7;
}

const uint32_t kSum = register_helper("test_weighted_sum", helper_weighted_sum, HelperFlag::kReadsState);
const uint32_t kFMul = register_helper("test_fmul", helper_fmul, HelperFlag::kPure);
const uint32_t kFAdd32 = register_helper("test_fadd32", helper_fadd32, HelperFlag::kPure);
const uint32_t kRecord = register_helper("test_record", helper_record, HelperFlag::kWritesState);
const uint32_t kClobber = register_helper("test_clobber", helper_clobber, 0);

uint64_t f64_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}
uint32_t f32_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// ---- exits ----
TEST(Exits, ExitLoopWithRegisterAndImmediatePc) {
  Jit jit;
  for (bool imm : {false, true}) {
    jit.reset_cpu();
    Block blk;
    IRBuilder ir(blk);
    jit.cpu().in[0] = 0xfedcba9876543210;
    ir.insn_start(0x1000);
    Arg pc = imm ? IRBuilder::imm64(0xfedcba9876543210) : ir.get_state(Type::I64, jit.in_off(0));
    ir.exit_loop(kExitGuestBase + 5, pc);
    jit.compile_and_run(blk);
    EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitGuestBase + 5));
    EXPECT_EQ(jit.cpu().pc, 0xfedcba9876543210u);
  }
}

TEST(Exits, ExitRequestIsCheckedAtBlockEntry) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  blk.guest_pc = 0xabc000;
  ir.insn_start(0xabc000);
  ir.set_state(jit.out_off(0), IRBuilder::imm64(1));
  finish(ir);
  ASSERT_EQ(jit.compile(blk).status, CompileResult::Status::Ok);
  jit.cpu().out[0] = 0;
  jit.cpu().exit_request.store(1);
  jit.run();
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitInterrupt));
  EXPECT_EQ(jit.cpu().pc, 0xabc000u);
  EXPECT_EQ(jit.cpu().out[0], 0u) << "no guest instruction may run";
  jit.cpu().exit_request.store(0);
  jit.run();
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitGuestBase));
  EXPECT_EQ(jit.cpu().out[0], 1u);
}

void check_slot(Jit& jit, const CompileResult& r, int slot, uint64_t target, size_t block_at) {
  const ChainSlot& s = r.slots[slot];
  ASSERT_TRUE(s.used);
  EXPECT_EQ(s.target_pc, target);
  EXPECT_EQ((jit.exec_view() + block_at + s.jmp_offset + 1) % 4, 0u) << "rel32 must be 4-byte aligned";
  const uint8_t* code = jit.write_view() + block_at;
  // A jmp rel32, or the 8x byte of a jcc rel32 (0F 8x): either way the rel32 follows it.
  bool jmp = code[s.jmp_offset] == 0xe9;
  bool jcc = s.jmp_offset > 0 && code[s.jmp_offset - 1] == 0x0f && (code[s.jmp_offset] & 0xf0) == 0x80;
  EXPECT_TRUE(jmp || jcc) << "slot " << slot;
  int32_t rel;
  std::memcpy(&rel, code + s.jmp_offset + 1, 4);
  EXPECT_EQ(int64_t(s.jmp_offset) + 5 + rel, int64_t(s.reset_offset)) << "unchained slot jumps to its stub";
  EXPECT_LT(s.reset_offset, r.size);
}

void patch_slot(Jit& jit, size_t block_at, const ChainSlot& s, uintptr_t target_exec) {
  int64_t rel = int64_t(target_exec) - int64_t(jit.exec_view() + block_at + s.jmp_offset + 5);
  int32_t rel32 = int32_t(rel);
  std::memcpy(jit.write_view() + block_at + s.jmp_offset + 1, &rel32, 4);
}

void run_chaining(Jit& jit) {
  constexpr size_t kA = kBlockOffset, kB = 0x8000;
  // Block A: two exits behind a branch so both slots exist.
  Block a;
  IRBuilder ir(a);
  a.guest_pc = 0x1000;
  ir.insn_start(0x1000);
  ir.set_state(jit.out_off(0), IRBuilder::imm64(1));
  uint32_t other = ir.new_label();
  ir.br_cond(Cond::Ne, ir.get_state(Type::I64, jit.in_off(0)), IRBuilder::imm64(0), other);
  ir.goto_tb(0, 0x3000);
  ir.label(other);
  ir.goto_tb(1, 0x3100);
  CompileResult ra = jit.compile(a, kA, 0x7770);
  ASSERT_EQ(ra.status, CompileResult::Status::Ok);
  check_slot(jit, ra, 0, 0x3000, kA);
  check_slot(jit, ra, 1, 0x3100, kA);

  for (int slot = 0; slot < 2; ++slot) {
    jit.reset_cpu();
    jit.cpu().in[0] = slot;
    jit.run(kA);
    EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitChain));
    EXPECT_EQ(jit.cpu().pc, slot ? 0x3100u : 0x3000u);
    EXPECT_EQ(jit.cpu().exit_tb, 0x7770u);
    EXPECT_EQ(jit.cpu().exit_slot, uint32_t(slot));
    EXPECT_EQ(jit.cpu().out[0], 1u);
  }

  // Block B, then chain A's slot 0 straight into it.
  Block b;
  IRBuilder irb(b);
  b.guest_pc = 0x3000;
  irb.insn_start(0x3000);
  irb.set_state(jit.out_off(1), IRBuilder::imm64(2));
  finish(irb);
  CompileResult rb = jit.compile(b, kB);
  ASSERT_EQ(rb.status, CompileResult::Status::Ok);
  patch_slot(jit, kA, ra.slots[0], jit.exec_view() + kB);
  jit.reset_cpu();
  jit.cpu().in[0] = 0;
  jit.cpu().out[1] = 0;
  jit.run(kA);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitGuestBase));
  EXPECT_EQ(jit.cpu().pc, kEndPc);
  EXPECT_EQ(jit.cpu().out[1], 2u);

  // The taken side (slot 1) chains the same way.
  patch_slot(jit, kA, ra.slots[1], jit.exec_view() + kB);
  jit.reset_cpu();
  jit.cpu().in[0] = 1;
  jit.cpu().out[1] = 0;
  jit.run(kA);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitGuestBase));
  EXPECT_EQ(jit.cpu().out[1], 2u);
  patch_slot(jit, kA, ra.slots[1], jit.exec_view() + kA + ra.slots[1].reset_offset);
  jit.reset_cpu();
  jit.cpu().in[0] = 1;
  jit.run(kA);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitChain));
  EXPECT_EQ(jit.cpu().exit_slot, 1u);

  // Unchaining: point the jump back at the stub.
  jit.cpu().in[0] = 0;
  patch_slot(jit, kA, ra.slots[0], jit.exec_view() + kA + ra.slots[0].reset_offset);
  jit.reset_cpu();
  jit.cpu().out[1] = 0;
  jit.run(kA);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitChain));
  EXPECT_EQ(jit.cpu().out[1], 0u);
}

TEST(Exits, GotoTbStubAndChaining) {
  Jit jit;
  run_chaining(jit);
}

void run_goto_ptr(Jit& jit) {
  constexpr size_t kB = 0x8000;
  Block b;
  IRBuilder irb(b);
  irb.insn_start(0x4000);
  irb.set_state(jit.out_off(1), IRBuilder::imm64(3));
  finish(irb);
  ASSERT_EQ(jit.compile(b, kB).status, CompileResult::Status::Ok);

  Block a;
  IRBuilder ir(a);
  ir.insn_start(0x1000);
  ir.goto_ptr(ir.get_state(Type::I64, jit.in_off(0)));
  ASSERT_EQ(jit.compile(a).status, CompileResult::Status::Ok);

  for (uint64_t target : {0x4000ull, 0xdeadbeef12345676ull}) {
    auto& jc = jit.jump_cache();
    std::fill(jc.begin(), jc.end(), JumpCacheEntry{kJumpCacheEmpty, 0});
    jc[jump_cache_index(target)] = JumpCacheEntry{target, jit.exec_view() + kB};
    // Hit.
    jit.reset_cpu();
    jit.cpu().in[0] = target;
    jit.cpu().out[1] = 0;
    jit.run();
    EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitGuestBase)) << std::hex << target;
    EXPECT_EQ(jit.cpu().out[1], 3u);
    // Miss: same bucket, different pc; and an empty bucket.
    for (uint64_t miss : {target ^ (uint64_t(1) << 40), target + 2}) {
      jit.reset_cpu();
      jit.cpu().in[0] = miss;
      jit.cpu().out[1] = 0;
      jit.run();
      EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitLookup));
      EXPECT_EQ(jit.cpu().pc, miss);
      EXPECT_EQ(jit.cpu().out[1], 0u);
    }
  }
}

TEST(Exits, GotoPtrJumpCacheHitAndMiss) {
  Jit jit;
  run_goto_ptr(jit);
}

// ---- in-block control flow ----
TEST(Branches, ValuesLiveAcrossBranchesAndLabels) {
  Jit jit;
  for (uint64_t sel : {0ull, 1ull, 2ull}) {
    jit.reset_cpu();
    Block blk;
    IRBuilder ir(blk);
    for (int i = 0; i < 20; ++i) jit.cpu().in[i] = 100 + i;
    jit.cpu().in[30] = sel;
    ir.insn_start(0x1000);
    std::vector<Arg> v;
    for (int i = 0; i < 20; ++i) v.push_back(ir.get_state(Type::I64, jit.in_off(i)));
    Arg s = ir.get_state(Type::I64, jit.in_off(30));
    uint32_t l1 = ir.new_label(), l2 = ir.new_label(), join = ir.new_label();
    ir.br_cond(Cond::Eq, s, IRBuilder::imm64(1), l1);
    ir.br_cond(Cond::Eq, s, IRBuilder::imm64(2), l2);
    ir.set_state(jit.out_off(0), ir.add(v[0], v[1]));  // sel 0
    ir.br(join);
    ir.label(l1);
    ir.set_state(jit.out_off(0), ir.mul(v[2], v[3]));  // sel 1
    ir.br(join);
    ir.label(l2);
    ir.set_state(jit.out_off(0), ir.sub(v[5], v[4]));  // sel 2
    ir.label(join);
    Arg sum = v[0];
    for (int i = 1; i < 20; ++i) sum = ir.add(sum, v[i]);
    ir.set_state(jit.out_off(1), sum);
    ir.set_state(jit.out_off(2), s);
    finish(ir);
    jit.compile_and_run(blk);
    uint64_t want0 = sel == 0 ? 201 : sel == 1 ? 102 * 103 : 1;
    EXPECT_EQ(jit.cpu().out[0], want0) << sel;
    EXPECT_EQ(jit.cpu().out[1], 20 * 100 + 190u);
    EXPECT_EQ(jit.cpu().out[2], sel);
  }
}

// BrCond stores only the values live past its target label; values that die before the label
// stay in registers on the fall-through path (more than there are registers, so some are spilled
// there), and a second BrCond to the same label from inside that path must agree.
TEST(Branches, FallThroughKeepsRegistersAndTargetGetsLiveValues) {
  Jit jit;
  for (uint64_t sel : {0ull, 1ull, 2ull}) {
    jit.reset_cpu();
    Block blk;
    IRBuilder ir(blk);
    for (int i = 0; i < 24; ++i) jit.cpu().in[i] = 1000 + i;
    jit.cpu().in[30] = sel;
    for (int i = 0; i < 3; ++i) jit.cpu().out[i] = 0;
    ir.insn_start(0x1000);
    std::vector<Arg> x;  // computed values: registers or spill slots, never their env field
    for (int i = 0; i < 24; ++i) x.push_back(ir.mul(ir.get_state(Type::I64, jit.in_off(i)), IRBuilder::imm64(3)));
    Arg s = ir.get_state(Type::I64, jit.in_off(30));
    uint32_t skip = ir.new_label();
    ir.br_cond(Cond::Eq, s, IRBuilder::imm64(1), skip);
    Arg early = x[0];  // x[0..11] die before the label
    for (int i = 1; i < 12; ++i) early = ir.xor_(ir.add(early, x[i]), IRBuilder::imm64(i));
    ir.set_state(jit.out_off(0), early);
    Arg y = ir.add(x[12], IRBuilder::imm64(7));  // defined on this path, dies before the label
    ir.br_cond(Cond::Eq, s, IRBuilder::imm64(2), skip);
    ir.set_state(jit.out_off(1), ir.mul(y, x[13]));
    ir.label(skip);
    Arg late = x[12];  // x[12..23] are live past the label
    for (int i = 13; i < 24; ++i) late = ir.sub(ir.mul(late, IRBuilder::imm64(5)), x[i]);
    ir.set_state(jit.out_off(2), late);
    finish(ir);
    jit.compile_and_run(blk);
    uint64_t want_early = 3000, want_late = 3 * 1012;
    for (uint64_t i = 1; i < 12; ++i) want_early = (want_early + 3 * (1000 + i)) ^ i;
    for (uint64_t i = 13; i < 24; ++i) want_late = want_late * 5 - 3 * (1000 + i);
    EXPECT_EQ(jit.cpu().out[0], sel == 1 ? 0 : want_early) << sel;
    EXPECT_EQ(jit.cpu().out[1], sel == 0 ? (3 * 1012 + 7) * (3 * 1013) : 0) << sel;
    EXPECT_EQ(jit.cpu().out[2], want_late) << sel;
  }
}

// ---- register pressure ----
TEST(Pressure, FortyLiveIntegersAndTwentyLiveFloats) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  for (int i = 0; i < 40; ++i) jit.cpu().in[i] = uint64_t(i) * 0x0101010101ull + 7;
  ir.insn_start(0x1000);
  std::vector<Arg> v, f;
  for (int i = 0; i < 40; ++i) v.push_back(ir.xor_(ir.get_state(Type::I64, jit.in_off(i)), IRBuilder::imm64(i)));
  for (int i = 0; i < 20; ++i) f.push_back(ir.sitof(Type::F64, v[i]));
  // Use in reverse order so every value stays live across all definitions.
  Arg sum = IRBuilder::imm64(0);
  for (int i = 39; i >= 0; --i) sum = ir.add(ir.mul(sum, IRBuilder::imm64(3)), v[i]);
  Arg fsum = f[19];
  for (int i = 18; i >= 0; --i) fsum = ir.fadd(fsum, f[i]);
  ir.set_state(jit.out_off(0), sum);
  ir.set_state(jit.out_off(1), fsum);
  for (int i = 0; i < 40; ++i) ir.set_state(jit.out_off(2 + i), v[i]);
  finish(ir);
  jit.compile_and_run(blk);
  uint64_t want = 0;
  double fwant = 0;
  for (int i = 39; i >= 0; --i) want = want * 3 + ((uint64_t(i) * 0x0101010101ull + 7) ^ uint64_t(i));
  fwant = double((uint64_t(19) * 0x0101010101ull + 7) ^ 19);
  for (int i = 18; i >= 0; --i) fwant += double((uint64_t(i) * 0x0101010101ull + 7) ^ uint64_t(i));
  EXPECT_EQ(jit.cpu().out[0], want);
  EXPECT_EQ(jit.cpu().out[1], f64_bits(fwant));
  for (int i = 0; i < 40; ++i) EXPECT_EQ(jit.cpu().out[2 + i], (uint64_t(i) * 0x0101010101ull + 7) ^ uint64_t(i));
}

TEST(Pressure, TooManyLiveValuesIsTooComplex) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  std::vector<Arg> v;
  // Computed values: plain GetState values live in their env fields and need no spill slot.
  for (int i = 0; i < 700; ++i)
    v.push_back(ir.xor_(ir.get_state(Type::I64, jit.in_off(i % 48)), IRBuilder::imm64(uint64_t(i) + 1)));
  Arg sum = v[0];
  for (int i = 1; i < 700; ++i) sum = ir.add(sum, v[i]);
  ir.set_state(jit.out_off(0), sum);
  finish(ir);
  CompileResult r = jit.compile(blk);
  EXPECT_EQ(r.status, CompileResult::Status::TooComplex);
  EXPECT_FALSE(r.error.empty());
}

TEST(Limits, OutOfSpace) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  for (int i = 0; i < 10; ++i) ir.set_state(jit.out_off(i), IRBuilder::imm64(i));
  finish(ir);
  CompileResult r = jit.compile(blk, kBlockOffset, 0, {}, 24);
  EXPECT_EQ(r.status, CompileResult::Status::OutOfSpace);
}

TEST(Limits, UnterminatedBlockIsRejectedLoudly) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  ir.set_state(jit.out_off(0), IRBuilder::imm64(1));
  EXPECT_THROW(jit.compile(blk), std::logic_error);
}

// ---- helper calls ----
TEST(Calls, FiveArgumentsAndIntResult) {
  Jit jit;
  for (int perm = 0; perm < 3; ++perm) {
    jit.reset_cpu();
    Block blk;
    IRBuilder ir(blk);
    for (int i = 0; i < 5; ++i) jit.cpu().in[i] = uint64_t(i + 1) * 0x100000001ull;
    jit.cpu().in[40] = 1000;
    ir.insn_start(0x1000);
    std::vector<Arg> v;
    for (int i = 0; i < 5; ++i) v.push_back(ir.get_state(Type::I64, jit.in_off(i)));
    // Permutations make argument sources sit in other arguments' registers.
    Arg r;
    if (perm == 0) r = ir.call(Type::I64, kSum, {v[0], v[1], v[2], v[3], v[4]});
    if (perm == 1) r = ir.call(Type::I64, kSum, {v[4], v[3], v[2], v[1], v[0]});
    if (perm == 2)
      r = ir.call(Type::I64, kSum, {v[1], IRBuilder::imm32(0xffffffff), v[1], IRBuilder::imm64(~0ull), v[0]});
    ir.set_state(jit.out_off(0), r);
    ir.set_state(jit.out_off(1), ir.call(Type::I32, kSum, {v[0], v[0], v[0], v[0], v[0]}));
    finish(ir);
    jit.compile_and_run(blk);
    auto in = [&](int i) { return uint64_t(i + 1) * 0x100000001ull; };
    uint64_t want = perm == 0   ? in(0) + 2 * in(1) + 3 * in(2) + 4 * in(3) + 5 * in(4) + 1000
                    : perm == 1 ? in(4) + 2 * in(3) + 3 * in(2) + 4 * in(1) + 5 * in(0) + 1000
                                : in(1) + 2 * 0xffffffffull + 3 * in(1) + 4 * ~0ull + 5 * in(0) + 1000;
    EXPECT_EQ(jit.cpu().out[0], want) << perm;
    EXPECT_EQ(jit.cpu().out[1] & 0xffffffff, (15 * in(0) + 1000) & 0xffffffff);
  }
}

TEST(Calls, FloatArgumentsAndResults) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = f64_bits(1.5);
  jit.cpu().in[1] = f64_bits(-4.25);
  jit.cpu().in[2] = f32_bits(2.5f);
  ir.insn_start(0x1000);
  Arg a = ir.get_state(Type::F64, jit.in_off(0));
  Arg b = ir.get_state(Type::F64, jit.in_off(1));
  Arg c = ir.get_state(Type::F32, jit.in_off(2));
  Arg p = ir.call(Type::F64, kFMul, {a, b});
  Arg q = ir.call(Type::F32, kFAdd32, {c, c});
  ir.set_state(jit.out_off(0), ir.fadd(p, a));  // a lives across both calls (xmm spilled)
  ir.set_state(jit.out_off(1), q);
  ir.set_state(jit.out_off(2), ir.call(Type::I32, kFAdd32, {c, IRBuilder::imm32(f32_bits(1.0f))}));
  finish(ir);
  jit.cpu().out[1] = ~0ull;
  jit.compile_and_run(blk);
  EXPECT_EQ(jit.cpu().out[0], f64_bits(1.5 * -4.25 + 1.5));
  EXPECT_EQ(uint32_t(jit.cpu().out[1]), f32_bits(5.0f));
  EXPECT_EQ(jit.cpu().out[2], f32_bits(3.5f)) << "I32 result zero-extended, garbage above dropped";
}

TEST(Calls, ValuesSurviveClobberingCallsAndVoidCalls) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  for (int i = 0; i < 24; ++i) jit.cpu().in[i] = 0x1111 * uint64_t(i + 1);
  ir.insn_start(0x1000);
  std::vector<Arg> v, f;
  for (int i = 0; i < 24; ++i) v.push_back(ir.get_state(Type::I64, jit.in_off(i)));
  for (int i = 0; i < 4; ++i) f.push_back(ir.sitof(Type::F64, v[i]));
  ir.call_void(kClobber, {});
  Arg k = ir.call(Type::I64, kClobber, {v[0]});
  ir.call_void(kRecord, {v[2], v[3]});
  Arg sum = k;
  for (int i = 0; i < 24; ++i) sum = ir.add(sum, v[i]);
  Arg fs = ir.fadd(ir.fadd(f[0], f[1]), ir.fadd(f[2], f[3]));
  ir.set_state(jit.out_off(0), sum);
  ir.set_state(jit.out_off(1), fs);
  finish(ir);
  jit.compile_and_run(blk);
  uint64_t want = 7;
  for (int i = 0; i < 24; ++i) want += 0x1111 * uint64_t(i + 1);
  EXPECT_EQ(jit.cpu().out[0], want);
  EXPECT_EQ(jit.cpu().out[1], f64_bits(double(0x1111) + double(0x2222) + (double(0x3333) + double(0x4444))));
  EXPECT_EQ(jit.cpu().out[47], 0x3333u * 1000 + 0x4444u);
}

// ---- pc map, disassembly, dual mapping ----
TEST(PcMap, OneEntryPerGuestInstructionSorted) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  ir.insn_start(0x1000);
  Arg x = ir.get_state(Type::I64, jit.in_off(0));
  ir.insn_start(0x1004);
  ir.set_state(jit.out_off(0), ir.add(x, IRBuilder::imm64(1)));
  ir.insn_start(0x1008);
  ir.insn_start(0x100c);
  ir.set_state(jit.out_off(1), x);
  finish(ir);
  CompileResult r = jit.compile(blk);
  ASSERT_EQ(r.status, CompileResult::Status::Ok);
  const auto& pm = jit.pc_map();
  ASSERT_EQ(pm.size(), 4u);
  const uint64_t pcs[] = {0x1000, 0x1004, 0x1008, 0x100c};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(pm[i].guest_pc, pcs[i]);
    EXPECT_LT(pm[i].host_offset, r.size);
    if (i) {
      EXPECT_LE(pm[i - 1].host_offset, pm[i].host_offset);
    }
  }
  EXPECT_GT(pm[0].host_offset, 0u) << "the exit-request check comes first";
}

TEST(Disasm, ListsHostInstructionsWithAddresses) {
  Jit jit;
  const Trampolines& t = jit.trampolines();
  std::string s = disassemble_host(jit.write_view(), t.size, jit.exec_view());
  EXPECT_NE(s.find("push"), std::string::npos) << s;
  EXPECT_NE(s.find("ret"), std::string::npos) << s;
  EXPECT_NE(s.find(fmt::format("{:x}", jit.exec_view())), std::string::npos) << s;
}

TEST(Disasm, ShowsAChainExitStubsDataAsData) {
  Jit jit;
  Block blk;
  IRBuilder ir(blk);
  blk.guest_pc = 0x1000;
  ir.insn_start(0x1000);
  ir.goto_tb(0, 0x3000);
  CompileResult r = jit.compile(blk, kBlockOffset, 0x7770);
  ASSERT_EQ(r.status, CompileResult::Status::Ok) << r.error;
  std::string s = disassemble_host(jit.write_view() + kBlockOffset, r.size, jit.exec_view() + kBlockOffset);
  EXPECT_NE(s.find(".data target_pc=0x3000 tb=0x7770 slot=0"), std::string::npos) << s;
  EXPECT_EQ(s.find(".byte"), std::string::npos) << "the stub's data decoded as instructions:\n" << s;
}

TEST(DualMapping, CodeRunsFromAnotherAddressThanItIsWritten) {
  Jit jit(true);
  ASSERT_NE(reinterpret_cast<uintptr_t>(jit.write_view()), jit.exec_view());
  // Helper calls, exit stubs, fault stubs and GotoPtr all leave the block.
  Block blk;
  IRBuilder ir(blk);
  jit.cpu().in[0] = 1;
  jit.cpu().in[1] = 2;
  jit.cpu().in[40] = 0;
  ir.insn_start(0x1000);
  Arg a = ir.get_state(Type::I64, jit.in_off(0));
  Arg r = ir.call(Type::I64, kSum, {a, a, a, a, a});
  ir.set_state(jit.out_off(0), r);
  ir.store(IRBuilder::imm64(0x100), r, MemOp::k64 | MemOp::kAligned);
  ir.set_state(jit.out_off(1),
               ir.load(Type::I64, ir.get_state(Type::I64, jit.in_off(1)), MemOp::k64 | MemOp::kAligned));
  finish(ir);
  jit.compile_and_run(blk);
  EXPECT_EQ(jit.cpu().out[0], 15u);
  EXPECT_EQ(jit.cpu().exit_reason, uint32_t(kExitUnaligned));
  EXPECT_EQ(jit.cpu().fault_addr, 2u);
  run_chaining(jit);
  run_goto_ptr(jit);
}

}  // namespace
}  // namespace mimic::tcg::test
