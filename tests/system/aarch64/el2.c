/* EL2 (-M virt,virtualization=on): reset at EL2 and the EL2 registers' reset values, the drop to
   EL1 and EL0 by ERET, HVC/SVC back up with their syndromes, the traps HCR_EL2 controls (TSC,
   TWI), EL1's virtualized MIDR/MPIDR (VPIDR/VMPIDR), CNTVOFF_EL2, a virtual IRQ (HCR_EL2.VI
   with IMO) taken at EL1, EL2 registers UNDEFINED at EL1, and the EL2 regime's stage-1 MMU with
   a translation fault reported in ESR_EL2/FAR_EL2. Run by run_baremetal.py with virtualization=on. */
#include "lib.h"

#define HCR_IMO (1ull << 4)
#define HCR_VI (1ull << 7)
#define HCR_TWI (1ull << 13)
#define HCR_TSC (1ull << 19)
#define HCR_RW (1ull << 31)

static volatile uint64_t last_kind, last_esr, last_elr, last_spsr, last_far, irqs;
static volatile uint64_t undef_at_el1;

/* EL2: HVC #1 clears HCR_EL2.VI (the test's "service" to end the virtual interrupt), HVC #2
   ends the test (PSCI SYSTEM_OFF by SMC from EL2); every other synchronous exception is
   recorded and skipped (ELR + 4 for the traps whose ELR is the instruction, unchanged for HVC
   whose ELR is already past it). */
uint64_t trap_el2(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el2), elr = READ_SYSREG(elr_el2);
  last_kind = kind;
  last_esr = esr;
  last_elr = elr;
  last_spsr = READ_SYSREG(spsr_el2);
  last_far = READ_SYSREG(far_el2);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x16 && (esr & 0xffff) == 1) WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_VI);
  if (ec == 0x16 && (esr & 0xffff) == 2) exit_with(0);
  if (ec == 0x16) return elr;
  if (ec == 0x25 || ec == 0x17 || ec == 0x01) return elr + 4;
  show("unexpected EL2 trap, vector", kind * 0x80);
  show("esr_el2", esr);
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

/* EL1: the virtual IRQ asks EL2 (HVC #1) to lower it; SVC #0x30 from EL0 returns past it, SVC
   #0x31 ends the test through EL2 (HVC #2); UNDEFINED skips the instruction. */
uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  if (kind == 5) { /* IRQ, current EL with SP_EL1 */
    irqs++;
    __asm__ volatile("hvc #1" ::: "memory");
    return elr;
  }
  last_kind = kind;
  last_esr = esr;
  last_elr = elr;
  last_spsr = READ_SYSREG(spsr_el1);
  if ((esr >> 26) == 0x15) {
    report((esr & 0xffff) == 0x30 ? "svc #0x30 from EL0" : "svc #0x31 from EL0");
    if ((esr & 0xffff) == 0x31) {
      show("UNDEFINED at EL0 (mrs currentel)", undef_at_el1);
      __asm__ volatile("hvc #2" ::: "memory");
    }
    return elr;
  }
  if ((esr >> 26) == 0x00) {
    undef_at_el1++;
    return elr + 4;
  }
  show("unexpected EL1 trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

static uint64_t el0_stack[256] __attribute__((aligned(16)));
static uint64_t el2_tables[2][512] __attribute__((aligned(4096)));
static volatile uint64_t probe_word = 0x1234;

void el0_main(void);
__asm__(
    ".globl el0_main\n"
    "el0_main:\n"
    "  svc #0x30\n"
    "  mrs x0, currentel\n" /* UNDEFINED at EL0: EL1 skips it */
    "  svc #0x31\n"
    "1: b 1b\n");

static uint64_t current_el(void) { return READ_SYSREG(currentel) >> 2; }

/* At EL1 after the ERET from EL2; leaves for EL0 and does not return. */
__attribute__((noreturn)) void el1_main(void) {
  show("el1 CurrentEL", current_el());
  show("el1 MIDR_EL1 (VPIDR)", READ_SYSREG(midr_el1));
  show("el1 MPIDR_EL1 (VMPIDR)", READ_SYSREG(mpidr_el1));
  /* Virtual IRQ: HCR_EL2.IMO|VI (set by EL2 before the ERET) is taken once PSTATE.I clears. */
  show("irqs before unmasking", irqs);
  __asm__ volatile("msr daifclr, #2\n isb\n nop\n msr daifset, #2" ::: "memory");
  show("virtual irqs taken at EL1", irqs);
  __asm__ volatile("hvc #0x42" ::: "memory");
  report("hvc #0x42 from EL1");
  __asm__ volatile("smc #0x7" ::: "memory");
  report("smc #7 from EL1 (HCR_EL2.TSC)");
  __asm__ volatile("wfi" ::: "memory");
  report("wfi at EL1 (HCR_EL2.TWI)");
  __asm__ volatile("mrs x0, hcr_el2" ::: "x0", "memory");
  show("mrs hcr_el2 at EL1 is UNDEFINED", undef_at_el1);
  show("  esr", READ_SYSREG(esr_el1));
  undef_at_el1 = 0;
  /* EL0 by ERET from EL1 and back by SVC. */
  WRITE_SYSREG(sp_el0, (uint64_t)(el0_stack + 256));
  WRITE_SYSREG(spsr_el1, 0x3c0);
  WRITE_SYSREG(elr_el1, (uint64_t)el0_main);
  __asm__ volatile("eret" ::: "memory");
  for (;;) {
  }
}

int main(void) {
  show("CurrentEL", current_el());
  show("SCTLR_EL2", READ_SYSREG(sctlr_el2));
  show("HCR_EL2", READ_SYSREG(hcr_el2));
  show("CPTR_EL2", READ_SYSREG(cptr_el2));
  show("HSTR_EL2", READ_SYSREG(hstr_el2));
  show("VTCR_EL2", READ_SYSREG(vtcr_el2));
  show("VPIDR_EL2 is MIDR", READ_SYSREG(vpidr_el2) == READ_SYSREG(midr_el1));
  show("VMPIDR_EL2", READ_SYSREG(vmpidr_el2));
  show("CNTHCTL_EL2 EL1PCTEN|EL1PCEN", READ_SYSREG(cnthctl_el2) & 3);
  psci_smc = 1;
  WRITE_SYSREG(vbar_el2, (uint64_t)vectors_el2);
  WRITE_SYSREG(vbar_el1, (uint64_t)vectors);
  /* CNTVOFF_EL2: the virtual count runs that far behind the physical one. */
  WRITE_SYSREG(cntvoff_el2, 0x100000000ull);
  __asm__ volatile("isb");
  uint64_t p = READ_SYSREG(cntpct_el0), v = READ_SYSREG(cntvct_el0);
  show("CNTPCT - CNTVCT - CNTVOFF < 2^20", p - v - 0x100000000ull < (1u << 20));
  WRITE_SYSREG(cntvoff_el2, 0);
  /* HVC at EL2 goes to EL2 itself (current EL, SP_EL2: vector 0x200). */
  __asm__ volatile("hvc #0x99" ::: "memory");
  report("hvc #0x99 from EL2");
  /* EL2's own MMU: an identity map of the first 2 GiB by 1 GiB blocks (the first, with the
     UART, as device memory); the third GiB has a table of invalid entries. */
  el2_tables[0][0] = 0x0ull | (1ull << 10) | (0 << 2) | 1;        /* device, AF, block */
  el2_tables[0][1] = 0x40000000ull | (1ull << 10) | (1 << 2) | 1; /* normal, AF, block */
  el2_tables[0][2] = (uint64_t)&el2_tables[1][0] | 3;             /* table */
  WRITE_SYSREG(mair_el2, 0xff00);                                 /* attr 0 device, 1 normal WB */
  WRITE_SYSREG(tcr_el2, (1ull << 31) | (1ull << 23) | 25 | (1 << 8) | (1 << 10) | (3 << 12));
  WRITE_SYSREG(ttbr0_el2, (uint64_t)&el2_tables[0][0]);
  __asm__ volatile("dsb sy\n isb");
  WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1);
  __asm__ volatile("isb");
  show("EL2 MMU on, probe", probe_word);
  (void)*(volatile uint64_t*)0x80001008ull;
  report("read of an unmapped EL2 address");
  show("  far", last_far);
  WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~1ull);
  __asm__ volatile("isb");
  /* Down to EL1 (on this stack) with the traps and a pending virtual IRQ. */
  WRITE_SYSREG(vpidr_el2, 0x410fd999);
  WRITE_SYSREG(vmpidr_el2, 0x80000042);
  WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TSC | HCR_TWI | HCR_IMO | HCR_VI);
  WRITE_SYSREG(spsr_el2, 0x3c5); /* EL1h, DAIF masked */
  WRITE_SYSREG(elr_el2, (uint64_t)el1_main);
  __asm__ volatile(
      "mov x0, sp\n"
      "msr sp_el1, x0\n"
      "eret\n" ::
          : "x0", "memory");
  return 1; /* not reached: the test ends at EL2 through HVC #2 */
}
