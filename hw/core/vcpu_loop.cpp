// VcpuLoop: the vCPU thread loop of every board (see vcpu_loop.h).
#include "hw/core/vcpu_loop.h"

#include <unistd.h>

#include <algorithm>
#include <climits>

#include "tcg/exec/exec.h"

namespace mimic::hw {

VcpuLoop::VcpuLoop(tcg::ExecEngine& engine, tcg::CpuBase& cpu, tcg::SoftMmu& mmu, TimerQueue& timers, unsigned index,
                   VcpuTarget& target)
    : engine_(engine), cpu_(cpu), mmu_(mmu), timers_(timers), index_(index), target_(target) {
  slice_timer_ = std::make_unique<Timer>(timers, [this] {
    slice_over_.store(true);
    cpu_.exit_request.store(1);
  });
}

VcpuLoop::~VcpuLoop() { slice_timer_->cancel(); }

const char* vcpu_state_name(VcpuState s) {
  switch (s) {
    case VcpuState::kStopped: return "stopped";
    case VcpuState::kRunning: return "running";
    case VcpuState::kHalted: return "halted";
    case VcpuState::kPaused: return "paused";
  }
  return "?";
}

void VcpuLoop::wake() {
  cpu_.exit_request.store(1);
  jitter::pause(jitter::Point::kWake);
  std::lock_guard<std::mutex> lock(mutex);
  ++generation;
  cond.notify_all();
}

void VcpuLoop::request_stop() {
  stop_requested_.store(true);
  wake();
}

void VcpuLoop::pause() {
  pause_requested_.store(true);
  wake();
  std::unique_lock<std::mutex> lock(mutex);
  cond.wait(lock, [&] { return parked || !running_; });
}

void VcpuLoop::resume() {
  pause_requested_.store(false);
  std::lock_guard<std::mutex> lock(mutex);
  ++generation;
  cond.notify_all();
}

void VcpuLoop::set_debug_hook(CpuDebugHook* hook) {
  debug_.store(hook);
  wake();
}

bool VcpuLoop::debug_holds() {
  CpuDebugHook* d = debug_.load();
  return d && d->holds(index_);
}

void VcpuLoop::park_if_paused() {
  std::unique_lock<std::mutex> lock(mutex);
  if (!pause_requested_.load()) return;
  parked = true;
  state_.store(VcpuState::kPaused, std::memory_order_relaxed);
  cond.notify_all();
  cond.wait(lock, [&] { return !pause_requested_.load() || stop_requested_.load(); });
  parked = false;
  state_.store(VcpuState::kRunning, std::memory_order_relaxed);
}

VcpuTarget::Handled VcpuLoop::handle(uint32_t reason, bool may_wait) {
  if (reason == tcg::kExitInterrupt) {  // a wake(): the loop's checks and the interrupt come next
    cpu_.exit_request.store(0);
    return VcpuTarget::Handled::kGoOn;
  }
  return target_.handle(reason, may_wait);
}

// After an exit while a debugger is attached: reports what it is waiting for. False when the
// vCPU cannot go on.
bool VcpuLoop::debug_exit(CpuDebugHook& d, uint32_t reason, bool stepping,
                          const std::optional<tcg::SoftMmu::WatchHit>& hit) {
  if (hit) {
    // Stopped before the watched access, pc at its instruction, as QEMU reports it (gdb steps
    // over the access itself and compares values). Resumed there, the vCPU runs that
    // instruction with watchpoints off first.
    resume_past_watch(cpu_.pc);
    d.stopped(index_, DebugEvent{DebugEvent::kWatch, hit->addr, int(hit->type)});
    return true;
  }
  if (reason == tcg::kExitDebug) {
    d.stopped(index_, DebugEvent{stepping ? DebugEvent::kStep : DebugEvent::kBreakpoint});
    return true;
  }
  // A step that ended in an exit the vCPU finishes (exception entry, xRET, CSR/MSR write, WFI...).
  if (handle(reason, false) == VcpuTarget::Handled::kFatal) return false;
  if (reason != tcg::kExitInterrupt) d.stopped(index_, DebugEvent{DebugEvent::kStep});
  return true;
}

VcpuLoop::Stop VcpuLoop::run(unsigned slice_blocks) {
  using Handled = VcpuTarget::Handled;
  {
    std::lock_guard<std::mutex> lock(mutex);
    running_ = true;
  }
  if (thread_id_.load(std::memory_order_relaxed) != int(gettid())) {
    thread_id_.store(int(gettid()), std::memory_order_relaxed);
    if (!slice_blocks) jitter::start_delay();  // a vCPU thread's first run
  }
  state_.store(VcpuState::kRunning, std::memory_order_relaxed);
  Stop result = Stop::kRequested;
  unsigned exits = 0;
  // Round robin: an engine that counts block entries ends the slice after exactly slice_blocks
  // of them, wherever they ran (chained code too), so that the vCPUs' interleaving depends on
  // the guest's progress alone; otherwise after slice_blocks exits or kSliceNs.
  sliced_ = slice_blocks != 0;
  const bool counts = engine_.options().block_budget;
  const bool budget = sliced_ && counts;
  cpu_.block_budget = budget ? int32_t(std::min<unsigned>(slice_blocks, INT32_MAX)) : INT32_MAX;
  if (sliced_ && !budget) {
    slice_over_.store(false);
    slice_timer_->arm(timers_.clock().now_ns() + kSliceNs);
  }
  for (;;) {
    if (stop_requested_.load()) break;
    if (budget && cpu_.block_budget < 0) break;
    if (counts && !budget && cpu_.block_budget < 0) cpu_.block_budget = INT32_MAX;  // unsliced: never ends
    if (pause_requested_.load()) park_if_paused();
    CpuDebugHook* debug = debug_.load();
    bool stepping = false;
    if (debug) {
      using Run = CpuDebugHook::Run;
      const Run r = debug->before_run(index_);
      if (r == Run::kHold) {
        if (sliced_) break;  // let the other vCPUs have the thread
        continue;
      }
      stepping = r == Run::kStep;
    }
    const VcpuTarget::Prepare prep = target_.prepare();
    if (prep == VcpuTarget::Prepare::kLeave) break;
    if (prep == VcpuTarget::Prepare::kRetry) continue;
    // Resuming at the access a watchpoint stopped: that one instruction runs unwatched.
    const bool past_watch = watch_resume_armed_ && cpu_.pc == watch_resume_pc_;
    watch_resume_armed_ = false;
    // Interrupts are taken between blocks: after every exit (kExitInterrupt from a wake(), and
    // the exits of xRET, WFI and of register writes that enabled one); not during a debugger's
    // step (QEMU's SSTEP_NOIRQ).
    if (!stepping && !past_watch) target_.take_interrupt();
    // An interrupt raised from here on sets exit_request, which engine_.run() reads first.
    jitter::pause(jitter::Point::kAfterInterruptCheck);
    const bool guest_step = !stepping && !past_watch && target_.guest_step_active();
    const uint64_t step_pc = cpu_.pc;
    cpu_.single_step = stepping || past_watch || guest_step;
    mmu_.suppress_watchpoints(past_watch);
    const uint32_t reason = engine_.run(&cpu_);
    mmu_.suppress_watchpoints(false);
    cpu_.single_step = 0;
    // kExitDebug after the one instruction, or an exit the vCPU finishes; a breakpoint at the
    // access (pc unchanged) is reported below.
    if (past_watch && !stepping && (reason != tcg::kExitDebug || cpu_.pc != watch_resume_pc_)) {
      if (reason != tcg::kExitDebug && handle(reason, false) == Handled::kFatal) {
        result = Stop::kFatal;
        break;
      }
      continue;
    }
    std::optional<tcg::SoftMmu::WatchHit> hit;
    if (reason == tcg::kExitDebug) hit = mmu_.take_watch_hit();
    if (target_.guest_debug_exit(reason, hit, guest_step, step_pc, debug != nullptr)) continue;
    if (debug && (stepping || reason == tcg::kExitDebug)) {
      if (!debug_exit(*debug, reason, stepping, hit)) {
        result = Stop::kFatal;
        break;
      }
      continue;
    }
    const Handled h = handle(reason, true);
    if (h == Handled::kFatal) {
      result = Stop::kFatal;
      break;
    }
    const bool waited = h == Handled::kWaited;
    if (budget && waited) break;
    if (sliced_ && !budget && (waited || slice_over_.load() || ++exits >= slice_blocks)) break;
  }
  if (sliced_ && !budget) slice_timer_->cancel();
  std::lock_guard<std::mutex> lock(mutex);
  running_ = false;
  state_.store(VcpuState::kStopped, std::memory_order_relaxed);
  cond.notify_all();
  return result;
}

}  // namespace mimic::hw
