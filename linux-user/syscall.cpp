// The system call table, dispatch, the unsupported-syscall report and guest path lookup.
#include "linux-user/syscall.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <set>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"

namespace mimic::linux_user {

namespace {
SyscallTable* g_table = nullptr;
}

SyscallTable::SyscallTable() {
#define MIMIC_SYSCALL_NAME(num, name) names_[num] = #name;
  MIMIC_GENERIC_SYSCALLS(MIMIC_SYSCALL_NAME)
#undef MIMIC_SYSCALL_NAME
}

void SyscallTable::add(const SyscallDef& def) {
  if (def.nr >= kSyscallTableSize) return;
  defs_[def.nr] = def;
  names_[def.nr] = def.name;
}

const char* SyscallTable::name(uint64_t nr) const { return nr < kSyscallTableSize ? names_[nr] : nullptr; }

void init_syscalls(Process& proc) {
  static SyscallTable table;
  static std::once_flag once;
  std::call_once(once, [&] {
    register_file_syscalls(table);
    register_fs_syscalls(table);
    register_process_syscalls(table);
    register_time_syscalls(table);
    register_memory_syscalls(table);
    register_signal_syscalls(table);
    register_net_syscalls(table);
    if (proc.arch && proc.arch->register_syscalls) proc.arch->register_syscalls(table);
  });
  g_table = &table;
}

int64_t do_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t* args) {
  SyscallCtx ctx{proc, thread, *proc.mem};
  const SyscallDef* def = g_table ? g_table->find(nr) : nullptr;
  if (!def) {
    // Report each unknown number once: programs probe for newer calls and fall back.
    static std::mutex reported_mutex;
    static std::set<uint64_t> reported;
    std::unique_lock lock(reported_mutex);
    if (reported.insert(nr).second) {
      const char* name = g_table ? g_table->name(nr) : nullptr;
      fprintf(stderr, "mimic: unsupported syscall %llu (%s)\n", (unsigned long long)nr, name ? name : "unknown");
    }
    if (proc.strace) {
      const char* name = g_table ? g_table->name(nr) : nullptr;
      fprintf(stderr, "%d %s(...) = -1 errno=38 (Function not implemented)\n", thread.tid ? thread.tid : getpid(), name ? name : "unknown");
    }
    return -ENOSYS;
  }
  if (proc.strace) strace_enter(ctx, def, nr, args);
  int64_t r = def->fn(ctx, args);
  if (proc.strace) strace_exit(ctx, def, r);
  return r;
}

std::string host_path_for(const Process& proc, const std::string& path) {
  if (path.empty() || path[0] != '/') return path;
  if (path == "/proc/self/exe" || path == "/proc/" + std::to_string(getpid()) + "/exe") return proc.exe_path;
  const std::string& root = proc.options.sysroot;
  if (root.empty()) return path;
  // QEMU's -L rule: a path that exists inside the sysroot is taken from there, else from the host
  // (so /proc, /dev, /tmp keep working). New files go where their parent folder exists.
  std::string in_root = root + path;
  struct stat st;
  if (lstat(in_root.c_str(), &st) == 0) return in_root;
  size_t slash = path.find_last_of('/');
  if (slash > 0 && slash != std::string::npos) {
    std::string parent = root + path.substr(0, slash);
    std::string host_parent = path.substr(0, slash);
    if (lstat(parent.c_str(), &st) == 0 && lstat(host_parent.c_str(), &st) != 0) return in_root;
  }
  return path;
}

int64_t guest_path(SyscallCtx& ctx, uint64_t addr, std::string& out) {
  std::string p;
  if (int64_t r = read_guest_string(ctx.mem, addr, p, 4096); r < 0) return r;
  out = host_path_for(ctx.proc, p);
  return 0;
}

void exit_process(Process& proc, int status) {
  fflush(stdout);
  fflush(stderr);
  _exit(status);
}

}  // namespace mimic::linux_user
