// AArch32 Advanced SIMD (NEON) data processing: the A32 encodings (1111001U ...), one table entry
// per encoding group as the Arm ARM's tables lay them out; T32 reaches them rewritten by
// decode_t32.cpp (111U1111 -> 1111001U). Loads and stores are in trans_a32_neon_ldst.cpp.
//
// The arithmetic is the AArch64 AdvSIMD one: the A32 opcode fields of the three-same,
// three-different, shift and misc groups are, with U, the AArch64 opcodes of the same operations
// (helpers_simd_arith.h), and the FP ones run helpers_fp.h's vector helpers under the Standard
// FPSCR value. Those helpers work on whole V registers; a Q operand is V<q> itself, a D operand
// is its V register's low half when it is even and is staged into a scratch V register
// (V16-V31, unused by AArch32) when it is odd; a D result always goes through a scratch register
// (the helpers zero bits 127:64 of a 64-bit result, which would be the next D register). Bitwise
// operations, VADD/VSUB/VMUL/VCEQ, immediates, VDUP, VMVN and FP VABS/VNEG are inline.
#include "target/arm/trans_a32_neon.h"

#include "target/arm/fpu.h"
#include "target/arm/helpers_a32_neon.h"
#include "target/arm/helpers_fp.h"
#include "target/arm/helpers_simd_arith.h"
#include "target/arm/trans_a32.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {
using S = A32Context;
namespace sa = simd_arith;

unsigned nregs_of(bool q) { return q ? 2 : 1; }
// Q forms need even D register numbers.
bool qok(bool q, unsigned r) { return !q || !(r & 1); }

// ---- operands for the AArch64 helpers ----
constexpr unsigned kDestScratch = kNeonScratch + 3;
constexpr unsigned kTmpScratch = kNeonScratch + 4;

unsigned stage_d(S& s, unsigned r, unsigned slot) {
  if (!(r & 1)) return r >> 1;
  s.ir.set_state(vreg_offset(kNeonScratch + slot), neon_getd(s, r));
  return kNeonScratch + slot;
}
unsigned src(S& s, unsigned r, bool q, unsigned slot) { return q ? r >> 1 : stage_d(s, r, slot); }
unsigned dest(S& s, unsigned r, bool q, bool reads) {
  if (q) return r >> 1;
  if (reads) s.ir.set_state(vreg_offset(kDestScratch), neon_getd(s, r));
  return kDestScratch;
}
void dest_done(S& s, unsigned r, bool q) {
  if (!q) neon_setd(s, r, s.ir.get_state(Type::I64, vreg_offset(kDestScratch)));
}

void call_arith(S& s, sa::Group g, const sa::Desc& d) { s.ir.call_void(sa::helper_id(g), {imm64(d.pack())}); }
// An AArch64 FP vector helper under the Standard FPSCR.
void call_fp(S& s, FpHelper h, uint64_t regs, uint64_t op, uint64_t fl) {
  // The function itself, not its id: the registry lookup takes a lock.
  const auto fn = reinterpret_cast<uint64_t>(tcg::helper_info(fp_helper_id(h)).fn);
  s.ir.call_void(neon_helper_id(NeonHelper::std_fp), {imm64(fn), imm64(regs), imm64(op), imm64(fl)});
}
void call_neon(S& s, NeonHelper h, uint64_t a, uint64_t b, uint64_t c) {
  s.ir.call_void(neon_helper_id(h), {imm64(a), imm64(b), imm64(c)});
}

// The Cryptographic Extension: Q registers only (D numbers even).
bool crypto_op(S& s, NeonCrypto op, unsigned d, unsigned n, unsigned m) {
  if ((d | n | m) & 1) return false;
  call_neon(s, NeonHelper::crypto, d, n, m | unsigned(op) << 8);
  return true;
}

// ---- inline vector forms: a D operand is read as the 16 bytes starting at it ----
Arg readv(S& s, unsigned r) { return s.ir.get_state(Type::V128, neon_doff(r)); }
void writev(S& s, unsigned r, bool q, Arg v) {
  if (q)
    s.ir.set_state(neon_doff(r), v);
  else
    neon_setd(s, r, s.ir.vextract(Type::I64, v, 0, 3));
}

// Bitwise (three same, opc 0001 B = 1): U:size select the op; VBSL/VBIT/VBIF also read Vd.
bool logic(S& s, bool U, unsigned op, bool q, unsigned d, unsigned n, unsigned m) {
  auto& ir = s.ir;
  Arg vn = readv(s, n), vm = readv(s, m), r;
  switch (U << 2 | op) {
    case 0: r = ir.vand(vn, vm); break;                                   // VAND
    case 1: r = ir.vandc(vn, vm); break;                                  // VBIC
    case 2: r = ir.vor(vn, vm); break;                                    // VORR (VMOV)
    case 3: r = ir.vor(vn, ir.vxor(vm, ir.vconst(~0ull, ~0ull))); break;  // VORN
    case 4: r = ir.vxor(vn, vm); break;                                   // VEOR
    case 5: {                                                             // VBSL
      Arg vd = readv(s, d);
      r = ir.vor(ir.vand(vn, vd), ir.vandc(vm, vd));
      break;
    }
    case 6: r = ir.vor(ir.vand(vn, vm), ir.vandc(readv(s, d), vm)); break;   // VBIT
    default: r = ir.vor(ir.vand(readv(s, d), vm), ir.vandc(vn, vm)); break;  // VBIF
  }
  writev(s, d, q, r);
  return true;
}

