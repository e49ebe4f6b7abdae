// ArmCpu: an AArch64 vCPU in system mode — reset, interrupt lines, the loop around the engine
// that turns every exit into the architectural exception or instruction effect, WFI/WFE sleeping
// on a condition variable, PSCI power state, deferred TLB flushes, and the monitor's views.
#include "target/arm/system.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "hw/core/clock.h"
#include "hw/core/debug.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/snapshot.h"
#include "target/arm/excp.h"
#include "target/arm/mmu.h"
#include "target/arm/snapshot.h"
#include "target/arm/timer.h"
#include "target/arm/translate_a64.h"
#include "tcg/exec/exec.h"

namespace mimic::arm {

namespace {
struct SystemEngine {
  explicit SystemEngine(const tcg::EngineOptions& options) : engine(options, translator) {}
  tcg::SoftMmuCodeFetcher fetcher{a64_code_mmu_index};
  A64Translator translator{&fetcher, true};
  tcg::ExecEngine engine;
};
// WFE without the event stream or an event: the longest it sleeps (a store that would have
// cleared this vCPU's exclusive monitor sends no event here).
constexpr uint64_t kWfeMaxNs = 1'000'000;
// Round robin (-accel tcg,thread=single): the longest a WFI keeps the thread.
constexpr uint64_t kSliceNs = 10'000'000;
}  // namespace

std::shared_ptr<tcg::ExecEngine> make_system_engine(const hw::MachineConfig& config, hw::AddressSpace& memory) {
  tcg::EngineOptions options;
  options.system = true;
  options.log = config.log_flags;
  options.log_file = config.log_file;
  options.interpreter = config.interpreter;
  options.block_budget = config.single_thread;  // round robin slices by block entries
  auto owner = std::make_shared<SystemEngine>(options);
  tcg::ExecEngine* engine = &owner->engine;
  memory.set_ram_write_hook([engine](uint64_t phys, uint64_t len) {
    if (tcg::CodePages* pages = engine->code_pages()) pages->notify_write(phys, len);
  });
  return std::shared_ptr<tcg::ExecEngine>(owner, engine);
}

struct ArmCpu::Impl {
  Impl(const ArmCpuConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers,
       ArmCpuHooks& hooks)
      : config(config), engine(engine), phys(phys), timers(timers), target(phys) {
    if (!config.model || !config.device_lock) throw std::logic_error("ArmCpu needs a CPU model and the device lock");
    if (!engine.code_pages()) throw std::logic_error("ArmCpu needs an engine made for system mode");
    cpu = std::make_unique<A64Cpu>();
    state = std::make_unique<ArmSysState>();
    cpu->sys = state.get();
    state->hooks = &hooks;
    state->gicv3 = config.gicv3;
    state->have_el2 = config.el2;
    state->have_el3 = config.el3;
    state->secure_only_ranges = config.secure_only;
    mmu = std::make_unique<tcg::SoftMmu>(cpu.get(), phys, target, *engine.code_pages());
    cpu->softmmu = mmu.get();
    cpu->tlb = &mmu->tlb();
    hw::VirtualClock& clock = timers.clock();
    state->read_counter = [&clock] { return clock.now_ns() / kNsPerTick; };
    state->tlb_flush_all = [this] { request_flush(tcg::SoftMmu::kFlushAll); };
    state->tlb_flush_page = [this](uint64_t page) { request_flush(page); };
    timer = std::make_unique<GenericTimer>(*cpu, timers, *config.device_lock, [&hooks](unsigned t, bool level) {
      if (hooks.timer_output) hooks.timer_output(t, level);
    });
    state->timers_changed = [this] { timer->update(); };
    state->debug_regs_changed = [this] {
      watch_dirty = true;
      cpu->exit_request.store(1);  // back to the loop before the next block, which installs the list
    };
    pmu_timer = std::make_unique<hw::Timer>(timers, [this] {
      state->pmu_check.store(true);
      wake();
    });
    state->pmu_deadline = [this](uint64_t ns) {
      if (ns)
        pmu_timer->arm(ns);
      else
        pmu_timer->cancel();
    };
  }

  void wake() {
    cpu->exit_request.store(1);
    std::lock_guard<std::mutex> lock(wait_mutex);
    ++wake_generation;
    wait_cond.notify_all();
  }

