/* A signal that arrives as a thread enters a blocking system call must interrupt it. Another
   thread sends SIGUSR1 as soon as the main thread arms a round, and the main thread waits a varying
   time before the main thread's readv(2) of an empty pipe (1024 buffers, which an emulator
   must translate before it can enter the host's call); the
   handler writes the byte the read is waiting for. Natively the handler runs either before the
   read (which then finds the byte) or during it (restarted by SA_RESTART, it finds the byte):
   the read never blocks for good. An emulator that records the signal and only then enters the
   host's read (qemu's safe_syscall problem) would wait forever: a watchdog reports that.
   Second part: a timer signal whose handler has no SA_RESTART, arriving every 100 us during
   writes to a regular file. Linux never fails such a write with EINTR (the signal counts as
   arriving before or after it), so neither may an emulator that notices it just before. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { kRounds = 4000 };
static int pipefd[2];
static atomic_int armed, done_round;
static pid_t main_tid;

static void on_usr1(int sig) {
  (void)sig;
  char c = 'x';
  if (write(pipefd[1], &c, 1) != 1) _exit(3);
}

static void *sender(void *arg) {
  (void)arg;
  for (int i = 1; i <= kRounds; i++) {
    while (atomic_load(&armed) != i) {
    }
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    while (atomic_load(&done_round) != i) {
    }
  }
  return NULL;
}

static atomic_int ticks;
static void on_alarm(int sig) {
  (void)sig;
  atomic_fetch_add(&ticks, 1);
}

static void file_writes_under_timer(void) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/mimic-signal-race-%d", (int)getpid());
  FILE *f = fopen(path, "w+");
  if (!f) return;
  unlink(path);
  int fd = fileno(f);
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm; /* no SA_RESTART */
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 100}, {0, 100}};
  setitimer(ITIMER_REAL, &it, NULL);
  int failed = 0, eintr = 0, writes = 0;
  while (atomic_load(&ticks) < 300 && writes < 2000000) {
    ssize_t n = write(fd, "x", 1);
    writes++;
    if (n != 1) {
      failed++;
      if (errno == EINTR) eintr++;
    }
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("file writes under a 100 us timer without SA_RESTART: %d failed (%d EINTR), timer ran: %s\n", failed,
         eintr, atomic_load(&ticks) >= 300 ? "yes" : "no");
  fclose(f);
}

static void *watchdog(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL); /* the signals are the main thread's */
  int last = -1;
  while (atomic_load(&done_round) < kRounds) {
    struct timespec ts = {3, 0};
    nanosleep(&ts, NULL);
    int now = atomic_load(&done_round);
    if (now == last) {
      printf("read still blocked after round %d: the signal was lost\n", now);
      fflush(stdout);
      _exit(1);
    }
    last = now;
  }
  return NULL;
}

int main(void) {
  if (pipe(pipefd) != 0) return 2;
  main_tid = (pid_t)syscall(SYS_gettid);
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  pthread_t s, w;
  pthread_create(&w, NULL, watchdog, NULL);
  pthread_create(&s, NULL, sender, NULL);
  static char buf[1024];
  static struct iovec iov[1024];
  for (int k = 0; k < 1024; k++) iov[k] = (struct iovec){&buf[k], 1};
  int bytes = 0;
  unsigned x = 12345;
  for (int i = 1; i <= kRounds; i++) {
    atomic_store(&armed, i);
    /* A varying delay: the signal lands before, during or after the call's entry. */
    x = x * 1103515245u + 12345u;
    for (volatile unsigned spin = 0; spin < (x >> 16) % (1 + i % 2000); spin++) {
    }
    ssize_t n = readv(pipefd[0], iov, 1024);
    if (n == 1) bytes++;
    atomic_store(&done_round, i);
  }
  pthread_join(s, NULL);
  printf("%d rounds, %d bytes read, none lost\n", kRounds, bytes);
  file_writes_under_timer();
  return 0;
}
