/* Run directly (./whoami) through binfmt_misc: prints what the guest sees of its own start. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv) {
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
