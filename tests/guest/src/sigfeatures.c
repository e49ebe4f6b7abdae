/* Signal features as Linux defines them: SA_RESETHAND, SA_NODEFER, sa_mask, blocked and pending
   signals, realtime signals queued in order with their values, standard signals coalesced,
   SA_RESTART against EINTR, sigwaitinfo, sigsuspend, signals between threads interrupting a
   long-running loop, a POSIX timer, a fault handler that repairs the page and resumes, and SIGCHLD
   with the child's status. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits, depth, max_depth, raised;
static volatile int order[16], norder;

static void on(int sig, void (*h)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void on_info(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = h;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void count(int sig) { (void)sig, hits++; }

static void reenter(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  if (!raised) raised = 1, raise(sig); /* delivered now with SA_NODEFER, after return without */
  depth--;
}

static void test_resethand_nodefer(void) {
  hits = 0;
  on(SIGUSR1, count, SA_RESETHAND);
  raise(SIGUSR1);
  struct sigaction now;
  sigaction(SIGUSR1, NULL, &now);
  printf("SA_RESETHAND: ran %d time, handler now default: %s\n", (int)hits, now.sa_handler == SIG_DFL ? "yes" : "no");

  depth = max_depth = raised = 0;
  on(SIGUSR1, reenter, SA_NODEFER);
  raise(SIGUSR1);
  printf("SA_NODEFER: nested depth %d\n", (int)max_depth);
  depth = max_depth = raised = 0;
  on(SIGUSR1, reenter, 0);
  raise(SIGUSR1);
  printf("without SA_NODEFER: nested depth %d\n", (int)max_depth);
}

static void record(int sig) { order[norder++] = sig; }

static void masked_handler(int sig) {
  record(sig);
  raise(SIGUSR2); /* in sa_mask: must wait until this handler returns */
  record(-sig);
}

static void test_masks(void) {
  norder = 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = masked_handler;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGUSR2);
  sigaction(SIGUSR1, &sa, NULL);
  on(SIGUSR2, record, 0);
  raise(SIGUSR1);
  printf("sa_mask defers SIGUSR2 until the handler returns: %s\n",
         norder == 3 && order[0] == SIGUSR1 && order[1] == -SIGUSR1 && order[2] == SIGUSR2 ? "yes" : "no");

  /* Blocked standard signals are pending once however often they are raised. */
  sigset_t block, old, pend;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, &old);
  norder = 0;
  raise(SIGUSR2);
  raise(SIGUSR2);
  sigpending(&pend);
  printf("SIGUSR2 pending while blocked: %s, delivered: %d\n", sigismember(&pend, SIGUSR2) ? "yes" : "no", norder);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("after unblocking, delivered %d time(s)\n", norder);
}

static volatile int rt_values[8], nrt;
static void rt_handler(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  rt_values[nrt++] = (sig - SIGRTMIN) * 100 + si->si_value.sival_int;
}

static void test_realtime(void) {
  on_info(SIGRTMIN, rt_handler, 0);
  on_info(SIGRTMIN + 1, rt_handler, 0);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGRTMIN);
  sigaddset(&block, SIGRTMIN + 1);
  sigprocmask(SIG_BLOCK, &block, &old);
  nrt = 0;
  /* Queued, never merged; delivered lowest number first, each signal's queue in order. */
  union sigval v;
  for (int i = 1; i <= 3; i++) v.sival_int = i, sigqueue(getpid(), SIGRTMIN + 1, v);
  for (int i = 4; i <= 5; i++) v.sival_int = i, sigqueue(getpid(), SIGRTMIN, v);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("realtime signals:");
  for (int i = 0; i < nrt; i++) printf(" %d", rt_values[i]);
  printf("\n");
}

static int pipefd[2];
static void *write_later(void *arg) {
  pthread_t target = *(pthread_t *)arg;
  usleep(50000);
  pthread_kill(target, SIGUSR1); /* interrupts the blocked read */
  usleep(50000);
  if (write(pipefd[1], "x", 1) != 1) abort();
  return NULL;
}

