// Loads and stores: unsigned offset, unscaled, pre/post-index, unprivileged, register offset,
// literal and pairs, for general registers (every width, sign-extending) and SIMD&FP registers
// (B/H/S/D/Q); PRFM is a no-op.
#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
uint64_t sext(uint64_t v, unsigned bits) { return uint64_t(int64_t(v << (64 - bits)) >> (64 - bits)); }

// What one load/store does, decoded from size:opc (and V).
struct Access {
  bool load = false;
  bool prefetch = false;  // PRFM / PRFUM: no architectural effect
  bool vec = false;       // SIMD&FP register
  unsigned log2 = 0;      // access size, log2 bytes (4 = Q)
  uint32_t memop = 0;
  Type type = Type::I64;  // loaded value type (i32: zero-extended into Xt by the write)
};

bool decode_access(uint32_t size, bool V, uint32_t opc, Access& a) {
  a.vec = V;
  if (V) {
    if (opc & 2) {
      if (size != 0) return false;
      a.log2 = 4;
    } else {
      a.log2 = size;
    }
    a.load = opc & 1;
    a.memop = a.log2;
    return true;
  }
  a.log2 = size;
  switch (opc) {
    case 0: a.memop = size; return true;  // STR*
    case 1:                               // LDR* (zero-extending)
      a.load = true;
      a.memop = size;
      return true;
    case 2:
      if (size == 3) {  // PRFM
        a.prefetch = true;
        return true;
      }
      a.load = true;  // LDRS* to X
      a.memop = size | MemOp::kSigned;
      return true;
    default:
      if (size >= 2) return false;
      a.load = true;  // LDRS* to W: sign-extend to 32 bits, then zero the upper half
      a.memop = size | MemOp::kSigned;
      a.type = Type::I32;
      return true;
  }
}

// Loads into a temporary; the register is written by finish_load after any base writeback, so a
// load whose Rt equals its base (unpredictable) keeps the loaded value.
Arg do_load(DisasContext& s, const Access& a, Arg addr) {
  if (a.vec) return s.ir.load(a.log2 == 4 ? Type::V128 : Type::I64, addr, a.memop);
  return s.ir.load(a.type, addr, a.memop);
}
void finish_load(DisasContext& s, const Access& a, unsigned t, Arg v) {
  if (!a.vec) {
    write_x(s, t, v);
    return;
  }
  // A scalar SIMD&FP load zeroes the rest of the 128-bit register.
  s.ir.set_state(vreg_offset(t), v);
  if (a.log2 != 4) s.ir.set_state(vreg_offset(t) + 8, imm64(0));
}
void do_store(DisasContext& s, const Access& a, Arg addr, unsigned t) {
  Arg v;
  if (a.vec)
    v = s.ir.get_state(a.log2 == 4 ? Type::V128 : Type::I64, vreg_offset(t));
  else
    v = read_x(s, t);
  s.ir.store(addr, v, a.memop);
}

// One access at addr, with optional base writeback.
void gen_access(DisasContext& s, const Access& a, Arg addr, unsigned t, unsigned n, Arg writeback) {
  if (a.prefetch) return;
  if (a.load) {
    Arg v = do_load(s, a, addr);
    if (!writeback.is_none()) write_xsp(s, n, writeback);
    finish_load(s, a, t, v);
  } else {
    do_store(s, a, addr, t);
    if (!writeback.is_none()) write_xsp(s, n, writeback);
  }
}
Arg add_off(DisasContext& s, Arg base, int64_t off) { return off ? s.ir.add(base, imm64(uint64_t(off))) : base; }
}  // namespace

bool trans_LDST_uimm(DisasContext& s, uint32_t size, bool V, uint32_t opc, uint32_t imm12, uint32_t n, uint32_t t) {
  Access a;
  if (!decode_access(size, V, opc, a)) return false;
  gen_access(s, a, add_off(s, read_xsp(s, n), int64_t(imm12) << a.log2), t, n, Arg{});
  return true;
}

