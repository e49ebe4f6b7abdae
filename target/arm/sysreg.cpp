// EL0 system instructions: SYS (DC ZVA, IC IVAU, cache maintenance no-ops) and MRS/MSR of the
// EL0-accessible registers plus the ID registers Linux emulates for EL0 reads.
#include "target/arm/helpers.h"
#include "target/arm/helpers_fp.h"
#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
// MRS/MSR operand: o0:op1:CRn:CRm:op2 (op0 = 2 + o0).
constexpr uint32_t sysreg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return ((op0 - 2) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
// SYS operand: op1:CRn:CRm:op2.
constexpr uint32_t sysop(unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

constexpr uint32_t kNzcv = sysreg(3, 3, 4, 2, 0);
constexpr uint32_t kFpcr = sysreg(3, 3, 4, 4, 0);
constexpr uint32_t kFpsr = sysreg(3, 3, 4, 4, 1);
constexpr uint32_t kTpidr = sysreg(3, 3, 13, 0, 2);
constexpr uint32_t kTpidrro = sysreg(3, 3, 13, 0, 3);
constexpr uint32_t kCntfrqReg = sysreg(3, 3, 14, 0, 0);
constexpr uint32_t kCntvct = sysreg(3, 3, 14, 0, 2);
constexpr uint32_t kCtrEl0 = sysreg(3, 3, 0, 0, 1);
constexpr uint32_t kDczidEl0 = sysreg(3, 3, 0, 0, 7);
constexpr uint32_t kMidrEl1 = sysreg(3, 0, 0, 0, 0);
constexpr uint32_t kMpidrEl1 = sysreg(3, 0, 0, 0, 5);
constexpr uint32_t kRevidrEl1 = sysreg(3, 0, 0, 0, 6);

// The ID_AA64* registers (op0=3, op1=0, CRn=0, CRm=4..7) as Linux shows them to EL0; unlisted
// ones in that space read as zero, as Linux's emulation does.
bool id_register(uint32_t reg, uint64_t& value) {
  if ((reg >> 7) != (sysreg(3, 0, 0, 0, 0) >> 7)) return false;  // not op0=3, op1=0, CRn=0
  const unsigned crm = (reg >> 3) & 15, op2 = reg & 7;
  if (crm < 4) return false;
  value = 0;
  if (crm == 4 && op2 == 0) value = 0x11;  // ID_AA64PFR0_EL1: EL0/EL1 AArch64, FP and AdvSIMD
  // ID_AA64ISAR0_EL1: SM4 = 1, SM3 = 1, SHA3 = 1, Atomic (LSE) = 2, CRC32 = 1, SHA2 = 2 (SHA512),
  // SHA1 = 1, AES = 2 (PMULL)
  if (crm == 6 && op2 == 0) value = 0x11100212120;
  if (crm == 6 && op2 == 1) value = 0x100000;  // ID_AA64ISAR1_EL1: LRCPC = 1 (LDAPR)
  return true;
}

void gen_dc_zva(DisasContext& s, unsigned t) {
  Arg base = s.ir.and_(read_x(s, t), imm64(~uint64_t(kDcZvaBytes - 1)));
  Arg zero = s.ir.vconst(0, 0);
  for (unsigned off = 0; off < kDcZvaBytes; off += 16)
    s.ir.store(off ? s.ir.add(base, imm64(off)) : base, zero, MemOp::k128);
}
}  // namespace

bool trans_SYS(DisasContext& s, uint32_t op, uint32_t t) {
  if (s.system && op != sysop(3, 7, 4, 1)) return trans_SYS_system(s, op, t);
  switch (op) {
    case sysop(3, 7, 4, 1):  // DC ZVA
      gen_dc_zva(s, t);
      return true;
    case sysop(3, 7, 5, 1):  // IC IVAU: the loop drops translations of that address, then continues
      s.ir.set_state(uint32_t(offsetof(A64Cpu, ic_inval_addr)), read_x(s, t));
      gen_exit(s, kExitIcInvalidate, s.pc + 4);
      return true;
    case sysop(3, 7, 11, 1):  // DC CVAU
    case sysop(3, 7, 10, 1):  // DC CVAC
    case sysop(3, 7, 14, 1):  // DC CIVAC
    case sysop(3, 7, 12, 1):  // DC CVAP
    case sysop(3, 7, 13, 1):  // DC CVADP
      return true;            // coherent host caches: nothing to do
    default: return false;
  }
}

bool trans_MRS(DisasContext& s, uint32_t reg, uint32_t t) {
  if (s.system) return trans_MRS_system(s, reg, t);
  return trans_MRS_el0(s, reg, t);
}

bool trans_MRS_el0(DisasContext& s, uint32_t reg, uint32_t t) {
  Arg v;
  uint64_t id;
  switch (reg) {
    case kNzcv: {
      // N<<31 | Z<<30 | C<<29 | V<<28 from the lazy fields.
      Arg n = s.ir.shl(s.ir.shr(s.ir.get_state(Type::I64, kNfOffset), imm64(63)), imm64(31));
      Arg z = s.ir.shl(s.ir.setcond(Cond::Eq, s.ir.get_state(Type::I64, kZfOffset), imm64(0)), imm64(30));
      Arg c = s.ir.shl(s.ir.and_(s.ir.get_state(Type::I64, kCfOffset), imm64(1)), imm64(29));
      Arg vv = s.ir.shl(s.ir.shr(s.ir.get_state(Type::I64, kVfOffset), imm64(63)), imm64(28));
      v = s.ir.or_(s.ir.or_(n, z), s.ir.or_(c, vv));
      break;
    }
    // FPCR is whole in its field; FPSR merges the flags inline FP code keeps in MXCSR (get_fpsr).
    case kFpcr: v = s.ir.get_state(Type::I32, uint32_t(offsetof(A64Cpu, fpcr))); break;
    case kFpsr: v = s.ir.call(Type::I64, fp_helper_id(FpHelper::get_fpsr), {}); break;
    case kTpidr: v = s.ir.get_state(Type::I64, uint32_t(offsetof(A64Cpu, tpidr_el0))); break;
    case kTpidrro: v = s.ir.get_state(Type::I64, uint32_t(offsetof(A64Cpu, tpidrro_el0))); break;
    case kCntfrqReg: v = imm64(kCntfrq); break;
    case kCntvct: v = s.ir.call(Type::I64, helper_id(Helper::cntvct), {}); break;
    case kCtrEl0: v = imm64(kCtr); break;
    case kDczidEl0: v = imm64(kDczid); break;
    case kMidrEl1: v = imm64(kMidr); break;
    case kMpidrEl1: v = imm64(0x80000000); break;
    case kRevidrEl1: v = imm64(0); break;
    default:
      if (!id_register(reg, id)) return false;
      v = imm64(id);
      break;
  }
  write_x(s, t, v);
  return true;
}

bool trans_MSR_reg(DisasContext& s, uint32_t reg, uint32_t t) {
  if (s.system) return trans_MSR_system(s, reg, t);
  return trans_MSR_el0(s, reg, t);
}

bool trans_MSR_el0(DisasContext& s, uint32_t reg, uint32_t t) {
  if (reg != kNzcv && reg != kFpcr && reg != kFpsr && reg != kTpidr) return false;  // before emitting
  Arg v = read_x(s, t);
  switch (reg) {
    case kNzcv:
      s.ir.set_state(kNfOffset, s.ir.shl(v, imm64(32)));  // bit 31 -> bit 63
      s.ir.set_state(kZfOffset, s.ir.xor_(s.ir.and_(v, imm64(1u << 30)), imm64(1u << 30)));
      s.ir.set_state(kCfOffset, s.ir.extract(v, 29, 1));
      s.ir.set_state(kVfOffset, s.ir.shl(v, imm64(35)));  // bit 28 -> bit 63
      s.flags = FlagSource{};
      return true;
    case kFpcr:
      // set_fpcr also sets the MXCSR rounding and tb_flags: blocks are translated for RMode/FZ/DN/AHP,
      // so continue through a lookup under the new flags (which also empties the jump cache).
      s.ir.call_void(fp_helper_id(FpHelper::set_fpcr), {v});
      gen_exit(s, tcg::kExitLookup, s.pc + 4);
      return true;
    case kFpsr: s.ir.call_void(fp_helper_id(FpHelper::set_fpsr), {v}); return true;
    case kTpidr: s.ir.set_state(uint32_t(offsetof(A64Cpu, tpidr_el0)), v); return true;
    default: return false;
  }
}

}  // namespace mimic::arm
