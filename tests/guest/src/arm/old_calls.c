// The old calls of the 32-bit Linux ABI that glibc no longer makes (it uses the rt_, 64 and
// time64 ones) but other libcs and old static binaries do, made by number with their 32-bit
// structures: sigaction/sigprocmask/sigpending/sigsuspend (one-word old_sigset_t, the non-rt
// signal frame), pause, nice, getdents (struct linux_dirent of longs), utimes/futimesat, waitid's
// rusage, the time32 timer/timerfd/clock calls, adjtimex's struct timex of longs, ustat, sysfs.
// The same source builds for i386 (gcc -m32), whose kernel has the same calls and layouts: the
// expected output is the x86 kernel's own run of it.
#define _GNU_SOURCE
#include <asm/unistd.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long sys(long nr, long a, long b, long c, long d, long e) {
  long r = syscall(nr, a, b, c, d, e);
  return r < 0 ? -errno : r;
}
#define BIT(s) (1ul << ((s)-1))

struct old_sigaction32 {
  uint32_t handler, mask, flags, restorer;
};
static volatile int usr1_count;
static volatile uint32_t mask_in_handler;
static void on_usr1(int sig) {
  (void)sig;
  uint32_t cur = 0;
  sys(__NR_sigprocmask, SIG_BLOCK, 0, (long)&cur, 0, 0);
  mask_in_handler = cur;
  usr1_count++;
}
static void on_alarm(int sig) { (void)sig; }

static void old_signals(void) {
  struct old_sigaction32 act = {(uint32_t)(uintptr_t)on_usr1, BIT(SIGUSR2), 0, 0}, old;
  printf("sigaction: %ld\n", sys(__NR_sigaction, SIGUSR1, (long)&act, 0, 0, 0));
  memset(&old, 0xa5, sizeof old);
  {
    long rc = sys(__NR_sigaction, SIGUSR1, 0, (long)&old, 0, 0);
    printf("sigaction query: %ld handler %s mask %#x flags %#x\n", rc, old.handler == act.handler ? "same" : "other",
           old.mask, old.flags);
  }
  struct sigaction rt;
  sigaction(SIGUSR1, NULL, &rt);
  printf("rt view: handler %s, SIGUSR2 in sa_mask %d\n", rt.sa_handler == on_usr1 ? "same" : "other",
         sigismember(&rt.sa_mask, SIGUSR2));
  printf("sigaction SIGKILL: %ld\n", sys(__NR_sigaction, SIGKILL, (long)&act, 0, 0, 0));
  kill(getpid(), SIGUSR1);
  printf("handled %d, blocked in handler %#x\n", usr1_count, mask_in_handler);

  // SIG_SETMASK replaces signals 1-32 and keeps the real-time ones.
  sigset_t rtset;
  sigemptyset(&rtset);
  sigaddset(&rtset, 40);
  sigprocmask(SIG_BLOCK, &rtset, NULL);
  uint32_t set = BIT(SIGUSR1) | BIT(SIGHUP), oset = 0xdeadbeef;
  {
    long rc = sys(__NR_sigprocmask, SIG_BLOCK, (long)&set, (long)&oset, 0, 0);
    printf("sigprocmask block: %ld old %#x\n", rc, oset);
  }
  set = BIT(SIGUSR1) | BIT(SIGKILL) | BIT(SIGSTOP);
  {
    long rc = sys(__NR_sigprocmask, SIG_SETMASK, (long)&set, (long)&oset, 0, 0);
    printf("sigprocmask setmask: %ld old %#x\n", rc, oset);
  }
  sys(__NR_sigprocmask, SIG_BLOCK, 0, (long)&oset, 0, 0);
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  printf("now %#x, signal 40 still blocked %d\n", oset, sigismember(&now, 40));
  printf("sigprocmask bad how: %ld\n", sys(__NR_sigprocmask, 7, (long)&set, 0, 0, 0));
  printf("sigprocmask bad address: %ld\n", sys(__NR_sigprocmask, SIG_BLOCK, 16, 0, 0, 0));

  // A blocked SIGUSR1 is pending; sigsuspend with an empty mask delivers it.
  kill(getpid(), SIGUSR1);
  uint32_t pending = 0;
  {
    long rc = sys(__NR_sigpending, (long)&pending, 0, 0, 0, 0);
    printf("sigpending: %ld %#x\n", rc, pending);
  }
  {
    long rc = sys(__NR_sigsuspend, 0, 0, 0, 0, 0);
    printf("sigsuspend: %ld handled %d\n", rc, usr1_count);
  }
  sys(__NR_sigprocmask, SIG_BLOCK, 0, (long)&oset, 0, 0);
  printf("mask after sigsuspend %#x\n", oset);

  signal(SIGALRM, on_alarm);
  // Every 20 ms, so that one tick comes after pause began however late the program gets there.
  struct itimerval it = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &it, NULL);
  printf("pause: %ld\n", sys(__NR_pause, 0, 0, 0, 0, 0));
  setitimer(ITIMER_REAL, &off, NULL);
  sigprocmask(SIG_UNBLOCK, &rtset, NULL);
}

