// Branches (B, BL, B.cond, CB(N)Z, TB(N)Z, BR, BLR, RET), exception generation (SVC, BRK, UDF),
// hints and barriers (HINT space, CLREX, DMB, DSB, ISB, SB).
#include "target/arm/trans.h"

namespace mimic::arm {

namespace {
uint64_t sext(uint64_t v, unsigned bits) { return uint64_t(int64_t(v << (64 - bits)) >> (64 - bits)); }

// Ends the block with a two-way exit: taken when a <c> b.
void gen_cond_branch(DisasContext& s, Cond c, Arg a, Arg b, uint64_t target) {
  gen_discard_dead_flags(s, s.pc + 4, target);
  switch (s.unroll.branch(s.ir, c, a, b, target, s.pc + 4, s.insns)) {
    case tcg::LoopUnroll::Result::kRestart: s.restart = true; return;
    case tcg::LoopUnroll::Result::kEnded: s.ended = true; return;
    case tcg::LoopUnroll::Result::kNotLoop: break;
  }
  uint32_t taken = s.ir.new_label();
  s.ir.br_cond(c, a, b, taken);
  s.ir.goto_tb(0, s.pc + 4);
  s.ir.label(taken);
  s.ir.goto_tb(1, target);
  s.ended = true;
}
}  // namespace

bool trans_B(DisasContext& s, bool link, uint32_t imm26) {
  if (link) write_x(s, 30, imm64(s.pc + 4));
  gen_goto(s, 0, s.pc + sext(uint64_t(imm26) << 2, 28));
  s.ended = true;
  return true;
}

bool trans_B_cond(DisasContext& s, uint32_t imm19, uint32_t cond) {
  const uint64_t target = s.pc + sext(uint64_t(imm19) << 2, 21);
  if (cond >= 14) {
    gen_goto(s, 0, target);
    s.ended = true;
    return true;
  }
  // Right after a compare this is one host cmp + jcc on the compare's own operands.
  CondTest t = gen_test_cc(s, cond);
  gen_cond_branch(s, t.c, t.a, t.b, target);
  return true;
}

bool trans_CBZ(DisasContext& s, bool sf, bool nz, uint32_t imm19, uint32_t t) {
  Arg v = read_reg(s, t, sf);
  gen_cond_branch(s, nz ? Cond::Ne : Cond::Eq, v, imm_sf(sf, 0), s.pc + sext(uint64_t(imm19) << 2, 21));
  return true;
}

bool trans_TBZ(DisasContext& s, uint32_t b5, bool nz, uint32_t b40, uint32_t imm14, uint32_t t) {
  const unsigned bit = (b5 << 5) | b40;
  gen_cond_branch(s, nz ? Cond::TstNe : Cond::TstEq, read_x(s, t), imm64(1ull << bit),
                  s.pc + sext(uint64_t(imm14) << 2, 16));
  return true;
}

bool trans_BR(DisasContext& s, uint32_t n) {
  gen_goto_ptr(s, read_x(s, n));
  return true;
}
bool trans_BLR(DisasContext& s, uint32_t n) {
  Arg target = read_x(s, n);  // read before X30 is written: BLR X30 jumps to the old value
  write_x(s, 30, imm64(s.pc + 4));
  gen_goto_ptr(s, target);
  return true;
}
bool trans_RET(DisasContext& s, uint32_t n) {
  gen_goto_ptr(s, read_x(s, n));
  return true;
}

bool trans_SVC(DisasContext& s, uint32_t imm16) {
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(imm16));
  gen_exit(s, kExitSvc, s.pc);
  return true;
}
bool trans_BRK(DisasContext& s, uint32_t imm16) {
  s.ir.set_state(uint32_t(offsetof(A64Cpu, svc_imm)), imm32(imm16));
  gen_exit(s, kExitBrk, s.pc);
  return true;
}
bool trans_UDF(DisasContext& s, uint32_t) {
  gen_exit(s, kExitUdf, s.pc);
  return true;
}

// NOP, YIELD, WFE, WFI, SEV(L), and the hint-space encodings of PAC/BTI/CSDB/ESB... that
// architecturally execute as NOP on a CPU without those features.
bool trans_HINT(DisasContext& s, uint32_t crm, uint32_t op2) {
  return s.system ? trans_HINT_system(s, crm, op2) : true;
}

bool trans_CLREX(DisasContext& s, uint32_t) {
  s.ir.set_state(uint32_t(offsetof(A64Cpu, excl_addr)), imm64(~0ull));
  return true;
}

namespace {
// The x86 host is TSO: only orderings that include store->load need a real fence.
tcg::FenceKind fence_for(uint32_t crm) {
  switch (crm & 3) {
    case 1: return tcg::FenceKind::Acquire;  // *LD: load -> load/store
    case 2: return tcg::FenceKind::Release;  // *ST: store -> store
    default: return tcg::FenceKind::Full;
  }
}
}  // namespace

bool trans_DSB(DisasContext& s, uint32_t crm) {
  s.ir.fence(crm == 0 || crm == 4 ? tcg::FenceKind::Full : fence_for(crm));  // SSBB/PSSBB: full
  return true;
}
bool trans_DMB(DisasContext& s, uint32_t crm) {
  s.ir.fence(fence_for(crm));
  return true;
}
bool trans_ISB(DisasContext& s, uint32_t) {
  // Context synchronization: later instructions are fetched again, so start a new block.
  s.ir.fence(tcg::FenceKind::Full);
  gen_goto(s, 0, s.pc + 4);
  s.ended = true;
  return true;
}
bool trans_SB(DisasContext& s) {
  s.ir.fence(tcg::FenceKind::Full);
  return true;
}

}  // namespace mimic::arm
