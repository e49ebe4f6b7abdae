// Constant folding with copy propagation and known-zero bits, in QEMU optimize.c's order:
// constants first, then copies and algebraic identities, then known bits.
//
// One forward pass suffices: SSA uses always follow their definitions, so an instruction's
// replacement (a constant or an earlier value) is recorded before any use is visited. The
// arithmetic comes from tcg/ir/eval.h, the same code the interpreter runs.
#include <algorithm>
#include <vector>

#include "tcg/ir/eval.h"
#include "tcg/opt/passes.h"
#include "tcg/opt/state_forward.h"

namespace mimic::tcg {

namespace {

bool same(const Arg& a, const Arg& b) {
  if (a.is_value() && b.is_value()) return a.value == b.value;
  return a.is_imm() && b.is_imm() && a.imm == b.imm && a.type == b.type;
}
bool is_const(const Arg& a, uint64_t v) { return a.is_imm() && a.imm == v; }

class Folder {
 public:
  // The per-value tables are the thread's, reused from block to block (no allocation per block).
  // `start` > 0 continues an earlier run over the same block (run_fold_from): the tables keep
  // what that run learnt about the instructions before `start`.
  Folder(Block& b, size_t start) : b_(b), rep_(storage().rep), zmask_(storage().zmask) {
    if (start > 0 && rep_.size() == b.size() && zmask_.size() == b.size()) {
      std::fill(rep_.begin() + ptrdiff_t(start), rep_.end(), Arg{});
      std::fill(zmask_.begin() + ptrdiff_t(start), zmask_.end(), ~0ull);
      start_ = start;
    } else {
      rep_.assign(b.size(), Arg{});
      zmask_.assign(b.size(), ~0ull);
    }
  }

  bool run() {
    for (size_t i = start_; i < b_.size(); ++i) {
      Inst& in = b_[ValueId(i)];
      if (in.is_nop()) continue;
      substitute(in);
      if (in.op == Opcode::BrCond) {
        fold_branch(in);
        continue;
      }
      fold_one(i, in);
    }
    if (branch_folded_) run_unreachable(b_);
    return changed_;
  }

  // The folder and the forwarder in one walk, each instruction folded with its operands'
  // forwarded values already in place. Returns false, the block half done, at a branch that
  // folds: where the separate passes' order makes a difference (a folded branch before the
  // forwarding removes the barrier it was, and a label with it).
  bool run_with(StateForwarder& sf) {
    for (size_t i = 0; i < b_.size(); ++i) {
      Inst& in = b_[ValueId(i)];
      if (in.is_nop()) continue;
      substitute(in);
      if (in.op == Opcode::BrCond) {
        if (branch_outcome(in) >= 0) return false;
        sf.visit(ValueId(i), in);
        continue;
      }
      if (in.op == Opcode::GetState) {
        if (const Arg v = sf.visit(ValueId(i), in); !v.is_none()) {
          replace(i, v);
          continue;
        }
        fold_one(i, in);  // the GetState, or the lane extract it became
        continue;
      }
      // A folded instruction has no side effects, so it is nothing the forwarder tracks.
      if (!fold_one(i, in) && StateForwarder::cares(in.op)) sf.visit(ValueId(i), in);
    }
    return true;
  }

 private:
  void replace(size_t i, const Arg& r) {
    rep_[i] = r;
    if (r.is_imm())
      zmask_[i] = r.imm;
    else if (r.is_value())
      zmask_[i] = zmask_[r.value];
    changed_ = true;
  }

  // Folds a non-branch instruction; true when it was replaced (and is a Nop now).
  bool fold_one(size_t i, Inst& in) {
    rewrite_shift_pair(in);
    Arg r = fold_constant(in);
    if (r.is_none()) r = fold_identity(in);
    if (r.is_none()) r = fold_known_bits(i, in);
    if (r.is_none()) return false;
    replace(i, r);
    in = Inst{};
    return true;
  }

  void substitute(Inst& in) {
    for (int k = 0; k < in.num_args; ++k) {
      Arg& a = in.args[k];
      if (a.is_value() && !rep_[a.value].is_none()) {
        a = rep_[a.value];
        changed_ = true;
      }
    }
  }

  // Every pure integer op with immediate operands only.
  Arg fold_constant(const Inst& in) {
    if (!is_int(in.type) || has_flag(in.op, kSideEffects) || in.num_args == 0) return {};
    uint64_t v[kMaxArgs];
    for (int k = 0; k < in.num_args; ++k) {
      if (!in.args[k].is_imm()) return {};
      v[k] = in.args[k].imm;
    }
    uint64_t r;
    if (!eval::scalar(in.op, in.type, in.args[0].type, v, r)) return {};
    return Arg::constant(in.type, r);
  }