// ---- floating point, inline: SSE on the lanes whose Standard-FPSCR result it computes exactly ----
// NEON arithmetic flushes denormals to zero and returns the default NaN; SSE does neither, and
// rounds as MXCSR (FPSCR.RMode) says. So the inline form runs only under RMode = nearest, and
// leaves for the exact helper (at `slow`) when a lane of an operand is a denormal, an infinity or
// a NaN, when a result is a NaN, an infinity, a denormal or +-the smallest normal, or when a
// product of non-zero operands may be tiny (its flags would differ: a flushed result raises UFC
// only). Tiny sums and differences are exact, so SSE raises nothing for them.
Arg lanes_special(S& s, Arg x) {  // all-ones lanes: exponent 0xff, or a denormal
  auto& ir = s.ir;
  const Arg exp_mask = ir.vconst(0x7f8000007f800000ull, 0x7f8000007f800000ull);
  Arg exp = ir.vand(x, exp_mask);
  Arg inf_nan = ir.vcmp(Cond::Eq, exp, exp_mask, 2);
  Arg denormal = ir.vandc(ir.vcmp(Cond::TstNe, x, ir.vconst(0x007fffff007fffffull, 0x007fffff007fffffull), 2),
                          ir.vcmp(Cond::TstNe, exp, exp_mask, 2));
  return ir.vor(inf_nan, denormal);
}
Arg product_may_be_tiny(S& s, Arg a, Arg b) {
  auto& ir = s.ir;
  const Arg exp_mask = ir.vconst(0x7f8000007f800000ull, 0x7f8000007f800000ull);
  const Arg abs_mask = ir.vconst(0x7fffffff7fffffffull, 0x7fffffff7fffffffull);
  Arg sum = ir.vadd(ir.vshri(ir.vand(a, exp_mask), 23, 2), ir.vshri(ir.vand(b, exp_mask), 23, 2), 2);
  Arg small = ir.vcmp(Cond::GtS, ir.vconst(0x0000008200000082ull, 0x0000008200000082ull), sum, 2);  // < 130
  Arg nonzero = ir.vand(ir.vcmp(Cond::TstNe, a, abs_mask, 2), ir.vcmp(Cond::TstNe, b, abs_mask, 2));
  return ir.vand(small, nonzero);
}
// Emits the fast path and then label `slow`, where the caller's helper path follows; false (and
// nothing emitted) when FPSCR.RMode is not round to nearest (the MXCSR rounds as it says).
bool inline_float(S& s, FpOp op, bool unfused, bool q, unsigned d, unsigned n, unsigned m, uint32_t slow,
                  uint32_t done) {
  auto& ir = s.ir;
  if (s.tb_flags & 3) return false;
  auto operand = [&](unsigned r) { return q ? readv(s, r) : ir.vzero_high(readv(s, r)); };
  auto leave_if = [&](Arg lanes, Arg extra) {  // to the helper when a lane mask (or `extra`) is set
    Arg any = ir.or_(ir.vextract(Type::I64, lanes, 0, 3), ir.vextract(Type::I64, lanes, 1, 3));
    ir.br_cond(Cond::Ne, extra.type == Type::Void ? any : ir.or_(any, ir.zext32_to_64(extra)), imm64(0), slow);
  };
  // The operands first: SSE must not even run on them (it would raise flags NEON does not).
  Arg a = operand(n), b = operand(m), acc = unfused ? operand(d) : Arg{};
  Arg bad = ir.vor(lanes_special(s, a), lanes_special(s, b));
  if (op == FpOp::Mul || unfused) bad = ir.vor(bad, product_may_be_tiny(s, a, b));
  if (unfused) bad = ir.vor(bad, lanes_special(s, acc));
  leave_if(bad, Arg{});
  Arg r;
  if (op == FpOp::Mul || unfused)
    r = ir.vfmul(a, b, 2);
  else
    r = op == FpOp::Add ? ir.vfadd(a, b, 2) : ir.vfsub(a, b, 2);
  Arg special = ir.vfspecial(r, 2);
  bad = lanes_special(s, r);
  if (unfused) {  // VMLA/VMLS: then the sum with the accumulator
    r = op == FpOp::Add ? ir.vfadd(acc, r, 2) : ir.vfsub(acc, r, 2);
    special = ir.or_(special, ir.vfspecial(r, 2));
    bad = ir.vor(bad, lanes_special(s, r));
  }
  leave_if(bad, special);
  writev(s, d, q, r);
  ir.br(done);
  ir.label(slow);
  return true;
}

