// The op-info table generated from opcodes.inc, and the Block utilities.
#include "tcg/ir/ir.h"

#include <utility>
#include <vector>

namespace mimic::tcg {

std::string_view type_name(Type t) {
  switch (t) {
    case Type::Void: return "void";
    case Type::I32: return "i32";
    case Type::I64: return "i64";
    case Type::F32: return "f32";
    case Type::F64: return "f64";
    case Type::V128: return "v128";
  }
  return "?";
}

std::string_view cond_name(Cond c) {
  static constexpr std::string_view kNames[] = {"eq",  "ne",  "lt",  "le",  "gt",    "ge",
                                                "ltu", "leu", "gtu", "geu", "tsteq", "tstne"};
  return kNames[size_t(c)];
}

Cond invert(Cond c) {
  switch (c) {
    case Cond::Eq: return Cond::Ne;
    case Cond::Ne: return Cond::Eq;
    case Cond::LtS: return Cond::GeS;
    case Cond::LeS: return Cond::GtS;
    case Cond::GtS: return Cond::LeS;
    case Cond::GeS: return Cond::LtS;
    case Cond::LtU: return Cond::GeU;
    case Cond::LeU: return Cond::GtU;
    case Cond::GtU: return Cond::LeU;
    case Cond::GeU: return Cond::LtU;
    case Cond::TstEq: return Cond::TstNe;
    case Cond::TstNe: return Cond::TstEq;
  }
  return c;
}

Cond swap(Cond c) {
  switch (c) {
    case Cond::LtS: return Cond::GtS;
    case Cond::LeS: return Cond::GeS;
    case Cond::GtS: return Cond::LtS;
    case Cond::GeS: return Cond::LeS;
    case Cond::LtU: return Cond::GtU;
    case Cond::LeU: return Cond::GeU;
    case Cond::GtU: return Cond::LtU;
    case Cond::GeU: return Cond::LeU;
    default: return c;  // Eq, Ne, TstEq, TstNe are symmetric
  }
}

std::string_view fcond_name(FCond c) {
  static constexpr std::string_view kNames[] = {"eq", "lt", "le", "uno", "ne", "ord"};
  return kNames[size_t(c)];
}

std::string_view rmw_name(RmwOp op) {
  static constexpr std::string_view kNames[] = {"xchg", "add", "and", "or", "xor", "smin", "smax", "umin", "umax"};
  return kNames[size_t(op)];
}

void Block::replace_uses(ValueId from, const Arg& to) {
  for (auto& inst : insts_)
    for (int i = 0; i < inst.num_args; ++i)
      if (inst.args[i].is_value() && inst.args[i].value == from) inst.args[i] = to;
  for (auto& e : fault_state)
    if (e.value.is_value() && e.value.value == from) e.value = to;
}

void Block::compact() {
  thread_local std::vector<ValueId> remap;  // the thread's, reused from block to block
  remap.assign(insts_.size(), kNoValue);
  size_t out = 0;
  for (size_t i = 0; i < insts_.size(); ++i) {
    if (insts_[i].is_nop()) continue;
    remap[i] = ValueId(out);
    if (out != i) insts_[out] = insts_[i];
    ++out;
  }
  insts_.resize(out);
  for (auto& inst : insts_)
    for (int i = 0; i < inst.num_args; ++i)
      if (inst.args[i].is_value()) inst.args[i].value = remap[inst.args[i].value];
  std::erase_if(fault_state, [&](FaultStateEntry& e) {
    e.site = remap[e.site];
    if (e.value.is_value()) e.value.value = remap[e.value.value];
    return e.site == kNoValue || (e.value.is_value() && e.value.value == kNoValue);
  });
}

}  // namespace mimic::tcg
