// x86-64 emitters for guest state access, in-block control flow, block exits and helper calls.
#include <fmt/format.h>

#include <cstddef>

#include "tcg/helper.h"
#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
constexpr auto kNear = Xbyak::CodeGenerator::T_NEAR;

Xbyak::Label& label_of(Ctx& ctx, const Arg& a) {
  if (!a.is_label() || a.value >= ctx.labels.size())
    throw std::logic_error(fmt::format("x86_64 backend: bad label operand at instruction {}", ctx.index));
  return *ctx.labels[a.value];
}
}  // namespace

void emit_InsnStart(Ctx& ctx, const Inst& inst) {
  ctx.insn_pc = inst.args[0].imm;
  ctx.pc_map.push_back(PcMapEntry{uint32_t(ctx.code.getSize()), ctx.insn_pc});
}

void emit_GetState(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  uint32_t off = uint32_t(inst.args[0].imm);
  Xbyak::RegExp m = code.rbp + off;
  switch (inst.type) {
    case Type::I32: code.mov(gpr32(a.out), code.dword[m]); break;
    case Type::I64: code.mov(gpr64(a.out), code.qword[m]); break;
    case Type::F32: code.movss(xmm(a.out), code.dword[m]); break;
    case Type::F64: code.movsd(xmm(a.out), code.qword[m]); break;
    case Type::V128: code.movdqu(xmm(a.out), code.xword[m]); break;
    default: unsupported(inst, "state load of this type");
  }
}

void emit_SetState(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[1].kind = InKind::RegOrImm;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  Xbyak::RegExp m = code.rbp + uint32_t(inst.args[0].imm);
  const Opnd& v = a.in[1];
  switch (v.type) {
    case Type::I32:
      if (v.is_imm)
        code.mov(code.dword[m], v.imm32());
      else
        code.mov(code.dword[m], gpr32(v.reg));
      break;
    case Type::I64:
      if (v.is_imm)
        code.mov(code.qword[m], uint64_t(int64_t(int32_t(v.imm))));
      else
        code.mov(code.qword[m], gpr64(v.reg));
      break;
    case Type::F32: code.movss(code.dword[m], xmm(v.reg)); break;
    case Type::F64: code.movsd(code.qword[m], xmm(v.reg)); break;
    case Type::V128: code.movdqu(code.xword[m], xmm(v.reg)); break;
    default: unsupported(inst, "state store of this type");
  }
}

void emit_Mov(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = is_int(inst.type) ? InKind::RegOrImm : InKind::Reg;
  c.out = OutKind::Alias;  // the allocator's copy is the whole op
  ctx.assign(inst, c);
}

void emit_Label(Ctx& ctx, const Inst& inst) {
  // Every path into the label agrees on "all live values in their spill slots".
  ctx.ra.sync_live(ctx.index);
  ctx.ra.forget_registers();
  ctx.code.L(label_of(ctx, inst.args[0]));
}

void emit_Br(Ctx& ctx, const Inst& inst) {
  ctx.ra.sync_live(ctx.index);
  ctx.code.jmp(label_of(ctx, inst.args[0]), kNear);
  ctx.ra.forget_registers();
}

void emit_BrCond(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.in[1].kind = InKind::RegOrImm;
  Assigned a = ctx.assign(inst, c);
  ctx.ra.sync_live(ctx.index);  // plain stores: safe between here and the jcc
  Cond cond = Cond(inst.args[2].imm);
  emit_compare(ctx, cond, ctx.arg_type(inst.args[0]), a.in[0], a.in[1]);
  emit_jcc(ctx.code, x86_cond(cond), label_of(ctx, inst.args[3]));
  ctx.ra.forget_registers();
}

