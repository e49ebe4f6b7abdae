// CSRs: WARL masks (all ones / zero written, read back), reserved xtvec modes, satp modes, and
// illegal accesses (unknown CSR, read-only CSR, privilege, FS off, TVM) trapping with
// mtval = the instruction bits. Bits where QEMU 7.2 differs from the privileged spec on purpose
// here (VS without V, UXL written, H bits, PBMTE without Svpbmt) are masked out of the output.
#include "lib.h"

#define PROBE(name, mask)                         \
  do {                                            \
    uint64_t old_ = CSR_READ(name);               \
    CSR_WRITE(name, ~0ull);                       \
    show(#name "|ones", CSR_READ(name) & (mask)); \
    CSR_WRITE(name, 0);                           \
    show(#name "|zero", CSR_READ(name) & (mask)); \
    CSR_WRITE(name, old_);                        \
  } while (0)
#define PATTERN(name, v)                \
  do {                                  \
    uint64_t old_ = CSR_READ(name);     \
    CSR_WRITE(name, v);                 \
    show(#name "|" #v, CSR_READ(name)); \
    CSR_WRITE(name, old_);              \
  } while (0)

static void s_reads_mstatus(uint64_t a) {
  (void)a;
  TRY("S csrr mstatus", "csrr t0, mstatus");
}
static void s_reads_sstatus(uint64_t a) {
  (void)a;
  TRY("S csrr sstatus", "csrr t0, sstatus");
}
static void s_reads_satp(uint64_t a) {
  (void)a;
  TRY("S csrr satp", "csrr t0, satp");
}
static void s_writes_mscratch(uint64_t a) {
  (void)a;
  TRY("S csrw mscratch", "csrw mscratch, zero");
}
__attribute__((naked)) static void u_reads_sstatus(uint64_t a) { __asm__ volatile("csrr t0, sstatus\n ret"); }

int main(void) {
  pmp_open_all();
  show("misa", CSR_READ(misa));
  show("mhartid", CSR_READ(mhartid));
  show("mvendorid", CSR_READ(mvendorid));
  show("mstatus", CSR_READ(mstatus));
  show("mie", CSR_READ(mie));
  show("medeleg", CSR_READ(medeleg));
  show("mideleg", CSR_READ(mideleg));
  show("satp", CSR_READ(satp));
  show("menvcfg", CSR_READ(menvcfg));
  // mstatus: not VS (9-10), UXL/SXL (32-35: QEMU lets UXL be written), MPV/GVA (H).
  PROBE(mstatus, ~0xcf00000600ull);
  PROBE(sstatus, ~0x300000600ull);
  PROBE(medeleg, ~0xf00c00ull);  // not 10/11 (QEMU keeps them) and the H causes
  PROBE(mideleg, ~0x2444ull);    // not the VS and LCOFI bits QEMU keeps without H
  PROBE(mie, ~0x2444ull);
  PROBE(mip, ~0x24c4ull);         // and not MTIP, the ACLINT's
  PROBE(menvcfg, ~(1ull << 62));  // PBMTE: QEMU 7.2 keeps it without Svpbmt
  PROBE(senvcfg, ~0ull);
  PROBE(stvec, ~0ull);
  PROBE(mtvec, ~0ull);
  PROBE(mcause, ~0ull);
  PROBE(scause, ~0ull);
  PROBE(mtval, ~0ull);
  PROBE(stval, ~0ull);
  PROBE(mscratch, ~0ull);
  PROBE(sscratch, ~0ull);
  PROBE(mhpmevent3, ~0ull);
  PROBE(mhpmcounter4, ~0ull);
  PATTERN(mepc, 0xfffffffffffffffeull);
  PATTERN(sepc, 0x80001234ull);
  PATTERN(mcounteren, 0xffffffffull);
  PATTERN(scounteren, 0x7ull);
  PATTERN(mcountinhibit, 0xfffffffdull);
  PATTERN(stvec, 0x80004001ull);
  PATTERN(mtvec, 0x80004001ull);
  // A reserved vector mode leaves xtvec unchanged.
  CSR_WRITE(stvec, 0x80008000);
  CSR_WRITE(stvec, 0x80009002);
  show("stvec after mode 2", CSR_READ(stvec));
  // satp: Bare, Sv39, Sv48, Sv57 are kept; other modes are ignored.
  CSR_WRITE(satp, (8ull << 60) | (0x1234ull << 44) | 0x80123);
  show("satp sv39", CSR_READ(satp));
  CSR_WRITE(satp, (1ull << 60) | 5);
  show("satp mode 1", CSR_READ(satp));
  CSR_WRITE(satp, (9ull << 60) | 0x80124);
  show("satp sv48", CSR_READ(satp));
  CSR_WRITE(satp, (10ull << 60) | 0x80125);
  show("satp sv57", CSR_READ(satp));
  CSR_WRITE(satp, (11ull << 60) | 0x80126);
  show("satp mode 11", CSR_READ(satp));
  CSR_WRITE(satp, 0);
  // MPP holds S. (MPP is WARL: writing the reserved 2 keeps the old value in mimic; QEMU 7.2
  // stores the 2, so that case is checked in tests/unit/riscv only.)
  CSR_CLEAR(mstatus, MSTATUS_MPP);
  CSR_SET(mstatus, 1ull << 11);
  show("mpp after S", (CSR_READ(mstatus) >> 11) & 3);

  // Illegal accesses from M.
  TRY("csrr 0x7c0", "csrr t0, 0x7c0");
  TRY("csrr 0x5c0", "csrr t0, 0x5c0");
  TRY("csrw mhartid", "csrw mhartid, t0");
  TRY("csrrs mhartid x0", "csrrs t0, mhartid, x0");
  TRY("csrw misa", "csrw misa, zero");
  TRY("csrr pmpcfg1", "csrr t0, 0x3a1");
  TRY("csrr fflags FS=off", "csrr t0, fflags");
  TRY("fadd.d FS=off", "fadd.d ft0, ft1, ft2");
  CSR_SET(mstatus, 1ull << 13);  // FS Initial
  TRY("csrr fflags FS=initial", "csrr t0, fflags");
  show("FS after read", (CSR_READ(mstatus) >> 13) & 3);
  TRY("fsflags", "fsflags zero");
  show("FS after fsflags", (CSR_READ(mstatus) >> 13) & 3);
  show("SD", CSR_READ(mstatus) >> 63);
  CSR_CLEAR(mstatus, MSTATUS_FS);
  CSR_SET(mstatus, 1ull << 13);
  __asm__ volatile("fmv.d.x ft0, zero" ::: "memory");
  show("FS after fmv.d.x", (CSR_READ(mstatus) >> 13) & 3);
  CSR_CLEAR(mstatus, MSTATUS_FS);
  CSR_SET(mstatus, 2ull << 13);  // Clean
  __asm__ volatile("fsd ft0, 0(%0)" ::"r"(&last_trap.count + 0) : "memory");
  show("FS after fsd", (CSR_READ(mstatus) >> 13) & 3);
  CSR_CLEAR(mstatus, MSTATUS_FS);

  // From S and U.
  run_in_mode(1, s_reads_mstatus, 0);
  run_in_mode(1, s_reads_sstatus, 0);
  run_in_mode(1, s_writes_mscratch, 0);
  CSR_SET(mstatus, MSTATUS_TVM);
  run_in_mode(1, s_reads_satp, 0);
  CSR_CLEAR(mstatus, MSTATUS_TVM);
  run_in_mode(1, s_reads_satp, 0);
  trap_reset();
  run_in_mode(0, u_reads_sstatus, 0);
  show_trap("U csrr sstatus");
  return 0;
}
