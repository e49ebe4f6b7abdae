// Test double of riscv::RiscvHart (its real implementation is target/riscv's): each hart runs a
// scripted "guest" on its thread, so that VirtMachine's threads, finisher, reset and interrupt
// wiring can be tested without the translator. Only linked into hw-virt-machine.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "target/riscv/system.h"

namespace mimic::hw::test {

struct FakeHartLog {
  std::mutex mutex;
  std::vector<std::string> events;  // "reset H PC", "run H", "irq H N L"
  void add(std::string e) {
    std::lock_guard l(mutex);
    events.push_back(std::move(e));
  }
  size_t count(const std::string& prefix) {
    std::lock_guard l(mutex);
    size_t n = 0;
    for (auto& e : events) n += e.rfind(prefix, 0) == 0;
    return n;
  }
};
extern FakeHartLog fake_hart_log;

// Called on the hart's thread at each entry of run(): `runs` counts this hart's entries (from 1).
// Returning false makes run() report HartStop::Fatal.
extern std::function<bool(unsigned hart, unsigned runs, tcg::PhysMemory& phys)> fake_guest;

}  // namespace mimic::hw::test
