// AdvSIMD copies (DUP element/general, INS element/general, UMOV/SMOV, scalar DUP), modified
// immediates (MOVI/MVNI/ORR/BIC/FMOV vector) and three-same logical ops, all as inline IR: they are
// on the hot paths of memcpy/memset/strlen. 128-bit results use V128 ops; 64-bit (Q = 0) results
// are computed on the low halves as i64 and written with the high half zeroed.
#include "target/arm/trans_simd_move.h"

#include "target/arm/simd.h"

namespace mimic::arm {

namespace {

// imm5 of the copy group: the element size is its lowest set bit, the index the bits above it.
// Returns false for x0000 (reserved).
bool decode_imm5(uint32_t imm5, unsigned& esize_log2, unsigned& index) {
  if ((imm5 & 15) == 0) return false;
  esize_log2 = unsigned(__builtin_ctz(imm5));
  index = imm5 >> (esize_log2 + 1);
  return true;
}

// Lane `index` of V[r] as an i64, zero-extended.
Arg get_lane(DisasContext& s, unsigned r, unsigned index, unsigned esize_log2) {
  const unsigned bit = index << (esize_log2 + 3);
  Arg half = s.ir.get_state(Type::I64, vreg_offset(r) + (bit >> 6) * 8);
  return esize_log2 == 3 ? half : s.ir.extract(half, bit & 63, 8u << esize_log2);
}
// Replaces lane `index` of V[r] with the low bits of an i64 (other lanes unchanged).
void set_lane(DisasContext& s, unsigned r, unsigned index, unsigned esize_log2, Arg v64) {
  const unsigned bit = index << (esize_log2 + 3);
  const uint32_t off = vreg_offset(r) + (bit >> 6) * 8;
  if (esize_log2 == 3)
    s.ir.set_state(off, v64);
  else
    s.ir.set_state(off, s.ir.deposit(s.ir.get_state(Type::I64, off), v64, bit & 63, 8u << esize_log2));
}

// A value (element in the low bits, upper bits zero) replicated to all lanes of V[d]: Q = 1 as a
// VDup, Q = 0 as one i64 multiply.
void write_dup(DisasContext& s, bool Q, unsigned d, Arg v64, unsigned esize_log2) {
  static constexpr uint64_t kOnes[] = {0x0101010101010101, 0x0001000100010001, 0x0000000100000001, 1};
  if (Q)
    write_vreg_q(s, d, s.ir.vdup(v64, esize_log2));
  else
    write_vreg_d(s, d, esize_log2 == 3 ? v64 : s.ir.mul(v64, imm64(kOnes[esize_log2])));
}

uint64_t replicate(uint64_t v, unsigned bits) {
  for (unsigned b = bits; b < 64; b *= 2) v |= v << b;
  return v;
}

// AdvSIMDExpandImm: the 64-bit pattern (the same in both halves).
uint64_t expand_imm(bool op, uint32_t cmode, uint8_t imm8) {
  const uint64_t i = imm8;
  switch (cmode >> 1) {
    case 0: return replicate(i, 32);
    case 1: return replicate(i << 8, 32);
    case 2: return replicate(i << 16, 32);
    case 3: return replicate(i << 24, 32);
    case 4: return replicate(i, 16);
    case 5: return replicate(i << 8, 16);
    case 6: return replicate((cmode & 1) ? (i << 16 | 0xffff) : (i << 8 | 0xff), 32);
    default:
      if (!(cmode & 1)) {
        if (!op) return replicate(i, 8);
        uint64_t mask = 0;
        for (unsigned b = 0; b < 8; ++b)
          if ((imm8 >> b) & 1) mask |= 0xffull << (8 * b);
        return mask;
      }
      if (!op) {  // FMOV single: a:NOT(b):bbbbb:cdefgh:Zeros(19)
        const uint64_t b = (i >> 6) & 1;
        const uint64_t f = (i >> 7) << 31 | (b ^ 1) << 30 | (b ? 0x1full << 25 : 0) | (i & 0x3f) << 19;
        return replicate(f, 32);
      }
      {  // FMOV double: a:NOT(b):bbbbbbbb:cdefgh:Zeros(48)
        const uint64_t b = (i >> 6) & 1;
        return (i >> 7) << 63 | (b ^ 1) << 62 | (b ? 0xffull << 54 : 0) | (i & 0x3f) << 48;
      }
  }
}

}  // namespace

bool trans_SIMD_DUP_elem(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!decode_imm5(imm5, esize, index) || (esize == 3 && !Q)) return false;
  write_dup(s, Q, d, get_lane(s, n, index, esize), esize);
  return true;
}

