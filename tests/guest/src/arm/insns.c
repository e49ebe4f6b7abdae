/* 32-bit Arm instructions one at a time (ARMv6 media, saturation, bit fields, multiplies,
 * divides, exclusives, VFP conversions and FPSCR flags) and the kuser helpers, each printed so
 * that the run is compared with qemu-arm's. Built for Thumb-2 or A32 by the runner's flags. */
#include <stdint.h>
#include <stdio.h>

#define OP2(name, insn)                                                     \
  static uint32_t name(uint32_t a, uint32_t b) {                            \
    uint32_t r;                                                             \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"); \
    return r;                                                               \
  }
OP2(qadd, "qadd")
OP2(qsub, "qsub") OP2(qdadd, "qdadd") OP2(uadd8, "uadd8") OP2(usub16, "usub16") OP2(sadd16, "sadd16")
    OP2(ssub8, "ssub8") OP2(uqadd8, "uqadd8") OP2(qsub16, "qsub16") OP2(shadd8, "shadd8") OP2(uhsub16, "uhsub16")
        OP2(sasx, "sasx") OP2(usax, "usax") OP2(usad8, "usad8") OP2(smuad, "smuad") OP2(smusdx, "smusdx")
            OP2(smmul, "smmul") OP2(smmulr, "smmulr") OP2(smulbt, "smulbt") OP2(smulwt, "smulwt")
                OP2(sdiv, ".arch_extension idiv\n\tsdiv") OP2(udiv, ".arch_extension idiv\n\tudiv") OP2(uxtab, "uxtab")
                    OP2(sxtah, "sxtah") OP2(uxtab16, "uxtab16")

                        static uint32_t read_ge_sel(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__ volatile("uadd8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
static uint32_t apsr_q(void) {
  uint32_t r;
  __asm__ volatile("mrs %0, apsr" : "=r"(r));
  return (r >> 27) & 1;
}
static void clear_q(void) {
  uint32_t z = 0;
  __asm__ volatile("msr APSR_nzcvq, %0" : : "r"(z) : "cc");
}

int main(void) {
  const uint32_t v[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0x80ff7f01, 0xfedcba98};
  const unsigned n = sizeof v / sizeof v[0];
  static const struct {
    const char* name;
    uint32_t (*fn)(uint32_t, uint32_t);
  } ops[] = {{"qadd", qadd},       {"qsub", qsub},
             {"qdadd", qdadd},     {"uadd8", uadd8},
             {"usub16", usub16},   {"sadd16", sadd16},
             {"ssub8", ssub8},     {"uqadd8", uqadd8},
             {"qsub16", qsub16},   {"shadd8", shadd8},
             {"uhsub16", uhsub16}, {"sasx", sasx},
             {"usax", usax},       {"usad8", usad8},
             {"smuad", smuad},     {"smusdx", smusdx},
             {"smmul", smmul},     {"smmulr", smmulr},
             {"smulbt", smulbt},   {"smulwt", smulwt},
             {"sdiv", sdiv},       {"udiv", udiv},
             {"uxtab", uxtab},     {"sxtah", sxtah},
             {"uxtab16", uxtab16}, {"uadd8+sel", read_ge_sel}};
  for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    uint32_t h = 2166136261u, q = 0;
    for (unsigned i = 0; i < n; i++)
      for (unsigned j = 0; j < n; j++) {
        clear_q();
        h = (h ^ ops[k].fn(v[i], v[j])) * 16777619u;
        q += apsr_q();
      }
    printf("%-10s %08x q=%u\n", ops[k].name, h, q);
  }
  for (unsigned i = 0; i < n; i++) {
    uint32_t a = v[i], s8, u5, bf, rb, rv, r16, rsh, ubx, sbx, clz;
    clear_q();
    __asm__ volatile("ssat %0, #8, %1" : "=r"(s8) : "r"(a));
    __asm__ volatile("usat %0, #5, %1, asr #3" : "=r"(u5) : "r"(a));
    bf = 0xaaaaaaaa;
    __asm__ volatile("bfi %0, %1, #4, #12" : "+r"(bf) : "r"(a));
    __asm__ volatile("rbit %0, %1" : "=r"(rb) : "r"(a));
    __asm__ volatile("rev %0, %1" : "=r"(rv) : "r"(a));
    __asm__ volatile("rev16 %0, %1" : "=r"(r16) : "r"(a));
    __asm__ volatile("revsh %0, %1" : "=r"(rsh) : "r"(a));
    __asm__ volatile("ubfx %0, %1, #3, #9" : "=r"(ubx) : "r"(a));
    __asm__ volatile("sbfx %0, %1, #7, #13" : "=r"(sbx) : "r"(a));
    __asm__ volatile("clz %0, %1" : "=r"(clz) : "r"(a));
    printf("%08x: ssat %08x usat %08x q=%u bfi %08x rbit %08x rev %08x %08x %08x ubfx %03x sbfx %08x clz %u\n", a, s8,
           u5, apsr_q(), bf, rb, rv, r16, rsh, ubx, sbx, clz);
    uint32_t lo, hi;
    __asm__ volatile("umull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(a), "r"(v[(i + 3) % n]));
    printf("  umull %08x%08x", hi, lo);
    __asm__ volatile("smull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(a), "r"(v[(i + 5) % n]));
    printf(" smull %08x%08x", hi, lo);
    lo = 5, hi = 7;
    __asm__ volatile("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(a));
    printf(" smlal %08x%08x", hi, lo);
    lo = 0xffffffff, hi = 3;
    __asm__ volatile("umaal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(a), "r"(v[(i + 1) % n]));
    printf(" umaal %08x%08x\n", hi, lo);
    uint32_t c, f;
    __asm__ volatile("adds %0, %2, %3\n\tmrs %1, apsr" : "=&r"(c), "=&r"(f) : "r"(a), "r"(v[(i + 2) % n]) : "cc");
    printf("  adds %08x nzcv %x", c, f >> 28);
    __asm__ volatile("subs %0, %2, %3\n\tmrs %1, apsr" : "=&r"(c), "=&r"(f) : "r"(a), "r"(v[(i + 4) % n]) : "cc");
    printf(" subs %08x nzcv %x", c, f >> 28);
    __asm__ volatile("lsls %0, %2, #1\n\tmrs %1, apsr" : "=&r"(c), "=&r"(f) : "r"(a) : "cc");
    printf(" lsls %08x nzcv %x", c, f >> 28);
    __asm__ volatile("movs %0, %2, asr #31\n\tmrs %1, apsr" : "=&r"(c), "=&r"(f) : "r"(a) : "cc");
    printf(" asrs %08x nzcv %x\n", c, f >> 28);
  }
  /* Exclusives. */
  uint32_t word = 41, status, old;
  __asm__ volatile("1: ldrex %0, [%2]\n\tadd %0, %0, #1\n\tstrex %1, %0, [%2]\n\tcmp %1, #0\n\tbne 1b"
                   : "=&r"(old), "=&r"(status)
                   : "r"(&word)
                   : "cc", "memory");
  uint64_t dword = 0x0000000100000002ull;
  uint64_t seen;
  __asm__ volatile("ldrexd %0, %H0, [%1]" : "=&r"(seen) : "r"(&dword) : "memory");
  const uint64_t swapped = seen << 32 | seen >> 32;
  __asm__ volatile("strexd %0, %1, %H1, [%2]" : "=&r"(status) : "r"(swapped), "r"(&dword) : "memory");
  printf("ldrex/strex %u, ldrexd/strexd swapped halves %016llx status %u\n", word, (unsigned long long)dword, status);
  /* VFP: conversions and the cumulative flags in FPSCR. */
  volatile float fz = 0.0f, f3 = 3.0f, fbig = 3e9f;
  volatile double dq = 1.0 / 3.0;
  uint32_t fpscr = 0;
  __asm__ volatile("vmsr fpscr, %0" : : "r"(fpscr));
  volatile float r1 = f3 / fz;
  volatile int32_t r2 = (int32_t)fbig;
  volatile float r3 = (float)dq;
  __asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
  printf("vfp: %g %d %.9g fpscr %08x\n", (double)r1, (int)r2, (double)r3, fpscr);
  /* The kuser helpers. */
  typedef int (*cmpxchg_t)(int, int, volatile int*);
  typedef void* (*get_tls_t)(void);
  volatile int cell = 5;
  int ok = ((cmpxchg_t)0xffff0fc0)(5, 9, &cell);
  int fail = ((cmpxchg_t)0xffff0fc0)(5, 11, &cell);
  void* tls = ((get_tls_t)0xffff0fe0)();
  void* tp;
  __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(tp));
  printf("kuser: version %d, cmpxchg %d then %d, cell %d, get_tls matches TPIDRURO: %d\n",
         *(volatile int*)0xffff0ffc >= 3, ok, fail != 0, cell, tls == tp);
  typedef void (*barrier_t)(void);
  typedef int (*cmpxchg64_t)(const int64_t*, const int64_t*, volatile int64_t*);
  ((barrier_t)0xffff0fa0)();
  volatile int64_t cell64 = 0x123456789abcdefll;
  const int64_t old64 = 0x123456789abcdefll, new64 = -2, other64 = 7;
  int ok64 = ((cmpxchg64_t)0xffff0f60)(&old64, &new64, &cell64);
  int fail64 = ((cmpxchg64_t)0xffff0f60)(&old64, &other64, &cell64);
  printf("kuser: memory_barrier returned, version >= 5: %d, cmpxchg64 %d then %d, cell %llx\n",
         *(volatile int*)0xffff0ffc >= 5, ok64, fail64 != 0, (unsigned long long)cell64);
  return 0;
}
