// The table-driven system call layer: definitions, the table, dispatch and shared helpers.
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "linux-user/arch.h"
#include "linux-user/process.h"
#include "linux-user/uaccess.h"

namespace mimic::linux_user {

struct SyscallCtx {
  Process& proc;
  GuestThread& thread;
  GuestMemory& mem;
};

using SyscallFn = int64_t (*)(SyscallCtx& ctx, const uint64_t* a);

// Special results a handler returns instead of a value for the guest's a0.
constexpr int64_t kSysNoResult = INT64_MIN + 1;  // registers already set (rt_sigreturn, execve child)
constexpr int64_t kSysRestart = INT64_MIN + 2;   // interrupted: run the same ecall again after the handler

// One system call: its number, name, handler and how -strace prints it.
// `args` has one letter per argument:
//   d int  u unsigned  x hex  p pointer  s string  f dirfd  o open flags  m octal mode
//   P mmap prot  M mmap flags  S signal number  c clock id  b buffer (printed as pointer)
// `ret`: 'd' number (errno decoded), 'x' hex address, 'p' pointer, 'n' does not return.
struct SyscallDef {
  unsigned nr;
  const char* name;
  SyscallFn fn;
  const char* args;
  char ret;
};

constexpr unsigned kSyscallTableSize = 512;

class SyscallTable {
 public:
  SyscallTable();
  explicit SyscallTable(std::nullptr_t) {}  // without the generic names
  void add(const SyscallDef& def);
  template <size_t N>
  void add_all(const SyscallDef (&defs)[N]) {
    for (const auto& d : defs) add(d);
  }
  const SyscallDef* find(uint64_t nr) const { return nr < kSyscallTableSize && defs_[nr].fn ? &defs_[nr] : nullptr; }
  // The name of any known number (implemented or not), or null.
  const char* name(uint64_t nr) const;
  // For ABIs with their own numbering (linux-user/arm): start over with nothing, then add the
  // calls under the ABI's numbers.
  void clear() { *this = SyscallTable(nullptr); }
  void set_name(unsigned nr, const char* name) {
    if (nr < kSyscallTableSize) names_[nr] = name;
  }

 private:
  SyscallDef defs_[kSyscallTableSize] = {};
  const char* names_[kSyscallTableSize] = {};
};

// The areas that fill the table (linux-user/syscall_<area>.cpp).
void register_file_syscalls(SyscallTable& t);
void register_fs_syscalls(SyscallTable& t);
void register_process_syscalls(SyscallTable& t);
void register_time_syscalls(SyscallTable& t);
void register_memory_syscalls(SyscallTable& t);
void register_signal_syscalls(SyscallTable& t);
void register_net_syscalls(SyscallTable& t);
void register_ipc_syscalls(SyscallTable& t);
void register_admin_syscalls(SyscallTable& t);

// Builds the table for the process's architecture (once, before the guest runs).
void init_syscalls(Process& proc);
// The name of the process's system call `nr` (its ABI's numbering), or null.
const char* syscall_name(uint64_t nr);

// With -d unimp (MIMIC_LOG=unimp under binfmt_misc), names an unsupported KIND ("syscall",
// "ioctl", "fcntl", "prctl"...) and VALUE once per process on stderr, with DETAIL after it:
// programs probe for what they may lack, so the answer itself stays quiet.
void report_unimplemented(const Process& proc, const char* kind, uint64_t value, const std::string& detail = {});
// Runs system call `nr` for the guest; returns the value for a0 or a kSys* marker.
int64_t do_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t* args);

// ioctl(fd, request, arg) with the guest ABI's structure layouts (linux-user/syscall_ioctl.cpp).
int64_t guest_ioctl(SyscallCtx& ctx, int fd, uint64_t request, uint64_t arg);

// -strace output (linux-user/strace.cpp).
void strace_enter(SyscallCtx& ctx, const SyscallDef* def, uint64_t nr, const uint64_t* args);
void strace_exit(SyscallCtx& ctx, const SyscallDef* def, int64_t result);

// The guest ABI's word (long, pointer) in bytes.
inline unsigned guest_word_bytes(const Process& p) { return p.arch ? p.arch->word_bytes : 8; }

