// Data processing (register): shifted/extended add/sub and logical, ADC/SBC, conditional
// compare/select, 1-source (RBIT/REV/CLZ/CLS), 2-source (div, variable shifts, CRC32) and 3-source.
#include "target/arm/helpers.h"
#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
Arg gen_shift_imm(DisasContext& s, Arg v, uint32_t type, uint32_t amount, bool sf) {
  if (amount == 0) return v;
  Arg a = imm_sf(sf, amount);
  switch (type) {
    case 0: return s.ir.shl(v, a);
    case 1: return s.ir.shr(v, a);
    case 2: return s.ir.sar(v, a);
    default: return s.ir.rotr(v, a);
  }
}
// Arg constant of v's type.
Arg k(Arg like, uint64_t v) { return IRBuilder::imm(like.type, v); }
}  // namespace

Arg gen_ext_reg(DisasContext& s, unsigned m, unsigned option, unsigned shift) {
  Arg v = read_x(s, m);
  switch (option) {
    case 0: v = s.ir.zext(v, 8); break;
    case 1: v = s.ir.zext(v, 16); break;
    case 2: v = s.ir.zext(v, 32); break;
    case 4: v = s.ir.sext(v, 8); break;
    case 5: v = s.ir.sext(v, 16); break;
    case 6: v = s.ir.sext(v, 32); break;
    default: break;  // UXTX / SXTX
  }
  return shift ? s.ir.shl(v, imm64(shift)) : v;
}

bool trans_LOGIC_shift(DisasContext& s, bool sf, uint32_t opc, uint32_t shift, bool N, uint32_t m, uint32_t imm6,
                       uint32_t n, uint32_t d) {
  if (!sf && imm6 >= 32) return false;
  Arg a = read_reg(s, n, sf);
  Arg b = gen_shift_imm(s, read_reg(s, m, sf), shift, imm6, sf);
  Arg r;
  switch (opc) {
    case 0:
    case 3: r = N ? s.ir.andc(a, b) : s.ir.and_(a, b); break;
    case 1: r = N ? s.ir.orc(a, b) : s.ir.or_(a, b); break;
    default: r = s.ir.xor_(a, N ? s.ir.not_(b) : b); break;
  }
  if (opc == 3) gen_logic_flags(s, r);
  write_x(s, d, r);
  return true;
}

bool trans_ADDSUB_shift(DisasContext& s, bool sf, bool op, bool S, uint32_t shift, uint32_t m, uint32_t imm6,
                        uint32_t n, uint32_t d) {
  if (shift == 3 || (!sf && imm6 >= 32)) return false;
  Arg a = read_reg(s, n, sf);
  Arg b = gen_shift_imm(s, read_reg(s, m, sf), shift, imm6, sf);
  Arg r = S ? (op ? gen_subs(s, a, b) : gen_adds(s, a, b)) : (op ? s.ir.sub(a, b) : s.ir.add(a, b));
  write_x(s, d, r);
  return true;
}

bool trans_ADDSUB_ext(DisasContext& s, bool sf, bool op, bool S, uint32_t m, uint32_t option, uint32_t imm3, uint32_t n,
                      uint32_t d) {
  if (imm3 > 4) return false;
  Arg a = read_reg_sp(s, n, sf);
  Arg b = gen_ext_reg(s, m, option, imm3);
  if (!sf) b = s.ir.trunc64_to_32(b);
  if (S) {
    write_x(s, d, op ? gen_subs(s, a, b) : gen_adds(s, a, b));
  } else {
    write_xsp(s, d, op ? s.ir.sub(a, b) : s.ir.add(a, b));
  }
  return true;
}

bool trans_ADCSBC(DisasContext& s, bool sf, bool op, bool S, uint32_t m, uint32_t n, uint32_t d) {
  Arg a = read_reg(s, n, sf), b = read_reg(s, m, sf);
  // SBC is a + ~b + C, exactly as the Arm ARM defines it (flags included).
  write_x(s, d, gen_adc(s, a, op ? s.ir.not_(b) : b, S));
  return true;
}

