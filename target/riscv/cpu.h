// The RISC-V 64 guest CPU state; generated code reaches every field by offsetof from env.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcg/exec/cpu_base.h"

namespace mimic::riscv {

// Exit reasons of RISC-V translated code (ExitLoop immediates), above the engine's own.
enum ExitReason : uint32_t {
  kExitEcall = tcg::kExitGuestBase,  // pc is the ecall instruction
  kExitEbreak,                       // pc is the ebreak instruction
  kExitIllegal,                      // pc is the illegal instruction
  kExitFetchFault,                   // pc is the instruction that could not be fetched; fault_addr its first
                                     // unfetchable byte (equal to pc unless the instruction straddles pages)
  kExitFenceI,                       // fence.i: pc is the next instruction; invalidate translations, continue
};

// fflags bits (also the low 5 bits of fcsr).
enum FFlag : uint32_t { kFlagNX = 1, kFlagUF = 2, kFlagOF = 4, kFlagDZ = 8, kFlagNV = 16 };

// tb_flags of RISC-V: bits 0-2 hold frm, so blocks are translated for the dynamic rounding mode
// (inline SSE arithmetic when it is one MXCSR can do, the exact helpers otherwise).
constexpr uint32_t kTbFrmMask = 7;

struct RiscvCpu : tcg::CpuBase {
  uint64_t x[32] = {};  // x[0] is kept 0: translated code never writes it
  uint64_t f[32] = {};  // FP registers; single precision values are NaN-boxed
  // Accrued exception flags (NV DZ OF UF NX in bits 4..0) = this field | the MXCSR exception
  // flags of CpuBase::guest_mxcsr (inline FP ops raise them there): read and write them only
  // through fp_get_fflags / fp_set_fflags.
  uint32_t fflags = 0;
  uint32_t frm = 0;  // dynamic rounding mode: write it only through fp_set_frm
  // LR/SC reservation: address and the value loaded (SC succeeds by compare-and-swap on it).
  uint64_t reserve_addr = ~0ull;
  uint64_t reserve_value = 0;
  uint64_t instret_base = 0;
};

// The guest FP environment, valid inside translated code and helpers (live MXCSR) and outside it
// (CpuBase::guest_mxcsr). fp_set_frm also sets the MXCSR rounding control and tb_flags: code that
// calls it from translated code must end the block (the next one is translated for the new frm).
uint32_t fp_get_fflags(const RiscvCpu& c);
void fp_set_fflags(RiscvCpu& c, uint32_t fflags);
void fp_set_frm(RiscvCpu& c, uint32_t frm);

inline uint32_t xreg_offset(unsigned r) { return uint32_t(offsetof(RiscvCpu, x) + 8 * r); }
inline uint32_t freg_offset(unsigned r) { return uint32_t(offsetof(RiscvCpu, f) + 8 * r); }

}  // namespace mimic::riscv