// siginfo_t (128 bytes) between the host's layout and the guest's: on a 32-bit ABI the union
// after si_signo/si_errno/si_code starts at offset 12 instead of 16 (its leading int fields and the
// low half of a pointer keep their order). Returns false on a bad guest address.
inline bool put_guest_siginfo(SyscallCtx& ctx, uint64_t addr, const void* host_si) {
  uint8_t g[128];
  memcpy(g, host_si, 128);
  if (guest_word_bytes(ctx.proc) == 4) {
    memmove(g + 12, g + 16, 112);
    memset(g + 124, 0, 4);
  }
  return copy_to_guest(ctx.mem, addr, g, sizeof g);
}
inline bool get_guest_siginfo(SyscallCtx& ctx, uint64_t addr, void* host_si) {
  uint8_t g[128];
  if (!copy_from_guest(ctx.mem, g, addr, sizeof g)) return false;
  if (guest_word_bytes(ctx.proc) == 4) {
    memmove(g + 16, g + 12, 112);
    memset(g + 12, 0, 4);
  }
  memcpy(host_si, g, sizeof g);
  return true;
}

// A guest struct timespec of the generic (time64) layout. On a 32-bit ABI tv_nsec is a 32-bit
// field and its padding is left unset by libc (glibc's __timespec64): Linux ignores that half for
// such tasks (get_timespec64), and so does this.
inline bool get_guest_timespec(SyscallCtx& ctx, uint64_t addr, timespec& ts) {
  if (!get_guest(ctx.mem, addr, ts)) return false;
  if (guest_word_bytes(ctx.proc) == 4) ts.tv_nsec = int32_t(ts.tv_nsec);
  return true;
}
// The same for N consecutive timespecs (struct itimerspec, utimensat's pair).
template <size_t N>
inline bool get_guest_timespecs(SyscallCtx& ctx, uint64_t addr, timespec (&ts)[N]) {
  for (size_t i = 0; i < N; i++)
    if (!get_guest_timespec(ctx, addr + 16 * i, ts[i])) return false;
  return true;
}
inline bool get_guest_itimerspec(SyscallCtx& ctx, uint64_t addr, itimerspec& its) {
  return get_guest_timespec(ctx, addr, its.it_interval) && get_guest_timespec(ctx, addr + 16, its.it_value);
}

// Host call result to guest result: -1/errno becomes -errno.
inline int64_t host_ret(int64_t r) { return r < 0 ? -int64_t(errno) : r; }

// O_* flags between the guest's values and the host's (they differ on arm64).
inline int open_flags_to_host(const Process& p, uint64_t f) {
  return p.arch && p.arch->open_flags_to_host ? p.arch->open_flags_to_host(int(f)) : int(f);
}
inline int open_flags_to_guest(const Process& p, int f) {
  return p.arch && p.arch->open_flags_to_guest ? p.arch->open_flags_to_guest(f) : f;
}

// Guest path → host path: -L sysroot lookup for absolute paths, and emulated /proc entries.
// `follow`: the call follows a symlink in the last component (open without O_NOFOLLOW, stat,
// chdir, execve); lstat, readlink, unlink, rename, mkdir and friends do not.
// `dirfd`: the base of a relative path (AT_FDCWD: the working folder). In a chroot a relative
// path is walked by mimic from its base's guest path, as an absolute one is (host_path_at).
// Returns 0 or -errno (EFAULT, ENAMETOOLONG).
int64_t guest_path(SyscallCtx& ctx, uint64_t addr, std::string& out, bool follow = true, int dirfd = AT_FDCWD);
std::string host_path_for(const Process& proc, const std::string& path, bool follow = true);
std::string host_path_at(const Process& proc, int dirfd, const std::string& path, bool follow = true);
// A dirfd for host_path_at that leaves a relative path to the host kernel (openat2's RESOLVE_*).
constexpr int kDirfdLeaveToKernel = -1;
// The host path of absolute guest `path` under sysroot `root` (see syscall.cpp).
std::string resolve_in_sysroot(const std::string& root, const std::string& path, bool follow, bool chroot = false);

// Guest AT_FDCWD (-100) and the other dirfd conventions are the host's: dirfds pass through.
inline int guest_dirfd(uint64_t v) { return int(int32_t(v)); }

}  // namespace mimic::linux_user
