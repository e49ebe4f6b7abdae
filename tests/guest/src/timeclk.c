/* Clocks and sleeps: monotonic time advances, sleeps last at least as long as asked. */
#include <stdio.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
  double t0 = now(CLOCK_MONOTONIC);
  struct timespec req = {0, 20 * 1000 * 1000};
  printf("nanosleep: %d\n", nanosleep(&req, NULL));
  double t1 = now(CLOCK_MONOTONIC);
  printf("slept >= 20ms: %s\n", t1 - t0 >= 0.020 ? "yes" : "no");
  printf("slept < 2s: %s\n", t1 - t0 < 2.0 ? "yes" : "no");
  struct timeval tv;
  gettimeofday(&tv, NULL);
  double real = now(CLOCK_REALTIME);
  printf("gettimeofday close to CLOCK_REALTIME: %s\n", (real - tv.tv_sec) < 5 && (real - tv.tv_sec) > -5 ? "yes" : "no");
  printf("time() after 2020: %s\n", time(NULL) > 1577836800 ? "yes" : "no");
  struct timespec res;
  printf("clock_getres: %d\n", clock_getres(CLOCK_MONOTONIC, &res));
  req.tv_nsec = 5 * 1000 * 1000;
  printf("clock_nanosleep: %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL));
  volatile double x = 0;
  for (int i = 0; i < 2000000; i++) x += i * 0.5;
  struct tms t;
  printf("times() ok: %s\n", times(&t) != (clock_t)-1 ? "yes" : "no");
  printf("cpu clock advances: %s\n", now(CLOCK_PROCESS_CPUTIME_ID) > 0 ? "yes" : "no");
  struct tm tm;
  time_t fixed = 1234567890;
  gmtime_r(&fixed, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  printf("gmtime: %s\n", buf);
  return 0;
}
