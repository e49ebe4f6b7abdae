// Tests for the simd_move area of the AArch64 translator (see target/arm/trans_simd_move.h).
#include "tests/unit/aarch64/harness.h"
