// Dead-code elimination: one backward sweep with use counts (uses always follow definitions).
#include <vector>

#include "tcg/helper.h"
#include "tcg/opt/passes.h"

namespace mimic::tcg {

namespace {
bool removable(const Inst& in) {
  if (in.op == Opcode::Call || in.op == Opcode::CallVoid)
    return in.num_args >= 1 && in.args[0].is_imm() && in.args[0].imm < num_helpers() &&
           (helper_info(uint32_t(in.args[0].imm)).flags & HelperFlag::kPure);
  return !has_flag(in.op, kSideEffects);
}
}  // namespace

bool run_dce(Block& block) {
  const size_t n = block.size();
  thread_local std::vector<uint32_t> uses;  // the thread's, reused from block to block
  uses.assign(n, 0);
  for (const Inst& in : block.insts())
    for (int k = 0; k < in.num_args; ++k)
      if (in.args[k].is_value()) ++uses[in.args[k].value];
  bool changed = false;
  for (size_t i = n; i-- > 0;) {
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
