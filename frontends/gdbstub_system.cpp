// The system-mode GdbTarget: every vCPU of the machine is a gdb thread (id = index + 1, in
// process 1 as QEMU numbers them), all-stop (one vCPU's stop, Ctrl-C or gdb connecting stops
// them all and the virtual clock), memory through the current vCPU's MMU or, after
// `maintenance packet qqemu.PhyMemMode:1`, physical; breakpoints in the engine, watchpoints in
// the soft-MMU (tcg::Watchpoints).
#include "frontends/gdbstub_system.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "frontends/gdb_arch.h"
#include "frontends/gdbstub.h"
#include "hw/core/debug.h"
#include "tcg/exec/exec.h"

namespace mimic::frontends {

namespace {

constexpr int kGdbSigTrap = 5, kGdbSigInt = 2;
// How long a held vCPU waits in before_run before its loop looks at its own requests again.
constexpr auto kHoldPoll = std::chrono::milliseconds(20);
// How long a stop waits for the other vCPUs to leave guest code before gdb hears of it.
constexpr auto kParkTimeout = std::chrono::seconds(2);

const GdbArch* system_arch(const std::string& name) {
  if (name == "riscv64-system") return gdb_arch_riscv_system();
  if (name == "aarch64-system") return gdb_arch_aarch64_system();
  return gdb_arch_for(name);  // a board whose registers are linux-user's (none yet)
}

class SystemGdb final : public GdbTarget, public hw::CpuDebugHook, public SystemDebugger {
 public:
  SystemGdb(hw::MachineDebug& dbg, const GdbArch& arch, const SystemGdbConfig& config)
      : dbg_(dbg), arch_(arch), config_(config), server_(*this, 1), ctl_(dbg.cpu_count()) {
    event_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  }

  ~SystemGdb() override {
    dbg_.set_debug_hook(nullptr);
    {
      std::lock_guard l(m_);
      ended_ = true;
    }
    server_.shutdown();  // wakes the server thread from accept/read
    if (thread_.joinable()) thread_.join();
    if (event_fd_ >= 0) close(event_fd_);
  }

  bool start(std::string* error) {
    if (event_fd_ < 0) {
      *error = std::string("gdb stub: ") + strerror(errno);
      return false;
    }
    if (!server_.listen(config_.port, error, config_.host)) return false;
    stopped_ = config_.start_stopped;
    for (Ctl& c : ctl_) c.action = !stopped_;
    if (stopped_) dbg_.pause_clock(true);
    dbg_.set_debug_hook(this);
    thread_ = std::thread([this] { serve_connections(); });
    return true;
  }

  // ---- SystemDebugger

  void machine_ended(int status) override {
    {
      std::lock_guard l(m_);
      if (ended_) return;
      ended_ = true;
    }
    dbg_.set_debug_hook(nullptr);
    GdbStop s{GdbStop::kExited, 0, 0};
    s.exit_code = status;
    if (connected_.load()) server_.report_end(s);
  }

  // ---- hw::CpuDebugHook (vCPU threads)

  Run before_run(unsigned cpu) override {
    std::unique_lock l(m_);
    Ctl& c = ctl_[cpu];
    if (runs(c)) {
      c.parked = false;
      return c.step ? Run::kStep : Run::kGo;
    }
    c.parked = true;
    cv_.notify_all();
    cv_.wait_for(l, kHoldPoll, [&] { return runs(c); });
    if (!runs(c)) return Run::kHold;  // still parked: the loop asks again
    c.parked = false;
    return c.step ? Run::kStep : Run::kGo;
  }

  void stopped(unsigned cpu, const hw::DebugEvent& ev) override {
    std::lock_guard l(m_);
    if (ended_) return;
    Ctl& c = ctl_[cpu];
    if (ev.kind == hw::DebugEvent::kStep) c.step = false;
    // The machine is already stopping for another vCPU: gdb hears of one stop (a breakpoint is
    // hit again when the vCPU resumes).
    if (stopped_) return;
    GdbStop s{GdbStop::kSignal, int(cpu) + 1, kGdbSigTrap};
    const uint64_t pc = dbg_.cpu_state(cpu).pc;
    if (ev.kind == hw::DebugEvent::kBreakpoint) s.kind = sw_.count(pc) ? GdbStop::kSwBreak : GdbStop::kHwBreak;
    if (ev.kind == hw::DebugEvent::kWatch) {
      s.kind = ev.watch_type == tcg::Watchpoints::kRead     ? GdbStop::kReadWatch
               : ev.watch_type == tcg::Watchpoints::kAccess ? GdbStop::kAccessWatch
                                                            : GdbStop::kWatch;
      s.addr = ev.addr;
    }
    halt_all(int(cpu));
    publish(s);
  }

  bool holds(unsigned cpu) override {
    std::lock_guard l(m_);
    return !runs(ctl_[cpu]);
  }

