// One-block loops translated as several copies of their body in one block (frontends' branches).
//
// A block whose conditional branch goes back to its own start runs one loop iteration per
// entry: every register the loop carries is stored to env at the exit and loaded again at the
// entry, and that store-to-load round trip is on the loop's critical path. Instead, the branch
// leaves on the inverse condition and the translator decodes the body again from the start, so
// the next copy reads the values the previous one computed (state forwarding keeps them in host
// registers across a conditional branch's fall-through). The last copy branches back as usual;
// the copies' exits share its fall-through exit (the backend binds their label at the chained
// jump), so the block still has its two chain slots:
//
//     copy 1 ... BrCond !c, X
//     copy 2 ... BrCond  c, L;  X: GotoTb 0, next;  L: GotoTb 1, start
//
// Each copy stores what it writes before its exit (faults and exits see exact state). If a later
// copy does not end in the same branch (a breakpoint, the instruction limit, code changed under
// the translation), finish() gives the copies' exit a lookup exit of its own.
#pragma once

#include <algorithm>
#include <cstdint>

#include "tcg/exec/cpu_base.h"
#include "tcg/ir/builder.h"

namespace mimic::tcg {

class LoopUnroll {
 public:
  static constexpr unsigned kMaxCopies = 4;
  // Guest instructions the copies may take in all: two copies of a body of up to 48.
  static constexpr unsigned kBudgetInsns = 96;

  // A block starting at `start` whose copies may take `budget` guest instructions in all (0: off).
  void begin(uint64_t start, unsigned budget) {
    start_ = start;
    budget_ = budget;
  }

  enum class Result { kNotLoop, kRestart, kEnded };
  // At a conditional branch (`a c b` taken to `target`, else `next`) after `insns` instructions
  // of this block: kRestart, the translator goes on at the block's start (another copy);
  // kEnded, the branch and the block's exits are emitted; kNotLoop, emit the plain branch.
  Result branch(IRBuilder& ir, Cond c, Arg a, Arg b, uint64_t target, uint64_t next, unsigned insns) {
    if (target != start_ || bound_) return Result::kNotLoop;
    if (exit_ == kNoExit) {
      if (budget_ < 2 * insns) return Result::kNotLoop;
      copies_left_ = std::min(kMaxCopies, budget_ / insns) - 1;
      exit_ = ir.new_label();
      next_ = next;
    } else if (next != next_) {
      return Result::kNotLoop;  // a different branch: finish() gives the copies their exit
    }
    if (copies_left_ > 0) {
      --copies_left_;
      ir.br_cond(invert(c), a, b, exit_);
      return Result::kRestart;
    }
    const uint32_t taken = ir.new_label();
    ir.br_cond(c, a, b, taken);
    ir.label(exit_);
    bound_ = true;
    ir.goto_tb(0, next);
    ir.label(taken);
    ir.goto_tb(1, target);
    return Result::kEnded;
  }

  // After the block's last instruction: the copies' exit, if the last copy did not place it.
  void finish(IRBuilder& ir) {
    if (exit_ == kNoExit || bound_) return;
    ir.label(exit_);
    ir.exit_loop(kExitLookup, IRBuilder::imm64(next_));
  }

 private:
  static constexpr uint32_t kNoExit = ~0u;
  uint64_t start_ = 0, next_ = 0;
  unsigned budget_ = 0, copies_left_ = 0;
  uint32_t exit_ = kNoExit;
  bool bound_ = false;
};

}  // namespace mimic::tcg