  void request_flush(uint64_t page) {
    {
      std::lock_guard<std::mutex> lock(flush_mutex);
      if (page == tcg::SoftMmu::kFlushAll || flush_pages.size() > 64)
        flush_all = true;
      else
        flush_pages.push_back(page);
    }
    flush_pending.store(true);
    cpu->exit_request.store(1);
  }

  void do_pending_flushes() {
    if (!flush_pending.exchange(false)) return;
    std::vector<uint64_t> pages;
    bool all;
    {
      std::lock_guard<std::mutex> lock(flush_mutex);
      all = flush_all;
      flush_all = false;
      pages.swap(flush_pages);
    }
    if (all) {
      mmu->flush();
    } else {
      for (uint64_t p : pages) mmu->flush_page(p);
    }
  }

  // Sleeps until `done()` or a wake (interrupt line, event, stop, pause, power change), at most
  // until the guest time `deadline_ns` (0: none).
  template <class Done>
  void sleep_until(Done done, uint64_t deadline_ns) {
    for (;;) {
      uint64_t generation;
      {
        std::lock_guard<std::mutex> lock(wait_mutex);
        generation = wake_generation;
      }
      if (done() || stop_requested.load() || pause_requested.load() || flush_pending.load() || debug_holds() ||
          state->pmu_check.load())
        return;
      std::unique_lock<std::mutex> lock(wait_mutex);
      if (deadline_ns) {
        uint64_t now = timers.clock().now_ns();
        if (now >= deadline_ns) return;
        wait_cond.wait_for(lock, std::chrono::nanoseconds(deadline_ns - now),
                           [&] { return wake_generation != generation; });
        if (timers.clock().now_ns() >= deadline_ns) return;
      } else {
        wait_cond.wait(lock, [&] { return wake_generation != generation; });
      }
    }
  }

  // Round robin (sliced): the other vCPUs wait for this thread, so a WFI sleeps one slice at most.
  void wait_for_interrupt() {
    sleep_until([&] { return state->lines.load() != 0; }, sliced ? timers.clock().now_ns() + kSliceNs : 0);
  }
  void wait_for_event() {
    if (state->event.exchange(false)) return;
    uint64_t now = timers.clock().now_ns();
    uint64_t period = timer->event_stream_period_ns();
    uint64_t deadline = now + (period ? std::min(period, kWfeMaxNs) : kWfeMaxNs);
    sleep_until([&] { return state->lines.load() != 0 || state->event.load(); }, deadline);
    state->event.store(false);
  }

  bool debug_holds() {
    hw::CpuDebugHook* d = debug.load();
    return d && d->holds(config.index);
  }

  // After an exit while a debugger is attached: reports what it waits for. False when the vCPU
  // cannot go on.
  // The soft-MMU's watch list: the debugger's points, then the guest's (guest_watch_n: their
  // DBGWCR index).
  // Installing a list empties the TLB: only when it changed (MDSCR_EL1 is written often).
  void rebuild_watchpoints() {
    std::vector<tcg::Watchpoints::Point> points;
    if (debugger_watch) points = debugger_watch->points;
    std::vector<unsigned> guest_n;
    for (const GuestWatch& g : guest_watchpoints(*cpu)) {
      points.push_back(g.point);
      guest_n.push_back(g.n);
    }
    auto same = [](const tcg::Watchpoints::Point& a, const tcg::Watchpoints::Point& b) {
      return a.addr == b.addr && a.len == b.len && a.type == b.type;
    };
    const bool changed =
        !std::equal(points.begin(), points.end(), merged_watch.points.begin(), merged_watch.points.end(), same);
    merged_watch.points = std::move(points);
    guest_watch_n = std::move(guest_n);
    if (changed || watch_forced) mmu->set_watchpoints(&merged_watch);
    watch_forced = false;
  }
  // The guest watchpoint a hit belongs to, or -1 (the debugger's, which wins on a tie).
  int guest_watch_of(const tcg::SoftMmu::WatchHit& hit) const {
    auto same = [&](const tcg::Watchpoints::Point& p) { return p.addr == hit.addr && p.type == hit.type; };
    if (debugger_watch)
      for (const auto& p : debugger_watch->points)
        if (same(p)) return -1;
    const size_t base = merged_watch.points.size() - guest_watch_n.size();
    for (size_t i = 0; i < guest_watch_n.size(); ++i)
      if (same(merged_watch.points[base + i])) return int(guest_watch_n[i]);
    return -1;
  }

