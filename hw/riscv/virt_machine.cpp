// The virt machine with its harts: one riscv::RiscvHart per -smp, reset to the mrom, run on one
// host thread each (or round-robin on one thread), until the test finisher or stop() ends it.
#include <fmt/format.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "hw/core/debug.h"
#include "hw/riscv/virt.h"
#include "target/riscv/cpu.h"
#include "target/riscv/system.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
// Blocks a hart runs per turn in the single-threaded mode (QEMU's round-robin TCG is similar).
constexpr unsigned kSliceBlocks = 4096;

class VirtMachine final : public Machine, public MachineDebug {
 public:
  VirtMachine(const MachineConfig& config, CharBackend& console, const VirtEngineFactory& make_engine)
      : config_(config) {
    tcg::Logger* log = config.logger;
    if (!log && (config.log_flags & (tcg::LogFlag::kUnimp | tcg::LogFlag::kGuestErrors))) {
      tcg::EngineOptions opts;
      opts.log = config.log_flags;
      opts.log_file = config.log_file;
      log_ = std::make_unique<tcg::Logger>(opts);
      log = log_.get();
    }
    board_ = std::make_unique<VirtBoard>(config, console, log);
    if (!config.dumpdtb.empty()) return;  // run() only writes the tree
    if (!make_engine) throw MachineError("virt: no execution engine for system mode in this build");
    engine_ = make_engine(config, board_->memory());
    if (!engine_) throw MachineError("virt: the execution engine could not be created");
    for (unsigned h = 0; h < config.smp; h++) {
      riscv::HartConfig hc;
      hc.hartid = h;
      hc.timebase_hz = kVirtTimebaseHz;
      Aclint* clint = &board_->aclint();
      hc.read_mtime = [clint] { return clint->read_mtime(); };
      hc.mtime_to_ns = [clint](uint64_t mtime) { return clint->mtime_to_ns(mtime); };
      harts_.push_back(std::make_unique<riscv::RiscvHart>(hc, *engine_, board_->memory(), board_->timers()));
    }
    board_->set_hart_irq([this](unsigned hart, unsigned irq, bool level) { harts_[hart]->set_irq(irq, level); });
    // Called on the vCPU thread that wrote the finisher, device lock held: record and ask every
    // hart to stop; run() does the rest on its own thread.
    board_->set_finisher([this](FinisherAction action, int status) {
      post(action == FinisherAction::Reset ? Event::Reset : Event::PowerOff, status);
    });
  }

  ~VirtMachine() override {
    board_->set_hart_irq(nullptr);
    board_->set_finisher(nullptr);
  }

