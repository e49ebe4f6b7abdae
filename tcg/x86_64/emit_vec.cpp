// x86-64 emitters for 128-bit vector ops on SSE2/SSE4.1 (v128 values live in xmm registers).
#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
Assigned vec_binary_alias(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.out = OutKind::Alias;
  return ctx.assign(inst, c);
}

void require_sse41(const Inst& inst) {
  if (!host_features().sse41) unsupported(inst, "vector lane access on a host without SSE4.1");
}
}  // namespace

void emit_VConst(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  auto d = xmm(a.out);
  uint64_t lo = inst.args[0].imm, hi = inst.args[1].imm;
  if (lo == 0 && hi == 0) {
    code.pxor(d, d);
    return;
  }
  // Built from GPR immediates: a constant pool would need addresses relative to the exec view.
  code.mov(code.r11, lo);
  code.movq(d, code.r11);
  if (hi != 0) {
    code.mov(code.r11, hi);
    code.movq(xmm(kXScratch), code.r11);
    code.punpcklqdq(d, xmm(kXScratch));
  }
}

void emit_VAnd(Ctx& ctx, const Inst& inst) {
  Assigned a = vec_binary_alias(ctx, inst);
  ctx.code.pand(xmm(a.out), xmm(a.in[1].reg));
}
void emit_VOr(Ctx& ctx, const Inst& inst) {
  Assigned a = vec_binary_alias(ctx, inst);
  ctx.code.por(xmm(a.out), xmm(a.in[1].reg));
}
void emit_VXor(Ctx& ctx, const Inst& inst) {
  Assigned a = vec_binary_alias(ctx, inst);
  ctx.code.pxor(xmm(a.out), xmm(a.in[1].reg));
}

void emit_VAndC(Ctx& ctx, const Inst& inst) {
  // pandn computes ~dst & src: start from A1.
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  ctx.code.movdqa(xmm(a.out), xmm(a.in[1].reg));
  ctx.code.pandn(xmm(a.out), xmm(a.in[0].reg));
}

void emit_VAdd(Ctx& ctx, const Inst& inst) {
  Assigned a = vec_binary_alias(ctx, inst);
  auto& code = ctx.code;
  auto d = xmm(a.out), s = xmm(a.in[1].reg);
  switch (inst.args[2].imm) {
    case 0: code.paddb(d, s); break;
    case 1: code.paddw(d, s); break;
    case 2: code.paddd(d, s); break;
    case 3: code.paddq(d, s); break;
    default: unsupported(inst, "lane size");
  }
}

void emit_VSub(Ctx& ctx, const Inst& inst) {
  Assigned a = vec_binary_alias(ctx, inst);
  auto& code = ctx.code;
  auto d = xmm(a.out), s = xmm(a.in[1].reg);
  switch (inst.args[2].imm) {
    case 0: code.psubb(d, s); break;
    case 1: code.psubw(d, s); break;
    case 2: code.psubd(d, s); break;
    case 3: code.psubq(d, s); break;
    default: unsupported(inst, "lane size");
  }
}

void emit_VDup(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  auto d = xmm(a.out);
  HReg s = a.in[0].reg;
  switch (inst.args[1].imm) {
    case 0:
      code.movd(d, gpr32(s));
      code.punpcklbw(d, d);  // byte -> word
      code.pshuflw(d, d, 0);
      code.pshufd(d, d, 0);
      break;
    case 1:
      code.movd(d, gpr32(s));
      code.pshuflw(d, d, 0);
      code.pshufd(d, d, 0);
      break;
    case 2:
      code.movd(d, gpr32(s));
      code.pshufd(d, d, 0);
      break;
    case 3:
      code.movq(d, gpr64(s));  // an I32 source is zero-extended in its register
      code.punpcklqdq(d, d);
      break;
    default: unsupported(inst, "lane size");
  }
}