bool trans_LDST_imm9(DisasContext& s, uint32_t size, bool V, uint32_t opc, uint32_t imm9, uint32_t idx, uint32_t n,
                     uint32_t t) {
  Access a;
  if (!decode_access(size, V, opc, a)) return false;
  // Reserved combinations are rejected before anything is emitted.
  if ((idx == 2 && (V || a.prefetch)) || ((idx & 1) && a.prefetch)) return false;
  const int64_t off = int64_t(sext(imm9, 9));
  Arg base = read_xsp(s, n);
  switch (idx) {
    case 0:  // LDUR/STUR/PRFUM
      gen_access(s, a, add_off(s, base, off), t, n, Arg{});
      return true;
    case 2: {  // LDTR/STTR: at EL0 the same as an ordinary access; at EL1 (and EL2 under E2H+TGE)
               // with EL0's permissions
      const uint32_t saved = s.ir.mem_index;
      if (s.system && (s.el == 1 || (s.el == 2 && (s.tb_flags & kTbEl2Host)))) s.ir.mem_index = kUnprivMmuIndex;
      gen_access(s, a, add_off(s, base, off), t, n, Arg{});
      s.ir.mem_index = saved;
      return true;
    }
    case 1:  // post-index
      gen_access(s, a, base, t, n, add_off(s, base, off));
      return true;
    default: {  // pre-index
      Arg addr = add_off(s, base, off);
      gen_access(s, a, addr, t, n, addr);
      return true;
    }
  }
}

bool trans_LDST_reg(DisasContext& s, uint32_t size, bool V, uint32_t opc, uint32_t m, uint32_t option, bool S,
                    uint32_t n, uint32_t t) {
  Access a;
  if (!decode_access(size, V, opc, a) || (option & 2) == 0) return false;
  Arg off = gen_ext_reg(s, m, option, S ? a.log2 : 0);
  gen_access(s, a, s.ir.add(read_xsp(s, n), off), t, n, Arg{});
  return true;
}

bool trans_LDR_lit(DisasContext& s, uint32_t opc, bool V, uint32_t imm19, uint32_t t) {
  Access a;
  a.load = true;
  a.vec = V;
  if (V) {
    if (opc == 3) return false;
    a.log2 = 2 + opc;
    a.memop = a.log2;
  } else {
    switch (opc) {
      case 0: a.log2 = 2, a.memop = MemOp::k32; break;
      case 1: a.log2 = 3, a.memop = MemOp::k64; break;
      case 2: a.log2 = 2, a.memop = MemOp::k32 | MemOp::kSigned; break;
      default: return true;  // PRFM (literal)
    }
  }
  gen_access(s, a, imm64(s.pc + sext(uint64_t(imm19) << 2, 21)), t, 0, Arg{});
  return true;
}

bool trans_LDST_pair(DisasContext& s, uint32_t opc, bool V, uint32_t idx, bool L, uint32_t imm7, uint32_t t2,
                     uint32_t n, uint32_t t) {
  Access a;
  a.vec = V;
  a.load = L;
  if (opc == 3) return false;
  if (V) {
    a.log2 = 2 + opc;
    a.memop = a.log2;
  } else if (opc == 1) {  // LDPSW (offset, pre, post; no non-temporal form)
    if (!L || idx == 0) return false;
    a.log2 = 2;
    a.memop = MemOp::k32 | MemOp::kSigned;
  } else {
    a.log2 = opc ? 3 : 2;
    a.memop = a.log2;
    a.type = opc ? Type::I64 : Type::I32;
  }
  const int64_t off = int64_t(sext(imm7, 7)) << a.log2;
  Arg base = read_xsp(s, n);
  Arg addr = idx == 1 ? base : add_off(s, base, off);  // post-index accesses at the old base
  Arg addr2 = add_off(s, addr, int64_t(1) << a.log2);
  Arg wb = idx == 1 ? add_off(s, base, off) : idx == 3 ? addr : Arg{};
  if (L) {
    Arg v1 = do_load(s, a, addr), v2 = do_load(s, a, addr2);
    if (!wb.is_none()) write_xsp(s, n, wb);
    finish_load(s, a, t, v1);
    finish_load(s, a, t2, v2);
  } else {
    do_store(s, a, addr, t);
    do_store(s, a, addr2, t2);
    if (!wb.is_none()) write_xsp(s, n, wb);
  }
  return true;
}

}  // namespace mimic::arm