namespace {
bool gen_ccmp(DisasContext& s, bool sf, bool op, Arg b, uint32_t cond, uint32_t n, uint32_t nzcv) {
  Arg a = read_reg(s, n, sf);
  Arg c = gen_cond_value(s, cond);
  Arg r, cf, vf;
  if (op) {
    r = s.ir.sub(a, b);
    cf = s.ir.setcond(Cond::GeU, a, b, Type::I64);
    vf = gen_vf_sub(s, a, b, r);
  } else {
    r = s.ir.add(a, b);
    cf = s.ir.setcond(Cond::LtU, r, a, Type::I64);
    vf = gen_vf_add(s, a, b, r);
  }
  Arg nf = sf ? r : s.ir.sext32_to_64(r);
  Arg zf = sf ? r : s.ir.zext32_to_64(r);
  s.ir.set_state(kNfOffset, s.ir.select(c, nf, imm64(nzcv & 8 ? ~0ull : 0)));
  s.ir.set_state(kZfOffset, s.ir.select(c, zf, imm64(nzcv & 4 ? 0 : 1)));
  s.ir.set_state(kCfOffset, s.ir.select(c, cf, imm64((nzcv >> 1) & 1)));
  s.ir.set_state(kVfOffset, s.ir.select(c, vf, imm64(nzcv & 1 ? ~0ull : 0)));
  s.flags = FlagSource{};
  return true;
}
}  // namespace

bool trans_CCMP_reg(DisasContext& s, bool sf, bool op, uint32_t m, uint32_t cond, uint32_t n, uint32_t nzcv) {
  return gen_ccmp(s, sf, op, read_reg(s, m, sf), cond, n, nzcv);
}
bool trans_CCMP_imm(DisasContext& s, bool sf, bool op, uint32_t imm5, uint32_t cond, uint32_t n, uint32_t nzcv) {
  return gen_ccmp(s, sf, op, imm_sf(sf, imm5), cond, n, nzcv);
}

bool trans_CSEL(DisasContext& s, bool sf, bool op, uint32_t m, uint32_t cond, bool o2, uint32_t n, uint32_t d) {
  Arg a = read_reg(s, n, sf);
  if (cond >= 14) {
    write_x(s, d, a);
    return true;
  }
  Arg b = read_reg(s, m, sf);
  if (!op && o2) b = s.ir.add(b, k(b, 1));  // CSINC (CSET, CINC)
  if (op && !o2) b = s.ir.not_(b);          // CSINV (CSETM, CINV)
  if (op && o2) b = s.ir.neg(b);            // CSNEG (CNEG)
  CondTest t = gen_test_cc(s, cond);
  write_x(s, d, s.ir.select(s.ir.setcond(t.c, t.a, t.b), a, b));
  return true;
}

// A64 division by zero gives 0 (the IR's gives all ones); INT_MIN / -1 wraps in both.
bool trans_UDIV(DisasContext& s, bool sf, uint32_t m, uint32_t n, uint32_t d) {
  Arg a = read_reg(s, n, sf), b = read_reg(s, m, sf);
  write_x(s, d, s.ir.select(s.ir.setcond(Cond::Ne, b, k(b, 0)), s.ir.divu(a, b), k(b, 0)));
  return true;
}
bool trans_SDIV(DisasContext& s, bool sf, uint32_t m, uint32_t n, uint32_t d) {
  Arg a = read_reg(s, n, sf), b = read_reg(s, m, sf);
  write_x(s, d, s.ir.select(s.ir.setcond(Cond::Ne, b, k(b, 0)), s.ir.divs(a, b), k(b, 0)));
  return true;
}

// The IR shifts take the amount modulo the width, which is exactly A64's rule.
bool trans_SHIFTV(DisasContext& s, bool sf, uint32_t m, uint32_t op2, uint32_t n, uint32_t d) {
  Arg a = read_reg(s, n, sf), b = read_reg(s, m, sf);
  Arg r;
  switch (op2) {
    case 0: r = s.ir.shl(a, b); break;
    case 1: r = s.ir.shr(a, b); break;
    case 2: r = s.ir.sar(a, b); break;
    default: r = s.ir.rotr(a, b); break;
  }
  write_x(s, d, r);
  return true;
}

