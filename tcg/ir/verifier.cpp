// The IR verifier, driven by the op table: operand counts and kinds come from op_info(), the
// meaning of immediates from imm_kind(); only rules the table cannot express are written per op.
#include "tcg/ir/verifier.h"

#include <fmt/format.h>

#include "tcg/helper.h"
#include "tcg/ir/imm_kind.h"
#include "tcg/ir/printer.h"
#include "tcg/ir/regions.h"

namespace mimic::tcg {

namespace {

std::string_view kind_name(Kind k) {
  static constexpr std::string_view kNames[] = {"void", "i32", "i64",  "f32",   "f64", "v128", "T",
                                                "TF",   "TA",  "XInt", "XInt2", "Any", "Imm",  "Lbl"};
  return kNames[size_t(k)];
}

Type concrete_type(Kind k) {
  switch (k) {
    case Kind::I32: return Type::I32;
    case Kind::I64: return Type::I64;
    case Kind::F32: return Type::F32;
    case Kind::F64: return Type::F64;
    case Kind::V128: return Type::V128;
    default: return Type::Void;
  }
}

class Verifier {
 public:
  explicit Verifier(const Block& b) : b_(b) {}

  std::vector<std::string> run() {
    if (b_.size() == 0) {
      errors_.push_back("block is empty: it must end with a block-exit op");
      return errors_;
    }
    label_defs_.assign(b_.num_labels(), kUndefined);
    for (size_t i = 0; i < b_.size(); ++i) {
      const Inst& in = b_[ValueId(i)];
      if (in.is_nop()) continue;
      if (size_t(in.op) >= size_t(Opcode::kCount)) {
        errors_.push_back(fmt::format("inst {}: invalid opcode {}", i, unsigned(in.op)));
        continue;
      }
      check_inst(i, in);
    }
    check_labels();
    check_control();
    check_dominance();
    check_fault_state();
    return errors_;
  }

  // Block::fault_state: sorted by site, each site a load/store/atomic, each value defined before
  // it in the same straight-line region (run_fault_state never crosses a label).
  void check_fault_state() {
    ValueId prev = 0;
    for (const FaultStateEntry& e : b_.fault_state) {
      if (e.site >= b_.size() || e.site < prev) {
        errors_.push_back(fmt::format("fault-state entry at v{}: site out of order or out of range", e.site));
        return;
      }
      prev = e.site;
      const Opcode op = b_[e.site].op;
      if (op != Opcode::Load && op != Opcode::Store && op != Opcode::AtomicCas && op != Opcode::AtomicRmw)
        fail(e.site, "has fault-state entries but is not a guest memory access");
      const unsigned bits = type_bits(e.value.type);
      if (bits != 32 && bits != 64 && bits != 128) fail(e.site, "fault-state entry +{:#x} has no value type", e.offset);
      if (e.value.is_value() &&
          (e.value.value >= e.site || b_[e.value.value].is_nop() || b_[e.value.value].type != e.value.type))
        fail(e.site, "fault-state entry +{:#x} names v{}, not a value defined before it", e.offset, e.value.value);
    }
  }

 private:
  static constexpr size_t kUndefined = ~size_t(0);

  template <typename... A>
  void fail(size_t i, fmt::format_string<A...> f, A&&... args) {
    errors_.push_back(
        fmt::format("inst {} `{}`: {}", i, print_inst(b_, ValueId(i)), fmt::format(f, std::forward<A>(args)...)));
  }

  void check_inst(size_t i, const Inst& in) {
    const OpInfo& info = op_info(in.op);
    const bool is_call = in.op == Opcode::Call || in.op == Opcode::CallVoid;

    // Result type against the table's result kind.
    bool type_ok = true;
    switch (info.result) {
      case Kind::Void: type_ok = in.type == Type::Void; break;
      case Kind::T: type_ok = is_int(in.type); break;
      case Kind::TF: type_ok = is_float(in.type); break;
      case Kind::TA: type_ok = in.type != Type::Void && in.type <= Type::V128; break;
      default: type_ok = in.type == concrete_type(info.result); break;
    }
    if (!type_ok) fail(i, "result type {} does not fit result kind {}", type_name(in.type), kind_name(info.result));

    // Operand count: helper calls may pass fewer than the table's five argument slots.
    if (is_call ? (in.num_args < 1 || in.num_args > info.num_args) : in.num_args != info.num_args) {
      fail(i, "has {} operands, expected {}{}", in.num_args, is_call ? "1.." : "", info.num_args);
      return;
    }

    Type xint = Type::Void;
    bool operands_ok = true;
    for (int k = 0; k < in.num_args; ++k) operands_ok &= check_operand(i, in, k, info.args[k], xint);
    // The per-op rules read the operands: on malformed ones they would only repeat the problem.
    if (!operands_ok) return;
    check_immediates(i, in);
    check_op_rules(i, in);
  }

