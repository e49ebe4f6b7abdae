/* GICv3 with the Security Extensions (-M virt,secure=on,gic-version=3: GICD_CTLR.DS = 0;
   entered at EL3): the Secure view of GICD_CTLR (ARE_S, ARE_NS, EnableGrp1S/1NS), GICD_TYPER's
   SecurityExtn, Secure Group 1 through GICR_IGRPMODR0, ICC_SRE_EL3, ICC_CTLR_EL3 and
   ICC_IGRPEN1_EL3, the EL1 CPU interface registers banked by SCR_EL3.NS (ICC_CTLR_EL1,
   ICC_BPR1_EL1, ICC_IGRPEN1_EL1), SGIs of each group (ICC_SGI0R, SGI1R, ASGI1R), the special
   INTIDs 1020/1021 that EL3 reads for Group 1 interrupts, the FIQ/IRQ signalling of each group
   at EL3, at Secure EL1 and at Non-secure EL1 (with SCR_EL3.FIQ taking Secure interrupts from
   Non-secure EL1 to EL3), and the Non-secure view of the distributor and redistributor: the
   Secure interrupts' fields read as zero and ignore writes, the Non-secure priorities shifted,
   the Non-secure GICD_CTLR, and the Non-secure view of ICC_PMR_EL1. Ends at "exit=0" without
   powering off (QEMU has no PSCI for a guest entered at EL3). */
#include "lib.h"

#define SCR_NS (1ull << 0)
#define SCR_IRQ (1ull << 1)
#define SCR_FIQ (1ull << 2)
#define SCR_RES1 (3ull << 4)
#define SCR_RW (1ull << 10)

#define GICD ((volatile uint32_t*)0x08000000)
#define GICR_RD 0x080a0000ull
#define GICR_SGI (GICR_RD + 0x10000)
#define R32(a) (*(volatile uint32_t*)(a))
#define R8(a) (*(volatile uint8_t*)(a))

/* SGIs by group: 1 Group 0, 2 Secure Group 1, 3 and 4 Non-secure Group 1. */
#define SGI_G0 1
#define SGI_G1S 2
#define SGI_G1NS 3
#define SGI_G1NS_B 4
#define SGI_TARGET_SELF(id) (((uint64_t)(id) << 24) | 1)

#define icc_sre_el3 S3_6_C12_C12_5
#define icc_ctlr_el3 S3_6_C12_C12_4
#define icc_igrpen1_el3 S3_6_C12_C12_7
#define icc_sgi0r_el1 S3_0_C12_C11_7
#define icc_sgi1r_el1 S3_0_C12_C11_5
#define icc_asgi1r_el1 S3_0_C12_C11_6

static volatile uint64_t el3_irqs, el3_fiqs, el1_irqs, el1_fiqs, last_intid, last_hppir0, last_kind, last_rpr;

static uint64_t current_el(void) { return READ_SYSREG(currentel) >> 2; }

static void set_scr(uint64_t v) {
  WRITE_SYSREG(scr_el3, v);
  __asm__ volatile("isb");
}

/* EL3's interrupt handler: what ICC_HPPIR0 and ICC_IAR0 say (1020/1021 for Group 1), then the
   Group 1 interrupt through ICC_IAR1_EL1 (EL3 sees both Security states' Group 1). */
static void el3_interrupt(unsigned slot) {
  uint64_t hppir0 = READ_SYSREG(icc_hppir0_el1);
  uint64_t intid = READ_SYSREG(icc_iar0_el1);
  last_hppir0 = hppir0;
  if (intid >= 1020) {
    intid = READ_SYSREG(icc_iar1_el1);
    last_rpr = READ_SYSREG(icc_rpr_el1);
    if (intid < 1020) WRITE_SYSREG(icc_eoir1_el1, intid);
  } else {
    last_rpr = READ_SYSREG(icc_rpr_el1);
    WRITE_SYSREG(icc_eoir0_el1, intid);
  }
  last_intid = intid;
  if (slot == 2)
    el3_fiqs++;
  else
    el3_irqs++;
}

static void finish(void);
static void el3_part2(void);

/* SMC services for the lower ELs: x0 = 1: ICC_SGI0R_EL1 = x1, 2: ICC_SGI1R_EL1, 3:
   ICC_ASGI1R_EL1 (written at EL3), 5: back to EL3's program. */
