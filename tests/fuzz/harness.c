/* Random-instruction harness for tests/fuzz/fuzz.py: runs COUNT streams of LEN random instruction
   words (seeded), each ended by a breakpoint, with a handler that skips every instruction that
   faults. Branches and system instructions are replaced by no-ops so that each stream runs
   straight through. Prints one line per stream: the hash of the registers at its end and how many
   instructions faulted, or how the stream left its buffer. The same binary under mimic's JIT and
   under its interpreter must print the same. With a fourth argument "wild", eight registers start
   as addresses far outside the guest's space (2^47, 2^48, 2^56, 2^63, -4096 ...) so that random
   loads and stores go through them; every one must fault, and a canary array of the harness's
   own is checked after each stream. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static uint32_t* code;
static unsigned len;
static sigjmp_buf jb;
static uint64_t hash;
static unsigned skipped;
static uint64_t* scratch;  /* a mapping of its own, far from the harness's data */
static char* stack_top;    /* the stream's stack, also its own */
/* The registers a stream starts with besides the scratch pointer and sp (all 0 unless "wild"). */
static uint64_t start_regs[8];
static const uint64_t kWild[8] = {1ull << 47,           1ull << 48, (1ull << 56) + 0x1000, 1ull << 63,
                                  0xfffffffffffff000ull, (1ull << 46) + (1ull << 45), 0x00007f0000000000ull,
                                  0x8000000000001230ull};
static unsigned char canary[65536];

#if defined(__aarch64__)
#define PC(uc) ((uc)->uc_mcontext.pc)
static const uint32_t kNop = 0xd503201f, kEnd = 0xd4200000; /* nop; brk #0 */
static uint32_t filter(uint32_t w) { return ((w >> 26) & 7) == 5 ? kNop : w; } /* branch, exception, system */
static void hash_regs(ucontext_t* uc) {
  for (int i = 0; i < 31; i++) hash = (hash ^ uc->uc_mcontext.regs[i]) * 0x100000001b3ull;
  hash = (hash ^ uc->uc_mcontext.sp) * 0x100000001b3ull;
  hash = (hash ^ (uc->uc_mcontext.pstate >> 28)) * 0x100000001b3ull;
}
/* Every general register 0 but x0 (the scratch area) and sp (the stream's stack), so that what
   the stream reads and writes does not depend on the harness's own state. */
__attribute__((noreturn)) static void enter(void* c, void* data, void* sp) {
  /* Fixed registers, so that setting one cannot overwrite another's input. */
  register void* rc __asm__("x16") = c;
  register void* rd __asm__("x0") = data;
  register void* rs __asm__("x9") = sp;
  register const uint64_t* rr __asm__("x17") = start_regs;
  __asm__ volatile(
      "mov sp, x9\n ldp x1, x2, [x17]\n ldp x3, x4, [x17, #16]\n ldp x5, x6, [x17, #32]\n ldp x7, x8, [x17, #48]\n"
      "mov x9, xzr\n mov x10, xzr\n mov x11, xzr\n mov x12, xzr\n mov x13, xzr\n mov x14, xzr\n"
      "mov x15, xzr\n mov x17, xzr\n mov x18, xzr\n mov x19, xzr\n mov x20, xzr\n mov x21, xzr\n"
      "mov x22, xzr\n mov x23, xzr\n mov x24, xzr\n mov x25, xzr\n mov x26, xzr\n mov x27, xzr\n"
      "mov x28, xzr\n mov x29, xzr\n mov x30, xzr\n msr nzcv, xzr\n br x16"
      :
      : "r"(rc), "r"(rd), "r"(rs), "r"(rr)
      : "memory");
  __builtin_unreachable();
}
#elif defined(__riscv)
#define PC(uc) ((uc)->uc_mcontext.__gregs[0])
static const uint32_t kNop = 0x00000013, kEnd = 0x00100073; /* addi x0,x0,0; ebreak */
static uint32_t filter(uint32_t w) {
  w |= 3; /* 32-bit encodings only */
  uint32_t op = w & 0x7f;
  if (op == 0x63 || op == 0x6f || op == 0x67 || op == 0x73) return kNop; /* branches, jumps, system */
  uint32_t rd = (w >> 7) & 31;
  if (rd == 3 || rd == 4) return kNop; /* gp and tp: the harness's C library needs them */
  return w;
}
static void hash_regs(ucontext_t* uc) {
  for (int i = 1; i < 32; i++)
    if (i != 3 && i != 4) hash = (hash ^ uc->uc_mcontext.__gregs[i]) * 0x100000001b3ull;
}
/* Every general register 0 but a0 (the scratch area), sp (the stream's stack) and gp/tp (the C
   library's, which the filter keeps the stream from writing). */
