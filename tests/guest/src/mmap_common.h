/* Helpers shared by mmap_semantics.c and mmap_remap.c: fault probes that record the signal, its
 * si_code and whether si_addr is the faulting address; errno names; /proc/self/maps lines of a
 * region printed relative to it (page offsets, permissions), never as addresses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096L

static sigjmp_buf probe_env;
static volatile int probe_sig, probe_code;
static void *volatile probe_addr;

static void probe_handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  probe_sig = sig;
  probe_code = si->si_code;
  probe_addr = si->si_addr;
  siglongjmp(probe_env, 1);
}

static void probe_init(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = probe_handler;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

static const char *code_name(int sig, int code) {
  if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
  if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
  if (sig == SIGBUS && code == BUS_ADRERR) return "BUS_ADRERR";
  if (sig == SIGBUS && code == BUS_ADRALN) return "BUS_ADRALN";
  if (sig == SIGBUS && code == BUS_OBJERR) return "BUS_OBJERR";
  static char buf[32];
  snprintf(buf, sizeof buf, "code %d", code);
  return buf;
}

/* One access to *p: "ok 0x41" (the byte read, or written and read back) or the signal. */
static const char *access_desc(volatile char *p, int write, char val) {
  static char buf[96];
  probe_sig = 0;
  if (sigsetjmp(probe_env, 1) == 0) {
    if (write) *p = val;
    int v = (unsigned char)*p;
    snprintf(buf, sizeof buf, "ok 0x%02x", v);
  } else {
    snprintf(buf, sizeof buf, "%s %s, si_addr %s", probe_sig == SIGSEGV ? "SIGSEGV" : probe_sig == SIGBUS ? "SIGBUS" : "?",
             code_name(probe_sig, probe_code), probe_addr == (void *)p ? "exact" : "WRONG");
  }
  return buf;
}
#define READ(what, p) printf("%s: read %s\n", what, access_desc((volatile char *)(p), 0, 0))
#define WRITE(what, p, v) printf("%s: write %s\n", what, access_desc((volatile char *)(p), 1, v))

static const char *errname(int e) {
  switch (e) {
    case 0: return "0";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN";
    case ENODEV: return "ENODEV";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOSYS: return "ENOSYS";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "errno %d", e);
      return buf;
    }
  }
}
/* An int call's result: "0" or "-1 ENAME". */
static const char *rc(long r) {
  static char buf[4][48];
  static int i;
  char *b = buf[i++ & 3];
  if (r == 0) return "0";
  if (r == -1) snprintf(b, 48, "-1 %s", errname(errno));
  else snprintf(b, 48, "%ld", r);
  return b;
}
/* A pointer result compared with what it should be. */
static const char *prc(void *p, void *want) {
  static char buf[4][48];
  static int i;
  char *b = buf[i++ & 3];
  if (p == MAP_FAILED) snprintf(b, 48, "MAP_FAILED %s", errname(errno));
  else if (want) snprintf(b, 48, "ok, %s", p == want ? "at the address" : "ELSEWHERE");
  else snprintf(b, 48, "ok");
  return b;
}

static char *map_anon(long len, int prot) {
  return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A free range of `pages` pages with a free page on each side (mapped, then unmapped). */
static char *free_range(long pages) {
  char *p = map_anon((pages + 2) * PG, PROT_NONE);
  munmap(p, (pages + 2) * PG);
  return p + PG;
}

/* The lines of /proc/self/maps that overlap [base, base + pages*PG), clipped to it, as page offsets
 * relative to base: "[0,2) rw-p anon" (what lies outside depends on the layout). A file line shows
 * its file offset in pages at the region's start, a named one its name. */
static void show_maps(const char *what, char *base, long pages) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  uintptr_t lo = (uintptr_t)base, hi = lo + pages * PG;
  printf("%s maps:", what);
  int n = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long s, e, off, ino;
    char perms[8], dev[16];
    int pos = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &s, &e, perms, &off, dev, &ino, &pos) < 6) continue;
    if (e <= lo || s >= hi) continue;
    char *name = line + pos;
    name[strcspn(name, "\n")] = 0;
    long a = s < lo ? 0 : (long)(s - lo) / PG, b = e > hi ? pages : (long)(e - lo) / PG;
    printf(" [%ld,%ld) %s", a, b, perms);
    if (strncmp(name, "/dev/zero", 9) == 0) printf(" /dev/zero%s", ino ? "" : " (inode 0)");
    else if (name[0] == '/') printf(" file@%lu%s", (off + (s < lo ? lo - s : 0)) / PG, ino ? "" : " (inode 0)");
    else if (name[0]) printf(" %s", name);
    else printf(" anon%s", ino ? " (inode set)" : "");
    n++;
  }
  if (!n) printf(" none");
  printf("\n");
  if (f) fclose(f);
}

/* A temporary file in the current directory, already unlinked, holding `pages` pages where page i
 * is filled with 'A' + i, then `extra` bytes of the next letter. */
static int make_file(long pages, long extra, int flags) {
  char path[] = "mmap-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    exit(2);
  }
  char buf[PG];
  for (long i = 0; i <= pages; i++) {
    memset(buf, 'A' + (int)i, sizeof buf);
    if (write(fd, buf, i < pages ? PG : extra) < 0) exit(3);
  }
  if (flags != O_RDWR) {
    int fd2 = open(path, flags);
    close(fd);
    fd = fd2;
  }
  unlink(path);
  return fd;
}
