/* Structures whose layout depends on the ABI's word (longs, pointers, time32 fields): sysinfo,
 * times, getrusage, stat/statfs, msghdr with SCM_RIGHTS/SCM_CREDENTIALS/SO_TIMESTAMP, sendmmsg/
 * recvmmsg, select/pselect/ppoll timeouts, epoll_event, and (32-bit Arm) the 16-bit uid calls and
 * the old stat. Prints relations, not values that differ between runs, so the x86-64 kernel's own
 * run of this source is the expected output. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void check_sysinfo(void) {
  struct sysinfo si;
  memset(&si, 0xa5, sizeof si);
  int r = sysinfo(&si);
  unsigned long long total = (unsigned long long)si.totalram * si.mem_unit;
  unsigned long long free_ = (unsigned long long)si.freeram * si.mem_unit;
  printf("sysinfo %d uptime>0 %d total>=64M %d free<=total %d procs>0 %d unit-pow2 %d\n", r, si.uptime > 0,
         total >= (64ull << 20), free_ <= total, si.procs > 0, si.mem_unit && !(si.mem_unit & (si.mem_unit - 1)));
}

static void check_times(void) {
  struct tms t;
  memset(&t, 0xa5, sizeof t);
  volatile double x = 0;
  for (int i = 0; i < 20000000; i++) x += i * 0.5;
  clock_t r = times(&t);
  struct rusage ru;
  memset(&ru, 0xa5, sizeof ru);
  int g = getrusage(RUSAGE_SELF, &ru);
  printf("times ok %d utime>=0 %d cutime 0 %d\n", r != (clock_t)-1, t.tms_utime >= 0, t.tms_cutime == 0);
  printf("getrusage %d utime-usec<1e6 %d maxrss>0 %d minflt>0 %d stime-usec<1e6 %d\n", g,
         ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000, ru.ru_maxrss > 0, ru.ru_minflt > 0,
         ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
}

static void check_stat(void) {
  FILE* f = fopen("abi_structs.tmp", "w");
  fputs("twelve bytes", f);
  fclose(f);
  struct stat st;
  int r = stat("abi_structs.tmp", &st);
  printf("stat %d size %lld mode %o nlink %lu\n", r, (long long)st.st_size, st.st_mode & 07777 & ~0022,
         (unsigned long)st.st_nlink);
  struct statfs sf;
  r = statfs(".", &sf);
  printf("statfs %d bsize>0 %d namelen %ld\n", r, sf.f_bsize > 0, (long)sf.f_namelen);
#ifdef __arm__
  /* The old struct stat (106) of 32-bit longs and 16-bit ids. */
  struct {
    unsigned long dev, ino;
    unsigned short mode, nlink, uid, gid;
    unsigned long rdev, size, blksize, blocks, atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns, u4, u5;
  } old;
  long o = syscall(106, "abi_structs.tmp", &old);
  if (o == 0 || errno != EOVERFLOW)
    printf("stat size %lu mode %o\n", old.size, old.mode & 07777 & ~0022);
  else
    printf("stat size %lld mode %o\n", (long long)st.st_size, st.st_mode & 07777 & ~0022);
#else
  printf("stat size %lld mode %o\n", (long long)st.st_size, st.st_mode & 07777 & ~0022);
#endif
  unlink("abi_structs.tmp");
}

static void check_ids(void) {
  unsigned uid = getuid(), gid = getgid();
  unsigned over_uid = uid > 65535 ? 65534 : uid, over_gid = gid > 65535 ? 65534 : gid;
#ifdef __arm__
  /* getuid (24), getgid (47) and getresuid (165) are the 16-bit calls on Arm EABI. */
  long u16 = syscall(24), g16 = syscall(47);
  unsigned short ru, eu, su;
  long rr = syscall(165, &ru, &eu, &su);
  printf("uid16 %d gid16 %d getresuid16 %ld %d\n", u16 == over_uid, g16 == over_gid, rr, ru == over_uid && eu == ru);
  printf("setreuid16 -1 -1: %ld\n", syscall(70, 0xffff, 0xffff));
#else
  printf("uid16 %d gid16 %d getresuid16 %ld %d\n", 1, 1, 0L, 1);
  printf("setreuid16 -1 -1: %d\n", setreuid(-1, -1));
  (void)over_uid, (void)over_gid;
#endif
}

