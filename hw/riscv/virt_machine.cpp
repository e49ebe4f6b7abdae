// The virt machine with its harts: one riscv::RiscvHart per -smp, reset to the mrom, run on one
// host thread each (or round-robin on one thread), until the test finisher or stop() ends it.
#include <fmt/format.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "hw/core/debug.h"
#include "hw/core/vcpu_machine.h"
#include "hw/riscv/virt.h"
#include "target/riscv/cpu.h"
#include "target/riscv/system.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {

class VirtMachine final : public VcpuMachine<VirtBoard, riscv::RiscvHart>, public MachineDebug {
 public:
  VirtMachine(const MachineConfig& config, CharBackend& console, const VirtEngineFactory& make_engine)
      : VcpuMachine(config, "hart") {
    tcg::Logger* log = open_log(tcg::LogFlag::kUnimp | tcg::LogFlag::kGuestErrors);
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
      cpus_.push_back(std::make_unique<riscv::RiscvHart>(hc, *engine_, board_->memory(), board_->timers()));
    }
    board_->set_hart_irq([this](unsigned hart, unsigned irq, bool level) { cpus_[hart]->set_irq(irq, level); });
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

  MachineDebug* debug() override { return engine_ ? this : nullptr; }

  // MachineDebug
  const char* gdb_arch() const override { return "riscv64-system"; }
  unsigned cpu_count() const override { return unsigned(cpus_.size()); }
  tcg::CpuBase& cpu_state(unsigned cpu) override { return cpus_[cpu]->cpu(); }
  bool translate(unsigned cpu, uint64_t vaddr, uint64_t* phys) override {
    return cpu < cpus_.size() && cpus_[cpu]->debug_translate(vaddr, phys);
  }
  bool read_phys(uint64_t phys, void* buf, size_t len) override { return VcpuMachine::read_phys(phys, buf, len); }
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
    for (auto& h : cpus_) h->set_debug_hook(hook);
  }
  void kick(unsigned cpu) override {
    if (cpu < cpus_.size()) cpus_[cpu]->kick();
  }
  void set_watchpoints(const tcg::Watchpoints* w) override {
    for (auto& h : cpus_) h->mmu().set_watchpoints(w);
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
  void reset_cpus() override {
    for (auto& h : cpus_) h->reset(virt_memmap(VirtRegion::Mrom).base);
  }
  bool run_cpu(unsigned i, unsigned slice_blocks) override {
    return cpus_[i]->run(slice_blocks) == riscv::HartStop::Fatal;
  }
};
}  // namespace

void register_riscv_virt(VirtEngineFactory make_engine) {
  register_machine({"virt",
                    "RISC-V VirtIO board",
                    [make_engine](const MachineConfig& config, CharBackend& console) -> std::unique_ptr<Machine> {
                      return std::make_unique<VirtMachine>(config, console, make_engine);
                    },
                    true,
                    "riscv64",
                    {"rv64"}});
}

}  // namespace mimic::hw
