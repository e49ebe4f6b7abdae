// IRBuilder: the emitter API that frontends and tests use to append IR to a Block.
//
// Frontends never construct Inst by hand; they call these methods. Every method returns the
// result as an Arg (a value reference), which can be passed straight back into other calls.
// Integer immediates are made with imm32()/imm64(); the builder keeps their type so that
// polymorphic ops (Add on I32 or I64) infer the instruction type from their operands.
#pragma once

#include <initializer_list>
#include <stdexcept>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

class IRBuilder {
 public:
  explicit IRBuilder(Block& block) : block_(block) {}
  Block& block() { return block_; }

  // ---- constants and labels ----
  static Arg imm32(uint32_t v) { return Arg::constant(Type::I32, v); }
  static Arg imm64(uint64_t v) { return Arg::constant(Type::I64, v); }
  static Arg imm(Type t, uint64_t v) { return Arg::constant(t, v); }
  uint32_t new_label() { return block_.new_label(); }

  // ---- the generic emitter: everything else is a thin wrapper over this ----
  Arg emit(Opcode op, Type type, std::initializer_list<Arg> args) {
    Inst inst;
    inst.op = op;
    inst.type = type;
    inst.num_args = uint8_t(args.size());
    if (args.size() > size_t(kMaxArgs)) throw std::logic_error("IRBuilder::emit: too many operands");
    int i = 0;
    for (const Arg& a : args) inst.args[i++] = a;
    ValueId id = block_.append(inst);
    return type == Type::Void ? Arg{} : block_.value(id);
  }
  void emit_void(Opcode op, std::initializer_list<Arg> args) { emit(op, Type::Void, args); }

  // ---- guest state and markers ----
  void insn_start(uint64_t pc) {
    emit_void(Opcode::InsnStart, {imm64(pc)});
    ++block_.guest_insns;
  }
  Arg get_state(Type t, uint32_t offset) { return emit(Opcode::GetState, t, {imm32(offset)}); }
  void set_state(uint32_t offset, Arg v) { emit_void(Opcode::SetState, {imm32(offset), v}); }
  void discard_state(uint32_t offset, uint32_t size) { emit_void(Opcode::DiscardState, {imm32(offset), imm32(size)}); }
  Arg mov(Arg a) { return emit(Opcode::Mov, a.type, {a}); }

  // ---- control flow ----
  void label(uint32_t l) { emit_void(Opcode::Label, {Arg::label(l)}); }
  void br(uint32_t l) { emit_void(Opcode::Br, {Arg::label(l)}); }
  void br_cond(Cond c, Arg a, Arg b, uint32_t l) {
    emit_void(Opcode::BrCond, {a, b, imm32(uint32_t(c)), Arg::label(l)});
  }
  void goto_tb(unsigned slot, uint64_t pc) { emit_void(Opcode::GotoTb, {imm32(slot), imm64(pc)}); }
  void goto_ptr(Arg pc) { emit_void(Opcode::GotoPtr, {pc}); }
  void exit_loop(uint32_t reason, Arg pc) { emit_void(Opcode::ExitLoop, {imm32(reason), pc}); }

