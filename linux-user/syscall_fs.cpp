// File-system system calls: stat family, paths, links, permissions, directories, cwd.
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <vector>

#include "linux-user/generic/stat.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

int fdarg(uint64_t v) { return int(int32_t(v)); }

int64_t put_stat(SyscallCtx& ctx, uint64_t addr, const struct stat& st) {
  GenericStat g = generic_stat_from_host(st);
  return copy_to_guest(ctx.mem, addr, &g, sizeof g) ? 0 : -EFAULT;
}

SYS(fstat) {
  struct stat st;
  if (::fstat(fdarg(a[0]), &st) != 0) return -errno;
  return put_stat(ctx, a[1], st);
}
// AT_SYMLINK_NOFOLLOW and AT_SYMLINK_FOLLOW: the asm-generic values, the same as x86-64's.
bool follows(uint64_t at_flags) { return !(at_flags & AT_SYMLINK_NOFOLLOW); }

SYS(newfstatat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, follows(a[3]), guest_dirfd(a[0])); r < 0) return r;
  struct stat st;
  if (::fstatat(guest_dirfd(a[0]), path.c_str(), &st, int(a[3])) != 0) return -errno;
  return put_stat(ctx, a[2], st);
}
SYS(statx) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, follows(a[2]), guest_dirfd(a[0])); r < 0) return r;
  struct statx sx;  // the same layout on every architecture
  if (syscall(SYS_statx, guest_dirfd(a[0]), path.c_str(), int(a[2]), unsigned(a[3]), &sx) != 0) return -errno;
  return copy_to_guest(ctx.mem, a[4], &sx, sizeof sx) ? 0 : -EFAULT;
}
SYS(statfs) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[0], path); r < 0) return r;
  struct statfs sf;  // identical on 64-bit asm-generic and x86-64
  if (::statfs(path.c_str(), &sf) != 0) return -errno;
  return copy_to_guest(ctx.mem, a[1], &sf, sizeof sf) ? 0 : -EFAULT;
}
SYS(fstatfs) {
  struct statfs sf;
  if (::fstatfs(fdarg(a[0]), &sf) != 0) return -errno;
  return copy_to_guest(ctx.mem, a[1], &sf, sizeof sf) ? 0 : -EFAULT;
}

SYS(readlinkat) {
  std::string guest, path;
  if (int64_t r = read_guest_string(ctx.mem, a[1], guest); r < 0) return r;
  int64_t len = int64_t(a[3]);
  if (len <= 0) return -EINVAL;
  if (!ctx.mem.in_range(a[2], uint64_t(len))) return -EFAULT;
  std::string self = "/proc/" + std::to_string(getpid()) + "/exe";
  if (guest == "/proc/self/exe" || guest == self) {
    // The guest program, not mimic.
    std::string exe = ctx.proc.options.sysroot_is_chroot ? ctx.mem.guest_visible(ctx.proc.exe_path) : ctx.proc.exe_path;
    size_t n = std::min<size_t>(exe.size(), size_t(len));
    return copy_to_guest(ctx.mem, a[2], exe.data(), n) ? int64_t(n) : -EFAULT;
  }
  path = host_path_at(ctx.proc, guest_dirfd(a[0]), guest, false);
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(guest_dirfd(a[0]), path.c_str(), buf, sizeof buf);
  if (n < 0) return -errno;
  std::string target(buf, size_t(n));
  // In a chroot, procfs's magic links (fd/N, cwd, root, map_files) name files as seen from the
  // root, as the kernel's d_path does: systemd opens the parent of /proc/self/fd/N's target.
  auto in_proc = [&] {
    if (path[0] == '/') return path.rfind("/proc/", 0) == 0;
    char cwd[PATH_MAX];
    std::string base =
        guest_dirfd(a[0]) == AT_FDCWD ? (getcwd(cwd, sizeof cwd) ? cwd : "") : host_path_of_fd(guest_dirfd(a[0]));
    return base == "/proc" || base.rfind("/proc/", 0) == 0;
  };
  if (ctx.proc.options.sysroot_is_chroot && !target.empty() && target[0] == '/' && in_proc())
    target = ctx.mem.guest_visible(std::move(target));
  size_t copied = std::min(target.size(), size_t(len));
  return copy_to_guest(ctx.mem, a[2], target.data(), copied) ? int64_t(copied) : -EFAULT;
}

