/* POSIX message queues: open with attributes, send with priorities, receive highest first,
   getattr/setattr (O_NONBLOCK), a timed receive that times out, EAGAIN on an empty non-blocking
   queue, a signal notification, unlink. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int notified;
static void on_usr1(int sig) { (void)sig, notified++; }

int main(void) {
  char name[64];
  snprintf(name, sizeof name, "/mimic-mq-%d", (int)getpid());
  struct mq_attr attr = {0, 4, 64, 0};
  mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
  if (q == (mqd_t)-1) {
    printf("mq_open: %s\n", strerror(errno));
    return 1;
  }
  mq_send(q, "low", 4, 1);
  mq_send(q, "high", 5, 9);
  mq_send(q, "mid", 4, 5);
  struct mq_attr now;
  mq_getattr(q, &now);
  printf("attr: maxmsg %ld, msgsize %ld, curmsgs %ld\n", now.mq_maxmsg, now.mq_msgsize, now.mq_curmsgs);
  char buf[64];
  unsigned prio;
  for (int i = 0; i < 3; i++) {
    ssize_t n = mq_receive(q, buf, sizeof buf, &prio);
    printf("received %zd '%s' priority %u\n", n, buf, prio);
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 20000000;
  if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
  ssize_t n = mq_timedreceive(q, buf, sizeof buf, &prio, &ts);
  printf("timed receive on an empty queue: %zd (%s)\n", n, errno == ETIMEDOUT ? "ETIMEDOUT" : strerror(errno));
  struct mq_attr nb = {O_NONBLOCK, 0, 0, 0}, old;
  mq_setattr(q, &nb, &old);
  mq_getattr(q, &now);
  printf("O_NONBLOCK before %d, after %d\n", (old.mq_flags & O_NONBLOCK) != 0, (now.mq_flags & O_NONBLOCK) != 0);
  n = mq_receive(q, buf, sizeof buf, &prio);
  printf("non-blocking receive: %zd (%s)\n", n, errno == EAGAIN ? "EAGAIN" : strerror(errno));

  signal(SIGUSR1, on_usr1);
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  ev.sigev_notify = SIGEV_SIGNAL;
  ev.sigev_signo = SIGUSR1;
  printf("mq_notify: %d\n", mq_notify(q, &ev));
  mq_send(q, "ping", 5, 0);
  for (int i = 0; i < 100 && !notified; i++) usleep(1000);
  printf("notified %d time(s)\n", notified);
  mq_close(q);
  int unlinked = mq_unlink(name);
  mqd_t again = mq_open(name, O_RDONLY);
  printf("unlink: %d, open again: %s\n", unlinked, again == (mqd_t)-1 && errno == ENOENT ? "ENOENT" : "exists");
  return 0;
}
