/* Signal handlers that read and change the interrupted context, as language runtimes do: the
 * fault address, pc, registers and the FP/SIMD record of the arm64 ucontext; a handler that
 * skips the faulting instruction and resumes; one that edits x-registers, NZCV and V registers
 * which the interrupted code then sees; the frame record that links x29 to the interrupted code. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile uint64_t seen_fault, seen_pc_word, seen_v1_lo, seen_fpcr_rmode;
static volatile int seen_magic_ok;

static struct fpsimd_context *find_fpsimd(ucontext_t *uc) {
  struct _aarch64_ctx *h = (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;
  while (h->magic) {
    if (h->magic == FPSIMD_MAGIC) return (struct fpsimd_context *)h;
    h = (struct _aarch64_ctx *)((char *)h + h->size);
  }
  return NULL;
}

static void on_segv(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  seen_fault = uc->uc_mcontext.fault_address == (uint64_t)si->si_addr ? (uint64_t)si->si_addr : 1;
  seen_pc_word = *(uint32_t *)uc->uc_mcontext.pc;
  struct fpsimd_context *fp = find_fpsimd(uc);
  seen_magic_ok = fp && fp->head.size == sizeof *fp;
  if (fp) {
    seen_v1_lo = (uint64_t)fp->vregs[1];
    seen_fpcr_rmode = (fp->fpcr >> 22) & 3;
    fp->vregs[2] = ((__uint128_t)0x1122334455667788ull << 64) | 0x99aabbccddeeff00ull;
  }
  uc->uc_mcontext.regs[0] = 4242;                       /* the "loaded" value */
  uc->uc_mcontext.pc += 4;                              /* skip the faulting load */
  uc->uc_mcontext.pstate = (uc->uc_mcontext.pstate & ~0xf0000000ull) | 0x60000000; /* Z and C */
}

static void on_usr1(int sig, siginfo_t *si, void *ctx) {
  ucontext_t *uc = ctx;
  uint64_t *fr = (uint64_t *)__builtin_frame_address(1); /* the frame record the kernel pushed */
  printf("usr1: si_pid matches %d, x19 in context %llu, frame record lr == context lr %d\n",
         si->si_pid == getpid(), (unsigned long long)uc->uc_mcontext.regs[19],
         fr && fr[1] == uc->uc_mcontext.regs[30]);
  uc->uc_mcontext.regs[19] = 777;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sa.sa_sigaction = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);

  uint64_t loaded, nzcv, v2lo, v2hi;
  uint64_t bad = 0x10;
  __asm__ volatile(
      "mov x9, #0x5555\n\t"
      "fmov d1, x9\n\t"
      "msr fpcr, %[fpcr]\n\t"
      "mov x9, #0\n\tcmp x9, #1\n\t" /* N=1: the handler replaces the flags */
      "mov x0, #1\n\t"
      "ldr x0, [%[bad]]\n\t"
      "mov %[loaded], x0\n\t"
      "mrs %[nzcv], nzcv\n\t"
      "mov %[v2lo], v2.d[0]\n\t"
      "mov %[v2hi], v2.d[1]\n\t"
      "msr fpcr, xzr\n\t"
      : [loaded] "=&r"(loaded), [nzcv] "=&r"(nzcv), [v2lo] "=&r"(v2lo), [v2hi] "=&r"(v2hi)
      : [bad] "r"(bad), [fpcr] "r"(2ull << 22)
      : "x0", "x9", "v1", "v2", "memory", "cc");
  printf("fault address ok %d, faulting word %08llx, fpsimd record ok %d\n", seen_fault == bad,
         (unsigned long long)seen_pc_word, seen_magic_ok);
  printf("v1 seen by handler %#llx, fpcr rmode %llu\n", (unsigned long long)seen_v1_lo,
         (unsigned long long)seen_fpcr_rmode);
  printf("after resume: x0 %llu, nzcv %#llx, v2 %016llx%016llx\n", (unsigned long long)loaded,
         (unsigned long long)nzcv, (unsigned long long)v2hi, (unsigned long long)v2lo);

  register uint64_t x19 __asm__("x19") = 5;
  __asm__ volatile("" : "+r"(x19));
  kill(getpid(), SIGUSR1);
  __asm__ volatile("" : "+r"(x19));
  printf("x19 after the handler changed it: %llu\n", (unsigned long long)x19);
  return 0;
}
