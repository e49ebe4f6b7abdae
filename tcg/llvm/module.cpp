// The entry point of the tier-2 module (module_abi.h) and the mimic function the lowering calls,
// forwarded to the process that loaded the module (op_info is inline in tcg/ir/ir.h: the module
// has its own copy of the op table, built from the same opcodes.inc).
#include "tcg/llvm/module_abi.h"

namespace mimic::tcg {

namespace {
const Tier2ModuleHost* g_host = nullptr;
}

const HelperInfo& helper_info(uint32_t id) { return g_host->helper_info(id); }

}  // namespace mimic::tcg

extern "C" __attribute__((visibility("default"))) mimic::tcg::Tier2Compiler* mimic_tier2_module_create(
    const mimic::tcg::Tier2ModuleHost* host, std::string* error) {
  using namespace mimic::tcg;
  const Tier2ModuleHost expected;
  if (host->abi != expected.abi || host->region_size != expected.region_size ||
      host->block_size != expected.block_size) {
    *error = "the tier-2 module was built for another mimic (interface version or layout differs)";
    return nullptr;
  }
  g_host = host;
  return create_orc_tier2(*error).release();
}
