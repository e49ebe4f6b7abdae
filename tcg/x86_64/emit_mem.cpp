// x86-64 emitters for guest memory: loads, stores, atomics and fences; [guest_base + addr] in
// linux-user, the inline soft-TLB probe with an out-of-line slow path in system mode.
#include "tcg/exec/softmmu.h"
#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
using Xbyak::Reg32e;

Xbyak::Address sized(Ctx& ctx, const Xbyak::RegExp& m, unsigned size_log2) {
  switch (size_log2) {
    case 0: return ctx.code.byte[m];
    case 1: return ctx.code.word[m];
    case 2: return ctx.code.dword[m];
    case 3: return ctx.code.qword[m];
    default: return ctx.code.xword[m];
  }
}

Xbyak::Reg sized_reg(HReg r, unsigned size_log2) {
  switch (size_log2) {
    case 0: return gpr8(r);
    case 1: return gpr16(r);
    case 2: return gpr32(r);
    default: return gpr64(r);
  }
}

// Zero- or sign-extends the low bytes of r to 64 bits (for comparisons at full width).
void extend64(Xbyak::CodeGenerator& code, HReg r, unsigned size_log2, bool is_signed) {
  extend_in_place(code, r, Type::I64, size_log2, is_signed);
}

constexpr uint32_t kArg0 = offsetof(CpuBase, mem_args), kArg1 = kArg0 + 8, kArg2 = kArg0 + 16;

// Slow path result (mem_args[0], already extended to 64 bits as the MemOp says) into d.
void load_slow_result(Ctx& ctx, HReg d, Type t, unsigned lg) {
  auto& code = ctx.code;
  auto src = code.rbp + kArg0;
  if (is_int(t)) {
    if (t == Type::I64)
      code.mov(gpr64(d), code.qword[src]);
    else
      code.mov(gpr32(d), code.dword[src]);
  } else if (lg == 4) {
    code.movdqu(xmm(d), code.xword[src]);
  } else if (lg == 3) {
    code.movq(xmm(d), code.qword[src]);
  } else {
    code.movd(xmm(d), code.dword[src]);
  }
}

// An integer operand (register or immediate of type `t`) into mem_args at `off`, zero-extended.
void store_slow_int(Ctx& ctx, uint32_t off, const Opnd& v) {
  auto& code = ctx.code;
  if (!v.is_imm) {
    code.mov(code.qword[code.rbp + off], gpr64(v.reg));
    return;
  }
  ctx.store_env_imm64(off, v.type == Type::I64 ? v.imm : uint64_t(v.imm32()));
}
}  // namespace

void emit_Load(Ctx& ctx, const Inst& inst) {
  uint64_t memop = inst.args[1].imm;
  unsigned lg = MemOp::size_log2(memop);
  bool sign = MemOp::is_signed(memop);
  Constraints c;
  c.in[0].kind = ctx.addr_kind();
  c.out = OutKind::Overlap;  // the address is consumed by the load that writes the output
  c.gpr_temps = ctx.mem_temps();
  Assigned a = ctx.assign(inst, c);
  ctx.check_alignment(a.in[0], memop);
  auto& code = ctx.code;
  Xbyak::Label* slow;
  Xbyak::RegExp m = ctx.guest_mem(a.in[0], a.tmp[0], memop, false, &slow);
  HReg d = a.out;
  Type t = inst.type;
  struct SlowLoad {
    Ctx& ctx;
    Xbyak::Label* slow;
    const Opnd& addr;
    uint64_t memop;
    HReg d;
    Type t;
    unsigned lg;
    ~SlowLoad() {
      ctx.slow_path(slow, addr, slow_desc(SlowOp::Load, uint32_t(memop)), nullptr,
                    [c = &ctx, d = d, t = t, lg = lg] { load_slow_result(*c, d, t, lg); });
    }
  } after{ctx, slow, a.in[0], memop, d, t, lg};
  if (is_int(t)) {
    switch (lg) {
      case 0: sign ? code.movsx(gpr(d, t), code.byte[m]) : code.movzx(gpr32(d), code.byte[m]); break;
      case 1: sign ? code.movsx(gpr(d, t), code.word[m]) : code.movzx(gpr32(d), code.word[m]); break;
      case 2:
        if (sign && t == Type::I64)
          code.movsxd(gpr64(d), code.dword[m]);
        else
          code.mov(gpr32(d), code.dword[m]);
        break;
      case 3:
        if (t == Type::I64)
          code.mov(gpr64(d), code.qword[m]);
        else
          code.mov(gpr32(d), code.dword[m]);  // little-endian: the low half
        break;
      default: unsupported(inst, "16-byte load into an integer");
    }
    return;
  }
  if (t == Type::F32 && lg == 2)
    code.movss(xmm(d), code.dword[m]);
  else if (t == Type::F64 && lg == 3)
    code.movsd(xmm(d), code.qword[m]);
  else if (t == Type::V128 && lg == 4)
    code.movdqu(xmm(d), code.xword[m]);
  else if (t == Type::V128 && lg == 3)
    code.movq(xmm(d), code.qword[m]);
  else if (t == Type::V128 && lg == 2)
    code.movd(xmm(d), code.dword[m]);
  else
    unsupported(inst, "load size for this float/vector type");
}

