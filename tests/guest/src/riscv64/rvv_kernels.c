// RVV 1.0 loops as compilers and libraries write them (strip-mined with vsetvli): memcpy, strlen
// with a fault-only-first load running into an inaccessible page, saxpy, a widening dot product,
// segment loads (RGB), strided and indexed accesses, compress, gather, fixed point, mask ops and
// the estimate instructions. Run with -cpu rv64,v=true (qemu 7.2 and mimic); the output must match.
// (GCC 12 has no <riscv_vector.h> and does not know the v registers: plain asm, no clobbers, and
// no C code between the asm statements that share vector registers.)
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void vmemcpy(void* dst, const void* src, size_t n) {
  __asm__ volatile(
      "1: vsetvli t0, %2, e8, m8, ta, ma\n"
      "  vle8.v v0, (%1)\n"
      "  add %1, %1, t0\n"
      "  sub %2, %2, t0\n"
      "  vse8.v v0, (%0)\n"
      "  add %0, %0, t0\n"
      "  bnez %2, 1b\n"
      : "+r"(dst), "+r"(src), "+r"(n)
      :
      : "t0", "memory");
}

// strlen: vle8ff trims vl at the first inaccessible byte instead of faulting.
static size_t vstrlen(const char* s) {
  const char* p = s;
  long idx;
  __asm__ volatile(
      "1: vsetvli t0, zero, e8, m2, ta, ma\n"
      "  vle8ff.v v8, (%0)\n"
      "  csrr t1, vl\n"
      "  vmseq.vi v0, v8, 0\n"
      "  vfirst.m %1, v0\n"
      "  add %0, %0, t1\n"
      "  bltz %1, 1b\n"
      "  sub %0, %0, t1\n"
      "  add %0, %0, %1\n"
      : "+r"(p), "=&r"(idx)
      :
      : "t0", "t1", "memory");
  return (size_t)(p - s);
}

static void saxpy(size_t n, float a, const float* x, float* y) {
  __asm__ volatile(
      "1: vsetvli t0, %0, e32, m4, ta, ma\n"
      "  vle32.v v8, (%1)\n"
      "  vle32.v v16, (%2)\n"
      "  vfmacc.vf v16, %3, v8\n"
      "  vse32.v v16, (%2)\n"
      "  slli t1, t0, 2\n"
      "  add %1, %1, t1\n"
      "  add %2, %2, t1\n"
      "  sub %0, %0, t0\n"
      "  bnez %0, 1b\n"
      : "+r"(n), "+r"(x), "+r"(y)
      : "f"(a)
      : "t0", "t1", "memory");
}

// sum(a[i] * b[i]) over int16 with 32-bit products, reduced to 64 bits.
static int64_t dot16(size_t n, const int16_t* a, const int16_t* b) {
  int64_t r;
  __asm__ volatile(
      "  vsetivli zero, 1, e64, m1, ta, ma\n"
      "  vmv.s.x v24, zero\n"
      "1: vsetvli t0, %1, e16, m2, ta, ma\n"
      "  vle16.v v8, (%2)\n"
      "  vle16.v v12, (%3)\n"
      "  vwmul.vv v16, v8, v12\n"
      "  vsetvli zero, t0, e32, m4, ta, ma\n"
      "  vwredsum.vs v24, v16, v24\n"
      "  slli t1, t0, 1\n"
      "  add %2, %2, t1\n"
      "  add %3, %3, t1\n"
      "  sub %1, %1, t0\n"
      "  bnez %1, 1b\n"
      "  vsetivli zero, 1, e64, m1, ta, ma\n"
      "  vmv.x.s %0, v24\n"
      : "=&r"(r), "+r"(n), "+r"(a), "+r"(b)
      :
      : "t0", "t1", "memory");
  return r;
}

