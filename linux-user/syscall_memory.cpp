// Memory system calls: brk and the mmap family on the guest's address space.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "linux-user/generic/syscall_nr.h"
#include "linux-user/syscall.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

// In a vfork child (proc.vfork_pipe open) each mapping change is noted for the parent, whose
// address space a real vfork child shares (linux-user/vfork.h).
SYS(brk) {
  const bool vfork_child = ctx.proc.vfork_pipe >= 0;
  const uint64_t before = vfork_child ? ctx.mem.brk(0) : 0;
  const uint64_t now = ctx.mem.brk(a[0]);
  if (vfork_child && now != before)
    note_vfork_mapping(ctx.proc, {.kind = VforkMapOp::kBrk, .addr = before, .result = now});
  return int64_t(now);
}
SYS(mmap) {
  int flags = int(a[3]);
  int fd = (flags & GuestMap::kAnonymous) ? -1 : int(int32_t(a[4]));
  const int64_t r = ctx.mem.mmap(a[0], a[1], int(a[2]), flags, fd, a[5]);
  if (r >= 0 && ctx.proc.vfork_pipe >= 0)
    note_vfork_mapping(ctx.proc,
                       {.kind = VforkMapOp::kMmap,
                        .prot = int(a[2]),
                        .flags = flags,
                        .len = a[1],
                        .result = uint64_t(r),
                        .offset = a[5]},
                       fd);
  return r;
}
SYS(munmap) {
  const int64_t r = ctx.mem.munmap(a[0], a[1]);
  if (r == 0 && ctx.proc.vfork_pipe >= 0)
    note_vfork_mapping(ctx.proc, {.kind = VforkMapOp::kMunmap, .addr = a[0], .len = a[1]});
  return r;
}
SYS(mprotect) {
  const int64_t r = ctx.mem.mprotect(a[0], a[1], int(a[2]));
  // A partial change (an error after some mappings) is replayed whole: the parent stops where the child did.
  if (ctx.proc.vfork_pipe >= 0)
    note_vfork_mapping(ctx.proc, {.kind = VforkMapOp::kMprotect, .prot = int(a[2]), .addr = a[0], .len = a[1]});
  return r;
}
SYS(mremap) {
  const int64_t r = ctx.mem.mremap(a[0], a[1], a[2], int(a[3]), a[4]);
  if (r >= 0 && ctx.proc.vfork_pipe >= 0)
    note_vfork_mapping(ctx.proc, {.kind = VforkMapOp::kMremap,
                                  .flags = int(a[3]),
                                  .addr = a[0],
                                  .len = a[1],
                                  .new_len = a[2],
                                  .result = uint64_t(r)});
  return r;
}
SYS(madvise) { return ctx.mem.madvise(a[0], a[1], int(a[2])); }
SYS(msync) { return ctx.mem.msync(a[0], a[1], int(a[2])); }
SYS(mlock) { return ctx.mem.mlock(a[0], a[1], true, 0); }
SYS(mlock2) { return ctx.mem.mlock(a[0], a[1], true, int(a[2])); }
SYS(munlock) { return ctx.mem.mlock(a[0], a[1], false, 0); }
// mlockall would lock mimic's own memory and reservation: its flags are checked, nothing is locked.
SYS(mlockall) {
  const int flags = int(a[0]);
  if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT) return -EINVAL;
  return 0;
}
SYS(munlockall) { return 0; }
SYS(mincore) {
  if (a[0] & (kPageSize - 1)) return -EINVAL;
  uint64_t len = page_up(a[1]);
  if (!ctx.mem.access_ok(a[0], len, PageFlag::kValid)) return -ENOMEM;
  uint64_t pages = len / kPageSize;
  std::vector<unsigned char> v(pages);
  if (::mincore(ctx.mem.host(a[0]), len, v.data()) != 0) return -errno;
  return copy_to_guest(ctx.mem, a[2], v.data(), pages) ? 0 : -EFAULT;
}
// Guest threads are host threads: the host's membarrier makes each of them execute a full barrier,
// which orders their translated code's accesses as the guest asked.
SYS(membarrier) { return host_ret(syscall(SYS_membarrier, int(a[0]), unsigned(a[1]), int(a[2]))); }

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_brk, "brk", sys_brk, "x", 'x'},
    {nr::k_mmap, "mmap", sys_mmap, "xxPMdx", 'x'},
    {nr::k_munmap, "munmap", sys_munmap, "xx", 'd'},
    {nr::k_mprotect, "mprotect", sys_mprotect, "xxP", 'd'},
    {nr::k_mremap, "mremap", sys_mremap, "xxxxx", 'x'},
    {nr::k_madvise, "madvise", sys_madvise, "xxd", 'd'},
    {nr::k_msync, "msync", sys_msync, "xxx", 'd'},
    {nr::k_mlock, "mlock", sys_mlock, "xx", 'd'},
    {nr::k_munlock, "munlock", sys_munlock, "xx", 'd'},
    {nr::k_mlock2, "mlock2", sys_mlock2, "xxx", 'd'},
    {nr::k_mlockall, "mlockall", sys_mlockall, "x", 'd'},
    {nr::k_munlockall, "munlockall", sys_munlockall, "", 'd'},
    {nr::k_mincore, "mincore", sys_mincore, "xxp", 'd'},
    {nr::k_membarrier, "membarrier", sys_membarrier, "xxd", 'd'},
};

}  // namespace

void register_memory_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
