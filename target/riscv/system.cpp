// RiscvHart: a RISC-V hart in system mode — reset, interrupt lines, the loop around the engine
// that turns every exit into the architectural trap or instruction effect, WFI sleeping on a
// condition variable, Sstc's timer, and the monitor's views (registers, page tables, translate).
#include "target/riscv/system.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "hw/core/clock.h"
#include "hw/core/debug.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/snapshot.h"
#include "hw/core/system_engine.h"
#include "hw/core/vcpu_loop.h"
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
}  // namespace

std::shared_ptr<tcg::ExecEngine> make_system_engine(const hw::MachineConfig& config, hw::AddressSpace& memory) {
  return hw::make_system_engine_for<RiscvTranslator>(config, memory, riscv_code_mmu_index);
}

struct RiscvHart::Impl final : SystemHooks, hw::VcpuTarget {
  Impl(const HartConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers)
      : config(config), engine(engine), phys(phys), timers(timers), target(phys) {
    cpu = std::make_unique<RiscvCpu>();
    cpu->hooks = this;
    if (!engine.code_pages()) throw std::logic_error("RiscvHart needs an engine made for system mode");
    mmu = std::make_unique<tcg::SoftMmu>(cpu.get(), phys, target, *engine.code_pages());
    cpu->softmmu = mmu.get();
    cpu->tlb = &mmu->tlb();
    sstc_timer = std::make_unique<hw::Timer>(timers, [this] { sstc_expired(); });
    loop = std::make_unique<hw::VcpuLoop>(engine, *cpu, *mmu, timers, config.hartid, *this);
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
  void wake() { loop->wake(); }

  // The Sstc timer (timer thread, device lock held): a deadline reached early by the mtime to
  // nanoseconds rounding is armed again rather than lost.
  void sstc_expired() {
    if (!(cpu->menvcfg & Menvcfg::kSTCE)) return;
    if (read_time() >= cpu->stimecmp)
      wake();
    else if (config.mtime_to_ns)
      sstc_timer->arm(config.mtime_to_ns(cpu->stimecmp));
  }

  // hw::VcpuTarget
  void take_interrupt() override {
    const int irq = pending_interrupt(*cpu);
    if (irq >= 0) raise_trap(*cpu, unsigned(irq), true, 0);
  }

  // One exit of engine.run(): the trap or instruction effect; WFI sleeps until an interrupt is
  // pending in mip & mie (reading mtime for Sstc), in round robin for one slice at most.
  Handled handle(uint32_t reason, bool may_wait) override {
    RiscvCpu& c = *cpu;
    uint64_t addr = 0;
    switch (handle_exit(c, phys, reason, &addr)) {
      case ExitAction::Continue: return Handled::kGoOn;
      case ExitAction::Wait:
        if (!may_wait) return Handled::kGoOn;  // a debugger step over WFI: the instruction is done
        loop->sleep_until([&] { return wfi_wakeup(c); }, loop->sliced() ? timers.clock().now_ns() + hw::kSliceNs : 0);
        return Handled::kWaited;
      case ExitAction::FlushTlb: mmu->flush(); return Handled::kGoOn;
      case ExitAction::FlushTlbAsid: mmu->flush_nonglobal(); return Handled::kGoOn;
      case ExitAction::FlushTlbPage: mmu->flush_page(addr); return Handled::kGoOn;
      case ExitAction::Unhandled: break;
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "riscv hart %u: unexpected engine exit %u at pc 0x%016" PRIx64, config.hartid,
                  reason, c.pc);
    fatal = buf;
    return Handled::kFatal;
  }

  HartConfig config;
  tcg::ExecEngine& engine;
  tcg::PhysMemory& phys;
  hw::TimerQueue& timers;
  RiscvMmuTarget target;
  std::unique_ptr<RiscvCpu> cpu;
  std::unique_ptr<tcg::SoftMmu> mmu;
  std::unique_ptr<hw::Timer> sstc_timer;
  std::unique_ptr<hw::VcpuLoop> loop;
  std::string fatal;
};

RiscvHart::RiscvHart(const HartConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers)
    : impl_(std::make_unique<Impl>(config, engine, phys, timers)) {
  reset(0);
}

RiscvHart::~RiscvHart() {
  impl_->sstc_timer->cancel();
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
  impl_->loop->clear_stop();
}

void RiscvHart::set_irq(unsigned irq, bool level) {
  uint64_t bit = uint64_t(1) << irq;
  if (level)
    impl_->cpu->mip.fetch_or(bit, std::memory_order_acq_rel);
  else
    impl_->cpu->mip.fetch_and(~bit, std::memory_order_acq_rel);
  hw::jitter::pause(hw::jitter::Point::kIrqLine);
  impl_->wake();
}

HartStop RiscvHart::run(unsigned slice_blocks) {
  return impl_->loop->run(slice_blocks) == hw::VcpuLoop::Stop::kFatal ? HartStop::Fatal : HartStop::Requested;
}

void RiscvHart::request_stop() { impl_->loop->request_stop(); }
void RiscvHart::pause() { impl_->loop->pause(); }
void RiscvHart::resume() { impl_->loop->resume(); }

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
  h.loop->forget_watch_resume();
  h.wake();
}

void RiscvHart::set_debug_hook(hw::CpuDebugHook* hook) { impl_->loop->set_debug_hook(hook); }

void RiscvHart::kick() { impl_->wake(); }

hw::VcpuStatus RiscvHart::vcpu_status() const {
  hw::VcpuStatus s = impl_->loop->status();
  s.pc = impl_->cpu->pc;
  return s;
}

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
  // The soft-TLB's live entries (the victim entries too), named by MMU index (mmu.h).
  static const char* const kModes[] = {"U", "S", "S+SUM", "M", "U+MXR", "S+MXR", "S+SUM+MXR"};
  return "mmu-idx   vaddr               paddr              access\n" + impl_->mmu->dump(kModes);
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
