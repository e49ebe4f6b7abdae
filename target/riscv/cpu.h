// The RISC-V 64 guest CPU state; generated code reaches every field by offsetof from env.
#pragma once

#include <atomic>
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
  // System mode only: privileged instructions the hart's loop carries out (target/riscv/excp.cpp).
  kExitMret,       // pc is the mret
  kExitSret,       // pc is the sret
  kExitWfi,        // pc is the wfi
  kExitSfenceVma,  // pc is the sfence.vma; fault_addr = x[rs1] (or ~0 when rs1 is x0), fault_write = rs1 != 0
};

// fflags bits (also the low 5 bits of fcsr).
enum FFlag : uint32_t { kFlagNX = 1, kFlagUF = 2, kFlagOF = 4, kFlagDZ = 8, kFlagNV = 16 };

// tb_flags of RISC-V: bits 0-2 hold frm, so blocks are translated for the dynamic rounding mode
// (inline SSE arithmetic when it is one MXCSR can do, the exact helpers otherwise).
constexpr uint32_t kTbFrmMask = 7;
// System mode adds: mstatus.FS (an FP instruction with FS Off is illegal; the first FP register
// write of a block marks FS dirty unless the flags say it already is), the privilege the block
// runs in, and the MMU index of its loads and stores (privilege, MPRV/MPP, SUM, MXR: mmu.h).
constexpr uint32_t kTbFsShift = 3, kTbFsMask = 3u << kTbFsShift;
constexpr uint32_t kTbPrivShift = 5, kTbPrivMask = 3u << kTbPrivShift;
constexpr uint32_t kTbMmuShift = 7, kTbMmuMask = 7u << kTbMmuShift;
// linux-user: the thread has turned V off (prctl PR_RISCV_V_SET_CONTROL): vector instructions and
// CSRs are illegal in its blocks, as on a hart without V.
constexpr uint32_t kTbVOff = 1u << 10;

// VLEN in bytes, and vtype's illegal bit (vtype reads as only this bit when vill is set).
constexpr unsigned kVlenb = 16;
constexpr uint64_t kVtypeVill = 1ull << 63;

enum Priv : uint32_t { kPrivU = 0, kPrivS = 1, kPrivM = 3 };
enum PmpState : uint32_t { kPmpActive = 1, kPmpLocked = 2 };

class SystemHooks;  // target/riscv/csr.h: what CSR writes ask of the machine (TLB flush, timers)

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
  // ---- V extension (target/riscv/vector*.cpp; linux-user with -cpu rv64,v=true). VLEN = 128. ----
  alignas(16) uint8_t vreg[32][16] = {};
  uint64_t vl = 0, vtype = kVtypeVill, vstart = 0;
  uint32_t vxrm = 0, vxsat = 0;
  bool ext_v = false;  // the hart has V: vector instructions and CSRs exist (fixed for the process)
  // Vector loads and stores ask whether [addr, addr + len) can be read (or written) without a
  // fault: fault-only-first loads trim vl there, and a whole unit-stride access that can is copied
  // at once. linux-user sets it from its memory map; null: every element is accessed on its own.
  bool (*v_access_ok)(const void* ctx, uint64_t addr, uint64_t len, bool write) = nullptr;
  const void* v_access_ctx = nullptr;

  // ---- System mode (target/riscv/csr.cpp); linux-user never reads these. ----
  uint64_t priv = kPrivM;
  uint64_t mstatus = 0, misa = 0, medeleg = 0, mideleg = 0, mie = 0;
  // Written by devices on other threads (RiscvHart::set_irq) and by the hart: atomic RMWs only.
  std::atomic<uint64_t> mip{0};
  uint64_t mtvec = 0, stvec = 0, mepc = 0, sepc = 0, mcause = 0, scause = 0, mtval = 0, stval = 0;
  uint64_t mscratch = 0, sscratch = 0, satp = 0, menvcfg = 0, senvcfg = 0, stimecmp = 0, mseccfg = 0;
  uint64_t mcounteren = 0, scounteren = 0, mcountinhibit = 0, mhartid = 0;
  uint64_t cycle_offset = 0, instret_offset = 0;  // mcycle/minstret = host count + offset
  uint64_t mhpmcounter[32] = {}, mhpmevent[32] = {};
  uint8_t pmpcfg[64] = {};
  uint64_t pmpaddr[64] = {};
  // The exception a failed access recorded (tlb_fill, access_fault), delivered by the hart loop.
  uint64_t trap_cause = 0, trap_tval = 0;
  // kExitIllegal in system mode: the instruction bits (mtval).
  uint32_t bad_insn = 0;
  uint32_t pmp_active = 0;  // kPmpActive: some entry is not OFF (else M may do anything, S/U nothing);
                            // kPmpLocked: some active entry is locked (binds M too)
  SystemHooks* hooks = nullptr;
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