  bool debug_exit(hw::CpuDebugHook& d, uint32_t reason, bool stepping, std::optional<tcg::SoftMmu::WatchHit> hit) {
    if (hit) {
      // Stopped before the watched access, pc at its instruction (as QEMU; gdb's aarch64 steps
      // over the access itself and compares the values). Resumed there, that instruction runs
      // with watchpoints off first.
      watch_resume_pc = cpu->pc;
      watch_resume_armed = true;
      d.stopped(config.index, hw::DebugEvent{hw::DebugEvent::kWatch, hit->addr, int(hit->type)});
      return true;
    }
    if (reason == tcg::kExitDebug) {
      d.stopped(config.index, hw::DebugEvent{stepping ? hw::DebugEvent::kStep : hw::DebugEvent::kBreakpoint});
      return true;
    }
    // A step that ended in an exit the vCPU finishes (exception entry, ERET, MSR, WFI, PSCI...).
    if (!handle(reason, false)) return false;
    if (reason != tcg::kExitInterrupt) d.stopped(config.index, hw::DebugEvent{hw::DebugEvent::kStep});
    return true;
  }

  void park_if_paused() {
    std::unique_lock<std::mutex> lock(wait_mutex);
    if (!pause_requested.load()) return;
    parked = true;
    wait_cond.notify_all();
    wait_cond.wait(lock, [&] { return !pause_requested.load() || stop_requested.load(); });
    parked = false;
  }

  // Powered off (PSCI CPU_OFF, or a secondary before CPU_ON): waits for power_on's request and
  // resets to it on this thread. False when asked to stop instead.
  // A debugger holding the machine makes it return true at once (the loop parks in its hook).
  // `wait` false (round robin: the other vCPUs need the thread): returns at once when no request is there.
  bool wait_for_power_on(bool wait = true) {
    std::unique_lock<std::mutex> lock(wait_mutex);
    for (;;) {
      if (!wait) break;
      const uint64_t generation = wake_generation;
      lock.unlock();
      const bool held = debug_holds();  // the stub's lock is taken before wait_mutex, never inside it
      lock.lock();
      if (on_request || stop_requested.load() || pause_requested.load() || held) break;
      parked_off = true;
      wait_cond.notify_all();
      wait_cond.wait(lock, [&] {
        return on_request || stop_requested.load() || pause_requested.load() || wake_generation != generation;
      });
      parked_off = false;
      if (on_request || stop_requested.load() || pause_requested.load()) break;
    }
    if (!on_request) return !stop_requested.load();
    on_request = false;
    uint64_t entry = on_entry, ctx = on_context;
    lock.unlock();
    reset_state(entry, ctx, 0, 0, 0);
    powered.store(true);
    return true;
  }

  void reset_state(uint64_t pc, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3) {
    A64Cpu& c = *cpu;
    std::memset(c.x, 0, sizeof c.x);
    std::memset(static_cast<void*>(c.v), 0, sizeof c.v);
    set_nzcv(c, 0);
    set_fpcr(c, 0);
    set_fpsr(c, 0);
    c.tpidr_el0 = c.tpidrro_el0 = 0;
    sysreg_reset(c, *config.model, config.mpidr);
    if (config.el3 && config.entry_el && config.entry_el < 3) enter_nonsecure(c, config.entry_el);
    report_gic_world(c, true);
    watch_forced = true;  // the guest's watchpoints are gone
    watch_dirty = true;
    timer->update();
    c.pc = pc;
    c.x[0] = x0;
    c.x[1] = x1;
    c.x[2] = x2;
    c.x[3] = x3;
    mmu->flush();
  }

  // One exit of engine.run(). `may_wait`: false for a debugger's step, where WFI/WFE complete
  // without sleeping.
  bool handle(uint32_t reason, bool may_wait = true) {
    A64Cpu& c = *cpu;
    if (reason == tcg::kExitInterrupt) {
      c.exit_request.store(0);
      return true;
    }
    if (reason == kExitSev) {
      if (state->hooks->send_event) state->hooks->send_event();
      return true;
    }
    switch (handle_exit(c, phys, reason)) {
      case ExitAction::Continue: return true;
      case ExitAction::Wfi:
        if (may_wait) wait_for_interrupt();
        in_wfi.store(may_wait && state->lines.load() == 0);
        waited = true;
        return true;
      case ExitAction::Wfe:
        if (may_wait) wait_for_event();
        waited = true;
        return true;
      case ExitAction::CpuOff:
        powered.store(false);
        timer->stop();
        return true;
      case ExitAction::Unhandled: break;
    }
    fatal = fmt::format("aarch64 cpu {}: unexpected engine exit {} at pc 0x{:016x}", config.index, reason, c.pc);
    return false;
  }

