// ioctl: the requests mimic knows, by number, with the size and direction of their argument.
// Most have the same structure on every guest and x86-64 (terminal, block, loop, RTC, input,
// console, file-attribute requests) and pass the guest's memory to the host call. Those whose
// structure holds a long or a pointer are converted for a 32-bit ABI: struct ifconf and the ifreq
// array it names (32-byte ifreqs), struct ifreq's ifmap, BLKGETSIZE's long, and the requests whose
// number encodes sizeof(long) (BLKGETSIZE64, BLKBSZGET/SET, FS_IOC32_*: Linux's compat_ioctl
// numbers). FS_IOC_FIEMAP's extent array follows its header. An unknown request is ENOTTY, as a
// driver without it answers.
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

enum class Dir : uint8_t { kValue, kIn, kOut, kInOut };
struct IoctlDef {
  uint32_t req;
  Dir dir;
  uint16_t size;  // of the structure the argument points to
};

constexpr uint32_t ioc(uint32_t dir, uint32_t type, uint32_t nr, uint32_t size) {
  return dir << 30 | size << 16 | type << 8 | nr;
}
constexpr uint32_t kIocRead = 2, kIocWrite = 1;

// The same layout on every guest ABI and the host (no long, no pointer).
constexpr IoctlDef kSameLayout[] = {
    // terminals: struct termios (kernel layout, 36 bytes), termios2 (44), winsize, ints
    {TCGETS, Dir::kOut, 36},
    {TCSETS, Dir::kIn, 36},
    {TCSETSW, Dir::kIn, 36},
    {TCSETSF, Dir::kIn, 36},
    {0x802c542a /*TCGETS2*/, Dir::kOut, 44},
    {0x402c542b /*TCSETS2*/, Dir::kIn, 44},
    {0x402c542c /*TCSETSW2*/, Dir::kIn, 44},
    {0x402c542d /*TCSETSF2*/, Dir::kIn, 44},
    {TIOCGLCKTRMIOS, Dir::kOut, 36},
    {TIOCSLCKTRMIOS, Dir::kIn, 36},
    {TIOCGWINSZ, Dir::kOut, sizeof(winsize)},
    {TIOCSWINSZ, Dir::kIn, sizeof(winsize)},
    {TIOCGPGRP, Dir::kOut, 4},
    {TIOCGSID, Dir::kOut, 4},
    {FIONREAD, Dir::kOut, 4},
    {TIOCOUTQ, Dir::kOut, 4},
    {TIOCGPTN, Dir::kOut, 4},
    {TIOCGETD, Dir::kOut, 4},
    {TIOCMGET, Dir::kOut, 4},
    {TIOCGSOFTCAR, Dir::kOut, 4},
    {0x80045440 /*TIOCGEXCL*/, Dir::kOut, 4},
    {0x80045438 /*TIOCGPKT*/, Dir::kOut, 4},
    {0x80045439 /*TIOCGPTLCK*/, Dir::kOut, 4},
    {TIOCSPGRP, Dir::kIn, 4},
    {FIONBIO, Dir::kIn, 4},
    {FIOASYNC, Dir::kIn, 4},
    {TIOCSPTLCK, Dir::kIn, 4},
    {TIOCSETD, Dir::kIn, 4},
    {TIOCMSET, Dir::kIn, 4},
    {TIOCMBIS, Dir::kIn, 4},
    {TIOCMBIC, Dir::kIn, 4},
    {TIOCSSOFTCAR, Dir::kIn, 4},
    {TIOCPKT, Dir::kIn, 4},
    {TIOCSTI, Dir::kIn, 1},
    {TCFLSH, Dir::kValue, 0},
    {TCXONC, Dir::kValue, 0},
    {TCSBRK, Dir::kValue, 0},
    {TCSBRKP, Dir::kValue, 0},
    {TIOCSCTTY, Dir::kValue, 0},
    {TIOCNOTTY, Dir::kValue, 0},
    {TIOCEXCL, Dir::kValue, 0},
    {TIOCNXCL, Dir::kValue, 0},
    {TIOCCONS, Dir::kValue, 0},
    {TIOCVHANGUP, Dir::kValue, 0},
    {0x5441 /*TIOCGPTPEER*/, Dir::kValue, 0},
    {0x40045436 /*TIOCSIG*/, Dir::kValue, 0},
    {FIOCLEX, Dir::kValue, 0},
    {FIONCLEX, Dir::kValue, 0},
    // block devices (util-linux: lsblk, blockdev, fdisk, mkfs)
    {BLKSSZGET, Dir::kOut, 4},
    {BLKPBSZGET, Dir::kOut, 4},
    {BLKIOMIN, Dir::kOut, 4},
    {BLKIOOPT, Dir::kOut, 4},
    {BLKALIGNOFF, Dir::kOut, 4},
    {BLKROGET, Dir::kOut, 4},
    {BLKDISCARDZEROES, Dir::kOut, 4},
    {BLKROSET, Dir::kIn, 4},
    {ioc(kIocRead, 0x12, 128, 8) /*BLKGETDISKSEQ*/, Dir::kOut, 8},
    {BLKDISCARD, Dir::kIn, 16},
    {BLKSECDISCARD, Dir::kIn, 16},
    {BLKZEROOUT, Dir::kIn, 16},
    {BLKRRPART, Dir::kValue, 0},
    {BLKFLSBUF, Dir::kValue, 0},
    {BLKRASET, Dir::kValue, 0},
    // loop devices (losetup, mount -o loop): struct loop_info64 (232), loop_config (304)
    {0x4c00 /*LOOP_SET_FD*/, Dir::kValue, 0},
    {0x4c01 /*LOOP_CLR_FD*/, Dir::kValue, 0},
    {0x4c04 /*LOOP_SET_STATUS64*/, Dir::kIn, 232},
    {0x4c05 /*LOOP_GET_STATUS64*/, Dir::kOut, 232},
    {0x4c06 /*LOOP_CHANGE_FD*/, Dir::kValue, 0},
    {0x4c07 /*LOOP_SET_CAPACITY*/, Dir::kValue, 0},
    {0x4c08 /*LOOP_SET_DIRECT_IO*/, Dir::kValue, 0},
    {0x4c09 /*LOOP_SET_BLOCK_SIZE*/, Dir::kValue, 0},
    {0x4c0a /*LOOP_CONFIGURE*/, Dir::kIn, 304},
    {0x4c80 /*LOOP_CTL_ADD*/, Dir::kValue, 0},
    {0x4c81 /*LOOP_CTL_REMOVE*/, Dir::kValue, 0},
    {0x4c82 /*LOOP_CTL_GET_FREE*/, Dir::kValue, 0},
    // RTC (hwclock): struct rtc_time of 9 ints, rtc_wkalrm (40)
    {ioc(kIocRead, 'p', 0x09, 36) /*RTC_RD_TIME*/, Dir::kOut, 36},
    {ioc(kIocWrite, 'p', 0x0a, 36) /*RTC_SET_TIME*/, Dir::kIn, 36},
    {ioc(kIocRead, 'p', 0x08, 36) /*RTC_ALM_READ*/, Dir::kOut, 36},
    {ioc(kIocWrite, 'p', 0x07, 36) /*RTC_ALM_SET*/, Dir::kIn, 36},
    {ioc(kIocRead, 'p', 0x10, 40) /*RTC_WKALM_RD*/, Dir::kOut, 40},
    {ioc(kIocWrite, 'p', 0x0f, 40) /*RTC_WKALM_SET*/, Dir::kIn, 40},
    {0x7001 /*RTC_AIE_ON*/, Dir::kValue, 0},
    {0x7002 /*RTC_AIE_OFF*/, Dir::kValue, 0},
    {0x7003 /*RTC_UIE_ON*/, Dir::kValue, 0},
    {0x7004 /*RTC_UIE_OFF*/, Dir::kValue, 0},
    // file attributes and cloning (chattr/lsattr, cp --reflink, fsfreeze, e2label)
    {FS_IOC_FSGETXATTR, Dir::kOut, 28},
    {FS_IOC_FSSETXATTR, Dir::kIn, 28},
    {FS_IOC_GETFSLABEL, Dir::kOut, 256},
    {FS_IOC_SETFSLABEL, Dir::kIn, 256},
    {FICLONE, Dir::kValue, 0},
    {FICLONERANGE, Dir::kIn, 32},
    {FIFREEZE, Dir::kValue, 0},
    {FITHAW, Dir::kValue, 0},
    {FIGETBSZ, Dir::kOut, 4},
    // input devices (evtest, libinput): fixed-size ones; the variable EVIOCG* are below
    {ioc(kIocRead, 'E', 0x01, 4) /*EVIOCGVERSION*/, Dir::kOut, 4},
    {ioc(kIocRead, 'E', 0x02, 8) /*EVIOCGID*/, Dir::kOut, 8},
    {ioc(kIocRead, 'E', 0x03, 8) /*EVIOCGREP*/, Dir::kOut, 8},
    {ioc(kIocWrite, 'E', 0x90, 4) /*EVIOCGRAB*/, Dir::kValue, 0},
    {ioc(kIocWrite, 'E', 0xa0, 4) /*EVIOCSCLOCKID*/, Dir::kIn, 4},
    // virtual consoles and keyboards (chvt, fgconsole, kbd_mode, setfont's probes)
    {0x5600 /*VT_OPENQRY*/, Dir::kOut, 4},
    {0x5601 /*VT_GETMODE*/, Dir::kOut, 8},
    {0x5602 /*VT_SETMODE*/, Dir::kIn, 8},
    {0x5603 /*VT_GETSTATE*/, Dir::kOut, 6},
    {0x5606 /*VT_ACTIVATE*/, Dir::kValue, 0},
    {0x5607 /*VT_WAITACTIVE*/, Dir::kValue, 0},
    {0x5608 /*VT_DISALLOCATE*/, Dir::kValue, 0},
    {0x4b33 /*KDGKBTYPE*/, Dir::kOut, 1},
    {0x4b3a /*KDSETMODE*/, Dir::kValue, 0},
    {0x4b3b /*KDGETMODE*/, Dir::kOut, 4},
    {0x4b44 /*KDGKBMODE*/, Dir::kOut, 4},
    {0x4b45 /*KDSKBMODE*/, Dir::kValue, 0},
    {0x4b46 /*KDGKBENT*/, Dir::kInOut, 4},
    {0x4b31 /*KDGETLED*/, Dir::kOut, 1},
    {0x4b64 /*KDGKBLED*/, Dir::kOut, 1},
    {0x4b48 /*KDGKBSENT*/, Dir::kInOut, 513},
};

