// The gdb remote serial protocol server and the GdbTarget interface a mode (linux-user, system)
// implements for it: registers, memory, threads, breakpoints, resume and stop.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mimic::frontends {

// Why the target stopped, as a stop reply reports it.
struct GdbStop {
  enum Kind { kSignal, kSwBreak, kHwBreak, kWatch, kReadWatch, kAccessWatch, kExited, kKilled };
  Kind kind = kSignal;
  int thread = 0;     // gdb thread id (> 0)
  int signal = 5;     // gdb's signal number (GDB_SIGNAL_TRAP = 5); kKilled: the signal
  uint64_t addr = 0;  // watchpoints: the watched address that was hit
  int exit_code = 0;  // kExited
};

struct GdbResume {
  int thread = -1;  // -1: every thread without an action of its own
  bool step = false;
  int signal = 0;  // gdb's numbering; 0: none
};

// What the stub debugs. Every call but request_stop and the event wait is made while the target
// is stopped (all its threads parked).
class GdbTarget {
 public:
  virtual ~GdbTarget() = default;
  virtual std::string feature(const std::string& annex) = 0;  // qXfer:features:read; "" if none
  virtual std::string auxv() { return ""; }                   // qXfer:auxv:read (linux-user)
  virtual std::vector<int> threads() = 0;                     // live gdb thread ids, first = main
  virtual int g_count() = 0;
  virtual std::string read_register(int thread, int regno) = 0;  // raw bytes; "" when none
  virtual bool write_register(int thread, int regno, const std::string& bytes) = 0;
  // Memory as thread `thread` (H g) sees it; false: not mapped.
  virtual bool read_memory(int thread, uint64_t addr, size_t len, uint8_t* out) = 0;
  virtual bool write_memory(int thread, uint64_t addr, const uint8_t* data, size_t len) = 0;
  // type as in Z packets: 0 software, 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint.
  // Returns false when this kind is not supported (the stub answers with an empty packet).
  virtual bool insert_point(int type, uint64_t addr, uint64_t len) = 0;
  virtual bool remove_point(int type, uint64_t addr, uint64_t len) = 0;
  // Starts the threads as `actions` say (threads without one stay stopped); returns at once.
  virtual void resume(const std::vector<GdbResume>& actions) = 0;
  // Ctrl-C: stop every thread; the stop arrives through wait_stop.
  virtual void request_stop() = 0;
  // Blocks until the target stopped or `fd` becomes readable (then nullopt).
  virtual std::optional<GdbStop> wait_stop(int fd) = 0;
  virtual void kill() = 0;    // k: ends the program
  virtual void detach() = 0;  // D: drops every breakpoint and lets the program run on
  // qAttached: true when quitting gdb should detach (system mode) rather than kill.
  virtual bool attached() { return false; }
  // qRcmd (gdb's `monitor CMD`): the text to show, or nullopt when there is no monitor.
  virtual std::optional<std::string> monitor(const std::string& command) { return std::nullopt; }
  // qqemu.PhyMemMode: memory packets take physical addresses. False: not supported.
  virtual bool set_physical_memory(bool on) { return false; }
  virtual bool physical_memory() { return false; }
  // qThreadExtraInfo: what gdb's `info threads` shows after the id ("" for nothing).
  virtual std::string thread_info(int thread) { return ""; }
};

// gdb's numbering of the Linux signal `sig` (GDB_SIGNAL_*), and back; 0 maps to 0.
int gdb_signal_from_linux(int sig);
int linux_signal_from_gdb(int sig);

class GdbServer {
 public:
  GdbServer(GdbTarget& target, int pid) : target_(target), pid_(pid) {}
  ~GdbServer();
  // Binds host:port (an IPv4 address; 127.0.0.1 unless told) and listens; false with `error`
  // set (port in use, ...).
  bool listen(int port, std::string* error, const std::string& host = "127.0.0.1");
  // Waits for gdb to connect (before the program's first instruction). With `keep_listening`
  // another gdb may connect after this one detaches (system mode).
  bool accept_client(std::string* error, bool keep_listening = false);
  // Serves the connection until gdb detaches, kills or the program ends. `initial` is the stop
  // gdb sees first (the program waits at its entry point).
  void serve(const GdbStop& initial);
  // The program ended while running (exit or fatal signal): sends W/X from the calling thread
  // unless the connection is gone. Safe from any thread.
  void report_end(const GdbStop& stop);
  // Wakes a thread blocked in accept_client or serve (they return): the owner is going away.
  void shutdown();
  // In a forked child: lets go of the connection (the parent keeps it) without a word to gdb.
  void drop_in_child();

 private:
  bool read_packet(std::string* packet, bool* interrupted);
  void send_packet(const std::string& payload);
  void send_raw(const std::string& bytes);
  void send_locked(const std::string& bytes);  // under write_mutex_
  // Handles one packet; false when the session is over.
  bool handle(const std::string& p);
  std::string stop_reply(const GdbStop& s) const;
  bool resume_and_wait(const std::vector<GdbResume>& actions);
  std::string xfer(const std::string& data, const std::string& args) const;

  GdbTarget& target_;
  int listen_fd_ = -1;
  int fd_ = -1;
  bool ack_ = true;
  std::string inbuf_;
  std::string last_sent_;
  GdbStop last_stop_;
  int g_thread_ = 0, c_thread_ = 0;  // H g / H c (0: any)
  std::mutex write_mutex_;
  bool ended_ = false;  // W/X sent
  int pid_ = 1;         // the process id of thread ids (multiprocess syntax p<pid>.<tid>)
};

}  // namespace mimic::frontends
