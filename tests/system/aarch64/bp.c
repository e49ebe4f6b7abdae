/* Hardware breakpoints (DBGBCR<n>_EL1/DBGBVR<n>_EL1 with MDSCR_EL1.MDE): an EL1 breakpoint (KDE,
   PSTATE.D clear) taken before the instruction (EC 0x31, ELR at it, the instruction not run);
   one for EL0 only (PMC) not taken at EL1 and taken from EL0 (EC 0x30); a disabled one, one
   with PSTATE.D set at EL1, and all with MDE clear never taken; a breakpoint in the middle of
   a loop taken on each pass it is left enabled. */
#include "bp_code.h"
#include "lib.h"

#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)
#define BCR(pmc) (1ull | ((uint64_t)(pmc) << 1) | (0xfull << 5))

static volatile uint64_t hits, last_esr, last_elr, counter, keep_enabled;
extern char el0_return[], loop_insn[];
static uint64_t el0_stack[128] __attribute__((aligned(16)));


uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)kind;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x30 || ec == 0x31) {
    hits++;
    last_esr = esr;
    last_elr = elr;
    if (!keep_enabled) {
      WRITE_SYSREG(dbgbcr0_el1, 0); /* step over by disabling it */
      WRITE_SYSREG(dbgbcr1_el1, 0);
    } else if (keep_enabled++ >= 3) {
      WRITE_SYSREG(dbgbcr0_el1, 0);
    } else {
      /* skip the instruction: the breakpoint stays for the next pass */
      frame[0] += 100;
      return elr + 4;
    }
    return elr;
  }
  if (ec == 0x15) { /* EL0 done: back to EL1, PSTATE.D clear; x1 is EL0's counter */
    counter = frame[1];
    WRITE_SYSREG(spsr_el1, 0x1c5);
    return (uint64_t)el0_return;
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

static void report(const char* what, uint64_t result, const void* where) {
  puts_(what);
  putc_('\n');
  show("  result", result);
  show("  hits", hits);
  show("  esr", last_esr);
  show("  elr is the breakpoint", hits && last_elr == (uint64_t)where);
  hits = last_esr = last_elr = 0;
}

static void run_el0(void) {
  WRITE_SYSREG(sp_el0, (uint64_t)(el0_stack + 128));
  WRITE_SYSREG(spsr_el1, 0x3c0);
  WRITE_SYSREG(elr_el1, (uint64_t)el0_code);
  __asm__ volatile(
      "mov x1, #10\n"
      "eret\n"
      ".globl el0_return\n"
      "el0_return:\n" ::
          : "x0", "x1", "memory");
}

int main(void) {
  WRITE_SYSREG(oslar_el1, 0);
  WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
  __asm__ volatile("msr daifclr, #8\n isb" ::: "memory");
  show("ID_AA64DFR0_EL1.BRPs", (READ_SYSREG(id_aa64dfr0_el1) >> 12) & 15);
  report("no breakpoint", target(1), target_insn);
  /* EL1 and EL0 (PMC 0b11) on target_insn. */
  WRITE_SYSREG(dbgbvr0_el1, (uint64_t)target_insn);
  WRITE_SYSREG(dbgbcr0_el1, BCR(3));
  __asm__ volatile("isb");
  report("breakpoint at EL1", target(1), target_insn);
  /* Enabled bit clear. */
  WRITE_SYSREG(dbgbcr0_el1, BCR(3) & ~1ull);
  __asm__ volatile("isb");
  report("disabled breakpoint", target(2), target_insn);
  /* PSTATE.D set: debug exceptions masked at EL1. */
  WRITE_SYSREG(dbgbcr0_el1, BCR(3));
  __asm__ volatile("msr daifset, #8\n isb" ::: "memory");
  report("PSTATE.D set", target(3), target_insn);
  __asm__ volatile("msr daifclr, #8\n isb" ::: "memory");
  WRITE_SYSREG(dbgbcr0_el1, 0);
  /* EL0 only (PMC 0b10): not at EL1, taken from EL0. */
  WRITE_SYSREG(dbgbvr1_el1, (uint64_t)target_insn);
  WRITE_SYSREG(dbgbcr1_el1, BCR(2));
  __asm__ volatile("isb");
  report("EL0-only breakpoint at EL1", target(4), target_insn);
  WRITE_SYSREG(dbgbvr1_el1, (uint64_t)el0_insn);
  __asm__ volatile("isb");
  run_el0();
  report("EL0-only breakpoint from EL0", counter, el0_insn);
  /* A breakpoint left enabled: taken at each of three calls (the handler skips the add, adding
     100 to x0 itself), then disabled. */
  keep_enabled = 1;
  WRITE_SYSREG(dbgbvr0_el1, (uint64_t)target_insn);
  WRITE_SYSREG(dbgbcr0_el1, BCR(1));
  __asm__ volatile("isb");
  uint64_t sum = 0;
  for (int i = 0; i < 5; i++) sum += target(0);
  report("breakpoint kept for three passes", sum, target_insn);
  keep_enabled = 0;
  /* MDSCR_EL1.MDE clear. */
  WRITE_SYSREG(dbgbcr0_el1, BCR(3));
  WRITE_SYSREG(mdscr_el1, MDSCR_KDE);
  __asm__ volatile("isb");
  report("MDSCR_EL1.MDE clear", target(5), target_insn);
  WRITE_SYSREG(dbgbcr0_el1, 0);
  return 0;
}
