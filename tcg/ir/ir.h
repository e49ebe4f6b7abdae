// The IR: opcodes generated from opcodes.inc, operands, instructions and the block container.
//
// A Block is a linear list of instructions in SSA form: an instruction's result is named by its
// index in the list (ValueId). Control flow inside a block only goes forward (Br/BrCond to a
// later Label); a value may be used only where its definition dominates the use (the verifier
// checks this). Deleted instructions become Nop and keep their slot, so ValueIds stay stable.
// A Block is reused from one translation to the next: clear() keeps its storage, so translating
// allocates nothing per instruction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tcg/ir/types.h"

namespace mimic::tcg {

enum class Opcode : uint16_t {
  Nop,
#define OP(name, res, a0, a1, a2, a3, a4, a5, flags, desc) name,
#include "tcg/ir/opcodes.inc"
#undef OP
  kCount
};

constexpr int kMaxArgs = 6;

struct OpInfo {
  std::string_view name;
  Kind result;
  std::array<Kind, kMaxArgs> args;
  uint8_t num_args;  // operand slots before the first Void
  uint32_t flags;
  std::string_view description;
};

namespace detail {
constexpr uint8_t count_args(std::array<Kind, kMaxArgs> a) {
  uint8_t n = 0;
  while (n < kMaxArgs && a[n] != Kind::Void) ++n;
  return n;
}
// In the header so that op_info and has_flag inline: the passes ask for flags of every op.
inline constexpr OpInfo kOpInfo[] = {
    {"Nop",
     Kind::Void,
     {Kind::Void, Kind::Void, Kind::Void, Kind::Void, Kind::Void, Kind::Void},
     0,
     0,
     "Deleted instruction; ignored"},
#define OP(name, res, a0, a1, a2, a3, a4, a5, flags, desc)                   \
  {#name,                                                                    \
   Kind::res,                                                                \
   {Kind::a0, Kind::a1, Kind::a2, Kind::a3, Kind::a4, Kind::a5},             \
   count_args({Kind::a0, Kind::a1, Kind::a2, Kind::a3, Kind::a4, Kind::a5}), \
   (flags),                                                                  \
   desc},
#include "tcg/ir/opcodes.inc"
#undef OP
};
static_assert(std::size(kOpInfo) == size_t(Opcode::kCount));
}  // namespace detail

inline const OpInfo& op_info(Opcode op) { return detail::kOpInfo[size_t(op)]; }
inline std::string_view op_name(Opcode op) { return op_info(op).name; }
inline bool has_flag(Opcode op, uint32_t flag) { return (op_info(op).flags & flag) != 0; }

using ValueId = uint32_t;
constexpr ValueId kNoValue = ~0u;

// One operand: an SSA value, an immediate or a label.
struct Arg {
  enum class Kind : uint8_t { None, Value, Imm, Label };
  Kind kind = Kind::None;
  Type type = Type::Void;  // for Imm: the integer type the constant has (I32 values are zero-extended)
  uint32_t value = 0;      // ValueId for Value, label id for Label
  uint64_t imm = 0;        // for Imm

  bool is_value() const { return kind == Kind::Value; }
  bool is_imm() const { return kind == Kind::Imm; }
  bool is_label() const { return kind == Kind::Label; }
  bool is_none() const { return kind == Kind::None; }

  static Arg val(ValueId v, Type t) {
    Arg a;
    a.kind = Kind::Value;
    a.value = v;
    a.type = t;
    return a;
  }
  static Arg constant(Type t, uint64_t v) {
    Arg a;
    a.kind = Kind::Imm;
    a.type = t;
    a.imm = t == Type::I32 ? uint32_t(v) : v;
    return a;
  }
  static Arg label(uint32_t id) {
    Arg a;
    a.kind = Kind::Label;
    a.value = id;
    return a;
  }
};

struct Inst {
  Opcode op = Opcode::Nop;
  Type type = Type::Void;  // result type (Void for ops without a result)
  uint8_t num_args = 0;
  std::array<Arg, kMaxArgs> args{};

  bool is_nop() const { return op == Opcode::Nop; }
};

// Guest state a possibly faulting memory op (the site) must show if it faults: the SetState of
// `value` into the field at `offset` was removed because a later SetState overwrites the field,
// so the field's bytes in env are stale there. A fault path (the backend's per-site record, the
// interpreter) stores `value` into the field before the guest sees its state. Sorted by site.
struct FaultStateEntry {
  ValueId site;
  uint32_t offset;
  Arg value;  // a value or a constant; its type gives the field's size
};

class Block {
 public:
  uint64_t guest_pc = 0;     // guest address of the first instruction
  uint32_t flags = 0;        // translation flags the block was translated under
  uint32_t guest_insns = 0;  // number of guest instructions (InsnStart markers) translated
  uint32_t guest_size = 0;   // bytes of guest code covered, from guest_pc

  void clear() {
    insts_.clear();
    fault_state.clear();
    num_labels_ = 0;
    guest_pc = 0;
    flags = 0;
    guest_insns = 0;
    guest_size = 0;
  }

  ValueId append(const Inst& inst) {
    insts_.push_back(inst);
    return ValueId(insts_.size() - 1);
  }
  uint32_t new_label() { return num_labels_++; }
  uint32_t num_labels() const { return num_labels_; }

  std::vector<Inst>& insts() { return insts_; }
  const std::vector<Inst>& insts() const { return insts_; }
  Inst& operator[](ValueId v) { return insts_[v]; }
  const Inst& operator[](ValueId v) const { return insts_[v]; }
  size_t size() const { return insts_.size(); }

  // Arg for an instruction's result.
  Arg value(ValueId v) const { return Arg::val(v, insts_[v].type); }

  // Replace every use of value `from` with `to` (copy propagation, folding).
  void replace_uses(ValueId from, const Arg& to);
  // Remove Nop entries and renumber values; labels keep their ids. Fault-state entries follow
  // (entries whose site or value was deleted go with them).
  void compact();

  // Written by the last pass (run_fault_state); empty for an unoptimized block.
  std::vector<FaultStateEntry> fault_state;

 private:
  std::vector<Inst> insts_;
  uint32_t num_labels_ = 0;
};

}  // namespace mimic::tcg
