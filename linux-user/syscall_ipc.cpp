// System V IPC (shared memory, semaphores, message queues) and POSIX message queues, on the host's
// own objects (so guest and host processes, and guests of either architecture, share them as Linux
// processes do).
//
// The 64-bit asm-generic structures (arm64, riscv64) match x86-64's for shared memory and message
// queues; semid64_ds differs (x86-64 keeps padding after each time) and is translated. Shared
// memory is attached with the host's shmat at the guest address inside the reservation.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "linux-user/generic/syscall_nr.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/syscall.h"
#include "linux-user/uaccess.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

struct Ipc64Perm {  // the same 48 bytes on both sides (x86-64's mode is a short plus padding)
  int32_t key;
  uint32_t uid, gid, cuid, cgid, mode;
  uint16_t seq, pad;
  uint64_t unused1, unused2;
};
struct HostSemid64 {
  Ipc64Perm perm;
  int64_t otime;
  uint64_t unused1;
  int64_t ctime;
  uint64_t unused2, nsems, unused3, unused4;
};
struct GuestSemid64 {
  Ipc64Perm perm;
  int64_t otime, ctime;
  uint64_t nsems, unused3, unused4;
};
static_assert(sizeof(Ipc64Perm) == 48 && sizeof(HostSemid64) == 104 && sizeof(GuestSemid64) == 88);

constexpr int kIpc64 = 0x100;  // old glibc versions pass it; the generic kernels ignore it
constexpr uint64_t kShmLba = 4096;

SYS(shmget) { return host_ret(syscall(SYS_shmget, key_t(a[0]), size_t(a[1]), int(a[2]))); }

SYS(shmat) {
  const int id = int(a[0]), flags = int(a[2]);
  shmid_ds ds;
  if (::shmctl(id, IPC_STAT, &ds) != 0) return -errno;
  const uint64_t len = page_up(ds.shm_segsz);
  uint64_t addr = a[1];
  if (addr) {
    if (flags & SHM_RND) addr &= ~(kShmLba - 1);
    if ((addr & (kShmLba - 1)) || !ctx.mem.in_range(addr, len) || addr < GuestMemory::kMinAddr) return -EINVAL;
    if (!(flags & SHM_REMAP) && !ctx.mem.range_free(addr, len)) return -EINVAL;
  } else {
    addr = ctx.mem.find_free(len, 0);
    if (!addr) return -ENOMEM;
  }
  // SHM_REMAP: the range is part of mimic's reservation even where the guest has nothing.
  void* p = ::shmat(id, ctx.mem.host(addr), (flags & SHM_RDONLY) | SHM_REMAP);
  if (p == reinterpret_cast<void*>(-1)) return -errno;
  const int prot =
      GuestProt::kRead | (flags & SHM_RDONLY ? 0 : GuestProt::kWrite) | (flags & SHM_EXEC ? GuestProt::kExec : 0);
  // Linux's name for an attached segment, with the shmid as inode.
  ctx.mem.adopt_mapping(addr, len, prot,
                        GuestMemory::MapInfo{0, 0, uint64_t(id), true,
                                             fmt::format("/SYSV{:08x} (deleted)", uint32_t(ds.shm_perm.__key))});
  return int64_t(addr);
}

SYS(shmdt) {
  const uint64_t addr = a[0];
  const uint64_t len = ctx.mem.attached_shm_length(addr);
  if (!len) return -EINVAL;
  if (::shmdt(ctx.mem.host(addr)) != 0) return -errno;
  return ctx.mem.munmap(addr, len);  // gives the range back to the reservation
}

SYS(shmctl) {
  // shmid64_ds, shminfo64 and shm_info are laid out alike on both sides.
  const int cmd = int(a[1]) & ~kIpc64;
  void* buf = nullptr;
  if (cmd != IPC_RMID && cmd != SHM_LOCK && cmd != SHM_UNLOCK && !(buf = guest_buffer(ctx.mem, a[2], sizeof(shmid_ds))))
    return -EFAULT;
  return host_ret(syscall(SYS_shmctl, int(a[0]), cmd, buf));
}

