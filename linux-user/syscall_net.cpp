// Socket system calls: sockaddr layouts are the host's (only pointers move); msghdr and cmsg are
// the host's on 64-bit ABIs and converted on 32-bit ones.
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "linux-user/generic/syscall_nr.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

int fdarg(uint64_t v) { return int(int32_t(v)); }

// A (sockaddr*, socklen_t*) result pair: the host writes straight into guest memory after checks.
int64_t addr_out(SyscallCtx& ctx, uint64_t addr, uint64_t lenp, sockaddr** sa, socklen_t** len) {
  *sa = nullptr;
  *len = nullptr;
  if (!addr) return 0;
  if (!ctx.mem.access_ok(lenp, 4, PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
  socklen_t l = *static_cast<socklen_t*>(ctx.mem.host(lenp));
  if (int(l) < 0) return -EINVAL;
  if (!ctx.mem.access_ok(addr, l, PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
  *sa = static_cast<sockaddr*>(guest_buffer(ctx.mem, addr, l));
  *len = static_cast<socklen_t*>(guest_buffer(ctx.mem, lenp, sizeof(socklen_t)));
  return 0;
}
const sockaddr* addr_in(SyscallCtx& ctx, uint64_t addr, uint64_t len) {
  if (!addr || !ctx.mem.access_ok(addr, len, PageFlag::kValid | PageFlag::kRead)) return nullptr;
  return static_cast<const sockaddr*>(ctx.mem.host(addr));
}

SYS(socket) { return host_ret(::socket(int(a[0]), int(a[1]), int(a[2]))); }
SYS(socketpair) {
  int sv[2];
  if (::socketpair(int(a[0]), int(a[1]), int(a[2]), sv) != 0) return -errno;
  return copy_to_guest(ctx.mem, a[3], sv, sizeof sv) ? 0 : -EFAULT;
}
SYS(bind) {
  const sockaddr* sa = addr_in(ctx, a[1], a[2]);
  if (!sa) return -EFAULT;
  return host_ret(::bind(fdarg(a[0]), sa, socklen_t(a[2])));
}
SYS(connect) {
  const sockaddr* sa = addr_in(ctx, a[1], a[2]);
  if (!sa) return -EFAULT;
  return safe_syscall(SYS_connect, fdarg(a[0]), sa, socklen_t(a[2]));
}
SYS(listen) { return host_ret(::listen(fdarg(a[0]), int(a[1]))); }
SYS(accept4) {
  sockaddr* sa;
  socklen_t* len;
  if (int64_t r = addr_out(ctx, a[1], a[2], &sa, &len); r < 0) return r;
  return safe_syscall(SYS_accept4, fdarg(a[0]), sa, len, int(a[3]));
}
SYS(accept) {
  uint64_t b[4] = {a[0], a[1], a[2], 0};
  return sys_accept4(ctx, b);
}
SYS(getsockname) {
  sockaddr* sa;
  socklen_t* len;
  if (int64_t r = addr_out(ctx, a[1], a[2], &sa, &len); r < 0) return r;
  if (!sa) return -EFAULT;
  return host_ret(::getsockname(fdarg(a[0]), sa, len));
}
SYS(getpeername) {
  sockaddr* sa;
  socklen_t* len;
  if (int64_t r = addr_out(ctx, a[1], a[2], &sa, &len); r < 0) return r;
  if (!sa) return -EFAULT;
  return host_ret(::getpeername(fdarg(a[0]), sa, len));
}
SYS(sendto) {
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  const sockaddr* sa = nullptr;
  if (a[4] && !(sa = addr_in(ctx, a[4], a[5]))) return -EFAULT;
  return safe_syscall(SYS_sendto, fdarg(a[0]), buf, a[2], int(a[3]), sa, socklen_t(a[5]));
}
SYS(recvfrom) {
  void* buf = guest_buffer(ctx.mem, a[1], a[2]);
  if (!buf) return -EFAULT;
  sockaddr* sa;
  socklen_t* len;
  if (int64_t r = addr_out(ctx, a[4], a[5], &sa, &len); r < 0) return r;
  return safe_syscall(SYS_recvfrom, fdarg(a[0]), buf, a[2], int(a[3]), sa, len);
}
SYS(setsockopt) {
  // Option values are plain data (ints, timevals, linger, ...) with the same layout.
  const void* v = nullptr;
  if (a[3] && !(v = addr_in(ctx, a[3], a[4]))) return -EFAULT;
  return host_ret(::setsockopt(fdarg(a[0]), int(a[1]), int(a[2]), v, socklen_t(a[4])));
}
SYS(getsockopt) {
  sockaddr* v;
  socklen_t* len;
  if (int64_t r = addr_out(ctx, a[3], a[4], &v, &len); r < 0) return r;
  return host_ret(::getsockopt(fdarg(a[0]), int(a[1]), int(a[2]), v, len));
}
SYS(shutdown) { return host_ret(::shutdown(fdarg(a[0]), int(a[1]))); }

// struct msghdr and struct mmsghdr as the guest's ABI lays them out: of 64-bit words (the host's
// layout: the guest's pointers become host pointers) or of 32-bit ones (Arm EABI, converted).
struct MsgLayout {
  unsigned size, namelen, controllen, flags, mmsg_size, msg_len;
};
constexpr MsgLayout kMsg64 = {56, 8, 40, 48, 64, 56}, kMsg32 = {28, 4, 20, 24, 32, 28};
const MsgLayout& msg_layout(const SyscallCtx& ctx) { return guest_word_bytes(ctx.proc) == 4 ? kMsg32 : kMsg64; }

// A message's control data on a 32-bit ABI: struct cmsghdr is {u32 len; int level, type} aligned
// to 4 there and {u64 len; int level, type} aligned to 8 on the host, and the old (time32)
// timestamps hold longs, so the messages are rebuilt in a host buffer both ways.
struct Control32 {
  std::vector<uint64_t> host;  // the host's cmsg buffer (8-aligned)
};
constexpr size_t kCmsg32Header = 12;
size_t align4(size_t n) { return (n + 3) & ~size_t(3); }
// SO_TIMESTAMP_OLD, SO_TIMESTAMPNS_OLD, SO_TIMESTAMPING_OLD: arrays of two longs per timestamp.
bool is_old_timestamp(int level, int type) { return level == SOL_SOCKET && (type == 29 || type == 35 || type == 37); }

// The guest's control messages (sendmsg) in host layout; -EINVAL for a malformed one, as Linux.
int64_t control32_in(SyscallCtx& ctx, uint64_t addr, uint64_t len, Control32& c, msghdr& m) {
  std::vector<uint8_t> g(len);
  if (len && !copy_from_guest(ctx.mem, g.data(), addr, len)) return -EFAULT;
  std::vector<uint8_t> out;
  for (size_t off = 0; off + kCmsg32Header <= len;) {
    uint32_t clen;
    int32_t level, type;
    memcpy(&clen, &g[off], 4), memcpy(&level, &g[off + 4], 4), memcpy(&type, &g[off + 8], 4);
    if (clen < kCmsg32Header || clen > len - off) return -EINVAL;
    const size_t payload = clen - kCmsg32Header, at = out.size();
    out.resize(at + CMSG_SPACE(payload));
    cmsghdr h{};
    h.cmsg_len = CMSG_LEN(payload), h.cmsg_level = level, h.cmsg_type = type;
    memcpy(&out[at], &h, sizeof h);
    memcpy(&out[at] + CMSG_LEN(0), &g[off + kCmsg32Header], payload);
    off += align4(clen);
  }
  c.host.assign((out.size() + 7) / 8, 0);
  if (!out.empty()) memcpy(c.host.data(), out.data(), out.size());
  m.msg_control = out.empty() ? nullptr : c.host.data();
  m.msg_controllen = out.size();
  return 0;
}
// The host's received control messages written to the guest's buffer (`cap` bytes at `addr`) in
// the 32-bit layout; what does not fit is cut with MSG_CTRUNC (file descriptors that do not fit
// are closed, as Linux never installs them). Returns the bytes written.
uint64_t control32_out(SyscallCtx& ctx, msghdr& m, uint64_t addr, uint64_t cap) {
  std::vector<uint8_t> out;
  for (cmsghdr* h = m.msg_controllen ? CMSG_FIRSTHDR(&m) : nullptr; h; h = CMSG_NXTHDR(&m, h)) {
    const uint8_t* data = CMSG_DATA(h);
    size_t payload = h->cmsg_len - CMSG_LEN(0);
    std::vector<uint8_t> conv(data, data + payload);
    if (is_old_timestamp(h->cmsg_level, h->cmsg_type)) {  // longs -> 32-bit longs
      conv.clear();
      for (size_t i = 0; i + 8 <= payload; i += 8) {
        int64_t v;
        memcpy(&v, data + i, 8);
        const int32_t n = int32_t(v);
        conv.insert(conv.end(), reinterpret_cast<const uint8_t*>(&n), reinterpret_cast<const uint8_t*>(&n) + 4);
      }
    }
    size_t room = cap > out.size() ? cap - out.size() : 0;
    size_t keep = conv.size();
    if (kCmsg32Header + keep > room) {
      m.msg_flags |= MSG_CTRUNC;
      keep = room < kCmsg32Header ? 0 : room - kCmsg32Header;
      if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
        keep &= ~size_t(3);
        for (size_t i = keep; i + 4 <= conv.size(); i += 4) {
          int fd;
          memcpy(&fd, &conv[i], 4);
          ::close(fd);
        }
      }
      if (room < kCmsg32Header) break;
    }
    const uint32_t clen = uint32_t(kCmsg32Header + keep);
    const int32_t hdr[2] = {h->cmsg_level, h->cmsg_type};
    const size_t at = out.size();
    out.resize(at + std::min<size_t>(align4(clen), room));
    memcpy(&out[at], &clen, 4);
    memcpy(&out[at + 4], hdr, 8);
    memcpy(&out[at + kCmsg32Header], conv.data(), keep);
  }
  if (!out.empty() && !copy_to_guest(ctx.mem, addr, out.data(), out.size())) return 0;
  return out.size();
}

struct GuestMsg {
  uint64_t name = 0, iov = 0, iovlen = 0, control = 0, controllen = 0;
  uint32_t namelen = 0;
  int32_t flags = 0;
  Control32 control32;
};
int64_t msg_in(SyscallCtx& ctx, uint64_t addr, msghdr& m, std::vector<iovec>& iov, bool writes, GuestMsg& g) {
  const unsigned wb = guest_word_bytes(ctx.proc);
  if (wb == 4) {
    uint32_t w[7];
    if (!copy_from_guest(ctx.mem, w, addr, sizeof w)) return -EFAULT;
    g.name = w[0], g.namelen = w[1], g.iov = w[2], g.iovlen = w[3], g.control = w[4], g.controllen = w[5];
    g.flags = int32_t(w[6]);
  } else {
    struct {
      uint64_t name;
      uint32_t namelen, pad0;
      uint64_t iov, iovlen, control, controllen;
      int32_t flags, pad1;
    } w;
    if (!copy_from_guest(ctx.mem, &w, addr, sizeof w)) return -EFAULT;
    g.name = w.name, g.namelen = w.namelen, g.iov = w.iov, g.iovlen = w.iovlen, g.control = w.control;
    g.controllen = w.controllen, g.flags = w.flags;
  }
  if (g.iovlen > 1024) return -EMSGSIZE;
  iov.resize(g.iovlen);
  for (uint64_t i = 0; i < g.iovlen; i++) {
    uint64_t w[2] = {};
    if (wb == 4) {
      uint32_t n[2];
      if (!copy_from_guest(ctx.mem, n, g.iov + 8 * i, 8)) return -EFAULT;
      w[0] = n[0], w[1] = n[1];
    } else if (!copy_from_guest(ctx.mem, w, g.iov + 16 * i, 16)) {
      return -EFAULT;
    }
    void* p = guest_buffer(ctx.mem, w[0], w[1]);
    if (!p && w[1]) return -EFAULT;
    iov[i] = {p, w[1]};
  }
  uint8_t need = PageFlag::kValid | (writes ? PageFlag::kWrite : PageFlag::kRead);
  if (g.name && !ctx.mem.access_ok(g.name, g.namelen, need)) return -EFAULT;
  if (g.control && !ctx.mem.access_ok(g.control, g.controllen, need)) return -EFAULT;
  m = {};
  m.msg_name = g.name ? guest_buffer(ctx.mem, g.name, g.namelen) : nullptr;
  m.msg_namelen = g.namelen;
  m.msg_iov = iov.data();
  m.msg_iovlen = iov.size();
  m.msg_flags = g.flags;
  if (wb == 4 && g.control) {
    if (!writes) return control32_in(ctx, g.control, g.controllen, g.control32, m);
    // Room for the host's larger headers and longs: twice the guest's, and a header more.
    g.control32.host.assign((2 * g.controllen + 64) / 8, 0);
    m.msg_control = g.control32.host.data();
    m.msg_controllen = g.control32.host.size() * 8;
    return 0;
  }
  m.msg_control = g.control ? guest_buffer(ctx.mem, g.control, g.controllen) : nullptr;
  m.msg_controllen = g.controllen;
  return 0;
}
// After a receive: the kernel writes msg_namelen, msg_controllen and msg_flags back (a read-only
// msghdr is EFAULT then: the data is gone).
bool msg_out(SyscallCtx& ctx, uint64_t addr, msghdr& m, GuestMsg& g) {
  const MsgLayout& l = msg_layout(ctx);
  uint64_t controllen = m.msg_controllen;
  if (guest_word_bytes(ctx.proc) == 4) controllen = g.control ? control32_out(ctx, m, g.control, g.controllen) : 0;
  const bool ok = put_guest(ctx.mem, addr + l.namelen, uint32_t(m.msg_namelen)) &&
                  put_guest(ctx.mem, addr + l.flags, int32_t(m.msg_flags));
  if (l.size == kMsg32.size) return ok && put_guest(ctx.mem, addr + l.controllen, uint32_t(controllen));
  return ok && put_guest(ctx.mem, addr + l.controllen, controllen);
}
SYS(sendmsg) {
  msghdr m;
  std::vector<iovec> iov;
  GuestMsg g;
  if (int64_t r = msg_in(ctx, a[1], m, iov, false, g); r < 0) return r;
  return safe_syscall(SYS_sendmsg, fdarg(a[0]), &m, int(a[2]));
}
SYS(recvmsg) {
  msghdr m;
  std::vector<iovec> iov;
  GuestMsg g;
  if (int64_t r = msg_in(ctx, a[1], m, iov, true, g); r < 0) return r;
  const int64_t r = safe_syscall(SYS_recvmsg, fdarg(a[0]), &m, int(a[2]));
  if (r < 0) return r;
  return msg_out(ctx, a[1], m, g) ? r : -EFAULT;
}

// sendmmsg/recvmmsg: arrays of struct mmsghdr { msghdr; unsigned msg_len; } (64 bytes, the
// host's layout too, or 32 on a 32-bit ABI); glibc's DNS resolver sends its A and AAAA queries
// with sendmmsg. The timeout is a timespec of the generic (time64) layout.
int64_t do_mmsg(SyscallCtx& ctx, const uint64_t* a, bool send) {
  const MsgLayout& l = msg_layout(ctx);
  uint64_t vlen = std::min<uint64_t>(a[2], 1024);  // the kernel caps vlen at UIO_MAXIOV
  if (!vlen) return 0;
  std::vector<mmsghdr> v(vlen);
  std::vector<std::vector<iovec>> iovs(vlen);
  std::vector<GuestMsg> gs(vlen);
  for (uint64_t i = 0; i < vlen; i++)
    if (int64_t r = msg_in(ctx, a[1] + l.mmsg_size * i, v[i].msg_hdr, iovs[i], !send, gs[i]); r < 0) return r;
  int64_t r;
  if (send) {
    r = safe_syscall(SYS_sendmmsg, fdarg(a[0]), v.data(), unsigned(vlen), int(a[3]));
  } else {
    timespec ts, *pts = nullptr;
    if (a[4]) {
      if (!get_guest_timespec(ctx, a[4], ts)) return -EFAULT;
      pts = &ts;
    }
    r = safe_syscall(SYS_recvmmsg, fdarg(a[0]), v.data(), unsigned(vlen), int(a[3]), pts);
    if (r >= 0 && pts) put_guest(ctx.mem, a[4], ts);
  }
  if (r < 0) return r;
  for (int i = 0; i < r; i++) {
    uint64_t m = a[1] + l.mmsg_size * uint64_t(i);
    mmsghdr& h = v[size_t(i)];
    put_guest(ctx.mem, m + l.msg_len, uint32_t(h.msg_len));
    if (!send) msg_out(ctx, m, h.msg_hdr, gs[size_t(i)]);
  }
  return r;
}
SYS(sendmmsg) { return do_mmsg(ctx, a, true); }
SYS(recvmmsg) { return do_mmsg(ctx, a, false); }

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_socket, "socket", sys_socket, "ddd", 'd'},
    {nr::k_socketpair, "socketpair", sys_socketpair, "dddp", 'd'},
    {nr::k_bind, "bind", sys_bind, "dpu", 'd'},
    {nr::k_connect, "connect", sys_connect, "dpu", 'd'},
    {nr::k_listen, "listen", sys_listen, "dd", 'd'},
    {nr::k_accept, "accept", sys_accept, "dpp", 'd'},
    {nr::k_accept4, "accept4", sys_accept4, "dppx", 'd'},
    {nr::k_getsockname, "getsockname", sys_getsockname, "dpp", 'd'},
    {nr::k_getpeername, "getpeername", sys_getpeername, "dpp", 'd'},
    {nr::k_sendto, "sendto", sys_sendto, "dpuxpu", 'd'},
    {nr::k_recvfrom, "recvfrom", sys_recvfrom, "dpuxpp", 'd'},
    {nr::k_setsockopt, "setsockopt", sys_setsockopt, "dddpu", 'd'},
    {nr::k_getsockopt, "getsockopt", sys_getsockopt, "dddpp", 'd'},
    {nr::k_shutdown, "shutdown", sys_shutdown, "dd", 'd'},
    {nr::k_sendmsg, "sendmsg", sys_sendmsg, "dpx", 'd'},
    {nr::k_recvmsg, "recvmsg", sys_recvmsg, "dpx", 'd'},
    {nr::k_sendmmsg, "sendmmsg", sys_sendmmsg, "dpux", 'd'},
    {nr::k_recvmmsg, "recvmmsg", sys_recvmmsg, "dpuxp", 'd'},
};

}  // namespace

void register_net_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
