// Options of the execution engine that the command line sets (-d, -D, nochain, interpreter).
#pragma once

#include <cstdint>
#include <string>

namespace mimic::tcg {

namespace LogFlag {
enum : uint32_t {
  kInAsm = 1u << 0,         // guest instructions of each translated block
  kOp = 1u << 1,            // IR as translated
  kOpOpt = 1u << 2,         // IR after the passes
  kOutAsm = 1u << 3,        // host code
  kExec = 1u << 4,          // each block as it is entered from the loop
  kNoChain = 1u << 5,       // not a log: never chain blocks (every exit goes through the loop)
  kStrace = 1u << 6,        // linux-user: print system calls
  kUnimp = 1u << 7,         // report unimplemented features
  kInt = 1u << 8,           // system mode: every exception and interrupt taken
  kMmu = 1u << 9,           // system mode: page-table walks and TLB fills
  kGuestErrors = 1u << 10,  // system mode: guest accesses to nothing, bad device programming
  kStats = 1u << 11,        // the engine's counters (translations, exits, flushes) when it ends
};
}

struct EngineOptions {
  uint32_t log = 0;          // LogFlag bits
  std::string log_file;      // -D FILE; empty means stderr
  bool interpreter = false;  // run blocks in the IR interpreter instead of the JIT
  bool optimize = true;      // run the IR passes
  // -simple-codegen: no guest-state stores moved past loads and stores (run_fault_state with its
  // per-site fault records) and no guest address arithmetic folded into the accesses: the first
  // tier's code as it was before both, for comparisons and bisecting.
  bool simple_codegen = false;
  unsigned max_block_insns = 512;
  size_t code_cache_bytes = size_t(64) << 20;
  bool perf_map = false;
  // System mode: guest memory through each CPU's soft-MMU (CpuBase::softmmu), blocks keyed and
  // invalidated by physical page.
  bool system = false;  // append translated blocks to /tmp/perf-<pid>.map (-perfmap, MIMIC_PERFMAP=1)
  // Count block entries in CpuBase::block_budget (round-robin vCPUs: slices by guest progress).
  bool block_budget = false;
  // The second tier (docs/tier2.md): off, on (hot regions compiled in the background), or force
  // (every block compiled at tier 2 at once, synchronously: for tests). MIMIC_TIER2 overrides it.
  enum class Tier2 : uint8_t { Off, On, Force } tier2 = Tier2::Off;
  unsigned tier2_threshold = 1000;  // loop entries (or sampled executions) that make a block hot
};

// Parses "off", "on" or "force" (MIMIC_TIER2, -tier2); false for anything else.
bool parse_tier2_mode(const std::string& text, EngineOptions::Tier2& mode);

// Parses a -d list ("in_asm,op,out_asm"); returns false and sets `error` for an unknown item.
bool parse_log_flags(const std::string& list, uint32_t& flags, std::string& error);

}  // namespace mimic::tcg