  // ---- GdbTarget (the server thread; the machine is stopped unless said otherwise)

  std::string feature(const std::string& annex) override { return arch_.feature(annex); }

  std::vector<int> threads() override {
    std::vector<int> r;
    for (unsigned i = 0; i < dbg_.cpu_count(); ++i) r.push_back(int(i) + 1);
    return r;
  }

  std::string thread_info(int t) override {
    // QEMU's words: "running" for a vCPU the debugger stopped, "halted " for one in WFI or off.
    if (!valid(t)) return "";
    return "CPU#" + std::to_string(t - 1) + (dbg_.halted(unsigned(t - 1)) ? " [halted ]" : " [running]");
  }

  int g_count() override { return arch_.g_count(); }

  std::string read_register(int t, int regno) override {
    return valid(t) ? arch_.read_register(dbg_.cpu_state(unsigned(t - 1)), regno) : "";
  }

  bool write_register(int t, int regno, const std::string& bytes) override {
    return valid(t) && arch_.write_register(dbg_.cpu_state(unsigned(t - 1)), regno, bytes);
  }

  bool read_memory(int t, uint64_t addr, size_t len, uint8_t* out) override {
    return for_pages(t, addr, len,
                     [&](uint64_t phys, size_t off, size_t n) { return dbg_.read_phys(phys, out + off, n); });
  }

  bool write_memory(int t, uint64_t addr, const uint8_t* data, size_t len) override {
    return for_pages(t, addr, len,
                     [&](uint64_t phys, size_t off, size_t n) { return dbg_.write_phys(phys, data + off, n); });
  }

  bool insert_point(int type, uint64_t addr, uint64_t len) override {
    if (type == 0 || type == 1) {
      if (!sw_.count(addr) && !hw_.count(addr)) dbg_.engine().add_breakpoint(addr);
      (type == 0 ? sw_ : hw_).insert(addr);
      return true;
    }
    if (len == 0 || addr + len < addr) return false;
    watches_.points.push_back({addr, len, tcg::Watchpoints::Type(type)});
    dbg_.set_watchpoints(&watches_);
    return true;
  }

  bool remove_point(int type, uint64_t addr, uint64_t len) override {
    if (type == 0 || type == 1) {
      (type == 0 ? sw_ : hw_).erase(addr);
      if (!sw_.count(addr) && !hw_.count(addr)) dbg_.engine().remove_breakpoint(addr);
      return true;
    }
    auto& pts = watches_.points;
    for (auto it = pts.begin(); it != pts.end(); ++it) {
      if (it->addr == addr && it->len == len && it->type == type) {
        pts.erase(it);
        dbg_.set_watchpoints(&watches_);
        break;
      }
    }
    return true;
  }

  void resume(const std::vector<GdbResume>& actions) override {
    std::lock_guard l(m_);
    const GdbResume* dflt = nullptr;
    for (const GdbResume& a : actions)
      if (a.thread == -1 && !dflt) dflt = &a;
    bool any_continue = false;
    for (size_t i = 0; i < ctl_.size(); ++i) {
      const GdbResume* act = dflt;
      for (const GdbResume& a : actions)
        if (a.thread == int(i) + 1) act = &a;
      ctl_[i].action = act != nullptr;
      ctl_[i].step = act && act->step;
      any_continue = any_continue || (act && !act->step);
    }
    // Time stands still while only steps run (QEMU's SSTEP_NOTIMER).
    if (any_continue) dbg_.pause_clock(false);
    event_.reset();
    uint64_t drain;
    while (read(event_fd_, &drain, 8) == 8) {
    }
    stopped_ = false;
    cv_.notify_all();
  }

  void request_stop() override {  // Ctrl-C (the machine runs)
    std::lock_guard l(m_);
    if (stopped_) return;
    halt_all(-1);
    publish(GdbStop{GdbStop::kSignal, 1, kGdbSigInt});
  }

  std::optional<GdbStop> wait_stop(int fd) override {
    for (;;) {
      pollfd p[2] = {{fd, POLLIN, 0}, {event_fd_, POLLIN, 0}};
      if (poll(p, 2, -1) < 0) continue;
      if (p[1].revents & POLLIN) {
        uint64_t v;
        while (read(event_fd_, &v, 8) == 8) {
        }
        std::unique_lock l(m_);
        if (event_) {
          GdbStop e = *event_;
          event_.reset();
          wait_parked(l);  // gdb reads every vCPU's registers next: they must have settled
          return e;
        }
      }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) return std::nullopt;
    }
  }

  void kill() override {
    detach();
    if (config_.quit) config_.quit();
  }

