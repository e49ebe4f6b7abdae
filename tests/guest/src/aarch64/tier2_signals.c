/* Signals into a hot tier-2 loop: see tier2_loop.h. N = x19, M = x20, X = x21, A = x9. */
#include "../tier2_loop.h"

static void get_state(const ucontext_t* uc, struct loop_state* s) {
  const mcontext_t* mc = &uc->uc_mcontext;
  s->pc = mc->pc;
  s->n = mc->regs[19];
  s->m = mc->regs[20];
  s->x = mc->regs[21];
  s->a = mc->regs[9];
}

static void run_loop(void) {
  __asm__ volatile(
      "mov x22, %0\n\tmov x23, %1\n\tmov x19, #0\n\tmov x20, #0\n\tmov x21, #0\n"
      ".globl t2_l0\nt2_l0: add x19, x19, #1\n"
      ".globl t2_l1\nt2_l1: add x20, x20, #3\n"
      ".globl t2_l2\nt2_l2: and x9, x19, #511\n"
      ".globl t2_l3\nt2_l3: lsl x9, x9, #3\n"
      ".globl t2_l4\nt2_l4: add x9, x9, x22\n"
      ".globl t2_l5\nt2_l5: str x19, [x9]\n"
      ".globl t2_l6\nt2_l6: eor x21, x19, x20\n"
      ".globl t2_l7\nt2_l7: ldr w10, [x23]\n"
      ".globl t2_l8\nt2_l8: cbz w10, t2_l0\n"
      :
      : "r"(slot), "r"(&stop)
      : "x9", "x10", "x19", "x20", "x21", "x22", "x23", "memory");
}
