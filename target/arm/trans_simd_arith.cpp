// AdvSIMD integer arithmetic: three-same, three-different (widening/narrowing), two-register misc, shifts by immediate, by element, across lanes, pairwise, and their scalar forms.
//
// Each visitor decodes the fields, rejects reserved size/Q/U combinations, and then either emits
// inline vector IR (the forms hot in compiled loops, see gen_inline_*) or calls the group's helper
// (helpers_simd_arith.cpp) with a packed descriptor.
#include "target/arm/trans_simd_arith.h"

#include <bit>

#include "target/arm/helpers_simd_arith.h"
#include "target/arm/simd.h"

namespace mimic::arm {

namespace {

using simd_arith::Desc;
using simd_arith::Group;

// The fields shared by the AdvSIMD data-processing groups.
struct Fields {
  bool q, u;
  unsigned size, m, n, d;
};
Fields fields(uint32_t insn) {
  return Fields{bool((insn >> 30) & 1), bool((insn >> 29) & 1), (insn >> 22) & 3, (insn >> 16) & 31,
                (insn >> 5) & 31, insn & 31};
}

bool call(DisasContext& s, Group g, const Desc& d) {
  s.ir.call_void(simd_arith::helper_id(g), {imm64(d.pack())});
  return true;
}

// Writes a narrowed result (low 64 bits valid, high 64 bits zero): the non-2 forms write the low
// half and zero the rest, the "2" forms write the high half and keep the low half.
void write_narrow(DisasContext& s, unsigned r, bool part, Arg v) {
  if (part)
    s.ir.set_state(vreg_offset(r) + 8, s.ir.vextract(Type::I64, v, 0, 3));
  else
    write_vreg_q(s, r, v);
}

// ---- inline forms: the ones -O3 vectorized loops and the string functions use, as vector IR ----

// The lane-wise operation of a pairwise or across-lanes reduction.
enum class Reduce { kAdd, kMax, kMin };
Arg reduce_step(IRBuilder& ir, Reduce k, bool u, Arg a, Arg b, unsigned lg) {
  switch (k) {
    case Reduce::kAdd: return ir.vadd(a, b, lg);
    case Reduce::kMax: return u ? ir.vmaxu(a, b, lg) : ir.vmaxs(a, b, lg);
    default: return u ? ir.vminu(a, b, lg) : ir.vmins(a, b, lg);
  }
}

// ADDP/MAXP/MINP (vector): the even and odd lanes of m:n combined lane by lane. With Q = 0 the
// low halves are first joined into one vector m.lo:n.lo, whose pairs fill the low 64 bits.
Arg pairwise(IRBuilder& ir, Reduce k, bool u, Arg n, Arg m, bool q, unsigned lg) {
  if (!q) m = n = ir.vuzp(n, m, 3, false);
  return reduce_step(ir, k, u, ir.vuzp(n, m, lg, false), ir.vuzp(n, m, lg, true), lg);
}

// ADDV/MAXV/MINV: halve the live lanes with pairwise steps until lane 0 holds the result.
Arg across(IRBuilder& ir, Reduce k, bool u, Arg v, unsigned lanes, unsigned lg) {
  for (; lanes > 1; lanes /= 2) v = pairwise(ir, k, u, v, v, true, lg);
  return ir.vextract(Type::I64, v, 0, lg);
}
// Three same, vector; the caller has checked the reserved encodings.
bool gen_inline_same(DisasContext& s, const Fields& f, unsigned opcode) {
  IRBuilder& ir = s.ir;
  const unsigned lg = f.size;
  auto binary = [&](auto fn) {
    Arg a = read_vreg_q(s, f.n), b = read_vreg_q(s, f.m);
    write_vec(s, f.d, f.q, fn(a, b));
    return true;
  };
  switch (opcode) {
    case 0x06: return binary([&](Arg a, Arg b) { return ir.vcmp(f.u ? Cond::GtU : Cond::GtS, a, b, lg); });
    case 0x07: return binary([&](Arg a, Arg b) { return ir.vcmp(f.u ? Cond::GeU : Cond::GeS, a, b, lg); });
    case 0x11: return binary([&](Arg a, Arg b) { return ir.vcmp(f.u ? Cond::Eq : Cond::TstNe, a, b, lg); });
    case 0x0c: return binary([&](Arg a, Arg b) { return f.u ? ir.vmaxu(a, b, lg) : ir.vmaxs(a, b, lg); });
    case 0x0d: return binary([&](Arg a, Arg b) { return f.u ? ir.vminu(a, b, lg) : ir.vmins(a, b, lg); });
    case 0x10: return binary([&](Arg a, Arg b) { return f.u ? ir.vsub(a, b, lg) : ir.vadd(a, b, lg); });
    case 0x13:
      if (f.u) return false;  // PMUL
      return binary([&](Arg a, Arg b) { return ir.vmul(a, b, lg); });
    case 0x14: return binary([&](Arg a, Arg b) { return pairwise(ir, Reduce::kMax, f.u, a, b, f.q, lg); });
    case 0x15: return binary([&](Arg a, Arg b) { return pairwise(ir, Reduce::kMin, f.u, a, b, f.q, lg); });
    case 0x17: return binary([&](Arg a, Arg b) { return pairwise(ir, Reduce::kAdd, false, a, b, f.q, lg); });
    case 0x12:  // MLA/MLS
      return binary([&](Arg a, Arg b) {
        Arg acc = read_vreg_q(s, f.d), p = ir.vmul(a, b, lg);
        return f.u ? ir.vsub(acc, p, lg) : ir.vadd(acc, p, lg);
      });
    default: return false;
  }
}

// Two-register misc, vector: compares with zero, ABS/NEG, XTN.
bool gen_inline_misc(DisasContext& s, const Fields& f, unsigned opcode) {
  IRBuilder& ir = s.ir;
  const unsigned lg = f.size;
  auto unary = [&](auto fn) {
    write_vec(s, f.d, f.q, fn(read_vreg_q(s, f.n), ir.vconst(0, 0)));
    return true;
  };
  switch (opcode) {
    case 0x08: return unary([&](Arg a, Arg z) { return ir.vcmp(f.u ? Cond::GeS : Cond::GtS, a, z, lg); });
    case 0x09: return unary([&](Arg a, Arg z) { return ir.vcmp(f.u ? Cond::LeS : Cond::Eq, a, z, lg); });
    case 0x0a: return unary([&](Arg a, Arg z) { return ir.vcmp(Cond::LtS, a, z, lg); });
    case 0x0b:  // NEG; ABS as max(a, -a), which keeps the most negative value as ABS does
      return unary([&](Arg a, Arg z) {
        Arg neg = ir.vsub(z, a, lg);
        return f.u ? neg : ir.vmaxs(a, neg, lg);
      });
    case 0x13:  // SHLL/SHLL2 (U = 1 by the checks): widen, then shift by the narrow lane width
      write_vreg_q(s, f.d, ir.vshli(ir.vwiden(read_vreg_q(s, f.n), lg, f.q, false), 8u << lg, lg + 1));
      return true;
    case 0x12:
      if (f.u) return false;  // SQXTUN
      write_narrow(s, f.d, f.q, ir.vnarrow(read_vreg_q(s, f.n), lg + 1));
      return true;
    default: return false;
  }
}

// Shift by immediate, vector: SHL, SSHR/USHR, SSRA/USRA, SHRN, SSHLL/USHLL (SXTL/UXTL).
bool gen_inline_shift(DisasContext& s, const Fields& f, unsigned opcode, unsigned lg, unsigned sh) {
  IRBuilder& ir = s.ir;
  switch (f.u << 5 | opcode) {
    case 0x0a: write_vec(s, f.d, f.q, ir.vshli(read_vreg_q(s, f.n), sh, lg)); return true;
    case 0x00: write_vec(s, f.d, f.q, ir.vsari(read_vreg_q(s, f.n), sh, lg)); return true;
    case 0x20: write_vec(s, f.d, f.q, ir.vshri(read_vreg_q(s, f.n), sh, lg)); return true;
    case 0x02:
    case 0x22: {
      Arg a = read_vreg_q(s, f.n);
      Arg t = f.u ? ir.vshri(a, sh, lg) : ir.vsari(a, sh, lg);
      write_vec(s, f.d, f.q, ir.vadd(read_vreg_q(s, f.d), t, lg));
      return true;
    }
    case 0x10:  // SHRN: lg is the narrow destination
      write_narrow(s, f.d, f.q, ir.vnarrow(ir.vshri(read_vreg_q(s, f.n), sh, lg + 1), lg + 1));
      return true;
    case 0x14:
    case 0x34: {  // SSHLL/USHLL: lg is the narrow source
      Arg w = ir.vwiden(read_vreg_q(s, f.n), lg, f.q, !f.u);
      write_vreg_q(s, f.d, sh ? ir.vshli(w, sh, lg + 1) : w);
      return true;
    }
    default: return false;
  }
}

}  // namespace

// 0 Q U 01110 size 1 Rm opcode 1 Rn Rd
bool trans_SA_same(DisasContext& s) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 11) & 31;
  switch (op) {
    case 0x00: case 0x02: case 0x04:  // halving
    case 0x0c: case 0x0d: case 0x0e: case 0x0f:  // max/min, absolute difference
    case 0x12: case 0x14: case 0x15:  // MLA/MLS, MAXP/MINP
      if (f.size == 3) return false;
      break;
    case 0x13:  // MUL / PMUL
      if (f.size == 3 || (f.u && f.size != 0)) return false;
      break;
    case 0x16:  // SQDMULH/SQRDMULH
      if (f.size == 0 || f.size == 3) return false;
      break;
    case 0x17:  // ADDP
      if (f.u || (f.size == 3 && !f.q)) return false;
      break;
    default:  // saturating add/sub, compares, register shifts, ADD/SUB, CMTST/CMEQ
      if (f.size == 3 && !f.q) return false;
      break;
  }
  if (gen_inline_same(s, f, op)) return true;
  Desc d;
  d.op = unsigned(f.u) << 5 | op;
  d.d = f.d, d.n = f.n, d.m = f.m, d.esz = f.size, d.q = f.q;
  return call(s, Group::kSame, d);
}

