/* FS_IOC_FIEMAP, the extent map dpkg reads to unpack a package's files in disk order: a file
   with data at 0 and at 1 MiB and a hole between, counted, listed whole and one extent at a time,
   past its end, and the kernel's errors (a bad header, too many extents, an extent array running
   into an unmapped page, a pipe). Prints "SKIP: ..." where the test folder's file system has no
   extent map (tmpfs). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *err(long r) { return r == 0 ? "ok" : strerrorname_np(errno); }

static struct fiemap *map_of(unsigned count) {
  struct fiemap *m = calloc(1, sizeof *m + count * sizeof(struct fiemap_extent));
  m->fm_length = FIEMAP_MAX_OFFSET;
  m->fm_flags = FIEMAP_FLAG_SYNC;
  m->fm_extent_count = count;
  return m;
}

int main(void) {
  int fd = open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char buf[8192];
  memset(buf, 'm', sizeof buf);
  if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf || pwrite(fd, buf, 4096, 1 << 20) != 4096) return 1;
  fsync(fd);
  struct fiemap *m = map_of(0);
  long r = ioctl(fd, FS_IOC_FIEMAP, m);
  if (r != 0 && errno == EOPNOTSUPP) {
    printf("SKIP: the test folder's file system has no FIEMAP\n");
    return 0;
  }
  printf("count only: %s, %u extents\n", err(r), m->fm_mapped_extents);
  free(m);

  m = map_of(8);
  r = ioctl(fd, FS_IOC_FIEMAP, m);
  printf("list of 8: %s, %u mapped\n", err(r), m->fm_mapped_extents);
  for (unsigned i = 0; r == 0 && i < m->fm_mapped_extents; i++) {
    const struct fiemap_extent *e = &m->fm_extents[i];
    printf("  extent %u: logical %llu, at least 4 KiB %s, physical set %s, last %s\n", i,
           (unsigned long long)e->fe_logical, e->fe_length >= 4096 ? "yes" : "no", e->fe_physical ? "yes" : "no",
           e->fe_flags & FIEMAP_EXTENT_LAST ? "yes" : "no");
  }
  free(m);

  m = map_of(1);
  r = ioctl(fd, FS_IOC_FIEMAP, m);
  printf("list of 1: %s, %u mapped, first at %llu, last %s\n", err(r), m->fm_mapped_extents,
         (unsigned long long)m->fm_extents[0].fe_logical, m->fm_extents[0].fe_flags & FIEMAP_EXTENT_LAST ? "yes" : "no");
  m->fm_start = 2 << 20;
  m->fm_mapped_extents = 99;
  r = ioctl(fd, FS_IOC_FIEMAP, m);
  printf("from past the end: %s, %u mapped\n", err(r), m->fm_mapped_extents);
  m->fm_start = 0;
  m->fm_flags = 0x80000000u;
  r = ioctl(fd, FS_IOC_FIEMAP, m);
  printf("unknown flag: %s, flags answered 0x%x\n", err(r), m->fm_flags);
  free(m);

  printf("bad header address: %s\n", err(ioctl(fd, FS_IOC_FIEMAP, (void *)16)));
  m = map_of(0);
  m->fm_extent_count = 0xffffffffu / sizeof(struct fiemap_extent) + 1;
  printf("too many extents: %s\n", err(ioctl(fd, FS_IOC_FIEMAP, m)));
  free(m);

  /* The header at the end of a page, its extent array on the next, unmapped one. */
  char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(pages + 4096, 4096);
  m = (struct fiemap *)(pages + 4096 - sizeof *m);
  memset(m, 0, sizeof *m);
  m->fm_length = FIEMAP_MAX_OFFSET;
  m->fm_extent_count = 4;
  printf("extent array on an unmapped page: %s\n", err(ioctl(fd, FS_IOC_FIEMAP, m)));
  m->fm_extent_count = 0;
  r = ioctl(fd, FS_IOC_FIEMAP, m);
  printf("the same header counting only: %s, %u extents\n", err(r), m->fm_mapped_extents);

  int p[2];
  pipe(p);
  m = map_of(1);
  printf("on a pipe: %s\n", err(ioctl(p[0], FS_IOC_FIEMAP, m)));
  close(fd);
  unlink("data");
  return 0;
}
