// Zicsr. In user mode: fflags, frm, fcsr and the read-only counters cycle, time, instret. The FP
// CSRs go through helpers (accrued flags live partly in MXCSR while translated code runs), and a
// write of frm ends the block: the next one is translated for the new rounding mode (tb_flags).
// Any other CSR is an illegal instruction.
// In system mode every CSR instruction is one call of the csr helper over the CSR table
// (csr.cpp), which also checks the access; a write to a CSR that can change tb_flags, interrupt
// enables or translation ends the block.
#include <cstddef>

#include "target/riscv/helpers.h"
#include "target/riscv/trans.h"
#include "target/riscv/vector.h"

namespace mimic::riscv {

namespace {
constexpr uint32_t kCsrFflags = 0x001, kCsrFrm = 0x002, kCsrFcsr = 0x003, kCsrCycle = 0xc00, kCsrTime = 0xc01,
                   kCsrInstret = 0xc02;
constexpr uint32_t kFrmOff = uint32_t(offsetof(RiscvCpu, frm));

// The same order as csr.h's CsrOp: the system-mode helper receives it as a number.
enum class CsrOp { Write, Set, Clear };

bool known_csr(uint32_t csr) {
  switch (csr) {
    case kCsrFflags:
    case kCsrFrm:
    case kCsrFcsr:
    case kCsrCycle:
    case kCsrTime:
    case kCsrInstret: return true;
    default: return false;
  }
}

Arg read_csr(DisasContext& s, uint32_t csr) {
  switch (csr) {
    case kCsrFflags:
    case kCsrFcsr: return s.ir.call(Type::I64, helper_id(Helper::fcsr_read), {imm64(csr)});
    case kCsrFrm: return s.ir.zext32_to_64(s.ir.get_state(Type::I32, kFrmOff));
    case kCsrCycle: return s.ir.call(Type::I64, helper_id(Helper::rdcycle), {});
    case kCsrTime: return s.ir.call(Type::I64, helper_id(Helper::rdtime), {});
    default: return s.ir.call(Type::I64, helper_id(Helper::rdinstret), {});
  }
}

// Returns whether the write changed frm (the block must end).
bool write_csr(DisasContext& s, uint32_t csr, Arg v) {
  s.ir.call_void(helper_id(Helper::fcsr_write), {imm64(csr), v});
  return csr != kCsrFflags;
}

// `src_is_zero`: rs1 is x0 (or uimm is 0) so csrrs/csrrc do not write (and may read a read-only CSR).
// CSRs whose writes change nothing a translated block depends on (and enable no interrupt).
// Not fflags: its write sets mstatus.FS to Dirty, which is in tb_flags.
bool write_keeps_block(uint32_t csr) {
  switch (csr) {
    case 0x140:
    case 0x141:
    case 0x142:
    case 0x143:  // sscratch sepc scause stval
    case 0x340:
    case 0x341:
    case 0x342:
    case 0x343:  // mscratch mepc mcause mtval
    case 0x105:
    case 0x305:  // stvec mtvec
    case 0x302:
    case 0x106:
    case 0x306:  // medeleg scounteren mcounteren
      return true;
    default: return false;
  }
}

bool gen_csr_system(DisasContext& s, const Args& a, CsrOp op, Arg src, bool src_is_zero) {
  uint32_t csr = uint32_t(a.imm);
  bool writes = op == CsrOp::Write || !src_is_zero;
  uint64_t packed = csr | (uint64_t(op) << 12) | (uint64_t(writes) << 14) | (uint64_t(a.rd) << 16);
  Arg status = s.ir.call(Type::I64, helper_id(Helper::csr), {imm64(packed), src, imm64(s.insn), imm64(s.pc)});
  uint32_t ok = s.ir.new_label();
  s.ir.br_cond(Cond::Eq, status, imm64(0), ok);
  s.ir.exit_loop(kExitIllegal, imm64(s.pc));  // the helper left the instruction bits in bad_insn
  s.ir.label(ok);
  if (writes && !write_keeps_block(csr)) gen_exit(s, tcg::kExitLookup, s.next_pc);
  return true;
}

// The vector CSRs (vector.cpp); vl, vtype and vlenb are read-only.
bool gen_csr_vector(DisasContext& s, const Args& a, CsrOp op, Arg src, bool src_is_zero) {
  uint32_t csr = uint32_t(a.imm);
  bool writes = op == CsrOp::Write || !src_is_zero;
  if (!s.vector || (writes && (csr >> 10) == 3)) return false;
  Arg old = s.ir.call(Type::I64, vector_helper_id(VHelper::kCsrRead), {imm64(csr)});
  if (writes) {
    Arg v = op == CsrOp::Write ? src : op == CsrOp::Set ? s.ir.or_(old, src) : s.ir.andc(old, src);
    s.ir.call_void(vector_helper_id(VHelper::kCsrWrite), {imm64(csr), v});
  }
  set_gpr(s, a.rd, old);
  return true;
}

bool gen_csr(DisasContext& s, const Args& a, CsrOp op, Arg src, bool src_is_zero) {
  if (s.system) return gen_csr_system(s, a, op, src, src_is_zero);
  uint32_t csr = uint32_t(a.imm);
  if (is_vector_csr(csr)) return gen_csr_vector(s, a, op, src, src_is_zero);
  if (!known_csr(csr)) return false;
  bool writes = op == CsrOp::Write || !src_is_zero;
  bool read_only = (csr >> 10) == 3;
  if (writes && read_only) return false;
  Arg old = read_csr(s, csr);
  bool new_frm = false;
  if (writes) {
    Arg v = op == CsrOp::Write ? src : op == CsrOp::Set ? s.ir.or_(old, src) : s.ir.andc(old, src);
    new_frm = write_csr(s, csr, v);
  }
  set_gpr(s, a.rd, old);
  // tb_flags changed: back to the loop, which looks the next block up under the new flags (and
  // empties the jump cache, keyed by pc alone). kExitLookup is a plain "continue at pc" there.
  if (new_frm) gen_exit(s, tcg::kExitLookup, s.next_pc);
  return true;
}
}  // namespace

bool trans_csrrw(DisasContext& s, const Args& a) { return gen_csr(s, a, CsrOp::Write, gpr(s, a.rs1), a.rs1 == 0); }
bool trans_csrrs(DisasContext& s, const Args& a) { return gen_csr(s, a, CsrOp::Set, gpr(s, a.rs1), a.rs1 == 0); }
bool trans_csrrc(DisasContext& s, const Args& a) { return gen_csr(s, a, CsrOp::Clear, gpr(s, a.rs1), a.rs1 == 0); }
bool trans_csrrwi(DisasContext& s, const Args& a) { return gen_csr(s, a, CsrOp::Write, imm64(a.rs1), a.rs1 == 0); }
bool trans_csrrsi(DisasContext& s, const Args& a) { return gen_csr(s, a, CsrOp::Set, imm64(a.rs1), a.rs1 == 0); }
bool trans_csrrci(DisasContext& s, const Args& a) { return gen_csr(s, a, CsrOp::Clear, imm64(a.rs1), a.rs1 == 0); }

}  // namespace mimic::riscv
