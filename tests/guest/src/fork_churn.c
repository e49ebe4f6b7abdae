/* fork() while other threads start and exit, and fork() from a signal handler: the child must
   run, exit and be reaped every time. mimic's child blocked forever taking the engine's CPU
   registry lock, which a thread starting or exiting in the parent held at the moment of the fork;
   a fork from a handler hung the same way now and then. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop, started;

static void* short_life(void* arg) {
  atomic_fetch_add(&started, 1);
  return arg;
}

/* Threads keep being created and exiting until the forks are done. */
static void* churn(void* arg) {
  (void)arg;
  while (!atomic_load(&stop)) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, short_life, 0);
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
  }
  return 0;
}

static int fork_and_reap(int code) {
  pid_t c = fork();
  if (c < 0) return 0;
  if (c == 0) _exit(code);
  int st;
  while (waitpid(c, &st, 0) < 0) {
  }
  return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static volatile sig_atomic_t handler_ok, handler_runs;

static void on_usr1(int sig) {
  (void)sig;
  handler_ok += fork_and_reap(9);
  handler_runs++;
}

int main(int argc, char** argv) {
  int forks = argc > 1 ? atoi(argv[1]) : 400;
  pthread_t churner[2];
  for (int i = 0; i < 2; i++) pthread_create(&churner[i], 0, churn, 0);
  while (atomic_load(&started) < 8) usleep(100);
  int ok = 0;
  for (int i = 0; i < forks; i++) ok += fork_and_reap(i & 0x7f);
  printf("%d of %d forks beside starting and exiting threads: child ran and was reaped\n", ok, forks);

  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, 0);
  int sig_forks = forks / 4;
  for (int i = 0; i < sig_forks; i++) kill(getpid(), SIGUSR1);
  /* Other threads do not block SIGUSR1, so POSIX lets any of them take it, after kill returns
     (under mimic a churning thread took one in 100 in a suite run): wait for the handlers. */
  for (int i = 0; i < 5000 && handler_runs < sig_forks; i++) usleep(1000);
  printf("%d of %d forks from a signal handler: child ran and was reaped (handler ran %d times)\n", (int)handler_ok,
         sig_forks, (int)handler_runs);
  atomic_store(&stop, 1);
  for (int i = 0; i < 2; i++) pthread_join(churner[i], 0);
  return ok != forks || handler_ok != sig_forks;
}
