/* The traps HCR_EL2 and CNTHCTL_EL2 give EL2 over EL1 (-M virt,virtualization=on), and the EL2
   physical timer: EL1 asks EL2 (HVC #1, x0 = HCR_EL2's trap bits) to set each trap in turn, then
   makes the accesses it covers; EL2 prints the syndrome of every access that traps and skips it.
   TVM (writes of the virtual memory controls), TRVM (their reads), TACR (ACTLR_EL1), TID1
   (REVIDR, AIDR), TID2 (CTR, CCSIDR, CLIDR, CSSELR), TID3 (the ID registers), TSW (DC by set/way),
   TTLB (TLBI), TPCP/TPU (cache maintenance to PoC/PoU); CNTHCTL_EL2.EL1PCTEN/EL1PCEN (EL1's
   physical counter and timer); CNTHP_CTL/CVAL/TVAL_EL2 and its interrupt, PPI 26, taken at EL2. */
#include "lib.h"

#define HCR_IMO (1ull << 4)
#define HCR_TID1 (1ull << 16)
#define HCR_TID2 (1ull << 17)
#define HCR_TID3 (1ull << 18)
#define HCR_TACR (1ull << 21)
#define HCR_TSW (1ull << 22)
#define HCR_TPCP (1ull << 23)
#define HCR_TPU (1ull << 24)
#define HCR_TTLB (1ull << 25)
#define HCR_TVM (1ull << 26)
#define HCR_TRVM (1ull << 30)
#define HCR_RW (1ull << 31)

#define GICD ((volatile uint32_t*)0x08000000)
#define GICC ((volatile uint32_t*)0x08010000)

static volatile uint64_t traps, irqs, irq_intid, irq_ctl;

/* EL2: HVC #1 sets HCR_EL2 (RW | x0), HVC #2 sets CNTHCTL_EL2 (x0), HVC #3 ends the test, HVC #4 arms the EL2 physical
   timer; a trapped access prints its ESR and is skipped; an IRQ (the EL2 physical timer) is noted and its timer
   stopped. */
uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  uint64_t esr = READ_SYSREG(esr_el2), elr = READ_SYSREG(elr_el2);
  if (kind == 5 || kind == 9) { /* IRQ from EL2 itself or from EL1 */
    uint32_t iar = GICC[3];
    irq_intid = iar & 0x3ff;
    irq_ctl = READ_SYSREG(cnthp_ctl_el2);
    WRITE_SYSREG(cnthp_ctl_el2, 0);
    GICC[4] = iar;
    irqs++;
    return elr;
  }
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x16) {
    unsigned imm = esr & 0xffff;
    if (imm == 1) WRITE_SYSREG(hcr_el2, HCR_RW | frame[0]);
    if (imm == 2) WRITE_SYSREG(cnthctl_el2, frame[0]);
    if (imm == 3) exit_with(0);
    if (imm == 4) {
      WRITE_SYSREG(cnthp_tval_el2, 1000);
      WRITE_SYSREG(cnthp_ctl_el2, 1);
    }
    __asm__ volatile("isb");
    return elr;
  }
  if (ec == 0x18) {
    traps++;
    show("  trapped, esr_el2", esr);
    return elr + 4;
  }
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", esr);
  show("elr_el2", elr);
  exit_with(1);
}

static void set_hcr(uint64_t bits) {
  register uint64_t x0 __asm__("x0") = bits;
  __asm__ volatile("hvc #1" : "+r"(x0)::"memory");
}
static void set_cnthctl(uint64_t v) {
  register uint64_t x0 __asm__("x0") = v;
  __asm__ volatile("hvc #2" : "+r"(x0)::"memory");
}

#define RW_SAME(reg)                \
  do {                              \
    uint64_t v_ = READ_SYSREG(reg); \
    WRITE_SYSREG(reg, v_);          \
  } while (0)

static void vm_controls(void) {
  RW_SAME(sctlr_el1);
  RW_SAME(ttbr0_el1);
  RW_SAME(ttbr1_el1);
  RW_SAME(tcr_el1);
  RW_SAME(esr_el1);
  RW_SAME(far_el1);
  RW_SAME(afsr0_el1);
  RW_SAME(afsr1_el1);
  RW_SAME(mair_el1);
  RW_SAME(amair_el1);
  RW_SAME(contextidr_el1);
}

static void section(const char* name, uint64_t hcr) {
  puts_(name);
  putc_('\n');
  set_hcr(hcr);
  traps = 0;
}

static uint64_t cache_line[8] __attribute__((aligned(64)));

