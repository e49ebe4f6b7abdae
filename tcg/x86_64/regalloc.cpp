// The generic local register allocator of the x86-64 backend (see regalloc.h).
#include "tcg/x86_64/regalloc.h"

#include <fmt/format.h>

#include <algorithm>

namespace mimic::tcg::x86_64 {

namespace {
// Callee-saved first: values in them survive helper calls without spilling.
constexpr HReg kGprOrder[] = {kRbx, kR12, kR13, kR14, kRsi, kRdi, kR8, kR9, kR10, kRax, kRcx, kRdx};
constexpr HReg kCalleeSavedAlloc[] = {kRbx, kR12, kR13, kR14};
constexpr RegMask kReserved = bit(kRsp) | bit(kEnvReg) | bit(kGuestBaseReg) | bit(kScratch) | bit(kXScratch);
constexpr ValueId kFree = kNoValue;
constexpr uint32_t kNever = ~0u;

// Storage the allocator needs per block, kept per thread so that compiling a block allocates
// nothing once the vectors have grown to the largest block seen.
struct Scratch {
  std::vector<RegAlloc::ValState> vals;
  // Per 4-byte env granule: the next op that writes it, valid when stamped with the current
  // block's generation (a new block starts with every entry stale: nothing to clear).
  struct NextWrite {
    uint32_t generation = 0;
    uint32_t at = 0;
  };
  std::vector<NextWrite> next_write;
  uint32_t generation = 0;
  std::vector<uint32_t> low_write;  // per GetState I64: first later write of its low half
  std::vector<ValueId> folds;       // folded-address candidates of the block
};
Scratch& scratch() {
  thread_local Scratch s;
  return s;
}
}  // namespace

RegAlloc::RegAlloc(BlockAssembler& code, const Block& block, bool fold_addresses) : code_(code), block_(block) {
  std::vector<ValState>& vals = scratch().vals;
  vals.assign(block.size(), ValState{});
  vals_ = vals.data();
  owner_.fill(kFree);
  // One forward walk: last uses (backward liveness collapses to "last use in list order" because
  // branches only go forward) and the folded-address candidates (is_fold_candidate).
  std::vector<ValueId>& folds = scratch().folds;
  folds.clear();
  for (size_t i = 0; i < block.size(); ++i) {
    ValState& self = vals_[i];
    self.last_use = uint32_t(i);
    const Inst& inst = block[ValueId(i)];
    if (fold_addresses && is_fold_candidate(inst)) {
      self.fold_base = inst.args[0].value;
      self.fold_disp = int32_t(inst.args[1].imm);
      self.fold_candidate = true;
      folds.push_back(ValueId(i));
    }
    for (int k = 0; k < inst.num_args; ++k) {
      if (!inst.args[k].is_value()) continue;
      ValState& used = vals_[inst.args[k].value];
      used.last_use = uint32_t(i);
      if (used.fold_base != kNoValue && !plain_access_address(inst, k)) used.fold_base = kNoValue;
    }
  }
  if (!folds.empty()) {
    for (const FaultStateEntry& e : block.fault_state)
      if (e.value.is_value()) vals_[e.value.value].fold_base = kNoValue;
    // A folded access reads the base: the base lives until the folded address's last use.
    for (ValueId v : folds) {
      if (!folded(v)) continue;
      uint32_t& base_last = vals_[vals_[v].fold_base].last_use;
      base_last = std::max(base_last, vals_[v].last_use);
    }
  }
  // A value a fault-state entry names must still have a location at the entry's site.
  for (const FaultStateEntry& e : block.fault_state)
    if (e.value.is_value()) vals_[e.value.value].last_use = std::max(vals_[e.value.value].last_use, e.site);
  compute_env_backing();
}

// fold_addresses (linux-user): an I64 `Add base, imm32` whose base is not itself such an Add
// (as first seen: a candidate dropped later still blocks its users) is folded unless one of its
// uses is not the address of a plain load or store, or a fault-state entry names it.
bool RegAlloc::is_fold_candidate(const Inst& in) const {
  return in.op == Opcode::Add && in.type == Type::I64 && in.args[0].is_value() && in.args[1].is_imm() &&
         int64_t(in.args[1].imm) == int64_t(int32_t(in.args[1].imm)) && !vals_[in.args[0].value].fold_candidate;
}

bool RegAlloc::plain_access_address(const Inst& in, int k) {
  if (k != 0) return false;
  if (in.op == Opcode::Load) return !(in.args[1].imm & MemOp::kAligned);
  if (in.op == Opcode::Store) return !(in.args[2].imm & MemOp::kAligned);
  return false;
}

const Inst& RegAlloc::unfold(const Inst& inst) {
  if (inst.num_args == 0 || !inst.args[0].is_value() || !folded(inst.args[0].value)) return inst;
  unfolded_ = inst;
  unfolded_.args[0] = Arg::val(vals_[inst.args[0].value].fold_base, Type::I64);
  return unfolded_;
}

std::span<const FaultStateEntry> RegAlloc::find_fault_entries(size_t index) const {
  // The emitters ask in block order: walk on from the previous answer (a binary search only
  // when asked about an earlier site).
  const auto& fs = block_.fault_state;
  size_t lo = fs_cursor_;
  if (lo > fs.size() || (lo > 0 && fs[lo - 1].site >= index))
    lo = size_t(
        std::lower_bound(fs.begin(), fs.end(), index, [](const FaultStateEntry& e, size_t i) { return e.site < i; }) -
        fs.begin());
  while (lo < fs.size() && fs[lo].site < index) ++lo;
  fs_cursor_ = lo;
  size_t hi = lo;
  while (hi < fs.size() && fs[hi].site == index) ++hi;
  fs_index_ = index;
  fs_answer_ = {fs.data() + lo, hi - lo};
  return fs_answer_;
}

RegAlloc::Location RegAlloc::location(const Arg& a) const {
  Location l;
  if (a.is_imm()) {
    l.kind = Location::Imm;
    l.imm = a.imm;
    return l;
  }
  const ValState& s = vals_[a.value];
  if (s.reg != kNoReg) {
    l.kind = Location::Reg;
    l.reg = s.reg;
  } else if (!s.mem_valid) {
    throw std::logic_error(fmt::format("x86_64 backend: fault-state value %{} has no location", a.value));
  } else if (s.env_off >= 0) {
    l.kind = Location::Env;
    l.disp = s.env_off;
  } else {
    l.kind = Location::Slot;
    l.disp = s.slot * 8;
  }
  return l;
}

namespace {
unsigned type_bytes(Type t) {
  switch (t) {
    case Type::I32:
    case Type::F32: return 4;
    case Type::V128: return 16;
    default: return 8;
  }
}
}  // namespace

void RegAlloc::compute_env_backing() {
  // Backward walk tracking the next instruction that may write each 4-byte env granule (SetState)
  // or any of env (helper calls). A write at the last use itself is harmless: every op reads its
  // operands before it writes.
  Scratch& sc = scratch();
  std::vector<Scratch::NextWrite>& next_write = sc.next_write;
  if (++sc.generation == 0) {  // wrapped: forget every stamp
    next_write.assign(next_write.size(), Scratch::NextWrite{});
    sc.generation = 1;
  }
  const uint32_t gen = sc.generation;
  auto next_write_of = [&](uint32_t g) {
    return g < next_write.size() && next_write[g].generation == gen ? next_write[g].at : kNever;
  };
  uint32_t next_any_write = kNever;
  // For each GetState of an I64: the first op after it that may write its low 4 bytes
  // (kNever - 1: not such a GetState).
  constexpr uint32_t kNotTracked = kNever - 1;
  sc.low_write.assign(block_.size(), kNotTracked);
  bool any_trunc = false;
  // A fault path stores the fault-state entries of a site into env before anything reads the
  // state (system mode's slow path also continues the block afterwards): they count as writes
  // just before the site, so no env-backed value is read from a field one of them overwrites.
  const auto& fs = block_.fault_state;
  size_t next_entry = fs.size();
  auto note_write = [&](uint32_t off, unsigned bytes, uint32_t at) {
    const uint32_t last = (off + bytes - 1) / 4;
    if (last >= next_write.size()) next_write.resize(std::max<size_t>(last + 1, next_write.size() * 2));
    for (uint32_t g = off / 4; g <= last; ++g) next_write[g] = Scratch::NextWrite{gen, at};
  };
  for (size_t i = block_.size(); i-- > 0;) {
    const Inst& inst = block_[ValueId(i)];
    for (; next_entry > 0 && fs[next_entry - 1].site == i; --next_entry)
      if (i > 0) note_write(fs[next_entry - 1].offset, type_bytes(arg_type(fs[next_entry - 1].value)), uint32_t(i - 1));
    if (inst.op == Opcode::GetState) {
      uint64_t off64 = inst.args[0].imm;
      if (off64 > uint32_t(INT32_MAX)) continue;
      uint32_t off = uint32_t(off64);
      uint32_t first = next_any_write;
      for (uint32_t g = off / 4; g <= (off + type_bytes(inst.type) - 1) / 4; ++g)
        first = std::min(first, next_write_of(g));
      if (vals_[i].last_use <= first) vals_[i].env_off = int32_t(off);
      if (inst.type == Type::I64 && off % 4 == 0)
        sc.low_write[i] = std::min({next_any_write, next_write_of(off / 4), kNotTracked - 1});
    } else if (inst.op == Opcode::SetState) {
      uint64_t off64 = inst.args[0].imm;
      if (off64 > uint32_t(INT32_MAX)) {
        next_any_write = uint32_t(i);  // beyond any tracked field: as good as a write of anything
        continue;
      }
      note_write(uint32_t(off64), type_bytes(arg_type(inst.args[1])), uint32_t(i));
    } else if (has_flag(inst.op, kWritesState)) {
      next_any_write = uint32_t(i);
    } else if (inst.op == Opcode::Trunc64To32) {
      any_trunc = true;
    }
  }
  if (!any_trunc) return;
  // Trunc64To32 of a GetState reads the low half of the field (x86 is little-endian): it is
  // env-backed at the same offset while that half is not written before the Trunc's last use.
  for (size_t i = 0; i < block_.size(); ++i) {
    const Inst& inst = block_[ValueId(i)];
    if (inst.op != Opcode::Trunc64To32 || !inst.args[0].is_value()) continue;
    const uint32_t low = sc.low_write[inst.args[0].value];
    if (low != kNotTracked && vals_[i].last_use <= low && low >= i)
      vals_[i].env_off = int32_t(block_[inst.args[0].value].args[0].imm);
  }
}

void RegAlloc::define_in_env(ValueId v) {
  vals_[v].reg = kNoReg;
  vals_[v].mem_valid = true;
}

void RegAlloc::home(ValueId v, HReg& base, int32_t& disp) const {
  const ValState& s = vals_[v];
  if (s.env_off >= 0) {
    base = kEnvReg;
    disp = s.env_off;
  } else {
    base = kRsp;
    disp = s.slot * 8;
  }
}

Xbyak::Address RegAlloc::mem_addr(ValueId v) const {
  const ValState& s = vals_[v];
  Type t = type_of(v);
  if (s.env_off < 0) return slot_addr(s.slot, t);
  Xbyak::RegExp m = code_.rbp + uint32_t(s.env_off);
  switch (t) {
    case Type::I32:
    case Type::F32: return code_.dword[m];
    case Type::V128: return code_.xword[m];
    default: return code_.qword[m];
  }
}

Xbyak::Address RegAlloc::mem_operand(const Opnd& o) const {
  if (!o.is_mem) throw std::logic_error("x86_64 backend: mem_operand of a non-memory operand");
  Xbyak::RegExp m = gpr64(o.mem_base) + o.mem_disp;
  switch (o.type) {
    case Type::I32:
    case Type::F32: return code_.dword[m];
    case Type::V128: return code_.xword[m];
    default: return code_.qword[m];
  }
}

bool RegAlloc::fits_imm32(const Arg& a) const {
  if (a.type != Type::I64) return true;  // I32 immediates are used as their 32-bit pattern
  return int64_t(a.imm) == int64_t(int32_t(a.imm));
}

Xbyak::Address RegAlloc::slot_addr(int slot, Type t) const {
  uint32_t off = uint32_t(slot) * 8;
  switch (t) {
    case Type::I32:
    case Type::F32: return code_.dword[code_.rsp + off];
    case Type::V128: return code_.xword[code_.rsp + off];
    default: return code_.qword[code_.rsp + off];
  }
}

void RegAlloc::ensure_slot(ValueId v) {
  if (vals_[v].slot >= 0) return;
  const bool pair = type_of(v) == Type::V128;
  for (unsigned w = 0; w < slot_used_.size(); ++w) {
    // Free slots of this word (for a pair: free slots whose next slot in the word is free too).
    uint64_t free = ~slot_used_[w];
    if (pair) free &= free >> 1 & ~(1ull << 63);
    if (free == 0) continue;
    const unsigned b = unsigned(__builtin_ctzll(free));
    slot_used_[w] |= (pair ? 3ull : 1ull) << b;
    vals_[v].slot = int(w * 64 + b);
    return;
  }
  throw TooComplex(fmt::format("x86_64 backend: more than {} spill slots needed", kSpillSlots));
}

void RegAlloc::free_slot(ValueId v) {
  ValState& s = vals_[v];
  if (s.slot < 0) return;
  slot_used_[unsigned(s.slot) / 64] &= ~((type_of(v) == Type::V128 ? 3ull : 1ull) << (unsigned(s.slot) % 64));
  s.slot = -1;
  s.mem_valid = false;
}

void RegAlloc::store_to_slot(ValueId v) {
  ensure_slot(v);
  const ValState& s = vals_[v];
  Type t = type_of(v);
  if (t == Type::I32 || t == Type::I64) {
    code_.store_gpr(t == Type::I64, kRsp, s.slot * 8, s.reg);
    return;
  }
  Xbyak::Address a = slot_addr(s.slot, t);
  switch (t) {
    case Type::F32: code_.movss(a, xmm(s.reg)); break;
    case Type::F64: code_.movsd(a, xmm(s.reg)); break;
    case Type::V128: code_.movdqu(a, xmm(s.reg)); break;
    default: throw std::logic_error("x86_64 backend: spilling a void value");
  }
}

void RegAlloc::sync(ValueId v) {
  ValState& s = vals_[v];
  if (s.mem_valid) return;
  if (s.reg == kNoReg) throw std::logic_error(fmt::format("x86_64 backend: value %{} has no location", v));
  store_to_slot(v);
  s.mem_valid = true;
}

void RegAlloc::spill(ValueId v) {
  sync(v);
  release(vals_[v].reg);
}

void RegAlloc::bind(ValueId v, HReg r) {
  owner_[r] = v;
  vals_[v].reg = r;
}

void RegAlloc::release(HReg r) {
  if (r == kNoReg) return;
  ValueId v = owner_[r];
  if (v != kFree) vals_[v].reg = kNoReg;
  owner_[r] = kFree;
}

HReg RegAlloc::alloc_reg(bool want_xmm, RegMask exclude) {
  exclude |= locked_ | kReserved;
  auto try_reg = [&](HReg r) { return !(exclude & bit(r)) && owner_[r] == kFree; };
  if (want_xmm) {
    for (HReg r = kXmm0; r < kXmm0 + 16; ++r)
      if (try_reg(r)) return r;
  } else {
    for (HReg r : kGprOrder)
      if (try_reg(r)) return r;
  }
  // Evict the value whose last use is furthest away.
  HReg victim = kNoReg;
  uint32_t best = 0;
  for (HReg r = want_xmm ? kXmm0 : 0; r < (want_xmm ? 32 : 16); ++r) {
    if ((exclude & bit(r)) || owner_[r] == kFree) continue;
    uint32_t lu = vals_[owner_[r]].last_use;
    if (victim == kNoReg || lu > best) victim = r, best = lu;
  }
  if (victim == kNoReg)
    throw std::logic_error(
        fmt::format("x86_64 backend: no {} register left at instruction {}", want_xmm ? "xmm" : "general", cur_));
  spill(owner_[victim]);
  return victim;
}

void RegAlloc::relocate(HReg r, RegMask exclude) {
  ValueId v = owner_[r];
  if (v == kFree) return;
  exclude |= locked_ | kReserved | bit(r);
  Type t = type_of(v);
  HReg to = kNoReg;
  if (is_xmm(r)) {
    for (HReg x = kXmm0; x < kXmm0 + 16 && to == kNoReg; ++x)
      if (!(exclude & bit(x)) && owner_[x] == kFree) to = x;
  } else {
    for (HReg x : kGprOrder)
      if (to == kNoReg && !(exclude & bit(x)) && owner_[x] == kFree) to = x;
  }
  if (to == kNoReg) {
    spill(v);
    return;
  }
  move(t, to, r);
  release(r);
  bind(v, to);
}

void RegAlloc::load_imm(HReg r, Type t, uint64_t v) {
  if (t == Type::I32 || uint64_t(uint32_t(v)) == v) {
    if (uint32_t(v) == 0)
      code_.zero_gpr(r);
    else
      code_.move_imm32(r, uint32_t(v));
  } else {
    code_.move_imm(r, v);
  }
}

void RegAlloc::move(Type t, HReg dst, HReg src) {
  if (dst == src) return;
  if (is_xmm(dst) && is_xmm(src))
    code_.movaps(xmm(dst), xmm(src));
  else if (!is_xmm(dst) && !is_xmm(src))
    code_.move_gpr(t == Type::I64, dst, src);
  else
    throw std::logic_error("x86_64 backend: move between register classes");
}

void RegAlloc::load_value_copy(HReg dst, const Arg& a) {
  if (a.is_imm()) {
    if (is_xmm(dst)) throw std::logic_error("x86_64 backend: immediate for an xmm operand");
    load_imm(dst, a.type, a.imm);
    return;
  }
  ValueId v = a.value;
  const ValState& s = vals_[v];
  Type t = type_of(v);
  if (s.reg != kNoReg) {
    move(t, dst, s.reg);
    return;
  }
  if (!s.mem_valid) throw std::logic_error(fmt::format("x86_64 backend: value %{} used before it has a location", v));
  if (t == Type::I32 || t == Type::I64) {
    HReg base;
    int32_t disp;
    home(v, base, disp);
    code_.load_gpr(t == Type::I64, dst, base, disp);
    return;
  }
  Xbyak::Address m = mem_addr(v);
  switch (t) {
    case Type::F32: code_.movss(xmm(dst), m); break;
    case Type::F64: code_.movsd(xmm(dst), m); break;
    case Type::V128: code_.movdqu(xmm(dst), m); break;
    default: throw std::logic_error("x86_64 backend: loading a void value");
  }
}

Assigned RegAlloc::assign(size_t index, const Inst& original, const Constraints& c) {
  const Inst& inst = unfold(original);
  cur_ = index;
  locked_ = 0;
  Assigned a;
  // One pass over the constraints: which inputs are fixed, which the allocator places.
  constexpr unsigned kPlacedKinds = 1u << unsigned(InKind::Reg) | 1u << unsigned(InKind::RegOrImm) |
                                    1u << unsigned(InKind::RegOrMem) | 1u << unsigned(InKind::Any);
  auto placed_by_alloc = [](InKind kind) { return (kPlacedKinds >> unsigned(kind) & 1) != 0; };
  unsigned fixed_inputs = 0, placed_inputs = 0;  // bit k: input k
  RegMask fixed = c.clobbers;
  for (int k = 0; k < inst.num_args; ++k) {
    if (c.in[k].kind == InKind::Fixed) {
      fixed |= bit(c.in[k].fixed);
      fixed_inputs |= 1u << k;
    } else if (placed_by_alloc(c.in[k].kind)) {
      placed_inputs |= 1u << k;
    }
  }
  if (c.out == OutKind::Fixed) fixed |= bit(c.out_fixed);

  // Values this op's fault path must find (its fault-state entries) keep their registers: the
  // output and fixed inputs never take them over.
  const std::span<const FaultStateEntry> site = fault_entries(index);
  auto at_site = [&](ValueId v) {
    for (const FaultStateEntry& e : site)
      if (e.value.is_value() && e.value.value == v) return true;
    return false;
  };
  // A value already sitting in its fixed input register can stay when nothing overwrites it.
  auto only_fixed_use = [&](ValueId v, HReg r) {
    if ((c.clobbers & bit(r)) || (c.out == OutKind::Fixed && c.out_fixed == r) || at_site(v)) return false;
    bool wanted_here = false;  // an unrelated value in a fixed register must move out
    for (int k = 0; k < inst.num_args; ++k) {
      const Arg& arg = inst.args[k];
      if (!arg.is_value() || arg.value != v) continue;
      if (c.in[k].kind != InKind::Fixed || c.in[k].fixed != r) return false;
      wanted_here = true;
    }
    return wanted_here;
  };
  RegMask kept = 0;
  for (RegMask m = fixed; m != 0; m &= m - 1) {
    const HReg r = HReg(__builtin_ctz(m));
    if (owner_[r] == kFree) continue;
    if (only_fixed_use(owner_[r], r))
      kept |= bit(r);
    else
      relocate(r, fixed);
  }
  locked_ |= fixed;

  for (unsigned m = fixed_inputs; m != 0; m &= m - 1) {
    const int k = __builtin_ctz(m);
    HReg r = c.in[k].fixed;
    if (!(kept & bit(r))) load_value_copy(r, inst.args[k]);
    a.in[k] = Opnd::in_reg(r, arg_type(inst.args[k]));
  }

  // Pin register inputs that are already in place so placing one input never evicts another.
  for (unsigned m = placed_inputs; m != 0; m &= m - 1) {
    const Arg& arg = inst.args[__builtin_ctz(m)];
    if (arg.is_value() && vals_[arg.value].reg != kNoReg) locked_ |= bit(vals_[arg.value].reg);
  }
  // An Alias input that lives on past this op and is only in memory is loaded straight into the
  // output register (one load instead of a load plus a register copy).
  int alias_from_mem = -1;
  if (c.out == OutKind::Alias && c.in[c.alias].kind != InKind::Fixed) {
    const Arg& arg = inst.args[c.alias];
    if (arg.is_value() && vals_[arg.value].reg == kNoReg && vals_[arg.value].mem_valid &&
        vals_[arg.value].last_use > index) {
      alias_from_mem = c.alias;
      for (int k = 0; k < inst.num_args; ++k)
        if (k != c.alias && inst.args[k].is_value() && inst.args[k].value == arg.value) alias_from_mem = -1;
    }
  }
  RegMask temps = 0;       // registers holding materialised constants: free for the output to take
  bool mem_taken = false;  // x86 ops take at most one memory operand
  for (unsigned m = placed_inputs; m != 0; m &= m - 1) {
    const int k = __builtin_ctz(m);
    const Arg& arg = inst.args[k];
    InKind kind = c.in[k].kind;
    if (k == alias_from_mem) continue;
    Type t = arg_type(arg);
    if (arg.is_imm()) {
      if ((kind == InKind::RegOrImm || kind == InKind::Any) && fits_imm32(arg)) {
        a.in[k] = Opnd::immediate(arg.imm, t);
        continue;
      }
      HReg r = alloc_reg(false, fixed);
      load_imm(r, t, arg.imm);
      locked_ |= bit(r);
      temps |= bit(r);
      a.in[k] = Opnd::in_reg(r, t);
      continue;
    }
    if (!arg.is_value()) throw std::logic_error("x86_64 backend: register constraint on a non-value operand");
    ValueId v = arg.value;
    if (vals_[v].reg == kNoReg && (kind == InKind::RegOrMem || kind == InKind::Any) && !mem_taken &&
        vals_[v].mem_valid) {
      mem_taken = true;
      Opnd o = Opnd::in_reg(kNoReg, t);
      o.is_mem = true;
      if (vals_[v].env_off >= 0) {
        o.mem_base = kEnvReg;
        o.mem_disp = vals_[v].env_off;
      } else {
        o.mem_base = kRsp;
        o.mem_disp = vals_[v].slot * 8;
      }
      a.in[k] = o;
      continue;
    }
    if (vals_[v].reg == kNoReg) {
      HReg r = alloc_reg(wants_xmm(t), fixed);
      load_value_copy(r, arg);
      bind(v, r);
      locked_ |= bit(r);
    }
    a.in[k] = Opnd::in_reg(vals_[v].reg, t);
  }

  // Output.
  if (c.out != OutKind::None) {
    Type ot = inst.type;
    bool ox = wants_xmm(ot);
    auto steal = [&](int k) -> HReg {
      const Arg& arg = inst.args[k];
      const Opnd& o = a.in[k];
      if (o.is_imm || o.reg == kNoReg || is_xmm(o.reg) != ox || (fixed & bit(o.reg))) return kNoReg;
      if (temps & bit(o.reg)) {
        temps &= ~bit(o.reg);
        return o.reg;
      }
      if (arg.is_value() && vals_[arg.value].last_use == index && vals_[arg.value].reg == o.reg &&
          !at_site(arg.value)) {
        release(o.reg);
        return o.reg;
      }
      return kNoReg;
    };
    HReg r = kNoReg;
    switch (c.out) {
      case OutKind::Fixed: r = c.out_fixed; break;
      case OutKind::Alias: {
        if (alias_from_mem >= 0) {
          r = alloc_reg(ox, fixed);
          load_value_copy(r, inst.args[c.alias]);
          a.in[c.alias] = Opnd::in_reg(r, arg_type(inst.args[c.alias]));
          break;
        }
        r = steal(c.alias);
        if (r == kNoReg) {
          r = alloc_reg(ox, fixed);
          const Opnd& src = a.in[c.alias];
          if (src.is_imm)
            load_imm(r, ot, src.imm);
          else
            move(ot, r, src.reg);
        }
        break;
      }
      case OutKind::Overlap:
        for (int k = 0; k < inst.num_args && r == kNoReg; ++k)
          if (placed_by_alloc(c.in[k].kind)) r = steal(k);
        if (r == kNoReg) r = alloc_reg(ox, fixed);
        break;
      case OutKind::NewReg: r = alloc_reg(ox, fixed); break;
      case OutKind::None: break;
    }
    if (owner_[r] != kFree) release(r);
    bind(ValueId(index), r);
    vals_[index].mem_valid = false;
    locked_ |= bit(r);
    a.out = r;
  }

  for (int k = 0; k < c.gpr_temps; ++k) {
    HReg r = alloc_reg(false, fixed);
    locked_ |= bit(r);
    a.tmp[k] = r;
  }
  for (int k = 0; k < c.xmm_temps; ++k) {
    HReg r = alloc_reg(true, fixed);
    locked_ |= bit(r);
    a.xtmp[k] = r;
  }
  if (&inst != &original) a.in[0].addr_disp = vals_[original.args[0].value].fold_disp;
  return a;
}

void RegAlloc::finish(size_t index, const Inst& original) {
  const Inst& inst = unfold(original);
  auto drop = [&](ValueId v) {
    ValState& s = vals_[v];
    if (s.reg != kNoReg && owner_[s.reg] == v) owner_[s.reg] = kFree;
    s.reg = kNoReg;
    free_slot(v);
  };
  for (int k = 0; k < inst.num_args; ++k) {
    const Arg& arg = inst.args[k];
    if (arg.is_value() && vals_[arg.value].last_use == index) drop(arg.value);
  }
  if (inst.type != Type::Void && vals_[index].last_use == index) drop(ValueId(index));
  for (const FaultStateEntry& e : fault_entries(index))
    if (e.value.is_value() && vals_[e.value.value].last_use == index) drop(e.value.value);
  locked_ = 0;
}

void RegAlloc::sync_live(size_t index) {
  for (HReg r = 0; r < 32; ++r) {
    ValueId v = owner_[r];
    if (v != kFree && vals_[v].last_use > index) sync(v);
  }
}

void RegAlloc::forget_registers() {
  for (HReg r = 0; r < 32; ++r) release(r);
}

void RegAlloc::prepare_call(size_t index, const Inst& inst, const HReg* arg_regs, int num_args) {
  cur_ = index;
  locked_ = 0;
  // Values that outlive the call leave the caller-saved registers: into a free callee-saved
  // register when there is one (no memory traffic), else into their spill slot.
  for (HReg r = 0; r < 32; ++r) {
    ValueId v = owner_[r];
    if (v == kFree || !(kCallerSaved & bit(r)) || vals_[v].last_use <= index) continue;
    HReg to = kNoReg;
    if (!is_xmm(r))
      for (HReg c : kCalleeSavedAlloc)
        if (to == kNoReg && owner_[c] == kFree) to = c;
    if (to == kNoReg) {
      spill(v);
    } else {
      move(type_of(v), to, r);
      release(r);
      bind(v, to);
    }
  }
  // Argument sources in an argument register other than their own are read from memory, so
  // loading the arguments in any order never overwrites a source still needed.
  RegMask targets = bit(kRdi);
  for (int k = 0; k < num_args; ++k) targets |= bit(arg_regs[k]);
  for (int k = 0; k < num_args; ++k) {
    const Arg& arg = inst.args[k + 1];
    if (!arg.is_value()) continue;
    HReg r = vals_[arg.value].reg;
    if (r != kNoReg && (targets & bit(r)) && r != arg_regs[k]) sync(arg.value);
  }
  for (int k = 0; k < num_args; ++k) {
    const Arg& arg = inst.args[k + 1];
    HReg dst = arg_regs[k];
    if (arg.is_imm()) {
      load_imm(dst, Type::I64, arg.imm);  // I32 immediates are already zero-extended
      continue;
    }
    ValueId v = arg.value;
    Type t = type_of(v);
    const ValState& s = vals_[v];
    if (s.reg == dst) continue;
    if (s.reg != kNoReg && !(targets & bit(s.reg))) {
      if (!is_xmm(s.reg))
        code_.move_gpr(true, dst, s.reg);  // I32 values are zero-extended in registers
      else if (t == Type::F32)
        code_.movd(gpr32(dst), xmm(s.reg));
      else if (t == Type::F64)
        code_.movq(gpr64(dst), xmm(s.reg));
      else
        throw std::logic_error("x86_64 backend: a v128 value cannot be a helper argument");
      continue;
    }
    if (!s.mem_valid) throw std::logic_error("x86_64 backend: helper argument without a location");
    if (t == Type::V128) throw std::logic_error("x86_64 backend: a v128 value cannot be a helper argument");
    HReg base;
    int32_t disp;
    home(v, base, disp);
    code_.load_gpr(!(t == Type::I32 || t == Type::F32), dst, base, disp);
  }
  code_.move_gpr(true, kRdi, kEnvReg);
}

void RegAlloc::after_call(size_t index, const Inst& inst) {
  // Everything still in a caller-saved register died at this call.
  for (HReg r = 0; r < 32; ++r)
    if (kCallerSaved & bit(r)) release(r);
  if (inst.type == Type::Void) return;
  HReg r = kRax;
  switch (inst.type) {
    case Type::I32: code_.move_gpr(false, kRax, kRax); break;  // keep the zero-extension invariant
    case Type::I64: break;
    case Type::F32:
      r = kXmm0;
      code_.movd(xmm(r), code_.eax);
      break;
    case Type::F64:
      r = kXmm0;
      code_.movq(xmm(r), code_.rax);
      break;
    default: throw std::logic_error("x86_64 backend: helper call with a v128 result");
  }
  bind(ValueId(index), r);
  vals_[index].mem_valid = false;
}

}  // namespace mimic::tcg::x86_64
