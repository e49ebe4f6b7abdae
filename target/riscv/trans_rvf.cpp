// The F and D extensions: loads/stores and moves inline, arithmetic through helpers (helpers.cpp)
// that give RISC-V's exact flags, rounding and NaN rules. An inline SSE fast path is the next step.
#include <cstddef>
#include <initializer_list>

#include "target/riscv/helpers.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

bool gen_check_rm(DisasContext& s, unsigned rm) {
  if (rm == 5 || rm == 6) return false;
  if (rm == 7 && !s.frm_checked) {
    // A reserved value in frm makes every dynamic-rounding instruction illegal at run time.
    uint32_t ok = s.ir.new_label();
    Arg frm = s.ir.get_state(Type::I32, uint32_t(offsetof(RiscvCpu, frm)));
    s.ir.br_cond(Cond::LtU, frm, imm32(5), ok);
    s.ir.exit_loop(kExitIllegal, imm64(s.pc));
    s.ir.label(ok);
    s.frm_checked = true;
  }
  return true;
}

namespace {
Arg call(DisasContext& s, Helper h, std::initializer_list<Arg> args) {
  return s.ir.call(Type::I64, helper_id(h), args);
}
// rd(f) = helper(f[rs1], f[rs2], rm)
bool gen_fp2(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2), imm64(a.rm)}));
  return true;
}
// rd(f) = helper(f[rs1], rm)
bool gen_fp1(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), imm64(a.rm)}));
  return true;
}
bool gen_fp3(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2), fpr(s, a.rs3), imm64(a.rm)}));
  return true;
}
// No rounding mode: funct3 selects the operation.
bool gen_fp2_norm(DisasContext& s, const Args& a, Helper h) {
  set_fpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2)}));
  return true;
}
bool gen_fcmp(DisasContext& s, const Args& a, Helper h) {
  set_gpr(s, a.rd, call(s, h, {fpr(s, a.rs1), fpr(s, a.rs2)}));
  return true;
}
bool gen_fclass(DisasContext& s, const Args& a, Helper h) {
  set_gpr(s, a.rd, call(s, h, {fpr(s, a.rs1)}));
  return true;
}
bool gen_to_int(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_gpr(s, a.rd, call(s, h, {fpr(s, a.rs1), imm64(a.rm)}));
  return true;
}
bool gen_from_int(DisasContext& s, const Args& a, Helper h) {
  if (!gen_check_rm(s, a.rm)) return false;
  set_fpr(s, a.rd, call(s, h, {gpr(s, a.rs1), imm64(a.rm)}));
  return true;
}
constexpr uint64_t kBox = 0xffffffff00000000ull;
}  // namespace

