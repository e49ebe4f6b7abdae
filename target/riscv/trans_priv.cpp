// The privileged instructions of system mode: mret, sret, wfi and sfence.vma exit to the hart's
// loop (target/riscv/excp.cpp, system.cpp), which checks privilege, TSR/TW/TVM and carries them
// out; in linux-user they are illegal instructions.
#include <cstddef>

#include "target/riscv/trans.h"

namespace mimic::riscv {

bool trans_mret(DisasContext& s, const Args&) {
  if (!s.system || s.priv != kPrivM) return false;
  gen_exit(s, kExitMret, s.pc);
  return true;
}
bool trans_sret(DisasContext& s, const Args&) {
  if (!s.system || s.priv == kPrivU) return false;
  gen_exit(s, kExitSret, s.pc);
  return true;
}
bool trans_wfi(DisasContext& s, const Args&) {
  if (!s.system) return false;
  gen_exit(s, kExitWfi, s.pc);
  return true;
}
bool trans_sfence_vma(DisasContext& s, const Args& a) {
  if (!s.system || s.priv == kPrivU) return false;
  // The address (x0: all of them) travels in fault_addr/fault_write, which are free at this exit.
  s.ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_addr)), a.rs1 ? gpr(s, a.rs1) : imm64(~uint64_t(0)));
  s.ir.set_state(uint32_t(offsetof(tcg::CpuBase, fault_write)), imm32(a.rs1 != 0));
  s.ir.set_state(uint32_t(offsetof(RiscvCpu, bad_insn)), imm32(s.insn));  // mtval if TVM traps
  gen_exit(s, kExitSfenceVma, s.pc);
  return true;
}

}  // namespace mimic::riscv
