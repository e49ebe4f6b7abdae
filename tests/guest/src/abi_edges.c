/* System-call edge cases as the x86 kernel answers them (its own run of this file is the expected
   output): error order and EFAULT where a buffer the kernel writes is read-only, the size limit
   of execve, execute permission, network-interface ioctls, name_to_handle_at, and no message of
   the emulator's own on the program's stderr for a call it does not have. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char* res(long r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

static int run_child(char* const argv[]) {
  pid_t c = fork();
  if (c == 0) {
    execv(argv[0], argv);
    _exit(errno == E2BIG ? 100 : errno == EACCES ? 101 : 102);
  }
  int st;
  waitpid(c, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char** argv) {
  if (argc > 1 && !strcmp(argv[1], "count")) return argc > 99999 ? 42 : 1;
  char* ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  printf("sched_getparam(0, NULL): %s\n", res(syscall(SYS_sched_getparam, 0, NULL)));
  printf("sched_getparam(-1, buf): %s\n", res(syscall(SYS_sched_getparam, -1, ro)));
  /* A header whose version the kernel does not know gets the preferred one written back. */
  printf("capget with a read-only header: %s\n", res(syscall(SYS_capget, ro, NULL)));

  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  char buf[8];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr* m = (struct msghdr*)mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(m, 0, sizeof *m);
  m->msg_iov = &iov;
  m->msg_iovlen = 1;
  mprotect(m, 4096, PROT_READ);
  send(sv[1], "hi", 2, 0);
  printf("recvmsg into a read-only msghdr: %s\n", res(recvmsg(sv[0], m, 0)));

  /* 100,000 arguments fit Linux's limit (a quarter of the stack limit, 8 MiB by default). */
  static char* many[100002];
  many[0] = argv[0];
  many[1] = "count";
  for (int i = 2; i < 100001; i++) many[i] = "x";
  printf("execve with 100,000 arguments: child status %d\n", run_child(many));
  static char* too_many[2000002];
  too_many[0] = argv[0];
  for (int i = 1; i < 2000001; i++) too_many[i] = "xxxxxxxx";
  printf("execve with 2,000,000 arguments: child status %d (100: E2BIG)\n", run_child(too_many));

  /* A copy of this program without execute permission. */
  char copy[] = "./noexec-copy";
  int in = open(argv[0], O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char chunk[65536];
  ssize_t n;
  while ((n = read(in, chunk, sizeof chunk)) > 0) write(out, chunk, (size_t)n);
  close(in);
  close(out);
  char* noexec[] = {copy, "count", 0};
  printf("execve of a file without execute permission: child status %d (101: EACCES)\n", run_child(noexec));
  unlink(copy);

  unsigned idx = if_nametoindex("lo");
  printf("if_nametoindex(\"lo\"): %s\n", idx ? "found" : strerrorname_np(errno));
  char name[IF_NAMESIZE] = "";
  printf("if_indextoname: %s\n", idx && if_indextoname(idx, name) ? name : strerrorname_np(errno));
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  const char* flags_res = res(ioctl(s, SIOCGIFFLAGS, &ifr));
  printf("SIOCGIFFLAGS lo: %s, loopback %s\n", flags_res, ifr.ifr_flags & IFF_LOOPBACK ? "yes" : "no");
  printf("SIOCGIFMTU lo: %s\n", res(ioctl(s, SIOCGIFMTU, &ifr)));
  strcpy(ifr.ifr_name, "no-such-if0");
  printf("SIOCGIFINDEX of a missing interface: %s\n", res(ioctl(s, SIOCGIFINDEX, &ifr)));

  struct file_handle* fh = malloc(sizeof *fh + 128);
  fh->handle_bytes = 128;
  int mount_id;
  long r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/", fh, &mount_id, 0);
  printf("name_to_handle_at(\"/\"): %s\n", r == 0 || errno == EOPNOTSUPP ? "answered" : strerrorname_np(errno));
  fh->handle_bytes = 0;
  r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/", fh, &mount_id, 0);
  printf("name_to_handle_at with no room: %s\n", r == 0 ? "ok" : errno == EOVERFLOW || errno == EOPNOTSUPP ? "EOVERFLOW or EOPNOTSUPP" : strerrorname_np(errno));

  /* A call the emulator lacks fails with ENOSYS and leaves stderr alone. */
  int p[2];
  pipe(p);
  fflush(stderr);
  int saved = dup(2);
  dup2(p[1], 2);
  syscall(1234);
  fflush(stderr);
  dup2(saved, 2);
  close(p[1]);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  printf("unknown system call: %s, stderr bytes %zd\n", res(syscall(1234)), read(p[0], chunk, sizeof chunk) > 0 ? (ssize_t)1 : (ssize_t)0);
  return 0;
}