// ---- floating point, three same (opc 1100 B = 1, 1101-1111); size<0> = 1 is F16 ----
bool float3(S& s, unsigned opc, bool B, bool U, bool hi, bool q, unsigned d, unsigned n, unsigned m) {
  FpOp op;
  bool pair = false, unfused = false;
  switch (opc << 3 | B << 2 | U << 1 | hi) {
    case 0xc << 3 | 4: op = FpOp::Mla; break;  // VFMA
    case 0xc << 3 | 5: op = FpOp::Mls; break;  // VFMS
    case 0xd << 3 | 0: op = FpOp::Add; break;
    case 0xd << 3 | 1: op = FpOp::Sub; break;
    case 0xd << 3 | 2: op = FpOp::Add, pair = true; break;  // VPADD
    case 0xd << 3 | 3: op = FpOp::Abd; break;
    case 0xd << 3 | 4: op = FpOp::Add, unfused = true; break;  // VMLA
    case 0xd << 3 | 5: op = FpOp::Sub, unfused = true; break;  // VMLS
    case 0xd << 3 | 6: op = FpOp::Mul; break;
    case 0xe << 3 | 0: op = FpOp::CmEq; break;
    case 0xe << 3 | 2: op = FpOp::CmGe; break;
    case 0xe << 3 | 3: op = FpOp::CmGt; break;
    case 0xe << 3 | 6: op = FpOp::AcGe; break;
    case 0xe << 3 | 7: op = FpOp::AcGt; break;
    case 0xf << 3 | 0: op = FpOp::Max; break;
    case 0xf << 3 | 1: op = FpOp::Min; break;
    case 0xf << 3 | 2: op = FpOp::Max, pair = true; break;
    case 0xf << 3 | 3: op = FpOp::Min, pair = true; break;
    case 0xf << 3 | 4: op = FpOp::Recps; break;
    case 0xf << 3 | 5: op = FpOp::Rsqrts; break;
    case 0xf << 3 | 6: op = FpOp::MaxNm; break;
    case 0xf << 3 | 7: op = FpOp::MinNm; break;
    default: return false;
  }
  if (pair && q) return false;
  if (op == FpOp::Recps || op == FpOp::Rsqrts) {  // ARMv7's unfused step
    call_neon(s, NeonHelper::recps, d, n, m | unsigned(q) << 5 | unsigned(op == FpOp::Rsqrts) << 6);
    return true;
  }
  const uint64_t fl = (q ? kVQ : 0) | (pair ? kVPair : 0);
  const uint32_t slow = s.ir.new_label(), done = s.ir.new_label();
  const bool fast = !pair && (op == FpOp::Add || op == FpOp::Sub || op == FpOp::Mul) &&
                    inline_float(s, op, unfused, q, d, n, m, slow, done);
  const unsigned vn = src(s, n, q, 0), vm = src(s, m, q, 1);
  const bool reads_d = unfused || op == FpOp::Mla || op == FpOp::Mls;
  const unsigned vd = dest(s, d, q, reads_d);
  if (unfused) {  // VMLA/VMLS: the product rounded, then the sum
    call_fp(s, FpHelper::vbin, vregs(kTmpScratch, vn, vm), uint64_t(FpOp::Mul), fl);
    call_fp(s, FpHelper::vbin, vregs(vd, vd, kTmpScratch), uint64_t(op), fl);
  } else {
    call_fp(s, FpHelper::vbin, vregs(vd, vn, vm), uint64_t(op), fl);
  }
  dest_done(s, d, q);
  if (fast) s.ir.label(done);
  return true;
}

// The forms vectorized loops use most, as vector IR (the caller checked the encoding).
bool inline_same(S& s, unsigned op5, bool U, unsigned size, bool q, unsigned d, unsigned n, unsigned m) {
  auto& ir = s.ir;
  if (size == 3) return false;
  auto binary = [&](auto fn) {
    writev(s, d, q, fn(readv(s, n), readv(s, m)));
    return true;
  };
  auto absdiff = [&](Arg a, Arg b) {
    return U ? ir.vsub(ir.vmaxu(a, b, size), ir.vminu(a, b, size), size)
             : ir.vsub(ir.vmaxs(a, b, size), ir.vmins(a, b, size), size);
  };
  switch (op5) {
    case 0x06: return binary([&](Arg a, Arg b) { return ir.vcmp(U ? Cond::GtU : Cond::GtS, a, b, size); });
    case 0x07: return binary([&](Arg a, Arg b) { return ir.vcmp(U ? Cond::GeU : Cond::GeS, a, b, size); });
    case 0x0c: return binary([&](Arg a, Arg b) { return U ? ir.vmaxu(a, b, size) : ir.vmaxs(a, b, size); });
    case 0x0d: return binary([&](Arg a, Arg b) { return U ? ir.vminu(a, b, size) : ir.vmins(a, b, size); });
    case 0x0e: return binary(absdiff);                                                                  // VABD
    case 0x0f: return binary([&](Arg a, Arg b) { return ir.vadd(readv(s, d), absdiff(a, b), size); });  // VABA
    case 0x12:                                                                                          // VMLA/VMLS
      return binary([&](Arg a, Arg b) {
        Arg p = ir.vmul(a, b, size), acc = readv(s, d);
        return U ? ir.vsub(acc, p, size) : ir.vadd(acc, p, size);
      });
    case 0x13:
      if (U) return false;  // VMUL.P8
      return binary([&](Arg a, Arg b) { return ir.vmul(a, b, size); });
    default: return false;
  }
}

// Three different: the widening add/subtract/multiply(-accumulate) and the truncating narrowing
// add/subtract, as vector IR (a D source is widened from the low half of the 16 bytes at it).
bool inline_diff(S& s, unsigned opc, bool U, unsigned size, unsigned d, unsigned n, unsigned m) {
  auto& ir = s.ir;
  const unsigned w = size + 1;
  auto widen = [&](unsigned r) { return ir.vwiden(readv(s, r), size, false, !U); };
  switch (opc) {
    case 0:
    case 1:
    case 2:
    case 3: {  // VADDL, VADDW, VSUBL, VSUBW
      Arg a = (opc & 1) ? readv(s, n) : widen(n), b = widen(m);
      writev(s, d, true, opc < 2 ? ir.vadd(a, b, w) : ir.vsub(a, b, w));
      return true;
    }
    case 4:
    case 6: {  // VADDHN, VSUBHN (U: the rounding forms, left to the helper)
      if (U) return false;
      Arg a = readv(s, n), b = readv(s, m);
      Arg sum = opc == 4 ? ir.vadd(a, b, w) : ir.vsub(a, b, w);
      writev(s, d, false, ir.vnarrow(ir.vshri(sum, 8u << size, w), w));
      return true;
    }
    case 8:
    case 0xa:
    case 0xc: {  // VMLAL, VMLSL, VMULL (64-bit products stay in the helper)
      if (w == 3) return false;
      Arg p = ir.vmul(widen(n), widen(m), w);
      if (opc != 0xc) p = opc == 8 ? ir.vadd(readv(s, d), p, w) : ir.vsub(readv(s, d), p, w);
      writev(s, d, true, p);
      return true;
    }
    default: return false;
  }
}

