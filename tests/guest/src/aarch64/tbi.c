/* Top-byte-ignore: Linux runs arm64 user space with TBI0, so loads, stores, atomics and vector
   accesses through a pointer with a tag in bits 63:56 reach the untagged address. mimic raised
   SIGSEGV (fault address 0) for a load through 0x5a00000000490050. A fault through a tagged
   pointer reports the address without its tag (no SA_EXPOSE_TAGBITS), as Linux since 5.11. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static void* fault_addr;

static void on_segv(int sig, siginfo_t* si, void* uc) {
  (void)sig, (void)uc;
  fault_addr = si->si_addr;
  siglongjmp(env, 1);
}

static void* tag(void* p, uint8_t t) { return (void*)(((uintptr_t)p & ((1ull << 56) - 1)) | ((uintptr_t)t << 56)); }

static long values[4] = {11, 22, 33, 44};

int main(void) {
  volatile long* t = tag(values, 0x5a);
  printf("load through a tagged pointer: %ld\n", t[1]);
  t[2] = 333;
  printf("store through a tagged pointer: %ld\n", values[2]);
  long old = __atomic_fetch_add((long*)tag(values, 0xff), 5, __ATOMIC_SEQ_CST);
  printf("atomic add through a tagged pointer: old %ld new %ld\n", old, values[0]);
  long expected = 44;
  int ok = __atomic_compare_exchange_n((long*)tag(values + 3, 0x01), &expected, 440, 0, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
  printf("compare-and-swap through a tagged pointer: %d %ld\n", ok, values[3]);
  long pair[2];
  __asm__ volatile("ldp %0, %1, [%2]" : "=r"(pair[0]), "=r"(pair[1]) : "r"(tag(values, 0x80)) : "memory");
  printf("load pair: %ld %ld\n", pair[0], pair[1]);
  __uint128_t q;
  __asm__ volatile("ldr %q0, [%1]" : "=w"(q) : "r"(tag(values, 0x3c)) : "memory");
  printf("vector load: %ld %ld\n", (long)(uint64_t)q, (long)(uint64_t)(q >> 64));
  long x;
  __asm__ volatile("ldxr %0, [%1]\n\tclrex" : "=r"(x) : "r"(tag(values + 1, 0x12)) : "memory");
  printf("load exclusive: %ld\n", x);
  /* The tag stays in the base register after a writeback. */
  long* base = tag(values, 0x77);
  long v;
  __asm__ volatile("ldr %0, [%1, #8]!" : "=r"(v), "+r"(base) : : "memory");
  printf("pre-index writeback keeps the tag: %ld %s\n", v, (uintptr_t)base >> 56 == 0x77 ? "yes" : "no");

  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  char* page = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (sigsetjmp(env, 1) == 0) {
    (void)*(volatile char*)tag(page + 16, 0xa5);
    printf("no fault\n");
  } else {
    printf("fault through a tagged pointer reports the untagged address: %s\n",
           fault_addr == page + 16 ? "yes" : "no");
  }
  return 0;
}