// Packed RGB to grey (r + 2g + b) / 4 with segment loads, averaging with the rounding of vxrm.
static void grey(size_t n, const uint8_t* rgb, uint8_t* out) {
  __asm__ volatile(
      "  csrwi vxrm, 0\n"
      "1: vsetvli t0, %0, e8, m1, ta, ma\n"
      "  vlseg3e8.v v1, (%1)\n"
      "  vaaddu.vv v4, v1, v3\n"
      "  vaaddu.vv v5, v4, v2\n"
      "  vse8.v v5, (%2)\n"
      "  li t1, 3\n"
      "  mul t1, t1, t0\n"
      "  add %1, %1, t1\n"
      "  add %2, %2, t0\n"
      "  sub %0, %0, t0\n"
      "  bnez %0, 1b\n"
      : "+r"(n), "+r"(rgb), "+r"(out)
      :
      : "t0", "t1", "memory");
}

// Column 3 of a 16x16 int32 matrix (strided), then elements gathered by byte offsets (indexed).
static void strided_indexed(const int32_t* m, int32_t* col, const uint32_t* offs, int32_t* gathered) {
  __asm__ volatile(
      "  li t0, 64\n"
      "  vsetivli zero, 16, e32, m4, ta, ma\n"
      "  vlse32.v v8, (%0), t0\n"
      "  vse32.v v8, (%1)\n"
      "  vle32.v v12, (%2)\n"
      "  vluxei32.v v16, (%0), v12\n"
      "  vse32.v v16, (%3)\n"
      :
      : "r"(m + 3), "r"(col), "r"(offs), "r"(gathered)
      : "t0", "memory");
}

// Keep the elements above a threshold (vcompress), reverse a vector (vrgather with vid/vrsub).
static size_t compress_reverse(const int32_t* in, int32_t thr, int32_t* kept, int32_t* rev) {
  size_t k;
  __asm__ volatile(
      "  vsetivli zero, 16, e32, m4, ta, ma\n"
      "  vle32.v v8, (%1)\n"
      "  vmsgt.vx v0, v8, %2\n"
      "  vcompress.vm v12, v8, v0\n"
      "  vcpop.m %0, v0\n"
      "  vse32.v v12, (%3)\n"
      "  vid.v v16\n"
      "  vrsub.vi v16, v16, 15\n"
      "  vrgather.vv v20, v8, v16\n"
      "  vse32.v v20, (%4)\n"
      : "=&r"(k)
      : "r"(in), "r"(thr), "r"(kept), "r"(rev)
      : "memory");
  return k;
}

// Q15 multiply with saturation (vsmul) and the saturation flag, narrowing clip to int8.
static unsigned q15(const int16_t* a, const int16_t* b, int16_t* prod, int8_t* clipped) {
  unsigned long sat;
  __asm__ volatile(
      "  csrwi vxsat, 0\n"
      "  csrwi vxrm, 0\n"
      "  vsetivli zero, 8, e16, m1, ta, ma\n"
      "  vle16.v v1, (%1)\n"
      "  vle16.v v2, (%2)\n"
      "  vsmul.vv v3, v1, v2\n"
      "  vse16.v v3, (%3)\n"
      "  vsetivli zero, 8, e8, mf2, ta, ma\n"
      "  vnclip.wi v4, v3, 4\n"
      "  vse8.v v4, (%4)\n"
      "  csrr %0, vxsat\n"
      : "=&r"(sat)
      : "r"(a), "r"(b), "r"(prod), "r"(clipped)
      : "memory");
  return (unsigned)sat;
}

// viota / vmsbf on a mask, vfrec7 and vfrsqrt7 estimates, a widening FP conversion.
static void masks_estimates(uint8_t maskbits, uint32_t* iota, uint8_t* sbf, const float* x, float* rec, float* rsq,
                            double* wide) {
  __asm__ volatile(
      "  vsetivli zero, 8, e32, m2, ta, ma\n"
      "  vmv.v.x v0, %0\n"
      "  viota.m v2, v0\n"
      "  vse32.v v2, (%1)\n"
      "  vmsbf.m v4, v0\n"
      "  vsetivli zero, 1, e8, m1, ta, ma\n"
      "  vse8.v v4, (%2)\n"
      "  vsetivli zero, 8, e32, m2, ta, ma\n"
      "  vle32.v v6, (%3)\n"
      "  vfrec7.v v8, v6\n"
      "  vse32.v v8, (%4)\n"
      "  vfrsqrt7.v v10, v6\n"
      "  vse32.v v10, (%5)\n"
      "  vfwcvt.f.f.v v12, v6\n"
      "  vsetivli zero, 8, e64, m4, ta, ma\n"
      "  vse64.v v12, (%6)\n"
      :
      : "r"((unsigned long)maskbits), "r"(iota), "r"(sbf), "r"(x), "r"(rec), "r"(rsq), "r"(wide)
      : "memory");
}

