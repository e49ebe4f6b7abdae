// Guest-state forwarding: GetState/SetState elimination within a region.
//
// Loads: a GetState of a field whose value is known in this region (from a SetState or an earlier
// GetState of the same offset and type) becomes that value; an integer read of part of a field
// known as a vector becomes a lane extract.
// Stores: a SetState overwritten by a later SetState of the same field is removed, but only when
// nothing in between could observe the guest state: an op that may fault (the fault handler and
// the guest's exception handler see the state), a helper call, a block exit, a branch, or an op
// that reads state. Guest state must be exact at every possible fault.
// DiscardState (a frontend's proof that bytes are overwritten before any read on every path out
// of the block) drops the stores into those bytes since the last such barrier.
#include "tcg/opt/state_forward.h"

#include <algorithm>
#include <vector>

#include "tcg/helper.h"

namespace mimic::tcg {

namespace {

using Field = StateForwarder::Field;
using Known = StateForwarder::Known;
using PendingStore = StateForwarder::PendingStore;

constexpr uint32_t kStoreBarrier = kMayFault | kCallClobber | kBlockEnd | kBranch | kReadsState;

unsigned state_size(Type t) { return type_bits(t) / 8; }

bool writes_state(const Inst& in) {
  if (!has_flag(in.op, kWritesState)) return false;
  if ((in.op == Opcode::Call || in.op == Opcode::CallVoid) && in.args[0].is_imm() && in.args[0].imm < num_helpers())
    return (helper_info(uint32_t(in.args[0].imm)).flags & HelperFlag::kWritesState) != 0;
  return true;
}

// Entries never overlap one another (each is added after the ones it overlaps went), so their
// order does not matter and a removal moves the last entry into the hole.
template <typename T, typename Pred>
void remove_where(std::vector<T>& v, Pred pred) {
  for (size_t j = 0; j < v.size();)
    if (pred(v[j])) {
      v[j] = v.back();
      v.pop_back();
    } else {
      ++j;
    }
}
template <typename T>
void drop_overlapping(std::vector<T>& v, const Field& f) {
  remove_where(v, [&](const T& e) { return e.field.overlaps(f.offset, f.size); });
}

// An integer read of 32 or 64 bits inside a field last written as a V128 (a vector result read
// back as a scalar, or as the halves of a 64-bit vector) becomes a lane extract of that value,
// in place: the value is in a register, the bytes may still be on their way to memory.
bool extract_from_known_vector(Inst& in, const Field& f, std::vector<Known>& known) {
  if (in.type != Type::I64 && in.type != Type::I32) return false;
  auto it = std::find_if(known.begin(), known.end(), [&](const Known& k) {
    return k.type == Type::V128 && k.field.offset <= f.offset && f.offset + f.size <= k.field.offset + 16;
  });
  if (it == known.end()) return false;
  const unsigned esize_log2 = f.size == 8 ? 3 : 2;
  const uint64_t byte = f.offset - it->field.offset;
  if (byte % f.size != 0) return false;
  const Arg vec = it->value;
  const Type t = in.type;
  in = Inst{};
  in.op = Opcode::VExtract;
  in.type = t;
  in.num_args = 3;
  in.args[0] = vec;
  in.args[1] = Arg::constant(Type::I32, byte / f.size);
  in.args[2] = Arg::constant(Type::I32, esize_log2);
  return true;
}

}  // namespace

StateForwarder::StateForwarder(Block& block) : block_(block), known_(known()), pending_(pending()) {
  known_.clear();
  pending_.clear();
}

std::vector<StateForwarder::Known>& StateForwarder::known() {
  thread_local std::vector<Known> v;  // the thread's, reused from block to block
  return v;
}
std::vector<StateForwarder::PendingStore>& StateForwarder::pending() {
  thread_local std::vector<PendingStore> v;
  return v;
}

Arg StateForwarder::visit(ValueId i, Inst& in) {
  auto& known = known_;
  auto& pending = pending_;
  if (has_flag(in.op, kStoreBarrier)) {
    pending.clear();
    pending_units_ = {};
  }
  if (has_flag(in.op, kBranch)) {
    // Another path may reach a label with other state; the fall-through of a conditional
    // branch continues with this path's state (an unrolled loop's next copy).
    if (in.op != Opcode::BrCond) {
      known.clear();
      known_units_ = {};
    }
    return {};
  }
  if (writes_state(in)) {
    known.clear();
    known_units_ = {};
  }

  if (in.op == Opcode::GetState) {
    const Field f{in.args[0].imm, state_size(in.type)};
    const UnitMask units = UnitMask::of(f);
    if (known_units_.meets(units)) {  // else nothing known overlaps it: no value, no vector
      auto it = std::find_if(known.begin(), known.end(), [&](const Known& k) {
        return k.field.offset == f.offset && k.field.size == f.size && k.type == in.type;
      });
      if (it != known.end()) {
        const Arg v = it->value;
        in = Inst{};
        changed = true;
        if (first_forwarded == kNoValue) first_forwarded = i;
        return v;
      }
      if (extract_from_known_vector(in, f, known)) {
        changed = true;
        if (first_forwarded == kNoValue) first_forwarded = i;
        return {};
      }
      drop_overlapping(known, f);
    }
    if (pending_units_.meets(units)) drop_overlapping(pending, f);  // this read needs the stored bytes
    known.push_back({f, in.type, block_.value(i)});
    known_units_.add(units);
  } else if (in.op == Opcode::DiscardState) {
    // Stores into the dead bytes since the last barrier are never observed: drop them, and the
    // marker with them (it has done its work).
    const Field dead{in.args[0].imm, unsigned(in.args[1].imm)};
    if (pending_units_.meets(UnitMask::of(dead)))
      remove_where(pending, [&](const PendingStore& p) {
        if (p.field.offset < dead.offset || p.field.offset + p.field.size > dead.offset + dead.size) return false;
        block_[p.inst] = Inst{};
        return true;
      });
    in = Inst{};
    changed = true;
  } else if (in.op == Opcode::SetState) {
    const Field f{in.args[0].imm, state_size(in.args[1].type)};
    const UnitMask units = UnitMask::of(f);
    if (pending_units_.meets(units))
      remove_where(pending, [&](const PendingStore& p) {
        if (!p.field.overlaps(f.offset, f.size)) return false;
        if (p.field.offset == f.offset && p.field.size == f.size) {
          block_[p.inst] = Inst{};
          changed = true;
        }
        return true;
      });
    pending.push_back({f, i});
    pending_units_.add(units);
    if (known_units_.meets(units)) drop_overlapping(known, f);
    known.push_back({f, in.args[1].type, in.args[1]});
    known_units_.add(units);
  }
  return {};
}

bool run_state_forward(Block& block) { return forward_state(block).changed; }

StateForwardResult forward_state(Block& block) {
  thread_local std::vector<Arg> rep;  // the thread's, reused from block to block; None: not replaced
  rep.assign(block.size(), Arg{});
  StateForwarder sf(block);
  for (size_t i = 0; i < block.size(); ++i) {
    Inst& in = block[ValueId(i)];
    if (in.is_nop()) continue;
    for (int k = 0; k < in.num_args; ++k)
      if (in.args[k].is_value() && !rep[in.args[k].value].is_none()) in.args[k] = rep[in.args[k].value];
    if (StateForwarder::cares(in.op)) rep[i] = sf.visit(ValueId(i), in);
  }
  return {sf.changed, sf.first_forwarded};
}

}  // namespace mimic::tcg
