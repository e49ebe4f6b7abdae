// Vector integer, fixed-point, mask and permutation instructions (OPIVV/OPIVX/OPIVI and
// OPMVV/OPMVX). Masked-off and tail elements are left undisturbed (what qemu 7.2 does by default;
// the spec lets agnostic elements keep their values).
#include <algorithm>
#include <limits>

#include "target/riscv/vector.h"

namespace mimic::riscv::vec {

namespace {

using U128 = unsigned __int128;
using I128 = __int128;

template <class Fn>
void each(const Insn& v, Fn fn) {
  for (unsigned i = v.vstart; i < v.vl; ++i)
    if (active(v, i)) fn(i);
}

uint64_t max_u(unsigned bits) { return trunc(~0ull, bits); }
int64_t max_s(unsigned bits) { return int64_t(max_u(bits) >> 1); }
int64_t min_s(unsigned bits) { return -max_s(bits) - 1; }

// v >> d with the rounding of vxrm (rnu, rne, rdn, rod) on the shifted-out bits.
I128 round_shift(I128 v, unsigned d, unsigned vxrm, bool is_signed) {
  if (d == 0) return v;
  U128 u = U128(v);
  bool b1 = (u >> (d - 1)) & 1, bd = (u >> d) & 1;
  bool low = d >= 2 && (u & ((U128(1) << (d - 1)) - 1)) != 0;
  unsigned r = 0;
  switch (vxrm & 3) {
    case 0: r = b1; break;
    case 1: r = b1 && (low || bd); break;
    case 2: r = 0; break;
    default: r = !bd && (b1 || low); break;
  }
  I128 q = is_signed ? (v >> d) : I128(u >> d);
  return q + r;
}

// Saturates `x` to SEW bits, setting vxsat when it had to.
uint64_t sat_s(Insn& v, I128 x, unsigned bits) {
  if (x > max_s(bits)) {
    v.c.vxsat = 1;
    return trunc(uint64_t(max_s(bits)), bits);
  }
  if (x < min_s(bits)) {
    v.c.vxsat = 1;
    return trunc(uint64_t(min_s(bits)), bits);
  }
  return trunc(uint64_t(x), bits);
}
uint64_t sat_u(Insn& v, I128 x, unsigned bits) {
  if (x > I128(max_u(bits))) {
    v.c.vxsat = 1;
    return max_u(bits);
  }
  if (x < 0) {
    v.c.vxsat = 1;
    return 0;
  }
  return uint64_t(x);
}

// The second operand of element i: vs1's element, x[rs1] or the 5-bit immediate.
enum class Src { V, X, I };
Src src_kind(const Insn& v) { return v.f3 == 0 || v.f3 == 2 ? Src::V : v.f3 == 3 ? Src::I : Src::X; }
uint64_t operand(const Insn& v, unsigned i, bool uimm = false) {
  switch (src_kind(v)) {
    case Src::V: return get(v.src, v.vs1, i, v.sew);
    case Src::X: return trunc(v.x(v.vs1), v.sew);
    default: return trunc(uimm ? v.vs1 : uint64_t(sext(v.vs1, 5)), v.sew);
  }
}

// The common legality of a SEW op writing vd from vs2 (and vs1 when it is a vector).
bool legal_sss(const Insn& v) {
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul)) return false;
  if (src_kind(v) == Src::V && !aligned(v.vs1, v.lmul)) return false;
  return v.vm || v.vd != 0;
}

// vd[i] = fn(vs2[i], op[i]) for the active elements, in a loop specialised for SEW.
template <class Fn>
uint64_t binary(Insn& v, Fn fn, bool uimm = false) {
  if (!legal_sss(v)) return kVIllegal;
  const bool vec_op = src_kind(v) == Src::V;
  const uint64_t scalar = vec_op ? 0 : operand(v, 0, uimm);
  with_width(v.sew, [&](auto t) {
    using T = decltype(t);
    for (unsigned i = v.vstart; i < v.vl; ++i) {
      if (!active(v, i)) continue;
      uint64_t b = vec_op ? ld<T>(v.src, v.vs1, i) : scalar;
      st<T>(v.c, v.vd, i, T(fn(uint64_t(ld<T>(v.src, v.vs2, i)), b)));
    }
    return 0;
  });
  return kVOk;
}

