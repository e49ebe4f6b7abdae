/* Workload: libc string and memory functions (strlen, memcpy, memcmp, strchr, snprintf). */
#include <string.h>
#include "common.h"
int main(int argc, char **argv) {
  int rounds = bench_scale(argc, argv, 3000);
  static char a[8192], b[8192], line[256];
  for (size_t i = 0; i < sizeof a - 1; i++) a[i] = 'a' + (char)(i % 26);
  uint64_t acc = 0;
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < 64; k++) {
      memcpy(b, a + k, sizeof a - 64);
      b[sizeof a - 64 - k] = 0;
      acc += strlen(b);
      acc += memcmp(a + k, b, 4000) == 0;
      const char *p = strchr(b + k, 'z');
      acc += p ? (uint64_t)(p - b) : 0;
      acc += (uint64_t)snprintf(line, sizeof line, "%d:%s:%x", r, b + 8000 - 3 * k, k);
    }
  }
  bench_report("strings", acc);
  return 0;
}
