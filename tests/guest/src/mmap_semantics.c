/* mmap semantics, part 1: file-backed private and shared mappings (copy-on-write, EOF, SIGBUS,
 * ftruncate, msync, access modes), argument errors, MAP_FIXED / MAP_FIXED_NOREPLACE, partial
 * munmap and mprotect with the faults they cause, hints, and /proc/self/maps after these.
 * The expected output is the x86-64 kernel's own run of this source (architecture-neutral with
 * 4 KiB pages). mmap_remap.c has mremap, madvise, mincore, mlock, brk and fork. */
#include "mmap_common.h"

static void file_private(void) {
  printf("== file MAP_PRIVATE\n");
  int fd = make_file(2, 100, O_RDWR); /* 'A' page, 'B' page, 100 bytes of 'C': 2 pages + 100 */
  char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  printf("map 4 pages of a 2-page+100 file: %s\n", prc(p, NULL));
  READ("page 0", p);
  READ("page 1", p + PG);
  READ("partial page, last file byte", p + 2 * PG + 99);
  READ("partial page, first byte past EOF", p + 2 * PG + 100);
  READ("partial page, last byte", p + 3 * PG - 1);
  READ("whole page past EOF", p + 3 * PG);
  WRITE("whole page past EOF", p + 3 * PG + 7, 'x');
  WRITE("partial page past EOF", p + 2 * PG + 200, 'q');
  struct stat st;
  fstat(fd, &st);
  printf("file size after writing past EOF in the page: %ld\n", (long)st.st_size);
  /* copy-on-write: our store is not in the file */
  p[0] = 'x';
  char c = 0;
  pread(fd, &c, 1, 0);
  printf("store to page 0 reaches the file: %s\n", c == 'x' ? "yes" : "no");
  /* file changes: visible in pages we have not written, not in those we have */
  pwrite(fd, "y", 1, PG + 1);
  pwrite(fd, "z", 1, 1);
  printf("pwrite to an unwritten page seen: %s\n", p[PG + 1] == 'y' ? "yes" : "no");
  printf("pwrite to a written page seen: %s\n", p[1] == 'z' ? "yes" : "no");
  munmap(p, 4 * PG);

  char *q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
  printf("map at offset 1 page: %s, first byte %c, second byte %c\n", prc(q, NULL), q[0], q[1]);
  munmap(q, PG);
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100);
  printf("map at unaligned offset: %s\n", prc(q, NULL));
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 8 * PG);
  printf("map wholly past EOF: %s\n", prc(q, NULL));
  if (q != MAP_FAILED) {
    READ("mapping wholly past EOF", q);
    munmap(q, PG);
  }
  /* a read-only private mapping cannot be written; mprotect may make it writable (copy-on-write) */
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
  WRITE("read-only private file page", q + 5, 'w');
  printf("mprotect RW on it: %s\n", rc(mprotect(q, PG, PROT_READ | PROT_WRITE)));
  WRITE("after mprotect", q + 5, 'w');
  pread(fd, &c, 1, 5);
  printf("file byte 5 still %c\n", c);
  munmap(q, PG);
  close(fd);

  int wo = make_file(1, 0, O_WRONLY);
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0);
  printf("MAP_PRIVATE of an O_WRONLY fd: %s\n", prc(q, NULL));
  close(wo);
  int ro = make_file(1, 0, O_RDONLY);
  q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
  printf("MAP_PRIVATE PROT_WRITE of an O_RDONLY fd: %s\n", prc(q, NULL));
  if (q != MAP_FAILED) {
    q[0] = 'm';
    munmap(q, PG);
  }
  close(ro);
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, open(".", O_RDONLY | O_DIRECTORY), 0);
  printf("map a directory: %s\n", prc(q, NULL));
  int pfd[2];
  pipe(pfd);
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0);
  printf("map a pipe: %s\n", prc(q, NULL));
}

