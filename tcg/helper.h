// The helper-call ABI and registry: out-of-line C++ functions that IR Call ops invoke.
//
// Every helper has the signature `uint64_t fn(CpuBase* env, uint64_t a1, ..., uint64_t a5)`.
// Integer arguments arrive zero-extended (i32 values in the low 32 bits); float arguments arrive
// as their bit pattern (f32 in the low 32 bits); the result is read the same way according to the
// Call's type. A helper may leave translated code for a guest exception by calling
// `cpu_loop_exit` (tcg/exec), which longjmps to the loop: the guest state is exact before any
// call because guest-state stores are never delayed across it.
#pragma once

#include <cstdint>
#include <string_view>

namespace mimic::tcg {

struct CpuBase;

using HelperFn = uint64_t (*)(CpuBase* env, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

namespace HelperFlag {
enum : uint32_t {
  kPure = 1u << 0,         // no side effects, result depends only on arguments: may be removed or folded
  kReadsState = 1u << 1,   // reads guest state through env
  kWritesState = 1u << 2,  // writes guest state through env
  kMayExit = 1u << 3,      // may leave translated code (cpu_loop_exit)
};
}

struct HelperInfo {
  std::string_view name;
  HelperFn fn;
  uint32_t flags;
};

// Registers a helper and returns its id for IRBuilder::call. Ids are stable for the process.
// Thread-safe; normally called from static initialisers through MIMIC_HELPER.
uint32_t register_helper(std::string_view name, HelperFn fn, uint32_t flags);
const HelperInfo& helper_info(uint32_t id);
uint32_t num_helpers();

}  // namespace mimic::tcg