__attribute__((noreturn)) static void enter(void* c, void* data, void* sp) {
  /* Fixed registers, so that setting one cannot overwrite another's input. */
  register void* rc __asm__("t6") = c;
  register void* rd __asm__("a0") = data;
  register void* rs __asm__("t5") = sp;
  register const uint64_t* rr __asm__("t4") = start_regs;
  __asm__ volatile(
      "mv sp, t5\n ld a1, 0(t4)\n ld a2, 8(t4)\n ld a3, 16(t4)\n ld a4, 24(t4)\n ld a5, 32(t4)\n"
      "ld a6, 40(t4)\n ld a7, 48(t4)\n ld t0, 56(t4)\n"
      "li ra, 0\n li t1, 0\n li t2, 0\n li s0, 0\n li s1, 0\n"
      "li s2, 0\n li s3, 0\n li s4, 0\n li s5, 0\n li s6, 0\n"
      "li s7, 0\n li s8, 0\n li s9, 0\n li s10, 0\n li s11, 0\n li t3, 0\n li t4, 0\n li t5, 0\n jr t6"
      :
      : "r"(rc), "r"(rd), "r"(rs), "r"(rr)
      : "memory");
  __builtin_unreachable();
}
#endif

static void on_signal(int sig, siginfo_t* si, void* ucv) {
  (void)si;
  ucontext_t* uc = ucv;
  uintptr_t pc = PC(uc);
  if (pc == (uintptr_t)&code[len] && sig == SIGTRAP) {
    hash_regs(uc);
    siglongjmp(jb, 1);
  }
  if (pc >= (uintptr_t)code && pc < (uintptr_t)&code[len]) {
    skipped++;
    PC(uc) = pc + 4;
    return;
  }
  siglongjmp(jb, 2); /* left the buffer */
}

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  uint64_t seed = strtoull(argv[1], 0, 0);
  unsigned count = (unsigned)atoi(argv[2]);
  len = (unsigned)atoi(argv[3]);
  const int wild = argc > 4 && strcmp(argv[4], "wild") == 0;
  if (wild) memcpy(start_regs, kWild, sizeof start_regs);
  memset(canary, 0xa5, sizeof canary);
  code = mmap(0, (len + 1) * 4, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  scratch = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  stack_top = (char*)mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) + (1 << 19);
  static char altstack[65536];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, 0);
  struct sigaction sa = {0};
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  /* The faults an instruction can raise; the others keep their default action (a runner's
     timeout still ends the harness). */
  const int faults[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
  for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) sigaction(faults[i], &sa, 0);
  for (unsigned c = 0; c < count; c++) {
    for (unsigned i = 0; i < len; i++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      code[i] = filter((uint32_t)(seed >> 32));
    }
    code[len] = kEnd;
    __builtin___clear_cache((char*)code, (char*)&code[len + 1]);
    memset(scratch, 0x5a, 1 << 20);
    memset(stack_top - (1 << 19), 0, 1 << 20);
    hash = 0xcbf29ce484222325ull;
    skipped = 0;
    int r = sigsetjmp(jb, 1);
    if (r == 0) enter(code, (char*)scratch + (1 << 19), stack_top);
    int intact = 1;
    for (unsigned i = 0; i < sizeof canary; i++) intact &= canary[i] == 0xa5;
    if (r == 1)
      printf("%u: %016llx skipped %u%s\n", c, (unsigned long long)hash, skipped, intact ? "" : " CANARY CHANGED");
    else
      printf("%u: left the buffer after %u skipped%s\n", c, skipped, intact ? "" : " CANARY CHANGED");
    fflush(stdout);
  }
  return 0;
}
