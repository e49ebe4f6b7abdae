// DCE from use counts taken elsewhere: run_narrow counts them as it rebuilds the list, so the
// pipeline's DCE does not walk the block a second time to count.
#pragma once

#include <vector>

#include "tcg/opt/passes.h"

namespace mimic::tcg {

// The thread's use-count table: per value of the block, the operands naming it.
std::vector<uint32_t>& dce_use_counts();
// run_dce with dce_use_counts() already filled for `block`.
bool run_dce_counted(Block& block);

}  // namespace mimic::tcg
