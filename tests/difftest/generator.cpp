// Random IR programs: every integer op and width, SetCond/Select, forward branches with values
// crossing them, sandboxed memory, atomics, helper calls, guest state, floats and vectors.
#include "tests/difftest/generator.h"

#include <vector>

#include "tcg/ir/builder.h"
#include "tests/difftest/test_cpu.h"

namespace mimic::difftest {

using namespace tcg;

uint64_t Rng::edge(unsigned bits) {
  const uint64_t m = bits == 32 ? 0xffffffffull : ~0ull;
  const uint64_t min = 1ull << (bits - 1);
  static constexpr uint64_t kMore[] = {0x80, 0xff, 0x7f, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff};
  switch (below(14)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return m;
    case 3: return min;
    case 4: return min - 1;
    case 5: return bits - 1;
    case 6: return bits;
    case 7: return kMore[below(9)] & m;
    case 8: return below(256);
    case 9: return (0 - uint64_t(below(256))) & m;
    case 10: return (1ull << below(bits)) & m;
    default: return next() & m;
  }
}

namespace {

constexpr Opcode kBinary[] = {Opcode::Add,    Opcode::Sub,  Opcode::Mul,  Opcode::MulHS, Opcode::MulHU,
                              Opcode::MulHSU, Opcode::DivS, Opcode::DivU, Opcode::RemS,  Opcode::RemU,
                              Opcode::And,    Opcode::Or,   Opcode::Xor,  Opcode::AndC,  Opcode::OrC,
                              Opcode::Shl,    Opcode::Shr,  Opcode::Sar,  Opcode::Rotl,  Opcode::Rotr};
constexpr Opcode kUnary[] = {Opcode::Neg, Opcode::Not, Opcode::Bswap16, Opcode::Bswap32,
                             Opcode::Clz, Opcode::Ctz, Opcode::Popcnt};
constexpr Opcode kCarry[] = {Opcode::AddC, Opcode::AddCarry,  Opcode::AddOverflow,
                             Opcode::SubB, Opcode::SubBorrow, Opcode::SubOverflow};

class Gen {
 public:
  Gen(Block& b, uint64_t seed, const GenOptions& o) : b_(b), ir_(b), rng_(seed), o_(o) {}

  void run() {
    b_.clear();
    b_.guest_pc = 0x400000 + 4 * rng_.below(0x1000);
    pc_ = b_.guest_pc;
    ir_.insn_start(pc_);
    // Seed the pool with guest registers of both widths.
    for (int k = 0; k < 4; ++k) add(ir_.get_state(Type::I64, reg_offset(rng_.below(32))));
    add(ir_.get_state(Type::I32, reg_offset(rng_.below(32)) + 4 * rng_.below(2)));
    body(0, 4 + rng_.below(o_.max_stmts));
    for (int k = rng_.below(4); k > 0; --k) store_state();
    exit();
    b_.guest_size = uint32_t(pc_ + 4 - b_.guest_pc);
  }

 private:
  Type int_type() { return rng_.chance(50) ? Type::I32 : Type::I64; }
  Type float_type() { return rng_.chance(50) ? Type::F32 : Type::F64; }
  void add(Arg a) { pool_.push_back(a); }

  // A value of type t that dominates this point, or an immediate (integers), or a fresh one.
  Arg pick(Type t, bool allow_imm = true) {
    if (is_int(t) && allow_imm && rng_.chance(25)) return IRBuilder::imm(t, rng_.edge(type_bits(t)));
    const size_t n = pool_.size();
    if (n > 0) {
      const size_t start = rng_.below(uint32_t(n));
      for (size_t k = 0; k < n; ++k) {
        const Arg& a = pool_[(start + n - k) % n];  // favour recent values
        if (a.type == t && (rng_.chance(70) || k + 1 == n)) return a;
      }
      for (const Arg& a : pool_)
        if (a.type == t) return a;
    }
    return fresh(t);
  }
  Arg fresh(Type t) {
    Arg a;
    switch (t) {
      case Type::I32: a = ir_.get_state(t, reg_offset(rng_.below(32)) + 4 * rng_.below(2)); break;
      case Type::I64: a = ir_.get_state(t, reg_offset(rng_.below(32))); break;
      case Type::F32:
      case Type::F64: a = ir_.get_state(t, reg_offset(rng_.below(32))); break;
      default: a = ir_.get_state(Type::V128, vreg_offset(rng_.below(8))); break;
    }
    add(a);
    return a;
  }
  Arg pick_any_scalar() {
    static constexpr Type kTypes[] = {Type::I32, Type::I64, Type::F32, Type::F64};
    return pick(kTypes[rng_.below(o_.fp ? 4 : 2)]);
  }

