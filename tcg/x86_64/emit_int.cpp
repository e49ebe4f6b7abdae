// x86-64 emitters for integer arithmetic, logic, shifts, bit fields and comparisons.
#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
using Xbyak::Reg32e;

unsigned width(Type t) { return t == Type::I64 ? 64 : 32; }

Constraints two_operand(InKind in1 = InKind::RegOrImm) {
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.in[1].kind = in1;
  c.out = OutKind::Alias;
  c.alias = 0;
  return c;
}

// Commutative ops put a constant first operand second so it can stay an immediate.
Inst canonical_commutative(const Inst& inst) {
  Inst x = inst;
  if (x.args[0].is_imm() && x.args[1].is_value()) std::swap(x.args[0], x.args[1]);
  return x;
}

// dst op= src for the x86 ALU group (add/sub/and/or/xor/adc/sbb/cmp) with reg or imm32 src.
template <typename F>
void alu(Ctx& ctx, const Inst& inst, bool commutative, F op) {
  Inst x = commutative ? canonical_commutative(inst) : inst;
  Assigned a = ctx.assign(x, two_operand(InKind::Any));
  Reg32e d = gpr(a.out, inst.type);
  if (a.in[1].is_imm)
    op(d, a.in[1].imm32());
  else if (a.in[1].is_mem)
    op(d, ctx.ra.mem_operand(a.in[1]));
  else
    op(d, gpr(a.in[1].reg, inst.type));
}

// CF = A2 & 1 ahead of adc/sbb.
void load_carry(Ctx& ctx, const Opnd& c) {
  if (c.is_imm)
    (c.imm & 1) ? ctx.code.stc() : ctx.code.clc();
  else
    ctx.code.bt(gpr(c.reg, c.type), 0);
}

enum class CarryOut { Value, Carry, Overflow };
void add_sub_carry(Ctx& ctx, const Inst& inst, bool sub, CarryOut what) {
  Constraints c = two_operand();
  c.in[2].kind = InKind::RegOrImm;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  Reg32e d = gpr(a.out, inst.type);
  load_carry(ctx, a.in[2]);
  if (a.in[1].is_imm)
    sub ? code.sbb(d, a.in[1].imm32()) : code.adc(d, a.in[1].imm32());
  else
    sub ? code.sbb(d, gpr(a.in[1].reg, inst.type)) : code.adc(d, gpr(a.in[1].reg, inst.type));
  if (what == CarryOut::Value) return;
  emit_setcc(code, what == CarryOut::Carry ? X86Cond::B : X86Cond::O, gpr8(a.out));
  code.movzx(gpr32(a.out), gpr8(a.out));
}

enum class DivKind { DivS, DivU, RemS, RemU };
void emit_div(Ctx& ctx, const Inst& inst, DivKind k) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.clobbers = bit(kRax) | bit(kRdx);
  c.out = OutKind::Fixed;
  bool rem = k == DivKind::RemS || k == DivKind::RemU;
  c.out_fixed = rem ? kRdx : kRax;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  Type t = inst.type;
  Reg32e x = gpr(a.in[0].reg, t), y = gpr(a.in[1].reg, t);
  Reg32e rax = gpr(kRax, t), rdx = gpr(kRdx, t);
  Xbyak::Label zero, done, normal;
  code.mov(rax, x);
  code.test(y, y);
  code.jz(zero);
  if (k == DivKind::DivS || k == DivKind::RemS) {
    // x / -1 is -x (wrapping, so MIN / -1 = MIN) and x % -1 is 0: idiv would trap on MIN / -1.
    code.cmp(y, uint32_t(-1));
    code.jne(normal);
    if (k == DivKind::DivS)
      code.neg(rax);
    else
      code.xor_(gpr32(kRdx), gpr32(kRdx));
    code.jmp(done);
    code.L(normal);
    t == Type::I64 ? code.cqo() : code.cdq();
    code.idiv(y);
  } else {
    code.xor_(gpr32(kRdx), gpr32(kRdx));
    code.div(y);
  }
  code.jmp(done);
  code.L(zero);
  if (rem)
    code.mov(rdx, x);  // x % 0 = x
  else
    ctx.ra.load_imm(kRax, t, ~0ull);  // x / 0 = all ones
  code.L(done);
  if (t == Type::I32) code.mov(gpr32(c.out_fixed), gpr32(c.out_fixed));
}

