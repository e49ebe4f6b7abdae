// Scalar floating point: data processing (1, 2, 3 sources), compares, conditional compare and
// select, FMOV (register, immediate, general), and conversions (H/S/D, integer, fixed point).
//
// Fast path: blocks translated with FPCR.FZ = 0 (tb_flags) run FADD/FSUB/FMUL/FDIV/FSQRT/FNMUL,
// the FMADD family (host FMA3), FCVT S<->D, SCVTF/UCVTF(W), FCVTZS and FCMP inline on SSE: the
// guest MXCSR holds FPCR.RMode and collects the flags (IE/ZE/OE/UE/PE are IOC/DZC/OFC/UFC/IXC).
// A result that is NaN (x86 NaN rules differ from Arm's) or +-the smallest normal (x86 detects
// underflow after rounding, Arm before) branches to the exact helper, which rewrites the register
// and adds any missing flag. With FZ = 1, and for everything else, the helpers (helpers_fp.cpp,
// on fpu.h) compute the result.
#include "target/arm/trans_fp.h"

#include "target/arm/fpu.h"
#include "target/arm/helpers_fp.h"
#include "target/arm/simd.h"

namespace mimic::arm {

bool host_fma() {
  static const bool v = __builtin_cpu_supports("fma");
  return v;
}

using tcg::FCond;
using tcg::Opcode;

namespace {

Type ftype(bool dbl) { return dbl ? Type::F64 : Type::F32; }
Type itype(bool dbl) { return dbl ? Type::I64 : Type::I32; }
Arg read_f(DisasContext& s, unsigned r, bool dbl) { return read_vreg_lo(s, r, ftype(dbl)); }
Arg read_i(DisasContext& s, unsigned r, bool dbl) { return read_vreg_lo(s, r, itype(dbl)); }
// Writes an S or D scalar (float or integer bits) and zeroes the rest of the register.
void write_fp(DisasContext& s, unsigned d, Arg v) {
  if (v.type == Type::F64) v = s.ir.bitcast(Type::I64, v);
  if (v.type == Type::I64)
    write_vreg_d(s, d, v);
  else
    write_vreg_scalar(s, d, v);
}
Arg call_fp(DisasContext& s, FpHelper h, Type t, std::initializer_list<Arg> args) {
  return s.ir.call(t, fp_helper_id(h), args);
}
Arg helper_bin(DisasContext& s, FpOp op, bool dbl, Arg a, Arg b) {
  return call_fp(s, FpHelper::bin, itype(dbl), {imm64(uint64_t(op) | uint64_t(dbl) << 8), a, b});
}
Arg helper_un(DisasContext& s, FpOp op, bool dbl, Arg a) {
  return call_fp(s, FpHelper::un, itype(dbl), {imm64(uint64_t(op) | uint64_t(dbl) << 8), a});
}

// After an inline result `bits` was written: branch to `fix` (which rewrites it exactly) when it
// is a NaN or +-the smallest normal.
template <class Fix>
void gen_fixup_special(DisasContext& s, Arg bits, bool dbl, Fix fix) {
  const uint64_t inf2 = dbl ? fp::kInfBits<uint64_t> << 1 : uint64_t(fp::kInfBits<uint32_t>) << 1;
  const uint64_t min2 = dbl ? fp::kMinNormalBits<uint64_t> << 1 : uint64_t(fp::kMinNormalBits<uint32_t>) << 1;
  Arg t = s.ir.shl(bits, dbl ? imm64(1) : imm32(1));
  uint32_t slow = s.ir.new_label(), done = s.ir.new_label();
  s.ir.br_cond(Cond::GtU, t, dbl ? imm64(inf2) : imm32(uint32_t(inf2)), slow);
  s.ir.br_cond(Cond::Ne, t, dbl ? imm64(min2) : imm32(uint32_t(min2)), done);
  s.ir.label(slow);
  fix();
  s.ir.label(done);
}

// Two-operand arithmetic: inline for the IEEE operations, helper otherwise.
void gen_bin(DisasContext& s, FpOp op, bool dbl, unsigned d, unsigned n, unsigned m) {
  Opcode opc;
  bool neg = false;
  switch (op) {
    case FpOp::Add: opc = Opcode::FAdd; break;
    case FpOp::Sub: opc = Opcode::FSub; break;
    case FpOp::Mul: opc = Opcode::FMul; break;
    case FpOp::Div: opc = Opcode::FDiv; break;
    case FpOp::NMul: opc = Opcode::FMul, neg = true; break;
    default: opc = Opcode::Mov; break;
  }
  if (opc == Opcode::Mov || !fp_fast(s)) {
    write_fp(s, d, helper_bin(s, op, dbl, read_i(s, n, dbl), read_i(s, m, dbl)));
    return;
  }
  Arg a = read_f(s, n, dbl), b = read_f(s, m, dbl);
  Arg r = s.ir.emit(opc, ftype(dbl), {a, b});
  Arg bits = s.ir.bitcast(itype(dbl), r);
  write_fp(s, d, neg ? s.ir.xor_(bits, dbl ? imm64(fp::kSignBit<uint64_t>) : imm32(fp::kSignBit<uint32_t>)) : bits);
  gen_fixup_special(s, bits, dbl, [&] { write_fp(s, d, helper_bin(s, op, dbl, a, b)); });
}

void gen_un(DisasContext& s, FpOp op, bool dbl, unsigned d, unsigned n) {
  if (op != FpOp::Sqrt || !fp_fast(s)) {
    write_fp(s, d, helper_un(s, op, dbl, read_i(s, n, dbl)));
    return;
  }
  Arg a = read_f(s, n, dbl);
  Arg bits = s.ir.bitcast(itype(dbl), s.ir.fsqrt(a));
  write_fp(s, d, bits);
  gen_fixup_special(s, bits, dbl, [&] { write_fp(s, d, helper_un(s, op, dbl, a)); });
}

// NZCV from a 4-bit value (N in bit 3), in the lazy fields.
void gen_set_nzcv4(DisasContext& s, Arg nzcv) {
  s.ir.set_state(kNfOffset, s.ir.shl(nzcv, imm64(60)));
  s.ir.set_state(kZfOffset, s.ir.xor_(s.ir.and_(nzcv, imm64(4)), imm64(4)));
  s.ir.set_state(kCfOffset, s.ir.extract(nzcv, 1, 1));
  s.ir.set_state(kVfOffset, s.ir.shl(nzcv, imm64(63)));
}

// FCMP/FCMPE Vn, Vm (or #0.0): NZCV = 0110 equal, 1000 less, 0010 greater, 0011 unordered.
void gen_fcmp(DisasContext& s, bool dbl, unsigned n, unsigned m, bool zero, bool signal) {
  s.flags = FlagSource{};
  if (!fp_fast(s)) {
    Arg b = zero ? (dbl ? imm64(0) : imm32(0)) : read_i(s, m, dbl);
    gen_set_nzcv4(
        s, call_fp(s, FpHelper::cmp, Type::I64, {imm64(uint64_t(signal) | uint64_t(dbl) << 1), read_i(s, n, dbl), b}));
    return;
  }
  Arg a = read_f(s, n, dbl);
  Arg b = zero ? s.ir.bitcast(ftype(dbl), dbl ? imm64(0) : imm32(0)) : read_f(s, m, dbl);
  // ucomis raises IE for signalling NaNs only, as FCMP raises IOC.
  Arg lt = s.ir.zext32_to_64(s.ir.fcmp(FCond::Lt, a, b));
  Arg eq = s.ir.zext32_to_64(s.ir.fcmp(FCond::Eq, a, b));
  Arg un = s.ir.zext32_to_64(s.ir.fcmp(FCond::Uno, a, b));
  s.ir.set_state(kNfOffset, s.ir.neg(lt));
  s.ir.set_state(kZfOffset, s.ir.xor_(eq, imm64(1)));
  s.ir.set_state(kCfOffset, s.ir.xor_(lt, imm64(1)));
  s.ir.set_state(kVfOffset, s.ir.neg(un));
  if (signal) {  // FCMPE: IOC for quiet NaNs too
    uint32_t done = s.ir.new_label();
    s.ir.br_cond(Cond::Eq, un, imm64(0), done);
    call_fp(s, FpHelper::cmp, Type::I64,
            {imm64(1 | uint64_t(dbl) << 1), s.ir.bitcast(itype(dbl), a), s.ir.bitcast(itype(dbl), b)});
    s.ir.label(done);
  }
}

// VFPExpandImm.
uint64_t expand_imm(uint32_t imm8, bool dbl) {
  const uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
  if (dbl) return sign << 63 | (b6 ^ 1) << 62 | (b6 ? 0xffull : 0) << 54 | low << 48;
  return sign << 31 | (b6 ^ 1) << 30 | (b6 ? 0x1full : 0) << 25 | low << 19;
}

}  // namespace

bool trans_FP_DP1(DisasContext& s, uint32_t tt, uint32_t op, uint32_t n, uint32_t d) {
  if ((op & 0x3c) == 0x04) {  // FCVT: tt is the source type, op<1:0> the destination's
    static constexpr unsigned kBits[4] = {32, 64, 0, 16};
    const unsigned from = kBits[tt], to = kBits[op & 3];
    if (!from || !to || from == to) return false;
    if (fp_fast(s) && from != 16 && to != 16) {
      const bool dbl = to == 64;
      Arg a = read_f(s, n, from == 64);
      Arg bits = s.ir.bitcast(itype(dbl), s.ir.fconv(ftype(dbl), a));
      write_fp(s, d, bits);
      gen_fixup_special(s, bits, dbl, [&] {
        write_fp(s, d, call_fp(s, FpHelper::cvt, itype(dbl), {imm64(from | to << 8), a}));
      });
      return true;
    }
    Arg a = from == 16 ? s.ir.zext(read_vreg_lo(s, n, Type::I32), 16) : read_i(s, n, from == 64);
    Arg r = call_fp(s, FpHelper::cvt, Type::I64, {imm64(from | to << 8), a});
    if (to == 64)
      write_vreg_d(s, d, r);
    else
      write_vreg_d(s, d, s.ir.and_(r, imm64(to == 32 ? 0xffffffffu : 0xffffu)));
    return true;
  }
  if (tt > 1) return false;
  const bool dbl = tt == 1;
  const uint64_t sign = dbl ? fp::kSignBit<uint64_t> : fp::kSignBit<uint32_t>;
  switch (op) {
    case 0: write_fp(s, d, read_i(s, n, dbl)); return true;                                 // FMOV
    case 1: write_fp(s, d, s.ir.and_(read_i(s, n, dbl), imm_sf(dbl, ~sign))); return true;  // FABS
    case 2: write_fp(s, d, s.ir.xor_(read_i(s, n, dbl), imm_sf(dbl, sign))); return true;   // FNEG
    case 3: gen_un(s, FpOp::Sqrt, dbl, d, n); return true;
    case 8: gen_un(s, FpOp::RintN, dbl, d, n); return true;
    case 9: gen_un(s, FpOp::RintP, dbl, d, n); return true;
    case 10: gen_un(s, FpOp::RintM, dbl, d, n); return true;
    case 11: gen_un(s, FpOp::RintZ, dbl, d, n); return true;
    case 12: gen_un(s, FpOp::RintA, dbl, d, n); return true;
    case 14: gen_un(s, FpOp::RintX, dbl, d, n); return true;
    case 15: gen_un(s, FpOp::RintI, dbl, d, n); return true;
    default: return false;
  }
}

bool trans_FP_CMP(DisasContext& s, uint32_t tt, uint32_t m, uint32_t n, bool E, bool Z) {
  if (tt > 1 || (Z && m != 0)) return false;
  gen_fcmp(s, tt == 1, n, m, Z, E);
  return true;
}

bool trans_FP_IMM(DisasContext& s, uint32_t tt, uint32_t imm8, uint32_t d) {
  if (tt > 1) return false;
  write_vreg_d(s, d, imm64(expand_imm(imm8, tt == 1)));
  return true;
}

bool trans_FP_CCMP(DisasContext& s, uint32_t tt, uint32_t m, uint32_t cond, uint32_t n, bool E, uint32_t nzcv) {
  if (tt > 1) return false;
  if (cond >= 14) {
    gen_fcmp(s, tt == 1, n, m, false, E);
    return true;
  }
  CondTest t = gen_test_cc(s, cond);
  uint32_t yes = s.ir.new_label(), done = s.ir.new_label();
  s.ir.br_cond(t.c, t.a, t.b, yes);
  s.flags = FlagSource{};
  gen_set_nzcv4(s, imm64(nzcv));
  s.ir.br(done);
  s.ir.label(yes);
  gen_fcmp(s, tt == 1, n, m, false, E);
  s.ir.label(done);
  return true;
}

bool trans_FP_DP2(DisasContext& s, uint32_t tt, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  if (tt > 1 || op > 8) return false;
  static constexpr FpOp kOps[9] = {FpOp::Mul, FpOp::Div,   FpOp::Add,   FpOp::Sub, FpOp::Max,
                                   FpOp::Min, FpOp::MaxNm, FpOp::MinNm, FpOp::NMul};
  gen_bin(s, kOps[op], tt == 1, d, n, m);
  return true;
}

bool trans_FP_CSEL(DisasContext& s, uint32_t tt, uint32_t m, uint32_t cond, uint32_t n, uint32_t d) {
  if (tt > 1) return false;
  const bool dbl = tt == 1;
  Arg c = gen_cond_value(s, cond);
  write_fp(s, d, s.ir.select(c, read_i(s, n, dbl), read_i(s, m, dbl)));
  return true;
}

// FMADD a + n*m, FMSUB a - n*m, FNMADD -a - n*m, FNMSUB -a + n*m.
bool trans_FP_DP3(DisasContext& s, uint32_t tt, bool o1, uint32_t m, bool o0, uint32_t a, uint32_t n, uint32_t d) {
  if (tt > 1) return false;
  const bool dbl = tt == 1, neg_addend = o1, neg_product = o0 != o1;
  const uint64_t mode = uint64_t(neg_addend) | uint64_t(neg_product) << 1 | uint64_t(dbl) << 2;
  if (!fp_fast(s) || !host_fma()) {
    write_fp(
        s, d,
        call_fp(s, FpHelper::fma, itype(dbl), {imm64(mode), read_i(s, a, dbl), read_i(s, n, dbl), read_i(s, m, dbl)}));
    return true;
  }
  Arg va = read_f(s, a, dbl), vn = read_f(s, n, dbl), vm = read_f(s, m, dbl);
  Arg r = s.ir.fma(neg_product ? s.ir.fneg(vn) : vn, vm, neg_addend ? s.ir.fneg(va) : va);
  Arg bits = s.ir.bitcast(itype(dbl), r);
  write_fp(s, d, bits);
  gen_fixup_special(s, bits, dbl, [&] {
    write_fp(s, d, call_fp(s, FpHelper::fma, itype(dbl), {imm64(mode), va, vn, vm}));
  });
  return true;
}

bool trans_FP_INT(DisasContext& s, bool sf, uint32_t tt, uint32_t rmode, uint32_t op, uint32_t n, uint32_t d) {
  // FMOV between general and FP registers.
  if (op == 6 || op == 7) {
    const bool to_fp = op == 7;
    if (rmode == 0 && ((sf && tt == 1) || (!sf && tt == 0))) {
      if (to_fp)
        write_fp(s, d, read_reg(s, n, sf));
      else
        write_x(s, d, read_i(s, n, sf));
      return true;
    }
    if (rmode == 1 && sf && tt == 2) {  // FMOV Xd, Vn.D[1] / FMOV Vd.D[1], Xn
      if (to_fp)
        s.ir.set_state(vreg_offset(d) + 8, read_x(s, n));
      else
        write_x(s, d, read_vreg_hi(s, n));
      return true;
    }
    return false;
  }
  if (tt > 1) return false;
  const bool dbl = tt == 1;
  if (op == 2 || op == 3) {  // SCVTF, UCVTF
    if (rmode != 0) return false;
    const bool is_unsigned = op == 3;
    Arg v = read_reg(s, n, sf);
    if (!is_unsigned || !sf) {
      // int32 -> f64 is exact; the others round in MXCSR's mode (FPCR.RMode), raising PE as IXC.
      if (is_unsigned) v = s.ir.zext32_to_64(v);
      write_fp(s, d, s.ir.sitof(ftype(dbl), v));
      return true;
    }
    Arg r = call_fp(s, FpHelper::from_int, itype(dbl), {imm64(fp_int_desc(0, kRoundFpcr, true, sf, dbl)), v});
    write_fp(s, d, r);
    return true;
  }
  // FCVT{N,P,M,Z}{S,U} (op 0/1 with rmode), FCVTA{S,U} (op 4/5, rmode 0).
  unsigned rounding;
  bool is_unsigned;
  if (op <= 1) {
    static constexpr unsigned kR[4] = {fp::kTieEven, fp::kPosInf, fp::kNegInf, fp::kZero};
    rounding = kR[rmode];
    is_unsigned = op == 1;
  } else if ((op == 4 || op == 5) && rmode == 0) {
    rounding = fp::kTieAway;
    is_unsigned = op == 5;
  } else {
    return false;
  }
  const uint64_t desc = fp_int_desc(0, rounding, is_unsigned, sf, dbl);
  if (rounding == fp::kZero && !is_unsigned && fp_fast(s)) {
    // cvtts*2si: the integer indefinite value (INT_MIN) for NaN/overflow -> the helper saturates.
    Arg a = read_f(s, n, dbl);
    Arg r = s.ir.ftosi(type_sf(sf), a);
    write_x(s, d, r);
    uint32_t done = s.ir.new_label();
    s.ir.br_cond(Cond::Ne, r, sf ? imm64(1ull << 63) : imm32(1u << 31), done);
    Arg fix = call_fp(s, FpHelper::to_int, Type::I64, {imm64(desc), a});
    write_x(s, d, sf ? fix : s.ir.trunc64_to_32(fix));
    s.ir.label(done);
    return true;
  }
  Arg r = call_fp(s, FpHelper::to_int, Type::I64, {imm64(desc), read_i(s, n, dbl)});
  write_x(s, d, sf ? r : s.ir.trunc64_to_32(r));
  return true;
}

bool trans_FP_FIXED(DisasContext& s, bool sf, uint32_t tt, uint32_t rmode, uint32_t op, uint32_t scale, uint32_t n,
                    uint32_t d) {
  if (tt > 1 || (!sf && scale < 32)) return false;
  const bool dbl = tt == 1;
  const unsigned fbits = 64 - scale;
  if (rmode == 0 && (op == 2 || op == 3)) {  // SCVTF, UCVTF (fixed point)
    Arg r = call_fp(s, FpHelper::from_int, itype(dbl),
                    {imm64(fp_int_desc(fbits, kRoundFpcr, op == 3, sf, dbl)), read_reg(s, n, sf)});
    write_fp(s, d, r);
    return true;
  }
  if (rmode == 3 && (op == 0 || op == 1)) {  // FCVTZS, FCVTZU (fixed point)
    Arg r = call_fp(s, FpHelper::to_int, Type::I64,
                    {imm64(fp_int_desc(fbits, fp::kZero, op == 1, sf, dbl)), read_i(s, n, dbl)});
    write_x(s, d, sf ? r : s.ir.trunc64_to_32(r));
    return true;
  }
  return false;
}

}  // namespace mimic::arm
