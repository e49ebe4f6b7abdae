// compile_block: the per-block driver of the x86-64 backend (block layout, dispatch, exits).
#include <fmt/format.h>
#include <xbyak/xbyak_util.h>

#include <cstddef>

#include "tcg/exec/guest_limit.h"
#include "tcg/exec/softmmu.h"
#include "tcg/x86_64/emitter.h"

namespace mimic::tcg::x86_64 {

const HostFeatures& host_features() {
  static const HostFeatures features = [] {
    Xbyak::util::Cpu cpu;
    HostFeatures f;
    f.bmi1 = cpu.has(Xbyak::util::Cpu::tBMI1);
    f.bmi2 = cpu.has(Xbyak::util::Cpu::tBMI2);
    f.lzcnt = cpu.has(Xbyak::util::Cpu::tLZCNT);
    f.popcnt = cpu.has(Xbyak::util::Cpu::tPOPCNT);
    f.sse41 = cpu.has(Xbyak::util::Cpu::tSSE41);
    f.sse42 = cpu.has(Xbyak::util::Cpu::tSSE42);
    f.ssse3 = cpu.has(Xbyak::util::Cpu::tSSSE3);
    return f;
  }();
  return features;
}

Ctx::Ctx(BackendScratch& scratch, const Block& block, uint64_t tb_cookie, std::vector<PcMapEntry>& pc_map,
         const BackendOptions& options, CompileResult& result)
    : code(scratch.code),
      block(block),
      ra(scratch.code, block, options.fold_addresses),
      tb_cookie(tb_cookie),
      pc_map(pc_map),
      result(result),
      label_index(scratch.label_index),
      mem_groups(scratch.mem_groups),
      site_values_(scratch.site_values),
      state_map_(scratch.state_map),
      stubs_(scratch.stubs),
      label_pool_(scratch.label_pool) {
  site_values_.clear();
  state_map_.clear();
  stubs_.clear();
  label_pool_.clear();
  const HostFeatures& f = host_features();
  // allow_bmi2 = false turns off every optional bit-manipulation extension, so the portable
  // fallbacks can be tested on a host that has them all.
  use_bmi1 = f.bmi1 && options.allow_bmi2;
  use_bmi2 = f.bmi2 && options.allow_bmi2;
  use_lzcnt = f.lzcnt && options.allow_bmi2;
  // allow_sse41 = false tests the SSE2 sequences of the lane-wise integer vector ops.
  use_sse41 = f.sse41 && options.allow_sse41;
  use_sse42 = f.sse42 && options.allow_sse41;
  softmmu = options.softmmu;
  softmmu_slow = options.softmmu_slow;
  mem_groups.clear();
  if (softmmu && options.fold_addresses) find_mem_groups(block, ra, mem_groups);
}

Ctx::~Ctx() {
  // The next block's labels start from an empty pool (before the assembler forgets its tables).
  stubs_.clear();
  label_pool_.clear();
}

void Ctx::emit_deferred() {
  // Stubs may defer more stubs; index-based loop tolerates growth.
  for (size_t i = 0; i < stubs_.size(); ++i) {
    DeferredStub fn(std::move(stubs_[i]));  // a stub's defer() may reallocate stubs_
    fn();
  }
  stubs_.clear();
}

void Ctx::jmp_epilogue() { code.jmp_mem(kEnvReg, offsetof(CpuBase, epilogue)); }

void Ctx::store_env_imm64(uint32_t off, uint64_t v) {
  if (int64_t(v) == int64_t(int32_t(v))) {
    code.store_imm32(true, kEnvReg, int32_t(off), uint32_t(v));
  } else {
    code.move_imm(kScratch, v);
    code.store_gpr(true, kEnvReg, int32_t(off), kScratch);
  }
}

void Ctx::store_exit(uint64_t pc_imm, HReg pc_reg, uint32_t reason) {
  if (pc_reg != kNoReg)
    code.store_gpr(true, kEnvReg, offsetof(CpuBase, pc), pc_reg);
  else
    store_env_imm64(offsetof(CpuBase, pc), pc_imm);
  code.store_imm32(false, kEnvReg, offsetof(CpuBase, exit_reason), reason);
}

Xbyak::RegExp Ctx::guest_addr(const Opnd& addr) {
  if (addr.is_imm) return Xbyak::RegExp(code.r15) + size_t(int64_t(int32_t(addr.imm)));
  return code.r15 + gpr64(addr.reg) + addr.addr_disp;
}

namespace {
// User mode: an address at or above user_guest_limit() leaves the block with kExitMemFault
// (fault_addr the guest address) before guest_base + addr can reach host memory past the
// reservation. A register address costs one fused cmp+jae, never taken by a correct program,
// against r15 when the guest base is the limit, else a constant after the block
// (docs/linux-user.md has the measured cost).
//
// With guards of 2 GiB or more on both sides (user_guards_cover_disp32), a folded address
// base + disp checks only its base register: when base is below the limit, base + disp32 is
// inside the space or faults in a guard at its own address. That saves the lea of the sum and
// lets one check cover every access through the same base (ld/sd of a struct's fields, a stack
// frame). A base at or above the limit goes to the stub, which checks the whole sum (a pointer
// past the end minus a displacement may still be inside) and either resumes the access or faults.
void check_guest_limit(Ctx& ctx, const Opnd& addr, bool write) {
  const uint64_t limit = user_guest_limit();
  if (limit == ~uint64_t(0)) return;
  // An immediate address is a sign-extended imm32: below 2 GiB it is inside every reservation.
  if (addr.is_imm && int32_t(addr.imm) >= 0) return;
  auto& code = ctx.code;
  const bool folded = !addr.is_imm && addr.addr_disp != 0;
  const bool base_only = folded && user_limit_is_base() && user_guards_cover_disp32();
  // The access's address as IR base value + constant (the memory ops' address is args[0]).
  const Arg& a = ctx.block[ValueId(ctx.index)].args[0];
  Ctx::CheckedAddr at{kNoValue, 0, 0};
  if (a.is_value()) {
    at.base = a.value;
    const Inst& def = ctx.block[a.value];
    if (def.op == Opcode::Add && def.type == Type::I64 && def.args[0].is_value() && def.args[1].is_imm())
      at = {def.args[0].value, def.args[1].imm, def.args[1].imm};
  }
  if (at.base != kNoValue && user_limit_is_base()) {
    // An address less than 4 GiB above a checked one (either side within 2 GiB when the guards
    // allow) is inside the guest space or faults in a guard at its own address.
    const bool both_sides = user_guards_cover_disp32();
    auto near = [both_sides](uint64_t delta) {
      return both_sides ? delta + (uint64_t(1) << 31) < (uint64_t(1) << 32) : delta < (uint64_t(1) << 32);
    };
    for (unsigned i = 0; i < ctx.num_checked_addrs; ++i) {
      const Ctx::CheckedAddr& c = ctx.checked_addrs[i];
      if (c.base == at.base && near(at.offset - c.offset) && near(at.offset - c.or_offset)) return;
    }
    // What the code below proves below the limit: the whole address; or, checking the base only,
    // the base (the inline path) or the whole address (the stub's resumed path).
    const Ctx::CheckedAddr proven = base_only ? Ctx::CheckedAddr{at.base, 0, at.offset} : at;
    if (ctx.num_checked_addrs < ctx.checked_addrs.size())
      ctx.checked_addrs[ctx.num_checked_addrs++] = proven;
    else
      ctx.checked_addrs[ctx.index % ctx.checked_addrs.size()] = proven;
  }
  // The stub is reached from this one branch: a rel32 patched when the stub is emitted (cheaper
  // than an Xbyak label), as is the branch back to `resume`, an offset in the block's code.
  size_t fault = 0;
  constexpr size_t kNoResume = ~size_t(0);
  size_t resume = kNoResume;
  // A folded address checked whole is computed in r11 (the stub then finds it there).
  const bool whole_in_r11 = folded && !base_only;
  if (whole_in_r11) code.lea(code.r11, code.ptr[gpr64(addr.reg) + addr.addr_disp]);
  const Xbyak::Reg64 checked = whole_in_r11 || addr.is_imm ? code.r11 : gpr64(addr.reg);
  if (addr.is_imm) {
    fault = code.jcc_rel32_forward(-1);
  } else {
    if (user_limit_is_base()) {
      code.cmp(checked, code.r15);
    } else {
      Xbyak::Label& bound = ctx.new_label();
      code.cmp(checked, code.qword[code.rip + bound]);
      ctx.defer([&code, &bound, limit] {
        code.align(8);
        code.L(bound);
        code.dq(limit);
      });
    }
    fault = code.jcc_rel32_forward(BlockAssembler::kCcAE);
    if (base_only) resume = code.getSize();
  }
  const uint64_t pc = ctx.insn_pc, imm = uint64_t(int64_t(int32_t(addr.imm)));
  const HReg r = addr.is_imm ? kNoReg : folded ? kScratch : addr.reg;
  const HReg base_reg = addr.reg;
  const int32_t disp = addr.addr_disp;
  ctx.defer([&ctx, fault, resume, base_reg, disp, r, imm, pc, write, site = ctx.site()] {
    auto& code = ctx.code;
    code.bind_rel32(fault);
    if (resume != kNoResume) {  // the base was out of range: the whole address decides
      code.lea(code.r11, code.ptr[gpr64(base_reg) + disp]);
      code.cmp(code.r11, code.r15);
      code.jcc_rel32_back(BlockAssembler::kCcB, resume);
    }
    if (r == kNoReg)
      ctx.store_env_imm64(offsetof(CpuBase, fault_addr), imm);
    else
      code.store_gpr(true, kEnvReg, offsetof(CpuBase, fault_addr), r);
    ctx.emit_state_writeback(site);  // after the address: it may use r11
    code.store_imm32(false, kEnvReg, offsetof(CpuBase, fault_write), write ? 1 : 0);
    ctx.store_exit(pc, kNoReg, kExitMemFault);
    ctx.jmp_epilogue();
  });
}
}  // namespace

namespace {
// The TLB probe: r11 = the index (x 32) of the page of addr + index_disp; jumps to `miss` unless
// that entry's `field` holds the page of addr + last_disp (a page crossing misses); then `t` =
// the entry's addend.
void tlb_probe(BlockAssembler& code, const Xbyak::Reg64& a, const Xbyak::Reg64& t, int32_t index_disp,
               int64_t last_disp, uint32_t table, uint32_t field, Xbyak::Label& miss) {
  if (index_disp)
    code.lea(code.r11, code.ptr[a + index_disp]);
  else
    code.mov(code.r11, a);
  code.shr(code.r11, kPageBits - 5);
  code.and_(code.r11d, (kTlbSize - 1) << 5);
  if (last_disp != int64_t(int32_t(last_disp))) {
    code.lea(t, code.ptr[a + index_disp]);
    code.add(t, int32_t(last_disp - index_disp));
  } else if (last_disp) {
    code.lea(t, code.ptr[a + int32_t(last_disp)]);
  } else {
    code.mov(t, a);
  }
  code.and_(t, int32_t(kPageMask));
  code.cmp(t, code.qword[code.r15 + code.r11 + (table + field)]);
  code.jne(miss, Xbyak::CodeGenerator::T_NEAR);
  code.mov(t, code.qword[code.r15 + code.r11 + (table + offsetof(TlbEntry, addend))]);
}
}  // namespace

Xbyak::RegExp Ctx::guest_mem(const Opnd& addr, HReg tmp, uint64_t memop, bool write, Xbyak::Label** slow) {
  *slow = nullptr;
  if (!softmmu) {
    check_guest_limit(*this, addr, write);
    return guest_addr(addr);
  }
  const Xbyak::Reg64 a = gpr64(addr.reg), t = gpr64(tmp);
  const int32_t disp = addr.addr_disp;  // a folded `Add base, imm`: the guest address is a + disp
  const int64_t last = disp + int64_t(MemOp::size_bytes(memop)) - 1;
  const uint32_t table = MemOp::mmu_index(memop) * uint32_t(sizeof(TlbEntry) * kTlbSize);
  const uint32_t field = write ? offsetof(TlbEntry, addr_write) : offsetof(TlbEntry, addr_read);
  Xbyak::Label& miss = new_label();
  *slow = &miss;
  const MemGroupRole role = index < mem_groups.size() ? mem_groups[index] : MemGroupRole{};
  if (role.kind == MemGroupRole::kNone) {
    tlb_probe(code, a, t, disp, last, table, field, miss);
    return a + t + disp;  // the access itself adds the addend: no copy of the address first
  }
  // A group (mem_groups.h): the access's own probe is out of line, for when the group's missed.
  const uint32_t slot = uint32_t(offsetof(CpuBase, page_addend) + 8 * role.slot);
  Xbyak::Label& own_probe = new_label();
  Xbyak::Label& access = new_label();
  if (role.kind == MemGroupRole::kLeader) {
    tlb_probe(code, a, t, role.lo, role.hi, table, field, own_probe);
    code.mov(code.qword[code.rbp + slot], t);
  } else {
    code.mov(t, code.qword[code.rbp + slot]);
    code.test(t, t);
    code.jz(own_probe, Xbyak::CodeGenerator::T_NEAR);
  }
  code.L(access);
  defer([this, a, t, disp, last, table, field, slot, leader = role.kind == MemGroupRole::kLeader, &miss, &own_probe,
         &access] {
    code.L(own_probe);
    if (leader) code.mov(code.qword[code.rbp + slot], 0);  // the members probe alone
    tlb_probe(code, a, t, disp, last, table, field, miss);
    code.jmp(access, Xbyak::CodeGenerator::T_NEAR);
  });
  return a + t + disp;
}

void Ctx::slow_path(Xbyak::Label* slow, const Opnd& addr, uint64_t desc, std::function<void()> store_args,
                    std::function<void()> load_result) {
  if (!slow) return;
  Xbyak::Label& done = new_label();
  code.L(done);
  const HReg a = addr.reg;
  const int32_t disp = addr.addr_disp;
  const uint64_t pc = insn_pc;
  const uintptr_t target = softmmu_slow;
  defer([this, slow, &done, a, disp, pc, desc, target, site = site_, store_args = std::move(store_args),
         load_result = std::move(load_result)] {
    code.L(*slow);
    // The slow path may raise a guest exception: the state it sees must be exact.
    emit_state_writeback(site);
    if (disp) {  // a folded address: the stub computes it (after the writeback, which may use r11)
      code.lea(code.r11, code.ptr[gpr64(a) + disp]);
      code.mov(code.qword[code.rbp + offsetof(CpuBase, mem_args)], code.r11);
    } else {
      code.mov(code.qword[code.rbp + offsetof(CpuBase, mem_args)], gpr64(a));
    }
    if (store_args) store_args();
    store_env_imm64(offsetof(CpuBase, mem_args) + 24, pc);
    store_env_imm64(offsetof(CpuBase, mem_args) + 32, desc);
    code.mov(code.r11, target);
    code.call(code.r11);
    if (load_result) load_result();
    code.jmp(done, Xbyak::CodeGenerator::T_NEAR);
  });
}

void Ctx::check_alignment(const Opnd& addr, uint64_t memop) {
  unsigned size = MemOp::size_bytes(memop);
  if (!(memop & MemOp::kAligned) || size == 1) return;
  uint64_t pc = insn_pc;
  if (addr.is_imm) {
    uint64_t a = uint64_t(int64_t(int32_t(addr.imm)));
    if ((a & (size - 1)) == 0) return;
    const size_t fault = code.jcc_rel32_forward(-1);
    defer([this, fault, a, pc, site = site_] {
      code.bind_rel32(fault);
      emit_state_writeback(site);
      store_env_imm64(offsetof(CpuBase, fault_addr), a);
      store_exit(pc, kNoReg, kExitUnaligned);
      jmp_epilogue();
    });
    return;
  }
  HReg r = addr.reg;
  code.test(gpr32(r), size - 1);
  const size_t fault = code.jcc_rel32_forward(BlockAssembler::kCcNE);
  defer([this, fault, r, pc, site = site_] {
    code.bind_rel32(fault);
    emit_state_writeback(site);
    code.mov(code.qword[code.rbp + offsetof(CpuBase, fault_addr)], gpr64(r));
    store_exit(pc, kNoReg, kExitUnaligned);
    jmp_epilogue();
  });
}

X86Cond x86_cond(Cond c) {
  switch (c) {
    case Cond::Eq: return X86Cond::E;
    case Cond::Ne: return X86Cond::NE;
    case Cond::LtS: return X86Cond::L;
    case Cond::LeS: return X86Cond::LE;
    case Cond::GtS: return X86Cond::G;
    case Cond::GeS: return X86Cond::GE;
    case Cond::LtU: return X86Cond::B;
    case Cond::LeU: return X86Cond::BE;
    case Cond::GtU: return X86Cond::A;
    case Cond::GeU: return X86Cond::AE;
    case Cond::TstEq: return X86Cond::E;
    case Cond::TstNe: return X86Cond::NE;
  }
  throw std::logic_error(fmt::format("x86_64 backend: bad condition {}", int(c)));
}

void emit_setcc(Xbyak::CodeGenerator& code, X86Cond cc, const Xbyak::Reg8& r) {
  switch (cc) {
    case X86Cond::O: code.seto(r); break;
    case X86Cond::NO: code.setno(r); break;
    case X86Cond::B: code.setb(r); break;
    case X86Cond::AE: code.setae(r); break;
    case X86Cond::E: code.sete(r); break;
    case X86Cond::NE: code.setne(r); break;
    case X86Cond::BE: code.setbe(r); break;
    case X86Cond::A: code.seta(r); break;
    case X86Cond::S: code.sets(r); break;
    case X86Cond::NS: code.setns(r); break;
    case X86Cond::P: code.setp(r); break;
    case X86Cond::NP: code.setnp(r); break;
    case X86Cond::L: code.setl(r); break;
    case X86Cond::GE: code.setge(r); break;
    case X86Cond::LE: code.setle(r); break;
    case X86Cond::G: code.setg(r); break;
  }
}

void emit_cmov(Xbyak::CodeGenerator& code, X86Cond cc, const Xbyak::Reg& d, const Xbyak::Operand& s) {
  switch (cc) {
    case X86Cond::O: code.cmovo(d, s); break;
    case X86Cond::NO: code.cmovno(d, s); break;
    case X86Cond::B: code.cmovb(d, s); break;
    case X86Cond::AE: code.cmovae(d, s); break;
    case X86Cond::E: code.cmove(d, s); break;
    case X86Cond::NE: code.cmovne(d, s); break;
    case X86Cond::BE: code.cmovbe(d, s); break;
    case X86Cond::A: code.cmova(d, s); break;
    case X86Cond::S: code.cmovs(d, s); break;
    case X86Cond::NS: code.cmovns(d, s); break;
    case X86Cond::P: code.cmovp(d, s); break;
    case X86Cond::NP: code.cmovnp(d, s); break;
    case X86Cond::L: code.cmovl(d, s); break;
    case X86Cond::GE: code.cmovge(d, s); break;
    case X86Cond::LE: code.cmovle(d, s); break;
    case X86Cond::G: code.cmovg(d, s); break;
  }
}

void emit_compare(Ctx& ctx, Cond c, Type t, const Opnd& a, const Opnd& b) {
  bool test = c == Cond::TstEq || c == Cond::TstNe;
  auto with_first = [&](const Xbyak::Operand& x) {
    if (b.is_imm) {
      test ? ctx.code.test(x, b.imm32()) : ctx.code.cmp(x, b.imm32());
    } else if (b.is_mem) {
      // Only a register first operand can meet a memory second operand (one memory operand per op).
      const auto& r = static_cast<const Xbyak::Reg&>(x);
      test ? ctx.code.test(ctx.ra.mem_operand(b), r) : ctx.code.cmp(r, ctx.ra.mem_operand(b));
    } else {
      test ? ctx.code.test(x, gpr(b.reg, t)) : ctx.code.cmp(x, gpr(b.reg, t));
    }
  };
  if (a.is_mem)
    with_first(ctx.ra.mem_operand(a));
  else
    with_first(gpr(a.reg, t));
}

void extend_in_place(Xbyak::CodeGenerator& code, HReg r, Type t, unsigned size_log2, bool is_signed) {
  bool wide = t == Type::I64;
  switch (size_log2) {
    case 0:
      if (is_signed)
        code.movsx(gpr(r, t), gpr8(r));
      else
        code.movzx(gpr32(r), gpr8(r));
      break;
    case 1:
      if (is_signed)
        code.movsx(gpr(r, t), gpr16(r));
      else
        code.movzx(gpr32(r), gpr16(r));
      break;
    case 2:
      if (is_signed && wide)
        code.movsxd(gpr64(r), gpr32(r));
      else
        code.mov(gpr32(r), gpr32(r));
      break;
    default:
      // An 8-byte value narrowed to an I32 must keep the upper half zero.
      if (!wide) code.mov(gpr32(r), gpr32(r));
      break;
  }
}

void unsupported(const Inst& inst, const char* what) {
  throw std::runtime_error(
      fmt::format("x86_64 backend: {} ({} of type {}) is not supported", what, op_name(inst.op), type_name(inst.type)));
}

namespace {
using EmitFn = void (*)(Ctx&, const Inst&);
constexpr EmitFn kEmitters[] = {
    nullptr,  // Nop
#define OP(name, res, a0, a1, a2, a3, a4, a5, flags, desc) &emit_##name,
#include "tcg/ir/opcodes.inc"
#undef OP
};
static_assert(std::size(kEmitters) == size_t(Opcode::kCount));
}  // namespace

}  // namespace mimic::tcg::x86_64