enum class MulHi { S, U, SU };
void emit_mulh(Ctx& ctx, const Inst& inst, MulHi k) {
  auto& code = ctx.code;
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  if (inst.type == Type::I32) {
    // The 64-bit product of two extended 32-bit values holds the whole result.
    c.out = OutKind::NewReg;
    c.gpr_temps = 1;
    Assigned a = ctx.assign(inst, c);
    auto d = gpr64(a.out), t = gpr64(a.tmp[0]);
    if (k == MulHi::U)
      code.mov(gpr32(a.out), gpr32(a.in[0].reg));
    else
      code.movsxd(d, gpr32(a.in[0].reg));
    if (k == MulHi::S)
      code.movsxd(t, gpr32(a.in[1].reg));
    else
      code.mov(gpr32(a.tmp[0]), gpr32(a.in[1].reg));
    code.imul(d, t);
    code.shr(d, 32);
    return;
  }
  c.clobbers = bit(kRax) | bit(kRdx);
  c.out = OutKind::Fixed;
  c.out_fixed = kRdx;
  if (k == MulHi::SU) c.gpr_temps = 1;
  Assigned a = ctx.assign(inst, c);
  auto x = gpr64(a.in[0].reg), y = gpr64(a.in[1].reg);
  code.mov(code.rax, x);
  if (k == MulHi::S) {
    code.imul(y);
    return;
  }
  code.mul(y);
  if (k == MulHi::SU) {
    // signed x * unsigned y = unsigned product - (x < 0 ? y << 64 : 0)
    auto t = gpr64(a.tmp[0]);
    code.mov(t, x);
    code.sar(t, 63);
    code.and_(t, y);
    code.sub(code.rdx, t);
  }
}

enum class ShiftKind { Shl, Shr, Sar, Rotl, Rotr };
void emit_shift(Ctx& ctx, const Inst& inst, ShiftKind k) {
  auto& code = ctx.code;
  Type t = inst.type;
  auto shift_by = [&](const Reg32e& d, const auto& amount) {
    switch (k) {
      case ShiftKind::Shl: code.shl(d, amount); break;
      case ShiftKind::Shr: code.shr(d, amount); break;
      case ShiftKind::Sar: code.sar(d, amount); break;
      case ShiftKind::Rotl: code.rol(d, amount); break;
      case ShiftKind::Rotr: code.ror(d, amount); break;
    }
  };
  bool rotate = k == ShiftKind::Rotl || k == ShiftKind::Rotr;
  if (inst.args[1].is_imm()) {
    int amount = int(inst.args[1].imm & (width(t) - 1));
    // Three-operand forms when the input stays live (no copy first): rorx for rotates (BMI2),
    // lea for a left shift by 1-3 (address scaling: `lsl x3, x12, #2`).
    if (amount && inst.args[0].is_value() && ((rotate && ctx.use_bmi2) || (k == ShiftKind::Shl && amount <= 3))) {
      Constraints c;
      c.in[0].kind = InKind::Reg;
      c.out = OutKind::Overlap;
      Assigned a = ctx.assign(inst, c);
      Reg32e d = gpr(a.out, t), x = gpr(a.in[0].reg, t);
      if (rotate)
        code.rorx(d, x, uint8_t(k == ShiftKind::Rotr ? amount : int(width(t)) - amount));
      else if (a.out == a.in[0].reg)
        code.shl(d, amount);
      else
        code.lea(d, code.ptr[gpr64(a.in[0].reg) * (1 << amount)]);
      return;
    }
    Constraints c;
    c.in[0].kind = InKind::RegOrImm;
    c.out = OutKind::Alias;
    Assigned a = ctx.assign(inst, c);
    if (amount) shift_by(gpr(a.out, t), amount);
    return;
  }
  if (ctx.use_bmi2 && !rotate) {
    // shlx/shrx/sarx mask the count by the operand width, as the IR wants.
    Constraints c;
    c.in[0].kind = InKind::Reg;
    c.in[1].kind = InKind::Reg;
    c.out = OutKind::Overlap;
    Assigned a = ctx.assign(inst, c);
    Reg32e d = gpr(a.out, t), x = gpr(a.in[0].reg, t), n = gpr(a.in[1].reg, t);
    if (k == ShiftKind::Shl) code.shlx(d, x, n);
    if (k == ShiftKind::Shr) code.shrx(d, x, n);
    if (k == ShiftKind::Sar) code.sarx(d, x, n);
    return;
  }
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.in[1] = InCons{InKind::Fixed, kRcx};
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  shift_by(gpr(a.out, t), code.cl);  // x86 masks cl by the operand width
}