// Mask-producing compares: vd.mask[i] = fn(vs2[i], op[i]).
template <class Fn>
uint64_t compare(Insn& v, Fn fn) {
  if (!aligned(v.vs2, v.lmul) || (src_kind(v) == Src::V && !aligned(v.vs1, v.lmul))) return kVIllegal;
  if (v.vd != v.vs2 && !no_bad_overlap(v.vd, 0, v.vs2, v.lmul)) return kVIllegal;
  if (src_kind(v) == Src::V && v.vd != v.vs1 && !no_bad_overlap(v.vd, 0, v.vs1, v.lmul)) return kVIllegal;
  each(v, [&](unsigned i) { put_mask(v.c, v.vd, i, fn(get(v.src, v.vs2, i, v.sew), operand(v, i))); });
  return kVOk;
}

// Widening: vd (2*SEW) from vs2 (SEW, or 2*SEW for the .w forms) and op (SEW).
template <class Fn>
uint64_t widening(Insn& v, bool wide_vs2, Fn fn) {
  if (v.lmul >= 3 || v.sew >= 64) return kVIllegal;
  const int dl = v.lmul + 1;
  if (!aligned(v.vd, dl) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (wide_vs2 ? !aligned(v.vs2, dl) : (!aligned(v.vs2, v.lmul) || !no_bad_overlap(v.vd, dl, v.vs2, v.lmul)))
    return kVIllegal;
  if (src_kind(v) == Src::V && (!aligned(v.vs1, v.lmul) || !no_bad_overlap(v.vd, dl, v.vs1, v.lmul))) return kVIllegal;
  const unsigned w = 2 * v.sew;
  each(v, [&](unsigned i) {
    uint64_t a = get(v.src, v.vs2, i, wide_vs2 ? w : v.sew);
    put(v.c, v.vd, i, w, trunc(fn(a, operand(v, i), get(v.src, v.vd, i, w)), w));
  });
  return kVOk;
}

// Narrowing: vd (SEW) from vs2 (2*SEW) and op (SEW).
template <class Fn>
uint64_t narrowing(Insn& v, Fn fn) {
  if (v.lmul >= 3 || v.sew >= 64) return kVIllegal;
  const int sl = v.lmul + 1;
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, sl) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (v.vd != v.vs2 && !no_bad_overlap(v.vd, v.lmul, v.vs2, sl)) return kVIllegal;
  if (src_kind(v) == Src::V && !aligned(v.vs1, v.lmul)) return kVIllegal;
  each(v, [&](unsigned i) {
    put(v.c, v.vd, i, v.sew, trunc(fn(get(v.src, v.vs2, i, 2 * v.sew), operand(v, i, true)), v.sew));
  });
  return kVOk;
}

uint64_t shift_mask(const Insn& v, uint64_t b, unsigned bits) { return b & (bits - 1); }

// vadc/vsbc (vm=0: carry in v0) and vmadc/vmsbc (carry out to a mask; vm=1: no carry in).
uint64_t carry_op(Insn& v, bool sub, bool mask_out) {
  if (!mask_out) {
    if (v.vm || v.vd == 0 || !legal_sss(v)) return kVIllegal;
  } else {
    if (!aligned(v.vs2, v.lmul) || (src_kind(v) == Src::V && !aligned(v.vs1, v.lmul))) return kVIllegal;
    if (v.vd != v.vs2 && !no_bad_overlap(v.vd, 0, v.vs2, v.lmul)) return kVIllegal;
    if (src_kind(v) == Src::V && v.vd != v.vs1 && !no_bad_overlap(v.vd, 0, v.vs1, v.lmul)) return kVIllegal;
  }
  for (unsigned i = v.vstart; i < v.vl; ++i) {
    U128 a = get(v.src, v.vs2, i, v.sew), b = operand(v, i);
    unsigned cin = v.vm ? 0 : mask_bit(v.src, 0, i);
    U128 r = sub ? a - b - cin : a + b + cin;
    if (mask_out)
      put_mask(v.c, v.vd, i, (r >> v.sew) & 1);
    else
      put(v.c, v.vd, i, v.sew, trunc(uint64_t(r), v.sew));
  }
  return kVOk;
}

