// AdvSIMD table lookups (TBL/TBX), permutes (ZIP/UZP/TRN), EXT and the two-register-misc forms
// REV16/REV32/REV64, CNT, NOT and RBIT.
//
// EXT and the misc forms are inline on the 64-bit halves (funnel shifts, byte swaps and SWAR bit
// tricks: a few ALU ops per half); permutes of word and doubleword lanes are inline; TBL/TBX and
// the byte/halfword permutes are helpers (byte loops in env).
#include <functional>

#include "target/arm/helpers_simd_move.h"
#include "target/arm/simd.h"
#include "target/arm/trans_simd_move.h"

namespace mimic::arm {

namespace {

// Applies f to each 64-bit half of V[n] (only the low one for Q = 0) and writes V[d].
void gen_per_half(DisasContext& s, bool Q, unsigned n, unsigned d, const std::function<Arg(Arg)>& f) {
  Arg lo = read_vreg_lo(s, n, Type::I64);
  Arg hi = Q ? read_vreg_hi(s, n) : Arg{};
  lo = f(lo);
  if (!Q) {
    write_vreg_d(s, d, lo);
    return;
  }
  hi = f(hi);
  s.ir.set_state(vreg_offset(d), lo);
  s.ir.set_state(vreg_offset(d) + 8, hi);
}

// Swaps adjacent fields of `bits` bits: ((x >> bits) & mask) | ((x & mask) << bits).
Arg swap_fields(IRBuilder& ir, Arg x, unsigned bits, uint64_t mask) {
  return ir.or_(ir.and_(ir.shr(x, imm64(bits)), imm64(mask)), ir.shl(ir.and_(x, imm64(mask)), imm64(bits)));
}
constexpr uint64_t kM1 = 0x5555555555555555, kM2 = 0x3333333333333333, kM4 = 0x0f0f0f0f0f0f0f0f,
                   kM8 = 0x00ff00ff00ff00ff, kM16 = 0x0000ffff0000ffff;

// Bits [sh, sh + 64) of b:a (sh a multiple of 8 below 64).
Arg funnel(IRBuilder& ir, Arg a, Arg b, unsigned sh) {
  return sh == 0 ? a : ir.or_(ir.shr(a, imm64(sh)), ir.shl(b, imm64(64 - sh)));
}

}  // namespace

bool trans_SIMD_TBL(DisasContext& s, bool Q, uint32_t m, uint32_t len, bool tbx, uint32_t n, uint32_t d) {
  s.ir.call_void(helper_id(SimdMoveHelper::tbl),
                 {imm64(d), imm64(n), imm64(m), imm64(len | unsigned(tbx) << 2 | unsigned(Q) << 3)});
  return true;
}

bool trans_SIMD_PERM(DisasContext& s, bool Q, uint32_t size, uint32_t m, uint32_t op, uint32_t n, uint32_t d) {
  if ((op & 3) == 0 || (size == 3 && !Q)) return false;
  IRBuilder& ir = s.ir;
  const bool odd = op >> 2;
  if ((op & 3) == 1) {  // UZP1/UZP2; with Q = 0 the low halves are joined first (n.lo:m.lo)
    Arg vn = read_vreg_q(s, n), vm = read_vreg_q(s, m);
    if (!Q) vn = vm = ir.vuzp(vn, vm, 3, false);
    write_vec(s, d, Q, ir.vuzp(vn, vm, size, odd));
    return true;
  }
  if (size >= 2) {
    // ZIP and TRN of words and doublewords: each result half is built from at most two source lanes.
    const unsigned elems = (Q ? 16 : 8) >> size, part = odd;
    Arg src[2][2] = {{read_vreg_lo(s, n, Type::I64), Q ? read_vreg_hi(s, n) : Arg{}},
                     {read_vreg_lo(s, m, Type::I64), Q ? read_vreg_hi(s, m) : Arg{}}};
    auto lane = [&](unsigned e) {  // source lane of result lane e, as in the helper
      unsigned reg, idx;
      if ((op & 3) == 2)
        reg = e & 1, idx = (e & ~1u) + part;  // TRN
      else
        reg = e & 1, idx = part * elems / 2 + e / 2;  // ZIP
      Arg half = src[reg][(idx << size) >> 3];
      return size == 3 ? half : ir.extract(half, ((idx << size) & 7) * 8, 32);
    };
    Arg r[2];
    for (unsigned h = 0; h < (Q ? 2u : 1u); ++h)
      r[h] = size == 3 ? lane(h) : ir.deposit(lane(2 * h), lane(2 * h + 1), 32, 32);
    if (!Q) {
      write_vreg_d(s, d, r[0]);
    } else {
      ir.set_state(vreg_offset(d), r[0]);
      ir.set_state(vreg_offset(d) + 8, r[1]);
    }
    return true;
  }
  s.ir.call_void(helper_id(SimdMoveHelper::permute),
                 {imm64(d), imm64(n), imm64(m), imm64(op | size << 3 | unsigned(Q) << 5)});
  return true;
}

bool trans_SIMD_EXT(DisasContext& s, bool Q, uint32_t m, uint32_t imm4, uint32_t n, uint32_t d) {
  if (!Q && (imm4 & 8)) return false;
  IRBuilder& ir = s.ir;
  if (!Q) {
    write_vreg_d(s, d, funnel(ir, read_vreg_lo(s, n, Type::I64), read_vreg_lo(s, m, Type::I64), imm4 * 8));
    return true;
  }
  // The result is bytes [imm4, imm4 + 16) of m:n.
  const Arg w[4] = {read_vreg_lo(s, n, Type::I64), read_vreg_hi(s, n), read_vreg_lo(s, m, Type::I64),
                    read_vreg_hi(s, m)};
  const unsigned k = imm4 >> 3, sh = (imm4 & 7) * 8;
  Arg lo = funnel(ir, w[k], w[k + 1], sh), hi = funnel(ir, w[k + 1], w[k + 2], sh);
  ir.set_state(vreg_offset(d), lo);
  ir.set_state(vreg_offset(d) + 8, hi);
  return true;
}

bool trans_SIMD_REV64(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d) {
  if (size == 3) return false;
  IRBuilder& ir = s.ir;
  gen_per_half(s, Q, n, d, [&](Arg x) {
    switch (size) {
      case 0: return ir.bswap64(x);
      case 1: return swap_fields(ir, ir.bswap64(x), 8, kM8);  // reverse halfwords: bytes back in place
      default: return ir.rotr(x, imm64(32));
    }
  });
  return true;
}

bool trans_SIMD_REV32(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d) {
  if (size >= 2) return false;
  IRBuilder& ir = s.ir;
  gen_per_half(s, Q, n, d,
               [&](Arg x) { return size == 0 ? ir.rotr(ir.bswap64(x), imm64(32)) : swap_fields(ir, x, 16, kM16); });
  return true;
}

bool trans_SIMD_REV16(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d) {
  if (size != 0) return false;
  IRBuilder& ir = s.ir;
  gen_per_half(s, Q, n, d, [&](Arg x) { return swap_fields(ir, x, 8, kM8); });
  return true;
}

bool trans_SIMD_CNT(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d) {
  if (size != 0) return false;
  IRBuilder& ir = s.ir;
  gen_per_half(s, Q, n, d, [&](Arg x) {  // SWAR population count of every byte
    x = ir.sub(x, ir.and_(ir.shr(x, imm64(1)), imm64(kM1)));
    x = ir.add(ir.and_(x, imm64(kM2)), ir.and_(ir.shr(x, imm64(2)), imm64(kM2)));
    return ir.and_(ir.add(x, ir.shr(x, imm64(4))), imm64(kM4));
  });
  return true;
}

bool trans_SIMD_NOT_RBIT(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d) {
  if (size >= 2) return false;
  IRBuilder& ir = s.ir;
  if (size == 0 && Q) {
    write_vreg_q(s, d, ir.vxor(read_vreg_q(s, n), ir.vconst(~0ull, ~0ull)));
    return true;
  }
  gen_per_half(s, Q, n, d, [&](Arg x) {
    if (size == 0) return ir.not_(x);
    x = swap_fields(ir, x, 1, kM1);  // reverse the bits of every byte
    x = swap_fields(ir, x, 2, kM2);
    return swap_fields(ir, x, 4, kM4);
  });
  return true;
}

}  // namespace mimic::arm
