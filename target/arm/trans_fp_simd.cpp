// AdvSIMD floating point, vector and scalar forms: three-same, two-register misc (incl.
// conversions, FCVTN/FCVTL/FCVTXN, FRINT*, estimates), compares with zero, by element, pairwise,
// across lanes, fixed-point conversions.
//
// Fast path (FPCR.FZ = 0): the vector FADD/FSUB/FMUL/FDIV and FMLA/FMLS (host FMA3), and FMUL/FMLA/
// FMLS by element, run on packed SSE (VFAdd ... VFMA); as for scalar FP, a lane that comes out as a
// NaN or +-the smallest normal sends the whole instruction to the exact helper. FABS/FNEG are bit
// operations. Everything else calls a helper that loops over the lanes in env (helpers_fp.cpp),
// with the per-element Arm semantics of fpu.h.
#include "target/arm/fpu.h"
#include "target/arm/helpers_fp.h"
#include "target/arm/simd.h"
#include "target/arm/trans_fp.h"

namespace mimic::arm {

namespace {

using tcg::Opcode;

constexpr FpOp kNone = FpOp(0xff);

void call_v(DisasContext& s, FpHelper h, uint64_t regs, uint64_t op, uint64_t fl) {
  s.ir.call_void(fp_helper_id(h), {imm64(regs), imm64(op), imm64(fl)});
}
uint64_t vfl(bool Q, bool dbl) { return (Q ? kVQ : 0) | (dbl ? kVDbl : 0); }

// Three-same FP by U:a:opcode<2:0>; pair: the pairwise forms.
FpOp three_same_op(bool U, bool a, unsigned op, bool& pair) {
  static constexpr FpOp kT[2][2][8] = {
      {{FpOp::MaxNm, FpOp::Mla, FpOp::Add, FpOp::MulX, FpOp::CmEq, kNone, FpOp::Max, FpOp::Recps},
       {FpOp::MinNm, FpOp::Mls, FpOp::Sub, kNone, kNone, kNone, FpOp::Min, FpOp::Rsqrts}},
      {{FpOp::MaxNm, kNone, FpOp::Add, FpOp::Mul, FpOp::CmGe, FpOp::AcGe, FpOp::Max, FpOp::Div},
       {FpOp::MinNm, kNone, FpOp::Abd, kNone, FpOp::CmGt, FpOp::AcGt, FpOp::Min, kNone}},
  };
  pair = U && (op == 0 || op == 6 || (op == 2 && !a));
  return kT[U][a][op];
}

// FCVT{N,P,M,Z,A}{S,U} and SCVTF/UCVTF of the two-register misc group (opcode 11010..11101):
// the vint descriptor, or false.
bool misc_int_desc(bool U, bool a, unsigned op, bool dbl, uint64_t& desc) {
  switch (op) {
    case 2: desc = fp_int_desc(0, a ? fp::kPosInf : fp::kTieEven, U, dbl, dbl); return true;  // FCVTN/P
    case 3: desc = fp_int_desc(0, a ? fp::kZero : fp::kNegInf, U, dbl, dbl); return true;     // FCVTM/Z
    case 4: desc = fp_int_desc(0, fp::kTieAway, U, dbl, dbl); return !a;                      // FCVTA
    case 5: desc = fp_int_desc(0, kRoundFpcr, U, dbl, dbl, true); return !a;                  // SCVTF/UCVTF
    default: return false;
  }
}

// The vector arithmetic of the fast path: computes op on packed SSE, then writes Vd unless a lane
// is a NaN (x86 NaN rules differ from Arm's) or +-the smallest normal (x86 detects underflow after
// rounding, Arm before); those call the exact helper `vbin(regs, op, fl)`, which reads the still
// unmodified registers (Vd may be Vn or Vm) and adds the flags the host op did not raise (those it
// raised are always a subset of Arm's). elem >= 0: operand m is that lane of Vm, broadcast. Q = 0
// computes on zeroed upper lanes (a divisor's are 1.0), which raise no flag. Returns false when
// the op has no inline form here or the block cannot use one.
bool gen_varith(DisasContext& s, FpOp op, bool Q, bool dbl, unsigned d, unsigned n, unsigned m, int elem, uint64_t regs,
                uint64_t fl) {
  Opcode opc;
  switch (op) {
    case FpOp::Add: opc = Opcode::VFAdd; break;
    case FpOp::Sub: opc = Opcode::VFSub; break;
    case FpOp::Mul: opc = Opcode::VFMul; break;
    case FpOp::Div: opc = Opcode::VFDiv; break;
    case FpOp::Mla:
    case FpOp::Mls: opc = Opcode::VFMA; break;
    default: return false;
  }
  if (!fp_fast(s) || (opc == Opcode::VFMA && !host_fma())) return false;
  const unsigned lg = dbl ? 3 : 2;
  const uint64_t hi_mask = Q ? ~0ull : 0;  // the lanes the instruction computes, in the high half
  Arg a = read_vreg_q(s, n);
  Arg b = elem < 0 ? read_vreg_q(s, m) : s.ir.vdup(read_vreg_lane(s, m, unsigned(elem), dbl), lg);
  if (!Q) {
    a = s.ir.vzero_high(a);
    b = s.ir.vzero_high(b);
    if (op == FpOp::Div) b = s.ir.vor(b, s.ir.vconst(0, 0x3f8000003f800000ull));  // Q = 0 only for singles
  }
  Arg r;
  if (opc == Opcode::VFMA) {
    Arg c = read_vreg_q(s, d);
    if (!Q) c = s.ir.vzero_high(c);
    if (op == FpOp::Mls) {  // FPMulAdd(d, -n, m): negating n is exact and keeps the one rounding
      const uint64_t sign = dbl ? fp::kSignBit<uint64_t> : 0x8000000080000000ull;
      a = s.ir.vxor(a, s.ir.vconst(sign, sign & hi_mask));
    }
    r = s.ir.vfma(a, b, c, lg);
  } else {
    r = s.ir.vfbin(opc, a, b, lg);
  }
  const uint32_t slow = s.ir.new_label(), done = s.ir.new_label();
  s.ir.br_cond(Cond::Ne, s.ir.vfspecial(r, lg), imm32(0), slow);
  write_vec(s, d, Q, r);
  s.ir.br(done);
  s.ir.label(slow);
  call_v(s, FpHelper::vbin, regs, uint64_t(op), fl);
  s.ir.label(done);
  return true;
}

bool gen_elem(DisasContext& s, bool Q, bool z, bool L, bool M, uint32_t m, bool H, uint32_t n, uint32_t d, FpOp op,
              bool scalar) {
  if (z && (L || (!scalar && !Q))) return false;
  const unsigned idx = z ? unsigned(H) : unsigned(H) << 1 | unsigned(L), rm = m | unsigned(M) << 4;
  const uint64_t fl = vfl(Q, z) | (scalar ? kVScalar : 0) | kVElem | uint64_t(idx) << kVElemShift;
  const uint64_t regs = vregs(d, n, rm);
  if (!scalar && gen_varith(s, op, Q, z, d, n, rm, int(idx), regs, fl)) return true;
  call_v(s, FpHelper::vbin, regs, uint64_t(op), fl);
  return true;
}

bool gen_fixed(DisasContext& s, bool Q, bool U, unsigned fbits, uint32_t op, uint32_t n, uint32_t d, bool dbl,
               bool scalar) {
  if (op != 0 && op != 3) return false;
  if (dbl && !Q && !scalar) return false;
  const bool from_int = op == 0;
  const uint64_t desc = fp_int_desc(fbits, from_int ? kRoundFpcr : fp::kZero, U, dbl, dbl, from_int);
  call_v(s, FpHelper::vint, vregs(d, n), desc, vfl(Q, dbl) | (scalar ? kVScalar : 0));
  return true;
}

}  // namespace

bool trans_V_FP3(DisasContext& s, bool Q, bool U, bool a, bool z, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  bool pair;
  FpOp f = three_same_op(U, a, op, pair);
  if (f == kNone || (z && !Q)) return false;
  const uint64_t fl = vfl(Q, z) | (pair ? kVPair : 0);
  if (!pair && gen_varith(s, f, Q, z, d, n, m, -1, vregs(d, n, m), fl)) return true;
  call_v(s, FpHelper::vbin, vregs(d, n, m), uint64_t(f), fl);
  return true;
}

bool trans_S_FP3(DisasContext& s, bool U, bool a, bool z, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  bool pair;
  FpOp f = three_same_op(U, a, op, pair);
  const bool ok = f == FpOp::MulX || f == FpOp::CmEq || f == FpOp::Recps || f == FpOp::Rsqrts || f == FpOp::CmGe ||
                  f == FpOp::AcGe || f == FpOp::Abd || f == FpOp::CmGt || f == FpOp::AcGt;
  if (!ok || pair) return false;
  call_v(s, FpHelper::vbin, vregs(d, n, m), uint64_t(f), vfl(false, z) | kVScalar);
  return true;
}

bool trans_V_FP2(DisasContext& s, bool Q, bool U, bool a, bool z, uint32_t op, uint32_t n, uint32_t d) {
  if (z && !Q) return false;
  const uint64_t fl = vfl(Q, z);
  uint64_t desc;
  if (misc_int_desc(U, a, op, z, desc)) {
    call_v(s, FpHelper::vint, vregs(d, n), desc, fl);
    return true;
  }
  static constexpr FpOp kT[2][2][8] = {
      {{FpOp::RintN, FpOp::RintM, kNone, kNone, kNone, kNone, kNone, kNone},
       {FpOp::RintP, FpOp::RintZ, kNone, kNone, FpOp::Urecpe, FpOp::Recpe, kNone, kNone}},
      {{FpOp::RintA, FpOp::RintX, kNone, kNone, kNone, kNone, kNone, kNone},
       {kNone, FpOp::RintI, kNone, kNone, FpOp::Ursqrte, FpOp::Rsqrte, kNone, FpOp::Sqrt}},
  };
  FpOp f = kT[U][a][op];
  if (f == kNone || ((f == FpOp::Urecpe || f == FpOp::Ursqrte) && z)) return false;
  call_v(s, FpHelper::vun, vregs(d, n), uint64_t(f), fl);
  return true;
}

bool trans_S_FP2(DisasContext& s, bool U, bool a, bool z, uint32_t op, uint32_t n, uint32_t d) {
  const uint64_t fl = vfl(false, z) | kVScalar;
  uint64_t desc;
  if (misc_int_desc(U, a, op, z, desc)) {
    call_v(s, FpHelper::vint, vregs(d, n), desc, fl);
    return true;
  }
  FpOp f = kNone;
  if (a && op == 5) f = U ? FpOp::Rsqrte : FpOp::Recpe;
  if (a && op == 7 && !U) f = FpOp::Recpx;
  if (f == kNone) return false;
  call_v(s, FpHelper::vun, vregs(d, n), uint64_t(f), fl);
  return true;
}

bool trans_V_FP2_CMP0(DisasContext& s, bool Q, bool U, bool z, uint32_t op, uint32_t n, uint32_t d) {
  if (z && !Q) return false;
  if (op == 3) {  // FABS (U = 0), FNEG (U = 1): bit operations, no exceptions
    const uint64_t sign = z ? 0x8000000000000000ull : 0x8000000080000000ull;
    Arg mask = s.ir.vconst(sign, Q ? sign : 0);
    Arg v = read_vreg_q(s, n);
    Arg r = U ? s.ir.vxor(v, mask) : s.ir.vandc(v, mask);
    if (!Q) r = s.ir.vand(r, s.ir.vconst(~0ull, 0));
    write_vreg_q(s, d, r);
    return true;
  }
  static constexpr FpOp kT[2][3] = {{FpOp::CmGt0, FpOp::CmEq0, FpOp::CmLt0}, {FpOp::CmGe0, FpOp::CmLe0, kNone}};
  FpOp f = kT[U][op];
  if (f == kNone) return false;
  call_v(s, FpHelper::vun, vregs(d, n), uint64_t(f), vfl(Q, z));
  return true;
}

bool trans_S_FP2_CMP0(DisasContext& s, bool U, bool z, uint32_t op, uint32_t n, uint32_t d) {
  static constexpr FpOp kT[2][4] = {{FpOp::CmGt0, FpOp::CmEq0, FpOp::CmLt0, kNone},
                                    {FpOp::CmGe0, FpOp::CmLe0, kNone, kNone}};
  FpOp f = kT[U][op];
  if (f == kNone) return false;
  call_v(s, FpHelper::vun, vregs(d, n), uint64_t(f), vfl(false, z) | kVScalar);
  return true;
}

// FCVTN/FCVTN2 (U=0, o=0), FCVTL/FCVTL2 (U=0, o=1), FCVTXN/FCVTXN2 (U=1, o=0, double only).
bool trans_V_FP2_CVT(DisasContext& s, bool Q, bool U, bool z, bool o, uint32_t n, uint32_t d) {
  if (U && (o || !z)) return false;
  const uint64_t fl = vfl(Q, z);
  if (o)
    call_v(s, FpHelper::vwiden, vregs(d, n), 0, fl);
  else
    call_v(s, FpHelper::vnarrow, vregs(d, n), U, fl);
  return true;
}

bool trans_S_FCVTXN(DisasContext& s, uint32_t n, uint32_t d) {
  call_v(s, FpHelper::vnarrow, vregs(d, n), 1, kVDbl | kVScalar);
  return true;
}

// FMAXNMV/FMINNMV (op 00), FMAXV/FMINV (op 11): 4S only.
bool trans_V_FPREDUCE(DisasContext& s, bool Q, bool a, bool z, uint32_t op, uint32_t n, uint32_t d) {
  if (!Q || z || (op != 0 && op != 3)) return false;
  FpOp f = op == 0 ? (a ? FpOp::MinNm : FpOp::MaxNm) : (a ? FpOp::Min : FpOp::Max);
  call_v(s, FpHelper::vreduce, vregs(d, n), uint64_t(f), kVQ);
  return true;
}

// FMAXNMP/FMINNMP (op 00), FADDP (op 01, a = 0), FMAXP/FMINP (op 11) of the two lanes of Vn.
bool trans_S_FPPAIR(DisasContext& s, bool a, bool z, uint32_t op, uint32_t n, uint32_t d) {
  FpOp f;
  switch (op) {
    case 0: f = a ? FpOp::MinNm : FpOp::MaxNm; break;
    case 1:
      if (a) return false;
      f = FpOp::Add;
      break;
    case 3: f = a ? FpOp::Min : FpOp::Max; break;
    default: return false;
  }
  call_v(s, FpHelper::vreduce, vregs(d, n), uint64_t(f), vfl(false, z) | kVScalar);
  return true;
}

bool trans_V_FPELEM_MLA(DisasContext& s, bool Q, bool z, bool L, bool M, uint32_t m, bool sub, bool H, uint32_t n,
                        uint32_t d) {
  return gen_elem(s, Q, z, L, M, m, H, n, d, sub ? FpOp::Mls : FpOp::Mla, false);
}
bool trans_V_FPELEM_MUL(DisasContext& s, bool Q, bool U, bool z, bool L, bool M, uint32_t m, bool H, uint32_t n,
                        uint32_t d) {
  return gen_elem(s, Q, z, L, M, m, H, n, d, U ? FpOp::MulX : FpOp::Mul, false);
}
bool trans_S_FPELEM_MLA(DisasContext& s, bool z, bool L, bool M, uint32_t m, bool sub, bool H, uint32_t n, uint32_t d) {
  return gen_elem(s, false, z, L, M, m, H, n, d, sub ? FpOp::Mls : FpOp::Mla, true);
}
bool trans_S_FPELEM_MUL(DisasContext& s, bool U, bool z, bool L, bool M, uint32_t m, bool H, uint32_t n, uint32_t d) {
  return gen_elem(s, false, z, L, M, m, H, n, d, U ? FpOp::MulX : FpOp::Mul, true);
}

// Fixed-point SCVTF/UCVTF (op 00) and FCVTZS/FCVTZU (op 11): immh:immb = 1:imm6 (double,
// fbits = 64 - imm6) or 01:imm5 (single, fbits = 32 - imm5).
bool trans_V_FPFIXED_D(DisasContext& s, bool Q, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d) {
  return gen_fixed(s, Q, U, 64 - imm, op, n, d, true, false);
}
bool trans_V_FPFIXED_S(DisasContext& s, bool Q, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d) {
  return gen_fixed(s, Q, U, 32 - imm, op, n, d, false, false);
}
bool trans_S_FPFIXED_D(DisasContext& s, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d) {
  return gen_fixed(s, false, U, 64 - imm, op, n, d, true, true);
}
bool trans_S_FPFIXED_S(DisasContext& s, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d) {
  return gen_fixed(s, false, U, 32 - imm, op, n, d, false, true);
}

}  // namespace mimic::arm
