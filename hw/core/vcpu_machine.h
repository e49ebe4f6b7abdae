// The part every board's machine shares: a Board (memory, clock, timers, devices) and its vCPUs,
// the reset/run loop with one host thread per vCPU, the stop/power-off/reset events, and the
// monitor's views (info registers/tlb, x/xp, stop/cont). Boards derive and add their wiring.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hw/core/clock.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/log.h"
#include "tcg/exec/softmmu.h"

namespace mimic::hw {

void write_dtb_file(const std::string& path, const std::vector<uint8_t>& blob);  // hw/riscv/virt.h

// Board: memory(), clock(), timers(), reset(), fdt(). Cpu: run(), request_stop(), pause(),
// resume(), dump_registers(), dump_tlb(), debug_translate(), fatal_message().
template <class Board, class Cpu>
class VcpuMachine : public Machine {
 public:
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
      reset_cpus();
      run_cpus();
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
    for (size_t i = 0; i < cpus_.size(); i++) out += fmt::format("CPU#{}\n{}", i, cpus_[i]->dump_registers());
    return out;
  }
  std::string info_mtree() override { return board_->memory().mtree(); }
  std::string info_tlb() override {
    std::string out;
    for (size_t i = 0; i < cpus_.size(); i++) out += fmt::format("CPU#{}\n{}", i, cpus_[i]->dump_tlb());
    return out;
  }
  bool read_phys(uint64_t phys, void* buf, size_t len) override { return board_->memory().read(phys, buf, len); }
  bool read_virt(unsigned cpu, uint64_t vaddr, void* buf, size_t len) override {
    if (cpu >= cpus_.size()) return false;
    auto* out = static_cast<uint8_t*>(buf);
    while (len > 0) {
      uint64_t phys;
      if (!cpus_[cpu]->debug_translate(vaddr, &phys)) return false;
      size_t n = std::min<uint64_t>(len, tcg::kPageSize - (vaddr & (tcg::kPageSize - 1)));
      if (!board_->memory().read(phys, out, n)) return false;
      out += n;
      vaddr += n;
      len -= n;
    }
    return true;
  }
  void pause() override {
    for (auto& c : cpus_) c->pause();
    board_->clock().pause();
  }
  void resume() override {
    board_->clock().resume();
    board_->timers().notify();
    for (auto& c : cpus_) c->resume();
  }
  std::recursive_mutex& device_lock() override { return board_->memory().device_lock(); }

 protected:
  enum class Event { None, PowerOff, Reset, Stop, Fatal };

  // `cpu_noun` names a vCPU in fatal messages ("hart", "cpu").
  VcpuMachine(const MachineConfig& config, const char* cpu_noun) : config_(config), cpu_noun_(cpu_noun) {}

  // The -d/-D log for the devices: the program's, or one of our own when `flags` are asked for.
  tcg::Logger* open_log(uint32_t flags) {
    if (config_.logger) return config_.logger;
    if (!(config_.log_flags & flags)) return nullptr;
    tcg::EngineOptions opts;
    opts.log = config_.log_flags;
    opts.log_file = config_.log_file;
    log_ = std::make_unique<tcg::Logger>(opts);
    return log_.get();
  }

  // Architectural reset of every vCPU as the board's boot protocol wants it.
  virtual void reset_cpus() = 0;
  // Runs vCPU `i` on the calling thread until it stops; true when it stopped on a fatal error.
  virtual bool run_cpu(unsigned i) = 0;
  // Runs every vCPU until an event; by default one host thread each.
  virtual void run_cpus() { run_threads(); }

  void post(Event e, int status) {
    {
      std::lock_guard lock(mutex_);
      if (event_ != Event::None) return;  // the first reason wins
      event_ = e;
      status_ = status;
    }
    cv_.notify_all();
    for (auto& c : cpus_) c->request_stop();
  }

  void report_fatal(unsigned i) {
    fmt::print(stderr, "mimic: {} {}: {}\n", cpu_noun_, i, cpus_[i]->fatal_message());
    post(Event::Fatal, 1);
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return event_ != Event::None;
  }

  void run_threads() {
    std::vector<std::thread> threads;
    unsigned done = 0;
    for (unsigned i = 0; i < cpus_.size(); i++)
      threads.emplace_back([this, i, &done] {
        if (run_cpu(i)) report_fatal(i);
        {
          std::lock_guard lock(mutex_);
          done++;
        }
        cv_.notify_all();
      });
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return event_ != Event::None || done == cpus_.size(); });
    }
    // A stop requested before a vCPU entered run() could be missed: ask until all have left.
    for (;;) {
      for (auto& c : cpus_) c->request_stop();
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return done == cpus_.size(); })) break;
    }
    for (auto& t : threads) t.join();
    std::lock_guard lock(mutex_);
    if (event_ == Event::None) event_ = Event::Stop;  // every vCPU returned on its own
  }

  MachineConfig config_;
  std::unique_ptr<tcg::Logger> log_;
  std::unique_ptr<Board> board_;
  std::shared_ptr<tcg::ExecEngine> engine_;
  std::vector<std::unique_ptr<Cpu>> cpus_;

 private:
  const char* cpu_noun_;
  std::mutex mutex_;
  std::condition_variable cv_;
  Event event_ = Event::None;
  int status_ = 0;
};

}  // namespace mimic::hw
