// What the Arm EABI system call files share: the generic handlers under another argument list,
// guest scratch memory for their 64-bit structures, and the 32-bit <-> 64-bit word conversions.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "linux-user/syscall.h"

namespace mimic::linux_user::arm32 {

// Runs the generic (asm-generic numbered) handler `generic_nr` with these arguments.
int64_t call(SyscallCtx& ctx, unsigned generic_nr, std::initializer_list<uint64_t> args);
// `bytes` of guest memory below the thread's stack pointer, 16-byte aligned, for the 64-bit form
// of a structure a generic handler reads or writes.
uint64_t scratch(SyscallCtx& ctx, unsigned bytes);
// A time32 timespec/timeval (two 32-bit longs) at `addr` to two int64 at `t`, and back.
bool get_ts32(SyscallCtx& ctx, uint64_t addr, uint64_t t);
bool put_ts32(SyscallCtx& ctx, uint64_t t, uint64_t addr);
// n (at most 32) signed 32-bit longs at `addr` widened to int64 at `t`, and back.
bool widen_longs(SyscallCtx& ctx, uint64_t addr, uint64_t t, unsigned n);
bool narrow_longs(SyscallCtx& ctx, uint64_t t, uint64_t addr, unsigned n);

// The old (pre-rt, pre-time64, pre-getdents64) calls of the 32-bit ABI (syscalls_legacy.cpp).
void add_legacy_syscalls(SyscallTable& table);

}  // namespace mimic::linux_user::arm32
