/* What a root user does inside a foreign chroot or container, run in fresh user, UTS and mount
   namespaces (so it needs no privilege and changes nothing outside): host and domain names,
   tmpfs and bind mounts with umount, dropping a capability with capset, scheduling attributes,
   adjtimex, vmsplice; chroot, then getcwd, "..", and execve of a program inside the new root.
   Prints "SKIP: ..." where the host offers no user namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sched_attr_v1 {
  unsigned size, policy;
  unsigned long long flags;
  int nice;
  unsigned priority;
  unsigned long long runtime, deadline, period;
  unsigned util_min, util_max;
};

static const char *err(long r) { return r == 0 ? "ok" : strerrorname_np(errno); }

static int in_namespaces(void) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNS) != 0) {
    printf("SKIP: no user namespaces here (unshare: %s)\n", strerrorname_np(errno));
    return 0;
  }
  /* Root inside: map our ids (files can then be created on the new mounts). */
  char map[64];
  int ok = 1;
  const char *files[3] = {"/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"};
  for (int i = 0; i < 3; i++) {
    if (i == 0) snprintf(map, sizeof map, "deny");
    if (i == 1) snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    if (i == 2) snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    int fd = open(files[i], O_WRONLY);
    if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map)) ok = 0;
    if (fd >= 0) close(fd);
  }
  printf("id maps written: %s, uid inside %u\n", ok ? "yes" : "no", (unsigned)getuid());
  struct utsname u;
  long r = sethostname("mimic-ns", 8);
  uname(&u);
  printf("sethostname: %s, nodename %s\n", err(r), u.nodename);
  char dom[65] = "";
  r = setdomainname("mimic.test", 10);
  getdomainname(dom, sizeof dom);
  printf("setdomainname: %s, domain %s\n", err(r), dom);
  char long_name[65];
  memset(long_name, 'x', sizeof long_name);
  printf("sethostname of 65 bytes: %s\n", err(sethostname(long_name, sizeof long_name)));

  char base[] = "/tmp/mimic-admin-XXXXXX";
  if (!mkdtemp(base)) return 1;
  char a[64], b[64], f[80];
  snprintf(a, sizeof a, "%s/a", base);
  snprintf(b, sizeof b, "%s/b", base);
  mkdir(a, 0755);
  mkdir(b, 0755);
  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  r = mount("none", a, "tmpfs", 0, "size=64k,mode=0777");
  struct statfs sf;
  statfs(a, &sf);
  printf("mount tmpfs: %s, type tmpfs %s\n", err(r), sf.f_type == 0x01021994 ? "yes" : "no");
  snprintf(f, sizeof f, "%s/file", a);
  FILE *fp = fopen(f, "w");
  if (fp) fputs("in tmpfs\n", fp), fclose(fp);
  r = mount(a, b, NULL, MS_BIND, NULL);
  snprintf(f, sizeof f, "%s/file", b);
  printf("bind mount: %s, file seen through it %s\n", err(r), access(f, R_OK) == 0 ? "yes" : "no");
  r = umount2(b, 0);
  printf("umount2 bind: %s, file gone %s\n", err(r), access(f, R_OK) != 0 ? "yes" : "no");
  printf("umount2 tmpfs: %s\n", err(umount2(a, 0)));
  printf("umount2 of a non-mount: %s\n", err(umount2(a, 0)));
  printf("mount with a bad type: %s\n", err(mount("none", a, "no-such-fs", 0, NULL)));
  rmdir(a);
  rmdir(b);

  /* chroot into base/root (the program copies itself in, to be executed there). */
  char root[64], sub[80], path[96];
  snprintf(root, sizeof root, "%s/root", base);
  snprintf(sub, sizeof sub, "%s/sub", root);
  mkdir(base, 0755);
  mkdir(root, 0755);
  mkdir(sub, 0755);
  snprintf(path, sizeof path, "%s/hello.txt", root);
  fp = fopen(path, "w");
  if (fp) fputs("hello from inside\n", fp), fclose(fp);
  snprintf(path, sizeof path, "%s/outside.txt", base);
  fp = fopen(path, "w");
  if (fp) fputs("outside\n", fp), fclose(fp);
  snprintf(path, sizeof path, "%s/prog", root);
  int in = open("/proc/self/exe", O_RDONLY), out = open(path, O_WRONLY | O_CREAT, 0755);
  char chunk[65536];
  ssize_t got;
  while ((got = read(in, chunk, sizeof chunk)) > 0) (void)!write(out, chunk, (size_t)got);
  close(in);
  close(out);
  printf("chroot of a file: %s\n", err(chroot(path)));
  fflush(stdout);
  pid_t jailed = fork();  /* the parent stays outside to clean up */
  if (jailed != 0) {
    int jst;
    waitpid(jailed, &jst, 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/hello.txt", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/outside.txt", base);
    unlink(path);
    rmdir(sub);
    rmdir(root);
    rmdir(base);
    printf("chroot child: exit %d, tree removed: %s\n", WIFEXITED(jst) ? WEXITSTATUS(jst) : 128 + WTERMSIG(jst),
           access(base, F_OK) != 0 ? "yes" : "no");
    goto after_chroot;
  }
  r = chroot(root);
  char cwd[4096] = "";
  (void)!getcwd(cwd, sizeof cwd);
  printf("chroot: %s, old cwd %s\n", err(r), strncmp(cwd, "(unreachable)", 13) == 0 ? "unreachable" : cwd);
  printf("/hello.txt %s, /../outside.txt %s, /etc/passwd %s\n", access("/hello.txt", R_OK) == 0 ? "found" : "missing",
         access("/../outside.txt", R_OK) == 0 ? "found" : "missing", access("/etc/passwd", R_OK) == 0 ? "found" : "missing");
  r = chdir("/sub");
  (void)!getcwd(cwd, sizeof cwd);
  printf("chdir /sub: %s, getcwd %s\n", err(r), cwd);
  fflush(stdout);
  pid_t kid = fork();
  if (kid == 0) {
    execl("/prog", "prog", "inside", (char *)NULL);
    printf("execl: %s\n", strerrorname_np(errno));
    fflush(stdout);
    _exit(1);
  }
  int kst;
  waitpid(kid, &kst, 0);
  printf("program run inside the chroot: exit %d\n", WIFEXITED(kst) ? WEXITSTATUS(kst) : 128 + WTERMSIG(kst));
  fflush(stdout);
  _exit(0);

