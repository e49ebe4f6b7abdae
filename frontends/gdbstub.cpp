// The gdb remote serial protocol: packet framing, acks, the commands, stop replies.
#include "frontends/gdbstub.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

namespace mimic::frontends {

namespace {

constexpr size_t kPacketSize = 0x4000;

// Linux signal -> GDB_SIGNAL_* (gdb/signals.def): the first 15 agree, the rest differ.
constexpr int kLinuxToGdb[65] = {
    0,   1,  2,  3,  4,  5,  6,  10, 8,  9,  30, 11, 31, 13, 14, 15,  // 0-15 (7 BUS, 10 USR1, 12 USR2)
    143,                                                              // 16 SIGSTKFLT: gdb has none
    20,  19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12,      // 17 CHLD .. 31 SYS
    77,                                                               // 32: GDB_SIGNAL_REALTIME_32
    45,  46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,  // 33-48
    61,  62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75,      // 49-63
    78,                                                               // 64: GDB_SIGNAL_REALTIME_64
};

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

bool from_hex(const std::string& hex, std::string* out) {
  if (hex.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    *out += char(hi << 4 | lo);
  }
  return true;
}

// A hex number at s[*pos] (advanced past it); false when there is none.
bool parse_hex(const std::string& s, size_t* pos, uint64_t* v) {
  size_t i = *pos;
  uint64_t r = 0;
  while (i < s.size() && hexval(s[i]) >= 0) r = r << 4 | uint64_t(hexval(s[i++]));
  if (i == *pos || i - *pos > 16) return false;
  *pos = i;
  *v = r;
  return true;
}

// A thread id: hex, "-1" (all) or "0" (any); "p<pid>.<tid>" takes the tid.
bool parse_thread(const std::string& s, size_t* pos, int* tid) {
  if (s.compare(*pos, 2, "-1") == 0) {
    *pos += 2;
    *tid = -1;
    return true;
  }
  if (*pos < s.size() && s[*pos] == 'p') {
    size_t dot = s.find('.', *pos);
    if (dot == std::string::npos) return false;
    *pos = dot + 1;
    if (s.compare(*pos, 2, "-1") == 0) {
      *pos += 2;
      *tid = -1;
      return true;
    }
  }
  uint64_t v;
  if (!parse_hex(s, pos, &v) || v > 0x7fffffff) return false;
  *tid = int(v);
  return true;
}

// "addr,len" at s[*pos].
bool parse_addr_len(const std::string& s, size_t* pos, uint64_t* addr, uint64_t* len) {
  if (!parse_hex(s, pos, addr) || *pos >= s.size() || s[*pos] != ',') return false;
  ++*pos;
  return parse_hex(s, pos, len);
}

}  // namespace

int gdb_signal_from_linux(int sig) { return sig >= 0 && sig <= 64 ? kLinuxToGdb[sig] : 143; }

int linux_signal_from_gdb(int sig) {
  for (int i = 0; i <= 64; ++i)
    if (kLinuxToGdb[i] == sig) return i;
  return 0;
}

GdbServer::~GdbServer() {
  if (fd_ >= 0) close(fd_);
  if (listen_fd_ >= 0) close(listen_fd_);
}

bool GdbServer::listen(int port, std::string* error, const std::string& host) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    *error = std::string("socket: ") + strerror(errno);
    return false;
  }
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  // localhost unless told otherwise: the stub reads and writes guest memory
  if (inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &a.sin_addr) != 1) {
    *error = "gdb stub: '" + host + "' is not an IPv4 address";
    return false;
  }
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 1) != 0) {
    *error = "gdb stub cannot listen on " + host + ":" + std::to_string(port) + ": " + strerror(errno);
    return false;
  }
  return true;
}

