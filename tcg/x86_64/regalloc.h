// The generic local register allocator of the x86-64 backend: value locations, liveness, spills.
//
// TCG-style: one forward walk over the block's linear instruction list. A backward liveness pass
// first records each value's last use (the IR only branches forward, so a value is live exactly
// from its definition to its last use in list order). Each op's emitter describes its operand
// constraints in a Constraints record and calls RegAlloc::assign, which places the operands
// (loading spilled values, materialising constants, evicting values out of fixed/clobbered
// registers) and returns concrete host registers; the emitter then only writes instructions.
#pragma once

#include <xbyak/xbyak.h>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "tcg/ir/ir.h"
#include "tcg/x86_64/assembler.h"

namespace mimic::tcg::x86_64 {

// Host registers: 0-15 are the GPRs in hardware numbering, 16-31 are xmm0-xmm15.
using HReg = int;
constexpr HReg kNoReg = -1;
enum : HReg {
  kRax = 0,
  kRcx,
  kRdx,
  kRbx,
  kRsp,
  kRbp,
  kRsi,
  kRdi,
  kR8,
  kR9,
  kR10,
  kR11,
  kR12,
  kR13,
  kR14,
  kR15,
  kXmm0 = 16,
};
using RegMask = uint32_t;
constexpr RegMask bit(HReg r) { return RegMask(1) << r; }
constexpr bool is_xmm(HReg r) { return r >= kXmm0; }

// Fixed roles (also documented in docs/backend.md):
//   rbp  env (CpuBase*), pinned for the whole life of translated code
//   r15  CpuBase::guest_base, pinned
//   rsp  points at the spill area (kSpillSlots 8-byte slots) set up by the enter trampoline
//   r11  and xmm15: scratch for emitter sequences, never allocated to values
constexpr HReg kEnvReg = kRbp;
constexpr HReg kGuestBaseReg = kR15;
constexpr HReg kScratch = kR11;
constexpr HReg kXScratch = kXmm0 + 15;
constexpr RegMask kCallerSaved = bit(kRax) | bit(kRcx) | bit(kRdx) | bit(kRsi) | bit(kRdi) | bit(kR8) | bit(kR9) |
                                 bit(kR10) | bit(kR11) | 0xffff0000u;
constexpr unsigned kSpillSlots = 512;
constexpr unsigned kFrameSize = kSpillSlots * 8 + 8;  // +8 keeps rsp 16-byte aligned for helper calls

inline Xbyak::Reg64 gpr64(HReg r) { return Xbyak::Reg64(r); }
inline Xbyak::Reg32 gpr32(HReg r) { return Xbyak::Reg32(r); }
inline Xbyak::Reg16 gpr16(HReg r) { return Xbyak::Reg16(r); }
inline Xbyak::Reg8 gpr8(HReg r) { return Xbyak::Reg8(r, r >= 4); }  // REX form: spl/bpl/sil/dil, never ah..bh
inline Xbyak::Xmm xmm(HReg r) { return Xbyak::Xmm(r - kXmm0); }
// The GPR sized for an integer type: 32-bit ops on I32 keep the upper half zero (an invariant
// the allocator relies on: an I32 value in a register is always zero-extended).
inline Xbyak::Reg32e gpr(HReg r, Type t) { return t == Type::I64 ? Xbyak::Reg32e(gpr64(r)) : Xbyak::Reg32e(gpr32(r)); }

// Thrown when a block exceeds a fixed backend limit (spill slots); compile_block reports it as
// CompileResult::Status::TooComplex so the caller retries with fewer guest instructions.
struct TooComplex : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How an emitter wants one operand.
enum class InKind : uint8_t {
  Ignore,    // not a register operand (immediates baked into the op, labels) or handled by the emitter
  Reg,       // in a register of the value's class
  RegOrImm,  // a constant that fits a sign-extended imm32 stays an immediate, anything else a register
  Fixed,     // a copy in exactly `fixed` (the register may then be overwritten by the op)
  // A value that is not in a register stays in memory (its env field or spill slot) and becomes a
  // memory operand: saves a load into a register (and the register) for x86 reg,mem forms.
  // Immediates are materialised. At most one input of an op is placed in memory: later
  // RegOrMem/Any inputs of the same op fall back to Reg/RegOrImm.
  RegOrMem,
  Any,  // RegOrMem, and a constant that fits a sign-extended imm32 stays an immediate
};
struct InCons {
  InKind kind = InKind::Ignore;
  HReg fixed = kNoReg;
};

enum class OutKind : uint8_t {
  None,
  NewReg,   // a register distinct from every input
  Overlap,  // like NewReg, but may reuse a dying input's register (op reads all inputs first)
  Alias,    // x86 two-operand form: the output starts as a copy of input `alias`
  Fixed,    // exactly `out_fixed`
};

struct Constraints {
  std::array<InCons, kMaxArgs> in{};
  OutKind out = OutKind::None;
  uint8_t alias = 0;
  HReg out_fixed = kNoReg;
  RegMask clobbers = 0;  // registers the op overwrites besides its output
  uint8_t gpr_temps = 0;
  uint8_t xmm_temps = 0;
};

// A placed operand: an immediate, a host register, or (RegOrMem/Any) memory at [mem_base + mem_disp].
// (Fields ordered for size: 32 bytes, six of them in every Assigned.)
struct Opnd {
  uint64_t imm = 0;
  HReg reg = kNoReg;
  HReg mem_base = kNoReg;  // rbp (an env field) or rsp (a spill slot)
  int32_t mem_disp = 0;
  int32_t addr_disp = 0;  // a folded guest address (see RegAlloc::folded): reg + addr_disp
  Type type = Type::Void;
  bool is_imm = false;
  bool is_mem = false;
  uint32_t imm32() const { return uint32_t(imm); }
  static Opnd in_reg(HReg r, Type t) {
    Opnd o;
    o.reg = r;
    o.type = t;
    return o;
  }
  static Opnd immediate(uint64_t v, Type t) {
    Opnd o;
    o.imm = v;
    o.type = t;
    o.is_imm = true;
    return o;
  }
};

struct Assigned {
  std::array<Opnd, kMaxArgs> in{};
  HReg out = kNoReg;
  std::array<HReg, 4> tmp{kNoReg, kNoReg, kNoReg, kNoReg};
  std::array<HReg, 2> xtmp{kNoReg, kNoReg};
};

class RegAlloc {
 public:
  // fold_addresses: an I64 `Add base, imm32` used only as the address of plain loads and stores
  // is not computed; those accesses use [guest_base + base + imm] in linux-user, and the soft-MMU
  // probe and [base + addend + imm] in system mode (see folded()).
  RegAlloc(BlockAssembler& code, const Block& block, bool fold_addresses = false);

