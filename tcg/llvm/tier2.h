// The second tier: hot regions of blocks compiled again as one function by LLVM (ORC JIT).
//
// The engine (tcg/exec) counts block entries, gathers a hot block and the hot blocks it reaches
// by direct branches into a Tier2Region, translates their IR again and hands it here. The region
// becomes one native function `void f(CpuBase* env)` with the interpreter's exit protocol
// (interpret_block): on return env->pc and env->exit_reason are set. Branches between the
// region's blocks are branches inside the function, so a loop spanning them never returns to
// the execution loop and LLVM keeps guest registers in host registers across iterations.
// Exact state (see docs/tier2.md): env->pc and every guest-state store are in env before each
// instruction that may fault, so a fault handler treats a thread in tier-2 code like one in the
// interpreter (ExecEngine::current_thread_interpreting).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

struct CpuBase;
using Tier2Fn = void (*)(CpuBase* env);

// What the lowering needs to know about the process (constant while the engine lives).
struct Tier2Target {
  uint8_t* guest_base = nullptr;  // linux-user: host address of guest address 0
  uint64_t guest_limit = ~0ull;   // accesses at or above it fault (tcg/exec/guest_limit.h)
};

// One compiled region. Shared by the engine (live list, head TB) and the code that runs it.
struct Tier2Region {
  uint64_t entry_pc = 0;
  uint32_t flags = 0;
  Tier2Target target;
  // Guest ranges [start, end) of the member blocks: invalidation of any of them drops the region.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  // Set when a member block is invalidated or the cache flushed: the code polls it at every
  // branch between blocks and leaves for the loop, so it never runs stale code for long.
  std::atomic<uint8_t> invalid{0};
  Tier2Fn fn = nullptr;
  uint64_t generation = 0;  // the engine's flush generation the blocks were translated in
  void* head = nullptr;     // the TranslationBlock the region is entered through
  uint64_t handle = 0;      // the JIT's handle of its code (freed at the next full flush)

  bool overlaps(uint64_t start, uint64_t end) const {
    for (auto [s, e] : ranges)
      if (s < end && e > start) return true;
    return false;
  }
};

class Tier2Compiler {
 public:
  // Null (and `error` set) when the JIT cannot be created on this host.
  static std::unique_ptr<Tier2Compiler> create(std::string& error);
  virtual ~Tier2Compiler() = default;

  // Compiles `blocks` (blocks[0] is the entry) into region.fn and region.handle. False with
  // `why` set when the region holds an op tier 2 does not handle; the blocks then stay tier 1.
  virtual bool compile(Tier2Region& region, const std::vector<Block>& blocks, std::string& why) = 0;
  // Frees the code of a region no thread can be running (full flush, discarded compile).
  virtual void release(uint64_t handle) = 0;

  // Background compilation: `done` runs on the compiler thread after each job.
  using Done = std::function<void(std::shared_ptr<Tier2Region>, bool ok, const std::string& why)>;
  virtual void submit(std::shared_ptr<Tier2Region> region, std::vector<Block> blocks, Done done) = 0;
  // Microseconds spent compiling so far (every thread's compiles).
  virtual uint64_t compile_us() const = 0;
  // Jobs queued or compiling (the engine caps it so a burst of hot code cannot pile up).
  virtual size_t pending() const = 0;

  // fork(): the compiler thread is stopped between jobs across the fork; the child has none
  // (queued jobs are dropped there) and starts one at its next submit.
  virtual void before_fork() = 0;
  virtual void after_fork(bool child) = 0;
};

}  // namespace mimic::tcg