static void check_msghdr(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  int one = 1;
  setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  setsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMP, &one, sizeof one);
  int p[2];
  pipe(p);
  /* Two control messages: SCM_RIGHTS with two descriptors and SCM_CREDENTIALS. */
  union {
    char buf[CMSG_SPACE(2 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  char data[] = "payload";
  struct iovec iov[2] = {{data, 3}, {data + 3, 5}};
  struct msghdr m = {0};
  m.msg_iov = iov, m.msg_iovlen = 2, m.msg_control = u.buf, m.msg_controllen = sizeof u.buf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS, c->cmsg_len = CMSG_LEN(2 * sizeof(int));
  memcpy(CMSG_DATA(c), p, 2 * sizeof(int));
  c = CMSG_NXTHDR(&m, c);
  struct ucred cred = {getpid(), getuid(), getgid()};
  c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_CREDENTIALS, c->cmsg_len = CMSG_LEN(sizeof cred);
  memcpy(CMSG_DATA(c), &cred, sizeof cred);
  printf("sendmsg %zd\n", sendmsg(sv[0], &m, 0));

  char in[16] = {0}, ctl[256];
  struct iovec riov = {in, sizeof in};
  struct msghdr r = {0};
  r.msg_iov = &riov, r.msg_iovlen = 1, r.msg_control = ctl, r.msg_controllen = sizeof ctl;
  ssize_t n = recvmsg(sv[1], &r, 0);
  printf("recvmsg %zd '%s' flags %d\n", n, in, r.msg_flags);
  int fds = 0, creds = 0, stamps = 0;
  for (struct cmsghdr* h = CMSG_FIRSTHDR(&r); h; h = CMSG_NXTHDR(&r, h)) {
    if (h->cmsg_type == SCM_RIGHTS) {
      int got[2];
      memcpy(got, CMSG_DATA(h), sizeof got);
      write(got[1], "x", 1);
      char b = 0;
      read(got[0], &b, 1);
      fds = (h->cmsg_len == CMSG_LEN(2 * sizeof(int))) + (b == 'x');
      close(got[0]), close(got[1]);
    } else if (h->cmsg_type == SCM_CREDENTIALS) {
      struct ucred uc;
      memcpy(&uc, CMSG_DATA(h), sizeof uc);
      creds = uc.pid == getpid() && uc.uid == getuid();
    } else if (h->cmsg_type == SO_TIMESTAMP) {
      struct timeval tv, now;
      memcpy(&tv, CMSG_DATA(h), sizeof tv);
      gettimeofday(&now, 0);
      stamps = h->cmsg_len == CMSG_LEN(sizeof tv) && tv.tv_sec <= now.tv_sec && tv.tv_sec > now.tv_sec - 60;
    }
  }
  printf("cmsg rights %d creds %d timestamp %d\n", fds, creds, stamps);

  /* A control buffer too small for the descriptors: MSG_CTRUNC. */
  sendmsg(sv[0], &m, 0);
  char small[CMSG_SPACE(sizeof(int))];
  r.msg_control = small, r.msg_controllen = sizeof small;
  n = recvmsg(sv[1], &r, 0);
  printf("truncated %zd ctrunc %d\n", n, !!(r.msg_flags & MSG_CTRUNC));

  /* sendmmsg / recvmmsg: three datagrams. */
  struct mmsghdr mm[3];
  struct iovec mi[3];
  char bufs[3][8] = {"one", "two", "three"}, rb[3][8];
  memset(mm, 0, sizeof mm);
  for (int i = 0; i < 3; i++) {
    mi[i].iov_base = bufs[i], mi[i].iov_len = strlen(bufs[i]);
    mm[i].msg_hdr.msg_iov = &mi[i], mm[i].msg_hdr.msg_iovlen = 1;
  }
  int sent = sendmmsg(sv[0], mm, 3, 0);
  printf("sendmmsg %d lens %u %u %u\n", sent, mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
  setsockopt(sv[1], SOL_SOCKET, SO_TIMESTAMP, &(int){0}, sizeof(int));
  setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &(int){0}, sizeof(int));
  memset(mm, 0, sizeof mm);
  memset(rb, 0, sizeof rb);
  for (int i = 0; i < 3; i++) {
    mi[i].iov_base = rb[i], mi[i].iov_len = 7;
    mm[i].msg_hdr.msg_iov = &mi[i], mm[i].msg_hdr.msg_iovlen = 1;
  }
  struct timespec to = {1, 0};
  int k = recvmmsg(sv[1], mm, 3, 0, &to);
  printf("recvmmsg %d %s/%s/%s lens %u %u %u\n", k, rb[0], rb[1], rb[2], mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
  close(sv[0]), close(sv[1]), close(p[0]), close(p[1]);
}

static void check_waits(void) {
  int p[2];
  pipe(p);
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  struct timeval tv = {0, 30000};
  int r = select(p[0] + 1, &rs, 0, 0, &tv);
  printf("select timeout %d left %ld.%06ld\n", r, (long)tv.tv_sec, (long)tv.tv_usec);
  write(p[1], "y", 1);
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  tv.tv_sec = 5, tv.tv_usec = 0;
  r = select(p[0] + 1, &rs, 0, 0, &tv);
  printf("select ready %d isset %d left>4s %d\n", r, FD_ISSET(p[0], &rs), tv.tv_sec >= 4);
  struct timespec ts = {0, 20000000};
  sigset_t mask;
  sigemptyset(&mask);
  FD_ZERO(&rs);
  FD_SET(p[1], &rs);
  r = pselect(p[1] + 1, 0, &rs, 0, &ts, &mask);
  printf("pselect writable %d\n", r);
  char b;
  read(p[0], &b, 1);
  struct pollfd pf = {p[0], POLLIN, 0};
  r = ppoll(&pf, 1, &ts, &mask);
  printf("ppoll timeout %d revents %d\n", r, pf.revents);
  r = poll(&pf, 1, 10);
  printf("poll timeout %d\n", r);

  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {.u64 = 0x1122334455667788ull}};
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  write(p[1], "z", 1);
  struct epoll_event out[2];
  memset(out, 0, sizeof out);
  r = epoll_wait(ep, out, 2, 1000);
  printf("epoll %d events %#x data %#llx\n", r, out[0].events, (unsigned long long)out[0].data.u64);
  close(ep), close(p[0]), close(p[1]);
}

int main(void) {
  check_sysinfo();
  check_times();
  check_stat();
  check_ids();
  check_msghdr();
  check_waits();
  return 0;
}
