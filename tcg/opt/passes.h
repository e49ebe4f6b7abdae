// The IR optimization passes. Each returns whether it changed the block and leaves it verifiable.
#pragma once

#include "tcg/ir/ir.h"

namespace mimic::tcg {

// Constant folding, copy propagation and known-zero bits (QEMU optimize.c order), algebraic
// identities, and constant branches/selects. Removes code a folded branch makes unreachable.
bool run_fold(Block& block);
// The folder again over [start, end) after run_fold of this block, when the instructions before
// `start` are as that run left them (only Nops since): their known bits, the thread's tables,
// still hold, so the result is that of a whole run. The pipeline's second run, from the first
// value run_state_forward forwarded.
bool run_fold_from(Block& block, ValueId start);
// Removes instructions whose result is unused and that have no side effects (pure helper calls too).
bool run_dce(Block& block);
// Guest-state forwarding within a region: GetState after a Get/SetState of the same field becomes
// the known value; a SetState overwritten before any op that could observe the state is removed.
bool run_state_forward(Block& block);
// The same, also saying where the first forwarded value is (a GetState replaced or turned into
// a lane extract; kNoValue when it only removed stores): no folding is new before it.
struct StateForwardResult {
  bool changed;
  ValueId first_forwarded;
};
StateForwardResult forward_state(Block& block);
// Does bitwise ops of sign-extended 32-bit values on 32 bits, drops Trunc64To32 of an extension,
// extends a truncated I64 directly, shares repeated SExt32To64s and turns (x >> n) | (x << (w - n)) into Rotr. Rebuilds
// the list (value numbers change).
bool run_narrow(Block& block);
// Removes regions no path reaches, branches to the very next label, and labels nothing targets.
bool run_unreachable(Block& block);

// Removes SetStates overwritten later in a straight-line region also across loads and stores,
// recording in Block::fault_state what each memory op must store into guest state if it faults.
// Run last (after compact): the entries name value numbers.
bool run_fault_state(Block& block);

// run_fold, run_state_forward and run_fold again (optimize's first steps) in one walk that gives
// the same block: the separate passes only where a branch folds.
void fold_and_forward(Block& block);

// The default pipeline, then compact() (value numbers change); run_fault_state last unless
// `defer_state_stores` is false.
void optimize(Block& block, bool defer_state_stores = true);

}  // namespace mimic::tcg
