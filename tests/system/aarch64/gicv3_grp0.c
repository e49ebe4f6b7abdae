/* GICv3 Group 0 through the CPU interface's system registers (-M virt,gic-version=3, EL1; a
   GIC without the Security Extensions, as QEMU's virt with secure=off: Group 0 signals FIQ):
   ICC_IGRPEN0_EL1, ICC_BPR0_EL1, a pending Group 0 interrupt in ICC_HPPIR0_EL1 (not in
   HPPIR1, not acknowledged by IAR1) and ISR_EL1.F, its FIQ acknowledged by ICC_IAR0_EL1 with
   the running priority, ended by ICC_EOIR0_EL1; no FIQ with IGRPEN0 clear until it is set
   again; a Group 1 interrupt still arriving as IRQ through ICC_IAR1_EL1. */
#include "lib.h"

#define GICD ((volatile uint32_t*)0x08000000)
#define GICR_RD 0x080a0000ull
#define GICR_SGI (GICR_RD + 0x10000)
#define R32(a) (*(volatile uint32_t*)(a))
#define R8(a) (*(volatile uint8_t*)(a))
#define VTIMER 27
#define PTIMER 30

static volatile uint64_t fiqs, irqs, last_intid, last_rpr, last_kind;

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  unsigned slot = kind & 3;
  if (slot == 2) { /* FIQ: Group 0 */
    uint64_t intid = READ_SYSREG(icc_iar0_el1);
    last_rpr = READ_SYSREG(icc_rpr_el1);
    last_intid = intid;
    last_kind = kind;
    if (intid == VTIMER) WRITE_SYSREG(cntv_ctl_el0, 0);
    if (intid < 1020) WRITE_SYSREG(icc_eoir0_el1, intid);
    fiqs++;
    return READ_SYSREG(elr_el1);
  }
  if (slot == 1) { /* IRQ: Group 1 */
    uint64_t intid = READ_SYSREG(icc_iar1_el1);
    last_rpr = READ_SYSREG(icc_rpr_el1);
    last_intid = intid;
    last_kind = kind;
    if (intid == PTIMER) WRITE_SYSREG(cntp_ctl_el0, 0);
    if (intid < 1020) WRITE_SYSREG(icc_eoir1_el1, intid);
    irqs++;
    return READ_SYSREG(elr_el1);
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", READ_SYSREG(esr_el1));
  exit_with(1);
}

static void vtimer_fire(void) {
  WRITE_SYSREG(cntv_cval_el0, 0);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  __asm__ volatile("isb");
}

int main(void) {
  WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
  GICD[0] = (1u << 4) | 2 | 1; /* ARE, EnableGrp1, EnableGrp0 */
  R32(GICR_RD + 0x14) = 0;     /* GICR_WAKER: awake */
  for (int i = 0; i < 1000000 && (R32(GICR_RD + 0x14) & 4); i++) {
  }
  show("GICD_CTLR", GICD[0]);
  show("GICR_IGROUPR0 at reset", R32(GICR_SGI + 0x80));
  R32(GICR_SGI + 0x80) = 1u << PTIMER; /* the physical timer Group 1, the virtual timer Group 0 */
  R8(GICR_SGI + 0x400 + VTIMER) = 0x80;
  R8(GICR_SGI + 0x400 + PTIMER) = 0x40;
  R32(GICR_SGI + 0x100) = (1u << VTIMER) | (1u << PTIMER);
  WRITE_SYSREG(icc_sre_el1, 7);
  __asm__ volatile("isb");
  WRITE_SYSREG(icc_pmr_el1, 0xff);
  show("ICC_IGRPEN0_EL1 at reset", READ_SYSREG(icc_igrpen0_el1));
  show("ICC_BPR0_EL1 at reset", READ_SYSREG(icc_bpr0_el1));
  WRITE_SYSREG(icc_bpr0_el1, 3);
  show("ICC_BPR0_EL1 after writing 3", READ_SYSREG(icc_bpr0_el1));
  WRITE_SYSREG(icc_bpr0_el1, 0);
  show("ICC_BPR0_EL1 after writing 0", READ_SYSREG(icc_bpr0_el1));
  WRITE_SYSREG(icc_igrpen0_el1, 1);
  WRITE_SYSREG(icc_igrpen1_el1, 1);
  __asm__ volatile("isb");
  show("ICC_IGRPEN0_EL1", READ_SYSREG(icc_igrpen0_el1));

  /* The virtual timer (Group 0) pending with PSTATE.F masked. */
  vtimer_fire();
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0x40);
  show("Group 0 pending: ISR_EL1", READ_SYSREG(isr_el1));
  show("  ICC_HPPIR0_EL1", READ_SYSREG(icc_hppir0_el1));
  show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
  show("  ICC_IAR1_EL1 does not take it", READ_SYSREG(icc_iar1_el1));
  __asm__ volatile("msr daifclr, #1" ::: "memory");
  SPIN_UNTIL(fiqs);
  show("FIQs", fiqs);
  show("  ICC_IAR0_EL1", last_intid);
  show("  running priority in the handler", last_rpr);
  show("  vector", last_kind * 0x80);
  show("  ICC_RPR_EL1 after EOIR0", READ_SYSREG(icc_rpr_el1));
  /* Group 0 disabled at the CPU interface: pending, no FIQ, until IGRPEN0 is set again. */
  __asm__ volatile("msr daifset, #1" ::: "memory");
  WRITE_SYSREG(icc_igrpen0_el1, 0);
  __asm__ volatile("isb");
  fiqs = 0;
  vtimer_fire();
  __asm__ volatile("msr daifclr, #1" ::: "memory");
  for (int i = 0; i < 200000; i++) __asm__ volatile("yield" ::: "memory");
  show("IGRPEN0 clear: FIQs", fiqs);
  show("  ISR_EL1", READ_SYSREG(isr_el1));
  WRITE_SYSREG(icc_igrpen0_el1, 1);
  __asm__ volatile("isb");
  SPIN_UNTIL(fiqs);
  show("IGRPEN0 set again: FIQs", fiqs);
  show("  ICC_IAR0_EL1", last_intid);
  __asm__ volatile("msr daifset, #1" ::: "memory");
  /* The physical timer (Group 1): an IRQ, ICC_IAR1_EL1. */
  WRITE_SYSREG(cntp_cval_el0, 0);
  WRITE_SYSREG(cntp_ctl_el0, 1);
  __asm__ volatile("isb\n msr daifclr, #2" ::: "memory");
  SPIN_UNTIL(irqs);
  __asm__ volatile("msr daifset, #2" ::: "memory");
  show("Group 1 IRQs", irqs);
  show("  ICC_IAR1_EL1", last_intid);
  show("  running priority in the handler", last_rpr);
  show("  vector", last_kind * 0x80);
  return 0;
}