uint64_t trap_el3(uint64_t kind, uint64_t* frame) {
  uint64_t esr = READ_SYSREG(esr_el3), elr = READ_SYSREG(elr_el3);
  unsigned slot = kind & 3;
  last_kind = kind;
  if (slot == 1 || slot == 2) {
    el3_interrupt(slot);
    return elr;
  }
  if ((esr >> 26) == 0x18) { /* an ICC_* access trapped by SCR_EL3.FIQ/IRQ: skipped */
    show("  trapped to EL3: ESR_EL3", esr);
    return elr + 4;
  }
  if ((esr >> 26) == 0x17) {
    switch (frame[0]) {
      case 1: WRITE_SYSREG(icc_sgi0r_el1, frame[1]); break;
      case 2: WRITE_SYSREG(icc_sgi1r_el1, frame[1]); break;
      case 3: WRITE_SYSREG(icc_asgi1r_el1, frame[1]); break;
      case 5:
        WRITE_SYSREG(elr_el3, (uint64_t)el3_part2);
        WRITE_SYSREG(spsr_el3, 0x3cd); /* EL3h, DAIF masked */
        set_scr(SCR_RES1 | SCR_RW);
        return (uint64_t)el3_part2;
      default: break;
    }
    __asm__ volatile("isb");
    return elr;
  }
  show("unexpected EL3 trap, vector", kind * 0x80);
  show("esr_el3", esr);
  show("elr_el3", elr);
  finish();
  return elr;
}

/* EL1 (Secure or Non-secure): IRQs and FIQs taken here are acknowledged with ICC_IAR1_EL1 /
   ICC_IAR0_EL1. */
uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  unsigned slot = kind & 3;
  last_kind = kind;
  if (slot == 1 || slot == 2) {
    uint64_t intid = slot == 1 ? READ_SYSREG(icc_iar1_el1) : READ_SYSREG(icc_iar0_el1);
    last_rpr = READ_SYSREG(icc_rpr_el1);
    if (intid < 1020) {
      if (slot == 1)
        WRITE_SYSREG(icc_eoir1_el1, intid);
      else
        WRITE_SYSREG(icc_eoir0_el1, intid);
    }
    last_intid = intid;
    if (slot == 1)
      el1_irqs++;
    else
      el1_fiqs++;
    return READ_SYSREG(elr_el1);
  }
  show("unexpected EL1 trap, vector", kind * 0x80);
  show("esr", READ_SYSREG(esr_el1));
  show("elr", READ_SYSREG(elr_el1));
  for (;;) __asm__ volatile("wfi");
}

static uint64_t smc(uint64_t fn, uint64_t a1) {
  register uint64_t x0 __asm__("x0") = fn;
  register uint64_t x1 __asm__("x1") = a1;
  __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1)::"memory");
  return x0;
}

__attribute__((noreturn)) static void finish_noreturn(void) {
  show("exit", 0);
  for (;;) __asm__ volatile("wfi");
}
static void finish(void) { finish_noreturn(); }

static void show_taken(const char* what) {
  puts_(what);
  putc_('\n');
  show("  EL3 IRQs", el3_irqs);
  show("  EL3 FIQs", el3_fiqs);
  show("  EL1 IRQs", el1_irqs);
  show("  EL1 FIQs", el1_fiqs);
  show("  INTID", last_intid);
  show("  vector", last_kind * 0x80);
  show("  running priority in the handler", last_rpr);
  el3_irqs = el3_fiqs = el1_irqs = el1_fiqs = 0;
  last_intid = last_rpr = 0;
}

static void wait_taken(void) {
  SPIN_UNTIL(el3_irqs + el3_fiqs + el1_irqs + el1_fiqs);
  for (int i = 0; i < 2000; i++) __asm__ volatile("yield" ::: "memory");
}

/* Unmasks IRQ and FIQ until the pending interrupt is taken. */
static void unmask_until_taken(void) {
  __asm__ volatile("msr daifclr, #3" ::: "memory");
  wait_taken();
  __asm__ volatile("msr daifset, #3" ::: "memory");
}

static void unmask_and_show_taken(const char* what) {
  unmask_until_taken();
  show_taken(what);
}

