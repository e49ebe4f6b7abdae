/* A fork child starts with no pending signal (Linux: "the child's set of pending signals is
   initially empty"): while another process keeps signalling the parent, no child may run the
   parent's handler. mimic's host handler had recorded a signal that arrived during the fork (the
   kernel restarts a fork so that the parent's handler runs first) in memory the child copied, and
   the child then delivered it too (one fork in six). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t handled_in;
static volatile int handled;

static void on_usr1(int sig) {
  (void)sig;
  handled_in = getpid();
  handled++;
}

int main(void) {
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, 0);
  pid_t parent = getpid();
  pid_t sender = fork();
  if (sender == 0) {
    for (;;)
      if (kill(parent, SIGUSR1) != 0) _exit(0);
  }
  while (!handled) usleep(1000);
  int bad = 0, forks = 150;
  for (int i = 0; i < forks; i++) {
    pid_t c = fork();
    if (c == 0) {
      usleep(500);
      _exit(handled_in == getpid());
    }
    int st;
    while (waitpid(c, &st, 0) < 0) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st)) bad++;
  }
  kill(sender, SIGKILL);
  waitpid(sender, 0, 0);
  printf("%d forks under a stream of SIGUSR1: %d children ran the parent's handler; the parent ran it: %s\n", forks,
         bad, handled > 0 ? "yes" : "no");
  return bad != 0;
}
