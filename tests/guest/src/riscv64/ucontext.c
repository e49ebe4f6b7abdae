/* Signal handlers that read and change the interrupted context, as language runtimes do: the
 * fault address, pc, integer and FP registers and fcsr of the riscv64 ucontext (struct sigcontext:
 * sc_regs then the D-extension FP state); a handler that skips the faulting load and resumes with
 * a value of its choosing, an FP register and the rounding mode it wrote; one that edits s1, which
 * the interrupted code then sees. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile uint64_t seen_fault, seen_pc_word, seen_f1, seen_frm, seen_a1;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
  (void)sig;
  ucontext_t *uc = ctx;
  mcontext_t *mc = &uc->uc_mcontext;
  seen_fault = (uint64_t)si->si_addr;
  seen_pc_word = *(uint32_t *)mc->__gregs[REG_PC];
  seen_a1 = mc->__gregs[11];
  seen_f1 = mc->__fpregs.__d.__f[1];
  seen_frm = (mc->__fpregs.__d.__fcsr >> 5) & 7;
  mc->__fpregs.__d.__f[2] = 0x1122334455667788ull;
  mc->__fpregs.__d.__fcsr = (mc->__fpregs.__d.__fcsr & ~0xe0u) | (3u << 5); /* RUP */
  mc->__gregs[10] = 4242;                                                  /* a0: the "loaded" value */
  mc->__gregs[REG_PC] += 4;                                                /* skip the faulting load */
}

static void on_usr1(int sig, siginfo_t *si, void *ctx) {
  (void)sig;
  ucontext_t *uc = ctx;
  printf("usr1: si_pid matches %d, s1 in context %llu\n", si->si_pid == getpid(),
         (unsigned long long)uc->uc_mcontext.__gregs[9]);
  uc->uc_mcontext.__gregs[9] = 777;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sa.sa_sigaction = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);

  uint64_t loaded, f2, frm;
  uint64_t bad = 0x10;
  __asm__ volatile(
      ".option push\n\t.option norvc\n\t"
      "li t0, 0x5555\n\t"
      "fmv.d.x f1, t0\n\t"
      "fsrmi 2\n\t" /* RDN */
      "li a0, 1\n\t"
      "mv a1, %[bad]\n\t"
      "ld a0, 0(a1)\n\t"
      "mv %[loaded], a0\n\t"
      "fmv.x.d %[f2], f2\n\t"
      "frrm %[frm]\n\t"
      "fsrmi 0\n\t"
      ".option pop\n\t"
      : [loaded] "=&r"(loaded), [f2] "=&r"(f2), [frm] "=&r"(frm)
      : [bad] "r"(bad)
      : "a0", "a1", "t0", "f1", "f2", "memory");
  printf("fault address ok %d, faulting word %08llx, a1 in context ok %d\n", seen_fault == bad,
         (unsigned long long)seen_pc_word, seen_a1 == bad);
  printf("f1 seen by handler %#llx, frm %llu\n", (unsigned long long)seen_f1, (unsigned long long)seen_frm);
  printf("after resume: a0 %llu, f2 %#llx, frm %llu\n", (unsigned long long)loaded, (unsigned long long)f2,
         (unsigned long long)frm);

  register uint64_t s1 __asm__("s1") = 5;
  __asm__ volatile("" : "+r"(s1));
  kill(getpid(), SIGUSR1);
  __asm__ volatile("" : "+r"(s1));
  printf("s1 after the handler changed it: %llu\n", (unsigned long long)s1);
  return 0;
}
