// AdvSIMD integer arithmetic: three-same, three-different (widening/narrowing), two-register misc, shifts by immediate, by element, across lanes, pairwise, and their scalar forms.
#include "target/arm/trans_simd_arith.h"

#include "target/arm/simd.h"

namespace mimic::arm {}  // namespace mimic::arm
