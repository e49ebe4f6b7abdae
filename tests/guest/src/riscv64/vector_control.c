/* PR_RISCV_V_SET_CONTROL / PR_RISCV_V_GET_CONTROL (Documentation/arch/riscv/vector.rst): the
   control word of a fresh program, the errors, what execve makes of "next" with and without the
   inherit bit, that fork and new threads keep their creator's word, and that a program started
   with V off gets SIGILL (ILL_ILLOPC at the instruction) from a vector instruction and a vector
   CSR until it turns V on. Without V (-cpu rv64) both calls fail with EINVAL.
   Run as: vector_control [exec-depth] */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define SET 69
#define GET 70
#define OFF 1
#define ON 2
#define NEXT(x) ((x) << 2)
#define INHERIT 16

static long ctl(int op, unsigned long arg) {
  long r = prctl(op, arg, 0, 0, 0);
  return r < 0 ? -errno : r;
}

static sigjmp_buf back;
static volatile int ill_code;
static void* volatile ill_addr;

static void on_ill(int sig, siginfo_t* info, void* uc) {
  (void)sig, (void)uc;
  ill_code = info->si_code;
  ill_addr = info->si_addr;
  siglongjmp(back, 1);
}

extern char vset_insn[], vlenb_insn[];

/* vsetvli: the vector length for 8 32-bit elements (4 with VLEN 128), or SIGILL. */
__attribute__((noinline, noclone)) static const char* try_vsetvli(void) {
  static char buf[64];
  if (sigsetjmp(back, 1)) {
    snprintf(buf, sizeof buf, "SIGILL code %d%s", ill_code, ill_addr == vset_insn ? " at the instruction" : " elsewhere");
    return buf;
  }
  long vl, n = 8;
  __asm__ volatile(".globl vset_insn\nvset_insn: vsetvli %0, %1, e32, m1, ta, ma" : "=r"(vl) : "r"(n));
  snprintf(buf, sizeof buf, "vl %ld", vl);
  return buf;
}

__attribute__((noinline, noclone)) static const char* try_vlenb(void) {
  static char buf[64];
  if (sigsetjmp(back, 1)) {
    snprintf(buf, sizeof buf, "SIGILL code %d%s", ill_code, ill_addr == vlenb_insn ? " at the instruction" : " elsewhere");
    return buf;
  }
  long v;
  __asm__ volatile(".globl vlenb_insn\nvlenb_insn: csrr %0, vlenb" : "=r"(v));
  snprintf(buf, sizeof buf, "vlenb %ld", v);
  return buf;
}

static void* thread_get(void* arg) {
  (void)arg;
  return (void*)ctl(GET, 0);
}

static int run_child(const char* self, int depth) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    char d[8];
    snprintf(d, sizeof d, "%d", depth);
    execl(self, self, d, (char*)0);
    _exit(127);
  }
  int st;
  waitpid(c, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char** argv) {
  struct sigaction sa = {0};
  sa.sa_sigaction = on_ill;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGILL, &sa, 0);
  int depth = argc > 1 ? atoi(argv[1]) : 0;
  long now = ctl(GET, 0);
  if (depth > 0) {
    printf("  exec'd program (depth %d): control %ld, vsetvli: %s, csrr vlenb: %s\n", depth, now, try_vsetvli(),
           try_vlenb());
    if (depth == 1 && (now & 3) == OFF) {
      printf("  turn V on again: %ld, control %ld, vsetvli: %s\n", ctl(SET, ON | (now & ~3L)), ctl(GET, 0),
             try_vsetvli());
      printf("  turn it off again: %ld\n", ctl(SET, OFF));
    }
    if (depth < 2) run_child(argv[0], depth + 1);
    return 0;
  }
  printf("fresh program: control %ld, vsetvli: %s\n", now, try_vsetvli());
  if (now < 0) {
    printf("set control without V: %ld\n", ctl(SET, ON));
    return 0;
  }
  printf("turn V off for this thread: %ld\n", ctl(SET, OFF));
  printf("unknown bits: %ld, cur 3: %ld, next 3: %ld\n", ctl(SET, 32), ctl(SET, 3), ctl(SET, NEXT(3)));
  printf("cur default keeps cur: %ld, control %ld\n", ctl(SET, NEXT(ON)), ctl(GET, 0));

  /* next = off without inherit: the exec'd program starts with V off; its own exec with V on. */
  printf("next off: %ld, control %ld\n", ctl(SET, NEXT(OFF)), ctl(GET, 0));
  printf("this program still runs V: %s\n", try_vsetvli());
  run_child(argv[0], 1);

  /* fork and threads keep the word. */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) _exit((int)ctl(GET, 0));
  int st;
  waitpid(c, &st, 0);
  pthread_t t;
  void* tr;
  pthread_create(&t, 0, thread_get, 0);
  pthread_join(t, &tr);
  printf("fork child's control %d, new thread's %ld\n", WEXITSTATUS(st), (long)tr);

  /* next = off with inherit: every later exec starts with V off. */
  printf("next off, inherited: %ld, control %ld\n", ctl(SET, NEXT(OFF) | INHERIT), ctl(GET, 0));
  run_child(argv[0], 1);
  printf("back to the defaults: %ld, control %ld\n", ctl(SET, ON), ctl(GET, 0));
  run_child(argv[0], 2);
  return 0;
}
