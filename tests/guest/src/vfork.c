/* vfork semantics programs rely on: posix_spawn reports a program that cannot be executed as its
   own error (glibc's child writes the exec's errno into the parent's memory, shared through
   CLONE_VM|CLONE_VFORK, then exits 127), and vfork's parent is suspended until the child execs or
   exits, seeing what the child wrote to memory before. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static volatile int shared_word;
static char shared_text[8192];

static void spawn(const char* what, const char* path, int use_path) {
  pid_t pid = -1;
  char* args[] = {(char*)path, "child", NULL};
  int r = use_path ? posix_spawnp(&pid, path, NULL, NULL, args, environ)
                   : posix_spawn(&pid, path, NULL, NULL, args, environ);
  printf("%s: posix_spawn%s = %s", what, use_path ? "p" : "", r ? strerror(r) : "0");
  if (r == 0) {
    int st = 0;
    waitpid(pid, &st, 0);
    printf(", child exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  }
  printf("\n");
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return 5;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = 0;
  char noexec[64];
  snprintf(noexec, sizeof noexec, "/tmp/vfork-noexec-%d", (int)getpid());
  close(open(noexec, O_CREAT | O_WRONLY, 0644));

  spawn("a program", self, 0);
  spawn("a missing file", "/nonexistent/program", 0);
  spawn("a file without execute permission", noexec, 0);
  spawn("a name on no PATH folder", "no-such-program-anywhere", 1);
  unlink(noexec);

  /* The child's stores reach the parent, which runs again only once the child has exited. */
  pid_t pid = vfork();
  if (pid == 0) {
    usleep(100 * 1000);
    shared_word = 42;
    strcpy(shared_text + 4000, "written by the vfork child across a page boundary");
    _exit(3);
  }
  printf("after vfork: word %d, text '%s'\n", shared_word, shared_text + 4000);
  int st = 0;
  waitpid(pid, &st, 0);
  printf("vfork child exit status %d\n", WEXITSTATUS(st));

  /* A child that execs: the parent resumes at the exec. */
  shared_word = 0;
  pid = vfork();
  if (pid == 0) {
    shared_word = 7;
    char* args[] = {"vforked", "child", NULL};
    execve(self, args, environ);
    _exit(126);
  }
  printf("after vfork and exec: word %d\n", shared_word);
  waitpid(pid, &st, 0);
  printf("exec'd child exit status %d\n", WEXITSTATUS(st));
  return 0;
}