#define FP_TRANS(p)                                                                                              \
  bool trans_fadd_##p(DisasContext& s, const Args& a) { return gen_fp2(s, a, Helper::fadd_##p); }                \
  bool trans_fsub_##p(DisasContext& s, const Args& a) { return gen_fp2(s, a, Helper::fsub_##p); }                \
  bool trans_fmul_##p(DisasContext& s, const Args& a) { return gen_fp2(s, a, Helper::fmul_##p); }                \
  bool trans_fdiv_##p(DisasContext& s, const Args& a) { return gen_fp2(s, a, Helper::fdiv_##p); }                \
  bool trans_fsqrt_##p(DisasContext& s, const Args& a) { return gen_fp1(s, a, Helper::fsqrt_##p); }              \
  bool trans_fmadd_##p(DisasContext& s, const Args& a) { return gen_fp3(s, a, Helper::fmadd_##p); }              \
  bool trans_fmsub_##p(DisasContext& s, const Args& a) { return gen_fp3(s, a, Helper::fmsub_##p); }              \
  bool trans_fnmsub_##p(DisasContext& s, const Args& a) { return gen_fp3(s, a, Helper::fnmsub_##p); }            \
  bool trans_fnmadd_##p(DisasContext& s, const Args& a) { return gen_fp3(s, a, Helper::fnmadd_##p); }            \
  bool trans_fsgnj_##p(DisasContext& s, const Args& a) { return gen_fp2_norm(s, a, Helper::fsgnj_##p); }         \
  bool trans_fsgnjn_##p(DisasContext& s, const Args& a) { return gen_fp2_norm(s, a, Helper::fsgnjn_##p); }       \
  bool trans_fsgnjx_##p(DisasContext& s, const Args& a) { return gen_fp2_norm(s, a, Helper::fsgnjx_##p); }       \
  bool trans_fmin_##p(DisasContext& s, const Args& a) { return gen_fp2_norm(s, a, Helper::fmin_##p); }           \
  bool trans_fmax_##p(DisasContext& s, const Args& a) { return gen_fp2_norm(s, a, Helper::fmax_##p); }           \
  bool trans_feq_##p(DisasContext& s, const Args& a) { return gen_fcmp(s, a, Helper::feq_##p); }                 \
  bool trans_flt_##p(DisasContext& s, const Args& a) { return gen_fcmp(s, a, Helper::flt_##p); }                 \
  bool trans_fle_##p(DisasContext& s, const Args& a) { return gen_fcmp(s, a, Helper::fle_##p); }                 \
  bool trans_fclass_##p(DisasContext& s, const Args& a) { return gen_fclass(s, a, Helper::fclass_##p); }         \
  bool trans_fcvt_w_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_w_##p); }         \
  bool trans_fcvt_wu_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_wu_##p); }       \
  bool trans_fcvt_l_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_l_##p); }         \
  bool trans_fcvt_lu_##p(DisasContext& s, const Args& a) { return gen_to_int(s, a, Helper::fcvt_lu_##p); }       \
  bool trans_fcvt_##p##_w(DisasContext& s, const Args& a) { return gen_from_int(s, a, Helper::fcvt_##p##_w); }   \
  bool trans_fcvt_##p##_wu(DisasContext& s, const Args& a) { return gen_from_int(s, a, Helper::fcvt_##p##_wu); } \
  bool trans_fcvt_##p##_l(DisasContext& s, const Args& a) { return gen_from_int(s, a, Helper::fcvt_##p##_l); }   \
  bool trans_fcvt_##p##_lu(DisasContext& s, const Args& a) { return gen_from_int(s, a, Helper::fcvt_##p##_lu); }
FP_TRANS(s)
FP_TRANS(d)
#undef FP_TRANS

bool trans_fcvt_s_d(DisasContext& s, const Args& a) { return gen_fp1(s, a, Helper::fcvt_s_d); }
bool trans_fcvt_d_s(DisasContext& s, const Args& a) { return gen_fp1(s, a, Helper::fcvt_d_s); }

// flw NaN-boxes the loaded value; fsw stores the low 32 bits whatever the boxing.
bool trans_flw(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, s.ir.or_(s.ir.load(Type::I64, gen_addr(s, a.rs1, a.imm), MemOp::k32), imm64(kBox)));
  return true;
}
bool trans_fld(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, s.ir.load(Type::I64, gen_addr(s, a.rs1, a.imm), MemOp::k64));
  return true;
}
bool trans_fsw(DisasContext& s, const Args& a) {
  s.ir.store(gen_addr(s, a.rs1, a.imm), fpr(s, a.rs2), MemOp::k32);
  return true;
}
bool trans_fsd(DisasContext& s, const Args& a) {
  s.ir.store(gen_addr(s, a.rs1, a.imm), fpr(s, a.rs2), MemOp::k64);
  return true;
}
bool trans_fmv_x_w(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, s.ir.sext(fpr(s, a.rs1), 32));
  return true;
}
bool trans_fmv_w_x(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, s.ir.or_(s.ir.zext(gpr(s, a.rs1), 32), imm64(kBox)));
  return true;
}
bool trans_fmv_x_d(DisasContext& s, const Args& a) {
  set_gpr(s, a.rd, fpr(s, a.rs1));
  return true;
}
bool trans_fmv_d_x(DisasContext& s, const Args& a) {
  set_fpr(s, a.rd, gpr(s, a.rs1));
  return true;
}

}  // namespace mimic::riscv
