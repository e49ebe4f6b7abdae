/* The PMU: PMCR_EL0 (N, IDCODE), PMCEID0/1, the cycle counter counting while enabled and
   frozen while not, an event counter on SW_INCR (PMSWINC_EL0) and its overflow flag, a
   CPU_CYCLES counter, PMSELR/PMXEVTYPER, PMUSERENR_EL0's trap of
   EL0 reads (EC 0x18), and the overflow interrupt reaching the GIC (PPI 23 pending in the
   GICv2 distributor). */
#include "lib.h"

#define GICD_ISPENDR0 (*(volatile uint32_t*)0x08000200)
#define PMCR_E 1
#define PMCR_P 2
#define PMCR_C 4

static volatile uint64_t traps, last_esr;
extern char el0_return[];

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  if ((esr >> 26) == 0x15) { /* EL0's SVC: back to run_el0 at EL1h */
    WRITE_SYSREG(spsr_el1, 0x3c5);
    return (uint64_t)el0_return;
  }
  if ((esr >> 26) == 0x18) {
    traps++;
    last_esr = esr;
    return elr + 4;
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

static void spin(void) {
  for (volatile int i = 0; i < 20000; i++) {
  }
}

static uint64_t el0_stack[128] __attribute__((aligned(16)));
void el0_probe(void);
__asm__(
    ".globl el0_probe\n"
    "el0_probe:\n"
    "  mrs x0, pmccntr_el0\n" /* traps unless PMUSERENR_EL0 allows it */
    "  svc #0\n"
    "1: b 1b\n");

static void run_el0(void) {
  WRITE_SYSREG(sp_el0, (uint64_t)(el0_stack + 128));
  WRITE_SYSREG(spsr_el1, 0x3c0);
  WRITE_SYSREG(elr_el1, (uint64_t)el0_probe);
  __asm__ volatile(
      "eret\n"
      ".globl el0_return\n"
      "el0_return:\n" ::
          : "x0", "memory");
}

int main(void) {
  uint64_t pmcr = READ_SYSREG(pmcr_el0);
  show("PMCR_EL0", pmcr);
  show("N", (pmcr >> 11) & 31);
  show("PMCEID0_EL0", READ_SYSREG(pmceid0_el0));
  show("PMCEID1_EL0", READ_SYSREG(pmceid1_el0));
  /* Cycle counter: frozen while PMCR.E is clear, counting once enabled. */
  WRITE_SYSREG(pmcntenset_el0, 1ull << 31);
  WRITE_SYSREG(pmcr_el0, PMCR_C | PMCR_P);
  uint64_t c0 = READ_SYSREG(pmccntr_el0);
  spin();
  show("cycles while disabled", READ_SYSREG(pmccntr_el0) - c0);
  WRITE_SYSREG(pmcr_el0, PMCR_E);
  spin();
  uint64_t c1 = READ_SYSREG(pmccntr_el0);
  show("cycles counted once enabled", c1 > c0);
  /* Counter 0 on SW_INCR: three increments; counter 1 on CPU_CYCLES. */
  WRITE_SYSREG(pmevtyper0_el0, 0x00);
  WRITE_SYSREG(pmevtyper1_el0, 0x11);
  WRITE_SYSREG(pmevcntr0_el0, 0);
  WRITE_SYSREG(pmevcntr1_el0, 0);
  WRITE_SYSREG(pmcntenset_el0, 3);
  for (int i = 0; i < 3; i++) WRITE_SYSREG(pmswinc_el0, 1);
  WRITE_SYSREG(pmswinc_el0, 2); /* counter 1 does not count SW_INCR */
  show("SW_INCR count", READ_SYSREG(pmevcntr0_el0));
  spin();
  show("CPU_CYCLES counted", READ_SYSREG(pmevcntr1_el0) > 0);
  /* PMSELR + PMXEVTYPER/PMXEVCNTR reach counter 0. */
  WRITE_SYSREG(pmselr_el0, 0);
  show("PMXEVTYPER (sel 0)", READ_SYSREG(pmxevtyper_el0));
  show("PMXEVCNTR (sel 0)", READ_SYSREG(pmxevcntr_el0));
  /* Overflow: counter 0 from 0xffffffff wraps on the next SW_INCR. */
  WRITE_SYSREG(pmevcntr0_el0, 0xffffffffull);
  WRITE_SYSREG(pmswinc_el0, 1);
  show("counter 0 after the wrap", READ_SYSREG(pmevcntr0_el0));
  show("PMOVSSET_EL0", READ_SYSREG(pmovsset_el0) & 0x8000003f);
  /* The overflow interrupt: PMINTENSET for counter 0 makes PPI 23 pending at the GIC. */
  show("PPI 23 pending before PMINTENSET", (GICD_ISPENDR0 >> 23) & 1);
  WRITE_SYSREG(pmintenset_el1, 1);
  __asm__ volatile("isb");
  show("PPI 23 pending after PMINTENSET", (GICD_ISPENDR0 >> 23) & 1);
  WRITE_SYSREG(pmovsclr_el0, 0xffffffff);
  __asm__ volatile("isb");
  show("PPI 23 pending after PMOVSCLR", (GICD_ISPENDR0 >> 23) & 1);
  WRITE_SYSREG(pmintenclr_el1, 0xffffffff);
  /* EL0 reading the cycle counter: PMUSERENR_EL0 = 0 traps it, EN lets it through. */
  WRITE_SYSREG(pmuserenr_el0, 0);
  traps = 0;
  run_el0();
  show("EL0 PMCCNTR read with PMUSERENR 0: traps", traps);
  show("  esr", last_esr);
  WRITE_SYSREG(pmuserenr_el0, 1);
  traps = 0;
  run_el0();
  show("EL0 PMCCNTR read with PMUSERENR.EN: traps", traps);
  WRITE_SYSREG(pmcr_el0, 0);
  return 0;
}