  bool check_operand(size_t i, const Inst& in, int k, Kind kind, Type& xint) {
    const Arg& a = in.args[k];
    if (kind == Kind::Imm) {
      if (a.is_imm()) return true;
      fail(i, "operand {} must be an immediate ({})", k, imm_kind_name(imm_kind(in.op, k)));
      return false;
    }
    if (kind == Kind::Lbl) {
      if (!a.is_label()) {
        fail(i, "operand {} must be a label", k);
        return false;
      }
      if (a.value >= b_.num_labels()) {
        fail(i, "label L{} was never allocated (block has {} labels)", a.value, b_.num_labels());
        return false;
      }
      return true;
    }
    // A value slot: an SSA value or an integer immediate.
    Type t = a.type;
    if (a.is_value()) {
      if (a.value >= i) {
        fail(i, "operand {} uses v{} which is not defined before this instruction", k, a.value);
        return false;
      }
      const Inst& def = b_[a.value];
      if (def.is_nop() || def.type == Type::Void) {
        fail(i, "operand {} uses v{} which defines no value", k, a.value);
        return false;
      }
      uses_.push_back({i, a.value});
      if (def.type != a.type) {
        fail(i, "operand {} says v{} has type {} but it is defined as {}", k, a.value, type_name(a.type),
             type_name(def.type));
        return false;
      }
    } else if (a.is_imm()) {
      if (!is_int(a.type)) {
        fail(i, "operand {} is an immediate of non-integer type {}", k, type_name(a.type));
        return false;
      }
    } else {
      fail(i, "operand {} must be a value or an immediate, not {}", k, a.is_label() ? "a label" : "missing");
      return false;
    }
    bool ok = true;
    switch (kind) {
      case Kind::T:
      case Kind::TF:
      case Kind::TA: ok = t == in.type; break;
      case Kind::XInt:
        ok = is_int(t);
        xint = t;
        break;
      case Kind::XInt2: ok = t == xint; break;
      case Kind::Any: ok = t != Type::Void; break;
      default: ok = t == concrete_type(kind); break;
    }
    if (!ok)
      fail(i, "operand {} has type {}, kind {} requires {}", k, type_name(t), kind_name(kind),
           kind == Kind::XInt2                                       ? std::string(type_name(xint))
           : kind == Kind::XInt                                      ? std::string("i32 or i64")
           : kind == Kind::T || kind == Kind::TF || kind == Kind::TA ? std::string(type_name(in.type))
                                                                     : std::string(kind_name(kind)));
    return ok;
  }

  // Immediates whose meaning is an enum or an index must be in range.
  void check_immediates(size_t i, const Inst& in) {
    for (int k = 0; k < in.num_args; ++k) {
      const Arg& a = in.args[k];
      if (!a.is_imm()) continue;
      const uint64_t v = a.imm;
      switch (imm_kind(in.op, k)) {
        case ImmKind::Cond:
          if (v > uint64_t(Cond::TstNe)) fail(i, "invalid condition {}", v);
          break;
        case ImmKind::FCond:
          if (v > uint64_t(FCond::Ord)) fail(i, "invalid float condition {}", v);
          break;
        case ImmKind::RmwOp:
          if (v > uint64_t(RmwOp::UMax)) fail(i, "invalid RmwOp {}", v);
          break;
        case ImmKind::Fence:
          if (v > uint64_t(FenceKind::Release)) fail(i, "invalid fence kind {}", v);
          break;
        case ImmKind::MemOp:
          if (v &
              ~uint64_t(MemOp::kSizeMask | MemOp::kSigned | MemOp::kAligned | MemOp::kMmuMask | MemOp::kMmuExplicit))
            fail(i, "invalid memop {:#x}: unknown bits", v);
          else if (MemOp::size_log2(v) > 4)
            fail(i, "invalid memop {:#x}: size 2^{} bytes", v, MemOp::size_log2(v));
          break;
        case ImmKind::Helper:
          if (v >= num_helpers()) fail(i, "helper id {} is not registered", v);
          break;
        case ImmKind::Slot:
          if (v > 1) fail(i, "GotoTb slot {} is not 0 or 1", v);
          break;
        case ImmKind::ESize:
          if (v > 3) fail(i, "lane size {} is not 0..3", v);
          break;
        default: break;
      }
    }
  }