// dst &= imm or dst |= imm for a 64-bit constant of any size (through r11 when not imm32).
template <typename F>
void op_wide_imm(Ctx& ctx, Type t, const Reg32e& d, uint64_t v, F op) {
  if (t == Type::I32 || int64_t(v) == int64_t(int32_t(v))) {
    op(d, uint32_t(v));
  } else {
    ctx.code.mov(ctx.code.r11, v);
    op(d, ctx.code.r11);
  }
}

uint64_t low_mask(unsigned len) { return len >= 64 ? ~0ull : (1ull << len) - 1; }
}  // namespace

void emit_Add(Ctx& ctx, const Inst& inst) {
  if (ctx.ra.folded(ValueId(ctx.index))) return;  // computed by its accesses' addressing mode
  alu(ctx, inst, true, [&](const Reg32e& d, const auto& s) { ctx.code.add(d, s); });
}
void emit_Sub(Ctx& ctx, const Inst& inst) {
  alu(ctx, inst, false, [&](const Reg32e& d, const auto& s) { ctx.code.sub(d, s); });
}
void emit_And(Ctx& ctx, const Inst& inst) {
  alu(ctx, inst, true, [&](const Reg32e& d, const auto& s) { ctx.code.and_(d, s); });
}
void emit_Or(Ctx& ctx, const Inst& inst) {
  alu(ctx, inst, true, [&](const Reg32e& d, const auto& s) { ctx.code.or_(d, s); });
}
void emit_Xor(Ctx& ctx, const Inst& inst) {
  alu(ctx, inst, true, [&](const Reg32e& d, const auto& s) { ctx.code.xor_(d, s); });
}

void emit_Neg(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  ctx.code.neg(gpr(a.out, inst.type));
}

void emit_Not(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  ctx.code.not_(gpr(a.out, inst.type));
}

void emit_Mul(Ctx& ctx, const Inst& inst) {
  Inst x = canonical_commutative(inst);
  Assigned a = ctx.assign(x, two_operand(InKind::Any));
  Reg32e d = gpr(a.out, inst.type);
  if (a.in[1].is_imm)
    ctx.code.imul(d, d, int(int32_t(a.in[1].imm)));
  else if (a.in[1].is_mem)
    ctx.code.imul(d, ctx.ra.mem_operand(a.in[1]));
  else
    ctx.code.imul(d, gpr(a.in[1].reg, inst.type));
}

void emit_MulHS(Ctx& ctx, const Inst& inst) { emit_mulh(ctx, inst, MulHi::S); }
void emit_MulHU(Ctx& ctx, const Inst& inst) { emit_mulh(ctx, inst, MulHi::U); }
void emit_MulHSU(Ctx& ctx, const Inst& inst) { emit_mulh(ctx, inst, MulHi::SU); }
void emit_DivS(Ctx& ctx, const Inst& inst) { emit_div(ctx, inst, DivKind::DivS); }
void emit_DivU(Ctx& ctx, const Inst& inst) { emit_div(ctx, inst, DivKind::DivU); }
void emit_RemS(Ctx& ctx, const Inst& inst) { emit_div(ctx, inst, DivKind::RemS); }
void emit_RemU(Ctx& ctx, const Inst& inst) { emit_div(ctx, inst, DivKind::RemU); }

