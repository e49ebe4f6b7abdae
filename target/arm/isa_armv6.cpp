// in_armv6: which AArch32 encodings an ARMv6K CPU with VFPv2 (the ARM1176) has, for -cpu arm1176.
// The decode tables describe ARMv7-A (and the ARMv8 AArch32 additions); this lists the encodings
// ARMv6T2 and ARMv7 added, so that they are undefined on the older CPU as on the silicon.
#include <cstdint>

#include "target/arm/translate_a32.h"

namespace mimic::arm {

namespace {
struct Encoding {
  uint32_t mask, match;
};
// A32 (condition field masked off where the instruction has one).
constexpr Encoding kA32AddedInV6T2V7[] = {
    {0x0fb00000, 0x03000000},  // MOVW, MOVT
    {0x0fe00070, 0x07c00010},  // BFC, BFI
    {0x0fa00070, 0x07a00050},  // SBFX, UBFX
    {0x0fd0f0f0, 0x0710f010},  // SDIV, UDIV
    {0x0ff000f0, 0x00600090},  // MLS
    {0x0fff0ff0, 0x06ff0f30},  // RBIT
    {0x0f2000f0, 0x002000b0},  // LDRHT, STRHT (P = 0, W = 1)
    {0x0f3000d0, 0x003000d0},  // LDRSBT, LDRSHT
    {0xffffff00, 0xf57ff000},  // DMB, DSB, ISB, CLREX's neighbours (CLREX is ARMv6K: kept below)
    {0x0fb00ef0, 0x0eb00a00},  // VFPv3 VMOV (immediate)
    {0x0fba0e50, 0x0eba0a40},  // VFPv3 VCVT between floating and fixed point
};
constexpr uint32_t kClrex = 0xf57ff01f;
}  // namespace

bool in_armv6(bool thumb, unsigned len, uint32_t insn) {
  if (thumb) {
    if (len == 4) {  // of the 32-bit encodings ARMv6 has BL and BLX (immediate) only
      const uint32_t op = insn & 0xf800d000;
      return op == 0xf000d000 || op == 0xf000c000;
    }
    if ((insn & 0xf500) == 0xb100) return false;                          // CBZ, CBNZ
    if ((insn & 0xff00) == 0xbf00 && (insn & 0x000f) != 0) return false;  // IT
    return true;
  }
  if (insn == kClrex) return true;
  for (const Encoding& e : kA32AddedInV6T2V7)
    if ((insn & e.mask) == e.match) return false;
  return true;
}

}  // namespace mimic::arm
