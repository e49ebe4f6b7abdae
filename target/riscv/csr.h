// The privileged CSRs of system mode as one table (number, name, access rule, read/write with
// WARL masks), the mstatus/mip bit names, and the hooks CSR writes need from the machine.
#pragma once

#include <cstdint>
#include <string>

#include "target/riscv/cpu.h"

namespace mimic::riscv {

namespace Mstatus {
enum : uint64_t {
  kSIE = 1ull << 1,
  kMIE = 1ull << 3,
  kSPIE = 1ull << 5,
  kMPIE = 1ull << 7,
  kSPP = 1ull << 8,
  kMPPShift = 11,
  kMPP = 3ull << kMPPShift,
  kFSShift = 13,
  kFS = 3ull << kFSShift,
  kMPRV = 1ull << 17,
  kSUM = 1ull << 18,
  kMXR = 1ull << 19,
  kTVM = 1ull << 20,
  kTW = 1ull << 21,
  kTSR = 1ull << 22,
  kUXL = 3ull << 32,
  kSXL = 3ull << 34,
  kSD = 1ull << 63,
};
}

// mip/mie bits (Irq in system.h names the same numbers).
namespace Mip {
enum : uint64_t {
  kSSIP = 1u << 1,
  kMSIP = 1u << 3,
  kSTIP = 1u << 5,
  kMTIP = 1u << 7,
  kSEIP = 1u << 9,
  kMEIP = 1u << 11,
  kSBits = kSSIP | kSTIP | kSEIP,
  kAll = kSBits | kMSIP | kMTIP | kMEIP,
};
}

namespace Menvcfg {
enum : uint64_t { kFIOM = 1, kCBIE = 3u << 4, kCBCFE = 1u << 6, kCBZE = 1u << 7, kSTCE = 1ull << 63 };
}

enum Csr : uint32_t {
  kCsrFflags = 0x001,
  kCsrFrm = 0x002,
  kCsrFcsr = 0x003,
  kCsrSstatus = 0x100,
  kCsrSie = 0x104,
  kCsrStvec = 0x105,
  kCsrScounteren = 0x106,
  kCsrSenvcfg = 0x10a,
  kCsrSscratch = 0x140,
  kCsrSepc = 0x141,
  kCsrScause = 0x142,
  kCsrStval = 0x143,
  kCsrSip = 0x144,
  kCsrStimecmp = 0x14d,
  kCsrSatp = 0x180,
  kCsrMstatus = 0x300,
  kCsrMisa = 0x301,
  kCsrMedeleg = 0x302,
  kCsrMideleg = 0x303,
  kCsrMie = 0x304,
  kCsrMtvec = 0x305,
  kCsrMcounteren = 0x306,
  kCsrMenvcfg = 0x30a,
  kCsrMcountinhibit = 0x320,
  kCsrMhpmevent3 = 0x323,
  kCsrMscratch = 0x340,
  kCsrMepc = 0x341,
  kCsrMcause = 0x342,
  kCsrMtval = 0x343,
  kCsrMip = 0x344,
  kCsrPmpcfg0 = 0x3a0,
  kCsrPmpaddr0 = 0x3b0,
  kCsrMcycle = 0xb00,
  kCsrMinstret = 0xb02,
  kCsrMhpmcounter3 = 0xb03,
  kCsrCycle = 0xc00,
  kCsrTime = 0xc01,
  kCsrInstret = 0xc02,
  kCsrHpmcounter3 = 0xc03,
  kCsrMvendorid = 0xf11,
  kCsrMarchid = 0xf12,
  kCsrMimpid = 0xf13,
  kCsrMhartid = 0xf14,
  kCsrMconfigptr = 0xf15,
};

// misa of the hart: RV64 IMAFDC with S and U.
constexpr uint64_t kMisa =
    (2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 8) | (1u << 12) | (1u << 18) | (1u << 20);

// What CSR writes and privileged instructions need from the machine around the hart
// (RiscvHart implements it; unit tests use a fake).
class SystemHooks {
 public:
  virtual ~SystemHooks() = default;
  virtual uint64_t read_time() = 0;  // mtime (the time CSR, Sstc)
  // Every soft-TLB entry and the jump cache (satp and PMP writes, sfence.vma without address).
  virtual void tlb_flush() = 0;
  virtual void tlb_flush_page(uint64_t vaddr) = 0;
  // menvcfg.STCE or stimecmp changed: re-evaluate STIP and (re)arm the Sstc timer.
  virtual void stimecmp_changed() = 0;
  // -d unimp is on: one line is logged through log_unimp.
  virtual bool log_unimp_enabled() const { return false; }
  virtual void log_unimp(const std::string& line) {}
  // Cycles for mcycle/minstret (translated code does not count instructions).
  virtual uint64_t host_cycles();
  // A trap is being taken (before the state changes): for -d int.
  virtual void trap_taken(uint64_t cause, bool interrupt, uint64_t epc, uint64_t tval, unsigned to_priv) {}
};

enum class CsrOp : uint8_t { Write, Set, Clear };

// One CSR instruction in system mode at the hart's current privilege: the access checks (unknown
// CSR, privilege, read-only, per-CSR rules such as FS, TVM, counter enables), the read and, when
// `writes`, the read-modify-write. Returns false for an illegal access (nothing changed; with
// -d unimp an unknown CSR is logged with `pc` and `insn`). `old` receives the value read.
bool csr_access(RiscvCpu& c, uint32_t csr, CsrOp op, uint64_t src, bool writes, uint64_t* old, uint64_t pc = 0,
                uint32_t insn = 0);
// Name of a CSR ("mstatus", "pmpaddr12"), or null when the hart has no such CSR.
const char* csr_name(uint32_t csr);

// Architectural reset of the privileged state (M-mode, mstatus with UXL/SXL = 2 and FS off,
// misa, mhartid, PMP off, delegation and enables zero) and tb_flags.
void csr_reset(RiscvCpu& c, unsigned hartid);

// mstatus as read (SD from FS, UXL/SXL fixed), mip as read (STIP from stimecmp under Sstc).
uint64_t read_mstatus(const RiscvCpu& c);
uint64_t read_mip(const RiscvCpu& c);

// tb_flags for the current state (frm kept): call after anything that changes privilege,
// mstatus.FS/MPRV/MPP/SUM/MXR.
uint32_t compute_tb_flags(const RiscvCpu& c);
inline void update_tb_flags(RiscvCpu& c) { c.tb_flags = compute_tb_flags(c); }

// The interrupt the hart takes now (a mip bit number), or -1: pending & enabled, M-level before
// S-level, each in the order MEI MSI MTI SEI SSI STI, with the global enables of the current
// privilege.
int pending_interrupt(const RiscvCpu& c);
// Any interrupt pending in mip & mie, whatever the global enables (the condition that ends WFI).
bool wfi_wakeup(const RiscvCpu& c);

}  // namespace mimic::riscv
