/* brk, malloc, mmap/munmap/mprotect/mremap and faults on protected pages caught by a handler. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile void *fault_addr;
static volatile int fault_code;
static void on_segv(int sig, siginfo_t *si, void *uc) {
  fault_addr = si->si_addr;
  fault_code = si->si_code;
  siglongjmp(env, 1);
}
static int try_write(volatile char *p) {
  if (sigsetjmp(env, 1) == 0) {
    *p = 1;
    return 0;
  }
  return 1;
}
static int try_read(volatile char *p) {
  if (sigsetjmp(env, 1) == 0) {
    (void)*p;
    return 0;
  }
  return 1;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);

  char *b0 = sbrk(0);
  char *b1 = sbrk(1 << 20);
  printf("sbrk grows: %s\n", b1 == b0 ? "yes" : "no");
  memset(b1, 0x5a, 1 << 20);
  printf("brk memory usable: %s\n", b1[(1 << 20) - 1] == 0x5a ? "yes" : "no");
  sbrk(-(1 << 20));

  size_t big = 64 << 20;
  char *m = malloc(big);
  memset(m, 1, big);
  long sum = 0;
  for (size_t i = 0; i < big; i += 4096) sum += m[i];
  printf("malloc 64MiB sum: %ld\n", sum);
  free(m);

  long pg = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("mmap anon: %s, zeroed: %s\n", p != MAP_FAILED ? "ok" : "failed", p[0] == 0 && p[4 * pg - 1] == 0 ? "yes" : "no");
  strcpy(p, "mapped");
  printf("mprotect RO: %d\n", mprotect(p, pg, PROT_READ));
  printf("read RO page: %s\n", try_read(p) ? "fault" : "ok");
  printf("write RO page: %s (code %s)\n", try_write(p) ? "fault" : "ok",
         fault_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other");
  printf("fault address right: %s\n", fault_addr == p ? "yes" : "no");
  printf("write next page: %s\n", try_write(p + pg) ? "fault" : "ok");
  printf("munmap page 2: %d\n", munmap(p + 2 * pg, pg));
  printf("read unmapped: %s (code %s)\n", try_read(p + 2 * pg) ? "fault" : "ok",
         fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other");
  printf("null read: %s\n", try_read((char *)0) ? "fault" : "ok");

  char *q = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  strcpy(q, "keep me");
  char *r = mremap(q, pg, 64 * pg, MREMAP_MAYMOVE);
  printf("mremap grow: %s, content: %s\n", r != MAP_FAILED ? "ok" : "failed", r);
  r[64 * pg - 1] = 7;
  printf("grown tail writable: %s\n", r[64 * pg - 1] == 7 ? "yes" : "no");
  munmap(r, 64 * pg);

  char *fx = mmap((void *)0x200000000, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED at hint: %s\n", fx == (void *)0x200000000 ? "yes" : "no");
  char *nr = mmap((void *)0x200000000, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  /* Linux fails with EEXIST; qemu-user 7.2 maps elsewhere instead: both leave the page alone. */
  printf("MAP_FIXED_NOREPLACE on used page keeps it: %s\n", nr != (void *)0x200000000 ? "yes" : "no");

  char path[] = "/tmp/mimic-mmap-XXXXXX";
  int fd = mkstemp(path);
  write(fd, "file-backed mapping\n", 20);
  char *fm = mmap(NULL, 20, PROT_READ, MAP_PRIVATE, fd, 0);
  printf("file mmap: %.19s\n", fm);
  char *sm = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  memcpy(sm, "FILE", 4);
  msync(sm, pg, MS_SYNC);
  char back[8] = {0};
  pread(fd, back, 4, 0);
  printf("shared write reaches file: %s\n", back);
  unlink(path);
  close(fd);
  printf("bad munmap: %d\n", munmap((void *)1, pg));
  return 0;
}