// vrgather.vv/.vx/.vi and vrgatherei16.vv.
uint64_t gather(Insn& v, bool ei16) {
  const int il = ei16 ? 4 - __builtin_ctz(v.sew) + v.lmul : v.lmul;  // log2(16/SEW) + LMUL
  if (il < -3 || il > 3) return kVIllegal;
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (overlap(v.vd, v.lmul, v.vs2, v.lmul)) return kVIllegal;
  if (src_kind(v) == Src::V && (!aligned(v.vs1, il) || overlap(v.vd, v.lmul, v.vs1, il))) return kVIllegal;
  each(v, [&](unsigned i) {
    uint64_t idx = src_kind(v) == Src::V   ? get(v.src, v.vs1, i, ei16 ? 16 : v.sew)
                   : src_kind(v) == Src::X ? v.x(v.vs1)
                                           : v.vs1;
    put(v.c, v.vd, i, v.sew, idx >= v.vlmax ? 0 : get(v.src, v.vs2, unsigned(idx), v.sew));
  });
  return kVOk;
}

uint64_t slide(Insn& v, bool up, uint64_t off) {
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (up && overlap(v.vd, v.lmul, v.vs2, v.lmul)) return kVIllegal;
  each(v, [&](unsigned i) {
    if (up) {
      if (i >= off) put(v.c, v.vd, i, v.sew, get(v.src, v.vs2, unsigned(i - off), v.sew));
    } else {
      uint64_t j = i + off;
      put(v.c, v.vd, i, v.sew, j < i || j >= v.vlmax ? 0 : get(v.src, v.vs2, unsigned(j), v.sew));
    }
  });
  return kVOk;
}

// vslide1up/down (and vfslide1up/down: the scalar is the FP register's SEW bits).
}  // namespace

uint64_t slide1(Insn& v, bool up, uint64_t scalar) {
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (up && overlap(v.vd, v.lmul, v.vs2, v.lmul)) return kVIllegal;
  scalar = trunc(scalar, v.sew);
  each(v, [&](unsigned i) {
    uint64_t val = up ? (i == 0 ? scalar : get(v.src, v.vs2, i - 1, v.sew))
                      : (i + 1 == v.vl ? scalar : get(v.src, v.vs2, i + 1, v.sew));
    put(v.c, v.vd, i, v.sew, val);
  });
  return kVOk;
}

