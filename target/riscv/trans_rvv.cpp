// The V extension's translation: every vector instruction (OP-V and the vector loads and stores)
// is one call of vexec with its bits (vector.cpp), which reports an illegal instruction or a
// fault outside the guest's space back to the block.
#include "target/riscv/trans.h"
#include "target/riscv/vector.h"

namespace mimic::riscv {

bool trans_vector(DisasContext& s, const Args&) {
  if (!s.vector) return false;
  Arg status = s.ir.call(Type::I64, vector_helper_id(VHelper::kExec), {imm64(s.insn), imm64(s.pc)});
  uint32_t ok = s.ir.new_label(), fault = s.ir.new_label();
  s.ir.br_cond(Cond::Eq, status, imm64(kVOk), ok);
  s.ir.br_cond(Cond::Eq, status, imm64(kVMemFault), fault);
  s.ir.exit_loop(kExitIllegal, imm64(s.pc));
  s.ir.label(fault);
  s.ir.exit_loop(tcg::kExitMemFault, imm64(s.pc));
  s.ir.label(ok);
  return true;
}

}  // namespace mimic::riscv
