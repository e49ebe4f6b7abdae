/* The AArch64 cryptographic extensions, the way OpenSSL-style code uses them (arm_neon.h
   intrinsics): every AES, SHA-1, SHA-256, SHA-512, SHA-3 and PMULL.1Q instruction on pseudo-random
   inputs, then whole algorithms whose answers are known (SHA-256 of "abc" and of 1000 bytes,
   FIPS-197's AES-128 example both ways, a GHASH-style carry-less product), and the HWCAPs and
   ID_AA64ISAR0 that advertise them. mimic had none of these instructions (SIGILL). */
#pragma GCC target("arch=armv8.2-a+crypto+sha3")
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
  return seed;
}
static uint64x2_t rnd(void) {
  uint64_t a = next(), b = next();
  return vcombine_u64(vcreate_u64(a), vcreate_u64(b));
}
#define U8(x) vreinterpretq_u8_u64(x)
#define U32(x) vreinterpretq_u32_u64(x)
#define U64(x) vreinterpretq_u64_u8(x)
#define W64(x) vreinterpretq_u64_u32(x)

static void show(const char* name, int i, uint64x2_t v) {
  printf("%-10s %d: %016llx %016llx\n", name, i, (unsigned long long)vgetq_lane_u64(v, 1),
         (unsigned long long)vgetq_lane_u64(v, 0));
}

static void each_instruction(void) {
  for (int i = 0; i < 3; i++) {
    const uint64x2_t a = rnd(), b = rnd(), c = rnd();
    const uint32_t e = (uint32_t)next();
    show("aese", i, U64(vaeseq_u8(U8(a), U8(b))));
    show("aesd", i, U64(vaesdq_u8(U8(a), U8(b))));
    show("aesmc", i, U64(vaesmcq_u8(U8(a))));
    show("aesimc", i, U64(vaesimcq_u8(U8(a))));
    show("sha1c", i, W64(vsha1cq_u32(U32(a), e, U32(b))));
    show("sha1p", i, W64(vsha1pq_u32(U32(a), e, U32(b))));
    show("sha1m", i, W64(vsha1mq_u32(U32(a), e, U32(b))));
    show("sha1h", i, vcombine_u64(vcreate_u64(vsha1h_u32(e)), vcreate_u64(0)));
    show("sha1su0", i, W64(vsha1su0q_u32(U32(a), U32(b), U32(c))));
    show("sha1su1", i, W64(vsha1su1q_u32(U32(a), U32(b))));
    show("sha256h", i, W64(vsha256hq_u32(U32(a), U32(b), U32(c))));
    show("sha256h2", i, W64(vsha256h2q_u32(U32(a), U32(b), U32(c))));
    show("sha256su0", i, W64(vsha256su0q_u32(U32(a), U32(b))));
    show("sha256su1", i, W64(vsha256su1q_u32(U32(a), U32(b), U32(c))));
    show("sha512h", i, vsha512hq_u64(a, b, c));
    show("sha512h2", i, vsha512h2q_u64(a, b, c));
    show("sha512su0", i, vsha512su0q_u64(a, b));
    show("sha512su1", i, vsha512su1q_u64(a, b, c));
    show("eor3", i, veor3q_u64(a, b, c));
    show("bcax", i, vbcaxq_u64(a, b, c));
    show("rax1", i, vrax1q_u64(a, b));
    show("xar #0", i, vxarq_u64(a, b, 0));
    show("xar #17", i, vxarq_u64(a, b, 17));
    show("xar #63", i, vxarq_u64(a, b, 63));
    poly128_t lo = vmull_p64((poly64_t)vgetq_lane_u64(a, 0), (poly64_t)vgetq_lane_u64(b, 0));
    poly128_t hi = vmull_high_p64(vreinterpretq_p64_u64(a), vreinterpretq_p64_u64(b));
    show("pmull", i, vreinterpretq_u64_p128(lo));
    show("pmull2", i, vreinterpretq_u64_p128(hi));
  }
}

