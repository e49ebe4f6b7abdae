// The per-thread V enablement of Linux (arch/riscv/kernel/vector.c): tri-state cur and next,
// an inherit bit, and what execve makes of them.
#include "linux-user/riscv64/vector_control.h"

#include <sys/prctl.h>

#include <cerrno>
#include <cstdlib>

#include "linux-user/process.h"
#include "linux-user/riscv64/thread.h"

namespace mimic::linux_user::riscv64 {

namespace {
constexpr int kSetControl = 69, kGetControl = 70;  // PR_RISCV_V_SET_CONTROL, PR_RISCV_V_GET_CONTROL
constexpr uint32_t kDefault = 0, kOff = 1, kOn = 2;
constexpr uint32_t kNextShift = 2, kInherit = 1u << 4, kMask = 0x1f;
// The execve'd mimic's copy of the control word (mimic's own, not the guest's: it is dropped
// from the guest environment with the other MIMIC_USER_ARCH_ variables).
constexpr const char* kExecVar = "MIMIC_USER_ARCH_RISCV_V_CTRL";

uint32_t cur_of(uint32_t ctrl) { return ctrl & 3; }
uint32_t next_of(uint32_t ctrl) { return (ctrl >> kNextShift) & 3; }
uint32_t make(uint32_t cur, uint32_t next, bool inherit) {
  return cur | (next << kNextShift) | (inherit ? kInherit : 0);
}
bool has_vector(const RiscvThread& t) { return t.cpu_state.ext_v; }

// riscv_v_vstate_ctrl_init: cur becomes next, or the system default (on) when next is DEFAULT;
// next survives only with the inherit bit.
uint32_t after_exec(uint32_t ctrl) {
  const uint32_t next = next_of(ctrl);
  const bool inherit = ctrl & kInherit;
  return make(next == kDefault ? kOn : next, inherit ? next : kDefault, inherit);
}
}  // namespace

void apply_vector_control(RiscvThread& t, uint32_t ctrl) {
  t.v_ctrl = ctrl;
  riscv::RiscvCpu& c = t.cpu_state;
  c.tb_flags = cur_of(ctrl) == kOff ? c.tb_flags | riscv::kTbVOff : c.tb_flags & ~riscv::kTbVOff;
}

void start_vector_control(RiscvThread& t) {
  uint32_t ctrl = make(kOn, kDefault, false);
  if (const char* s = getenv(kExecVar)) {
    char* end = nullptr;
    const unsigned long v = strtoul(s, &end, 10);
    if (end != s && *end == 0 && v <= kMask && cur_of(uint32_t(v)) != kDefault && cur_of(uint32_t(v)) != 3 &&
        next_of(uint32_t(v)) != 3)
      ctrl = uint32_t(v);
    unsetenv(kExecVar);
  }
  if (has_vector(t)) apply_vector_control(t, ctrl);
}

int64_t vector_prctl(SyscallCtx& ctx, const uint64_t* a) {
  const int op = int(a[0]);
  if (op != kSetControl && op != kGetControl) {
    report_unimplemented(ctx.proc, "prctl", unsigned(op), "(EINVAL)");
    return -EINVAL;
  }
  auto& t = static_cast<RiscvThread&>(ctx.thread);
  if (!has_vector(t)) return -EINVAL;  // the CPU has no V (-cpu rv64 without v=true)
  if (op == kGetControl) return t.v_ctrl & kMask;
  const uint64_t arg = a[1];
  if (arg & ~uint64_t(kMask)) return -EINVAL;
  uint32_t cur = cur_of(uint32_t(arg));
  switch (cur) {
    case kOff:
      if (cur_of(t.v_ctrl) != kOff) return -EPERM;  // V may already hold live state: no turning it off
      break;
    case kOn: break;
    case kDefault: cur = cur_of(t.v_ctrl); break;
    default: return -EINVAL;
  }
  const uint32_t next = next_of(uint32_t(arg));
  if (next == 3) return -EINVAL;
  apply_vector_control(t, make(cur, next, arg & kInherit));
  return 0;
}

void vector_exec_env(GuestThread& t, std::vector<std::string>& envp) {
  auto& rt = static_cast<RiscvThread&>(t);
  if (!has_vector(rt)) return;
  const uint32_t ctrl = after_exec(rt.v_ctrl);
  if (ctrl != make(kOn, kDefault, false)) envp.push_back(std::string(kExecVar) + "=" + std::to_string(ctrl));
}

}  // namespace mimic::linux_user::riscv64
