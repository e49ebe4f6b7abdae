// The linux-user GdbTarget: every guest thread is a gdb thread, all-stop (one thread's stop parks
// the others at their next block boundary), memory through the guest address space, software
// and hardware breakpoints in the engine; watchpoints by single-stepping: write watchpoints (Z2)
// compare the watched bytes after each instruction, read and access watchpoints (Z3, Z4) run
// each instruction in the interpreter and look at the addresses of its loads and stores.
#include "frontends/gdbstub_user.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <new>
#include <set>
#include <thread>

#include "frontends/gdb_arch.h"
#include "frontends/gdbstub.h"
#include "linux-user/arch.h"
#include "linux-user/mmap.h"
#include "tcg/exec/exec.h"
#include "tcg/interp/mem_observer.h"

namespace mimic::frontends {

namespace {

using linux_user::GuestThread;
using linux_user::Process;

// The loads and stores of the instruction a watched thread is stepping (its interpreter reports
// them here; one recorder per guest thread).
struct AccessRecorder final : tcg::MemAccessObserver {
  struct Access {
    uint64_t addr;
    unsigned size;
    bool write;
  };
  std::vector<Access> accesses;
  void on_access(uint64_t addr, unsigned size, bool write) override { accesses.push_back({addr, size, write}); }
};
thread_local AccessRecorder t_recorder;

class UserGdb final : public GdbTarget, public linux_user::Debugger {
 public:
  UserGdb(Process& proc, const GdbArch& arch) : proc_(proc), arch_(arch), server_(*this, getpid()) {
    event_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    mem_fd_ = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
  }
  ~UserGdb() override {
    if (server_thread_.joinable()) server_thread_.detach();  // the process is ending
    if (event_fd_ >= 0) close(event_fd_);
    if (mem_fd_ >= 0) close(mem_fd_);
  }

  bool start(int port) {
    std::string err;
    if (event_fd_ < 0 || mem_fd_ < 0) err = std::string("gdb stub: ") + strerror(errno);
    if (err.empty() && server_.listen(port, &err) && server_.accept_client(&err)) return true;
    fprintf(stderr, "mimic: %s\n", err.c_str());
    return false;
  }

  // ---- linux_user::Debugger (guest threads)

  void before_run(GuestThread& t) override {
    std::unique_lock l(m_);
    if (!started_) {  // the initial thread at the entry point: gdb takes over from here
      started_ = true;
      GdbStop initial{GdbStop::kSignal, t.tid, 5};
      server_thread_ = std::thread([this, initial] { server_.serve(initial); });
    }
    Ctl& c = ctl(t.tid);
    c.parked = true;
    cv_.notify_all();
    while (!detached_ && (stopped_ || !c.has_action)) cv_.wait(l);
    c.parked = false;
    t.cpu().single_step = !detached_ && (c.step || !watches_.empty() || !access_watches_.empty());
    t_recorder.accesses.clear();
    tcg::set_thread_mem_observer(!detached_ && !access_watches_.empty() ? &t_recorder : nullptr);
  }

  void after_exit(GuestThread& t, uint32_t reason) override {
    if (reason == tcg::kExitInterrupt) return;  // nothing ran
    std::unique_lock l(m_);
    if (detached_) return;
    Ctl& c = ctl(t.tid);
    GdbStop ev{GdbStop::kSignal, t.tid, 5};
    bool report = false;
    if (c.step) {
      c.step = false;
      report = true;
    } else if (reason == tcg::kExitDebug && (sw_.count(t.cpu().pc) || hw_.count(t.cpu().pc))) {
      ev.kind = sw_.count(t.cpu().pc) ? GdbStop::kSwBreak : GdbStop::kHwBreak;
      report = true;
    }
    for (Watch& w : watches_) {
      // After every instruction while watching: guest-readable memory is host-readable (guest
      // loads rely on it too), so compare in place; /proc/self/mem costs microseconds a read.
      if (proc_.mem->access_ok(w.addr, w.len, linux_user::PageFlag::kValid | linux_user::PageFlag::kRead) &&
          memcmp(proc_.mem->host(w.addr), w.value.data(), w.len) == 0)
        continue;
      std::string now(w.len, '\0');
      if (!read_memory(0, w.addr, w.len, reinterpret_cast<uint8_t*>(now.data())) || now == w.value) continue;
      w.value = now;
      ev.kind = GdbStop::kWatch;
      ev.addr = w.addr;
      report = true;
    }
    // Read (Z3) and access (Z4) watchpoints: the stepped instruction's loads (and, for Z4,
    // stores) that touch a watched range; reported after the instruction, as a hardware
    // watchpoint would (gdb prints the value then).
    for (const AccessRecorder::Access& a : t_recorder.accesses) {
      for (const AccessWatch& w : access_watches_) {
        if ((a.write && w.type == 3) || a.addr >= w.addr + w.len || w.addr >= a.addr + a.size) continue;
        if (!report || ev.kind == GdbStop::kSignal) {
          ev.kind = w.type == 3 ? GdbStop::kReadWatch : GdbStop::kAccessWatch;
          ev.addr = w.addr;
        }
        report = true;
      }
    }
    t_recorder.accesses.clear();
    if (report) stop(l, t, ev, true);
  }

