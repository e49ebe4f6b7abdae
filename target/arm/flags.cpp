// NZCV: flag-setting emitters (QEMU-style NF/ZF/CF/VF fields) and condition evaluation, fused
// with the last compare's operands when they are still in scope.
#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
// The i64 form of a result for NF (sign-extended) and ZF (zero-extended).
Arg nf_of(DisasContext& s, Arg r) { return r.type == Type::I32 ? s.ir.sext32_to_64(r) : r; }
Arg zf_of(DisasContext& s, Arg r) { return r.type == Type::I32 ? s.ir.zext32_to_64(r) : r; }
Arg cf_of(DisasContext& s, Arg c01) { return c01.type == Type::I32 ? s.ir.zext32_to_64(c01) : c01; }
}  // namespace

// Signed overflow lands in the sign bit: operands of equal sign (add; different for sub) and a
// result of the other sign. Three ALU ops, cheaper on x86 than materializing OF as 0/1 and negating.
Arg gen_vf_add(DisasContext& s, Arg a, Arg b, Arg r) { return nf_of(s, s.ir.andc(s.ir.xor_(a, r), s.ir.xor_(a, b))); }
Arg gen_vf_sub(DisasContext& s, Arg a, Arg b, Arg r) { return nf_of(s, s.ir.and_(s.ir.xor_(a, r), s.ir.xor_(a, b))); }

void gen_set_nzcv(DisasContext& s, Arg result, Arg cf, Arg vf) {
  s.ir.set_state(kNfOffset, nf_of(s, result));
  s.ir.set_state(kZfOffset, zf_of(s, result));
  s.ir.set_state(kCfOffset, cf);
  s.ir.set_state(kVfOffset, vf);
}

void gen_logic_flags(DisasContext& s, Arg result) {
  gen_set_nzcv(s, result, imm64(0), imm64(0));
  s.flags = FlagSource{FlagSource::kLogic, result, IRBuilder::imm(result.type, 0), result};
}

Arg gen_adds(DisasContext& s, Arg a, Arg b) {
  Arg r = s.ir.add(a, b);
  // Carry out of an add is (result <u a).
  gen_set_nzcv(s, r, s.ir.setcond(Cond::LtU, r, a, Type::I64), gen_vf_add(s, a, b, r));
  s.flags = FlagSource{FlagSource::kAdd, a, b, r};
  return r;
}

Arg gen_subs(DisasContext& s, Arg a, Arg b) {
  Arg r = s.ir.sub(a, b);
  // Arm's C after a subtraction is NOT borrow: a >=u b.
  gen_set_nzcv(s, r, s.ir.setcond(Cond::GeU, a, b, Type::I64), gen_vf_sub(s, a, b, r));
  s.flags = FlagSource{FlagSource::kSub, a, b, r};
  return r;
}

Arg gen_adc(DisasContext& s, Arg a, Arg b, bool set_flags) {
  Arg cin = s.ir.get_state(Type::I64, kCfOffset);
  Arg r = s.ir.addc(a, b, cin);
  if (set_flags) {
    // The sign rule for V also holds with a carry in (the sum moves by at most one).
    gen_set_nzcv(s, r, cf_of(s, s.ir.add_carry(a, b, cin)), gen_vf_add(s, a, b, r));
    s.flags = FlagSource{};
  }
  return r;
}

CondTest gen_test_cc(DisasContext& s, unsigned cond) {
  const FlagSource& f = s.flags;
  // Fused forms: the condition on the flags of `a - b` (or of a logical result) is a direct compare.
  if (f.kind == FlagSource::kSub) {
    static constexpr Cond kSubCond[14] = {Cond::Eq, Cond::Ne,  Cond::GeU, Cond::LtU, Cond::Eq,  Cond::Eq,  Cond::Eq,
                                          Cond::Eq, Cond::GtU, Cond::LeU, Cond::GeS, Cond::LtS, Cond::GtS, Cond::LeS};
    if (cond < 4 || cond >= 8) return {kSubCond[cond], f.a, f.b};
    Arg zero = IRBuilder::imm(f.result.type, 0);
    if (cond == 4) return {Cond::LtS, f.result, zero};
    if (cond == 5) return {Cond::GeS, f.result, zero};
  } else if (f.kind == FlagSource::kAdd || f.kind == FlagSource::kLogic) {
    Arg zero = IRBuilder::imm(f.result.type, 0);
    switch (cond) {
      case 0: return {Cond::Eq, f.result, zero};
      case 1: return {Cond::Ne, f.result, zero};
      case 4: return {Cond::LtS, f.result, zero};
      case 5: return {Cond::GeS, f.result, zero};
      default: break;
    }
    // With C = V = 0 the signed conditions only look at N and Z.
    if (f.kind == FlagSource::kLogic) {
      switch (cond) {
        case 10: return {Cond::GeS, f.result, zero};
        case 11: return {Cond::LtS, f.result, zero};
        case 12: return {Cond::GtS, f.result, zero};
        case 13: return {Cond::LeS, f.result, zero};
        default: break;
      }
    }
  }
  Arg zero = imm64(0);
  auto field = [&](uint32_t off) { return s.ir.get_state(Type::I64, off); };
  switch (cond) {
    case 0: return {Cond::Eq, field(kZfOffset), zero};
    case 1: return {Cond::Ne, field(kZfOffset), zero};
    case 2: return {Cond::Ne, field(kCfOffset), zero};
    case 3: return {Cond::Eq, field(kCfOffset), zero};
    case 4: return {Cond::LtS, field(kNfOffset), zero};
    case 5: return {Cond::GeS, field(kNfOffset), zero};
    case 6: return {Cond::LtS, field(kVfOffset), zero};
    case 7: return {Cond::GeS, field(kVfOffset), zero};
    case 8:
    case 9: {  // HI: C && !Z
      Arg hi = s.ir.and_(s.ir.setcond(Cond::Ne, field(kZfOffset), zero), field(kCfOffset));
      return {cond == 8 ? Cond::Ne : Cond::Eq, hi, zero};
    }
    case 10: return {Cond::GeS, s.ir.xor_(field(kNfOffset), field(kVfOffset)), zero};
    case 11: return {Cond::LtS, s.ir.xor_(field(kNfOffset), field(kVfOffset)), zero};
    default: {  // GT: !Z && N == V
      Arg ge = s.ir.setcond(Cond::GeS, s.ir.xor_(field(kNfOffset), field(kVfOffset)), zero);
      Arg gt = s.ir.and_(s.ir.setcond(Cond::Ne, field(kZfOffset), zero), ge);
      return {cond == 12 ? Cond::Ne : Cond::Eq, gt, zero};
    }
  }
}

void gen_discard_dead_flags(DisasContext& s, uint64_t next, uint64_t other) {
  static_assert(kZfOffset == kNfOffset + 8 && kCfOffset == kNfOffset + 16 && kVfOffset == kNfOffset + 24);
  if (nzcv_dead_at(s.code, next) && (other == next || nzcv_dead_at(s.code, other))) s.ir.discard_state(kNfOffset, 32);
}

Arg gen_cond_value(DisasContext& s, unsigned cond) {
  if (cond >= 14) return imm64(1);
  CondTest t = gen_test_cc(s, cond);
  return s.ir.setcond(t.c, t.a, t.b, Type::I64);
}

}  // namespace mimic::arm
