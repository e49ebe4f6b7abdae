/* Hardware watchpoints (DBGWCR<n>_EL1/DBGWVR<n>_EL1 with MDSCR_EL1.MDE): a store watchpoint at
   EL1 (KDE, PSTATE.D clear) taken before the store (EC 0x35, WnR, FAR, ELR at the store, the
   memory unchanged), not for loads; a load watchpoint for EL0 only (PAC) taken from EL0 (EC
   0x34) and not at EL1; a 32-byte MASK range; nothing once MDE is clear. */
#include "lib.h"

#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)
#define WCR(pac, lsc, bas, mask) \
  (1ull | ((uint64_t)(pac) << 1) | ((uint64_t)(lsc) << 3) | ((uint64_t)(bas) << 5) | ((uint64_t)(mask) << 24))

static volatile uint64_t watched[8] __attribute__((aligned(64)));
static volatile uint64_t hits, last_esr, last_far, last_elr_ok, value_in_handler;
static volatile uint64_t* expect_pc;
extern char el0_load[], el0_return[];
static uint64_t el0_stack[128] __attribute__((aligned(16)));

__asm__(
    ".globl el0_load\n"
    "el0_load:\n"
    "  ldr x1, [x0]\n"
    "  svc #0\n"
    "1: b 1b\n");

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)kind;
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x34 || ec == 0x35) {
    hits++;
    last_esr = esr;
    last_far = READ_SYSREG(far_el1);
    value_in_handler = watched[0];
    WRITE_SYSREG(dbgwcr0_el1, 0); /* step over by disabling it */
    WRITE_SYSREG(dbgwcr1_el1, 0);
    return elr;
  }
  if (ec == 0x15) { /* EL0 done: back to EL1, PSTATE.D clear */
    WRITE_SYSREG(spsr_el1, 0x1c5);
    return (uint64_t)el0_return;
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

static void report(const char* what) {
  puts_(what);
  putc_('\n');
  show("  hits", hits);
  show("  esr", last_esr);
  show("  far-offset", last_far - (uint64_t)watched);
  hits = last_esr = last_far = 0;
}

static void run_el0_load(volatile uint64_t* p) {
  WRITE_SYSREG(sp_el0, (uint64_t)(el0_stack + 128));
  WRITE_SYSREG(spsr_el1, 0x3c0);
  WRITE_SYSREG(elr_el1, (uint64_t)el0_load);
  __asm__ volatile(
      "mov x0, %0\n"
      "eret\n"
      ".globl el0_return\n"
      "el0_return:\n" ::"r"(p)
      : "x0", "x1", "memory");
}

int main(void) {
  WRITE_SYSREG(oslar_el1, 0);
  WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
  __asm__ volatile("msr daifclr, #8\n isb" ::: "memory");
  /* A store watchpoint on watched[0] (8 bytes) at EL0 and EL1. */
  WRITE_SYSREG(dbgwvr0_el1, (uint64_t)&watched[0]);
  WRITE_SYSREG(dbgwcr0_el1, WCR(3, 2, 0xff, 0));
  __asm__ volatile("isb");
  (void)watched[0];
  report("load from a store watchpoint");
  watched[0] = 42;
  report("store to it at EL1");
  show("  memory in the handler", value_in_handler);
  show("  memory after", watched[0]);
  /* A load watchpoint on watched[1] for EL0 only. */
  WRITE_SYSREG(dbgwvr1_el1, (uint64_t)&watched[1]);
  WRITE_SYSREG(dbgwcr1_el1, WCR(2, 1, 0xff, 0));
  __asm__ volatile("isb");
  (void)watched[1];
  report("EL1 load from an EL0-only load watchpoint");
  run_el0_load(&watched[1]);
  report("EL0 load from it");
  /* A 32-byte range (MASK 5) from watched[0]: a store to watched[3] hits. */
  WRITE_SYSREG(dbgwvr0_el1, (uint64_t)&watched[0]);
  WRITE_SYSREG(dbgwcr0_el1, WCR(3, 3, 0xff, 5));
  __asm__ volatile("isb");
  watched[3] = 7;
  report("store into a 32-byte range watchpoint");
  /* MDSCR_EL1.MDE clear: no watchpoint exceptions. */
  WRITE_SYSREG(dbgwcr0_el1, WCR(3, 3, 0xff, 0));
  WRITE_SYSREG(mdscr_el1, MDSCR_KDE);
  __asm__ volatile("isb");
  watched[0] = 1;
  report("store with MDSCR_EL1.MDE clear");
  return 0;
}
