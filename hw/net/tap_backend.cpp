// -netdev tap,ifname=NAME: a Linux TAP interface (needs CAP_NET_ADMIN, or a tap the user owns).
// script= and downscript= are not run: mimic configures nothing on the host (script=no).
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hw/net/net_backends.h"
#include "hw/net/poll_thread.h"

namespace mimic::hw {

namespace {
class TapBackend final : public NetBackend {
 public:
  explicit TapBackend(const OptionList& o) {
    fd_ = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) netdev_error(o, fmt::format("/dev/net/tun: {}", strerror(errno)));
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::string name = o.get("ifname");
    if (name.size() >= IFNAMSIZ) netdev_error(o, "ifname=" + name + ": too long");
    memcpy(ifr.ifr_name, name.c_str(), name.size());
    if (ioctl(fd_, TUNSETIFF, &ifr) < 0) {
      int e = errno;
      close(fd_);
      netdev_error(o, fmt::format("cannot attach to tap {}: {}", name.empty() ? "(new)" : name, strerror(e)));
    }
  }
  ~TapBackend() override {
    stop();
    close(fd_);
  }
  void send(const uint8_t* frame, size_t len) override {
    // A full tap queue drops the frame, as QEMU does when it cannot write.
    (void)!write(fd_, frame, len);
  }
  void start() override {
    poll_.start(
        [this](std::vector<pollfd>& fds, int&) {
          fds.push_back({fd_, POLLIN, 0});
        },
        [this](const std::vector<pollfd>& fds) {
          if (!(fds[0].revents & POLLIN)) return;
          uint8_t buf[65536];
          for (;;) {
            ssize_t n = read(fd_, buf, sizeof buf);
            if (n <= 0) break;
            deliver(buf, size_t(n));
          }
        });
  }
  void stop() override { poll_.stop(); }

 private:
  int fd_;
  PollThread poll_;
};
}  // namespace

std::unique_ptr<NetBackend> make_tap_backend(const OptionList& netdev) {
  check_netdev_keys(netdev, {"id", "ifname", "script", "downscript", "vhost", "queues"});
  for (const char* k : {"script", "downscript"})
    if (netdev.has(k) && netdev.get(k) != "no")
      netdev_error(netdev, fmt::format("{}={}: mimic runs no scripts; set the tap up beforehand and pass {}=no", k,
                                       netdev.get(k), k));
  return std::make_unique<TapBackend>(netdev);
}

}  // namespace mimic::hw
