// Unreachable-code removal: the cleanup after branch folding.
#include <vector>

#include "tcg/ir/regions.h"
#include "tcg/opt/passes.h"

namespace mimic::tcg {

namespace {

int label_operand(const Inst& in) { return in.op == Opcode::Br ? 0 : in.op == Opcode::BrCond ? 3 : -1; }

// Returns whether it changed the block; sets `again` when a label went, which can put a branch
// next to its target for the next sweep (nothing else a sweep does enables more of itself:
// removing code cannot make other code reachable or unreachable).
bool sweep(Block& b, bool& again) {
  bool changed = false;
  again = false;
  // Regions no path reaches: a value defined there can only be used in regions it dominates,
  // which are unreachable as well, so whole regions go without breaking any use. InsnStart
  // markers stay: the guest pc that code after the next label maps to must not change.
  thread_local Regions r;  // the thread's, reused from block to block
  analyze_regions(b, r);
  for (size_t i = 0; i < b.size(); ++i)
    if (!b[ValueId(i)].is_nop() && b[ValueId(i)].op != Opcode::InsnStart && !r.reachable[r.region_of[i]]) {
      b[ValueId(i)] = Inst{};
      changed = true;
    }
  // A marker with no code after it before the next marker (or the block end) maps nothing.
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[ValueId(i)].op != Opcode::InsnStart) continue;
    size_t j = i + 1;
    while (j < b.size() && b[ValueId(j)].is_nop()) ++j;
    if (j == b.size() || b[ValueId(j)].op == Opcode::InsnStart) {
      b[ValueId(i)] = Inst{};
      changed = true;
    }
  }
  // A branch to the label that follows it (only Nops and markers between) goes nowhere.
  for (size_t i = 0; i < b.size(); ++i) {
    const int k = label_operand(b[ValueId(i)]);
    if (k < 0) continue;
    size_t j = i + 1;
    while (j < b.size() && (b[ValueId(j)].is_nop() || b[ValueId(j)].op == Opcode::InsnStart)) ++j;
    if (j < b.size() && b[ValueId(j)].op == Opcode::Label &&
        b[ValueId(j)].args[0].value == b[ValueId(i)].args[k].value) {
      b[ValueId(i)] = Inst{};
      changed = true;
    }
  }
  // Labels nothing branches to: control only falls into them (anything after a Br or exit that
  // needed one was unreachable and is gone), so dropping them merges regions.
  thread_local std::vector<uint8_t> used;
  used.assign(b.num_labels(), 0);
  for (const Inst& in : b.insts())
    if (const int k = label_operand(in); k >= 0) used[in.args[k].value] = 1;
  for (Inst& in : b.insts())
    if (in.op == Opcode::Label && !used[in.args[0].value]) {
      in = Inst{};
      changed = again = true;
    }
  return changed;
}

}  // namespace

bool run_unreachable(Block& block) {
  bool changed = false, again = true;
  while (again)
    if (sweep(block, again)) changed = true;
  return changed;
}

}  // namespace mimic::tcg
