/* riscv_hwprobe (syscall 258): every key Linux 6.12 defines and two it does not, the extension
   bits against AT_HWCAP, the CPU-set forms (all online CPUs, one CPU, RISCV_HWPROBE_WHICH_CPUS)
   and the errors (arch/riscv/kernel/sys_hwprobe.c). The expected values are what Linux documents
   (Documentation/arch/riscv/hwprobe.rst) for the extensions mimic implements and advertises in
   /proc/cpuinfo: IMAFDC, Zba, Zbb, Zbs, and V with -cpu rv64,v=true. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct pair {
  int64_t key;
  uint64_t value;
};

static long hwprobe(struct pair* p, size_t n, size_t setsize, void* set, unsigned flags) {
  long r = syscall(258, p, n, setsize, set, flags);
  return r < 0 ? -errno : r;
}

static const char* const ext_names[64] = {
    [0] = "FD",        [1] = "C",        [2] = "V",         [3] = "ZBA",      [4] = "ZBB",     [5] = "ZBS",
    [6] = "ZICBOZ",    [7] = "ZBC",      [8] = "ZBKB",      [9] = "ZBKC",     [10] = "ZBKX",   [11] = "ZKND",
    [12] = "ZKNE",     [13] = "ZKNH",    [14] = "ZKSED",    [15] = "ZKSH",    [16] = "ZKT",    [17] = "ZVBB",
    [18] = "ZVBC",     [19] = "ZVKB",    [20] = "ZVKG",     [21] = "ZVKNED",  [22] = "ZVKNHA", [23] = "ZVKNHB",
    [24] = "ZVKSED",   [25] = "ZVKSH",   [26] = "ZVKT",     [27] = "ZFH",     [28] = "ZFHMIN", [29] = "ZIHINTNTL",
    [30] = "ZVFH",     [31] = "ZVFHMIN", [32] = "ZFA",      [33] = "ZTSO",    [34] = "ZACAS",  [35] = "ZICOND",
    [36] = "ZIHINTPAUSE", [37] = "ZVE32X", [38] = "ZVE32F", [39] = "ZVE64X", [40] = "ZVE64F", [41] = "ZVE64D",
    [42] = "ZIMOP",    [43] = "ZCA",     [44] = "ZCB",      [45] = "ZCD",     [46] = "ZCF",    [47] = "ZCMOP",
    [48] = "ZAWRS",
};

int main(void) {
  /* Every key at once, for all online CPUs (NULL and 0). */
  struct pair all[13];
  for (int k = 0; k <= 10; k++) all[k].key = k, all[k].value = 0x5a5a;
  all[11].key = 11, all[11].value = 0x5a5a; /* a vendor key Linux 6.12 does not have */
  all[12].key = -5, all[12].value = 0x5a5a;
  printf("all keys: %ld\n", hwprobe(all, 13, 0, NULL, 0));
  for (int i = 0; i < 13; i++) printf("  key %lld -> key %lld value 0x%llx\n", (long long)(i == 12 ? -5 : i),
                                      (long long)all[i].key, (unsigned long long)all[i].value);
  printf("IMA_EXT_0:");
  for (int b = 0; b < 64; b++)
    if (all[4].value >> b & 1) printf(" %s", ext_names[b] ? ext_names[b] : "?");
  printf("\n");
  unsigned long hwcap = getauxval(AT_HWCAP);
  printf("V in AT_HWCAP %s, in IMA_EXT_0 %s\n", hwcap & (1 << ('V' - 'A')) ? "yes" : "no",
         all[4].value & 4 ? "yes" : "no");
  printf("FD and C in AT_HWCAP %s\n",
         (hwcap & (1 << 3)) && (hwcap & (1 << 5)) && (hwcap & (1 << 2)) ? "yes" : "no");

  /* One CPU, given as a cpu_set_t. */
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  struct pair one = {4, 0};
  printf("cpu 0 only: %ld, IMA_EXT_0 same as all: %s\n", hwprobe(&one, 1, sizeof set, &set, 0),
         one.value == all[4].value ? "yes" : "no");
  printf("no pairs: %ld\n", hwprobe(NULL, 0, 0, NULL, 0));

  /* Errors. */
  CPU_ZERO(&set);
  printf("empty cpu set: %ld\n", hwprobe(&one, 1, sizeof set, &set, 0));
  CPU_SET(1000, &set); /* beyond every online CPU */
  printf("only an offline cpu: %ld\n", hwprobe(&one, 1, sizeof set, &set, 0));
  printf("cpu set size without a set: %ld\n", hwprobe(&one, 1, 8, NULL, 0));
  printf("unknown flag: %ld\n", hwprobe(&one, 1, 0, NULL, 2));
  printf("pairs at a bad address: %ld\n", hwprobe((struct pair*)16, 1, 0, NULL, 0));
  struct pair* ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ro[0].key = 3;
  mprotect(ro, 4096, PROT_READ);
  printf("read-only pairs: %ld (key still %lld)\n", hwprobe(ro, 1, 0, NULL, 0), (long long)ro[0].key);

  /* RISCV_HWPROBE_WHICH_CPUS: which CPUs have all of these values. */
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  struct {
    const char* what;
    struct pair p;
  } which[] = {
      {"IMA_EXT_0 has FD|C", {4, 3}},
      {"IMA_EXT_0 has ZICBOZ", {4, 1 << 6}},
      {"BASE_BEHAVIOR has IMA", {3, 1}},
      {"MVENDORID is 0", {0, 0}},
      {"MVENDORID is 5", {0, 5}},
      {"CPUPERF_0 has FAST", {5, 3}},
      {"TIME_CSR_FREQ is 10 MHz", {8, 10000000}},
      {"unknown key 99", {99, 1}},
  };
  for (unsigned i = 0; i < sizeof which / sizeof *which; i++) {
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    struct pair p = which[i].p;
    long r = hwprobe(&p, 1, sizeof set, &set, 1);
    printf("which cpus, %s: %ld, cpu 0 %s, key now %lld\n", which[i].what, r, CPU_ISSET(0, &set) ? "kept" : "dropped",
           (long long)p.key);
  }
  CPU_ZERO(&set);
  struct pair fd = {4, 1};
  long r = hwprobe(&fd, 1, sizeof set, &set, 1);
  printf("which cpus from an empty set: %ld, all online cpus: %s\n", r, CPU_COUNT(&set) == online ? "yes" : "no");
  printf("which cpus without a set: %ld\n", hwprobe(&fd, 1, 0, NULL, 1));
  return 0;
}