// The requests whose number encodes sizeof(long) or sizeof(size_t) (the argument is an int or a
// u64 all the same): a 32-bit guest's number, the host's, direction and size.
struct WordNumbered {
  uint32_t guest32, host;
  Dir dir;
  uint16_t size;
};
constexpr WordNumbered kWordNumbered[] = {
    {ioc(kIocRead, 0x12, 114, 4), BLKGETSIZE64, Dir::kOut, 8},
    {ioc(kIocRead, 0x12, 112, 4), BLKBSZGET, Dir::kOut, 4},
    {ioc(kIocWrite, 0x12, 113, 4), BLKBSZSET, Dir::kIn, 4},
    {ioc(kIocRead, 'f', 1, 4), FS_IOC_GETFLAGS, Dir::kOut, 4},
    {ioc(kIocWrite, 'f', 2, 4), FS_IOC_SETFLAGS, Dir::kIn, 4},
    {ioc(kIocRead, 'v', 1, 4), FS_IOC_GETVERSION, Dir::kOut, 4},
    {ioc(kIocWrite, 'v', 2, 4), FS_IOC_SETVERSION, Dir::kIn, 4},
};

// The network-interface requests on a socket (if_nametoindex, ifconfig, ip): struct ifreq is a
// 16-byte name and a union without pointers but for the ones not in this list (SIOCETHTOOL, the
// private and wireless ones); 40 bytes on 64-bit ABIs, 32 on 32-bit ones, where its struct ifmap
// (SIOCGIFMAP/SIOCSIFMAP) has 32-bit mem_start/mem_end.
constexpr unsigned long kIfreqRequests[] = {
    SIOCGIFNAME,        SIOCGIFFLAGS,   SIOCSIFFLAGS,   SIOCGIFADDR,    SIOCSIFADDR,    SIOCGIFDSTADDR,
    SIOCSIFDSTADDR,     SIOCGIFBRDADDR, SIOCSIFBRDADDR, SIOCGIFNETMASK, SIOCSIFNETMASK, SIOCGIFMETRIC,
    SIOCSIFMETRIC,      SIOCGIFMTU,     SIOCSIFMTU,     SIOCSIFNAME,    SIOCSIFHWADDR,  SIOCGIFHWADDR,
    SIOCADDMULTI,       SIOCDELMULTI,   SIOCGIFINDEX,   SIOCSIFPFLAGS,  SIOCGIFPFLAGS,  SIOCDIFADDR,
    SIOCSIFHWBROADCAST, SIOCGIFTXQLEN,  SIOCSIFTXQLEN,  SIOCGIFMAP,     SIOCSIFMAP};
