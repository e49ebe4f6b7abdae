// Zicsr in user mode: fflags, frm, fcsr (inline on the CPU state) and the read-only counters
// cycle, time, instret (helpers). Any other CSR is an illegal instruction.
#include <cstddef>

#include "target/riscv/helpers.h"
#include "target/riscv/trans.h"

namespace mimic::riscv {

namespace {
constexpr uint32_t kCsrFflags = 0x001, kCsrFrm = 0x002, kCsrFcsr = 0x003, kCsrCycle = 0xc00, kCsrTime = 0xc01,
                   kCsrInstret = 0xc02;
constexpr uint32_t kFflagsOff = uint32_t(offsetof(RiscvCpu, fflags));
constexpr uint32_t kFrmOff = uint32_t(offsetof(RiscvCpu, frm));

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
  auto field = [&](uint32_t off) { return s.ir.zext32_to_64(s.ir.get_state(Type::I32, off)); };
  switch (csr) {
    case kCsrFflags: return field(kFflagsOff);
    case kCsrFrm: return field(kFrmOff);
    case kCsrFcsr: return s.ir.or_(field(kFflagsOff), s.ir.shl(field(kFrmOff), imm64(5)));
    case kCsrCycle: return s.ir.call(Type::I64, helper_id(Helper::rdcycle), {});
    case kCsrTime: return s.ir.call(Type::I64, helper_id(Helper::rdtime), {});
    default: return s.ir.call(Type::I64, helper_id(Helper::rdinstret), {});
  }
}

void write_csr(DisasContext& s, uint32_t csr, Arg v) {
  auto field = [&](uint32_t off, unsigned shift, uint64_t mask) {
    Arg x = shift ? s.ir.shr(v, imm64(shift)) : v;
    s.ir.set_state(off, s.ir.trunc64_to_32(s.ir.and_(x, imm64(mask))));
  };
  if (csr == kCsrFflags || csr == kCsrFcsr) field(kFflagsOff, 0, 0x1f);
  if (csr == kCsrFrm) field(kFrmOff, 0, 7);
  if (csr == kCsrFcsr) field(kFrmOff, 5, 7);
  s.frm_checked = false;  // later dynamic-rm instructions must check the new frm
}

// `src_is_zero`: rs1 is x0 (or uimm is 0) so csrrs/csrrc do not write (and may read a read-only CSR).
bool gen_csr(DisasContext& s, const Args& a, CsrOp op, Arg src, bool src_is_zero) {
  uint32_t csr = uint32_t(a.imm);
  if (!known_csr(csr)) return false;
  bool writes = op == CsrOp::Write || !src_is_zero;
  bool read_only = (csr >> 10) == 3;
  if (writes && read_only) return false;
  Arg old = read_csr(s, csr);
  if (writes) {
    Arg v = op == CsrOp::Write ? src : op == CsrOp::Set ? s.ir.or_(old, src) : s.ir.andc(old, src);
    write_csr(s, csr, v);
  }
  set_gpr(s, a.rd, old);
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
