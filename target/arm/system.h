// An AArch64 vCPU in system mode: the A64 CPU with its system state (EL0/EL1, system registers,
// exceptions, stage-1 MMU, generic timer), its soft-MMU, and the loop that runs it on its host
// thread. Boards (hw/arm/) create and wire them.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "target/arm/sysreg_system.h"
#include "tcg/exec/softmmu.h"

namespace mimic::tcg {
class ExecEngine;
}
namespace mimic::hw {
class CpuDebugHook;
class TimerQueue;
class AddressSpace;
class StateIo;
struct MachineConfig;
struct VcpuStatus;
}  // namespace mimic::hw

namespace mimic::arm {

// The engine the vCPUs of an AArch64 machine share: system mode, the A64 translator reading code
// through each vCPU's soft-MMU; RAM writes of loaders and DMA drop the code they overwrite.
std::shared_ptr<tcg::ExecEngine> make_system_engine(const hw::MachineConfig& config, hw::AddressSpace& memory);

struct ArmCpuConfig {
  unsigned index = 0;
  uint64_t mpidr = 0x80000000;  // MPIDR_EL1 (QEMU virt: Aff0 = index % 8... as the board says)
  const ArmCpuModel* model = nullptr;
  bool gicv3 = false;
  bool el2 = false;       // -M virt,virtualization=on: EL2 exists and reset enters it
  bool el3 = false;       // -M virt,secure=on: EL3 exists and reset enters it
  unsigned entry_el = 0;  // below EL3: reset leaves for this Non-secure EL (a kernel's)
  std::vector<std::pair<uint64_t, uint64_t>> secure_only;  // with el3: (base, size) of Secure-only memory
  std::recursive_mutex* device_lock = nullptr;             // the machine's big lock (timer outputs); required
};

enum class ArmCpuStop { Requested, Fatal };

class ArmCpu {
 public:
  ArmCpu(const ArmCpuConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers,
         ArmCpuHooks& hooks);
  ~ArmCpu();

  // Architectural reset (EL1h, or EL2h with EL2; MMU off, DAIF masked), then pc and x0..x3; `powered_off` parks the
  // vCPU until power_on (PSCI CPU_ON) — the secondaries of a direct Linux boot.
  void reset(uint64_t pc, uint64_t x0 = 0, uint64_t x1 = 0, uint64_t x2 = 0, uint64_t x3 = 0, bool powered_off = false);
  // PSCI CPU_ON from another vCPU: false when it is already on (ALREADY_ON).
  bool power_on(uint64_t entry, uint64_t context_id);
  bool powered_on() const;
  // Asleep in WFI (a debugger's stop ended the sleep: it sleeps again when resumed) or off.
  bool halted() const;
  // IRQ/FIQ line levels from the interrupt controller: thread safe, wakes WFI.
  void set_irq(bool fiq, bool level);
  // The GIC's virtual CPU interface: the virtual IRQ/FIQ lines (taken at EL1 under HCR_EL2.IMO/FMO).
  void set_virtual_irq(bool fiq, bool level);
  // TLBI broadcast from another vCPU: flushed before this one's next block.
  void request_tlb_flush(uint64_t page);
  // SEV from another vCPU.
  void send_event();
  // Runs until stopped (or a fatal error); with `slice_blocks` (round robin, -accel
  // tcg,thread=single) returns after that many block entries, a WFI/WFE, or while powered off.
  ArmCpuStop run(unsigned slice_blocks = 0);
  void request_stop();
  void pause();
  void resume();
  // The debugger's hook (null: none), asked before every entry into guest code (hw/core/debug.h).
  void set_debug_hook(hw::CpuDebugHook* hook);
  // Makes the loop reach the debug hook soon: ends the block, wakes WFI/WFE.
  void kick();
  // The debugger's watchpoints (null: none), merged with the guest's own hardware watchpoints
  // into this vCPU's soft-MMU before its next block. Called while the vCPU is stopped.
  void set_debugger_watchpoints(const tcg::Watchpoints* w);
  // Whole-machine snapshots (the machine is paused): power state and registers
  // (target/arm/snapshot.cpp); loading flushes the TLB and re-arms the timers.
  void snapshot_state(hw::StateIo& io);

  unsigned index() const;
  uint64_t mpidr() const;
  A64Cpu& cpu();
  tcg::SoftMmu& mmu();
  std::string dump_registers() const;
  hw::VcpuStatus vcpu_status() const;  // `info cpus`, from any thread
  std::string dump_tlb() const;
  bool debug_translate(uint64_t vaddr, uint64_t* phys) const;
  std::string fatal_message() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mimic::arm