  // x+0, x*1, x&0, x|~0, x^x, shifts by 0, Mov, constant Select...
  Arg fold_identity(const Inst& in) {
    const Arg* a = in.args.data();
    const Type t = in.type;
    const uint64_t ones = eval::type_mask(t);
    auto zero = [&] { return Arg::constant(t, 0); };
    switch (in.op) {
      case Opcode::Mov: return a[0];
      case Opcode::Select:
        if (a[0].is_imm()) return a[0].imm != 0 ? a[1] : a[2];
        if (same(a[1], a[2])) return a[1];
        return {};
      case Opcode::Bitcast:
        // Bits back in the type they came from: a float kept in integer guest state (RISC-V's f
        // registers) and read again in the same block stays in its SSE register.
        if (a[0].is_value()) {
          const Inst& def = b_[ValueId(a[0].value)];
          if (def.op == Opcode::Bitcast && def.args[0].is_value() && def.args[0].type == t) return def.args[0];
        }
        return {};
      default: break;
    }
    if (!is_int(t) || in.num_args < 2) return {};
    switch (in.op) {
      case Opcode::Add:
      case Opcode::Or:
      case Opcode::Xor:
        if (is_const(a[1], 0)) return a[0];
        if (is_const(a[0], 0)) return a[1];
        break;
      case Opcode::Sub:
        if (is_const(a[1], 0)) return a[0];
        break;
      case Opcode::Shl:
      case Opcode::Shr:
      case Opcode::Sar:
      case Opcode::Rotl:
      case Opcode::Rotr:
        if (a[1].is_imm() && (a[1].imm & (type_bits(t) - 1)) == 0) return a[0];
        if (is_const(a[0], 0) && in.op != Opcode::Sar) return zero();
        break;
      case Opcode::Mul:
        if (is_const(a[1], 1)) return a[0];
        if (is_const(a[0], 1)) return a[1];
        if (is_const(a[0], 0) || is_const(a[1], 0)) return zero();
        break;
      case Opcode::MulHS:
      case Opcode::MulHU:
      case Opcode::MulHSU:
        if (is_const(a[0], 0) || is_const(a[1], 0)) return zero();
        break;
      case Opcode::DivS:
      case Opcode::DivU:
        if (is_const(a[1], 1)) return a[0];
        break;
      case Opcode::And:
        if (is_const(a[0], 0) || is_const(a[1], 0)) return zero();
        if (is_const(a[1], ones)) return a[0];
        if (is_const(a[0], ones)) return a[1];
        break;
      case Opcode::AndC:
        if (is_const(a[1], 0)) return a[0];
        break;
      case Opcode::OrC:
        if (is_const(a[1], ones)) return a[0];
        break;
      default: break;
    }
    if (in.op == Opcode::Or && (is_const(a[0], ones) || is_const(a[1], ones))) return Arg::constant(t, ones);
    if (same(a[0], a[1])) {
      switch (in.op) {
        case Opcode::And:
        case Opcode::Or: return a[0];
        case Opcode::Xor:
        case Opcode::Sub:
        case Opcode::AndC: return zero();
        case Opcode::OrC: return Arg::constant(t, ones);
        case Opcode::SetCond:
          switch (Cond(a[2].imm)) {
            case Cond::Eq:
            case Cond::LeS:
            case Cond::GeS:
            case Cond::LeU:
            case Cond::GeU: return Arg::constant(t, 1);
            case Cond::Ne:
            case Cond::LtS:
            case Cond::GtS:
            case Cond::LtU:
            case Cond::GtU: return zero();
            default: break;
          }
          break;
        default: break;
      }
    }
    return {};
  }

  // `(x << k) >> k` (RISC-V's `slli; srli` zero-extension, `slli; srai` sign-extension) becomes
  // one ZExt/SExt of x when the field is 8, 16 or 32 bits: one host instruction, not two shifts.
  void rewrite_shift_pair(Inst& in) {
    if ((in.op != Opcode::Shr && in.op != Opcode::Sar) || !is_int(in.type) || !in.args[0].is_value() ||
        !in.args[1].is_imm())
      return;
    const Inst& d = b_[ValueId(in.args[0].value)];
    const unsigned w = type_bits(in.type), k = unsigned(in.args[1].imm);
    if (d.op != Opcode::Shl || !d.args[1].is_imm() || d.args[1].imm != k || k == 0 || k >= w) return;
    const unsigned bits = w - k;
    if (bits != 8 && bits != 16 && bits != 32) return;
    in.op = in.op == Opcode::Shr ? Opcode::ZExt : Opcode::SExt;
    in.args[0] = d.args[0];
    in.args[1] = Arg::constant(Type::I32, bits);
    changed_ = true;
  }

  uint64_t zm(const Arg& a) const { return a.is_imm() ? a.imm : a.is_value() ? zmask_[a.value] : ~0ull; }