  // Places the operands of instruction `index` according to `c` and allocates its output.
  Assigned assign(size_t index, const Inst& inst, const Constraints& c);
  // Releases the registers and slots of values whose last use is `index` (call after emitting).
  void finish(size_t index, const Inst& inst);

  // In-block control flow: store every value live after `index` to its slot; forget_registers()
  // then makes memory the only location (the state every path agrees on at a label).
  void sync_live(size_t index);
  void forget_registers();

  // Helper calls: moves or spills values that live past `index` out of caller-saved registers and
  // loads the arguments into the SysV argument registers (rdi = env).
  void prepare_call(size_t index, const Inst& inst, const HReg* arg_regs, int num_args);
  // After the call: caller-saved registers hold garbage; binds the result (rax, or xmm0 for floats).
  void after_call(size_t index, const Inst& inst);

  // Emits a load of a constant into a GPR.
  void load_imm(HReg r, Type t, uint64_t v);
  // Emits a copy between registers of the same class.
  void move(Type t, HReg dst, HReg src);
  // Copies an operand (immediate or register, any location) of type t into register dst.
  void load_value_copy(HReg dst, const Arg& a);
  // Type of an operand.
  Type arg_type(const Arg& a) const { return a.is_value() ? block_[a.value].type : a.type; }

  bool fits_imm32(const Arg& a) const;

