// x86-64 emitters for guest state access, in-block control flow, block exits and helper calls.
#include <fmt/format.h>

#include <cstddef>

#include "tcg/helper.h"
#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

namespace {
// The block label id of a label operand (BlockAssembler::bind_label/jcc_label).
uint32_t label_of(Ctx& ctx, const Arg& a) {
  if (!a.is_label() || a.value >= ctx.block.num_labels())
    throw std::logic_error(fmt::format("x86_64 backend: bad label operand at instruction {}", ctx.index));
  return a.value;
}
}  // namespace

void emit_InsnStart(Ctx& ctx, const Inst& inst) {
  ctx.insn_pc = inst.args[0].imm;
  ctx.pc_map.push_back(PcMapEntry{uint32_t(ctx.code.getSize()), ctx.insn_pc});
}

void emit_DiscardState(Ctx&, const Inst&) {}  // a liveness fact for the optimizer, no code

void emit_GetState(Ctx& ctx, const Inst& inst) {
  if (ctx.ra.env_backed(ValueId(ctx.index))) {
    ctx.ra.define_in_env(ValueId(ctx.index));  // loaded at (or folded into) its uses
    return;
  }
  Constraints c;
  c.out = OutKind::NewReg;
  Assigned a = ctx.assign(inst, c);
  auto& code = ctx.code;
  uint32_t off = uint32_t(inst.args[0].imm);
  if (inst.type == Type::I32 || inst.type == Type::I64)
    return code.load_gpr(inst.type == Type::I64, a.out, kEnvReg, int32_t(off));  // the common case, encoded directly
  Xbyak::RegExp m = code.rbp + off;
  switch (inst.type) {
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
  const int32_t off = int32_t(inst.args[0].imm);
  const Opnd& v = a.in[1];
  if (v.type == Type::I32 || v.type == Type::I64) {  // encoded directly (an I64 immediate fits imm32 here)
    if (v.is_imm) return code.store_imm32(v.type == Type::I64, kEnvReg, off, v.imm32());
    return code.store_gpr(v.type == Type::I64, kEnvReg, off, v.reg);
  }
  Xbyak::RegExp m = code.rbp + uint32_t(off);
  switch (v.type) {
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
  ctx.code.bind_label(label_of(ctx, inst.args[0]));
}

void emit_Br(Ctx& ctx, const Inst& inst) {
  ctx.ra.sync_live(ctx.index);
  ctx.code.jcc_label(-1, label_of(ctx, inst.args[0]));
  ctx.ra.forget_registers();
}

namespace {
// Fills chain slot `slot` for the patchable rel32 ending at the current position (the jump was
// just emitted, its rel32 at `stub_field` still to point at the stub) and defers the slot's exit
// stub.
void finish_chain_slot(Ctx& ctx, unsigned slot, uint64_t pc, size_t jmp_offset, size_t stub_field) {
  ChainSlot& s = ctx.result.slots[slot];
  s.used = true;
  s.jmp_offset = uint32_t(jmp_offset);
  s.target_pc = pc;
  Ctx* cp = &ctx;
  // System mode never chains across a page (the target's mapping may change): probe the jump
  // cache inline instead, as GotoPtr does, so a hot loop spanning pages stays in translated code.
  const bool probe = ctx.softmmu && (pc & ~uint64_t(0xfff)) != (ctx.block.guest_pc & ~uint64_t(0xfff));
  ctx.defer([cp, stub_field, slot, pc, probe] {
    auto& code = cp->code;
    code.bind_rel32(stub_field);
    cp->result.slots[slot].reset_offset = uint32_t(code.getSize());
    if (probe) {
      // Every value is dead at a block exit: rax is free here.
      const uint32_t off = uint32_t(jump_cache_index(pc) * sizeof(JumpCacheEntry));
      code.mov(code.rax, code.qword[code.rbp + offsetof(CpuBase, jump_cache)]);
      code.mov(code.r11, pc);
      code.cmp(code.qword[code.rax + off + offsetof(JumpCacheEntry, guest_pc)], code.r11);
      const size_t miss = code.jcc_rel8_forward(BlockAssembler::kCcNE);
      code.jmp_mem(kRax, int32_t(off + offsetof(JumpCacheEntry, host_code)));
      code.bind_rel8(miss);
    }
    code.call_mem(kEnvReg, offsetof(CpuBase, chain_exit));  // then its ChainExitData
    const uint32_t slot32 = slot;
    code.data(&pc, 8);
    code.data(&cp->tb_cookie, 8);
    code.data(&slot32, 4);
  });
}

// Pads with a nop so that the rel32 of the next instruction, which starts `field` bytes into it,
// is 4-byte aligned (the chainer retargets it with one aligned 32-bit store).
void align_rel32(Xbyak::CodeGenerator& code, size_t field) {
  size_t pad = (4 - (code.getSize() + field) % 4) % 4;
  if (pad) code.nop(pad);
}

// The next non-Nop instruction after `i`, or block.size().
size_t next_real(const Block& block, size_t i) {
  do ++i;
  while (i < block.size() && block[ValueId(i)].is_nop());
  return i;
}

// `BrCond c, L; GotoTb s0; L: GotoTb s1` with L used by nothing else: the two exits become a
// chainable `jcc rel32` (slot s1) followed by a chainable `jmp rel32` (slot s0), so a loop
// back-edge is one taken jcc instead of jcc + jmp + jmp. Returns the index of the last fused
// instruction, or 0 when the pattern does not apply. A label M before `GotoTb s0` (the shared
// exit of an unrolled loop's copies: `BrCond c, L; M: GotoTb s0; L: GotoTb s1`) is allowed and
// set in `*exit_label`: it is bound at the `jmp rel32` (nothing is live past it).
size_t fusable_exit_pair(Ctx& ctx, const Inst& br, size_t* exit_label) {
  const Block& b = ctx.block;
  size_t g0 = next_real(b, ctx.index);
  *exit_label = 0;
  if (g0 < b.size() && b[ValueId(g0)].op == Opcode::Label && b[ValueId(g0)].args[0].is_label()) {
    *exit_label = g0;
    g0 = next_real(b, g0);
  }
  size_t lbl = next_real(b, g0), g1 = next_real(b, lbl);
  if (g1 >= b.size()) return 0;
  const Inst &i0 = b[ValueId(g0)], &il = b[ValueId(lbl)], &i1 = b[ValueId(g1)];
  if (i0.op != Opcode::GotoTb || il.op != Opcode::Label || i1.op != Opcode::GotoTb) return 0;
  if (!il.args[0].is_label() || !br.args[3].is_label() || il.args[0].value != br.args[3].value) return 0;
  if (i0.args[0].imm > 1 || i1.args[0].imm > 1 || i0.args[0].imm == i1.args[0].imm) return 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == ctx.index || i == lbl) continue;
    const Inst& x = b[ValueId(i)];
    for (int k = 0; k < x.num_args; ++k)
      if (x.args[k].is_label() && x.args[k].value == br.args[3].value) return 0;
  }
  return g1;
}
}  // namespace

