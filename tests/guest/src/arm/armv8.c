/* The ARMv8-A AArch32 load-acquire/store-release family (LDA/STL, LDAEX/STLEX in every size),
   SEVL, and LDAEX/STLEX under contention across threads: each printed so that qemu-arm -cpu max's
   run is the reference. Built for armhf (Thumb-2); the instructions are assembled as ARMv8-A. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define V8 ".arch armv8-a\n"

static uint32_t word = 0x11223344;
static uint16_t half = 0x5566;
static uint8_t byte = 0x77;
static uint64_t dword = 0x0123456789abcdefull;

static void acquire_release(void) {
  uint32_t w, h, b;
  __asm__ volatile(V8 "lda %0, [%3]\n ldah %1, [%4]\n ldab %2, [%5]\n"
                   : "=&r"(w), "=&r"(h), "=&r"(b)
                   : "r"(&word), "r"(&half), "r"(&byte)
                   : "memory");
  printf("lda %08x ldah %04x ldab %02x\n", w, h, b);
  __asm__ volatile(V8 "stl %0, [%3]\n stlh %1, [%4]\n stlb %2, [%5]\n" ::"r"(0xa1b2c3d4u), "r"(0xe5f6u), "r"(0x99u),
                   "r"(&word), "r"(&half), "r"(&byte)
                   : "memory");
  printf("stl %08x stlh %04x stlb %02x\n", word, half, byte);
  __asm__ volatile(V8 "sevl\n" ::: "memory");
  printf("sevl: no effect\n");
}

static void exclusives(void) {
  uint32_t v, fail;
  __asm__ volatile(V8 "ldaex %0, [%2]\n add %0, %0, #1\n stlex %1, %0, [%2]\n"
                   : "=&r"(v), "=&r"(fail)
                   : "r"(&word)
                   : "memory");
  printf("ldaex/stlex: status %u, word %08x\n", fail, word);
  __asm__ volatile(V8 "ldaexh %0, [%2]\n add %0, %0, #2\n stlexh %1, %0, [%2]\n"
                   : "=&r"(v), "=&r"(fail)
                   : "r"(&half)
                   : "memory");
  printf("ldaexh/stlexh: status %u, half %04x\n", fail, half);
  __asm__ volatile(V8 "ldaexb %0, [%2]\n add %0, %0, #3\n stlexb %1, %0, [%2]\n"
                   : "=&r"(v), "=&r"(fail)
                   : "r"(&byte)
                   : "memory");
  printf("ldaexb/stlexb: status %u, byte %02x\n", fail, byte);
  uint64_t d;
  __asm__ volatile(V8 "ldaexd %Q0, %R0, [%2]\n adds %Q0, %Q0, #1\n adc %R0, %R0, #0\n stlexd %1, %Q0, %R0, [%2]\n"
                   : "=&r"(d), "=&r"(fail)
                   : "r"(&dword)
                   : "memory", "cc");
  printf("ldaexd/stlexd: status %u, dword %016llx\n", fail, (unsigned long long)dword);
  /* A store-release exclusive without a reservation fails (CLREX first). */
  __asm__ volatile(V8 "ldaex %0, [%2]\n clrex\n stlex %1, %0, [%2]\n" : "=&r"(v), "=&r"(fail) : "r"(&word) : "memory");
  printf("stlex after clrex: status %u\n", fail);
}

/* Four threads increment one counter with LDAEX/STLEX loops; none may be lost. */
enum { kThreads = 4, kRounds = 20000 };
static uint32_t counter;

static void* hammer(void* arg) {
  (void)arg;
  for (int i = 0; i < kRounds; ++i) {
    uint32_t v, fail;
    __asm__ volatile(V8 "1: ldaex %0, [%2]\n add %0, %0, #1\n stlex %1, %0, [%2]\n cmp %1, #0\n bne 1b\n"
                     : "=&r"(v), "=&r"(fail)
                     : "r"(&counter)
                     : "memory", "cc");
  }
  return 0;
}

int main(void) {
  acquire_release();
  exclusives();
  pthread_t t[kThreads];
  for (int i = 0; i < kThreads; ++i) pthread_create(&t[i], 0, hammer, 0);
  for (int i = 0; i < kThreads; ++i) pthread_join(t[i], 0);
  printf("ldaex/stlex under contention: %u of %u\n", counter, kThreads * kRounds);
  return 0;
}
