// Visitors for: AdvSIMD structure loads/stores (LD1-LD4, ST1-ST4, single lanes, replicate), copies (DUP/INS/UMOV/SMOV), modified immediates, bitwise ops, table lookups, permutes, EXT, REV*, CNT, NOT, RBIT.
#pragma once

#include "target/arm/trans.h"

namespace mimic::arm {

// clang-format off
// clang-format on

}  // namespace mimic::arm
