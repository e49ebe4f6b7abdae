// The guest FP environment accessors (cpu.h): FPCR and FPSR assembled from A64Cpu, the MXCSR
// (cumulative flags of inline FP code, rounding control) and tb_flags.
#include <immintrin.h>

#include "target/arm/cpu.h"
#include "target/arm/fpu.h"

namespace mimic::arm {

namespace {
// FPCR bits of this implementation: AHP, DN, FZ, RMode (no FP16, no trapping, no AFP: the rest
// is RES0 or RAZ/WI). FPSR: N Z C V QC (bits 31-27), IDC and IXC..IOC.
constexpr uint32_t kFpcrMask = 0x07c00000;
constexpr uint32_t kFpsrMask = 0xf800009f;
constexpr uint32_t kMxFlags = 0x3f, kMxRcShift = 13, kMxRc = 3u << kMxRcShift;

uint32_t guest_mxcsr(const A64Cpu& c) { return c.mxcsr_live ? _mm_getcsr() : c.guest_mxcsr; }
void set_guest_mxcsr(A64Cpu& c, uint32_t m) {
  if (c.mxcsr_live)
    _mm_setcsr(m);
  else
    c.guest_mxcsr = m;
}
}  // namespace

uint32_t get_fpcr(const A64Cpu& c) { return c.fpcr; }

void set_fpcr(A64Cpu& c, uint32_t v) {
  v &= kFpcrMask;
  c.fpcr = v;
  c.tb_flags = (c.tb_flags & ~kTbFpcrMask) | ((v >> kTbFpcrShift) & kTbFpcrMask);
  uint32_t rc = fp::rmode_to_mxcsr_rc((v >> fp::kFpcrRModeShift) & 3);
  set_guest_mxcsr(c, (guest_mxcsr(c) & ~kMxRc) | (rc << kMxRcShift));
}

uint32_t get_fpsr(const A64Cpu& c) { return (c.fpsr & kFpsrMask) | fp::mxcsr_to_fpsr(guest_mxcsr(c)); }

void set_fpsr(A64Cpu& c, uint32_t v) {
  c.fpsr = v & kFpsrMask;
  set_guest_mxcsr(c, guest_mxcsr(c) & ~kMxFlags);
}

}  // namespace mimic::arm
