// CodeFetcher: how a translator asks whether guest code bytes can be fetched (mapped and executable).
#pragma once

#include <cstdint>

namespace mimic::tcg {

// Implemented by the memory layer (linux-user's guest address space, the system MMU). A translator
// asks before reading each instruction so that it ends a block in front of unfetchable code and
// raises the guest's fetch fault only when the fault is actually reached.
class CodeFetcher {
 public:
  virtual ~CodeFetcher() = default;
  // True when all of [addr, addr + len) is mapped executable.
  virtual bool can_fetch(uint64_t addr, unsigned len) const = 0;
};

// Everything in [lo, hi) is fetchable: unit tests and simple loaders.
class RangeCodeFetcher final : public CodeFetcher {
 public:
  RangeCodeFetcher(uint64_t lo, uint64_t hi) : lo_(lo), hi_(hi) {}
  bool can_fetch(uint64_t addr, unsigned len) const override { return addr >= lo_ && addr < hi_ && len <= hi_ - addr; }

 private:
  uint64_t lo_, hi_;
};

}  // namespace mimic::tcg
