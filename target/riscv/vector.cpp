// The V extension's entry points: vsetvl{i}/vsetivli, the vector CSRs, the register-group rules,
// and vexec, which dispatches one vector instruction to its group (docs/riscv-v.md).
#include "target/riscv/vector.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "tcg/helper.h"

namespace mimic::riscv {

namespace vec {

Insn::Insn(RiscvCpu& cpu, uint32_t bits) : c(cpu), insn(bits) {
  vd = (bits >> 7) & 31;
  vs1 = (bits >> 15) & 31;
  vs2 = (bits >> 20) & 31;
  f3 = (bits >> 12) & 7;
  f6 = bits >> 26;
  vm = (bits >> 25) & 1;
  vill = (c.vtype & kVtypeVill) != 0;
  sew = 8u << ((c.vtype >> 3) & 7);
  lmul = int(sext(c.vtype & 7, 3));
  vl = unsigned(c.vl);
  vstart = unsigned(c.vstart);
  vlmax = lmul >= 0 ? (kVlenb * 8 / sew) << lmul : (kVlenb * 8 / sew) >> -lmul;
  src = &c.vreg[0][0];
}

bool element_wise(uint32_t insn) {
  const unsigned opcode = insn & 0x7f, f3 = (insn >> 12) & 7, f6 = insn >> 26, mop = (insn >> 26) & 3;
  if (opcode == 0x27) return true;                  // stores write no register
  if (opcode == 0x07) return mop == 0 || mop == 2;  // unit-stride and strided loads read only v0
  switch (f3) {
    case 0:
    case 3:
    case 4:  // add sub rsub min max and or xor adc sbc merge sadd ssub sll smul/vmv<nr>r srl sra ssrl ssra
      return f6 <= 0x0b
                 ? f6 != 0x01 && f6 != 0x08
                 : f6 == 0x10 || f6 == 0x12 || f6 == 0x17 || (f6 >= 0x20 && f6 <= 0x2b && f6 != 0x24 && f6 != 0x26);
    case 2:
    case 6:  // averaging, div/rem, mul/mulh, multiply-add
      return (f6 >= 0x08 && f6 <= 0x0b) || (f6 >= 0x20 && f6 <= 0x27) || f6 == 0x29 || f6 == 0x2b || f6 == 0x2d ||
             f6 == 0x2f;
    default:  // add sub min max sgnj merge div rdiv mul rsub fused; sqrt/class/estimates
      return f6 == 0x00 || f6 == 0x02 || f6 == 0x04 || f6 == 0x06 || (f6 >= 0x08 && f6 <= 0x0a) || f6 == 0x13 ||
             f6 == 0x17 || f6 == 0x20 || f6 == 0x21 || f6 == 0x24 || f6 == 0x27 || (f6 >= 0x28 && f6 <= 0x2f);
  }
}

bool aligned(unsigned r, int lmul) { return lmul <= 0 || (r & ((1u << lmul) - 1)) == 0; }

bool overlap(unsigned a, int a_lmul, unsigned b, int b_lmul) {
  unsigned as = a_lmul > 0 ? 1u << a_lmul : 1, bs = b_lmul > 0 ? 1u << b_lmul : 1;
  return a < b + bs && b < a + as;
}

bool no_bad_overlap(unsigned dst, int d_lmul, unsigned src, int s_lmul) {
  unsigned ds = d_lmul > 0 ? 1u << d_lmul : 1, ss = s_lmul > 0 ? 1u << s_lmul : 1;
  // A wider destination may overlap the highest-numbered part of a source group of LMUL >= 1.
  if (ds > ss && dst < src && s_lmul >= 0 && overlap(dst, d_lmul, src, s_lmul) &&
      !overlap(dst, d_lmul, src + ss, s_lmul))
    return true;
  return !overlap(dst, d_lmul, src, s_lmul);
}

}  // namespace vec

namespace {

using vec::sext;

// vtype's legal values (qemu's vsetvl rules): SEW <= ELEN, LMUL not reserved, a fractional LMUL
// holding at least one element of SEW, every reserved bit zero.
uint64_t set_vtype(RiscvCpu& c, uint64_t avl, uint64_t vtype) {
  unsigned lmul_bits = vtype & 7, sew = 8u << ((vtype >> 3) & 7);
  bool ill = (vtype >> 8) != 0 || lmul_bits == 4 || sew > 64;
  if (lmul_bits > 4 && (64u >> (8 - lmul_bits)) < sew) ill = true;
  if (ill) {
    c.vtype = kVtypeVill;
    c.vl = 0;
    c.vstart = 0;
    return 0;
  }
  int lmul = int(sext(lmul_bits, 3));
  uint64_t vlmax = lmul >= 0 ? (kVlenb * 8 / sew) << lmul : (kVlenb * 8 / sew) >> -lmul;
  c.vtype = vtype;
  c.vl = std::min(avl, vlmax);
  c.vstart = 0;
  return c.vl;
}

uint64_t exec_vsetvl(RiscvCpu& c, uint32_t bits) {
  unsigned rd = (bits >> 7) & 31, rs1 = (bits >> 15) & 31, rs2 = (bits >> 20) & 31;
  uint64_t avl, vtype;
  if (!(bits >> 31)) {  // vsetvli
    vtype = (bits >> 20) & 0x7ff;
    avl = rs1 ? c.x[rs1] : rd ? ~0ull : c.vl;
  } else if ((bits >> 30) == 3) {  // vsetivli
    vtype = (bits >> 20) & 0x3ff;
    avl = rs1;
  } else if ((bits >> 25) == 0x40) {  // vsetvl
    vtype = rs2 ? c.x[rs2] : 0;
    avl = rs1 ? c.x[rs1] : rd ? ~0ull : c.vl;
  } else {
    return kVIllegal;
  }
  uint64_t vl = set_vtype(c, avl, vtype);
  if (rd) c.x[rd] = vl;
  return kVOk;
}

using tcg::CpuBase;

uint64_t h_vexec(CpuBase* env, uint64_t bits, uint64_t pc, uint64_t, uint64_t, uint64_t) {
  RiscvCpu& c = *static_cast<RiscvCpu*>(env);
  c.pc = pc;  // a fault inside guest memory reports this instruction (the host fault handler)
  uint32_t insn = uint32_t(bits);
  unsigned opcode = insn & 0x7f, f3 = (insn >> 12) & 7;
  if (opcode == 0x57 && f3 == 7) return exec_vsetvl(c, insn);
  vec::Insn v(c, insn);
  if (!vec::element_wise(insn)) v.snapshot();
  uint64_t st;
  if (opcode != 0x57)
    st = vec::exec_load_store(v, pc, opcode == 0x27);
  else if (f3 == 0 || f3 == 3 || f3 == 4)
    st = vec::exec_opi(v);
  else if (f3 == 2 || f3 == 6)
    st = vec::exec_opm(v);
  else
    st = vec::exec_opf(v);
  if (st == kVOk) c.vstart = 0;
  return st;
}

uint64_t h_vcsr_read(CpuBase* env, uint64_t csr, uint64_t, uint64_t, uint64_t, uint64_t) {
  const RiscvCpu& c = *static_cast<RiscvCpu*>(env);
  switch (csr) {
    case kCsrVstart: return c.vstart;
    case kCsrVxsat: return c.vxsat;
    case kCsrVxrm: return c.vxrm;
    case kCsrVcsr: return (c.vxrm << 1) | c.vxsat;
    case kCsrVl: return c.vl;
    case kCsrVtype: return c.vtype;
    default: return kVlenb;
  }
}

uint64_t h_vcsr_write(CpuBase* env, uint64_t csr, uint64_t v, uint64_t, uint64_t, uint64_t) {
  RiscvCpu& c = *static_cast<RiscvCpu*>(env);
  switch (csr) {
    case kCsrVstart: c.vstart = v & (kVlenb * 8 - 1); break;  // log2(VLEN) bits, as qemu keeps
    case kCsrVxsat: c.vxsat = v & 1; break;
    case kCsrVxrm: c.vxrm = v & 3; break;
    case kCsrVcsr:
      c.vxsat = v & 1;
      c.vxrm = (v >> 1) & 3;
      break;
    default: break;
  }
  return 0;
}

}  // namespace

void set_vector_config(RiscvCpu& c, uint64_t vl, uint64_t vtype) {
  uint64_t vstart = c.vstart;
  set_vtype(c, vl, vtype);
  c.vstart = vstart;
}

bool is_vector_csr(uint32_t csr) {
  switch (csr) {
    case kCsrVstart:
    case kCsrVxsat:
    case kCsrVxrm:
    case kCsrVcsr:
    case kCsrVl:
    case kCsrVtype:
    case kCsrVlenb: return true;
    default: return false;
  }
}

uint32_t vector_helper_id(VHelper h) {
  using namespace tcg::HelperFlag;
  static const std::array<uint32_t, size_t(VHelper::kCount)> ids = {
      tcg::register_helper("riscv_vexec", h_vexec, kReadsState | kWritesState | kMayExit),
      tcg::register_helper("riscv_vcsr_read", h_vcsr_read, kReadsState),
      tcg::register_helper("riscv_vcsr_write", h_vcsr_write, kReadsState | kWritesState),
  };
  return ids[size_t(h)];
}

}  // namespace mimic::riscv
