/* EL3 and the Secure state (-M virt,secure=on,virtualization=on; a bare ELF is entered at EL3,
   as QEMU does): the EL3 registers' reset values, SMC at EL3, the EL3 regime's MMU with a
   translation fault in ESR_EL3/FAR_EL3, the Secure physical timer (CNTPS_*) and its FIQ through
   the GIC's Group 0 (FIQEn) routed to EL3 by SCR_EL3.FIQ, the drop by ERET to Non-secure EL2
   and from there to EL1, SMC from both back to EL3 (EC 0x17, ELR past it), SCR_EL3.SMD making
   SMC UNDEFINED, HCR_EL2.TSC winning over EL3 for EL1's SMC, an IRQ (Group 1) from Non-secure
   EL1 routed to EL3 by SCR_EL3.IRQ, SCR_EL3.HCE gating HVC, and the Secure RAM: reached at EL3
   (MMU off, and through a Secure block), an external abort through a Non-secure block (NS=1)
   and from Non-secure EL1. */
#include "lib.h"

/* Ends at "exit=0" without powering off (see finish). */
#define SCR_NS (1ull << 0)
#define SCR_IRQ (1ull << 1)
#define SCR_FIQ (1ull << 2)
#define SCR_SMD (1ull << 7)
#define SCR_HCE (1ull << 8)
#define SCR_RW (1ull << 10)
#define HCR_TSC (1ull << 19)

#define GICD ((volatile uint32_t*)0x08000000)
#define GICC ((volatile uint32_t*)0x08010000)

static volatile uint64_t last_kind, last_esr, last_elr, last_spsr, last_far, fiqs, irqs, last_intid;
static volatile uint64_t undef_el1, undef_el2, undef_el3, aborts_el1;
#define SECURE_RAM 0x0e000000ull

/* EL3: SMC #0x99 from a lower EL with x0 = 0x3 asks EL3 to set SCR_EL3 to x1 (the test's
   "service"); interrupts are acknowledged at the GIC and their timer
   stopped; every other exception is recorded (skipping the instruction for data aborts). */
uint64_t trap_el3(uint64_t kind, uint64_t* frame) {
  uint64_t esr = READ_SYSREG(esr_el3), elr = READ_SYSREG(elr_el3);
  unsigned slot = kind & 3;
  if (slot == 1 || slot == 2) { /* IRQ or FIQ */
    uint32_t iar = GICC[3];
    last_intid = iar & 0x3ff;
    if (last_intid == 29) WRITE_SYSREG(cntps_ctl_el1, 0);
    if (last_intid == 30) WRITE_SYSREG(cntp_ctl_el0, 0);
    GICC[4] = iar;
    last_kind = kind;
    last_spsr = READ_SYSREG(spsr_el3);
    if (slot == 2)
      fiqs++;
    else
      irqs++;
    return elr;
  }
  last_kind = kind;
  last_esr = esr;
  last_elr = elr;
  last_spsr = READ_SYSREG(spsr_el3);
  last_far = READ_SYSREG(far_el3);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x17 && (esr & 0xffff) == 0x99 && frame[0] == 3) {
    WRITE_SYSREG(scr_el3, frame[1]);
    __asm__ volatile("isb");
  }
  if (ec == 0x17) return elr;
  if (ec == 0x25) return elr + 4;
  if (ec == 0x00) {
    undef_el3++;
    return elr + 4;
  }
  show("unexpected EL3 trap, vector", kind * 0x80);
  show("esr_el3", esr);
  show("elr_el3", elr);
  show("exit", 1);
  for (;;) __asm__ volatile("wfi");
}

/* EL2 and EL1 skip UNDEFINED instructions (counting them); EL2's HVC #1/#2 set/clear
   HCR_EL2.TSC, and it notes EL1's SMC trapped by it. */
uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el2), elr = READ_SYSREG(elr_el2);
  last_kind = kind;
  last_esr = esr;
  last_elr = elr;
  last_spsr = READ_SYSREG(spsr_el2);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x00) {
    undef_el2++;
    return elr + 4;
  }
  if (ec == 0x16 && (esr & 0xffff) == 1) WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_TSC);
  if (ec == 0x16 && (esr & 0xffff) == 2) WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_TSC);
  if (ec == 0x16) return elr;
  if (ec == 0x17) return elr + 4; /* EL1's SMC trapped by HCR_EL2.TSC: ELR is the SMC */
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", esr);
  exit_with(1);
}
uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  if ((esr >> 26) == 0x00 && (kind & 3) == 0) {
    undef_el1++;
    last_esr = esr;
    return elr + 4;
  }
  if ((esr >> 26) == 0x25) { /* a data abort: noted and skipped */
    aborts_el1++;
    last_esr = esr;
    last_far = READ_SYSREG(far_el1);
    return elr + 4;
  }
  show("unexpected EL1 trap, vector", kind * 0x80);
  show("esr", esr);
  show("elr", elr);
  exit_with(1);
}

static void report(const char* what) {
  puts_(what);
  putc_('\n');
  show("  vector", last_kind * 0x80);
  show("  esr", last_esr);
  show("  elr", last_elr);
  show("  spsr", last_spsr);
}

static uint64_t smc_here;
#define SMC(imm) __asm__ volatile("adr x9, 1f\n str x9, %0\n smc #" #imm "\n 1:" : "=m"(smc_here)::"x9", "memory")

static void set_scr(uint64_t v) {
  register uint64_t x0 __asm__("x0") = 3;
  register uint64_t x1 __asm__("x1") = v;
  __asm__ volatile("smc #0x99" : "+r"(x0), "+r"(x1)::"memory");
}

static uint64_t current_el(void) { return READ_SYSREG(currentel) >> 2; }

/* A program entered at EL3 has no PSCI to power off with (QEMU disables its PSCI conduit when
   the guest starts at EL3): the runner stops the machine at this line. */
__attribute__((noreturn)) static void finish(void) {
  show("exit", 0);
  for (;;) __asm__ volatile("wfi");
}

static void show_smc(const char* what) {
  report(what);
  show("  (elr == after the smc)", last_elr == smc_here);
}

__attribute__((noreturn)) void el1_main(void) {
  show("el1 CurrentEL", current_el());
  /* The Secure RAM is not in the Non-secure physical address space: an external abort. */
  (void)*(volatile uint64_t*)SECURE_RAM;
  show("Non-secure EL1 read of the Secure RAM: aborts", aborts_el1);
  show("  esr_el1", last_esr);
  show("  far_el1", last_far);
  __asm__ volatile("mov x0, #1" ::: "x0");
  SMC(0x22);
  show_smc("smc #0x22 from Non-secure EL1");
  /* HCR_EL2.TSC: EL1's SMC goes to EL2, not EL3. */
  __asm__ volatile("hvc #0x1" ::: "memory"); /* EL2 sets TSC */
  __asm__ volatile("mov x0, #1\n smc #0x23" ::: "x0", "memory");
  report("smc #0x23 from EL1 with HCR_EL2.TSC");
  __asm__ volatile("hvc #0x2" ::: "memory"); /* EL2 clears TSC */
  /* The Non-secure EL1 physical timer as Group 1 IRQ, taken to EL3 with SCR_EL3.IRQ even
     with PSTATE.I masked at EL1. TVAL 0: the timer condition holds as it is enabled, so the IRQ
     is taken before the spin loop's first SUBS on both emulators and the SPSR's NZCV shown
     below does not depend on how long the two MSRs took (with TVAL 100, 1.6 us, it did). */
  set_scr(SCR_NS | SCR_RW | SCR_HCE | SCR_IRQ);
  WRITE_SYSREG(cntp_tval_el0, 0);
  WRITE_SYSREG(cntp_ctl_el0, 1);
  SPIN_UNTIL(irqs);
  show("irqs taken to EL3 from EL1", irqs);
  show("  intid", last_intid);
  show("  vector", last_kind * 0x80);
  show("  spsr", last_spsr);
  set_scr(SCR_NS | SCR_RW | SCR_HCE);
  /* SCR_EL3.HCE clear: HVC is UNDEFINED at EL1. */
  set_scr(SCR_NS | SCR_RW);
  __asm__ volatile("hvc #0x5" ::: "memory");
  show("hvc without SCR_EL3.HCE: UNDEFINED at EL1", undef_el1);
  set_scr(SCR_NS | SCR_RW | SCR_HCE);
  /* SCR_EL3.SMD: SMC is UNDEFINED. */
  set_scr(SCR_NS | SCR_RW | SCR_HCE | SCR_SMD);
  __asm__ volatile("mov x0, #1\n smc #0x24" ::: "x0", "memory");
  show("smc with SCR_EL3.SMD: UNDEFINED at EL1", undef_el1);
  show("  esr_el1", last_esr);
  finish();
}

