// The Advanced SIMD (NEON) helpers (and VFP's 16-bit fixed-point conversion) of AArch32 that the AArch64 ones do not
// already provide: the operations that write two registers (VTRN/VUZP/VZIP/VSWP), byte shuffles (VREV, VEXT, VTBL),
// structure (de)interleaving for VLD2-4/VST2-4, VCNT, VMULL.P64, and the wrapper that runs an
// AArch64 floating-point vector helper under the Standard FPSCR value NEON arithmetic uses.
//
// They work on the D registers in place (D<n> is the 8 bytes at A64Cpu::v + 8n); register numbers
// and sizes are plain integer arguments, so they are registered kReadsState | kWritesState.
#pragma once

#include <cstdint>

namespace mimic::arm {

enum class NeonHelper : uint16_t {
  std_fp,          // (a64 helper's function (its HelperFn), a1, a2, a3): runs it with FPCR = the Standard FPSCR value
  rev,             // (d, m, nregs | esz << 4 | group << 8): VREV16/32/64 (group: log2 bytes of the reversed group)
  cnt,             // (d, m, nregs): VCNT.8
  perm,            // (d, m, op | esz << 4 | nregs << 8): op 0 VSWP, 1 VTRN, 2 VUZP, 3 VZIP
  ext,             // (d, n, m | imm4 << 8 | nregs << 16): VEXT.8
  tbl,             // (d, n, m | len << 8 | tbx << 12): VTBL/VTBX with table D<n>..D<n+len-1>
  pmull64,         // (d, n, m): VMULL.P64 Q<d/2> = D<n> x D<m> carry-less
  deinterleave,    // (d, members | inc << 4 | regs << 8 | esz << 12): VLD2-4 from the image in V16-V17
  interleave,      // (d, members | inc << 4 | regs << 8 | esz << 12): VST2-4 image into V16-V17
  recps,           // (d, n, m | q << 5 | rsqrt << 6): VRECPS/VRSQRTS.F32, ARMv7's unfused step (Standard FPSCR)
  vfp_to_fixed16,  // (a, fbits | unsigned << 8 | dbl << 9) -> VCVT to 16-bit fixed point, extended to the register
  crypto,          // (d, n, m | op << 8): Q registers (D numbers); op a NeonCrypto
  kCount
};

enum class NeonCrypto : uint8_t {
  aese,
  aesd,
  aesmc,
  aesimc,
  sha1c,
  sha1p,
  sha1m,
  sha1su0,
  sha256h,
  sha256h2,
  sha256su1,
  sha1h,
  sha1su1,
  sha256su0
};

// Scratch: AArch32 uses V0-V15 only (Q0-Q15, D0-D31); V16-V31 hold operands staged for the
// AArch64 helpers and the memory images of structure loads/stores.
constexpr unsigned kNeonScratch = 16;

uint32_t neon_helper_id(NeonHelper h);

}  // namespace mimic::arm