  int on_signal(GuestThread& t, int sig) override {
    std::unique_lock l(m_);
    if (detached_) return sig;
    ctl(t.tid).step = false;  // the signal's stop ends a step
    const int r = stop(l, t, GdbStop{GdbStop::kSignal, t.tid, gdb_signal_from_linux(sig)}, false);
    return detached_ ? sig : linux_signal_from_gdb(r);
  }

  void on_exit(int status, int signal) override {
    {
      std::lock_guard l(m_);
      if (detached_ || !started_) return;
      detached_ = true;
    }
    GdbStop s{signal ? GdbStop::kKilled : GdbStop::kExited, 0, gdb_signal_from_linux(signal)};
    s.exit_code = status;
    server_.report_end(s);
  }

  void after_fork_child() override {
    // Only this thread survived the fork: a lock another one held must not stay held.
    new (&m_) std::mutex();
    new (&cv_) std::condition_variable();
    server_.drop_in_child();
    if (proc_.engine) {
      for (uint64_t a : sw_) proc_.engine->remove_breakpoint(a);
      for (uint64_t a : hw_) proc_.engine->remove_breakpoint(a);
    }
    sw_.clear();
    hw_.clear();
    watches_.clear();
    access_watches_.clear();
    ctl_.clear();
    event_.reset();
    detached_ = true;
    stopped_ = false;
  }

  // ---- GdbTarget (the server thread, while the program is stopped)

  std::string feature(const std::string& annex) override { return arch_.feature(annex); }

  std::string auxv() override {
    std::string r(proc_.auxv.size() * 8, '\0');
    if (!r.empty()) memcpy(r.data(), proc_.auxv.data(), r.size());
    return r;
  }

  std::vector<int> threads() override {
    std::vector<int> r;
    std::lock_guard l(proc_.threads_mutex);
    for (GuestThread* t : proc_.threads) r.push_back(t->tid);
    return r;
  }

  int g_count() override { return arch_.g_count(); }

  std::string read_register(int tid, int regno) override {
    std::lock_guard l(proc_.threads_mutex);
    GuestThread* t = find(tid);
    return t ? arch_.read_register(t->cpu(), regno) : "";
  }

  bool write_register(int tid, int regno, const std::string& bytes) override {
    std::lock_guard l(proc_.threads_mutex);
    GuestThread* t = find(tid);
    return t && arch_.write_register(t->cpu(), regno, bytes);
  }

  bool read_memory(int, uint64_t addr, size_t len, uint8_t* out) override {
    if (!mapped(addr, len)) return false;
    // Through /proc/self/mem: a page the host keeps unreadable gives an error, never a fault.
    return pread(mem_fd_, out, len, off_t(reinterpret_cast<uintptr_t>(proc_.mem->host(addr)))) == ssize_t(len);
  }

  bool write_memory(int, uint64_t addr, const uint8_t* data, size_t len) override {
    if (!mapped(addr, len)) return false;
    // /proc/self/mem writes like ptrace does, also into read-only (code) pages.
    bool ok = pwrite(mem_fd_, data, len, off_t(reinterpret_cast<uintptr_t>(proc_.mem->host(addr)))) == ssize_t(len);
    if (ok && proc_.engine) proc_.engine->invalidate_range(addr, addr + len);
    return ok;
  }