// ---- three registers of the same length ----
bool N3SAME(S& s, bool U, bool D, uint32_t size, uint32_t vn, uint32_t vd, uint32_t opc, bool N, bool q, bool M, bool B,
            uint32_t vm) {
  const unsigned d = D << 4 | vd, n = N << 4 | vn, m = M << 4 | vm;
  if (!qok(q, d) || !qok(q, n) || !qok(q, m)) return false;
  if (opc == 1 && B) return logic(s, U, size, q, d, n, m);
  if (opc >= 0xc) {
    if (opc == 0xc && !B) {  // SHA1C/P/M/SU0 (U = 0), SHA256H/H2/SU1 (U = 1); size is the op
      if (!q || (U && size == 3)) return false;
      return crypto_op(s, NeonCrypto(unsigned(U ? NeonCrypto::sha256h : NeonCrypto::sha1c) + size), d, n, m);
    }
    if (size & 1) return false;  // F16
    return float3(s, opc, B, U, size >> 1, q, d, n, m);
  }
  const unsigned op5 = opc << 1 | B;
  const bool pairwise = op5 == 0x14 || op5 == 0x15 || op5 == 0x17;
  const bool any_size = op5 == 0x01 || op5 == 0x05 || (op5 >= 0x08 && op5 <= 0x0b) || op5 == 0x10;
  if (size == 3 && !any_size) return false;
  if (pairwise && q) return false;
  if (op5 == 0x17 && U) return false;
  if (op5 == 0x13 && U && size != 0) return false;            // VMUL.P8
  if (op5 == 0x16 && (size == 0 || size == 3)) return false;  // VQDMULH/VQRDMULH
  auto& ir = s.ir;
  // Inline: VADD/VSUB, VMUL (16/32-bit), VCEQ, VTST.
  if (op5 == 0x10) {
    Arg a = readv(s, n), b = readv(s, m);
    writev(s, d, q, U ? ir.vsub(a, b, size) : ir.vadd(a, b, size));
    return true;
  }
  if (op5 == 0x11) {
    writev(s, d, q, ir.vcmp(U ? Cond::Eq : Cond::TstNe, readv(s, n), readv(s, m), size));
    return true;
  }
  if (inline_same(s, op5, U, size, q, d, n, m)) return true;
  sa::Desc desc;
  desc.op = U << 5 | op5;
  desc.esz = size;
  desc.q = q;
  // The register shifts shift Vm by Vn; AArch64's shift Vn by Vm.
  const bool shift = op5 >= 0x08 && op5 <= 0x0b;
  desc.n = src(s, shift ? m : n, q, 0);
  desc.m = src(s, shift ? n : m, q, 1);
  desc.d = dest(s, d, q, op5 == 0x0f || op5 == 0x12);  // VABA, VMLA/VMLS accumulate
  call_arith(s, sa::Group::kSame, desc);
  dest_done(s, d, q);
  return true;
}

// ---- three registers of different lengths (size != 3) ----
bool N3DIFF(S& s, bool U, bool D, uint32_t size, uint32_t vn, uint32_t vd, uint32_t opc, bool N, bool M, uint32_t vm) {
  if (size == 3) return false;
  const unsigned d = D << 4 | vd, n = N << 4 | vn, m = M << 4 | vm;
  const bool narrow = opc == 4 || opc == 6, wide_n = opc == 1 || opc == 3;
  if (opc == 0xf) return false;
  if ((opc == 9 || opc == 0xb || opc == 0xd) && (U || size == 0)) return false;  // VQDMLAL/VQDMLSL/VQDMULL
  if (opc == 0xe) {                                                              // VMULL.P8 / VMULL.P64
    if (U || size == 1 || (d & 1)) return false;
    if (size == 2) {
      call_neon(s, NeonHelper::pmull64, d, n, m);
      return true;
    }
  }
  if (narrow ? ((n & 1) || (m & 1)) : ((d & 1) || (wide_n && (n & 1)))) return false;
  if (inline_diff(s, opc, U, size, d, n, m)) return true;
  sa::Desc desc;
  desc.op = U << 4 | opc;
  desc.esz = size;
  desc.n = narrow || wide_n ? n >> 1 : stage_d(s, n, 0);
  desc.m = narrow ? m >> 1 : stage_d(s, m, 1);
  desc.d = narrow ? dest(s, d, false, false) : d >> 1;
  call_arith(s, sa::Group::kDiff, desc);
  if (narrow) dest_done(s, d, false);
  return true;
}