after_chroot:;

  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  r = syscall(SYS_capget, &h, d);
  printf("capget: %s, CAP_SYS_ADMIN effective %s\n", err(r), (d[0].effective >> CAP_SYS_ADMIN) & 1 ? "yes" : "no");
  d[0].effective &= ~(1u << CAP_SYS_ADMIN);
  r = syscall(SYS_capset, &h, d);
  printf("capset dropping it: %s, then sethostname: %s\n", err(r), err(sethostname("again", 5)));
  struct __user_cap_header_struct bad = {0x12345678, 0};
  r = syscall(SYS_capset, &bad, d);
  printf("capset with a bad version: %s, version reported %s\n", err(r),
         bad.version == _LINUX_CAPABILITY_VERSION_3 ? "v3" : "other");
  return 0;
}

/* The copy of this program run inside the chroot. */
static int inside(void) {
  char cwd[256] = "";
  (void)!getcwd(cwd, sizeof cwd);
  char line[64] = "";
  FILE *fp = fopen("/hello.txt", "r");
  if (fp) (void)!fgets(line, sizeof line, fp), fclose(fp);
  printf("inside: cwd %s, /hello.txt says %s", cwd, line[0] ? line : "nothing\n");
  return 4;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "inside") == 0) return inside();
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int rc = in_namespaces();
    fflush(stdout);
    _exit(rc);
  }
  int st;
  waitpid(pid, &st, 0);

  struct sched_attr_v1 at;
  memset(&at, 0, sizeof at);
  long r = syscall(SYS_sched_getattr, 0, &at, sizeof at, 0);
  printf("sched_getattr: %s, policy %u, size %s\n", err(r), at.policy, at.size >= 48 ? ">= 48" : "small");
  at.size = 48;
  at.policy = 0;
  at.nice = 7;
  r = syscall(SYS_sched_setattr, 0, &at, 0);
  printf("sched_setattr nice 7: %s, getpriority %d\n", err(r), getpriority(PRIO_PROCESS, 0));
  /* A larger structure than the kernel knows, with a non-zero tail. */
  static unsigned char big[4096];
  memset(big, 1, sizeof big);
  memcpy(big, &at, sizeof at);
  ((struct sched_attr_v1 *)big)->size = 4000;
  printf("sched_setattr, unknown non-zero tail: %s\n", err(syscall(SYS_sched_setattr, 0, big, 0)));

  struct timex tx;
  memset(&tx, 0, sizeof tx);
  r = adjtimex(&tx);
  printf("adjtimex: %s\n", r >= 0 ? "a clock state" : strerrorname_np(errno));
  memset(&tx, 0, sizeof tx);
  r = clock_adjtime(CLOCK_REALTIME, &tx);
  printf("clock_adjtime: %s, tick %s\n", r >= 0 ? "a clock state" : strerrorname_np(errno), tx.tick > 0 ? "set" : "zero");

  int p[2];
  if (pipe(p) != 0) return 1;
  char msg1[] = "hello ", msg2[] = "vmsplice";
  struct iovec iov[2] = {{msg1, 6}, {msg2, 8}};
  r = vmsplice(p[1], iov, 2, 0);
  char got[32] = "";
  ssize_t n = read(p[0], got, sizeof got - 1);
  printf("vmsplice: %ld bytes, read back '%.*s'\n", r, (int)(n > 0 ? n : 0), got);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}
