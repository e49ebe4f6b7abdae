// RiscvHart: a RISC-V hart in system mode — reset, interrupt lines, the loop around the engine
// that turns every exit into the architectural trap or instruction effect, WFI sleeping on a
// condition variable, Sstc's timer, and the monitor's views (registers, page tables, translate).
#include "target/riscv/system.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "hw/core/clock.h"
#include "hw/core/debug.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/snapshot.h"
#include "target/riscv/cpu.h"
#include "target/riscv/csr.h"
#include "target/riscv/excp.h"
#include "target/riscv/mmu.h"
#include "target/riscv/translate.h"
#include "tcg/exec/exec.h"

namespace mimic::riscv {

namespace {

const char* const kAbi[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
                              "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                              "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
const char* const kFpAbi[32] = {"ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1", "fa0",
                                "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4", "fs5",
                                "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
const char* cause_name(uint64_t cause, bool interrupt) {
  static const char* const kExc[] = {"exec_addr_misaligned",
                                     "exec_access_fault",
                                     "illegal_instruction",
                                     "breakpoint",
                                     "load_addr_misaligned",
                                     "load_access_fault",
                                     "store_addr_misaligned",
                                     "store_access_fault",
                                     "user_ecall",
                                     "supervisor_ecall",
                                     "?",
                                     "machine_ecall",
                                     "exec_page_fault",
                                     "load_page_fault",
                                     "?",
                                     "store_page_fault"};
  static const char* const kInt[] = {"?", "s_software", "?", "m_software", "?", "s_timer",
                                     "?", "m_timer",    "?", "s_external", "?", "m_external"};
  if (interrupt) return cause < 12 ? kInt[cause] : "?";
  return cause < 16 ? kExc[cause] : "?";
}

// Round-robin mode (-accel tcg,thread=single): the longest a hart keeps the thread.
constexpr uint64_t kSliceNs = 10'000'000;
}  // namespace

namespace {
// The translator and its code fetcher live as long as the engine that uses them.
struct SystemEngine {
  explicit SystemEngine(const tcg::EngineOptions& options) : engine(options, translator) {}
  tcg::SoftMmuCodeFetcher fetcher{riscv_code_mmu_index};
  RiscvTranslator translator{&fetcher, true};
  tcg::ExecEngine engine;
};
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
  // Loaders and DMA write RAM behind the harts' soft-MMUs: drop the code they overwrite.
  memory.set_ram_write_hook([engine](uint64_t phys, uint64_t len) {
    if (tcg::CodePages* pages = engine->code_pages()) pages->notify_write(phys, len);
  });
  return std::shared_ptr<tcg::ExecEngine>(owner, engine);
}

struct RiscvHart::Impl final : SystemHooks {
  Impl(const HartConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers)
      : config(config), engine(engine), phys(phys), timers(timers), target(phys) {
    cpu = std::make_unique<RiscvCpu>();
    cpu->hooks = this;
    if (!engine.code_pages()) throw std::logic_error("RiscvHart needs an engine made for system mode");
    mmu = std::make_unique<tcg::SoftMmu>(cpu.get(), phys, target, *engine.code_pages());
    cpu->softmmu = mmu.get();
    cpu->tlb = &mmu->tlb();
    sstc_timer = std::make_unique<hw::Timer>(timers, [this] { sstc_expired(); });
    slice_timer = std::make_unique<hw::Timer>(timers, [this] {
      slice_over.store(true);
      cpu->exit_request.store(1);
    });
  }

  // SystemHooks
  uint64_t read_time() override { return config.read_mtime ? config.read_mtime() : 0; }
  // The soft-MMU's flush hook empties the jump cache (keyed by virtual pc) with it.
  void tlb_flush() override { mmu->flush(); }
  void tlb_flush_page(uint64_t vaddr) override { mmu->flush_page(vaddr); }
  void stimecmp_changed() override {
    if (!(cpu->menvcfg & Menvcfg::kSTCE)) {
      sstc_timer->cancel();
      return;
    }
    if (read_time() >= cpu->stimecmp) {
      sstc_timer->cancel();
      cpu->exit_request.store(1);  // STIP is now set
    } else if (config.mtime_to_ns) {
      sstc_timer->arm(config.mtime_to_ns(cpu->stimecmp));
    }
  }
  bool log_unimp_enabled() const override { return engine.logger().enabled(tcg::LogFlag::kUnimp); }
  // -d int: one line per trap, in the shape of QEMU's riscv_cpu_do_interrupt line.
  void trap_taken(uint64_t cause, bool interrupt, uint64_t epc, uint64_t tval, unsigned to_priv) override {
    if (!engine.logger().enabled(tcg::LogFlag::kInt)) return;
    char line[192];
    std::snprintf(line, sizeof line,
                  "riscv_cpu_do_interrupt: hart:%u, async:%d, cause:%016" PRIx64 ", epc:0x%016" PRIx64
                  ", tval:0x%016" PRIx64 ", desc=%s (to %c-mode)\n",
                  config.hartid, interrupt ? 1 : 0, cause, epc, tval, cause_name(cause, interrupt),
                  to_priv == kPrivS ? 'S' : 'M');
    engine.logger().write(line);
  }
  void log_unimp(const std::string& line) override { engine.logger().write(line + "\n"); }

  // An interrupt source changed (device line, Sstc deadline): stop the block, end WFI.
  void wake() {
    cpu->exit_request.store(1);
    std::lock_guard<std::mutex> lock(wait_mutex);
    ++wake_generation;
    wait_cond.notify_all();
  }

  // The Sstc timer (timer thread, device lock held): a deadline reached early by the mtime to
  // nanoseconds rounding is armed again rather than lost.
  void sstc_expired() {
    if (!(cpu->menvcfg & Menvcfg::kSTCE)) return;
    if (read_time() >= cpu->stimecmp)
      wake();
    else if (config.mtime_to_ns)
      sstc_timer->arm(config.mtime_to_ns(cpu->stimecmp));
  }

  // WFI: sleeps until an interrupt is pending in mip & mie (or stop/pause); with `bounded` (the
  // round-robin mode, other harts wait for this thread) for one slice at most. The condition
  // reads mtime (Sstc), which may take the device lock, so it is evaluated without wait_mutex
  // (timer callbacks take wait_mutex under the device lock); the generation count closes the gap.
  void wait_for_interrupt(bool bounded) {
    for (;;) {
      uint64_t generation;
      {
        std::lock_guard<std::mutex> lock(wait_mutex);
        generation = wake_generation;
      }
      if (wfi_wakeup(*cpu) || stop_requested.load() || pause_requested.load() || debug_holds()) return;
      std::unique_lock<std::mutex> lock(wait_mutex);
      if (bounded) {
        wait_cond.wait_for(lock, std::chrono::nanoseconds(kSliceNs), [&] { return wake_generation != generation; });
        return;
      }
      wait_cond.wait(lock, [&] { return wake_generation != generation; });
    }
  }

  bool debug_holds() {
    hw::CpuDebugHook* d = debug.load();
    return d && d->holds(config.hartid);
  }

  // After an exit while a debugger is attached: reports what it is waiting for. False when the
  // hart cannot go on.
  bool debug_exit(hw::CpuDebugHook& d, uint32_t reason, bool stepping) {
    if (auto hit = mmu->take_watch_hit()) {
      // Stopped before the watched access, pc at its instruction, as QEMU reports it (gdb's
      // riscv and aarch64 expect that: they step over the access themselves and compare values).
      // Resumed there, the hart runs that instruction with watchpoints off first.
      watch_resume_pc = cpu->pc;
      watch_resume_armed = true;
      d.stopped(config.hartid, hw::DebugEvent{hw::DebugEvent::kWatch, hit->addr, int(hit->type)});
      return true;
    }
    if (reason == tcg::kExitDebug) {
      d.stopped(config.hartid, hw::DebugEvent{stepping ? hw::DebugEvent::kStep : hw::DebugEvent::kBreakpoint});
      return true;
    }
    // A step that ended in an exit the hart finishes (trap entry, mret, CSR write, WFI...).
    bool waited = false;
    if (!handle(reason, true, &waited, false)) return false;
    if (reason != tcg::kExitInterrupt) d.stopped(config.hartid, hw::DebugEvent{hw::DebugEvent::kStep});
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

  // One exit of engine.run(); false when the hart cannot go on (fatal_message says why).
  // `sliced`: round-robin mode, where a WFI ends the slice (waited) instead of the thread's life.
  bool handle(uint32_t reason, bool sliced, bool* waited, bool may_wait = true) {
    RiscvCpu& c = *cpu;
    if (reason == tcg::kExitInterrupt) {
      c.exit_request.store(0);
      return true;
    }
    uint64_t addr = 0;
    switch (handle_exit(c, phys, reason, &addr)) {
      case ExitAction::Continue: return true;
      case ExitAction::Wait:
        if (!may_wait) return true;  // a debugger step over WFI: the instruction is done
        wait_for_interrupt(sliced);
        *waited = true;
        return true;
      case ExitAction::FlushTlb: mmu->flush(); return true;
      case ExitAction::FlushTlbAsid: mmu->flush_nonglobal(); return true;
      case ExitAction::FlushTlbPage: mmu->flush_page(addr); return true;
      case ExitAction::Unhandled: break;
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "riscv hart %u: unexpected engine exit %u at pc 0x%016" PRIx64, config.hartid,
                  reason, c.pc);
    fatal = buf;
    return false;
  }

  HartConfig config;
  tcg::ExecEngine& engine;
  tcg::PhysMemory& phys;
  hw::TimerQueue& timers;
  RiscvMmuTarget target;
  std::unique_ptr<RiscvCpu> cpu;
  std::unique_ptr<tcg::SoftMmu> mmu;
  std::unique_ptr<hw::Timer> sstc_timer;
  // Round-robin mode: ends a slice after kSliceNs of guest time even in chained code.
  std::unique_ptr<hw::Timer> slice_timer;
  std::atomic<bool> slice_over{false};
  std::mutex wait_mutex;
  std::condition_variable wait_cond;
  std::atomic<bool> stop_requested{false}, pause_requested{false};
  std::atomic<hw::CpuDebugHook*> debug{nullptr};
  uint64_t watch_resume_pc = 0;  // a watchpoint stopped the hart before its access here
  bool watch_resume_armed = false;
  bool parked = false, running = false;  // under wait_mutex
  uint64_t wake_generation = 0;          // under wait_mutex: bumped by every wake()
  std::string fatal;
};

RiscvHart::RiscvHart(const HartConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers)
    : impl_(std::make_unique<Impl>(config, engine, phys, timers)) {
  reset(0);
}

RiscvHart::~RiscvHart() {
  impl_->sstc_timer->cancel();
  impl_->slice_timer->cancel();
  impl_->engine.unregister_cpu(impl_->cpu.get());
}

void RiscvHart::reset(uint64_t pc, uint64_t a0, uint64_t a1, uint64_t a2) {
  RiscvCpu& c = *impl_->cpu;
  std::memset(c.x, 0, sizeof c.x);
  std::memset(c.f, 0, sizeof c.f);
  fp_set_fflags(c, 0);
  fp_set_frm(c, 0);
  csr_reset(c, impl_->config.hartid);
  c.pc = pc;
  c.x[10] = a0;
  c.x[11] = a1;
  c.x[12] = a2;
  impl_->sstc_timer->cancel();
  impl_->mmu->flush();
  // A board stops its harts (request_stop) and resets them before running them again.
  impl_->stop_requested.store(false);
}

void RiscvHart::set_irq(unsigned irq, bool level) {
  uint64_t bit = uint64_t(1) << irq;
  if (level)
    impl_->cpu->mip.fetch_or(bit, std::memory_order_acq_rel);
  else
    impl_->cpu->mip.fetch_and(~bit, std::memory_order_acq_rel);
  impl_->wake();
}

HartStop RiscvHart::run(unsigned slice_blocks) {
  Impl& h = *impl_;
  RiscvCpu& c = *h.cpu;
  {
    std::lock_guard<std::mutex> lock(h.wait_mutex);
    h.running = true;
  }
  unsigned exits = 0;
  HartStop result = HartStop::Requested;
  // Round robin: an engine that counts block entries ends the slice after exactly slice_blocks
  // of them, wherever they ran (chained code too), so that the harts' interleaving depends on
  // the guest's progress alone; otherwise after slice_blocks exits or 10 ms.
  const bool counts = h.engine.options().block_budget;
  const bool budget = slice_blocks && counts;
  c.block_budget = budget ? int32_t(std::min<unsigned>(slice_blocks, INT32_MAX)) : INT32_MAX;
  if (slice_blocks && !budget) {
    h.slice_over.store(false);
    h.slice_timer->arm(h.timers.clock().now_ns() + kSliceNs);
  }
  for (;;) {
    if (h.stop_requested.load()) break;
    if (budget && c.block_budget < 0) break;
    if (counts && !budget && c.block_budget < 0) c.block_budget = INT32_MAX;  // unsliced: never ends
    if (h.pause_requested.load()) h.park_if_paused();
    hw::CpuDebugHook* debug = h.debug.load();
    bool stepping = false;
    if (debug) {
      using Run = hw::CpuDebugHook::Run;
      const Run r = debug->before_run(h.config.hartid);
      if (r == Run::kHold) {
        if (slice_blocks) break;  // round robin: let the other harts have the thread
        continue;
      }
      stepping = r == Run::kStep;
    }
    // Interrupts are taken between blocks: after every exit (kExitInterrupt from set_irq, and
    // the exits of mret/sret/wfi and of CSR writes that enabled one).
    // Resuming at the access a watchpoint stopped: that one instruction runs unwatched.
    const bool past_watch = debug && h.watch_resume_armed && c.pc == h.watch_resume_pc;
    h.watch_resume_armed = false;
    int irq = stepping || past_watch ? -1 : pending_interrupt(c);
    if (irq >= 0) raise_trap(c, unsigned(irq), true, 0);
    c.single_step = stepping || past_watch;
    h.mmu->suppress_watchpoints(past_watch);
    uint32_t reason = h.engine.run(&c);
    h.mmu->suppress_watchpoints(false);
    c.single_step = 0;
    bool waited = false;
    // kExitDebug after the one instruction, or an exit the hart finishes; a breakpoint at the
    // access (pc unchanged) is reported below.
    if (past_watch && !stepping && (reason != tcg::kExitDebug || c.pc != h.watch_resume_pc)) {
      if (reason != tcg::kExitDebug && !h.handle(reason, slice_blocks != 0, &waited, false)) {
        result = HartStop::Fatal;
        break;
      }
      continue;
    }
    if (debug && (stepping || reason == tcg::kExitDebug)) {
      if (!h.debug_exit(*debug, reason, stepping)) {
        result = HartStop::Fatal;
        break;
      }
      continue;
    }
    if (!h.handle(reason, slice_blocks != 0, &waited)) {
      result = HartStop::Fatal;
      break;
    }
    if (budget && waited) break;
    if (slice_blocks && !budget && (waited || h.slice_over.load() || ++exits >= slice_blocks)) break;
  }
  if (slice_blocks && !budget) h.slice_timer->cancel();
  std::lock_guard<std::mutex> lock(h.wait_mutex);
  h.running = false;
  h.wait_cond.notify_all();
  return result;
}

void RiscvHart::request_stop() {
  impl_->stop_requested.store(true);
  impl_->wake();
}

void RiscvHart::pause() {
  Impl& h = *impl_;
  h.pause_requested.store(true);
  h.wake();
  std::unique_lock<std::mutex> lock(h.wait_mutex);
  h.wait_cond.wait(lock, [&] { return h.parked || !h.running; });
}

void RiscvHart::resume() {
  impl_->pause_requested.store(false);
  std::lock_guard<std::mutex> lock(impl_->wait_mutex);
  ++impl_->wake_generation;
  impl_->wait_cond.notify_all();
}

void RiscvHart::snapshot_state(hw::StateIo& io) {
  Impl& h = *impl_;
  RiscvCpu& c = *h.cpu;
  io(c.pc), io(c.x), io(c.f);
  uint32_t fflags = fp_get_fflags(c), frm = c.frm;
  io(fflags), io(frm);
  io(c.reserve_addr), io(c.reserve_value), io(c.instret_base);
  io(c.priv), io(c.mstatus), io(c.misa), io(c.medeleg), io(c.mideleg), io(c.mie), io(c.mip);
  io(c.mtvec), io(c.stvec), io(c.mepc), io(c.sepc), io(c.mcause), io(c.scause), io(c.mtval), io(c.stval);
  io(c.mscratch), io(c.sscratch), io(c.satp), io(c.menvcfg), io(c.senvcfg), io(c.stimecmp), io(c.mseccfg);
  io(c.mcounteren), io(c.scounteren), io(c.mcountinhibit), io(c.mhartid);
  // mcycle/minstret as the guest reads them (they count host cycles plus an offset): the values
  // go on from where they were in another process.
  const uint64_t now = h.host_cycles();
  uint64_t cycle = (c.mcountinhibit & 1) ? c.cycle_offset : now + c.cycle_offset;
  uint64_t instret = (c.mcountinhibit & 4) ? c.instret_offset : now + c.instret_offset;
  io(cycle), io(instret);
  io(c.mhpmcounter), io(c.mhpmevent), io(c.pmpcfg), io(c.pmpaddr), io(c.pmp_active);
  if (!io.loading()) return;
  c.cycle_offset = (c.mcountinhibit & 1) ? cycle : cycle - now;
  c.instret_offset = (c.mcountinhibit & 4) ? instret : instret - now;
  c.x[0] = 0;
  fp_set_fflags(c, fflags & 0x1f);
  fp_set_frm(c, frm & 7);
  update_tb_flags(c);
  h.mmu->flush();
  h.engine.flush_jump_cache(&c);
  h.stimecmp_changed();
  h.watch_resume_armed = false;
  h.wake();
}

void RiscvHart::set_debug_hook(hw::CpuDebugHook* hook) {
  impl_->debug.store(hook);
  kick();
}

void RiscvHart::kick() { impl_->wake(); }

unsigned RiscvHart::hartid() const { return impl_->config.hartid; }
RiscvCpu& RiscvHart::cpu() { return *impl_->cpu; }
tcg::SoftMmu& RiscvHart::mmu() { return *impl_->mmu; }
std::string RiscvHart::fatal_message() const { return impl_->fatal; }

std::string RiscvHart::dump_registers() const {
  RiscvCpu& c = *impl_->cpu;
  std::string out;
  char line[160];
  auto row = [&](const char* name, uint64_t v) {
    std::snprintf(line, sizeof line, " %-8s %016" PRIx64 "\n", name, v);
    out += line;
  };
  static const char* const kPriv[] = {"U", "S", "?", "M"};
  std::snprintf(line, sizeof line, " priv     %s\n", kPriv[c.priv & 3]);
  out += line;
  row("pc", c.pc);
  row("mhartid", c.mhartid);
  row("mstatus", read_mstatus(c));
  row("mip", read_mip(c));
  row("mie", c.mie);
  row("mideleg", c.mideleg);
  row("medeleg", c.medeleg);
  row("mtvec", c.mtvec);
  row("stvec", c.stvec);
  row("mepc", c.mepc);
  row("sepc", c.sepc);
  row("mcause", c.mcause);
  row("scause", c.scause);
  row("mtval", c.mtval);
  row("stval", c.stval);
  row("mscratch", c.mscratch);
  row("sscratch", c.sscratch);
  row("satp", c.satp);
  for (unsigned i = 0; i < 32; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "x%u/%s", i, kAbi[i]);
    std::snprintf(line, sizeof line, " %-8s %016" PRIx64 "%s", name, c.x[i], i % 4 == 3 ? "\n" : "");
    out += line;
  }
  for (unsigned i = 0; i < 32; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "f%u/%s", i, kFpAbi[i]);
    std::snprintf(line, sizeof line, " %-8s %016" PRIx64 "%s", name, c.f[i], i % 4 == 3 ? "\n" : "");
    out += line;
  }
  return out;
}

std::string RiscvHart::dump_tlb() const {
  // The soft-TLB's live entries, per MMU index: virtual page and the accesses the fast path takes.
  static const char* const kModes[] = {"U", "S", "S+SUM", "M", "U+MXR", "S+MXR", "S+SUM+MXR", "-"};
  const tcg::SoftTlb& tlb = impl_->mmu->tlb();
  std::string out = "mmu-idx   vaddr              access\n";
  char line[128];
  for (unsigned m = 0; m < kNumMmuModes; ++m)
    for (unsigned i = 0; i < tcg::kTlbSize; ++i) {
      const tcg::TlbEntry& e = tlb.table[m][i];
      uint64_t page = e.addr_read != tcg::TlbEntry::kTlbEmpty    ? e.addr_read
                      : e.addr_write != tcg::TlbEntry::kTlbEmpty ? e.addr_write
                                                                 : e.addr_code;
      if (page == tcg::TlbEntry::kTlbEmpty) continue;
      auto fast = [](uint64_t f) { return f != tcg::TlbEntry::kTlbEmpty && !(f & tcg::TlbFlag::kMask); };
      std::snprintf(line, sizeof line, "%-9s %016" PRIx64 "   %c%c%c\n", kModes[m], page & tcg::kPageMask,
                    fast(e.addr_read) ? 'r' : '-', fast(e.addr_write) ? 'w' : '-', fast(e.addr_code) ? 'x' : '-');
      out += line;
    }
  return out;
}

bool RiscvHart::debug_translate(uint64_t vaddr, uint64_t* phys) const {
  RiscvCpu& c = *impl_->cpu;
  unsigned idx = data_mmu_index(c);
  unsigned priv = mmu_index_priv(idx);
  // As the monitor reads memory: the hart's privilege, with SUM and MXR so any mapped byte shows.
  idx = mmu_index(priv, true, true);
  return translate_address(c, impl_->phys, vaddr, tcg::Access::Read, idx, false, phys) == WalkResult::Ok;
}

}  // namespace mimic::riscv
