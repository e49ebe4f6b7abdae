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
