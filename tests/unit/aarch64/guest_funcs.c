// Freestanding functions compiled for AArch64 by gen_guest_funcs.py (guest code in
// guest_funcs.inc) and natively into guest_test.cpp (the oracle): compiler-generated code with
// stack frames, pair loads/stores, jump tables, 128-bit multiplies, divisions and atomics.
// Plain C that is also valid C++; no globals, no libc.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint64_t gf_fib(uint64_t n) {
  uint64_t a = 0, b = 1;
  while (n--) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  return a;
}

// Insertion sort of n 64-bit signed values, then a position-weighted checksum.
uint64_t gf_sort(int64_t* v, uint64_t n) {
  for (uint64_t i = 1; i < n; ++i) {
    int64_t x = v[i];
    uint64_t j = i;
    while (j > 0 && v[j - 1] > x) {
      v[j] = v[j - 1];
      --j;
    }
    v[j] = x;
  }
  uint64_t sum = 0;
  for (uint64_t i = 0; i < n; ++i) sum = sum * 31 + (uint64_t)v[i];
  return sum;
}

// Byte-wise copy and fill loops that GCC vectorizes into q-register loads/stores.
uint64_t gf_copy(uint8_t* dst, const uint8_t* src, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) dst[i] = (uint8_t)(src[i] ^ 0x5a);
  for (uint64_t i = 0; i < n / 2; ++i) dst[n + i] = 0;
  uint64_t h = 1469598103934665603ull;
  for (uint64_t i = 0; i < n; ++i) h = (h ^ dst[i]) * 1099511628211ull;
  return h;
}

uint64_t gf_mulhi(uint64_t a, uint64_t b) {
  unsigned __int128 p = (unsigned __int128)a * b;
  __int128 q = (__int128)(int64_t)a * (int64_t)b;
  return (uint64_t)(p >> 64) ^ (uint64_t)(q >> 64) ^ (uint64_t)p;
}

uint64_t gf_divmod(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) {
    uint64_t d = (b >> 1) + (uint64_t)i + 1;  // never 0, never -1 as a signed divisor
    r += a / d + a % d + (uint64_t)((int64_t)a / (int64_t)(d | 1)) + (uint32_t)a / ((uint32_t)d | 1);
    a = a * 6364136223846793005ull + 1442695040888963407ull;
  }
  return r;
}

// A dense switch: GCC emits a jump table (adr + ldrb/ldrh + add + br).
uint64_t gf_switch(uint64_t n) {
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; ++i) {
    switch ((i * 7 + acc) % 11) {
      case 0: acc += 3; break;
      case 1: acc ^= 0x55; break;
      case 2: acc = acc * 5 + 1; break;
      case 3: acc -= 7; break;
      case 4: acc = (acc << 3) | (acc >> 61); break;
      case 5: acc += i; break;
      case 6: acc = ~acc; break;
      case 7: acc = acc / 3 + 11; break;
      case 8: acc |= 0x100; break;
      case 9: acc &= 0xfffffffffff0ull; break;
      default: acc += 1; break;
    }
  }
  return acc;
}

// Bit manipulation that maps to clz/rbit/rev/cls/csel.
uint64_t gf_bits(uint64_t x) {
  uint64_t r = 0;
  for (int i = 0; i < 16; ++i) {
    r += (uint64_t)__builtin_clzll(x | 1) + (uint64_t)__builtin_ctzll(x | (1ull << 63)) + __builtin_bswap64(x) + (uint64_t)__builtin_clrsbll((int64_t)x);
    r ^= (uint32_t)x > 0x80000000u ? (uint64_t)__builtin_bswap32((uint32_t)x) : (uint64_t)(int32_t)x;
    x = x * 0x9e3779b97f4a7c15ull + (uint64_t)i;
  }
  return r;
}

// Atomics: LDXR/STXR loops or LSE instructions depending on -march.
uint64_t gf_atomics(uint64_t* p, uint64_t n) {
  uint64_t r = 0;
  for (uint64_t i = 0; i < n; ++i) {
    r += __atomic_fetch_add(p, i, __ATOMIC_SEQ_CST);
    r ^= __atomic_fetch_or(p + 1, 1ull << (i & 63), __ATOMIC_ACQ_REL);
    uint64_t expected = __atomic_load_n(p + 2, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(p + 2, &expected, expected * 3 + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
    r += __atomic_exchange_n((uint32_t*)(p + 3), (uint32_t)i, __ATOMIC_RELEASE);
    __atomic_store_n(p + 4, r, __ATOMIC_RELEASE);
  }
  return r + p[0] + p[1] + p[2] + p[3] + p[4];
}

// Struct copies: GCC moves them through q registers (ldp/stp q, ldr/str q).
typedef struct {
  uint64_t w[6];
} Blob;
uint64_t gf_struct(Blob* dst, const Blob* src, uint64_t n) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < n; ++i) {
    Blob t = src[i];
    t.w[i % 6] += i;
    dst[n - 1 - i] = t;
    sum += t.w[0] ^ t.w[5];
  }
  return sum;
}

// Indirect calls through a table of function pointers (BLR, RET through the link register).
static uint64_t op_a(uint64_t x) { return x * 3 + 1; }
static uint64_t op_b(uint64_t x) { return x >> 1; }
static uint64_t op_c(uint64_t x) { return x ^ 0xabcdef; }
static uint64_t op_d(uint64_t x) { return x - 17; }
uint64_t gf_indirect(uint64_t x, uint64_t n) {
  uint64_t (*volatile table[4])(uint64_t);
  table[0] = op_a;
  table[1] = op_b;
  table[2] = op_c;
  table[3] = op_d;
  for (uint64_t i = 0; i < n; ++i) x = table[(x ^ i) & 3](x);
  return x;
}

#ifdef __cplusplus
}
#endif
