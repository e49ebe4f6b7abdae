// The per-vCPU thread loop every board shares: enter the engine, finish each exit through the
// target, take interrupts between blocks, sleep in WFI, stop and pause for the machine (monitor,
// snapshots), step and stop for the debugger, and the round-robin slices of thread=single.
// A target (target/riscv/system.cpp, target/arm/system.cpp) supplies a VcpuTarget.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "hw/core/clock.h"
#include "hw/core/debug.h"
#include "hw/core/jitter.h"
#include "tcg/exec/softmmu.h"

namespace mimic::tcg {
struct CpuBase;
class ExecEngine;
}  // namespace mimic::tcg

namespace mimic::hw {

// What one architecture adds to the loop. Called on the vCPU's thread.
class VcpuTarget {
 public:
  virtual ~VcpuTarget() = default;
  // Before each entry into guest code, after the stop, pause and debugger checks: state the
  // target keeps outside the engine (power, deferred flushes, watch lists). kRetry goes round
  // the loop again (its checks first), kLeave ends run().
  enum class Prepare { kRun, kRetry, kLeave };
  virtual Prepare prepare() { return Prepare::kRun; }
  // Takes the highest pending enabled interrupt (exception entry), if any.
  virtual void take_interrupt() = 0;
  // The guest's own single step (AArch64 MDSCR_EL1.SS) is armed for the next instruction.
  virtual bool guest_step_active() { return false; }
  // After a run, before the debugger and handle(): the target's own use of a watchpoint hit or
  // of its guest step (`step_pc`: where it began). True when the exit is finished.
  virtual bool guest_debug_exit(uint32_t reason, const std::optional<tcg::SoftMmu::WatchHit>& hit, bool guest_step,
                                uint64_t step_pc, bool debugger) {
    (void)reason, (void)hit, (void)guest_step, (void)step_pc, (void)debugger;
    return false;
  }
  // Finishes one exit of the engine (never kExitInterrupt: the loop's). `may_wait` false for a
  // debugger's step, where WFI completes without sleeping. kFatal: the target's fatal message
  // says why.
  enum class Handled { kGoOn, kWaited, kFatal };
  virtual Handled handle(uint32_t reason, bool may_wait) = 0;
};

// What the monitor's `info cpus` shows of a vCPU: read from another thread without stopping
// it (the pc is the one of the vCPU's last exit while it runs chained code).
enum class VcpuState : uint8_t { kStopped, kRunning, kHalted, kPaused };
struct VcpuStatus {
  VcpuState state = VcpuState::kStopped;
  int thread_id = 0;  // the host thread (Linux tid) running it, 0 before it first ran
  uint64_t pc = 0;
};
const char* vcpu_state_name(VcpuState s);

class VcpuLoop {
 public:
  VcpuLoop(tcg::ExecEngine& engine, tcg::CpuBase& cpu, tcg::SoftMmu& mmu, TimerQueue& timers, unsigned index,
           VcpuTarget& target);
  ~VcpuLoop();

  enum class Stop { kRequested, kFatal };
  // Runs until request_stop() or a fatal exit; with slice_blocks (round robin), one slice: that
  // many block entries with an engine counting them (else that many exits or 10 ms), or until
  // a WFI, or while the debugger holds the vCPU.
  Stop run(unsigned slice_blocks = 0);
  void request_stop();
  void clear_stop() { stop_requested_.store(false); }  // a reset before running again
  // Stops the vCPU between blocks (or in WFI) and returns once it is parked; resume() lets it go.
  void pause();
  void resume();
  void set_debug_hook(CpuDebugHook* hook);
  // Ends the current block and any sleep: an interrupt line changed, or a request is waiting.
  void wake();
  // A watchpoint stopped the vCPU before its access at `pc`: resumed there, that one instruction
  // runs unwatched (the target's guest watchpoints use it too).
  void resume_past_watch(uint64_t pc) {
    watch_resume_pc_ = pc;
    watch_resume_armed_ = true;
  }
  // A snapshot load: a pending resume past a watched access belongs to the old state.
  void forget_watch_resume() { watch_resume_armed_ = false; }

