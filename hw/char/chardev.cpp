#include "hw/char/chardev.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include "hw/core/machine.h"
#include "hw/net/poll_thread.h"

namespace mimic::hw {

namespace {
[[noreturn]] void fail(const OptionList& o, const std::string& why) {
  throw MachineError(fmt::format("{} {}: {}", o.option, o.text, why));
}

bool on_off(const OptionList& o, const std::string& key, bool fallback) {
  if (!o.has(key)) return fallback;
  std::string v = o.get(key);
  if (v == "on" || v == "true" || v == "yes") return true;
  if (v == "off" || v == "false" || v == "no") return false;
  fail(o, key + "=" + v + ": expected on or off");
}

// A listening socket (unix or TCP) that serves one client at a time, or an output file.
class SocketCharDev final : public CharDev {
 public:
  SocketCharDev(int listen_fd, int out_fd) : listen_fd_(listen_fd), conn_fd_(out_fd) {}
  ~SocketCharDev() override {
    stop();
    if (listen_fd_ >= 0) close(listen_fd_);
    if (conn_fd_ >= 0) close(conn_fd_);
  }
  void write(const uint8_t* data, size_t len) override {
    std::lock_guard lock(mutex_);
    if (conn_fd_ < 0) return;
    while (len > 0) {
      ssize_t n = ::send(conn_fd_, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK) n = ::write(conn_fd_, data, len);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      data += n;
      len -= size_t(n);
    }
  }
  void start() override {
    poll_.start(
        [this](std::vector<pollfd>& fds, int&) {
          std::lock_guard lock(mutex_);
          bool reading = listen_fd_ >= 0 && conn_fd_ >= 0 && pending_.empty();
          fds.push_back({conn_fd_, short(reading ? POLLIN : 0), 0});
          fds.push_back({listen_fd_, short(listen_fd_ >= 0 && conn_fd_ < 0 ? POLLIN : 0), 0});
        },
        [this](const std::vector<pollfd>& fds) {
          if (fds[1].revents & POLLIN) {
            int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            std::lock_guard lock(mutex_);
            if (c >= 0) conn_fd_ = c;
          }
          if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t buf[4096];
            ssize_t n = recv(fds[0].fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
              std::lock_guard lock(mutex_);
              close(conn_fd_);
              conn_fd_ = -1;  // back to listening
            } else if (n > 0) {
              pending_.insert(pending_.end(), buf, buf + n);
            }
          }
          offer();
        });
  }
  void stop() override { poll_.stop(); }
  void wake_reader() override { poll_.wake(); }

 private:
  void offer() {
    if (pending_.empty() || !receiver_) return;
    size_t took = receiver_(pending_.data(), pending_.size());
    pending_.erase(pending_.begin(), pending_.begin() + long(std::min(took, pending_.size())));
  }

  int listen_fd_, conn_fd_;
  std::mutex mutex_;
  std::vector<uint8_t> pending_;  // poll thread only
  PollThread poll_;
};
}  // namespace

std::unique_ptr<CharDev> make_chardev(const OptionList& o) {
  for (auto& kv : o.props) {
    bool ok = false;
    for (const char* k : {"id", "path", "host", "port", "server", "wait", "telnet", "ipv4"}) ok |= kv.first == k;
    if (!ok) fail(o, fmt::format("unknown property '{}'", kv.first));
  }
  if (o.get("id").empty()) fail(o, "id= is missing");
  if (o.driver == "null") return std::make_unique<SocketCharDev>(-1, -1);
  if (o.driver == "file") {
    std::string path = o.get("path");
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(o, fmt::format("{}: {}", path, strerror(errno)));
    return std::make_unique<SocketCharDev>(-1, fd);
  }
  if (o.driver != "socket") fail(o, fmt::format("chardev '{}': mimic has socket, file and null", o.driver));
  if (!on_off(o, "server", false)) fail(o, "server=off: mimic's socket chardevs listen (server=on,wait=off)");
  if (on_off(o, "wait", true)) fail(o, "wait=on: mimic does not wait for a client before starting; add wait=off");
  int fd;
  if (o.has("path")) {
    sockaddr_un u{};
    u.sun_family = AF_UNIX;
    std::string path = o.get("path");
    if (path.size() >= sizeof u.sun_path) fail(o, "path=: too long for a unix socket");
    memcpy(u.sun_path, path.c_str(), path.size() + 1);
    unlink(path.c_str());
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&u), sizeof u) < 0 || listen(fd, 1) < 0)
      fail(o, fmt::format("{}: {}", path, strerror(errno)));
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(std::atoi(o.get("port").c_str())));
    std::string host = o.get("host", "127.0.0.1");
    if (o.get("port").empty() || !inet_aton(host.c_str(), &a.sin_addr)) fail(o, "needs path= or host=ADDR,port=PORT");
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || listen(fd, 1) < 0)
      fail(o, fmt::format("{}:{}: {}", host, o.get("port"), strerror(errno)));
  }
  return std::make_unique<SocketCharDev>(fd, -1);
}

}  // namespace mimic::hw