void emit_VExtract(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  auto v = xmm(a.in[0].reg);
  HReg d = a.out;
  unsigned lane = unsigned(inst.args[1].imm);
  if (lane == 0 && inst.args[2].imm >= 2) {  // the low dword or qword: a plain move
    if (inst.type == Type::I64 && inst.args[2].imm == 3)
      code.movq(gpr64(d), v);
    else
      code.movd(gpr32(d), v);
    return;
  }
  switch (inst.args[2].imm) {
    case 0:
      require_sse41(inst);
      code.pextrb(gpr32(d), v, uint8_t(lane & 15));
      break;
    case 1: code.pextrw(gpr32(d), v, uint8_t(lane & 7)); break;
    case 2:
      require_sse41(inst);
      code.pextrd(gpr32(d), v, uint8_t(lane & 3));
      break;
    case 3:
      require_sse41(inst);
      if (inst.type == Type::I64)
        code.pextrq(gpr64(d), v, uint8_t(lane & 1));
      else
        code.pextrd(gpr32(d), v, uint8_t((lane & 1) * 2));  // the low half of the lane
      break;
    default: unsupported(inst, "lane size");
  }
}

void emit_VInsert(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  auto d = xmm(a.out);
  HReg s = a.in[1].reg;
  unsigned lane = unsigned(inst.args[2].imm);
  switch (inst.args[3].imm) {
    case 0:
      require_sse41(inst);
      code.pinsrb(d, gpr32(s), uint8_t(lane & 15));
      break;
    case 1: code.pinsrw(d, gpr32(s), uint8_t(lane & 7)); break;
    case 2:
      require_sse41(inst);
      code.pinsrd(d, gpr32(s), uint8_t(lane & 3));
      break;
    case 3:
      require_sse41(inst);
      code.pinsrq(d, gpr64(s), uint8_t(lane & 1));  // an I32 source is zero-extended
      break;
    default: unsupported(inst, "lane size");
  }
}

}  // namespace mimic::tcg::x86_64

// ---- lane-wise integer ops for the AdvSIMD fast paths (SSE2; SSE4.1 forms where the host has it) ----
namespace mimic::tcg::x86_64 {

namespace {
using Xbyak::Xmm;

// x = the 64-bit pattern in both halves (through r11, like VConst).
void load_dup64(Xbyak::CodeGenerator& code, const Xmm& x, uint64_t pattern) {
  code.mov(code.r11, pattern);
  code.movq(x, code.r11);
  code.punpcklqdq(x, x);
}
uint64_t dup_pattern(uint64_t v, unsigned lg) {
  const unsigned w = 8u << lg;
  uint64_t r = 0;
  for (unsigned i = 0; i < 64; i += w) r |= (w == 64 ? v : v & ((1ull << w) - 1)) << i;
  return r;
}
void not_in_place(Xbyak::CodeGenerator& code, const Xmm& d) {
  code.pcmpeqd(xmm(kXScratch), xmm(kXScratch));
  code.pxor(d, xmm(kXScratch));
}

// d = (d == q) lane-wise; t is clobbered (64-bit lanes without SSE4.1 pcmpeqq).
void cmp_eq(Xbyak::CodeGenerator& code, unsigned lg, const Xmm& d, const Xmm& q, const Xmm& t) {
  switch (lg) {
    case 0: code.pcmpeqb(d, q); break;
    case 1: code.pcmpeqw(d, q); break;
    case 2: code.pcmpeqd(d, q); break;
    default:
      code.pcmpeqd(d, q);
      code.pshufd(t, d, 0xb1);  // swap the dwords of each qword: equal only if both halves are
      code.pand(d, t);
      break;
  }
}
// out = (p > q) signed, lane-wise; out must differ from p and q; t is clobbered (64-bit lanes:
// x86 has pcmpgtq only from SSE4.2, so it is built from 32-bit compares and the borrow of q - p).
void cmp_gt_signed(Xbyak::CodeGenerator& code, unsigned lg, const Xmm& out, const Xmm& p, const Xmm& q,
                   const Xmm& t) {
  if (lg < 3) {
    code.movdqa(out, p);
    if (lg == 0) code.pcmpgtb(out, q);
    if (lg == 1) code.pcmpgtw(out, q);
    if (lg == 2) code.pcmpgtd(out, q);
    return;
  }
  code.movdqa(out, q);
  code.psubq(out, p);  // high dword: all ones iff the low halves borrow (p_lo >u q_lo)
  code.movdqa(t, p);
  code.pcmpeqd(t, q);
  code.pand(out, t);  // counts only where the high halves are equal
  code.movdqa(t, p);
  code.pcmpgtd(t, q);
  code.por(out, t);
  code.pshufd(out, out, 0xf5);  // the high dword's verdict for the whole lane
}
// out = (p > q) signed or unsigned; out distinct from p, q, t0, t1; uses t0, t1 and the scratch.
void cmp_gt(Xbyak::CodeGenerator& code, unsigned lg, bool is_signed, const Xmm& out, const Xmm& p, const Xmm& q,
            const Xmm& t0, const Xmm& t1) {
  if (is_signed) {
    cmp_gt_signed(code, lg, out, p, q, t0);
    return;
  }
  // Unsigned order is signed order with the sign bits flipped.
  const Xmm c = xmm(kXScratch);
  load_dup64(code, c, dup_pattern(1ull << ((8u << lg) - 1), lg));
  code.movdqa(t0, p);
  code.pxor(t0, c);
  code.movdqa(t1, q);
  code.pxor(t1, c);
  cmp_gt_signed(code, lg, out, t0, t1, c);
}

struct VecRegs {
  Xmm d, a, b, t0, t1;
};
// Output in a new register, inputs in registers, two xmm temps.
VecRegs assign_new(Ctx& ctx, const Inst& inst, bool binary) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  if (binary) c.in[1].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  c.xmm_temps = 2;
  Assigned a = ctx.assign(inst, c);
  return VecRegs{xmm(a.out), xmm(a.in[0].reg), binary ? xmm(a.in[1].reg) : xmm(a.in[0].reg), xmm(a.xtmp[0]),
                 xmm(a.xtmp[1])};
}
}  // namespace

