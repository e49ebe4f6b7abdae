// x86-64 emitters for floating point on SSE: scalar f32/f64 values and the float lanes of v128
// values (packed forms of the same instructions), all in xmm registers.
#include <xbyak/xbyak_util.h>

#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
// Which form of an FP instruction an op needs: scalar single/double (F32/F64 type) or packed
// single/double (V128 with float lanes of 8 << `lane_arg` bits, 2 or 3).
enum FForm { kSS, kSD, kPS, kPD };
FForm fform(const Inst& inst, int lane_arg) {
  if (inst.type == Type::F32) return kSS;
  if (inst.type == Type::F64) return kSD;
  if (inst.type == Type::V128 && inst.args[lane_arg].imm == 2) return kPS;
  if (inst.type == Type::V128 && inst.args[lane_arg].imm == 3) return kPD;
  unsupported(inst, "neither a float type nor float lanes");
}

using XmmOp = void (Xbyak::CodeGenerator::*)(const Xbyak::Xmm&, const Xbyak::Operand&);
using XmmXmmOp = void (Xbyak::CodeGenerator::*)(const Xbyak::Xmm&, const Xbyak::Xmm&, const Xbyak::Operand&);
using G = Xbyak::CodeGenerator;

// out = in0 <op> in1 in the two-operand SSE form: FAdd ... FDiv and VFAdd ... VFDiv (lane size A2).
enum class FBin { Add, Sub, Mul, Div };
void emit_fbin(Ctx& ctx, const Inst& inst, FBin k) {
  static constexpr XmmOp kOps[4][4] = {{&G::addss, &G::addsd, &G::addps, &G::addpd},
                                       {&G::subss, &G::subsd, &G::subps, &G::subpd},
                                       {&G::mulss, &G::mulsd, &G::mulps, &G::mulpd},
                                       {&G::divss, &G::divsd, &G::divps, &G::divpd}};
  const FForm f = fform(inst, 2);
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  (ctx.code.*kOps[int(k)][f])(xmm(a.out), xmm(a.in[1].reg));
}

// vfmadd231: out = in0 * in1 + out, so the output aliases the addend (FMA, and VFMA with lane size A3).
void emit_fma(Ctx& ctx, const Inst& inst) {
  static constexpr XmmXmmOp kOps[4] = {&G::vfmadd231ss, &G::vfmadd231sd, &G::vfmadd231ps, &G::vfmadd231pd};
  static const bool host_fma = Xbyak::util::Cpu().has(Xbyak::util::Cpu::tFMA);
  if (!host_fma) unsupported(inst, "fused multiply-add without host FMA3");
  const FForm f = fform(inst, 3);
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.in[2].kind = InKind::Reg;
  c.out = OutKind::Alias;
  c.alias = 2;
  Assigned a = ctx.assign(inst, c);
  (ctx.code.*kOps[f])(xmm(a.out), xmm(a.in[0].reg), xmm(a.in[1].reg));
}

// Sign-bit manipulation with a mask built in xmm15 (no constant pool: code must stay relocatable).
void emit_sign(Ctx& ctx, const Inst& inst, bool neg) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  bool dbl = inst.type == Type::F64;
  uint64_t sign = dbl ? 0x8000000000000000ull : 0x80000000ull;
  code.mov(code.r11, neg ? sign : ~sign);
  code.movq(xmm(kXScratch), code.r11);
  if (neg)
    code.xorps(xmm(a.out), xmm(kXScratch));
  else
    code.andps(xmm(a.out), xmm(kXScratch));
}
}  // namespace

void emit_FAdd(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Add); }
void emit_FSub(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Sub); }
void emit_FMul(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Mul); }
void emit_FDiv(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Div); }
void emit_FMA(Ctx& ctx, const Inst& inst) { emit_fma(ctx, inst); }
void emit_VFAdd(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Add); }
void emit_VFSub(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Sub); }
void emit_VFMul(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Mul); }
void emit_VFDiv(Ctx& ctx, const Inst& inst) { emit_fbin(ctx, inst, FBin::Div); }
void emit_VFMA(Ctx& ctx, const Inst& inst) { emit_fma(ctx, inst); }

void emit_FSqrt(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::Overlap;
  Assigned a = ctx.assign(inst, c);
  if (inst.type == Type::F64)
    ctx.code.sqrtsd(xmm(a.out), xmm(a.in[0].reg));
  else
    ctx.code.sqrtss(xmm(a.out), xmm(a.in[0].reg));
}

