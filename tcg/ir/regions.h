// Regions of a block (straight-line runs between labels and branches) and their dominator tree.
//
// Control flow inside a block only goes forward, so regions in list order are already a
// topological order: dominators come out of one forward pass, no iteration needed. Shared by the
// verifier (use-before-def across branches) and the passes (unreachable-code removal).
#pragma once

#include <cstdint>
#include <vector>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

struct Regions {
  static constexpr uint32_t kNone = ~0u;
  std::vector<uint32_t> region_of;  // per instruction
  std::vector<uint32_t> first;      // first instruction of each region
  std::vector<uint32_t> idom;       // immediate dominator; kNone for the entry and unreachable regions
  std::vector<uint8_t> reachable;   // per region
  std::vector<uint32_t> label_def;  // instruction defining each label, kNone if none (first wins)

  size_t size() const { return first.size(); }
  // True when every path from the block entry to region b passes through region a.
  bool dominates(uint32_t a, uint32_t b) const {
    while (b != kNone && b > a) b = idom[b];
    return b == a;
  }
};

// Tolerates malformed labels (undefined, duplicated, backward): such edges are ignored, the
// verifier reports them.
Regions analyze_regions(const Block& block);
// The same into `r`, reusing its storage (the passes keep one per thread).
void analyze_regions(const Block& block, Regions& r);

}  // namespace mimic::tcg
