// The F and D extensions: inline SSE for the common instructions, exact helpers for the rest.
//
// Inline code runs under the guest's MXCSR (docs/riscv-fp.md): NaN-boxing and canonical NaNs in
// IR, flags accrued by the host in MXCSR (fused multiply-adds add a probe product for the one
// invalid case vfmadd does not flag). Everything else, and every instruction whose rounding mode
// MXCSR does not hold, calls the exact helpers (helpers.cpp).
#include <cstddef>
#include <initializer_list>

#include "target/riscv/helpers.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

using tcg::FCond;
using tcg::Opcode;

bool gen_check_rm(DisasContext& s, unsigned rm) {
  if (rm == 5 || rm == 6) return false;
  // A reserved frm makes every dynamic-rounding instruction illegal; the block's tb_flags say it.
  return rm != 7 || s.frm <= 4;
}

namespace {
constexpr uint64_t kBox = 0xffffffff00000000ull;
constexpr uint32_t kCanonS = 0x7fc00000u;
constexpr uint64_t kCanonD = 0x7ff8000000000000ull;

Arg call(DisasContext& s, Helper h, std::initializer_list<Arg> args) {
  return s.ir.call(Type::I64, helper_id(h), args);
}
// rd(f) = helper(f[rs1], f[rs2], rm)
bool gen_fp2(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2), imm64(a.rm)}));
  return true;
}
// rd(f) = helper(f[rs1], rm)
bool gen_fp1(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), imm64(a.rm)}));
  return true;
}
bool gen_fp3(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2), fpr(s, a.rs3), imm64(a.rm)}));
  return true;
}
bool gen_fcmp(DisasContext& s, const Args& a, Helper h) {
  set_gpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2)}));
  return true;
}
bool gen_fclass(DisasContext& s, const Args& a, Helper h) {
  set_gpr(s, a.rd, call(s, h, {fpr(s, a.rs1)}));
  return true;
}
bool gen_to_int(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_gpr(s, a.rd, call(s, h, {fpr(s, a.rs1), imm64(a.rm)}));
  return true;
}
bool gen_from_int(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {gpr(s, a.rs1), imm64(a.rm)}));
  return true;
}

// ---- the inline fast path ----

// The instruction rounds the way MXCSR does while this block runs (frm RNE/RTZ/RDN/RUP, and a
// static rm equal to it). Call after gen_check_rm.
bool fast_rm(const DisasContext& s, unsigned rm) {
  unsigned eff = rm == 7 ? s.frm : rm;
  return eff <= 3 && eff == s.frm;
}
bool host_fma() {
  static const bool v = __builtin_cpu_supports("fma");
  return v;
}