// 01 U 11110 size 1 Rm opcode 1 Rn Rd
bool trans_SA_same_scalar(DisasContext& s) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 11) & 31;
  switch (op) {
    case 0x01: case 0x05: case 0x09: case 0x0b: break;  // saturating: every size
    case 0x16:
      if (f.size == 0 || f.size == 3) return false;
      break;
    default:  // compares, SSHL/USHL/SRSHL/URSHL, ADD/SUB, CMTST/CMEQ: D only
      if (f.size != 3) return false;
      break;
  }
  Desc d;
  d.op = unsigned(f.u) << 5 | op;
  d.d = f.d, d.n = f.n, d.m = f.m, d.esz = f.size, d.scalar = true;
  return call(s, Group::kSame, d);
}

// 0 Q U 01110 size 1 Rm opcode 00 Rn Rd
bool trans_SA_diff(DisasContext& s) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 12) & 15;
  switch (op) {
    case 0x9: case 0xb: case 0xd:  // SQDMLAL/SQDMLSL/SQDMULL
      if (f.u || f.size == 0 || f.size == 3) return false;
      break;
    case 0xe:  // PMULL: 8-bit only (the 64-bit form is the crypto extension)
      if (f.u || f.size != 0) return false;
      break;
    default:
      if (f.size == 3) return false;
      break;
  }
  Desc d;
  d.op = unsigned(f.u) << 4 | op;
  d.d = f.d, d.n = f.n, d.m = f.m, d.esz = f.size, d.q = f.q, d.part = f.q;
  return call(s, Group::kDiff, d);
}

