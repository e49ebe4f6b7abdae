// Data processing (immediate): ADR/ADRP, add/sub, logical with bitmask immediates, move wide,
// bitfield moves (SBFM/BFM/UBFM and their aliases) and EXTR.
#include <bit>

#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
uint64_t sext(uint64_t v, unsigned bits) { return uint64_t(int64_t(v << (64 - bits)) >> (64 - bits)); }
uint64_t ones(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }
}  // namespace

// DecodeBitMasks from the Arm ARM (immediate form only: the wmask).
bool decode_bit_masks(bool sf, unsigned N, unsigned imms, unsigned immr, uint64_t& wmask) {
  const unsigned combined = (N << 6) | (~imms & 0x3f);
  if (combined == 0) return false;
  const unsigned len = 31 - std::countl_zero(uint32_t(combined));  // highest set bit
  if (len < 1) return false;
  const unsigned esize = 1u << len;
  if (!sf && esize > 32) return false;
  const unsigned levels = esize - 1;
  const unsigned S = imms & levels, R = immr & levels;
  if (S == levels) return false;  // an all-ones element is reserved
  uint64_t elem = ones(S + 1);
  if (R != 0) elem = ((elem >> R) | (elem << (esize - R))) & ones(esize);
  uint64_t v = 0;
  for (unsigned i = 0; i < 64; i += esize) v |= elem << i;
  wmask = sf ? v : (v & 0xffffffffu);
  return true;
}

bool trans_ADR(DisasContext& s, uint32_t lo, uint32_t hi, uint32_t d) {
  write_x(s, d, imm64(s.pc + sext((uint64_t(hi) << 2) | lo, 21)));
  return true;
}
bool trans_ADRP(DisasContext& s, uint32_t lo, uint32_t hi, uint32_t d) {
  write_x(s, d, imm64((s.pc & ~uint64_t(0xfff)) + (sext((uint64_t(hi) << 2) | lo, 21) << 12)));
  return true;
}

bool trans_ADDSUB_imm(DisasContext& s, bool sf, bool op, bool S, uint32_t sh, uint32_t imm12, uint32_t n, uint32_t d) {
  Arg a = read_reg_sp(s, n, sf);
  Arg b = imm_sf(sf, uint64_t(imm12) << (sh ? 12 : 0));
  if (S) {
    Arg r = op ? gen_subs(s, a, b) : gen_adds(s, a, b);
    write_x(s, d, r);  // CMP/CMN: d = XZR
  } else {
    write_xsp(s, d, op ? s.ir.sub(a, b) : s.ir.add(a, b));
  }
  return true;
}

bool trans_LOGIC_imm(DisasContext& s, bool sf, uint32_t opc, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n,
                     uint32_t d) {
  uint64_t mask;
  if ((!sf && N) || !decode_bit_masks(sf, N, imms, immr, mask)) return false;
  Arg a = read_reg(s, n, sf), b = imm_sf(sf, mask);
  switch (opc) {
    case 0: write_xsp(s, d, s.ir.and_(a, b)); break;
    case 1: write_xsp(s, d, s.ir.or_(a, b)); break;
    case 2: write_xsp(s, d, s.ir.xor_(a, b)); break;
    default: {
      Arg r = s.ir.and_(a, b);
      gen_logic_flags(s, r);
      write_x(s, d, r);
      break;
    }
  }
  return true;
}

bool trans_MOVN(DisasContext& s, bool sf, uint32_t hw, uint32_t imm16, uint32_t d) {
  if (!sf && hw >= 2) return false;
  uint64_t v = ~(uint64_t(imm16) << (16 * hw));
  write_x(s, d, imm64(sf ? v : (v & 0xffffffffu)));
  return true;
}
bool trans_MOVZ(DisasContext& s, bool sf, uint32_t hw, uint32_t imm16, uint32_t d) {
  if (!sf && hw >= 2) return false;
  write_x(s, d, imm64(uint64_t(imm16) << (16 * hw)));
  return true;
}
bool trans_MOVK(DisasContext& s, bool sf, uint32_t hw, uint32_t imm16, uint32_t d) {
  if (!sf && hw >= 2) return false;
  Arg old = read_reg(s, d, sf);
  write_x(s, d, s.ir.deposit(old, imm_sf(sf, imm16), 16 * hw, 16));
  return true;
}

namespace {
// Bitfield moves share the reserved-encoding rules: N must equal sf, and W forms use 5-bit fields.
bool bitfield_ok(bool sf, uint32_t N, uint32_t immr, uint32_t imms) {
  if (N != uint32_t(sf)) return false;
  return sf || (immr < 32 && imms < 32);
}
}  // namespace

bool trans_SBFM(DisasContext& s, bool sf, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d) {
  if (!bitfield_ok(sf, N, immr, imms)) return false;
  const unsigned width = sf ? 64 : 32;
  Arg src = read_reg(s, n, sf);
  Arg r;
  if (imms >= immr)  // ASR / SBFX / SXTB...: signed field at immr
    r = s.ir.sextract(src, immr, imms - immr + 1);
  else  // SBFIZ: sign-extended low imms+1 bits, shifted to width - immr
    r = s.ir.shl(s.ir.sextract(src, 0, imms + 1), imm_sf(sf, width - immr));
  write_x(s, d, r);
  return true;
}

bool trans_UBFM(DisasContext& s, bool sf, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d) {
  if (!bitfield_ok(sf, N, immr, imms)) return false;
  const unsigned width = sf ? 64 : 32;
  Arg src = read_reg(s, n, sf);
  Arg r;
  if (imms >= immr)  // LSR / UBFX / UXTB...
    r = s.ir.extract(src, immr, imms - immr + 1);
  else  // LSL / UBFIZ
    r = s.ir.deposit(imm_sf(sf, 0), src, width - immr, imms + 1);
  write_x(s, d, r);
  return true;
}

bool trans_BFM(DisasContext& s, bool sf, uint32_t N, uint32_t immr, uint32_t imms, uint32_t n, uint32_t d) {
  if (!bitfield_ok(sf, N, immr, imms)) return false;
  const unsigned width = sf ? 64 : 32;
  Arg src = read_reg(s, n, sf);
  Arg dst = read_reg(s, d, sf);
  Arg r;
  if (imms >= immr)  // BFXIL: field at immr into the low bits
    r = s.ir.deposit(dst, immr ? s.ir.shr(src, imm_sf(sf, immr)) : src, 0, imms - immr + 1);
  else  // BFI: low imms+1 bits to width - immr
    r = s.ir.deposit(dst, src, width - immr, imms + 1);
  write_x(s, d, r);
  return true;
}

bool trans_EXTR(DisasContext& s, bool sf, uint32_t N, uint32_t m, uint32_t imms, uint32_t n, uint32_t d) {
  if (N != uint32_t(sf) || (!sf && imms >= 32)) return false;
  const unsigned width = sf ? 64 : 32;
  Arg lo = read_reg(s, m, sf);
  Arg r;
  if (imms == 0) {
    r = lo;
  } else if (n == m) {  // ROR (immediate)
    r = s.ir.rotr(lo, imm_sf(sf, imms));
  } else {
    Arg hi = read_reg(s, n, sf);
    r = s.ir.or_(s.ir.shr(lo, imm_sf(sf, imms)), s.ir.shl(hi, imm_sf(sf, width - imms)));
  }
  write_x(s, d, r);
  return true;
}

}  // namespace mimic::arm