  bool insert_point(int type, uint64_t addr, uint64_t len) override {
    std::lock_guard l(m_);
    switch (type) {
      case 0:
      case 1:
        (type == 0 ? sw_ : hw_).insert(addr);
        if (proc_.engine) proc_.engine->add_breakpoint(addr);
        return true;
      case 2: {
        if (len == 0 || len > 4096) return false;
        Watch w{addr, len, std::string(len, '\0')};
        if (!read_memory(0, addr, len, reinterpret_cast<uint8_t*>(w.value.data()))) return false;
        watches_.push_back(w);
        return true;
      }
      case 3:
      case 4:
        if (len == 0 || len > 4096 || !proc_.engine) return false;
        access_watches_.push_back(AccessWatch{addr, len, type});
        proc_.engine->set_interpret_single_steps(true);
        return true;
      default: return false;
    }
  }

  bool remove_point(int type, uint64_t addr, uint64_t len) override {
    std::lock_guard l(m_);
    switch (type) {
      case 0:
      case 1: {
        auto& set = type == 0 ? sw_ : hw_;
        set.erase(addr);
        if (proc_.engine && !sw_.count(addr) && !hw_.count(addr)) proc_.engine->remove_breakpoint(addr);
        return true;
      }
      case 2:
        for (auto it = watches_.begin(); it != watches_.end(); ++it) {
          if (it->addr == addr && it->len == len) {
            watches_.erase(it);
            return true;
          }
        }
        return true;
      case 3:
      case 4:
        for (auto it = access_watches_.begin(); it != access_watches_.end(); ++it) {
          if (it->addr == addr && it->len == len && it->type == type) {
            access_watches_.erase(it);
            break;
          }
        }
        if (access_watches_.empty() && proc_.engine) proc_.engine->set_interpret_single_steps(false);
        return true;
      default: return false;
    }
  }

  void resume(const std::vector<GdbResume>& actions) override {
    std::lock_guard l(m_);
    const GdbResume* dflt = nullptr;
    for (const GdbResume& a : actions)
      if (a.thread == -1 && !dflt) dflt = &a;
    for (int tid : threads()) {
      Ctl& c = ctl(tid);
      const GdbResume* act = dflt;
      for (const GdbResume& a : actions) {
        if (a.thread == tid) {
          act = &a;
          break;
        }
      }
      c.has_action = act != nullptr;
      c.step = act && act->step;
      c.resume_signal = act ? act->signal : 0;
    }
    // Watched values as they are now: only changes from here on are reported.
    for (Watch& w : watches_) read_memory(0, w.addr, w.len, reinterpret_cast<uint8_t*>(w.value.data()));
    event_.reset();
    uint64_t drain;
    while (read(event_fd_, &drain, 8) == 8) {
    }
    stopped_ = false;
    cv_.notify_all();
  }

  void request_stop() override {
    std::unique_lock l(m_);
    if (stopped_) return;
    halt_all(-1);
    // Give running threads a moment to park so that gdb reads settled registers (a thread in a
    // blocking system call does not park; its registers are those of the call).
    cv_.wait_for(l, std::chrono::milliseconds(200), [&] {
      for (int tid : threads())  // live ones: the records of exited threads stay behind
        if (!ctl(tid).parked) return false;
      return true;
    });
    std::vector<int> ts = threads();
    publish(GdbStop{GdbStop::kSignal, ts.empty() ? 0 : ts[0], 2});  // GDB_SIGNAL_INT
  }

  std::optional<GdbStop> wait_stop(int fd) override {
    for (;;) {
      pollfd p[2] = {{fd, POLLIN, 0}, {event_fd_, POLLIN, 0}};
      if (poll(p, 2, -1) < 0) continue;
      if (p[1].revents & POLLIN) {
        uint64_t v;
        while (read(event_fd_, &v, 8) == 8) {
        }
        std::lock_guard l(m_);
        if (event_) {
          GdbStop e = *event_;
          event_.reset();
          return e;
        }
      }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) return std::nullopt;
    }
  }

  void kill() override {
    {
      std::lock_guard l(m_);
      detached_ = true;
    }
    ::kill(getpid(), SIGKILL);  // as gdbserver does
  }