static void file_shared(void) {
  printf("== file MAP_SHARED\n");
  int fd = make_file(0, 0, O_RDWR);
  ftruncate(fd, 2 * PG);
  char *s1 = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *s2 = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
  printf("two shared maps: %s %s, distinct: %s\n", prc(s1, NULL), prc(s2, NULL), s1 != s2 ? "yes" : "no");
  s1[10] = 'S';
  char c = 0;
  pread(fd, &c, 1, 10);
  printf("store seen by the other mapping: %s, by pread: %s\n", s2[10] == 'S' ? "yes" : "no", c == 'S' ? "yes" : "no");
  pwrite(fd, "W", 1, PG + 20);
  printf("pwrite seen by the mapping: %s\n", s1[PG + 20] == 'W' ? "yes" : "no");
  printf("msync MS_SYNC: %s\n", rc(msync(s1, 2 * PG, MS_SYNC)));
  printf("msync MS_ASYNC: %s\n", rc(msync(s1, PG, MS_ASYNC)));
  printf("msync MS_INVALIDATE: %s\n", rc(msync(s1, PG, MS_INVALIDATE)));
  printf("msync MS_SYNC|MS_ASYNC: %s\n", rc(msync(s1, PG, MS_SYNC | MS_ASYNC)));
  printf("msync bad flag: %s\n", rc(msync(s1, PG, 8)));
  printf("msync unaligned: %s\n", rc(msync(s1 + 1, PG, MS_SYNC)));
  printf("msync len 0: %s\n", rc(msync(s1, 0, MS_SYNC)));
  char *hole = free_range(2);
  printf("msync unmapped: %s\n", rc(msync(hole, PG, MS_SYNC)));
  printf("msync unmapped, bad flag: %s\n", rc(msync(hole, PG, 8)));

  /* shrink under the mapping: the page past EOF gives SIGBUS */
  printf("ftruncate to 1 page: %s\n", rc(ftruncate(fd, PG)));
  READ("page 0 after shrink", s1 + 10);
  READ("page 1 after shrink", s1 + PG + 20);
  WRITE("page 1 after shrink", s1 + PG + 20, 'x');
  printf("ftruncate to 3 pages: %s\n", rc(ftruncate(fd, 3 * PG)));
  READ("page 1 after growing again (zeroed)", s1 + PG + 20);
  WRITE("page 1 after growing again", s1 + PG + 21, 'T');
  pread(fd, &c, 1, PG + 21);
  printf("that store reached the file: %s\n", c == 'T' ? "yes" : "no");
  show_maps("two shared file maps", s1, 2);
  munmap(s2, 2 * PG);

  /* access mode checks */
  int ro = make_file(1, 0, O_RDONLY);
  char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
  printf("MAP_SHARED PROT_WRITE of an O_RDONLY fd: %s\n", prc(q, NULL));
  q = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
  printf("MAP_SHARED PROT_READ of an O_RDONLY fd: %s\n", prc(q, NULL));
  printf("mprotect it RW: %s\n", rc(mprotect(q, PG, PROT_READ | PROT_WRITE)));
  WRITE("the read-only shared page", q, 'r');
  munmap(q, PG);
  close(ro);

  /* MAP_SHARED_VALIDATE refuses flags it does not know; MAP_SHARED ignores them */
  q = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE, fd, 0);
  printf("MAP_SHARED_VALIDATE: %s\n", prc(q, NULL));
  if (q != MAP_FAILED) munmap(q, PG);
  q = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x200000, fd, 0);
  printf("MAP_SHARED_VALIDATE with an unknown flag: %s\n", prc(q, NULL));
  q = mmap(NULL, PG, PROT_READ, MAP_SHARED | 0x200000, fd, 0);
  printf("MAP_SHARED with an unknown flag: %s\n", prc(q, NULL));
  if (q != MAP_FAILED) munmap(q, PG);
  q = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
  printf("MAP_SHARED_VALIDATE|MAP_SYNC on a regular file: %s\n", prc(q, NULL));
  q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SYNC, fd, 0);
  printf("MAP_PRIVATE|MAP_SYNC: %s\n", prc(q, NULL));
  if (q != MAP_FAILED) munmap(q, PG);
  q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0);
  printf("anonymous MAP_SHARED_VALIDATE: %s\n", prc(q, NULL));
  if (q != MAP_FAILED) munmap(q, PG);
  munmap(s1, 2 * PG);
  close(fd);
}

