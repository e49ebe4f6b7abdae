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
  // The flat default is linux-user's: guest memory at env.guest_base. A fetcher that reads code
  // from anywhere else overrides this and answers false from can_fetch (CodeReader relies on it).
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

// A translator's code reads for one block: the fetcher is asked once per 4 KiB page whether all
// of it can be fetched, and such a page is read straight from guest memory, as the default
// fetch() would (a fetcher that reads elsewhere, the system MMU's, answers no and is asked at
// every read). Reads crossing a page, and pages only partly fetchable, go through fetch_code.
class CodeReader {
 public:
  CodeReader(const CodeFetcher* f, const CpuBase& env) : f_(f), env_(env) {}
  bool read(uint64_t addr, void* buf, unsigned len) {
    if (f_ && (addr & 0xfff) + len <= 0x1000) {
      if (const uint64_t page = addr & ~uint64_t(0xfff); page != page_) {
        page_ = page;
        whole_page_ = f_->can_fetch(page, 0x1000);
      }
      if (whole_page_) {
        std::memcpy(buf, env_.guest_base + addr, len);
        return true;
      }
    }
    return fetch_code(f_, env_, addr, buf, len);
  }

 private:
  const CodeFetcher* f_;
  const CpuBase& env_;
  uint64_t page_ = ~uint64_t(0);  // the page whole_page_ describes (never a page address)
  bool whole_page_ = false;
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