bool trans_SIMD_DUP_gen(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!decode_imm5(imm5, esize, index) || (esize == 3 && !Q)) return false;
  Arg x = read_x(s, n);
  write_dup(s, Q, d, esize == 3 ? x : s.ir.zext(x, 8u << esize), esize);
  return true;
}

bool trans_SIMD_INS_gen(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!Q || !decode_imm5(imm5, esize, index)) return false;
  set_lane(s, d, index, esize, read_x(s, n));
  return true;
}

bool trans_SIMD_INS_elem(DisasContext& s, bool Q, uint32_t imm5, uint32_t imm4, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!Q || !decode_imm5(imm5, esize, index)) return false;
  set_lane(s, d, index, esize, get_lane(s, n, imm4 >> esize, esize));
  return true;
}

bool trans_SIMD_SMOV(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!decode_imm5(imm5, esize, index) || esize >= 2 + unsigned(Q)) return false;
  const unsigned bits = 8u << esize;
  Arg half = s.ir.get_state(Type::I64, vreg_offset(n) + ((index * bits) >> 6) * 8);
  Arg v = s.ir.sextract(half, (index * bits) & 63, bits);
  write_x(s, d, Q ? v : s.ir.trunc64_to_32(v));  // the W form zeroes bits 63:32
  return true;
}

bool trans_SIMD_UMOV(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!decode_imm5(imm5, esize, index) || (Q ? esize != 3 : esize == 3)) return false;
  write_x(s, d, get_lane(s, n, index, esize));
  return true;
}

bool trans_SIMD_DUP_scalar(DisasContext& s, uint32_t imm5, uint32_t n, uint32_t d) {
  unsigned esize, index;
  if (!decode_imm5(imm5, esize, index)) return false;
  write_vreg_d(s, d, get_lane(s, n, index, esize));
  return true;
}

bool trans_SIMD_MODIMM(DisasContext& s, bool Q, bool op, uint32_t abc, uint32_t cmode, uint32_t defgh, uint32_t d) {
  if (op && cmode == 15 && !Q) return false;  // FMOV (double) has no 64-bit vector form
  const uint64_t imm = expand_imm(op, cmode, uint8_t(abc << 5 | defgh));
  // ORR/BIC (immediate): cmode 0xx1 and 10x1; everything else writes the (inverted for MVNI) value.
  const bool logical = (cmode & 1) && cmode < 12;
  if (!logical) {
    const bool mvni = op && cmode < 14;
    const uint64_t v = mvni ? ~imm : imm;
    if (Q)
      write_vreg_q(s, d, s.ir.vconst(v, v));
    else
      write_vreg_d(s, d, imm64(v));
    return true;
  }
  if (Q) {
    Arg c = s.ir.vconst(imm, imm), x = read_vreg_q(s, d);
    write_vreg_q(s, d, op ? s.ir.vandc(x, c) : s.ir.vor(x, c));
  } else {
    Arg x = read_vreg_lo(s, d, Type::I64);
    write_vreg_d(s, d, op ? s.ir.and_(x, imm64(~imm)) : s.ir.or_(x, imm64(imm)));
  }
  return true;
}

bool trans_SIMD_LOGIC(DisasContext& s, bool Q, bool U, uint32_t size, uint32_t m, uint32_t n, uint32_t d) {
  IRBuilder& ir = s.ir;
  const unsigned op = unsigned(U) << 2 | size;
  Arg a = read_vreg_q(s, n), b = read_vreg_q(s, m), r;
  switch (op) {
    case 0: r = ir.vand(a, b); break;
    case 1: r = ir.vandc(a, b); break;
    case 2: r = n == m ? a : ir.vor(a, b); break;  // MOV (vector)
    case 3: r = ir.vor(a, ir.vxor(b, ir.vconst(~0ull, ~0ull))); break;
    case 4: r = ir.vxor(a, b); break;
    case 5: r = ir.vxor(b, ir.vand(ir.vxor(a, b), read_vreg_q(s, d))); break;  // BSL: d ? n : m
    case 6: {                                                                  // BIT: m ? n : d
      Arg x = read_vreg_q(s, d);
      r = ir.vxor(x, ir.vand(ir.vxor(x, a), b));
      break;
    }
    default: {  // BIF: m ? d : n
      Arg x = read_vreg_q(s, d);
      r = ir.vxor(x, ir.vandc(ir.vxor(x, a), b));
      break;
    }
  }
  write_vec(s, d, Q, r);
  return true;
}

}  // namespace mimic::arm
