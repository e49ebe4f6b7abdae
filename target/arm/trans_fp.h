// Visitors for: Scalar floating point (data processing, compares, conversions, FMOV) and every AdvSIMD floating-point
// form (vector and scalar three-same, two-register misc, by element, pairwise, across lanes, fixed-point conversions).
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// clang-format off
// Scalar floating point (trans_fp.cpp). tt is the ftype field (0 single, 1 double, 3 half).
bool trans_FP_DP1(DisasContext& s, uint32_t tt, uint32_t op, uint32_t n, uint32_t d);
bool trans_FP_CMP(DisasContext& s, uint32_t tt, uint32_t m, uint32_t n, bool E, bool Z);
bool trans_FP_IMM(DisasContext& s, uint32_t tt, uint32_t imm8, uint32_t d);
bool trans_FP_CCMP(DisasContext& s, uint32_t tt, uint32_t m, uint32_t cond, uint32_t n, bool E, uint32_t nzcv);
bool trans_FP_DP2(DisasContext& s, uint32_t tt, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_FP_CSEL(DisasContext& s, uint32_t tt, uint32_t m, uint32_t cond, uint32_t n, uint32_t d);
bool trans_FP_DP3(DisasContext& s, uint32_t tt, bool o1, uint32_t m, bool o0, uint32_t a, uint32_t n, uint32_t d);
bool trans_FP_INT(DisasContext& s, bool sf, uint32_t tt, uint32_t rmode, uint32_t op, uint32_t n, uint32_t d);
bool trans_FP_FIXED(DisasContext& s, bool sf, uint32_t tt, uint32_t rmode, uint32_t op, uint32_t scale, uint32_t n, uint32_t d);
// AdvSIMD floating point (trans_fp_simd.cpp): V_ vector, S_ scalar forms; a:z is the size field.
bool trans_V_FP3(DisasContext& s, bool Q, bool U, bool a, bool z, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_S_FP3(DisasContext& s, bool U, bool a, bool z, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_V_FP2(DisasContext& s, bool Q, bool U, bool a, bool z, uint32_t op, uint32_t n, uint32_t d);
bool trans_S_FP2(DisasContext& s, bool U, bool a, bool z, uint32_t op, uint32_t n, uint32_t d);
bool trans_V_FP2_CMP0(DisasContext& s, bool Q, bool U, bool z, uint32_t op, uint32_t n, uint32_t d);
bool trans_S_FP2_CMP0(DisasContext& s, bool U, bool z, uint32_t op, uint32_t n, uint32_t d);
bool trans_V_FP2_CVT(DisasContext& s, bool Q, bool U, bool z, bool o, uint32_t n, uint32_t d);
bool trans_S_FCVTXN(DisasContext& s, uint32_t n, uint32_t d);
bool trans_V_FPREDUCE(DisasContext& s, bool Q, bool a, bool z, uint32_t op, uint32_t n, uint32_t d);
bool trans_S_FPPAIR(DisasContext& s, bool a, bool z, uint32_t op, uint32_t n, uint32_t d);
bool trans_V_FPELEM_MLA(DisasContext& s, bool Q, bool z, bool L, bool M, uint32_t m, bool sub, bool H, uint32_t n, uint32_t d);
bool trans_V_FPELEM_MUL(DisasContext& s, bool Q, bool U, bool z, bool L, bool M, uint32_t m, bool H, uint32_t n, uint32_t d);
bool trans_S_FPELEM_MLA(DisasContext& s, bool z, bool L, bool M, uint32_t m, bool sub, bool H, uint32_t n, uint32_t d);
bool trans_S_FPELEM_MUL(DisasContext& s, bool U, bool z, bool L, bool M, uint32_t m, bool H, uint32_t n, uint32_t d);
bool trans_V_FPFIXED_D(DisasContext& s, bool Q, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d);
bool trans_V_FPFIXED_S(DisasContext& s, bool Q, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d);
bool trans_S_FPFIXED_D(DisasContext& s, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d);
bool trans_S_FPFIXED_S(DisasContext& s, bool U, uint32_t imm, uint32_t op, uint32_t n, uint32_t d);
// clang-format on

// Shared by the scalar and AdvSIMD translators: inline SSE may compute this block's FP results
// (FPCR.FZ = 0 in tb_flags; FZ needs input and output flushing), and the host has FMA3 for the
// fused forms (otherwise they call the helpers).
inline bool fp_fast(const DisasContext& s) { return !(s.tb_flags & kTbFz); }
bool host_fma();

}  // namespace mimic::arm
