// A static build has no dlopen of a module: tier 2's ORC compiler is linked in (module_abi.h).
#include "tcg/llvm/module_abi.h"

namespace mimic::tcg {

std::unique_ptr<Tier2Compiler> Tier2Compiler::create(std::string& error) { return create_orc_tier2(error); }

}  // namespace mimic::tcg