// f[r] as a host float; an f32 that is not NaN-boxed reads as the canonical NaN.
Arg fin(DisasContext& s, unsigned r, bool dbl) {
  Arg v = fpr(s, r);
  if (dbl) return s.ir.bitcast(Type::F64, v);
  Arg boxed = s.ir.setcond(Cond::GeU, v, imm64(kBox));
  return s.ir.bitcast(Type::F32, s.ir.select(boxed, s.ir.trunc64_to_32(v), imm32(kCanonS)));
}
// The register value of a result: any NaN becomes the canonical one (x86 would give its default
// NaN or a quieted input), f32 is NaN-boxed. `nan_out` receives the is-NaN test when asked.
Arg fout(DisasContext& s, Arg r, bool dbl, Arg* nan_out = nullptr) {
  Arg nan = s.ir.fcmp(FCond::Uno, r, r);  // ucomis: never raises for the quiet NaNs results are
  if (nan_out) *nan_out = nan;
  if (dbl) return s.ir.select(nan, imm64(kCanonD), s.ir.bitcast(Type::I64, r));
  Arg b = s.ir.select(nan, imm32(kCanonS), s.ir.bitcast(Type::I32, r));
  return s.ir.or_(s.ir.zext32_to_64(b), imm64(kBox));
}
bool gen_fast_bin(DisasContext& s, const Args& a, bool dbl, Opcode op) {
  Type t = dbl ? Type::F64 : Type::F32;
  Arg x = fin(s, a.rs1, dbl), y = fin(s, a.rs2, dbl);
  // Host flags are RISC-V's (underflow included: SSE detects tininess after rounding too).
  set_fpr(s, a.rd, fout(s, s.ir.emit(op, t, {x, y}), dbl));
  return true;
}
bool gen_arith(DisasContext& s, const Args& a, bool dbl, Opcode op, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  if (fast_rm(s, a.rm)) return gen_fast_bin(s, a, dbl, op);
  return gen_fp2(s, a, h);
}
bool gen_sqrt(DisasContext& s, const Args& a, bool dbl, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  if (!fast_rm(s, a.rm)) return gen_fp1(s, a, h);
  set_fpr(s, a.rd, fout(s, s.ir.fsqrt(fin(s, a.rs1, dbl)), dbl));  // never tiny
  return true;
}
// RISC-V raises NV for 0 * inf + qNaN, where vfmadd is silent (every other invalid case, sNaN
// operands included, raises IE in vfmadd too). Without a branch, which would end the register
// state of the block at its label: a product of two probes that is 0 * inf exactly when x * y is
// and 1 * 1 otherwise, so it raises IE (NV) in that case and no flag in any other. Raising IE
// again where vfmadd already did changes nothing.
void gen_fma_invalid_product(DisasContext& s, Arg x, Arg y, bool dbl) {
  const Type it = dbl ? Type::I64 : Type::I32, ft = dbl ? Type::F64 : Type::F32;
  auto k = [dbl](uint64_t d, uint32_t f) { return dbl ? imm64(d) : imm32(f); };
  // Sign dropped: 0 for a zero, the exponent's ones for an infinity.
  Arg x2 = s.ir.shl(s.ir.bitcast(it, x), k(1, 1)), y2 = s.ir.shl(s.ir.bitcast(it, y), k(1, 1));
  const Arg inf2 = k(0xffe0000000000000ull, 0xff000000u);
  Arg zero_inf = s.ir.setcond(Cond::Eq, s.ir.or_(x2, s.ir.xor_(y2, inf2)), k(0, 0));
  Arg inf_zero = s.ir.setcond(Cond::Eq, s.ir.or_(y2, s.ir.xor_(x2, inf2)), k(0, 0));
  Arg invalid = s.ir.or_(zero_inf, inf_zero);
  const Arg one = k(0x3ff0000000000000ull, 0x3f800000u);
  Arg p = s.ir.select(invalid, k(0, 0), one), q = s.ir.select(invalid, k(0x7ff0000000000000ull, 0x7f800000u), one);
  s.ir.emit(Opcode::FMul, ft, {s.ir.bitcast(ft, p), s.ir.bitcast(ft, q)});  // for its flags only
}
// fmadd x*y+z, fmsub x*y-z, fnmsub -x*y+z, fnmadd -x*y-z.
bool gen_fused(DisasContext& s, const Args& a, bool dbl, bool neg_prod, bool neg_add, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  if (!fast_rm(s, a.rm) || !host_fma()) return gen_fp3(s, a, h);
  Arg x = fin(s, a.rs1, dbl), y = fin(s, a.rs2, dbl), z = fin(s, a.rs3, dbl);
  if (neg_prod) x = s.ir.fneg(x);
  if (neg_add) z = s.ir.fneg(z);
  Arg r = s.ir.fma(x, y, z);
  gen_fma_invalid_product(s, x, y, dbl);
  if (!dbl) {
    set_fpr(s, a.rd, fout(s, r, false));
    return true;
  }
  // The canonical NaN chosen among doubles (a predicted branch around a register copy), so that
  // an accumulator's chain of dependencies stays in SSE registers: fout's integer select would
  // move every result to a GPR and back.
  Arg nan = s.ir.fcmp(FCond::Uno, r, r);
  set_fpr(s, a.rd, s.ir.bitcast(Type::I64, s.ir.select(nan, s.ir.bitcast(Type::F64, imm64(kCanonD)), r)));
  return true;
}
// Sign injection on raw bits (after unboxing): no flags, no NaN canonicalisation.
bool gen_sgnj(DisasContext& s, const Args& a, bool dbl, int kind) {
  uint64_t sign = dbl ? 0x8000000000000000ull : 0x80000000u;
  auto raw = [&](unsigned r) {
    if (dbl) return fpr(s, r);
    Arg v = fpr(s, r);
    return s.ir.zext32_to_64(
        s.ir.select(s.ir.setcond(Cond::GeU, v, imm64(kBox)), s.ir.trunc64_to_32(v), imm32(kCanonS)));
  };
  Arg x = raw(a.rs1);
  Arg sg;
  if (a.rs1 == a.rs2 && kind == 0) {
    sg = x;  // fmv
  } else {
    Arg y = a.rs1 == a.rs2 ? x : raw(a.rs2);
    Arg ys = kind == 0 ? y : kind == 1 ? s.ir.not_(y) : s.ir.xor_(x, y);
    sg = s.ir.or_(s.ir.andc(x, imm64(sign)), s.ir.and_(ys, imm64(sign)));
  }
  set_fpr(s, a.rd, dbl ? sg : s.ir.or_(sg, imm64(kBox)));
  return true;
}
}  // namespace

