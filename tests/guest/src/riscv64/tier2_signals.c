/* Signals into a hot tier-2 loop: see tier2_loop.h. N = s2, M = s3, X = s4, A = t1. */
#include "../tier2_loop.h"

static void get_state(const ucontext_t* uc, struct loop_state* s) {
  const unsigned long* r = uc->uc_mcontext.__gregs;
  s->pc = r[REG_PC];
  s->n = r[18];
  s->m = r[19];
  s->x = r[20];
  s->a = r[6];
}

static void run_loop(void) {
  __asm__ volatile(
      "mv s5, %0\n\tmv s6, %1\n\tli s2, 0\n\tli s3, 0\n\tli s4, 0\n"
      ".globl t2_l0\nt2_l0: addi s2, s2, 1\n"
      ".globl t2_l1\nt2_l1: addi s3, s3, 3\n"
      ".globl t2_l2\nt2_l2: andi t1, s2, 511\n"
      ".globl t2_l3\nt2_l3: slli t1, t1, 3\n"
      ".globl t2_l4\nt2_l4: add t1, t1, s5\n"
      ".globl t2_l5\nt2_l5: sd s2, 0(t1)\n"
      ".globl t2_l6\nt2_l6: xor s4, s2, s3\n"
      ".globl t2_l7\nt2_l7: lw t0, 0(s6)\n"
      ".globl t2_l8\nt2_l8: beqz t0, t2_l0\n"
      :
      : "r"(slot), "r"(&stop)
      : "s2", "s3", "s4", "s5", "s6", "t0", "t1", "memory");
}
