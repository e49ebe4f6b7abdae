// x86-64 emitters for lane-wise vector floating point (packed SSE, FMA3) and the special-lane test
// that sends a frontend's inline vector FP result to its exact slow path.
#include <xbyak/xbyak_util.h>

#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
using Xbyak::Xmm;

enum class VFBin { Add, Sub, Mul, Div };
void emit_vfbin(Ctx& ctx, const Inst& inst, VFBin k) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  const Xmm d = xmm(a.out), s = xmm(a.in[1].reg);
  const uint64_t lg = inst.args[2].imm;
  if (lg != 2 && lg != 3) unsupported(inst, "float lane size");
  const bool dbl = lg == 3;
  switch (k) {
    case VFBin::Add: dbl ? code.addpd(d, s) : code.addps(d, s); break;
    case VFBin::Sub: dbl ? code.subpd(d, s) : code.subps(d, s); break;
    case VFBin::Mul: dbl ? code.mulpd(d, s) : code.mulps(d, s); break;
    case VFBin::Div: dbl ? code.divpd(d, s) : code.divps(d, s); break;
  }
}
}  // namespace

void emit_VFAdd(Ctx& ctx, const Inst& inst) { emit_vfbin(ctx, inst, VFBin::Add); }
void emit_VFSub(Ctx& ctx, const Inst& inst) { emit_vfbin(ctx, inst, VFBin::Sub); }
void emit_VFMul(Ctx& ctx, const Inst& inst) { emit_vfbin(ctx, inst, VFBin::Mul); }
void emit_VFDiv(Ctx& ctx, const Inst& inst) { emit_vfbin(ctx, inst, VFBin::Div); }

// vfmadd231: out = in0 * in1 + out, so the output aliases the addend (as the scalar FMA).
void emit_VFMA(Ctx& ctx, const Inst& inst) {
  static const bool host_fma = Xbyak::util::Cpu().has(Xbyak::util::Cpu::tFMA);
  if (!host_fma) unsupported(inst, "fused multiply-add without host FMA3");
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.in[2].kind = InKind::Reg;
  c.out = OutKind::Alias;
  c.alias = 2;
  Assigned a = ctx.assign(inst, c);
  const uint64_t lg = inst.args[3].imm;
  if (lg == 3)
    ctx.code.vfmadd231pd(xmm(a.out), xmm(a.in[0].reg), xmm(a.in[1].reg));
  else if (lg == 2)
    ctx.code.vfmadd231ps(xmm(a.out), xmm(a.in[0].reg), xmm(a.in[1].reg));
  else
    unsupported(inst, "float lane size");
}

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