bool GdbServer::accept_client(std::string* error, bool keep_listening) {
  {
    std::lock_guard lock(write_mutex_);
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  inbuf_.clear();
  ack_ = true;
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      std::lock_guard lock(write_mutex_);
      fd_ = fd;
      break;
    }
    if (errno != EINTR) {
      *error = std::string("gdb stub: accept: ") + strerror(errno);
      return false;
    }
  }
  if (!keep_listening) {
    close(listen_fd_);
    listen_fd_ = -1;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return true;
}

void GdbServer::send_raw(const std::string& bytes) {
  std::lock_guard lock(write_mutex_);
  send_locked(bytes);
}

void GdbServer::send_locked(const std::string& bytes) {
  if (fd_ < 0 || ended_) return;
  for (size_t off = 0; off < bytes.size();) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += size_t(n);
  }
}

void GdbServer::send_packet(const std::string& payload) {
  std::string out = "$";
  unsigned sum = 0;
  for (char c : payload) {
    // Binary replies (qXfer) escape the framing characters.
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      out += '}';
      sum += '}';
      c = char(c ^ 0x20);
    }
    out += c;
    sum += uint8_t(c);
  }
  char tail[4];
  snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
  out += tail;
  // Under the lock: report_end sends from another thread than the server's.
  std::lock_guard lock(write_mutex_);
  last_sent_ = out;
  send_locked(out);
}

void GdbServer::report_end(const GdbStop& stop) {
  send_packet(stop_reply(stop));
  std::lock_guard lock(write_mutex_);
  ended_ = true;
}

void GdbServer::shutdown() {
  std::lock_guard lock(write_mutex_);
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void GdbServer::drop_in_child() {
  new (&write_mutex_) std::mutex();  // another thread of the parent may have held it at fork
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  ended_ = true;
}

bool GdbServer::read_packet(std::string* packet, bool* interrupted) {
  *interrupted = false;
  for (;;) {
    while (!inbuf_.empty()) {
      const char c = inbuf_[0];
      if (c == '\x03') {
        inbuf_.erase(0, 1);
        *interrupted = true;
        return true;
      }
      if (c == '-') {  // the last reply was garbled: send it again
        inbuf_.erase(0, 1);
        if (ack_) {
          std::lock_guard lock(write_mutex_);
          if (!last_sent_.empty()) send_locked(last_sent_);
        }
        continue;
      }
      if (c != '$') {  // acks and noise
        inbuf_.erase(0, 1);
        continue;
      }
      const size_t hash = inbuf_.find('#');
      if (hash == std::string::npos || inbuf_.size() < hash + 3) break;  // incomplete
      const std::string body = inbuf_.substr(1, hash - 1);
      const int hi = hexval(inbuf_[hash + 1]), lo = hexval(inbuf_[hash + 2]);
      inbuf_.erase(0, hash + 3);
      unsigned sum = 0;
      for (char b : body) sum += uint8_t(b);
      if (hi < 0 || lo < 0 || unsigned(hi << 4 | lo) != (sum & 0xff)) {
        if (ack_) send_raw("-");
        continue;
      }
      if (ack_) send_raw("+");
      *packet = body;
      return true;
    }
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    inbuf_.append(buf, size_t(n));
  }
}

std::string GdbServer::stop_reply(const GdbStop& s) const {
  char buf[96];
  switch (s.kind) {
    case GdbStop::kExited: snprintf(buf, sizeof buf, "W%02x;process:%x", s.exit_code & 0xff, pid_); return buf;
    case GdbStop::kKilled: snprintf(buf, sizeof buf, "X%02x;process:%x", s.signal & 0xff, pid_); return buf;
    default: break;
  }
  snprintf(buf, sizeof buf, "T%02xthread:p%x.%x;", s.signal & 0xff, pid_, s.thread);
  std::string r = buf;
  switch (s.kind) {
    case GdbStop::kSwBreak: r += "swbreak:;"; break;
    case GdbStop::kHwBreak: r += "hwbreak:;"; break;
    case GdbStop::kWatch:
    case GdbStop::kReadWatch:
    case GdbStop::kAccessWatch:
      snprintf(buf, sizeof buf, "%s:%llx;",
               s.kind == GdbStop::kWatch       ? "watch"
               : s.kind == GdbStop::kReadWatch ? "rwatch"
                                               : "awatch",
               (unsigned long long)s.addr);
      r += buf;
      break;
    default: break;
  }
  return r;
}

std::string GdbServer::xfer(const std::string& data, const std::string& args) const {
  size_t pos = 0;
  uint64_t off, len;
  if (!parse_addr_len(args, &pos, &off, &len)) return "E01";
  if (off >= data.size()) return "l";
  len = std::min<uint64_t>(len, kPacketSize - 16);
  const std::string part = data.substr(off, len);
  return (off + part.size() >= data.size() ? "l" : "m") + part;
}

bool GdbServer::resume_and_wait(const std::vector<GdbResume>& actions) {
  target_.resume(actions);
  for (;;) {
    if (std::optional<GdbStop> st = target_.wait_stop(fd_)) {
      last_stop_ = *st;
      send_packet(stop_reply(*st));
      if (st->kind == GdbStop::kExited || st->kind == GdbStop::kKilled) return false;
      g_thread_ = c_thread_ = st->thread;
      return true;
    }
    char buf[256];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // gdb went away: the program runs on without it
      target_.detach();
      return false;
    }
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\x03') target_.request_stop();
    }
  }
}

