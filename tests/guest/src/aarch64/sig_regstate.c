/* The register state a signal handler sees, checked against values the program computes itself:
 * (1) faulting loads and stores in the middle of straight-line code that writes the same
 *     registers (x19, x21, d8, NZCV) before and after the access: the handler must see the values
 *     of the instructions before the fault, not those after it; it then skips the access;
 * (2) SIGALRM from setitimer arriving at any moment in a hot loop whose registers keep invariants
 *     that hold at every instruction boundary (given the pc). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

/* fault_seq(i, bad): two faulting accesses to `bad`; returns x19 ^ x20 ^ x21 at the end. */
extern uint64_t fault_seq(uint64_t i, uint64_t *bad);
extern char fault_a[], fault_b[];
/* hot_loop(n, p, k): x19 counts to n; x20 = 3 * x19, x21 = x19 ^ k between the updates. */
extern uint64_t hot_loop(uint64_t n, uint64_t *p, uint64_t k);
extern char hot_head[], hot_end[];

__asm__(
    ".text\n"
    ".global fault_seq\n"
    ".global fault_a\n"
    ".global fault_b\n"
    "fault_seq:\n"
    "  stp x19, x20, [sp, #-48]!\n"
    "  stp x21, x22, [sp, #16]\n"
    "  str d8, [sp, #32]\n"
    "  add x19, x0, #1\n"
    "  add x20, x0, #2\n"
    "  mul x21, x19, x20\n"
    "  fmov d8, x21\n"
    "  cmp x19, x20\n" /* N */
    "fault_a:\n"
    "  ldr x22, [x1]\n"
    "  add x19, x19, #100\n"
    "  add x21, x21, x19\n"
    "  fmov d8, x19\n"
    "  cmp x19, x20\n" /* C */
    "fault_b:\n"
    "  str x19, [x1]\n"
    "  eor x20, x20, x21\n"
    "  eor x0, x19, x20\n"
    "  fmov d8, x0\n"
    "  cmp x0, x0\n"
    "  ldr d8, [sp, #32]\n"
    "  ldp x21, x22, [sp, #16]\n"
    "  ldp x19, x20, [sp], #48\n"
    "  ret\n"
    ".global hot_loop\n"
    ".global hot_head\n"
    ".global hot_end\n"
    "hot_loop:\n"
    "  stp x19, x20, [sp, #-48]!\n"
    "  stp x21, x22, [sp, #16]\n"
    "  str x23, [sp, #32]\n"
    "  mov x19, #0\n"
    "  mov x20, #0\n"
    "  mov x21, x2\n"
    "  mov x23, x2\n"
    "hot_head:\n"
    "  add x19, x19, #1\n"
    "  ldr x22, [x1]\n"
    "  add x20, x20, #3\n"
    "  eor x21, x19, x23\n"
    "  ldr x22, [x1]\n"
    "  cmp x19, x0\n"
    "  b.lo hot_head\n"
    "hot_end:\n"
    "  mov x0, x20\n"
    "  ldr x23, [sp, #32]\n"
    "  ldp x21, x22, [sp, #16]\n"
    "  ldp x19, x20, [sp], #48\n"
    "  ret\n");

static struct fpsimd_context *find_fpsimd(ucontext_t *uc) {
  struct _aarch64_ctx *h = (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;
  while (h->magic) {
    if (h->magic == FPSIMD_MAGIC) return (struct fpsimd_context *)h;
    h = (struct _aarch64_ctx *)((char *)h + h->size);
  }
  return NULL;
}

static volatile uint64_t cur_i, faults_checked, fault_mismatches, first_bad_fault;
static uint64_t bad_word_addr = 16; /* the NULL page */

static void on_segv(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  const uint64_t *x = (const uint64_t *)uc->uc_mcontext.regs, i = cur_i, pc = uc->uc_mcontext.pc;
  struct fpsimd_context *fp = find_fpsimd(uc);
  const uint64_t nzcv = uc->uc_mcontext.pstate >> 28, d8 = fp ? (uint64_t)fp->vregs[8] : ~0ull;
  int ok = (uint64_t)si->si_addr == bad_word_addr;
  if (pc == (uint64_t)fault_a) {
    const uint64_t x21 = (i + 1) * (i + 2);
    ok &= x[19] == i + 1 && x[20] == i + 2 && x[21] == x21 && d8 == x21 && nzcv == 0x8;
  } else if (pc == (uint64_t)fault_b) {
    const uint64_t x21 = (i + 1) * (i + 2) + i + 101;
    ok &= x[19] == i + 101 && x[20] == i + 2 && x[21] == x21 && d8 == i + 101 && nzcv == 0x2;
  } else {
    ok = 0;
  }
  faults_checked++;
  if (!ok && fault_mismatches++ == 0) first_bad_fault = i;
  uc->uc_mcontext.pc = pc + 4; /* skip the access */
}

static volatile uint64_t alarms_in_loop, alarm_mismatches;
static const uint64_t kK = 0x5a5a1234c3c3ull;

static void on_alarm(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  const uint64_t *x = (const uint64_t *)uc->uc_mcontext.regs, pc = uc->uc_mcontext.pc;
  if (pc < (uint64_t)hot_head || pc > (uint64_t)hot_end) return;
  const uint64_t off = pc - (uint64_t)hot_head, n = x[19];
  int ok = x[23] == kK;
  if (off == 4 || off == 8)
    ok &= x[20] == 3 * (n - 1) && x[21] == ((n - 1) ^ kK);
  else if (off == 12)
    ok &= x[20] == 3 * n && x[21] == ((n - 1) ^ kK);
  else
    ok &= x[20] == 3 * n && x[21] == (n ^ kK);
  alarms_in_loop++;
  alarm_mismatches += !ok;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  uint64_t bad_results = 0;
  for (uint64_t i = 0; i < 1000; i++) {
    cur_i = i;
    const uint64_t x19 = i + 101, x21 = (i + 1) * (i + 2) + i + 101, x20 = (i + 2) ^ x21;
    bad_results += fault_seq(i, (uint64_t *)bad_word_addr) != (x19 ^ x20);
  }
  printf("faults: %llu checked, %llu mismatches (first at i=%llu), %llu wrong results\n",
         (unsigned long long)faults_checked, (unsigned long long)fault_mismatches,
         (unsigned long long)first_bad_fault, (unsigned long long)bad_results);

  sa.sa_sigaction = on_alarm;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 500}, {0, 500}};
  setitimer(ITIMER_REAL, &it, NULL);
  uint64_t word = 7, rounds = 0, wrong = 0;
  while (alarms_in_loop < 200 && rounds < 5000) {
    const uint64_t n = 200000 + rounds % 7;
    wrong += hot_loop(n, &word, kK) != 3 * n;
    rounds++;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("async: %s200 signals in the loop, %llu mismatches, %llu wrong results\n",
         alarms_in_loop >= 200 ? "at least " : "FEWER THAN ", (unsigned long long)alarm_mismatches,
         (unsigned long long)wrong);
  return 0;
}
