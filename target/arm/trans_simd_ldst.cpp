// AdvSIMD structure loads and stores: LD1-LD4/ST1-ST4 (multiple structures), LD1-LD4/ST1-ST4 (single
// structure, one lane) and LD1R-LD4R, without offset or with post-index (immediate or register).
//
// Faults are precise: every load goes into a temporary before any register is written, and the
// base writeback comes last. Stores may be partially performed when a later one faults (Arm permits
// it). LD1/ST1, LD2-4/ST2-4 of words and doublewords (one access per element) and the
// lane/replicate forms are inline IR, and so are LD2/LD4 of bytes and halfwords into full registers
// (UZP steps); the other LD2-4/ST2-4 of bytes and halfwords load/store the raw memory image inline
// and (de)interleave it in a helper.
#include "target/arm/helpers_simd_move.h"
#include "target/arm/simd.h"
#include "target/arm/trans_simd_move.h"

namespace mimic::arm {

namespace {

constexpr unsigned kNoWriteback = 32;

unsigned vreg(unsigned t, unsigned k) { return (t + k) & 31; }

Arg addr_at(DisasContext& s, Arg base, uint64_t off) { return off ? s.ir.add(base, imm64(off)) : base; }

// Post-index writeback: Rm = 31 means the immediate (the total bytes transferred).
void writeback(DisasContext& s, unsigned n, unsigned m, Arg base, uint64_t total) {
  if (m == kNoWriteback) return;
  write_xsp(s, n, m == 31 ? addr_at(s, base, total) : s.ir.add(base, read_x(s, m)));
}

// One lane of V[r] (esize_log2 0..3) as an i64 (zero-extended), and its insertion.
Arg read_lane(DisasContext& s, unsigned r, unsigned index, unsigned esize_log2) {
  const unsigned bit = index << (esize_log2 + 3);
  Arg half = s.ir.get_state(Type::I64, vreg_offset(r) + (bit >> 6) * 8);
  return esize_log2 == 3 ? half : s.ir.extract(half, bit & 63, 8u << esize_log2);
}
void write_lane(DisasContext& s, unsigned r, unsigned index, unsigned esize_log2, Arg v64) {
  const unsigned bit = index << (esize_log2 + 3);
  const uint32_t off = vreg_offset(r) + (bit >> 6) * 8;
  if (esize_log2 == 3) {
    s.ir.set_state(off, v64);
  } else if (esize_log2 == 2) {
    s.ir.set_state(off + ((bit & 63) >> 3), s.ir.trunc64_to_32(v64));
  } else {
    s.ir.set_state(off, s.ir.deposit(s.ir.get_state(Type::I64, off), v64, bit & 63, 8u << esize_log2));
  }
}

// The element replicated over 64 bits.
Arg replicate64(DisasContext& s, Arg v64, unsigned esize_log2) {
  static constexpr uint64_t kOnes[] = {0x0101010101010101, 0x0001000100010001, 0x0000000100000001, 1};
  return esize_log2 == 3 ? v64 : s.ir.mul(v64, imm64(kOnes[esize_log2]));
}

bool gen_multi(DisasContext& s, bool Q, bool L, uint32_t opcode, uint32_t size, uint32_t n, uint32_t t, uint32_t m) {
  unsigned rpt, selem;
  switch (opcode) {
    case 0b0000: rpt = 1, selem = 4; break;
    case 0b0010: rpt = 4, selem = 1; break;
    case 0b0100: rpt = 1, selem = 3; break;
    case 0b0110: rpt = 3, selem = 1; break;
    case 0b0111: rpt = 1, selem = 1; break;
    case 0b1000: rpt = 1, selem = 2; break;
    case 0b1010: rpt = 2, selem = 1; break;
    default: return false;
  }
  if (size == 3 && !Q && selem != 1) return false;
  const unsigned reg_bytes = Q ? 16 : 8, nregs = rpt * selem;
  const Type reg_type = Q ? Type::V128 : Type::I64;
  const uint32_t reg_memop = Q ? MemOp::k128 : MemOp::k64;
  Arg base = read_xsp(s, n);

  if (selem == 1) {
    // LD1/ST1: the memory image of each register is its bytes in order.
    if (L) {
      Arg v[4];
      for (unsigned k = 0; k < nregs; ++k) v[k] = s.ir.load(reg_type, addr_at(s, base, k * reg_bytes), reg_memop);
      for (unsigned k = 0; k < nregs; ++k) {
        if (Q)
          write_vreg_q(s, vreg(t, k), v[k]);
        else
          write_vreg_d(s, vreg(t, k), v[k]);
      }
    } else {
      for (unsigned k = 0; k < nregs; ++k)
        s.ir.store(addr_at(s, base, k * reg_bytes), s.ir.get_state(reg_type, vreg_offset(vreg(t, k))), reg_memop);
    }
  } else if (size >= 2) {
    // LDn/STn of words and doublewords: one access per element (element e of register k is memory
    // element e * selem + k), straight to and from the lanes in the state.
    const unsigned total = selem * (reg_bytes >> size), eb = 1u << size;
    if (L) {
      Arg v[16];
      for (unsigned i = 0; i < total; ++i) v[i] = s.ir.load(Type::I64, addr_at(s, base, eb * i), size);
      for (unsigned i = 0; i < total; ++i) write_lane(s, vreg(t, i % selem), i / selem, size, v[i]);
      if (!Q)
        for (unsigned k = 0; k < selem; ++k) clear_vreg_high(s, vreg(t, k));
    } else {
      for (unsigned i = 0; i < total; ++i)
        s.ir.store(addr_at(s, base, eb * i), read_lane(s, vreg(t, i % selem), i / selem, size), size);
    }
  } else if (L && Q && (selem == 2 || selem == 4)) {
    // LD2/LD4 of bytes and halfwords into full registers: the even and odd elements of register
    // pairs (UZP1/UZP2), once for LD2 and twice for LD4 (x y z w: evens x z, odds y w, then again).
    Arg v[4];
    for (unsigned k = 0; k < selem; ++k) v[k] = s.ir.load(Type::V128, addr_at(s, base, k * 16), MemOp::k128);
    if (selem == 2) {
      write_vreg_q(s, vreg(t, 0), s.ir.vuzp(v[0], v[1], size, false));
      write_vreg_q(s, vreg(t, 1), s.ir.vuzp(v[0], v[1], size, true));
    } else {
      Arg even[2], odd[2];
      for (unsigned h = 0; h < 2; ++h) {
        even[h] = s.ir.vuzp(v[2 * h], v[2 * h + 1], size, false);
        odd[h] = s.ir.vuzp(v[2 * h], v[2 * h + 1], size, true);
      }
      write_vreg_q(s, vreg(t, 0), s.ir.vuzp(even[0], even[1], size, false));
      write_vreg_q(s, vreg(t, 1), s.ir.vuzp(odd[0], odd[1], size, false));
      write_vreg_q(s, vreg(t, 2), s.ir.vuzp(even[0], even[1], size, true));
      write_vreg_q(s, vreg(t, 3), s.ir.vuzp(odd[0], odd[1], size, true));
    }
  } else if (L) {
    // LDn: load the raw image into the destination registers, then deinterleave them in place.
    Arg v[4];
    for (unsigned k = 0; k < selem; ++k) v[k] = s.ir.load(reg_type, addr_at(s, base, k * reg_bytes), reg_memop);
    for (unsigned k = 0; k < selem; ++k) {
      if (Q)
        write_vreg_q(s, vreg(t, k), v[k]);
      else
        write_vreg_d(s, vreg(t, k), v[k]);
    }
    s.ir.call_void(helper_id(SimdMoveHelper::ld_deinterleave), {imm64(t), imm64(selem), imm64(size), imm64(Q)});
  } else {
    const uint64_t shape = selem | size << 4 | unsigned(Q) << 8;
    for (unsigned c = 0; c < selem * reg_bytes / 8; ++c) {
      Arg v = s.ir.call(Type::I64, helper_id(SimdMoveHelper::st_interleave_chunk), {imm64(t), imm64(shape), imm64(c)});
      s.ir.store(addr_at(s, base, 8 * c), v, MemOp::k64);
    }
  }
  writeback(s, n, m, base, nregs * reg_bytes);
  return true;
}

bool gen_single(DisasContext& s, bool Q, bool L, bool R, uint32_t opcode, bool S, uint32_t size, uint32_t n, uint32_t t,
                uint32_t m) {
  const unsigned selem = ((opcode & 1) << 1 | unsigned(R)) + 1;
  unsigned scale = opcode >> 1, index = 0;
  bool replicate = false;
  switch (scale) {
    case 0: index = unsigned(Q) << 3 | unsigned(S) << 2 | size; break;
    case 1:
      if (size & 1) return false;
      index = unsigned(Q) << 2 | unsigned(S) << 1 | size >> 1;
      break;
    case 2:
      if (size & 2) return false;
      if (size == 0) {
        index = unsigned(Q) << 1 | unsigned(S);
      } else {
        if (S) return false;
        index = Q;
        scale = 3;
      }
      break;
    default:
      if (!L || S) return false;
      scale = size;
      replicate = true;
      break;
  }
  const unsigned ebytes = 1u << scale;
  Arg base = read_xsp(s, n);
  if (L) {
    Arg v[4];
    for (unsigned k = 0; k < selem; ++k) v[k] = s.ir.load(Type::I64, addr_at(s, base, k * ebytes), scale);
    for (unsigned k = 0; k < selem; ++k) {
      if (!replicate)
        write_lane(s, vreg(t, k), index, scale, v[k]);
      else if (Q)
        write_vreg_q(s, vreg(t, k), s.ir.vdup(v[k], scale));
      else
        write_vreg_d(s, vreg(t, k), replicate64(s, v[k], scale));
    }
  } else {
    for (unsigned k = 0; k < selem; ++k)
      s.ir.store(addr_at(s, base, k * ebytes), read_lane(s, vreg(t, k), index, scale), scale);
  }
  writeback(s, n, m, base, selem * ebytes);
  return true;
}

}  // namespace

bool trans_SIMD_LDST_multi(DisasContext& s, bool Q, bool L, uint32_t opcode, uint32_t size, uint32_t n, uint32_t t) {
  return gen_multi(s, Q, L, opcode, size, n, t, kNoWriteback);
}
bool trans_SIMD_LDST_multi_post(DisasContext& s, bool Q, bool L, uint32_t m, uint32_t opcode, uint32_t size, uint32_t n,
                                uint32_t t) {
  return gen_multi(s, Q, L, opcode, size, n, t, m);
}
bool trans_SIMD_LDST_single(DisasContext& s, bool Q, bool L, bool R, uint32_t opcode, bool S, uint32_t size, uint32_t n,
                            uint32_t t) {
  return gen_single(s, Q, L, R, opcode, S, size, n, t, kNoWriteback);
}
bool trans_SIMD_LDST_single_post(DisasContext& s, bool Q, bool L, bool R, uint32_t m, uint32_t opcode, bool S,
                                 uint32_t size, uint32_t n, uint32_t t) {
  return gen_single(s, Q, L, R, opcode, S, size, n, t, m);
}

}  // namespace mimic::arm
