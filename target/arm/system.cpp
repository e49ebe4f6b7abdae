// ArmCpu: an AArch64 vCPU in system mode — reset, interrupt lines, the loop around the engine
// that turns every exit into the architectural exception or instruction effect, WFI/WFE sleeping
// on a condition variable, PSCI power state, deferred TLB flushes, and the monitor's views.
#include "target/arm/system.h"

#include <fmt/format.h>

#include <algorithm>
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
#include "hw/core/system_engine.h"
#include "hw/core/vcpu_loop.h"
#include "target/arm/excp.h"
#include "target/arm/mmu.h"
#include "target/arm/snapshot.h"
#include "target/arm/timer.h"
#include "target/arm/translate_a64.h"
#include "tcg/exec/exec.h"

namespace mimic::arm {

namespace {
// WFE without the event stream or an event: the longest it sleeps (a store that would have
// cleared this vCPU's exclusive monitor sends no event here).
constexpr uint64_t kWfeMaxNs = 1'000'000;
}  // namespace

std::shared_ptr<tcg::ExecEngine> make_system_engine(const hw::MachineConfig& config, hw::AddressSpace& memory) {
  return hw::make_system_engine_for<A64Translator>(config, memory, a64_code_mmu_index);
}

struct ArmCpu::Impl final : hw::VcpuTarget {
  Impl(const ArmCpuConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers,
       ArmCpuHooks& hooks)
      : config(config), engine(engine), phys(phys), timers(timers), target(phys) {
    if (!config.model || !config.device_lock) throw std::logic_error("ArmCpu needs a CPU model and the device lock");
    if (!engine.code_pages()) throw std::logic_error("ArmCpu needs an engine made for system mode");
    vcpu = std::make_unique<A64SystemCpu>();
    cpu = &vcpu->cpu;
    state = &vcpu->state;
    cpu->sys = state;
    state->hooks = &hooks;
    state->gicv3 = config.gicv3;
    state->have_el2 = config.el2;
    state->have_el3 = config.el3;
    state->secure_only_ranges = config.secure_only;
    mmu = std::make_unique<tcg::SoftMmu>(cpu, phys, target, *engine.code_pages());
    cpu->softmmu = mmu.get();
    cpu->tlb = &mmu->tlb();
    hw::VirtualClock& clock = timers.clock();
    state->read_counter = [&clock] { return clock.now_ns() / kNsPerTick; };
    state->tlb_flush_all = [this] { request_flush(tcg::SoftMmu::kFlushAll); };
    // TLBI by VA runs on this vCPU's thread (its helper), and the block ends after it: the page
    // is flushed at once, without a trip out of the engine (other vCPUs' flushes wait for their loop).
    state->tlb_flush_page = [this](uint64_t page) { mmu->flush_page(page); };
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
    loop = std::make_unique<hw::VcpuLoop>(engine, *cpu, *mmu, timers, config.index, *this);
  }

  void wake() { loop->wake(); }

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

  // Sleeps until `done()`, a wake (interrupt line, event, stop, pause, power change), a TLB
  // flush request or a PMU overflow, at most until the guest time `deadline_ns` (0: none).
  template <class Done>
  void sleep_until(Done done, uint64_t deadline_ns) {
    loop->sleep_until([&] { return done() || flush_pending.load() || state->pmu_check.load(); }, deadline_ns);
  }

  // Round robin (sliced): the other vCPUs wait for this thread, so a WFI sleeps one slice at most.
  void wait_for_interrupt() {
    sleep_until([&] { return state->lines.load() != 0; }, loop->sliced() ? timers.clock().now_ns() + hw::kSliceNs : 0);
  }
  void wait_for_event() {
    if (state->event.exchange(false)) return;
    uint64_t now = timers.clock().now_ns();
    uint64_t period = timer->event_stream_period_ns();
    uint64_t deadline = now + (period ? std::min(period, kWfeMaxNs) : kWfeMaxNs);
    sleep_until([&] { return state->lines.load() != 0 || state->event.load(); }, deadline);
    state->event.store(false);
  }

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

