// Visitors for: AdvSIMD integer arithmetic: three-same, three-different (widening/narrowing), two-register misc, shifts by immediate, by element, across lanes, pairwise, and their scalar forms.
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// The rows (insns_simd_arith.inc) fix the opcode bits; each visitor reads Q/U/size/registers from
// s.insn and returns false for reserved or unallocated combinations.
// clang-format off
bool trans_SA_same(DisasContext& s);
bool trans_SA_same_scalar(DisasContext& s);
bool trans_SA_diff(DisasContext& s);
bool trans_SA_diff_scalar(DisasContext& s);
bool trans_SA_misc(DisasContext& s);
bool trans_SA_misc_scalar(DisasContext& s);
bool trans_SA_across(DisasContext& s);
bool trans_SA_addp_scalar(DisasContext& s);
bool trans_SA_shift_imm(DisasContext& s);
bool trans_SA_shift_imm_scalar(DisasContext& s);
bool trans_SA_elem(DisasContext& s);
bool trans_SA_elem_scalar(DisasContext& s);
// clang-format on

}  // namespace mimic::arm