  // ---- integer ----
  Arg add(Arg a, Arg b) { return bin(Opcode::Add, a, b); }
  Arg sub(Arg a, Arg b) { return bin(Opcode::Sub, a, b); }
  Arg neg(Arg a) { return emit(Opcode::Neg, a.type, {a}); }
  Arg mul(Arg a, Arg b) { return bin(Opcode::Mul, a, b); }
  Arg mulhs(Arg a, Arg b) { return bin(Opcode::MulHS, a, b); }
  Arg mulhu(Arg a, Arg b) { return bin(Opcode::MulHU, a, b); }
  Arg mulhsu(Arg a, Arg b) { return bin(Opcode::MulHSU, a, b); }
  Arg divs(Arg a, Arg b) { return bin(Opcode::DivS, a, b); }
  Arg divu(Arg a, Arg b) { return bin(Opcode::DivU, a, b); }
  Arg rems(Arg a, Arg b) { return bin(Opcode::RemS, a, b); }
  Arg remu(Arg a, Arg b) { return bin(Opcode::RemU, a, b); }
  Arg addc(Arg a, Arg b, Arg c) { return emit(Opcode::AddC, a.type, {a, b, c}); }
  Arg add_carry(Arg a, Arg b, Arg c) { return emit(Opcode::AddCarry, a.type, {a, b, c}); }
  Arg add_overflow(Arg a, Arg b, Arg c) { return emit(Opcode::AddOverflow, a.type, {a, b, c}); }
  Arg subb(Arg a, Arg b, Arg c) { return emit(Opcode::SubB, a.type, {a, b, c}); }
  Arg sub_borrow(Arg a, Arg b, Arg c) { return emit(Opcode::SubBorrow, a.type, {a, b, c}); }
  Arg sub_overflow(Arg a, Arg b, Arg c) { return emit(Opcode::SubOverflow, a.type, {a, b, c}); }
  Arg and_(Arg a, Arg b) { return bin(Opcode::And, a, b); }
  Arg or_(Arg a, Arg b) { return bin(Opcode::Or, a, b); }
  Arg xor_(Arg a, Arg b) { return bin(Opcode::Xor, a, b); }
  Arg not_(Arg a) { return emit(Opcode::Not, a.type, {a}); }
  Arg andc(Arg a, Arg b) { return bin(Opcode::AndC, a, b); }
  Arg orc(Arg a, Arg b) { return bin(Opcode::OrC, a, b); }
  Arg shl(Arg a, Arg b) { return bin(Opcode::Shl, a, b); }
  Arg shr(Arg a, Arg b) { return bin(Opcode::Shr, a, b); }
  Arg sar(Arg a, Arg b) { return bin(Opcode::Sar, a, b); }
  Arg rotl(Arg a, Arg b) { return bin(Opcode::Rotl, a, b); }
  Arg rotr(Arg a, Arg b) { return bin(Opcode::Rotr, a, b); }
  Arg zext(Arg a, unsigned bits) { return emit(Opcode::ZExt, a.type, {a, imm32(bits)}); }
  Arg sext(Arg a, unsigned bits) { return emit(Opcode::SExt, a.type, {a, imm32(bits)}); }
  Arg zext32_to_64(Arg a) { return emit(Opcode::ZExt32To64, Type::I64, {a}); }
  Arg sext32_to_64(Arg a) { return emit(Opcode::SExt32To64, Type::I64, {a}); }
  Arg trunc64_to_32(Arg a) { return emit(Opcode::Trunc64To32, Type::I32, {a}); }
  Arg extract(Arg a, unsigned pos, unsigned len) { return emit(Opcode::Extract, a.type, {a, imm32(pos), imm32(len)}); }
  Arg sextract(Arg a, unsigned pos, unsigned len) {
    return emit(Opcode::SExtract, a.type, {a, imm32(pos), imm32(len)});
  }
  Arg deposit(Arg base, Arg val, unsigned pos, unsigned len) {
    return emit(Opcode::Deposit, base.type, {base, val, imm32(pos), imm32(len)});
  }
  Arg bswap16(Arg a) { return emit(Opcode::Bswap16, a.type, {a}); }
  Arg bswap32(Arg a) { return emit(Opcode::Bswap32, a.type, {a}); }
  Arg bswap64(Arg a) { return emit(Opcode::Bswap64, Type::I64, {a}); }
  Arg clz(Arg a) { return emit(Opcode::Clz, a.type, {a}); }
  Arg ctz(Arg a) { return emit(Opcode::Ctz, a.type, {a}); }
  Arg popcnt(Arg a) { return emit(Opcode::Popcnt, a.type, {a}); }
  // SetCond's result type defaults to the compared type.
  Arg setcond(Cond c, Arg a, Arg b, Type result = Type::Void) {
    return emit(Opcode::SetCond, result == Type::Void ? a.type : result, {a, b, imm32(uint32_t(c))});
  }
  Arg select(Arg cond, Arg if_true, Arg if_false) {
    return emit(Opcode::Select, if_true.type, {cond, if_true, if_false});
  }

