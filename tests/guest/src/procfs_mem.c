/* /proc/self/mem reads and writes this process's memory at its own addresses, as Linux: mimic
   passed the host's file through, which reads host addresses (EIO at every guest address). A
   write reaches read-only pages too (the kernel forces it), an unmapped page is EIO, and only
   SEEK_SET and SEEK_CUR move the position. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long value = 1234;

int main(void) {
  int fd = open("/proc/self/mem", O_RDWR);
  printf("open: %s\n", fd >= 0 ? "ok" : strerror(errno));
  long v = 0;
  ssize_t r = pread(fd, &v, sizeof v, (off_t)(uintptr_t)&value);
  printf("pread of a variable: %zd bytes, value %ld\n", r, v);
  long nv = 5678;
  r = pwrite(fd, &nv, sizeof nv, (off_t)(uintptr_t)&value);
  printf("pwrite of a variable: %zd bytes, now %ld\n", r, value);
  char* ro = mmap(0, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  r = pwrite(fd, "forced", 6, (off_t)(uintptr_t)ro);
  printf("pwrite into a read-only page: %zd bytes, reads \"%.6s\"\n", r, ro);
  munmap(ro + 4096, 4096);
  char buf[8192];
  r = pread(fd, buf, sizeof buf, (off_t)(uintptr_t)ro);
  printf("pread across the end of a mapping: %zd bytes\n", r);
  r = pread(fd, buf, 16, (off_t)(uintptr_t)(ro + 4096));
  printf("pread of an unmapped page: %s\n", r < 0 ? strerror(errno) : "read");
  off_t pos = lseek(fd, (off_t)(uintptr_t)&value, SEEK_SET);
  printf("lseek SEEK_SET to the variable: %s\n", pos == (off_t)(uintptr_t)&value ? "at its address" : "elsewhere");
  r = read(fd, &v, sizeof v);
  printf("read: %zd bytes, value %ld, position moved on: %s\n", r, v,
         lseek(fd, 0, SEEK_CUR) == (off_t)(uintptr_t)&value + (off_t)sizeof v ? "yes" : "no");
  printf("lseek SEEK_END: %s\n", lseek(fd, 0, SEEK_END) < 0 ? strerror(errno) : "moved");
  close(fd);
  return 0;
}
