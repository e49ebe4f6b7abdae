/* A compute workload: sorting, SHA-256, matrix multiply, string functions, integer and FP math. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256(const uint8_t *msg, size_t len, uint8_t out[32]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t total = ((len + 9 + 63) / 64) * 64;
  uint8_t *buf = calloc(total, 1);
  memcpy(buf, msg, len);
  buf[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) buf[total - 1 - i] = (uint8_t)(bits >> (8 * i));
  for (size_t off = 0; off < total; off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
      w[i] = (uint32_t)buf[off + 4 * i] << 24 | (uint32_t)buf[off + 4 * i + 1] << 16 |
             (uint32_t)buf[off + 4 * i + 2] << 8 | buf[off + 4 * i + 3];
    for (int i = 16; i < 64; i++) {
      uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
      uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
      uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
  }
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(h[i] >> (24 - 8 * j));
  free(buf);
}

static void print_hash(const char *label, const uint8_t *h) {
  printf("%s", label);
  for (int i = 0; i < 32; i++) printf("%02x", h[i]);
  printf("\n");
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  uint8_t h[32];
  sha256((const uint8_t *)"abc", 3, h);
  print_hash("sha256(abc) = ", h);
  sha256((const uint8_t *)"", 0, h);
  print_hash("sha256('') = ", h);
  size_t n = 1 << 20;
  uint8_t *big = malloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (uint8_t)(i * 31 + (i >> 8));
  sha256(big, n, h);
  print_hash("sha256(1MiB pattern) = ", h);

  uint64_t x = 88172645463325252ull;
  size_t count = 200000;
  uint64_t *v = malloc(count * sizeof *v);
  for (size_t i = 0; i < count; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    v[i] = x;
  }
  qsort(v, count, sizeof *v, cmp_u64);
  int sorted = 1;
  for (size_t i = 1; i < count; i++) sorted &= v[i - 1] <= v[i];
  printf("sorted %zu: %d, min %016" PRIx64 " max %016" PRIx64 " median %016" PRIx64 "\n", count, sorted, v[0],
         v[count - 1], v[count / 2]);

  enum { N = 96 };
  static double A[N][N], B[N][N], C[N][N];
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) A[i][j] = (i * N + j) % 17 - 8.0, B[i][j] = (i + 2 * j) % 13 / 4.0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double s = 0;
      for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
      C[i][j] = s;
    }
  double trace = 0, total = 0;
  for (int i = 0; i < N; i++) {
    trace += C[i][i];
    for (int j = 0; j < N; j++) total += C[i][j];
  }
  printf("matrix %dx%d: trace %.4f total %.4f\n", N, N, trace, total);

  const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape"};
  char *copy[8];
  for (int i = 0; i < 8; i++) copy[i] = strdup(words[i]);
  qsort(copy, 8, sizeof copy[0], cmp_str);
  char joined[128] = "";
  for (int i = 0; i < 8; i++) {
    strcat(joined, copy[i]);
    if (i < 7) strcat(joined, ",");
  }
  printf("words: %s (len %zu)\n", joined, strlen(joined));
  printf("strstr: %s, strchr: %s, strrchr: %s\n", strstr(joined, "cher"), strchr(joined, 'g'), strrchr(joined, ','));
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%-8s|%8.3f|%+d|%x|%o|%e", "left", M_PI, 42, 0xbeef, 8, 12345.678);
  printf("snprintf: %s\n", tmp);
  printf("strtol: %ld %ld %lu\n", strtol("-12345", NULL, 10), strtol("ff", NULL, 16), strtoul("777", NULL, 8));
  printf("atof: %.6f\n", atof("3.14159e2"));

  int64_t a = -7000000000ll, b = 13;
  printf("int64 div/mod: %" PRId64 " %" PRId64 "\n", a / b, a % b);
  uint64_t ua = 0xfedcba9876543210ull;
#if defined(__SIZEOF_INT128__)
  printf("uint64 mulhi-ish: %" PRIx64 "\n", (uint64_t)(((unsigned __int128)ua * ua) >> 64));
#else  // 32-bit targets have no __int128: the high half from 32-bit pieces
  {
    uint64_t lo = ua & 0xffffffffu, hi = ua >> 32;
    uint64_t mid = hi * lo, cross = (lo * lo >> 32) + (mid & 0xffffffffu) * 2;
    printf("uint64 mulhi-ish: %" PRIx64 "\n", hi * hi + (mid >> 32) * 2 + (cross >> 32));
  }
#endif
  printf("clz/ctz/popcount: %d %d %d\n", __builtin_clzll(0x00f0ull), __builtin_ctzll(0x00f0ull),
         __builtin_popcountll(ua));
  printf("sqrt %.10f sin %.10f exp %.10f log %.10f pow %.6f\n", sqrt(2.0), sin(1.0), exp(1.0), log(10.0),
         pow(2.5, 3.3));
  printf("float: %.6f %.6f\n", (double)(1.0f / 3.0f), (double)sqrtf(3.0f));
  printf("div by zero fp: %f %f\n", 1.0 / (x > 1 ? 0.0 : 1.0), -1.0 / (x > 1 ? 0.0 : 1.0));
  volatile int zero = 0;
  printf("int div by zero: %d, rem: %d\n", 7 / zero, 7 % zero);
  printf("INT_MIN / -1: %d\n", (int)(-2147483647 - 1) / (zero - 1));
  return 0;
}
