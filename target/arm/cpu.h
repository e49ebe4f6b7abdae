// The AArch64 guest CPU state (EL0 view) and its exit reasons; generated code reaches every field by offsetof.
//
// Condition flags use QEMU's representation so that a flag-setting instruction costs a few plain
// stores (which the optimizer's dead-store elimination drops when the next flag setter in the block
// overwrites them) and every condition is one or two compares of these fields:
//   N = nf bit 63        (nf holds the result, sign-extended to 64 bits for W forms)
//   Z = (zf == 0)        (zf holds the result, zero-extended for W forms)
//   C = cf               (exactly 0 or 1)
//   V = vf bit 63        (only bit 63 is meaningful; the other bits are whatever was cheapest)
// Use get_nzcv()/set_nzcv() below for the architectural NZCV value (signal frames, gdb, MRS).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcg/exec/cpu_base.h"

namespace mimic::arm {

// Exit reasons of AArch64 translated code (ExitLoop immediates), above the engine's own.
// The linux-user cpu loop maps them to: svc → syscall, brk → SIGTRAP, udf/illegal → SIGILL,
// fetch fault → SIGSEGV, pc alignment → SIGBUS, ic invalidate → flush translations and go on.
enum ExitReason : uint32_t {
  kExitSvc = tcg::kExitGuestBase,  // pc is the svc instruction itself; the cpu loop advances pc by 4
                                   // after the syscall; svc_imm holds the instruction's imm16
  kExitBrk,                        // pc is the brk instruction; svc_imm holds its imm16 (the esr comment)
  kExitUdf,                        // pc is a permanently undefined instruction (UDF #imm16)
  kExitIllegal,                    // pc is an unallocated/unimplemented encoding or an EL0-inaccessible
                                   // system register access
  kExitFetchFault,                 // pc could not be fetched; fault_addr is its address
  kExitIcInvalidate,               // IC IVAU: pc is the next instruction; ic_inval_addr the address whose
                                   // cache line (64 bytes, CTR_EL0.IminLine) was invalidated: the loop
                                   // drops translations of that page and continues
  kExitPcAlignment,                // a branch went to a pc that is not 4-byte aligned: pc is that target
  // System mode only (target/arm/excp.cpp carries them out on the ArmCpu's loop).
  kExitException,    // a helper recorded a synchronous exception in sys.exc_*: pc is the instruction
  kExitEret,         // pc is the eret
  kExitHvc,          // pc is the hvc; svc_imm its imm16
  kExitSmc,          // pc is the smc; svc_imm its imm16
  kExitWfi,          // pc is the wfi
  kExitWfe,          // pc is the wfe
  kExitSysregUndef,  // pc is an MRS/MSR/SYS of an encoding this CPU lacks or denies at this EL
  kExitFpTrap,       // pc is an FP/SIMD instruction trapped by CPACR_EL1.FPEN
  kExitSev,          // SEV/SEVL: pc is the next instruction; WFE sleepers wake
};

// One 128-bit SIMD&FP register; B/H/S/D views are the low bytes (little-endian host).
struct alignas(16) VReg {
  uint64_t lo = 0, hi = 0;
};

// System register values this CPU reports (Cortex-A72 r0p3 with the features implemented here,
// as Linux's EL0 ID-register emulation presents them).
inline constexpr uint64_t kMidr = 0x410fd083;
inline constexpr uint64_t kCtr = 0x8444c004;  // 64-byte I and D lines, PIPT I-cache
inline constexpr uint64_t kDczid = 4;         // DC ZVA zeroes 4 << 4 = 64 bytes
inline constexpr unsigned kDcZvaBytes = 64;
inline constexpr uint64_t kCntfrq = 1000000000;  // CNTVCT counts nanoseconds

struct A64Cpu : tcg::CpuBase {
  uint64_t x[31] = {};  // X0..X30; register number 31 is SP or XZR depending on the encoding
  uint64_t sp = 0;
  // NZCV in the lazy form described at the top of this file.
  uint64_t nf = 0, zf = 1, cf = 0, vf = 0;
  uint64_t tpidr_el0 = 0;
  uint64_t tpidrro_el0 = 0;  // read-only at EL0
  // FPCR (the bits implemented) and FPSR (QC and the flags helpers computed): use the accessors below.
  uint32_t fpcr = 0, fpsr = 0;
  // Exclusive monitor: LDXR records the address and the value loaded; STXR succeeds by a
  // compare-and-swap against that value (as QEMU does), which is correct under real host threads
  // except for ABA, which Arm allows (a store of the same value may or may not clear a monitor).
  uint64_t excl_addr = ~0ull;  // ~0: no exclusive access pending (CLREX, after STXR)
  uint64_t excl_val = 0;       // the value loaded (low doubleword of a pair)
  uint64_t excl_val2 = 0;      // LDXP of doublewords: the high doubleword
  uint32_t excl_size = 0;      // log2 bytes of the whole access (4 = 128-bit pair); STXR of another size fails
  uint32_t svc_imm = 0;        // with kExitSvc / kExitBrk
  uint64_t ic_inval_addr = 0;  // with kExitIcInvalidate
  VReg v[32];                  // SIMD&FP registers (FP/SIMD data processing is added separately)
  // System mode (target/arm/system.h): exception levels, system registers, timers. linux-user
  // never reads it; it stays last so the fields above keep their offsets.
  struct ArmSysState* sys = nullptr;
};

inline uint32_t xreg_offset(unsigned r) { return uint32_t(offsetof(A64Cpu, x) + 8 * r); }
inline uint32_t vreg_offset(unsigned r) { return uint32_t(offsetof(A64Cpu, v) + 16 * r); }

// FPCR and FPSR as the architecture defines them (fpenv.cpp). The FP translator keeps parts of
// them elsewhere: the cumulative exception flags raised by inline FP code in the MXCSR
// (CpuBase::guest_mxcsr, or the live register inside translated code and helpers), FPCR.RMode also
// in the MXCSR rounding control, and RMode/FZ/DN/AHP in tb_flags (blocks are translated for
// them). So everything (MRS/MSR, signal frames, tests) reads and writes them only through these.
// set_fpcr changes tb_flags: translated code calling it must end the block with a lookup exit.
uint32_t get_fpcr(const A64Cpu& c);
void set_fpcr(A64Cpu& c, uint32_t v);
uint32_t get_fpsr(const A64Cpu& c);
void set_fpsr(A64Cpu& c, uint32_t v);

// tb_flags of AArch64: bits 0-4 hold FPCR bits 22-26 (RMode, FZ, DN, AHP).
constexpr uint32_t kTbFpcrShift = 22;
constexpr uint32_t kTbFpcrMask = 0x1f;
constexpr uint32_t kTbFz = 1u << 2, kTbDn = 1u << 3, kTbAhp = 1u << 4;
// System mode adds (linux-user leaves them 0): the exception level code runs at, the MMU index
// of its loads and stores, and whether FP/SIMD instructions trap (CPACR_EL1.FPEN).
constexpr uint32_t kTbElShift = 5, kTbElMask = 3u << kTbElShift;
constexpr uint32_t kTbMmuShift = 7, kTbMmuMask = 7u << kTbMmuShift;
constexpr uint32_t kTbFpTrap = 1u << 10;
// HCR_EL2.TPCP/TPU trap this EL's DC/IC by VA to EL2: they call the helper instead of nothing.
constexpr uint32_t kTbCacheTrap = 1u << 11;
// Some guest hardware breakpoint (DBGBCR<n>.E, MDSCR_EL1.MDE) is armed: every instruction first
// asks the breakpoint helper whether it matches.
constexpr uint32_t kTbGuestBp = 1u << 12;
// HCR_EL2.E2H and TGE (VHE's host): EL2's LDTR/STTR use EL0's permissions in the EL2&0 regime.
constexpr uint32_t kTbEl2Host = 1u << 13;
// PSTATE.SP = 0 at EL1 or above: MRS/MSR SP_EL0 are UNDEFINED there (the helper raises it).
constexpr uint32_t kTbSpSel0 = 1u << 14;
// EL0/EL1 under an HCR_EL2 that applies (non-zero): its traps and virtual interrupts make every
// system register access go through the helpers (none is done inline).
constexpr uint32_t kTbHypControls = 1u << 15;
inline unsigned tb_rmode(uint32_t tb_flags) { return tb_flags & 3; }

// The architectural NZCV value (bits 31..28) from the lazy fields, and back.
inline uint32_t get_nzcv(const A64Cpu& c) {
  return uint32_t((c.nf >> 63) << 31 | uint64_t(c.zf == 0) << 30 | (c.cf & 1) << 29 | (c.vf >> 63) << 28);
}
inline void set_nzcv(A64Cpu& c, uint32_t nzcv) {
  c.nf = (nzcv >> 31) & 1 ? ~0ull : 0;
  c.zf = (nzcv >> 30) & 1 ? 0 : 1;
  c.cf = (nzcv >> 29) & 1;
  c.vf = (nzcv >> 28) & 1 ? ~0ull : 0;
}

}  // namespace mimic::arm