  int run() override {
    if (!config_.dumpdtb.empty()) {
      write_dtb_file(config_.dumpdtb, board_->fdt());
      fmt::print(stderr, "mimic: info: dtb dumped to {}. Exiting.\n", config_.dumpdtb);
      return 0;
    }
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        event_ = Event::None;
      }
      for (auto& h : harts_) h->reset(virt_memmap(VirtRegion::Mrom).base);
      if (config_.single_thread)
        run_single();
      else
        run_threads();
      Event e;
      int status;
      {
        std::lock_guard lock(mutex_);
        e = event_;
        status = status_;
      }
      if (e == Event::Reset && !config_.no_reboot) {
        board_->reset();
        continue;
      }
      return e == Event::Reset ? 0 : status;
    }
  }

  void stop(int status) override { post(Event::Stop, status); }

  std::string info_registers() override {
    std::string out;
    for (auto& h : harts_) out += fmt::format("CPU#{}\n{}", h->hartid(), h->dump_registers());
    return out;
  }
  std::string info_mtree() override { return board_->memory().mtree(); }
  std::string info_tlb() override {
    std::string out;
    for (auto& h : harts_) out += fmt::format("CPU#{}\n{}", h->hartid(), h->dump_tlb());
    return out;
  }
  bool read_phys(uint64_t phys, void* buf, size_t len) override { return board_->memory().read(phys, buf, len); }
  bool read_virt(unsigned cpu, uint64_t vaddr, void* buf, size_t len) override {
    if (cpu >= harts_.size()) return false;
    auto* out = static_cast<uint8_t*>(buf);
    while (len > 0) {
      uint64_t phys;
      if (!harts_[cpu]->debug_translate(vaddr, &phys)) return false;
      size_t n = std::min<uint64_t>(len, tcg::kPageSize - (vaddr & (tcg::kPageSize - 1)));
      if (!board_->memory().read(phys, out, n)) return false;
      out += n;
      vaddr += n;
      len -= n;
    }
    return true;
  }
  void pause() override {
    for (auto& h : harts_) h->pause();
    board_->clock().pause();
  }
  void resume() override {
    board_->clock().resume();
    board_->timers().notify();
    for (auto& h : harts_) h->resume();
  }
  std::recursive_mutex& device_lock() override { return board_->memory().device_lock(); }
  MachineDebug* debug() override { return engine_ ? this : nullptr; }

  // MachineDebug
  const char* gdb_arch() const override { return "riscv64-system"; }
  unsigned cpu_count() const override { return unsigned(harts_.size()); }
  tcg::CpuBase& cpu_state(unsigned cpu) override { return harts_[cpu]->cpu(); }
  bool translate(unsigned cpu, uint64_t vaddr, uint64_t* phys) override {
    return cpu < harts_.size() && harts_[cpu]->debug_translate(vaddr, phys);
  }
  bool write_phys(uint64_t phys, const void* buf, size_t len) override {
    // RAM and ROM only (a debugger patches firmware too); never a device register.
    const auto* in = static_cast<const uint8_t*>(buf);
    while (len > 0) {
      bool writable;
      uint8_t* page = board_->memory().ram_page(phys & tcg::kPageMask, &writable);
      if (!page) return false;
      const size_t n = std::min<uint64_t>(len, tcg::kPageSize - (phys & ~tcg::kPageMask));
      if (tcg::CodePages* code = engine_->code_pages()) code->notify_write(phys, n);
      std::memcpy(page + (phys & ~tcg::kPageMask), in, n);
      in += n;
      phys += n;
      len -= n;
    }
    return true;
  }
  tcg::ExecEngine& engine() override { return *engine_; }
  void set_debug_hook(CpuDebugHook* hook) override {
    for (auto& h : harts_) h->set_debug_hook(hook);
  }
  void kick(unsigned cpu) override {
    if (cpu < harts_.size()) harts_[cpu]->kick();
  }
  void set_watchpoints(const tcg::Watchpoints* w) override {
    for (auto& h : harts_) h->mmu().set_watchpoints(w);
  }
  void pause_clock(bool paused) override {
    if (paused) {
      board_->clock().pause();
    } else {
      board_->clock().resume();
      board_->timers().notify();
    }
  }

 private:
  enum class Event { None, PowerOff, Reset, Stop, Fatal };

  void post(Event e, int status) {
    {
      std::lock_guard lock(mutex_);
      if (event_ != Event::None) return;  // the first reason wins
      event_ = e;
      status_ = status;
    }
    cv_.notify_all();
    for (auto& h : harts_) h->request_stop();
  }

  void report_fatal(riscv::RiscvHart& h) {
    fmt::print(stderr, "mimic: hart {}: {}\n", h.hartid(), h.fatal_message());
    post(Event::Fatal, 1);
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return event_ != Event::None;
  }

  void run_single() {
    while (!stopping())
      for (auto& h : harts_) {
        if (h->run(kSliceBlocks) == riscv::HartStop::Fatal) report_fatal(*h);
        if (stopping()) break;
      }
  }

  void run_threads() {
    std::vector<std::thread> threads;
    unsigned done = 0;
    for (auto& h : harts_)
      threads.emplace_back([this, &h, &done] {
        if (h->run() == riscv::HartStop::Fatal) report_fatal(*h);
        {
          std::lock_guard lock(mutex_);
          done++;
        }
        cv_.notify_all();
      });
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return event_ != Event::None || done == harts_.size(); });
    }
    // A stop requested before a hart entered run() could be missed: ask until all have left.
    for (;;) {
      for (auto& h : harts_) h->request_stop();
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return done == harts_.size(); })) break;
    }
    for (auto& t : threads) t.join();
    std::lock_guard lock(mutex_);
    if (event_ == Event::None) event_ = Event::Stop;  // every hart returned on its own
  }

  MachineConfig config_;
  std::unique_ptr<tcg::Logger> log_;
  std::unique_ptr<VirtBoard> board_;
  std::shared_ptr<tcg::ExecEngine> engine_;
  std::vector<std::unique_ptr<riscv::RiscvHart>> harts_;
  std::mutex mutex_;
  std::condition_variable cv_;
  Event event_ = Event::None;
  int status_ = 0;
};
}  // namespace

void register_riscv_virt(VirtEngineFactory make_engine) {
  register_machine({"virt", "RISC-V VirtIO board",
                    [make_engine](const MachineConfig& config, CharBackend& console) -> std::unique_ptr<Machine> {
                      return std::make_unique<VirtMachine>(config, console, make_engine);
                    },
                    true});
}

}  // namespace mimic::hw