namespace {

uint64_t merge(Insn& v, uint64_t scalar_or_none, bool use_scalar) {
  if (v.vm && v.vs2 != 0) return kVIllegal;
  if (!aligned(v.vd, v.lmul) || (!v.vm && (v.vd == 0 || !aligned(v.vs2, v.lmul)))) return kVIllegal;
  if (!use_scalar && src_kind(v) == Src::V && !aligned(v.vs1, v.lmul)) return kVIllegal;
  for (unsigned i = v.vstart; i < v.vl; ++i) {
    uint64_t b = use_scalar ? trunc(scalar_or_none, v.sew) : operand(v, i);
    bool take = v.vm || mask_bit(v.src, 0, i);
    put(v.c, v.vd, i, v.sew, take ? b : get(v.src, v.vs2, i, v.sew));
  }
  return kVOk;
}

// vmv<nr>r.v: whole registers, independent of vtype.
uint64_t move_whole(Insn& v) {
  unsigned nr = v.vs1 + 1;
  if ((nr != 1 && nr != 2 && nr != 4 && nr != 8) || !v.vm || v.vd % nr || v.vs2 % nr) return kVIllegal;
  unsigned eew = v.vill ? 8 : v.sew, n = nr * kVlenb * 8 / eew;
  for (unsigned i = v.vstart; i < n; ++i) put(v.c, v.vd, i, eew, get(v.src, v.vs2, i, eew));
  return kVOk;
}

// Integer reductions: vd[0] = fold(vs1[0], active vs2[i]); `wide`: vwredsum(u) into 2*SEW.
template <class Fn>
uint64_t reduce(Insn& v, bool wide, bool sign, Fn fn) {
  if (v.vstart != 0 || !aligned(v.vs2, v.lmul)) return kVIllegal;
  if (wide && v.sew >= 64) return kVIllegal;
  const unsigned w = wide ? 2 * v.sew : v.sew;
  if (v.vl == 0) return kVOk;
  uint64_t acc = get(v.src, v.vs1, 0, w);
  each(v, [&](unsigned i) {
    uint64_t e = get(v.src, v.vs2, i, v.sew);
    if (wide) e = sign ? trunc(uint64_t(sext(e, v.sew)), w) : e;
    acc = trunc(fn(acc, e, w), w);
  });
  put(v.c, v.vd, 0, w, acc);
  return kVOk;
}

uint64_t mulh(uint64_t a, uint64_t b, unsigned bits, bool sa, bool sb) {
  I128 x = sa ? I128(sext(a, bits)) : I128(a), y = sb ? I128(sext(b, bits)) : I128(b);
  return uint64_t(U128(x * y) >> bits);
}

}  // namespace

