// The scripted test double of riscv::RiscvHart (see fake_hart.h).
#include "fake_hart.h"

#include <fmt/format.h>

#include <condition_variable>
#include <stdexcept>

#include "hw/core/vcpu_loop.h"

namespace mimic::hw::test {
FakeHartLog fake_hart_log;
std::function<bool(unsigned, unsigned, tcg::PhysMemory&)> fake_guest;
}  // namespace mimic::hw::test

namespace mimic::riscv {

using hw::test::fake_hart_log;

struct RiscvHart::Impl {
  HartConfig config;
  tcg::PhysMemory& phys;
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  unsigned runs = 0;
};

RiscvHart::RiscvHart(const HartConfig& config, tcg::ExecEngine&, tcg::PhysMemory& phys, hw::TimerQueue&)
    : impl_(new Impl{config, phys}) {}
RiscvHart::~RiscvHart() = default;

void RiscvHart::reset(uint64_t pc, uint64_t, uint64_t, uint64_t) {
  fake_hart_log.add(fmt::format("reset {} {:#x}", impl_->config.hartid, pc));
}

void RiscvHart::set_irq(unsigned irq, bool level) {
  fake_hart_log.add(fmt::format("irq {} {} {}", impl_->config.hartid, irq, int(level)));
}

HartStop RiscvHart::run(unsigned slice_blocks) {
  unsigned runs = ++impl_->runs;
  fake_hart_log.add(fmt::format("run {}", impl_->config.hartid));
  if (hw::test::fake_guest && !hw::test::fake_guest(impl_->config.hartid, runs, impl_->phys)) return HartStop::Fatal;
  std::unique_lock lock(impl_->mutex);
  if (slice_blocks == 0) impl_->cv.wait(lock, [&] { return impl_->stop; });
  impl_->stop = false;
  return HartStop::Requested;
}

void RiscvHart::request_stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
}

void RiscvHart::pause() {}
void RiscvHart::resume() {}
unsigned RiscvHart::hartid() const { return impl_->config.hartid; }
std::string RiscvHart::dump_registers() const { return fmt::format("pc of hart {}\n", impl_->config.hartid); }
std::string RiscvHart::dump_tlb() const { return ""; }
hw::VcpuStatus RiscvHart::vcpu_status() const { return {hw::VcpuState::kRunning, 0, 0x1000}; }
bool RiscvHart::debug_translate(uint64_t vaddr, uint64_t* phys) const {
  *phys = vaddr;  // bare mode
  return true;
}
std::string RiscvHart::fatal_message() const { return "scripted fatal error"; }
// The debugger's view (the gdb stub): the fake has no CPU state to show.
void RiscvHart::set_debug_hook(hw::CpuDebugHook*) {}
void RiscvHart::kick() {}
void RiscvHart::snapshot_state(hw::StateIo&) {}
tcg::SoftMmu& RiscvHart::mmu() { throw std::logic_error("the fake hart has no soft-MMU"); }
RiscvCpu& RiscvHart::cpu() { throw std::logic_error("the fake hart has no CPU state"); }

}  // namespace mimic::riscv
