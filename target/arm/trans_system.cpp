// System-mode translation of the system instructions: MRS/MSR through the system-register
// helpers (accessibility checked here, for the block's EL), MSR (immediate) of PSTATE fields,
// SYS (TLBI, AT, DC, IC), ERET, HVC, SMC, WFI/WFE/SEV, and the CPACR FP/SIMD trap.
#include "target/arm/sysreg_system.h"
#include "target/arm/trans.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {
constexpr uint32_t kOp0Base = 2u << 14;  // MRS/MSR's 15-bit field holds op0 - 2 in its top bit
constexpr uint32_t kNzcvEnc = sysreg_enc(3, 3, 4, 2, 0);
constexpr uint32_t kFpcrEnc = sysreg_enc(3, 3, 4, 4, 0);
constexpr uint32_t kFpsrEnc = sysreg_enc(3, 3, 4, 4, 1);
constexpr uint32_t kTpidrEl0Enc = sysreg_enc(3, 3, 13, 0, 2);

void gen_undef_sysreg(DisasContext& s) {
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(s.insn));
  gen_exit(s, kExitSysregUndef, s.pc);
}

// The registers an EL0 translation keeps inline (the same code at every EL).
bool inline_reg(uint32_t enc) { return enc == kNzcvEnc || enc == kFpcrEnc || enc == kFpsrEnc || enc == kTpidrEl0Enc; }

// MSR (immediate) PSTATE fields: op1:op2.
enum PstateField : uint32_t {
  kSPSel = 0x05,
  kDaifSet = 0x1e,
  kDaifClr = 0x1f,
  kPan = 0x04,
  kUao = 0x03,
  kDit = 0x1a,
  kSsbs = 0x19
};

uint64_t h_pstate_write(tcg::CpuBase* env, uint64_t field, uint64_t imm, uint64_t, uint64_t, uint64_t) {
  auto& c = *static_cast<A64Cpu*>(env);
  ArmSysState& st = sys(c);
  switch (field) {
    case kSPSel: set_el_sp(c, st.el, unsigned(imm & 1)); break;
    case kDaifClr: st.pstate &= ~((imm & 15) << 6); break;
    case kPan: st.pstate = (st.pstate & ~Pstate::kPAN) | ((imm & 1) ? Pstate::kPAN : 0); break;
    case kUao: st.pstate = (st.pstate & ~Pstate::kUAO) | ((imm & 1) ? Pstate::kUAO : 0); break;
    case kDit: st.pstate = (st.pstate & ~Pstate::kDIT) | ((imm & 1) ? Pstate::kDIT : 0); break;
    case kSsbs: st.pstate = (st.pstate & ~Pstate::kSSBS) | ((imm & 1) ? Pstate::kSSBS : 0); break;
  }
  update_tb_flags(c);
  // An interrupt DAIFClr lets in is taken before the next instruction: leave for the loop.
  if (field == kDaifClr) c.exit_request.store(1);
  return 0;
}
uint32_t pstate_write_helper() {
  using namespace tcg::HelperFlag;
  static const uint32_t id = tcg::register_helper("a64_pstate_write", h_pstate_write, kReadsState | kWritesState);
  return id;
}
}  // namespace

bool gen_fp_trap_check(DisasContext& s) {
  if (!s.system || !(s.tb_flags & kTbFpTrap)) return false;
  gen_exit(s, kExitFpTrap, s.pc);
  return true;
}

bool trans_MRS_system(DisasContext& s, uint32_t reg, uint32_t t) {
  const uint32_t enc = reg + kOp0Base;
  if (inline_reg(enc)) {
    if ((enc == kFpcrEnc || enc == kFpsrEnc) && gen_fp_trap_check(s)) return true;
    return trans_MRS_el0(s, reg, t);
  }
  if (sysreg_accessible(enc, s.el, false, true) != SysregCheck::Ok) {
    gen_undef_sysreg(s);
    return true;
  }
  if (const InlineSysreg in = sysreg_inline(enc, s.el, s.tb_flags, false); in.kind != InlineSysreg::kNone) {
    Arg v = s.ir.get_state(Type::I64, in.offset);
    write_x(s, t, in.mask == ~0ull ? v : s.ir.and_(v, imm64(in.mask)));
    return true;
  }
  Arg v = s.ir.call(Type::I64, sysreg_read_helper(), {imm64(enc), imm64(s.pc), imm64(t)});
  write_x(s, t, v);
  return true;
}

