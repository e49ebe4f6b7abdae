// Narrowing: moves sign-extended 32-bit computations back into the 32-bit domain and recognises
// 32-bit (and 64-bit) rotate idioms.
//
// Front ends for 64-bit guests write 32-bit results as SExt32To64(op32(...)) (RISC-V W ops), and
// compilers then combine those with 64-bit logic (`or`/`xor` of two W results, e.g. a rotate
// built from srliw/slliw). Bitwise ops commute with sign extension, so
// op64(SExt32To64(a), SExt32To64(b)) == SExt32To64(op32(a, b)); doing the op on 32 bits lets a
// later W op use the I32 value directly (Trunc64To32(SExt32To64(a)) == a) and exposes
// (x >> n) | (x << (w - n)) as Rotr. The pass rebuilds the instruction list because a rewrite
// needs two instructions where there was one.
#include <initializer_list>
#include <vector>

#include "tcg/opt/passes.h"

namespace mimic::tcg {

namespace {

class Narrower {
 public:
  // The rebuilt list and the tables are the thread's, reused from block to block: a rebuilt list
  // swaps storage with the block's, so neither is allocated again once grown.
  explicit Narrower(Block& b)
      : b_(b), out_(storage().out), remap_(storage().remap), sext_of_(storage().sext_of), touched_(storage().touched) {
    out_.clear();
    remap_.assign(b.size(), Arg{});
    // sext_of_ is all None between blocks (run() clears the entries it set): grown, not filled.
    if (sext_of_.size() < b.size() + b.size() / 4 + 8) sext_of_.resize(b.size() + b.size() / 4 + 8, Arg{});
  }

  bool run() {
    out_.reserve(b_.size() + b_.size() / 4);
    for (size_t i = 0; i < b_.size(); ++i) {
      // Operands are renamed in place: the old list is dropped, or (nothing changed) the names
      // are its own.
      Inst& in = b_[ValueId(i)];
      if (in.is_nop()) continue;
      for (int k = 0; k < in.num_args; ++k)
        if (in.args[k].is_value()) in.args[k] = remap_[in.args[k].value];
      Arg r = rewrite(in);
      if (!r.is_none()) {
        remap_[i] = r;
        changed_ = true;
        continue;
      }
      out_.push_back(in);
      remap_[i] = Arg::val(ValueId(out_.size() - 1), in.type);
    }
    // The rebuilt list has no Nops: the passes after this one walk fewer slots, whether or not
    // anything was narrowed (compact() renumbers at the end either way).
    if (changed_ || out_.size() != b_.size()) b_.insts().swap(out_);
    for (ValueId v : touched_) sext_of_[v] = Arg{};
    touched_.clear();
    return changed_;
  }

 private:
  const Inst* def(const Arg& a) const { return a.is_value() ? &out_[a.value] : nullptr; }

  Arg push(Opcode op, Type t, std::initializer_list<Arg> args) {
    Inst in;
    in.op = op;
    in.type = t;
    for (const Arg& a : args) in.args[in.num_args++] = a;
    out_.push_back(in);
    return Arg::val(ValueId(out_.size() - 1), t);
  }

  Arg sext(const Arg& v) {
    Arg r = push(Opcode::SExt32To64, Type::I64, {v});
    if (sext_slot(v.value).is_none()) set_sext(v.value, r);
    return r;
  }
  Arg& sext_slot(ValueId v) {
    if (v >= sext_of_.size()) sext_of_.resize(size_t(v) * 2 + 8, Arg{});
    return sext_of_[v];
  }
  void set_sext(ValueId v, const Arg& r) {
    sext_slot(v) = r;
    touched_.push_back(v);
  }

  // The I32 whose sign extension a 64-bit operand is, if known.
  Arg low_of_sext(const Arg& a) const {
    if (a.is_imm() && a.type == Type::I64 && int64_t(a.imm) == int64_t(int32_t(uint32_t(a.imm))))
      return Arg::constant(Type::I32, uint32_t(a.imm));
    const Inst* d = def(a);
    if (d && d->op == Opcode::SExt32To64) return d->args[0];
    return {};
  }

