// RiscvThread: the riscv64 guest CPU as the shared linux-user core sees it (registers, frames).
#pragma once

#include <memory>

#include "linux-user/process.h"
#include "target/riscv/cpu.h"

namespace mimic::linux_user::riscv64 {

// The CPU models of -cpu (ArchInfo::cpu_model): RV64GC, and RV64GCV.
enum : unsigned { kModelRv64 = 0, kModelRv64V = 1 };

class RiscvThread final : public GuestThread {
 public:
  explicit RiscvThread(Process& proc) : proc_(proc) {}
  riscv::RiscvCpu cpu_state;
  // PR_RISCV_V_SET_CONTROL's word: cur | next << 2 | inherit << 4 (vector_control.h).
  uint32_t v_ctrl = 2;

  tcg::CpuBase& cpu() override { return cpu_state; }
  uint64_t sp() const override { return cpu_state.x[2]; }
  void set_sp(uint64_t sp) override { cpu_state.x[2] = sp; }
  void set_tls(uint64_t tls) override { cpu_state.x[4] = tls; }  // tp
  void set_return_value(uint64_t v) override { cpu_state.x[10] = v; }
  bool setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info, uint64_t saved_mask) override;
  bool restore_signal_frame(uint64_t* mask) override;
  std::string describe_insn(uint64_t pc) override;
  std::unique_ptr<GuestThread> clone_thread() override;
  void run_loop() override;

 private:
  Process& proc_;
};

}  // namespace mimic::linux_user::riscv64