uint64_t exec_opi(Insn& v) {
  if (v.f6 == 0x27 && v.f3 == 3) return move_whole(v);
  if (v.vill) return kVIllegal;
  const unsigned s = v.sew;
  const bool vv = v.f3 == 0, vi = v.f3 == 3;
  auto ss = [s](uint64_t x) { return sext(x, s); };
  switch (v.f6) {
    case 0x00: return binary(v, [](uint64_t a, uint64_t b) { return a + b; });
    case 0x02: return vi ? kVIllegal : binary(v, [](uint64_t a, uint64_t b) { return a - b; });
    case 0x03: return vv ? kVIllegal : binary(v, [](uint64_t a, uint64_t b) { return b - a; });
    case 0x04: return vi ? kVIllegal : binary(v, [](uint64_t a, uint64_t b) { return std::min(a, b); });
    case 0x05: return vi ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b) { return ss(a) < ss(b) ? a : b; });
    case 0x06: return vi ? kVIllegal : binary(v, [](uint64_t a, uint64_t b) { return std::max(a, b); });
    case 0x07: return vi ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b) { return ss(a) > ss(b) ? a : b; });
    case 0x09: return binary(v, [](uint64_t a, uint64_t b) { return a & b; });
    case 0x0a: return binary(v, [](uint64_t a, uint64_t b) { return a | b; });
    case 0x0b: return binary(v, [](uint64_t a, uint64_t b) { return a ^ b; });
    case 0x0c: return gather(v, false);
    case 0x0e: return vv ? gather(v, true) : slide(v, true, vi ? v.vs1 : v.x(v.vs1));
    case 0x0f: return vv ? kVIllegal : slide(v, false, vi ? v.vs1 : v.x(v.vs1));
    case 0x10: return carry_op(v, false, false);
    case 0x11: return carry_op(v, false, true);
    case 0x12: return vi ? kVIllegal : carry_op(v, true, false);
    case 0x13: return vi ? kVIllegal : carry_op(v, true, true);
    case 0x17: return merge(v, 0, false);
    case 0x18: return compare(v, [](uint64_t a, uint64_t b) { return a == b; });
    case 0x19: return compare(v, [](uint64_t a, uint64_t b) { return a != b; });
    case 0x1a: return vi ? kVIllegal : compare(v, [](uint64_t a, uint64_t b) { return a < b; });
    case 0x1b: return vi ? kVIllegal : compare(v, [&](uint64_t a, uint64_t b) { return ss(a) < ss(b); });
    case 0x1c: return compare(v, [](uint64_t a, uint64_t b) { return a <= b; });
    case 0x1d: return compare(v, [&](uint64_t a, uint64_t b) { return ss(a) <= ss(b); });
    case 0x1e: return vv ? kVIllegal : compare(v, [](uint64_t a, uint64_t b) { return a > b; });
    case 0x1f: return vv ? kVIllegal : compare(v, [&](uint64_t a, uint64_t b) { return ss(a) > ss(b); });
    case 0x20: return binary(v, [&](uint64_t a, uint64_t b) { return sat_u(v, I128(a) + I128(b), s); });
    case 0x21: return binary(v, [&](uint64_t a, uint64_t b) { return sat_s(v, I128(ss(a)) + ss(b), s); });
    case 0x22:
      return vi ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b) { return sat_u(v, I128(a) - I128(b), s); });
    case 0x23:
      return vi ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b) { return sat_s(v, I128(ss(a)) - ss(b), s); });
    case 0x25:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return a << shift_mask(v, b, s); }, true);
    case 0x27:  // vsmul
      return vi ? kVIllegal : binary(v, [&](uint64_t a, uint64_t b) {
        return sat_s(v, round_shift(I128(ss(a)) * ss(b), s - 1, v.c.vxrm, true), s);
      });
    case 0x28:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return a >> shift_mask(v, b, s); }, true);
    case 0x29:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return uint64_t(ss(a) >> shift_mask(v, b, s)); }, true);
    case 0x2a:
      return binary(
          v,
          [&](uint64_t a, uint64_t b) {
            return uint64_t(round_shift(I128(a), unsigned(shift_mask(v, b, s)), v.c.vxrm, false));
          },
          true);
    case 0x2b:
      return binary(
          v,
          [&](uint64_t a, uint64_t b) {
            return uint64_t(round_shift(I128(ss(a)), unsigned(shift_mask(v, b, s)), v.c.vxrm, true));
          },
          true);
    case 0x2c: return narrowing(v, [&](uint64_t a, uint64_t b) { return a >> shift_mask(v, b, 2 * s); });
    case 0x2d:
      return narrowing(v, [&](uint64_t a, uint64_t b) { return uint64_t(sext(a, 2 * s) >> shift_mask(v, b, 2 * s)); });
    case 0x2e:
      return narrowing(v, [&](uint64_t a, uint64_t b) {
        return sat_u(v, round_shift(I128(a), unsigned(shift_mask(v, b, 2 * s)), v.c.vxrm, false), s);
      });
    case 0x2f:
      return narrowing(v, [&](uint64_t a, uint64_t b) {
        return sat_s(v, round_shift(I128(sext(a, 2 * s)), unsigned(shift_mask(v, b, 2 * s)), v.c.vxrm, true), s);
      });
    case 0x30: return vv ? reduce(v, true, false, [](uint64_t a, uint64_t e, unsigned) { return a + e; }) : kVIllegal;
    case 0x31: return vv ? reduce(v, true, true, [](uint64_t a, uint64_t e, unsigned) { return a + e; }) : kVIllegal;
    default: return kVIllegal;
  }
}

