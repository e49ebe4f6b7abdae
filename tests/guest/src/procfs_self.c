/* /proc files of this process as its kernel shows them, whatever way they are named: the maps of
   /proc/thread-self and /proc/<pid>/task/<tid> are the guest's (mimic showed the host's own map
   there), and /proc/self/stat describes the guest's memory (mimic passed the host's through: a
   vsize of the whole 64 TiB reservation, mimic's own code and stack addresses). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char* slurp(const char* path) {
  static char bufs[8][65536];
  static int next;
  char* b = bufs[next++ & 7];
  FILE* f = fopen(path, "r");
  if (!f) return strcpy(b, "(cannot open)");
  size_t n = fread(b, 1, sizeof bufs[0] - 1, f);
  b[n] = 0;
  fclose(f);
  return b;
}

/* True when the maps text has a line whose range holds addr. */
static int maps_hold(const char* maps, unsigned long addr) {
  for (const char* l = maps; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : 0) {
    unsigned long lo, hi;
    if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && lo <= addr && addr < hi) return 1;
  }
  return 0;
}

static int thread_data;

static void* thread_main(void* arg) {
  (void)arg;
  char path[128];
  const char* self = slurp("/proc/self/maps");
  int local;
  /* The thread's stack is a guest mapping; the maps files of every name must hold it. */
  const char* names[3] = {"/proc/thread-self/maps", path, path + 64};
  snprintf(path, 64, "/proc/self/task/%ld/maps", (long)syscall(SYS_gettid));
  snprintf(path + 64, 64, "/proc/%d/task/%ld/maps", getpid(), (long)syscall(SYS_gettid));
  for (int i = 0; i < 3; i++) {
    const char* m = slurp(names[i]);
    printf("%s: holds this thread's stack %s, holds main's data %s, same lines as /proc/self/maps %s\n",
           i == 0 ? "/proc/thread-self/maps" : i == 1 ? "/proc/self/task/TID/maps" : "/proc/PID/task/TID/maps",
           maps_hold(m, (unsigned long)&local) ? "yes" : "no", maps_hold(m, (unsigned long)&thread_data) ? "yes" : "no",
           maps_hold(self, (unsigned long)&local) && strlen(m) > 0 ? "yes" : "no");
  }
  return 0;
}

static unsigned long field(const char* stat, int n) {
  const char* p = strrchr(stat, ')');
  if (!p) return 0;
  p += 2;
  for (int i = 3; i < n && p; i++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : 0;
  return p ? strtoul(p, 0, 10) : 0;
}

int main(int argc, char** argv) {
  (void)argc;
  pthread_t t;
  pthread_create(&t, 0, thread_main, 0);
  pthread_join(t, 0);

  const char* stat = slurp("/proc/self/stat");
  const char* maps = slurp("/proc/self/maps");
  unsigned long total = 0;
  for (const char* l = maps; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : 0) {
    unsigned long lo, hi;
    if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && lo != 0xffffffffff600000ul) total += hi - lo; /* not [vsyscall] */
  }
  unsigned long vsize = field(stat, 23), start_code = field(stat, 26), end_code = field(stat, 27);
  unsigned long start_stack = field(stat, 28), arg_start = field(stat, 48), arg_end = field(stat, 49);
  unsigned long env_start = field(stat, 50), env_end = field(stat, 51);
  printf("stat: pid %s\n", field(stat, 1) == 0 && atoi(stat) == getpid() ? "matches getpid" : "differs");
  /* Linux's total_vm and the lines differ by a page or so (the stack grows; the vdso pages). */
  long diff = (long)(vsize - total);
  printf("stat: vsize is the size of the maps lines, within 64 KiB: %s\n", diff > -65536 && diff < 65536 ? "yes" : "no");
  printf("stat: main lies in [startcode, endcode): %s\n",
         start_code <= (unsigned long)main && (unsigned long)main < end_code ? "yes" : "no");
  printf("stat: startstack lies in a mapping and above argv: %s\n",
         maps_hold(maps, start_stack) && start_stack < (unsigned long)argv ? "yes" : "no");
  printf("stat: argv[0] is at arg_start: %s, arguments end at arg_end: %s\n",
         (unsigned long)argv[0] == arg_start ? "yes" : "no",
         arg_end == (unsigned long)argv[0] + strlen(argv[0]) + 1 ? "yes" : "no");
  printf("stat: the environment lies in [env_start, env_end): %s\n",
         environ[0] && env_start == (unsigned long)environ[0] && env_end > env_start ? "yes" : "no");
  printf("stat: kstkesp and kstkeip: %lu %lu\n", field(stat, 29), field(stat, 30));
  const char* tstat = slurp("/proc/thread-self/stat");
  printf("/proc/thread-self/stat: vsize as /proc/self/stat's: %s\n", field(tstat, 23) == vsize ? "yes" : "no");
  return 0;
}