  // ---- memory ----
  // System mode: the MMU mode of the accesses that follow, unless a MemOp names its own
  // (MemOp::with_mmu). Frontends set it from the block's tb_flags; linux-user leaves it 0.
  unsigned mem_index = 0;
  uint32_t mem(uint32_t memop) const { return memop & MemOp::kMmuExplicit ? memop : MemOp::with_mmu(memop, mem_index); }
  // Address bits the accesses that follow use (AArch64's top-byte-ignore: the frontend clears
  // the tag before the access, the register keeps it); all ones for none.
  uint64_t addr_mask = ~uint64_t(0);
  Arg vaddr(Arg addr) { return addr_mask == ~uint64_t(0) ? addr : and_(addr, imm64(addr_mask)); }
  Arg load(Type t, Arg addr, uint32_t memop) { return emit(Opcode::Load, t, {vaddr(addr), imm32(mem(memop))}); }
  void store(Arg addr, Arg value, uint32_t memop) { emit_void(Opcode::Store, {vaddr(addr), value, imm32(mem(memop))}); }
  Arg atomic_cas(Arg addr, Arg expected, Arg desired, uint32_t memop) {
    return emit(Opcode::AtomicCas, expected.type, {vaddr(addr), expected, desired, imm32(mem(memop))});
  }
  Arg atomic_rmw(RmwOp op, Arg addr, Arg value, uint32_t memop) {
    return emit(Opcode::AtomicRmw, value.type, {vaddr(addr), value, imm32(mem(memop)), imm32(uint32_t(op))});
  }
  void fence(FenceKind k) { emit_void(Opcode::Fence, {imm32(uint32_t(k))}); }

  // ---- helper calls (see tcg/helper.h) ----
  Arg call(Type result, uint32_t helper, std::initializer_list<Arg> args) {
    return call_impl(Opcode::Call, result, helper, args);
  }
  void call_void(uint32_t helper, std::initializer_list<Arg> args) {
    call_impl(Opcode::CallVoid, Type::Void, helper, args);
  }

  // ---- floating point ----
  Arg fadd(Arg a, Arg b) { return bin(Opcode::FAdd, a, b); }
  Arg fsub(Arg a, Arg b) { return bin(Opcode::FSub, a, b); }
  Arg fmul(Arg a, Arg b) { return bin(Opcode::FMul, a, b); }
  Arg fdiv(Arg a, Arg b) { return bin(Opcode::FDiv, a, b); }
  Arg fma(Arg a, Arg b, Arg c) { return emit(Opcode::FMA, a.type, {a, b, c}); }
  Arg fsqrt(Arg a) { return emit(Opcode::FSqrt, a.type, {a}); }
  Arg fneg(Arg a) { return emit(Opcode::FNeg, a.type, {a}); }
  Arg fabs(Arg a) { return emit(Opcode::FAbs, a.type, {a}); }
  Arg fcmp(FCond c, Arg a, Arg b) { return emit(Opcode::FCmp, Type::I32, {a, b, imm32(uint32_t(c))}); }
  Arg ftosi(Type to, Arg a) { return emit(Opcode::FToSI, to, {a}); }
  Arg sitof(Type to, Arg a) { return emit(Opcode::SIToF, to, {a}); }
  Arg fconv(Type to, Arg a) { return emit(Opcode::FConv, to, {a}); }
  Arg bitcast(Type to, Arg a) { return emit(Opcode::Bitcast, to, {a}); }

