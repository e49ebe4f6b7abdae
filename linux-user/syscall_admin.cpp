// System-administration calls a root user makes inside a foreign chroot or container: mounts,
// namespaces, capabilities, host and domain names, the kernel log, clock discipline, scheduling
// attributes, swap and process accounting. All pass to the host kernel, with guest paths looked
// up in the sysroot; the structures involved have the same layout on the 64-bit guests and x86-64.
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "linux-user/generic/syscall_nr.h"
#include "linux-user/mmap.h"
#include "linux-user/syscall.h"
#include "linux-user/uaccess.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

// An optional guest string (null stays null).
int64_t optional_string(SyscallCtx& ctx, uint64_t addr, std::string& out, const char*& p) {
  p = nullptr;
  if (!addr) return 0;
  if (int64_t r = read_guest_string(ctx.mem, addr, out, 4096); r < 0) return r;
  p = out.c_str();
  return 0;
}

// In a chroot mimic emulates (-chroot, a guest chroot(2)), /proc, /sys and the /dev the root lacks
// are the host's own (see resolve_in_sysroot): a mount or unmount there would change the host's
// mounts, which a real chroot's never are. The chroot's view already has them mounted: mount
// answers EBUSY and umount EINVAL (not a mount point of the chroot), as for those of a container.
bool outside_emulated_chroot(const SyscallCtx& ctx, const std::string& host_target) {
  const std::string& root = ctx.proc.options.sysroot;
  if (!ctx.proc.options.sysroot_is_chroot || root.empty() || root == "/") return false;
  return host_target != root && host_target.compare(0, root.size() + 1, root + "/") != 0;
}

