// The IR verifier: checks a Block against the op table and the block-structure rules.
#pragma once

#include <string>
#include <vector>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

// Every problem found, each naming the instruction index, the instruction and the rule broken.
// Empty means the block is well-formed. Run in debug builds after translation and after each pass.
std::vector<std::string> verify(const Block& block);

}  // namespace mimic::tcg
