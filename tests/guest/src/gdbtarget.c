// The program the gdb stub tests (tests/gdb) debug: a function to break in, locals, a global to watch
// and an exit status of its own; with the argument "signal" it also raises SIGUSR1 at itself, with
// "spin" it loops forever (for Ctrl-C).
// Run plainly, it prints its result.
#include <signal.h>
#include <stdio.h>
#include <string.h>

volatile long counter = 0;  // watched by the tests
long squares[8];
volatile sig_atomic_t handled = 0;

__attribute__((noinline)) long accumulate(long n) {
  long total = 0;
  for (long i = 1; i <= n; ++i) {
    total += i * i;
    squares[i] = total;
    if (counter >= 0) counter = total;  // a read and a write of the watched global each time
  }
  return total;
}

static void on_usr1(int sig) { handled = sig; }

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "spin") == 0)
    for (;;) ++counter;
  if (argc > 1 && strcmp(argv[1], "signal") == 0) {
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("handler %s\n", handled ? "ran" : "did not run");
  }
  long r = accumulate(5);
  printf("accumulate(5) = %ld\n", r);
  return (int)(r % 50);
}