// ---- two registers and a scalar (size 1: D0-D7[0-3], size 2: D0-D15[0-1]) ----
bool N2SCALAR(S& s, bool Q, bool D, uint32_t size, uint32_t vn, uint32_t vd, uint32_t opc, bool N, bool M,
              uint32_t vm) {
  if (size == 0 || size == 3) return false;
  const unsigned d = D << 4 | vd, n = N << 4 | vn;
  const unsigned m = size == 1 ? (vm & 7) : vm, idx = size == 1 ? (M << 1 | vm >> 3) : M;
  const bool is_long = opc == 2 || opc == 3 || opc == 6 || opc == 7 || opc == 0xa || opc == 0xb;
  if (opc >= 0xe) return false;
  if (is_long) {
    const bool U = Q;                  // bit 24 is U in the long forms
    if ((opc & 1) && U) return false;  // VQDMLAL/VQDMLSL/VQDMULL
    if (d & 1) return false;
    static constexpr unsigned kDiffOp[16] = {0, 0, 8, 9, 0, 0, 0xa, 0xb, 0, 0, 0xc, 0xd};
    sa::Desc desc;
    desc.op = U << 4 | kDiffOp[opc];
    desc.esz = size;
    desc.elem = true;
    desc.idx = idx;
    desc.n = stage_d(s, n, 0);
    desc.m = stage_d(s, m, 1);
    desc.d = d >> 1;
    call_arith(s, sa::Group::kDiff, desc);
    return true;
  }
  const bool q = Q;
  if (!qok(q, d) || !qok(q, n)) return false;
  const unsigned vsrc = src(s, n, q, 0), vsc = stage_d(s, m, 1);
  if (opc == 1 || opc == 5 || opc == 9) {  // VMLA/VMLS/VMUL.F32 by scalar
    if (size != 2) return false;
    const uint64_t fl = (q ? kVQ : 0) | kVElem | uint64_t(idx) << kVElemShift;
    const unsigned vdst = dest(s, d, q, opc != 9);
    if (opc == 9) {
      call_fp(s, FpHelper::vbin, vregs(vdst, vsrc, vsc), uint64_t(FpOp::Mul), fl);
    } else {
      call_fp(s, FpHelper::vbin, vregs(kTmpScratch, vsrc, vsc), uint64_t(FpOp::Mul), fl);
      call_fp(s, FpHelper::vbin, vregs(vdst, vdst, kTmpScratch), uint64_t(opc == 1 ? FpOp::Add : FpOp::Sub),
              q ? kVQ : 0);
    }
    dest_done(s, d, q);
    return true;
  }
  sa::Desc desc;
  switch (opc) {
    case 0: desc.op = 0x12; break;    // VMLA
    case 4: desc.op = 0x32; break;    // VMLS
    case 8: desc.op = 0x13; break;    // VMUL
    case 0xc: desc.op = 0x16; break;  // VQDMULH
    case 0xd: desc.op = 0x36; break;  // VQRDMULH
    default: return false;
  }
  desc.esz = size;
  desc.q = q;
  desc.elem = true;
  desc.idx = idx;
  desc.n = vsrc;
  desc.m = vsc;
  desc.d = dest(s, d, q, opc == 0 || opc == 4);
  call_arith(s, sa::Group::kSame, desc);
  dest_done(s, d, q);
  return true;
}

// ---- two registers and a shift amount ----
bool N2SHIFT(S& s, bool U, bool D, uint32_t imm6, uint32_t vd, uint32_t opc, bool L, bool q, bool M, uint32_t vm) {
  const unsigned d = D << 4 | vd, m = M << 4 | vm;
  unsigned esz;
  if (L)
    esz = 3;
  else if (imm6 & 0x20)
    esz = 2;
  else if (imm6 & 0x10)
    esz = 1;
  else
    esz = 0;  // imm6 < 8 is a modified immediate (another entry)
  const unsigned bits = 8u << esz, limm = L << 6 | imm6;
  const unsigned right = 2 * bits - limm, left = limm - bits;
  const unsigned rsh = L ? 64 - imm6 : right, lsh = L ? imm6 : left;
  sa::Desc desc;
  desc.esz = esz;
  if (opc >= 0xe) {  // VCVT between F32 and fixed point (fbits = 64 - imm6)
    if (L || !(imm6 & 0x20) || !qok(q, d) || !qok(q, m)) return false;
    const bool to_float = !(opc & 1);
    const uint64_t idesc = fp_int_desc(64 - imm6, to_float ? kRoundFpcr : fp::kZero, U, false, false, to_float);
    const unsigned vsrc = src(s, m, q, 0), vdst = dest(s, d, q, false);
    call_fp(s, FpHelper::vint, vregs(vdst, vsrc), idesc, q ? kVQ : 0);
    dest_done(s, d, q);
    return true;
  }
  if (opc == 8 || opc == 9) {  // narrowing: Dd from Qm; the element named is the narrow one
    if (L || (m & 1)) return false;
    const bool round = q;                                // bit 6
    if (opc == 8 && !U && !round && right < 2 * bits) {  // VSHRN
      writev(s, d, false, s.ir.vnarrow(s.ir.vshri(readv(s, m), right, esz + 1), esz + 1));
      return true;
    }
    desc.op = opc == 8 ? (U ? 0x30 : 0x10) : (U << 5 | 0x12);
    desc.op |= round;
    desc.imm = right;
    desc.n = m >> 1;
    desc.d = dest(s, d, false, false);
    call_arith(s, sa::Group::kShift, desc);
    dest_done(s, d, false);
    return true;
  }
  if (opc == 0xa) {  // VSHLL/VMOVL: Qd from Dm
    if (L || q || (d & 1)) return false;
    // VSHLL/VMOVL: widen, then shift
    Arg w = s.ir.vwiden(readv(s, m), esz, false, !U);
    writev(s, d, true, left ? s.ir.vshli(w, left, esz + 1) : w);
    return true;
  }
  if (!qok(q, d) || !qok(q, m)) return false;
  if (opc <= 1 && rsh < bits) {  // VSHR, VSRA
    Arg a = readv(s, m);
    Arg r = U ? s.ir.vshri(a, rsh, esz) : s.ir.vsari(a, rsh, esz);
    writev(s, d, q, opc == 1 ? s.ir.vadd(readv(s, d), r, esz) : r);
    return true;
  }
  if (opc == 5 && !U) {  // VSHL
    writev(s, d, q, s.ir.vshli(readv(s, m), lsh, esz));
    return true;
  }
  bool reads_d = false;
  switch (opc) {
    case 0: desc.op = U << 5 | 0x00, desc.imm = rsh; break;                  // VSHR
    case 1: desc.op = U << 5 | 0x02, desc.imm = rsh, reads_d = true; break;  // VSRA
    case 2: desc.op = U << 5 | 0x04, desc.imm = rsh; break;                  // VRSHR
    case 3: desc.op = U << 5 | 0x06, desc.imm = rsh, reads_d = true; break;  // VRSRA
    case 4:                                                                  // VSRI
      if (!U) return false;
      desc.op = 0x28, desc.imm = rsh, reads_d = true;
      break;
    case 5: desc.op = U ? 0x2a : 0x0a, desc.imm = lsh, reads_d = U; break;  // VSLI / VSHL
    case 6:                                                                 // VQSHLU
      if (!U) return false;
      desc.op = 0x2c, desc.imm = lsh;
      break;
    case 7: desc.op = U << 5 | 0x0e, desc.imm = lsh; break;  // VQSHL
    default: return false;
  }
  desc.q = q;
  desc.n = src(s, m, q, 0);
  desc.d = dest(s, d, q, reads_d);
  call_arith(s, sa::Group::kShift, desc);
  dest_done(s, d, q);
  return true;
}

