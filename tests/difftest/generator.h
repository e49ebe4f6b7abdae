// Random generator of verifier-clean IR blocks for the differential test.
#pragma once

#include <cstdint>

#include "tcg/ir/ir.h"

namespace mimic::difftest {

struct GenOptions {
  bool fp = true;       // floating-point ops
  bool vector = true;   // V128 ops
  bool memory = true;   // loads, stores, atomics
  bool calls = true;    // helper calls
  bool control = true;  // forward branches
  bool faults = true;   // a few loads/stores at an address that faults on the host (non-canonical)
  unsigned max_stmts = 48;
};

// Fills `block` (cleared first) with a random program determined by `seed`.
void generate(tcg::Block& block, uint64_t seed, const GenOptions& options);

// Deterministic 64-bit generator (splitmix64), also used for the initial state.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x2545f4914f6cdd1dull + 0x9e3779b97f4a7c15ull) {}
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  // Values that break arithmetic: 0, 1, -1, MIN, MAX, width-1, width, byte/half/word edges.
  uint64_t edge(unsigned bits);
};

}  // namespace mimic::difftest
