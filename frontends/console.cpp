// StdioConsole: raw terminal, Ctrl-a escapes, the monitor's line editor, input to the UART.
#include "frontends/console.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace mimic::frontends {

namespace {
constexpr uint8_t kCtrlA = 0x01;
termios g_saved_termios;
bool g_termios_saved = false;
void restore_terminal() {
  if (g_termios_saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
}
}  // namespace

StdioConsole::StdioConsole(StdioUse use, std::function<std::string(const std::string&)> monitor,
                           std::function<void()> quit)
    : use_(use),
      serial_on_stdio_(use == StdioUse::kSerialAndMonitor || use == StdioUse::kSerialOnly),
      monitor_(std::move(monitor)),
      quit_(std::move(quit)),
      in_monitor_(use == StdioUse::kMonitorOnly) {
  // With nothing on stdio the terminal stays as it is (Ctrl-C ends mimic, as it ends QEMU).
  if (use_ != StdioUse::kNothing && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0) {
    g_saved_termios = saved_;
    if (!g_termios_saved) std::atexit(restore_terminal);  // also on exit() from anywhere
    g_termios_saved = true;
    termios raw = saved_;
    cfmakeraw(&raw);  // bytes pass as on a serial line: the guest sends its own "\r\n", Ctrl-C included
    // A monitor alone on stdio is no serial line: Ctrl-C ends mimic, as with qemu's -monitor stdio.
    if (use_ == StdioUse::kMonitorOnly) raw.c_lflag |= ISIG;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    raw_ = true;
  }
}

StdioConsole::~StdioConsole() {
  stop();
  if (raw_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

void StdioConsole::start(std::recursive_mutex* device_lock) {
  device_lock_ = device_lock;
  if (use_ == StdioUse::kNothing) return;
  if (use_ == StdioUse::kMonitorOnly) out("mimic monitor - type 'help' for more information\r\n(mimic) ");
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) return;
  thread_ = std::thread([this] { input_loop(); });
}

void StdioConsole::stop() {
  if (thread_.joinable()) {
    char c = 0;
    (void)!::write(stop_pipe_[1], &c, 1);
    thread_.join();
  }
  for (int& fd : stop_pipe_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
}

void StdioConsole::write(const uint8_t* data, size_t len) {
  if (serial_on_stdio_) write_stdout(data, len);  // else -serial none: the guest's output goes nowhere
}

void StdioConsole::write_stdout(const uint8_t* data, size_t len) {
  while (len) {
    ssize_t n = ::write(STDOUT_FILENO, data, len);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;  // stdout closed: the guest's output goes nowhere, as to a disconnected line
    }
    data += n;
    len -= size_t(n);
  }
}

void StdioConsole::set_receiver(std::function<void(uint8_t)> rx, std::function<bool()> can_receive) {
  std::lock_guard lock(rx_mutex_);
  rx_ = std::move(rx);
  can_receive_ = std::move(can_receive);
}

void StdioConsole::out(const std::string& s) {
  if (!echo_.empty()) flush_echo();  // what was echoed comes first
  write_stdout(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void StdioConsole::flush_echo() {
  std::string e;
  e.swap(echo_);
  write_stdout(reinterpret_cast<const uint8_t*>(e.data()), e.size());
}

void StdioConsole::input_loop() {
  bool eof = false;
  for (;;) {
    // Bytes the UART's FIFO could not take wait here, as a serial line's flow control would.
    if (!pending_.empty()) {
      std::unique_lock dev(*device_lock_);
      std::lock_guard lock(rx_mutex_);
      while (!pending_.empty() && rx_ && can_receive_ && can_receive_()) {
        rx_(uint8_t(pending_[0]));
        pending_.erase(0, 1);
      }
    }
    pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const int nfds = eof || pending_.size() > 4096 ? 1 : 2;
    int r = poll(fds, nfds, pending_.empty() ? -1 : 5);
    if (r < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP))) {
      uint8_t buf[256];
      ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        eof = true;  // stdin closed: the machine runs on with no input, as QEMU's does
        continue;
      }
      for (ssize_t i = 0; i < n; ++i) handle_byte(buf[i]);
      if (!echo_.empty()) flush_echo();
    }
  }
}

void StdioConsole::handle_byte(uint8_t b) {
  if (escape_) {
    escape_ = false;
    switch (b) {
      case 'x':
        out("\r\nmimic: terminating on signal from the console (Ctrl-a x)\r\n");
        if (quit_) quit_();
        return;
      case 'c':
        if (use_ != StdioUse::kSerialAndMonitor) return;  // nothing to switch to
        in_monitor_ = !in_monitor_;
        out(in_monitor_ ? "\r\nmimic monitor - type 'help' for more information\r\n(mimic) " : "\r\n");
        return;
      case 'h':
        out("\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a c    switch between console and "
            "monitor\r\nC-a C-a  sends C-a\r\n");
        return;
      case kCtrlA: break;  // a literal Ctrl-a
      default: return;
    }
  } else if (b == kCtrlA) {
    escape_ = true;
    return;
  }
  if (in_monitor_) {
    monitor_byte(b);
    return;
  }
  pending_.push_back(char(b));
  std::unique_lock dev(*device_lock_);
  std::lock_guard lock(rx_mutex_);
  while (!pending_.empty() && rx_ && can_receive_ && can_receive_()) {
    rx_(uint8_t(pending_[0]));
    pending_.erase(0, 1);
  }
}

void StdioConsole::monitor_byte(uint8_t b) {
  if (b == '\r' || b == '\n') {
    out("\r\n");
    std::string cmd = line_;
    line_.clear();
    if (!cmd.empty() && monitor_) {
      std::string answer = monitor_(cmd);
      std::string crlf;
      for (char c : answer) {
        if (c == '\n') crlf += '\r';
        crlf += c;
      }
      out(crlf);
    }
    out("(mimic) ");
  } else if (b == 0x7f || b == 0x08) {
    if (!line_.empty()) {
      line_.pop_back();
      echo_ += "\b \b";
    }
  } else if (b >= 0x20 && b < 0x7f) {
    line_.push_back(char(b));
    echo_ += char(b);
  }
}

}  // namespace mimic::frontends
