/* A fault inside a Thumb IT block: the SIGSEGV handler sees the IT state in the frame's CPSR, points
 * the faulting load at valid memory and returns; the load and the rest of the block then run under
 * their conditions (the "then" instructions run, the "else" ones do not), as on Linux. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static int good = 1234;
static volatile int faults;
static unsigned long saved_it;

static void on_segv(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = ctx;
  unsigned long cpsr = uc->uc_mcontext.arm_cpsr;
  saved_it = ((cpsr >> 25) & 3) | ((cpsr >> 10) & 0x3f) << 2;
  uc->uc_mcontext.arm_r1 = (unsigned long)&good; /* the load's base: now valid */
  faults++;
  (void)sig, (void)si;
}

__attribute__((target("thumb"), noinline)) static int run_block(int* p, int flag) {
  int r0 = 0, a = 0, b = 0;
  /* ITTEE EQ: ldreq r0, [r1]; addeq a, #1; addne b, #1; addne a, #100 */
  __asm__ volatile(
      "mov r1, %[p]\n"
      "cmp %[flag], #0\n"
      "ittee eq\n"
      "ldreq %[r0], [r1]\n"
      "addeq %[a], %[a], #1\n"
      "addne %[b], %[b], #1\n"
      "addne %[a], %[a], #100\n"
      : [r0] "+r"(r0), [a] "+r"(a), [b] "+r"(b)
      : [p] "r"(p), [flag] "r"(flag)
      : "r1", "cc", "memory");
  return r0 * 10000 + a * 100 + b;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  printf("valid: %d\n", run_block(&good, 0));
  printf("faulting: %d faults %d it %#lx\n", run_block((int*)16, 0), faults, saved_it);
  printf("not taken: %d faults %d\n", run_block((int*)16, 1), faults);
  return 0;
}