  // The rules that need more than the kinds: bit-field bounds, memop sizes, float conversions.
  void check_op_rules(size_t i, const Inst& in) {
    const unsigned w = type_bits(in.type);
    const Arg* a = in.args.data();
    auto operand_type = [&](int k) { return a[k].type; };
    switch (in.op) {
      case Opcode::ZExt:
      case Opcode::SExt:
        if (!(a[1].imm == 8 || a[1].imm == 16 || a[1].imm == 32) || a[1].imm >= w)
          fail(i, "extension from {} bits: must be 8, 16 or 32 and less than the width {}", a[1].imm, w);
        break;
      case Opcode::Extract:
      case Opcode::SExtract:
        if (a[2].imm < 1 || a[1].imm + a[2].imm > w)
          fail(i, "bit field at {} of length {} does not fit in {} bits", a[1].imm, a[2].imm, w);
        break;
      case Opcode::Deposit:
        if (a[3].imm < 1 || a[2].imm + a[3].imm > w)
          fail(i, "bit field at {} of length {} does not fit in {} bits", a[2].imm, a[3].imm, w);
        break;
      case Opcode::Load: check_memop_type(i, "loaded", in.type, a[1].imm, false); break;
      case Opcode::Store: check_memop_type(i, "stored", operand_type(1), a[2].imm, false); break;
      case Opcode::AtomicCas: check_memop_type(i, "atomic", in.type, a[3].imm, true); break;
      case Opcode::AtomicRmw: check_memop_type(i, "atomic", in.type, a[2].imm, true); break;
      case Opcode::FCmp:
        if (!is_float(operand_type(0)) || operand_type(0) != operand_type(1))
          fail(i, "compares {} with {}: both must be the same float type", type_name(operand_type(0)),
               type_name(operand_type(1)));
        break;
      case Opcode::FToSI:
      case Opcode::FConv:
        if (!is_float(operand_type(0)))
          fail(i, "operand 0 has type {}, expected f32 or f64", type_name(operand_type(0)));
        break;
      case Opcode::Bitcast:
        if (type_bits(operand_type(0)) != w || is_int(operand_type(0)) == is_int(in.type) || in.type == Type::V128)
          fail(i, "bitcast from {} to {}: must be i32<->f32 or i64<->f64", type_name(operand_type(0)),
               type_name(in.type));
        break;
      case Opcode::Call:
      case Opcode::CallVoid:
        if (in.type == Type::V128) fail(i, "helpers cannot return v128");
        for (int k = 1; k < in.num_args; ++k)
          if (operand_type(k) == Type::V128) fail(i, "helper argument {} is v128: helpers take 64-bit args", k);
        break;
      case Opcode::VDup:
        if (a[1].imm <= 3 && (8u << a[1].imm) > type_bits(operand_type(0)))
          fail(i, "lanes of {} bits are wider than the {} operand", 8u << a[1].imm, type_name(operand_type(0)));
        break;
      case Opcode::GotoTb:
        if (a[0].imm <= 1) {
          if (slot_used_[a[0].imm]) fail(i, "GotoTb slot {} used twice: each chain slot exits to one target", a[0].imm);
          slot_used_[a[0].imm] = true;
        }
        break;
      case Opcode::VExtract: check_lane(i, a[1].imm, a[2].imm, w); break;
      case Opcode::VShlI:
      case Opcode::VShrI:
      case Opcode::VSarI:
        if (a[2].imm <= 3 && a[1].imm > (8u << a[2].imm))
          fail(i, "shift {} exceeds the {}-bit lanes", a[1].imm, 8u << a[2].imm);
        break;
      case Opcode::VNarrow:
        if (a[1].imm == 0) fail(i, "VNarrow needs lanes of 16 bits or more");
        break;
      case Opcode::VWidenU:
      case Opcode::VWidenS:
        if (a[1].imm == 3) fail(i, "VWiden lanes must be 8, 16 or 32 bits");
        if (a[2].imm > 1) fail(i, "VWiden half must be 0 or 1");
        break;
      case Opcode::VUzp:
        if (a[3].imm > 1) fail(i, "VUzp takes the even (0) or odd (1) lanes, not {}", a[3].imm);
        break;
      case Opcode::VInsert: check_lane(i, a[2].imm, a[3].imm, type_bits(operand_type(1))); break;
      case Opcode::VFAdd:
      case Opcode::VFSub:
      case Opcode::VFMul:
      case Opcode::VFDiv:
      case Opcode::VFMA:
      case Opcode::VFSpecial:
        if (const uint64_t lg = a[in.num_args - 1].imm; lg != 2 && lg != 3)
          fail(i, "float lanes must be 32 or 64 bits (lane size 2 or 3), not lane size {}", lg);
        break;
      default: break;
    }
  }

