// -netdev user: libslirp, the user-mode TCP/IP stack QEMU uses (DHCP, DNS, outbound TCP/UDP,
// hostfwd, restrict=on). libslirp is not thread-safe: every call into it happens on the backend's
// poll thread; frames from the guest are queued to that thread.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <slirp/libslirp.h>

#include <chrono>
#include <cstring>
#include <list>

#include "hw/core/machine.h"
#include "hw/net/net_backends.h"
#include "hw/net/poll_thread.h"

namespace mimic::hw {

namespace {
int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct SlirpTimer {
  SlirpTimerCb cb;
  void* opaque;
  int64_t expire_ms = -1;  // slirp's timer_mod takes milliseconds of clock_get_ns / 1e6
};

class SlirpBackend final : public NetBackend {
 public:
  explicit SlirpBackend(const OptionList& o) {
    SlirpConfig cfg{};
    cfg.version = 4;
    cfg.in_enabled = true;
    in_addr net{}, mask{}, host{}, dns{}, dhcp{};
    std::string netspec = o.get("net", "10.0.2.0/24");
    size_t slash = netspec.find('/');
    std::string addr = netspec.substr(0, slash);
    int bits = slash == std::string::npos ? 24 : std::atoi(netspec.c_str() + slash + 1);
    if (!inet_aton(addr.c_str(), &net) || bits < 8 || bits > 30)
      netdev_error(o, "net=" + netspec + ": expected ADDR/BITS");
    mask.s_addr = htonl(~uint32_t(0) << (32 - bits));
    net.s_addr &= mask.s_addr;
    auto in_net = [&](const char* key, uint32_t host_part, in_addr& out) {
      std::string v = o.get(key);
      if (v.empty())
        out.s_addr = htonl(ntohl(net.s_addr) | host_part);
      else if (!inet_aton(v.c_str(), &out) || (out.s_addr & mask.s_addr) != net.s_addr)
        netdev_error(o, fmt::format("{}={}: not an address in {}", key, v, netspec));
    };
    in_net("host", 2, host);
    in_net("dns", 3, dns);
    in_net("dhcpstart", 15, dhcp);
    cfg.vnetwork = net;
    cfg.vnetmask = mask;
    cfg.vhost = host;
    cfg.vnameserver = dns;
    cfg.vdhcp_start = dhcp;
    cfg.restricted = parse_on_off(o, "restrict", false);
    cfg.in6_enabled = parse_on_off(o, "ipv6", true);
    inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
    cfg.vprefix_len = 64;
    inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
    inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);
    hostname_ = o.get("hostname");
    if (!hostname_.empty()) cfg.vhostname = hostname_.c_str();
    domain_ = o.get("domainname");
    if (!domain_.empty()) cfg.vdomainname = domain_.c_str();
    cfg.if_mtu = 1500;
    cfg.if_mru = 1500;

    cb_.send_packet = [](const void* buf, size_t len, void* self) -> ssize_t {
      static_cast<SlirpBackend*>(self)->deliver(static_cast<const uint8_t*>(buf), len);
      return ssize_t(len);
    };
    cb_.guest_error = [](const char* msg, void*) { fmt::print(stderr, "mimic: slirp: {}\n", msg); };
    cb_.clock_get_ns = [](void*) { return now_ns(); };
    cb_.timer_new = [](SlirpTimerCb cb, void* cb_opaque, void* self) -> void* {
      auto& timers = static_cast<SlirpBackend*>(self)->timers_;
      timers.push_back({cb, cb_opaque});
      return &timers.back();
    };
    cb_.timer_free = [](void* t, void* self) {
      static_cast<SlirpBackend*>(self)->timers_.remove_if([t](const SlirpTimer& x) { return &x == t; });
    };
    cb_.timer_mod = [](void* t, int64_t expire_ms, void*) { static_cast<SlirpTimer*>(t)->expire_ms = expire_ms; };
    cb_.register_poll_fd = [](int, void*) {};
    cb_.unregister_poll_fd = [](int, void*) {};
    cb_.notify = [](void* self) { static_cast<SlirpBackend*>(self)->poll_.wake(); };
    slirp_ = slirp_new(&cfg, &cb_, this);
    if (!slirp_) netdev_error(o, "libslirp could not be initialised");
    for (auto& [k, v] : o.props)
      if (k == "hostfwd") add_hostfwd(o, v, cfg.vdhcp_start);
  }

  ~SlirpBackend() override {
    stop();
    if (slirp_) slirp_cleanup(slirp_);
  }

  void send(const uint8_t* frame, size_t len) override { poll_.queue_frame(frame, len); }