// 01 U 11110 size 1 Rm opcode 00 Rn Rd: SQDMLAL/SQDMLSL/SQDMULL
bool trans_SA_diff_scalar(DisasContext& s) {
  const Fields f = fields(s.insn);
  if (f.u || f.size == 0 || f.size == 3) return false;
  Desc d;
  d.op = (s.insn >> 12) & 15;
  d.d = f.d, d.n = f.n, d.m = f.m, d.esz = f.size, d.scalar = true;
  return call(s, Group::kDiff, d);
}

// 0 Q U 01110 size 10000 opcode 10 Rn Rd
bool trans_SA_misc(DisasContext& s) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 12) & 31;
  switch (op) {
    case 0x02: case 0x06: case 0x04:  // pairwise long add (accumulate), CLS/CLZ
    case 0x12: case 0x14:              // narrowing
      if (f.size == 3) return false;
      break;
    case 0x13:  // SHLL
      if (!f.u || f.size == 3) return false;
      break;
    case 0x0a:  // CMLT #0
      if (f.u || (f.size == 3 && !f.q)) return false;
      break;
    default:  // SUQADD/USQADD, SQABS/SQNEG, compares with zero, ABS/NEG
      if (f.size == 3 && !f.q) return false;
      break;
  }
  if (gen_inline_misc(s, f, op)) return true;
  Desc d;
  d.op = unsigned(f.u) << 5 | op;
  d.d = f.d, d.n = f.n, d.esz = f.size, d.q = f.q, d.part = f.q;
  return call(s, Group::kMisc, d);
}

