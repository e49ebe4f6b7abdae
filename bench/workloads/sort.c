/* Workload: qsort and a hand-written merge sort of pseudo-random integers (calls, compares, memory). */
#include <string.h>
#include "common.h"
static int cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}
static void merge_sort(uint32_t *v, uint32_t *tmp, size_t n) {
  if (n < 2) return;
  size_t h = n / 2;
  merge_sort(v, tmp, h);
  merge_sort(v + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
  while (i < h) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}
int main(int argc, char **argv) {
  int rounds = bench_scale(argc, argv, 6);
  enum { N = 400000 };
  static uint32_t v[N], tmp[N];
  uint64_t sum = 0, x = 88172645463325252ull;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; v[i] = (uint32_t)x; }
    if (r & 1) qsort(v, N, sizeof *v, cmp); else merge_sort(v, tmp, N);
    for (int i = 0; i < N; i += 997) sum = sum * 31 + v[i];
  }
  bench_report("sort", sum);
  return 0;
}
