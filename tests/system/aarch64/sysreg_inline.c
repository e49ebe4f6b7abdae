/* The system registers translated code reads and writes itself at EL1 (sysreg_inline in
   target/arm/sysreg_system.cpp): SP_EL0, TPIDR_EL1, CONTEXTIDR_EL1, TCR_EL1, CTR_EL0, DCZID_EL0
   and DAIF by MRS/MSR and MSR DAIFSet/DAIFClr, within one block and across exceptions; MRS and
   MSR SP_EL0 UNDEFINED under PSTATE.SP = 0; and MSR DAIF with the virtual timer's interrupt
   pending: a value that keeps IRQs masked takes nothing, one that unmasks them takes the
   interrupt before the next instruction (ELR_EL1 is the instruction after the MSR). */
#include "lib.h"

#define GICD ((volatile uint32_t*)0x08000000)
#define GICC ((volatile uint32_t*)0x08010000)
#define GICD_CTLR 0
#define GICD_ISENABLER(n) (0x100 / 4 + (n))
#define GICC_CTLR 0
#define GICC_PMR (0x4 / 4)
#define GICC_IAR (0xc / 4)
#define GICC_EOIR (0x10 / 4)

static volatile uint64_t sync_count, sync_esr, irq_count, irq_elr, irq_intid;
static uint64_t sp0_stack[128] __attribute__((aligned(16)));

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  if (kind == 0 || kind == 4) { /* synchronous at EL1 (SP_EL0 or SP_EL1 selected): skip it */
    sync_count++;
    sync_esr = READ_SYSREG(esr_el1);
    return READ_SYSREG(elr_el1) + 4;
  }
  if (kind == 5) { /* IRQ: the virtual timer's PPI 27; stop the timer */
    uint32_t iar = GICC[GICC_IAR];
    irq_intid = iar & 0x3ff;
    WRITE_SYSREG(cntv_ctl_el0, 0);
    if (irq_intid < 1020) GICC[GICC_EOIR] = iar;
    irq_count++;
    irq_elr = READ_SYSREG(elr_el1);
    return irq_elr;
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", READ_SYSREG(esr_el1));
  exit_with(1);
}

int main(void) {
  /* Written and read back in one block, and again after an exception (an UNDEFINED MRS of an
     EL2 register, taken to EL1). */
  uint64_t a, b, c;
  __asm__ volatile(
      "msr tpidr_el1, %3\n"
      "msr contextidr_el1, %4\n"
      "msr sp_el0, %5\n"
      "mrs %0, tpidr_el1\n"
      "mrs %1, contextidr_el1\n"
      "mrs %2, sp_el0\n"
      : "=&r"(a), "=&r"(b), "=&r"(c)
      : "r"(0x1122334455667788ull), "r"(0x5a5aull), "r"(0xfedcba9876543210ull)
      : "memory");
  show("TPIDR_EL1", a);
  show("CONTEXTIDR_EL1", b);
  show("SP_EL0", c);
  __asm__ volatile("mrs %0, s3_4_c1_c1_0" : "=r"(a) : "0"(0ull) : "memory"); /* HCR_EL2 at EL1 */
  show("UNDEFINED MRS HCR_EL2, ESR", sync_esr);
  show("TPIDR_EL1 after the exception", READ_SYSREG(tpidr_el1));
  show("SP_EL0 after the exception", READ_SYSREG(sp_el0));
  show("TCR_EL1", READ_SYSREG(tcr_el1));
  show("CTR_EL0", READ_SYSREG(ctr_el0));
  show("DCZID_EL0", READ_SYSREG(dczid_el0));

  /* DAIF: MSR DAIFSet/DAIFClr and MSR DAIF, read back in the same block. */
  __asm__ volatile(
      "msr daifset, #0xf\n"
      "mrs %0, daif\n"
      "msr daifclr, #0x4\n"
      "mrs %1, daif\n"
      "msr daif, %3\n"
      "mrs %2, daif\n"
      : "=&r"(a), "=&r"(b), "=&r"(c)
      : "r"(0x1c0ull | 0xffff0000000ull) /* bits outside DAIF are ignored */
      : "memory");
  show("DAIF after DAIFSet #0xf", a);
  show("DAIF after DAIFClr #0x4", b);
  show("DAIF after MSR DAIF", c);

  /* PSTATE.SP = 0: MRS and MSR SP_EL0 are UNDEFINED (the value stays). */
  WRITE_SYSREG(sp_el0, (uint64_t)&sp0_stack[128]);
  uint64_t before = sync_count;
  __asm__ volatile(
      "msr spsel, #0\n"
      "mrs %0, sp_el0\n"
      "msr sp_el0, xzr\n"
      "msr spsel, #1\n"
      : "=r"(a)
      : "0"(0x1234ull)
      : "memory");
  show("UNDEFINED under SPSel 0", sync_count - before);
  show("  ESR", sync_esr);
  show("  MRS result kept", a);
  show("SP_EL0 kept", READ_SYSREG(sp_el0) == (uint64_t)&sp0_stack[128]);

  /* The virtual timer's interrupt pending with IRQs masked. */
  GICD[GICD_CTLR] = 1;
  GICC[GICC_PMR] = 0xff;
  GICC[GICC_CTLR] = 1;
  GICD[GICD_ISENABLER(0)] = 1u << 27;
  __asm__ volatile("msr daifset, #2" ::: "memory");
  WRITE_SYSREG(cntv_cval_el0, 0);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  __asm__ volatile("isb" ::: "memory");
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0x80);
  show("ISR_EL1.I pending", (READ_SYSREG(isr_el1) >> 7) & 1);
  /* A write that keeps I set takes nothing. */
  __asm__ volatile("msr daif, %0\n" ::"r"(0x80ull) : "memory");
  for (int i = 0; i < 1000; i++) __asm__ volatile("nop");
  show("IRQs taken with I still set", irq_count);
  /* The unmasking write: taken before the instruction after it. */
  uint64_t after;
  __asm__ volatile(
      "adr %0, 1f\n"
      "msr daif, xzr\n"
      "1: nop\n"
      : "=&r"(after)
      :
      : "memory");
  show("IRQs taken after MSR DAIF, xzr", irq_count);
  show("  INTID", irq_intid);
  show("  ELR is the instruction after the MSR", irq_elr == after);
  __asm__ volatile("msr daifset, #2" ::: "memory");
  return 0;
}