namespace {

// vzext/vsext.vf2/4/8: vd (SEW) from vs2 (SEW / factor).
uint64_t extend(Insn& v, unsigned log2f, bool sign) {
  const unsigned from = v.sew >> log2f;
  const int sl = v.lmul - int(log2f);
  if (from < 8 || sl < -3) return kVIllegal;
  if (!aligned(v.vd, v.lmul) || !aligned(v.vs2, sl) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (!no_bad_overlap(v.vd, v.lmul, v.vs2, sl)) return kVIllegal;
  each(v, [&](unsigned i) {
    uint64_t e = get(v.src, v.vs2, i, from);
    put(v.c, v.vd, i, v.sew, sign ? trunc(uint64_t(sext(e, from)), v.sew) : e);
  });
  return kVOk;
}

// vmsbf / vmsif / vmsof: the bits before (and including) the first set bit of vs2.
uint64_t set_first(Insn& v, unsigned kind) {
  if (v.vstart != 0 || v.vd == v.vs2 || !(v.vm || v.vd != 0)) return kVIllegal;
  bool seen = false;
  each(v, [&](unsigned i) {
    bool b = mask_bit(v.src, v.vs2, i);
    bool out = kind == 1 ? !seen && !b : kind == 3 ? !seen : !seen && b;  // sbf, sif, sof
    if (b) seen = true;
    put_mask(v.c, v.vd, i, out);
  });
  return kVOk;
}

uint64_t iota(Insn& v) {
  if (v.vstart != 0 || !aligned(v.vd, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
  if (overlap(v.vd, v.lmul, v.vs2, 0)) return kVIllegal;
  uint64_t n = 0;
  for (unsigned i = 0; i < v.vl; ++i) {
    if (!active(v, i)) continue;
    put(v.c, v.vd, i, v.sew, trunc(n, v.sew));
    if (mask_bit(v.src, v.vs2, i)) ++n;
  }
  return kVOk;
}

// vm=0 is a reserved encoding; qemu (7.2) runs it as vm=1, and so does mimic.
uint64_t compress(Insn& v) {
  if (v.vstart != 0 || !aligned(v.vd, v.lmul) || !aligned(v.vs2, v.lmul)) return kVIllegal;
  if (overlap(v.vd, v.lmul, v.vs2, v.lmul) || overlap(v.vd, v.lmul, v.vs1, 0)) return kVIllegal;
  unsigned k = 0;
  for (unsigned i = 0; i < v.vl; ++i)
    if (mask_bit(v.src, v.vs1, i)) put(v.c, v.vd, k++, v.sew, get(v.src, v.vs2, i, v.sew));
  return kVOk;
}

uint64_t mask_logical(Insn& v, unsigned op) {
  for (unsigned i = v.vstart; i < v.vl; ++i) {
    bool a = mask_bit(v.src, v.vs2, i), b = mask_bit(v.src, v.vs1, i), r;
    switch (op) {
      case 0: r = a && !b; break;    // vmandn
      case 1: r = a && b; break;     // vmand
      case 2: r = a || b; break;     // vmor
      case 3: r = a != b; break;     // vmxor
      case 4: r = a || !b; break;    // vmorn
      case 5: r = !(a && b); break;  // vmnand
      case 6: r = !(a || b); break;  // vmnor
      default: r = a == b; break;    // vmxnor
    }
    put_mask(v.c, v.vd, i, r);
  }
  return kVOk;
}

uint64_t div_op(uint64_t a, uint64_t b, unsigned bits, bool sign, bool rem) {
  if (!sign) {
    if (b == 0) return rem ? a : max_u(bits);
    return rem ? a % b : a / b;
  }
  int64_t x = sext(a, bits), y = sext(b, bits);
  if (y == 0) return rem ? a : max_u(bits);
  if (x == min_s(bits) && y == -1) return rem ? 0 : a;
  return uint64_t(rem ? x % y : x / y);
}

// vmadd/vnmsub/vmacc/vnmsac: vd is both a source and the destination.
template <class Fn>
uint64_t mul_add(Insn& v, Fn fn) {
  if (!legal_sss(v)) return kVIllegal;
  const bool vec_op = src_kind(v) == Src::V;
  const uint64_t scalar = vec_op ? 0 : operand(v, 0);
  with_width(v.sew, [&](auto t) {
    using T = decltype(t);
    for (unsigned i = v.vstart; i < v.vl; ++i) {
      if (!active(v, i)) continue;
      uint64_t b = vec_op ? ld<T>(v.src, v.vs1, i) : scalar;
      st<T>(v.c, v.vd, i, T(fn(uint64_t(ld<T>(v.src, v.vd, i)), b, uint64_t(ld<T>(v.src, v.vs2, i)))));
    }
    return 0;
  });
  return kVOk;
}

}  // namespace

uint64_t exec_opm(Insn& v) {
  const unsigned s = v.sew;
  const bool vv = v.f3 == 2;
  auto ss = [s](uint64_t x) { return sext(x, s); };
  if (v.vill) return kVIllegal;
  auto red = [&](auto fn) { return vv ? reduce(v, false, false, fn) : kVIllegal; };
  switch (v.f6) {
    case 0x00: return red([](uint64_t a, uint64_t e, unsigned) { return a + e; });
    case 0x01: return red([](uint64_t a, uint64_t e, unsigned) { return a & e; });
    case 0x02: return red([](uint64_t a, uint64_t e, unsigned) { return a | e; });
    case 0x03: return red([](uint64_t a, uint64_t e, unsigned) { return a ^ e; });
    case 0x04: return red([](uint64_t a, uint64_t e, unsigned) { return std::min(a, e); });
    case 0x05: return red([](uint64_t a, uint64_t e, unsigned w) { return sext(a, w) < sext(e, w) ? a : e; });
    case 0x06: return red([](uint64_t a, uint64_t e, unsigned) { return std::max(a, e); });
    case 0x07: return red([](uint64_t a, uint64_t e, unsigned w) { return sext(a, w) > sext(e, w) ? a : e; });
    case 0x08:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return uint64_t(round_shift(I128(a) + I128(b), 1, v.c.vxrm, false)); });
    case 0x09:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return uint64_t(round_shift(I128(ss(a)) + ss(b), 1, v.c.vxrm, true)); });
    case 0x0a:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return uint64_t(round_shift(I128(a) - I128(b), 1, v.c.vxrm, true)); });
    case 0x0b:
      return binary(
          v, [&](uint64_t a, uint64_t b) { return uint64_t(round_shift(I128(ss(a)) - ss(b), 1, v.c.vxrm, true)); });
    case 0x0e: return vv ? kVIllegal : slide1(v, true, v.x(v.vs1));
    case 0x0f: return vv ? kVIllegal : slide1(v, false, v.x(v.vs1));
    case 0x10:
      if (!vv) {  // vmv.s.x
        if (v.vs2 != 0 || !v.vm) return kVIllegal;
        if (v.vl > 0 && v.vstart < v.vl) put(v.c, v.vd, 0, s, trunc(v.x(v.vs1), s));
        return kVOk;
      }
      if (v.vs1 == 0) {  // vmv.x.s
        if (!v.vm) return kVIllegal;
        if (v.vd) v.c.x[v.vd] = uint64_t(ss(get(v.src, v.vs2, 0, s)));
        return kVOk;
      }
      if (v.vs1 == 16 || v.vs1 == 17) {  // vcpop.m, vfirst.m
        if (v.vstart != 0) return kVIllegal;
        int64_t first = -1, count = 0;
        each(v, [&](unsigned i) {
          if (mask_bit(v.src, v.vs2, i)) {
            if (first < 0) first = i;
            ++count;
          }
        });
        if (v.vd) v.c.x[v.vd] = uint64_t(v.vs1 == 16 ? count : first);
        return kVOk;
      }
      return kVIllegal;
    case 0x12:
      if (!vv || v.vs1 < 2 || v.vs1 > 7) return kVIllegal;
      return extend(v, 4 - (v.vs1 >> 1), v.vs1 & 1);
    case 0x14:
      if (!vv) return kVIllegal;
      if (v.vs1 == 1 || v.vs1 == 2 || v.vs1 == 3) return set_first(v, v.vs1);
      if (v.vs1 == 16) return iota(v);
      if (v.vs1 == 17) {  // vid.v
        if (v.vs2 != 0 || !aligned(v.vd, v.lmul) || !(v.vm || v.vd != 0)) return kVIllegal;
        each(v, [&](unsigned i) { put(v.c, v.vd, i, s, trunc(i, s)); });
        return kVOk;
      }
      return kVIllegal;
    case 0x17: return vv ? compress(v) : kVIllegal;
    case 0x18:
    case 0x19:
    case 0x1a:
    case 0x1b:
    case 0x1c:
    case 0x1d:
    case 0x1e:
    case 0x1f: return vv ? mask_logical(v, v.f6 - 0x18) : kVIllegal;
    case 0x20: return binary(v, [&](uint64_t a, uint64_t b) { return div_op(a, b, s, false, false); });
    case 0x21: return binary(v, [&](uint64_t a, uint64_t b) { return div_op(a, b, s, true, false); });
    case 0x22: return binary(v, [&](uint64_t a, uint64_t b) { return div_op(a, b, s, false, true); });
    case 0x23: return binary(v, [&](uint64_t a, uint64_t b) { return div_op(a, b, s, true, true); });
    case 0x24: return binary(v, [&](uint64_t a, uint64_t b) { return mulh(a, b, s, false, false); });
    case 0x25: return binary(v, [](uint64_t a, uint64_t b) { return a * b; });
    case 0x26: return binary(v, [&](uint64_t a, uint64_t b) { return mulh(a, b, s, true, false); });
    case 0x27: return binary(v, [&](uint64_t a, uint64_t b) { return mulh(a, b, s, true, true); });
    case 0x29: return mul_add(v, [](uint64_t d, uint64_t b, uint64_t a) { return b * d + a; });
    case 0x2b: return mul_add(v, [](uint64_t d, uint64_t b, uint64_t a) { return a - b * d; });
    case 0x2d: return mul_add(v, [](uint64_t d, uint64_t b, uint64_t a) { return b * a + d; });
    case 0x2f: return mul_add(v, [](uint64_t d, uint64_t b, uint64_t a) { return d - b * a; });
    case 0x30: return widening(v, false, [](uint64_t a, uint64_t b, uint64_t) { return a + b; });
    case 0x31: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(ss(a) + ss(b)); });
    case 0x32: return widening(v, false, [](uint64_t a, uint64_t b, uint64_t) { return a - b; });
    case 0x33: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(ss(a) - ss(b)); });
    case 0x34: return widening(v, true, [](uint64_t a, uint64_t b, uint64_t) { return a + b; });
    case 0x35:
      return widening(v, true, [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(sext(a, 2 * s) + ss(b)); });
    case 0x36: return widening(v, true, [](uint64_t a, uint64_t b, uint64_t) { return a - b; });
    case 0x37:
      return widening(v, true, [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(sext(a, 2 * s) - ss(b)); });
    case 0x38: return widening(v, false, [](uint64_t a, uint64_t b, uint64_t) { return a * b; });
    case 0x3a:
      return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(ss(a) * int64_t(b)); });
    case 0x3b: return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t) { return uint64_t(ss(a) * ss(b)); });
    case 0x3c: return widening(v, false, [](uint64_t a, uint64_t b, uint64_t d) { return d + a * b; });
    case 0x3d:
      return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d + uint64_t(ss(a) * ss(b)); });
    case 0x3e:
      if (vv) return kVIllegal;
      return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d + uint64_t(ss(a) * int64_t(b)); });
    case 0x3f:
      return widening(v, false, [&](uint64_t a, uint64_t b, uint64_t d) { return d + uint64_t(int64_t(a) * ss(b)); });
    default: return kVIllegal;
  }
}

}  // namespace mimic::riscv::vec
