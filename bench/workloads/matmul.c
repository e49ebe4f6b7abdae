/* Workload: double-precision matrix multiply (FP arithmetic, loads, stores). */
#include "common.h"
enum { N = 160 };
static double a[N][N], b[N][N], c[N][N];
int main(int argc, char **argv) {
  int rounds = bench_scale(argc, argv, 40);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) { a[i][j] = (i * 3 + j) % 17 * 0.25; b[i][j] = (i + j * 5) % 13 * 0.5; }
  double sum = 0;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) {
        double s = 0;
        for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
        c[i][j] = s + r;
      }
    sum += c[r % N][(r * 7) % N];
  }
  bench_report("matmul", (uint64_t)(sum * 1000));
  return 0;
}
