// Dead-code elimination: one backward sweep with use counts (uses always follow definitions).
#include <vector>

#include "tcg/opt/dce.h"

#include "tcg/helper.h"

namespace mimic::tcg {

namespace {
bool removable(const Inst& in) {
  if (in.op == Opcode::Call || in.op == Opcode::CallVoid)
    return in.num_args >= 1 && in.args[0].is_imm() && in.args[0].imm < num_helpers() &&
           (helper_info(uint32_t(in.args[0].imm)).flags & HelperFlag::kPure);
  return !has_flag(in.op, kSideEffects);
}
}  // namespace

std::vector<uint32_t>& dce_use_counts() {
  thread_local std::vector<uint32_t> uses;  // the thread's, reused from block to block
  return uses;
}

bool run_dce(Block& block) {
  std::vector<uint32_t>& uses = dce_use_counts();
  uses.assign(block.size(), 0);
  for (const Inst& in : block.insts())
    for (int k = 0; k < in.num_args; ++k)
      if (in.args[k].is_value()) ++uses[in.args[k].value];
  return run_dce_counted(block);
}

bool run_dce_counted(Block& block) {
  std::vector<uint32_t>& uses = dce_use_counts();
  bool changed = false;
  for (size_t i = block.size(); i-- > 0;) {
    Inst& in = block[ValueId(i)];
    if (in.is_nop() || uses[i] != 0 || !removable(in)) continue;
    for (int k = 0; k < in.num_args; ++k)
      if (in.args[k].is_value()) --uses[in.args[k].value];
    in = Inst{};
    changed = true;
  }
  return changed;
}

}  // namespace mimic::tcg
