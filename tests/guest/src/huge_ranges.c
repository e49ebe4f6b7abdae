/* Reservations and advice over huge ranges cost what Linux's cost: a VMA each, whatever their
   size. mimic kept a byte per page of them (2^44 bytes of PROT_NONE took 4 GB and 30 s) and
   walked madvise/msync ranges page by page (2^46 bytes: about a minute each). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void say(const char* what, long r) {
  printf("%s: %s\n", what, r == 0 ? "0" : strerror(errno));
}

/* The resident set of this process as its kernel reports it (under an emulator: the emulator's). */
static long rss_kib(void) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld", &kib) == 1) break;
  if (f) fclose(f);
  return kib;
}

int main(void) {
  const size_t tib16 = (size_t)1 << 44, big = (size_t)1 << 46;
  long rss0 = rss_kib();
  char* p = mmap(NULL, tib16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("mmap 2^44 bytes PROT_NONE: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
  if (p == MAP_FAILED) return 1;
  say("mprotect 2^40 bytes of it read-write", mprotect(p + 4096, (size_t)1 << 40, PROT_READ | PROT_WRITE));
  p[4096] = 7;
  p[((size_t)1 << 40) + 4095] = 9;
  printf("bytes written at both ends: %d %d\n", p[4096], p[((size_t)1 << 40) + 4095]);
  char* fixed = mmap(p + ((size_t)1 << 43), 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED inside it: %s\n", fixed == p + ((size_t)1 << 43) ? "at the address" : "elsewhere");
  fixed[0] = 1;
  say("madvise MADV_NORMAL over 2^44 bytes", madvise(p, tib16, MADV_NORMAL));
  say("madvise MADV_NORMAL over 2^46 bytes (holes)", madvise(p, big, MADV_NORMAL));
  say("madvise MADV_DONTNEED over 2^44 bytes", madvise(p, tib16, MADV_DONTNEED));
  printf("after MADV_DONTNEED: %d %d\n", p[4096], p[((size_t)1 << 40) + 4095]);
  say("msync over 2^44 bytes", msync(p, tib16, MS_ASYNC));
  say("msync over 2^46 bytes (holes)", msync(p, big, MS_ASYNC));
  say("mlock of a PROT_NONE page", mlock(p, 4096));
  unsigned char vec[4];
  say("mincore of its last pages", mincore(p + tib16 - 4 * 4096, 4 * 4096, vec));
  long rss1 = rss_kib();
  printf("resident set grew by less than 64 MiB: %s\n", rss0 >= 0 && rss1 >= 0 && rss1 - rss0 < 65536 ? "yes" : "no");
  say("munmap 2^44 bytes", munmap(p, tib16));
  say("mprotect after munmap", mprotect(p + 4096, 4096, PROT_READ));
  return 0;
}
