// AArch32 VFP (coprocessors 10/11) and Advanced SIMD: decoded from their own tables.
#include "target/arm/trans_a32.h"

namespace mimic::arm {

bool trans_a32_vfp(A32Context&, uint32_t) { return false; }
bool trans_a32_neon(A32Context&, uint32_t) { return false; }

}  // namespace mimic::arm