#define FP_TRANS(p, dbl)                                                                                               \
  bool trans_fadd_##p(DisasContext& s, const Args& a) { return gen_arith(s, a, dbl, Opcode::FAdd, Helper::fadd_##p); } \
  bool trans_fsub_##p(DisasContext& s, const Args& a) { return gen_arith(s, a, dbl, Opcode::FSub, Helper::fsub_##p); } \
  bool trans_fmul_##p(DisasContext& s, const Args& a) { return gen_arith(s, a, dbl, Opcode::FMul, Helper::fmul_##p); } \
  bool trans_fdiv_##p(DisasContext& s, const Args& a) { return gen_arith(s, a, dbl, Opcode::FDiv, Helper::fdiv_##p); } \
  bool trans_fsqrt_##p(DisasContext& s, const Args& a) { return gen_sqrt(s, a, dbl, Helper::fsqrt_##p); }              \
  bool trans_fmadd_##p(DisasContext& s, const Args& a) {                                                               \
    return gen_fused(s, a, dbl, false, false, Helper::fmadd_##p);                                                      \
  }                                                                                                                    \
  bool trans_fmsub_##p(DisasContext& s, const Args& a) {                                                               \
    return gen_fused(s, a, dbl, false, true, Helper::fmsub_##p);                                                       \
  }                                                                                                                    \
  bool trans_fnmsub_##p(DisasContext& s, const Args& a) {                                                              \
    return gen_fused(s, a, dbl, true, false, Helper::fnmsub_##p);                                                      \
  }                                                                                                                    \
  bool trans_fnmadd_##p(DisasContext& s, const Args& a) {                                                              \
    return gen_fused(s, a, dbl, true, true, Helper::fnmadd_##p);                                                       \
  }                                                                                                                    \
  bool trans_fsgnj_##p(DisasContext& s, const Args& a) { return gen_sgnj(s, a, dbl, 0); }                              \
  bool trans_fsgnjn_##p(DisasContext& s, const Args& a) { return gen_sgnj(s, a, dbl, 1); }                             \
  bool trans_fsgnjx_##p(DisasContext& s, const Args& a) { return gen_sgnj(s, a, dbl, 2); }                             \
  bool trans_fmin_##p(DisasContext& s, const Args& a) { return gen_fcmp_fp(s, a, Helper::fmin_##p); }                  \
  bool trans_fmax_##p(DisasContext& s, const Args& a) { return gen_fcmp_fp(s, a, Helper::fmax_##p); }                  \
  bool trans_feq_##p(DisasContext& s, const Args& a) { return gen_fcmp(s, a, Helper::feq_##p); }                       \
  bool trans_flt_##p(DisasContext& s, const Args& a) { return gen_fcmp(s, a, Helper::flt_##p); }                       \
  bool trans_fle_##p(DisasContext& s, const Args& a) { return gen_fcmp(s, a, Helper::fle_##p); }                       \
  bool trans_fclass_##p(DisasContext& s, const Args& a) { return gen_fclass(s, a, Helper::fclass_##p); }               \
  bool trans_fcvt_w_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_w_##p); }               \
  bool trans_fcvt_wu_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_wu_##p); }             \
  bool trans_fcvt_l_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_l_##p); }               \
  bool trans_fcvt_lu_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_lu_##p); }             \
  bool trans_fcvt_##p##_wu(DisasContext& s, const Args& a) { return gen_from_int(s, a, Helper::fcvt_##p##_wu); }       \
  bool trans_fcvt_##p##_lu(DisasContext& s, const Args& a) { return gen_from_int(s, a, Helper::fcvt_##p##_lu); }

