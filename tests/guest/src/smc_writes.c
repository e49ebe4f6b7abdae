/* Self-modifying code without cache maintenance: plain stores into a writable and executable
   page that already ran, from the same thread, from another thread while this one keeps calling
   the code, a store that rewrites the next instruction of its own block, and read(2) into the
   code page. An emulator must notice each write and drop the stale translation (qemu-user and
   mimic watch such pages); on hardware the architecture would ask for IC IVAU / fence.i. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef long (*fn_t)(void);

/* "return imm" in the guest's encoding (imm < 2048). */
static void emit_return(volatile uint32_t *p, unsigned imm) {
#if defined(__aarch64__)
  p[0] = 0xd2800000u | (imm << 5); /* movz x0, #imm */
  p[1] = 0xd65f03c0u;              /* ret */
#else
  p[0] = (imm << 20) | (10u << 7) | 0x13u; /* addi a0, zero, imm */
  p[1] = 0x00008067u;                      /* ret */
#endif
}

static volatile uint32_t *code;
static atomic_int published, seen;
enum { kRounds = 200 };

static void *writer(void *arg) {
  (void)arg;
  for (int i = 1; i <= kRounds; i++) {
    while (atomic_load_explicit(&seen, memory_order_acquire) != i - 1) {
    }
    emit_return(code, (unsigned)(100 + i));
    atomic_store_explicit(&published, i, memory_order_release);
  }
  return NULL;
}

int main(void) {
  code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fn_t f = (fn_t)code;

  emit_return(code, 1);
  long a = f();
  emit_return(code, 2);
  long b = f();
  printf("same thread: %ld then %ld\n", a, b);

  /* Another thread rewrites the code each round; this one calls it after each publication. */
  pthread_t t;
  pthread_create(&t, NULL, writer, NULL);
  int stale = 0;
  for (int i = 1; i <= kRounds; i++) {
    while (atomic_load_explicit(&published, memory_order_acquire) != i) {
    }
    if (f() != 100 + i) stale++;
    atomic_store_explicit(&seen, i, memory_order_release);
  }
  pthread_join(t, NULL);
  printf("another thread's writes: %d rounds, %d stale\n", kRounds, stale);

  /* The block rewrites its own next instruction: str w1, [x0] / sw a1, 0(a0) at the start. */
  volatile uint32_t *self = code + 256;
  uint32_t patched;
#if defined(__aarch64__)
  self[0] = 0xb9000001u; /* str w1, [x0] */
  self[1] = 0xd2800020u; /* movz x0, #1 */
  self[2] = 0xd65f03c0u; /* ret */
  patched = 0xd2800000u | (7u << 5);
#else
  self[0] = 0x00b52023u; /* sw a1, 0(a0) */
  self[1] = (1u << 20) | (10u << 7) | 0x13u;
  self[2] = 0x00008067u;
  patched = (7u << 20) | (10u << 7) | 0x13u;
#endif
  long (*g)(volatile uint32_t *, uint32_t) = (long (*)(volatile uint32_t *, uint32_t))self;
  uint32_t original = self[1];
  long first = g(self + 1, original);
  long second = g(self + 1, patched);
  printf("store into its own block: %ld then %ld\n", first, second);

  /* The kernel writes new code into the page (read from a pipe). */
  uint32_t fresh[2];
  emit_return(fresh, 42);
  int p[2];
  if (pipe(p) != 0 || write(p[1], fresh, sizeof fresh) != sizeof fresh) return 1;
  emit_return(code, 3);
  long before = f();
  ssize_t n = read(p[0], (void *)code, sizeof fresh);
  printf("read(2) into the code page: %ld then %ld (read %zd)\n", before, f(), n);
  return 0;
}
