/* Process lifetime with threads: fork while other threads run (the child has one thread and can
 * still translate, fork and run code), the initial thread leaving with pthread_exit while a
 * worker goes on, and exit() (exit_group) from that worker ending the process with its status. */
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
  pthread_t w;
  pthread_create(&w, NULL, last_worker, NULL);
  printf("main thread leaves\n");
  fflush(stdout);
  pthread_exit(NULL);
}