// 01 U 11110 size 10000 opcode 10 Rn Rd
bool trans_SA_misc_scalar(DisasContext& s) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 12) & 31;
  switch (op) {
    case 0x03: case 0x07: break;  // SUQADD/USQADD, SQABS/SQNEG: every size
    case 0x12:                    // SQXTUN (XTN has no scalar form)
      if (!f.u || f.size == 3) return false;
      break;
    case 0x14:  // SQXTN/UQXTN
      if (f.size == 3) return false;
      break;
    case 0x0a:
      if (f.u || f.size != 3) return false;
      break;
    default:  // compares with zero, ABS/NEG: D only
      if (f.size != 3) return false;
      break;
  }
  Desc d;
  d.op = unsigned(f.u) << 5 | op;
  d.d = f.d, d.n = f.n, d.esz = f.size, d.scalar = true;
  return call(s, Group::kMisc, d);
}

// 0 Q U 01110 size 11000 opcode 10 Rn Rd
bool trans_SA_across(DisasContext& s) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 12) & 31;
  if (f.size == 3 || (f.size == 2 && !f.q)) return false;
  if (op == 0x1b && f.u) return false;  // ADDV has no unsigned form
  if (op == 0x0a || op == 0x1a || op == 0x1b) {
    const Reduce k = op == 0x1b ? Reduce::kAdd : op == 0x0a ? Reduce::kMax : Reduce::kMin;
    const unsigned lanes = (f.q ? 16u : 8u) >> f.size;
    write_vreg_scalar(s, f.d, across(s.ir, k, f.u, read_vreg_q(s, f.n), lanes, f.size));
    return true;
  }
  Desc d;
  d.op = unsigned(f.u) << 5 | op;
  d.d = f.d, d.n = f.n, d.esz = f.size, d.q = f.q;
  return call(s, Group::kAcross, d);
}

// 01 0 11110 size 11000 11011 10 Rn Rd: ADDP Dd, Vn.2D
bool trans_SA_addp_scalar(DisasContext& s) {
  const Fields f = fields(s.insn);
  if (f.size != 3) return false;
  write_vreg_scalar(s, f.d, across(s.ir, Reduce::kAdd, false, read_vreg_q(s, f.n), 2, 3));
  return true;
}

