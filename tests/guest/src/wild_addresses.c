/* Loads and stores far beyond every mapping and beyond the guard mimic keeps above the guest's
   space (2^46 + 16 TiB ... 2^64) fault with SIGSEGV at the address the guest used, and a store
   loop over them changes nothing the program can see: mimic used to let such accesses reach its
   own memory, or report fault address 0 for non-canonical ones. On arm64 the kernel ignores and
   hides the top byte (TBI), so the tagged addresses report their untagged value there. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf env;
static volatile uint64_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t* si, void* uc) {
  (void)sig, (void)uc;
  fault_addr = (uint64_t)(uintptr_t)si->si_addr;
  fault_code = si->si_code;
  siglongjmp(env, 1);
}

static const char* code_name(int code) {
  return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other code";
}

/* kind: 0 byte load, 1 byte store, 2 8-byte load, 3 8-byte store, 4 16-byte load (FP/SIMD pair). */
static int access_at(uint64_t addr, int kind) {
  char* p = (char*)(uintptr_t)addr;
  fault_addr = 0;
  fault_code = 0;
  if (sigsetjmp(env, 1) == 0) {
    switch (kind) {
      case 0: (void)*(volatile char*)p; break;
      case 1: *(volatile char*)p = 0x5a; break;
      case 2: (void)*(volatile uint64_t*)p; break;
      case 3: *(volatile uint64_t*)p = 0x5a5a5a5a5a5a5a5aull; break;
      default: {
        volatile double* d = (volatile double*)p;
        double x = d[0] + d[1];
        (void)x;
      }
    }
    return 0;
  }
  return 1;
}

#if defined(__aarch64__)
/* What arm64 Linux puts in si_addr without SA_EXPOSE_TAGBITS: bits 56-63 as copies of bit 55. */
static uint64_t reported(uint64_t a) { return (uint64_t)((int64_t)(a << 8) >> 8); }
#else
static uint64_t reported(uint64_t a) { return a; }
#endif

int main(void) {
  if (sizeof(void*) < 8) {
    puts("SKIP: a 32-bit guest has no addresses beyond 2^32");
    return 0;
  }
  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, 0);
  static const struct {
    const char* name;
    uint64_t addr;
  } probes[] = {
      {"2^46 + 32 TiB", ((uint64_t)1 << 46) + ((uint64_t)1 << 45)},
      {"2^47 - 1", ((uint64_t)1 << 47) - 1},
      {"2^47", (uint64_t)1 << 47},
      {"2^48 - 8", ((uint64_t)1 << 48) - 8},
      {"2^48", (uint64_t)1 << 48},
      {"2^52 + 0x1ad000", ((uint64_t)1 << 52) + 0x1ad000},
      {"2^55", (uint64_t)1 << 55},
      {"2^56", (uint64_t)1 << 56},
      {"2^56 + 2^47", ((uint64_t)1 << 56) + ((uint64_t)1 << 47)},
      {"2^63", (uint64_t)1 << 63},
      {"2^64 - 2^47", (uint64_t)0 - ((uint64_t)1 << 47)},
      {"2^64 - 8 TiB", (uint64_t)0 - ((uint64_t)1 << 43)},
  };
  static const char* const kinds[] = {"load8", "store8", "load64", "store64", "load128"};
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    for (int k = 0; k < 5; k++) {
      const uint64_t a = probes[i].addr & ~(uint64_t)(k >= 2 ? 15 : 0);
      if (!access_at(a, k)) {
        printf("%s %s: no fault\n", kinds[k], probes[i].name);
        continue;
      }
      printf("%s %s: SIGSEGV %s, at the address: %s\n", kinds[k], probes[i].name, code_name(fault_code),
             fault_addr == reported(a) ? "yes" : "no");
    }
  }
  /* A store loop at 4 GiB steps from 2^46 + 32 TiB to 2^47: every one faults where it was aimed. */
  static char canary[4096];
  memset(canary, 0xc3, sizeof canary);
  unsigned faults = 0, total = 0;
  for (uint64_t a = ((uint64_t)1 << 46) + ((uint64_t)1 << 45); a < ((uint64_t)1 << 47); a += (uint64_t)1 << 32) {
    total++;
    faults += access_at(a, 3) && fault_addr == a;
  }
  int intact = 1;
  for (size_t i = 0; i < sizeof canary; i++) intact &= canary[i] == (char)0xc3;
  printf("store loop 2^46+32TiB..2^47 in 4 GiB steps: %u of %u fault at their address; memory intact: %s\n", faults,
         total, intact ? "yes" : "no");
  return 0;
}
