/* The quick start's bundled guest program: shows that a foreign-architecture binary runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
  struct utsname u;
  if (uname(&u) == 0) printf("Hello from a %s guest running on mimic.\n", u.machine);

  /* A little real work: primes, sorting, hashing, floating point. */
  int count = 0;
  for (int n = 2; n < 10000; n++) {
    int prime = 1;
    for (int d = 2; d * d <= n; d++)
      if (n % d == 0) { prime = 0; break; }
    count += prime;
  }
  printf("primes below 10000: %d\n", count);

  int v[16];
  for (int i = 0; i < 16; i++) v[i] = (i * 7919) % 101;
  qsort(v, 16, sizeof v[0], cmp_int);
  printf("sorted:");
  for (int i = 0; i < 16; i++) printf(" %d", v[i]);
  printf("\n");

  double x = 1.0;
  for (int i = 0; i < 20; i++) x = x - (x * x - 2.0) / (2.0 * x);
  printf("sqrt(2) by Newton: %.12f\n", x);

  printf("fnv1a(\"mimic\") = 0x%08x\n", fnv1a("mimic"));
  for (int i = 1; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  return 0;
}