SYS(semget) { return host_ret(syscall(SYS_semget, key_t(a[0]), int(a[1]), int(a[2]))); }
SYS(semop) {
  // struct sembuf is three shorts everywhere.
  void* sops = guest_buffer(ctx.mem, a[1], a[2] * sizeof(sembuf));
  if (!sops) return -EFAULT;
  return safe_syscall(SYS_semop, int(a[0]), sops, size_t(a[2]));
}
SYS(semtimedop) {
  void* sops = guest_buffer(ctx.mem, a[1], a[2] * sizeof(sembuf));
  if (!sops) return -EFAULT;
  timespec ts;
  if (a[3] && !get_guest(ctx.mem, a[3], ts)) return -EFAULT;
  return safe_syscall(SYS_semtimedop, int(a[0]), sops, size_t(a[2]), a[3] ? &ts : nullptr);
}

SYS(semctl) {
  const int id = int(a[0]), num = int(a[1]), cmd = int(a[2]) & ~kIpc64;
  const uint64_t arg = a[3];  // union semun, passed by value: an int or a pointer
  switch (cmd) {
    case IPC_STAT:
    case SEM_STAT:
    case SEM_STAT_ANY: {
      HostSemid64 h;
      long r = syscall(SYS_semctl, id, num, cmd, &h);
      if (r < 0) return -errno;
      GuestSemid64 g{h.perm, h.otime, h.ctime, h.nsems, 0, 0};
      return put_guest(ctx.mem, arg, g) ? r : -EFAULT;
    }
    case IPC_SET: {
      GuestSemid64 g;
      if (!get_guest(ctx.mem, arg, g)) return -EFAULT;
      HostSemid64 h{g.perm, g.otime, 0, g.ctime, 0, g.nsems, 0, 0};
      return host_ret(syscall(SYS_semctl, id, num, cmd, &h));
    }
    case GETALL:
    case SETALL:
    case IPC_INFO:
    case SEM_INFO: {
      // unsigned short arrays and struct seminfo (ints) are alike; the kernel checks the pointer.
      if (!ctx.mem.in_range(arg, 1)) return -EFAULT;
      return host_ret(syscall(SYS_semctl, id, num, cmd, guest_buffer(ctx.mem, arg, 1)));
    }
    default: return host_ret(syscall(SYS_semctl, id, num, cmd, arg));
  }
}

SYS(msgget) { return host_ret(syscall(SYS_msgget, key_t(a[0]), int(a[1]))); }
SYS(msgsnd) {
  // struct msgbuf is a long type followed by the text.
  void* msg = guest_buffer(ctx.mem, a[1], a[2] + sizeof(long));
  if (!msg) return -EFAULT;
  return safe_syscall(SYS_msgsnd, int(a[0]), msg, size_t(a[2]), int(a[3]));
}
SYS(msgrcv) {
  void* msg = guest_buffer(ctx.mem, a[1], a[2] + sizeof(long));
  if (!msg) return -EFAULT;
  return safe_syscall(SYS_msgrcv, int(a[0]), msg, size_t(a[2]), long(a[3]), int(a[4]));
}
SYS(msgctl) {
  // msqid64_ds, msginfo: x86-64 uses the asm-generic layout too.
  const int cmd = int(a[1]) & ~kIpc64;
  void* buf = nullptr;
  if (cmd != IPC_RMID && !(buf = guest_buffer(ctx.mem, a[2], sizeof(msqid_ds)))) return -EFAULT;
  return host_ret(syscall(SYS_msgctl, int(a[0]), cmd, buf));
}

// POSIX message queues: struct mq_attr (four longs) and struct sigevent are alike on both sides;
// the queue name is a name, not a path (no sysroot lookup). A SIGEV_THREAD request (glibc's, through
// a netlink socket) carries a pointer to a cookie buffer, which the kernel reads: made a host one.
// struct mq_attr: four longs and padding, alike on both sides.
struct MqAttr {
  long flags, maxmsg, msgsize, curmsgs, pad[4];
};

