// AdvSIMD integer arithmetic helpers (see helpers_simd_arith.h). Every lane is computed exactly in
// 128-bit arithmetic (sign- or zero-extended from its element), then saturated (setting QC) or
// truncated to the destination element, which keeps each instruction a few lines of the Arm ARM's
// pseudocode. The hot vector forms are translated inline instead (trans_simd_arith.cpp).
#include "target/arm/helpers_simd_arith.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "target/arm/simd.h"

namespace mimic::arm::simd_arith {

namespace {

using I128 = __int128;

struct Vec {
  uint8_t b[16];
};
Vec vload(const A64Cpu* c, unsigned r) {
  Vec v;
  std::memcpy(v.b, &c->v[r], 16);
  return v;
}
// Writes the low `bytes` of r to Vd and zeroes the rest.
void vstore(A64Cpu* c, unsigned d, const Vec& r, unsigned bytes) {
  VReg out{};
  std::memcpy(&out, r.b, bytes);
  c->v[d] = out;
}

unsigned bits_of(unsigned esz) { return 8u << esz; }
uint64_t raw(const Vec& v, unsigned esz, unsigned i) {
  uint64_t x = 0;
  std::memcpy(&x, v.b + (i << esz), 1u << esz);
  return x;
}
I128 sx(uint64_t x, unsigned esz) {
  const unsigned s = 64 - bits_of(esz);
  return I128(int64_t(x << s) >> s);
}
I128 get(const Vec& v, unsigned esz, unsigned i, bool sgn) {
  const uint64_t x = raw(v, esz, i);
  return sgn ? sx(x, esz) : I128(x);
}
void put(Vec& v, unsigned esz, unsigned i, I128 x) {
  const uint64_t y = uint64_t(x);
  std::memcpy(v.b + (i << esz), &y, 1u << esz);
}
Vec dup_lane(const Vec& v, unsigned esz, unsigned idx) {
  Vec r;
  const uint64_t x = raw(v, esz, idx);
  for (unsigned i = 0; i < (16u >> esz); ++i) put(r, esz, i, x);
  return r;
}

I128 smax(unsigned esz) { return (I128(1) << (bits_of(esz) - 1)) - 1; }
I128 smin(unsigned esz) { return -(I128(1) << (bits_of(esz) - 1)); }
I128 umax(unsigned esz) { return (I128(1) << bits_of(esz)) - 1; }

// Saturation with the sticky QC flag.
struct Sat {
  bool qc = false;
  I128 clamp(I128 x, I128 lo, I128 hi) {
    if (x < lo) return qc = true, lo;
    if (x > hi) return qc = true, hi;
    return x;
  }
  I128 s(I128 x, unsigned esz) { return clamp(x, smin(esz), smax(esz)); }
  I128 u(I128 x, unsigned esz) { return clamp(x, 0, umax(esz)); }
  I128 to(I128 x, unsigned esz, bool sgn) { return sgn ? s(x, esz) : u(x, esz); }
  void commit(A64Cpu* c) const {
    if (qc) c->fpsr |= kFpsrQc;
  }
};

// (a + round) >> sh exactly, for any sh >= 0 (past the width the result is 0 or -1 without rounding
// and 0 with it, which clamping sh to bits + 1 preserves for |a| <= 2^bits).
I128 shr_exact(I128 a, unsigned sh, bool round, unsigned bits) {
  if (sh == 0) return a;
  sh = std::min(sh, bits + 1);
  return (a + (round ? I128(1) << (sh - 1) : 0)) >> sh;
}
// a << sh exactly when that fits; otherwise a value of the same sign far out of every element's
// range (only used where the result is then saturated).
I128 shl_sat(I128 a, unsigned sh, unsigned bits) {
  if (a == 0) return 0;
  const I128 big = I128(1) << 120;
  if (sh >= bits) return a > 0 ? big : -big;
  const I128 lim = I128(1) << (126 - sh);
  if (a >= lim || a < -lim) return a > 0 ? big : -big;
  return a * (I128(1) << sh);
}
// Register shift (SSHL family): the shift is the signed low byte of the m element.
I128 shift_reg(I128 a, uint64_t ra, int sh, bool round, bool saturating, unsigned bits) {
  if (sh < 0) return shr_exact(a, unsigned(-sh), round, bits);
  if (saturating) return shl_sat(a, unsigned(sh), bits);
  return unsigned(sh) >= bits ? 0 : I128(ra << sh);  // truncated to the element by put()
}

uint64_t pmul8(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i)
    if ((b >> i) & 1) r ^= a << i;
  return r;
}
unsigned clz_bits(uint64_t x, unsigned bits) { return x ? unsigned(std::countl_zero(x)) - (64 - bits) : bits; }
I128 abs128(I128 x) { return x < 0 ? -x : x; }

// ---- three same ----
I128 same_lane(unsigned op, unsigned esz, uint64_t ra, uint64_t rb, uint64_t rd, Sat& st) {
  const bool u = op & 0x20, sg = !u;
  const unsigned bits = bits_of(esz);
  const I128 a = sg ? sx(ra, esz) : I128(ra), b = sg ? sx(rb, esz) : I128(rb);
  const I128 acc = sg ? sx(rd, esz) : I128(rd);
  switch (op & 0x1f) {
    case 0x00: return (a + b) >> 1;      // SHADD/UHADD
    case 0x01: return st.to(a + b, esz, sg);  // SQADD/UQADD
    case 0x02: return (a + b + 1) >> 1;  // SRHADD/URHADD
    case 0x04: return (a - b) >> 1;      // SHSUB/UHSUB
    case 0x05: return st.to(a - b, esz, sg);  // SQSUB/UQSUB
    case 0x06: return a > b ? -1 : 0;    // CMGT/CMHI
    case 0x07: return a >= b ? -1 : 0;   // CMGE/CMHS
    case 0x08:                           // SSHL/USHL
    case 0x0a:                           // SRSHL/URSHL
      return shift_reg(a, ra, int8_t(rb), op & 2, false, bits);
    case 0x09:  // SQSHL/UQSHL
    case 0x0b:  // SQRSHL/UQRSHL
      return st.to(shift_reg(a, ra, int8_t(rb), op & 2, true, bits), esz, sg);
    case 0x0c: return std::max(a, b);          // SMAX/UMAX
    case 0x0d: return std::min(a, b);          // SMIN/UMIN
    case 0x0e: return abs128(a - b);           // SABD/UABD
    case 0x0f: return acc + abs128(a - b);     // SABA/UABA
    case 0x10: return u ? a - b : a + b;       // ADD/SUB
    case 0x11: return (u ? ra == rb : (ra & rb) != 0) ? -1 : 0;  // CMTST/CMEQ
    case 0x12: return u ? acc - a * b : acc + a * b;            // MLA/MLS
    case 0x13: return u ? I128(pmul8(ra, rb)) : a * b;          // MUL/PMUL
    case 0x14: return std::max(a, b);                           // SMAXP/UMAXP (per pair)
    case 0x15: return std::min(a, b);                           // SMINP/UMINP
    case 0x16: {  // SQDMULH/SQRDMULH: signed whatever U says (U selects rounding)
      const I128 p = 2 * sx(ra, esz) * sx(rb, esz) + (u ? I128(1) << (bits - 1) : 0);
      return st.s(p >> bits, esz);
    }
    case 0x17: return a + b;  // ADDP (per pair)
    default: return 0;
  }
}

uint64_t h_same(tcg::CpuBase* env, uint64_t desc, uint64_t, uint64_t, uint64_t, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const Desc d = Desc::unpack(desc);
  const Vec n = vload(c, d.n), acc = vload(c, d.d);
  const Vec m = d.elem ? dup_lane(vload(c, d.m), d.esz, d.idx) : vload(c, d.m);
  const unsigned bytes = d.scalar ? 1u << d.esz : d.q ? 16 : 8, lanes = bytes >> d.esz;
  const unsigned o = d.op & 0x1f;
  Vec r{};
  Sat st;
  if (o == 0x14 || o == 0x15 || o == 0x17) {  // pairwise over the concatenation m:n
    for (unsigned i = 0; i < lanes; ++i) {
      const Vec& src = 2 * i < lanes ? n : m;
      const unsigned j = (2 * i) % lanes;
      put(r, d.esz, i, same_lane(d.op, d.esz, raw(src, d.esz, j), raw(src, d.esz, j + 1), 0, st));
    }
  } else {
    for (unsigned i = 0; i < lanes; ++i)
      put(r, d.esz, i, same_lane(d.op, d.esz, raw(n, d.esz, i), raw(m, d.esz, i), raw(acc, d.esz, i), st));
  }
  vstore(c, d.d, r, bytes);
  st.commit(c);
  return 0;
}

// ---- three different (esz: the narrow element) ----
uint64_t h_diff(tcg::CpuBase* env, uint64_t desc, uint64_t, uint64_t, uint64_t, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const Desc d = Desc::unpack(desc);
  const Vec n = vload(c, d.n), acc = vload(c, d.d);
  const Vec m = d.elem ? dup_lane(vload(c, d.m), d.esz, d.idx) : vload(c, d.m);
  const unsigned e = d.esz, w = e + 1, bits = bits_of(e);
  const unsigned lanes = d.scalar ? 1 : 8u >> e;  // results
  const unsigned base = d.part ? lanes : 0;       // first narrow lane read or written
  const bool u = d.op & 0x10, sg = !u;
  Vec r{};
  Sat st;
  const unsigned o = d.op & 0xf;
  if (o == 4 || o == 6) {  // ADDHN/RADDHN/SUBHN/RSUBHN: wide sources, narrow result
    if (d.part) std::memcpy(r.b, acc.b, 8);
    for (unsigned i = 0; i < lanes; ++i) {
      const I128 a = get(n, w, i, false), b = get(m, w, i, false);
      const I128 x = (o == 4 ? a + b : a - b) + (u ? I128(1) << (bits - 1) : 0);
      put(r, e, base + i, x >> bits);
    }
    vstore(c, d.d, r, d.part ? 16 : 8);
    return 0;
  }
  for (unsigned i = 0; i < lanes; ++i) {
    const bool wide_n = o == 1 || o == 3;  // SADDW/SSUBW...: n is already wide
    const I128 a = wide_n ? get(n, w, i, sg) : get(n, e, base + i, sg);
    const I128 b = get(m, e, base + i, sg);
    const I128 x = get(acc, w, i, sg);
    I128 v = 0;
    switch (o) {
      case 0x0: case 0x1: v = a + b; break;     // xADDL, xADDW
      case 0x2: case 0x3: v = a - b; break;     // xSUBL, xSUBW
      case 0x5: v = x + abs128(a - b); break;   // xABAL
      case 0x7: v = abs128(a - b); break;       // xABDL
      case 0x8: v = x + a * b; break;           // xMLAL
      case 0xa: v = x - a * b; break;           // xMLSL
      case 0xc: v = a * b; break;               // xMULL
      case 0x9: case 0xb: case 0xd: {           // SQDMLAL/SQDMLSL/SQDMULL
        const I128 p = st.s(2 * a * b, w);
        v = o == 0xd ? p : st.s(o == 0x9 ? x + p : x - p, w);
        break;
      }
      case 0xe: {  // PMULL (8-bit lanes to 16)
        uint64_t pr = 0;
        for (int k = 0; k < 8; ++k)
          if ((uint64_t(b) >> k) & 1) pr ^= (uint64_t(a) & 0xff) << k;
        v = pr;
        break;
      }
      default: break;
    }
    put(r, w, i, v);
  }
  vstore(c, d.d, r, d.scalar ? 2u << e : 16);
  st.commit(c);
  return 0;
}

// ---- two-register misc ----
uint64_t h_misc(tcg::CpuBase* env, uint64_t desc, uint64_t, uint64_t, uint64_t, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const Desc d = Desc::unpack(desc);
  const Vec n = vload(c, d.n), acc = vload(c, d.d);
  const unsigned e = d.esz, bits = bits_of(e);
  const unsigned bytes = d.scalar ? 1u << e : d.q ? 16 : 8, lanes = bytes >> e;
  const bool u = d.op & 0x20, sg = !u;
  Vec r{};
  Sat st;
  switch (d.op & 0x1f) {
    case 0x02:    // SADDLP/UADDLP
    case 0x06: {  // SADALP/UADALP
      for (unsigned i = 0; i < lanes / 2; ++i) {
        I128 v = get(n, e, 2 * i, sg) + get(n, e, 2 * i + 1, sg);
        if (d.op & 4) v += get(acc, e + 1, i, sg);
        put(r, e + 1, i, v);
      }
      break;
    }
    case 0x12:    // XTN/SQXTUN (scalar: SQXTUN only)
    case 0x14: {  // SQXTN/UQXTN
      const unsigned nl = d.scalar ? 1 : 8u >> e, base = d.part ? nl : 0;
      if (d.part) std::memcpy(r.b, acc.b, 8);
      const bool xtn = (d.op & 0x3f) == 0x12;
      for (unsigned i = 0; i < nl; ++i) {
        const I128 a = get(n, e + 1, i, (d.op & 0x1f) == 0x12 || sg);
        put(r, e, base + i, xtn ? a : (d.op & 0x1f) == 0x12 ? st.u(a, e) : st.to(a, e, sg));
      }
      vstore(c, d.d, r, d.scalar ? 1u << e : d.part ? 16 : 8);
      st.commit(c);
      return 0;
    }
    case 0x13: {  // SHLL/SHLL2
      const unsigned nl = 8u >> e, base = d.part ? nl : 0;
      for (unsigned i = 0; i < nl; ++i) put(r, e + 1, i, get(n, e, base + i, false) << bits);
      vstore(c, d.d, r, 16);
      return 0;
    }
    default:
      for (unsigned i = 0; i < lanes; ++i) {
        const uint64_t ra = raw(n, e, i);
        const I128 a = sx(ra, e);  // signed view (the unsigned ones use ra)
        I128 v = 0;
        switch (d.op) {
          case 0x03: v = st.s(sx(raw(acc, e, i), e) + I128(ra), e); break;        // SUQADD
          case 0x23: v = st.u(I128(raw(acc, e, i)) + a, e); break;                // USQADD
          case 0x04: {                                                             // CLS
            const uint64_t y = (ra ^ (ra >> 1)) & ((uint64_t(1) << (bits - 1)) - 1);
            v = clz_bits(y, bits) - 1;
            break;
          }
          case 0x24: v = clz_bits(ra, bits); break;  // CLZ
          case 0x07: v = st.s(abs128(a), e); break;  // SQABS
          case 0x27: v = st.s(-a, e); break;         // SQNEG
          case 0x08: v = a > 0 ? -1 : 0; break;      // CMGT #0
          case 0x28: v = a >= 0 ? -1 : 0; break;     // CMGE #0
          case 0x09: v = a == 0 ? -1 : 0; break;     // CMEQ #0
          case 0x29: v = a <= 0 ? -1 : 0; break;     // CMLE #0
          case 0x0a: v = a < 0 ? -1 : 0; break;      // CMLT #0
          case 0x0b: v = abs128(a); break;           // ABS
          case 0x2b: v = -a; break;                  // NEG
          default: break;
        }
        put(r, e, i, v);
      }
      break;
  }
  vstore(c, d.d, r, bytes);
  st.commit(c);
  return 0;
}

// ---- across lanes: SADDLV/UADDLV (ADDV, MAXV and MINV are inline vector IR) ----
uint64_t h_across(tcg::CpuBase* env, uint64_t desc, uint64_t, uint64_t, uint64_t, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const Desc d = Desc::unpack(desc);
  const Vec n = vload(c, d.n);
  const unsigned e = d.esz, lanes = (d.q ? 16u : 8u) >> e;
  const bool sg = !(d.op & 0x20);
  I128 v = 0;
  for (unsigned i = 0; i < lanes; ++i) v += get(n, e, i, sg);
  Vec r{};
  put(r, e + 1, 0, v);
  vstore(c, d.d, r, 2u << e);
  return 0;
}

// ---- shift by immediate (imm: the shift amount; esz: the named element, see Desc) ----
uint64_t h_shift(tcg::CpuBase* env, uint64_t desc, uint64_t, uint64_t, uint64_t, uint64_t) {
  A64Cpu* c = a64_cpu(env);
  const Desc d = Desc::unpack(desc);
  const Vec n = vload(c, d.n), acc = vload(c, d.d);
  const unsigned e = d.esz, bits = bits_of(e), sh = d.imm;
  const bool u = d.op & 0x20, sg = !u;
  Vec r{};
  Sat st;
  const unsigned o = d.op & 0x1f;
  if (o >= 0x10 && o <= 0x13) {  // narrowing right shifts: source lanes of 2 * esize
    const unsigned nl = d.scalar ? 1 : 8u >> e, base = d.part ? nl : 0;
    if (d.part) std::memcpy(r.b, acc.b, 8);
    const bool round = o & 1;
    for (unsigned i = 0; i < nl; ++i) {
      // SHRN/RSHRN truncate; SQSHRUN/SQRSHRUN take signed sources to an unsigned result.
      const bool src_signed = o < 0x12 ? u : sg;
      const I128 v = shr_exact(get(n, e + 1, i, src_signed), sh, round, 2 * bits);
      put(r, e, base + i, o < 0x12 ? (u ? st.u(v, e) : v) : st.to(v, e, sg));
    }
    vstore(c, d.d, r, d.scalar ? 1u << e : d.part ? 16 : 8);
    st.commit(c);
    return 0;
  }
  if (o == 0x14) {  // SSHLL/USHLL (esz: the source element)
    const unsigned nl = 8u >> e, base = d.part ? nl : 0;
    for (unsigned i = 0; i < nl; ++i) put(r, e + 1, i, get(n, e, base + i, sg) * (I128(1) << sh));
    vstore(c, d.d, r, 16);
    return 0;
  }
  const unsigned bytes = d.scalar ? 1u << e : d.q ? 16 : 8, lanes = bytes >> e;
  const uint64_t ones = uint64_t(umax(e));
  for (unsigned i = 0; i < lanes; ++i) {
    const uint64_t ra = raw(n, e, i), rd = raw(acc, e, i);
    const I128 a = sg ? sx(ra, e) : I128(ra);
    I128 v = 0;
    switch (d.op) {
      case 0x00: case 0x20: v = shr_exact(a, sh, false, bits); break;                       // SSHR/USHR
      case 0x02: case 0x22: v = I128(rd) + shr_exact(a, sh, false, bits); break;            // SSRA/USRA
      case 0x04: case 0x24: v = shr_exact(a, sh, true, bits); break;                        // SRSHR/URSHR
      case 0x06: case 0x26: v = I128(rd) + shr_exact(a, sh, true, bits); break;             // SRSRA/URSRA
      case 0x28: {                                                                          // SRI
        const uint64_t mask = sh >= bits ? 0 : ones >> sh;
        v = (rd & ~mask) | (sh >= bits ? 0 : (ra >> sh) & mask);
        break;
      }
      case 0x0a: v = I128(ra << sh); break;  // SHL
      case 0x2a: {                           // SLI
        const uint64_t mask = (ones << sh) & ones;
        v = (rd & ~mask) | ((ra << sh) & mask);
        break;
      }
      case 0x2c: v = st.u(shl_sat(sx(ra, e), sh, bits), e); break;  // SQSHLU
      case 0x0e: case 0x2e: v = st.to(shl_sat(a, sh, bits), e, sg); break;  // SQSHL/UQSHL
      default: break;
    }
    put(r, e, i, v);
  }
  vstore(c, d.d, r, bytes);
  st.commit(c);
  return 0;
}

}  // namespace

uint32_t helper_id(Group g) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(Group::kCount)> ids{};
    const uint32_t f = tcg::HelperFlag::kReadsState | tcg::HelperFlag::kWritesState;
    ids[size_t(Group::kSame)] = tcg::register_helper("a64_simd_same", h_same, f);
    ids[size_t(Group::kDiff)] = tcg::register_helper("a64_simd_diff", h_diff, f);
    ids[size_t(Group::kMisc)] = tcg::register_helper("a64_simd_misc", h_misc, f);
    ids[size_t(Group::kAcross)] = tcg::register_helper("a64_simd_across", h_across, f);
    ids[size_t(Group::kShift)] = tcg::register_helper("a64_simd_shift", h_shift, f);
    return ids;
  }();
  return ids[size_t(g)];
}

}  // namespace mimic::arm::simd_arith
