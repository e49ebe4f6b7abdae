// The guest-state forwarder one instruction at a time: run_state_forward's walk, and the
// pipeline's walk that folds and forwards together (optimize.cpp).
#pragma once

#include <vector>

#include "tcg/opt/passes.h"

namespace mimic::tcg {

class StateForwarder {
 public:
  struct Field {
    uint64_t offset;
    unsigned size;
    bool overlaps(uint64_t off, unsigned sz) const { return offset < off + sz && off < offset + size; }
  };
  struct Known {
    Field field;
    Type type;
    Arg value;
  };
  struct PendingStore {
    Field field;
    ValueId inst;
  };
  // A filter over a list's fields: a bit for each 8-byte unit of env a field covers, folded
  // into 128. A field whose bits miss the list's overlaps none of its entries, so most reads and
  // writes of a register not seen in the region scan neither list. (Removed entries leave their
  // bits: the filter only errs towards scanning.)
  struct UnitMask {
    uint64_t lo = 0, hi = 0;
    static UnitMask of(const Field& f) {
      UnitMask m;
      const uint64_t first = f.offset >> 3, last = (f.offset + f.size - 1) >> 3;
      if (f.size == 0) return m;
      if (last - first >= 127) return {~0ull, ~0ull};
      for (uint64_t u = first; u <= last; ++u) (u & 64 ? m.hi : m.lo) |= 1ull << (u & 63);
      return m;
    }
    bool meets(const UnitMask& o) const { return ((lo & o.lo) | (hi & o.hi)) != 0; }
    void add(const UnitMask& o) {
      lo |= o.lo;
      hi |= o.hi;
    }
  };

  explicit StateForwarder(Block& block);
  // Whether visit() does anything for an op: guest-state access, barriers and branches (most
  // arithmetic it need not be shown).
  static bool cares(Opcode op) {
    return op == Opcode::GetState || op == Opcode::SetState || op == Opcode::DiscardState ||
           has_flag(op, kMayFault | kCallClobber | kBlockEnd | kBranch | kReadsState | kWritesState);
  }
  // Instruction `i`, whose operands already name the values forwarded so far: returns the value
  // a GetState is forwarded to (it is a Nop now; the caller replaces its uses), else None. A
  // GetState may instead become a lane extract in place; stores it proves dead become Nops.
  Arg visit(ValueId i, Inst& in);

  bool changed = false;
  ValueId first_forwarded = kNoValue;  // the first GetState forwarded or turned into an extract

 private:
  static std::vector<Known>& known();
  static std::vector<PendingStore>& pending();
  Block& block_;
  std::vector<Known>& known_;  // the thread's lists (no allocation per block)
  std::vector<PendingStore>& pending_;
  UnitMask known_units_, pending_units_;
};

}  // namespace mimic::tcg