constexpr size_t kIfreq64 = 40, kIfreq32 = 32;
static_assert(sizeof(ifreq) == kIfreq64);

bool is_ifreq_request(unsigned long req) {
  for (unsigned long r : kIfreqRequests)
    if (r == req) return true;
  return false;
}

int64_t ifreq_ioctl(SyscallCtx& ctx, int fd, unsigned long req, uint64_t arg) {
  const bool narrow = guest_word_bytes(ctx.proc) == 4;
  const size_t size = narrow ? kIfreq32 : kIfreq64;
  if (!ctx.mem.access_ok(arg, size, PageFlag::kValid | PageFlag::kRead | PageFlag::kWrite)) return -EFAULT;
  ifreq host{};
  if (!copy_from_guest(ctx.mem, &host, arg, size)) return -EFAULT;
  // 32-bit struct ifmap: mem_start, mem_end (u32), base_addr (u16), irq, dma, port (u8).
  struct Ifmap32 {
    uint32_t mem_start, mem_end;
    uint16_t base_addr;
    uint8_t irq, dma, port;
  };
  if (narrow && req == SIOCSIFMAP) {
    Ifmap32 m;
    memcpy(&m, reinterpret_cast<uint8_t*>(&host) + IFNAMSIZ, sizeof m);
    host.ifr_map = {m.mem_start, m.mem_end, m.base_addr, m.irq, m.dma, m.port};
  }
  if (::ioctl(fd, req, &host) != 0) return -errno;
  if (narrow && req == SIOCGIFMAP) {
    const Ifmap32 m = {uint32_t(host.ifr_map.mem_start),
                       uint32_t(host.ifr_map.mem_end),
                       host.ifr_map.base_addr,
                       host.ifr_map.irq,
                       host.ifr_map.dma,
                       host.ifr_map.port};
    memset(reinterpret_cast<uint8_t*>(&host) + IFNAMSIZ, 0, kIfreq32 - IFNAMSIZ);
    memcpy(reinterpret_cast<uint8_t*>(&host) + IFNAMSIZ, &m, sizeof m);
  }
  return copy_to_guest(ctx.mem, arg, &host, size) ? 0 : -EFAULT;
}

