/* Guest signal handlers: faults with siglongjmp, raise, masks, pending signals, SIGCHLD, alarms. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile sig_atomic_t got[65];
static volatile int info_code;

static void on_fault(int sig, siginfo_t *si, void *uc) {
  got[sig]++;
  info_code = si->si_code;
  siglongjmp(jb, sig);
}
static void on_sig(int sig) { got[sig]++; }

static char altstack[65536];
static volatile int on_alt;
static void on_usr2(int sig) {
  char local;
  on_alt = &local >= altstack && &local < altstack + sizeof altstack;
  got[sig]++;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);

  int r = sigsetjmp(jb, 1);
  if (r == 0) *(volatile int *)16 = 5;
  printf("SIGSEGV caught: %d (si_code %d)\n", r == SIGSEGV, info_code);
  r = sigsetjmp(jb, 1);
#if defined(__arm__)
  if (r == 0) __asm__ volatile("udf #0");  // .word 0 is two Thumb MOVS r0, r0
#else
  if (r == 0) __asm__ volatile(".word 0");
#endif
  printf("SIGILL caught: %d (si_code %d)\n", r == SIGILL, info_code);
  r = sigsetjmp(jb, 1);
#if defined(__aarch64__)
  if (r == 0) __asm__ volatile("brk #0");
#elif defined(__arm__)
  if (r == 0) __asm__ volatile("bkpt #0");
#else
  if (r == 0) __asm__ volatile("ebreak");
#endif
  printf("SIGTRAP caught: %d\n", r == SIGTRAP);
  for (int i = 0; i < 3; i++) {
    r = sigsetjmp(jb, 1);
    if (r == 0) *(volatile int *)8 = 1;
  }
  printf("repeated faults caught: %d\n", got[SIGSEGV]);

  signal(SIGUSR1, on_sig);
  raise(SIGUSR1);
  printf("SIGUSR1 handled: %d\n", got[SIGUSR1]);

  sigset_t set, old, pend;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR1);
  sigpending(&pend);
  printf("blocked SIGUSR1 pending: %d, handled yet: %d\n", sigismember(&pend, SIGUSR1), got[SIGUSR1]);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("after unblock handled: %d\n", got[SIGUSR1]);

  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa2 = {0};
  sa2.sa_handler = on_usr2;
  sa2.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR2, &sa2, NULL);
  raise(SIGUSR2);
  printf("SIGUSR2 on alternate stack: %d\n", on_alt);

  signal(SIGCHLD, on_sig);
  pid_t pid = fork();
  if (pid == 0) _exit(3);
  int st;
  while (waitpid(pid, &st, 0) < 0) {
  }
  printf("SIGCHLD received: %d, child status %d\n", got[SIGCHLD] > 0, WEXITSTATUS(st));

  signal(SIGALRM, on_sig);
  struct itimerval it = {{0, 0}, {0, 20000}};
  setitimer(ITIMER_REAL, &it, NULL);
  sigset_t none;
  sigemptyset(&none);
  while (!got[SIGALRM]) sigsuspend(&none);
  printf("SIGALRM via sigsuspend: %d\n", got[SIGALRM]);

  signal(SIGTERM, on_sig);
  kill(getpid(), SIGTERM);
  printf("SIGTERM handled: %d\n", got[SIGTERM]);
  signal(SIGTERM, SIG_IGN);
  kill(getpid(), SIGTERM);
  printf("SIGTERM ignored: still alive\n");

  struct sigaction q;
  sigaction(SIGUSR2, NULL, &q);
  printf("sigaction query keeps SA_ONSTACK: %d\n", (q.sa_flags & SA_ONSTACK) != 0);

  pid = fork();
  if (pid == 0) {
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    _exit(0);
  }
  waitpid(pid, &st, 0);
  printf("child default SIGTERM: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));
  return 0;
}
