/* Shared part of the sig_regstate tests (riscv64/ and aarch64/sig_regstate.c): the register state
 * a signal handler sees, checked against values the program computes itself:
 * (1) faulting loads and stores in the middle of straight-line code that writes the same
 *     registers before and after the access: the handler must see the values of the instructions
 *     before the fault, not those after it; it then skips the access;
 * (2) SIGALRM from setitimer arriving at any moment in a hot loop whose registers keep invariants
 *     that hold at every instruction boundary (given the pc).
 * Registers are named by number, the same on both guests: r19..r23 (riscv64 s3..s7, aarch64
 * x19..x23) and f8 (fs0, d8). Each guest's file defines, before including this:
 *   fault_seq(i, bad): two faulting accesses to `bad` (labels fault_a, fault_b, 4-byte
 *     instructions); at fault_a r19 = i+1, r20 = i+2, r21 = f8 = r19*r20 and the marker 1; at
 *     fault_b r19 = i+101, r21 += r19, f8 = r19 and the marker 2; returns r19 ^ (r20 ^ r21);
 *   hot_loop(n, p, k) between hot_head and hot_end: r19 counts to n; r20 = 3*r19 and
 *     r21 = r19 ^ k between the updates (at offsets 4 and 8 r20 and r21 lag, at 12 r21 lags),
 *     r23 = k; returns r20;
 *   ctx_regs (the integer registers by number), ctx_pc, ctx_set_pc, ctx_fp8 and ctx_marker_is
 *     (riscv64: r22 holds the marker; aarch64: NZCV is N at fault_a, C at fault_b). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

extern uint64_t fault_seq(uint64_t i, uint64_t* bad);
extern char fault_a[], fault_b[];
extern uint64_t hot_loop(uint64_t n, uint64_t* p, uint64_t k);
extern char hot_head[], hot_end[];

static volatile uint64_t cur_i, faults_checked, fault_mismatches, first_bad_fault;
static uint64_t bad_word_addr = 16; /* the NULL page */

static void on_segv(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = ctx;
  const uint64_t *x = ctx_regs(uc), i = cur_i, pc = ctx_pc(uc), f8 = ctx_fp8(uc);
  int ok = (uint64_t)si->si_addr == bad_word_addr;
  if (pc == (uint64_t)fault_a) {
    const uint64_t r21 = (i + 1) * (i + 2);
    ok &= x[19] == i + 1 && x[20] == i + 2 && x[21] == r21 && f8 == r21 && ctx_marker_is(uc, 1);
  } else if (pc == (uint64_t)fault_b) {
    const uint64_t r21 = (i + 1) * (i + 2) + i + 101;
    ok &= x[19] == i + 101 && x[20] == i + 2 && x[21] == r21 && f8 == i + 101 && ctx_marker_is(uc, 2);
  } else {
    ok = 0;
  }
  faults_checked++;
  if (!ok && fault_mismatches++ == 0) first_bad_fault = i;
  ctx_set_pc(uc, pc + 4); /* skip the access */
}

static volatile uint64_t alarms_in_loop, alarm_mismatches;
static const uint64_t kK = 0x5a5a1234c3c3ull;

static void on_alarm(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = ctx;
  const uint64_t *x = ctx_regs(uc), pc = ctx_pc(uc);
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
    const uint64_t r19 = i + 101, r21 = (i + 1) * (i + 2) + i + 101, r20 = (i + 2) ^ r21;
    bad_results += fault_seq(i, (uint64_t*)bad_word_addr) != (r19 ^ r20);
  }
  printf("faults: %llu checked, %llu mismatches (first at i=%llu), %llu wrong results\n",
         (unsigned long long)faults_checked, (unsigned long long)fault_mismatches, (unsigned long long)first_bad_fault,
         (unsigned long long)bad_results);

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
