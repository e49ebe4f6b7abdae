/* Software step (MDSCR_EL1.SS): EL1 steps EL0 code one instruction at a time (Software Step
   exceptions from a lower EL, EC 0x32 with ISV and EX for a load-exclusive), the stepped SVC
   completing the step (SPSR_EL1.SS = 0 in its handler), MDSCR_EL1.SS = 0 disabling it, and EL1 stepping itself with
   MDSCR_EL1.KDE (EC 0x33). */
#include "lib.h"

#define SPSR_SS (1ull << 21)
#define MDSCR_SS 1ull
#define MDSCR_KDE (1ull << 13)

static volatile uint64_t steps, svcs, resume;
static volatile uint64_t excl_word;
extern char el0_code[], el0_end[], el1_stepped[], el1_after[], back_at_el1[];

static uint64_t el0_stack[128] __attribute__((aligned(16)));

__asm__(
    ".globl el0_code\n"
    "el0_code:\n"
    "  mov x2, #1\n"
    "  add x2, x2, #2\n"
    "  ldxr x3, [x4]\n"
    "  clrex\n"
    "  svc #0x11\n"
    ".globl el0_end\n"
    "el0_end:\n"
    "  b el0_end\n");

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1), elr = READ_SYSREG(elr_el1), spsr = READ_SYSREG(spsr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x32 || ec == 0x33) {
    steps++;
    puts_("step: vector=");
    puthex(kind * 0x80);
    puts_(" esr=");
    puthex(esr);
    puts_(" elr-offset=");
    puthex(ec == 0x32 ? elr - (uint64_t)el0_code : elr - (uint64_t)el1_stepped);
    puts_(" spsr.ss=");
    puthex((spsr >> 21) & 1);
    putc_('\n');
    if (ec == 0x33 && elr == (uint64_t)el1_after) { /* EL1's own step done: stop stepping */
      WRITE_SYSREG(mdscr_el1, 0);
      return elr;
    }
    WRITE_SYSREG(spsr_el1, spsr | SPSR_SS); /* step the next instruction too */
    return elr;
  }
  if (ec == 0x15) {
    svcs++;
    show("svc spsr.ss", (spsr >> 21) & 1);
    show("svc elr-offset", elr - (uint64_t)el0_code);
    WRITE_SYSREG(mdscr_el1, 0);
    WRITE_SYSREG(spsr_el1, 0x3c5); /* back to main at EL1h */
    return (uint64_t)back_at_el1;
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

static void run_el0(uint64_t spsr) {
  WRITE_SYSREG(sp_el0, (uint64_t)(el0_stack + 128));
  WRITE_SYSREG(spsr_el1, spsr);
  WRITE_SYSREG(elr_el1, (uint64_t)el0_code);
  __asm__ volatile(
      "mov x4, %0\n"
      "eret\n"
      ".globl back_at_el1\n"
      "back_at_el1:\n" ::"r"(&excl_word)
      : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
        "x17", "x18", "x30", "memory");
}

int main(void) {
  show("OSLSR_EL1 at reset", READ_SYSREG(oslsr_el1));
  /* (With the OS lock set the Arm ARM generates no step exceptions; QEMU 7.2 does: not compared.) */
  WRITE_SYSREG(oslar_el1, 0);
  __asm__ volatile("isb");
  show("OSLSR_EL1 unlocked", READ_SYSREG(oslsr_el1));
  /* MDSCR_EL1.SS clear: no step, and the ERET leaves PSTATE.SS clear (the SVC's SPSR.SS is 0). */
  WRITE_SYSREG(mdscr_el1, 0);
  run_el0(SPSR_SS);
  show("steps with MDSCR_EL1.SS clear", steps);
  /* Stepping EL0: one exception per instruction up to the SVC. */
  WRITE_SYSREG(mdscr_el1, MDSCR_SS);
  run_el0(SPSR_SS);
  show("steps of EL0", steps);
  show("svcs", svcs);
  /* EL1 stepping itself: KDE set, PSTATE.D clear in the SPSR of an ERET to the next line. */
  steps = 0;
  WRITE_SYSREG(mdscr_el1, MDSCR_SS | MDSCR_KDE);
  WRITE_SYSREG(spsr_el1, 0x1c5 | SPSR_SS); /* EL1h, A I F masked, D clear */
  WRITE_SYSREG(elr_el1, (uint64_t)el1_stepped);
  __asm__ volatile(
      "eret\n"
      ".globl el1_stepped\n"
      "el1_stepped:\n"
      "  nop\n"
      "  nop\n"
      ".globl el1_after\n"
      "el1_after:\n"
      "  msr daifset, #8\n" ::
          : "memory");
  show("steps of EL1", steps);
  return 0;
}
