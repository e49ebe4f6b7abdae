/* The register state a signal handler sees, checked against values the program computes itself:
 * (1) faulting loads and stores in the middle of straight-line code that writes the same
 *     registers (s3, s5, s6, fs0) before and after the access: the handler must see the values
 *     of the instructions before the fault, not those after it; it then skips the access;
 * (2) SIGALRM from setitimer arriving at any moment in a hot loop whose registers keep invariants
 *     that hold at every instruction boundary (given the pc). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

/* fault_seq(i, bad): two faulting accesses to `bad`; returns s3 ^ s4 ^ s5 at the end. */
extern uint64_t fault_seq(uint64_t i, uint64_t *bad);
extern char fault_a[], fault_b[];
/* hot_loop(n, p, k): s3 counts to n; s4 = 3 * s3, s5 = s3 ^ k between the updates. */
extern uint64_t hot_loop(uint64_t n, uint64_t *p, uint64_t k);
extern char hot_head[], hot_end[];

__asm__(
    ".text\n"
    ".option norvc\n" /* 4-byte instructions: the handler steps over an access with pc += 4 */
    ".global fault_seq\n"
    ".global fault_a\n"
    ".global fault_b\n"
    "fault_seq:\n"
    "  addi sp, sp, -48\n"
    "  sd s3, 0(sp)\n"
    "  sd s4, 8(sp)\n"
    "  sd s5, 16(sp)\n"
    "  sd s6, 24(sp)\n"
    "  fsd fs0, 32(sp)\n"
    "  addi s3, a0, 1\n"
    "  addi s4, a0, 2\n"
    "  mul s5, s3, s4\n"
    "  fmv.d.x fs0, s5\n"
    "  sltu s6, s3, s4\n" /* 1 */
    "fault_a:\n"
    "  ld t0, 0(a1)\n"
    "  addi s3, s3, 100\n"
    "  add s5, s5, s3\n"
    "  fmv.d.x fs0, s3\n"
    "  sltu s6, s4, s3\n" /* 1 */
    "  addi s6, s6, 1\n"  /* 2 */
    "fault_b:\n"
    "  sd s3, 0(a1)\n"
    "  xor s4, s4, s5\n"
    "  xor a0, s3, s4\n"
    "  fmv.d.x fs0, a0\n"
    "  li s6, 0\n"
    "  fld fs0, 32(sp)\n"
    "  ld s6, 24(sp)\n"
    "  ld s5, 16(sp)\n"
    "  ld s4, 8(sp)\n"
    "  ld s3, 0(sp)\n"
    "  addi sp, sp, 48\n"
    "  ret\n"
    ".global hot_loop\n"
    ".global hot_head\n"
    ".global hot_end\n"
    "hot_loop:\n"
    "  addi sp, sp, -48\n"
    "  sd s3, 0(sp)\n"
    "  sd s4, 8(sp)\n"
    "  sd s5, 16(sp)\n"
    "  sd s7, 24(sp)\n"
    "  li s3, 0\n"
    "  li s4, 0\n"
    "  mv s5, a2\n"
    "  mv s7, a2\n"
    "hot_head:\n"
    "  addi s3, s3, 1\n"
    "  ld t0, 0(a1)\n"
    "  addi s4, s4, 3\n"
    "  xor s5, s3, s7\n"
    "  ld t0, 0(a1)\n"
    "  bltu s3, a0, hot_head\n"
    "hot_end:\n"
    "  mv a0, s4\n"
    "  ld s7, 24(sp)\n"
    "  ld s5, 16(sp)\n"
    "  ld s4, 8(sp)\n"
    "  ld s3, 0(sp)\n"
    "  addi sp, sp, 48\n"
    "  ret\n"
    ".option rvc\n");

static volatile uint64_t cur_i, faults_checked, fault_mismatches, first_bad_fault;
static uint64_t bad_word_addr = 16; /* the NULL page */

static void on_segv(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  const uint64_t *x = (const uint64_t *)uc->uc_mcontext.__gregs, i = cur_i, pc = x[REG_PC];
  uint64_t fs0;
  memcpy(&fs0, &uc->uc_mcontext.__fpregs.__d.__f[8], 8);
  int ok = (uint64_t)si->si_addr == bad_word_addr;
  if (pc == (uint64_t)fault_a) {
    const uint64_t s5 = (i + 1) * (i + 2);
    ok &= x[19] == i + 1 && x[20] == i + 2 && x[21] == s5 && fs0 == s5 && x[22] == 1;
  } else if (pc == (uint64_t)fault_b) {
    const uint64_t s5 = (i + 1) * (i + 2) + i + 101;
    ok &= x[19] == i + 101 && x[20] == i + 2 && x[21] == s5 && fs0 == i + 101 && x[22] == 2;
  } else {
    ok = 0;
  }
  faults_checked++;
  if (!ok && fault_mismatches++ == 0) first_bad_fault = i;
  uc->uc_mcontext.__gregs[REG_PC] = pc + 4; /* skip the access */
}

static volatile uint64_t alarms_in_loop, alarm_mismatches;
static const uint64_t kK = 0x5a5a1234c3c3ull;

static void on_alarm(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  const uint64_t *x = (const uint64_t *)uc->uc_mcontext.__gregs, pc = x[REG_PC];
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
    const uint64_t s3 = i + 101, s5 = (i + 1) * (i + 2) + i + 101, s4 = (i + 2) ^ s5;
    bad_results += fault_seq(i, (uint64_t *)bad_word_addr) != (s3 ^ s4);
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
