// riscv_hwprobe (syscall 258): the hart's ids, extensions and misaligned-access speed.
#pragma once

#include <cstdint>

#include "linux-user/syscall.h"

namespace mimic::linux_user::riscv64 {

int64_t sys_riscv_hwprobe(SyscallCtx& ctx, const uint64_t* a);

}  // namespace mimic::linux_user::riscv64