namespace {
// Shift by immediate, vector and scalar: immh:immb names the element size and the shift.
bool gen_shift_imm(DisasContext& s, bool scalar) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 11) & 31;
  const unsigned immh = (s.insn >> 19) & 15, immhb = (s.insn >> 16) & 127;
  const unsigned esz = unsigned(std::bit_width(immh)) - 1;  // immh != 0 (fixed by the rows)
  const unsigned bits = 8u << esz;
  const bool narrow = op >= 0x10 && op <= 0x13, widen = op == 0x14;
  if (narrow || widen) {
    if (esz == 3) return false;
    if (scalar && (widen || (op < 0x12 && !f.u))) return false;  // no scalar SHRN/RSHRN/SSHLL
  } else {
    if ((op == 0x08 || op == 0x0c) && !f.u) return false;  // SRI and SQSHLU have no U = 0 form
    if (scalar ? (esz != 3 && op < 0x0c) : (esz == 3 && !f.q)) return false;
  }
  Desc d;
  d.op = unsigned(f.u) << 5 | op;
  d.d = f.d, d.n = f.n, d.esz = esz, d.q = f.q, d.scalar = scalar, d.part = f.q && !scalar;
  // Right shifts (and narrowing ones) count 2 * esize - immh:immb; left shifts immh:immb - esize.
  const bool left = op == 0x0a || op == 0x0c || op == 0x0e || widen;
  d.imm = left ? immhb - bits : 2 * bits - immhb;
  if (!scalar && gen_inline_shift(s, f, op, esz, d.imm)) return true;
  return call(s, Group::kShift, d);
}
}  // namespace

// 0 Q U 011110 immh immb opcode 1 Rn Rd
bool trans_SA_shift_imm(DisasContext& s) { return gen_shift_imm(s, false); }
// 01 U 111110 immh immb opcode 1 Rn Rd
bool trans_SA_shift_imm_scalar(DisasContext& s) { return gen_shift_imm(s, true); }

namespace {
// By element, vector and scalar: 0 Q U 01111 size L M Rm opcode H 0 Rn Rd. The op becomes the
// matching three-same or three-different op with operand m broadcast from the lane.
bool gen_elem(DisasContext& s, bool scalar) {
  const Fields f = fields(s.insn);
  const unsigned op = (s.insn >> 12) & 15;
  const unsigned h = (s.insn >> 11) & 1, l = (s.insn >> 21) & 1, mbit = (s.insn >> 20) & 1;
  Desc d;
  d.d = f.d, d.n = f.n, d.esz = f.size, d.q = f.q, d.scalar = scalar, d.elem = true;
  if (f.size == 1) {
    d.idx = h << 2 | l << 1 | mbit;
    d.m = f.m & 15;
  } else if (f.size == 2) {
    d.idx = h << 1 | l;
    d.m = f.m;
  } else {
    return false;
  }
  Group g = Group::kSame;
  switch (op) {
    case 0x0: d.op = 0x12; break;  // MLA (U = 1 by the row)
    case 0x4: d.op = 0x32; break;  // MLS
    case 0x8: d.op = 0x13; break;  // MUL
    case 0xc: d.op = 0x16; break;  // SQDMULH
    case 0xd: d.op = 0x36; break;  // SQRDMULH
    default:                       // long forms: SMLAL/SMLSL/SMULL (U: unsigned), SQDML*L, SQDMULL
      g = Group::kDiff;
      switch (op) {
        case 0x2: d.op = unsigned(f.u) << 4 | 0x8; break;  // SMLAL/UMLAL
        case 0x6: d.op = unsigned(f.u) << 4 | 0xa; break;  // SMLSL/UMLSL
        case 0xa: d.op = unsigned(f.u) << 4 | 0xc; break;  // SMULL/UMULL
        case 0x3: d.op = 0x9; break;                        // SQDMLAL
        case 0x7: d.op = 0xb; break;                        // SQDMLSL
        default: d.op = 0xd; break;                         // SQDMULL
      }
      d.part = f.q && !scalar;
      break;
  }
  return call(s, g, d);
}
}  // namespace

bool trans_SA_elem(DisasContext& s) { return gen_elem(s, false); }
bool trans_SA_elem_scalar(DisasContext& s) { return gen_elem(s, true); }

}  // namespace mimic::arm