void emit_FNeg(Ctx& ctx, const Inst& inst) { emit_sign(ctx, inst, true); }
void emit_FAbs(Ctx& ctx, const Inst& inst) { emit_sign(ctx, inst, false); }

void emit_FCmp(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  Type ft = ctx.arg_type(inst.args[0]);
  if (!is_float(ft)) unsupported(inst, "compare of non-float operands");
  auto x = xmm(a.in[0].reg), y = xmm(a.in[1].reg);
  auto ucomi = [&](const Xbyak::Xmm& p, const Xbyak::Xmm& q) {
    ft == Type::F64 ? code.ucomisd(p, q) : code.ucomiss(p, q);
  };
  // ucomis: unordered sets ZF=PF=CF=1; less sets CF; equal sets ZF.
  auto d8 = gpr8(a.out);
  switch (FCond(inst.args[2].imm)) {
    case FCond::Eq:
      ucomi(x, y);
      code.sete(d8);
      code.setnp(code.r11b);
      code.and_(d8, code.r11b);
      break;
    case FCond::Lt:
      ucomi(y, x);  // "above" is false when unordered
      code.seta(d8);
      break;
    case FCond::Le:
      ucomi(y, x);
      code.setae(d8);
      break;
    case FCond::Uno:
      ucomi(x, y);
      code.setp(d8);
      break;
    case FCond::Ne:
      ucomi(x, y);
      code.setne(d8);
      code.setp(code.r11b);
      code.or_(d8, code.r11b);
      break;
    case FCond::Ord:
      ucomi(x, y);
      code.setnp(d8);
      break;
    default: unsupported(inst, "float condition");
  }
  code.movzx(gpr32(a.out), d8);
}

void emit_FToSI(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  Type ft = ctx.arg_type(inst.args[0]);
  auto d = gpr(a.out, inst.type);
  if (ft == Type::F64)
    ctx.code.cvttsd2si(d, xmm(a.in[0].reg));
  else if (ft == Type::F32)
    ctx.code.cvttss2si(d, xmm(a.in[0].reg));
  else
    unsupported(inst, "conversion from a non-float");
}

void emit_SIToF(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  auto d = xmm(a.out);
  auto s = gpr(a.in[0].reg, ctx.arg_type(inst.args[0]));
  code.xorps(d, d);  // cvtsi2s* merges into the old register contents: break the dependency
  if (inst.type == Type::F64)
    code.cvtsi2sd(d, s);
  else
    code.cvtsi2ss(d, s);
}

void emit_FConv(Ctx& ctx, const Inst& inst) {
  Type from = ctx.arg_type(inst.args[0]);
  if (from == inst.type) {
    Constraints c;
    c.in[0].kind = InKind::Reg;
    c.out = OutKind::Alias;
    ctx.assign(inst, c);
    return;
  }
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::Overlap;
  Assigned a = ctx.assign(inst, c);
  if (from == Type::F32 && inst.type == Type::F64)
    ctx.code.cvtss2sd(xmm(a.out), xmm(a.in[0].reg));
  else if (from == Type::F64 && inst.type == Type::F32)
    ctx.code.cvtsd2ss(xmm(a.out), xmm(a.in[0].reg));
  else
    unsupported(inst, "conversion between these types");
}

void emit_Bitcast(Ctx& ctx, const Inst& inst) {
  Type from = ctx.arg_type(inst.args[0]);
  bool from_int = is_int(from), to_int = is_int(inst.type);
  Constraints c;
  c.in[0].kind = from_int ? InKind::RegOrImm : InKind::Reg;
  if (from_int == to_int) {
    c.out = OutKind::Alias;  // same register class: a copy
    ctx.assign(inst, c);
    return;
  }
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  if (from_int) {
    if (from == Type::I64)
      code.movq(xmm(a.out), gpr64(a.in[0].reg));
    else
      code.movd(xmm(a.out), gpr32(a.in[0].reg));
  } else {
    if (inst.type == Type::I64)
      code.movq(gpr64(a.out), xmm(a.in[0].reg));
    else
      code.movd(gpr32(a.out), xmm(a.in[0].reg));
  }
}

}  // namespace mimic::tcg::x86_64
