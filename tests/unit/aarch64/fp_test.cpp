// Tests for the fp area of the AArch64 translator (see target/arm/trans_fp.h).
#include "tests/unit/aarch64/harness.h"