static void show_sgi_registers(const char* who) {
  puts_(who);
  putc_('\n');
  show("  GICD_CTLR", GICD[0]);
  show("  GICR_IGROUPR0", R32(GICR_SGI + 0x80));
  show("  GICR_ISENABLER0", R32(GICR_SGI + 0x100));
  show("  GICR_ISPENDR0", R32(GICR_SGI + 0x200));
  show("  GICR_IPRIORITYR0", R32(GICR_SGI + 0x400));
  show("  GICR_IPRIORITYR1", R32(GICR_SGI + 0x404));
  show("  GICR_IGRPMODR0", R32(GICR_SGI + 0xd00));
  show("  GICR_NSACR", R32(GICR_SGI + 0xe00));
  show("  GICD_IGROUPR1", GICD[0x84 / 4]);
  show("  GICD_ISENABLER1", GICD[0x104 / 4]);
  show("  GICD_IPRIORITYR8", GICD[0x420 / 4]);
  show("  GICD_IGRPMODR1", GICD[0xd04 / 4]);
}

/* Non-secure EL1 (entered from EL3 with SCR_EL3.NS, FIQ routed to EL3). */
static void ns_el1(void) {
  show("Non-secure EL1: CurrentEL", current_el());
  show_sgi_registers("Non-secure view");
  /* Writes to the Secure interrupts' fields are ignored; the Non-secure priority is shifted. */
  R32(GICR_SGI + 0x180) = 1u << SGI_G0; /* ICENABLER0 of a Group 0 SGI */
  R32(GICR_SGI + 0x80) = 0;             /* IGROUPR0: the Non-secure ones stay Group 1 */
  R8(GICR_SGI + 0x400 + SGI_G1S) = 0x10;
  R8(GICR_SGI + 0x400 + SGI_G1NS_B) = 0x20;
  GICD[0x84 / 4] = 0;
  GICD[0x104 / 4] = 0xffffffff;
  R8(0x08000000 + 0x400 + 33) = 0x40;
  show_sgi_registers("Non-secure view after Non-secure writes");
  GICD[0] = 1; /* EnableGrp1 (Non-secure) only */
  show("  GICD_CTLR after writing 1", GICD[0]);
  GICD[0] = 3;
  /* The banked registers as Non-secure EL1 sees them. */
  show("ICC_CTLR_EL1 (NS)", READ_SYSREG(icc_ctlr_el1));
  show("ICC_BPR1_EL1 (NS)", READ_SYSREG(icc_bpr1_el1));
  show("ICC_IGRPEN1_EL1 (NS)", READ_SYSREG(icc_igrpen1_el1));
  show("ICC_PMR_EL1 (NS view)", READ_SYSREG(icc_pmr_el1));
  WRITE_SYSREG(icc_pmr_el1, 0xe0);
  show("ICC_PMR_EL1 (NS view) after writing 0xe0", READ_SYSREG(icc_pmr_el1));
  WRITE_SYSREG(icc_pmr_el1, 0xff);
  show("ICC_RPR_EL1 (NS view)", READ_SYSREG(icc_rpr_el1));
  show("ICC_HPPIR1_EL1 with nothing pending", READ_SYSREG(icc_hppir1_el1));

  /* Non-secure Group 1: an IRQ here. */
  WRITE_SYSREG(icc_sgi1r_el1, SGI_TARGET_SELF(SGI_G1NS));
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0x80);
  show("NS Group 1 pending: ISR_EL1", READ_SYSREG(isr_el1));
  show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
  (void)READ_SYSREG(icc_hppir0_el1); /* Group 0's register: trapped to EL3 by SCR_EL3.FIQ */
  unmask_and_show_taken("NS Group 1 SGI at NS EL1");
  /* Non-secure EL1 cannot raise a Secure SGI (GICR_NSACR is 0): nothing happens. */
  WRITE_SYSREG(icc_asgi1r_el1, SGI_TARGET_SELF(SGI_G1S));
  WRITE_SYSREG(icc_sgi0r_el1, SGI_TARGET_SELF(SGI_G0));
  for (int i = 0; i < 20000; i++) __asm__ volatile("yield" ::: "memory");
  show("NS ASGI1R and SGI0R: ISR_EL1", READ_SYSREG(isr_el1));
  /* Secure Group 1 and Group 0 raised by EL3: FIQs here, taken to EL3 by SCR_EL3.FIQ. */
  smc(3, SGI_TARGET_SELF(SGI_G1S)); /* ASGI1R at EL3 (Secure whatever SCR_EL3.NS): Non-secure Group 1 */
  for (int i = 0; i < 20000; i++) __asm__ volatile("yield" ::: "memory");
  show("EL3's ASGI1R for a Secure Group 1 SGI: ISR_EL1", READ_SYSREG(isr_el1));
  /* SGI1R at EL3: Secure Group 1, an FIQ taken to EL3 (SCR_EL3.FIQ) whatever PSTATE.F. */
  smc(2, SGI_TARGET_SELF(SGI_G1S));
  SPIN_UNTIL(el3_fiqs);
  show_taken("Secure Group 1 SGI at NS EL1");
  smc(1, SGI_TARGET_SELF(SGI_G0));
  unmask_and_show_taken("Group 0 SGI at NS EL1");
  smc(5, 0);
}