__attribute__((noreturn)) void el1_main(void) {
  uint64_t* line = cache_line;
  section("TVM", HCR_TVM);
  vm_controls();
  section("TRVM", HCR_TRVM);
  vm_controls();
  section("TACR", HCR_TACR);
  RW_SAME(actlr_el1);
  section("TID1", HCR_TID1);
  (void)READ_SYSREG(revidr_el1);
  (void)READ_SYSREG(aidr_el1);
  (void)READ_SYSREG(midr_el1);
  section("TID2", HCR_TID2);
  (void)READ_SYSREG(ctr_el0);
  (void)READ_SYSREG(ccsidr_el1);
  (void)READ_SYSREG(clidr_el1);
  RW_SAME(csselr_el1);
  section("TID3", HCR_TID3);
  (void)READ_SYSREG(id_aa64pfr0_el1);
  (void)READ_SYSREG(id_aa64mmfr0_el1);
  (void)READ_SYSREG(id_aa64isar0_el1);
  (void)READ_SYSREG(id_pfr0_el1);
  (void)READ_SYSREG(mvfr0_el1);
  (void)READ_SYSREG(mpidr_el1);
  section("TSW", HCR_TSW);
  __asm__ volatile("dc isw, xzr\n dc csw, xzr\n dc cisw, xzr\n dc civac, %0" ::"r"(line) : "memory");
  section("TTLB", HCR_TTLB);
  __asm__ volatile("tlbi vmalle1\n tlbi vae1, xzr\n tlbi vmalle1is\n tlbi aside1, xzr\n dsb sy" ::: "memory");
  section("TPCP", HCR_TPCP);
  __asm__ volatile("dc cvac, %0\n dc civac, %0\n dc ivac, %0\n dc cvau, %0" ::"r"(line) : "memory");
  section("TPU", HCR_TPU);
  __asm__ volatile("dc cvau, %0\n ic ivau, %0\n ic iallu\n ic ialluis\n dc cvac, %0" ::"r"(line) : "memory");
  section("none", 0);
  vm_controls();
  RW_SAME(actlr_el1);
  (void)READ_SYSREG(id_aa64pfr0_el1);
  show("traps without HCR_EL2 bits", traps);
  puts_("CNTHCTL_EL2 = 0 (EL1PCTEN, EL1PCEN clear)\n");
  set_cnthctl(0);
  (void)READ_SYSREG(cntpct_el0);
  (void)READ_SYSREG(cntvct_el0);
  (void)READ_SYSREG(cntp_ctl_el0);
  WRITE_SYSREG(cntp_cval_el0, 0);
  (void)READ_SYSREG(cntp_tval_el0);
  (void)READ_SYSREG(cntv_ctl_el0);
  (void)READ_SYSREG(cntfrq_el0);
  puts_("CNTHCTL_EL2 = 1 (EL1PCTEN)\n");
  set_cnthctl(1);
  (void)READ_SYSREG(cntpct_el0);
  (void)READ_SYSREG(cntp_ctl_el0);
  set_cnthctl(3);
  /* The EL2 physical timer fires while EL1 runs with IRQs masked: IMO routes it to EL2. */
  irqs = 0;
  set_hcr(HCR_IMO);
  __asm__ volatile("hvc #4" ::: "memory");
  SPIN_UNTIL(irqs);
  show("EL2 timer irqs taken from EL1", irqs);
  show("  intid", irq_intid);
  show("  CNTHP_CTL_EL2 in the handler", irq_ctl);
  __asm__ volatile("hvc #3" ::: "memory");
  for (;;) {
  }
}

int main(void) {
  psci_smc = 1;
  WRITE_SYSREG(vbar_el2, (uint64_t)vectors_el2);
  WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
  /* The EL2 physical timer's registers at EL2. */
  show("CNTHP_CTL_EL2 at reset", READ_SYSREG(cnthp_ctl_el2));
  WRITE_SYSREG(cnthp_cval_el2, 0);
  WRITE_SYSREG(cnthp_ctl_el2, 1);
  __asm__ volatile("isb");
  show("enabled, CVAL 0: CTL", READ_SYSREG(cnthp_ctl_el2));
  show("  TVAL negative", READ_SYSREG(cnthp_tval_el2) >> 31);
  WRITE_SYSREG(cnthp_ctl_el2, 3);
  show("masked: CTL", READ_SYSREG(cnthp_ctl_el2));
  WRITE_SYSREG(cnthp_tval_el2, 0x7fffffff);
  show("TVAL far ahead: CTL", READ_SYSREG(cnthp_ctl_el2));
  show("  CVAL - CNTPCT > 2^30", READ_SYSREG(cnthp_cval_el2) - READ_SYSREG(cntpct_el0) > (1ull << 30));
  WRITE_SYSREG(cnthp_ctl_el2, 0);
  /* A timer interrupt at EL2 itself (IMO set, PSTATE.I clear), PPI 26 through the GICv2. */
  GICD[0] = 1;
  GICD[0x100 / 4] = 1u << 26;
  GICC[1] = 0xff;
  GICC[0] = 1;
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
  WRITE_SYSREG(cnthp_tval_el2, 1000);
  WRITE_SYSREG(cnthp_ctl_el2, 1);
  __asm__ volatile("msr daifclr, #2" ::: "memory");
  SPIN_UNTIL(irqs);
  __asm__ volatile("msr daifset, #2" ::: "memory");
  show("EL2 timer irqs at EL2", irqs);
  show("  intid", irq_intid);
  show("  CNTHP_CTL_EL2 in the handler", irq_ctl);
  irqs = 0;
  WRITE_SYSREG(hcr_el2, HCR_RW);
  WRITE_SYSREG(spsr_el2, 0x3c5); /* EL1h, DAIF masked */
  WRITE_SYSREG(elr_el2, (uint64_t)el1_main);
  __asm__ volatile(
      "mov x0, sp\n"
      "msr sp_el1, x0\n"
      "eret\n" ::
          : "x0", "memory");
  return 1;
}
