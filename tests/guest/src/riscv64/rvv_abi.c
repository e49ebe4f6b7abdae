// What Linux (6.5+) gives a program that uses V: AT_HWCAP's 'V' bit, the isa line of
// /proc/cpuinfo, and the V record of the signal frame (arch/riscv/kernel/signal.c): a vector load
// that faults on its 5th element shows vstart 4 there, resumes from it after the handler maps the
// page, and vector registers a handler clobbers are restored by sigreturn. Run with -cpu rv64,v=true.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

// arch/riscv/include/uapi/asm/sigcontext.h (Debian 12's headers predate it).
#define RISCV_V_MAGIC 0x53465457
struct ctx_hdr {
  uint32_t magic, size;
};
struct v_state {
  unsigned long vstart, vl, vtype, vcsr, vlenb;
  void* datap;
};

static char* page2;
static long page;
static unsigned long seen_vstart = ~0ul, seen_vl, seen_vlenb;
static int seen_records;

static const struct v_state* find_v(ucontext_t* uc) {
  // The first record header is the last 8 bytes of the 528-byte FP state union.
  uint8_t* fp = (uint8_t*)&uc->uc_mcontext.__fpregs;
  struct ctx_hdr* h = (struct ctx_hdr*)(fp + 520);
  for (int n = 0; n < 4 && h->magic && h->size >= 8 && h->size < 4096; n++) {
    seen_records++;
    if (h->magic == RISCV_V_MAGIC) return (const struct v_state*)(h + 1);
    h = (struct ctx_hdr*)((uint8_t*)h + h->size);
  }
  return 0;
}

static void on_segv(int sig, siginfo_t* si, void* ucv) {
  const struct v_state* v = find_v(ucv);
  if (v) {
    seen_vstart = v->vstart;
    seen_vl = v->vl;
    seen_vlenb = v->vlenb;
  }
  printf("SIGSEGV at page2%+ld\n", (long)((char*)si->si_addr - page2));
  mprotect(page2, page, PROT_READ | PROT_WRITE);
}

static void on_usr1(int sig) {
  __asm__ volatile(
      "vsetivli zero, 4, e32, m1, ta, ma\n"
      "vmv.v.i v8, -1\n");
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  printf("hwcap V %lu\n", (getauxval(AT_HWCAP) >> ('V' - 'A')) & 1);
  FILE* f = fopen("/proc/cpuinfo", "r");
  char line[512];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "isa", 3)) {
      printf("%s", line);
      break;
    }
  if (f) fclose(f);

  page = sysconf(_SC_PAGESIZE);
  char* mem = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  page2 = mem + page;
  int32_t* v = (int32_t*)(page2 - 16);  // elements 0-3 on the first page, 4-7 on the second
  for (int i = 0; i < 8; i++) v[i] = (i + 1) * 11;
  mprotect(page2, page, PROT_NONE);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  int32_t out[8];
  __asm__ volatile(
      "vsetivli zero, 8, e32, m2, ta, ma\n"
      "vle32.v v2, (%0)\n"
      "vse32.v v2, (%1)\n"
      :
      : "r"(v), "r"(out)
      : "memory");
  printf("frame: V record %s, vstart %lu, vl %lu, vlenb %lu\n", seen_vstart != ~0ul ? "found" : "missing",
         seen_vstart, seen_vl, seen_vlenb);
  printf("resumed load:");
  for (int i = 0; i < 8; i++) printf(" %d", out[i]);
  printf("\n");

  signal(SIGUSR1, on_usr1);
  int32_t before[4] = {5, 6, 7, 8}, after[4];
  __asm__ volatile(
      "vsetivli zero, 4, e32, m1, ta, ma\n"
      "vle32.v v8, (%0)\n"
      :
      : "r"(before)
      : "memory");
  raise(SIGUSR1);
  __asm__ volatile(
      "vsetivli zero, 4, e32, m1, ta, ma\n"
      "vse32.v v8, (%0)\n"
      :
      : "r"(after)
      : "memory");
  printf("v8 after a handler that clobbered it: %d %d %d %d\n", after[0], after[1], after[2], after[3]);
  return 0;
}