  ArmCpuConfig config;
  tcg::ExecEngine& engine;
  tcg::PhysMemory& phys;
  hw::TimerQueue& timers;
  A64MmuTarget target;
  std::unique_ptr<A64Cpu> cpu;
  std::unique_ptr<ArmSysState> state;
  std::unique_ptr<tcg::SoftMmu> mmu;
  std::unique_ptr<GenericTimer> timer;
  std::unique_ptr<hw::Timer> pmu_timer;  // the PMU's next overflow
  bool sliced = false;                   // in a round-robin slice (ArmCpu::run's slice_blocks)
  bool waited = false;                   // the last handle() was a WFI/WFE (a slice ends there)
  std::mutex wait_mutex;
  std::condition_variable wait_cond;
  std::atomic<bool> stop_requested{false}, pause_requested{false}, powered{true};
  std::atomic<hw::CpuDebugHook*> debug{nullptr};
  std::atomic<bool> in_wfi{false};  // the last WFI ended without an interrupt (a stop woke it)
  uint64_t watch_resume_pc = 0;     // a watchpoint stopped the vCPU before its access here
  bool watch_resume_armed = false;
  const tcg::Watchpoints* debugger_watch = nullptr;
  tcg::Watchpoints merged_watch;
  std::vector<unsigned> guest_watch_n;
  std::atomic<bool> watch_dirty{true};  // by this vCPU's sysreg writes, or the debugger while it is stopped
  bool watch_forced = true;             // install the list even if unchanged (reset, the debugger)
  bool parked = false, parked_off = false, running = false;  // under wait_mutex
  bool on_request = false;                                   // under wait_mutex: power_on's
  uint64_t on_entry = 0, on_context = 0;
  uint64_t wake_generation = 0;
  std::mutex flush_mutex;
  std::vector<uint64_t> flush_pages;  // under flush_mutex
  bool flush_all = false;             // under flush_mutex
  std::atomic<bool> flush_pending{false};
  std::string fatal;
};

ArmCpu::ArmCpu(const ArmCpuConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers,
               ArmCpuHooks& hooks)
    : impl_(std::make_unique<Impl>(config, engine, phys, timers, hooks)) {
  reset(0);
}

ArmCpu::~ArmCpu() {
  impl_->timer->stop();
  impl_->pmu_timer->cancel();
  impl_->engine.unregister_cpu(impl_->cpu.get());
}

void ArmCpu::reset(uint64_t pc, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, bool powered_off) {
  Impl& h = *impl_;
  h.reset_state(pc, x0, x1, x2, x3);
  h.powered.store(!powered_off);
  {
    std::lock_guard<std::mutex> lock(h.wait_mutex);
    h.on_request = false;
  }
  h.stop_requested.store(false);
}

bool ArmCpu::power_on(uint64_t entry, uint64_t context_id) {
  Impl& h = *impl_;
  std::lock_guard<std::mutex> lock(h.wait_mutex);
  if (h.powered.load() || h.on_request) return false;
  h.on_request = true;
  h.on_entry = entry;
  h.on_context = context_id;
  ++h.wake_generation;
  h.wait_cond.notify_all();
  return true;
}

void ArmCpu::snapshot_state(hw::StateIo& io) {
  Impl& h = *impl_;
  bool powered = h.powered.load();
  io(powered);
  snapshot_registers(*h.cpu, io);
  if (!io.loading()) return;
  h.powered.store(powered);
  {
    std::lock_guard<std::mutex> lock(h.wait_mutex);
    h.on_request = false;
  }
  h.in_wfi.store(false);
  h.watch_forced = true;
  h.watch_dirty = true;
  h.watch_resume_armed = false;
  h.mmu->flush();
  h.engine.flush_jump_cache(h.cpu.get());
  h.timer->update();
  h.state->pmu_check.store(true);  // the overflow deadline is re-armed from the loaded counters
  h.state->gic_world = 0xff;       // the GIC loaded its view of the state: the next change is reported
  h.wake();
}

bool ArmCpu::powered_on() const { return impl_->powered.load(); }
bool ArmCpu::halted() const { return impl_->in_wfi.load() || !impl_->powered.load(); }

void ArmCpu::set_virtual_irq(bool fiq, bool level) {
  const uint32_t bit = fiq ? 8 : 4;
  if (level)
    impl_->state->lines.fetch_or(bit, std::memory_order_acq_rel);
  else
    impl_->state->lines.fetch_and(~bit, std::memory_order_acq_rel);
  impl_->wake();
}

void ArmCpu::set_irq(bool fiq, bool level) {
  uint32_t bit = fiq ? 2 : 1;
  if (level)
    impl_->state->lines.fetch_or(bit, std::memory_order_acq_rel);
  else
    impl_->state->lines.fetch_and(~bit, std::memory_order_acq_rel);
  impl_->wake();
}

void ArmCpu::request_tlb_flush(uint64_t page) {
  impl_->request_flush(page);
  impl_->wake();
}

void ArmCpu::send_event() {
  impl_->state->event.store(true);
  impl_->wake();
}

ArmCpuStop ArmCpu::run(unsigned slice_blocks) {
  Impl& h = *impl_;
  A64Cpu& c = *h.cpu;
  {
    std::lock_guard<std::mutex> lock(h.wait_mutex);
    h.running = true;
  }
  ArmCpuStop result = ArmCpuStop::Requested;
  // Round robin (as target/riscv/system.cpp): with an engine that counts block entries the
  // slice ends after exactly slice_blocks of them, so that the interleaving of the vCPUs
  // depends on the guest's progress alone; it also ends at a WFI/WFE or while powered off.
  const bool counts = h.engine.options().block_budget;
  h.sliced = slice_blocks != 0;
  c.block_budget = slice_blocks && counts ? int32_t(std::min<unsigned>(slice_blocks, INT32_MAX)) : INT32_MAX;
  for (;;) {
    if (h.stop_requested.load()) break;
    if (h.sliced && c.block_budget < 0) break;
    if (counts && !h.sliced && c.block_budget < 0) c.block_budget = INT32_MAX;  // unsliced: never ends
    if (h.pause_requested.load()) h.park_if_paused();
    hw::CpuDebugHook* debug = h.debug.load();
    bool stepping = false;
    if (debug) {
      using Run = hw::CpuDebugHook::Run;
      const Run r = debug->before_run(h.config.index);
      if (r == Run::kHold) {
        if (h.sliced) break;  // let the other vCPUs have the thread
        continue;
      }
      stepping = r == Run::kStep;
    }
    if (!h.powered.load()) {
      if (!h.wait_for_power_on(!h.sliced)) break;
      if (h.sliced && !h.powered.load()) break;
      continue;
    }
    h.do_pending_flushes();
    if (h.state->pmu_check.exchange(false)) pmu_sync(c);  // an overflow deadline passed
    // Resuming at the access a watchpoint stopped: that one instruction runs unwatched.
    if (h.watch_dirty.exchange(false)) h.rebuild_watchpoints();
    const bool past_watch = h.watch_resume_armed && c.pc == h.watch_resume_pc;
    h.watch_resume_armed = false;
    // Interrupts are taken between blocks: after every exit (kExitInterrupt from set_irq, and
    // the exits of eret, DAIF writes and the GIC's registers); not during a debugger's step
    // (QEMU's SSTEP_NOIRQ).
    if (!stepping && !past_watch) take_pending_interrupt(c);
    // The guest's own software step (MDSCR_EL1.SS) when the debugger is not stepping it.
    const bool guest_step = !stepping && !past_watch && software_step_active(c);
    const uint64_t step_pc = c.pc;
    c.single_step = stepping || past_watch || guest_step;
    h.in_wfi.store(false);
    h.mmu->suppress_watchpoints(past_watch);
    uint32_t reason = h.engine.run(&c);
    h.mmu->suppress_watchpoints(false);
    c.single_step = 0;
    if (past_watch && !stepping && (reason != tcg::kExitDebug || c.pc != h.watch_resume_pc)) {
      // The watched instruction ran (or exited into something the loop finishes): run on.
      if (reason != tcg::kExitDebug && !h.handle(reason, false)) {
        result = ArmCpuStop::Fatal;
        break;
      }
      continue;
    }
    std::optional<tcg::SoftMmu::WatchHit> hit;
    if (reason == tcg::kExitDebug) hit = h.mmu->take_watch_hit();
    if (hit) {
      const int n = h.guest_watch_of(*hit);
      if (n >= 0) {
        // The guest's watchpoint, before the access: its exception, or (not for this EL) the
        // instruction runs unwatched.
        const bool write = hit->type == tcg::Watchpoints::kWrite ||
                           (hit->type == tcg::Watchpoints::kAccess && insn_writes(insn_at(c, h.phys, c.pc)));
        if (!take_watchpoint(c, unsigned(n), hit->access, write)) {
          h.watch_resume_pc = c.pc;
          h.watch_resume_armed = true;
        }
        continue;
      }
    }
    // (kExitDebug with pc unchanged is a debugger breakpoint or watchpoint there: the debugger's.)
    if (guest_step && !(debug && reason == tcg::kExitDebug && c.pc == step_pc)) {
      if (reason == tcg::kExitDebug) {  // the instruction completed: the step exception is due
        take_software_step(c, is_load_exclusive(insn_at(c, h.phys, step_pc)));
        continue;
      }
      if (reason == kExitSvc || reason == kExitHvc || reason == kExitSmc) software_step_advance(c);
    }
    if (debug && (stepping || reason == tcg::kExitDebug)) {
      if (!h.debug_exit(*debug, reason, stepping, hit)) {
        result = ArmCpuStop::Fatal;
        break;
      }
      continue;
    }
    h.waited = false;
    if (!h.handle(reason)) {
      result = ArmCpuStop::Fatal;
      break;
    }
    if (h.sliced && h.waited) break;
  }
  std::lock_guard<std::mutex> lock(h.wait_mutex);
  h.running = false;
  h.wait_cond.notify_all();
  return result;
}

void ArmCpu::request_stop() {
  impl_->stop_requested.store(true);
  impl_->wake();
}

void ArmCpu::pause() {
  Impl& h = *impl_;
  h.pause_requested.store(true);
  h.wake();
  std::unique_lock<std::mutex> lock(h.wait_mutex);
  h.wait_cond.wait(lock, [&] { return h.parked || h.parked_off || !h.running; });
}

void ArmCpu::resume() {
  impl_->pause_requested.store(false);
  std::lock_guard<std::mutex> lock(impl_->wait_mutex);
  ++impl_->wake_generation;
  impl_->wait_cond.notify_all();
}

void ArmCpu::set_debug_hook(hw::CpuDebugHook* hook) {
  impl_->debug.store(hook);
  kick();
}

void ArmCpu::kick() { impl_->wake(); }

void ArmCpu::set_debugger_watchpoints(const tcg::Watchpoints* w) {
  impl_->debugger_watch = w && !w->points.empty() ? w : nullptr;
  impl_->watch_forced = true;  // the debugger expects the TLBs refilled (SoftMmu::set_watchpoints)
  impl_->watch_dirty = true;
}

unsigned ArmCpu::index() const { return impl_->config.index; }
uint64_t ArmCpu::mpidr() const { return impl_->config.mpidr; }
A64Cpu& ArmCpu::cpu() { return *impl_->cpu; }
tcg::SoftMmu& ArmCpu::mmu() { return *impl_->mmu; }
std::string ArmCpu::fatal_message() const { return impl_->fatal; }

std::string ArmCpu::dump_registers() const {
  const A64Cpu& c = *impl_->cpu;
  std::string out = fmt::format(" PC={:016x}", c.pc);
  for (unsigned i = 0; i < 31; ++i) out += fmt::format("{}X{:02}={:016x}", i % 4 == 3 ? "\n " : " ", i, c.x[i]);
  out += fmt::format(" SP={:016x}\n", c.sp);
  uint32_t nzcv = get_nzcv(c);
  out += fmt::format(" PSTATE={:08x} {}{}{}{} EL{}{}\n", read_pstate(c), nzcv >> 31 & 1 ? 'N' : '-',
                     nzcv >> 30 & 1 ? 'Z' : '-', nzcv >> 29 & 1 ? 'C' : '-', nzcv >> 28 & 1 ? 'V' : '-', c.sys->el,
                     c.sys->spsel ? 'h' : 't');
  out += dump_sysregs(c);
  return out;
}

std::string ArmCpu::dump_tlb() const { return impl_->mmu->dump(); }

bool ArmCpu::debug_translate(uint64_t vaddr, uint64_t* phys) const {
  A64Cpu& c = *impl_->cpu;
  unsigned idx = c.sys->el == 0 ? kMmuEl0 : fetch_mmu_index(c.sys->el);
  WalkResult r = translate_address(c, impl_->phys, vaddr, tcg::Access::Read, idx, false);
  if (r.fault != Fault::None) return false;
  *phys = r.pa;
  return true;
}

}  // namespace mimic::arm