  void body(int depth, unsigned n) {
    for (unsigned k = 0; k < n; ++k) {
      const unsigned r = rng_.below(100);
      if (o_.control && depth < 3 && r < 6)
        if_then(depth);
      else if (o_.control && depth < 3 && r < 9)
        if_else(depth);
      else if (o_.control && depth < 3 && r < 10)
        early_exit(depth);
      else
        stmt();
    }
  }

  void branch_to(uint32_t label) {
    const Type t = int_type();
    ir_.br_cond(Cond(rng_.below(12)), pick(t), pick(t), label);
  }
  void scoped_body(int depth) {
    const size_t mark = pool_.size();
    body(depth + 1, 1 + rng_.below(6));
    pool_.resize(mark);  // values defined inside do not dominate what follows the label
  }
  void if_then(int depth) {
    const uint32_t skip = ir_.new_label();
    branch_to(skip);
    scoped_body(depth);
    ir_.label(skip);
  }
  void if_else(int depth) {
    const uint32_t other = ir_.new_label(), end = ir_.new_label();
    branch_to(other);
    scoped_body(depth);
    ir_.br(end);
    ir_.label(other);
    scoped_body(depth);
    ir_.label(end);
  }
  void early_exit(int depth) {
    const uint32_t stay = ir_.new_label();
    branch_to(stay);
    const size_t mark = pool_.size();
    body(depth + 1, rng_.below(4));
    store_state();
    exit();
    pool_.resize(mark);
    ir_.label(stay);
  }

  void exit() {
    switch (rng_.below(3)) {
      case 0: {
        // Each chain slot at most once per block.
        unsigned slot = rng_.below(2);
        if (slot_used_[slot]) slot ^= 1;
        if (slot_used_[slot]) {
          ir_.exit_loop(16 + rng_.below(8), pick(Type::I64));
          return;
        }
        slot_used_[slot] = true;
        ir_.goto_tb(slot, 0x400000 + 4 * rng_.below(0x10000));
        return;
      }
      case 1:
        // Odd targets are never code (and ~0 is the jump cache's empty marker), as on real guests.
        ir_.goto_ptr(ir_.and_(pick(Type::I64), IRBuilder::imm64(~1ull)));
        return;
      default: ir_.exit_loop(16 + rng_.below(8), pick(Type::I64)); return;
    }
  }

  void store_state() {
    const Arg v = pool_.empty() || rng_.chance(10) ? pick(int_type()) : pool_[rng_.below(uint32_t(pool_.size()))];
    if (v.type == Type::V128) {
      ir_.set_state(vreg_offset(rng_.below(8)), v);
    } else {
      const unsigned half = type_bits(v.type) == 32 ? 4 * rng_.below(2) : 0;
      ir_.set_state(reg_offset(rng_.below(32)) + half, v);
    }
  }

  // Keep a result observable most of the time, or DCE would delete most of the program.
  void result(Arg a) {
    add(a);
    if (rng_.chance(45)) {
      if (a.type == Type::V128)
        ir_.set_state(vreg_offset(rng_.below(8)), a);
      else
        ir_.set_state(reg_offset(rng_.below(32)) + (type_bits(a.type) == 32 ? 4 * rng_.below(2) : 0), a);
    }
  }

  void stmt() {
    if (rng_.chance(8)) ir_.insn_start(pc_ += 4);
    const unsigned r = rng_.below(100);
    if (r < 22) return binary();
    if (r < 28) return unary();
    if (r < 33) return carry();
    if (r < 40) return bitfield();
    if (r < 47) return compare();
    if (r < 53) return state();
    if (r < 55) return widen();
    if (o_.memory && r < 63) return load();
    if (o_.memory && r < 70) return store();
    if (o_.memory && r < 75) return atomic();
    if (o_.calls && r < 80) return call();
    if (o_.fp && r < 90) return fp();
    if (o_.vector && r < 97) return vector();
    if (r < 98) return ir_.fence(FenceKind(rng_.below(3)));
    binary();
  }

