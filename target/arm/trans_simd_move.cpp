// AdvSIMD structure loads/stores (LD1-LD4, ST1-ST4, single lanes, replicate), copies (DUP/INS/UMOV/SMOV), modified immediates, bitwise ops, table lookups, permutes, EXT, REV*, CNT, NOT, RBIT.
#include "target/arm/trans_simd_move.h"

#include "target/arm/simd.h"

namespace mimic::arm {}  // namespace mimic::arm
