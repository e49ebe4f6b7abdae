// The system call table, dispatch, the unsupported-syscall report and guest path lookup.
#include "linux-user/syscall.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <deque>
#include <mutex>
#include <set>
#include <string_view>
#include <vector>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/mmap.h"
#include "tcg/exec/options.h"

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
    register_ipc_syscalls(table);
    register_admin_syscalls(table);
    if (proc.arch && proc.arch->register_syscalls) proc.arch->register_syscalls(table);
  });
  g_table = &table;
}

const char* syscall_name(uint64_t nr) { return g_table ? g_table->name(nr) : nullptr; }

void report_unimplemented(const Process& proc, const char* kind, uint64_t value, const std::string& detail) {
  if (!(proc.options.engine.log & tcg::LogFlag::kUnimp)) return;  // only with -d unimp, as qemu
  static std::mutex reported_mutex;
  static std::set<std::pair<std::string, uint64_t>> reported;
  std::lock_guard lock(reported_mutex);
  if (!reported.insert({kind, value}).second) return;
  const bool hex = std::string_view(kind) == "ioctl";
  fprintf(stderr, hex ? "mimic: unsupported %s 0x%llx%s%s\n" : "mimic: unsupported %s %llu%s%s\n", kind,
          (unsigned long long)value, detail.empty() ? "" : " ", detail.c_str());
}

int64_t do_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t* args) {
  SyscallCtx ctx{proc, thread, *proc.mem};
  const SyscallDef* def = g_table ? g_table->find(nr) : nullptr;
  if (!def) {
    const char* name = g_table ? g_table->name(nr) : nullptr;
    report_unimplemented(proc, "syscall", nr, std::string("(") + (name ? name : "unknown") + ")");
    if (proc.strace)
      fprintf(stderr, "%d %s(...) = -1 errno=38 (Function not implemented)\n", thread.tid ? thread.tid : getpid(),
              name ? name : "unknown");
    return -ENOSYS;
  }
  if (proc.strace) strace_enter(ctx, def, nr, args);
  int64_t r = def->fn(ctx, args);
  if (proc.strace) strace_exit(ctx, def, r);
  return r;
}

namespace {

// Splits an absolute or relative path into its components (empty ones and "." dropped).
void push_components(std::deque<std::string>& todo, const std::string& path) {
  std::deque<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string c = path.substr(i, j - i);
    if (!c.empty() && c != ".") parts.push_back(std::move(c));
    i = j + 1;
  }
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

bool exists(const std::string& p, struct stat& st) { return lstat(p.c_str(), &st) == 0; }

// /dev, /proc, /sys and what is under them.
bool is_kernel_filesystem(const std::string& guest_path) {
  for (const char* top : {"/dev", "/proc", "/sys"}) {
    const size_t n = strlen(top);
    if (guest_path.compare(0, n, top) == 0 && (guest_path.size() == n || guest_path[n] == '/')) return true;
  }
  return false;
}

}  // namespace

