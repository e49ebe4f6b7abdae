/* The forms of exec that package scripts and busybox use, with exactly the argv the caller passes:
   /proc/self/exe re-executed with an applet's name as argv[0] (busybox's shell runs its applets
   so), execveat relative to a folder's fd, fexecve of an open file, a "#!" script whose
   interpreter is this program (argv as Linux's binfmt_script builds it), and a signal blocked and
   pending at execve, which Linux keeps pending in the new program. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static const char* base(const char* p) {
  const char* s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { got_usr1 = sig; }

/* The exec'd program: says what it was given. Path-valued arguments are shown by their last
   component (the folders differ between runs). */
static int child(int argc, char** argv) {
  printf("  argc=%d argv[0]=%s", argc, strchr(argv[0], '/') ? base(argv[0]) : argv[0]);
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    if (strncmp(a, "/tmp/execforms-", 15) == 0) a = "<script path>";
    printf(" [%s]", a);
  }
  printf("\n");
  if (getenv("EXECFORMS_PENDING")) {
    sigset_t pending, blocked;
    sigpending(&pending);
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    printf("  SIGUSR1 pending after exec: %s, still blocked: %s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no",
           sigismember(&blocked, SIGUSR1) ? "yes" : "no");
    signal(SIGUSR1, on_usr1);
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);
    printf("  delivered once unblocked: %s\n", got_usr1 == SIGUSR1 ? "yes" : "no");
  }
  fflush(stdout);
  return 7;
}

/* Runs `fn` in a child and reports the exit status it ends with. */
static void run(const char* what, void (*fn)(void)) {
  printf("%s:\n", what);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    printf("  exec failed: %s\n", strerror(errno));
    fflush(stdout);
    _exit(126);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  if (WIFEXITED(st))
    printf("  exit status %d\n", WEXITSTATUS(st));
  else
    printf("  killed by signal %d\n", WTERMSIG(st));
}

static char self[4096];
static char script[64];

static void proc_self_exe(void) {
  char* args[] = {"xz", "child", "-d", "-c", NULL};
  execve("/proc/self/exe", args, environ);
}
static void proc_self_exe_path_argv0(void) {
  char* args[] = {"/usr/bin/unxz", "child", NULL};
  execve("/proc/self/exe", args, environ);
}
static void execveat_dirfd(void) {
  char dir[4096];
  strcpy(dir, self);
  *strrchr(dir, '/') = 0;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  char* args[] = {"via-execveat", "child", "dirfd", NULL};
  syscall(SYS_execveat, dfd, base(self), args, environ, 0);
}
static void execveat_symlink_nofollow(void) {
  char link[64];
  snprintf(link, sizeof link, "/tmp/execforms-%d.lnk", (int)getppid());
  char* args[] = {"via-link", "child", NULL};
  syscall(SYS_execveat, AT_FDCWD, link, args, environ, AT_SYMLINK_NOFOLLOW);
}
static void fexecve_fd(void) {
  int fd = open(self, O_RDONLY | O_CLOEXEC);
  char* args[] = {"via-fexecve", "child", "fd", NULL};
  fexecve(fd, args, environ);
}
static void shebang(void) {
  char* args[] = {"ignored-argv0", "extra", "two words", NULL};
  execve(script, args, environ);
}
static void pending_signal(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGUSR1, on_usr1); /* a handler: exec resets it to SIG_DFL, the signal stays pending */
  raise(SIGUSR1);
  setenv("EXECFORMS_PENDING", "1", 1);
  char* args[] = {"pending", "child", NULL};
  execve("/proc/self/exe", args, environ);
}

int main(int argc, char** argv) {
  if (argc > 1 && strncmp(argv[1], "child", 5) == 0) return child(argc, argv);
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    printf("readlink /proc/self/exe: %s\n", strerror(errno));
    return 1;
  }
  self[n] = 0;
  snprintf(script, sizeof script, "/tmp/execforms-%d.sh", (int)getpid());
  FILE* f = fopen(script, "w");
  fprintf(f, "#!%s child  one  arg \n", self);
  fclose(f);
  chmod(script, 0755);
  char link[64];
  snprintf(link, sizeof link, "/tmp/execforms-%d.lnk", (int)getpid());
  symlink(self, link);

  run("/proc/self/exe with an applet's name as argv[0]", proc_self_exe);
  run("/proc/self/exe with a path as argv[0]", proc_self_exe_path_argv0);
  run("execveat of a name relative to a folder fd", execveat_dirfd);
  run("execveat AT_SYMLINK_NOFOLLOW of a link", execveat_symlink_nofollow);
  run("fexecve of an open file", fexecve_fd);
  run("a #! script whose interpreter is this program", shebang);
  run("a signal blocked and pending across execve", pending_signal);
  unlink(script);
  unlink(link);
  return 0;
}