  // For the target's sleeps (WFI, WFE): until done(), a wake(), a stop, pause or debugger
  // hold, at most until guest time deadline_ns (0: none). done() runs without the loop's lock.
  template <class Done>
  void sleep_until(Done done, uint64_t deadline_ns);
  bool sliced() const { return sliced_; }  // in a round-robin slice: sleeps end with it
  bool stop_requested() const { return stop_requested_.load(); }
  bool pause_requested() const { return pause_requested_.load(); }
  bool debug_holds();
  TimerQueue& timers() { return timers_; }
  // `info cpus`: state and host thread; the caller adds the pc.
  VcpuStatus status() const {
    return {state_.load(std::memory_order_relaxed), thread_id_.load(std::memory_order_relaxed)};
  }

  // The target's own waits with the loop's lock (AArch64: powered off until PSCI CPU_ON): set
  // `parked` while waiting, so that pause() returns; wait on `cond`; wake() bumps `generation`.
  std::mutex mutex;
  std::condition_variable cond;
  uint64_t generation = 0;  // under mutex
  bool parked = false;      // under mutex

 private:
  void park_if_paused();
  bool debug_exit(CpuDebugHook& d, uint32_t reason, bool stepping, const std::optional<tcg::SoftMmu::WatchHit>& hit);
  VcpuTarget::Handled handle(uint32_t reason, bool may_wait);

  tcg::ExecEngine& engine_;
  tcg::CpuBase& cpu_;
  tcg::SoftMmu& mmu_;
  TimerQueue& timers_;
  const unsigned index_;  // the debugger's vCPU number
  VcpuTarget& target_;
  std::atomic<bool> stop_requested_{false}, pause_requested_{false};
  std::atomic<CpuDebugHook*> debug_{nullptr};
  bool running_ = false;  // under mutex
  bool sliced_ = false;
  // Round robin without block counting: ends a slice after kSliceNs of guest time even in chained code.
  std::unique_ptr<Timer> slice_timer_;
  std::atomic<bool> slice_over_{false};
  std::atomic<VcpuState> state_{VcpuState::kStopped};
  std::atomic<int> thread_id_{0};
  uint64_t watch_resume_pc_ = 0;  // a watchpoint stopped the vCPU before its access here
  bool watch_resume_armed_ = false;
};

// Round robin: the longest a vCPU keeps the thread.
constexpr uint64_t kSliceNs = 10'000'000;

template <class Done>
void VcpuLoop::sleep_until(Done done, uint64_t deadline_ns) {
  // done() may read devices (their lock), and timer callbacks wake() under that lock: it is
  // evaluated without `mutex`, and the generation count closes the gap.
  for (;;) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mutex);
      seen = generation;
    }
    jitter::pause(jitter::Point::kBeforeSleep);
    if (done() || stop_requested_.load() || pause_requested_.load() || debug_holds()) return;
    // An interrupt raised here must still end the wait: its wake() bumps `generation`.
    jitter::pause(jitter::Point::kBeforeSleep);
    std::unique_lock<std::mutex> lock(mutex);
    state_.store(VcpuState::kHalted, std::memory_order_relaxed);
    struct Running {
      std::atomic<VcpuState>& s;
      ~Running() { s.store(VcpuState::kRunning, std::memory_order_relaxed); }
    } running{state_};
    if (deadline_ns) {
      const uint64_t now = timers_.clock().now_ns();
      if (now >= deadline_ns) return;
      cond.wait_for(lock, std::chrono::nanoseconds(deadline_ns - now), [&] { return generation != seen; });
      if (timers_.clock().now_ns() >= deadline_ns) return;
    } else {
      cond.wait(lock, [&] { return generation != seen; });
    }
  }
}

}  // namespace mimic::hw