std::string resolve_in_sysroot(const std::string& root, const std::string& path, bool follow, bool chroot) {
  // The guest's root is `root`: walk the path one component at a time there, as the kernel would
  // in a chroot, so that symlinks met inside the sysroot resolve inside it too (absolute ones, as
  // Debian's /etc/alternatives/* and /etc/localtime are, from the sysroot's top; ".." stops at the
  // top). The first component missing from the sysroot hands the rest of the (resolved) path to
  // the host, qemu-user's fallback that keeps /proc, /dev and /tmp working. After a guest chroot
  // the root is the guest's whole world: only /dev, /proc and /sys still fall back (a sysroot has
  // no mounts of its own).
  std::deque<std::string> todo;
  push_components(todo, path);
  bool trailing_slash = path.size() > 1 && path.back() == '/';
  std::string cur;  // the resolved guest path so far ("" is the root)
  struct stat st;
  int links = 0;
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c == "..") {
      cur.resize(cur.rfind('/') == std::string::npos ? 0 : cur.rfind('/'));
      continue;
    }
    std::string next = cur + "/" + c;
    if (chroot && cur.empty() && (c == "proc" || c == "sys")) {
      // The host's /proc and /sys are mounted on the root's /proc and /sys (as a container
      // manager mounts them): what is under them is the host's, whatever the root holds there
      // (debootstrap's first stage leaves /proc a link to /proc). The name itself is the root's
      // (lstat, unlink, mkdir: debootstrap's second stage replaces that link by a folder).
      if (todo.empty() && !follow && !trailing_slash) return root + next;
      std::vector<std::string> parts{c};
      while (!todo.empty() && !parts.empty()) {
        std::string r = std::move(todo.front());
        todo.pop_front();
        if (r == "..")
          parts.pop_back();
        else
          parts.push_back(std::move(r));
      }
      if (parts.empty()) continue;  // "/proc/.." climbed back into the root
      std::string host;
      for (const auto& part : parts) host += "/" + part;
      return host + (trailing_slash ? "/" : "");
    }
    if (chroot && (next == "/dev/pts" || next == "/dev/ptmx")) {
      // The host's devpts too (a root's own /dev/ptmx node opens only where a devpts is mounted
      // beside it: ENODEV, which apt and script(1) meet).
      std::string host = next;
      for (const auto& r : todo) host += "/" + r;
      if (host.find("/..") == std::string::npos) return host + (trailing_slash ? "/" : "");
    }
    if (!exists(root + next, st)) {
      if (chroot && !is_kernel_filesystem(next)) {
        std::string rest = next;
        for (const auto& r : todo) rest += "/" + r;
        return root + rest + (trailing_slash ? "/" : "");
      }
      std::string rest = next;
      for (const auto& r : todo) rest += "/" + r;
      if (trailing_slash) rest += '/';
      // A new file (only the last component is missing) in a folder that only the sysroot has is
      // created there; elsewhere the host's folder gets it.
      if (todo.empty() && !exists(cur.empty() ? "/" : cur, st)) return root + rest;
      return rest;
    }
    bool last = todo.empty();
    if (S_ISLNK(st.st_mode) && (!last || follow || trailing_slash) && ++links <= 40) {
      char buf[PATH_MAX];
      ssize_t n = readlink((root + next).c_str(), buf, sizeof buf - 1);
      if (n > 0) {
        std::string target(buf, size_t(n));
        if (target[0] == '/') cur.clear();
        push_components(todo, target);
        continue;
      }
    }
    cur = std::move(next);
  }
  return root + (cur.empty() ? "/" : cur) + (trailing_slash && !cur.empty() ? "/" : "");
}

std::string host_path_for(const Process& proc, const std::string& path, bool follow) {
  if (path.empty() || path[0] != '/') return path;
  // /proc/self/exe names the guest program (lstat and readlink see the link itself).
  if (follow && (path == "/proc/self/exe" || path == "/proc/" + std::to_string(getpid()) + "/exe"))
    return proc.exe_path;
  const std::string& root = proc.options.sysroot;
  if (root.empty() || root == "/") return path;
  return resolve_in_sysroot(root, path, follow, proc.options.sysroot_is_chroot);
}

std::string host_path_at(const Process& proc, int dirfd, const std::string& path, bool follow) {
  const std::string& root = proc.options.sysroot;
  if (path.empty() || path[0] == '/' || !proc.options.sysroot_is_chroot || root.empty() || root == "/" ||
      dirfd == kDirfdLeaveToKernel)
    return host_path_for(proc, path, follow);
  // A chroot's relative path: the host kernel would let ".." climb above the root's top and resolve
  // an absolute symlink met on the way on the host. Walk it from the base's guest path instead. A
  // base outside the root (a working folder left above it, the host's /proc or /dev, a removed
  // folder, a bad dirfd) stays the host kernel's, with the kernel's own errors.
  std::string base;
  if (dirfd == AT_FDCWD) {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return path;
    base = cwd;
  } else {
    base = host_path_of_fd(dirfd);
  }
  if (base == root) return host_path_for(proc, "/" + path, follow);
  if (base.size() <= root.size() || base.compare(0, root.size(), root) != 0 || base[root.size()] != '/' ||
      base.ends_with(" (deleted)"))
    return path;
  return host_path_for(proc, base.substr(root.size()) + "/" + path, follow);
}

int64_t guest_path(SyscallCtx& ctx, uint64_t addr, std::string& out, bool follow, int dirfd) {
  std::string p;
  if (int64_t r = read_guest_string(ctx.mem, addr, p, 4096); r < 0) return r;
  out = host_path_at(ctx.proc, dirfd, p, follow);
  return 0;
}

}  // namespace mimic::linux_user
