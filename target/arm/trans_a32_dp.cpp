// AArch32 data processing: shifter operands with carry out, the ALU operations, multiplies and
// divides, and the ARMv6 media instructions (extends, bit fields, saturation, packed SIMD).
#include "target/arm/helpers.h"
#include "target/arm/helpers_a32.h"
#include "target/arm/trans_a32.h"

namespace mimic::arm {

namespace {
Arg none() { return Arg{}; }
uint32_t ror32(uint32_t v, unsigned r) { return r ? (v >> r) | (v << (32 - r)) : v; }
Arg bit_as_c(A32Context& s, Arg v32, unsigned bit) { return s.ir.zext32_to_64(s.ir.extract(v32, bit, 1)); }
}  // namespace

Operand2 gen_imm_operand(uint32_t imm8, uint32_t rot, bool want_carry) {
  const uint32_t v = ror32(imm8, 2 * rot);
  if (!want_carry || rot == 0) return {imm32(v), none()};
  return {imm32(v), imm64(v >> 31)};
}

Operand2 gen_t32_imm_operand(uint32_t imm12, bool want_carry) {
  const uint32_t b = imm12 & 0xff;
  uint32_t v;
  switch (imm12 >> 8) {
    case 0: return {imm32(b), none()};
    case 1: return {imm32(b << 16 | b), none()};
    case 2: return {imm32(b << 24 | b << 8), none()};
    case 3: return {imm32(b << 24 | b << 16 | b << 8 | b), none()};
    default: v = ror32(0x80 | (imm12 & 0x7f), imm12 >> 7); break;
  }
  return {imm32(v), want_carry ? imm64(v >> 31) : none()};
}

Operand2 gen_shift_imm(A32Context& s, Arg v, unsigned type, unsigned amount, bool want_carry) {
  auto& ir = s.ir;
  switch (type) {
    case 0:  // LSL
      if (amount == 0) return {v, none()};
      return {ir.shl(v, imm32(amount)), want_carry ? bit_as_c(s, v, 32 - amount) : none()};
    case 1:  // LSR (#0 is #32)
      if (amount == 0) return {imm32(0), want_carry ? bit_as_c(s, v, 31) : none()};
      return {ir.shr(v, imm32(amount)), want_carry ? bit_as_c(s, v, amount - 1) : none()};
    case 2:  // ASR (#0 is #32)
      if (amount == 0) amount = 32;
      return {ir.sar(v, imm32(amount == 32 ? 31 : amount)), want_carry ? bit_as_c(s, v, amount - 1) : none()};
    default:
      if (amount == 0) {  // RRX: C into bit 31, bit 0 out
        Arg r = ir.or_(ir.shr(v, imm32(1)), ir.shl(gen_carry_in(s), imm32(31)));
        return {r, want_carry ? bit_as_c(s, v, 0) : none()};
      }
      return {ir.rotr(v, imm32(amount)), want_carry ? bit_as_c(s, v, amount - 1) : none()};
  }
}

Operand2 gen_shift_reg(A32Context& s, Arg v, unsigned type, Arg amount, bool want_carry) {
  // Out of line: the amount is a run-time byte (0..255) whose cases (0, 1..31, 32, >32) all differ.
  Arg sh = s.ir.and_(amount, imm32(0xff));
  Arg packed = s.ir.call(Type::I64, a32_helper_id(A32Helper::shift_reg),
                         {v, sh, imm32(type), s.ir.get_state(Type::I64, kCfOffset)});
  Arg r = s.ir.trunc64_to_32(packed);
  return {r, want_carry ? s.ir.shr(packed, imm64(32)) : none()};
}

bool gen_dp(A32Context& s, DpOp op, bool S, unsigned rd, unsigned rn, Operand2 op2) {
  auto& ir = s.ir;
  const bool is_test = op == DpOp::Tst || op == DpOp::Teq || op == DpOp::Cmp || op == DpOp::Cmn;
  if (S && rd == 15 && !is_test) return false;  // SUBS pc, lr and friends: exception return, not at EL0
  Arg b = op2.value;
  Arg a = (op == DpOp::Mov || op == DpOp::Mvn) ? Arg{} : read_r(s, rn);
  Arg r;
  auto logic_flags = [&](Arg res) {
    if (!S) return;
    gen_nz(s, res);
    if (!op2.carry.is_none()) gen_set_c(s, op2.carry);
  };
  switch (op) {
    case DpOp::And:
    case DpOp::Tst:
      r = ir.and_(a, b);
      logic_flags(r);
      break;
    case DpOp::Eor:
    case DpOp::Teq:
      r = ir.xor_(a, b);
      logic_flags(r);
      break;
    case DpOp::Orr:
      r = ir.or_(a, b);
      logic_flags(r);
      break;
    case DpOp::Orn:
      r = ir.orc(a, b);
      logic_flags(r);
      break;
    case DpOp::Bic:
      r = ir.andc(a, b);
      logic_flags(r);
      break;
    case DpOp::Mov:
      r = b.is_imm() ? b : ir.mov(b);
      logic_flags(r);
      break;
    case DpOp::Mvn:
      r = ir.not_(b);
      logic_flags(r);
      break;
    case DpOp::Sub:
    case DpOp::Cmp: r = S ? gen_subs(s, a, b) : ir.sub(a, b); break;
    case DpOp::Rsb: r = S ? gen_subs(s, b, a) : ir.sub(b, a); break;
    case DpOp::Add:
    case DpOp::Cmn: r = S ? gen_adds(s, a, b) : ir.add(a, b); break;
    case DpOp::Adc: r = gen_adc(s, a, b, S); break;
    case DpOp::Sbc: r = gen_adc(s, a, ir.not_(b), S); break;
    case DpOp::Rsc: r = gen_adc(s, b, ir.not_(a), S); break;
  }
  if (!is_test) write_r_alu(s, rd, r);
  return true;
}

// ---- multiplies and divides ----

bool gen_mul(A32Context& s, bool S, unsigned d, unsigned n, unsigned m, int acc, bool sub) {
  Arg r = s.ir.mul(read_r(s, n), read_r(s, m));
  if (acc >= 0) r = sub ? s.ir.sub(read_r(s, unsigned(acc)), r) : s.ir.add(read_r(s, unsigned(acc)), r);
  write_r(s, d, r);
  if (S) gen_nz(s, r);
  return true;
}

namespace {
Arg wide(A32Context& s, Arg v, bool is_signed) { return is_signed ? s.ir.sext32_to_64(v) : s.ir.zext32_to_64(v); }
Arg pair64(A32Context& s, unsigned lo, unsigned hi) {
  return s.ir.or_(s.ir.zext32_to_64(read_r(s, lo)), s.ir.shl(s.ir.zext32_to_64(read_r(s, hi)), imm64(32)));
}
void write_pair(A32Context& s, unsigned lo, unsigned hi, Arg v) {
  write_r(s, lo, s.ir.trunc64_to_32(v));
  write_r(s, hi, s.ir.trunc64_to_32(s.ir.shr(v, imm64(32))));
}
}  // namespace

bool gen_mull(A32Context& s, bool is_signed, bool accumulate, bool S, unsigned lo, unsigned hi, unsigned n,
              unsigned m) {
  Arg r = s.ir.mul(wide(s, read_r(s, n), is_signed), wide(s, read_r(s, m), is_signed));
  if (accumulate) r = s.ir.add(r, pair64(s, lo, hi));
  write_pair(s, lo, hi, r);
  if (S) {
    s.ir.set_state(kNfOffset, r);
    s.ir.set_state(kZfOffset, r);
    s.flags = FlagSource{};
  }
  return true;
}

bool gen_umaal(A32Context& s, unsigned lo, unsigned hi, unsigned n, unsigned m) {
  Arg r = s.ir.mul(s.ir.zext32_to_64(read_r(s, n)), s.ir.zext32_to_64(read_r(s, m)));
  r = s.ir.add(r, s.ir.add(s.ir.zext32_to_64(read_r(s, lo)), s.ir.zext32_to_64(read_r(s, hi))));
  write_pair(s, lo, hi, r);
  return true;
}

bool gen_div(A32Context& s, bool is_signed, unsigned d, unsigned n, unsigned m) {
  // Division by zero gives 0 (no trap at EL0 on Linux), INT_MIN / -1 gives INT_MIN.
  Arg r =
      s.ir.call(Type::I32, a32_helper_id(is_signed ? A32Helper::sdiv : A32Helper::udiv), {read_r(s, n), read_r(s, m)});
  write_r(s, d, r);
  return true;
}

namespace {
Arg half(A32Context& s, Arg v, bool top) { return top ? s.ir.sar(v, imm32(16)) : s.ir.sext(v, 16); }
// a + b setting Q on signed overflow (the accumulate of SMLAxy, SMLAD, SMLAWy).
Arg gen_add_q(A32Context& s, Arg a, Arg b) { return s.ir.call(Type::I32, a32_helper_id(A32Helper::add_setq), {a, b}); }
}  // namespace

bool gen_smul_halves(A32Context& s, unsigned op, unsigned d, unsigned a, unsigned m, unsigned n, bool x, bool y) {
  auto& ir = s.ir;
  Arg rn = read_r(s, n), rm = read_r(s, m);
  switch (op) {
    case 0:
    case 3: {  // SMLAxy / SMULxy
      Arg p = ir.mul(half(s, rn, x), half(s, rm, y));
      write_r(s, d, op == 3 ? p : gen_add_q(s, p, read_r(s, a)));
      return true;
    }
    case 1: {  // SMLAWy / SMULWy (x clear: accumulate)
      Arg p = ir.mul(ir.sext32_to_64(rn), ir.sext32_to_64(half(s, rm, y)));
      Arg r = ir.trunc64_to_32(ir.sar(p, imm64(16)));
      write_r(s, d, x ? r : gen_add_q(s, r, read_r(s, a)));
      return true;
    }
    default: {  // SMLALxy: a is RdLo, d RdHi
      Arg p = ir.sext32_to_64(ir.mul(half(s, rn, x), half(s, rm, y)));
      write_pair(s, a, d, ir.add(p, pair64(s, a, d)));
      return true;
    }
  }
}

bool gen_smlad(A32Context& s, bool sub, bool swap, bool is_long, unsigned d, unsigned a, unsigned m, unsigned n) {
  auto& ir = s.ir;
  Arg rn = read_r(s, n), rm = read_r(s, m);
  if (swap) rm = ir.rotr(rm, imm32(16));
  Arg p1 = ir.mul(half(s, rn, false), half(s, rm, false));
  Arg p2 = ir.mul(half(s, rn, true), half(s, rm, true));
  if (is_long) {  // a is RdLo, d RdHi
    Arg sum = sub ? ir.sub(ir.sext32_to_64(p1), ir.sext32_to_64(p2)) : ir.add(ir.sext32_to_64(p1), ir.sext32_to_64(p2));
    write_pair(s, a, d, ir.add(sum, pair64(s, a, d)));
    return true;
  }
  // The sum of two products can overflow only for 0x8000 * 0x8000 twice: Q is set then.
  Arg r = sub ? ir.sub(p1, p2) : gen_add_q(s, p1, p2);
  if (a != 15) r = gen_add_q(s, r, read_r(s, a));
  write_r(s, d, r);
  return true;
}

bool gen_smmul(A32Context& s, bool sub, bool round, unsigned d, unsigned a, unsigned m, unsigned n) {
  auto& ir = s.ir;
  Arg p = ir.mul(ir.sext32_to_64(read_r(s, n)), ir.sext32_to_64(read_r(s, m)));
  if (a != 15) {
    Arg acc = ir.shl(ir.zext32_to_64(read_r(s, a)), imm64(32));
    p = sub ? ir.sub(acc, p) : ir.add(acc, p);
  }
  if (round) p = ir.add(p, imm64(0x80000000u));
  write_r(s, d, ir.trunc64_to_32(ir.shr(p, imm64(32))));
  return true;
}

bool gen_usad8(A32Context& s, unsigned d, unsigned a, unsigned m, unsigned n) {
  Arg r = s.ir.call(Type::I32, a32_helper_id(A32Helper::usad8), {read_r(s, n), read_r(s, m)});
  if (a != 15) r = s.ir.add(r, read_r(s, a));
  write_r(s, d, r);
  return true;
}

// ---- bit operations and media ----

bool gen_clz(A32Context& s, unsigned d, unsigned m) {
  write_r(s, d, s.ir.clz(read_r(s, m)));
  return true;
}

bool gen_rev(A32Context& s, unsigned op, unsigned d, unsigned m) {
  auto& ir = s.ir;
  Arg v = read_r(s, m);
  switch (op) {
    case 0: v = ir.bswap32(v); break;
    case 1: v = ir.rotr(ir.bswap32(v), imm32(16)); break;
    case 2: v = ir.sext(ir.bswap16(ir.zext(v, 16)), 16); break;
    default: v = ir.call(Type::I32, a32_helper_id(A32Helper::rbit), {v}); break;
  }
  write_r(s, d, v);
  return true;
}

bool gen_extend(A32Context& s, bool is_unsigned, unsigned size, unsigned d, unsigned n, unsigned m, unsigned rot) {
  auto& ir = s.ir;
  Arg v = read_r(s, m);
  if (rot) v = ir.rotr(v, imm32(8 * rot));
  if (size == 0) {  // XTB16: both halves' low bytes
    Arg lo = is_unsigned ? ir.zext(v, 8) : ir.sext(v, 8);
    Arg hi = is_unsigned ? ir.zext(ir.shr(v, imm32(16)), 8) : ir.sext(ir.shr(v, imm32(16)), 8);
    if (n != 15) {
      Arg rn = read_r(s, n);
      lo = ir.add(lo, rn);
      hi = ir.add(hi, ir.shr(rn, imm32(16)));
    }
    write_r(s, d, ir.deposit(ir.zext(lo, 16), hi, 16, 16));
    return true;
  }
  const unsigned bits = size == 2 ? 8 : 16;
  v = is_unsigned ? ir.zext(v, bits) : ir.sext(v, bits);
  if (n != 15) v = ir.add(v, read_r(s, n));
  write_r(s, d, v);
  return true;
}

bool gen_bfi(A32Context& s, unsigned d, unsigned n, unsigned lsb, unsigned msb) {
  if (msb < lsb) return true;  // UNPREDICTABLE: leave rd as it is
  Arg src = n == 15 ? imm32(0) : read_r(s, n);
  write_r(s, d, s.ir.deposit(read_r(s, d), src, lsb, msb - lsb + 1));
  return true;
}

bool gen_bfx(A32Context& s, bool is_signed, unsigned d, unsigned n, unsigned lsb, unsigned widthm1) {
  if (lsb + widthm1 > 31) return false;
  Arg v = read_r(s, n);
  write_r(s, d, is_signed ? s.ir.sextract(v, lsb, widthm1 + 1) : s.ir.extract(v, lsb, widthm1 + 1));
  return true;
}

bool gen_pkh(A32Context& s, bool tb, unsigned d, unsigned n, unsigned m, unsigned imm5) {
  auto& ir = s.ir;
  Arg rn = read_r(s, n), rm = read_r(s, m);
  if (tb) {  // PKHTB: top of rn, bottom of rm ASR imm (0 = 32)
    Arg lo = ir.sar(rm, imm32(imm5 == 0 ? 31 : imm5));
    write_r(s, d, ir.deposit(rn, lo, 0, 16));
  } else {  // PKHBT: bottom of rn, top of rm LSL imm
    write_r(s, d, ir.deposit(rn, ir.shr(ir.shl(rm, imm32(imm5)), imm32(16)), 16, 16));
  }
  return true;
}

bool gen_sat(A32Context& s, bool is_unsigned, unsigned d, unsigned sat, unsigned n, bool sh, unsigned imm5) {
  // ASR #32 (imm5 = 0) saturates as ASR #31 does.
  Arg v = sh ? s.ir.sar(read_r(s, n), imm32(imm5 == 0 ? 31 : imm5)) : s.ir.shl(read_r(s, n), imm32(imm5));
  Arg r = s.ir.call(Type::I32, a32_helper_id(is_unsigned ? A32Helper::usat : A32Helper::ssat), {v, imm32(sat)});
  write_r(s, d, r);
  return true;
}

bool gen_sat16(A32Context& s, bool is_unsigned, unsigned d, unsigned sat, unsigned n) {
  Arg r = s.ir.call(Type::I32, a32_helper_id(is_unsigned ? A32Helper::usat16 : A32Helper::ssat16),
                    {read_r(s, n), imm32(sat)});
  write_r(s, d, r);
  return true;
}

namespace {
constexpr uint32_t kGeOffset = uint32_t(offsetof(A32Cpu, ge));

// UADD8 inline (glibc's armv6t2 strlen, memchr and strcmp run UADD8 + SEL per word): the bytes
// summed without carries between them, GE[i] the carry out of byte i.
void gen_uadd8(A32Context& s, unsigned d, unsigned n, unsigned m) {
  IRBuilder& ir = s.ir;
  Arg a = read_r(s, n), b = read_r(s, m);
  Arg low7 = ir.add(ir.and_(a, imm32(0x7f7f7f7f)), ir.and_(b, imm32(0x7f7f7f7f)));
  Arg r = ir.xor_(low7, ir.and_(ir.xor_(a, b), imm32(0x80808080)));
  // carry out of bit 7 of each byte: a & b, or (a | b) without the result bit
  Arg carry = ir.and_(ir.or_(ir.and_(a, b), ir.and_(ir.or_(a, b), ir.not_(r))), imm32(0x80808080));
  Arg t = ir.shr(carry, imm32(7));  // bits 0, 8, 16, 24
  t = ir.or_(t, ir.shr(t, imm32(7)));
  t = ir.or_(t, ir.shr(t, imm32(14)));
  ir.set_state(kGeOffset, ir.and_(t, imm32(15)));
  write_r(s, d, r);
}
}  // namespace

bool gen_sel(A32Context& s, unsigned d, unsigned n, unsigned m) {
  // Byte i from Rn where GE[i], else from Rm: GE's four bits spread to bytes 0..3, times 0xff.
  IRBuilder& ir = s.ir;
  Arg x = ir.and_(ir.get_state(Type::I32, kGeOffset), imm32(15));
  x = ir.and_(ir.or_(x, ir.shl(x, imm32(14))), imm32(0x00030003));
  x = ir.and_(ir.or_(x, ir.shl(x, imm32(7))), imm32(0x01010101));
  Arg mask = ir.mul(x, imm32(0xff));
  Arg a = read_r(s, n), b = read_r(s, m);
  write_r(s, d, ir.or_(ir.and_(a, mask), ir.and_(b, ir.not_(mask))));
  return true;
}

bool gen_parallel(A32Context& s, bool is_unsigned, unsigned prefix, unsigned op, unsigned d, unsigned n, unsigned m) {
  if (prefix == 0 || op == 5 || op == 6) return false;
  if (is_unsigned && prefix == 1 && op == 4) {
    gen_uadd8(s, d, n, m);
    return true;
  }
  const uint32_t code = (is_unsigned ? 4u : 0u) | prefix;  // helper selects by (code, op)
  Arg r = s.ir.call(Type::I32, a32_helper_id(A32Helper::parallel), {read_r(s, n), read_r(s, m), imm32(code << 4 | op)});
  write_r(s, d, r);
  return true;
}

bool gen_qaddsub(A32Context& s, unsigned op, unsigned d, unsigned n, unsigned m) {
  Arg r = s.ir.call(Type::I32, a32_helper_id(A32Helper::qaddsub), {read_r(s, m), read_r(s, n), imm32(op)});
  write_r(s, d, r);
  return true;
}

bool gen_movw(A32Context& s, bool top, unsigned d, uint32_t imm16) {
  if (d == 15) return false;
  write_r(s, d, top ? s.ir.deposit(read_r(s, d), imm32(imm16), 16, 16) : imm32(imm16));
  return true;
}

bool gen_mrs(A32Context& s, unsigned d) {
  write_r(s, d, s.ir.call(Type::I32, a32_helper_id(A32Helper::get_apsr), {}));
  return true;
}

bool gen_msr(A32Context& s, unsigned mask, Arg v) {
  if (mask == 0) return false;
  s.ir.call_void(a32_helper_id(A32Helper::set_apsr), {v, imm32(mask)});
  s.flags = FlagSource{};
  return true;
}

// CRC32{B,H,W} / CRC32C{B,H,W} Rd, Rn, Rm (ARMv8): the AArch64 helper on the low 1 << size bytes.
bool gen_crc32(A32Context& s, bool castagnoli, unsigned size, unsigned d, unsigned n, unsigned m) {
  if (size == 3 || d == 15 || n == 15 || m == 15) return false;
  Arg r = s.ir.call(Type::I32, helper_id(castagnoli ? Helper::crc32c : Helper::crc32),
                    {read_r(s, n), read_r(s, m), imm64(1u << size)});
  write_r(s, d, r);
  return true;
}

}  // namespace mimic::arm
