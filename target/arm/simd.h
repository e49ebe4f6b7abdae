// SIMD&FP register file access for the FP and AdvSIMD translators, and the calling convention of
// AdvSIMD helpers that work on whole registers in the CPU state.
//
// Register layout: V<n> is 16 bytes at vreg_offset(n); B/H/S/D views are its low bytes. Every write
// of a scalar (B/H/S/D) or a 64-bit vector (Q = 0) result zeroes the bits above it, as the
// architecture requires; use write_vreg_scalar / write_vreg_d / write_vreg_q so no path forgets.
#pragma once

#include <cstdint>

#include "target/arm/trans.h"
#include "tcg/helper.h"

namespace mimic::arm {

// Whole register (V128).
inline Arg read_vreg_q(DisasContext& s, unsigned r) { return s.ir.get_state(Type::V128, vreg_offset(r)); }
inline void write_vreg_q(DisasContext& s, unsigned r, Arg v) { s.ir.set_state(vreg_offset(r), v); }

// Low 64 bits as i64 (or f64 with t = F64), or the low 32 bits as i32/f32.
inline Arg read_vreg_lo(DisasContext& s, unsigned r, Type t) { return s.ir.get_state(t, vreg_offset(r)); }
// Lane `lane` of V<r> as an S (dbl = false: i32) or D (i64) element.
inline Arg read_vreg_lane(DisasContext& s, unsigned r, unsigned lane, bool dbl) {
  return s.ir.get_state(dbl ? Type::I64 : Type::I32, vreg_offset(r) + lane * (dbl ? 8 : 4));
}
// Bits 127:64 as i64.
inline Arg read_vreg_hi(DisasContext& s, unsigned r) { return s.ir.get_state(Type::I64, vreg_offset(r) + 8); }

// Writes a 64-bit value (i64/f64) to the low half and zeroes the high half (D scalar, Q = 0 vector).
inline void write_vreg_d(DisasContext& s, unsigned r, Arg v) {
  s.ir.set_state(vreg_offset(r), v);
  s.ir.set_state(vreg_offset(r) + 8, imm64(0));
}
// Writes an i32/f32 scalar (S) and zeroes bits 127:32. For B/H results pass the value zero-extended
// to i64 (the upper bits must already be 0).
inline void write_vreg_scalar(DisasContext& s, unsigned r, Arg v) {
  if (v.type == Type::I32) v = s.ir.zext32_to_64(v);
  if (v.type == Type::F32) v = s.ir.zext32_to_64(s.ir.bitcast(Type::I32, v));
  write_vreg_d(s, r, v);
}
// Writes a whole-vector result: Q = 0 keeps only the low 64 bits. The value stays one V128 (not
// two 64-bit halves), so a later vector read of the register forwards it without a memory trip.
inline void write_vec(DisasContext& s, unsigned r, bool q, Arg v) { write_vreg_q(s, r, q ? v : s.ir.vzero_high(v)); }
// Zeroes bits 127:64 (after a helper wrote a 64-bit vector result in place, for example).
inline void clear_vreg_high(DisasContext& s, unsigned r) { s.ir.set_state(vreg_offset(r) + 8, imm64(0)); }

// AdvSIMD helpers that read and write V registers through env take register numbers (and sizes,
// immediates ...) as plain integer arguments; register them with kReadsState | kWritesState so the
// optimizer keeps every V-register store before the call and reloads after it. A helper writing a
// Q = 0 result must zero bits 127:64 itself.
inline A64Cpu* a64_cpu(tcg::CpuBase* env) { return static_cast<A64Cpu*>(env); }

}  // namespace mimic::arm
