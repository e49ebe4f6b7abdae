// The AArch64 system-mode CPU state beyond EL0's (A64Cpu::sys): PSTATE's system fields, the
// banked stack pointers, the system registers of sysregs.inc, the CPU model's ID values, the
// pending exception; and MRS/MSR/SYS as the translator and the exception code perform them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "target/arm/cpu.h"
#include "target/arm/pmu.h"

namespace mimic::arm {

enum class ArmReg : uint16_t {
#define SR(name, op0, op1, crn, crm, op2, rel, wel, kind) name,
#include "target/arm/sysregs.inc"
#undef SR
  kCount
};
constexpr size_t kNumArmRegs = size_t(ArmReg::kCount);

// An encoding op0:op1:CRn:CRm:op2 packed as hw/arm/virt.h's GIC interface expects it.
constexpr uint32_t sysreg_enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
// "S3_0_C1_C0_0" or the register's name.
std::string sysreg_name(uint32_t enc);

// The ID register values of one -cpu (as qemu-system-aarch64 shows them: tests/system/aarch64/idregs.c).
struct ArmCpuModel {
  const char* name;
  uint64_t midr, revidr, ctr, dczid, clidr, ccsidr[3], aidr;
  uint64_t id_aa64pfr0, id_aa64pfr1, id_aa64dfr0, id_aa64isar0, id_aa64isar1, id_aa64mmfr0, id_aa64mmfr1, id_aa64mmfr2;
  // AArch32 ID registers (ID_PFR0 ... MVFR2, op0=3 op1=0 CRn=0 CRm=1..3), by (CRm - 1) * 8 + op2.
  uint32_t aarch32_id[24];
  uint64_t reset_sctlr;
  bool hafdbs;  // hardware access flag and dirty state (TCR_EL1.HA/HD honoured)
  bool pan, uao;
  uint64_t reset_pmcr;  // PMCR_EL0's read-only part: IMP, IDCODE, N = 6 (as QEMU's)
};
// "cortex-a53", "cortex-a57", "cortex-a72", "max"; null when unknown.
const ArmCpuModel* find_cpu_model(const std::string& name);
std::string cpu_model_names();  // "cortex-a53, cortex-a57, cortex-a72, max"

// PSTATE bits kept in ArmSysState::pstate (SPSR layout); NZCV and the EL/SP fields live elsewhere.
namespace Pstate {
enum : uint64_t {
  kF = 1u << 6,
  kI = 1u << 7,
  kA = 1u << 8,
  kD = 1u << 9,
  kDaif = 0xfu << 6,
  kSSBS = 1u << 12,
  kIL = 1u << 20,
  kSS = 1u << 21,
  kPAN = 1u << 22,
  kUAO = 1u << 23,
  kDIT = 1u << 24,
};
}
namespace Sctlr {
enum : uint64_t {
  kM = 1u << 0,
  kA = 1u << 1,
  kC = 1u << 2,
  kSA = 1u << 3,
  kSA0 = 1u << 4,
  kUMA = 1u << 9,
  kDZE = 1u << 14,
  kUCT = 1u << 15,
  kNTWI = 1u << 16,
  kNTWE = 1u << 18,
  kWXN = 1u << 19,
  kSPAN = 1u << 23,
  kEE = 1u << 25,
  kUCI = 1u << 26,
};
}

namespace Hcr {
enum : uint64_t {
  kVm = 1u << 0,
  kSwio = 1u << 1,
  kFmo = 1u << 3,
  kImo = 1u << 4,
  kAmo = 1u << 5,
  kVf = 1u << 6,
  kVi = 1u << 7,
  kTwi = 1u << 13,
  kTwe = 1u << 14,
  kTid1 = 1u << 16,
  kTid2 = 1u << 17,
  kTid3 = 1u << 18,
  kTsc = 1u << 19,
  kTacr = 1u << 21,
  kTsw = 1u << 22,
  kTpcp = 1u << 23,
  kTpu = 1u << 24,
  kTtlb = 1u << 25,
  kTvm = 1u << 26,
  kTge = 1u << 27,
  kHcd = 1u << 29,
  kTrvm = 1u << 30,
  kE2h = uint64_t(1) << 34,
};
}
namespace Scr {
enum : uint64_t {
  kNs = 1u << 0,
  kIrq = 1u << 1,
  kFiq = 1u << 2,
  kEa = 1u << 3,
  kRes1 = 3u << 4,  // FW, AW: read as one (QEMU 7.2's value)
  kSmd = 1u << 7,
  kHce = 1u << 8,
  kSif = 1u << 9,
  kRw = 1u << 10,
  kSt = 1u << 11,
  kTwi = 1u << 12,
  kTwe = 1u << 13,
  kWritable = 0x3fbf,  // bit 6 (NET) is AArch32's
};
}
// EL3 reset values (QEMU 7.2's; tests/system/aarch64/el3.c).
constexpr uint64_t kSctlrEl3Reset = 0xc50838, kScrEl3Reset = Scr::kRes1;
// EL2 register reset values (as qemu-system-aarch64 7.2's; tests/system/aarch64/el2.c).
constexpr uint64_t kSctlrEl2Reset = 0, kCptrEl2Reset = 0;
constexpr uint64_t kCnthctlEl2Reset = 3;  // EL1PCTEN, EL1PCEN: EL1 reaches the physical counter and timer

// What a CPU asks of the machine around it (the board and the other vCPUs). Every hook may be empty.
struct ArmCpuHooks {
  // GICv3 CPU interface: false = not a register of the GIC here (UNDEFINED). `access`: the
  // kGicAccess* bits (the accessing state).
  std::function<bool(uint32_t enc, unsigned el, unsigned access, uint64_t& value)> gic_read;
  std::function<bool(uint32_t enc, unsigned el, unsigned access, uint64_t value)> gic_write;
  // With EL3 and GICv3: the CPU's Security state changed (kGicWorld*), on exception entry and
  // return and at reset; the GIC signals its groups as FIQ or IRQ by it.
  std::function<void(unsigned world)> gic_world;
  // A timer output changed (index: ArmTimerId).
  std::function<void(unsigned timer, bool level)> timer_output;
  // TLBI ... IS: every other vCPU of the machine flushes (all, or one page) too.
  std::function<void(uint64_t page)> broadcast_tlb_flush;  // page = kFlushAll or a virtual page
  // PSCI through HVC (hvc) or SMC (SMCCC function id in x0, arguments x1..x3): the result for
  // x0, kPsciNotHandled when the call is not PSCI's through this conduit (UNDEFINED), or
  // kPsciCpuOff when this vCPU is to stop until CPU_ON (target/arm/psci.h).
  std::function<uint64_t(bool hvc, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)> psci;
  // SEV / SEVL: wake every vCPU sleeping in WFE.
  std::function<void()> send_event;
  // The PMU's overflow interrupt (the board's PPI 23).
  std::function<void(bool level)> pmu_output;
  std::function<void(const std::string&)> log_unimp;
  std::function<void(const std::string&)> log_int;  // -d int lines
};

// ArmCpuHooks::gic_read/gic_write's `access` (hw::gic_access has the same bits): the Secure
// state, SCR_EL3.NS (the Non-secure copy of the banked ICC_* registers), SCR_EL3.FIQ and .IRQ.
constexpr unsigned kGicAccessSecure = 1, kGicAccessNsBank = 2, kGicAccessScrFiq = 4, kGicAccessScrIrq = 8;
// ArmCpuHooks::gic_world's values (hw::GicWorld's).
constexpr unsigned kGicWorldNonSecure = 0, kGicWorldSecureEl1 = 1, kGicWorldEl3 = 2;

constexpr uint64_t kPsciNotHandled = ~uint64_t(0) - 0x1000, kPsciCpuOff = ~uint64_t(0) - 0x1001;

enum class ArmTimerId : unsigned { Phys = 0, Virt = 1, HypPhys = 2, SecurePhys = 3, HypVirt = 4 };
constexpr unsigned kNumArmTimers = 5;

struct ArmSysState {
  const ArmCpuModel* model = nullptr;
  uint64_t mpidr = 0x80000000;
  bool gicv3 = false;     // ID_AA64PFR0.GIC = 1 and the ICC_* registers reach hooks.gic_*
  bool have_el2 = false;  // -M virt,virtualization=on: EL2 exists (reset enters it)
  bool have_el3 = false;  // -M virt,secure=on: EL3 and the Secure state exist (reset enters EL3)
  // Physical ranges (base, size) only the Secure state reaches (the board's secure RAM, flash and
  // devices): a Non-secure access there is an external abort.
  std::vector<std::pair<uint64_t, uint64_t>> secure_only_ranges;
  uint32_t el = 1;                  // current exception level
  uint8_t gic_world = 0xff;         // the Security state last reported through hooks->gic_world
  uint32_t spsel = 1;               // PSTATE.SP
  uint64_t pstate = Pstate::kDaif;  // D A I F, PAN, UAO, SS, IL, DIT, SSBS
  uint64_t sp_el[4] = {};           // banked SPs; the live one is A64Cpu::sp
  uint64_t r[kNumArmRegs] = {};     // Store registers (and the Special ones that keep a value here)
  uint64_t dbg_bvr[16] = {}, dbg_bcr[16] = {}, dbg_wvr[16] = {}, dbg_wcr[16] = {};
  uint64_t claim = 0;
  PmuState pmu;
  bool oslk = true;  // OS lock, locked at reset
  // Generic timer: counter offset (virtual = physical - cntvoff), and the timers by ArmTimerId
  // (the EL1 physical and virtual ones, EL2's physical one).
  uint64_t cntvoff = 0;
  uint64_t cnt_ctl[kNumArmTimers] = {}, cnt_cval[kNumArmTimers] = {};
  // Interrupt lines (bit 0 IRQ, 1 FIQ, 2 virtual IRQ, 3 virtual FIQ: the GIC's virtual CPU
  // interface), driven by other threads.
  std::atomic<uint32_t> lines{0};
  // The synchronous exception a helper or the MMU recorded (kExitException, kExitMemFault).
  uint32_t exc_syndrome = 0;  // ESR value (EC, IL, ISS)
  uint64_t exc_far = 0;
  bool exc_far_valid = false;
  uint32_t exc_target_el = 1;
  bool exc_wants_insn_syndrome = false;  // a data abort to EL2: ISV... from the instruction at pc
  uint64_t exc_ipa = 0;                  // a stage-2 fault's IPA (HPFAR_EL2)
  bool exc_ipa_valid = false;
  // Event register (WFE/SEV).
  std::atomic<bool> event{false};
  ArmCpuHooks* hooks = nullptr;
  // Reads the physical counter (CNTPCT_EL0) / arms the timer deadline (sysreg writes).
  std::function<uint64_t()> read_counter;
  std::function<void()> timers_changed;
  // The hardware watchpoints' controls changed (DBGW*, MDSCR_EL1, the OS lock): the loop
  // refills the soft-MMU's watch list before the next block.
  std::function<void()> debug_regs_changed;
  // Arms (0: cancels) the host deadline of the PMU's next overflow, in guest ns; when it passes
  // pmu_check is set and the vCPU's loop brings the counters up to date (pmu_sync).
  std::function<void(uint64_t ns)> pmu_deadline;
  std::atomic<bool> pmu_check{false};
  std::function<void()> tlb_flush_all;           // this CPU's soft-TLB and jump cache
  std::function<void(uint64_t)> tlb_flush_page;  // on this vCPU's thread, from its TLBI helper
  // The model's CTR_EL0 and DCZID_EL0 (set at reset), where translated code's inline MRS reads them.
  uint64_t ctr_el0 = 0, dczid_el0 = 0;
};

// A system-mode vCPU: its A64Cpu and ArmSysState in one allocation, so that translated code
// reaches the system state at a fixed offset from env (the MRS/MSR it does inline).
struct A64SystemCpu {
  A64Cpu cpu;
  ArmSysState state;
};
// The env offset of the ArmSysState field at `field` (offsetof(ArmSysState, ...)). offsetof of
// these non-standard-layout types is what GCC and Clang support (as for A64Cpu's fields).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
constexpr uint32_t sys_state_offset(size_t field) { return uint32_t(offsetof(A64SystemCpu, state) + field); }
#pragma GCC diagnostic pop

inline ArmSysState& sys(A64Cpu& c) { return *c.sys; }
inline const ArmSysState& sys(const A64Cpu& c) { return *c.sys; }

// Architectural reset of the system state for `model` (EL1h, DAIF masked, MMU off).
void sysreg_reset(A64Cpu& c, const ArmCpuModel& model, uint64_t mpidr);

// The Secure state: EL3, or below it with SCR_EL3.NS clear (never without EL3).
bool is_secure(const A64Cpu& c);
// HCR_EL2 as it applies: 0 without EL2 and in the Secure state (which has no EL2).
uint64_t hcr_el2_effective(const A64Cpu& c);
// FEAT_VHE (ID_AA64MMFR1.VH: -cpu max): HCR_EL2.E2H is writable.
bool has_vhe(const A64Cpu& c);
// HCR_EL2.E2H / E2H and TGE as they apply (Non-secure, with EL2).
bool e2h_active(const A64Cpu& c);
bool e2h_tge_active(const A64Cpu& c);
// Where FP/SIMD accesses at the current EL trap (CPACR_EL1.FPEN, CPTR_EL2.TFP or, with E2H,
// its FPEN, CPTR_EL3.TFP, in that order): 0 when they do not.
unsigned fp_trap_el(const A64Cpu& c);
// CNTVOFF as it applies to the current EL's CNTVCT_EL0 reads (0 at EL2 with E2H, and at EL0
// with E2H and TGE).
uint64_t effective_cntvoff(const A64Cpu& c);
// The EL0 controls CNTKCTL_EL1 holds, or CNTHCTL_EL2 (its low bits have the same layout) for
// EL0 under E2H and TGE.
uint64_t el0_timer_controls(const A64Cpu& c);
// Leaves reset's EL3 for the Non-secure `el` (2 or 1), as QEMU's boot code does for a kernel:
// SCR_EL3.NS, RW, and HCE when EL2 exists.
void enter_nonsecure(A64Cpu& c, unsigned el);

// Reports the CPU's Security state to the GIC when it changed (`force`: in any case, at reset).
void report_gic_world(A64Cpu& c, bool force = false);

// PSTATE as SPSR saves it (NZCV, DAIF, EL, SP, PAN...) and back (no legality checks).
uint64_t read_pstate(const A64Cpu& c);
void write_pstate(A64Cpu& c, uint64_t spsr);
// Switches PSTATE.EL/SP, swapping the live SP with the bank; recomputes tb_flags.
void set_el_sp(A64Cpu& c, unsigned el, unsigned spsel);
// tb_flags from the state (EL, MMU index, FP trap, FPCR bits).
void update_tb_flags(A64Cpu& c);

// MRS/MSR at the current EL: false when the access is UNDEFINED (unknown, or denied at this EL).
// The translator checks `sysreg_accessible` when it translates (the EL is in tb_flags) and calls
// the helpers below, which may still trap (sys.exc_* set, return false: raise the exception).
enum class SysregCheck { Ok, Undefined, Trap };
SysregCheck sysreg_accessible(uint32_t enc, unsigned el, bool write, bool gicv3);
bool sysreg_read(A64Cpu& c, uint32_t enc, uint64_t& value);
bool sysreg_write(A64Cpu& c, uint32_t enc, uint64_t value);
// Whether a write may change translation (tb_flags, MMU): the block ends after it.
bool sysreg_write_ends_block(uint32_t enc);

// An MRS or MSR translated code does itself at the block's EL and tb_flags, as a load or store
// of the env field at `offset` (bits `mask`; a write keeps the others): the register holds a
// plain value there, and nothing (EL0 controls, HCR_EL2, SPSel, VHE) can trap or redirect the
// access. What: kField for registers, kDaif for PSTATE.DAIF (a write may unmask an interrupt).
struct InlineSysreg {
  enum Kind : uint8_t { kNone, kField, kDaif } kind = kNone;
  uint32_t offset = 0;
  uint64_t mask = ~0ull;
};
InlineSysreg sysreg_inline(uint32_t enc, unsigned el, uint32_t tb_flags, bool write);

// The helper ids translated system-mode code calls: (enc, pc) -> value; (enc, value, pc).
uint32_t sysreg_read_helper();
uint32_t sysreg_write_helper();
// SYS instructions (TLBI, AT, DC, IC): (op, value, pc). op = op1:CRn:CRm:op2 as trans_SYS has it.
uint32_t sys_op_helper();
// Is the SYS operation one this CPU performs at `el` (decided at translation time)?
bool sys_op_known(uint32_t op, unsigned el);

// The system registers a debugger shows (gdb's org.qemu.gdb.arm.sys.regs), in a fixed order:
// sysregs.inc's that hold state (not PSTATE's fields, not write-only ones), SP_EL1, the AArch64
// ID registers, the breakpoint and watchpoint registers. Read and written with the highest
// EL's rights whatever the vCPU's EL; false when this CPU model lacks the register.
struct DebugSysreg {
  std::string name;
  uint32_t enc;
};
const std::vector<DebugSysreg>& debug_sysregs();
bool debug_sysreg_read(A64Cpu& c, uint32_t enc, uint64_t& value);
bool debug_sysreg_write(A64Cpu& c, uint32_t enc, uint64_t value);

// The register file of `info registers`.
std::string dump_sysregs(const A64Cpu& c);

}  // namespace mimic::arm