// ---- one register and a modified immediate ----
uint64_t rep32(uint64_t x) { return x << 32 | x; }
uint64_t rep16(uint64_t x) { return rep32(x << 16 | x); }
bool expand_imm(bool op, unsigned cmode, uint64_t imm8, uint64_t& out) {
  switch (cmode >> 1) {
    case 0: out = rep32(imm8); return true;
    case 1: out = rep32(imm8 << 8); return true;
    case 2: out = rep32(imm8 << 16); return true;
    case 3: out = rep32(imm8 << 24); return true;
    case 4: out = rep16(imm8); return true;
    case 5: out = rep16(imm8 << 8); return true;
    case 6: out = rep32((cmode & 1) ? (imm8 << 16 | 0xffff) : (imm8 << 8 | 0xff)); return true;
    default:
      if (!(cmode & 1) && !op) {
        out = rep16(imm8 << 8 | imm8);
        return true;
      }
      if (!(cmode & 1)) {  // each bit a byte of ones
        out = 0;
        for (unsigned i = 0; i < 8; ++i)
          if ((imm8 >> i) & 1) out |= 0xffull << (8 * i);
        return true;
      }
      if (op) return false;
      {  // an F32 immediate
        const uint64_t a = imm8 >> 7, b = (imm8 >> 6) & 1, cdefgh = imm8 & 0x3f;
        out = rep32(a << 31 | (b ^ 1) << 30 | (b ? 0x1full : 0) << 25 | cdefgh << 19);
      }
      return true;
  }
}
bool N1IMM(S& s, bool i, bool D, uint32_t imm3, uint32_t vd, uint32_t cmode, bool q, bool op, uint32_t imm4) {
  const unsigned d = D << 4 | vd;
  if (!qok(q, d)) return false;
  uint64_t imm;
  if (!expand_imm(op, cmode, i << 7 | imm3 << 4 | imm4, imm)) return false;
  // cmode 0xx1 and 10x1 are VORR (op 0) / VBIC (op 1); the rest VMOV, or VMVN with op
  // (cmode 1110 with op is VMOV.I64).
  const bool orr_bic = (cmode & 1) && cmode < 12;
  for (unsigned r = 0; r < nregs_of(q); ++r) {
    if (orr_bic) {
      Arg old = neon_getd(s, d + r);
      neon_setd(s, d + r, op ? s.ir.and_(old, imm64(~imm)) : s.ir.or_(old, imm64(imm)));
    } else {
      neon_setd(s, d + r, imm64(op && cmode != 14 ? ~imm : imm));
    }
  }
  return true;
}

// ---- two registers, miscellaneous ----
bool misc_arith(S& s, unsigned op, unsigned esz, bool q, unsigned d, unsigned m, bool reads_d = false) {
  sa::Desc desc;
  desc.op = op;
  desc.esz = esz;
  desc.q = q;
  desc.n = src(s, m, q, 0);
  desc.d = dest(s, d, q, reads_d);
  call_arith(s, sa::Group::kMisc, desc);
  dest_done(s, d, q);
  return true;
}
bool misc_fp(S& s, FpHelper h, uint64_t op, bool q, unsigned d, unsigned m) {
  const unsigned vm = src(s, m, q, 0), vd = dest(s, d, q, false);
  call_fp(s, h, vregs(vd, vm), op, q ? kVQ : 0);
  dest_done(s, d, q);
  return true;
}
// Inline per-D-register bit operations (VMVN, FP VABS/VNEG).
template <class F>
bool per_d(S& s, bool q, unsigned d, unsigned m, F f) {
  Arg v[2];
  for (unsigned r = 0; r < nregs_of(q); ++r) v[r] = f(neon_getd(s, m + r));
  for (unsigned r = 0; r < nregs_of(q); ++r) neon_setd(s, d + r, v[r]);
  return true;
}

