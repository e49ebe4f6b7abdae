/* Run directly (./whoami) through binfmt_misc: prints what the guest sees of its own start.
   "whoami exec PROG ARGS..." instead executes PROG (a guest program, inside a chroot). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "exec") == 0) {
    execv(argv[2], argv + 2);
    perror("execv");
    return 127;
  }
  printf("argv0=%s\n", argv[0]);
  for (int i = 1; i < argc; i++) printf("arg%d=%s\n", i, argv[i]);
  char exe[PATH_MAX] = "";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) exe[n] = 0;
  printf("exe=%s\n", exe);
  const char *execfn = (const char *)getauxval(AT_EXECFN);
  printf("execfn=%s\n", execfn ? execfn : "(none)");
  return argc;
}