void emit_Store(Ctx& ctx, const Inst& inst) {
  uint64_t memop = inst.args[2].imm;
  unsigned lg = MemOp::size_log2(memop);
  Constraints c;
  c.in[0].kind = ctx.addr_kind();
  c.in[1].kind = InKind::RegOrImm;
  c.gpr_temps = ctx.mem_temps();
  Assigned a = ctx.assign(inst, c);
  ctx.check_alignment(a.in[0], memop);
  auto& code = ctx.code;
  Xbyak::Label* slow;
  Xbyak::RegExp m = ctx.guest_mem(a.in[0], a.tmp[0], memop, true, &slow);
  const Opnd& v = a.in[1];
  struct SlowStore {
    Ctx& ctx;
    Xbyak::Label* slow;
    const Opnd& addr;
    Opnd v;
    uint64_t memop;
    ~SlowStore() {
      ctx.slow_path(
          slow, addr, slow_desc(SlowOp::Store, uint32_t(memop)),
          [c = &ctx, v = v] {
            if (is_int(v.type))
              store_slow_int(*c, kArg1, v);
            else
              c->code.movdqu(c->code.xword[c->code.rbp + kArg1], xmm(v.reg));
          },
          nullptr);
    }
  } after{ctx, slow, a.in[0], v, memop};
  if (is_int(v.type)) {
    if (lg > 3) unsupported(inst, "16-byte store of an integer");
    if (!v.is_imm) {
      code.mov(sized(ctx, m, lg), sized_reg(v.reg, lg));  // I32 values are zero-extended for 8-byte stores
      return;
    }
    uint64_t x = v.type == Type::I64 ? v.imm : uint64_t(v.imm32());
    if (lg < 3) {
      code.mov(sized(ctx, m, lg), x & (lg == 0 ? 0xff : lg == 1 ? 0xffff : 0xffffffff));
    } else if (int64_t(x) == int64_t(int32_t(x))) {
      code.mov(code.qword[m], x);
    } else {
      code.mov(code.r11, x);
      code.mov(code.qword[m], code.r11);
    }
    return;
  }
  auto x = xmm(v.reg);
  switch (lg) {
    case 2: code.movss(code.dword[m], x); break;
    case 3: code.movsd(code.qword[m], x); break;
    case 4: code.movdqu(code.xword[m], x); break;
    default: unsupported(inst, "1- or 2-byte store of a float/vector value");
  }
}

void emit_AtomicCas(Ctx& ctx, const Inst& inst) {
  uint64_t memop = inst.args[3].imm;
  unsigned lg = MemOp::size_log2(memop);
  if (lg > 3) unsupported(inst, "16-byte compare-and-swap");
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.in[1] = InCons{InKind::Fixed, kRax};  // cmpxchg compares with and returns in rax
  c.in[2].kind = InKind::Reg;
  c.out = OutKind::Fixed;
  c.out_fixed = kRax;
  c.gpr_temps = ctx.mem_temps();
  if (ctx.softmmu) c.in[0].kind = InKind::Reg;
  Assigned a = ctx.assign(inst, c);
  ctx.check_alignment(a.in[0], memop);
  auto& code = ctx.code;
  Xbyak::Label* slow;
  Xbyak::RegExp m = ctx.guest_mem(a.in[0], a.tmp[0], memop, true, &slow);
  code.lock();
  code.cmpxchg(sized(ctx, m, lg), sized_reg(a.in[2].reg, lg));
  ctx.slow_path(
      slow, a.in[0], slow_desc(SlowOp::Cas, uint32_t(memop)),
      [c = &ctx, exp = a.in[1], des = a.in[2]] {
        store_slow_int(*c, kArg1, exp);
        store_slow_int(*c, kArg2, des);
      },
      [c = &ctx, t = inst.type] { load_slow_result(*c, kRax, t, 3); });
  extend_in_place(code, kRax, inst.type, lg, MemOp::is_signed(memop));
}

