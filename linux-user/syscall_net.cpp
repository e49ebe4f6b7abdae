// Socket system calls: sockaddr, msghdr and cmsg layouts are the host's; only pointers move.
#include <sys/socket.h>
#include <sys/uio.h>

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

// struct msghdr: the guest's pointers become host pointers; the layout is the same.
int64_t msg_in(SyscallCtx& ctx, uint64_t addr, msghdr& m, std::vector<iovec>& iov, bool writes) {
  struct {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
  } g;
  if (!copy_from_guest(ctx.mem, &g, addr, sizeof g)) return -EFAULT;
  if (g.iovlen > 1024) return -EMSGSIZE;
  iov.resize(g.iovlen);
  for (uint64_t i = 0; i < g.iovlen; i++) {
    uint64_t w[2];
    if (!copy_from_guest(ctx.mem, w, g.iov + 16 * i, 16)) return -EFAULT;
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
  m.msg_control = g.control ? guest_buffer(ctx.mem, g.control, g.controllen) : nullptr;
  m.msg_controllen = g.controllen;
  m.msg_flags = g.flags;
  return 0;
}
SYS(sendmsg) {
  msghdr m;
  std::vector<iovec> iov;
  if (int64_t r = msg_in(ctx, a[1], m, iov, false); r < 0) return r;
  return safe_syscall(SYS_sendmsg, fdarg(a[0]), &m, int(a[2]));
}
SYS(recvmsg) {
  msghdr m;
  std::vector<iovec> iov;
  if (int64_t r = msg_in(ctx, a[1], m, iov, true); r < 0) return r;
  const int64_t r = safe_syscall(SYS_recvmsg, fdarg(a[0]), &m, int(a[2]));
  if (r < 0) return r;
  uint32_t namelen = m.msg_namelen;
  uint64_t controllen = m.msg_controllen;
  int32_t flags = m.msg_flags;
  // The kernel writes these back after receiving: a read-only msghdr is EFAULT (the data is gone).
  if (!put_guest(ctx.mem, a[1] + 8, namelen) || !put_guest(ctx.mem, a[1] + 40, controllen) ||
      !put_guest(ctx.mem, a[1] + 48, flags))
    return -EFAULT;
  return r;
}

// sendmmsg/recvmmsg: arrays of struct mmsghdr { msghdr (56 bytes); unsigned msg_len; } (64 bytes,
// the host's layout too); glibc's DNS resolver sends its A and AAAA queries with sendmmsg.
constexpr uint64_t kMmsgSize = 64, kMsgLenOffset = 56;
int64_t do_mmsg(SyscallCtx& ctx, const uint64_t* a, bool send) {
  uint64_t vlen = std::min<uint64_t>(a[2], 1024);  // the kernel caps vlen at UIO_MAXIOV
  if (!vlen) return 0;
  std::vector<mmsghdr> v(vlen);
  std::vector<std::vector<iovec>> iovs(vlen);
  for (uint64_t i = 0; i < vlen; i++)
    if (int64_t r = msg_in(ctx, a[1] + kMmsgSize * i, v[i].msg_hdr, iovs[i], !send); r < 0) return r;
  int64_t r;
  if (send) {
    r = safe_syscall(SYS_sendmmsg, fdarg(a[0]), v.data(), unsigned(vlen), int(a[3]));
  } else {
    timespec ts, *pts = nullptr;
    if (a[4]) {
      if (!get_guest(ctx.mem, a[4], ts)) return -EFAULT;
      pts = &ts;
    }
    r = safe_syscall(SYS_recvmmsg, fdarg(a[0]), v.data(), unsigned(vlen), int(a[3]), pts);
    if (r >= 0 && pts) put_guest(ctx.mem, a[4], ts);
  }
  if (r < 0) return r;
  for (int i = 0; i < r; i++) {
    uint64_t m = a[1] + kMmsgSize * uint64_t(i);
    const mmsghdr& h = v[size_t(i)];
    put_guest(ctx.mem, m + kMsgLenOffset, uint32_t(h.msg_len));
    if (!send) {
      put_guest(ctx.mem, m + 8, uint32_t(h.msg_hdr.msg_namelen));
      put_guest(ctx.mem, m + 40, uint64_t(h.msg_hdr.msg_controllen));
      put_guest(ctx.mem, m + 48, int32_t(h.msg_hdr.msg_flags));
    }
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
