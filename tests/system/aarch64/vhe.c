/* FEAT_VHE (-M virt,virtualization=on -cpu max; entered at EL2): ID_AA64MMFR1.VH, HCR_EL2.E2H,
   the EL1 encodings reaching the EL2 registers at EL2 and the *_EL12/*_EL02 ones the EL1
   registers (UNDEFINED without E2H), the EL2&0 regime (TTBR0_EL2 and TTBR1_EL2, TCR_EL2 in the
   EL1 layout), CNTVCT_EL0 ignoring CNTVOFF_EL2 at EL2 with E2H, the EL2 virtual timer
   CNTHV_* (also as CNTV_* at EL2 with E2H), and EL0 under E2H+TGE:
   its exceptions taken to EL2, its accesses through the EL2&0 regime (EL0 permissions); EL2
   under E2H+TGE with PSTATE.PAN, and its LDTR using EL0's permissions. */
#include "lib.h"

#define HCR_RW (1ull << 31)
#define HCR_TGE (1ull << 27)
#define HCR_E2H (1ull << 34)
/* TTBR1_EL2's range: the RAM's first GiB again at the top of the address space. */
#define HIGH(p) ((uint64_t)(p)-0x40000000ull + 0xffffffffc0000000ull)

static volatile uint64_t aborts, elr1_in_handler, abort_esr, abort_far, undef, last_esr, last_elr, last_far, last_kind,
    el0_done;
static volatile uint64_t probe = 0x1234;
extern char el0_code[], el0_svc[], el0_load[];

uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el2), elr = READ_SYSREG(elr_el2);
  unsigned ec = (unsigned)(esr >> 26);
  last_kind = kind, last_esr = esr, last_elr = elr, last_far = READ_SYSREG(far_el2);
  if (ec == 0x00) {
    undef++;
    return elr + 4;
  }
  if (ec == 0x24 || ec == 0x25) { /* EL0's or EL2's data abort: noted and skipped */
    abort_esr = esr, abort_far = last_far;
    aborts++;
    return elr + 4;
  }
  if (ec == 0x15) { /* EL0's SVC: done, back to EL2 */
    el0_done = 1;
    elr1_in_handler = READ_SYSREG(elr_el1);
    WRITE_SYSREG(spsr_el2, 0x3c9);
    return frame[19]; /* x30: where el0() was called */
  }
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", esr);
  show("elr_el2", elr);
  exit_with(1);
}
uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  show("unexpected EL1 trap, vector", kind * 0x80);
  show("esr", READ_SYSREG(esr_el1));
  exit_with(1);
}

/* EL0: a load through x0 (EL2-only: a permission fault, skipped), a load through x1, then SVC. */
__asm__(
    ".balign 4096\n"
    ".globl el0_code\n"
    "el0_code:\n"
    ".globl el0_load\n"
    "el0_load:\n"
    "  ldr x2, [x0]\n"
    "  ldr x3, [x1]\n"
    ".globl el0_svc\n"
    "el0_svc:\n"
    "  svc #0x77\n"
    "1: b 1b\n"
    ".balign 4096\n");

static void report(const char* what) {
  puts_(what);
  putc_('\n');
  show("  vector", last_kind * 0x80);
  show("  esr", last_esr);
  last_kind = last_esr = 0;
}

static uint64_t tables[3][512] __attribute__((aligned(4096)));

