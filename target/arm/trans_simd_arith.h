// Visitors for: AdvSIMD integer arithmetic: three-same, three-different (widening/narrowing), two-register misc, shifts by immediate, by element, across lanes, pairwise, and their scalar forms.
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// clang-format off
// clang-format on

}  // namespace mimic::arm
