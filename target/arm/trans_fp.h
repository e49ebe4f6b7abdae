// Visitors for: Scalar floating point (data processing, compares, conversions, FMOV) and every AdvSIMD floating-point form (vector and scalar three-same, two-register misc, by element, pairwise, across lanes, fixed-point conversions).
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// clang-format off
// clang-format on

}  // namespace mimic::arm