// SIOCGIFCONF: struct ifconf { int len; char* buf; } names a guest buffer of ifreqs (or none, to
// ask for the length). A 32-bit guest's ifreqs are 32 bytes: the host's 40-byte ones are repacked
// (the name and the address, all SIOCGIFCONF fills in).
int64_t interface_list_ioctl(SyscallCtx& ctx, int fd, uint64_t arg) {
  const bool narrow = guest_word_bytes(ctx.proc) == 4;
  int32_t len = 0;
  uint64_t buf = 0;
  if (narrow) {
    uint32_t g[2];
    if (!copy_from_guest(ctx.mem, g, arg, sizeof g)) return -EFAULT;
    len = int32_t(g[0]), buf = g[1];
  } else {
    struct {
      int32_t len, pad;
      uint64_t buf;
    } g;
    if (!copy_from_guest(ctx.mem, &g, arg, sizeof g)) return -EFAULT;
    len = g.len, buf = g.buf;
  }
  if (buf && len < 0) return -EINVAL;
  const size_t guest_rec = narrow ? kIfreq32 : kIfreq64;
  // At most 4096 interfaces (a bigger guest buffer is not filled further): the host copy stays small.
  const size_t n = buf ? std::min<size_t>(size_t(len) / guest_rec, 4096) : 0;
  std::vector<ifreq> host_reqs(std::max<size_t>(n, 1));  // a buffer even for no record: not a probe
  ifconf host{};
  host.ifc_len = buf ? int(n * sizeof(ifreq)) : 0;
  host.ifc_buf = buf ? reinterpret_cast<char*>(host_reqs.data()) : nullptr;
  if (buf && !ctx.mem.access_ok(buf, uint64_t(len), PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
  if (::ioctl(fd, SIOCGIFCONF, &host) != 0) return -errno;
  const size_t got = std::min(size_t(host.ifc_len) / sizeof(ifreq), n);
  for (size_t i = 0; buf && i < got; i++)
    if (!copy_to_guest(ctx.mem, buf + i * guest_rec, &host_reqs[i], guest_rec)) return -EFAULT;
  // Without a buffer the kernel answers with the length the list needs (in the guest's records).
  const int32_t out_len = int32_t((buf ? got : size_t(host.ifc_len) / sizeof(ifreq)) * guest_rec);
  return put_guest(ctx.mem, arg, out_len) ? 0 : -EFAULT;
}

// The variable-size input-device reads: EVIOCGNAME/PHYS/UNIQ/PROP (0x06-0x09), the key, LED,
// sound and switch states (0x18-0x1b), EVIOCGBIT (0x20-0x3f), EVIOCGABS (0x40-0x7f). Their
// bitmaps are arrays of longs, laid out bit by bit the same in little-endian 32 and 64 bits.
bool is_evdev_read(uint32_t req) {
  if ((req >> 30) != kIocRead || ((req >> 8) & 0xff) != 'E') return false;
  const uint32_t nr = req & 0xff;
  return (nr >= 0x06 && nr <= 0x09) || (nr >= 0x18 && nr <= 0x1b) || (nr >= 0x20 && nr <= 0x7f);
}

int64_t ioctl_with(SyscallCtx& ctx, int fd, unsigned long req, Dir dir, size_t size, uint64_t arg) {
  if (dir == Dir::kValue) return host_ret(::ioctl(fd, req, long(arg)));
  uint8_t need = PageFlag::kValid;
  if (dir != Dir::kOut) need |= PageFlag::kRead;
  if (dir != Dir::kIn) need |= PageFlag::kWrite;
  if (!ctx.mem.access_ok(arg, size, need)) return -EFAULT;
  return host_ret(::ioctl(fd, req, guest_buffer(ctx.mem, arg, size)));
}

// FS_IOC_FIEMAP (dpkg orders the files it unpacks by their first block): struct fiemap, 32 bytes
// of u64/u32, then fm_extent_count 56-byte struct fiemap_extent the kernel fills (the same on every
// ABI; the request number holds only the header's size). As in ioctl_fiemap, the array is not
// checked beforehand: the kernel writes only the extents the file has, and an unmapped page is its
// EFAULT; the array must only lie in the guest's address space.
int64_t extent_map_ioctl(SyscallCtx& ctx, int fd, uint64_t arg) {
  constexpr uint64_t kHeader = 32, kExtent = 56;
  uint32_t count;
  if (!ctx.mem.access_ok(arg, kHeader, PageFlag::kValid | PageFlag::kRead | PageFlag::kWrite) ||
      !get_guest(ctx.mem, arg + 24, count))  // fm_extent_count
    return -EFAULT;
  if (count > UINT32_MAX / kExtent) return -EINVAL;  // FIEMAP_MAX_EXTENTS
  void* host = guest_buffer(ctx.mem, arg, kHeader + count * kExtent);
  return host ? host_ret(::ioctl(fd, FS_IOC_FIEMAP, host)) : -EFAULT;
}

}  // namespace

int64_t guest_ioctl(SyscallCtx& ctx, int fd, uint64_t request, uint64_t arg) {
  const uint32_t req = uint32_t(request);
  for (const IoctlDef& d : kSameLayout)
    if (d.req == req) return ioctl_with(ctx, fd, req, d.dir, d.size, arg);
  if (req == SIOCGIFCONF) return interface_list_ioctl(ctx, fd, arg);
  if (is_ifreq_request(req)) return ifreq_ioctl(ctx, fd, req, arg);
  const bool narrow = guest_word_bytes(ctx.proc) == 4;
  for (const WordNumbered& w : kWordNumbered)
    if (narrow ? req == w.guest32 : req == w.host) return ioctl_with(ctx, fd, w.host, w.dir, w.size, arg);
  if (is_evdev_read(req)) return ioctl_with(ctx, fd, req, Dir::kOut, (req >> 16) & 0x3fff, arg);
  if (req == BLKGETSIZE) {  // an unsigned long of 512-byte sectors
    uint64_t sectors = 0;
    if (::ioctl(fd, BLKGETSIZE64, &sectors) != 0) return -errno;
    sectors >>= 9;
    if (narrow && sectors > 0xffffffffu) return -EFBIG;
    const bool ok = narrow ? put_guest(ctx.mem, arg, uint32_t(sectors)) : put_guest(ctx.mem, arg, sectors);
    return ok ? 0 : -EFAULT;
  }
  if (req == FS_IOC_FIEMAP) return extent_map_ioctl(ctx, fd, arg);
  // -d unimp (MIMIC_LOG=unimp under binfmt_misc) names it, once: programs probe terminals and
  // devices with requests they expect to fail, so a silent ENOTTY hides only real gaps.
  report_unimplemented(ctx.proc, "ioctl", request, "on fd " + std::to_string(fd) + " (ENOTTY)");
  return -ENOTTY;
}

}  // namespace mimic::linux_user
