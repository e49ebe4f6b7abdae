// Advanced SIMD (NEON) on 32-bit Arm, built with -mfpu=neon (run.py's CFLAGS): intrinsics of
// every instruction group (arm_neon.h) and loops the compiler vectorizes at -O3, in ARM and
// Thumb, at -O2 and -O3. Each line is a hash of the results of one group (and a few values), so
// any lane that differs from qemu-arm's run shows.
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t h = 1469598103934665603ull;
static void mix(const void* p, size_t n) {
  const uint8_t* b = p;
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
}
#define MIX(v)              \
  ({                        \
    __typeof__(v) t_ = (v); \
    mix(&t_, sizeof t_);    \
  })
static void report(const char* name) {
  printf("%-12s %016llx\n", name, (unsigned long long)h);
  h = 1469598103934665603ull;
}

static uint8_t bytes[256];
static int16_t halves[128];
static int32_t words[64];
static float floats[64];

static void init(void) {
  uint32_t x = 12345;
  for (int i = 0; i < 256; ++i) {
    x = x * 1103515245 + 12345;
    bytes[i] = (uint8_t)(x >> 16);
  }
  for (int i = 0; i < 128; ++i) halves[i] = (int16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
  for (int i = 0; i < 64; ++i)
    words[i] =
        (int32_t)(bytes[4 * i] | bytes[4 * i + 1] << 8 | bytes[4 * i + 2] << 16 | (uint32_t)bytes[4 * i + 3] << 24);
  for (int i = 0; i < 64; ++i) floats[i] = (float)(words[i] % 100000) / 37.0f;
  floats[3] = 0.0f, floats[5] = -0.0f, floats[7] = 1e-40f, floats[9] = 3.4e38f;
}

// A barrier so that the compiler keeps each intrinsic (no constant folding across the tests).
#define OPAQUE(v) ({ __asm__ volatile("" : "+w"(v)); })

static void three_same(void) {
  for (int i = 0; i < 8; ++i) {
    uint8x16_t a = vld1q_u8(bytes + 16 * i), b = vld1q_u8(bytes + 16 * i + 128);
    int16x8_t c = vld1q_s16(halves + 8 * (i % 8)), d = vld1q_s16(halves + 64 + 8 * (i % 8));
    int32x4_t e = vld1q_s32(words + 4 * i), f = vld1q_s32(words + 32 + 4 * i);
    OPAQUE(a), OPAQUE(b), OPAQUE(c), OPAQUE(d), OPAQUE(e), OPAQUE(f);
    MIX(vaddq_u8(a, b)), MIX(vsubq_u8(a, b)), MIX(vmulq_u8(a, b)), MIX(vmulq_s16(c, d)), MIX(vmulq_s32(e, f));
    MIX(vmlaq_s16(c, c, d)), MIX(vmlsq_s32(e, e, f));
    MIX(vqaddq_u8(a, b)), MIX(vqaddq_s16(c, d)), MIX(vqsubq_s32(e, f)), MIX(vqsubq_u8(a, b));
    MIX(vhaddq_u8(a, b)), MIX(vrhaddq_s16(c, d)), MIX(vhsubq_s32(e, f));
    MIX(vabdq_u8(a, b)), MIX(vabaq_s16(c, c, d)), MIX(vmaxq_s32(e, f)), MIX(vminq_u8(a, b));
    MIX(vpadd_u8(vget_low_u8(a), vget_high_u8(b))), MIX(vpmax_s16(vget_low_s16(c), vget_high_s16(d)));
    MIX(vpmin_s32(vget_low_s32(e), vget_high_s32(f)));
    MIX(vtstq_u8(a, b)), MIX(vceqq_s16(c, d)), MIX(vcgeq_s32(e, f)), MIX(vcgtq_u8(a, b)), MIX(vcltq_s16(c, d));
    MIX(vandq_u8(a, b)), MIX(vbicq_u8(a, b)), MIX(vorrq_u8(a, b)), MIX(vornq_u8(a, b)), MIX(veorq_u8(a, b));
    MIX(vbslq_u8(a, b, vrev64q_u8(a)));
    int8x16_t sh = vreinterpretq_s8_u8(vandq_u8(b, vdupq_n_u8(0x8f)));  // -113..15
    MIX(vshlq_u8(a, sh)), MIX(vqshlq_s8(vreinterpretq_s8_u8(a), sh)), MIX(vrshlq_s8(vreinterpretq_s8_u8(a), sh));
    MIX(vqrshlq_u8(a, sh));
    int16x8_t sh16 = vshrq_n_s16(d, 11);
    MIX(vshlq_s16(c, sh16)), MIX(vqrshlq_s16(c, sh16)), MIX(vshlq_s32(e, vshrq_n_s32(f, 26)));
    MIX(vqdmulhq_s16(c, d)), MIX(vqrdmulhq_s32(e, f));
  }
  report("three same");
}

static void three_float(void) {
  for (int i = 0; i < 14; ++i) {
    float32x4_t a = vld1q_f32(floats + 4 * i), b = vld1q_f32(floats + 4 * ((i + 3) % 16));
    OPAQUE(a), OPAQUE(b);
    MIX(vaddq_f32(a, b)), MIX(vsubq_f32(a, b)), MIX(vmulq_f32(a, b)), MIX(vmlaq_f32(a, a, b)), MIX(vmlsq_f32(a, b, b));
    MIX(vfmaq_f32(a, a, b)), MIX(vfmsq_f32(a, a, b));
    MIX(vabdq_f32(a, b)), MIX(vmaxq_f32(a, b)), MIX(vminq_f32(a, b)), MIX(vpadd_f32(vget_low_f32(a), vget_high_f32(b)));
    MIX(vpmax_f32(vget_low_f32(a), vget_high_f32(b))), MIX(vpmin_f32(vget_low_f32(a), vget_high_f32(b)));
    MIX(vceqq_f32(a, b)), MIX(vcgeq_f32(a, b)), MIX(vcgtq_f32(a, b)), MIX(vcageq_f32(a, b)), MIX(vcagtq_f32(a, b));
    MIX(vrecpsq_f32(a, b)), MIX(vrsqrtsq_f32(a, b)), MIX(vrecpeq_f32(a)), MIX(vrsqrteq_f32(vabsq_f32(a)));
    MIX(vabsq_f32(a)), MIX(vnegq_f32(a)), MIX(vcvtq_s32_f32(a)), MIX(vcvtq_u32_f32(b)),
        MIX(vcvtq_f32_s32(vcvtq_s32_f32(a)));
    MIX(vcvtq_n_s32_f32(a, 8)), MIX(vcvtq_n_f32_u32(vreinterpretq_u32_f32(b), 20));
    MIX(vmulq_lane_f32(a, vget_low_f32(b), 1)), MIX(vmlaq_lane_f32(a, b, vget_high_f32(a), 0));
  }
  float32x4_t r = vrecpeq_f32(vld1q_f32(floats + 12));
  for (int k = 0; k < 3; ++k) r = vmulq_f32(r, vrecpsq_f32(vld1q_f32(floats + 12), r));  // Newton steps
  MIX(r);
  printf("recip %a %a\n", vgetq_lane_f32(r, 0), vgetq_lane_f32(r, 2));
  report("three float");
}

static void long_narrow_scalar(void) {
  for (int i = 0; i < 8; ++i) {
    uint8x8_t a = vld1_u8(bytes + 8 * i), b = vld1_u8(bytes + 8 * i + 64);
    int16x4_t c = vld1_s16(halves + 4 * i), d = vld1_s16(halves + 4 * i + 32);
    int32x2_t e = vld1_s32(words + 2 * i), f = vld1_s32(words + 2 * i + 16);
    uint16x8_t w = vld1q_u16((const uint16_t*)halves + 8 * (i % 16));
    int32x4_t wq = vld1q_s32(words + 4 * (i % 16));
    int64x2_t wd = vreinterpretq_s64_s32(vld1q_s32(words + 4 * ((i + 1) % 16)));
    OPAQUE(a), OPAQUE(b), OPAQUE(c), OPAQUE(d), OPAQUE(e), OPAQUE(f), OPAQUE(w), OPAQUE(wq);
    MIX(vaddl_u8(a, b)), MIX(vaddw_u8(w, a)), MIX(vsubl_s16(c, d)), MIX(vsubw_s32(wd, e));
    MIX(vaddhn_u16(w, vaddl_u8(a, b))), MIX(vraddhn_s32(wq, vmovl_s16(c))), MIX(vsubhn_s64(wd, vmovl_s32(f)));
    MIX(vabal_u8(w, a, b)), MIX(vabdl_s16(c, d)), MIX(vmlal_u8(w, a, b)), MIX(vmlsl_s32(wd, e, f));
    MIX(vmull_u8(a, b)), MIX(vmull_s32(e, f)), MIX(vmull_p8(vreinterpret_p8_u8(a), vreinterpret_p8_u8(b)));
    MIX(vqdmlal_s16(wq, c, d)), MIX(vqdmlsl_s32(wd, e, f)), MIX(vqdmull_s16(c, d));
    MIX(vmul_lane_s16(c, d, 3)), MIX(vmla_lane_s32(e, e, f, 1)), MIX(vmls_lane_s16(c, c, d, 2));
    MIX(vmull_lane_u16(vreinterpret_u16_s16(c), vreinterpret_u16_s16(d), 1)), MIX(vmlal_lane_s32(wd, e, f, 0));
    MIX(vqdmull_lane_s16(c, d, 0)), MIX(vqdmulh_lane_s32(e, f, 1)), MIX(vqrdmulh_lane_s16(c, d, 3));
    MIX(vqdmlal_lane_s32(wd, e, f, 1)), MIX(vmulq_n_s16(vcombine_s16(c, d), 7));
  }
  report("long/narrow");
}

static void shifts(void) {
  for (int i = 0; i < 8; ++i) {
    uint8x16_t a = vld1q_u8(bytes + 16 * i);
    int16x8_t c = vld1q_s16(halves + 8 * i);
    int32x4_t e = vld1q_s32(words + 4 * (i % 16));
    int64x2_t g = vreinterpretq_s64_s32(vld1q_s32(words + 4 * ((i + 5) % 16)));
    OPAQUE(a), OPAQUE(c), OPAQUE(e), OPAQUE(g);
    MIX(vshrq_n_u8(a, 3)), MIX(vshrq_n_s16(c, 16)), MIX(vshrq_n_s32(e, 1)), MIX(vshrq_n_s64(g, 63));
    MIX(vsraq_n_u8(a, a, 7)), MIX(vrshrq_n_s16(c, 5)), MIX(vrsraq_n_s32(e, e, 32)),
        MIX(vrshrq_n_u64(vreinterpretq_u64_s64(g), 17));
    MIX(vsriq_n_u8(a, vrev16q_u8(a), 2)), MIX(vshlq_n_s16(c, 15)), MIX(vsliq_n_s32(e, vrev64q_s32(e), 9));
    MIX(vqshlq_n_s16(c, 4)), MIX(vqshlq_n_u8(a, 2)), MIX(vqshluq_n_s32(e, 3)), MIX(vqshlq_n_s64(g, 40));
    MIX(vshrn_n_s16(c, 4)), MIX(vrshrn_n_s32(e, 16)), MIX(vqshrn_n_s16(c, 3)),
        MIX(vqrshrn_n_u32(vreinterpretq_u32_s32(e), 7));
    MIX(vqshrun_n_s16(c, 2)), MIX(vqrshrun_n_s64(g, 30));
    MIX(vshll_n_u8(vget_low_u8(a), 3)), MIX(vshll_n_s16(vget_high_s16(c), 16)), MIX(vmovl_s32(vget_low_s32(e)));
    MIX(vmovn_s16(c)), MIX(vqmovn_s32(e)), MIX(vqmovun_s16(c)), MIX(vqmovn_u64(vreinterpretq_u64_s64(g)));
  }
  report("shifts");
}

static void misc(void) {
  for (int i = 0; i < 8; ++i) {
    uint8x16_t a = vld1q_u8(bytes + 16 * i);
    int8x16_t sa = vreinterpretq_s8_u8(a);
    int16x8_t c = vld1q_s16(halves + 8 * i);
    int32x4_t e = vld1q_s32(words + 4 * (i % 16));
    float32x4_t f = vld1q_f32(floats + 4 * i);
    OPAQUE(a), OPAQUE(c), OPAQUE(e), OPAQUE(f);
    MIX(vrev64q_u8(a)), MIX(vrev32q_s16(c)), MIX(vrev16q_u8(a)), MIX(vrev64q_s32(e));
    MIX(vpaddlq_u8(a)), MIX(vpaddlq_s16(c)), MIX(vpadalq_s32(vreinterpretq_s64_s32(e), e)),
        MIX(vpadal_u8(vget_low_u16(vmovl_u8(vget_low_u8(a))), vget_high_u8(a)));
    MIX(vclsq_s8(sa)), MIX(vclzq_s16(c)), MIX(vclzq_u32(vreinterpretq_u32_s32(e))), MIX(vcntq_u8(a)), MIX(vmvnq_u8(a));
    MIX(vqabsq_s8(sa)), MIX(vqnegq_s16(c)), MIX(vabsq_s32(e)), MIX(vnegq_s8(sa));
    MIX(vcgtq_s8(sa, vdupq_n_s8(0))), MIX(vcleq_s16(c, vdupq_n_s16(0))), MIX(vceqq_s32(e, vdupq_n_s32(0)));
    MIX(vcltq_f32(f, vdupq_n_f32(0))), MIX(vcgeq_f32(f, vdupq_n_f32(0)));
    MIX(vrecpeq_u32(vreinterpretq_u32_s32(e))), MIX(vrsqrteq_u32(vreinterpretq_u32_s32(e)));
    MIX(vcvt_f16_f32(f)), MIX(vcvt_f32_f16(vcvt_f16_f32(f)));
    uint8x8x2_t z = vzip_u8(vget_low_u8(a), vget_high_u8(a));
    MIX(z);
    int16x8x2_t u = vuzpq_s16(c, vrev32q_s16(c));
    MIX(u);
    int32x4x2_t tr = vtrnq_s32(e, vrev64q_s32(e));
    MIX(tr);
    MIX(vextq_u8(a, vrev64q_u8(a), 5)), MIX(vext_s16(vget_low_s16(c), vget_high_s16(c), 3));
    uint8x8x2_t tab = {{vget_low_u8(a), vget_high_u8(a)}};
    uint8x8_t idx = vand_u8(vld1_u8(bytes + 200 + i), vdup_n_u8(0x1f));
    MIX(vtbl2_u8(tab, idx)), MIX(vtbx1_u8(vdup_n_u8(0xaa), vget_low_u8(a), idx));
    uint8x8x4_t tab4 = {{vget_low_u8(a), vget_high_u8(a), vld1_u8(bytes), vld1_u8(bytes + 8)}};
    MIX(vtbl4_u8(tab4, vld1_u8(bytes + 100 + i)));
    MIX(vdupq_lane_s16(vget_low_s16(c), 2)), MIX(vdupq_n_u8(bytes[i])), MIX(vdup_lane_s32(vget_high_s32(e), 1));
    MIX(vgetq_lane_s16(c, 5)), MIX(vsetq_lane_u8(0x5a, a, 13)), MIX(vgetq_lane_u8(a, 9)), MIX(vgetq_lane_s8(sa, 3));
    MIX(vmovq_n_u32(0x12345678)), MIX(vmovq_n_s16(-3)), MIX(vdupq_n_f32(1.5f)),
        MIX(vorrq_u32(vreinterpretq_u32_u8(a), vdupq_n_u32(0xff00)));
    MIX(vbicq_s16(c, vdupq_n_s16(0x00f0))), MIX(vmovq_n_u64(0xff00ff0000ff00ffull)),
        MIX(vmvnq_u32(vdupq_n_u32(0x3f00)));
  }
  report("misc");
}

static void loads_stores(void) {
  uint8_t out[256];
  memset(out, 0, sizeof out);
  for (int i = 0; i < 6; ++i) {
    const uint8_t* p = bytes + 7 * i;
    uint8x8x2_t l2 = vld2_u8(p);
    uint16x4x3_t l3 = vld3_u16((const uint16_t*)(bytes + 2 * i));
    uint32x2x4_t l4 = vld4_u32((const uint32_t*)(bytes + 4 * i));
    uint8x16x2_t q2 = vld2q_u8(p);
    uint16x8x3_t q3 = vld3q_u16((const uint16_t*)(bytes + 2 * i));
    uint32x4x4_t q4 = vld4q_u32((const uint32_t*)(bytes + 4 * i));
    uint8x16_t l1 = vld1q_u8(p);
    uint8x8_t lane = vld1_lane_u8(p + 3, vdup_n_u8(1), 6);
    uint16x4x2_t lane2 = vld2_lane_u16((const uint16_t*)(bytes + 2 * i), vld2_u16((const uint16_t*)bytes), 2);
    uint32x2x3_t lane3 = vld3_lane_u32((const uint32_t*)(bytes + 4 * i), vld3_u32((const uint32_t*)bytes), 1);
    uint8x8x4_t lane4 = vld4_lane_u8(p, vld4_u8(bytes + 64), 5);
    uint16x8_t dup = vld1q_dup_u16((const uint16_t*)(bytes + 2 * i));
    uint8x8x2_t dup2 = vld2_dup_u8(p);
    uint32x2x3_t dup3 = vld3_dup_u32((const uint32_t*)(bytes + 4 * i));
    uint16x4x4_t dup4 = vld4_dup_u16((const uint16_t*)(bytes + 2 * i));
    MIX(l2), MIX(l3), MIX(l4), MIX(q2), MIX(q3), MIX(q4), MIX(l1), MIX(lane), MIX(lane2), MIX(lane3), MIX(lane4);
    MIX(dup), MIX(dup2), MIX(dup3), MIX(dup4);
    vst2_u8(out + 3 * i, l2);
    vst3q_u16((uint16_t*)(out + 64 + 2 * i), q3);
    vst4_u32((uint32_t*)(out + 128 + 4 * i), l4);
    vst1q_u8(out + 200, l1);
    vst1_lane_u8(out + 220 + i, lane, 6);
    vst2_lane_u16((uint16_t*)(out + 230), lane2, 2);
    vst3_lane_u32((uint32_t*)(out + 236), lane3, 1);
    vst4_lane_u8(out + 250, lane4, 5);
    mix(out, sizeof out);
  }
  // Post-increment addressing (vld1/vst1 with writeback) in a copy loop.
  uint8_t dst[160];
  const uint8_t* s = bytes;
  uint8_t* d = dst;
  for (int k = 0; k < 10; ++k, s += 16, d += 16) vst1q_u8(d, vld1q_u8(s));
  mix(dst, sizeof dst);
  report("loads/stores");
}

// Loops GCC vectorizes (at -O3; at -O2 they are scalar code, with the same results).
static int32_t dot_s16(const int16_t* a, const int16_t* b, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}
static void saxpy(float* y, const float* x, float k, int n) {
  for (int i = 0; i < n; ++i) y[i] = k * x[i] + y[i];
}
static uint8_t max_u8(const uint8_t* a, int n) {
  uint8_t m = 0;
  for (int i = 0; i < n; ++i) m = a[i] > m ? a[i] : m;
  return m;
}
static void blend(uint8_t* d, const uint8_t* a, const uint8_t* b, int n) {
  for (int i = 0; i < n; ++i) d[i] = (uint8_t)((a[i] * 3 + b[i]) >> 2);
}
static void clamp16(int16_t* d, const int32_t* a, int n) {
  for (int i = 0; i < n; ++i) d[i] = (int16_t)(a[i] > 32767 ? 32767 : a[i] < -32768 ? -32768 : a[i]);
}
static void vectorized(void) {
  printf("dot %d\n", dot_s16(halves, halves + 64, 64));
  float y[64];
  for (int i = 0; i < 64; ++i) y[i] = (float)i * 0.25f;
  saxpy(y, floats, 1.75f, 64);
  mix(y, sizeof y);
  printf("max %u\n", max_u8(bytes, 256));
  uint8_t d[256];
  blend(d, bytes, bytes + 1, 255);
  mix(d, 255);
  int16_t c[64];
  clamp16(c, words, 64);
  mix(c, sizeof c);
  uint32_t hist[16] = {0};
  for (int i = 0; i < 256; ++i) hist[bytes[i] & 15] += bytes[i] >> 4;
  mix(hist, sizeof hist);
  report("vectorized");
}

static void saturation_flag(void) {
  uint32_t fpscr;
  __asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
  __asm__ volatile("vmsr fpscr, %0" ::"r"(fpscr & ~(1u << 27)));
  int8x8_t a = vdup_n_s8(100);
  OPAQUE(a);
  int8x8_t r = vqadd_s8(a, a);
  OPAQUE(r);
  __asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
  printf("qc after vqadd %u (lane %d)\n", (fpscr >> 27) & 1, vget_lane_s8(r, 0));
}

int main(void) {
  init();
  three_same();
  three_float();
  long_narrow_scalar();
  shifts();
  misc();
  loads_stores();
  vectorized();
  saturation_flag();
  return 0;
}