/* Secure EL1 (SCR_EL3.NS clear, IRQ and FIQ not routed to EL3). */
static void secure_el1(void) {
  show("Secure EL1: CurrentEL", current_el());
  show("ICC_CTLR_EL1 (S)", READ_SYSREG(icc_ctlr_el1));
  show("ICC_BPR1_EL1 (S)", READ_SYSREG(icc_bpr1_el1));
  show("ICC_IGRPEN1_EL1 (S)", READ_SYSREG(icc_igrpen1_el1));
  show("ICC_PMR_EL1 (S)", READ_SYSREG(icc_pmr_el1));
  /* Secure Group 1: an IRQ at Secure EL1. */
  WRITE_SYSREG(icc_sgi1r_el1, SGI_TARGET_SELF(SGI_G1S));
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0xc0);
  show("Secure Group 1 pending at S-EL1: ISR_EL1", READ_SYSREG(isr_el1));
  show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
  show("  ICC_HPPIR0_EL1", READ_SYSREG(icc_hppir0_el1));
  unmask_and_show_taken("Secure Group 1 SGI at S-EL1");
  /* Group 0: an FIQ at Secure EL1. */
  WRITE_SYSREG(icc_sgi0r_el1, SGI_TARGET_SELF(SGI_G0));
  SPIN_UNTIL(READ_SYSREG(icc_hppir0_el1) == SGI_G0);
  __asm__ volatile("msr daifclr, #1" ::: "memory");
  wait_taken();
  __asm__ volatile("msr daifset, #1" ::: "memory");
  show_taken("Group 0 SGI at S-EL1");
  /* Non-secure Group 1 (ASGI1R from Secure): an FIQ at Secure EL1, and HPPIR1 hides it. */
  WRITE_SYSREG(icc_asgi1r_el1, SGI_TARGET_SELF(SGI_G1NS));
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0xc0);
  show("NS Group 1 pending at S-EL1: ISR_EL1", READ_SYSREG(isr_el1));
  show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
  show("  ICC_IAR1_EL1", READ_SYSREG(icc_iar1_el1));
  smc(5, 0);
}

static int stage;

static void el3_part2(void) {
  if (stage == 0) {
    stage = 1;
    /* The Non-secure Group 1 SGI raised at Secure EL1 is still pending. */
    show("back at EL3: ICC_HPPIR0_EL1", READ_SYSREG(icc_hppir0_el1));
    show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
    show("  ICC_IAR1_EL1", READ_SYSREG(icc_iar1_el1));
    show("  ICC_RPR_EL1", READ_SYSREG(icc_rpr_el1));
    set_scr(SCR_RES1 | SCR_RW | SCR_NS);
    WRITE_SYSREG(icc_eoir1_el1, SGI_G1NS);
    set_scr(SCR_RES1 | SCR_RW);
    show("  ICC_RPR_EL1 after EOIR1 with SCR_EL3.NS", READ_SYSREG(icc_rpr_el1));
    WRITE_SYSREG(icc_eoir1_el1, SGI_G1NS);
    show("  ICC_RPR_EL1 after EOIR1", READ_SYSREG(icc_rpr_el1));
    show("  GICR_ISACTIVER0", R32(GICR_SGI + 0x300));
    /* Whatever EOIR1 left active: the active priorities of both banks cleared. */
    WRITE_SYSREG(icc_ap1r0_el1, 0);
    set_scr(SCR_RES1 | SCR_RW | SCR_NS);
    show("  ICC_AP1R0_EL1 (NS bank)", READ_SYSREG(icc_ap1r0_el1));
    WRITE_SYSREG(icc_ap1r0_el1, 0);
    set_scr(SCR_RES1 | SCR_RW);
    show("  ICC_RPR_EL1 after clearing ICC_AP1R0_EL1", READ_SYSREG(icc_rpr_el1));
    R32(GICR_SGI + 0x380) = 0xffff;
    /* Non-secure EL1, FIQs routed to EL3. */
    WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
    WRITE_SYSREG(spsr_el3, 0x3c5);
    WRITE_SYSREG(elr_el3, (uint64_t)ns_el1);
    set_scr(SCR_RES1 | SCR_RW | SCR_NS | SCR_FIQ);
    eret_below_stack();
  }
  show_sgi_registers("Secure view after the Non-secure writes");
  show("ICC_PMR_EL1 (S) after NS EL1 wrote 0xff", READ_SYSREG(icc_pmr_el1));
  show("ICC_CTLR_EL3", READ_SYSREG(icc_ctlr_el3));
  finish();
}