void emit_VCmp(Ctx& ctx, const Inst& inst) {
  VecRegs r = assign_new(ctx, inst, true);
  auto& code = ctx.code;
  const unsigned lg = unsigned(inst.args[3].imm);
  const Cond c = Cond(inst.args[2].imm);
  bool invert = false;
  switch (c) {
    case Cond::Eq:
    case Cond::Ne:
      code.movdqa(r.d, r.a);
      cmp_eq(code, lg, r.d, r.b, r.t0);
      invert = c == Cond::Ne;
      break;
    case Cond::TstEq:
    case Cond::TstNe:
      code.movdqa(r.d, r.a);
      code.pand(r.d, r.b);
      code.pxor(r.t1, r.t1);
      cmp_eq(code, lg, r.d, r.t1, r.t0);
      invert = c == Cond::TstNe;
      break;
    default: {
      // a > b, a < b (= b > a), a >= b (= !(b > a)), a <= b (= !(a > b)).
      const bool is_signed = c == Cond::GtS || c == Cond::LtS || c == Cond::GeS || c == Cond::LeS;
      const bool swapped = c == Cond::LtS || c == Cond::LtU || c == Cond::GeS || c == Cond::GeU;
      invert = c == Cond::GeS || c == Cond::GeU || c == Cond::LeS || c == Cond::LeU;
      cmp_gt(code, lg, is_signed, r.d, swapped ? r.b : r.a, swapped ? r.a : r.b, r.t0, r.t1);
      break;
    }
  }
  if (invert) not_in_place(code, r.d);
}

namespace {
void emit_minmax(Ctx& ctx, const Inst& inst, bool is_signed, bool is_max) {
  const unsigned lg = unsigned(inst.args[2].imm);
  auto& code = ctx.code;
  const bool sse41 = ctx.use_sse41;
  // One instruction where x86 has it: SSE2 has pminub/pmaxub and pminsw/pmaxsw, SSE4.1 the rest
  // up to 32 bits.
  const bool native = lg < 3 && (sse41 || (lg == 0 && !is_signed) || (lg == 1 && is_signed));
  if (native) {
    Assigned a = vec_binary_alias(ctx, inst);
    const Xmm d = xmm(a.out), s = xmm(a.in[1].reg);
    const int k = int(lg) * 4 + int(is_signed) * 2 + int(is_max);
    switch (k) {
      case 0: code.pminub(d, s); break;
      case 1: code.pmaxub(d, s); break;
      case 2: code.pminsb(d, s); break;
      case 3: code.pmaxsb(d, s); break;
      case 4: code.pminuw(d, s); break;
      case 5: code.pmaxuw(d, s); break;
      case 6: code.pminsw(d, s); break;
      case 7: code.pmaxsw(d, s); break;
      case 8: code.pminud(d, s); break;
      case 9: code.pmaxud(d, s); break;
      case 10: code.pminsd(d, s); break;
      default: code.pmaxsd(d, s); break;
    }
    return;
  }
  // Select through a compare mask: m = a > b; max = b ^ ((a ^ b) & m), min = a ^ ((a ^ b) & m).
  VecRegs r = assign_new(ctx, inst, true);
  cmp_gt(code, lg, is_signed, r.d, r.a, r.b, r.t0, r.t1);
  code.movdqa(r.t0, r.a);
  code.pxor(r.t0, r.b);
  code.pand(r.t0, r.d);
  code.movdqa(r.d, is_max ? r.b : r.a);
  code.pxor(r.d, r.t0);
}
}  // namespace