  // The x86 memory operand of an Opnd placed in memory, sized by its type.
  Xbyak::Address mem_operand(const Opnd& o) const;

  // GetState values whose env field is not written (SetState, helper calls) before their last
  // use need no load at the GetState: their home is the env field itself, so they are loaded
  // lazily (or used as memory operands) and evicting them never stores anything.
  bool env_backed(ValueId v) const { return vals_[v].env_off >= 0; }
  // Defines an env-backed GetState value without emitting code.
  void define_in_env(ValueId v);

  // An address folded into its accesses' x86 addressing mode: its Add emits nothing, the
  // accesses' address operand is the base's register with Opnd::addr_disp, and the base lives
  // until the last access.
  bool folded(ValueId v) const { return vals_[v].fold_base != kNoValue; }

  // The fault-state entries (Block::fault_state) of the memory op at `index` (asked several
  // times per op: assign, the site record, finish; the last answer is kept).
  std::span<const FaultStateEntry> fault_entries(size_t index) const {
    if (block_.fault_state.empty()) return {};
    if (index == fs_index_) return fs_answer_;
    return find_fault_entries(index);
  }
  // Where an operand's current value is: a register, env (an env-backed value), a spill slot
  // (disp from rsp) or an immediate. For the per-site fault-state records.
  struct Location {
    enum Kind : uint8_t { Reg, Slot, Env, Imm } kind = Imm;
    HReg reg = kNoReg;
    int32_t disp = 0;
    uint64_t imm = 0;
  };
  Location location(const Arg& a) const;

  // A value's locations (public for the per-thread storage in regalloc.cpp).
  struct ValState {
    HReg reg = kNoReg;
    int slot = -1;
    bool mem_valid = false;
    bool fold_candidate = false;  // an address Add considered for folding (even if not folded)
    uint32_t last_use = 0;
    int32_t env_off = -1;          // env-backed (see env_backed): the memory copy is [rbp + env_off]
    ValueId fold_base = kNoValue;  // folded (see folded()): base + fold_disp
    int32_t fold_disp = 0;
  };

 private:
  // Where a value's memory copy lives (its env field or its spill slot).
  Xbyak::Address mem_addr(ValueId v) const;
  void home(ValueId v, HReg& base, int32_t& disp) const;  // the same as [base + disp]
  std::span<const FaultStateEntry> find_fault_entries(size_t index) const;
  void compute_env_backing();
  bool is_fold_candidate(const Inst& inst) const;
  static bool plain_access_address(const Inst& inst, int k);
  // `inst` with a folded address operand replaced by its base (else `inst` itself; the copy is
  // valid until the next call).
  const Inst& unfold(const Inst& inst);

  Type type_of(ValueId v) const { return block_[v].type; }
  static bool wants_xmm(Type t) { return !is_int(t); }
  Xbyak::Address slot_addr(int slot, Type t) const;
  void ensure_slot(ValueId v);
  void free_slot(ValueId v);
  void store_to_slot(ValueId v);
  void sync(ValueId v);
  void spill(ValueId v);  // sync and release the register
  void bind(ValueId v, HReg r);
  void release(HReg r);
  // A free register of the class (evicting the least urgent value if needed), not in `exclude`.
  HReg alloc_reg(bool xmm, RegMask exclude);
  // Moves the owner of r elsewhere (another register if one is free, else its slot).
  void relocate(HReg r, RegMask exclude);

  BlockAssembler& code_;
  const Block& block_;
  // Per value: the thread's storage, reused from block to block (a raw pointer into it: one
  // indirection less than the vector on every access).
  ValState* vals_;
  std::array<ValueId, 32> owner_;
  std::array<uint64_t, kSpillSlots / 64> slot_used_{};  // a bit per spill slot
  RegMask locked_ = 0;
  size_t cur_ = 0;
  mutable size_t fs_cursor_ = 0;  // fault_entries: first entry of the last site asked about
  mutable size_t fs_index_ = ~size_t(0);
  mutable std::span<const FaultStateEntry> fs_answer_;
  Inst unfolded_;  // unfold()'s copy
};

}  // namespace mimic::tcg::x86_64