static void errors(void) {
  printf("== argument errors\n");
  int fd = make_file(1, 0, O_RDWR);
  printf("len 0 anon: %s\n", prc(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), NULL));
  printf("len 0 file: %s\n", prc(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0), NULL));
  printf("len 0 bad fd: %s\n", prc(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, 999, 0), NULL));
  char *h = free_range(4);
  printf("MAP_FIXED unaligned: %s\n",
         prc(mmap(h + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), NULL));
  printf("MAP_FIXED_NOREPLACE unaligned: %s\n",
         prc(mmap(h + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), NULL));
  printf("fd -1 without MAP_ANONYMOUS: %s\n", prc(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), NULL));
  printf("fd 999: %s\n", prc(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0), NULL));
  printf("fd 999 with MAP_ANONYMOUS (ignored): %s\n",
         prc(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 999, 0), NULL));
  printf("neither private nor shared, anon: %s\n", prc(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), NULL));
  printf("neither private nor shared, file: %s\n", prc(mmap(NULL, PG, PROT_READ, 0, fd, 0), NULL));
  printf("map type 4: %s\n", prc(mmap(NULL, PG, PROT_READ, 4 | MAP_ANONYMOUS, -1, 0), NULL));
  printf("unaligned offset, anon (ignored?): %s\n",
         prc(mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100), NULL));
  printf("len 1<<62: %s\n", prc(mmap(NULL, 1L << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), NULL));
  printf("len -1: %s\n", prc(mmap(NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), NULL));
  printf("len -4096 file: %s\n", prc(mmap(NULL, (size_t)-PG, PROT_READ, MAP_PRIVATE, fd, 0), NULL));
  printf("MAP_FIXED at 1<<62: %s\n",
         prc(mmap((void *)(1L << 62), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), NULL));
  printf("hint at 1<<62 (ignored): %s\n",
         prc(mmap((void *)(1L << 62), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), NULL));
  printf("unknown prot bits: %s\n", prc(mmap(NULL, PG, 0x40 | PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), NULL));

  char *m = map_anon(4 * PG, PROT_READ | PROT_WRITE);
  printf("munmap unaligned: %s\n", rc(munmap(m + 1, PG)));
  printf("munmap len 0: %s\n", rc(munmap(m, 0)));
  printf("munmap of unmapped pages: %s\n", rc(munmap(h, 2 * PG)));
  printf("munmap len -4096: %s\n", rc(munmap(m, (size_t)-PG)));
  printf("munmap at 1<<62: %s\n", rc(munmap((void *)(1L << 62), PG)));
  printf("mprotect unaligned: %s\n", rc(mprotect(m + 1, PG, PROT_READ)));
  printf("mprotect len 0: %s\n", rc(mprotect(m, 0, PROT_READ)));
  printf("mprotect len 0 unmapped: %s\n", rc(mprotect(h, 0, PROT_READ)));
  printf("mprotect unmapped: %s\n", rc(mprotect(h, PG, PROT_READ)));
  printf("mprotect len -4096: %s\n", rc(mprotect(m, (size_t)-PG, PROT_READ)));
  printf("mprotect PROT_SEM: %s\n", rc(mprotect(m, PG, PROT_READ | PROT_WRITE | 0x8)));
  printf("mprotect unknown bit 0x40: %s\n", rc(mprotect(m, PG, PROT_READ | 0x40)));
  printf("mprotect PROT_GROWSDOWN on a plain mapping: %s\n", rc(mprotect(m, PG, PROT_READ | PROT_GROWSDOWN)));
  printf("mprotect GROWSDOWN|GROWSUP: %s\n", rc(mprotect(m, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP)));
  /* a range that runs from mapped pages into a hole: Linux changes the mapped part, then fails */
  munmap(m + 2 * PG, 2 * PG);
  printf("mprotect mapped+hole to PROT_READ: %s\n", rc(mprotect(m, 4 * PG, PROT_READ)));
  WRITE("its mapped part", m + PG, 1);
  printf("mprotect hole+mapped: %s\n", rc(mprotect(m - 2 * PG, 4 * PG, PROT_READ | PROT_WRITE)));
  munmap(m, 2 * PG);
  close(fd);
}

