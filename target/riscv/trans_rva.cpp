// The A extension: LR/SC (SC as a compare-and-swap against the reserved value, correct under real
// host threads as in QEMU) and the AMOs. x86 locked instructions are full barriers, so aq/rl
// need nothing extra.
#include <cstddef>

#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
constexpr uint32_t kReserveAddr = uint32_t(offsetof(RiscvCpu, reserve_addr));
constexpr uint32_t kReserveValue = uint32_t(offsetof(RiscvCpu, reserve_value));

bool gen_lr(DisasContext& s, const Args& a, bool dword) {
  if (a.rs2 != 0) return false;
  Arg addr = gpr(s, a.rs1);
  Arg v = s.ir.load(Type::I64, addr, (dword ? MemOp::k64 : MemOp::k32 | MemOp::kSigned) | MemOp::kAligned);
  s.ir.set_state(kReserveAddr, addr);
  s.ir.set_state(kReserveValue, v);
  set_gpr(s, a.rd, v);
  return true;
}

bool gen_sc(DisasContext& s, const Args& a, bool dword) {
  Arg addr = gpr(s, a.rs1);
  uint32_t fail = s.ir.new_label(), done = s.ir.new_label();
  s.ir.br_cond(Cond::Ne, addr, s.ir.get_state(Type::I64, kReserveAddr), fail);
  Arg expected = s.ir.get_state(Type::I64, kReserveValue);
  Arg failed;
  if (dword) {
    Arg old = s.ir.atomic_cas(addr, expected, gpr(s, a.rs2), MemOp::k64 | MemOp::kAligned);
    failed = s.ir.setcond(Cond::Ne, old, expected);
  } else {
    Arg exp32 = s.ir.trunc64_to_32(expected);
    Arg old = s.ir.atomic_cas(addr, exp32, s.ir.trunc64_to_32(gpr(s, a.rs2)), MemOp::k32 | MemOp::kAligned);
    failed = s.ir.setcond(Cond::Ne, old, exp32, Type::I64);
  }
  set_gpr(s, a.rd, failed);
  s.ir.br(done);
  s.ir.label(fail);
  set_gpr(s, a.rd, imm64(1));
  s.ir.label(done);
  // Any SC, successful or not, gives up the reservation.
  s.ir.set_state(kReserveAddr, imm64(~uint64_t(0)));
  return true;
}

bool gen_amo(DisasContext& s, const Args& a, tcg::RmwOp op, bool dword) {
  Arg addr = gpr(s, a.rs1);
  Arg old;
  if (dword) {
    old = s.ir.atomic_rmw(op, addr, gpr(s, a.rs2), MemOp::k64 | MemOp::kAligned);
  } else {
    // 32-bit operation so that min/max compare 32-bit values; the old value is sign-extended.
    old = s.ir.sext32_to_64(s.ir.atomic_rmw(op, addr, s.ir.trunc64_to_32(gpr(s, a.rs2)), MemOp::k32 | MemOp::kAligned));
  }
  set_gpr(s, a.rd, old);
  return true;
}
}  // namespace

using tcg::RmwOp;
bool trans_lr_w(DisasContext& s, const Args& a) { return gen_lr(s, a, false); }
bool trans_sc_w(DisasContext& s, const Args& a) { return gen_sc(s, a, false); }
bool trans_amoswap_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Xchg, false); }
bool trans_amoadd_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Add, false); }
bool trans_amoxor_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Xor, false); }
bool trans_amoand_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::And, false); }
bool trans_amoor_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Or, false); }
bool trans_amomin_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::SMin, false); }
bool trans_amomax_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::SMax, false); }
bool trans_amominu_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::UMin, false); }
bool trans_amomaxu_w(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::UMax, false); }
bool trans_lr_d(DisasContext& s, const Args& a) { return gen_lr(s, a, true); }
bool trans_sc_d(DisasContext& s, const Args& a) { return gen_sc(s, a, true); }
bool trans_amoswap_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Xchg, true); }
bool trans_amoadd_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Add, true); }
bool trans_amoxor_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Xor, true); }
bool trans_amoand_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::And, true); }
bool trans_amoor_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::Or, true); }
bool trans_amomin_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::SMin, true); }
bool trans_amomax_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::SMax, true); }
bool trans_amominu_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::UMin, true); }
bool trans_amomaxu_d(DisasContext& s, const Args& a) { return gen_amo(s, a, RmwOp::UMax, true); }

}  // namespace mimic::riscv
