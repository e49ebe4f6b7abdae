/* Code generated as JITs (V8, LuaJIT, .NET, Wasm runtimes) do it, run, rewritten and run again in
 * a loop, from several threads at once:
 *  - W^X through two views of one memfd: stores through the read-write view, calls through the
 *    read-execute one, with the instruction-cache maintenance of the architecture
 *    (__builtin___clear_cache: IC IVAU on arm64, the riscv_flush_icache system call on riscv64)
 *    naming the executable view, and on riscv64 also fence.i alone in a single thread;
 *  - an RWX anonymous page whose code and data share the page, rewritten by four threads, each in
 *    its own slot, each calling its own code after the maintenance.
 * Every call checks its result against the value just generated: stale code shows as a mismatch. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn_t)(void);
enum { kPage = 4096, kSlot = 64, kThreads = 4, kRounds = 300 };

/* "return imm" (imm < 2048) in the guest's encoding; returns the number of bytes written. */
static size_t emit_return(volatile uint32_t *p, unsigned imm) {
#if defined(__aarch64__)
  p[0] = 0xd2800000u | (imm << 5); /* movz x0, #imm */
  p[1] = 0xd65f03c0u;              /* ret */
#elif defined(__riscv)
  p[0] = (imm << 20) | (10u << 7) | 0x13u; /* addi a0, zero, imm */
  p[1] = 0x00008067u;                      /* ret */
#elif defined(__arm__)
  p[0] = 0xe3000000u | ((imm & 0xf000u) << 4) | (imm & 0xfffu); /* movw r0, #imm (A32; called with blx) */
  p[1] = 0xe12fff1eu;                                          /* bx lr */
#elif defined(__x86_64__) /* the host's own run, the reference qemu-user cannot give */
  volatile uint8_t *b = (volatile uint8_t *)p;
  b[0] = 0xb8; /* mov eax, imm32 */
  b[1] = (uint8_t)imm, b[2] = (uint8_t)(imm >> 8), b[3] = b[4] = 0;
  b[5] = 0xc3; /* ret */
  return 6;
#else
#error "jit_dualmap: no encoding for this architecture"
#endif
  return 8;
}

static void flush_exec(uint8_t *exec, size_t len) { __builtin___clear_cache((char *)exec, (char *)exec + len); }

struct view {
  uint8_t *rw, *rx;
};

static struct view dual_view(size_t len) {
  struct view v = {0, 0};
  int fd = memfd_create("jit", 0);
  if (fd < 0 || ftruncate(fd, (off_t)len) != 0) {
    perror("memfd");
    return v;
  }
  v.rw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  v.rx = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  close(fd);
  if (v.rw == MAP_FAILED || v.rx == MAP_FAILED) {
    perror("mmap");
    v.rw = v.rx = 0;
  }
  return v;
}

struct worker {
  pthread_t thread;
  int index;
  uint8_t *write_at, *exec_at; /* the same slot in the written and the executed view */
  long calls, mismatches;
};

static void *work(void *arg) {
  struct worker *w = arg;
  for (int r = 0; r < kRounds; r++) {
    /* Each round's value differs from the last: a stale translation returns the old one. */
    const unsigned want = (unsigned)(w->index * 500 + r % 491 + 1);
    size_t n = emit_return((volatile uint32_t *)w->write_at, want);
    flush_exec(w->exec_at, n);
    for (int k = 0; k < 20; k++) { /* called often enough to be chained and hot */
      long got = ((fn_t)(uintptr_t)w->exec_at)();
      w->calls++;
      if (got != (long)want) w->mismatches++;
    }
    /* A data word in the same page as the code, as JITs keep constant pools beside it. */
    ((volatile uint32_t *)w->write_at)[8] = want;
  }
  return NULL;
}

static void run_workers(const char *what, uint8_t *write_base, uint8_t *exec_base) {
  struct worker w[kThreads];
  memset(w, 0, sizeof w);
  for (int i = 0; i < kThreads; i++) {
    w[i].index = i;
    w[i].write_at = write_base + (size_t)i * kSlot;
    w[i].exec_at = exec_base + (size_t)i * kSlot;
    pthread_create(&w[i].thread, NULL, work, &w[i]);
  }
  long calls = 0, mismatches = 0;
  for (int i = 0; i < kThreads; i++) {
    pthread_join(w[i].thread, NULL);
    calls += w[i].calls;
    mismatches += w[i].mismatches;
  }
  printf("%s: %d threads, %ld calls, %ld stale\n", what, kThreads, calls, mismatches);
}

int main(void) {
  /* 1. Dual mapping, one thread: write, flush the executable view, call; rewrite; again. */
  struct view v = dual_view(4 * kPage);
  if (!v.rw) return 1;
  long stale = 0;
  for (int r = 0; r < kRounds; r++) {
    const size_t off = (size_t)(r % 4) * kPage + (size_t)(r % 7) * kSlot;
    const unsigned want = (unsigned)(r % 1000 + 3);
    flush_exec(v.rx + off, emit_return((volatile uint32_t *)(v.rw + off), want));
    for (int k = 0; k < 10; k++) stale += ((fn_t)(uintptr_t)(v.rx + off))() != (long)want;
  }
  printf("dual mapping, clear_cache: %d rounds, %ld stale\n", kRounds, stale);

#if defined(__riscv)
  /* fence.i alone orders this hart's stores before its own instruction fetches. */
  stale = 0;
  for (int r = 0; r < kRounds; r++) {
    const unsigned want = (unsigned)(r % 1500 + 7);
    emit_return((volatile uint32_t *)v.rw, want);
    __asm__ volatile("fence.i" ::: "memory");
    for (int k = 0; k < 10; k++) stale += ((fn_t)(uintptr_t)v.rx)() != (long)want;
  }
  printf("dual mapping, fence.i: %d rounds, %ld stale\n", kRounds, stale);
#endif

  /* 2. Dual mapping, four threads, each its own slot in one page. */
  run_workers("dual mapping", v.rw + kPage, v.rx + kPage);

  /* 3. One RWX page, four threads: code and data of every thread in the same page. */
  uint8_t *rwx = mmap(NULL, kPage, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (rwx == MAP_FAILED) {
    perror("mmap rwx");
    return 1;
  }
  run_workers("rwx page", rwx, rwx);

  /* 4. The views come and go as a JIT's code space does: a fresh pair at the same addresses. */
  munmap(v.rw, 4 * kPage);
  munmap(v.rx, 4 * kPage);
  struct view again = dual_view(kPage);
  if (!again.rw) return 1;
  flush_exec(again.rx, emit_return((volatile uint32_t *)again.rw, 42));
  printf("fresh views: %ld\n", ((fn_t)(uintptr_t)again.rx)());
  return 0;
}
