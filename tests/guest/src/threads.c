/* pthreads under contention: mutex, atomics, condition variables, barriers, thread-local storage,
 * a signal sent to one thread (pthread_kill/tgkill), robust mutexes whose owner dies, joins. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 8
#define ITERS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_counter;
static atomic_long atomic_counter;
static _Thread_local int tls_value;
static pthread_barrier_t barrier;

static void *worker(void *arg) {
  int id = (int)(long)arg;
  tls_value = id * 100;
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < ITERS; i++) {
    pthread_mutex_lock(&lock);
    locked_counter++;
    pthread_mutex_unlock(&lock);
    atomic_fetch_add(&atomic_counter, 1);
  }
  return (void *)(long)(tls_value + id);  /* each thread kept its own TLS */
}

/* Producer/consumer over a condition variable. */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static int queue[16], qhead, qtail, done;
static void *consumer(void *arg) {
  long sum = 0;
  for (;;) {
    pthread_mutex_lock(&qlock);
    while (qhead == qtail && !done) pthread_cond_wait(&qcond, &qlock);
    if (qhead == qtail && done) {
      pthread_mutex_unlock(&qlock);
      break;
    }
    sum += queue[qhead++ % 16];
    pthread_cond_broadcast(&qcond);
    pthread_mutex_unlock(&qlock);
  }
  return (void *)sum;
}

static volatile pid_t handler_tid;
static void on_usr1(int sig) { handler_tid = (pid_t)syscall(SYS_gettid); }
static atomic_int target_ready;
static volatile pid_t target_tid;
static void *signal_target(void *arg) {
  target_tid = (pid_t)syscall(SYS_gettid);
  atomic_store(&target_ready, 1);
  while (!handler_tid) usleep(1000);
  return NULL;
}

static pthread_mutex_t robust;
static void *die_holding(void *arg) {
  pthread_mutex_lock(&robust);
  return NULL;  /* exits while owning the robust mutex */
}

int main(void) {
  pthread_t t[THREADS];
  pthread_barrier_init(&barrier, NULL, THREADS);
  for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
  int tls_ok = 1;
  for (long i = 0; i < THREADS; i++) {
    void *r;
    pthread_join(t[i], &r);
    tls_ok &= (long)r == i * 101;
  }
  printf("mutex counter %ld (expect %d), atomic counter %ld, tls ok %d\n", locked_counter, THREADS * ITERS,
         (long)atomic_counter, tls_ok);

  pthread_t c[3];
  for (int i = 0; i < 3; i++) pthread_create(&c[i], NULL, consumer, NULL);
  for (int i = 1; i <= 3000; i++) {
    pthread_mutex_lock(&qlock);
    while (qtail - qhead == 16) pthread_cond_wait(&qcond, &qlock);
    queue[qtail++ % 16] = i;
    pthread_cond_broadcast(&qcond);
    pthread_mutex_unlock(&qlock);
  }
  pthread_mutex_lock(&qlock);
  done = 1;
  pthread_cond_broadcast(&qcond);
  pthread_mutex_unlock(&qlock);
  long total = 0;
  for (int i = 0; i < 3; i++) {
    void *r;
    pthread_join(c[i], &r);
    total += (long)r;
  }
  printf("consumers summed %ld (expect %d)\n", total, 3000 * 3001 / 2);

  signal(SIGUSR1, on_usr1);
  pthread_t st;
  pthread_create(&st, NULL, signal_target, NULL);
  while (!atomic_load(&target_ready)) usleep(1000);
  pthread_kill(st, SIGUSR1);
  pthread_join(st, NULL);
  printf("signal ran on the target thread: %d, not on main: %d\n", handler_tid == target_tid,
         handler_tid != (pid_t)syscall(SYS_gettid));

  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &ma);
  pthread_t d;
  pthread_create(&d, NULL, die_holding, NULL);
  pthread_join(d, NULL);
  int r = pthread_mutex_lock(&robust);
  printf("robust mutex after its owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
  if (r == EOWNERDEAD) pthread_mutex_consistent(&robust);
  pthread_mutex_unlock(&robust);
  return 0;
}
