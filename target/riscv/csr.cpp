// The CSR table of system mode: every CSR the hart has, once, with its access rule and its
// read/write functions (WARL masks), and the checks of a CSR instruction (privilege encoded in
// the number, read-only numbers, per-CSR predicates).
#include "target/riscv/csr.h"

#include <x86intrin.h>

#include <array>
#include <cstdio>

#include "target/riscv/mmu.h"

namespace mimic::riscv {

uint64_t SystemHooks::host_cycles() { return __rdtsc(); }

namespace {

constexpr uint64_t kMstatusWritable = Mstatus::kSIE | Mstatus::kMIE | Mstatus::kSPIE | Mstatus::kMPIE | Mstatus::kSPP |
                                      Mstatus::kMPP | Mstatus::kFS | Mstatus::kMPRV | Mstatus::kSUM | Mstatus::kMXR |
                                      Mstatus::kTVM | Mstatus::kTW | Mstatus::kTSR;
constexpr uint64_t kSstatusWritable =
    Mstatus::kSIE | Mstatus::kSPIE | Mstatus::kSPP | Mstatus::kFS | Mstatus::kSUM | Mstatus::kMXR;
constexpr uint64_t kSstatusReadable = kSstatusWritable | Mstatus::kUXL | Mstatus::kSD;
// Exceptions S-mode may handle: all but ecall from M (11) and the reserved/hypervisor 10, 14.
constexpr uint64_t kDelegableExceptions = 0xb3ff;
constexpr uint64_t kMenvcfgWritable =
    Menvcfg::kFIOM | Menvcfg::kCBIE | Menvcfg::kCBCFE | Menvcfg::kCBZE | Menvcfg::kSTCE;
constexpr uint64_t kSenvcfgWritable = Menvcfg::kFIOM | Menvcfg::kCBIE | Menvcfg::kCBCFE | Menvcfg::kCBZE;
constexpr uint64_t kSatpModeBare = 0, kSatpModeSv39 = 8, kSatpModeSv48 = 9, kSatpModeSv57 = 10;

// Access rule beyond the number's privilege bits; false makes the access illegal.
using Pred = bool (*)(const RiscvCpu&, uint32_t csr, bool writes);
using ReadFn = uint64_t (*)(RiscvCpu&, uint32_t csr);
using WriteFn = void (*)(RiscvCpu&, uint32_t csr, uint64_t v);

struct CsrDef {
  uint32_t num;
  uint32_t count;  // consecutive numbers covered (counter and PMP arrays)
  const char* name;
  Pred pred;
  ReadFn read;
  WriteFn write;  // null: read-only (the number says so too)
};

bool fs_on(const RiscvCpu& c, uint32_t, bool) { return (c.mstatus & Mstatus::kFS) != 0; }
// cycle/time/instret/hpmcounterN from S and U: mcounteren (and scounteren for U) enable them.
bool counter_enabled(const RiscvCpu& c, uint32_t csr, bool) {
  uint64_t bit = 1ull << (csr & 31);
  if (c.priv < kPrivM && !(c.mcounteren & bit)) return false;
  if (c.priv < kPrivS && !(c.scounteren & bit)) return false;
  return true;
}
bool time_enabled(const RiscvCpu& c, uint32_t csr, bool writes) { return c.hooks && counter_enabled(c, csr, writes); }
bool satp_allowed(const RiscvCpu& c, uint32_t, bool) { return !(c.priv == kPrivS && (c.mstatus & Mstatus::kTVM)); }
// Sstc: stimecmp from S needs mcounteren.TM and menvcfg.STCE.
bool sstc_allowed(const RiscvCpu& c, uint32_t, bool) {
  if (!c.hooks) return false;
  if (c.priv == kPrivM) return true;
  return (c.mcounteren & 2) && (c.menvcfg & Menvcfg::kSTCE);
}
// RV64 has only the even pmpcfg registers.
bool pmpcfg_exists(const RiscvCpu&, uint32_t csr, bool) { return (csr & 1) == 0; }

void mark_fs_dirty(RiscvCpu& c) { c.mstatus |= Mstatus::kFS; }

uint64_t r_fflags(RiscvCpu& c, uint32_t) { return fp_get_fflags(c); }
uint64_t r_frm(RiscvCpu& c, uint32_t) { return c.frm; }
uint64_t r_fcsr(RiscvCpu& c, uint32_t) { return (uint64_t(c.frm) << 5) | fp_get_fflags(c); }
void w_fflags(RiscvCpu& c, uint32_t, uint64_t v) {
  fp_set_fflags(c, uint32_t(v & 0x1f));
  mark_fs_dirty(c);
}
void w_frm(RiscvCpu& c, uint32_t, uint64_t v) {
  fp_set_frm(c, uint32_t(v & 7));
  mark_fs_dirty(c);
}
void w_fcsr(RiscvCpu& c, uint32_t, uint64_t v) {
  fp_set_fflags(c, uint32_t(v & 0x1f));
  fp_set_frm(c, uint32_t((v >> 5) & 7));
  mark_fs_dirty(c);
}

uint64_t r_mstatus(RiscvCpu& c, uint32_t) { return read_mstatus(c); }
void w_mstatus(RiscvCpu& c, uint32_t, uint64_t v) {
  uint64_t mask = kMstatusWritable;
  // MPP is WARL over the implemented modes: the reserved 2 (H) keeps the old value.
  if (((v & Mstatus::kMPP) >> Mstatus::kMPPShift) == 2) mask &= ~Mstatus::kMPP;
  c.mstatus = (c.mstatus & ~mask) | (v & mask);
}
uint64_t r_sstatus(RiscvCpu& c, uint32_t) { return read_mstatus(c) & kSstatusReadable; }
void w_sstatus(RiscvCpu& c, uint32_t, uint64_t v) {
  c.mstatus = (c.mstatus & ~kSstatusWritable) | (v & kSstatusWritable);
}
uint64_t r_misa(RiscvCpu& c, uint32_t) { return c.misa; }
void w_ignore(RiscvCpu&, uint32_t, uint64_t) {}  // WARL with a single legal value
uint64_t r_zero(RiscvCpu&, uint32_t) { return 0; }

uint64_t r_medeleg(RiscvCpu& c, uint32_t) { return c.medeleg; }
void w_medeleg(RiscvCpu& c, uint32_t, uint64_t v) { c.medeleg = v & kDelegableExceptions; }
uint64_t r_mideleg(RiscvCpu& c, uint32_t) { return c.mideleg; }
void w_mideleg(RiscvCpu& c, uint32_t, uint64_t v) { c.mideleg = v & Mip::kSBits; }
uint64_t r_mie(RiscvCpu& c, uint32_t) { return c.mie; }
void w_mie(RiscvCpu& c, uint32_t, uint64_t v) { c.mie = v & Mip::kAll; }
uint64_t r_mip(RiscvCpu& c, uint32_t) { return read_mip(c); }
// Software may write SSIP, SEIP and (unless Sstc drives it) STIP; the M bits follow devices.
uint64_t mip_writable(const RiscvCpu& c) {
  uint64_t m = Mip::kSSIP | Mip::kSEIP;
  if (!(c.menvcfg & Menvcfg::kSTCE)) m |= Mip::kSTIP;
  return m;
}
void set_mip_bits(RiscvCpu& c, uint64_t mask, uint64_t v) {
  uint64_t old = c.mip.load(std::memory_order_relaxed);
  while (!c.mip.compare_exchange_weak(old, (old & ~mask) | (v & mask), std::memory_order_acq_rel)) {
  }
}
void w_mip(RiscvCpu& c, uint32_t, uint64_t v) { set_mip_bits(c, mip_writable(c), v); }
uint64_t r_sie(RiscvCpu& c, uint32_t) { return c.mie & c.mideleg; }
void w_sie(RiscvCpu& c, uint32_t, uint64_t v) {
  uint64_t m = c.mideleg & Mip::kSBits;
  c.mie = (c.mie & ~m) | (v & m);
}
uint64_t r_sip(RiscvCpu& c, uint32_t) { return read_mip(c) & c.mideleg; }
void w_sip(RiscvCpu& c, uint32_t, uint64_t v) { set_mip_bits(c, c.mideleg & Mip::kSSIP, v); }

// xtvec: modes 0 (direct) and 1 (vectored); a write of a reserved mode is ignored (QEMU's rule).
uint64_t r_mtvec(RiscvCpu& c, uint32_t) { return c.mtvec; }
void w_mtvec(RiscvCpu& c, uint32_t, uint64_t v) {
  if ((v & 3) < 2) c.mtvec = v;
}
uint64_t r_stvec(RiscvCpu& c, uint32_t) { return c.stvec; }
void w_stvec(RiscvCpu& c, uint32_t, uint64_t v) {
  if ((v & 3) < 2) c.stvec = v;
}

#define PLAIN(field, mask)                                      \
  uint64_t r_##field(RiscvCpu& c, uint32_t) { return c.field; } \
  void w_##field(RiscvCpu& c, uint32_t, uint64_t v) { c.field = v & (mask); }
// IALIGN is 16 (C): bit 0 of the exception pcs is always zero.
PLAIN(mepc, ~1ull)
PLAIN(sepc, ~1ull)
PLAIN(mcause, ~0ull)
PLAIN(scause, ~0ull)
PLAIN(mtval, ~0ull)
PLAIN(stval, ~0ull)
PLAIN(mscratch, ~0ull)
PLAIN(sscratch, ~0ull)
PLAIN(senvcfg, kSenvcfgWritable)
PLAIN(mcounteren, 0xffffffffull)
PLAIN(scounteren, 0xffffffffull)
#undef PLAIN

uint64_t r_menvcfg(RiscvCpu& c, uint32_t) { return c.menvcfg; }
void w_menvcfg(RiscvCpu& c, uint32_t, uint64_t v) {
  uint64_t old = c.menvcfg;
  // Leaving Sstc, STIP keeps the level stimecmp gave it (QEMU latches it in mip too).
  if ((old & Menvcfg::kSTCE) && !(v & Menvcfg::kSTCE)) set_mip_bits(c, Mip::kSTIP, read_mip(c));
  c.menvcfg = v & kMenvcfgWritable;
  if (((old ^ c.menvcfg) & Menvcfg::kSTCE) && c.hooks) c.hooks->stimecmp_changed();
}
uint64_t r_stimecmp(RiscvCpu& c, uint32_t) { return c.stimecmp; }
void w_stimecmp(RiscvCpu& c, uint32_t, uint64_t v) {
  c.stimecmp = v;
  if (c.hooks) c.hooks->stimecmp_changed();
}

uint64_t r_satp(RiscvCpu& c, uint32_t) { return c.satp; }
void w_satp(RiscvCpu& c, uint32_t, uint64_t v) {
  uint64_t mode = v >> 60;
  if (mode != kSatpModeBare && mode != kSatpModeSv39 && mode != kSatpModeSv48 && mode != kSatpModeSv57) return;
  // 16 ASID bits and a 44-bit root PPN.
  uint64_t nv = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
  if (nv == c.satp) return;
  c.satp = nv;
  if (c.hooks) c.hooks->tlb_flush();
}

uint64_t host_cycles(const RiscvCpu& c) { return c.hooks ? c.hooks->host_cycles() : 0; }
// mcycle/minstret count host cycles plus an offset; while mcountinhibit's CY (bit 0) / IR (bit 2)
// holds one, the offset field holds its frozen value instead.
constexpr uint64_t kInhibitCy = 1, kInhibitIr = 4;
uint64_t counter_read(const RiscvCpu& c, uint64_t inhibit_bit, uint64_t offset) {
  return (c.mcountinhibit & inhibit_bit) ? offset : host_cycles(c) + offset;
}
uint64_t counter_offset(const RiscvCpu& c, uint64_t inhibit_bit, uint64_t value) {
  return (c.mcountinhibit & inhibit_bit) ? value : value - host_cycles(c);
}
uint64_t r_mcycle(RiscvCpu& c, uint32_t) { return counter_read(c, kInhibitCy, c.cycle_offset); }
void w_mcycle(RiscvCpu& c, uint32_t, uint64_t v) { c.cycle_offset = counter_offset(c, kInhibitCy, v); }
uint64_t r_minstret(RiscvCpu& c, uint32_t) { return counter_read(c, kInhibitIr, c.instret_offset); }
void w_minstret(RiscvCpu& c, uint32_t, uint64_t v) { c.instret_offset = counter_offset(c, kInhibitIr, v); }
uint64_t r_mcountinhibit(RiscvCpu& c, uint32_t) { return c.mcountinhibit; }
// Bit 1 (time) is read-only zero. A counter keeps its value across an inhibit change (QEMU 7.2
// only freezes one written while inhibited; the architecture freezes it whenever CY/IR is set).
void w_mcountinhibit(RiscvCpu& c, uint32_t, uint64_t v) {
  const uint64_t cycles = r_mcycle(c, 0), instret = r_minstret(c, 0);
  c.mcountinhibit = v & 0xfffffffdull;
  c.cycle_offset = counter_offset(c, kInhibitCy, cycles);
  c.instret_offset = counter_offset(c, kInhibitIr, instret);
}
uint64_t r_time(RiscvCpu& c, uint32_t) { return c.hooks->read_time(); }
// hpmcounter3-31 and mhpmevent3-31 hold what is written (no events count), as QEMU's do.
uint64_t r_mhpmcounter(RiscvCpu& c, uint32_t csr) { return c.mhpmcounter[csr & 31]; }
void w_mhpmcounter(RiscvCpu& c, uint32_t csr, uint64_t v) { c.mhpmcounter[csr & 31] = v; }
uint64_t r_mhpmevent(RiscvCpu& c, uint32_t csr) { return c.mhpmevent[csr & 31]; }
void w_mhpmevent(RiscvCpu& c, uint32_t csr, uint64_t v) { c.mhpmevent[csr & 31] = v; }
uint64_t r_mhartid(RiscvCpu& c, uint32_t) { return c.mhartid; }

// pmpcfgN (even N) holds the 8 configuration bytes of entries 4N .. 4N+7.
uint64_t r_pmpcfg(RiscvCpu& c, uint32_t csr) {
  unsigned base = (csr - kCsrPmpcfg0) * 4;
  uint64_t v = 0;
  for (unsigned i = 0; i < 8; ++i) v |= uint64_t(c.pmpcfg[base + i]) << (8 * i);
  return v;
}
void w_pmpcfg(RiscvCpu& c, uint32_t csr, uint64_t v) {
  unsigned base = (csr - kCsrPmpcfg0) * 4;
  bool changed = false;
  for (unsigned i = 0; i < 8; ++i) {
    if (pmpcfg_locked(c, base + i)) continue;
    uint8_t b = uint8_t(v >> (8 * i)) & 0x9f;  // bits 5-6 are reserved zero
    changed |= c.pmpcfg[base + i] != b;
    c.pmpcfg[base + i] = b;
  }
  if (!changed) return;
  pmp_update(c);
  if (c.hooks) c.hooks->tlb_flush();
}
uint64_t r_pmpaddr(RiscvCpu& c, uint32_t csr) { return c.pmpaddr[csr - kCsrPmpaddr0]; }
void w_pmpaddr(RiscvCpu& c, uint32_t csr, uint64_t v) {
  unsigned i = csr - kCsrPmpaddr0;
  if (pmpaddr_locked(c, i)) return;
  v &= (1ull << 54) - 1;  // physical addresses of 56 bits, in units of 4 bytes
  if (c.pmpaddr[i] == v) return;
  c.pmpaddr[i] = v;
  pmp_update(c);
  if (c.hooks) c.hooks->tlb_flush();
}

// clang-format off
const CsrDef kCsrs[] = {
  {kCsrFflags, 1, "fflags", fs_on, r_fflags, w_fflags},
  {kCsrFrm, 1, "frm", fs_on, r_frm, w_frm},
  {kCsrFcsr, 1, "fcsr", fs_on, r_fcsr, w_fcsr},
  {kCsrSstatus, 1, "sstatus", nullptr, r_sstatus, w_sstatus},
  {kCsrSie, 1, "sie", nullptr, r_sie, w_sie},
  {kCsrStvec, 1, "stvec", nullptr, r_stvec, w_stvec},
  {kCsrScounteren, 1, "scounteren", nullptr, r_scounteren, w_scounteren},
  {kCsrSenvcfg, 1, "senvcfg", nullptr, r_senvcfg, w_senvcfg},
  {kCsrSscratch, 1, "sscratch", nullptr, r_sscratch, w_sscratch},
  {kCsrSepc, 1, "sepc", nullptr, r_sepc, w_sepc},
  {kCsrScause, 1, "scause", nullptr, r_scause, w_scause},
  {kCsrStval, 1, "stval", nullptr, r_stval, w_stval},
  {kCsrSip, 1, "sip", nullptr, r_sip, w_sip},
  {kCsrStimecmp, 1, "stimecmp", sstc_allowed, r_stimecmp, w_stimecmp},
  {kCsrSatp, 1, "satp", satp_allowed, r_satp, w_satp},
  {kCsrMstatus, 1, "mstatus", nullptr, r_mstatus, w_mstatus},
  {kCsrMisa, 1, "misa", nullptr, r_misa, w_ignore},
  {kCsrMedeleg, 1, "medeleg", nullptr, r_medeleg, w_medeleg},
  {kCsrMideleg, 1, "mideleg", nullptr, r_mideleg, w_mideleg},
  {kCsrMie, 1, "mie", nullptr, r_mie, w_mie},
  {kCsrMtvec, 1, "mtvec", nullptr, r_mtvec, w_mtvec},
  {kCsrMcounteren, 1, "mcounteren", nullptr, r_mcounteren, w_mcounteren},
  {kCsrMenvcfg, 1, "menvcfg", nullptr, r_menvcfg, w_menvcfg},
  {kCsrMcountinhibit, 1, "mcountinhibit", nullptr, r_mcountinhibit, w_mcountinhibit},
  {kCsrMhpmevent3, 29, "mhpmevent", nullptr, r_mhpmevent, w_mhpmevent},
  {kCsrMscratch, 1, "mscratch", nullptr, r_mscratch, w_mscratch},
  {kCsrMepc, 1, "mepc", nullptr, r_mepc, w_mepc},
  {kCsrMcause, 1, "mcause", nullptr, r_mcause, w_mcause},
  {kCsrMtval, 1, "mtval", nullptr, r_mtval, w_mtval},
  {kCsrMip, 1, "mip", nullptr, r_mip, w_mip},
  {kCsrPmpcfg0, 16, "pmpcfg", pmpcfg_exists, r_pmpcfg, w_pmpcfg},
  {kCsrPmpaddr0, 64, "pmpaddr", nullptr, r_pmpaddr, w_pmpaddr},
  {kCsrMcycle, 1, "mcycle", nullptr, r_mcycle, w_mcycle},
  {kCsrMinstret, 1, "minstret", nullptr, r_minstret, w_minstret},
  {kCsrMhpmcounter3, 29, "mhpmcounter", nullptr, r_mhpmcounter, w_mhpmcounter},
  {kCsrCycle, 1, "cycle", counter_enabled, r_mcycle, nullptr},
  {kCsrTime, 1, "time", time_enabled, r_time, nullptr},
  {kCsrInstret, 1, "instret", counter_enabled, r_minstret, nullptr},
  {kCsrHpmcounter3, 29, "hpmcounter", counter_enabled, r_mhpmcounter, nullptr},
  {kCsrMvendorid, 1, "mvendorid", nullptr, r_zero, nullptr},
  {kCsrMarchid, 1, "marchid", nullptr, r_zero, nullptr},
  {kCsrMimpid, 1, "mimpid", nullptr, r_zero, nullptr},
  {kCsrMhartid, 1, "mhartid", nullptr, r_mhartid, nullptr},
  {kCsrMconfigptr, 1, "mconfigptr", nullptr, r_zero, nullptr},
};
// clang-format on

const CsrDef* lookup(uint32_t csr) {
  static const auto table = [] {
    std::array<const CsrDef*, 4096> t{};
    for (const CsrDef& d : kCsrs)
      for (uint32_t i = 0; i < d.count; ++i) t[d.num + i] = &d;
    return t;
  }();
  return csr < 4096 ? table[csr] : nullptr;
}

}  // namespace

const char* csr_name(uint32_t csr) {
  const CsrDef* d = lookup(csr);
  if (!d) return nullptr;
  if (d->count == 1) return d->name;
  // Arrays: the number inside the array's own numbering (mhpmevent3, pmpaddr12, ...).
  static thread_local char buf[32];
  unsigned first = d->num == kCsrPmpcfg0 || d->num == kCsrPmpaddr0 ? 0 : 3;
  std::snprintf(buf, sizeof buf, "%s%u", d->name, first + (csr - d->num));
  return buf;
}

bool csr_access(RiscvCpu& c, uint32_t csr, CsrOp op, uint64_t src, bool writes, uint64_t* old, uint64_t pc,
                uint32_t insn) {
  const CsrDef* d = lookup(csr);
  if (!d) {
    if (c.hooks && c.hooks->log_unimp_enabled()) {
      char line[128];
      std::snprintf(line, sizeof line, "riscv: unimplemented CSR 0x%03x at pc 0x%016llx (insn %08x)", csr,
                    (unsigned long long)pc, insn);
      c.hooks->log_unimp(line);
    }
    return false;
  }
  if (c.priv < ((csr >> 8) & 3)) return false;
  if (writes && (csr >> 10) == 3) return false;
  if (d->pred && !d->pred(c, csr, writes)) return false;
  uint64_t v = d->read(c, csr);
  *old = v;
  if (writes) {
    if (op != CsrOp::Write && (csr == kCsrMip || csr == kCsrSip)) {
      // Devices and other harts drive mip's lines meanwhile (the PLIC's SEIP): csrrs/csrrc
      // change their own bits in one atomic step, never writing back a line read before it moved.
      const uint64_t mask = (csr == kCsrMip ? mip_writable(c) : c.mideleg & Mip::kSSIP) & src;
      set_mip_bits(c, mask, op == CsrOp::Set ? ~0ull : 0);
    } else {
      d->write(c, csr, op == CsrOp::Write ? src : op == CsrOp::Set ? v | src : v & ~src);
    }
    update_tb_flags(c);
  }
  return true;
}

uint64_t read_mstatus(const RiscvCpu& c) {
  uint64_t v = (c.mstatus & ~(Mstatus::kUXL | Mstatus::kSXL | Mstatus::kSD)) | (2ull << 32) | (2ull << 34);
  if ((c.mstatus & Mstatus::kFS) == Mstatus::kFS) v |= Mstatus::kSD;
  return v;
}

uint64_t read_mip(const RiscvCpu& c) {
  uint64_t v = c.mip.load(std::memory_order_acquire);
  if ((c.menvcfg & Menvcfg::kSTCE) && c.hooks) {
    v &= ~Mip::kSTIP;
    if (c.hooks->read_time() >= c.stimecmp) v |= Mip::kSTIP;
  }
  return v;
}

void csr_reset(RiscvCpu& c, unsigned hartid) {
  c.priv = kPrivM;
  c.mstatus = 0;  // MIE=0, MPRV=0, FS off; UXL/SXL read as 2
  c.misa = kMisa;
  c.mhartid = hartid;
  c.medeleg = c.mideleg = c.mie = 0;
  c.mip.store(0);
  c.mtvec = c.stvec = c.mepc = c.sepc = c.mcause = c.scause = c.mtval = c.stval = 0;
  c.mscratch = c.sscratch = c.satp = c.menvcfg = c.senvcfg = c.mseccfg = 0;
  c.stimecmp = 0;  // as QEMU: STCE is off at reset, so it drives nothing yet
  c.mcounteren = c.scounteren = c.mcountinhibit = 0;
  c.cycle_offset = c.instret_offset = 0;
  for (auto& v : c.mhpmcounter) v = 0;
  for (auto& v : c.mhpmevent) v = 0;
  for (auto& v : c.pmpcfg) v = 0;
  for (auto& v : c.pmpaddr) v = 0;
  c.pmp_active = 0;
  c.reserve_addr = ~0ull;
  update_tb_flags(c);
}

uint32_t compute_tb_flags(const RiscvCpu& c) {
  uint32_t f = c.tb_flags & kTbFrmMask;
  f |= uint32_t((c.mstatus & Mstatus::kFS) >> Mstatus::kFSShift) << kTbFsShift;
  f |= uint32_t(c.priv) << kTbPrivShift;
  f |= data_mmu_index(c) << kTbMmuShift;
  return f;
}

namespace {
constexpr int kIrqOrder[] = {11, 3, 7, 9, 1, 5};  // MEI MSI MTI SEI SSI STI
int first_in_order(uint64_t bits) {
  for (int irq : kIrqOrder)
    if (bits & (1ull << irq)) return irq;
  return -1;
}
}  // namespace

int pending_interrupt(const RiscvCpu& c) {
  uint64_t pending = read_mip(c) & c.mie;
  if (!pending) return -1;
  uint64_t m = pending & ~c.mideleg, s = pending & c.mideleg;
  bool m_enabled = c.priv < kPrivM || (c.mstatus & Mstatus::kMIE);
  bool s_enabled = c.priv < kPrivS || (c.priv == kPrivS && (c.mstatus & Mstatus::kSIE));
  if (m_enabled && m) return first_in_order(m);
  if (s_enabled && s) return first_in_order(s);
  return -1;
}

bool wfi_wakeup(const RiscvCpu& c) { return (read_mip(c) & c.mie) != 0; }

}  // namespace mimic::riscv
