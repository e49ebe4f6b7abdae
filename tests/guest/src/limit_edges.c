/* Loads and stores whose base register lies outside the guest space while base + displacement
   lies inside (or the reverse), the cases mimic's limit check of the base register sends to its
   slow path: a page at 2^45 - 4096, just below the end of a 2^45-byte space, reached through a
   pointer past that end with a negative displacement; a pointer near 2^64 whose positive
   displacement wraps to a low unmapped address; and the same base used again at once (one check
   covers both accesses). Needs a user space above 2^45 (x86-64, arm64 48-bit, riscv64 Sv48).
   The expected output is the x86 kernel's own run of the same source. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf back;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t* info, void* uc) {
  (void)sig, (void)uc;
  fault_addr = (uintptr_t)info->si_addr;
  fault_code = info->si_code;
  siglongjmp(back, 1);
}

/* The pointer comes from memory, so the compiler cannot fold it into the displacement. */
static volatile uintptr_t opaque;

static void report(const char* what, int faulted, uint64_t v) {
  if (faulted)
    printf("%s: SIGSEGV %s at 0x%llx\n", what, fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
           (unsigned long long)fault_addr);
  else
    printf("%s: 0x%llx\n", what, (unsigned long long)v);
}

#define TRY(what, expr)                          \
  do {                                           \
    uint64_t v_ = 0;                             \
    int f_ = sigsetjmp(back, 1);                 \
    if (!f_) v_ = (expr);                        \
    report(what, f_, v_);                        \
  } while (0)

static uint64_t load_pair(uintptr_t p, uint64_t* second) {
  volatile uint64_t* q = (volatile uint64_t*)p;
  uint64_t a = q[-2];
  *second = q[-1];
  return a;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, 0);
  const uintptr_t end = (uintptr_t)1 << 45;
  uint64_t* page = mmap((void*)(end - 4096), 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (page == MAP_FAILED || (uintptr_t)page != end - 4096) {
    printf("SKIP: no page at 2^45 - 4096 (user space too small)\n");
    return 0;
  }
  page[510] = 0x1111222233334444ull;
  page[511] = 0x5555666677778888ull;

  opaque = end + 8; /* past the end: only base - 16 and base - 8 are inside */
  TRY("load at (2^45 + 8) - 24", ((volatile uint64_t*)opaque)[-3]);
  uint64_t second = 0;
  TRY("load pair at (2^45 + 8) - 16 and - 8", load_pair(opaque, &second));
  printf("second of the pair: 0x%llx\n", (unsigned long long)second);
  TRY("store at (2^45 + 8) - 24, read back", (((volatile uint64_t*)opaque)[-3] = 0xabcdef, page[510]));
  TRY("load at (2^45 + 8) - 8", ((volatile uint64_t*)opaque)[-1]);
  TRY("load at (2^45 + 8) + 0", ((volatile uint64_t*)opaque)[0]);

  opaque = end - 8; /* inside: - 8 is the last word, + 8 is past the end */
  TRY("load at (2^45 - 8) + 0", ((volatile uint64_t*)opaque)[0]);
  TRY("load at (2^45 - 8) + 8", ((volatile uint64_t*)opaque)[1]);
  TRY("store at (2^45 - 8) + 16", (((volatile uint64_t*)opaque)[2] = 1, 0));

  opaque = (uintptr_t)-8; /* wraps: -8 + 24 = 16, an unmapped low address */
  TRY("load at (2^64 - 8) + 24", ((volatile uint64_t*)opaque)[3]);
  TRY("load at (2^64 - 8) + 0", ((volatile uint64_t*)opaque)[0]);
  printf("page intact: %s\n", page[511] == 0x5555666677778888ull && page[510] == 0xabcdef ? "yes" : "no");
  return 0;
}
