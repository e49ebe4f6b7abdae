// AArch32 VFP (VFPv3/VFPv4, D32): loads/stores, register transfers, VMRS/VMSR, arithmetic,
// compares and conversions, decoded from their own table of A32 encodings (the T32 ones are the
// same with 1110 in the top nibble).
//
// S<2n> and S<2n+1> are the halves of D<n>, and D<2n>/D<2n+1> the halves of Q<n> = V<n> of the
// AArch64 register file, so S<n> lives at v + 4n and D<n> at v + 8n. Arithmetic has the
// AArch64 FP semantics (fpu.h through helpers_fp.h), with the same inline-SSE fast path for
// FPSCR.FZ = 0 and the exact helper for NaN and tiny results.
#include "target/arm/fpu.h"
#include "target/arm/helpers_a32.h"
#include "target/arm/helpers_a32_neon.h"
#include "target/arm/helpers_fp.h"
#include "target/arm/trans_a32.h"
#include "target/arm/trans_fp.h"

namespace mimic::arm {

namespace {
using S = A32Context;
using tcg::FCond;
using tcg::Opcode;

constexpr uint32_t kFpscrNzcv = uint32_t(offsetof(A32Cpu, fpscr_nzcv));
uint32_t sreg(unsigned n) { return uint32_t(offsetof(A64Cpu, v) + 4 * n); }
uint32_t dreg(unsigned n) { return uint32_t(offsetof(A64Cpu, v) + 8 * n); }
// The register number of an S (Vx:bit) or D (bit:Vx) operand.
unsigned sd_reg(bool dbl, unsigned v4, unsigned bit) { return dbl ? (bit << 4 | v4) : (v4 << 1 | bit); }

Type itype(bool dbl) { return dbl ? Type::I64 : Type::I32; }
Type ftype(bool dbl) { return dbl ? Type::F64 : Type::F32; }
uint32_t off(bool dbl, unsigned r) { return dbl ? dreg(r) : sreg(r); }
Arg read_i(S& s, bool dbl, unsigned r) { return s.ir.get_state(itype(dbl), off(dbl, r)); }
Arg read_f(S& s, bool dbl, unsigned r) { return s.ir.get_state(ftype(dbl), off(dbl, r)); }
void write(S& s, bool dbl, unsigned r, Arg v) {
  if (v.type == Type::F64 || v.type == Type::F32) v = s.ir.bitcast(itype(dbl), v);
  s.ir.set_state(off(dbl, r), v);
}
Arg imm_of(bool dbl, uint64_t v) { return dbl ? imm64(v) : imm32(uint32_t(v)); }

Arg call_fp(S& s, FpHelper h, Type t, std::initializer_list<Arg> args) { return s.ir.call(t, fp_helper_id(h), args); }
Arg helper_bin(S& s, FpOp op, bool dbl, Arg a, Arg b) {
  return call_fp(s, FpHelper::bin, itype(dbl), {imm64(uint64_t(op) | uint64_t(dbl) << 8), a, b});
}

// After an inline result `bits` was computed: `fix` recomputes it exactly when it is a NaN or
// +-the smallest normal (x86 and Arm differ there).
template <class Fix>
void fixup_special(S& s, Arg bits, bool dbl, Fix fix) {
  const uint64_t inf2 = dbl ? fp::kInfBits<uint64_t> << 1 : uint64_t(fp::kInfBits<uint32_t>) << 1;
  const uint64_t min2 = dbl ? fp::kMinNormalBits<uint64_t> << 1 : uint64_t(fp::kMinNormalBits<uint32_t>) << 1;
  Arg t = s.ir.shl(bits, imm_of(dbl, 1));
  uint32_t slow = s.ir.new_label(), done = s.ir.new_label();
  s.ir.br_cond(Cond::GtU, t, imm_of(dbl, inf2), slow);
  s.ir.br_cond(Cond::Ne, t, imm_of(dbl, min2), done);
  s.ir.label(slow);
  fix();
  s.ir.label(done);
}

// a <op> b as integer bits: inline SSE when FZ is off, the exact helper otherwise.
Arg gen_bin(S& s, FpOp op, bool dbl, Arg a_bits, Arg b_bits) {
  Opcode opc;
  switch (op) {
    case FpOp::Add: opc = Opcode::FAdd; break;
    case FpOp::Sub: opc = Opcode::FSub; break;
    case FpOp::Mul: opc = Opcode::FMul; break;
    case FpOp::Div: opc = Opcode::FDiv; break;
    default: return helper_bin(s, op, dbl, a_bits, b_bits);
  }
  if (!fp_fast(s)) return helper_bin(s, op, dbl, a_bits, b_bits);
  Arg r = s.ir.bitcast(
      itype(dbl), s.ir.emit(opc, ftype(dbl), {s.ir.bitcast(ftype(dbl), a_bits), s.ir.bitcast(ftype(dbl), b_bits)}));
  // The result goes through a temporary the slow path overwrites.
  const uint32_t tmp = uint32_t(offsetof(A32Cpu, fp_tmp));
  s.ir.set_state(tmp, dbl ? r : s.ir.zext32_to_64(r));
  fixup_special(s, r, dbl, [&] {
    Arg e = helper_bin(s, op, dbl, a_bits, b_bits);
    s.ir.set_state(tmp, dbl ? e : s.ir.zext32_to_64(e));
  });
  Arg v = s.ir.get_state(Type::I64, tmp);
  return dbl ? v : s.ir.trunc64_to_32(v);
}
Arg negate(S& s, bool dbl, Arg bits) {
  return s.ir.xor_(bits, imm_of(dbl, dbl ? fp::kSignBit<uint64_t> : fp::kSignBit<uint32_t>));
}

// VFPExpandImm.
uint64_t expand_imm(uint32_t imm8, bool dbl) {
  const uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;
  if (dbl) return sign << 63 | (b6 ^ 1) << 62 | (b6 ? 0xffull : 0) << 54 | low << 48;
  return sign << 31 | (b6 ^ 1) << 30 | (b6 ? 0x1full : 0) << 25 | low << 19;
}

// ---- three-register data processing ----
// op: 0 VMLA, 1 VMLS, 2 VNMLS, 3 VNMLA, 4 VMUL, 5 VNMUL, 6 VADD, 7 VSUB, 8 VDIV,
//     10 VFNMS, 11 VFNMA, 12 VFMA, 13 VFMS
bool dp3(S& s, unsigned op, bool dbl, unsigned d, unsigned n, unsigned m) {
  Arg vn = read_i(s, dbl, n), vm = read_i(s, dbl, m);
  switch (op) {
    case 0:
    case 1:
    case 2:
    case 3: {
      Arg p = gen_bin(s, FpOp::Mul, dbl, vn, vm);
      if (op == 1 || op == 3) p = negate(s, dbl, p);
      Arg vd = read_i(s, dbl, d);
      if (op >= 2) vd = negate(s, dbl, vd);
      write(s, dbl, d, gen_bin(s, FpOp::Add, dbl, vd, p));
      return true;
    }
    case 4: write(s, dbl, d, gen_bin(s, FpOp::Mul, dbl, vn, vm)); return true;
    case 5: write(s, dbl, d, negate(s, dbl, gen_bin(s, FpOp::Mul, dbl, vn, vm))); return true;
    case 6: write(s, dbl, d, gen_bin(s, FpOp::Add, dbl, vn, vm)); return true;
    case 7: write(s, dbl, d, gen_bin(s, FpOp::Sub, dbl, vn, vm)); return true;
    case 8: write(s, dbl, d, gen_bin(s, FpOp::Div, dbl, vn, vm)); return true;
    case 10:
    case 11:
    case 12:
    case 13: {
      // d = (+-d) + (+-n) * m, one rounding.
      const bool neg_addend = op == 10 || op == 11, neg_product = op == 11 || op == 13;
      const uint64_t mode = uint64_t(neg_addend) | uint64_t(neg_product) << 1 | uint64_t(dbl) << 2;
      write(s, dbl, d, call_fp(s, FpHelper::fma, itype(dbl), {imm64(mode), read_i(s, dbl, d), vn, vm}));
      return true;
    }
    default: return false;
  }
}

// FPSCR.LEN/STRIDE set: the arithmetic a short vector would repeat is UNDEFINED (no short vectors).
bool short_vector(const S& s) { return s.tb_flags & kTbVfpVector; }

bool VFP_DP(S& s, uint32_t o1, bool D, uint32_t o2, uint32_t vn, uint32_t vd, bool sz, bool N, bool op, bool M,
            uint32_t vm) {
  if (short_vector(s)) return false;
  const unsigned code = (o1 << 2 | o2) * 2 + op;  // o1: bit 23, o2: bits 21:20
  static constexpr int kOps[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, -1, 10, 11, 12, 13, -1, -1};
  if (code >= 14 || kOps[code] < 0) return false;
  return dp3(s, unsigned(kOps[code]), sz, sd_reg(sz, vd, D), sd_reg(sz, vn, N), sd_reg(sz, vm, M));
}

void set_fpscr_nzcv(S& s, Arg nzcv4_i64) {
  s.ir.set_state(kFpscrNzcv, s.ir.shl(s.ir.trunc64_to_32(nzcv4_i64), imm32(28)));
}

// ---- two-register and immediate forms (opc1 = 1x11) ----
bool VFP_MOVI(S& s, bool D, uint32_t hi, uint32_t vd, bool sz, uint32_t lo) {
  if (short_vector(s)) return false;
  write(s, sz, sd_reg(sz, vd, D), imm_of(sz, expand_imm(hi << 4 | lo, sz)));
  return true;
}

bool VFP_2R(S& s, bool D, uint32_t opc2, uint32_t vd, bool sz, bool P, bool M, uint32_t vm) {
  const bool dbl = sz;
  const unsigned d = sd_reg(dbl, vd, D), m = sd_reg(dbl, vm, M);
  const uint64_t sign = dbl ? fp::kSignBit<uint64_t> : fp::kSignBit<uint32_t>;
  if (opc2 <= 1 && short_vector(s)) return false;  // VMOV, VABS, VNEG, VSQRT
  switch (opc2) {
    case 0:  // VMOV / VABS
      write(s, dbl, d, P ? s.ir.and_(read_i(s, dbl, m), imm_of(dbl, ~sign)) : read_i(s, dbl, m));
      return true;
    case 1:  // VNEG / VSQRT
      if (!P) {
        write(s, dbl, d, negate(s, dbl, read_i(s, dbl, m)));
      } else {
        write(s, dbl, d,
              call_fp(s, FpHelper::un, itype(dbl),
                      {imm64(uint64_t(FpOp::Sqrt) | uint64_t(dbl) << 8), read_i(s, dbl, m)}));
      }
      return true;
    case 2:
    case 3: {  // VCVTB/VCVTT: between half (bottom/top of Sx) and single/double (op = bit 16)
      const bool top = P;
      const bool to_half = opc2 == 3;
      if (to_half) {
        Arg h = call_fp(s, FpHelper::cvt, Type::I64,
                        {imm64((dbl ? 64 : 32) | 16 << 8), read_i(s, dbl, sd_reg(dbl, vm, M))});
        const unsigned sd = vd << 1 | D;
        write(s, false, sd, s.ir.deposit(read_i(s, false, sd), s.ir.trunc64_to_32(h), top ? 16 : 0, 16));
      } else {
        const unsigned sm = vm << 1 | M;
        Arg h = s.ir.zext32_to_64(s.ir.extract(read_i(s, false, sm), top ? 16 : 0, 16));
        Arg r = call_fp(s, FpHelper::cvt, Type::I64, {imm64(16 | (dbl ? 64 : 32) << 8), h});
        write(s, dbl, d, dbl ? r : s.ir.trunc64_to_32(r));
      }
      return true;
    }
    case 4:
    case 5: {  // VCMP/VCMPE (5: with #0)
      if (opc2 == 5 && (vm != 0 || M)) return false;
      Arg b = opc2 == 5 ? imm_of(dbl, 0) : read_i(s, dbl, m);
      Arg nzcv = call_fp(s, FpHelper::cmp, Type::I64, {imm64(uint64_t(P) | uint64_t(dbl) << 1), read_i(s, dbl, d), b});
      set_fpscr_nzcv(s, nzcv);
      return true;
    }
    case 6: {  // VRINTR (P = 0: FPSCR rounding), VRINTZ (P = 1)
      const FpOp op = P ? FpOp::RintZ : FpOp::RintI;
      write(s, dbl, d,
            call_fp(s, FpHelper::un, itype(dbl), {imm64(uint64_t(op) | uint64_t(dbl) << 8), read_i(s, dbl, m)}));
      return true;
    }
    case 7: {
      if (!P) {  // VRINTX
        write(s, dbl, d,
              call_fp(s, FpHelper::un, itype(dbl),
                      {imm64(uint64_t(FpOp::RintX) | uint64_t(dbl) << 8), read_i(s, dbl, m)}));
        return true;
      }
      // VCVT between single and double: the destination has the other size.
      const unsigned dd = sd_reg(!dbl, vd, D);
      Arg r = call_fp(s, FpHelper::cvt, Type::I64, {imm64((dbl ? 64 : 32) | (dbl ? 32 : 64) << 8), read_i(s, dbl, m)});
      write(s, !dbl, dd, dbl ? s.ir.trunc64_to_32(r) : r);
      return true;
    }
    case 8: {  // VCVT.F32/F64 from S32 (P) / U32 integer in an S register
      const unsigned sm = vm << 1 | M;
      Arg v = s.ir.zext32_to_64(read_i(s, false, sm));
      if (P) v = s.ir.sext32_to_64(read_i(s, false, sm));
      Arg r = call_fp(s, FpHelper::from_int, itype(dbl), {imm64(fp_int_desc(0, kRoundFpcr, !P, false, dbl)), v});
      write(s, dbl, d, r);
      return true;
    }
    case 12:
    case 13: {  // VCVT{R}.S32/U32 (13 signed) from F32/F64: P = round toward zero, else FPSCR
      const unsigned sd = vd << 1 | D;
      const uint64_t desc = fp_int_desc(0, P ? fp::kZero : kRoundFpcr, opc2 == 12, false, dbl);
      Arg r = call_fp(s, FpHelper::to_int, Type::I64, {imm64(desc), read_i(s, dbl, m)});
      write(s, false, sd, s.ir.trunc64_to_32(r));
      return true;
    }
    default: return false;
  }
}

// VCVT between floating point and fixed point, in place: op (bit 18) 1 = to fixed (rounding toward
// zero), else from fixed (to nearest, whatever FPSCR.RMode says, as the Arm ARM and qemu-arm do), U unsigned,
// sx 16- or 32-bit fixed point, fbits = size - imm5.
bool VFP_FIXED(S& s, bool D, bool to_fixed, bool U, uint32_t vd, bool sz, bool sx, uint32_t i, uint32_t imm4) {
  const bool dbl = sz;
  const unsigned size = sx ? 32 : 16, imm5 = imm4 << 1 | i;
  if (imm5 > size) return false;
  const unsigned fbits = size - imm5;
  const unsigned d = sd_reg(dbl, vd, D);
  if (to_fixed && size == 16) {
    Arg r = s.ir.call(Type::I64, neon_helper_id(NeonHelper::vfp_to_fixed16),
                      {read_i(s, dbl, d), imm64(fbits | unsigned(U) << 8 | unsigned(dbl) << 9)});
    write(s, dbl, d, dbl ? r : s.ir.trunc64_to_32(r));
  } else if (to_fixed) {
    Arg r = call_fp(s, FpHelper::to_int, Type::I64,
                    {imm64(fp_int_desc(fbits, fp::kZero, U, false, dbl)), read_i(s, dbl, d)});
    // The 32-bit result is extended into a D register (sign-extended when signed).
    if (dbl && !U) r = s.ir.sext32_to_64(s.ir.trunc64_to_32(r));
    write(s, dbl, d, dbl ? r : s.ir.trunc64_to_32(r));
  } else {
    Arg v = dbl ? s.ir.trunc64_to_32(read_i(s, true, d)) : read_i(s, false, d);
    if (size == 16) v = U ? s.ir.zext(v, 16) : s.ir.sext(v, 16);
    Arg w = U ? s.ir.zext32_to_64(v) : s.ir.sext32_to_64(v);
    write(s, dbl, d,
          call_fp(s, FpHelper::from_int, itype(dbl), {imm64(fp_int_desc(fbits, fp::kTieEven, U, false, dbl)), w}));
  }
  return true;
}

// ---- transfers ----
bool VMOV_core_s(S& s, bool to_core, uint32_t vn, uint32_t t, bool N) {
  const unsigned sn = vn << 1 | N;
  if (t == 15) return false;
  if (to_core)
    write_r(s, t, read_i(s, false, sn));
  else
    write(s, false, sn, read_r(s, t));
  return true;
}
bool VMOV_core_d(S& s, bool to_core, uint32_t t2, uint32_t t, bool sz, bool M, uint32_t vm) {
  if (t == 15 || t2 == 15 || (to_core && t == t2)) return false;
  if (sz) {  // two core registers <-> D
    const unsigned dm = M << 4 | vm;
    if (to_core) {
      Arg v = read_i(s, true, dm);
      write_r(s, t, s.ir.trunc64_to_32(v));
      write_r(s, t2, s.ir.trunc64_to_32(s.ir.shr(v, imm64(32))));
    } else {
      write(s, false, 2 * dm, read_r(s, t));
      write(s, false, 2 * dm + 1, read_r(s, t2));
    }
    return true;
  }
  const unsigned sm = vm << 1 | M;  // two core registers <-> S, S+1
  if (sm == 31) return false;
  if (to_core) {
    write_r(s, t, read_i(s, false, sm));
    write_r(s, t2, read_i(s, false, sm + 1));
  } else {
    write(s, false, sm, read_r(s, t));
    write(s, false, sm + 1, read_r(s, t2));
  }
  return true;
}
// VMOV between a core register and a scalar (a lane of D): opc1:opc2 select size and lane.
bool VMOV_scalar(S& s, bool U, uint32_t opc1, bool to_core, uint32_t vn, uint32_t t, bool N, uint32_t opc2) {
  if (t == 15) return false;
  const unsigned dn = N << 4 | vn;
  const unsigned sel = opc1 << 2 | opc2;
  unsigned esize, lane;
  if (sel & 8)
    esize = 8, lane = sel & 7;
  else if (sel & 1)
    esize = 16, lane = (sel >> 1) & 3;
  else if ((sel & 3) == 0)
    esize = 32, lane = (sel >> 2) & 1;
  else
    return false;
  if (esize == 32 && U) return false;
  const uint32_t byte_off = dreg(dn) + lane * esize / 8;
  if (to_core) {
    Arg v = s.ir.get_state(Type::I32, byte_off & ~3u);
    const unsigned shift = (byte_off & 3) * 8;
    if (esize < 32) v = U ? s.ir.extract(v, shift, esize) : s.ir.sextract(v, shift, esize);
    write_r(s, t, v);
  } else {
    if (U) return false;
    Arg old = s.ir.get_state(Type::I32, byte_off & ~3u);
    const unsigned shift = (byte_off & 3) * 8;
    s.ir.set_state(byte_off & ~3u, esize == 32 ? read_r(s, t) : s.ir.deposit(old, read_r(s, t), shift, esize));
  }
  return true;
}
bool VDUP_core(S& s, bool B, bool Q, uint32_t vd, uint32_t t, bool D, bool E) {
  if (t == 15 || (B && E)) return false;
  const unsigned esize_log2 = B ? 0 : E ? 1 : 2;
  const unsigned dd = D << 4 | vd;
  if (Q && (dd & 1)) return false;
  Arg v = s.ir.vdup(read_r(s, t), esize_log2);
  if (Q) {
    s.ir.set_state(dreg(dd), v);
  } else {
    s.ir.set_state(dreg(dd), s.ir.vextract(Type::I64, v, 0, 3));
  }
  return true;
}

// VMRS/VMSR: reg 1 FPSCR; VMRS also reads FPSID (0) and MVFR0/1 (7/6), as Linux lets EL0 do.
bool VMRS(S& s, uint32_t reg, uint32_t t) {
  if (reg == 1) {
    if (t == 15) {  // APSR_nzcv = FPSCR.NZCV
      Arg v = s.ir.zext32_to_64(s.ir.get_state(Type::I32, kFpscrNzcv));
      s.ir.set_state(kNfOffset, s.ir.shl(v, imm64(32)));
      s.ir.set_state(kZfOffset, s.ir.xor_(s.ir.and_(v, imm64(1u << 30)), imm64(1u << 30)));
      s.ir.set_state(kCfOffset, s.ir.extract(v, 29, 1));
      s.ir.set_state(kVfOffset, s.ir.shl(v, imm64(35)));
      s.flags = FlagSource{};
      return true;
    }
    write_r(s, t, s.ir.call(Type::I32, a32_helper_id(A32Helper::get_fpscr), {}));
    return true;
  }
  if (t == 15) return false;
  switch (reg) {
    case 0: write_r(s, t, imm32(0x410430f0)); return true;  // FPSID of a Cortex-A15 (VFPv4)
    case 6: write_r(s, t, imm32(0x11111111)); return true;  // MVFR1
    case 7: write_r(s, t, imm32(0x10110222)); return true;  // MVFR0: D32, single/double, no traps
    case 8: write_r(s, t, imm32(0x40000000)); return true;  // FPEXC.EN
    default: return false;
  }
}
bool VMSR(S& s, uint32_t reg, uint32_t t) {
  if (reg != 1 || t == 15) return false;
  // FPSCR's RMode/FZ/DN select the translation: continue through a lookup under the new flags.
  s.ir.call_void(a32_helper_id(A32Helper::set_fpscr), {read_r(s, t)});
  s.ir.exit_loop(tcg::kExitLookup, imm64(s.next_pc()));
  s.ended = true;
  return true;
}

// ---- loads and stores ----
bool VLDR(S& s, bool U, bool D, bool L, uint32_t n, uint32_t vd, bool sz, uint32_t imm8) {
  const unsigned d = sd_reg(sz, vd, D);
  Arg base = n == 15 ? imm32(s.pc_aligned()) : read_r(s, n);
  Arg addr = gen_addr(s, U ? s.ir.add(base, imm32(imm8 * 4)) : s.ir.sub(base, imm32(imm8 * 4)));
  if (L)
    write(s, sz, d, s.ir.load(itype(sz), addr, sz ? MemOp::k64 : MemOp::k32));
  else
    s.ir.store(addr, read_i(s, sz, d), sz ? MemOp::k64 : MemOp::k32);
  return true;
}
bool VLDM(S& s, bool P, bool U, bool D, bool W, bool L, uint32_t n, uint32_t vd, bool sz, uint32_t imm8) {
  if (P == U || (P && !W) || n == 15) return false;  // IA (P=0 U=1) or DB with writeback
  const unsigned first = sd_reg(sz, vd, D);
  const unsigned count = sz ? imm8 / 2 : imm8;  // FLDMX: imm8 odd, one word more transferred
  if (count == 0 || first + count > 32 || (sz && count > 16)) return false;
  Arg base = read_r(s, n);
  Arg start = U ? base : s.ir.sub(base, imm32(imm8 * 4));
  for (unsigned k = 0; k < count; ++k) {
    Arg addr = gen_addr(s, s.ir.add(start, imm32(k * (sz ? 8 : 4))));
    if (L)
      write(s, sz, first + k, s.ir.load(itype(sz), addr, sz ? MemOp::k64 : MemOp::k32));
    else
      s.ir.store(addr, read_i(s, sz, first + k), sz ? MemOp::k64 : MemOp::k32);
  }
  if (W) write_r(s, n, U ? s.ir.add(base, imm32(imm8 * 4)) : start);
  return true;
}

// ---- the ARMv8 additions (unconditional, 1111 1110) ----
// VSEL<cc>: cc 0 EQ, 1 VS, 2 GE, 3 GT.
bool VSEL(S& s, bool D, uint32_t cc, uint32_t vn, uint32_t vd, bool sz, bool N, bool M, uint32_t vm) {
  static constexpr unsigned kCond[4] = {0, 6, 10, 12};
  const CondTest t = gen_test_cc(s, kCond[cc]);
  Arg c = s.ir.setcond(t.c, t.a, t.b, itype(sz));
  Arg a = read_i(s, sz, sd_reg(sz, vn, N)), b = read_i(s, sz, sd_reg(sz, vm, M));
  write(s, sz, sd_reg(sz, vd, D), s.ir.select(c, a, b));
  return true;
}
bool VMAXNM(S& s, bool D, uint32_t vn, uint32_t vd, bool sz, bool N, bool min, bool M, uint32_t vm) {
  Arg r = helper_bin(s, min ? FpOp::MinNm : FpOp::MaxNm, sz, read_i(s, sz, sd_reg(sz, vn, N)),
                     read_i(s, sz, sd_reg(sz, vm, M)));
  write(s, sz, sd_reg(sz, vd, D), r);
  return true;
}
// rm: 0 A (ties away), 1 N (ties even), 2 P, 3 M.
constexpr FpOp kRintOp[4] = {FpOp::RintA, FpOp::RintN, FpOp::RintP, FpOp::RintM};
constexpr fp::Rounding kRmRounding[4] = {fp::kTieAway, fp::kTieEven, fp::kPosInf, fp::kNegInf};
bool VRINT_rm(S& s, bool D, uint32_t rm, uint32_t vd, bool sz, bool M, uint32_t vm) {
  write(s, sz, sd_reg(sz, vd, D),
        call_fp(s, FpHelper::un, itype(sz),
                {imm64(uint64_t(kRintOp[rm]) | uint64_t(sz) << 8), read_i(s, sz, sd_reg(sz, vm, M))}));
  return true;
}
bool VCVT_rm(S& s, bool D, uint32_t rm, uint32_t vd, bool sz, bool is_signed, bool M, uint32_t vm) {
  const uint64_t desc = fp_int_desc(0, kRmRounding[rm], !is_signed, false, sz);
  Arg r = call_fp(s, FpHelper::to_int, Type::I64, {imm64(desc), read_i(s, sz, sd_reg(sz, vm, M))});
  write(s, false, vd << 1 | D, s.ir.trunc64_to_32(r));
  return true;
}

#define INST(fn, name, bits) make_pattern<bits, &fn>(name)
// clang-format off
constexpr A32Pattern kTable[] = {
  INST(VFP_DP,      "vfp 3-reg",       "----1110oDppnnnndddd101sNqM0mmmm"),
  INST(VFP_MOVI,    "vmov (imm)",      "----11101D11iiiidddd101s0000jjjj"),
  INST(VFP_2R,      "vfp 2-reg",       "----11101D11oooodddd101sP1M0mmmm"),
  INST(VFP_FIXED,   "vcvt (fixed)",    "----11101D111o1udddd101sx1i0jjjj"),
  INST(VMOV_core_s, "vmov (core, s)",  "----1110000onnnntttt1010N0010000"),
  INST(VMOV_core_d, "vmov (2 core)",   "----1100010occcctttt101s00M1mmmm"),
  INST(VMOV_scalar, "vmov (scalar)",   "----1110uoolnnnntttt1011Npp10000"),
  INST(VDUP_core,   "vdup (core)",     "----11101bq0ddddtttt1011D0e10000"),
  INST(VMRS,        "vmrs",            "----11101111rrrrtttt101000010000"),
  INST(VMSR,        "vmsr",            "----11101110rrrrtttt101000010000"),
  INST(VLDR,        "vldr/vstr",       "----1101uD0Lnnnndddd101siiiiiiii"),
  INST(VLDM,        "vldm/vstm",       "----110PUDWLnnnndddd101siiiiiiii"),
  INST(VSEL,        "vsel",            "111111100Dccnnnndddd101sN0M0mmmm"),
  INST(VMAXNM,      "vmaxnm/vminnm",   "111111101D00nnnndddd101sNoM0mmmm"),
  INST(VRINT_rm,    "vrint{a,n,p,m}",  "111111101D1110rrdddd101s01M0mmmm"),
  INST(VCVT_rm,     "vcvt{a,n,p,m}",   "111111101D1111rrdddd101so1M0mmmm"),
};
// clang-format on
#undef INST
}  // namespace

bool trans_a32_vfp(A32Context& s, uint32_t insn) {
  static const PatternMatcher<A32Context> matcher(kTable, std::size(kTable), 24, 4);
  const A32Pattern* p = matcher.find(insn);
  // The unconditional (1111) encodings are only the ARMv8 entries that spell 1111 out.
  if (p && (insn >> 28) == 0xf && (p->match >> 28) != 0xf) return false;
  return p && p->fn(s, insn);
}

}  // namespace mimic::arm
