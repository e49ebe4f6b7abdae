/* Linked breakpoints and watchpoints (cortex-a57: 6 breakpoints, the last 2 context-aware, 4
   watchpoints): an address breakpoint linked (BT 0b0001, LBN) to a linked context ID breakpoint
   (BT 0b0011) is taken at EL1 only while CONTEXTIDR_EL1 equals that breakpoint's value; not with
   the context breakpoint disabled, nor linked to a breakpoint that is not context-aware; from
   EL0 with the same context; a watchpoint linked (WT) the same way; SSC (Secure-only points never
   match in the Non-secure state). Unlinked context ID breakpoints (BT 0b0010) are left out:
   QEMU 7.2 does not implement them (docs/arm-system.md). */
#include "bp_code.h"
#include "lib.h"

#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)
/* Enabled, PMC/PAC 0b11 (EL0 and EL1); BAS all for breakpoints. */
#define BCR(bt, lbn) (1ull | (3ull << 1) | (0xfull << 5) | ((uint64_t)(lbn) << 16) | ((uint64_t)(bt) << 20))
#define WCR_STORE_LINKED(lbn) \
  (1ull | (3ull << 1) | (2ull << 3) | (0xffull << 5) | ((uint64_t)(lbn) << 16) | (1ull << 20))
#define SSC(v) ((uint64_t)(v) << 14)

static volatile uint64_t hits, last_esr, last_elr, last_far, counter;
static volatile uint64_t watched;
extern char el0_return[];
static uint64_t el0_stack[128] __attribute__((aligned(16)));


/* A breakpoint or watchpoint hit is noted, the points disabled, and the instruction run again. */
uint64_t trap(uint64_t kind, uint64_t* frame) {
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x30 || ec == 0x31 || ec == 0x34 || ec == 0x35) {
    hits++;
    last_esr = esr;
    last_elr = elr;
    last_far = ec >= 0x34 ? READ_SYSREG(far_el1) : 0;
    WRITE_SYSREG(dbgbcr0_el1, 0);
    WRITE_SYSREG(dbgwcr0_el1, 0);
    __asm__ volatile("isb");
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
  show("  elr is the instruction", hits && last_elr == (uint64_t)where);
  if (last_far) show("  far is the variable", last_far == (uint64_t)&watched);
  hits = last_esr = last_elr = last_far = 0;
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

static void set_context(uint64_t v) {
  WRITE_SYSREG(contextidr_el1, v);
  __asm__ volatile("isb");
}
static void arm_bp0(uint64_t where, uint64_t bcr) {
  WRITE_SYSREG(dbgbvr0_el1, where);
  WRITE_SYSREG(dbgbcr0_el1, bcr);
  __asm__ volatile("isb");
}
static uint64_t store_watched(uint64_t v, uint64_t* at) {
  uint64_t pc;
  __asm__ volatile("adr %0, 1f\n 1: str %1, [%2]" : "=&r"(pc) : "r"(v), "r"(&watched) : "memory");
  *at = pc;
  return watched;
}

int main(void) {
  WRITE_SYSREG(oslar_el1, 0);
  WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
  __asm__ volatile("msr daifclr, #8\n isb" ::: "memory");
  uint64_t dfr0 = READ_SYSREG(id_aa64dfr0_el1);
  show("ID_AA64DFR0_EL1.BRPs", (dfr0 >> 12) & 15);
  show("ID_AA64DFR0_EL1.CTX_CMPs", (dfr0 >> 28) & 15);
  /* Breakpoint 4 (context-aware): linked context ID 0x42. Breakpoint 1 (not context-aware): the same. */
  WRITE_SYSREG(dbgbvr4_el1, 0x42);
  WRITE_SYSREG(dbgbcr4_el1, BCR(3, 0));
  WRITE_SYSREG(dbgbvr1_el1, 0x42);
  WRITE_SYSREG(dbgbcr1_el1, BCR(3, 0));
  set_context(0x42);
  report("linked context breakpoints alone", target(1), target_insn);
  arm_bp0((uint64_t)target_insn, BCR(1, 4));
  report("address linked to context 0x42, CONTEXTIDR 0x42", target(1), target_insn);
  set_context(0x43);
  arm_bp0((uint64_t)target_insn, BCR(1, 4));
  report("address linked to context 0x42, CONTEXTIDR 0x43", target(2), target_insn);
  set_context(0x42);
  WRITE_SYSREG(dbgbcr4_el1, BCR(3, 0) & ~1ull);
  arm_bp0((uint64_t)target_insn, BCR(1, 4));
  report("linked to a disabled context breakpoint", target(3), target_insn);
  WRITE_SYSREG(dbgbcr4_el1, BCR(3, 0));
  arm_bp0((uint64_t)target_insn, BCR(1, 1));
  report("linked to breakpoint 1 (not context-aware)", target(4), target_insn);
  arm_bp0((uint64_t)target_insn, BCR(1, 4) | SSC(2));
  report("linked, SSC 0b10 (Secure only)", target(5), target_insn);
  arm_bp0((uint64_t)target_insn, BCR(0, 0) | SSC(1));
  report("unlinked, SSC 0b01 (Non-secure)", target(6), target_insn);
  /* From EL0, in and out of the context. */
  arm_bp0((uint64_t)el0_insn, BCR(1, 4));
  run_el0();
  report("linked at EL0, CONTEXTIDR 0x42", counter, el0_insn);
  set_context(0x7);
  arm_bp0((uint64_t)el0_insn, BCR(1, 4));
  run_el0();
  report("linked at EL0, CONTEXTIDR 0x7", counter, el0_insn);
  WRITE_SYSREG(dbgbcr0_el1, 0);
  /* A store watchpoint linked to breakpoint 4. */
  uint64_t at = 0;
  WRITE_SYSREG(dbgwvr0_el1, (uint64_t)&watched);
  WRITE_SYSREG(dbgwcr0_el1, WCR_STORE_LINKED(4));
  __asm__ volatile("isb");
  report("linked watchpoint, CONTEXTIDR 0x7", store_watched(1, &at), (void*)at);
  set_context(0x42);
  WRITE_SYSREG(dbgwcr0_el1, WCR_STORE_LINKED(4));
  __asm__ volatile("isb");
  report("linked watchpoint, CONTEXTIDR 0x42", store_watched(2, &at), (void*)at);
  WRITE_SYSREG(dbgwcr0_el1, WCR_STORE_LINKED(1));
  __asm__ volatile("isb");
  report("watchpoint linked to breakpoint 1", store_watched(3, &at), (void*)at);
  WRITE_SYSREG(dbgwcr0_el1, 0);
  WRITE_SYSREG(dbgbcr4_el1, 0);
  WRITE_SYSREG(dbgbcr1_el1, 0);
  return 0;
}