  // ---- vectors ----
  Arg vconst(uint64_t lo, uint64_t hi) { return emit(Opcode::VConst, Type::V128, {imm64(lo), imm64(hi)}); }
  Arg vand(Arg a, Arg b) { return emit(Opcode::VAnd, Type::V128, {a, b}); }
  Arg vor(Arg a, Arg b) { return emit(Opcode::VOr, Type::V128, {a, b}); }
  Arg vxor(Arg a, Arg b) { return emit(Opcode::VXor, Type::V128, {a, b}); }
  Arg vandc(Arg a, Arg b) { return emit(Opcode::VAndC, Type::V128, {a, b}); }
  Arg vadd(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VAdd, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vsub(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VSub, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vcmp(Cond c, Arg a, Arg b, unsigned esize_log2) {
    return emit(Opcode::VCmp, Type::V128, {a, b, imm32(uint32_t(c)), imm32(esize_log2)});
  }
  Arg vmins(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VMinS, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vminu(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VMinU, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vmaxs(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VMaxS, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vmaxu(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VMaxU, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vmul(Arg a, Arg b, unsigned esize_log2) { return emit(Opcode::VMul, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vshli(Arg a, unsigned sh, unsigned esize_log2) {
    return emit(Opcode::VShlI, Type::V128, {a, imm32(sh), imm32(esize_log2)});
  }
  Arg vshri(Arg a, unsigned sh, unsigned esize_log2) {
    return emit(Opcode::VShrI, Type::V128, {a, imm32(sh), imm32(esize_log2)});
  }
  Arg vsari(Arg a, unsigned sh, unsigned esize_log2) {
    return emit(Opcode::VSarI, Type::V128, {a, imm32(sh), imm32(esize_log2)});
  }
  Arg vnarrow(Arg a, unsigned esize_log2) { return emit(Opcode::VNarrow, Type::V128, {a, imm32(esize_log2)}); }
  Arg vzero_high(Arg a) { return emit(Opcode::VZeroHigh, Type::V128, {a}); }
  // Even (odd = false) or odd lanes of the concatenation b:a.
  Arg vuzp(Arg a, Arg b, unsigned esize_log2, bool odd) {
    return emit(Opcode::VUzp, Type::V128, {a, b, imm32(esize_log2), imm32(odd)});
  }
  Arg vwiden(Arg a, unsigned esize_log2, bool high, bool is_signed) {
    return emit(is_signed ? Opcode::VWidenS : Opcode::VWidenU, Type::V128, {a, imm32(esize_log2), imm32(high)});
  }
  // Float lanes (esize_log2 2: binary32, 3: binary64); vfma is a * b + c, fused.
  Arg vfbin(Opcode op, Arg a, Arg b, unsigned esize_log2) { return emit(op, Type::V128, {a, b, imm32(esize_log2)}); }
  Arg vfadd(Arg a, Arg b, unsigned esize_log2) { return vfbin(Opcode::VFAdd, a, b, esize_log2); }
  Arg vfsub(Arg a, Arg b, unsigned esize_log2) { return vfbin(Opcode::VFSub, a, b, esize_log2); }
  Arg vfmul(Arg a, Arg b, unsigned esize_log2) { return vfbin(Opcode::VFMul, a, b, esize_log2); }
  Arg vfdiv(Arg a, Arg b, unsigned esize_log2) { return vfbin(Opcode::VFDiv, a, b, esize_log2); }
  Arg vfma(Arg a, Arg b, Arg c, unsigned esize_log2) {
    return emit(Opcode::VFMA, Type::V128, {a, b, c, imm32(esize_log2)});
  }
  // I32 1 if any lane is a NaN or +-the smallest normal.
  Arg vfspecial(Arg a, unsigned esize_log2) { return emit(Opcode::VFSpecial, Type::I32, {a, imm32(esize_log2)}); }
  Arg vdup(Arg a, unsigned esize_log2) { return emit(Opcode::VDup, Type::V128, {a, imm32(esize_log2)}); }
  Arg vextract(Type t, Arg v, unsigned lane, unsigned esize_log2) {
    return emit(Opcode::VExtract, t, {v, imm32(lane), imm32(esize_log2)});
  }
  Arg vinsert(Arg v, Arg x, unsigned lane, unsigned esize_log2) {
    return emit(Opcode::VInsert, Type::V128, {v, x, imm32(lane), imm32(esize_log2)});
  }

 private:
  Arg bin(Opcode op, Arg a, Arg b) { return emit(op, a.type, {a, b}); }
  Arg call_impl(Opcode op, Type result, uint32_t helper, std::initializer_list<Arg> args) {
    if (args.size() > size_t(kMaxArgs - 1)) throw std::logic_error("IRBuilder::call: at most 5 helper arguments");
    Inst inst;
    inst.op = op;
    inst.type = result;
    inst.args[0] = imm32(helper);
    int i = 1;
    for (const Arg& a : args) inst.args[i++] = a;
    inst.num_args = uint8_t(i);
    ValueId id = block_.append(inst);
    return result == Type::Void ? Arg{} : block_.value(id);
  }

  Block& block_;
};

}  // namespace mimic::tcg
