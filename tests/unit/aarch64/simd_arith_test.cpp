// Tests for the simd_arith area of the AArch64 translator (see target/arm/trans_simd_arith.h).
#include "tests/unit/aarch64/harness.h"
