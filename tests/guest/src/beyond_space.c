/* Accesses outside every mapping, also past the end of the address space mimic gives the guest
   (2^46) and at "negative" addresses, fault with SIGSEGV at the address used, as on Linux. mimic
   let such an access reach its own memory (a load at 0x4000001ad000 read mimic's ELF header) or
   reported fault address 0. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

static sigjmp_buf env;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t* si, void* uc) {
  (void)sig, (void)uc;
  fault_addr = (uintptr_t)si->si_addr;
  fault_code = si->si_code;
  siglongjmp(env, 1);
}

static void probe(const char* what, uintptr_t addr, int write) {
  fault_addr = 0;
  if (sigsetjmp(env, 1) == 0) {
    if (write)
      *(volatile char*)addr = 1;
    else
      (void)*(volatile char*)addr;
    printf("%s %s %#lx: no fault\n", write ? "store" : "load", what, (unsigned long)addr);
  } else {
    printf("%s %s: SIGSEGV %s, at the address: %s\n", write ? "store" : "load", what,
           fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other code",
           fault_addr == addr ? "yes" : "no");
  }
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, 0);
  const uintptr_t end = (uintptr_t)1 << 46;
  probe("at 2^46", end, 0);
  probe("at 2^46 + 0x1ad000", end + 0x1ad000, 0);
  probe("at 2^46 + 1 GiB", end + ((uintptr_t)1 << 30), 1);
  probe("at 2^46 + 4 TiB", end + ((uintptr_t)1 << 42), 1);
  probe("at -4096", (uintptr_t)-4096, 0);
  probe("at -1 GiB", (uintptr_t)0 - ((uintptr_t)1 << 30), 1);
  /* A scan upward from the top of the guest's address space stops at its first byte. */
  int faults = 0;
  for (uintptr_t a = end - 4096 * 4; a < end + 4096 * 4; a += 4096) {
    fault_addr = 0;
    if (sigsetjmp(env, 1) == 0)
      *(volatile char*)a = 0;
    else
      faults += fault_addr == a;
  }
  printf("page-by-page stores around 2^46: %d of 8 fault at their address\n", faults);
  return 0;
}