bool trans_CRC32(DisasContext& s, bool sf, uint32_t m, bool C, uint32_t sz, uint32_t n, uint32_t d) {
  if (sf != (sz == 3)) return false;
  Arg acc = read_reg(s, n, false);
  Arg val = read_x(s, m);
  Arg r = s.ir.call(Type::I32, helper_id(C ? Helper::crc32c : Helper::crc32), {acc, val, imm32(1u << sz)});
  write_x(s, d, r);
  return true;
}

namespace {
// Swaps adjacent `bits`-wide groups selected by `mask` (a classic bit-reversal step).
Arg swap_groups(DisasContext& s, Arg x, uint64_t mask, unsigned bits) {
  Arg sh = k(x, bits), m = k(x, mask);
  return s.ir.or_(s.ir.and_(s.ir.shr(x, sh), m), s.ir.shl(s.ir.and_(x, m), sh));
}
}  // namespace

bool trans_RBIT(DisasContext& s, bool sf, uint32_t n, uint32_t d) {
  Arg x = read_reg(s, n, sf);
  x = sf ? s.ir.bswap64(x) : s.ir.bswap32(x);
  x = swap_groups(s, x, 0x0f0f0f0f0f0f0f0full, 4);
  x = swap_groups(s, x, 0x3333333333333333ull, 2);
  x = swap_groups(s, x, 0x5555555555555555ull, 1);
  write_x(s, d, x);
  return true;
}
bool trans_REV16(DisasContext& s, bool sf, uint32_t n, uint32_t d) {
  write_x(s, d, swap_groups(s, read_reg(s, n, sf), 0x00ff00ff00ff00ffull, 8));
  return true;
}
bool trans_REV32(DisasContext& s, bool sf, uint32_t n, uint32_t d) {
  Arg x = read_reg(s, n, sf);
  write_x(s, d, sf ? s.ir.rotr(s.ir.bswap64(x), imm64(32)) : s.ir.bswap32(x));  // X: REV32; W: REV
  return true;
}
bool trans_REV64(DisasContext& s, uint32_t n, uint32_t d) {
  write_x(s, d, s.ir.bswap64(read_x(s, n)));
  return true;
}
bool trans_CLZ(DisasContext& s, bool sf, uint32_t n, uint32_t d) {
  write_x(s, d, s.ir.clz(read_reg(s, n, sf)));
  return true;
}
bool trans_CLS(DisasContext& s, bool sf, uint32_t n, uint32_t d) {
  // Leading sign bits after the top one: clz(x ^ (x >> 1 arithmetic)) - 1.
  Arg x = read_reg(s, n, sf);
  Arg t = s.ir.xor_(x, s.ir.sar(x, k(x, 1)));
  write_x(s, d, s.ir.sub(s.ir.clz(t), k(x, 1)));
  return true;
}

bool trans_MADD(DisasContext& s, bool sf, uint32_t m, bool o0, uint32_t a, uint32_t n, uint32_t d) {
  Arg p = s.ir.mul(read_reg(s, n, sf), read_reg(s, m, sf));
  Arg acc = read_reg(s, a, sf);
  write_x(s, d, o0 ? s.ir.sub(acc, p) : s.ir.add(acc, p));
  return true;
}
bool trans_MADDL(DisasContext& s, bool U, uint32_t m, bool o0, uint32_t a, uint32_t n, uint32_t d) {
  Arg x = read_x(s, n), y = read_x(s, m);
  x = U ? s.ir.zext(x, 32) : s.ir.sext(x, 32);
  y = U ? s.ir.zext(y, 32) : s.ir.sext(y, 32);
  Arg p = s.ir.mul(x, y);
  Arg acc = read_x(s, a);
  write_x(s, d, o0 ? s.ir.sub(acc, p) : s.ir.add(acc, p));
  return true;
}
bool trans_MULH(DisasContext& s, bool U, uint32_t m, uint32_t a, uint32_t n, uint32_t d) {
  Arg x = read_x(s, n), y = read_x(s, m);
  write_x(s, d, U ? s.ir.mulhu(x, y) : s.ir.mulhs(x, y));
  return true;
}

}  // namespace mimic::arm
