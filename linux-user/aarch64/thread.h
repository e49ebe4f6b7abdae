// A64Thread: the aarch64 guest CPU as the shared linux-user core sees it (registers, frames).
#pragma once

#include <memory>

#include "linux-user/process.h"
#include "target/arm/cpu.h"

namespace mimic::linux_user::aarch64 {

class A64Thread final : public GuestThread {
 public:
  explicit A64Thread(Process& proc) : proc_(proc) {}
  arm::A64Cpu cpu_state;

  tcg::CpuBase& cpu() override { return cpu_state; }
  uint64_t sp() const override { return cpu_state.sp; }
  void set_sp(uint64_t sp) override { cpu_state.sp = sp; }
  void set_tls(uint64_t tls) override { cpu_state.tpidr_el0 = tls; }
  void set_return_value(uint64_t v) override { cpu_state.x[0] = v; }
  bool setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info, uint64_t saved_mask) override;
  bool restore_signal_frame(uint64_t* mask) override;
  std::string describe_insn(uint64_t pc) override;
  std::unique_ptr<GuestThread> clone_thread() override;
  void run_loop() override;

 private:
  Process& proc_;
};

}  // namespace mimic::linux_user::aarch64