void emit_VMinS(Ctx& ctx, const Inst& inst) { emit_minmax(ctx, inst, true, false); }
void emit_VMinU(Ctx& ctx, const Inst& inst) { emit_minmax(ctx, inst, false, false); }
void emit_VMaxS(Ctx& ctx, const Inst& inst) { emit_minmax(ctx, inst, true, true); }
void emit_VMaxU(Ctx& ctx, const Inst& inst) { emit_minmax(ctx, inst, false, true); }

void emit_VMul(Ctx& ctx, const Inst& inst) {
  const unsigned lg = unsigned(inst.args[2].imm);
  auto& code = ctx.code;
  if (lg == 1 || (lg == 2 && ctx.use_sse41)) {
    Assigned a = vec_binary_alias(ctx, inst);
    if (lg == 1)
      code.pmullw(xmm(a.out), xmm(a.in[1].reg));
    else
      code.pmulld(xmm(a.out), xmm(a.in[1].reg));
    return;
  }
  VecRegs r = assign_new(ctx, inst, true);
  const Xmm c = xmm(kXScratch);
  switch (lg) {
    case 0:  // even bytes: the low byte of the word product; odd bytes: product of the high bytes
      code.movdqa(r.d, r.a);
      code.pmullw(r.d, r.b);
      load_dup64(code, c, 0x00ff00ff00ff00ffull);
      code.pand(r.d, c);
      code.movdqa(r.t0, r.a);
      code.psrlw(r.t0, 8);
      code.movdqa(r.t1, r.b);
      code.psrlw(r.t1, 8);
      code.pmullw(r.t0, r.t1);
      code.psllw(r.t0, 8);
      code.por(r.d, r.t0);
      break;
    case 2:  // pmuludq on dwords 0/2 and 1/3, then interleave the low halves
      code.movdqa(r.d, r.a);
      code.pmuludq(r.d, r.b);
      code.movdqa(r.t0, r.a);
      code.psrlq(r.t0, 32);
      code.movdqa(r.t1, r.b);
      code.psrlq(r.t1, 32);
      code.pmuludq(r.t0, r.t1);
      code.pshufd(r.d, r.d, 0x08);
      code.pshufd(r.t0, r.t0, 0x08);
      code.punpckldq(r.d, r.t0);
      break;
    default:  // 64-bit: lo*lo + ((hi(a)*lo(b) + lo(a)*hi(b)) << 32)
      code.movdqa(r.d, r.a);
      code.pmuludq(r.d, r.b);
      code.movdqa(r.t0, r.a);
      code.psrlq(r.t0, 32);
      code.pmuludq(r.t0, r.b);
      code.movdqa(r.t1, r.b);
      code.psrlq(r.t1, 32);
      code.pmuludq(r.t1, r.a);
      code.paddq(r.t0, r.t1);
      code.psllq(r.t0, 32);
      code.paddq(r.d, r.t0);
      break;
  }
}