SYS(faccessat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, true, guest_dirfd(a[0])); r < 0) return r;
  return host_ret(syscall(SYS_faccessat, guest_dirfd(a[0]), path.c_str(), int(a[2])));
}
// struct file_handle { u32 handle_bytes; int handle_type; unsigned char f_handle[]; } is the same
// everywhere; the kernel reads handle_bytes and writes the header and as many bytes back.
SYS(name_to_handle_at) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, (a[4] & AT_SYMLINK_FOLLOW) != 0, guest_dirfd(a[0])); r < 0) return r;
  uint32_t bytes;
  if (!get_guest(ctx.mem, a[2], bytes)) return -EFAULT;
  constexpr uint32_t kMaxHandleSz = 128;
  std::vector<uint8_t> fh(8 + std::min(bytes, kMaxHandleSz));
  memcpy(fh.data(), &bytes, 4);
  int mount_id = 0;
  long r = syscall(SYS_name_to_handle_at, guest_dirfd(a[0]), path.c_str(), fh.data(), &mount_id, int(a[4]));
  const int e = errno;
  if (r < 0 && e != EOVERFLOW) return -e;
  uint32_t got;
  memcpy(&got, fh.data(), 4);
  const size_t n = r < 0 ? 4 : 8 + std::min<size_t>(got, fh.size() - 8);  // EOVERFLOW: the size needed
  if (!copy_to_guest(ctx.mem, a[2], fh.data(), n)) return -EFAULT;
  if (r < 0) return -e;
  return put_guest(ctx.mem, a[3], mount_id) ? 0 : -EFAULT;
}
SYS(open_by_handle_at) {
  uint32_t bytes;
  if (!get_guest(ctx.mem, a[1], bytes)) return -EFAULT;
  if (bytes > 128 || bytes == 0) return -EINVAL;
  std::vector<uint8_t> fh(8 + bytes);
  if (!copy_from_guest(ctx.mem, fh.data(), a[1], fh.size())) return -EFAULT;
  return host_ret(syscall(SYS_open_by_handle_at, fdarg(a[0]), fh.data(), open_flags_to_host(ctx.proc, a[2])));
}
SYS(faccessat2) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, follows(a[3]), guest_dirfd(a[0])); r < 0) return r;
  return host_ret(syscall(SYS_faccessat2, guest_dirfd(a[0]), path.c_str(), int(a[2]), int(a[3])));
}
SYS(mkdirat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, false, guest_dirfd(a[0])); r < 0) return r;
  return host_ret(::mkdirat(guest_dirfd(a[0]), path.c_str(), mode_t(a[2])));
}
SYS(mknodat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, false, guest_dirfd(a[0])); r < 0) return r;
  return host_ret(::mknodat(guest_dirfd(a[0]), path.c_str(), mode_t(a[2]), dev_t(a[3])));
}
SYS(unlinkat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, false, guest_dirfd(a[0])); r < 0) return r;
  return host_ret(::unlinkat(guest_dirfd(a[0]), path.c_str(), int(a[2])));
}
SYS(symlinkat) {
  // The link's target is stored verbatim: it is the guest's string, resolved later by the guest.
  std::string target, path;
  if (int64_t r = read_guest_string(ctx.mem, a[0], target); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[2], path, false, guest_dirfd(a[1])); r < 0) return r;
  return host_ret(::symlinkat(target.c_str(), guest_dirfd(a[1]), path.c_str()));
}
SYS(linkat) {
  std::string from, to;
  if (int64_t r = guest_path(ctx, a[1], from, a[4] & AT_SYMLINK_FOLLOW, guest_dirfd(a[0])); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[3], to, false, guest_dirfd(a[2])); r < 0) return r;
  return host_ret(::linkat(guest_dirfd(a[0]), from.c_str(), guest_dirfd(a[2]), to.c_str(), int(a[4])));
}
SYS(renameat) {
  std::string from, to;
  if (int64_t r = guest_path(ctx, a[1], from, false, guest_dirfd(a[0])); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[3], to, false, guest_dirfd(a[2])); r < 0) return r;
  return host_ret(::renameat(guest_dirfd(a[0]), from.c_str(), guest_dirfd(a[2]), to.c_str()));
}
SYS(renameat2) {
  std::string from, to;
  if (int64_t r = guest_path(ctx, a[1], from, false, guest_dirfd(a[0])); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[3], to, false, guest_dirfd(a[2])); r < 0) return r;
  return host_ret(::renameat2(guest_dirfd(a[0]), from.c_str(), guest_dirfd(a[2]), to.c_str(), unsigned(a[4])));
}
SYS(fchmod) { return host_ret(::fchmod(fdarg(a[0]), mode_t(a[1]))); }
SYS(fchmodat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, true, guest_dirfd(a[0])); r < 0) return r;
  return host_ret(syscall(SYS_fchmodat, guest_dirfd(a[0]), path.c_str(), mode_t(a[2])));
}
SYS(fchmodat2) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, follows(a[3]), guest_dirfd(a[0])); r < 0) return r;
  return host_ret(syscall(452, guest_dirfd(a[0]), path.c_str(), mode_t(a[2]), int(a[3])));
}
SYS(fchown) { return host_ret(::fchown(fdarg(a[0]), uid_t(a[1]), gid_t(a[2]))); }
SYS(fchownat) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, follows(a[4]), guest_dirfd(a[0])); r < 0) return r;
  return host_ret(::fchownat(guest_dirfd(a[0]), path.c_str(), uid_t(a[2]), gid_t(a[3]), int(a[4])));
}
SYS(utimensat) {
  std::string path;
  const char* p = nullptr;
  if (a[1]) {
    if (int64_t r = guest_path(ctx, a[1], path, follows(a[3]), guest_dirfd(a[0])); r < 0) return r;
    p = path.c_str();
  }
  timespec ts[2], *pts = nullptr;
  if (a[2]) {
    if (!get_guest_timespecs(ctx, a[2], ts)) return -EFAULT;
    pts = ts;
  }
  return host_ret(syscall(SYS_utimensat, guest_dirfd(a[0]), p, pts, int(a[3])));
}
SYS(truncate) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[0], path); r < 0) return r;
  return host_ret(::truncate(path.c_str(), off_t(a[1])));
}
SYS(chdir) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[0], path); r < 0) return r;
  return host_ret(::chdir(path.c_str()));
}
SYS(fchdir) { return host_ret(::fchdir(fdarg(a[0]))); }
// chroot: the folder (looked up in the sysroot when there is one) becomes the guest's root, and
// guest paths resolve inside it from then on (resolve_in_sysroot's chroot mode). mimic itself keeps
// the host's root: it must still find itself and its libraries to start a new mimic for the
// guest's execve, which a real chroot would hide. The kernel's checks and errors come first.
// Not synchronised with path lookups in other guest threads (programs chroot before they start
// threads).
SYS(chroot) {
  std::string path;
  if (int64_t r = guest_path(ctx, a[0], path); r < 0) return r;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -errno;
  if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
  if (access(path.c_str(), X_OK) != 0) return -errno;
  uint32_t hdr[2] = {0x20080522, 0}, caps[6] = {};  // _LINUX_CAPABILITY_VERSION_3, this process
  if (syscall(SYS_capget, hdr, caps) != 0 || !(caps[0] & (1u << 18))) return -EPERM;  // CAP_SYS_CHROOT
  char* real = realpath(path.c_str(), nullptr);
  if (!real) return -errno;
  ctx.proc.options.sysroot = real;
  ctx.proc.options.sysroot_is_chroot = true;
  free(real);
  ctx.mem.set_guest_root(ctx.proc.options.sysroot == "/" ? "" : ctx.proc.options.sysroot);
  return 0;
}
SYS(getcwd) {
  char buf[PATH_MAX];
  long r = syscall(SYS_getcwd, buf, sizeof buf);
  if (r < 0) return -errno;
  std::string cwd(buf);
  const std::string& root = ctx.proc.options.sysroot;
  if (ctx.proc.options.sysroot_is_chroot && root != "/") {
    // As the kernel answers inside a chroot; a folder outside it is "(unreachable)".
    if (cwd == root)
      cwd = "/";
    else if (cwd.compare(0, root.size(), root) == 0 && cwd[root.size()] == '/')
      cwd.erase(0, root.size());
    else
      cwd.insert(0, "(unreachable)");
  }
  if (cwd.size() + 1 > a[1]) return -ERANGE;
  if (!copy_to_guest(ctx.mem, a[0], cwd.c_str(), cwd.size() + 1)) return -EFAULT;
  return int64_t(cwd.size() + 1);
}
SYS(umask) { return ::umask(mode_t(a[0])); }
// Extended attributes (ACLs, capabilities, user.*): names are strings and values raw bytes, the
// same on every architecture, so they pass through (cp -a and tar --xattrs keep them, ls -l shows
// the ACL '+'). A size of 0 asks for the size; the kernel caps values and lists at 64 KiB.
constexpr uint64_t kXattrMax = 65536;
int64_t xattr_name(SyscallCtx& ctx, uint64_t addr, std::string& name) {
  int64_t r = read_guest_string(ctx.mem, addr, name, 256);
  return r == -ENAMETOOLONG ? -ERANGE : r;
}
// The value (or list) buffer: null when the guest asks for the size only.
int64_t xattr_buffer(SyscallCtx& ctx, uint64_t addr, uint64_t& size, void*& buf) {
  buf = nullptr;
  size = std::min(size, kXattrMax);
  if (!size) return 0;
  buf = guest_buffer(ctx.mem, addr, size);
  return buf ? 0 : -EFAULT;
}
// The file of a call: its path (the path forms follow a final symlink, the l* forms do not) or,
// for the f* forms, its fd; and the attribute's name when `name` is given.
struct XattrTarget {
  std::string path;
  int fd = -1;
};
int64_t xattr_target(SyscallCtx& ctx, const uint64_t* a, int kind, XattrTarget& t, std::string* name) {
  if (kind == 'f')
    t.fd = fdarg(a[0]);
  else if (int64_t r = guest_path(ctx, a[0], t.path, kind != 'l'); r < 0)
    return r;
  return name ? xattr_name(ctx, a[1], *name) : 0;
}
// Runs the host call of the form kKind: path, l* or f*.
template <int kKind, class P, class L, class F, class... A>
int64_t xattr_call(const XattrTarget& t, P p, L l, F f, A... args) {
  if constexpr (kKind == 'f') return host_ret(f(t.fd, args...));
  if constexpr (kKind == 'l') return host_ret(l(t.path.c_str(), args...));
  return host_ret(p(t.path.c_str(), args...));
}
template <int kKind>
int64_t sys_setxattr_any(SyscallCtx& ctx, const uint64_t* a) {
  XattrTarget t;
  std::string name;
  if (int64_t r = xattr_target(ctx, a, kKind, t, &name); r < 0) return r;
  if (a[3] > kXattrMax) return -E2BIG;
  const void* v = a[3] ? guest_buffer(ctx.mem, a[2], a[3]) : nullptr;
  if (a[3] && !v) return -EFAULT;
  return xattr_call<kKind>(t, ::setxattr, ::lsetxattr, ::fsetxattr, name.c_str(), v, size_t(a[3]), int(a[4]));
}
template <int kKind>
int64_t sys_getxattr_any(SyscallCtx& ctx, const uint64_t* a) {
  XattrTarget t;
  std::string name;
  if (int64_t r = xattr_target(ctx, a, kKind, t, &name); r < 0) return r;
  uint64_t size = a[3];
  void* buf;
  if (int64_t r = xattr_buffer(ctx, a[2], size, buf); r < 0) return r;
  return xattr_call<kKind>(t, ::getxattr, ::lgetxattr, ::fgetxattr, name.c_str(), buf, size_t(size));
}
template <int kKind>
int64_t sys_listxattr_any(SyscallCtx& ctx, const uint64_t* a) {
  XattrTarget t;
  if (int64_t r = xattr_target(ctx, a, kKind, t, nullptr); r < 0) return r;
  uint64_t size = a[2];
  void* buf;
  if (int64_t r = xattr_buffer(ctx, a[1], size, buf); r < 0) return r;
  return xattr_call<kKind>(t, ::listxattr, ::llistxattr, ::flistxattr, static_cast<char*>(buf), size_t(size));
}
template <int kKind>
int64_t sys_removexattr_any(SyscallCtx& ctx, const uint64_t* a) {
  XattrTarget t;
  std::string name;
  if (int64_t r = xattr_target(ctx, a, kKind, t, &name); r < 0) return r;
  return xattr_call<kKind>(t, ::removexattr, ::lremovexattr, ::fremovexattr, name.c_str());
}

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_fstat, "fstat", sys_fstat, "dp", 'd'},
    {nr::k_newfstatat, "newfstatat", sys_newfstatat, "fspx", 'd'},
    {nr::k_statx, "statx", sys_statx, "fsxxp", 'd'},
    {nr::k_statfs, "statfs", sys_statfs, "sp", 'd'},
    {nr::k_fstatfs, "fstatfs", sys_fstatfs, "dp", 'd'},
    {nr::k_readlinkat, "readlinkat", sys_readlinkat, "fspu", 'd'},
    {nr::k_faccessat, "faccessat", sys_faccessat, "fsx", 'd'},
    {nr::k_faccessat2, "faccessat2", sys_faccessat2, "fsxx", 'd'},
    {nr::k_name_to_handle_at, "name_to_handle_at", sys_name_to_handle_at, "fspxx", 'd'},
    {nr::k_open_by_handle_at, "open_by_handle_at", sys_open_by_handle_at, "dpx", 'd'},
    {nr::k_mkdirat, "mkdirat", sys_mkdirat, "fsm", 'd'},
    {nr::k_mknodat, "mknodat", sys_mknodat, "fsmx", 'd'},
    {nr::k_unlinkat, "unlinkat", sys_unlinkat, "fsx", 'd'},
    {nr::k_symlinkat, "symlinkat", sys_symlinkat, "sfs", 'd'},
    {nr::k_linkat, "linkat", sys_linkat, "fsfsx", 'd'},
    {nr::k_renameat, "renameat", sys_renameat, "fsfs", 'd'},
    {nr::k_renameat2, "renameat2", sys_renameat2, "fsfsx", 'd'},
    {nr::k_fchmod, "fchmod", sys_fchmod, "dm", 'd'},
    {nr::k_fchmodat, "fchmodat", sys_fchmodat, "fsm", 'd'},
    {nr::k_fchmodat2, "fchmodat2", sys_fchmodat2, "fsmx", 'd'},
    {nr::k_fchown, "fchown", sys_fchown, "ddd", 'd'},
    {nr::k_fchownat, "fchownat", sys_fchownat, "fsddx", 'd'},
    {nr::k_utimensat, "utimensat", sys_utimensat, "fspx", 'd'},
    {nr::k_truncate, "truncate", sys_truncate, "sd", 'd'},
    {nr::k_chdir, "chdir", sys_chdir, "s", 'd'},
    {nr::k_fchdir, "fchdir", sys_fchdir, "d", 'd'},
    {nr::k_chroot, "chroot", sys_chroot, "s", 'd'},
    {nr::k_getcwd, "getcwd", sys_getcwd, "pu", 'd'},
    {nr::k_umask, "umask", sys_umask, "m", 'm'},
    {nr::k_setxattr, "setxattr", sys_setxattr_any<'p'>, "sspux", 'd'},
    {nr::k_lsetxattr, "lsetxattr", sys_setxattr_any<'l'>, "sspux", 'd'},
    {nr::k_fsetxattr, "fsetxattr", sys_setxattr_any<'f'>, "dspux", 'd'},
    {nr::k_getxattr, "getxattr", sys_getxattr_any<'p'>, "sspu", 'd'},
    {nr::k_lgetxattr, "lgetxattr", sys_getxattr_any<'l'>, "sspu", 'd'},
    {nr::k_fgetxattr, "fgetxattr", sys_getxattr_any<'f'>, "dspu", 'd'},
    {nr::k_listxattr, "listxattr", sys_listxattr_any<'p'>, "spu", 'd'},
    {nr::k_llistxattr, "llistxattr", sys_listxattr_any<'l'>, "spu", 'd'},
    {nr::k_flistxattr, "flistxattr", sys_listxattr_any<'f'>, "dpu", 'd'},
    {nr::k_removexattr, "removexattr", sys_removexattr_any<'p'>, "ss", 'd'},
    {nr::k_lremovexattr, "lremovexattr", sys_removexattr_any<'l'>, "ss", 'd'},
    {nr::k_fremovexattr, "fremovexattr", sys_removexattr_any<'f'>, "ds", 'd'},
};

}  // namespace

void register_fs_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