namespace {
// MSR DAIF done inline: when an interrupt line is up it may be unmasked now, and the helper's
// write (the same value again) checks and leaves for the loop, which takes it before the next
// instruction; with no line up (and no HCR_EL2 virtual interrupt: kTbHypControls) there is none.
void gen_daif_write(DisasContext& s, const InlineSysreg& in, uint32_t enc, uint32_t t) {
  Arg v = read_x(s, t);
  Arg old = s.ir.get_state(Type::I64, in.offset);
  s.ir.set_state(in.offset, s.ir.or_(s.ir.and_(old, imm64(~in.mask)), s.ir.and_(v, imm64(in.mask))));
  const uint32_t quiet = s.ir.new_label();
  s.ir.br_cond(Cond::Eq, s.ir.get_state(Type::I32, sys_state_offset(offsetof(ArmSysState, lines))), imm32(0), quiet);
  s.ir.call(Type::I64, sysreg_write_helper(), {imm64(enc), v, imm64(s.pc), imm64(t)});
  s.ir.exit_loop(tcg::kExitLookup, imm64(s.pc + 4));
  s.ir.label(quiet);
}
}  // namespace

bool trans_MSR_system(DisasContext& s, uint32_t reg, uint32_t t) {
  const uint32_t enc = reg + kOp0Base;
  if (inline_reg(enc)) {
    if ((enc == kFpcrEnc || enc == kFpsrEnc) && gen_fp_trap_check(s)) return true;
    return trans_MSR_el0(s, reg, t);
  }
  if (sysreg_accessible(enc, s.el, true, true) != SysregCheck::Ok) {
    gen_undef_sysreg(s);
    return true;
  }
  if (const InlineSysreg in = sysreg_inline(enc, s.el, s.tb_flags, true); in.kind == InlineSysreg::kField) {
    s.ir.set_state(in.offset, read_x(s, t));  // a plain value: nothing else changes
    return true;
  } else if (in.kind == InlineSysreg::kDaif) {
    gen_daif_write(s, in, enc, t);
    return true;
  }
  s.ir.call(Type::I64, sysreg_write_helper(), {imm64(enc), read_x(s, t), imm64(s.pc), imm64(t)});
  // Translation state (EL, SP, MMU index, FP trap) or an interrupt's mask may have changed.
  if (sysreg_write_ends_block(enc)) gen_exit(s, tcg::kExitLookup, s.pc + 4);
  return true;
}

bool trans_MSR_imm(DisasContext& s, uint32_t op1, uint32_t crm, uint32_t op2) {
  if (!s.system) return false;
  const uint32_t field = (op1 << 3) | op2;
  bool el1 = s.el >= 1;
  switch (field) {
    case kDaifSet:
      // Masking lets no interrupt in and changes no translation state: inline, the block goes
      // on. EL0 DAIF writes need SCTLR_EL1.UMA (not modelled: UNDEFINED at EL0).
      if (!el1) break;
      {
        const uint32_t off = sys_state_offset(offsetof(ArmSysState, pstate));
        s.ir.set_state(off, s.ir.or_(s.ir.get_state(Type::I64, off), imm64(uint64_t(crm & 15) << 6)));
      }
      return true;
    case kSPSel:
    case kPan:
    case kUao:
      if (!el1) break;
      [[fallthrough]];
    case kDit:
    case kSsbs:
    case kDaifClr:
      if (field == kDaifClr && !el1) break;
      s.ir.call(Type::I64, pstate_write_helper(), {imm64(field), imm64(crm)});
      gen_exit(s, tcg::kExitLookup, s.pc + 4);
      return true;
    default: break;
  }
  gen_undef_sysreg(s);
  return true;
}

bool trans_SYS_system(DisasContext& s, uint32_t op, uint32_t t) {
  if (!sys_op_known(op, s.el)) {
    gen_undef_sysreg(s);
    return true;
  }
  const unsigned op1 = op >> 11, crn = (op >> 7) & 15;
  // DC/IC by VA to PoU/PoC: no cache model (ZVA is inline), unless EL2 traps them.
  if (op1 == 3 && crn == 7 && !(s.tb_flags & kTbCacheTrap)) return true;
  s.ir.call(Type::I64, sys_op_helper(), {imm64(op), read_x(s, t), imm64(s.pc), imm64(t)});
  if (crn == 8) gen_exit(s, tcg::kExitLookup, s.pc + 4);  // TLBI: the loop flushes before the next block
  return true;
}

bool trans_ERET(DisasContext& s) {
  if (!s.system) return false;
  gen_exit(s, kExitEret, s.pc);
  return true;
}

bool trans_HVC(DisasContext& s, uint32_t imm16) {
  if (!s.system) return false;
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(imm16));
  gen_exit(s, kExitHvc, s.pc);
  return true;
}

bool trans_SMC(DisasContext& s, uint32_t imm16) {
  if (!s.system) return false;
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(imm16));
  gen_exit(s, kExitSmc, s.pc);
  return true;
}

bool trans_HINT_system(DisasContext& s, uint32_t crm, uint32_t op2) {
  if (crm != 0) return true;
  switch (op2) {
    case 2: gen_exit(s, kExitWfe, s.pc); return true;  // WFE
    case 3: gen_exit(s, kExitWfi, s.pc); return true;  // WFI
    case 4:                                            // SEV, SEVL: the loop wakes WFE sleepers
    case 5: gen_exit(s, kExitSev, s.pc + 4); return true;
    default: return true;
  }
}

}  // namespace mimic::arm