SYS(mount) {
  // The source is a path only for bind mounts and moves; for other file systems it is a name
  // ("proc", "tmpfs", a device the host must know).
  const unsigned long flags = a[3];
  std::string source, fstype, target;
  const char *src = nullptr, *type = nullptr;
  if ((flags & (MS_BIND | MS_MOVE)) && a[0]) {
    if (int64_t r = guest_path(ctx, a[0], source); r < 0) return r;
    src = source.c_str();
  } else if (int64_t r = optional_string(ctx, a[0], source, src); r < 0) {
    return r;
  }
  if (int64_t r = optional_string(ctx, a[2], fstype, type); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[1], target); r < 0) return r;
  if (outside_emulated_chroot(ctx, target) && !(flags & MS_REMOUNT)) return -EBUSY;
  if (outside_emulated_chroot(ctx, target)) return -EPERM;
  // Mount options are a string for most file systems, binary for a few: the kernel reads at most
  // a page.
  const void* data = a[4] ? ctx.mem.host(a[4]) : nullptr;
  if (a[4] && !ctx.mem.access_ok(a[4], 1, PageFlag::kValid | PageFlag::kRead)) return -EFAULT;
  return host_ret(::mount(src, target.c_str(), type, flags, data));
}
SYS(umount2) {
  std::string target;
  if (int64_t r = guest_path(ctx, a[0], target, !(a[1] & UMOUNT_NOFOLLOW)); r < 0) return r;
  if (outside_emulated_chroot(ctx, target)) return -EINVAL;
  return host_ret(::umount2(target.c_str(), int(a[1])));
}
// The mount API of Linux 5.2 (util-linux 2.39's mount(8) uses it first): file-system contexts
// and mount objects are host descriptors; only the paths are the guest's, and the targets in a
// chroot mimic emulates obey the same rules as mount(2)'s above.
// Whether the mount at DIRFD/HOST_PATH (the result of guest_path) is one of the host's that the
// chroot sees, such as its /proc: a relative result is one left to the kernel, whose base lies
// outside the root; an empty one (*_EMPTY_PATH) is DIRFD's own folder.
bool mount_outside_emulated_chroot(const SyscallCtx& ctx, int dirfd, const std::string& host_path) {
  if (!ctx.proc.options.sysroot_is_chroot) return false;
  if (host_path.empty()) {
    char cwd[PATH_MAX];
    return outside_emulated_chroot(ctx,
                                   dirfd == AT_FDCWD ? (getcwd(cwd, sizeof cwd) ? cwd : "") : host_path_of_fd(dirfd));
  }
  return host_path[0] != '/' || outside_emulated_chroot(ctx, host_path);
}
SYS(fsopen) {
  std::string name;
  if (int64_t r = read_guest_string(ctx.mem, a[0], name, 4096); r < 0) return r;
  return host_ret(syscall(SYS_fsopen, name.c_str(), unsigned(a[1])));
}
SYS(fsconfig) {
  const int fd = int(int32_t(a[0]));
  const unsigned cmd = unsigned(a[1]);
  const int aux = int(int32_t(a[4]));
  std::string key, value;
  const char* k = nullptr;
  // The kernel checks which of key and value are null for each command before it reads them:
  // a value it must not have is passed as a non-null dummy, so that it answers EINVAL itself.
  static const char kNotNull = 0;
  const void* v = a[3] ? &kNotNull : nullptr;
  if (int64_t r = optional_string(ctx, a[2], key, k); r < 0) return r;
  if (a[3]) switch (cmd) {
      case FSCONFIG_SET_STRING:
        if (int64_t r = read_guest_string(ctx.mem, a[3], value, 4096); r < 0) return r;
        v = value.c_str();
        break;
      case FSCONFIG_SET_BINARY:  // aux is the blob's length (the kernel takes at most 1 MiB)
        if (aux <= 0 || aux > (1 << 20)) return -EINVAL;
        if (!(v = guest_buffer(ctx.mem, a[3], uint64_t(aux)))) return -EFAULT;
        break;
      case FSCONFIG_SET_PATH:
      case FSCONFIG_SET_PATH_EMPTY:  // a path relative to the dirfd in aux
        if (int64_t r = guest_path(ctx, a[3], value, true, aux); r < 0) return r;
        v = value.c_str();
        break;
      default: break;  // flags, descriptors and commands take no value
    }
  return host_ret(syscall(SYS_fsconfig, fd, cmd, k, v, aux));
}
SYS(fsmount) { return host_ret(syscall(SYS_fsmount, int(int32_t(a[0])), unsigned(a[1]), unsigned(a[2]))); }
SYS(move_mount) {
  const unsigned flags = unsigned(a[4]);
  const int from_dfd = guest_dirfd(a[0]), to_dfd = guest_dirfd(a[2]);
  std::string from, to;
  if (int64_t r = guest_path(ctx, a[1], from, flags & MOVE_MOUNT_F_SYMLINKS, from_dfd); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[3], to, flags & MOVE_MOUNT_T_SYMLINKS, to_dfd); r < 0) return r;
  if (mount_outside_emulated_chroot(ctx, to_dfd, to)) return -EBUSY;
  return host_ret(syscall(SYS_move_mount, from_dfd, from.c_str(), to_dfd, to.c_str(), flags));
}
SYS(open_tree) {
  const int dfd = guest_dirfd(a[0]);
  const unsigned flags = unsigned(a[2]);  // OPEN_TREE_CLOEXEC is O_CLOEXEC, the same on every guest
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, !(flags & AT_SYMLINK_NOFOLLOW), dfd); r < 0) return r;
  return host_ret(syscall(SYS_open_tree, dfd, path.c_str(), flags));
}
SYS(fspick) {
  const int dfd = guest_dirfd(a[0]);
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, !(a[2] & FSPICK_SYMLINK_NOFOLLOW), dfd); r < 0) return r;
  if (mount_outside_emulated_chroot(ctx, dfd, path)) return -EPERM;  // as mount(2)'s MS_REMOUNT there
  return host_ret(syscall(SYS_fspick, dfd, path.c_str(), unsigned(a[2])));
}
SYS(mount_setattr) {
  const int dfd = guest_dirfd(a[0]);
  std::string path;
  if (int64_t r = guest_path(ctx, a[1], path, !(a[2] & AT_SYMLINK_NOFOLLOW), dfd); r < 0) return r;
  if (mount_outside_emulated_chroot(ctx, dfd, path)) return -EPERM;
  // struct mount_attr (32 bytes in version 0) is u64s only; the kernel checks what it does not know.
  const size_t size = a[4];
  if (size > 4096) return -E2BIG;
  std::vector<uint8_t> attr(size);
  if (size && !copy_from_guest(ctx.mem, attr.data(), a[3], size)) return -EFAULT;
  return host_ret(syscall(SYS_mount_setattr, dfd, path.c_str(), unsigned(a[2]), a[3] ? attr.data() : nullptr, size));
}
SYS(pivot_root) {
  std::string new_root, put_old;
  if (int64_t r = guest_path(ctx, a[0], new_root); r < 0) return r;
  if (int64_t r = guest_path(ctx, a[1], put_old); r < 0) return r;
  return host_ret(syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str()));
}
// Each guest thread is a host thread, so the per-thread parts (CLONE_FS, CLONE_FILES) are exact.
SYS(unshare) { return host_ret(::unshare(int(a[0]))); }
SYS(setns) { return host_ret(::setns(int(int32_t(a[0])), int(a[1]))); }

