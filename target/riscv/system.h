// A RISC-V hart in system mode: the privileged CPU (M/S/U, CSRs, traps, Sv39/48/57, PMP), its
// soft-MMU, and the loop that runs it on its host thread. Boards (hw/riscv/) create and wire them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "tcg/exec/softmmu.h"

namespace mimic::tcg {
class ExecEngine;
}
namespace mimic::hw {
class CpuDebugHook;
class TimerQueue;
class AddressSpace;
struct MachineConfig;
class StateIo;
struct VcpuStatus;
}  // namespace mimic::hw

namespace mimic::riscv {

struct RiscvCpu;

// The engine the harts of a RISC-V machine share (hw::VirtEngineFactory): system mode, the
// privileged translator reading code through each hart's soft-MMU, -d/-D/-interp from the
// configuration; RAM writes of loaders and DMA (memory's write hook) drop the code they overwrite.
std::shared_ptr<tcg::ExecEngine> make_system_engine(const hw::MachineConfig& config, hw::AddressSpace& memory);

// MIP/MIE bit numbers of the interrupts a board drives.
enum Irq : unsigned { kIrqSSoft = 1, kIrqMSoft = 3, kIrqSTimer = 5, kIrqMTimer = 7, kIrqSExt = 9, kIrqMExt = 11 };

struct HartConfig {
  unsigned hartid = 0;
  uint64_t timebase_hz = 10'000'000;  // the `time` CSR / mtime rate (virt: 10 MHz)
  // mtime as the board's ACLINT counts it (the `time` CSR and Sstc read the same clock).
  std::function<uint64_t()> read_mtime;
  // Converts an mtime value into guest nanoseconds (for Sstc's stimecmp timer and WFI waits).
  std::function<uint64_t(uint64_t mtime)> mtime_to_ns;
};

// Why RiscvHart::run() returned.
enum class HartStop { Requested, Fatal };

class RiscvHart {
 public:
  // The engine is the machine's (shared by its harts, created in system mode); it owns the
  // CodePages every hart's soft-MMU reports code-page writes to.
  RiscvHart(const HartConfig& config, tcg::ExecEngine& engine, tcg::PhysMemory& phys, hw::TimerQueue& timers);
  ~RiscvHart();

  // Architectural reset, then pc and a0..a2 as the board's reset vector would set them.
  void reset(uint64_t pc, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0);
  // Drives one MIP bit (level): thread safe; wakes the hart from WFI and stops its current block.
  void set_irq(unsigned irq, bool level);
  // Runs the hart on the calling thread until request_stop(); with `slice_blocks` (the
  // single-threaded mode) it returns after that many block entries when the engine counts them
  // (EngineOptions::block_budget, which make_system_engine sets for -accel tcg,thread=single),
  // else after that many exits or 10 ms; and after a WFI that waited (up to 10 ms).
  HartStop run(unsigned slice_blocks = 0);
  void request_stop();
  // Parks/unparks the hart outside translated code (monitor stop/cont, exclusive work).
  void pause();
  void resume();

  unsigned hartid() const;
  RiscvCpu& cpu();
  tcg::SoftMmu& mmu();
  std::string dump_registers() const;  // `info registers`
  hw::VcpuStatus vcpu_status() const;  // `info cpus`, from any thread
  std::string dump_tlb() const;        // `info tlb`
  // Virtual-to-physical for the monitor and the gdb stub (no side effects, no fault).
  bool debug_translate(uint64_t vaddr, uint64_t* phys) const;
  std::string fatal_message() const;  // with HartStop::Fatal
  // The debugger's hook (null: none): run() asks it before every entry into guest code and
  // reports steps, breakpoints and watchpoint hits to it (hw/core/debug.h).
  void set_debug_hook(hw::CpuDebugHook* hook);
  // Ends the current block and a WFI sleep, so that run() consults the debug hook soon.
  void kick();
  // Snapshots (hw/core/snapshot.h), with the hart paused: registers, every CSR (PMP included),
  // privilege, pending interrupts, the LR reservation; loading re-arms the Sstc timer and drops
  // the TLB.
  void snapshot_state(hw::StateIo& io);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mimic::riscv