int main(void) {
  unsigned long vlenb;
  __asm__ volatile("csrr %0, vlenb" : "=r"(vlenb));
  printf("vlenb %lu\n", vlenb);

  static uint8_t src[1000], dst[1000];
  for (int i = 0; i < 1000; i++) src[i] = (uint8_t)(i * 7 + 3);
  vmemcpy(dst, src, 1000);
  printf("memcpy %s\n", memcmp(src, dst, 1000) ? "differs" : "equal");

  long page = sysconf(_SC_PAGESIZE);
  char* two = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mprotect(two + page, page, PROT_NONE);
  char* s = two + page - 37;  // the terminator is the page's last byte
  memset(s, 'x', 36);
  s[36] = 0;
  printf("strlen across the page end %zu\n", vstrlen(s));
  printf("strlen short %zu\n", vstrlen("hello, vector world"));

  float x[100], y[100];
  for (int i = 0; i < 100; i++) x[i] = i * 0.5f, y[i] = 100 - i;
  saxpy(100, 3.0f, x, y);
  printf("saxpy y[0] %g y[57] %g y[99] %g\n", y[0], y[57], y[99]);

  int16_t a[77], b[77];
  for (int i = 0; i < 77; i++) a[i] = (int16_t)(i * 311 - 9000), b[i] = (int16_t)(12000 - i * 150);
  printf("dot16 %lld\n", (long long)dot16(77, a, b));

  uint8_t rgb[3 * 40], g[40];
  for (int i = 0; i < 120; i++) rgb[i] = (uint8_t)(i * 37 + 11);
  grey(40, rgb, g);
  printf("grey");
  for (int i = 0; i < 40; i += 5) printf(" %u", g[i]);
  printf("\n");

  static int32_t m[256], col[16], gathered[16];
  static uint32_t offs[16];
  for (int i = 0; i < 256; i++) m[i] = i * 3 - 100;
  for (int i = 0; i < 16; i++) offs[i] = (uint32_t)((i * 37) % 64) * 4;
  strided_indexed(m, col, offs, gathered);
  printf("column");
  for (int i = 0; i < 16; i += 3) printf(" %d", col[i]);
  printf(" gathered");
  for (int i = 0; i < 16; i += 3) printf(" %d", gathered[i]);
  printf("\n");

  int32_t in[16], kept[16] = {0}, rev[16];
  for (int i = 0; i < 16; i++) in[i] = (i * 13) % 17 - 5;
  size_t k = compress_reverse(in, 3, kept, rev);
  printf("kept %zu:", k);
  for (size_t i = 0; i < k; i++) printf(" %d", kept[i]);
  printf(" reversed %d %d %d\n", rev[0], rev[7], rev[15]);

  int16_t qa[8] = {-32768, 16384, -16384, 32767, 1000, -1, 12345, -32768};
  int16_t qb[8] = {-32768, 16384, 16384, 32767, -2000, -1, 23456, 32767};
  int16_t prod[8];
  int8_t clipped[8];
  unsigned sat = q15(qa, qb, prod, clipped);
  printf("q15");
  for (int i = 0; i < 8; i++) printf(" %d/%d", prod[i], clipped[i]);
  printf(" vxsat %u\n", sat);

  uint32_t iota[8];
  uint8_t sbf;
  float ex[8] = {1.0f, 3.0f, 0.1f, 1e-40f, -2.5f, 65536.0f, 0.0f, 1e30f}, rec[8], rsq[8];
  double wide[8];
  masks_estimates(0xb4, iota, &sbf, ex, rec, rsq, wide);
  printf("iota");
  for (int i = 0; i < 8; i++) printf(" %u", iota[i]);
  printf(" sbf %#x\n", sbf);
  for (int i = 0; i < 8; i++) printf("rec7 %a rsqrt7 %a wide %a\n", rec[i], rsq[i], wide[i]);
  return 0;
}