int main(void) {
  WRITE_SYSREG(vbar_el3, (uint64_t)vectors_el3);
  show("CurrentEL", current_el());
  show("ICC_SRE_EL3 at reset", READ_SYSREG(icc_sre_el3));
  WRITE_SYSREG(icc_sre_el3, 0xf);
  __asm__ volatile("isb");
  WRITE_SYSREG(icc_sre_el1, 7);
  __asm__ volatile("isb");
  show("ICC_SRE_EL3", READ_SYSREG(icc_sre_el3));
  show("GICD_CTLR at reset (Secure)", GICD[0]);
  show("GICD_TYPER.SecurityExtn", (GICD[1] >> 10) & 1);
  GICD[0] = 0x37; /* ARE_S, ARE_NS, EnableGrp1S, EnableGrp1NS, EnableGrp0 */
  show("GICD_CTLR", GICD[0]);
  R32(GICR_RD + 0x14) = 0; /* GICR_WAKER: awake */
  for (int i = 0; i < 1000000 && (R32(GICR_RD + 0x14) & 4); i++) {
  }
  show("GICR_IGROUPR0 at reset", R32(GICR_SGI + 0x80));
  show("GICR_IGRPMODR0 at reset", R32(GICR_SGI + 0xd00));
  R32(GICR_SGI + 0x80) = (1u << SGI_G1NS) | (1u << SGI_G1NS_B);
  R32(GICR_SGI + 0xd00) = (1u << SGI_G1S) | (1u << SGI_G1NS);
  R8(GICR_SGI + 0x400 + SGI_G0) = 0x40;
  R8(GICR_SGI + 0x400 + SGI_G1S) = 0x60;
  R8(GICR_SGI + 0x400 + SGI_G1NS) = 0x80;
  R8(GICR_SGI + 0x400 + SGI_G1NS_B) = 0xa0;
  R32(GICR_SGI + 0x100) = 0x1e;
  /* Two SPIs: 32 Group 0 and 33 Non-secure Group 1. */
  GICD[0x84 / 4] = 2;
  GICD[0x104 / 4] = 3;
  R8(0x08000000 + 0x400 + 32) = 0x50;
  R8(0x08000000 + 0x400 + 33) = 0x90;
  show_sgi_registers("Secure view");

  /* The CPU interface at EL3. */
  show("ICC_CTLR_EL3 at reset", READ_SYSREG(icc_ctlr_el3));
  show("ICC_IGRPEN1_EL3 at reset", READ_SYSREG(icc_igrpen1_el3));
  WRITE_SYSREG(icc_igrpen1_el3, 3);
  show("ICC_IGRPEN1_EL3", READ_SYSREG(icc_igrpen1_el3));
  WRITE_SYSREG(icc_igrpen0_el1, 1);
  WRITE_SYSREG(icc_pmr_el1, 0xff);
  show("ICC_PMR_EL1", READ_SYSREG(icc_pmr_el1));
  /* The banks: SCR_EL3.NS selects which copy EL3 reaches. */
  show("ICC_IGRPEN1_EL1 (S bank)", READ_SYSREG(icc_igrpen1_el1));
  show("ICC_BPR1_EL1 (S bank) at reset", READ_SYSREG(icc_bpr1_el1));
  show("ICC_CTLR_EL1 (S bank) at reset", READ_SYSREG(icc_ctlr_el1));
  WRITE_SYSREG(icc_bpr1_el1, 4);
  WRITE_SYSREG(icc_ctlr_el1, 3);
  set_scr(SCR_RES1 | SCR_RW | SCR_NS);
  show("ICC_IGRPEN1_EL1 (NS bank)", READ_SYSREG(icc_igrpen1_el1));
  show("ICC_BPR1_EL1 (NS bank) at reset", READ_SYSREG(icc_bpr1_el1));
  show("ICC_CTLR_EL1 (NS bank) at reset", READ_SYSREG(icc_ctlr_el1));
  WRITE_SYSREG(icc_bpr1_el1, 5);
  WRITE_SYSREG(icc_ctlr_el1, 2);
  show("ICC_BPR1_EL1 (NS bank)", READ_SYSREG(icc_bpr1_el1));
  show("ICC_CTLR_EL1 (NS bank)", READ_SYSREG(icc_ctlr_el1));
  show("ICC_CTLR_EL3", READ_SYSREG(icc_ctlr_el3));
  WRITE_SYSREG(icc_igrpen1_el1, 0);
  show("ICC_IGRPEN1_EL3 after NS IGRPEN1 = 0", READ_SYSREG(icc_igrpen1_el3));
  WRITE_SYSREG(icc_igrpen1_el1, 1);
  set_scr(SCR_RES1 | SCR_RW);
  show("ICC_BPR1_EL1 (S bank)", READ_SYSREG(icc_bpr1_el1));
  show("ICC_CTLR_EL1 (S bank)", READ_SYSREG(icc_ctlr_el1));
  WRITE_SYSREG(icc_ctlr_el3, 0);
  show("ICC_CTLR_EL3 after writing 0", READ_SYSREG(icc_ctlr_el3));
  show("  ICC_CTLR_EL1 (S bank)", READ_SYSREG(icc_ctlr_el1));
  WRITE_SYSREG(icc_ctlr_el1, 0);
  WRITE_SYSREG(icc_bpr1_el1, 0);
  show("ICC_BPR1_EL1 (S bank) after writing 0", READ_SYSREG(icc_bpr1_el1));

  /* Each group's SGI pending at EL3 (interrupts masked): every group signals FIQ here, taken
     at EL3 with SCR_EL3.FIQ. */
  set_scr(SCR_RES1 | SCR_RW | SCR_FIQ | SCR_IRQ);
  WRITE_SYSREG(icc_sgi1r_el1, SGI_TARGET_SELF(SGI_G1S));
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0xc0);
  show("Secure Group 1 pending at EL3: ISR_EL1", READ_SYSREG(isr_el1));
  show("  ICC_HPPIR0_EL1", READ_SYSREG(icc_hppir0_el1));
  show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
  unmask_until_taken();
  show("  HPPIR0 in the handler", last_hppir0);
  show_taken("Secure Group 1 SGI at EL3");
  WRITE_SYSREG(icc_asgi1r_el1, SGI_TARGET_SELF(SGI_G1NS));
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0xc0);
  show("NS Group 1 pending at EL3: ISR_EL1", READ_SYSREG(isr_el1));
  show("  ICC_HPPIR0_EL1", READ_SYSREG(icc_hppir0_el1));
  show("  ICC_HPPIR1_EL1", READ_SYSREG(icc_hppir1_el1));
  show("  GICR_ISPENDR0", R32(GICR_SGI + 0x200));
  R32(GICR_SGI + 0x280) = 1u << SGI_G1NS; /* ICPENDR0 */
  WRITE_SYSREG(icc_sgi0r_el1, SGI_TARGET_SELF(SGI_G0));
  SPIN_UNTIL(READ_SYSREG(isr_el1) & 0xc0);
  show("Group 0 pending at EL3: ISR_EL1", READ_SYSREG(isr_el1));
  unmask_until_taken();
  show("  HPPIR0 in the handler", last_hppir0);
  show_taken("Group 0 SGI at EL3");
  /* An SGI1R from the Secure state for an SGI in Group 0 raises it (as Group 0). */
  WRITE_SYSREG(icc_sgi1r_el1, SGI_TARGET_SELF(SGI_G0));
  for (int i = 0; i < 20000; i++) __asm__ volatile("yield" ::: "memory");
  show("SGI1R for a Group 0 SGI: ICC_HPPIR0_EL1", READ_SYSREG(icc_hppir0_el1));
  R32(GICR_SGI + 0x280) = 0xffff;

  /* Secure EL1. */
  WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
  WRITE_SYSREG(spsr_el3, 0x3c5);
  WRITE_SYSREG(elr_el3, (uint64_t)secure_el1);
  set_scr(SCR_RES1 | SCR_RW);
  eret_below_stack();
}
