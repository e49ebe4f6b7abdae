// A per-thread observer of the guest memory accesses the IR interpreter makes (linux-user's
// debugger watchpoints: the watched thread's single-stepped instructions run interpreted).
#pragma once

#include <cstdint>

namespace mimic::tcg {

class MemAccessObserver {
 public:
  virtual ~MemAccessObserver() = default;
  // One guest load (write = false) or store of `size` bytes at `addr`, before it happens; an
  // atomic read-modify-write is reported as both.
  virtual void on_access(uint64_t addr, unsigned size, bool write) = 0;
};

// The calling thread's observer (null: none, the default). Interpreted loads, stores and atomics
// of linux-user report to it; helpers' own accesses do not.
void set_thread_mem_observer(MemAccessObserver* observer);

}  // namespace mimic::tcg
