/* Newer system calls real programs use: openat2 (with RESOLVE_* and an extended struct),
   execveat with AT_EMPTY_PATH (fexecve), pidfd_open + pidfd_send_signal + waitid(P_PIDFD),
   sched_rr_get_interval, sync_file_range, ioprio_get, membarrier (guest threads are host threads,
   so the host's expedited barriers apply). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct open_how_ext {
  uint64_t flags, mode, resolve, extra;
};
#define RESOLVE_NO_SYMLINKS 0x04

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) {
    printf("fexecve'd child running, argv[0]=%s\n", argv[0]);
    return 4;
  }
  char dir[] = "/tmp/mimic-newcalls-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  if (chdir(dir) != 0) return 1;
  int f = open("file", O_CREAT | O_WRONLY, 0644);
  if (write(f, "data", 4) != 4) return 1;
#if defined(SYS_sync_file_range)
  printf("sync_file_range: %ld\n", syscall(SYS_sync_file_range, f, 0L, 4L, 2 /* WRITE */));
#else  // Arm EABI: sync_file_range2(fd, flags, offset, nbytes), the 64-bit values as register pairs
  printf("sync_file_range: %ld\n", syscall(SYS_sync_file_range2, f, 2 /* WRITE */, 0L, 0L, 4L, 0L));
#endif
  close(f);
  if (symlink("file", "link") != 0) return 1;

  struct open_how_ext how = {O_RDONLY, 0, 0, 0};
  long fd = syscall(SYS_openat2, AT_FDCWD, "link", &how, 24);
  printf("openat2 through a symlink: %s\n", fd >= 0 ? "opened" : strerror(errno));
  if (fd >= 0) close((int)fd);
  how.resolve = RESOLVE_NO_SYMLINKS;
  fd = syscall(SYS_openat2, AT_FDCWD, "link", &how, 24);
  printf("openat2 RESOLVE_NO_SYMLINKS: %s\n", fd >= 0 ? "opened" : (errno == ELOOP ? "ELOOP" : strerror(errno)));
  how.resolve = 0;
  fd = syscall(SYS_openat2, AT_FDCWD, "file", &how, sizeof how);
  printf("openat2 with a zero extension: %s\n", fd >= 0 ? "opened" : strerror(errno));
  if (fd >= 0) close((int)fd);
  how.extra = 1;
  fd = syscall(SYS_openat2, AT_FDCWD, "file", &how, sizeof how);
  printf("openat2 with unknown fields set: %s\n", fd < 0 && errno == E2BIG ? "E2BIG" : "other");
  unlink("link");
  unlink("file");
  if (chdir("/") != 0 || rmdir(dir) != 0) return 1;

  struct timespec ts;
  printf("sched_rr_get_interval: %ld\n", syscall(SYS_sched_rr_get_interval, 0, &ts));
  printf("ioprio_get(IOPRIO_WHO_PROCESS, self) >= 0: %s\n", syscall(SYS_ioprio_get, 1, 0) >= 0 ? "yes" : "no");

  long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  printf("membarrier query has PRIVATE_EXPEDITED: %d\n", q > 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0);
  const long unregistered = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  const int unregistered_errno = errno;
  const long registered = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
  const long then = syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
  printf("membarrier unregistered: %ld (%s), register: %ld, then: %ld\n", unregistered,
         unregistered_errno == EPERM ? "EPERM" : "other", registered, then);

  /* pidfd: a child that waits to be killed through its pidfd. */
  pid_t pid = fork();
  if (pid == 0) {
    pause();
    _exit(0);
  }
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  printf("pidfd_open: %s\n", pfd >= 0 ? "ok" : strerror(errno));
  printf("pidfd_send_signal: %ld\n", syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0));
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int w = waitid(P_PIDFD, (id_t)pfd, &si, WEXITED);
  printf("waitid(P_PIDFD): %d, killed by %s\n", w, si.si_status == SIGTERM ? "SIGTERM" : "other");
  close(pfd);

  /* fexecve: execveat(fd, "", ..., AT_EMPTY_PATH) of this program. */
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    char *args[] = {"newcalls-child", "child", NULL};
    char *env[] = {NULL};
    syscall(SYS_execveat, self, "", args, env, AT_EMPTY_PATH);
    printf("execveat failed: %s\n", strerror(errno));
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  printf("execveat child exit status: %d\n", WEXITSTATUS(st));
  return 0;
}