  void detach() override {
    std::lock_guard l(m_);
    if (proc_.engine) {
      for (uint64_t a : sw_) proc_.engine->remove_breakpoint(a);
      for (uint64_t a : hw_) proc_.engine->remove_breakpoint(a);
    }
    sw_.clear();
    hw_.clear();
    watches_.clear();
    access_watches_.clear();
    if (proc_.engine) proc_.engine->set_interpret_single_steps(false);
    detached_ = true;
    stopped_ = false;
    cv_.notify_all();
  }

 private:
  struct Ctl {
    bool has_action = false;  // gdb let it run (continue or step)
    bool step = false;        // one instruction, then report
    int resume_signal = 0;    // gdb's number, for the thread's pending signal
    bool parked = false;      // waiting in before_run
  };
  struct Watch {
    uint64_t addr, len;
    std::string value;  // the bytes as last seen
  };
  struct AccessWatch {
    uint64_t addr, len;
    int type;  // 3 read, 4 access
  };

  Ctl& ctl(int tid) {
    auto [it, fresh] = ctl_.try_emplace(tid);
    if (fresh) it->second.has_action = !stopped_;  // a thread created while the program runs
    return it->second;
  }

  GuestThread* find(int tid) {  // under proc_.threads_mutex
    for (GuestThread* t : proc_.threads)
      if (t->tid == tid || tid <= 0) return t;
    return nullptr;
  }

  bool mapped(uint64_t addr, size_t len) const {
    if (len == 0 || !proc_.mem->in_range(addr, len)) return false;
    for (uint64_t page = addr & ~uint64_t(0xfff); page < addr + len; page += 0x1000)
      if (!(proc_.mem->page_flags(page) & linux_user::PageFlag::kValid)) return false;
    return true;
  }

  // Stops every thread (all-stop): they park at their next block boundary. Under m_.
  void halt_all(int except_tid) {
    stopped_ = true;
    for (auto& [tid, c] : ctl_) c.has_action = false, c.step = false;
    std::lock_guard l(proc_.threads_mutex);
    for (GuestThread* t : proc_.threads)
      if (t->tid != except_tid) t->cpu().exit_request.store(1);
  }

  void publish(const GdbStop& ev) {  // under m_
    event_ = ev;
    uint64_t one = 1;
    (void)!write(event_fd_, &one, 8);
  }

  // Reports `ev` of thread t and parks it until gdb resumes it; returns the signal (gdb's
  // numbering) gdb resumed it with. A discardable event (breakpoint, step, watchpoint) that finds
  // the program already stopping for another thread is dropped: the thread hits it again.
  int stop(std::unique_lock<std::mutex>& l, GuestThread& t, const GdbStop& ev, bool discardable) {
    Ctl& c = ctl(t.tid);
    if (stopped_ && discardable) return 0;
    bool reported = false;
    for (;;) {
      if (detached_) return 0;
      if (!reported && !stopped_) {
        halt_all(t.tid);
        publish(ev);
        reported = true;
      }
      if (reported && !stopped_ && c.has_action) break;
      c.parked = true;
      cv_.notify_all();
      cv_.wait(l);
      c.parked = false;
    }
    const int sig = c.resume_signal;
    c.resume_signal = 0;
    return sig;
  }

  Process& proc_;
  const GdbArch& arch_;
  GdbServer server_;
  std::thread server_thread_;
  int event_fd_ = -1, mem_fd_ = -1;

  std::mutex m_;  // before proc_.threads_mutex
  std::condition_variable cv_;
  bool started_ = false;
  bool stopped_ = true;  // all-stop: threads park while set
  bool detached_ = false;
  std::optional<GdbStop> event_;
  std::map<int, Ctl> ctl_;
  std::set<uint64_t> sw_, hw_;
  std::vector<Watch> watches_;
  std::vector<AccessWatch> access_watches_;
};

}  // namespace

std::unique_ptr<linux_user::Debugger> make_user_debugger(Process& proc, int port) {
  const GdbArch* arch = gdb_arch_for(proc.arch ? proc.arch->name : "");
  if (!arch) {
    fprintf(stderr, "mimic: the gdb stub does not know the %s architecture\n", proc.arch ? proc.arch->name : "guest");
    return nullptr;
  }
  auto gdb = std::make_unique<UserGdb>(proc, *arch);
  if (!gdb->start(port)) return nullptr;
  return gdb;
}

}  // namespace mimic::frontends
