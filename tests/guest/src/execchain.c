/* fork/exec/wait chains: the program re-executes itself through /proc/self/exe and by path,
   several levels deep, each level waiting for the next and passing its exit status up; a child
   execs a host program (/bin/sh); execve with a bad path fails with ENOENT in the caller. A
   guest LD_PRELOAD reaches the guest programs down the chain (and never the emulator's own host
   loader, which would complain on stderr about a library it cannot load). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char self_path[4096];

static int run_level(int level) {
  if (level == 0) {
    const char *pre = getenv("LD_PRELOAD");
    printf("level 0: argv chain reached the bottom, LD_PRELOAD=%s\n", pre ? pre : "(unset)");
    return 3;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    char arg[16];
    snprintf(arg, sizeof arg, "%d", level - 1);
    /* Odd levels through /proc/self/exe, even ones by the program's own path. */
    const char *path = (level & 1) ? "/proc/self/exe" : self_path;
    char *argv[] = {"execchain", arg, NULL};
    execv(path, argv);
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  int child = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  printf("level %d: child exited with %d\n", level, child);
  return child + 1;
}

int main(int argc, char **argv) {
  ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (n <= 0) return 100;
  self_path[n] = 0;
  if (argc > 1) return run_level(atoi(argv[1]));

  setenv("LD_PRELOAD", "/nonexistent/guest-preload.so", 1);
  int status = run_level(4);
  unsetenv("LD_PRELOAD");
  printf("top: chain returned %d\n", status);

  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", "echo host shell ran; exit 9", (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  printf("host program exit status: %d\n", WEXITSTATUS(st));

  char *bad[] = {"nope", NULL};
  int r = execv("/nonexistent/program", bad);
  printf("execv of a missing file: %d, ENOENT %s\n", r, errno == ENOENT ? "yes" : "no");
  return 0;
}
