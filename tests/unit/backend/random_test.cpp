// Randomised register-allocator stress: long random blocks (many long-lived values, forward
// branches, helper calls, guest memory) compiled and run, checked against a C++ evaluation
// done while the block is built.
#include <map>
#include <random>

#include "tcg/helper.h"
#include "tests/unit/backend/jit_harness.h"

namespace mimic::tcg::test {
namespace {

uint64_t helper_mix(CpuBase*, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  return (a * 3) ^ (b + 7) ^ (c << 1) ^ (d >> 2) ^ (e * 5);
}
const uint32_t kMix = register_helper("test_mix", helper_mix, HelperFlag::kPure);

uint64_t mix_ref(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  return (a * 3) ^ (b + 7) ^ (c << 1) ^ (d >> 2) ^ (e * 5);
}

struct Value {
  Arg arg;
  uint64_t v;  // 64-bit reference (I32 values kept zero-extended)
};

class RandomBlock {
 public:
  RandomBlock(Jit& jit, uint64_t seed) : jit_(jit), rng_(seed), ir_(blk_) {}

  void build_and_check(int steps) {
    jit_.reset_cpu();
    ir_.insn_start(0x1000);
    for (int i = 0; i < 8; ++i) {
      uint64_t x = rng_();
      jit_.cpu().in[i] = x;
      vals_.push_back({ir_.get_state(Type::I64, jit_.in_off(i)), x});
    }
    for (int s = 0; s < steps; ++s) step();
    // Everything still visible is checked, so every value stays live to the end.
    int n = 0;
    for (size_t i = vals_.size() > 40 ? vals_.size() - 40 : 0; i < vals_.size(); ++i, ++n) {
      ir_.set_state(jit_.out_off(n), vals_[i].arg);
      want_out_[n] = vals_[i].v;
    }
    finish(ir_);
    jit_.compile_and_run(blk_);
    ASSERT_EQ(jit_.cpu().exit_reason, uint32_t(kExitGuestBase));
    for (int i = 0; i < n; ++i) ASSERT_EQ(jit_.cpu().out[i], want_out_[i]) << "out " << i;
    for (auto& [slot, v] : want_side_) ASSERT_EQ(jit_.cpu().out[slot], v) << "side store " << slot;
  }

 private:
  const Value& pick() {
    // Prefer old values half the time: long live ranges force spills.
    size_t n = vals_.size();
    size_t i = (rng_() & 1) ? rng_() % n : n - 1 - rng_() % std::min<size_t>(n, 4);
    return vals_[i];
  }
  Arg operand(uint64_t& v) {
    if (rng_() % 5 == 0) {
      v = (rng_() & 1) ? rng_() % 100 : rng_();
      return IRBuilder::imm64(v);
    }
    const Value& x = pick();
    v = x.v;
    return x.arg;
  }

  void step() {
    uint64_t a, b;
    Arg x = operand(a), y = operand(b);
    switch (rng_() % 12) {
      case 0: vals_.push_back({ir_.add(x, y), a + b}); break;
      case 1: vals_.push_back({ir_.sub(x, y), a - b}); break;
      case 2: vals_.push_back({ir_.mul(x, y), a * b}); break;
      case 3: vals_.push_back({ir_.xor_(x, y), a ^ b}); break;
      case 4: vals_.push_back({ir_.shl(x, y), a << (b & 63)}); break;
      case 5: vals_.push_back({ir_.divu(x, y), b ? a / b : ~0ull}); break;
      case 6: vals_.push_back({ir_.setcond(Cond::LtU, x, y), uint64_t(a < b)}); break;
      case 7: {
        uint64_t c;
        Arg z = operand(c);
        vals_.push_back({ir_.select(z, x, y), c ? a : b});
        break;
      }
      case 8: {
        uint64_t c, d, e;
        Arg z = operand(c), w = operand(d), u = operand(e);
        vals_.push_back({ir_.call(Type::I64, kMix, {x, y, z, w, u}), mix_ref(a, b, c, d, e)});
        break;
      }
      case 9: {
        // A guest memory round trip at a random aligned offset.
        uint64_t addr = 0x1000 + (rng_() % 256) * 8;
        ir_.store(IRBuilder::imm64(addr), x, MemOp::k64);
        vals_.push_back({ir_.load(Type::I64, IRBuilder::imm64(addr), MemOp::k64), a});
        break;
      }
      case 10: {
        // A forward branch over a region whose values die inside it.
        uint32_t l = ir_.new_label();
        bool taken = a == b || (a & 1);
        Arg t = ir_.or_(ir_.setcond(Cond::Eq, x, y), ir_.and_(x, IRBuilder::imm64(1)));
        ir_.br_cond(Cond::Ne, t, IRBuilder::imm64(0), l);
        uint64_t c;
        Arg z = operand(c);
        Arg inner = ir_.add(ir_.mul(z, IRBuilder::imm64(5)), x);
        int slot = 40 + int(rng_() % 8);
        ir_.set_state(jit_.out_off(slot), inner);
        if (!taken) want_side_[slot] = c * 5 + a;
        ir_.label(l);
        break;
      }
      default: {
        Arg t32 = ir_.trunc64_to_32(x);
        Arg r32 = ir_.add(t32, ir_.trunc64_to_32(y));
        vals_.push_back({ir_.zext32_to_64(r32), uint64_t(uint32_t(a + b))});
        break;
      }
    }
  }

  Jit& jit_;
  std::mt19937_64 rng_;
  Block blk_;
  IRBuilder ir_;
  std::vector<Value> vals_;
  uint64_t want_out_[48] = {};
  std::map<int, uint64_t> want_side_;
};

TEST(RandomBlocks, MatchReferenceEvaluation) {
  Jit jit;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    for (int s = 40; s < 48; ++s) jit.cpu().out[s] = 0;
    RandomBlock rb(jit, seed);
    rb.build_and_check(int(20 + seed % 200));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace mimic::tcg::test
