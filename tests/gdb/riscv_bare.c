/* The bare-metal program of the system-mode gdb test (tests/gdb/system.py): a function to
   break on, a global written (watch) and one read (rwatch), a trap to step into, a loop to
   interrupt with Ctrl-C (while `spin` is set), and a second
   hart parked in WFI (crt0.S) to show as thread 2. The exit status is main's result. */
#include "lib.h"

volatile uint64_t counter;
volatile uint64_t source = 5;
volatile uint64_t sink;
volatile uint64_t spin; /* set by the test (memory write): main spins until it is cleared */

__attribute__((noinline)) void bump(uint64_t step) { counter = counter + step; }

/* An illegal instruction: m_trap records it and skips it. */
__attribute__((noinline)) void trap_here(void) { __asm__ volatile(".globl illegal_insn\nillegal_insn: unimp"); }

int main(void) {
  for (uint64_t i = 1; i <= 3; i++) bump(i);
  sink = source;
  trap_here();
  while (spin) sink++;
  /* 20 ms of mtime: the second hart has reached its WFI loop by now, in the round-robin mode too
     (its slices are 10 ms), so that gdb sees it there. */
  for (uint64_t t0 = *CLINT_MTIME; *CLINT_MTIME - t0 < 200000;) {
  }
  show("counter", counter);
  show("sink", sink);
  return (int)(counter & 0x7f);
}
