/* Shared part of the tier2_signals tests (riscv64/ and aarch64/tier2_signals.c): signals at random
 * moments into a hot loop, each handler checking the interrupted context against values it
 * computes itself. The loop, in asm with fixed registers, keeps three facts at every instruction
 * boundary (label k, 0..8, names the instruction about to run; after label 8 it is label 0 again):
 *   N = the counter; M == 3*N (3*(N-1) at label 1); X == N ^ M of the previous iteration before
 *   label 7; slot[N % 512] == N once label 6 is reached (slot[(N-1) % 512] == N-1 before it);
 *   at label 5 (the store) A, the store address, is &slot[N % 512].
 * A timer signal (the async one) checks the state and now and then write-protects the slot page;
 * the store then faults, and the SIGSEGV handler checks the state, that the pc is the store's and
 * the fault address A, and gives the page back. mimic runs it with tier 2 on and a low threshold
 * (run.py): the loop then runs as tier-2 code, where both kinds of signal must see exact state. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

extern char t2_l0[], t2_l1[], t2_l2[], t2_l3[], t2_l4[], t2_l5[], t2_l6[], t2_l7[], t2_l8[];
static uint64_t* slot;    /* one page: 512 slots */
static volatile int stop; /* the loop's exit condition */
static volatile long ticks, checked_async, checked_faults, outside, bad;
static char first_bad[160];

struct loop_state {
  uint64_t pc, n, m, x, a;
};

static int label_of(uint64_t pc) {
  char* const labels[] = {t2_l0, t2_l1, t2_l2, t2_l3, t2_l4, t2_l5, t2_l6, t2_l7, t2_l8};
  for (int k = 0; k < 9; k++)
    if (pc == (uint64_t)labels[k]) return k;
  return -1;
}

static void report(const char* what, const struct loop_state* s, int k) {
  if (bad++ == 0)
    snprintf(first_bad, sizeof first_bad, "%s at label %d: n=%llu m=%llu x=%llu", what, k, (unsigned long long)s->n,
             (unsigned long long)s->m, (unsigned long long)s->x);
}

/* Returns the label, or -1 (not in the loop, or a wrong state: counted in `bad`). */
static int check_state(const struct loop_state* s) {
  const int k = label_of(s->pc);
  if (k < 0) return -1;
  const uint64_t n = s->n, prev = n ? n - 1 : 0;
  if (s->m != (k == 1 ? 3 * prev : 3 * n)) report("M != 3N", s, k);
  const uint64_t xn = k >= 7 || k == 0 ? n : prev;
  if (s->x != (xn ^ (3 * xn))) report("X != N^M", s, k);
  const uint64_t stored = k == 6 || k == 7 || k == 8 || k == 0 ? n : prev;
  if (stored && slot[stored % 512] != stored) report("slot not stored", s, k);
  return k;
}

static void get_state(const ucontext_t* uc, struct loop_state* s);

static void on_alarm(int sig, siginfo_t* si, void* ctx) {
  (void)sig, (void)si;
  struct loop_state s;
  get_state(ctx, &s);
  if (check_state(&s) >= 0)
    checked_async++;
  else if (label_of(s.pc) < 0)
    outside++;
  if (++ticks % 3 == 0) mprotect(slot, 4096, PROT_READ);
  if (ticks >= 600 && checked_faults >= 20) stop = 1;
  if (ticks >= 20000) stop = 1; /* a watchdog: the checks below then say what was missing */
}

static void on_segv(int sig, siginfo_t* si, void* ctx) {
  (void)sig;
  struct loop_state s;
  get_state(ctx, &s);
  const int k = check_state(&s);
  if (k != 5) report("fault not at the store", &s, k);
  if ((uint64_t)si->si_addr != s.a || s.a != (uint64_t)&slot[s.n % 512]) report("wrong fault address", &s, k);
  checked_faults++;
  mprotect(slot, 4096, PROT_READ | PROT_WRITE);
}

static void run_loop(void);

int main(void) {
  slot = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_flags = SA_SIGINFO;
  sa.sa_sigaction = on_segv;
  sigaction(SIGSEGV, &sa, NULL);
  sa.sa_sigaction = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 200}, {0, 200}};
  setitimer(ITIMER_REAL, &it, NULL);
  run_loop();
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("async signals in the loop checked: %s\n", checked_async >= 100 ? "yes" : "too few");
  printf("faults in the loop checked: %s\n", checked_faults >= 20 ? "yes" : "too few");
  printf("wrong states: %ld%s%s\n", bad, bad ? " - first: " : "", bad ? first_bad : "");
  return bad != 0;
}