void emit_BrCond(Ctx& ctx, const Inst& inst) {
  Constraints c;
  c.in[0].kind = InKind::RegOrMem;
  c.in[1].kind = InKind::Any;
  Assigned a = ctx.assign(inst, c);
  // Plain stores, safe between here and the jcc. The target label expects every value live past
  // it in its spill slot; values that die before it are used only on the fall-through path, which
  // keeps the register state (the label syncs and forgets registers for both paths).
  size_t exit_label = 0;
  const size_t last = fusable_exit_pair(ctx, inst, &exit_label);
  ctx.ra.sync_live(last ? ctx.index : ctx.label_index.at(inst.args[3].value));
  Cond cond = Cond(inst.args[2].imm);
  size_t cmp_at = ctx.code.getSize();
  emit_compare(ctx, cond, ctx.arg_type(inst.args[0]), a.in[0], a.in[1]);
  if (last) {
    auto& code = ctx.code;
    const Inst& taken = ctx.block[ValueId(last)];
    const Inst& fall = ctx.block[ValueId(next_real(ctx.block, exit_label ? exit_label : ctx.index))];
    // jcc rel32 is 0F 8x rel32: jmp_offset names the 8x byte, so the chainer's "rel32 at
    // jmp_offset + 1, relative to jmp_offset + 5" holds for it exactly as for a jmp rel32.
    // The alignment padding goes before the cmp (re-emitted; it references no label) so that
    // cmp + jcc stay adjacent and macro-fuse.
    size_t cmp_len = code.getSize() - cmp_at;
    if ((code.getSize() + 2) % 4 != 0) {
      code.setSize(cmp_at);
      align_rel32(code, cmp_len + 2);
      emit_compare(ctx, cond, ctx.arg_type(inst.args[0]), a.in[0], a.in[1]);
    }
    size_t jcc_at = code.getSize();
    const size_t taken_stub = code.jcc_rel32_forward(int(x86_cond(cond)));  // 0F 8x rel32
    finish_chain_slot(ctx, unsigned(taken.args[0].imm), taken.args[1].imm, jcc_at + 1, taken_stub);
    if (exit_label) code.bind_label(label_of(ctx, ctx.block[ValueId(exit_label)].args[0]));
    align_rel32(code, 1);
    size_t jmp_at = code.getSize();
    const size_t fall_stub = code.jcc_rel32_forward(-1);  // E9 rel32
    finish_chain_slot(ctx, unsigned(fall.args[0].imm), fall.args[1].imm, jmp_at, fall_stub);
    ctx.skip_through = last;
    ctx.ra.forget_registers();
    return;
  }
  ctx.code.jcc_label(int(x86_cond(cond)), label_of(ctx, inst.args[3]));
}

void emit_GotoTb(Ctx& ctx, const Inst& inst) {
  auto& code = ctx.code;
  unsigned slot = unsigned(inst.args[0].imm);
  uint64_t pc = inst.args[1].imm;
  if (slot > 1) unsupported(inst, "GotoTb slot other than 0/1");
  align_rel32(code, 1);
  size_t jmp_off = code.getSize();
  const size_t stub = code.jcc_rel32_forward(-1);  // E9 rel32
  finish_chain_slot(ctx, slot, pc, jmp_off, stub);
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
  code.cmp(code.qword[t + offsetof(JumpCacheEntry, guest_pc)], pc);
  const size_t miss = code.jcc_rel8_forward(BlockAssembler::kCcNE);
  code.jmp_mem(a.tmp[0], offsetof(JumpCacheEntry, host_code));
  code.bind_rel8(miss);
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
