/* The bare-metal AArch64 program of the system-mode gdb test (tests/gdb/aarch64_system.py), on
   tests/system/aarch64's crt0/lib: a function to break on, a global written (watch) and one read
   (rwatch), an SVC to step into, a loop to interrupt with Ctrl-C (while `spin` is set), and a
   second vCPU started through PSCI CPU_ON that parks in WFI (thread 2). main's result is printed
   as "exit=..." before PSCI SYSTEM_OFF. */
#include "lib.h"

volatile uint64_t counter;
volatile uint64_t source = 5;
volatile uint64_t sink;
volatile uint64_t spin; /* set by the test (memory write): main spins until it is cleared */
volatile uint64_t secondary_up;
volatile uint64_t last_svc;
uint64_t secondary_stack[512] __attribute__((aligned(16)));

__attribute__((noinline)) void bump(uint64_t step) { counter = counter + step; }

/* An SVC: trap() records its immediate and resumes after it. */
__attribute__((noinline)) void trap_here(void) { __asm__ volatile(".globl svc_insn\nsvc_insn: svc #0x42"); }

uint64_t trap(uint64_t kind, uint64_t* frame) {
  (void)frame;
  uint64_t esr = READ_SYSREG(esr_el1);
  if (kind == 4 && (esr >> 26) == 0x15) { /* SVC from the current EL with SP_EL1 */
    last_svc = esr & 0xffff;
    return READ_SYSREG(elr_el1);
  }
  show("unexpected trap, vector", kind * 0x80);
  show("esr", esr);
  exit_with(1);
}

__attribute__((noreturn)) void secondary_main(void) {
  secondary_up = 1;
  for (;;) __asm__ volatile(".globl park\npark: wfi");
}

__asm__(
    ".globl secondary_entry\n"
    "secondary_entry:\n"
    "  ldr x1, =secondary_stack + 4096\n"
    "  mov sp, x1\n"
    "  b secondary_main\n");
void secondary_entry(void);

int main(void) {
  psci_call(0xc4000003, 1, (uint64_t)secondary_entry, 0); /* CPU_ON (SMC64) of MPIDR 1 */
  while (!secondary_up) {
  }
  for (uint64_t i = 1; i <= 3; i++) bump(i);
  sink = source;
  trap_here();
  while (spin) sink++;
  /* 20 ms of the generic timer (62.5 MHz): the second vCPU has reached its WFI by now. */
  for (uint64_t t0 = READ_SYSREG(cntvct_el0); READ_SYSREG(cntvct_el0) - t0 < 1250000;) {
  }
  show("counter", counter);
  show("sink", sink);
  show("svc", last_svc);
  return (int)(counter & 0x7f);
}
