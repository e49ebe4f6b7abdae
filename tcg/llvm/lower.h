// Lowering of a region of mimic IR blocks to one LLVM function (tcg/llvm/lower.cpp).
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include <string>
#include <vector>

#include "tcg/ir/ir.h"
#include "tcg/llvm/tier2.h"

namespace mimic::tcg {

// Adds `void name(i8* env)` to `module`: blocks[0] is the entry; a GotoTb or GotoPtr to the pc of
// a region block branches to it after polling exit_request and *invalid. Returns null with `why`
// set for an op the lowering does not handle.
llvm::Function* lower_region(llvm::Module& module, const std::string& name, const std::vector<Block>& blocks,
                             const Tier2Target& target, const std::atomic<uint8_t>* invalid, std::string& why);

}  // namespace mimic::tcg