void emit_AddC(Ctx& ctx, const Inst& inst) { add_sub_carry(ctx, inst, false, CarryOut::Value); }
void emit_AddCarry(Ctx& ctx, const Inst& inst) { add_sub_carry(ctx, inst, false, CarryOut::Carry); }
void emit_AddOverflow(Ctx& ctx, const Inst& inst) { add_sub_carry(ctx, inst, false, CarryOut::Overflow); }
void emit_SubB(Ctx& ctx, const Inst& inst) { add_sub_carry(ctx, inst, true, CarryOut::Value); }
void emit_SubBorrow(Ctx& ctx, const Inst& inst) { add_sub_carry(ctx, inst, true, CarryOut::Carry); }
void emit_SubOverflow(Ctx& ctx, const Inst& inst) { add_sub_carry(ctx, inst, true, CarryOut::Overflow); }

namespace {
// A0 & ~A1 or A0 | ~A1.
void emit_logic_not(Ctx& ctx, const Inst& inst, bool is_and) {
  auto& code = ctx.code;
  Type t = inst.type;
  if (is_and && ctx.use_bmi1 && !inst.args[1].is_imm()) {
    Constraints c;
    c.in[0].kind = InKind::Reg;
    c.in[1].kind = InKind::Reg;
    c.out = OutKind::Overlap;
    Assigned a = ctx.assign(inst, c);
    code.andn(gpr(a.out, t), gpr(a.in[1].reg, t), gpr(a.in[0].reg, t));
    return;
  }
  Assigned a = ctx.assign(inst, two_operand());
  Reg32e d = gpr(a.out, t);
  auto apply = [&](const Reg32e& dst, const auto& s) { is_and ? code.and_(dst, s) : code.or_(dst, s); };
  if (a.in[1].is_imm) {
    uint64_t inv = ~(t == Type::I64 ? uint64_t(int64_t(int32_t(a.in[1].imm))) : uint64_t(a.in[1].imm32()));
    if (t == Type::I32) inv &= 0xffffffffu;
    op_wide_imm(ctx, t, d, inv, apply);
    return;
  }
  Reg32e s = gpr(kScratch, t);
  code.mov(s, gpr(a.in[1].reg, t));
  code.not_(s);
  apply(d, s);
}
}  // namespace

void emit_AndC(Ctx& ctx, const Inst& inst) { emit_logic_not(ctx, inst, true); }
void emit_OrC(Ctx& ctx, const Inst& inst) { emit_logic_not(ctx, inst, false); }

void emit_Shl(Ctx& ctx, const Inst& inst) { emit_shift(ctx, inst, ShiftKind::Shl); }
void emit_Shr(Ctx& ctx, const Inst& inst) { emit_shift(ctx, inst, ShiftKind::Shr); }
void emit_Sar(Ctx& ctx, const Inst& inst) { emit_shift(ctx, inst, ShiftKind::Sar); }
void emit_Rotl(Ctx& ctx, const Inst& inst) { emit_shift(ctx, inst, ShiftKind::Rotl); }
void emit_Rotr(Ctx& ctx, const Inst& inst) { emit_shift(ctx, inst, ShiftKind::Rotr); }