  // Records which bits of the result may be nonzero; drops masks that clear nothing.
  Arg fold_known_bits(size_t i, const Inst& in) {
    if (!is_int(in.type)) return {};
    const Arg* a = in.args.data();
    const uint64_t m = eval::type_mask(in.type);
    uint64_t z = m;
    switch (in.op) {
      case Opcode::And:
        if (a[1].is_imm() && (zm(a[0]) & ~a[1].imm & m) == 0) return a[0];
        if (a[0].is_imm() && (zm(a[1]) & ~a[0].imm & m) == 0) return a[1];
        z = zm(a[0]) & zm(a[1]);
        break;
      case Opcode::ZExt:
        if ((zm(a[0]) & ~eval::width_mask(unsigned(a[1].imm)) & m) == 0) return a[0];
        z = zm(a[0]) & eval::width_mask(unsigned(a[1].imm));
        break;
      case Opcode::Extract:
        if (a[1].imm == 0 && (zm(a[0]) & ~eval::width_mask(unsigned(a[2].imm)) & m) == 0) return a[0];
        z = ((zm(a[0]) & m) >> a[1].imm) & eval::width_mask(unsigned(a[2].imm));
        break;
      case Opcode::Or:
      case Opcode::Xor: z = zm(a[0]) | zm(a[1]); break;
      case Opcode::AndC: z = zm(a[0]); break;
      case Opcode::Shr:
        if (a[1].is_imm()) z = (zm(a[0]) & m) >> (a[1].imm & (type_bits(in.type) - 1));
        break;
      case Opcode::Shl:
        if (a[1].is_imm()) z = zm(a[0]) << (a[1].imm & (type_bits(in.type) - 1));
        break;
      case Opcode::ZExt32To64:
      case Opcode::Trunc64To32: z = zm(a[0]) & 0xffffffffull; break;
      case Opcode::SetCond:
      case Opcode::FCmp:
      case Opcode::AddCarry:
      case Opcode::AddOverflow:
      case Opcode::SubBorrow:
      case Opcode::SubOverflow: z = 1; break;
      case Opcode::Clz:
      case Opcode::Ctz:
      case Opcode::Popcnt: z = 0x7f; break;
      case Opcode::Bswap16: z = 0xffff; break;
      case Opcode::Bswap32: z = 0xffffffff; break;
      case Opcode::Select: z = zm(a[1]) | zm(a[2]); break;
      case Opcode::Deposit: {
        const uint64_t field = eval::width_mask(unsigned(a[3].imm)) << a[2].imm;
        z = (zm(a[0]) & ~field) | ((zm(a[1]) << a[2].imm) & field);
        break;
      }
      case Opcode::Load:
        if (!MemOp::is_signed(a[1].imm)) z = eval::width_mask(8u * MemOp::size_bytes(a[1].imm));
        break;
      case Opcode::AtomicCas:
      case Opcode::AtomicRmw: {
        const uint64_t memop = in.op == Opcode::AtomicCas ? a[3].imm : a[2].imm;
        if (!MemOp::is_signed(memop)) z = eval::width_mask(8u * MemOp::size_bytes(memop));
        break;
      }
      case Opcode::VExtract: z = eval::width_mask(8u << a[2].imm); break;
      default: break;
    }
    zmask_[i] = z & m;
    if (zmask_[i] == 0 && !has_flag(in.op, kSideEffects)) return Arg::constant(in.type, 0);
    return {};
  }

  // A BrCond's outcome when its operands decide it: 1 taken, 0 not taken, -1 unknown.
  static int branch_outcome(const Inst& in) {
    if (in.args[0].is_imm() && in.args[1].is_imm())
      return eval::compare(Cond(in.args[2].imm), in.args[0].type, in.args[0].imm, in.args[1].imm) ? 1 : 0;
    if (!same(in.args[0], in.args[1])) return -1;
    const Cond c = Cond(in.args[2].imm);
    if (c == Cond::TstEq || c == Cond::TstNe) return -1;
    return c == Cond::Eq || c == Cond::LeS || c == Cond::GeS || c == Cond::LeU || c == Cond::GeU ? 1 : 0;
  }

  // A BrCond on constants becomes a Br or disappears; the code it skipped is removed afterwards.
  void fold_branch(Inst& in) {
    const int outcome = branch_outcome(in);
    if (outcome < 0) return;
    if (outcome == 1) {
      const Arg label = in.args[3];
      in = Inst{};
      in.op = Opcode::Br;
      in.num_args = 1;
      in.args[0] = label;
    } else {
      in = Inst{};
    }
    changed_ = branch_folded_ = true;
  }

  struct Storage {
    std::vector<Arg> rep;
    std::vector<uint64_t> zmask;
  };
  static Storage& storage() {
    thread_local Storage s;
    return s;
  }

  Block& b_;
  size_t start_ = 0;
  std::vector<Arg>& rep_;
  std::vector<uint64_t>& zmask_;
  bool changed_ = false;
  bool branch_folded_ = false;
};

}  // namespace

bool run_fold(Block& block) { return Folder(block, 0).run(); }
bool run_fold_from(Block& block, ValueId start) { return Folder(block, start).run(); }

void fold_and_forward(Block& block) {
  thread_local std::vector<Inst> saved;  // the thread's, reused from block to block
  saved = block.insts();
  {
    StateForwarder sf(block);
    if (Folder(block, 0).run_with(sf)) return;
  }
  block.insts().swap(saved);  // a branch folded: the passes one after the other
  run_fold(block);
  if (const ValueId from = forward_state(block).first_forwarded; from != kNoValue) run_fold_from(block, from);
}

}  // namespace mimic::tcg
