// ioctl arguments of the 32-bit ABI: struct ifconf (8 bytes) and its 32-byte ifreqs, ifreq
// requests (and SIOCGIFMAP's ifmap of 32-bit longs), termios2, the terminal ints, the requests
// whose number encodes sizeof(long) (BLKGETSIZE64, FS_IOC32_GETFLAGS) and an unknown request.
// The same source builds for i386 (gcc -m32): the expected output is the x86 kernel's own run.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static long io(int fd, unsigned long req, void* arg) { return ioctl(fd, req, arg) < 0 ? -errno : 0; }

static void interfaces(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  printf("sizeof(struct ifreq) %zu, sizeof(struct ifconf) %zu\n", sizeof(struct ifreq), sizeof(struct ifconf));
  struct ifconf ic = {0};
  long r = io(s, SIOCGIFCONF, &ic);
  const int need = ic.ifc_len;
  printf("SIOCGIFCONF length probe: %ld, records %d\n", r, need > 0 && need % (int)sizeof(struct ifreq) == 0);
  char buf[4096 + 64];
  memset(buf, 0x5a, sizeof buf);
  ic.ifc_len = 4096;
  ic.ifc_buf = buf;
  r = io(s, SIOCGIFCONF, &ic);
  int lo = 0, n = ic.ifc_len / (int)sizeof(struct ifreq);
  for (int i = 0; i < n; i++) {
    struct ifreq* q = (struct ifreq*)buf + i;
    if (strcmp(q->ifr_name, "lo") == 0)
      printf("  lo at %s\n", inet_ntoa(((struct sockaddr_in*)&q->ifr_addr)->sin_addr)), lo = 1;
  }
  printf("SIOCGIFCONF: %ld, length as probed %d, lo listed %d, past the records untouched %d\n", r, ic.ifc_len == need,
         lo, (unsigned char)buf[ic.ifc_len] == 0x5a);
  ic.ifc_len = sizeof(struct ifreq) + 8;  // room for one record only
  r = io(s, SIOCGIFCONF, &ic);
  printf("SIOCGIFCONF one record: %ld, length %d\n", r, ic.ifc_len / (int)sizeof(struct ifreq));
  memset(buf, 0x5a, sizeof buf);
  ic.ifc_len = 8;  // room for no record
  r = io(s, SIOCGIFCONF, &ic);
  printf("SIOCGIFCONF 8 bytes: %ld, length %d, buffer untouched %d\n", r, ic.ifc_len, (unsigned char)buf[0] == 0x5a);

  struct {
    struct ifreq q;
    uint32_t sentinel[4];
  } w;
  memset(&w, 0x77, sizeof w);
  strcpy(w.q.ifr_name, "lo");
  r = io(s, SIOCGIFADDR, &w.q);
  printf("SIOCGIFADDR lo: %ld %s\n", r, inet_ntoa(((struct sockaddr_in*)&w.q.ifr_addr)->sin_addr));
  r = io(s, SIOCGIFMTU, &w.q);
  printf("SIOCGIFMTU lo: %ld %d\n", r, w.q.ifr_mtu);
  r = io(s, SIOCGIFFLAGS, &w.q);
  printf("SIOCGIFFLAGS lo: %ld up %d loopback %d\n", r, !!(w.q.ifr_flags & IFF_UP), !!(w.q.ifr_flags & IFF_LOOPBACK));
  r = io(s, SIOCGIFINDEX, &w.q);
  printf("SIOCGIFINDEX lo: %ld index positive %d\n", r, w.q.ifr_ifindex > 0);
  memset(&w.q.ifr_map, 0x66, sizeof w.q.ifr_map);
  r = io(s, SIOCGIFMAP, &w.q);
  printf("SIOCGIFMAP lo: %ld mem %lx-%lx base %x irq %d, after the ifreq %#x\n", r, w.q.ifr_map.mem_start,
         w.q.ifr_map.mem_end, w.q.ifr_map.base_addr, w.q.ifr_map.irq, w.sentinel[0]);
  strcpy(w.q.ifr_name, "no-such-if0");
  printf("SIOCGIFADDR unknown: %ld\n", io(s, SIOCGIFADDR, &w.q));
  printf("SIOCGIFADDR bad address: %ld\n", io(s, SIOCGIFADDR, (void*)16));
  close(s);
}

static void terminal(void) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  grantpt(m);
  unlockpt(m);
  int t = open(ptsname(m), O_RDWR | O_NOCTTY);
  unsigned char t2[44 + 8];
  memset(t2, 0x11, sizeof t2);
  long r = io(t, 0x802c542a /*TCGETS2*/, t2);
  uint32_t ispeed, ospeed;
  memcpy(&ispeed, t2 + 36, 4);
  memcpy(&ospeed, t2 + 40, 4);
  printf("TCGETS2: %ld speeds %u %u, after it %#x\n", r, ispeed, ospeed, t2[44]);
  printf("TCSETS2: %ld\n", io(t, 0x402c542b /*TCSETS2*/, t2));
  int v = -1;
  r = io(t, 0x80045440 /*TIOCGEXCL*/, &v);
  printf("TIOCGEXCL: %ld %d\n", r, v);
  r = io(t, TIOCMGET, &v);
  printf("TIOCMGET on a pty: %ld\n", r);
  v = -1;
  r = io(m, TIOCGPTN, &v);
  printf("TIOCGPTN: %ld number ok %d\n", r, v >= 0);
  struct winsize ws = {24, 80, 0, 0};
  printf("TIOCSWINSZ: %ld\n", io(t, TIOCSWINSZ, &ws));
  memset(&ws, 0, sizeof ws);
  r = io(m, TIOCGWINSZ, &ws);
  printf("TIOCGWINSZ on the master: %ld %dx%d\n", r, ws.ws_row, ws.ws_col);
  close(t);
  close(m);
}

static void files(void) {
  int fd = open("f", O_CREAT | O_RDWR, 0644);
  uint64_t size64 = 0x1111111111111111ull;
  printf("BLKGETSIZE64 number %#lx on a file: %ld\n", (unsigned long)BLKGETSIZE64, io(fd, BLKGETSIZE64, &size64));
  unsigned long sectors = 0;
  printf("BLKGETSIZE on a file: %ld\n", io(fd, BLKGETSIZE, &sectors));
  int sz = 0;
  printf("BLKSSZGET on a file: %ld\n", io(fd, BLKSSZGET, &sz));
  uint32_t flags[2] = {0xabababab, 0xcdcdcdcd};
  long r = io(fd, FS_IOC_GETFLAGS, flags);
  printf("FS_IOC_GETFLAGS number %#lx: answered %d, after the int %#x\n", (unsigned long)FS_IOC_GETFLAGS,
         r == 0 || r == -ENOTTY || r == -EOPNOTSUPP, flags[1]);
  int block = 0;
  r = io(fd, FIGETBSZ, &block);
  printf("FIGETBSZ: %ld positive %d\n", r, block > 0);
  printf("unknown request: %ld\n", io(fd, 0x7fff1234, &block));
  printf("LOOP_GET_STATUS64 on a file: %ld\n", io(fd, 0x4c05, flags));
  close(fd);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  interfaces();
  terminal();
  files();
  return 0;
}
