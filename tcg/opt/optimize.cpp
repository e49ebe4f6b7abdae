// The default pass pipeline.
#include "tcg/opt/passes.h"

namespace mimic::tcg {

void optimize(Block& block, bool defer_state_stores) {
  // Forwarded state values give the folder new constants and copies: both in one walk.
  fold_and_forward(block);
  // After forwarding, so W results flow into their users rather than through guest state.
  run_narrow(block);
  run_dce(block);
  run_unreachable(block);
  block.compact();
  if (defer_state_stores) run_fault_state(block);
}

}  // namespace mimic::tcg