  void binary() {
    const Type t = int_type();
    const Opcode op = kBinary[rng_.below(std::size(kBinary))];
    result(ir_.emit(op, t, {pick(t), pick(t)}));
  }
  void unary() {
    const Type t = int_type();
    if (t == Type::I64 && rng_.chance(15)) return result(ir_.bswap64(pick(t)));
    result(ir_.emit(kUnary[rng_.below(std::size(kUnary))], t, {pick(t)}));
  }
  void carry() {
    const Type t = int_type();
    result(ir_.emit(kCarry[rng_.below(std::size(kCarry))], t, {pick(t), pick(t), pick(int_type())}));
  }
  void bitfield() {
    const Type t = int_type();
    const unsigned w = type_bits(t);
    switch (rng_.below(4)) {
      case 0: {
        static constexpr unsigned kBits[] = {8, 16, 32};
        const unsigned bits = kBits[rng_.below(t == Type::I32 ? 2 : 3)];
        result(rng_.chance(50) ? ir_.zext(pick(t), bits) : ir_.sext(pick(t), bits));
        return;
      }
      case 1:
      case 2: {
        const unsigned len = 1 + rng_.below(w);
        const unsigned pos = rng_.below(w - len + 1);
        if (rng_.below(4) == 0) return result(ir_.deposit(pick(t), pick(t), pos, len));
        result(rng_.chance(50) ? ir_.extract(pick(t), pos, len) : ir_.sextract(pick(t), pos, len));
        return;
      }
      default: {
        const unsigned len = 1 + rng_.below(w);
        result(ir_.deposit(pick(t), pick(t), rng_.below(w - len + 1), len));
        return;
      }
    }
  }
  void compare() {
    const Type t = int_type();
    if (rng_.chance(60)) return result(ir_.setcond(Cond(rng_.below(12)), pick(t), pick(t), int_type()));
    const Type vt = rng_.chance(80) ? int_type() : o_.fp ? float_type() : int_type();
    result(ir_.select(pick(int_type()), pick(vt), pick(vt)));
  }
  void state() {
    if (rng_.chance(50)) return store_state();
    const Type t = o_.fp && rng_.chance(20) ? float_type() : int_type();
    add(fresh(t));
  }
  void widen() {
    switch (rng_.below(3)) {
      case 0: return result(ir_.zext32_to_64(pick(Type::I32)));
      case 1: return result(ir_.sext32_to_64(pick(Type::I32)));
      default: return result(ir_.trunc64_to_32(pick(Type::I64)));
    }
  }

  // A guest address inside the sandbox, aligned to `align` bytes.
  Arg address(unsigned align) {
    const Arg raw = pick(Type::I64);
    const Arg off = ir_.and_(raw, IRBuilder::imm64((kSandboxSize - 1) & ~uint64_t(align - 1)));
    return ir_.add(off, IRBuilder::imm64(kSandboxGuest));
  }
  // Mostly unaligned-tolerant accesses; sometimes kAligned on a possibly misaligned address,
  // which exercises the kExitUnaligned exit.
  uint32_t memop_flags(unsigned size_log2) { return size_log2 > 0 && rng_.chance(5) ? uint32_t(MemOp::kAligned) : 0u; }

  Type mem_type() {
    const unsigned r = rng_.below(10);
    if (o_.vector && r == 0) return Type::V128;
    if (o_.fp && r == 1) return float_type();
    return int_type();
  }
  uint32_t memop_for(Type t) {
    if (t == Type::V128) return MemOp::k128;
    if (t == Type::F32) return MemOp::k32;
    if (t == Type::F64) return MemOp::k64;
    const unsigned size = rng_.below(t == Type::I32 ? 3 : 4);
    return size | (rng_.chance(50) ? uint32_t(MemOp::kSigned) : 0u);
  }

  void load() {
    const Type t = mem_type();
    uint32_t memop = memop_for(t);
    memop |= memop_flags(MemOp::size_log2(memop));
    result(ir_.load(t, maybe_faulting(address(1)), memop));
  }
  // Now and then an access that faults: the guest state at the fault must be exact.
  Arg maybe_faulting(Arg addr) {
    if (!o_.faults || !rng_.chance(3)) return addr;
    return ir_.or_(addr, IRBuilder::imm64(kFaultingGuestBit));
  }
  void store() {
    const Type t = mem_type();
    const Arg v = pick(t);
    uint32_t memop = memop_for(t) & ~MemOp::kSigned;
    memop |= memop_flags(MemOp::size_log2(memop));
    ir_.store(maybe_faulting(address(1)), v, memop);
  }
  void atomic() {
    const Type t = int_type();
    const unsigned size = rng_.below(t == Type::I32 ? 3 : 4);
    const uint32_t memop =
        size | (rng_.chance(30) ? uint32_t(MemOp::kSigned) : 0u) | (rng_.chance(30) ? uint32_t(MemOp::kAligned) : 0u);
    const Arg addr = address(1u << size);  // host atomics must not split a cache line
    if (rng_.chance(35)) {
      // Half the time expect the current value, so the swap really happens.
      Arg expected = pick(t);
      if (rng_.chance(50)) expected = ir_.load(t, addr, size);
      result(ir_.atomic_cas(addr, expected, pick(t), memop));
    } else {
      result(ir_.atomic_rmw(RmwOp(rng_.below(9)), addr, pick(t), memop));
    }
  }

