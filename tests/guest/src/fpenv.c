/* Guest FP environment under inline FP code: flags across signals, faults, syscalls; frm; underflow. */
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile double one = 1.0, tenth = 0.1, three_quarter_ulp = 0x1.8p-53, quarter_ulp = 0x1p-54;
static volatile double sub_max = 0x0.fffffffffffffp-1022, one_up = 0x1.0000000000001p0;
static volatile double below_one = 0x1.fffffffffffffp-1, min_normal = 0x1p-1022;
static volatile double sink;
static volatile int handler_flags = -1, handler_round = -1;
static sigjmp_buf jb;

static uint64_t bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}
// Out of line so that the compiler keeps the additions between the fesetround calls.
__attribute__((noinline)) static double add(double a, double b) { return a + b; }

static void on_usr1(int sig) {
  handler_flags = fetestexcept(FE_ALL_EXCEPT);  // the interrupted code's flags
  feclearexcept(FE_ALL_EXCEPT);                 // sigreturn restores them
  fesetround(FE_UPWARD);
  sink = one + tenth;
  handler_round = fegetround();
}
static void on_segv(int sig) { siglongjmp(jb, 1); }

int main(void) {
  signal(SIGUSR1, on_usr1);
  feclearexcept(FE_ALL_EXCEPT);
  sink = one + tenth;  // inexact, accrued by inline code
  raise(SIGUSR1);
  printf("signal: handler saw %#x (round %d), after return %#x round %d\n", handler_flags, handler_round,
         fetestexcept(FE_ALL_EXCEPT), fegetround() == FE_TONEAREST);

  feclearexcept(FE_ALL_EXCEPT);
  signal(SIGSEGV, on_segv);
  if (sigsetjmp(jb, 1) == 0) {
    sink = one / (one - one);  // divide by zero, then a guest fault in the same code
    *(volatile int *)16 = 1;
  }
  printf("fault: flags after the handler %#x\n", fetestexcept(FE_ALL_EXCEPT));

  feclearexcept(FE_ALL_EXCEPT);
  sink = one + tenth;
  printf("syscall: ");
  fflush(stdout);
  printf("flags after write %#x\n", fetestexcept(FE_ALL_EXCEPT));

  fesetround(FE_TOWARDZERO);
  double rtz = add(one, three_quarter_ulp);
  fesetround(FE_UPWARD);
  double rup = add(one, quarter_ulp);
  fesetround(FE_TONEAREST);
  double rne = add(one, three_quarter_ulp);
  printf("rounding: rtz %#llx rup %#llx rne %#llx\n", (unsigned long long)bits(rtz), (unsigned long long)bits(rup),
         (unsigned long long)bits(rne));

  feclearexcept(FE_ALL_EXCEPT);
  sink = sub_max * one_up;  // rounds to the smallest normal, not tiny after rounding
  printf("min normal, not tiny: %#llx flags %#x\n", (unsigned long long)bits(sink), fetestexcept(FE_ALL_EXCEPT));
  feclearexcept(FE_ALL_EXCEPT);
  sink = below_one * min_normal;  // rounds to the smallest normal, tiny after rounding
  printf("min normal, tiny: %#llx flags %#x\n", (unsigned long long)bits(sink), fetestexcept(FE_ALL_EXCEPT));
  feclearexcept(FE_ALL_EXCEPT);
  sink = __builtin_fma(sub_max, one_up, 0.0);
  printf("fma min normal, not tiny: %#llx flags %#x\n", (unsigned long long)bits(sink), fetestexcept(FE_ALL_EXCEPT));
  return 0;
}
