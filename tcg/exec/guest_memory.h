// CodeFetcher: how a translator reads guest code bytes (and asks whether they can be fetched).
#pragma once

#include <cstdint>
#include <cstring>

#include "tcg/exec/cpu_base.h"

namespace mimic::tcg {

// Implemented by the memory layer (linux-user's guest address space, the system MMU). A translator
// asks before reading each instruction so that it ends a block in front of unfetchable code and
// raises the guest's fetch fault only when the fault is actually reached.
class CodeFetcher {
 public:
  virtual ~CodeFetcher() = default;
  // True when all of [addr, addr + len) is mapped executable.
  virtual bool can_fetch(uint64_t addr, unsigned len) const = 0;
  // Reads [addr, addr + len) of code; false (and nothing read) when any byte cannot be fetched.
  // The flat default is linux-user's: guest memory at env.guest_base.
  virtual bool fetch(const CpuBase& env, uint64_t addr, void* buf, unsigned len) const {
    if (!can_fetch(addr, len)) return false;
    std::memcpy(buf, env.guest_base + addr, len);
    return true;
  }
};

// Reads code through a translator's optional fetcher (null: all guest memory is code).
inline bool fetch_code(const CodeFetcher* f, const CpuBase& env, uint64_t addr, void* buf, unsigned len) {
  if (f) return f->fetch(env, addr, buf, len);
  std::memcpy(buf, env.guest_base + addr, len);
  return true;
}

// Everything in [lo, hi) is fetchable: unit tests and simple loaders.
class RangeCodeFetcher final : public CodeFetcher {
 public:
  RangeCodeFetcher(uint64_t lo, uint64_t hi) : lo_(lo), hi_(hi) {}
  bool can_fetch(uint64_t addr, unsigned len) const override { return addr >= lo_ && addr < hi_ && len <= hi_ - addr; }

 private:
  uint64_t lo_, hi_;
};

}  // namespace mimic::tcg