static void old_nice(void) {
  errno = 0;
  const int start = getpriority(PRIO_PROCESS, 0);
  {
    long rc = sys(__NR_nice, 0, 0, 0, 0, 0);
    printf("nice(0): %ld, unchanged %d\n", rc, getpriority(PRIO_PROCESS, 0) == start);
  }
  long r = sys(__NR_nice, 2, 0, 0, 0, 0);
  printf("nice(2): %ld, raised by %d\n", r, getpriority(PRIO_PROCESS, 0) - start);
  {
    long rc = sys(__NR_nice, 1000, 0, 0, 0, 0);
    printf("nice(1000): %ld, now %d\n", rc, getpriority(PRIO_PROCESS, 0));
  }
}

// struct linux_dirent of 32-bit longs, d_type in the record's last byte.
static void old_getdents(void) {
  mkdir("d", 0755);
  close(open("d/a", O_CREAT | O_WRONLY, 0644));
  close(open("d/a_rather_longer_name_of_thirty_chars", O_CREAT | O_WRONLY, 0644));
  mkdir("d/sub", 0755);
  symlink("a", "d/link");
  int fd = open("d", O_RDONLY | O_DIRECTORY);
  char buf[4096];
  long n = sys(__NR_getdents, fd, (long)buf, sizeof buf, 0, 0);
  int entries = 0, aligned = 1;
  char seen[256] = "";
  for (long off = 0; off < n;) {
    uint16_t reclen;
    memcpy(&reclen, buf + off + 8, 2);
    const char* name = buf + off + 10;
    unsigned char type = (unsigned char)buf[off + reclen - 1];
    aligned &= reclen % 4 == 0 && reclen >= 10 + strlen(name) + 2;
    entries++;
    if (strcmp(name, ".") && strcmp(name, "..")) {
      char one[80];
      snprintf(one, sizeof one, " %s:%s", name,
               type == DT_DIR   ? "dir"
               : type == DT_LNK ? "lnk"
               : type == DT_REG ? "reg"
                                : "?");
      if (strlen(seen) + strlen(one) < sizeof seen) {
        // kept in name order, whatever order the file system returns them in
        char* at = seen;
        while (*at && strcmp(at + 1, one + 1) < 0) at = strchr(at + 1, ' ') ? strchr(at + 1, ' ') : at + strlen(at);
        memmove(at + strlen(one), at, strlen(at) + 1);
        memcpy(at, one, strlen(one));
      }
    }
    off += reclen;
  }
  printf("getdents: %d entries, records aligned %d,%s\n", entries, aligned, seen);
  printf("getdents at end: %ld\n", sys(__NR_getdents, fd, (long)buf, sizeof buf, 0, 0));
  // One short buffer at a time: every entry still comes back exactly once.
  lseek(fd, 0, SEEK_SET);
  int small = 0, calls = 0;
  for (;;) {
    long m = sys(__NR_getdents, fd, (long)buf, 60, 0, 0);
    if (m <= 0) {
      printf("getdents by 60 bytes: %d entries in %d calls, last %ld\n", small, calls, m);
      break;
    }
    calls++;
    for (long off = 0; off < m; small++) {
      uint16_t reclen;
      memcpy(&reclen, buf + off + 8, 2);
      off += reclen;
    }
  }
  lseek(fd, 0, SEEK_SET);
  printf("getdents 15 bytes: %ld\n", sys(__NR_getdents, fd, (long)buf, 15, 0, 0));
  printf("getdents on a file: %ld\n", sys(__NR_getdents, 0 + open("d/a", O_RDONLY), (long)buf, sizeof buf, 0, 0));
  printf("getdents bad fd: %ld\n", sys(__NR_getdents, 999, (long)buf, sizeof buf, 0, 0));
  close(fd);
}