namespace {
Assigned unary_overlap(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::Overlap;
  return ctx.assign(inst, c);
}

// The low `bits` of a value in memory: x86 is little-endian, so that is the field's start.
Xbyak::Address low_part(Ctx& ctx, const Opnd& o, unsigned bits) {
  Xbyak::RegExp m = gpr64(o.mem_base) + o.mem_disp;
  auto& code = ctx.code;
  return bits == 8 ? code.byte[m] : bits == 16 ? code.word[m] : bits == 32 ? code.dword[m] : code.qword[m];
}

// Whether the upper 32 bits of an integer operand are zero by the way it was computed. I32
// values are zero-extended in host registers (regalloc's invariant), so their register already
// holds their 64-bit zero extension; so does an I64 value that this says yes to.
bool high_half_zero(const Block& block, const Arg& a, int depth = 0) {
  if (a.is_imm()) return a.type == Type::I32 || (a.imm >> 32) == 0;
  if (!a.is_value()) return false;
  const Inst& d = block[a.value];
  if (d.type == Type::I32) return true;
  if (d.type != Type::I64) return false;
  switch (d.op) {
    case Opcode::ZExt: return d.args[1].imm <= 32;
    case Opcode::ZExt32To64:
    case Opcode::SetCond: return true;
    case Opcode::Extract: return d.args[2].imm <= 32;
    case Opcode::Load: return !MemOp::is_signed(d.args[1].imm) && MemOp::size_log2(d.args[1].imm) <= 2;
    case Opcode::Shr: return d.args[1].is_imm() && (d.args[1].imm & 63) >= 32;
    case Opcode::And:
      return depth < 2 && (high_half_zero(block, d.args[0], depth + 1) || high_half_zero(block, d.args[1], depth + 1));
    case Opcode::Or:
    case Opcode::Xor:
      return depth < 2 && high_half_zero(block, d.args[0], depth + 1) && high_half_zero(block, d.args[1], depth + 1);
    default: return false;
  }
}

// Extends the low `bits` (8/16/32) of input 0 to type t. An input that is only in memory (an
// env field or spill slot) is read with a narrow load instead of a load plus an extension.
// A zero extension from 32 bits of a value whose upper half is already zero, placed in its own
// register, is no instruction at all (`mov eax, eax` costs a cycle of latency: no move
// elimination for a register onto itself).
void extend_to(Ctx& ctx, const Inst& inst, Type t, unsigned bits, bool is_signed) {
  Constraints c;
  c.in[0].kind = InKind::RegOrMem;
  c.out = OutKind::Overlap;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  HReg d = a.out;
  const Opnd& in = a.in[0];
  if (in.is_mem) {
    Xbyak::Address m = low_part(ctx, in, bits);
    if (bits == 32)
      (is_signed && t == Type::I64) ? code.movsxd(gpr64(d), m) : code.mov(gpr32(d), m);
    else
      is_signed ? code.movsx(gpr(d, t), m) : code.movzx(gpr32(d), m);
    return;
  }
  HReg s = in.reg;
  if (bits == 8) {
    is_signed ? code.movsx(gpr(d, t), gpr8(s)) : code.movzx(gpr32(d), gpr8(s));
  } else if (bits == 16) {
    is_signed ? code.movsx(gpr(d, t), gpr16(s)) : code.movzx(gpr32(d), gpr16(s));
  } else if (is_signed && t == Type::I64) {
    code.movsxd(gpr64(d), gpr32(s));
  } else if (d != s || !high_half_zero(ctx.block, inst.args[0])) {
    code.mov(gpr32(d), gpr32(s));  // a 32-bit mov zero-extends
  }
}

void extend_bits(Ctx& ctx, const Inst& inst, bool is_signed) {
  unsigned bits = unsigned(inst.args[1].imm);
  if (bits != 8 && bits != 16 && bits != 32) unsupported(inst, "extension width other than 8/16/32");
  extend_to(ctx, inst, inst.type, bits, is_signed);
}
}  // namespace

void emit_ZExt(Ctx& ctx, const Inst& inst) { extend_bits(ctx, inst, false); }
void emit_SExt(Ctx& ctx, const Inst& inst) { extend_bits(ctx, inst, true); }

void emit_ZExt32To64(Ctx& ctx, const Inst& inst) { extend_to(ctx, inst, Type::I64, 32, false); }
void emit_SExt32To64(Ctx& ctx, const Inst& inst) { extend_to(ctx, inst, Type::I64, 32, true); }
void emit_Trunc64To32(Ctx& ctx, const Inst& inst) {
  if (ctx.ra.env_backed(ValueId(ctx.index))) {
    ctx.ra.define_in_env(ValueId(ctx.index));  // the low half of the GetState's env field
    return;
  }
  extend_to(ctx, inst, Type::I32, 32, false);
}

