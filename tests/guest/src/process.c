/* fork + wait statuses, pipes between processes, process ids and uname. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by signal %d\n", what, WTERMSIG(status));
  else printf("%s: other status %#x\n", what, status);
}

int main(void) {
  fflush(stdout);
  int codes[] = {0, 1, 42, 255};
  for (int i = 0; i < 4; i++) {
    pid_t pid = fork();
    if (pid == 0) _exit(codes[i]);
    int st;
    pid_t w = waitpid(pid, &st, 0);
    char what[32];
    snprintf(what, sizeof what, "child exit(%d)", codes[i]);
    if (w != pid) printf("waitpid returned wrong pid\n");
    report(what, st);
  }
  pid_t pid = fork();
  if (pid == 0) {
    pause();
    _exit(0);
  }
  kill(pid, SIGTERM);
  int st;
  waitpid(pid, &st, 0);
  report("child sent SIGTERM", st);
  pid = fork();
  if (pid == 0) {
    raise(SIGKILL);
    _exit(0);
  }
  waitpid(pid, &st, 0);
  report("child raising SIGKILL", st);

  int fds[2];
  pipe(fds);
  pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const char *msg = "message through a pipe";
    write(fds[1], msg, strlen(msg));
    _exit(getppid() > 1 ? 0 : 9);
  }
  close(fds[1]);
  char buf[64] = {0};
  ssize_t n, total = 0;
  while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
  waitpid(pid, &st, 0);
  printf("pipe read: '%s'\n", buf);
  report("pipe writer", st);

  printf("getpid>1: %s\n", getpid() > 1 ? "yes" : "no");
  printf("getppid>0: %s\n", getppid() > 0 ? "yes" : "no");
  struct utsname u;
  uname(&u);
  printf("uname machine: %s sysname: %s\n", u.machine, u.sysname);

  FILE *p = popen("echo from a shell", "r");
  if (p) {
    char line[64] = {0};
    fgets(line, sizeof line, p);
    printf("popen: %s", line);
    report("popen status", pclose(p));
  }
  printf("wait with no children: %d\n", wait(NULL));
  return 0;
}