static void show_times(const char* what, long r, const char* path) {
  struct stat st;
  stat(path, &st);
  printf("%s: %ld atime %ld.%09ld mtime %ld.%09ld\n", what, r, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
         (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}
static void old_utimes(void) {
  close(open("t", O_CREAT | O_WRONLY, 0644));
  int32_t tv[4] = {1000000000, 500000, 1200000000, 250001};
  show_times("utimes", sys(__NR_utimes, (long)"t", (long)tv, 0, 0, 0), "t");
  tv[1] = 1000000;
  printf("utimes usec 1000000: %ld\n", sys(__NR_utimes, (long)"t", (long)tv, 0, 0, 0));
  tv[1] = -1;
  printf("utimes usec -1: %ld\n", sys(__NR_utimes, (long)"t", (long)tv, 0, 0, 0));
  printf("utimes missing: %ld\n", sys(__NR_utimes, (long)"no-such-file", 0, 0, 0, 0));
  int32_t tv2[4] = {1300000000, 1, 1400000000, 999999};
  int dfd = open(".", O_RDONLY | O_DIRECTORY);
  show_times("futimesat dirfd", sys(__NR_futimesat, dfd, (long)"t", (long)tv2, 0, 0), "t");
  tv2[0] = 1500000000;
  show_times("futimesat AT_FDCWD", sys(__NR_futimesat, AT_FDCWD, (long)"t", (long)tv2, 0, 0), "t");
  int fd = open("t", O_RDONLY);
  tv2[2] = 1600000000;
  show_times("futimesat fd, no path", sys(__NR_futimesat, fd, 0, (long)tv2, 0, 0), "t");
  long r = sys(__NR_utimes, (long)"t", 0, 0, 0, 0);
  struct stat st;
  stat("t", &st);
  printf("utimes now: %ld, mtime moved %d\n", r, st.st_mtim.tv_sec > 1600000000);
  close(fd);
  close(dfd);
}

static void old_waitid(void) {
  pid_t pid = fork();
  if (pid == 0) _exit(7);
  struct {
    int32_t ru[18];
    uint32_t sentinel[18];
  } ru;
  memset(&ru, 0xee, sizeof ru);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  long r = sys(__NR_waitid, P_PID, pid, (long)&si, WEXITED, (long)&ru);
  int intact = 1;
  for (int i = 0; i < 18; i++) intact &= ru.sentinel[i] == 0xeeeeeeee;
  printf("waitid: %ld code %d status %d pid %s, utime usec ok %d, maxrss set %d, after rusage intact %d\n", r,
         si.si_code, si.si_status, si.si_pid == pid ? "same" : "other", ru.ru[1] >= 0 && ru.ru[1]<1000000, ru.ru[4]> 0,
         intact);
  printf("waitid no child: %ld\n", sys(__NR_waitid, P_ALL, 0, (long)&si, WEXITED, 0));
}

static void old_timers(void) {
  struct {
    uint32_t value;
    int32_t signo, notify;
    int32_t pad[13];
  } sev = {0, SIGALRM, 1 /* SIGEV_NONE */, {0}};
  int32_t id = -1;
  printf("timer_create: %ld\n", sys(__NR_timer_create, CLOCK_MONOTONIC, (long)&sev, (long)&id, 0, 0));
  int32_t its[4] = {1, 500, 100, 0}, old[4], cur[4];
  memset(old, 0x55, sizeof old);
  printf("timer_settime: %ld\n", sys(__NR_timer_settime, id, 0, (long)its, (long)old, 0));
  printf("  old %d %d %d %d\n", old[0], old[1], old[2], old[3]);
  {
    long rc = sys(__NR_timer_gettime, id, (long)cur, 0, 0, 0);
    printf("timer_gettime: %ld interval %d.%09d value below 100 s %d\n", rc, cur[0], cur[1],
           cur[2] < 100 || (cur[2] == 100 && cur[3] == 0));
  }
  its[2] = 0;
  {
    long rc = sys(__NR_timer_settime, id, 0, (long)its, (long)old, 0);
    printf("timer_settime disarm: %ld, old interval %d.%09d\n", rc, old[0], old[1]);
  }
  its[1] = 1000000000;
  printf("timer_settime nsec 1e9: %ld\n", sys(__NR_timer_settime, id, 0, (long)its, 0, 0));

  int tfd = syscall(__NR_timerfd_create, CLOCK_MONOTONIC, 0);
  int32_t t2[4] = {0, 0, 50, 7};
  printf("timerfd_settime: %ld\n", sys(__NR_timerfd_settime, tfd, 0, (long)t2, 0, 0));
  {
    long rc = sys(__NR_timerfd_gettime, tfd, (long)cur, 0, 0, 0);
    printf("timerfd_gettime: %ld interval %d.%d value at most 50 s %d\n", rc, cur[0], cur[1],
           cur[2] < 50 || (cur[2] == 50 && cur[3] <= 7));
  }
  close(tfd);

  int32_t ts[2] = {1, 0};
  printf("clock_settime MONOTONIC: %ld\n", sys(__NR_clock_settime, CLOCK_MONOTONIC, (long)ts, 0, 0, 0));
  int32_t tv[2] = {0, 1000000};
  printf("settimeofday usec 1e6: %ld\n", sys(__NR_settimeofday, (long)tv, 0, 0, 0, 0));
  int32_t rr[3] = {-1, -1, 0x77777777};
  long r = sys(__NR_sched_rr_get_interval, 0, (long)rr, 0, 0, 0);
  printf("sched_rr_get_interval: %ld sec %d nsec in range %d next word %#x\n", r, rr[0],
         rr[1] >= 0 && rr[1] < 1000000000, rr[2]);
}

// struct timex of 32-bit words: 21 fields and 11 padding words (128 bytes).
static void old_adjtimex(void) {
  int32_t tx[40];
  memset(tx, 0x33, sizeof tx);
  tx[0] = 0;  // modes: read only
  long r = sys(__NR_adjtimex, (long)tx, 0, 0, 0, 0);
  int pad_zero = 1;
  for (int i = 21; i < 32; i++) pad_zero &= tx[i] == 0;
  printf("adjtimex: state ok %d, precision %d tolerance %d tick %d, padding zeroed %d, after it %#x\n",
         r >= 0 && r <= 5, tx[7], tx[8], tx[11], pad_zero, (unsigned)tx[32]);
}

// ustat's struct of 20 bytes (int, long, two 6-byte names); sysfs's three options.
static void old_ustat_sysfs(void) {
  struct stat st;
  stat(".", &st);
  uint8_t u[32];
  memset(u, 0x44, sizeof u);
  long r = sys(__NR_ustat, (long)(unsigned)st.st_dev, (long)u, 0, 0, 0);
  printf("ustat: %ld, after it %#x\n", r, u[20]);
  long count = sys(__NR_sysfs, 3, 0, 0, 0, 0);
  long proc = sys(__NR_sysfs, 1, (long)"proc", 0, 0, 0);
  char name[64] = "";
  r = sys(__NR_sysfs, 2, proc, (long)name, 0, 0);
  printf("sysfs: count positive %d, name of proc's index %ld: %s\n", count > 0, r, name);
  printf("sysfs unknown type: %ld, bad option: %ld\n", sys(__NR_sysfs, 1, (long)"no-such-fs", 0, 0, 0),
         sys(__NR_sysfs, 9, 0, 0, 0, 0));
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  old_signals();
  old_nice();
  old_getdents();
  old_utimes();
  old_waitid();
  old_timers();
  old_adjtimex();
  old_ustat_sysfs();
  return 0;
}