namespace {
// Unary vector op: the output starts as a copy of A0; one xmm temp.
struct UnaryRegs {
  Xmm d, t;
};
UnaryRegs assign_unary(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::Alias;
  c.xmm_temps = 1;
  Assigned a = ctx.assign(inst, c);
  return UnaryRegs{xmm(a.out), xmm(a.xtmp[0])};
}

void emit_shift_imm(Ctx& ctx, const Inst& inst, int kind) {  // 0 shl, 1 shr, 2 sar
  UnaryRegs r = assign_unary(ctx, inst);
  auto& code = ctx.code;
  const unsigned lg = unsigned(inst.args[2].imm), w = 8u << lg;
  unsigned sh = unsigned(inst.args[1].imm);
  const Xmm c = xmm(kXScratch);
  if (lg == 0) {  // no byte shifts on x86: shift words, then repair the bytes
    if (kind != 2 && sh >= 8) {
      code.pxor(r.d, r.d);
      return;
    }
    if (kind == 0) {
      code.psllw(r.d, uint8_t(sh));
      load_dup64(code, c, dup_pattern(0xffu << sh, 0));
      code.pand(r.d, c);
    } else if (kind == 1) {
      code.psrlw(r.d, uint8_t(sh));
      load_dup64(code, c, dup_pattern(0xffu >> sh, 0));
      code.pand(r.d, c);
    } else {
      sh = sh > 7 ? 7 : sh;
      code.movdqa(r.t, r.d);
      code.psllw(r.t, 8);
      code.psraw(r.t, uint8_t(8 + sh));  // even bytes, sign-extended and shifted
      code.psraw(r.d, uint8_t(sh));      // odd bytes are right in the high byte of each word
      load_dup64(code, c, 0x00ff00ff00ff00ffull);
      code.pand(r.t, c);
      code.pandn(c, r.d);
      code.por(c, r.t);
      code.movdqa(r.d, c);
    }
    return;
  }
  if (kind == 2 && lg == 3) {  // no psraq: flip negative lanes, shift logically, flip back
    code.pshufd(r.t, r.d, 0xf5);
    code.psrad(r.t, 31);
    code.pxor(r.d, r.t);
    code.psrlq(r.d, uint8_t(sh));
    code.pxor(r.d, r.t);
    return;
  }
  // x86 shifts by counts >= the lane width give 0 (logical) or the sign (arithmetic), as the op says.
  const uint8_t n = uint8_t(sh > w ? w : sh);
  switch (kind * 4 + int(lg)) {
    case 1: code.psllw(r.d, n); break;
    case 2: code.pslld(r.d, n); break;
    case 3: code.psllq(r.d, n); break;
    case 5: code.psrlw(r.d, n); break;
    case 6: code.psrld(r.d, n); break;
    case 7: code.psrlq(r.d, n); break;
    case 9: code.psraw(r.d, n); break;
    default: code.psrad(r.d, n); break;
  }
}
}  // namespace

void emit_VShlI(Ctx& ctx, const Inst& inst) { emit_shift_imm(ctx, inst, 0); }
void emit_VShrI(Ctx& ctx, const Inst& inst) { emit_shift_imm(ctx, inst, 1); }
void emit_VSarI(Ctx& ctx, const Inst& inst) { emit_shift_imm(ctx, inst, 2); }

void emit_VNarrow(Ctx& ctx, const Inst& inst) {
  UnaryRegs r = assign_unary(ctx, inst);
  auto& code = ctx.code;
  switch (inst.args[1].imm) {
    case 1:  // keep the low bytes (< 256, so the unsigned-saturating pack is exact)
      load_dup64(code, r.t, 0x00ff00ff00ff00ffull);
      code.pand(r.d, r.t);
      code.pxor(r.t, r.t);
      code.packuswb(r.d, r.t);
      break;
    case 2:  // sign-extend the low words, so the signed-saturating pack is exact
      code.pslld(r.d, 16);
      code.psrad(r.d, 16);
      code.pxor(r.t, r.t);
      code.packssdw(r.d, r.t);
      break;
    case 3:
      code.pshufd(r.d, r.d, 0x08);
      code.movq(r.d, r.d);  // zeroes bits 127:64
      break;
    default: unsupported(inst, "lane size");
  }
}

namespace {
void emit_widen(Ctx& ctx, const Inst& inst, bool is_signed) {
  UnaryRegs r = assign_unary(ctx, inst);
  auto& code = ctx.code;
  const unsigned lg = unsigned(inst.args[1].imm);
  if (inst.args[2].imm) code.pshufd(r.d, r.d, 0xee);  // the high half down
  if (!is_signed) {
    code.pxor(r.t, r.t);
    if (lg == 0) code.punpcklbw(r.d, r.t);
    if (lg == 1) code.punpcklwd(r.d, r.t);
    if (lg == 2) code.punpckldq(r.d, r.t);
    return;
  }
  switch (lg) {
    case 0:
      code.punpcklbw(r.d, r.d);  // each byte twice: the word's high byte is the value itself
      code.psraw(r.d, 8);
      break;
    case 1:
      code.punpcklwd(r.d, r.d);
      code.psrad(r.d, 16);
      break;
    default:
      code.movdqa(r.t, r.d);
      code.psrad(r.t, 31);
      code.punpckldq(r.d, r.t);
      break;
  }
}
}  // namespace

