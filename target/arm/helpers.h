// The AArch64 helper functions that translated code calls (CRC32, 128-bit exclusives, counters).
#pragma once

#include <cstdint>

namespace mimic::arm {

enum class Helper : uint16_t {
  crc32,   // (acc, value, bytes) -> CRC-32 (polynomial 0x04C11DB7, reflected) of the low `bytes` bytes
  crc32c,  // same with the Castagnoli polynomial 0x1EDC6F41
  stxp64,  // (addr, lo, hi) -> 0 when the 128-bit CAS against excl_val/excl_val2 succeeded, else 1
  casp64,  // (addr, s, t): CASP Xs,Xs+1,Xt,Xt+1,[addr] on 128 bits; writes the old pair to Xs,Xs+1
  cntvct,  // () -> the virtual counter (nanoseconds, CNTFRQ_EL0 = 1 GHz)
  kCount
};

// The registry id of a helper (tcg/helper.h); all AArch64 helpers register on the first call.
uint32_t helper_id(Helper h);

// Exposed for tests.
uint32_t crc32_update(uint32_t acc, uint64_t value, unsigned bytes, bool castagnoli);

}  // namespace mimic::arm
