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

  explicit StateForwarder(Block& block);
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
};

}  // namespace mimic::tcg
