// Helpers for the AArch64 cryptographic extensions: one helper, the operation in a descriptor.
#pragma once

#include <cstdint>

namespace mimic::arm::crypto {

// Every operation reads V registers d, n, m (and a) and writes the whole of V register d.
enum class Op : uint8_t {
  kAese,
  kAesd,
  kAesmc,
  kAesimc,
  kSha1c,
  kSha1p,
  kSha1m,
  kSha1su0,
  kSha256h,
  kSha256h2,
  kSha256su1,
  kSha1h,
  kSha1su1,
  kSha256su0,
  kSha512h,
  kSha512h2,
  kSha512su1,
  kRax1,
  kSha512su0,
  kEor3,
  kBcax,
  kXar,
  kPmull64,
  kPmull64Hi,
  kSm3partw1,
  kSm3partw2,
  kSm3ss1,
  kSm3tt1a,
  kSm3tt1b,
  kSm3tt2a,
  kSm3tt2b,
  kSm4e,
  kSm4ekey,
};

struct Desc {
  Op op;
  unsigned d = 0, n = 0, m = 0, a = 0, imm = 0;
  uint64_t pack() const {
    return uint64_t(op) | uint64_t(d) << 8 | uint64_t(n) << 13 | uint64_t(m) << 18 | uint64_t(a) << 23 |
           uint64_t(imm) << 28;
  }
  static Desc unpack(uint64_t v) {
    return Desc{Op(v & 0xff),           unsigned(v >> 8) & 31,  unsigned(v >> 13) & 31,
                unsigned(v >> 18) & 31, unsigned(v >> 23) & 31, unsigned(v >> 28) & 63};
  }
};

uint32_t helper_id();

}  // namespace mimic::arm::crypto
