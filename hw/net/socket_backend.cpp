// -netdev socket / stream / dgram: Ethernet frames over host sockets, in QEMU's format (a stream
// carries each frame after its length as a 32-bit big-endian number; a datagram is one frame), so
// that machines reach each other without root.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hw/net/net_backends.h"
#include "hw/net/poll_thread.h"

namespace mimic::hw {

namespace {
constexpr size_t kMaxFrame = 65536;

// "HOST:PORT" (HOST may be empty: any / localhost) into an IPv4 address.
sockaddr_in parse_inet(const OptionList& o, const std::string& key, const std::string& host, const std::string& port,
                       bool listening) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end || p < 0 || p > 65535) netdev_error(o, fmt::format("{}: '{}' is not a port", key, port));
  a.sin_port = htons(uint16_t(p));
  if (host.empty()) {
    a.sin_addr.s_addr = htonl(listening ? INADDR_ANY : INADDR_LOOPBACK);
  } else if (!inet_aton(host.c_str(), &a.sin_addr)) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_INET;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res)
      netdev_error(o, fmt::format("{}: cannot resolve host '{}'", key, host));
    a.sin_addr = reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
    freeaddrinfo(res);
  }
  return a;
}

sockaddr_in parse_host_port(const OptionList& o, const std::string& key, bool listening) {
  std::string v = o.get(key);
  size_t colon = v.rfind(':');
  if (colon == std::string::npos) netdev_error(o, fmt::format("{}={}: expected HOST:PORT", key, v));
  return parse_inet(o, key, v.substr(0, colon), v.substr(colon + 1), listening);
}

// QEMU 7.2's SocketAddress spelled as PREFIX.type=inet,PREFIX.host=,PREFIX.port= (or unix, path=).
struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};
SockAddr parse_socket_address(const OptionList& o, const std::string& prefix, bool listening) {
  SockAddr out;
  std::string type = o.get(prefix + ".type", "inet");
  if (type == "inet") {
    sockaddr_in a = parse_inet(o, prefix, o.get(prefix + ".host"), o.get(prefix + ".port"), listening);
    memcpy(&out.ss, &a, sizeof a);
    out.len = sizeof a;
  } else if (type == "unix") {
    sockaddr_un u{};
    u.sun_family = AF_UNIX;
    std::string path = o.get(prefix + ".path");
    if (path.empty() || path.size() >= sizeof u.sun_path) netdev_error(o, prefix + ".path: missing or too long");
    memcpy(u.sun_path, path.c_str(), path.size() + 1);
    memcpy(&out.ss, &u, sizeof u);
    out.len = sizeof u;
  } else {
    netdev_error(o, fmt::format("{}.type={}: mimic takes inet or unix", prefix, type));
  }
  return out;
}

class SocketBackend final : public NetBackend {
 public:
  enum class Mode { kListen, kConnect, kDatagram };

  SocketBackend(const OptionList& o, Mode mode, const SockAddr& addr, const SockAddr* remote, bool mcast)
      : o_(o), mode_(mode) {
    int family = addr.ss.ss_family;
    if (mode == Mode::kDatagram) {
      fd_ = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (mcast) {
        // Every machine binds the group's port and joins the group; loopback lets machines on
        // this host hear each other.
        const auto* group = reinterpret_cast<const sockaddr_in*>(&addr.ss);
        sockaddr_in any = *group;
        setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
        if (bind(fd_, reinterpret_cast<sockaddr*>(&any), sizeof any) < 0) fail("bind");
        ip_mreq mreq{};
        mreq.imr_multiaddr = group->sin_addr;
        mreq.imr_interface.s_addr = htonl(INADDR_ANY);
        if (setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) fail("joining the multicast group");
        unsigned char loop = 1;
        setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
        remote_ = addr;
      } else {
        if (addr.len && bind(fd_, reinterpret_cast<const sockaddr*>(&addr.ss), addr.len) < 0) fail("bind");
        if (remote) remote_ = *remote;
      }
    } else {
      int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) fail("socket");
      if (mode == Mode::kListen) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, reinterpret_cast<const sockaddr*>(&addr.ss), addr.len) < 0 || listen(fd, 1) < 0) {
          close(fd);
          fail("listen");
        }
        listen_fd_ = fd;
      } else {
        if (connect(fd, reinterpret_cast<const sockaddr*>(&addr.ss), addr.len) < 0) {
          close(fd);
          fail("connect");
        }
        fd_ = fd;
        nodelay(fd_);
      }
    }
  }

  ~SocketBackend() override {
    stop();
    if (fd_ >= 0) close(fd_);
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  void send(const uint8_t* frame, size_t len) override { poll_.queue_frame(frame, len); }

  void start() override {
    poll_.start(
        [this](std::vector<pollfd>& fds, int&) {
          fds.push_back({fd_, short(fd_ >= 0 ? POLLIN : 0), 0});
          fds.push_back({listen_fd_, short(listen_fd_ >= 0 && fd_ < 0 ? POLLIN : 0), 0});
        },
        [this](const std::vector<pollfd>& fds) {
          if (fds[1].revents & POLLIN) {
            int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) {
              fd_ = c;
              nodelay(fd_);
              inbuf_.clear();
            }
          }
          if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) receive();
          for (auto& f : poll_.take_frames()) transmit(f);
        });
  }

  void stop() override { poll_.stop(); }

 private:
  [[noreturn]] void fail(const char* what) { netdev_error(o_, fmt::format("{}: {}", what, strerror(errno))); }
  static void nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }

  void drop_connection() {
    close(fd_);
    fd_ = -1;
    inbuf_.clear();
  }

  void receive() {
    if (mode_ == Mode::kDatagram) {
      uint8_t buf[kMaxFrame];
      ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) deliver(buf, size_t(n));
      return;
    }
    uint8_t buf[kMaxFrame];
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      drop_connection();  // the peer went: a listener waits for the next one
      return;
    }
    if (n < 0) return;
    inbuf_.insert(inbuf_.end(), buf, buf + n);
    size_t pos = 0;
    while (inbuf_.size() - pos >= 4) {
      uint32_t be;
      memcpy(&be, inbuf_.data() + pos, 4);
      uint32_t len = ntohl(be);
      if (len > kMaxFrame) {
        drop_connection();  // not QEMU's framing: nothing sensible to resynchronise on
        return;
      }
      if (inbuf_.size() - pos - 4 < len) break;
      deliver(inbuf_.data() + pos + 4, len);
      pos += 4 + len;
    }
    inbuf_.erase(inbuf_.begin(), inbuf_.begin() + long(pos));
  }

  void transmit(const std::vector<uint8_t>& f) {
    if (fd_ < 0) return;  // no peer yet: the frame is lost, as on an unplugged wire
    if (mode_ == Mode::kDatagram) {
      if (remote_.len)
        sendto(fd_, f.data(), f.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&remote_.ss), remote_.len);
      return;
    }
    uint32_t be = htonl(uint32_t(f.size()));
    std::vector<uint8_t> out(4 + f.size());
    memcpy(out.data(), &be, 4);
    memcpy(out.data() + 4, f.data(), f.size());
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::send(fd_, out.data() + done, out.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        drop_connection();
        return;
      }
      done += size_t(n);
    }
  }

  OptionList o_;
  Mode mode_;
  int fd_ = -1, listen_fd_ = -1;
  SockAddr remote_;
  std::vector<uint8_t> inbuf_;
  PollThread poll_;
};

