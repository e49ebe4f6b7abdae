/* Process lifetime with threads: fork while other threads run (the child has one thread and can
 * still translate, fork and run code), the initial thread leaving with pthread_exit while a
 * worker goes on, exit() (exit_group) from that worker ending the process with its status, and
 * exit() from the initial thread while workers are busy running and translating code (it must end
 * them with the process, not tear the emulator down under them). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;
static atomic_long spins;

static void *spinner(void *arg) {
  while (!atomic_load(&stop)) atomic_fetch_add(&spins, 1);
  return NULL;
}

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static void *busy_worker(void *arg) {
  for (;;) {
    void *p = malloc(64 + (size_t)fib(10));
    atomic_fetch_add(&spins, fib(12) > 0);
    free(p);
  }
  return NULL;
}

/* Children whose initial thread calls exit() while two workers allocate and compute. */
static int exit_with_busy_workers(int children) {
  int clean = 0;
  for (int i = 0; i < children; i++) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      pthread_t t[2];
      for (int k = 0; k < 2; k++) pthread_create(&t[k], NULL, busy_worker, NULL);
      usleep(200 * (i % 5));
      exit(5);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 5)
      clean++;
    else if (WIFSIGNALED(st))
      printf("child %d killed by signal %d\n", i, WTERMSIG(st));
  }
  return clean;
}

static void *last_worker(void *arg) {
  usleep(50000);
  printf("worker outlived main: fib(20) = %ld\n", fib(20));
  fflush(stdout);
  exit(3);
}

int main(void) {
  pthread_t s[2];
  for (int i = 0; i < 2; i++) pthread_create(&s[i], NULL, spinner, NULL);
  while (atomic_load(&spins) < 1000) usleep(1000);
  for (int round = 0; round < 3; round++) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      /* New code to translate, and a grandchild, in a process whose other threads are gone. */
      pid_t g = fork();
      if (g == 0) _exit((int)(fib(15) % 100));
      int st;
      waitpid(g, &st, 0);
      _exit(WEXITSTATUS(st) + round);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("fork round %d: child exit %d\n", round, WEXITSTATUS(st));
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 2; i++) pthread_join(s[i], NULL);
  printf("exit() with busy workers: %d of 60 children exited 5\n", exit_with_busy_workers(60));
  pthread_t w;
  pthread_create(&w, NULL, last_worker, NULL);
  printf("main thread leaves\n");
  fflush(stdout);
  pthread_exit(NULL);
}