namespace {
// fmin/fmax: two-operand helpers without a rounding mode.
bool gen_fcmp_fp(DisasContext& s, const Args& a, Helper h) {
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2)}));
  return true;
}
// Signed integer to float: int32 -> f64 is exact in any rounding mode; the others round in
// MXCSR's mode, so they are inline only when it is the instruction's.
bool gen_sitof(DisasContext& s, const Args& a, bool dbl, bool wide, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  if (!(dbl && !wide) && !fast_rm(s, a.rm)) return gen_from_int(s, a, h);
  Arg v = wide ? gpr(s, a.rs1) : s.ir.trunc64_to_32(gpr(s, a.rs1));
  Arg r = s.ir.sitof(dbl ? Type::F64 : Type::F32, v);
  set_fpr(s, a.rd,
          dbl ? s.ir.bitcast(Type::I64, r) : s.ir.or_(s.ir.zext32_to_64(s.ir.bitcast(Type::I32, r)), imm64(kBox)));
  return true;
}
}  // namespace

FP_TRANS(s, false)
FP_TRANS(d, true)
#undef FP_TRANS

bool trans_fcvt_s_w(DisasContext& s, const Args& a) { return gen_sitof(s, a, false, false, Helper::fcvt_s_w); }
bool trans_fcvt_s_l(DisasContext& s, const Args& a) { return gen_sitof(s, a, false, true, Helper::fcvt_s_l); }
bool trans_fcvt_d_w(DisasContext& s, const Args& a) { return gen_sitof(s, a, true, false, Helper::fcvt_d_w); }
bool trans_fcvt_d_l(DisasContext& s, const Args& a) { return gen_sitof(s, a, true, true, Helper::fcvt_d_l); }

// fcvt.s.d rounds (inline in MXCSR's mode); fcvt.d.s is exact and only raises NV for a
// signalling NaN, as cvtss2sd does.
bool trans_fcvt_s_d(DisasContext& s, const Args& a) {
  if (!gen_check_rm(s, a.rm)) return false;
  if (!fast_rm(s, a.rm)) return gen_fp1(s, a, Helper::fcvt_s_d);
  set_fpr(s, a.rd, fout(s, s.ir.fconv(Type::F32, fin(s, a.rs1, true)), false));
  return true;
}
bool trans_fcvt_d_s(DisasContext& s, const Args& a) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, fout(s, s.ir.fconv(Type::F64, fin(s, a.rs1, false)), true));
  return true;
}

// flw NaN-boxes the loaded value; fsw stores the low 32 bits whatever the boxing.
bool trans_flw(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, s.ir.or_(s.ir.load(Type::I64, gen_addr(s, a.rs1, a.imm), MemOp::k32), imm64(kBox)));
  return true;
}
bool trans_fld(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, s.ir.load(Type::I64, gen_addr(s, a.rs1, a.imm), MemOp::k64));
  return true;
}
bool trans_fsw(DisasContext& s, const Args& a) {
  s.ir.store(gen_addr(s, a.rs1, a.imm), fpr(s, a.rs2), MemOp::k32);
  return true;
}
bool trans_fsd(DisasContext& s, const Args& a) {
  s.ir.store(gen_addr(s, a.rs1, a.imm), fpr(s, a.rs2), MemOp::k64);
  return true;
}
bool trans_fmv_x_w(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.sext(fpr(s, a.rs1), 32));
  return true;
}
bool trans_fmv_w_x(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, s.ir.or_(s.ir.zext(gpr(s, a.rs1), 32), imm64(kBox)));
  return true;
}
bool trans_fmv_x_d(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, fpr(s, a.rs1));
  return true;
}
bool trans_fmv_d_x(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, gpr(s, a.rs1));
  return true;
}

}  // namespace mimic::riscv