int main(void) {
  psci_smc = 1; /* QEMU's conduit with virtualization=on */
  show("CurrentEL", READ_SYSREG(currentel) >> 2);
  show("ID_AA64MMFR1_EL1.VH", (READ_SYSREG(id_aa64mmfr1_el1) >> 8) & 15);
  WRITE_SYSREG(vbar_el2, (uint64_t)vectors_el2);
  /* Without E2H the EL1 encodings are EL1's. (The *_EL12 ones are UNDEFINED then, as the Arm
     ARM says; QEMU 7.2 lets them through, so that is not compared.) */
  WRITE_SYSREG(hcr_el2, HCR_RW);
  __asm__ volatile("isb");
  WRITE_SYSREG(vbar_el1, 0x11000);
  WRITE_SYSREG(contextidr_el1, 0x51);
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H);
  __asm__ volatile("isb");
  show("HCR_EL2.E2H reads back", (READ_SYSREG(hcr_el2) & HCR_E2H) != 0);
  /* With E2H: VBAR_EL1 is VBAR_EL2, VBAR_EL12 is EL1's. */
  show("VBAR_EL1 at EL2 is VBAR_EL2", READ_SYSREG(vbar_el1) == (uint64_t)vectors_el2);
  show("VBAR_EL12", READ_SYSREG(s3_5_c12_c0_0));
  WRITE_SYSREG(s3_5_c12_c0_0, 0x22000);
  WRITE_SYSREG(contextidr_el1, 0x62);
  show("CONTEXTIDR_EL1 at EL2 (CONTEXTIDR_EL2)", READ_SYSREG(contextidr_el1));
  show("CONTEXTIDR_EL12", READ_SYSREG(s3_5_c13_c0_1));
  show("CONTEXTIDR_EL2", READ_SYSREG(s3_4_c13_c0_1));
  WRITE_SYSREG(mair_el1, 0xff44);
  show("MAIR_EL2 after writing MAIR_EL1", READ_SYSREG(mair_el2));
  WRITE_SYSREG(hcr_el2, HCR_RW);
  __asm__ volatile("isb");
  show("VBAR_EL1 without E2H", READ_SYSREG(vbar_el1));
  show("CONTEXTIDR_EL1 without E2H", READ_SYSREG(contextidr_el1));
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H);
  __asm__ volatile("isb");

  /* CNTVCT_EL0 at EL2 with E2H ignores CNTVOFF_EL2. */
  WRITE_SYSREG(cntvoff_el2, 1ull << 40);
  __asm__ volatile("isb");
  uint64_t p = READ_SYSREG(cntpct_el0), v = READ_SYSREG(cntvct_el0);
  show("E2H: CNTVCT within 2^20 of CNTPCT", p - v < (1ull << 20) || v - p < (1ull << 20));
  WRITE_SYSREG(hcr_el2, HCR_RW);
  __asm__ volatile("isb");
  p = READ_SYSREG(cntpct_el0), v = READ_SYSREG(cntvct_el0);
  show("no E2H: CNTPCT - CNTVCT >= 2^39", p - v >= (1ull << 39));
  WRITE_SYSREG(cntvoff_el2, 0);
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H);
  __asm__ volatile("isb");

  /* The EL2 virtual timer: its registers, CNTV_* at EL2 reaching them, ISTATUS once TVAL has
     elapsed. (Its PPI 28 is not compared: QEMU 7.2's virt board leaves it unconnected.) */
  show("CNTHV_CTL_EL2 at reset", READ_SYSREG(s3_4_c14_c3_1));
  WRITE_SYSREG(s3_4_c14_c3_2, 0); /* CNTHV_CVAL_EL2 */
  WRITE_SYSREG(s3_4_c14_c3_1, 3);
  __asm__ volatile("isb");
  show("CNTHV enabled+masked, CVAL 0: CTL", READ_SYSREG(s3_4_c14_c3_1));
  show("CNTV_CTL_EL0 at EL2 is CNTHV_CTL", READ_SYSREG(cntv_ctl_el0));
  WRITE_SYSREG(cntv_cval_el0, 0x1234);
  show("CNTHV_CVAL_EL2 after writing CNTV_CVAL_EL0", READ_SYSREG(s3_4_c14_c3_2));
  show("CNTV_CVAL_EL02 (EL1's)", READ_SYSREG(s3_5_c14_c3_2));
  WRITE_SYSREG(s3_4_c14_c3_1, 0);
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_E2H | HCR_TGE);
  /* CNTHV_TVAL_EL2: 200 ms, so that a host thread descheduled on a loaded machine still reads
     ISTATUS clear at once (16 ms was not enough at load 20). */
  WRITE_SYSREG(s3_4_c14_c3_0, 12500000);
  WRITE_SYSREG(s3_4_c14_c3_1, 3);
  __asm__ volatile("isb");
  show("CNTHV TVAL 200 ms: ISTATUS at once", (READ_SYSREG(s3_4_c14_c3_1) >> 2) & 1);
  SPIN_UNTIL(READ_SYSREG(s3_4_c14_c3_1) & 4);
  show("  then CTL", READ_SYSREG(s3_4_c14_c3_1));
  show("  TVAL negative", READ_SYSREG(s3_4_c14_c3_0) >> 31);
  WRITE_SYSREG(s3_4_c14_c3_1, 0);

  /* The EL2&0 regime: TTBR0_EL2 maps the first 2 GiB flat (GiB 1, the RAM, EL2-only), TTBR1_EL2
     maps the RAM again at the top, open to EL0 (AP 0b01, so not executable at EL2). */
  tables[0][0] = 0x0ull | (1ull << 10) | (0 << 2) | 1 | (1ull << 54);
  tables[0][1] = 0x40000000ull | (1ull << 10) | (1 << 2) | 1 | (1ull << 54);
  tables[1][511] = 0x40000000ull | (1ull << 10) | (1ull << 6) | (1 << 2) | 1 | (1ull << 53);
  WRITE_SYSREG(mair_el1, 0xff00);
  /* T0SZ = T1SZ = 25 (39-bit), 4K granules (TG0 0b00, TG1 0b10), inner-shareable WBWA walks. */
  uint64_t tcr =
      25 | (1 << 8) | (1 << 10) | (3 << 12) | (25ull << 16) | (1ull << 24) | (1ull << 26) | (3ull << 28) | (2ull << 30);
  WRITE_SYSREG(tcr_el1, tcr);
  WRITE_SYSREG(ttbr0_el1, (uint64_t)tables[0]);
  WRITE_SYSREG(ttbr1_el1, (uint64_t)tables[1]);
  __asm__ volatile("dsb sy\n isb");
  show("TCR_EL2 after writing TCR_EL1", READ_SYSREG(tcr_el2) == tcr);
  show("TTBR1_EL2 after writing TTBR1_EL1", READ_SYSREG(s3_4_c2_c0_1) == (uint64_t)tables[1]);
  WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1);
  __asm__ volatile("isb");
  show("SCTLR_EL2.M after writing SCTLR_EL1", READ_SYSREG(sctlr_el2) & 1);
  show("EL2&0 MMU on, probe", probe);
  show("  the same word through TTBR1_EL2", *(volatile uint64_t*)HIGH(&probe));
  /* EL0 under E2H+TGE: it runs from the TTBR1 alias; its load of an EL2-only page faults to
     EL2, its load through the alias works, its SVC is taken at EL2. */
  WRITE_SYSREG(spsr_el2, 0x3c0);
  WRITE_SYSREG(elr_el2, HIGH(el0_code));
  register uint64_t x0 __asm__("x0") = (uint64_t)&probe;
  register uint64_t x1 __asm__("x1") = HIGH(&probe);
  register uint64_t x3 __asm__("x3") = 0;
  __asm__ volatile("bl 1f\n b 2f\n 1: eret\n 2:" : "+r"(x0), "+r"(x1), "+r"(x3)::"x2", "x30", "memory");
  uint64_t el0_read = x3;
  show("EL0 under TGE ran and its SVC came to EL2", el0_done);
  show("  elr is past the svc", last_elr == HIGH(el0_svc) + 4);
  show("  esr", last_esr);
  show("  ELR_EL1 at EL2 reads ELR_EL2", elr1_in_handler == last_elr);
  show("  EL0's read through TTBR1_EL2", el0_read);
  show("EL0's read of an EL2-only page: esr", abort_esr);
  show("  far is the word", abort_far == (uint64_t)&probe);
  /* EL2 under E2H+TGE: PSTATE.PAN denies its data accesses to EL0's memory; LDTR/STTR use EL0's
     permissions (EL2-only memory faults, EL0's does not, whatever PAN). */
  uint64_t got;
  aborts = abort_esr = 0;
  __asm__ volatile(".inst 0xd500419f /* msr pan, #1 */\n isb" ::: "memory");
  got = *(volatile uint64_t*)HIGH(&probe);
  show("PAN set: EL2 read of EL0 memory faults", aborts);
  show("  esr", abort_esr);
  aborts = abort_esr = 0;
  __asm__ volatile("mov %0, #0\n ldtr %0, [%1]" : "=&r"(got) : "r"(HIGH(&probe)) : "memory");
  show("PAN set: LDTR of EL0 memory", got);
  show("  aborts", aborts);
  __asm__ volatile(".inst 0xd500409f /* msr pan, #0 */\n isb" ::: "memory");
  got = *(volatile uint64_t*)HIGH(&probe);
  show("PAN clear: EL2 read of EL0 memory", got);
  show("  aborts", aborts);
  __asm__ volatile("mov %0, #0\n ldtr %0, [%1]" : "=&r"(got) : "r"(&probe) : "memory");
  show("LDTR of EL2-only memory faults", aborts);
  show("  esr", abort_esr);
  WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~1ull);
  __asm__ volatile("isb");
  WRITE_SYSREG(hcr_el2, HCR_RW);
  __asm__ volatile("isb");
  return 0;
}
