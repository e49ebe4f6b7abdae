/* Loops that compilers vectorize (at -O3: AdvSIMD on aarch64) and the C library's string
 * functions (hand-written SIMD in glibc), over many lengths and alignments. Prints checksums. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 1027 /* odd: vector loops need their scalar tails */

static uint32_t seed = 12345;
static uint32_t rnd(void) { return seed = seed * 1103515245u + 12345u; }

static uint64_t fnv(const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

static int32_t a32[N], b32[N], c32[N];
static int16_t a16[N], b16[N];
static uint8_t u8[N], v8[N];
static float fx[N], fy[N];
static double dx[N], dy[N];
static uint64_t u64[N];

__attribute__((noinline)) static void int_loops(void) {
  for (int i = 0; i < N; i++) c32[i] = a32[i] * b32[i] + (a32[i] >> 3) - (b32[i] & 0xff);
  printf("int32 mul-add: %016llx\n", (unsigned long long)fnv(c32, sizeof c32));
  int64_t sum = 0;
  int32_t mn = INT32_MAX, mx = INT32_MIN;
  uint32_t umx = 0;
  for (int i = 0; i < N; i++) {
    sum += a32[i];
    mn = a32[i] < mn ? a32[i] : mn;
    mx = a32[i] > mx ? a32[i] : mx;
    umx = (uint32_t)b32[i] > umx ? (uint32_t)b32[i] : umx;
  }
  printf("int32 sum %lld min %d max %d umax %u\n", (long long)sum, mn, mx, umx);
  int64_t dot = 0;
  for (int i = 0; i < N; i++) dot += (int32_t)a16[i] * b16[i];
  printf("int16 dot: %lld\n", (long long)dot);
  for (int i = 0; i < N; i++) {
    int v = a16[i] / 64 + 100;
    v8[i] = v > 255 ? 255 : v < 0 ? 0 : (uint8_t)v;
  }
  printf("int16 -> uint8 clamp: %016llx\n", (unsigned long long)fnv(v8, sizeof v8));
  unsigned count = 0;
  for (int i = 0; i < N; i++) count += u8[i] == 'e';
  printf("bytes equal to 'e': %u\n", count);
  for (int i = 0; i < N; i++) v8[i] = (uint8_t)(u8[i] + v8[i]) ^ (u8[i] >> 2);
  printf("uint8 add/xor/shift: %016llx\n", (unsigned long long)fnv(v8, sizeof v8));
  for (int i = 0; i < N; i++) v8[i] = (u8[i] + v8[i] + 1) >> 1;
  printf("uint8 average: %016llx\n", (unsigned long long)fnv(v8, sizeof v8));
  for (int i = 0; i < N; i++) c32[i] = abs(a32[i] - b32[i]);
  printf("int32 abs diff: %016llx\n", (unsigned long long)fnv(c32, sizeof c32));
  for (int i = 0; i < N; i++) c32[i] = (int32_t)a16[i] << 4 | (uint16_t)b16[i] >> 12;
  printf("widen and shift: %016llx\n", (unsigned long long)fnv(c32, sizeof c32));
  uint64_t pop = 0;
  for (int i = 0; i < N; i++) pop += (uint64_t)__builtin_popcountll(u64[i]);
  printf("popcount: %llu\n", (unsigned long long)pop);
  for (int i = 0; i < N; i++) u64[i] = u64[i] * 0x9e3779b97f4a7c15ull + (u64[i] >> 17);
  printf("uint64 mul/shift: %016llx\n", (unsigned long long)fnv(u64, sizeof u64));
  for (int i = 0; i < N; i++) a16[i] = (int16_t)(a16[i] * 3 - b16[i]);
  printf("int16 arith: %016llx\n", (unsigned long long)fnv(a16, sizeof a16));
}

__attribute__((noinline)) static void fp_loops(void) {
  const float alpha = 1.75f;
  for (int i = 0; i < N; i++) fy[i] = alpha * fx[i] + fy[i];
  printf("saxpy: %016llx\n", (unsigned long long)fnv(fy, sizeof fy));
  for (int i = 0; i < N; i++) dy[i] = sqrt(fabs(dx[i])) * 0.5 - dy[i] / 3.0;
  printf("double sqrt/div: %016llx\n", (unsigned long long)fnv(dy, sizeof dy));
  for (int i = 0; i < N; i++) c32[i] = (int32_t)(fx[i] * 100.0f);
  printf("float -> int32: %016llx\n", (unsigned long long)fnv(c32, sizeof c32));
  for (int i = 0; i < N; i++) fx[i] = (float)a32[i] * 0.25f;
  printf("int32 -> float: %016llx\n", (unsigned long long)fnv(fx, sizeof fx));
  for (int i = 0; i < N; i++) dx[i] = fy[i] > fx[i] ? fy[i] : fx[i];
  printf("float max -> double: %016llx\n", (unsigned long long)fnv(dx, sizeof dx));
  double s = 0;
  for (int i = 0; i < N; i++) s += dx[i] * dy[i];
  printf("double dot: %.17g\n", s);
  float m = fy[0];
  for (int i = 1; i < N; i++) m = fminf(m, fy[i]);
  printf("float min: %.9g\n", (double)m);
}

__attribute__((noinline)) static void string_functions(void) {
  static char buf[512], other[512];
  uint64_t h = 0;
  for (int align = 0; align < 16; align++) {
    for (int len = 0; len < 200; len += 7) {
      char *p = buf + align;
      memset(buf, 'x', sizeof buf);
      for (int i = 0; i < len; i++) p[i] = (char)('a' + (i * 7 + align) % 26);
      p[len] = 0;
      h = h * 31 + strlen(p);
      char *q = other + (align * 3) % 16;
      memcpy(q, p, (size_t)len + 1);
      h = h * 31 + (uint64_t)(strcmp(p, q) == 0);
      if (len > 3) {
        q[len - 2] = 'Z';
        h = h * 31 + (uint64_t)(strcmp(p, q) > 0) + 2 * (uint64_t)(memcmp(p, q, (size_t)len) > 0);
        h = h * 31 + (uint64_t)(strncmp(p, q, (size_t)len - 3) == 0);
      }
      const char *c = memchr(p, 'q', (size_t)len);
      h = h * 31 + (c ? (uint64_t)(c - p) : 999);
      c = strchr(p, 'k');
      h = h * 31 + (c ? (uint64_t)(c - p) : 999);
      c = strrchr(p, 'k');
      h = h * 31 + (c ? (uint64_t)(c - p) : 999);
      memmove(p + 1, p, (size_t)len);
      memmove(p, p + 3, (size_t)len / 2);
      h = h * 31 + fnv(buf, sizeof buf);
      memset(p, len & 0xff, (size_t)len);
      h = h * 31 + fnv(buf, sizeof buf);
    }
  }
  printf("string functions: %016llx\n", (unsigned long long)h);
  char text[] = "the quick brown fox jumps over the lazy dog; the end";
  printf("strstr: %s | strspn %zu strcspn %zu\n", strstr(text, "lazy"), strspn(text, "eht "), strcspn(text, ";"));
}

int main(void) {
  for (int i = 0; i < N; i++) {
    a32[i] = (int32_t)rnd() >> (i % 13);
    b32[i] = (int32_t)rnd();
    a16[i] = (int16_t)rnd();
    b16[i] = (int16_t)(rnd() >> 7);
    u8[i] = "the quick brown fox jumps over the lazy dog"[i % 43];
    fx[i] = (float)((int32_t)rnd()) / 65536.0f;
    fy[i] = (float)(rnd() % 1000) - 500.0f;
    dx[i] = ((int32_t)rnd()) / 1024.0;
    dy[i] = (rnd() % 100000) / 7.0;
    u64[i] = ((uint64_t)rnd() << 32) | rnd();
  }
  int_loops();
  fp_loops();
  string_functions();
  return 0;
}
