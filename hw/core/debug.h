// What a debugger (the gdb stub, frontends/gdbstub_system.cpp) needs of a machine and of its
// vCPU loops. Board-neutral: every board offers the same, so the stub serves each of them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mimic::tcg {
struct CpuBase;
class ExecEngine;
struct Watchpoints;
}  // namespace mimic::tcg

namespace mimic::hw {

// Why a vCPU stopped for the debugger.
struct DebugEvent {
  enum Kind { kStep, kBreakpoint, kWatch };
  Kind kind = kStep;
  uint64_t addr = 0;   // kWatch: the start of the watchpoint that was hit
  int watch_type = 0;  // kWatch: 2 write, 3 read, 4 access (the Z packet numbers)
};

// Installed in every vCPU loop by the debugger; called on the vCPU's own thread.
class CpuDebugHook {
 public:
  enum class Run { kGo, kStep, kHold };
  virtual ~CpuDebugHook() = default;
  // Before each entry into guest code: kGo, kStep (run one instruction, interrupts masked), or
  // kHold after waiting a few milliseconds while the debugger holds the vCPU stopped (the loop
  // then looks at its own stop and pause requests, or a round-robin loop moves on, and asks
  // again).
  virtual Run before_run(unsigned cpu) = 0;
  // The vCPU stopped for the debugger: one step done, at a breakpoint, after a watched access.
  virtual void stopped(unsigned cpu, const DebugEvent& ev) = 0;
  // Whether the debugger wants the vCPU stopped (a vCPU asleep in WFI wakes up for it).
  virtual bool holds(unsigned cpu) = 0;
};

// A machine's debug view. Every call but kick() is made while the vCPUs are stopped.
class MachineDebug {
 public:
  virtual ~MachineDebug() = default;
  virtual const char* gdb_arch() const = 0;  // frontends/gdb_arch.h's name: "riscv64-system"
  virtual unsigned cpu_count() const = 0;
  virtual tcg::CpuBase& cpu_state(unsigned cpu) = 0;
  // A virtual address as the vCPU's loads see it now (its privilege and page tables).
  virtual bool translate(unsigned cpu, uint64_t vaddr, uint64_t* phys) = 0;
  virtual bool read_phys(uint64_t phys, void* buf, size_t len) = 0;
  // Writes RAM (also ROM, as a debugger may), dropping translated code there.
  virtual bool write_phys(uint64_t phys, const void* buf, size_t len) = 0;
  virtual tcg::ExecEngine& engine() = 0;
  // Installs (null: removes) the hook in every vCPU loop.
  virtual void set_debug_hook(CpuDebugHook* hook) = 0;
  // Makes a running vCPU reach before_run soon (ends its block, wakes it from WFI).
  virtual void kick(unsigned cpu) = 0;
  // The watchpoints changed (null: none): every vCPU's TLB is refilled with them.
  virtual void set_watchpoints(const tcg::Watchpoints* w) = 0;
  // Virtual time stands still while the debugger holds the machine (QEMU stops its clock too).
  virtual void pause_clock(bool paused) = 0;
  // Whether the vCPU is halted (asleep in WFI, or powered off): gdb's thread list shows
  // "[halted ]" for it as QEMU's does.
  virtual bool halted(unsigned cpu) { return (void)cpu, false; }
};

}  // namespace mimic::hw