void GdbServer::serve(const GdbStop& initial) {
  last_stop_ = initial;
  g_thread_ = c_thread_ = initial.thread;
  for (;;) {
    std::string p;
    bool interrupted;
    if (!read_packet(&p, &interrupted)) {
      target_.detach();
      return;
    }
    if (interrupted) continue;  // already stopped
    if (!handle(p)) return;
  }
}

bool GdbServer::handle(const std::string& p) {
  if (p.empty()) {
    send_packet("");
    return true;
  }
  auto current = [&](int t) {
    if (t > 0) return t;
    std::vector<int> ts = target_.threads();
    return ts.empty() ? 0 : ts[0];
  };
  auto alive = [&](int t) {
    for (int x : target_.threads())
      if (x == t) return true;
    return false;
  };
  size_t pos = 1;
  uint64_t addr = 0, len = 0;
  switch (p[0]) {
    case '?': send_packet(stop_reply(last_stop_)); return true;
    case 'q': {
      if (p.rfind("qSupported", 0) == 0) {
        char buf[160];
        snprintf(buf, sizeof buf,
                 "PacketSize=%zx;qXfer:features:read+;qXfer:auxv:read+;vContSupported+;QStartNoAckMode+;swbreak+;"
                 "hwbreak+;multiprocess+",
                 kPacketSize);
        send_packet(buf);
      } else if (p == "qAttached") {
        send_packet(target_.attached() ? "1" : "0");  // "0": the stub started the program, quitting kills it
      } else if (p == "qC") {
        char buf[32];
        snprintf(buf, sizeof buf, "QCp%x.%x", pid_, current(g_thread_));
        send_packet(buf);
      } else if (p == "qfThreadInfo") {
        std::string r = "m";
        char buf[40];
        for (int t : target_.threads()) {
          snprintf(buf, sizeof buf, "%sp%x.%x", r.size() > 1 ? "," : "", pid_, t);
          r += buf;
        }
        send_packet(r);
      } else if (p == "qsThreadInfo") {
        send_packet("l");
      } else if (p.rfind("qXfer:features:read:", 0) == 0) {
        const size_t colon = p.find(':', 20);
        if (colon == std::string::npos) {
          send_packet("E01");
          return true;
        }
        const std::string xml = target_.feature(p.substr(20, colon - 20));
        send_packet(xml.empty() ? "E00" : xfer(xml, p.substr(colon + 1)));
      } else if (p.rfind("qXfer:auxv:read::", 0) == 0) {
        const std::string a = target_.auxv();
        send_packet(a.empty() ? "E00" : xfer(a, p.substr(17)));
      } else if (p == "qSymbol::") {
        send_packet("OK");
      } else if (p.rfind("qRcmd,", 0) == 0) {
        std::string cmd;
        std::optional<std::string> out;
        if (!from_hex(p.substr(6), &cmd)) {
          send_packet("E01");
        } else if (!(out = target_.monitor(cmd))) {
          send_packet("");
        } else {
          // The answer in O packets (console output for gdb), then OK.
          for (size_t off = 0; off < out->size(); off += kPacketSize / 4)
            send_packet("O" + to_hex(out->substr(off, kPacketSize / 4)));
          send_packet("OK");
        }
      } else if (p == "qqemu.PhyMemMode") {
        send_packet(target_.physical_memory() ? "1" : "0");
      } else if (p.rfind("qqemu.PhyMemMode:", 0) == 0) {  // QEMU's spelling is Q... (below)
        send_packet(target_.set_physical_memory(p.substr(17) == "1") ? "OK" : "E22");
      } else if (p.rfind("qThreadExtraInfo,", 0) == 0) {
        int t;
        pos = 17;
        if (!parse_thread(p, &pos, &t)) {
          send_packet("E01");
        } else {
          const std::string info = target_.thread_info(t);
          send_packet(to_hex(info));
        }
      } else {
        send_packet("");
      }
      return true;
    }
    case 'Q':
      if (p == "QStartNoAckMode") {
        send_packet("OK");
        ack_ = false;
      } else if (p.rfind("Qqemu.PhyMemMode:", 0) == 0) {  // `maintenance packet Qqemu.PhyMemMode:1`
        send_packet(target_.set_physical_memory(p.substr(17) == "1") ? "OK" : "E22");
      } else {
        send_packet("");
      }
      return true;
    case 'H': {
      int t;
      if (p.size() < 3 || !parse_thread(p, &(pos = 2), &t)) {
        send_packet("E01");
        return true;
      }
      if (t > 0 && !alive(t)) {
        send_packet("E02");
        return true;
      }
      if (p[1] == 'g')
        g_thread_ = t;
      else
        c_thread_ = t;
      send_packet("OK");
      return true;
    }
    case 'T': {
      int t;
      send_packet(parse_thread(p, &pos, &t) && alive(t) ? "OK" : "E01");
      return true;
    }
    case 'g': {
      const int t = current(g_thread_);
      std::string r;
      for (int i = 0; i < target_.g_count(); ++i) r += to_hex(target_.read_register(t, i));
      send_packet(r);
      return true;
    }
    case 'G': {
      const int t = current(g_thread_);
      std::string data;
      if (!from_hex(p.substr(1), &data)) {
        send_packet("E01");
        return true;
      }
      size_t off = 0;
      for (int i = 0; i < target_.g_count() && off < data.size(); ++i) {
        const size_t n = target_.read_register(t, i).size();
        if (off + n > data.size()) break;
        target_.write_register(t, i, data.substr(off, n));
        off += n;
      }
      send_packet("OK");
      return true;
    }
    case 'p': {
      uint64_t r;
      std::string v;
      if (parse_hex(p, &pos, &r) && r < 0x10000) v = target_.read_register(current(g_thread_), int(r));
      send_packet(v.empty() ? "E01" : to_hex(v));
      return true;
    }
    case 'P': {
      uint64_t r;
      std::string v;
      bool ok = parse_hex(p, &pos, &r) && pos < p.size() && p[pos] == '=' && from_hex(p.substr(pos + 1), &v) &&
                r < 0x10000 && target_.write_register(current(g_thread_), int(r), v);
      send_packet(ok ? "OK" : "E01");
      return true;
    }
    case 'm': {
      if (!parse_addr_len(p, &pos, &addr, &len)) {
        send_packet("E01");
        return true;
      }
      len = std::min<uint64_t>(len, kPacketSize / 2 - 8);
      std::string buf(len, '\0');
      if (!target_.read_memory(current(g_thread_), addr, len, reinterpret_cast<uint8_t*>(buf.data()))) {
        send_packet("E14");  // EFAULT, as gdbserver and qemu answer
        return true;
      }
      send_packet(to_hex(buf));
      return true;
    }
    case 'M':
    case 'X': {
      if (!parse_addr_len(p, &pos, &addr, &len) || pos >= p.size() || p[pos] != ':') {
        send_packet("E01");
        return true;
      }
      std::string data;
      if (p[0] == 'M') {
        if (!from_hex(p.substr(pos + 1), &data)) {
          send_packet("E01");
          return true;
        }
      } else {
        for (size_t i = pos + 1; i < p.size(); ++i) {
          if (p[i] == '}' && i + 1 < p.size())
            data += char(p[++i] ^ 0x20);
          else
            data += p[i];
        }
      }
      if (data.size() != len) {
        send_packet("E01");
        return true;
      }
      const bool ok = len == 0 || target_.write_memory(current(g_thread_), addr,
                                                       reinterpret_cast<const uint8_t*>(data.data()), len);
      send_packet(ok ? "OK" : "E14");
      return true;
    }
    case 'c':
    case 's':
    case 'C':
    case 'S': {
      const bool step = p[0] == 's' || p[0] == 'S';
      int sig = 0;
      if (p[0] == 'C' || p[0] == 'S') {
        uint64_t v;
        if (!parse_hex(p, &pos, &v)) {
          send_packet("E01");
          return true;
        }
        sig = int(v);
        if (pos < p.size() && p[pos] == ';') ++pos;
      }
      const int t = current(c_thread_);
      if (pos < p.size() && parse_hex(p, &pos, &addr)) {
        std::string pc(8, '\0');
        memcpy(pc.data(), &addr, 8);
        target_.write_register(t, 32, pc);  // pc is register 32 of riscv64 and of aarch64
      }
      std::vector<GdbResume> acts;
      acts.push_back(GdbResume{t, step, sig});
      if (!step) acts.push_back(GdbResume{-1, false, 0});
      return resume_and_wait(acts);
    }
    case 'v': {
      if (p == "vCont?") {
        send_packet("vCont;c;C;s;S");
        return true;
      }
      if (p.rfind("vCont;", 0) == 0) {
        std::vector<GdbResume> acts;
        size_t i = 6;
        bool ok = true;
        while (ok && i < p.size()) {
          GdbResume a;
          const char kind = p[i++];
          if (kind == 'C' || kind == 'S') {
            uint64_t v;
            ok = parse_hex(p, &i, &v);
            a.signal = int(v);
          } else if (kind != 'c' && kind != 's') {
            ok = false;
          }
          a.step = kind == 's' || kind == 'S';
          if (ok && i < p.size() && p[i] == ':') {
            ++i;
            ok = parse_thread(p, &i, &a.thread);
          }
          if (ok && i < p.size()) ok = p[i++] == ';';
          acts.push_back(a);
        }
        if (!ok || acts.empty()) {
          send_packet("E01");
          return true;
        }
        return resume_and_wait(acts);
      }
      if (p.rfind("vKill", 0) == 0) {  // vKill;pid
        send_packet("OK");
        target_.kill();
        return false;
      }
      send_packet("");
      return true;
    }
    case 'Z':
    case 'z': {
      if (p.size() < 2 || p[1] < '0' || p[1] > '4' || p.size() < 3 || p[2] != ',') {
        send_packet("");
        return true;
      }
      pos = 3;
      if (!parse_addr_len(p, &pos, &addr, &len)) {
        send_packet("E01");
        return true;
      }
      const int type = p[1] - '0';
      const bool ok = p[0] == 'Z' ? target_.insert_point(type, addr, len) : target_.remove_point(type, addr, len);
      send_packet(ok ? "OK" : "");
      return true;
    }
    case 'k': target_.kill(); return false;
    case 'D':  // D or D;pid
      send_packet("OK");
      target_.detach();
      return false;
    default: send_packet(""); return true;
  }
}

}  // namespace mimic::frontends