/* ---- SHA-256 (FIPS 180-4) on SHA256H/H2/SU0/SU1 ---- */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static void sha256_blocks(uint32_t h[8], const uint8_t* p, size_t blocks) {
  uint32x4_t s0 = vld1q_u32(h), s1 = vld1q_u32(h + 4);
  for (; blocks--; p += 64) {
    uint32x4_t msg[4];
    for (int i = 0; i < 4; i++) msg[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    uint32x4_t abcd = s0, efgh = s1;
    for (int i = 0; i < 16; i++) {
      const uint32x4_t wk = vaddq_u32(msg[i % 4], vld1q_u32(K256 + 4 * i));
      const uint32x4_t save = abcd;
      abcd = vsha256hq_u32(abcd, efgh, wk);
      efgh = vsha256h2q_u32(efgh, save, wk);
      if (i < 12)
        msg[i % 4] = vsha256su1q_u32(vsha256su0q_u32(msg[i % 4], msg[(i + 1) % 4]), msg[(i + 2) % 4], msg[(i + 3) % 4]);
    }
    s0 = vaddq_u32(s0, abcd), s1 = vaddq_u32(s1, efgh);
  }
  vst1q_u32(h, s0), vst1q_u32(h + 4, s1);
}

static void sha256(const uint8_t* data, size_t len, char out[65]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  sha256_blocks(h, data, len / 64);
  uint8_t tail[128] = {0};
  const size_t rest = len % 64, padded = rest < 56 ? 64 : 128;
  memcpy(tail, data + len - rest, rest);
  tail[rest] = 0x80;
  for (int i = 0; i < 8; i++) tail[padded - 1 - i] = (uint8_t)((uint64_t)len * 8 >> (8 * i));
  sha256_blocks(h, tail, padded / 64);
  for (int i = 0; i < 8; i++) sprintf(out + 8 * i, "%08x", h[i]);
}

/* ---- AES-128 (FIPS-197) on AESE/AESMC and AESD/AESIMC ---- */
static uint8_t gmul(uint8_t a, uint8_t b) {
  uint8_t r = 0;
  for (; b; b >>= 1, a = (uint8_t)((a << 1) ^ (a & 0x80 ? 0x1b : 0)))
    if (b & 1) r ^= a;
  return r;
}
static uint8_t sbox(uint8_t x) {
  uint8_t inv = 0;
  for (int y = 1; y < 256 && x; y++)
    if (gmul(x, (uint8_t)y) == 1) inv = (uint8_t)y;
  uint8_t r = 0x63;
  for (int i = 0; i < 5; i++) r ^= (uint8_t)((inv << i) | (inv >> (8 - i)));
  return r;
}

static void aes128_expand(const uint8_t key[16], uint8x16_t rk[11]) {
  uint8_t w[176];
  memcpy(w, key, 16);
  uint8_t rcon = 1;
  for (int i = 16; i < 176; i += 4) {
    uint8_t t[4] = {w[i - 4], w[i - 3], w[i - 2], w[i - 1]};
    if (i % 16 == 0) {
      const uint8_t t0 = t[0];
      t[0] = sbox(t[1]) ^ rcon, t[1] = sbox(t[2]), t[2] = sbox(t[3]), t[3] = sbox(t0);
      rcon = gmul(rcon, 2);
    }
    for (int j = 0; j < 4; j++) w[i + j] = w[i - 16 + j] ^ t[j];
  }
  for (int r = 0; r < 11; r++) rk[r] = vld1q_u8(w + 16 * r);
}

static uint8x16_t aes128_encrypt(const uint8x16_t rk[11], uint8x16_t s) {
  for (int r = 0; r < 9; r++) s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
  return veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
}

static uint8x16_t aes128_decrypt(const uint8x16_t rk[11], uint8x16_t s) {
  s = vaesdq_u8(s, rk[10]);
  for (int r = 9; r >= 1; r--) s = vaesdq_u8(vaesimcq_u8(s), vaesimcq_u8(rk[r]));
  return veorq_u8(s, rk[0]);
}

static void hex16(const char* what, uint8x16_t v) {
  uint8_t b[16];
  vst1q_u8(b, v);
  printf("%s ", what);
  for (int i = 0; i < 16; i++) printf("%02x", b[i]);
  printf("\n");
}

int main(void) {
  each_instruction();

  char digest[65];
  sha256((const uint8_t*)"abc", 3, digest);
  printf("sha256(\"abc\") = %s\n", digest);
  uint8_t buf[1000];
  for (int i = 0; i < 1000; i++) buf[i] = (uint8_t)(i * 7 + 3);
  sha256(buf, sizeof buf, digest);
  printf("sha256(1000 bytes) = %s\n", digest);

  uint8_t key[16], pt[16];
  for (int i = 0; i < 16; i++) key[i] = (uint8_t)i, pt[i] = (uint8_t)(i * 0x11);
  uint8x16_t rk[11];
  aes128_expand(key, rk);
  const uint8x16_t ct = aes128_encrypt(rk, vld1q_u8(pt));
  hex16("aes128 encrypt (FIPS-197 C.1):", ct);
  hex16("aes128 decrypt:", aes128_decrypt(rk, ct));

  /* A GHASH-style 128 x 128 carry-less product from four PMULLs (Karatsuba-free). */
  const uint64x2_t x = rnd(), y = rnd();
  const poly64x2_t px = vreinterpretq_p64_u64(x), py = vreinterpretq_p64_u64(y);
  const uint64x2_t ll = vreinterpretq_u64_p128(vmull_p64(vgetq_lane_p64(px, 0), vgetq_lane_p64(py, 0)));
  const uint64x2_t hh = vreinterpretq_u64_p128(vmull_high_p64(px, py));
  const uint64x2_t lh = vreinterpretq_u64_p128(vmull_p64(vgetq_lane_p64(px, 0), vgetq_lane_p64(py, 1)));
  const uint64x2_t hl = vreinterpretq_u64_p128(vmull_p64(vgetq_lane_p64(px, 1), vgetq_lane_p64(py, 0)));
  const uint64x2_t mid = veorq_u64(lh, hl);
  show("clmul lo", 0, veorq_u64(ll, vcombine_u64(vcreate_u64(0), vget_low_u64(mid))));
  show("clmul hi", 0, veorq_u64(hh, vcombine_u64(vget_high_u64(mid), vcreate_u64(0))));

  const unsigned long hw = getauxval(AT_HWCAP);
  printf("hwcap: aes %d pmull %d sha1 %d sha2 %d crc32 %d sha3 %d sm3 %d sm4 %d sha512 %d\n", !!(hw & HWCAP_AES),
         !!(hw & HWCAP_PMULL), !!(hw & HWCAP_SHA1), !!(hw & HWCAP_SHA2), !!(hw & HWCAP_CRC32), !!(hw & HWCAP_SHA3),
         !!(hw & HWCAP_SM3), !!(hw & HWCAP_SM4), !!(hw & HWCAP_SHA512));
  if (hw & HWCAP_CPUID) {
    uint64_t isar0;
    __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
    printf("ID_AA64ISAR0: AES %llu SHA1 %llu SHA2 %llu CRC32 %llu SHA3 %llu SM3 %llu SM4 %llu\n",
           (unsigned long long)(isar0 >> 4 & 15), (unsigned long long)(isar0 >> 8 & 15),
           (unsigned long long)(isar0 >> 12 & 15), (unsigned long long)(isar0 >> 16 & 15),
           (unsigned long long)(isar0 >> 32 & 15), (unsigned long long)(isar0 >> 36 & 15),
           (unsigned long long)(isar0 >> 40 & 15));
  }
  return 0;
}