static void test_restart(int flags, const char *what) {
  hits = 0;
  on(SIGUSR1, count, flags);
  if (pipe(pipefd) != 0) abort();
  pthread_t self = pthread_self(), t;
  pthread_create(&t, NULL, write_later, &self);
  char c;
  ssize_t r = read(pipefd[0], &c, 1);
  int e = errno;
  pthread_join(t, NULL);
  if (r < 0 && e == EINTR) printf("%s: read returned EINTR after %d signal\n", what, (int)hits);
  else printf("%s: read returned %zd ('%c') after %d signal\n", what, r, r == 1 ? c : '?', (int)hits);
  close(pipefd[0]);
  close(pipefd[1]);
}

static void test_wait_functions(void) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  kill(getpid(), SIGUSR1);
  siginfo_t si;
  int sig = sigwaitinfo(&set, &si);
  printf("sigwaitinfo: %s, si_code SI_USER: %s, si_pid is ours: %s\n", sig == SIGUSR1 ? "SIGUSR1" : "other",
         si.si_code == SI_USER ? "yes" : "no", si.si_pid == getpid() ? "yes" : "no");
  struct timespec ts = {0, 20000000};
  sig = sigtimedwait(&set, &si, &ts);
  printf("sigtimedwait with nothing pending: %s\n", sig < 0 && errno == EAGAIN ? "EAGAIN" : "other");

  hits = 0;
  on(SIGUSR1, count, 0);
  raise(SIGUSR1); /* blocked: pending */
  sigset_t none;
  sigemptyset(&none);
  int r = sigsuspend(&none);
  printf("sigsuspend: returned %d EINTR %s, handler ran %d\n", r, errno == EINTR ? "yes" : "no", (int)hits);
  sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A thread in a loop that makes no system calls stops only when its handler runs. */
static volatile int stop_spinning;
static void stop(int sig) { (void)sig, stop_spinning = 1; }
static void *spin(void *arg) {
  uint64_t x = 1;
  while (!stop_spinning) x = x * 6364136223846793005ull + 1442695040888963407ull;
  *(uint64_t *)arg = x;
  return NULL;
}

static void test_threads_and_timer(void) {
  on(SIGUSR1, stop, 0);
  stop_spinning = 0;
  uint64_t out;
  pthread_t t;
  pthread_create(&t, NULL, spin, &out);
  usleep(20000);
  pthread_kill(t, SIGUSR1);
  pthread_join(t, NULL);
  printf("pthread_kill stopped a spinning thread: yes\n");

  /* A POSIX timer's SIGALRM interrupts this thread's own busy loop. */
  on(SIGALRM, stop, 0);
  stop_spinning = 0;
  timer_t tid;
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGALRM;
  if (timer_create(CLOCK_MONOTONIC, &sev, &tid) != 0) abort();
  struct itimerspec its = {{0, 0}, {0, 30000000}};
  timer_settime(tid, 0, &its, NULL);
  spin(&out);
  timer_delete(tid);
  printf("timer signal stopped a busy loop: yes\n");
}

/* A fault handler that makes the page accessible and returns: the access is retried. */
static char *guarded;
static void *volatile fault_addr;
static void repair(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  fault_addr = si->si_addr;
  mprotect(guarded, 4096, PROT_READ | PROT_WRITE);
}

static void test_fault_repair(void) {
  guarded = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  on_info(SIGSEGV, repair, 0);
  volatile char *p = guarded + 123;
  *p = 42;
  printf("fault repaired and resumed: value %d, si_addr exact: %s\n", guarded[123], fault_addr == guarded + 123 ? "yes" : "no");
  signal(SIGSEGV, SIG_DFL);
}

static volatile int chld_status, chld_code;
static void on_chld(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)uc;
  chld_status = si->si_status;
  chld_code = si->si_code;
}

static void test_sigchld(void) {
  on_info(SIGCHLD, on_chld, SA_RESTART);
  pid_t pid = fork();
  if (pid == 0) _exit(7);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  printf("SIGCHLD: si_code CLD_EXITED %s, si_status %d, wait status %d\n", chld_code == CLD_EXITED ? "yes" : "no",
         (int)chld_status, WEXITSTATUS(st));
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  test_resethand_nodefer();
  test_masks();
  test_realtime();
  test_restart(SA_RESTART, "SA_RESTART");
  test_restart(0, "no SA_RESTART");
  test_wait_functions();
  test_threads_and_timer();
  test_fault_repair();
  test_sigchld();
  return 0;
}