  void call() {
    const TestHelpers& h = test_helpers();
    const unsigned nargs = rng_.below(6);
    std::vector<Arg> args;
    for (unsigned k = 0; k < nargs; ++k) args.push_back(pick_any_scalar());
    Inst inst;
    inst.op = rng_.chance(25) ? Opcode::CallVoid : Opcode::Call;
    inst.type = inst.op == Opcode::Call ? int_type() : Type::Void;
    if (inst.op == Opcode::Call && o_.fp && rng_.chance(15)) inst.type = float_type();
    inst.args[0] = IRBuilder::imm32(h.id[nargs]);
    for (unsigned k = 0; k < nargs; ++k) inst.args[k + 1] = args[k];
    inst.num_args = uint8_t(nargs + 1);
    const ValueId id = b_.append(inst);
    if (inst.type != Type::Void) result(b_.value(id));
  }

  void fp() {
    const Type t = float_type();
    switch (rng_.below(9)) {
      case 0: {
        static constexpr Opcode kOps[] = {Opcode::FAdd, Opcode::FSub, Opcode::FMul, Opcode::FDiv};
        return result(ir_.emit(kOps[rng_.below(4)], t, {pick(t), pick(t)}));
      }
      case 1:
        // FMA only where the host can run it (the interpreter uses the instruction too).
        if (__builtin_cpu_supports("fma") && rng_.chance(30)) return result(ir_.fma(pick(t), pick(t), pick(t)));
        return result(ir_.emit(rng_.chance(50) ? Opcode::FAdd : Opcode::FMul, t, {pick(t), pick(t)}));
      case 2: {
        static constexpr Opcode kOps[] = {Opcode::FSqrt, Opcode::FNeg, Opcode::FAbs};
        return result(ir_.emit(kOps[rng_.below(3)], t, {pick(t)}));
      }
      case 3: return result(ir_.fcmp(FCond(rng_.below(6)), pick(t), pick(t)));
      case 4: return result(ir_.ftosi(int_type(), pick(t)));
      case 5: return result(ir_.sitof(t, pick(int_type())));
      case 6: return result(ir_.fconv(t == Type::F32 ? Type::F64 : Type::F32, pick(t)));
      case 7: return result(ir_.bitcast(t, pick(t == Type::F32 ? Type::I32 : Type::I64, false)));
      default: return result(ir_.bitcast(t == Type::F32 ? Type::I32 : Type::I64, pick(t)));
    }
  }

  void vector() {
    const Type v = Type::V128;
    switch (rng_.below(7)) {
      case 0: return result(ir_.vconst(rng_.edge(64), rng_.edge(64)));
      case 1: {
        static constexpr Opcode kOps[] = {Opcode::VAnd, Opcode::VOr, Opcode::VXor, Opcode::VAndC};
        return result(ir_.emit(kOps[rng_.below(4)], v, {pick(v), pick(v)}));
      }
      case 2:
        return result(rng_.chance(50) ? ir_.vadd(pick(v), pick(v), rng_.below(4))
                                      : ir_.vsub(pick(v), pick(v), rng_.below(4)));
      case 3: {
        const Type t = int_type();
        return result(ir_.vdup(pick(t), rng_.below(t == Type::I32 ? 3 : 4)));
      }
      case 4: {
        const Type t = int_type();
        const unsigned es = rng_.below(t == Type::I32 ? 3 : 4);
        return result(ir_.vextract(t, pick(v), rng_.below(16u >> es), es));
      }
      case 5: {
        const Type t = int_type();
        const unsigned es = rng_.below(t == Type::I32 ? 3 : 4);
        return result(ir_.vinsert(pick(v), pick(t), rng_.below(16u >> es), es));
      }
      default: add(fresh(v)); return;
    }
  }

  Block& b_;
  IRBuilder ir_;
  Rng rng_;
  const GenOptions& o_;
  std::vector<Arg> pool_;
  uint64_t pc_ = 0;
  bool slot_used_[2] = {false, false};
};

}  // namespace

void generate(Block& block, uint64_t seed, const GenOptions& options) { Gen(block, seed, options).run(); }

}  // namespace mimic::difftest
