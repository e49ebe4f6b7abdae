// Unreachable-code removal: the cleanup after branch folding.
//
// Control flow inside a block only goes forward (a label's branches all come before it), so one
// forward walk finds what no path reaches, the InsnStart markers with no code after them and the
// branches to the very next label, without a region analysis; the labels nothing branches to go
// after it. Most blocks have no label at all, and the walk is all they cost.
#include <vector>

#include "tcg/opt/passes.h"

namespace mimic::tcg {

namespace {

int label_operand(const Inst& in) { return in.op == Opcode::Br ? 0 : in.op == Opcode::BrCond ? 3 : -1; }

enum : uint8_t { kDefined = 1, kReached = 2 };

struct Scratch {
  std::vector<uint8_t> label_state;  // per label: kDefined (its first Label seen), kReached
  std::vector<uint32_t> uses;        // per label: the branches to it that stay
  std::vector<ValueId> labels;       // the Label instructions that stay
};

// Returns whether it changed the block; sets `again` when a label went, which can put a branch
// next to its target for the next sweep (nothing else a sweep does enables more of itself:
// removing code cannot make other code reachable or unreachable). The steps see the block as the
// region-by-region cleanup did: unreachable code first, then markers, then branches.
bool sweep(Block& b, Scratch& s, bool& again) {
  const uint32_t nl = b.num_labels();
  s.label_state.assign(nl, 0);
  s.uses.assign(nl, 0);
  s.labels.clear();
  bool changed = false;
  again = false;
  auto drop = [&](ValueId v) {
    b[v] = Inst{};
    changed = true;
  };
  bool live = true;           // control reaches this point
  ValueId marker = kNoValue;  // the last InsnStart, while no code has followed it
  ValueId branch = kNoValue;  // the last branch, while only markers have followed it
  for (ValueId i = 0; i < b.size(); ++i) {
    Inst& in = b[i];
    if (in.is_nop()) continue;
    // Reachability: a label's first definition is reached by falling into it or by a branch
    // taken on a live path before it; code after an unconditional branch or an exit is not.
    // A value defined in dead code can only be used in code it dominates, dead as well, so all
    // of it goes without breaking a use. InsnStart markers stay: the guest pc that code after
    // the next label maps to must not change.
    if (in.op == Opcode::Label && in.num_args >= 1 && in.args[0].is_label() && in.args[0].value < nl) {
      uint8_t& st = s.label_state[in.args[0].value];
      if (!(st & kDefined)) {
        st |= kDefined;
        if (st & kReached) live = true;
      }
    }
    if (!live && in.op != Opcode::InsnStart) {
      drop(i);
      continue;
    }
    // A marker with no code after it before the next marker (or the block end) maps nothing.
    if (in.op == Opcode::InsnStart) {
      if (marker != kNoValue) drop(marker);
      marker = i;
      continue;
    }
    marker = kNoValue;
    // A branch to the label that follows it (only markers between) goes nowhere.
    if (in.op == Opcode::Label) {
      const uint32_t id = in.args[0].value;
      if (branch != kNoValue && b[branch].args[label_operand(b[branch])].value == id) {
        drop(branch);
        if (id < nl) --s.uses[id];
      }
      s.labels.push_back(i);
    }
    branch = kNoValue;
    if (const int k = label_operand(in); k >= 0) {
      if (in.num_args > k && in.args[k].is_label() && in.args[k].value < nl) {
        uint8_t& st = s.label_state[in.args[k].value];
        if (!(st & kDefined)) st |= kReached;  // a backward branch is no edge (the verifier reports it)
        ++s.uses[in.args[k].value];
      }
      branch = i;
    }
    if (in.op == Opcode::Br || has_flag(in.op, kBlockEnd)) live = false;
  }
  if (marker != kNoValue) drop(marker);
  // Labels nothing branches to: control only falls into them (anything after a Br or exit that
  // needed one was unreachable and is gone), so dropping them merges regions.
  for (ValueId v : s.labels) {
    const uint32_t id = b[v].args[0].value;
    if (id < nl && s.uses[id] == 0) {
      drop(v);
      again = true;
    }
  }
  return changed;
}

}  // namespace

bool run_unreachable(Block& block) {
  thread_local Scratch scratch;  // the thread's, reused from block to block
  bool changed = false, again = true;
  while (again)
    if (sweep(block, scratch, again)) changed = true;
  return changed;
}

}  // namespace mimic::tcg