__attribute__((noreturn)) void el2_main(void) {
  show("el2 CurrentEL", current_el());
  __asm__ volatile("mov x0, #1" ::: "x0");
  SMC(0x11);
  show_smc("smc #0x11 from Non-secure EL2");
  /* EL3 registers are UNDEFINED below EL3. */
  __asm__ volatile("mrs x0, scr_el3" ::: "x0", "memory");
  __asm__ volatile("mrs x0, cntps_ctl_el1" ::: "x0", "memory");
  show("mrs scr_el3, cntps_ctl_el1 at EL2: UNDEFINED", undef_el2);
  enter_el1(el1_main);
}

static uint64_t el3_tables[2][512] __attribute__((aligned(4096)));
static volatile uint64_t probe_word = 0x5678;

int main(void) {
  show("CurrentEL", current_el());
  /* 1 (AArch64 only) under mimic, 2 (AArch32 too) under QEMU: docs/arm-system.md. */
  show("ID_AA64PFR0_EL1.EL3 implemented", ((READ_SYSREG(id_aa64pfr0_el1) >> 12) & 15) != 0);
  show("SCR_EL3", READ_SYSREG(scr_el3));
  show("SCTLR_EL3", READ_SYSREG(sctlr_el3));
  show("CPTR_EL3", READ_SYSREG(cptr_el3));
  show("MDCR_EL3", READ_SYSREG(mdcr_el3));
  show("CNTPS_CTL_EL1", READ_SYSREG(cntps_ctl_el1));
  WRITE_SYSREG(scr_el3, ~0ull);
  show("SCR_EL3 after writing all ones", READ_SYSREG(scr_el3));
  WRITE_SYSREG(scr_el3, 0);
  show("SCR_EL3 after writing 0", READ_SYSREG(scr_el3));
  WRITE_SYSREG(vbar_el3, (uint64_t)vectors_el3);
  WRITE_SYSREG(vbar_el2, (uint64_t)vectors_el2);
  show("VBAR_EL3 reads back", READ_SYSREG(vbar_el3) == (uint64_t)vectors_el3);
  show("RVBAR_EL3", READ_SYSREG(rvbar_el3));
  show("RMR_EL3", READ_SYSREG(rmr_el3));
  show("  UNDEFINED at EL3", undef_el3);
  WRITE_SYSREG(tpidr_el3, 0x1234);
  *(volatile uint64_t*)SECURE_RAM = 0xfeed;
  show("Secure RAM at EL3", *(volatile uint64_t*)SECURE_RAM);
  show("TPIDR_EL3", READ_SYSREG(tpidr_el3));
  /* SMC at EL3 is taken at EL3 (current EL, SP_EL3). */
  __asm__ volatile("mov x0, #1" ::: "x0");
  SMC(0x33);
  show_smc("smc #0x33 at EL3");
  /* EL3's own MMU: identity map of the first 2 GiB by 1 GiB blocks, the third GiB invalid. */
  el3_tables[0][0] = 0x0ull | (1ull << 10) | (0 << 2) | 1;
  el3_tables[0][1] = 0x40000000ull | (1ull << 10) | (1 << 2) | 1;
  el3_tables[0][2] = (uint64_t)&el3_tables[1][0] | 3;
  WRITE_SYSREG(mair_el3, 0xff00);
  WRITE_SYSREG(tcr_el3, (1ull << 31) | (1ull << 23) | 25 | (1 << 8) | (1 << 10) | (3 << 12));
  WRITE_SYSREG(ttbr0_el3, (uint64_t)&el3_tables[0][0]);
  __asm__ volatile("dsb sy\n isb");
  WRITE_SYSREG(sctlr_el3, READ_SYSREG(sctlr_el3) | 1);
  __asm__ volatile("isb");
  show("EL3 MMU on, probe", probe_word);
  show("  Secure RAM through a Secure block", *(volatile uint64_t*)SECURE_RAM);
  el3_tables[0][3] = 0x0ull | (1ull << 10) | (1ull << 5) | (0 << 2) | 1; /* GiB 0 again, NS=1 */
  __asm__ volatile("dsb sy\n tlbi alle3\n dsb sy\n isb" ::: "memory");
  (void)*(volatile uint64_t*)(0xc0000000ull + SECURE_RAM);
  report("Secure RAM through a Non-secure block (NS=1) at EL3");
  show("  far", last_far);
  (void)*(volatile uint64_t*)0x80001008ull;
  report("read of an unmapped EL3 address");
  show("  far", last_far);
  WRITE_SYSREG(sctlr_el3, READ_SYSREG(sctlr_el3) & ~1ull);
  __asm__ volatile("isb");
  /* The Secure physical timer: ISTATUS, then its FIQ (PPI 29, Group 0 with FIQEn) at EL3. */
  WRITE_SYSREG(cntps_cval_el1, 0);
  WRITE_SYSREG(cntps_ctl_el1, 3);
  __asm__ volatile("isb");
  show("CNTPS enabled+masked, CVAL 0: CTL", READ_SYSREG(cntps_ctl_el1));
  WRITE_SYSREG(cntps_tval_el1, 0x7fffffff);
  show("TVAL far ahead: CTL", READ_SYSREG(cntps_ctl_el1));
  WRITE_SYSREG(cntps_ctl_el1, 0);
  GICD[0] = 3;               /* EnableGrp0, EnableGrp1 */
  GICD[0x80 / 4] = 1u << 30; /* PPI 30 (NS EL1 physical timer) Group 1; the rest Group 0 */
  GICD[0x100 / 4] = (1u << 29) | (1u << 30);
  GICC[1] = 0xff;
  GICC[0] = 1 | 2 | 4 | 8; /* EnableGrp0/1, AckCtl, FIQEn */
  WRITE_SYSREG(scr_el3, SCR_RW | SCR_FIQ);
  WRITE_SYSREG(cntps_tval_el1, 1000);
  WRITE_SYSREG(cntps_ctl_el1, 1);
  __asm__ volatile("msr daifclr, #1" ::: "memory");
  SPIN_UNTIL(fiqs);
  __asm__ volatile("msr daifset, #1" ::: "memory");
  show("secure timer FIQs at EL3", fiqs);
  show("  intid", last_intid);
  show("  vector", last_kind * 0x80);
  /* Down to Non-secure EL2 (AArch64, HVC enabled). */
  WRITE_SYSREG(scr_el3, SCR_NS | SCR_RW | SCR_HCE);
  WRITE_SYSREG(spsr_el3, 0x3c9); /* EL2h, DAIF masked */
  WRITE_SYSREG(elr_el3, (uint64_t)el2_main);
  __asm__ volatile(
      "mov x0, sp\n"
      "sub x0, x0, #0x2000\n"
      "msr sp_el2, x0\n"
      "eret\n" ::
          : "x0", "memory");
  return 1;
}
