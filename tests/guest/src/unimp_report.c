/* -d unimp (MIMIC_LOG=unimp under binfmt_misc), the sweep of what a foreign chroot's programs
   reach that mimic lacks: an unknown system call, ioctl request, fcntl command and prctl option
   each answer as Linux does without them (ENOSYS, ENOTTY, EINVAL) and are named once on stderr,
   however often they are called; seccomp, which mimic answers as a kernel without it, is not named. The program reads its own stderr back through a pipe. Run with
   -d unimp (run.py's MIMIC_OPTS); the expected output is the format docs/linux-user.md gives. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  int p[2];
  if (pipe2(p, O_NONBLOCK) != 0) return 1;
  int saved = dup(2);
  dup2(p[1], 2);
  for (int i = 0; i < 2; i++) {
    long r = syscall(4000);
    printf("syscall 4000: %ld %s\n", r, strerrorname_np(errno));
    r = ioctl(p[0], 0x1234abcd, 0);
    printf("ioctl 0x1234abcd: %ld %s\n", r, strerrorname_np(errno));
    r = fcntl(p[0], 9999, 0);
    printf("fcntl 9999: %ld %s\n", r, strerrorname_np(errno));
    r = prctl(9999, 0, 0, 0, 0);
    printf("prctl 9999: %ld %s\n", r, strerrorname_np(errno));
    /* Sandboxes are a kernel configuration mimic does not have (docs/linux-user.md): answered
       without a report, as a kernel built without seccomp answers. */
    r = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    printf("prctl PR_GET_SECCOMP: %ld %s\n", r, strerrorname_np(errno));
    r = syscall(SYS_seccomp, 0, 0, 0);
    printf("seccomp: %ld %s\n", r, strerrorname_np(errno));
  }
  fflush(stdout);
  dup2(saved, 2);
  char buf[4096];
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  /* The ioctl line names the descriptor, which is the same in every run (the pipe's read end). */
  printf("stderr:\n%s", buf);
  return 0;
}