  // Powered off (PSCI CPU_OFF, or a secondary before CPU_ON): waits for power_on's request and
  // resets to it on this thread. False when asked to stop instead.
  // A debugger holding the machine makes it return true at once (the loop parks in its hook).
  // `wait` false (round robin: the other vCPUs need the thread): returns at once when no request is there.
  bool wait_for_power_on(bool wait = true) {
    hw::VcpuLoop& l = *loop;
    std::unique_lock<std::mutex> lock(l.mutex);
    for (;;) {
      if (!wait) break;
      const uint64_t generation = l.generation;
      lock.unlock();
      const bool held = l.debug_holds();  // the stub's lock is taken before the loop's, never inside it
      lock.lock();
      if (on_request || l.stop_requested() || l.pause_requested() || held) break;
      l.parked = true;
      l.cond.notify_all();
      l.cond.wait(
          lock, [&] { return on_request || l.stop_requested() || l.pause_requested() || l.generation != generation; });
      l.parked = false;
      if (on_request || l.stop_requested() || l.pause_requested()) break;
    }
    if (!on_request) return !l.stop_requested();
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

  // hw::VcpuTarget
  Prepare prepare() override {
    if (!powered.load()) {
      if (!wait_for_power_on(!loop->sliced())) return Prepare::kLeave;
      if (loop->sliced() && !powered.load()) return Prepare::kLeave;
      return Prepare::kRetry;
    }
    do_pending_flushes();
    if (state->pmu_check.exchange(false)) pmu_sync(*cpu);  // an overflow deadline passed
    if (watch_dirty.exchange(false)) rebuild_watchpoints();
    in_wfi.store(false);
    return Prepare::kRun;
  }

  void take_interrupt() override { take_pending_interrupt(*cpu); }
  bool guest_step_active() override { return software_step_active(*cpu); }

  // The guest's watchpoints and software step (the debugger's own are the loop's).
  bool guest_debug_exit(uint32_t reason, const std::optional<tcg::SoftMmu::WatchHit>& hit, bool guest_step,
                        uint64_t step_pc, bool debugger) override {
    A64Cpu& c = *cpu;
    if (hit) {
      const int n = guest_watch_of(*hit);
      if (n >= 0) {
        // The guest's watchpoint, before the access: its exception, or (not for this EL) the
        // instruction runs unwatched.
        const bool write = hit->type == tcg::Watchpoints::kWrite ||
                           (hit->type == tcg::Watchpoints::kAccess && insn_writes(insn_at(c, phys, c.pc)));
        if (!take_watchpoint(c, unsigned(n), hit->access, write)) loop->resume_past_watch(c.pc);
        return true;
      }
    }
    // (kExitDebug with pc unchanged is a debugger breakpoint or watchpoint there: the debugger's.)
    if (guest_step && !(debugger && reason == tcg::kExitDebug && c.pc == step_pc)) {
      if (reason == tcg::kExitDebug) {  // the instruction completed: the step exception is due
        take_software_step(c, is_load_exclusive(insn_at(c, phys, step_pc)));
        return true;
      }
      if (reason == kExitSvc || reason == kExitHvc || reason == kExitSmc) software_step_advance(c);
    }
    return false;
  }

  // One exit of engine.run(). `may_wait`: false for a debugger's step, where WFI/WFE complete
  // without sleeping.
  Handled handle(uint32_t reason, bool may_wait) override {
    A64Cpu& c = *cpu;
    if (reason == kExitSev) {
      if (state->hooks->send_event) state->hooks->send_event();
      return Handled::kGoOn;
    }
    switch (handle_exit(c, phys, reason)) {
      case ExitAction::Continue: return Handled::kGoOn;
      case ExitAction::Wfi:
        if (may_wait) wait_for_interrupt();
        in_wfi.store(may_wait && state->lines.load() == 0);
        return Handled::kWaited;
      case ExitAction::Wfe:
        if (may_wait) wait_for_event();
        return Handled::kWaited;
      case ExitAction::CpuOff:
        powered.store(false);
        timer->stop();
        return Handled::kGoOn;
      case ExitAction::Unhandled: break;
    }
    fatal = fmt::format("aarch64 cpu {}: unexpected engine exit {} at pc 0x{:016x}", config.index, reason, c.pc);
    return Handled::kFatal;
  }

  ArmCpuConfig config;
  tcg::ExecEngine& engine;
  tcg::PhysMemory& phys;
  hw::TimerQueue& timers;
  A64MmuTarget target;
  std::unique_ptr<A64SystemCpu> vcpu;  // cpu and state, at the offsets translated code uses
  A64Cpu* cpu = nullptr;
  ArmSysState* state = nullptr;
  std::unique_ptr<tcg::SoftMmu> mmu;
  std::unique_ptr<GenericTimer> timer;
  std::unique_ptr<hw::Timer> pmu_timer;  // the PMU's next overflow
  std::atomic<bool> powered{true};
  std::atomic<bool> in_wfi{false};  // the last WFI ended without an interrupt (a stop woke it)
  const tcg::Watchpoints* debugger_watch = nullptr;
  tcg::Watchpoints merged_watch;
  std::vector<unsigned> guest_watch_n;
  std::atomic<bool> watch_dirty{true};  // by this vCPU's sysreg writes, or the debugger while it is stopped
  bool watch_forced = true;             // install the list even if unchanged (reset, the debugger)
  bool on_request = false;              // under loop->mutex: power_on's
  uint64_t on_entry = 0, on_context = 0;
  std::mutex flush_mutex;
  std::vector<uint64_t> flush_pages;  // under flush_mutex
  bool flush_all = false;             // under flush_mutex
  std::atomic<bool> flush_pending{false};
  std::string fatal;
  std::unique_ptr<hw::VcpuLoop> loop;
};

ArmCpu::ArmCpu(const ArmCpuConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers,
               ArmCpuHooks& hooks)
    : impl_(std::make_unique<Impl>(config, engine, phys, timers, hooks)) {
  reset(0);
}

ArmCpu::~ArmCpu() {
  impl_->timer->stop();
  impl_->pmu_timer->cancel();
  impl_->engine.unregister_cpu(impl_->cpu);
}

void ArmCpu::reset(uint64_t pc, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, bool powered_off) {
  Impl& h = *impl_;
  h.reset_state(pc, x0, x1, x2, x3);
  h.powered.store(!powered_off);
  {
    std::lock_guard<std::mutex> lock(h.loop->mutex);
    h.on_request = false;
  }
  h.loop->clear_stop();
}

bool ArmCpu::power_on(uint64_t entry, uint64_t context_id) {
  Impl& h = *impl_;
  std::lock_guard<std::mutex> lock(h.loop->mutex);
  if (h.powered.load() || h.on_request) return false;
  h.on_request = true;
  h.on_entry = entry;
  h.on_context = context_id;
  ++h.loop->generation;
  h.loop->cond.notify_all();
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
    std::lock_guard<std::mutex> lock(h.loop->mutex);
    h.on_request = false;
  }
  h.in_wfi.store(false);
  h.watch_forced = true;
  h.watch_dirty = true;
  h.loop->forget_watch_resume();
  h.mmu->flush();
  h.engine.flush_jump_cache(h.cpu);
  h.timer->update();
  h.state->pmu_check.store(true);  // the overflow deadline is re-armed from the loaded counters
  h.state->gic_world = 0xff;       // the GIC loaded its view of the state: the next change is reported
  h.wake();
}

bool ArmCpu::powered_on() const { return impl_->powered.load(); }
bool ArmCpu::halted() const { return impl_->in_wfi.load() || !impl_->powered.load(); }

hw::VcpuStatus ArmCpu::vcpu_status() const {
  hw::VcpuStatus s = impl_->loop->status();
  if (s.state == hw::VcpuState::kRunning && !impl_->powered.load()) s.state = hw::VcpuState::kHalted;  // off
  s.pc = impl_->cpu->pc;
  return s;
}

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
  return impl_->loop->run(slice_blocks) == hw::VcpuLoop::Stop::kFatal ? ArmCpuStop::Fatal : ArmCpuStop::Requested;
}

void ArmCpu::request_stop() { impl_->loop->request_stop(); }
void ArmCpu::pause() { impl_->loop->pause(); }
void ArmCpu::resume() { impl_->loop->resume(); }

void ArmCpu::set_debug_hook(hw::CpuDebugHook* hook) { impl_->loop->set_debug_hook(hook); }

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