namespace {
void emit_extract(Ctx& ctx, const Inst& inst, bool is_signed) {
  Type t = inst.type;
  unsigned w = width(t), pos = unsigned(inst.args[1].imm), len = unsigned(inst.args[2].imm);
  if (len == 0 || pos + len > w) unsupported(inst, "bit field outside the value");
  if (pos == 0 && (len == 8 || len == 16 || (len == 32 && w == 64)) && inst.args[0].is_value()) {
    extend_to(ctx, inst, t, len, is_signed);
    return;
  }
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  HReg d = a.out;
  if (len == w) return;
  if (pos == 0 && (len == 8 || len == 16 || (len == 32 && w == 64))) {
    extend_in_place(code, d, t, len == 8 ? 0 : len == 16 ? 1 : 2, is_signed);
    return;
  }
  // Left-align the field, then shift it down (logical or arithmetic).
  unsigned left = w - pos - len;
  if (left) code.shl(gpr(d, t), int(left));
  is_signed ? code.sar(gpr(d, t), int(w - len)) : code.shr(gpr(d, t), int(w - len));
}
}  // namespace

void emit_Extract(Ctx& ctx, const Inst& inst) { emit_extract(ctx, inst, false); }
void emit_SExtract(Ctx& ctx, const Inst& inst) { emit_extract(ctx, inst, true); }

void emit_Deposit(Ctx& ctx, const Inst& inst) {
  Type t = inst.type;
  unsigned w = width(t), pos = unsigned(inst.args[2].imm), len = unsigned(inst.args[3].imm);
  if (len == 0 || pos + len > w) unsupported(inst, "bit field outside the value");
  auto& code = ctx.code;
  uint64_t field = low_mask(len) << pos;
  uint64_t keep = ~field & low_mask(w);
  if (inst.args[0].is_imm() && inst.args[0].imm == 0 && !inst.args[1].is_imm()) {
    // Into zero (LSL, UBFIZ, SLLI.UW): shift the field to the top, then down into place.
    Constraints z;
    z.in[1].kind = InKind::Reg;
    z.out = OutKind::Overlap;
    Assigned a = ctx.assign(inst, z);
    Reg32e d = gpr(a.out, t);
    if (pos + len == w && pos >= 1 && pos <= 3 && a.out != a.in[1].reg) {
      code.lea(d, code.ptr[gpr64(a.in[1].reg) * (1 << pos)]);  // LSL #1-3 without a copy first
      return;
    }
    if (a.out != a.in[1].reg) code.mov(d, gpr(a.in[1].reg, t));
    if (pos + len < w) {
      code.shl(d, int(w - len));
      code.shr(d, int(w - len - pos));
    } else if (pos) {
      code.shl(d, int(pos));
    }
    return;
  }
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.in[1].kind = InKind::RegOrImm;
  c.out = OutKind::Alias;
  c.gpr_temps = 1;
  Assigned a = ctx.assign(inst, c);
  Reg32e d = gpr(a.out, t);
  auto and_op = [&](const Reg32e& x, const auto& s) { code.and_(x, s); };
  auto or_op = [&](const Reg32e& x, const auto& s) { code.or_(x, s); };
  if (a.in[1].is_imm) {
    uint64_t v = t == Type::I64 ? uint64_t(int64_t(int32_t(a.in[1].imm))) : uint64_t(a.in[1].imm32());
    uint64_t bits = (v << pos) & field;
    if (keep != low_mask(w)) op_wide_imm(ctx, t, d, keep, and_op);
    if (bits) op_wide_imm(ctx, t, d, bits, or_op);
    return;
  }
  // Position the field in the temp first: the source may share the output's register.
  Reg32e tmp = gpr(a.tmp[0], t);
  code.mov(tmp, gpr(a.in[1].reg, t));
  if (len < w) {
    code.shl(tmp, int(w - len));
    code.shr(tmp, int(w - len - pos));
    op_wide_imm(ctx, t, d, keep, and_op);
    code.or_(d, tmp);
  } else {
    code.mov(d, tmp);
  }
}