  void detach() override {
    std::unique_lock l(m_);
    if (ended_) return;
    if (!stopped_) {  // gdb went away while the machine ran: stop it to take the points out
      halt_all(-1);
      wait_parked(l);
    }
    for (uint64_t a : sw_) dbg_.engine().remove_breakpoint(a);
    for (uint64_t a : hw_)
      if (!sw_.count(a)) dbg_.engine().remove_breakpoint(a);
    sw_.clear();
    hw_.clear();
    watches_.points.clear();
    dbg_.set_watchpoints(nullptr);
    phys_mode_ = false;
    for (Ctl& c : ctl_) c.action = true, c.step = false;
    dbg_.pause_clock(false);
    event_.reset();
    stopped_ = false;
    cv_.notify_all();
  }

  bool attached() override { return true; }  // quitting gdb detaches; the machine runs on

  std::optional<std::string> monitor(const std::string& command) override {
    if (!config_.monitor) return std::nullopt;
    const std::string word = command.substr(0, command.find(' '));
    if (word == "stop" || word == "cont" || word == "c")
      return "mimic: '" + word + "' is gdb's to do while it is attached (continue, Ctrl-C)\n";
    return config_.monitor(command);
  }

  bool set_physical_memory(bool on) override {
    phys_mode_ = on;
    return true;
  }
  bool physical_memory() override { return phys_mode_; }

 private:
  struct Ctl {
    bool action = false;  // gdb let it run (continue or step)
    bool step = false;    // one instruction, then report
    bool parked = false;  // waiting in before_run
  };

  bool runs(const Ctl& c) const { return !stopped_ && c.action; }  // under m_
  bool valid(int t) const { return t >= 1 && unsigned(t) <= dbg_.cpu_count(); }

  // Splits [addr, addr + len) at page boundaries and hands each piece's physical address to `f`.
  template <typename F>
  bool for_pages(int t, uint64_t addr, size_t len, F f) {
    if (phys_mode_) return f(addr, 0, len);
    const unsigned cpu = valid(t) ? unsigned(t - 1) : 0;
    for (size_t off = 0; off < len;) {
      const uint64_t va = addr + off;
      const size_t n = std::min<uint64_t>(len - off, 0x1000 - (va & 0xfff));
      uint64_t phys;
      if (!dbg_.translate(cpu, va, &phys) || !f(phys, off, n)) return false;
      off += n;
    }
    return true;
  }

  // All-stop: every vCPU parks at its next block boundary (a WFI sleep ends for it). Under m_.
  void halt_all(int except_cpu) {
    stopped_ = true;
    for (Ctl& c : ctl_) c.action = false, c.step = false;
    for (unsigned i = 0; i < ctl_.size(); ++i)
      if (int(i) != except_cpu) dbg_.kick(i);
    dbg_.pause_clock(true);
  }

  void wait_parked(std::unique_lock<std::mutex>& l) {
    cv_.wait_for(l, kParkTimeout, [&] {
      for (const Ctl& c : ctl_)
        if (!c.parked) return false;
      return true;
    });
  }

  void publish(const GdbStop& ev) {  // under m_
    event_ = ev;
    uint64_t one = 1;
    (void)!write(event_fd_, &one, 8);
  }

  void serve_connections() {
    for (;;) {
      std::string err;
      if (!server_.accept_client(&err, true)) {
        std::lock_guard l(m_);
        if (!ended_) fprintf(stderr, "mimic: %s\n", err.c_str());
        return;
      }
      {
        std::unique_lock l(m_);
        if (ended_) return;
        if (!stopped_) halt_all(-1);  // gdb connecting stops the machine, as under QEMU
        wait_parked(l);
      }
      connected_.store(true);
      server_.serve(GdbStop{GdbStop::kSignal, 1, kGdbSigTrap});
      connected_.store(false);
    }
  }

  hw::MachineDebug& dbg_;
  const GdbArch& arch_;
  SystemGdbConfig config_;
  GdbServer server_;
  std::thread thread_;
  int event_fd_ = -1;
  std::atomic<bool> connected_{false};

  std::mutex m_;
  std::condition_variable cv_;
  bool stopped_ = false;  // all-stop: every vCPU parks while set
  bool ended_ = false;
  std::optional<GdbStop> event_;
  std::vector<Ctl> ctl_;
  // The server thread's own (gdb changes them only while the machine is stopped).
  std::set<uint64_t> sw_, hw_;
  tcg::Watchpoints watches_;
  bool phys_mode_ = false;
};

}  // namespace

std::unique_ptr<SystemDebugger> start_system_gdb(hw::Machine& machine, const SystemGdbConfig& config,
                                                 std::string* error) {
  hw::MachineDebug* dbg = machine.debug();
  if (!dbg) {
    *error = "this machine has no gdb stub";
    return nullptr;
  }
  const GdbArch* arch = system_arch(dbg->gdb_arch());
  if (!arch) {
    *error = std::string("the gdb stub does not know the ") + dbg->gdb_arch() + " architecture";
    return nullptr;
  }
  auto gdb = std::make_unique<SystemGdb>(*dbg, *arch, config);
  if (!gdb->start(error)) return nullptr;
  return gdb;
}

}  // namespace mimic::frontends
