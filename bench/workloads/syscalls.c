/* Workload: the system-call path (what shells, build tools and servers spend time in): one-byte
   writes and reads through a pipe, clock reads, getpid, and stat of a file. */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
int main(int argc, char **argv) {
  int rounds = bench_scale(argc, argv, 150000);
  int p[2];
  if (pipe(p) != 0) return 1;
  uint64_t sum = 0;
  struct timespec ts;
  struct stat st;
  for (int i = 0; i < rounds; i++) {
    unsigned char c = (unsigned char)i;
    sum += (uint64_t)write(p[1], &c, 1);
    sum += (uint64_t)read(p[0], &c, 1) + c;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sum += (uint64_t)(ts.tv_nsec != -1);
    sum += (uint64_t)(getpid() > 0);
    if (i % 4 == 0) sum += (uint64_t)(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
  }
  bench_report("syscalls", sum);
  return 0;
}
