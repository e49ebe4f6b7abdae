// Scalar floating point (data processing, compares, conversions, FMOV) and every AdvSIMD floating-point form (vector and scalar three-same, two-register misc, by element, pairwise, across lanes, fixed-point conversions).
#include "target/arm/trans_fp.h"

#include "target/arm/simd.h"

namespace mimic::arm {}  // namespace mimic::arm
