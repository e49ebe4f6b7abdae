/* Workload: sieve of Eratosthenes (byte stores, tight loops, branches). */
#include <string.h>
#include "common.h"
int main(int argc, char **argv) {
  int rounds = bench_scale(argc, argv, 40);
  enum { N = 2000000 };
  static unsigned char composite[N];
  uint64_t total = 0;
  for (int r = 0; r < rounds; r++) {
    memset(composite, 0, sizeof composite);
    for (int i = 2; (long)i * i < N; i++)
      if (!composite[i])
        for (int j = i * i; j < N; j += i) composite[j] = 1;
    for (int i = 2; i < N; i++) total += !composite[i];
  }
  bench_report("sieve", total);
  return 0;
}