bool N2MISC(S& s, bool D, uint32_t size, uint32_t a, uint32_t vd, uint32_t b, bool q, bool M, uint32_t vm) {
  const unsigned d = D << 4 | vd, m = M << 4 | vm;
  const unsigned nr = nregs_of(q);
  // The narrowing and widening forms have one D and one Q operand.
  const bool narrow = a == 2 && (b == 4 || b == 5 || b == 0xc);
  const bool widen = a == 2 && (b == 6 || b == 0xe);
  if (narrow) {
    if (m & 1) return false;
    if (b == 0xc) {  // VCVT.F16.F32 Dd, Qm
      if (q || size != 1) return false;
      call_fp(s, FpHelper::vnarrow, vregs(kDestScratch, m >> 1), 0, 0);
      dest_done(s, d, false);
      return true;
    }
    if (size == 3) return false;
    if (b == 4 && !q) {  // VMOVN
      writev(s, d, false, s.ir.vnarrow(readv(s, m), size + 1));
      return true;
    }
    static constexpr unsigned kOps[4] = {0x12, 0x32, 0x14, 0x34};  // VMOVN, VQMOVUN, VQMOVN.S, VQMOVN.U
    sa::Desc desc;
    desc.op = kOps[(b & 1) << 1 | q];
    desc.esz = size;
    desc.n = m >> 1;
    desc.d = kDestScratch;
    call_arith(s, sa::Group::kMisc, desc);
    dest_done(s, d, false);
    return true;
  }
  if (widen) {
    if (q || (d & 1)) return false;
    if (b == 0xe) {  // VCVT.F32.F16 Qd, Dm
      if (size != 1) return false;
      call_fp(s, FpHelper::vwiden, vregs(d >> 1, stage_d(s, m, 0)), 0, 0);
      return true;
    }
    if (size == 3) return false;  // VSHLL #esize
    sa::Desc desc;
    desc.op = 0x13;
    desc.esz = size;
    desc.n = stage_d(s, m, 0);
    desc.d = d >> 1;
    call_arith(s, sa::Group::kMisc, desc);
    return true;
  }
  if (!qok(q, d) || !qok(q, m)) return false;
  switch (a) {
    case 0:
      switch (b) {
        case 0:
        case 1:
        case 2: {  // VREV64/32/16
          const unsigned group = 3 - b;
          if (size >= group) return false;
          call_neon(s, NeonHelper::rev, d, m, nr | size << 4 | group << 8);
          return true;
        }
        case 4:
        case 5:
          if (size == 3) return false;
          return misc_arith(s, (b & 1) << 5 | 0x02, size, q, d, m);  // VPADDL
        case 8:
          if (size == 3) return false;
          return misc_arith(s, 0x04, size, q, d, m);  // VCLS
        case 9:
          if (size == 3) return false;
          return misc_arith(s, 0x24, size, q, d, m);  // VCLZ
        case 0xa:                                     // VCNT
          if (size != 0) return false;
          call_neon(s, NeonHelper::cnt, d, m, nr);
          return true;
        case 0xb:  // VMVN
          if (size != 0) return false;
          return per_d(s, q, d, m, [&](Arg v) { return s.ir.not_(v); });
        case 0xc:
        case 0xd:  // VPADAL
          if (size == 3) return false;
          return misc_arith(s, (b & 1) << 5 | 0x06, size, q, d, m, true);
        case 0xe:
          if (size == 3) return false;
          return misc_arith(s, 0x07, size, q, d, m);  // VQABS
        case 0xf:
          if (size == 3) return false;
          return misc_arith(s, 0x27, size, q, d, m);  // VQNEG
        case 6:
        case 7:  // AESE/AESD, AESMC/AESIMC (bit 6 selects)
          if (size != 0) return false;
          return crypto_op(s, NeonCrypto(((b & 1) << 1 | q) + unsigned(NeonCrypto::aese)), d, d, m);
        default: return false;
      }
    case 1: {
      if (size == 3) return false;
      const bool F = b & 8;
      const unsigned op = b & 7;
      if (F) {
        if (size != 2) return false;
        switch (op) {
          case 0: return misc_fp(s, FpHelper::vun, uint64_t(FpOp::CmGt0), q, d, m);
          case 1: return misc_fp(s, FpHelper::vun, uint64_t(FpOp::CmGe0), q, d, m);
          case 2: return misc_fp(s, FpHelper::vun, uint64_t(FpOp::CmEq0), q, d, m);
          case 3: return misc_fp(s, FpHelper::vun, uint64_t(FpOp::CmLe0), q, d, m);
          case 4: return misc_fp(s, FpHelper::vun, uint64_t(FpOp::CmLt0), q, d, m);
          case 6: return per_d(s, q, d, m, [&](Arg v) { return s.ir.and_(v, imm64(0x7fffffff7fffffffull)); });
          case 7: return per_d(s, q, d, m, [&](Arg v) { return s.ir.xor_(v, imm64(0x8000000080000000ull)); });
          default: return false;
        }
      }
      static constexpr int kOps[8] = {0x08, 0x28, 0x09, 0x29, 0x0a, -1, 0x0b, 0x2b};
      if (kOps[op] < 0) {  // SHA1H (b 0101 with bit 6 set)
        if (size != 2 || !q) return false;
        return crypto_op(s, NeonCrypto::sha1h, d, m, m);
      }
      return misc_arith(s, unsigned(kOps[op]), size, q, d, m);
    }
    case 2:
      if (b <= 3) {  // VSWP, VTRN, VUZP, VZIP
        if (b == 0 && size != 0) return false;
        if (size == 3 || (b >= 2 && !q && size == 2)) return false;
        call_neon(s, NeonHelper::perm, d, m, b | size << 4 | nr << 8);
        return true;
      }
      if (b >= 8) {  // VRINT{N,X,A,Z,M,P}
        static constexpr int kOps[8] = {
            int(FpOp::RintN), int(FpOp::RintX), int(FpOp::RintA), int(FpOp::RintZ), -1, int(FpOp::RintM), -1,
            int(FpOp::RintP)};
        if (size != 2 || kOps[b & 7] < 0) return false;
        return misc_fp(s, FpHelper::vun, uint64_t(kOps[b & 7]), q, d, m);
      }
      if (b == 7 && size == 2)  // SHA1SU1 (bit 6 clear), SHA256SU0 (set)
        return crypto_op(s, q ? NeonCrypto::sha256su0 : NeonCrypto::sha1su1, d, d, m);
      return false;
    case 3:
      if (size != 2) return false;
      if (b < 8) {  // VCVT{A,N,P,M}.S32/U32.F32
        static constexpr fp::Rounding kRm[4] = {fp::kTieAway, fp::kTieEven, fp::kPosInf, fp::kNegInf};
        return misc_fp(s, FpHelper::vint, fp_int_desc(0, kRm[(b >> 1) & 3], b & 1, false, false), q, d, m);
      }
      if (b < 12) {  // VRECPE / VRSQRTE (b bit 1: F32, else U32)
        const bool F = b & 2, sqrt = b & 1;
        const FpOp op = F ? (sqrt ? FpOp::Rsqrte : FpOp::Recpe) : (sqrt ? FpOp::Ursqrte : FpOp::Urecpe);
        return misc_fp(s, FpHelper::vun, uint64_t(op), q, d, m);
      }
      {  // VCVT between F32 and S32/U32: to float rounds to nearest, to integer toward zero
        const bool to_int = b & 2, U = b & 1;
        const uint64_t desc = fp_int_desc(0, to_int ? fp::kZero : kRoundFpcr, U, false, false, !to_int);
        return misc_fp(s, FpHelper::vint, desc, q, d, m);
      }
    default: return false;
  }
}

