/* Self-modifying code without cache maintenance: plain stores into a writable and executable
   page that already ran, from the same thread, from another thread while this one keeps calling
   the code, a store that rewrites the next instruction of its own block, read(2) into the
   code page, and system calls whose kernel writes land on data that shares a page with code. An emulator must notice
   each write and drop the stale translation (qemu-user and mimic watch such pages); on hardware the architecture would
   ask for IC IVAU / fence.i. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*fn_t)(void);

/* "return imm" in the guest's encoding (imm < 2048). */
static void emit_return(volatile uint32_t *p, unsigned imm) {
#if defined(__aarch64__)
  p[0] = 0xd2800000u | (imm << 5); /* movz x0, #imm */
  p[1] = 0xd65f03c0u;              /* ret */
#else
  p[0] = (imm << 20) | (10u << 7) | 0x13u; /* addi a0, zero, imm */
  p[1] = 0x00008067u;                      /* ret */
#endif
}

static volatile uint32_t *code;
static atomic_int published, seen;
enum { kRounds = 200 };

static void *writer(void *arg) {
  (void)arg;
  for (int i = 1; i <= kRounds; i++) {
    while (atomic_load_explicit(&seen, memory_order_acquire) != i - 1) {
    }
    emit_return(code, (unsigned)(100 + i));
    atomic_store_explicit(&published, i, memory_order_release);
  }
  return NULL;
}

int main(void) {
  code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fn_t f = (fn_t)code;

  emit_return(code, 1);
  long a = f();
  emit_return(code, 2);
  long b = f();
  printf("same thread: %ld then %ld\n", a, b);

  /* Another thread rewrites the code each round; this one calls it after each publication. */
  pthread_t t;
  pthread_create(&t, NULL, writer, NULL);
  int stale = 0;
  for (int i = 1; i <= kRounds; i++) {
    while (atomic_load_explicit(&published, memory_order_acquire) != i) {
    }
    if (f() != 100 + i) stale++;
    atomic_store_explicit(&seen, i, memory_order_release);
  }
  pthread_join(t, NULL);
  printf("another thread's writes: %d rounds, %d stale\n", kRounds, stale);

  /* The block rewrites its own next instruction: str w1, [x0] / sw a1, 0(a0) at the start. */
  volatile uint32_t *self = code + 256;
  uint32_t patched;
#if defined(__aarch64__)
  self[0] = 0xb9000001u; /* str w1, [x0] */
  self[1] = 0xd2800020u; /* movz x0, #1 */
  self[2] = 0xd65f03c0u; /* ret */
  patched = 0xd2800000u | (7u << 5);
#else
  self[0] = 0x00b52023u; /* sw a1, 0(a0) */
  self[1] = (1u << 20) | (10u << 7) | 0x13u;
  self[2] = 0x00008067u;
  patched = (7u << 20) | (10u << 7) | 0x13u;
#endif
  long (*g)(volatile uint32_t *, uint32_t) = (long (*)(volatile uint32_t *, uint32_t))self;
  uint32_t original = self[1];
  long first = g(self + 1, original);
  long second = g(self + 1, patched);
  printf("store into its own block: %ld then %ld\n", first, second);

  /* The kernel writes new code into the page (read from a pipe). */
  uint32_t fresh[2];
  emit_return(fresh, 42);
  int p[2];
  if (pipe(p) != 0 || write(p[1], fresh, sizeof fresh) != sizeof fresh) return 1;
  emit_return(code, 3);
  long before = f();
  ssize_t n = read(p[0], (void *)code, sizeof fresh);
  printf("read(2) into the code page: %ld then %ld (read %zd)\n", before, f(), n);

  /* Data next to code (a JIT's constant pool): the kernel writes it after the code ran. Each
     call of f() first makes sure the page holds live translated code again. */
  char* data = (char*)code + 2048;
  emit_return(code, 5);
  f();
  if (write(p[1], "abc", 3) != 3) return 1;
  int* avail = (int*)data;
  int r1 = ioctl(p[0], FIONREAD, avail);
  printf("ioctl(FIONREAD) next to code: %d, %d bytes, code %ld\n", r1, *avail, f());
  char link[64];
  snprintf(link, sizeof link, "/tmp/mimic-smc-link-%d", (int)getpid());
  unlink(link);
  if (symlink("target-of-the-link", link) != 0) return 1;
  ssize_t ln = readlink(link, data + 64, 64);
  unlink(link);
  printf("readlink next to code: %zd '%.*s', code %ld\n", ln, (int)(ln > 0 ? ln : 0), data + 64, f());
  uint32_t *w2 = (uint32_t*)(data + 128), w1 = 0;
  *w2 = 0;
  f();
  long woke = syscall(SYS_futex, &w1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, 1, w2,
                      FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0));
  printf("futex WAKE_OP on a word next to code: %ld, word %u, code %ld\n", woke, *w2, f());
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } out;
  memset(&out, 0, sizeof out);
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = out.buf, .msg_controllen = sizeof out.buf};
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &p[1], sizeof(int));
  if (sendmsg(sv[0], &m, 0) != 1) return 1;
  f();
  struct msghdr in = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = data + 256, .msg_controllen = 64};
  ssize_t got = recvmsg(sv[1], &in, 0);
  struct cmsghdr* rc = CMSG_FIRSTHDR(&in);
  int passed = -1;
  if (rc && rc->cmsg_type == SCM_RIGHTS) memcpy(&passed, CMSG_DATA(rc), sizeof passed);
  printf("recvmsg control next to code: %zd, fd passed %s, writes through it %zd, code %ld\n", got,
         rc && rc->cmsg_type == SCM_RIGHTS ? "yes" : "no", passed >= 0 ? write(passed, "z", 1) : -1L, f());
  emit_return(code, 9);
  printf("code still rewritable: %ld\n", f());
  return 0;
}