void emit_GotoTb(Ctx& ctx, const Inst& inst) {
  auto& code = ctx.code;
  unsigned slot = unsigned(inst.args[0].imm);
  uint64_t pc = inst.args[1].imm;
  if (slot > 1) unsupported(inst, "GotoTb slot other than 0/1");
  // The chainer rewrites the rel32 with one aligned 32-bit store: align the field.
  size_t pad = (4 - (code.getSize() + 1) % 4) % 4;
  if (pad) code.nop(pad);
  Xbyak::Label& stub = ctx.new_label();
  size_t jmp_off = code.getSize();
  code.jmp(stub, kNear);
  if (code.getSize() - jmp_off != 5) throw std::logic_error("x86_64 backend: GotoTb jump is not a 5-byte jmp rel32");
  ChainSlot& s = ctx.result.slots[slot];
  s.used = true;
  s.jmp_offset = uint32_t(jmp_off);
  s.target_pc = pc;
  Ctx* cp = &ctx;
  ctx.defer([cp, &stub, slot, pc] {
    auto& code = cp->code;
    code.L(stub);
    cp->result.slots[slot].reset_offset = uint32_t(code.getSize());
    cp->store_exit(pc, kNoReg, kExitChain);
    cp->store_env_imm64(offsetof(CpuBase, exit_tb), cp->tb_cookie);
    code.mov(code.dword[code.rbp + offsetof(CpuBase, exit_slot)], slot);
    cp->jmp_epilogue();
  });
}

void emit_GotoPtr(Ctx& ctx, const Inst& inst) {
  static_assert(sizeof(JumpCacheEntry) == 16 && offsetof(JumpCacheEntry, host_code) == 8);
  Constraints c;
  c.in[0].kind = InKind::Reg;
  c.gpr_temps = 1;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  auto pc = gpr64(a.in[0].reg);
  auto t = gpr64(a.tmp[0]);
  // index = ((pc >> 1) ^ (pc >> (1 + kJumpCacheBits))) & (kJumpCacheSize - 1), as jump_cache_index().
  code.mov(t, pc);
  code.shr(t, 1);
  code.mov(code.r11, pc);
  code.shr(code.r11, 1 + kJumpCacheBits);
  code.xor_(t, code.r11);
  code.and_(gpr32(a.tmp[0]), uint32_t(kJumpCacheSize - 1));
  code.shl(t, 4);
  code.add(t, code.qword[code.rbp + offsetof(CpuBase, jump_cache)]);
  Xbyak::Label miss;
  code.cmp(code.qword[t + offsetof(JumpCacheEntry, guest_pc)], pc);
  code.jne(miss);
  code.jmp(code.qword[t + offsetof(JumpCacheEntry, host_code)]);
  code.L(miss);
  ctx.store_exit(0, a.in[0].reg, kExitLookup);
  ctx.jmp_epilogue();
}

void emit_ExitLoop(Ctx& ctx, const Inst& inst) {
  Constraints c;
  bool pc_imm = inst.args[1].is_imm();
  if (!pc_imm) c.in[1].kind = InKind::Reg;
  Assigned a = ctx.assign(inst, c);
  ctx.store_exit(pc_imm ? inst.args[1].imm : 0, pc_imm ? kNoReg : a.in[1].reg, uint32_t(inst.args[0].imm));
  ctx.jmp_epilogue();
}

namespace {
void emit_call(Ctx& ctx, const Inst& inst) {
  static constexpr HReg kArgRegs[] = {kRsi, kRdx, kRcx, kR8, kR9};
  const HelperInfo& h = helper_info(uint32_t(inst.args[0].imm));
  int n = inst.num_args - 1;
  if (n > 5) unsupported(inst, "helper call with more than 5 arguments");
  ctx.ra.prepare_call(ctx.index, inst, kArgRegs, n);
  // Absolute address in a register: the code runs at a different address than it is written.
  ctx.code.mov(ctx.code.rax, reinterpret_cast<uint64_t>(h.fn));
  ctx.code.call(ctx.code.rax);
  ctx.ra.after_call(ctx.index, inst);
}
}  // namespace

void emit_Call(Ctx& ctx, const Inst& inst) { emit_call(ctx, inst); }
void emit_CallVoid(Ctx& ctx, const Inst& inst) { emit_call(ctx, inst); }

}  // namespace mimic::tcg::x86_64