// ---- VEXT, VTBL/VTBX, VDUP (scalar) ----
bool VEXT(S& s, bool D, uint32_t vn, uint32_t vd, uint32_t imm4, bool N, bool q, bool M, uint32_t vm) {
  const unsigned d = D << 4 | vd, n = N << 4 | vn, m = M << 4 | vm;
  if (!qok(q, d) || !qok(q, n) || !qok(q, m) || (!q && imm4 > 7)) return false;
  call_neon(s, NeonHelper::ext, d, n, m | imm4 << 8 | nregs_of(q) << 16);
  return true;
}
bool VTBL(S& s, bool D, uint32_t vn, uint32_t vd, uint32_t len, bool N, bool tbx, bool M, uint32_t vm) {
  const unsigned d = D << 4 | vd, n = N << 4 | vn, m = M << 4 | vm;
  if (n + len + 1 > 32) return false;
  call_neon(s, NeonHelper::tbl, d, n, m | (len + 1) << 8 | unsigned(tbx) << 12);
  return true;
}
bool VDUP_scalar(S& s, bool D, uint32_t imm4, uint32_t vd, bool q, bool M, uint32_t vm) {
  const unsigned d = D << 4 | vd, m = M << 4 | vm;
  if (!qok(q, d)) return false;
  unsigned esz, idx;
  if (imm4 & 1)
    esz = 0, idx = imm4 >> 1;
  else if (imm4 & 2)
    esz = 1, idx = imm4 >> 2;
  else if (imm4 & 4)
    esz = 2, idx = imm4 >> 3;
  else
    return false;
  const unsigned bits = 8u << esz;
  Arg v = neon_dup(s, s.ir.extract(neon_getd(s, m), idx * bits, bits), esz);
  for (unsigned r = 0; r < nregs_of(q); ++r) neon_setd(s, d + r, v);
  return true;
}

#define INST(fn, name, bits) make_pattern<bits, &fn>(name)
// clang-format off
constexpr A32Pattern kTable[] = {
  INST(N3SAME,      "neon 3 same",        "1111001U0DzznnnnddddooooNQMbmmmm"),
  INST(N3DIFF,      "neon 3 diff",        "1111001U1DzznnnnddddooooN0M0mmmm"),
  INST(N2SCALAR,    "neon 2 reg scalar",  "1111001Q1DzznnnnddddooooN1M0mmmm"),
  INST(N2SHIFT,     "neon 2 reg shift",   "1111001U1DiiiiiiddddooooLQM1mmmm"),
  INST(N1IMM,       "neon 1 reg imm",     "1111001i1D000jjjddddcccc0Qo1kkkk"),
  INST(N2MISC,      "neon 2 reg misc",    "111100111D11zzaadddd0bbbbQM0mmmm"),
  INST(VEXT,        "vext",               "111100101D11nnnnddddiiiiNQM0mmmm"),
  INST(VTBL,        "vtbl/vtbx",          "111100111D11nnnndddd10llNoM0mmmm"),
  INST(VDUP_scalar, "vdup (scalar)",      "111100111D11iiiidddd11000QM0mmmm"),
};
// clang-format on
#undef INST
}  // namespace

bool trans_a32_neon_dp(A32Context& s, uint32_t insn) {
  static const PatternMatcher<A32Context> matcher(kTable, std::size(kTable), 8, 4);
  const A32Pattern* p = matcher.find(insn);
  return p && p->fn(s, insn);
}

bool trans_a32_neon(A32Context& s, uint32_t insn) {
  return (insn >> 24) == 0xf4 ? trans_a32_neon_ldst(s, insn) : trans_a32_neon_dp(s, insn);
}

}  // namespace mimic::arm
