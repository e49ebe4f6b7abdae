// The boundary between build/mimic and the tier-2 module (mimic-tier2.so: jit.cpp, lower.cpp and
// LLVM). A dynamic build loads the module with dlopen when tier 2 is first enabled (loader.cpp), so
// that a process without tier 2 (the default) does not map libLLVM and what it pulls in (z3, icu,
// libxml2...) nor pay their ~450,000 relocations at every exec. A static build has no tier 2
// (tcg/llvm/meson.build: Debian ships no static LLVM with its dependencies). The module has no
// access to mimic's own symbols: what it needs from the process (the op table, the helper
// registry) comes through Tier2ModuleHost.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tcg/helper.h"
#include "tcg/ir/ir.h"
#include "tcg/llvm/tier2.h"

namespace mimic::tcg {

// Bumped when Tier2ModuleHost, Tier2Compiler or Tier2Region change; the sizes catch a module
// built from other headers too.
inline constexpr uint32_t kTier2ModuleAbi = 1;

struct Tier2ModuleHost {
  uint32_t abi = kTier2ModuleAbi;
  uint32_t region_size = sizeof(Tier2Region);
  uint32_t block_size = sizeof(Block);
  const OpInfo& (*op_info)(Opcode op) = nullptr;
  const HelperInfo& (*helper_info)(uint32_t id) = nullptr;
};

// The module's one exported symbol. Null (and *error set) when the ABI differs or LLVM's JIT
// cannot be created on this host.
using Tier2ModuleCreate = Tier2Compiler* (*)(const Tier2ModuleHost* host, std::string* error);
inline constexpr const char* kTier2ModuleCreateSymbol = "mimic_tier2_module_create";

// jit.cpp: the ORC compiler itself (in the module, or linked into a static build).
std::unique_ptr<Tier2Compiler> create_orc_tier2(std::string& error);

}  // namespace mimic::tcg