  void start() override {
    poll_.start(
        [this](std::vector<pollfd>& fds, int& timeout_ms) {
          uint32_t t = 1000;
          int64_t now = now_ns() / 1000000;
          for (const SlirpTimer& tm : timers_)
            if (tm.expire_ms >= 0) t = uint32_t(std::min<int64_t>(t, std::max<int64_t>(0, tm.expire_ms - now)));
          fds_ = &fds;
          slirp_pollfds_fill(slirp_, &t, &SlirpBackend::add_poll, this);
          timeout_ms = int(t);
        },
        [this](const std::vector<pollfd>& fds) {
          polled_ = &fds;
          slirp_pollfds_poll(slirp_, 0, &SlirpBackend::get_revents, this);
          for (auto& f : poll_.take_frames()) slirp_input(slirp_, f.data(), int(f.size()));
          int64_t now = now_ns() / 1000000;
          for (SlirpTimer& tm : timers_)
            if (tm.expire_ms >= 0 && tm.expire_ms <= now) {
              tm.expire_ms = -1;
              tm.cb(tm.opaque);
            }
        });
  }

  void stop() override { poll_.stop(); }

 private:
  static int add_poll(int fd, int events, void* self) {
    auto* b = static_cast<SlirpBackend*>(self);
    short ev = 0;
    if (events & SLIRP_POLL_IN) ev |= POLLIN;
    if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
    b->fds_->push_back({fd, ev, 0});
    return int(b->fds_->size() - 1);
  }
  static int get_revents(int idx, void* self) {
    auto* b = static_cast<SlirpBackend*>(self);
    if (idx < 0 || size_t(idx) >= b->polled_->size()) return 0;
    short r = (*b->polled_)[idx].revents;
    int out = 0;
    if (r & POLLIN) out |= SLIRP_POLL_IN;
    if (r & POLLOUT) out |= SLIRP_POLL_OUT;
    if (r & POLLPRI) out |= SLIRP_POLL_PRI;
    if (r & POLLERR) out |= SLIRP_POLL_ERR;
    if (r & POLLHUP) out |= SLIRP_POLL_HUP;
    return out;
  }

  // hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
  void add_hostfwd(const OptionList& o, const std::string& spec, in_addr default_guest) {
    auto bad = [&](const std::string& why) { netdev_error(o, "hostfwd=" + spec + ": " + why); };
    std::string s = spec;
    bool udp = false;
    if (s.rfind("tcp:", 0) == 0) {
      s = s.substr(4);
    } else if (s.rfind("udp:", 0) == 0) {
      udp = true;
      s = s.substr(4);
    } else if (!s.empty() && s[0] == ':') {
      s = s.substr(1);
    } else {
      bad("expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT");
    }
    size_t dash = s.find('-');
    if (dash == std::string::npos) bad("no '-' between the host and the guest side");
    auto side = [&](const std::string& part, in_addr& a, int& port, bool host) {
      size_t colon = part.rfind(':');
      if (colon == std::string::npos) bad("expected ADDR:PORT on each side");
      std::string ad = part.substr(0, colon), p = part.substr(colon + 1);
      if (ad.empty())
        a = host ? in_addr{htonl(INADDR_ANY)} : default_guest;
      else if (!inet_aton(ad.c_str(), &a))
        bad("'" + ad + "' is not an IPv4 address");
      char* end = nullptr;
      long n = std::strtol(p.c_str(), &end, 10);
      if (p.empty() || *end || n < 0 || n > 65535 || (!host && n == 0)) bad("'" + p + "' is not a port");
      port = int(n);
    };
    in_addr ha{}, ga{};
    int hp = 0, gp = 0;
    side(s.substr(0, dash), ha, hp, true);
    side(s.substr(dash + 1), ga, gp, false);
    if (slirp_add_hostfwd(slirp_, udp, ha, hp, ga, gp) < 0)
      bad(fmt::format("could not set up host forwarding (host port {} in use?)", hp));
  }

  SlirpCb cb_{};
  Slirp* slirp_ = nullptr;
  std::string hostname_, domain_;
  std::list<SlirpTimer> timers_;
  std::vector<pollfd>* fds_ = nullptr;
  const std::vector<pollfd>* polled_ = nullptr;
  PollThread poll_;
};
}  // namespace

std::unique_ptr<NetBackend> make_slirp_backend(const OptionList& netdev) {
  check_netdev_keys(netdev, {"id", "net", "host", "dns", "dhcpstart", "restrict", "hostfwd", "hostname", "ipv6", "ipv4",
                             "domainname"});
  return std::make_unique<SlirpBackend>(netdev);
}

}  // namespace mimic::hw
