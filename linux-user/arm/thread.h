// A32Thread: the 32-bit Arm guest CPU as the shared linux-user core sees it (registers, frames).
#pragma once

#include <memory>

#include "linux-user/process.h"
#include "target/arm/cpu_a32.h"

namespace mimic::linux_user::arm32 {

class A32Thread final : public GuestThread {
 public:
  explicit A32Thread(Process& proc) : proc_(proc) {}
  arm::A32Cpu cpu_state;
  // Set by sigreturn (119) before it restores: the frame is a sigframe without siginfo.
  bool restoring_old_frame = false;

  tcg::CpuBase& cpu() override { return cpu_state; }
  uint64_t sp() const override { return cpu_state.r[13]; }
  void set_sp(uint64_t sp) override { cpu_state.r[13] = uint32_t(sp); }
  void set_tls(uint64_t tls) override { cpu_state.tpidruro = uint32_t(tls); }
  void set_return_value(uint64_t v) override { cpu_state.r[0] = uint32_t(v); }
  bool setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info, uint64_t saved_mask) override;
  bool restore_signal_frame(uint64_t* mask) override;
  std::string describe_insn(uint64_t pc) override;
  std::unique_ptr<GuestThread> clone_thread() override;
  void run_loop() override;

 private:
  Process& proc_;
};

// The CPU models of -cpu (ArchInfo::cpu_model).
enum CpuModelId : unsigned { kCortexA15, kCortexA7, kArm1176 };

// The instruction length of the SVC at the CPU's pc (2 in Thumb state).
inline unsigned svc_length(const arm::A32Cpu& c) { return (c.tb_flags & arm::kTbThumb) ? 2 : 4; }

}  // namespace mimic::linux_user::arm32
