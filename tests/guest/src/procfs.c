#define _GNU_SOURCE
/* /proc as the guest must see it: /proc/self/exe names this program (not the emulator),
   /proc/self/maps lists the program and its stack, /proc/self/auxv holds the auxiliary vector,
   /proc/self/cmdline the arguments, /proc/self/comm the program file (renamed by
   pthread_setname_np), and /proc/cpuinfo describes the guest's CPU. */
#include <elf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static size_t slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = 0;
  fclose(f);
  return n;
}

static const char *base(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static char buf[1 << 20];

int main(int argc, char **argv) {
  char exe[PATH_MAX] = "";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) exe[n] = 0;
  printf("exe: %s\n", base(exe));
  printf("exe is argv[0]'s file: %s\n", strcmp(base(exe), base(argv[0])) == 0 ? "yes" : "no");

  slurp("/proc/self/maps", buf, sizeof buf);
  printf("maps names the program: %s\n", strstr(buf, exe) ? "yes" : "no");
  printf("maps has [stack]: %s\n", strstr(buf, "[stack]") ? "yes" : "no");
  unsigned long code = (unsigned long)&main, lo = 0, hi = 0;
  int found = 0;
  for (char *line = buf; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
    char perms[5] = "";
    if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo <= code && code < hi)
      found = perms[0] == 'r' && perms[2] == 'x';
  }
  printf("main is in an r-x mapping: %s\n", found ? "yes" : "no");

  size_t len = slurp("/proc/self/auxv", buf, sizeof buf);
  unsigned long pagesz = 0, entry = 0;
  for (size_t i = 0; i + 2 * sizeof(long) <= len; i += 2 * sizeof(long)) {  /* pairs of longs */
    unsigned long k, v;
    memcpy(&k, buf + i, sizeof k);
    memcpy(&v, buf + i + sizeof k, sizeof v);
    if (k == AT_PAGESZ) pagesz = v;
    if (k == AT_ENTRY) entry = v;
  }
  printf("auxv AT_PAGESZ: %lu\n", pagesz);
  printf("auxv AT_ENTRY matches getauxval: %s\n", entry == getauxval(AT_ENTRY) ? "yes" : "no");

  len = slurp("/proc/self/cmdline", buf, sizeof buf);
  printf("cmdline:");
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) printf(" [%s]", i == 0 ? base(buf) : buf + i);
  printf("\n");

  /* The process is named after the program file (comm), and threads can rename themselves. */
  slurp("/proc/self/comm", buf, sizeof buf);
  printf("comm: %s", buf);
  pthread_setname_np(pthread_self(), "renamed-main");
  char name[32] = "";
  pthread_getname_np(pthread_self(), name, sizeof name);
  slurp("/proc/self/status", buf, sizeof buf);
  char *nl = strchr(buf, '\n');
  if (nl) *nl = 0;
  printf("after pthread_setname_np: %s, status %s\n", name, buf);

  slurp("/proc/cpuinfo", buf, sizeof buf);
  int processors = 0;
  for (char *p = buf; (p = strstr(p, "processor\t:")); p++) processors++;
  printf("cpuinfo lists every online CPU: %s\n", processors == sysconf(_SC_NPROCESSORS_ONLN) ? "yes" : "no");
  /* The first processor's architecture-specific lines. */
  char *end = strstr(buf, "\n\n");
  if (end) *end = 0;
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
    if (strncmp(line, "processor", 9) != 0 && strncmp(line, "BogoMIPS", 8) != 0) printf("cpuinfo %s\n", line);
  return 0;
}