  // Two operands computing the same value: equal, or truncations of the same 64-bit value.
  bool same_source(const Arg& x, const Arg& y) const {
    if (x.is_value() && y.is_value() && x.value == y.value) return true;
    const Inst *dx = def(x), *dy = def(y);
    return dx && dy && dx->op == Opcode::Trunc64To32 && dy->op == Opcode::Trunc64To32 && dx->args[0].is_value() &&
           dy->args[0].is_value() && dx->args[0].value == dy->args[0].value;
  }

  // (x >> n) op (x << (w - n)) with op Or/Xor/Add (the bits do not overlap) is Rotr(x, n).
  Arg rotate(Type t, const Arg& a, const Arg& b) {
    const unsigned w = t == Type::I64 ? 64 : 32;
    for (int order = 0; order < 2; ++order) {
      const Inst* r = def(order ? b : a);
      const Inst* l = def(order ? a : b);
      if (!r || !l || r->op != Opcode::Shr || l->op != Opcode::Shl || r->type != t || l->type != t) continue;
      if (!r->args[1].is_imm() || !l->args[1].is_imm()) continue;
      const unsigned n = unsigned(r->args[1].imm & (w - 1)), m = unsigned(l->args[1].imm & (w - 1));
      if (n == 0 || n + m != w || !same_source(r->args[0], l->args[0])) continue;
      return push(Opcode::Rotr, t, {r->args[0], Arg::constant(t, n)});
    }
    return {};
  }

  Arg rewrite(const Inst& in) {
    const Arg* a = in.args.data();
    switch (in.op) {
      case Opcode::Trunc64To32:
        if (const Inst* d = def(a[0]); d && (d->op == Opcode::SExt32To64 || d->op == Opcode::ZExt32To64))
          return d->args[0];
        return {};
      case Opcode::Not:
        if (in.type == Type::I64)
          if (Arg p = low_of_sext(a[0]); p.is_value()) return sext(push(Opcode::Not, Type::I32, {p}));
        return {};
      case Opcode::And:
      case Opcode::Or:
      case Opcode::Xor: {
        if (in.op != Opcode::And)
          if (Arg r = rotate(in.type, a[0], a[1]); !r.is_none()) return r;
        if (in.type != Type::I64) return {};
        Arg p = low_of_sext(a[0]), q = low_of_sext(a[1]);
        if (p.is_none() || q.is_none() || (!p.is_value() && !q.is_value())) return {};
        Arg r = in.op == Opcode::And ? Arg{} : rotate(Type::I32, p, q);
        if (r.is_none()) r = push(in.op, Type::I32, {p, q});
        return sext(r);
      }
      case Opcode::Add: return rotate(in.type, a[0], a[1]);
      case Opcode::ZExt32To64:
      case Opcode::SExt32To64:
        // sext.w of a 64-bit register: one movsxd from the 64-bit value (or its env field).
        if (const Inst* d = def(a[0]); d && d->op == Opcode::Trunc64To32)
          return push(in.op == Opcode::SExt32To64 ? Opcode::SExt : Opcode::ZExt, Type::I64,
                      {d->args[0], Arg::constant(Type::I32, 32)});
        if (in.op == Opcode::ZExt32To64) return {};
        // A W result often feeds both a temporary and rd (sext.w after addw): extend it once.
        if (a[0].is_value()) {
          if (const Arg& known = sext_slot(a[0].value); !known.is_none()) return known;
          set_sext(a[0].value, Arg::val(ValueId(out_.size()), Type::I64));  // the copy run() pushes next
        }
        return {};
      case Opcode::Label:
        // A value defined before the label may be on a path that skips it.
        for (ValueId v : touched_) sext_of_[v] = Arg{};
        touched_.clear();
        return {};
      default: return {};
    }
  }

  struct Storage {
    std::vector<Inst> out;
    std::vector<Arg> remap;
    std::vector<Arg> sext_of;
    std::vector<ValueId> touched;
  };
  static Storage& storage() {
    thread_local Storage s;
    return s;
  }

  Block& b_;
  std::vector<Inst>& out_;
  std::vector<Arg>& remap_;
  std::vector<Arg>& sext_of_;      // I32 value (index in out_) -> its SExt32To64 since the last label
  std::vector<ValueId>& touched_;  // values sext_of_ holds an entry for
  bool changed_ = false;
};

}  // namespace

bool run_narrow(Block& block) { return Narrower(block).run(); }

}  // namespace mimic::tcg