SYS(capset) {
  // struct __user_cap_header_struct { u32 version; int pid; } and 1 or 2 (version 2 and 3)
  // struct __user_cap_data_struct { u32 effective, permitted, inheritable; }.
  uint32_t hdr[2], data[6] = {};
  if (!copy_from_guest(ctx.mem, hdr, a[0], sizeof hdr)) return -EFAULT;
  const unsigned n = hdr[0] == 0x19980330 ? 1 : 2;
  if (a[1] && !copy_from_guest(ctx.mem, data, a[1], 12 * n)) return -EFAULT;
  long r = syscall(SYS_capset, hdr, a[1] ? data : nullptr);
  if (r < 0) {
    const int e = errno;
    copy_to_guest(ctx.mem, a[0], hdr, sizeof hdr);  // EINVAL reports the kernel's version
    return -e;
  }
  return 0;
}

int64_t set_name(SyscallCtx& ctx, const uint64_t* a, long nr) {
  if (a[1] > 64) return -EINVAL;  // __NEW_UTS_LEN
  char name[65];
  if (!copy_from_guest(ctx.mem, name, a[0], a[1])) return -EFAULT;
  return host_ret(syscall(nr, name, size_t(a[1])));
}
SYS(sethostname) { return set_name(ctx, a, SYS_sethostname); }
SYS(setdomainname) { return set_name(ctx, a, SYS_setdomainname); }

SYS(syslog) {
  // Actions 2, 3 and 4 read the kernel log into the buffer; the others take no buffer.
  const int type = int(a[0]);
  const int len = int(a[2]);
  void* buf = nullptr;
  if ((type == 2 || type == 3 || type == 4) && len > 0) {
    buf = guest_buffer(ctx.mem, a[1], uint64_t(len));
    if (!buf) return -EFAULT;
  }
  return host_ret(syscall(SYS_syslog, type, buf, len));
}
SYS(vhangup) { return host_ret(::vhangup()); }

int64_t path_call(SyscallCtx& ctx, long nr, uint64_t path_addr, long arg) {
  if (!path_addr) return host_ret(syscall(nr, nullptr, arg));
  std::string path;
  if (int64_t r = guest_path(ctx, path_addr, path); r < 0) return r;
  return host_ret(syscall(nr, path.c_str(), arg));
}
SYS(acct) { return path_call(ctx, SYS_acct, a[0], 0); }
SYS(swapon) { return path_call(ctx, SYS_swapon, a[0], long(a[1])); }
SYS(swapoff) { return path_call(ctx, SYS_swapoff, a[0], 0); }