SYS(mq_open) {
  std::string name;
  if (int64_t r = read_guest_string(ctx.mem, a[0], name); r < 0) return r;
  MqAttr attr;
  if (a[3] && !get_guest(ctx.mem, a[3], attr)) return -EFAULT;
  const int flags = open_flags_to_host(ctx.proc, a[1]);
  return host_ret(syscall(SYS_mq_open, name.c_str(), flags, mode_t(a[2]), a[3] ? &attr : nullptr));
}
SYS(mq_unlink) {
  std::string name;
  if (int64_t r = read_guest_string(ctx.mem, a[0], name); r < 0) return r;
  return host_ret(syscall(SYS_mq_unlink, name.c_str()));
}
SYS(mq_timedsend) {
  const void* msg = guest_buffer(ctx.mem, a[1], a[2]);
  if (!msg) return -EFAULT;
  timespec ts;
  if (a[4] && !get_guest(ctx.mem, a[4], ts)) return -EFAULT;
  return safe_syscall(SYS_mq_timedsend, int(a[0]), msg, size_t(a[2]), unsigned(a[3]), a[4] ? &ts : nullptr);
}
SYS(mq_timedreceive) {
  void* msg = guest_buffer(ctx.mem, a[1], a[2]);
  if (!msg) return -EFAULT;
  timespec ts;
  if (a[4] && !get_guest(ctx.mem, a[4], ts)) return -EFAULT;
  unsigned prio = 0;
  const int64_t r = safe_syscall(SYS_mq_timedreceive, int(a[0]), msg, size_t(a[2]), &prio, a[4] ? &ts : nullptr);
  if (r < 0) return r;
  if (a[3] && !put_guest(ctx.mem, a[3], prio)) return -EFAULT;
  return r;
}
SYS(mq_notify) {
  if (!a[1]) return host_ret(syscall(SYS_mq_notify, int(a[0]), nullptr));
  sigevent ev;
  if (!get_guest(ctx.mem, a[1], ev)) return -EFAULT;
  if (ev.sigev_notify == SIGEV_THREAD) {
    // The kernel copies NOTIFY_COOKIE_LEN (32) bytes from sival_ptr at this call.
    void* cookie = guest_buffer(ctx.mem, uint64_t(ev.sigev_value.sival_ptr), 32);
    if (!cookie) return -EFAULT;
    ev.sigev_value.sival_ptr = cookie;
  }
  return host_ret(syscall(SYS_mq_notify, int(a[0]), &ev));
}
SYS(mq_getsetattr) {
  MqAttr in, out;
  if (a[1] && !get_guest(ctx.mem, a[1], in)) return -EFAULT;
  if (a[1]) in.flags = open_flags_to_host(ctx.proc, int(in.flags));
  long r = syscall(SYS_mq_getsetattr, int(a[0]), a[1] ? &in : nullptr, a[2] ? &out : nullptr);
  if (r < 0) return -errno;
  if (a[2]) {
    out.flags = open_flags_to_guest(ctx.proc, int(out.flags));
    if (!put_guest(ctx.mem, a[2], out)) return -EFAULT;
  }
  return r;
}

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_mq_open, "mq_open", sys_mq_open, "somp", 'd'},
    {nr::k_mq_unlink, "mq_unlink", sys_mq_unlink, "s", 'd'},
    {nr::k_mq_timedsend, "mq_timedsend", sys_mq_timedsend, "dpuup", 'd'},
    {nr::k_mq_timedreceive, "mq_timedreceive", sys_mq_timedreceive, "dpupp", 'd'},
    {nr::k_mq_notify, "mq_notify", sys_mq_notify, "dp", 'd'},
    {nr::k_mq_getsetattr, "mq_getsetattr", sys_mq_getsetattr, "dpp", 'd'},
    {nr::k_shmget, "shmget", sys_shmget, "xux", 'd'},
    {nr::k_shmat, "shmat", sys_shmat, "dpx", 'x'},
    {nr::k_shmdt, "shmdt", sys_shmdt, "p", 'd'},
    {nr::k_shmctl, "shmctl", sys_shmctl, "ddp", 'd'},
    {nr::k_semget, "semget", sys_semget, "xdx", 'd'},
    {nr::k_semop, "semop", sys_semop, "dpu", 'd'},
    {nr::k_semtimedop, "semtimedop", sys_semtimedop, "dpup", 'd'},
    {nr::k_semctl, "semctl", sys_semctl, "dddx", 'd'},
    {nr::k_msgget, "msgget", sys_msgget, "xx", 'd'},
    {nr::k_msgsnd, "msgsnd", sys_msgsnd, "dpux", 'd'},
    {nr::k_msgrcv, "msgrcv", sys_msgrcv, "dpudx", 'd'},
    {nr::k_msgctl, "msgctl", sys_msgctl, "ddp", 'd'},
};

}  // namespace

void register_ipc_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