namespace mimic::tcg {

CompileResult compile_block(const Block& block, HostCodeRegion region, uint64_t tb_cookie,
                            std::vector<PcMapEntry>& pc_map, const BackendOptions& options) {
  using namespace x86_64;
  CompileResult result;
  pc_map.clear();
  try {
    thread_local BackendScratch scratch;
    scratch.code.retarget(region.write, region.capacity);
    Ctx ctx(scratch, block, tb_cookie, pc_map, options, result);
    BlockAssembler& code = scratch.code;
    code.begin_labels(block.num_labels());
    ctx.label_index.assign(block.num_labels(), block.size());
    for (size_t i = 0; i < block.size(); ++i)
      if (const Inst& inst = block[ValueId(i)]; inst.op == Opcode::Label && inst.args[0].value < block.num_labels())
        ctx.label_index[inst.args[0].value] = i;

    // Block entry: honour an exit request before running any guest instruction.
    // (The branches to the exit are rel32s patched at its address: no label needed.)
    std::array<size_t, 2> to_interrupt{};
    unsigned num_to_interrupt = 0;
    code.cmp(code.dword[code.rbp + offsetof(CpuBase, exit_request)], 0);
    to_interrupt[num_to_interrupt++] = code.jcc_rel32_forward(BlockAssembler::kCcNE);
    if (options.block_budget) {
      code.sub(code.dword[code.rbp + offsetof(CpuBase, block_budget)], 1);
      to_interrupt[num_to_interrupt++] = code.jcc_rel32_forward(BlockAssembler::kCcS);
    }

    Opcode last = Opcode::Nop;
    for (size_t i = 0; i < block.size(); ++i) {
      const Inst& inst = block[ValueId(i)];
      if (inst.is_nop()) continue;
      if (i <= ctx.skip_through && ctx.skip_through != 0) {  // already emitted (fused exits)
        last = inst.op;
        continue;
      }
      ctx.index = i;
      if (inst.op == Opcode::Label) ctx.num_checked_addrs = 0;  // a join: other paths did not check
      kEmitters[size_t(inst.op)](ctx, inst);
      ctx.close_site();
      ctx.ra.finish(i, inst);
      last = inst.op;
    }
    if (last == Opcode::Nop || !has_flag(last, kBlockEnd))
      throw std::logic_error("x86_64 backend: block does not end with a block-exit op");

    for (unsigned k = 0; k < num_to_interrupt; ++k) code.bind_rel32(to_interrupt[k]);
    ctx.store_exit(block.guest_pc, kNoReg, kExitInterrupt);
    ctx.jmp_epilogue();
    ctx.emit_deferred();
    if (!code.resolve_labels() || code.hasUndefinedLabel())
      throw std::logic_error("x86_64 backend: branch to a label that is never defined");
    result.size = code.getSize();
    result.state_map = scratch.state_map.data();
    result.state_map_size = scratch.state_map.size();
  } catch (const TooComplex& e) {
    result = CompileResult{};
    result.status = CompileResult::Status::TooComplex;
    result.error = e.what();
    pc_map.clear();
  } catch (const Xbyak::Error& e) {
    if (int(e) != Xbyak::ERR_CODE_IS_TOO_BIG)
      throw std::runtime_error(fmt::format("x86_64 backend: assembler error: {}", e.what()));
    result = CompileResult{};
    result.status = CompileResult::Status::OutOfSpace;
    result.error = "code buffer full";
    pc_map.clear();
  }
  return result;
}

}  // namespace mimic::tcg