// struct timex: 208 bytes, the same on every 64-bit Linux.
static_assert(sizeof(struct timex) == 208);
int64_t timex_call(SyscallCtx& ctx, uint64_t addr, bool with_clock, clockid_t clock) {
  struct timex tx;
  if (!get_guest(ctx.mem, addr, tx)) return -EFAULT;
  long r = with_clock ? syscall(SYS_clock_adjtime, clock, &tx) : syscall(SYS_adjtimex, &tx);
  if (r < 0) return -errno;
  return put_guest(ctx.mem, addr, tx) ? r : -EFAULT;
}
SYS(adjtimex) { return timex_call(ctx, a[0], false, 0); }
SYS(clock_adjtime) { return timex_call(ctx, a[1], true, clockid_t(a[0])); }

// struct sched_attr starts with its own size (48 bytes in version 0, 56 with utilization clamps);
// the kernel checks that any part it does not know is zero, so the whole structure goes through.
SYS(sched_setattr) {
  uint32_t size;
  if (!get_guest(ctx.mem, a[1], size)) return -EFAULT;
  if (size > 4096) return -E2BIG;
  std::vector<uint8_t> attr(size ? size : 48);
  if (!copy_from_guest(ctx.mem, attr.data(), a[1], attr.size())) return -EFAULT;
  return host_ret(syscall(SYS_sched_setattr, pid_t(a[0]), attr.data(), unsigned(a[2])));
}
SYS(sched_getattr) {
  const uint32_t size = uint32_t(a[2]);
  if (size < 48 || size > 4096) return -EINVAL;
  std::vector<uint8_t> attr(size);
  long r = syscall(SYS_sched_getattr, pid_t(a[0]), attr.data(), size, unsigned(a[3]));
  if (r < 0) return -errno;
  uint32_t written;
  memcpy(&written, attr.data(), sizeof written);
  return copy_to_guest(ctx.mem, a[1], attr.data(), std::min(written, size)) ? 0 : -EFAULT;
}

constexpr SyscallDef kDefs[] = {
    {nr::k_mount, "mount", sys_mount, "sssxp", 'd'},
    {nr::k_umount2, "umount2", sys_umount2, "sx", 'd'},
    {nr::k_pivot_root, "pivot_root", sys_pivot_root, "ss", 'd'},
    {nr::k_fsopen, "fsopen", sys_fsopen, "sx", 'd'},
    {nr::k_fsconfig, "fsconfig", sys_fsconfig, "dusbd", 'd'},
    {nr::k_fsmount, "fsmount", sys_fsmount, "dxx", 'd'},
    {nr::k_move_mount, "move_mount", sys_move_mount, "fsfsx", 'd'},
    {nr::k_open_tree, "open_tree", sys_open_tree, "fsx", 'd'},
    {nr::k_fspick, "fspick", sys_fspick, "fsx", 'd'},
    {nr::k_mount_setattr, "mount_setattr", sys_mount_setattr, "fsxpu", 'd'},
    {nr::k_unshare, "unshare", sys_unshare, "x", 'd'},
    {nr::k_setns, "setns", sys_setns, "dx", 'd'},
    {nr::k_capset, "capset", sys_capset, "pp", 'd'},
    {nr::k_sethostname, "sethostname", sys_sethostname, "pu", 'd'},
    {nr::k_setdomainname, "setdomainname", sys_setdomainname, "pu", 'd'},
    {nr::k_syslog, "syslog", sys_syslog, "dpd", 'd'},
    {nr::k_vhangup, "vhangup", sys_vhangup, "", 'd'},
    {nr::k_acct, "acct", sys_acct, "s", 'd'},
    {nr::k_swapon, "swapon", sys_swapon, "sx", 'd'},
    {nr::k_swapoff, "swapoff", sys_swapoff, "s", 'd'},
    {nr::k_adjtimex, "adjtimex", sys_adjtimex, "p", 'd'},
    {nr::k_clock_adjtime, "clock_adjtime", sys_clock_adjtime, "cp", 'd'},
    {nr::k_sched_setattr, "sched_setattr", sys_sched_setattr, "dpx", 'd'},
    {nr::k_sched_getattr, "sched_getattr", sys_sched_getattr, "dpux", 'd'},
};

}  // namespace

void register_admin_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
