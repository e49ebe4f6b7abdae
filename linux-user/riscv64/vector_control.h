// PR_RISCV_V_SET_CONTROL / PR_RISCV_V_GET_CONTROL: whether a thread may run vector instructions,
// now and after its next execve (Linux's Documentation/arch/riscv/vector.rst).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "linux-user/syscall.h"

namespace mimic::linux_user::riscv64 {

class RiscvThread;

// The thread's control word (cur | next << 2 | inherit << 4) takes effect: with cur OFF its
// blocks are translated without V (tb_flags), so a vector instruction or CSR raises SIGILL.
void apply_vector_control(RiscvThread& t, uint32_t ctrl);
// The control word a freshly exec'd program starts with: the one execve handed over (in the
// environment, see vector_exec_env) or Linux's default, V on.
void start_vector_control(RiscvThread& t);
// The riscv64 prctl options; -EINVAL for any other option, as Linux.
int64_t vector_prctl(SyscallCtx& ctx, const uint64_t* a);
// Appends to an execve'd guest's host environment what its V control is after the exec.
void vector_exec_env(GuestThread& t, std::vector<std::string>& envp);

}  // namespace mimic::linux_user::riscv64
