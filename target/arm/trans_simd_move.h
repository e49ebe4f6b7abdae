// Visitors for: AdvSIMD structure loads/stores (LD1-LD4, ST1-ST4, single lanes, replicate), copies (DUP/INS/UMOV/SMOV), modified immediates, bitwise ops, table lookups, permutes, EXT, REV*, CNT, NOT, RBIT.
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// clang-format off
// Structure loads/stores (trans_simd_ldst.cpp). m = 32: no writeback (the no-offset forms).
bool trans_SIMD_LDST_multi(DisasContext& s, bool Q, bool L, uint32_t opcode, uint32_t size, uint32_t n, uint32_t t);
bool trans_SIMD_LDST_multi_post(DisasContext& s, bool Q, bool L, uint32_t m, uint32_t opcode, uint32_t size, uint32_t n, uint32_t t);
bool trans_SIMD_LDST_single(DisasContext& s, bool Q, bool L, bool R, uint32_t opcode, bool S, uint32_t size, uint32_t n, uint32_t t);
bool trans_SIMD_LDST_single_post(DisasContext& s, bool Q, bool L, bool R, uint32_t m, uint32_t opcode, bool S, uint32_t size, uint32_t n, uint32_t t);

// Copies (trans_simd_move.cpp).
bool trans_SIMD_DUP_elem(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d);
bool trans_SIMD_DUP_gen(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d);
bool trans_SIMD_INS_gen(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d);
bool trans_SIMD_SMOV(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d);
bool trans_SIMD_UMOV(DisasContext& s, bool Q, uint32_t imm5, uint32_t n, uint32_t d);
bool trans_SIMD_INS_elem(DisasContext& s, bool Q, uint32_t imm5, uint32_t imm4, uint32_t n, uint32_t d);
bool trans_SIMD_DUP_scalar(DisasContext& s, uint32_t imm5, uint32_t n, uint32_t d);
// Modified immediate: MOVI/MVNI/ORR/BIC/FMOV (vector, immediate).
bool trans_SIMD_MODIMM(DisasContext& s, bool Q, bool op, uint32_t abc, uint32_t cmode, uint32_t defgh, uint32_t d);
// Three-same logical: AND/BIC/ORR/ORN (U = 0), EOR/BSL/BIT/BIF (U = 1), selected by size.
bool trans_SIMD_LOGIC(DisasContext& s, bool Q, bool U, uint32_t size, uint32_t m, uint32_t n, uint32_t d);

// Table lookups, permutes, EXT, two-register misc (trans_simd_perm.cpp).
bool trans_SIMD_TBL(DisasContext& s, bool Q, uint32_t m, uint32_t len, bool tbx, uint32_t n, uint32_t d);
bool trans_SIMD_PERM(DisasContext& s, bool Q, uint32_t size, uint32_t m, uint32_t op, uint32_t n, uint32_t d);
bool trans_SIMD_EXT(DisasContext& s, bool Q, uint32_t m, uint32_t imm4, uint32_t n, uint32_t d);
bool trans_SIMD_REV64(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d);
bool trans_SIMD_REV16(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d);
bool trans_SIMD_REV32(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d);
bool trans_SIMD_CNT(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d);
bool trans_SIMD_NOT_RBIT(DisasContext& s, bool Q, uint32_t size, uint32_t n, uint32_t d);
// clang-format on

}  // namespace mimic::arm
