/* Workload: 128-bit integer vector loops in GCC's vector extensions, so that one source serves
 * every architecture (NEON on armhf built with -mfpu=neon, AdvSIMD on arm64, SSE2 natively):
 * 8-bit saturating-free blends with masks and compares, 16-bit multiply-add with shifts, 32-bit
 * multiply-accumulate with equality masks, each lane's bits folded into one checksum. */
#include <string.h>

#include "common.h"
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
#define N 4096
static uint8_t a8[N] __attribute__((aligned(16))), b8[N] __attribute__((aligned(16)));
static uint16_t a16[N] __attribute__((aligned(16))), b16[N] __attribute__((aligned(16)));
static uint32_t a32[N] __attribute__((aligned(16))), b32[N] __attribute__((aligned(16)));

/* bytes: the larger of a, b where their difference is odd, else their average rounded down */
static void bytes(void) {
  const u8x16 one = (u8x16){0} + 1;
  for (int i = 0; i < N; i += 16) {
    u8x16 x, y;
    memcpy(&x, a8 + i, 16);
    memcpy(&y, b8 + i, 16);
    u8x16 gt = (u8x16)(x > y), odd = ((x ^ y) & one) == one;
    u8x16 max = (x & gt) | (y & ~gt), avg = (x >> 1) + (y >> 1) + (x & y & one);
    u8x16 r = (max & (u8x16)odd) | (avg & ~(u8x16)odd);
    memcpy(a8 + i, &r, 16);
  }
}
/* halfwords: a = (a * b + 0x1234) >> 3 ^ b, b = b - a */
static void halves(void) {
  const u16x8 k = (u16x8){0} + 0x1234;
  for (int i = 0; i < N; i += 8) {
    u16x8 x, y;
    memcpy(&x, a16 + i, 16);
    memcpy(&y, b16 + i, 16);
    x = ((x * y + k) >> 3) ^ y;
    y = y - x;
    memcpy(a16 + i, &x, 16);
    memcpy(b16 + i, &y, 16);
  }
}
/* words: multiply-accumulate, lanes equal to their neighbour's low byte masked out */
static uint32_t words(void) {
  u32x4 acc = {0, 0, 0, 0};
  const u32x4 mul = (u32x4){0} + 2654435761u;
  for (int i = 0; i < N; i += 4) {
    u32x4 x, y;
    memcpy(&x, a32 + i, 16);
    memcpy(&y, b32 + i, 16);
    u32x4 eq = (u32x4)((x & 0xff) == (y & 0xff));
    acc += (x * mul + y) & ~eq;
    x = (x << 5) | (y >> 27);
    memcpy(a32 + i, &x, 16);
  }
  return acc[0] ^ acc[1] * 3 ^ acc[2] * 5 ^ acc[3] * 7;
}

int main(int argc, char** argv) {
  int rounds = bench_scale(argc, argv, 40000);
  uint32_t s = 12345;
  for (int i = 0; i < N; i++) {
    s = s * 1103515245 + 12345;
    a8[i] = s >> 24, b8[i] = s >> 16, a16[i] = s >> 8, b16[i] = s >> 12 | 1, a32[i] = s, b32[i] = s * 2654435761u;
  }
  uint64_t sum = 0;
  for (int r = 0; r < rounds; r++) {
    bytes();
    halves();
    sum = sum * 31 + words();
  }
  for (int i = 0; i < N; i++) sum = sum * 131 + a8[i] + (uint64_t)a16[i] * 7 + (uint64_t)b16[i] * 11 + a32[i];
  bench_report("simd", sum);
  return 0;
}
