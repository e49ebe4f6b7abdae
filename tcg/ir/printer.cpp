// The IR printer, driven by the op table: names and operand kinds come from op_info(), the
// meaning of immediates from imm_kind(), so a new op prints without touching this file.
#include "tcg/ir/printer.h"

#include <fmt/format.h>

#include "tcg/helper.h"
#include "tcg/ir/imm_kind.h"

namespace mimic::tcg {

namespace {

// Enum-valued immediates print by name; an out-of-range value (bad IR) prints as name?N so the
// printer never fails on what the verifier is about to reject.
template <typename Enum, typename NameFn>
std::string enum_name(uint64_t v, uint64_t count, NameFn name, std::string_view what) {
  if (v < count) return std::string(name(Enum(v)));
  return fmt::format("{}?{}", what, v);
}

std::string print_imm(ImmKind kind, uint64_t v) {
  switch (kind) {
    case ImmKind::Pc:
    case ImmKind::Int: return fmt::format("{:#x}", v);
    case ImmKind::StateOffset: return fmt::format("+{:#x}", v);
    case ImmKind::Cond: return enum_name<Cond>(v, 12, cond_name, "cond");
    case ImmKind::FCond: return enum_name<FCond>(v, 6, fcond_name, "fcond");
    case ImmKind::RmwOp: return enum_name<RmwOp>(v, 9, rmw_name, "rmw");
    case ImmKind::Fence: return enum_name<FenceKind>(v, 3, fence_name, "fence");
    case ImmKind::MemOp: return memop_string(v);
    case ImmKind::Helper:
      if (v < num_helpers()) return std::string(helper_info(uint32_t(v)).name);
      return fmt::format("helper?{}", v);
    default: return fmt::format("{}", v);
  }
}

}  // namespace

std::string print_arg(const Inst& inst, int i) {
  const Arg& a = inst.args[i];
  switch (a.kind) {
    case Arg::Kind::Value: return fmt::format("v{}", a.value);
    case Arg::Kind::Label: return fmt::format("L{}", a.value);
    case Arg::Kind::None: return "<none>";
    case Arg::Kind::Imm: {
      const ImmKind kind = imm_kind(inst.op, i);
      if (kind != ImmKind::None) return print_imm(kind, a.imm);
      return fmt::format("{:#x}:{}", a.imm, type_name(a.type));  // a constant in a value slot
    }
  }
  return "?";
}

std::string print_inst(const Block& block, ValueId index) {
  const Inst& inst = block[index];
  if (inst.op == Opcode::InsnStart && inst.num_args == 1 && inst.args[0].is_imm())
    return fmt::format("---- {:#x}", inst.args[0].imm);
  if (inst.op == Opcode::Label && inst.num_args == 1 && inst.args[0].is_label())
    return fmt::format("L{}:", inst.args[0].value);
  std::string s = "  ";
  if (inst.type != Type::Void) s += fmt::format("v{}:{} = ", index, type_name(inst.type));
  s += op_name(inst.op);
  for (int i = 0; i < inst.num_args; ++i) {
    s += i == 0 ? " " : ", ";
    s += print_arg(inst, i);
  }
  return s;
}

std::string print_block(const Block& block) {
  std::string s;
  size_t e = 0;
  const auto& fs = block.fault_state;
  for (ValueId i = 0; i < block.size(); ++i) {
    if (block[i].is_nop()) continue;
    s += print_inst(block, i);
    s += '\n';
    // The fault-state entries of a memory op (run_fault_state): what a fault there stores first.
    while (e < fs.size() && fs[e].site < i) ++e;
    if (e < fs.size() && fs[e].site == i) {
      s += "      fault state:";
      for (; e < fs.size() && fs[e].site == i; ++e) {
        const Arg& v = fs[e].value;
        s +=
            fmt::format(" +{:#x} = {}", fs[e].offset,
                        v.is_value() ? fmt::format("v{}", v.value) : fmt::format("{:#x}:{}", v.imm, type_name(v.type)));
      }
      s += '\n';
    }
  }
  return s;
}

}  // namespace mimic::tcg
