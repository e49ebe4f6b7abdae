/* Self-modifying code as a JIT writes it: code generated into a writable, executable page,
 * run, rewritten, and run again after fence.i or __builtin___clear_cache (riscv_flush_icache). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef long (*fn_t)(long);

/* addi a0, a0, imm; ret */
static void emit_add(uint32_t *p, int imm) {
  p[0] = ((uint32_t)(imm & 0xfff) << 20) | (10u << 15) | (10u << 7) | 0x13;
  p[1] = 0x00008067;
}

/* A loop calling the generated function: its blocks get chained, so stale code would show. */
static long call_many(fn_t f, int n) {
  long acc = 0;
  for (int i = 0; i < n; i++) acc = f(acc);
  return acc;
}

int main(void) {
  uint32_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  fn_t f = (fn_t)(uintptr_t)code;
  for (int round = 1; round <= 5; round++) {
    emit_add(code, round);
    if (round % 2)
      __asm__ volatile("fence.i" ::: "memory");
    else
      __builtin___clear_cache((char *)code, (char *)(code + 2));
    printf("round %d: 1000 calls of +%d give %ld\n", round, round, call_many(f, 1000));
  }

  /* W^X as careful JITs do it: write while read-write, then flip to read-execute. */
  uint32_t *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int round = 1; round <= 3; round++) {
    if (mprotect(wx, 4096, PROT_READ | PROT_WRITE) != 0) perror("mprotect rw");
    emit_add(wx, 100 * round);
    if (mprotect(wx, 4096, PROT_READ | PROT_EXEC) != 0) perror("mprotect rx");
    __builtin___clear_cache((char *)wx, (char *)(wx + 2));
    printf("w^x round %d: %ld\n", round, call_many((fn_t)(uintptr_t)wx, 10));
  }
  return 0;
}