void emit_VWidenU(Ctx& ctx, const Inst& inst) { emit_widen(ctx, inst, false); }

void emit_VZeroHigh(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::Overlap;
  Assigned a = ctx.assign(inst, c);
  ctx.code.movq(xmm(a.out), xmm(a.in[0].reg));
}

void emit_VUzp(Ctx& ctx, const Inst& inst) {
  VecRegs r = assign_new(ctx, inst, true);
  auto& code = ctx.code;
  const bool odd = inst.args[3].imm != 0;
  switch (inst.args[2].imm) {
    case 0:  // bytes: the wanted byte of each word moved to its low byte, then packed (exact, < 256)
    case 1:  // words: sign-extended from the wanted word of each dword, then packed (exact)
      code.movdqa(r.t0, r.a);
      code.movdqa(r.t1, r.b);
      if (inst.args[2].imm == 0) {
        if (odd) {
          code.psrlw(r.t0, 8);
          code.psrlw(r.t1, 8);
        } else {
          load_dup64(code, r.d, 0x00ff00ff00ff00ffull);
          code.pand(r.t0, r.d);
          code.pand(r.t1, r.d);
        }
        code.packuswb(r.t0, r.t1);
      } else {
        if (!odd) {
          code.pslld(r.t0, 16);
          code.pslld(r.t1, 16);
        }
        code.psrad(r.t0, 16);
        code.psrad(r.t1, 16);
        code.packssdw(r.t0, r.t1);
      }
      code.movdqa(r.d, r.t0);
      break;
    case 2:
      code.movdqa(r.d, r.a);
      code.shufps(r.d, r.b, odd ? 0xdd : 0x88);
      break;
    case 3:
      code.movdqa(r.d, r.a);
      if (odd)
        code.punpckhqdq(r.d, r.b);
      else
        code.punpcklqdq(r.d, r.b);
      break;
    default: unsupported(inst, "lane size");
  }
}
void emit_VWidenS(Ctx& ctx, const Inst& inst) { emit_widen(ctx, inst, true); }

// VFSpecial: the test that sends a frontend's inline vector FP result to its exact slow path.
// Integer compares on the magnitude |x| (sign shifted out): NaN is |x| > infinity, the smallest
// normal |x| == its bits; no FP instruction, so no MXCSR flag. The lane masks' sign bits are
// gathered by movmskps/pd (a value 0..15), and (mask + 15) >> 4 is 1 exactly when one is set.
void emit_VFSpecial(Ctx& ctx, const Inst& inst) {
  const uint64_t lg = inst.args[1].imm;
  const bool composed64 = lg == 3 && !(ctx.use_sse41 && ctx.use_sse42);  // 64-bit compares from 32-bit ones
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  c.xmm_temps = composed64 ? 3 : 2;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  const Xmm x = xmm(a.in[0].reg), mag = xmm(a.xtmp[0]), nan = xmm(a.xtmp[1]);
  const Xmm t = composed64 ? xmm(a.xtmp[2]) : nan, k = xmm(kXScratch);
  const auto out = gpr32(a.out);
  code.movdqa(mag, x);
  if (lg == 2) {
    code.pslld(mag, 1);
    code.psrld(mag, 1);
    load_dup64(code, k, 0x7f8000007f800000ull);
    code.movdqa(nan, mag);
    code.pcmpgtd(nan, k);  // |x| is non-negative: the signed compare is the unsigned one
    load_dup64(code, k, 0x0080000000800000ull);
    code.pcmpeqd(mag, k);
    code.por(mag, nan);
    code.movmskps(out, mag);
  } else if (lg == 3) {
    code.psllq(mag, 1);
    code.psrlq(mag, 1);
    load_dup64(code, k, 0x7ff0000000000000ull);
    if (ctx.use_sse42) {
      code.movdqa(nan, mag);
      code.pcmpgtq(nan, k);
    } else {
      cmp_gt_signed(code, 3, nan, mag, k, t);
    }
    load_dup64(code, k, 0x0010000000000000ull);
    if (ctx.use_sse41)
      code.pcmpeqq(mag, k);
    else
      cmp_eq(code, 3, mag, k, t);
    code.por(mag, nan);
    code.movmskpd(out, mag);
  } else {
    unsupported(inst, "float lane size");
  }
  code.add(out, 15);
  code.shr(out, 4);
}

}  // namespace mimic::tcg::x86_64