SockAddr from_inet(const sockaddr_in& a) {
  SockAddr s;
  memcpy(&s.ss, &a, sizeof a);
  s.len = sizeof a;
  return s;
}

bool is_multicast(const SockAddr& a) {
  return a.ss.ss_family == AF_INET && IN_MULTICAST(ntohl(reinterpret_cast<const sockaddr_in*>(&a.ss)->sin_addr.s_addr));
}
}  // namespace

std::unique_ptr<NetBackend> make_socket_backend(const OptionList& o) {
  using Mode = SocketBackend::Mode;
  if (o.driver == "socket") {
    check_netdev_keys(o, {"id", "listen", "connect", "mcast", "udp", "localaddr"});
    int n = o.has("listen") + o.has("connect") + o.has("mcast") + o.has("udp");
    if (n != 1) netdev_error(o, "exactly one of listen=, connect=, mcast= or udp= is needed");
    if (o.has("listen"))
      return std::make_unique<SocketBackend>(o, Mode::kListen, from_inet(parse_host_port(o, "listen", true)), nullptr,
                                             false);
    if (o.has("connect"))
      return std::make_unique<SocketBackend>(o, Mode::kConnect, from_inet(parse_host_port(o, "connect", false)),
                                             nullptr, false);
    if (o.has("mcast")) {
      SockAddr g = from_inet(parse_host_port(o, "mcast", false));
      if (!is_multicast(g)) netdev_error(o, "mcast=" + o.get("mcast") + ": not a multicast address");
      return std::make_unique<SocketBackend>(o, Mode::kDatagram, g, nullptr, true);
    }
    if (!o.has("localaddr")) netdev_error(o, "udp= needs localaddr=HOST:PORT");
    SockAddr local = from_inet(parse_host_port(o, "localaddr", true)),
             remote = from_inet(parse_host_port(o, "udp", false));
    return std::make_unique<SocketBackend>(o, Mode::kDatagram, local, &remote, false);
  }
  if (o.driver == "stream") {
    check_netdev_keys(o,
                      {"id", "server", "addr.type", "addr.host", "addr.port", "addr.path", "addr.ipv4", "addr.ipv6"});
    bool server = parse_on_off(o, "server", false);
    return std::make_unique<SocketBackend>(o, server ? Mode::kListen : Mode::kConnect,
                                           parse_socket_address(o, "addr", server), nullptr, false);
  }
  check_netdev_keys(o, {"id", "local.type", "local.host", "local.port", "local.path", "remote.type", "remote.host",
                        "remote.port", "remote.path"});
  if (!o.has("remote.host") && !o.has("remote.path") && !o.has("local.host") && !o.has("local.port"))
    netdev_error(o, "dgram needs remote.* and/or local.* addresses");
  if (o.has("remote.host") || o.has("remote.path")) {
    SockAddr remote = parse_socket_address(o, "remote", false);
    if (is_multicast(remote)) return std::make_unique<SocketBackend>(o, Mode::kDatagram, remote, nullptr, true);
    if (!o.has("local.port") && !o.has("local.path")) netdev_error(o, "a unicast dgram needs local.* too");
    return std::make_unique<SocketBackend>(o, Mode::kDatagram, parse_socket_address(o, "local", true), &remote, false);
  }
  return std::make_unique<SocketBackend>(o, Mode::kDatagram, parse_socket_address(o, "local", true), nullptr, false);
}

}  // namespace mimic::hw
