// The arm virt machine with its vCPUs: one arm::ArmCpu per -smp on its own host thread, wired to
// the board's GIC (interrupt lines, the GICv3 CPU interface registers, timer PPIs), PSCI for SMP
// bring-up and power (CPU_ON/OFF, AFFINITY_INFO, SYSTEM_OFF/RESET), TLBI broadcasts and SEV.
#include "hw/arm/virt_machine.h"

#include <fmt/format.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "hw/arm/virt.h"
#include "hw/core/debug.h"
#include "hw/core/vcpu_machine.h"
#include "hw/riscv/virt.h"  // write_dtb_file
#include "target/arm/psci.h"
#include "target/arm/system.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/log.h"

namespace mimic::hw {

namespace {
// The vCPU the calling thread runs (GICv2's banked registers ask for it).
thread_local unsigned t_current_cpu = 0;

class ArmVirtMachine final : public VcpuMachine<ArmVirtBoard, arm::ArmCpu>,
                             public MachineDebug,
                             private arm::PsciPlatform {
 public:
  ArmVirtMachine(const MachineConfig& config, CharBackend& console, const ArmEngineFactory& make_engine)
      : VcpuMachine(config, "cpu") {
    tcg::Logger* log = open_log(tcg::LogFlag::kUnimp);
    ArmVirtOptions options = parse_arm_virt_options(config.properties, config.cpu);
    board_ = std::make_unique<ArmVirtBoard>(config, console, log, &options);
    if (!config.dumpdtb.empty()) return;  // run() only writes the tree
    model_ = arm::find_cpu_model(options.cpu_type);
    if (!model_) throw MachineError(fmt::format("-cpu {}: mimic has {}", options.cpu_type, arm::cpu_model_names()));
    if (!make_engine) throw MachineError("virt: no execution engine for system mode in this build");
    engine_ = make_engine(config, board_->memory());
    if (!engine_) throw MachineError("virt: the execution engine could not be created");
    conduit_ = board_->boot().psci;
    hooks_.resize(config.smp);
    for (unsigned i = 0; i < config.smp; i++) {
      arm::ArmCpuConfig cc;
      cc.index = i;
      cc.mpidr = 0x80000000 | ArmVirtBoard::cpu_mpidr(i);
      cc.model = model_;
      cc.gicv3 = options.gic_version == 3;
      cc.el2 = options.virtualization;
      cc.el3 = options.secure;
      cc.entry_el = board_->boot().el;
      if (options.secure) {
        // QEMU's secure_sysmem: the firmware's flash bank, the Secure UART, GPIO and RAM.
        cc.secure_only.push_back({arm_virt_memmap(ArmVirtRegion::Flash).base, kArmVirtFlashBankSize});
        for (ArmVirtRegion r : {ArmVirtRegion::SecureUart, ArmVirtRegion::SecureGpio, ArmVirtRegion::SecureMem})
          cc.secure_only.push_back({arm_virt_memmap(r).base, arm_virt_memmap(r).size});
      }
      cc.device_lock = &board_->memory().device_lock();
      wire_hooks(i);
      cpus_.push_back(std::make_unique<arm::ArmCpu>(cc, *engine_, board_->memory(), board_->timers(), hooks_[i]));
    }
    board_->set_cpu_irq([this](unsigned cpu, ArmCpuIrq line, bool level) {
      if (cpu >= cpus_.size()) return;
      if (line == ArmCpuIrq::Irq || line == ArmCpuIrq::Fiq) cpus_[cpu]->set_irq(line == ArmCpuIrq::Fiq, level);
      if (line == ArmCpuIrq::VIrq || line == ArmCpuIrq::VFiq)
        cpus_[cpu]->set_virtual_irq(line == ArmCpuIrq::VFiq, level);
    });
    board_->set_cpu_index_source([] { return t_current_cpu; });
  }

  ~ArmVirtMachine() override {
    cpus_.clear();  // they point into hooks_, which goes before the base's members
    if (board_) {
      board_->set_cpu_irq(nullptr);
      board_->set_cpu_index_source(nullptr);
    }
  }

  MachineDebug* debug() override { return engine_ ? this : nullptr; }

  // MachineDebug (frontends/gdbstub_system.cpp)
  const char* gdb_arch() const override { return "aarch64-system"; }
  unsigned cpu_count() const override { return unsigned(cpus_.size()); }
  tcg::CpuBase& cpu_state(unsigned cpu) override { return cpus_[cpu]->cpu(); }
  bool read_phys(uint64_t phys, void* buf, size_t len) override { return VcpuMachine::read_phys(phys, buf, len); }
  bool translate(unsigned cpu, uint64_t vaddr, uint64_t* phys) override {
    return cpu < cpus_.size() && cpus_[cpu]->debug_translate(vaddr, phys);
  }
  bool write_phys(uint64_t phys, const void* buf, size_t len) override {
    // RAM and ROM only (a debugger patches firmware too), never a device register; the bus
    // write drops the translated code there (make_system_engine's RAM write hook).
    for (uint64_t page = phys & tcg::kPageMask; page < phys + len; page += tcg::kPageSize)
      if (!board_->memory().ram_page(page, nullptr)) return false;
    return board_->memory().write(phys, buf, len);
  }
  tcg::ExecEngine& engine() override { return *engine_; }
  void set_debug_hook(CpuDebugHook* hook) override {
    for (auto& c : cpus_) c->set_debug_hook(hook);
  }
  void kick(unsigned cpu) override {
    if (cpu < cpus_.size()) cpus_[cpu]->kick();
  }
  void set_watchpoints(const tcg::Watchpoints* w) override {
    for (auto& c : cpus_) c->set_debugger_watchpoints(w);  // merged with the guest's own
  }
  bool halted(unsigned cpu) override { return cpu < cpus_.size() && cpus_[cpu]->halted(); }
  void pause_clock(bool paused) override {
    if (paused) {
      board_->clock().pause();
    } else {
      board_->clock().resume();
      board_->timers().notify();
    }
  }

 private:
  void wire_hooks(unsigned i) {
    arm::ArmCpuHooks& h = hooks_[i];
    ArmVirtBoard* board = board_.get();
    h.gic_read = [board, i](uint32_t enc, unsigned el, unsigned access, uint64_t& v) {
      return board->gic_sysreg_read(i, enc, el, access, v);
    };
    h.gic_write = [board, i](uint32_t enc, unsigned el, unsigned access, uint64_t v) {
      return board->gic_sysreg_write(i, enc, el, access, v);
    };
    h.gic_world = [board, i](unsigned world) { board->set_gic_cpu_world(i, GicWorld(world)); };
    h.timer_output = [board, i](unsigned t, bool level) {
      static constexpr ArmTimer kBoardTimer[] = {ArmTimer::Phys, ArmTimer::Virt, ArmTimer::Hyp, ArmTimer::Sec,
                                                 ArmTimer::HypVirt};  // by ArmTimerId
      board->set_timer_output(i, kBoardTimer[t], level);
    };
    h.pmu_output = [board, i](bool level) { board->set_pmu_output(i, level); };
    h.broadcast_tlb_flush = [this, i](uint64_t page) {
      for (auto& c : cpus_)
        if (c->index() != i) c->request_tlb_flush(page);
    };
    h.psci = [this](bool hvc, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
      if (conduit_ != (hvc ? PsciConduit::Hvc : PsciConduit::Smc)) return arm::kPsciNotHandled;
      return arm::psci_call(*this, fn, a1, a2, a3);
    };
    h.send_event = [this, i] {
      for (auto& c : cpus_)
        if (c->index() != i) c->send_event();
    };
    h.log_unimp = [this](const std::string& line) {
      if (engine_->logger().enabled(tcg::LogFlag::kUnimp)) engine_->logger().write(line + "\n");
    };
    h.log_int = [this](const std::string& line) {
      if (engine_->logger().enabled(tcg::LogFlag::kInt)) engine_->logger().write(line);
    };
  }

  bool run_cpu(unsigned i, unsigned slice_blocks) override {
    t_current_cpu = i;
    return cpus_[i]->run(slice_blocks) == arm::ArmCpuStop::Fatal;
  }

  void reset_cpus() override {
    const ArmVirtBoard::BootInfo& b = board_->boot();
    // The Linux boot protocol: x0 = the device tree; a bare-metal ELF and firmware start with
    // every register 0. With PSCI the secondaries wait, powered off, for CPU_ON.
    uint64_t x0 = b.linux_image ? b.dtb_addr : 0;
    bool secondaries_off = b.psci != PsciConduit::None;
    for (auto& c : cpus_) {
      bool primary = c->index() == 0;
      c->reset(b.entry, primary ? x0 : 0, 0, 0, 0, !primary && secondaries_off);
    }
  }

  // PsciPlatform
  int64_t cpu_on(uint64_t target_mpidr, uint64_t entry, uint64_t context_id) override {
    arm::ArmCpu* c = find_cpu(target_mpidr);
    if (!c) return arm::PsciRet::kInvalidParams;
    return c->power_on(entry, context_id) ? arm::PsciRet::kSuccess : arm::PsciRet::kAlreadyOn;
  }
  int64_t affinity_info(uint64_t target_mpidr) override {
    arm::ArmCpu* c = find_cpu(target_mpidr);
    if (!c) return arm::PsciRet::kInvalidParams;
    return c->powered_on() ? 0 : 1;
  }
  void system_off() override { post(Event::PowerOff, 0); }
  void system_reset() override { post(Event::Reset, 0); }

  arm::ArmCpu* find_cpu(uint64_t mpidr) {
    for (auto& c : cpus_)
      if ((c->mpidr() & 0xff00ffffffull) == (mpidr & 0xff00ffffffull)) return c.get();
    return nullptr;
  }

  const arm::ArmCpuModel* model_ = nullptr;
  PsciConduit conduit_ = PsciConduit::Hvc;
  std::vector<arm::ArmCpuHooks> hooks_;  // one per vCPU, sized before the CPUs point into it
};
}  // namespace

void register_arm_virt(ArmEngineFactory make_engine) {
  MachineType t{"virt",
                "QEMU 7.2 ARM Virtual Machine",
                [make_engine](const MachineConfig& config, CharBackend& console) -> std::unique_ptr<Machine> {
                  return std::make_unique<ArmVirtMachine>(config, console, make_engine);
                },
                true,
                "aarch64",
                {"cortex-a53", "cortex-a57", "cortex-a72", "max"}};
  register_machine(std::move(t));
}

}  // namespace mimic::hw
