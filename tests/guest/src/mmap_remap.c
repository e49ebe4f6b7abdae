/* mmap semantics, part 2: mremap (in place, moving, shrinking, MREMAP_FIXED, MREMAP_DONTUNMAP, file
 * and shared mappings, errors), madvise (DONTNEED on private/file/shared memory, FREE, the fork
 * advice, errors), mincore, mlock, brk, and anonymous memory across fork. The expected output is
 * the x86-64 kernel's own run of this source (architecture-neutral with 4 KiB pages). */
#include "mmap_common.h"

static void fill(char *p, int pages, char first) {
  for (int i = 0; i < pages; i++) memset(p + i * PG, first + i, PG);
}

static void remap(void) {
  printf("== mremap\n");
  char *h = free_range(12);
  char *a = mmap(h, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  fill(a, 2, 'a');
  char *r = mremap(a, 2 * PG, 4 * PG, 0);
  printf("grow in place into free pages: %s\n", prc(r, a));
  READ("old page 1", a + PG);
  READ("new page 3", a + 3 * PG);
  WRITE("new page 3", a + 3 * PG, 'd');
  show_maps("grown", h, 6);
  char *b = mmap(h + 4 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  r = mremap(a, 4 * PG, 6 * PG, 0);
  printf("grow blocked, no MREMAP_MAYMOVE: %s\n", prc(r, a));
  r = mremap(a, 4 * PG, 6 * PG, MREMAP_MAYMOVE);
  printf("grow blocked, MREMAP_MAYMOVE: %s\n", prc(r, a));
  READ("moved page 0", r);
  READ("moved page 3", r + 3 * PG);
  READ("moved page 5 (new)", r + 5 * PG);
  READ("old address", a);
  READ("the blocking mapping", b);
  show_maps("moved", r, 6);
  char *s = mremap(r, 6 * PG, 2 * PG, 0);
  printf("shrink: %s\n", prc(s, r));
  READ("page 1 after shrink", r + PG);
  READ("page 2 after shrink", r + 2 * PG);
  s = mremap(r, 2 * PG, 2 * PG, 0);
  printf("same size: %s\n", prc(s, r));

  /* MREMAP_FIXED: to a chosen free address, and over an existing mapping */
  char *t = free_range(2); /* not near h: the move above may have used that space */
  s = mremap(r, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t);
  printf("MREMAP_FIXED to a free address: %s\n", prc(s, t));
  READ("there, page 1", t + PG);
  READ("old address", r);
  s = mremap(t, 2 * PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, b);
  printf("MREMAP_FIXED shrinking onto an existing mapping: %s\n", prc(s, b));
  READ("there", b);
  READ("the replaced mapping's second page", b + PG);
  READ("old address, page 1", t + PG);
  show_maps("after MREMAP_FIXED", h, 12);
  printf("MREMAP_FIXED without MAYMOVE: %s\n", prc(mremap(b, PG, PG, MREMAP_FIXED, t), t));
  printf("MREMAP_FIXED overlapping: %s\n", prc(mremap(b, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, b - PG), NULL));
  printf("MREMAP_FIXED unaligned target: %s\n", prc(mremap(b, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, t + 1), NULL));
  munmap(h, 12 * PG);

  /* MREMAP_DONTUNMAP (Linux 5.7): moves the pages, the old range stays mapped and empty. Its
   * new_address is a hint that must be page-aligned: glibc's mremap passes it only with
   * MREMAP_FIXED, so these go through syscall(). */
  char *d = map_anon(2 * PG, PROT_READ | PROT_WRITE);
  fill(d, 2, 'p');
  printf("MREMAP_DONTUNMAP, unaligned hint: %s\n",
         prc((void *)syscall(SYS_mremap, d, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 5), NULL));
  char *e = (char *)syscall(SYS_mremap, d, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
  printf("MREMAP_DONTUNMAP: %s, moved: %s\n", prc(e, NULL), e != d ? "yes" : "no");
  if (e != MAP_FAILED) {
    READ("new page 1", e + PG);
    READ("old page 1 (still mapped, empty)", d + PG);
    WRITE("old page 0", d, 'o');
    READ("new page 0 after that", e);
    munmap(e, 2 * PG);
  }
  printf("MREMAP_DONTUNMAP resizing: %s\n",
         prc((void *)syscall(SYS_mremap, d, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), NULL));
  printf("MREMAP_DONTUNMAP without MAYMOVE: %s\n",
         prc((void *)syscall(SYS_mremap, d, 2 * PG, 2 * PG, MREMAP_DONTUNMAP, 0), NULL));
  h = free_range(2);
  e = (char *)syscall(SYS_mremap, d, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, h);
  printf("MREMAP_DONTUNMAP to a free hint: %s\n", prc(e, h));
  if (e != MAP_FAILED) munmap(e, 2 * PG);
  fill(d, 2, 'p');
  h = free_range(2);
  e = mremap(d, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, h);
  printf("MREMAP_DONTUNMAP|MREMAP_FIXED: %s\n", prc(e, h));
  READ("new page 0", h);
  READ("old page 0", d);
  munmap(d, 2 * PG);
  munmap(h, 2 * PG);

  /* a file mapping grows into the file's following pages */
  int fd = make_file(3, 0, O_RDWR);
  char *f = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
  char *g = mremap(f, PG, 3 * PG, MREMAP_MAYMOVE);
  printf("grow a file mapping: %s\n", prc(g, NULL));
  READ("page 1", g + PG);
  READ("page 2", g + 2 * PG);
  show_maps("grown file mapping", g, 3);
  g = mremap(g, 3 * PG, 5 * PG, MREMAP_MAYMOVE);
  READ("page 4 (past EOF)", g + 4 * PG);
  munmap(g, 5 * PG);

  /* shared memory: old_len 0 makes a second mapping of the same pages */
  char *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  sh[0] = 'S';
  char *alias = mremap(sh, 0, PG, MREMAP_MAYMOVE);
  printf("old_len 0 on shared memory: %s, distinct: %s\n", prc(alias, NULL), alias != sh ? "yes" : "no");
  if (alias != MAP_FAILED) {
    alias[1] = 'T';
    printf("alias sees the first: %s, first sees the alias: %s\n", alias[0] == 'S' ? "yes" : "no",
           sh[1] == 'T' ? "yes" : "no");
    munmap(alias, PG);
  }
  char *pv = map_anon(PG, PROT_READ | PROT_WRITE);
  printf("old_len 0 on private memory: %s\n", prc(mremap(pv, 0, PG, MREMAP_MAYMOVE), NULL));
  char *sh2 = mremap(sh, PG, 3 * PG, MREMAP_MAYMOVE);
  printf("grow shared memory: %s\n", prc(sh2, NULL));
  READ("its page 0", sh2);
  WRITE("its page 2", sh2 + 2 * PG, 'z');
  munmap(sh2, 3 * PG);

  /* errors */
  h = free_range(4);
  printf("bad flag 8: %s\n", prc(mremap(pv, PG, PG, 8), NULL));
  printf("unaligned old address: %s\n", prc(mremap(pv + 1, PG, PG, 0), NULL));
  printf("new_len 0: %s\n", prc(mremap(pv, PG, 0, MREMAP_MAYMOVE), NULL));
  printf("grow unmapped old address: %s\n", prc(mremap(h, PG, 2 * PG, MREMAP_MAYMOVE), NULL));
  printf("move unmapped old address: %s\n", prc(mremap(h, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, h + 2 * PG), NULL));
  printf("old range past the mapping's end: %s\n", prc(mremap(pv, 2 * PG, 3 * PG, MREMAP_MAYMOVE), NULL));
  munmap(pv, PG);
  /* a range spanning two mappings with different protections */
  char *two = map_anon(2 * PG, PROT_READ | PROT_WRITE);
  mprotect(two + PG, PG, PROT_READ);
  printf("grow across two mappings: %s\n", prc(mremap(two, 2 * PG, 3 * PG, MREMAP_MAYMOVE), NULL));
  munmap(two, 2 * PG);
  close(fd);
}

static void advice(void) {
  printf("== madvise, mincore, mlock\n");
  char *a = map_anon(2 * PG, PROT_READ | PROT_WRITE);
  fill(a, 2, 'a');
  printf("MADV_DONTNEED private anonymous: %s\n", rc(madvise(a, 2 * PG, MADV_DONTNEED)));
  READ("page 1", a + PG);
  int fd = make_file(2, 0, O_RDWR);
  char *f = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  f[0] = 'x';
  printf("MADV_DONTNEED private file: %s\n", rc(madvise(f, 2 * PG, MADV_DONTNEED)));
  READ("page 0 (file again)", f);
  char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  s[PG] = 'y';
  printf("MADV_DONTNEED shared file: %s\n", rc(madvise(s, 2 * PG, MADV_DONTNEED)));
  READ("page 1 (kept)", s + PG);
  char *sa = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  sa[0] = 'k';
  printf("MADV_DONTNEED shared anonymous: %s\n", rc(madvise(sa, PG, MADV_DONTNEED)));
  READ("page 0 (kept)", sa);
  a[0] = 1;
  printf("MADV_FREE private anonymous: %s\n", rc(madvise(a, 2 * PG, MADV_FREE)));
  printf("MADV_FREE private file: %s\n", rc(madvise(f, PG, MADV_FREE)));
  printf("MADV_FREE shared anonymous: %s\n", rc(madvise(sa, PG, MADV_FREE)));
  printf("MADV_WILLNEED: %s\n", rc(madvise(s, 2 * PG, MADV_WILLNEED)));
  printf("MADV_NORMAL: %s\n", rc(madvise(a, 2 * PG, MADV_NORMAL)));
  printf("MADV_RANDOM: %s\n", rc(madvise(f, 2 * PG, MADV_RANDOM)));
  printf("MADV_SEQUENTIAL: %s\n", rc(madvise(f, 2 * PG, MADV_SEQUENTIAL)));
  printf("MADV_COLD: %s\n", rc(madvise(a, 2 * PG, MADV_COLD)));
  printf("MADV_WIPEONFORK on a file mapping: %s\n", rc(madvise(f, PG, MADV_WIPEONFORK)));
  printf("MADV_WIPEONFORK on shared anonymous: %s\n", rc(madvise(sa, PG, MADV_WIPEONFORK)));
  printf("MADV_REMOVE on private anonymous: %s\n", rc(madvise(a, PG, MADV_REMOVE)));
  sa[0] = 'k';
  printf("MADV_REMOVE on shared anonymous: %s\n", rc(madvise(sa, PG, MADV_REMOVE)));
  READ("page 0 (punched)", sa);
  printf("invalid advice 999: %s\n", rc(madvise(a, PG, 999)));
  char *h = free_range(2);
  printf("invalid advice on unmapped memory: %s\n", rc(madvise(h, PG, 999)));
  printf("unmapped: %s\n", rc(madvise(h, PG, MADV_NORMAL)));
  printf("unaligned: %s\n", rc(madvise(a + 1, PG, MADV_NORMAL)));
  printf("len 0: %s\n", rc(madvise(a, 0, MADV_NORMAL)));
  printf("len 0 unmapped: %s\n", rc(madvise(h, 0, MADV_NORMAL)));
  printf("len -4096: %s\n", rc(madvise(a, (size_t)-PG, MADV_NORMAL)));
  /* mapped then a hole: Linux applies the advice to the mapped part and fails with ENOMEM */
  char *m = map_anon(2 * PG, PROT_READ | PROT_WRITE);
  fill(m, 2, 'm');
  munmap(m + PG, PG);
  printf("MADV_DONTNEED mapped+hole: %s\n", rc(madvise(m, 2 * PG, MADV_DONTNEED)));
  READ("its mapped page", m);
  munmap(m, PG);
  /* the fork advice */
  char *df = map_anon(2 * PG, PROT_READ | PROT_WRITE);
  fill(df, 2, 'D');
  printf("MADV_DONTFORK: %s\n", rc(madvise(df, PG, MADV_DONTFORK)));
  printf("MADV_WIPEONFORK: %s\n", rc(madvise(df + PG, PG, MADV_WIPEONFORK)));
  show_maps("dontfork/wipeonfork", df, 2);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    READ("child: MADV_DONTFORK page", df);
    READ("child: MADV_WIPEONFORK page", df + PG);
    show_maps("child", df, 2);
    char *x = mmap(df, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("child: MAP_FIXED_NOREPLACE where the DONTFORK page was: %s\n", prc(x, df));
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
  READ("parent: MADV_DONTFORK page", df);
  READ("parent: MADV_WIPEONFORK page", df + PG);
  printf("MADV_DOFORK: %s, MADV_KEEPONFORK: %s\n", rc(madvise(df, PG, MADV_DOFORK)),
         rc(madvise(df + PG, PG, MADV_KEEPONFORK)));
  show_maps("dofork/keeponfork", df, 2);
  munmap(df, 2 * PG);

  /* mincore */
  unsigned char vec[4] = {9, 9, 9, 9};
  a[0] = 1;
  printf("mincore: %s, page 0 resident: %d\n", rc(mincore(a, PG, vec)), vec[0] & 1);
  printf("mincore unmapped: %s\n", rc(mincore(h, PG, vec)));
  printf("mincore unaligned: %s\n", rc(mincore(a + 1, PG, vec)));
  printf("mincore bad vector: %s\n", rc(mincore(a, PG, (unsigned char *)h)));
  /* mlock */
  printf("mlock: %s, munlock: %s\n", rc(mlock(a, 2 * PG)), rc(munlock(a, 2 * PG)));
  printf("mlock unaligned (rounded): %s\n", rc(mlock(a + 5, 10)));
  munlock(a, PG);
  printf("mlock unmapped: %s, munlock unmapped: %s\n", rc(mlock(h, PG)), rc(munlock(h, PG)));
  printf("mlock2 MLOCK_ONFAULT: %s\n", rc(syscall(SYS_mlock2, a, PG, 1)));
  printf("mlock2 bad flag: %s\n", rc(syscall(SYS_mlock2, a, PG, 2)));
  munlock(a, PG);
  printf("mlockall(0): %s, mlockall(MCL_ONFAULT): %s\n", rc(mlockall(0)), rc(mlockall(MCL_ONFAULT)));
  printf("munlockall: %s\n", rc(munlockall()));
  mlock(a + PG, PG);
  show_maps("half locked", a, 2);
  munlock(a + PG, PG);
  show_maps("unlocked", a, 2);
  munmap(a, 2 * PG);
  munmap(f, 2 * PG);
  munmap(s, 2 * PG);
  munmap(sa, PG);
  close(fd);
}

static void heap(void) {
  printf("== brk\n");
  char *cur = (char *)syscall(SYS_brk, 0);
  char *base = (char *)(((uintptr_t)cur + PG - 1) & ~(uintptr_t)(PG - 1));
  char *r = (char *)syscall(SYS_brk, base + 3 * PG);
  printf("grow 3 pages: %s\n", r == base + 3 * PG ? "ok" : "failed");
  WRITE("top page", base + 2 * PG + 100, 'h');
  WRITE("page above", base + 3 * PG, 'h');
  r = (char *)syscall(SYS_brk, base + PG + 1);
  printf("shrink to 1 page + 1 byte: %s\n", r == base + PG + 1 ? "ok" : "failed");
  READ("the page holding the break", base + PG + 100);
  READ("the page above it (gone)", base + 2 * PG + 100);
  r = (char *)syscall(SYS_brk, base + 3 * PG);
  printf("grow again: %s\n", r == base + 3 * PG ? "ok" : "failed");
  READ("the page again (zeroed)", base + 2 * PG + 100);
  r = (char *)syscall(SYS_brk, (char *)16);
  printf("brk below the start: returns the current break: %s\n", r == base + 3 * PG ? "yes" : "no");
  r = (char *)syscall(SYS_brk, (char *)(1L << 62));
  printf("brk far above: returns the current break: %s\n", r == base + 3 * PG ? "yes" : "no");
  char *blocker = mmap(base + 5 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("a mapping above the break: %s\n", prc(blocker, base + 5 * PG));
  r = (char *)syscall(SYS_brk, base + 8 * PG);
  printf("brk over that mapping: returns the current break: %s\n", r == base + 3 * PG ? "yes" : "no");
  r = (char *)syscall(SYS_brk, base + 5 * PG);
  printf("brk up to that mapping: returns the current break: %s\n", r == base + 3 * PG ? "yes" : "no");
  r = (char *)syscall(SYS_brk, base + 4 * PG);
  printf("brk up to one page below it: %s\n", r == base + 4 * PG ? "ok" : "failed");
  munmap(blocker, PG);
  show_maps("heap", base, 5);
  syscall(SYS_brk, cur);
}

static void forked(void) {
  printf("== anonymous memory across fork\n");
  char *sh = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  char *pv = map_anon(PG, PROT_READ | PROT_WRITE);
  int fd = make_file(1, 0, O_RDWR);
  char *fp = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  char *fs = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  sh[0] = 'p';
  pv[0] = 'p';
  fp[0] = 'p';
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int ok = sh[0] == 'p' && pv[0] == 'p' && fp[0] == 'p';
    sh[0] = 'c';
    pv[0] = 'c';
    fp[0] = 'c';
    fs[1] = 'c';
    _exit(ok ? 0 : 1);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  printf("child saw the parent's data: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no");
  printf("MAP_SHARED anonymous: parent sees the child's store: %s\n", sh[0] == 'c' ? "yes" : "no");
  printf("MAP_PRIVATE anonymous: parent sees the child's store: %s\n", pv[0] == 'c' ? "yes" : "no");
  printf("MAP_PRIVATE file: parent sees the child's store: %s\n", fp[0] == 'c' ? "yes" : "no");
  printf("MAP_SHARED file: parent sees the child's store: %s\n", fs[1] == 'c' ? "yes" : "no");
  close(fd);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  probe_init();
  remap();
  advice();
  heap();
  forked();
  return 0;
}
