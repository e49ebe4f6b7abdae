/* The guest C library's own signals, 32 and 33 on Linux (SIGCANCEL, SIGSETXID; the host's glibc
   reserves the same numbers): pthread_cancel of a thread blocked in read(2), of one sleeping, and
   asynchronous cancellation of a busy loop, each running its cleanup handlers; setuid/setgid in a
   threaded program (glibc makes every thread change its ids through SIGSETXID); a SIGEV_THREAD
   POSIX timer (glibc's helper thread waits for signal 32); SIGRTMIN..SIGRTMAX all usable. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static atomic_int started;

static void cleanup(void *what) { printf("cleanup handler of the %s ran\n", (const char *)what); }

static void *reader(void *arg) {
  char c;
  pthread_cleanup_push(cleanup, "reader");
  atomic_fetch_add(&started, 1);
  (void)!read(pipefd[0], &c, 1);
  pthread_cleanup_pop(0);
  return NULL;
}

static void *sleeper(void *arg) {
  pthread_cleanup_push(cleanup, "sleeper");
  atomic_fetch_add(&started, 1);
  for (;;) sleep(10);
  pthread_cleanup_pop(0);
  return NULL;
}

static void *spinner(void *arg) {
  pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
  atomic_fetch_add(&started, 1);
  volatile unsigned long x = 0;
  for (;;) x++;
  return NULL;
}

static atomic_int ids_seen;
static void *id_watcher(void *arg) {
  /* glibc's setxid broadcast interrupts this wait on every thread. */
  while (atomic_load(&ids_seen) == 0) usleep(1000);
  return NULL;
}

static atomic_int timer_runs;
static void on_timer(union sigval v) { atomic_fetch_add(&timer_runs, v.sival_int); }

static atomic_int rt_hits;
static void on_rt(int sig) { atomic_fetch_add(&rt_hits, 1); }

int main(void) {
  if (pipe(pipefd) != 0) return 1;
  void *(*fns[3])(void *) = {reader, sleeper, spinner};
  const char *names[3] = {"blocked reader", "sleeper", "asynchronous spinner"};
  pthread_t t[3];
  for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, fns[i], NULL);
  while (atomic_load(&started) < 3) usleep(1000);
  usleep(20000);
  for (int i = 0; i < 3; i++) {
    void *r;
    pthread_cancel(t[i]);
    pthread_join(t[i], &r);
    printf("%s canceled: %s\n", names[i], r == PTHREAD_CANCELED ? "yes" : "no");
  }

  /* In this process and in a forked child, whose first threads are new again. */
  for (int child = 0; child < 2; child++) {
    fflush(stdout);
    pid_t pid = child ? fork() : 0;
    if (pid > 0) {
      int st;
      waitpid(pid, &st, 0);
      printf("child exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
      continue;
    }
    atomic_store(&ids_seen, 0);
    pthread_t w[3];
    for (int i = 0; i < 3; i++) pthread_create(&w[i], NULL, id_watcher, NULL);
    int r1 = setgid(getgid()), r2 = setuid(getuid());
    atomic_store(&ids_seen, 1);
    for (int i = 0; i < 3; i++) pthread_join(w[i], NULL);
    printf("%s: setgid/setuid with 3 more threads: %d %d\n", child ? "forked child" : "parent", r1, r2);
    if (child) {
      fflush(stdout);
      _exit(0);
    }
  }

  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_THREAD;
  ev.sigev_notify_function = on_timer;
  ev.sigev_value.sival_int = 1;
  timer_t tid;
  if (timer_create(CLOCK_MONOTONIC, &ev, &tid) != 0) return 2;
  struct itimerspec its = {{0, 2000000}, {0, 2000000}};
  timer_settime(tid, 0, &its, NULL);
  for (int i = 0; i < 2000 && atomic_load(&timer_runs) < 5; i++) usleep(1000);
  timer_delete(tid);
  printf("SIGEV_THREAD timer ran at least 5 times: %s\n", atomic_load(&timer_runs) >= 5 ? "yes" : "no");

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_rt;
  int sent = 0;
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
    sigaction(sig, &sa, NULL);
    if (syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig) == 0) sent++;
  }
  printf("SIGRTMIN=%d SIGRTMAX=%d: %d sent, %d handled\n", SIGRTMIN, SIGRTMAX, sent, atomic_load(&rt_hits));
  return 0;
}