static void fixed(void) {
  printf("== MAP_FIXED, MAP_FIXED_NOREPLACE, partial munmap and mprotect\n");
  char *r = map_anon(8 * PG, PROT_READ | PROT_WRITE);
  for (int i = 0; i < 8; i++) memset(r + i * PG, 'a' + i, PG);
  char *x = mmap(r + 2 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("MAP_FIXED over pages 2-3: %s\n", prc(x, r + 2 * PG));
  READ("page 1 kept", r + PG);
  READ("page 2 replaced", r + 2 * PG);
  WRITE("page 2 (PROT_READ)", r + 2 * PG + 3, 1);
  READ("page 4 kept", r + 4 * PG);
  x = mmap(r + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE over page 4: %s\n", prc(x, r + 4 * PG));
  x = mmap(r + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_FIXED, -1, 0);
  printf("MAP_FIXED_NOREPLACE|MAP_FIXED over page 4: %s\n", prc(x, r + 4 * PG));
  READ("page 4 still", r + 4 * PG);
  printf("munmap page 5: %s\n", rc(munmap(r + 5 * PG, PG)));
  READ("page 5 (unmapped)", r + 5 * PG + 9);
  WRITE("page 5 (unmapped)", r + 5 * PG, 1);
  READ("page 6 kept", r + 6 * PG);
  x = mmap(r + 4 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE over pages 4-5 (5 free): %s\n", prc(x, r + 4 * PG));
  printf("mprotect page 6 PROT_NONE: %s\n", rc(mprotect(r + 6 * PG, PG, PROT_NONE)));
  READ("page 6 (PROT_NONE)", r + 6 * PG + 1);
  WRITE("page 6 (PROT_NONE)", r + 6 * PG + 2, 1);
  printf("mprotect page 7 PROT_READ|PROT_EXEC: %s\n", rc(mprotect(r + 7 * PG, PG, PROT_READ | PROT_EXEC)));
  show_maps("after fixed/munmap/mprotect", r, 8);
  printf("mprotect page 6 back to RW: %s\n", rc(mprotect(r + 6 * PG, PG, PROT_READ | PROT_WRITE)));
  READ("page 6 content kept", r + 6 * PG);
  printf("mprotect pages 2-3 RW: %s\n", rc(mprotect(r + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE)));
  printf("mprotect page 7 RW: %s\n", rc(mprotect(r + 7 * PG, PG, PROT_READ | PROT_WRITE)));
  show_maps("after restoring RW", r, 8);
  x = mmap(r + 5 * PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE into the hole: %s\n", prc(x, r + 5 * PG));
  READ("the new page", r + 5 * PG);
  show_maps("hole filled", r, 8);
  READ("NULL", (char *)0);
  READ("NULL+100", (char *)100);
  munmap(r, 8 * PG);
  READ("after munmap of all", r + 3 * PG);

  /* hints: a free hint is taken; an unaligned one is rounded up; a used one is not */
  char *h = free_range(4);
  x = mmap(h, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("free hint: %s\n", prc(x, h));
  char *y = mmap(h, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("used hint: %s\n", prc(y, h));
  READ("page at the used hint", h);
  munmap(x, PG);
  munmap(y, PG);
  x = mmap(h + 100, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  /* x86-64 rounds an unaligned hint down, arm64 and riscv64 (generic code) up */
  printf("unaligned free hint: %s\n", x == h || x == h + PG ? "at a page next to it" : "ELSEWHERE");
  munmap(x, PG);
  int fd = make_file(2, 0, O_RDWR);
  x = mmap(h, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
  printf("file map at a free hint: %s\n", prc(x, h));
  x = mmap(h + PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  printf("MAP_FIXED file page 0 over its page 1: %s\n", prc(x, h + PG));
  READ("page 0", h);
  READ("page 1 (now file page 0)", h + PG);
  show_maps("file pages 0,0", h, 2);
  x = mmap(h + PG, PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd, PG);
  show_maps("file pages 0,1 (merged again)", h, 2);
  munmap(h, 2 * PG);
  close(fd);
}

static void shared_anon(void) {
  printf("== anonymous shared memory\n");
  char *h = free_range(4);
  char *a = mmap(h, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  char *b = mmap(h + PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("two adjacent shared anonymous maps: %s %s\n", prc(a, h), prc(b, h + PG));
  show_maps("two shared anonymous", h, 2);
  char *c = mmap(h + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  mprotect(c + PG, PG, PROT_READ);
  show_maps("split shared anonymous", h + 2 * PG, 2);
  mprotect(c + PG, PG, PROT_READ | PROT_WRITE);
  show_maps("rejoined shared anonymous", h + 2 * PG, 2);
  munmap(h, 4 * PG);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  probe_init();
  file_private();
  file_shared();
  errors();
  fixed();
  shared_anon();
  return 0;
}