void emit_Bswap16(Ctx& ctx, const Inst& inst) {
  Assigned a = unary_overlap(ctx, inst);
  ctx.code.movzx(gpr32(a.out), gpr16(a.in[0].reg));
  ctx.code.rol(gpr16(a.out), 8);
}

void emit_Bswap32(Ctx& ctx, const Inst& inst) {
  Assigned a = unary_overlap(ctx, inst);
  ctx.code.mov(gpr32(a.out), gpr32(a.in[0].reg));
  ctx.code.bswap(gpr32(a.out));
}

void emit_Bswap64(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.out = OutKind::Alias;
  Assigned a = ctx.assign(inst, c);
  ctx.code.bswap(gpr64(a.out));
}

void emit_Clz(Ctx& ctx, const Inst& inst) {
  Type t = inst.type;
  unsigned w = width(t);
  auto& code = ctx.code;
  if (ctx.use_lzcnt) {
    Assigned a = unary_overlap(ctx, inst);
    code.lzcnt(gpr(a.out, t), gpr(a.in[0].reg, t));
    return;
  }
  // clz = bsr ^ (w - 1); for 0 (bsr sets ZF) choose 2w - 1 so the xor gives w.
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  Reg32e d = gpr(a.out, t);
  code.mov(code.r11d, 2 * w - 1);
  code.bsr(d, gpr(a.in[0].reg, t));
  code.cmovz(d, gpr(kScratch, t));
  code.xor_(d, w - 1);
}

void emit_Ctz(Ctx& ctx, const Inst& inst) {
  Type t = inst.type;
  auto& code = ctx.code;
  if (ctx.use_bmi1) {
    Assigned a = unary_overlap(ctx, inst);
    code.tzcnt(gpr(a.out, t), gpr(a.in[0].reg, t));
    return;
  }
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  Reg32e d = gpr(a.out, t);
  code.mov(code.r11d, width(t));
  code.bsf(d, gpr(a.in[0].reg, t));
  code.cmovz(d, gpr(kScratch, t));
}

void emit_Popcnt(Ctx& ctx, const Inst& inst) {
  if (!host_features().popcnt) unsupported(inst, "popcnt on a host without POPCNT");
  Assigned a = unary_overlap(ctx, inst);
  ctx.code.popcnt(gpr(a.out, inst.type), gpr(a.in[0].reg, inst.type));
}

void emit_SetCond(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::RegOrMem;
  c.in[1].kind = InKind::Any;
  c.out = OutKind::Overlap;  // cmp reads both inputs before setcc writes
  Assigned a = ctx.assign(inst, c);
  Cond cond = Cond(inst.args[2].imm);
  emit_compare(ctx, cond, ctx.arg_type(inst.args[0]), a.in[0], a.in[1]);
  emit_setcc(ctx.code, x86_cond(cond), gpr8(a.out));
  ctx.code.movzx(gpr32(a.out), gpr8(a.out));
}

void emit_Select(Ctx& ctx, const Inst& inst) {
  auto& code = ctx.code;
  bool int_result = is_int(inst.type);
  if (inst.args[0].is_imm()) {
    // Constant condition: the op is a copy of one side.
    Constraints c;
    uint8_t k = inst.args[0].imm ? 1 : 2;
    c.in[k].kind = int_result ? InKind::RegOrImm : InKind::Reg;
    c.out = OutKind::Alias;
    c.alias = k;
    ctx.assign(inst, c);
    return;
  }
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::Reg;
  c.in[2].kind = int_result ? InKind::RegOrImm : InKind::Reg;
  c.out = OutKind::Alias;
  c.alias = 2;
  Assigned a = ctx.assign(inst, c);
  Type ct = ctx.arg_type(inst.args[0]);
  code.test(gpr(a.in[0].reg, ct), gpr(a.in[0].reg, ct));
  if (int_result) {
    code.cmovne(gpr(a.out, inst.type), gpr(a.in[1].reg, inst.type));
    return;
  }
  Xbyak::Label skip;
  code.jz(skip);
  code.movaps(xmm(a.out), xmm(a.in[1].reg));
  code.L(skip);
}

}  // namespace mimic::tcg::x86_64