  void check_lane(size_t i, uint64_t lane, uint64_t esize, unsigned scalar_bits) {
    if (esize > 3) return;  // reported as an invalid lane size
    if (lane >= (16u >> esize)) fail(i, "lane {} out of range for {}-bit lanes", lane, 8u << esize);
    if ((8u << esize) > scalar_bits) fail(i, "lanes of {} bits do not fit the {}-bit scalar", 8u << esize, scalar_bits);
  }

  void check_memop_type(size_t i, const char* what, Type t, uint64_t memop, bool atomic) {
    const unsigned bytes = MemOp::size_bytes(memop);
    if (MemOp::size_log2(memop) > 4) return;  // reported with the immediate
    if (is_int(t)) {
      if (bytes * 8 > type_bits(t)) fail(i, "{}-byte access does not fit the {} value", bytes, type_name(t));
    } else if (t != Type::Void && bytes * 8 != type_bits(t)) {
      fail(i, "{} {} value needs a {}-byte access, memop says {}", what, type_name(t), type_bits(t) / 8, bytes);
    }
    if (MemOp::is_signed(memop) && !is_int(t)) fail(i, "sign extension of a {} value", type_name(t));
    if (atomic && bytes > 8) fail(i, "atomic access of {} bytes: at most 8", bytes);
  }

  void check_labels() {
    // Definitions: exactly once.
    for (size_t i = 0; i < b_.size(); ++i) {
      const Inst& in = b_[ValueId(i)];
      if (in.op != Opcode::Label || !in.args[0].is_label() || in.args[0].value >= b_.num_labels()) continue;
      size_t& def = label_defs_[in.args[0].value];
      if (def != kUndefined)
        fail(i, "label L{} defined twice (first at inst {})", in.args[0].value, def);
      else
        def = i;
    }
    // Uses: the label exists and lies ahead.
    for (size_t i = 0; i < b_.size(); ++i) {
      const Inst& in = b_[ValueId(i)];
      const int k = in.op == Opcode::Br ? 0 : in.op == Opcode::BrCond ? 3 : -1;
      if (k < 0 || in.num_args <= k || !in.args[k].is_label() || in.args[k].value >= b_.num_labels()) continue;
      const size_t def = label_defs_[in.args[k].value];
      if (def == kUndefined)
        fail(i, "branch to label L{} which is never defined", in.args[k].value);
      else if (def < i)
        fail(i, "backward branch to label L{} (defined at inst {}): branches only go forward", in.args[k].value, def);
    }
  }

  void check_control() {
    size_t last = kUndefined, last_any = kUndefined;
    for (size_t i = 0; i < b_.size(); ++i) {
      const Inst& in = b_[ValueId(i)];
      if (in.is_nop() || size_t(in.op) >= size_t(Opcode::kCount)) continue;
      // InsnStart is a marker, not code: it may stay where the passes removed dead code, so that
      // the code after the next label still maps to the same guest instruction.
      last_any = i;
      if (in.op == Opcode::InsnStart) continue;
      if (last != kUndefined && in.op != Opcode::Label) {
        const Opcode prev = b_[ValueId(last)].op;
        if (prev == Opcode::Br || has_flag(prev, kBlockEnd))
          fail(i, "unreachable: follows {} at inst {} without a label", op_name(prev), last);
      }
      last = i;
    }
    if (last == kUndefined) {
      errors_.push_back("block has no instructions: it must end with a block-exit op");
    } else if (!has_flag(b_[ValueId(last_any)].op, kBlockEnd)) {
      fail(last_any,
           "block falls off its end: the last instruction must be a block-exit op (GotoTb, GotoPtr, ExitLoop)");
    }
  }

  // A use must be dominated by its definition: defined earlier in the same region, or in a
  // region through which every path to the use passes (checked for reachable code only).
  void check_dominance() {
    const Regions r = analyze_regions(b_);
    for (const auto& [use, def] : uses_) {
      const uint32_t ru = r.region_of[use], rd = r.region_of[def];
      // Code no path reaches never runs; its uses only need to follow their definitions.
      if (r.reachable[ru] && !r.dominates(rd, ru))
        fail(use,
             "uses v{} (defined at inst {}) on a path where it is not defined: the definition does not "
             "dominate the use",
             def, def);
    }
  }

  const Block& b_;
  std::vector<std::string> errors_;
  std::vector<size_t> label_defs_;
  bool slot_used_[2] = {false, false};
  std::vector<std::pair<size_t, ValueId>> uses_;
};

}  // namespace

std::vector<std::string> verify(const Block& block) { return Verifier(block).run(); }

}  // namespace mimic::tcg