void emit_AtomicRmw(Ctx& ctx, const Inst& inst) {
  uint64_t memop = inst.args[2].imm;
  unsigned lg = MemOp::size_log2(memop);
  bool sign = MemOp::is_signed(memop);
  RmwOp op = RmwOp(inst.args[3].imm);
  if (lg > 3) unsupported(inst, "16-byte atomic read-modify-write");
  auto& code = ctx.code;
  Type t = inst.type;
  if (op == RmwOp::Xchg || op == RmwOp::Add) {
    Constraints c;
    c.in[0].kind = ctx.addr_kind();
    c.in[1].kind = InKind::RegOrImm;
    c.out = OutKind::NewReg;
    c.gpr_temps = ctx.mem_temps();
    Assigned a = ctx.assign(inst, c);
    ctx.check_alignment(a.in[0], memop);
    Xbyak::Label* slow;
    Xbyak::RegExp m = ctx.guest_mem(a.in[0], a.tmp[0], memop, true, &slow);
    if (a.in[1].is_imm)
      ctx.ra.load_imm(a.out, t, a.in[1].imm);
    else
      code.mov(gpr64(a.out), gpr64(a.in[1].reg));
    if (op == RmwOp::Xchg) {
      code.xchg(sized(ctx, m, lg), sized_reg(a.out, lg));  // xchg with memory is implicitly locked
    } else {
      code.lock();
      code.xadd(sized(ctx, m, lg), sized_reg(a.out, lg));
    }
    ctx.slow_path(
        slow, a.in[0], slow_desc(SlowOp::Rmw, uint32_t(memop), uint32_t(op)),
        [c = &ctx, v = a.in[1]] { store_slow_int(*c, kArg1, v); },
        [c = &ctx, d = a.out, t] { load_slow_result(*c, d, t, 3); });
    extend_in_place(code, a.out, t, lg, sign);
    return;
  }
  // and/or/xor/min/max: a compare-exchange loop on the old value in rax.
  Constraints c;
  c.in[0].kind = InKind::RegOrImm;
  c.in[1].kind = InKind::Reg;
  c.clobbers = bit(kRax);
  c.out = OutKind::Fixed;
  c.out_fixed = kRax;
  c.gpr_temps = 1 + ctx.mem_temps();
  if (ctx.softmmu) c.in[0].kind = InKind::Reg;
  Assigned a = ctx.assign(inst, c);
  ctx.check_alignment(a.in[0], memop);
  Xbyak::Label* slow;
  Xbyak::RegExp m = ctx.guest_mem(a.in[0], a.tmp[1], memop, true, &slow);
  auto tmp = gpr64(a.tmp[0]);
  auto val = gpr64(a.in[1].reg);
  if (lg < 2)
    code.movzx(code.eax, sized(ctx, m, lg));
  else
    code.mov(sized_reg(kRax, lg), sized(ctx, m, lg));
  Xbyak::Label retry;
  code.L(retry);
  code.mov(tmp, code.rax);
  switch (op) {
    case RmwOp::And: code.and_(tmp, val); break;
    case RmwOp::Or: code.or_(tmp, val); break;
    case RmwOp::Xor: code.xor_(tmp, val); break;
    case RmwOp::SMin:
    case RmwOp::SMax:
    case RmwOp::UMin:
    case RmwOp::UMax: {
      bool s = op == RmwOp::SMin || op == RmwOp::SMax;
      extend64(code, a.tmp[0], lg, s);
      code.mov(code.r11, val);
      extend64(code, kScratch, lg, s);
      code.cmp(tmp, code.r11);
      // Replace the old value when the operand is the better one.
      X86Cond cc = op == RmwOp::SMin   ? X86Cond::G
                   : op == RmwOp::SMax ? X86Cond::L
                   : op == RmwOp::UMin ? X86Cond::A
                                       : X86Cond::B;
      emit_cmov(code, cc, tmp, code.r11);
      break;
    }
    default: unsupported(inst, "read-modify-write operation");
  }
  code.lock();
  code.cmpxchg(sized(ctx, m, lg), sized_reg(a.tmp[0], lg));
  code.jne(retry);
  ctx.slow_path(
      slow, a.in[0], slow_desc(SlowOp::Rmw, uint32_t(memop), uint32_t(op)),
      [c = &ctx, v = a.in[1]] { store_slow_int(*c, kArg1, v); }, [c = &ctx, t] { load_slow_result(*c, kRax, t, 3); });
  extend_in_place(code, kRax, t, lg, sign);
}

void emit_Fence(Ctx& ctx, const Inst& inst) {
  // x86 is TSO: only a full barrier (store-load ordering) needs an instruction.
  if (FenceKind(inst.args[0].imm) == FenceKind::Full) ctx.code.mfence();
}

}  // namespace mimic::tcg::x86_64
