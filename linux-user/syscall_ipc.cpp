// System V IPC (shared memory, semaphores, message queues) and POSIX message queues, on the host's
// own objects (so guest and host processes, and guests of either architecture, share them as Linux
// processes do).
//
// The 64-bit asm-generic structures (arm64, riscv64) match x86-64's for shared memory and message
// queues; semid64_ds differs (x86-64 keeps padding after each time) and is translated. 32-bit ABIs
// (Arm EABI) have their own layouts of every *ctl structure and a 32-bit msgbuf mtype. Shared
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
#include <cstring>
#include <string>
#include <vector>

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

// ---- the 32-bit ABIs' structures (Arm EABI: asm-generic's layouts with 32-bit longs) ----
// ipc64_perm: mode is a short with padding; times are split in low and high words.
struct Ipc64Perm32 {
  int32_t key;
  uint32_t uid, gid, cuid, cgid;
  uint16_t mode, pad1, seq, pad2;
  uint32_t unused1, unused2;
};
struct Msqid64Ds32 {
  Ipc64Perm32 perm;
  uint32_t stime, stime_high, rtime, rtime_high, ctime, ctime_high;
  uint32_t cbytes, qnum, qbytes;
  int32_t lspid, lrpid;
  uint32_t unused4, unused5;
};
struct Semid64Ds32 {
  Ipc64Perm32 perm;
  uint32_t otime, otime_high, ctime, ctime_high, nsems, unused3, unused4;
};
struct Shmid64Ds32 {
  Ipc64Perm32 perm;
  uint32_t segsz, atime, atime_high, dtime, dtime_high, ctime, ctime_high;
  int32_t cpid, lpid;
  uint32_t nattch, unused4, unused5;
};
static_assert(sizeof(Ipc64Perm32) == 36 && sizeof(Msqid64Ds32) == 88 && sizeof(Semid64Ds32) == 64 &&
              sizeof(Shmid64Ds32) == 84);
bool abi32(const SyscallCtx& ctx) { return guest_word_bytes(ctx.proc) == 4; }
Ipc64Perm32 perm32(const Ipc64Perm& h) {
  return {h.key, h.uid, h.gid, h.cuid, h.cgid, uint16_t(h.mode), 0, h.seq, 0, 0, 0};
}
// IPC_SET reads uid, gid and mode only.
Ipc64Perm perm64(const Ipc64Perm32& g) { return {g.key, g.uid, g.gid, g.cuid, g.cgid, g.mode, g.seq, 0, 0, 0}; }
void split_time(int64_t t, uint32_t& lo, uint32_t& hi) { lo = uint32_t(t), hi = uint32_t(uint64_t(t) >> 32); }
uint32_t clamp32(uint64_t v) { return v > 0xffffffffu ? 0xffffffffu : uint32_t(v); }

// The host's *_perm of an IPC structure, read as the ipc64_perm it is.
template <typename HostPerm>
Ipc64Perm32 perm32_of(const HostPerm& host) {
  static_assert(sizeof(HostPerm) == sizeof(Ipc64Perm));
  Ipc64Perm p;
  memcpy(&p, &host, sizeof p);
  return perm32(p);
}
template <typename HostPerm>
void set_host_perm(HostPerm& host, const Ipc64Perm32& guest) {
  const Ipc64Perm p = perm64(guest);
  memcpy(&host, &p, sizeof p);
}

// IPC_STAT and its kin for a 32-bit guest: the host's structure `Host` from syscall `nr`,
// converted by `fill(host, guest)` into the guest's `Guest`.
template <typename Host, typename Guest, typename Fill>
int64_t ipc_stat32(SyscallCtx& ctx, long nr, int id, int cmd, uint64_t arg, Fill fill) {
  Host h;
  const long r = syscall(nr, id, cmd, &h);
  if (r < 0) return -errno;
  Guest g{};
  fill(h, g);
  return put_guest(ctx.mem, arg, g) ? r : -EFAULT;
}

// IPC_SET for a 32-bit guest: the guest's `Guest` converted by `fill(guest, host)`.
template <typename Host, typename Guest, typename Fill>
int64_t ipc_set32(SyscallCtx& ctx, long nr, int id, int cmd, uint64_t arg, Fill fill) {
  Guest g;
  if (!get_guest(ctx.mem, arg, g)) return -EFAULT;
  Host h{};
  fill(g, h);
  return host_ret(syscall(nr, id, cmd, &h));
}

int64_t shmctl32(SyscallCtx& ctx, int id, int cmd, uint64_t arg) {
  switch (cmd) {
    case IPC_STAT:
    case SHM_STAT:
    case SHM_STAT_ANY:
      return ipc_stat32<shmid_ds, Shmid64Ds32>(ctx, SYS_shmctl, id, cmd, arg, [](const shmid_ds& h, Shmid64Ds32& g) {
        g.perm = perm32_of(h.shm_perm);
        g.segsz = clamp32(h.shm_segsz);
        split_time(h.shm_atime, g.atime, g.atime_high);
        split_time(h.shm_dtime, g.dtime, g.dtime_high);
        split_time(h.shm_ctime, g.ctime, g.ctime_high);
        g.cpid = h.shm_cpid, g.lpid = h.shm_lpid, g.nattch = uint32_t(h.shm_nattch);
      });
    case IPC_SET:
      return ipc_set32<shmid_ds, Shmid64Ds32>(
          ctx, SYS_shmctl, id, cmd, arg, [](const Shmid64Ds32& g, shmid_ds& h) { set_host_perm(h.shm_perm, g.perm); });
    case IPC_INFO: {  // struct shminfo64: nine longs
      uint64_t h[9];
      const long r = syscall(SYS_shmctl, id, cmd, h);
      if (r < 0) return -errno;
      uint32_t g[9];
      for (int i = 0; i < 9; i++) g[i] = i == 0 && h[0] > 0x7fffffff ? 0x7fffffff : uint32_t(h[i]);
      return copy_to_guest(ctx.mem, arg, g, sizeof g) ? r : -EFAULT;
    }
    case SHM_INFO: {  // struct shm_info: an int and five longs
      shm_info h;
      const long r = syscall(SYS_shmctl, id, cmd, &h);
      if (r < 0) return -errno;
      const uint32_t g[6] = {uint32_t(h.used_ids), uint32_t(h.shm_tot),       uint32_t(h.shm_rss),
                             uint32_t(h.shm_swp),  uint32_t(h.swap_attempts), uint32_t(h.swap_successes)};
      return copy_to_guest(ctx.mem, arg, g, sizeof g) ? r : -EFAULT;
    }
    default: return host_ret(syscall(SYS_shmctl, id, cmd, nullptr));
  }
}

int64_t msgctl32(SyscallCtx& ctx, int id, int cmd, uint64_t arg) {
  switch (cmd) {
    case IPC_STAT:
    case MSG_STAT:
    case MSG_STAT_ANY:
      return ipc_stat32<msqid_ds, Msqid64Ds32>(ctx, SYS_msgctl, id, cmd, arg, [](const msqid_ds& h, Msqid64Ds32& g) {
        g.perm = perm32_of(h.msg_perm);
        split_time(h.msg_stime, g.stime, g.stime_high);
        split_time(h.msg_rtime, g.rtime, g.rtime_high);
        split_time(h.msg_ctime, g.ctime, g.ctime_high);
        g.cbytes = clamp32(h.__msg_cbytes), g.qnum = clamp32(h.msg_qnum), g.qbytes = clamp32(h.msg_qbytes);
        g.lspid = h.msg_lspid, g.lrpid = h.msg_lrpid;
      });
    case IPC_SET:
      return ipc_set32<msqid_ds, Msqid64Ds32>(ctx, SYS_msgctl, id, cmd, arg, [](const Msqid64Ds32& g, msqid_ds& h) {
        set_host_perm(h.msg_perm, g.perm);
        h.msg_qbytes = g.qbytes;
      });
    case IPC_INFO:
    case MSG_INFO: {  // struct msginfo: ints, alike
      if (!ctx.mem.access_ok(arg, sizeof(msginfo), PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
      return host_ret(syscall(SYS_msgctl, id, cmd, guest_buffer(ctx.mem, arg, sizeof(msginfo))));
    }
    default: return host_ret(syscall(SYS_msgctl, id, cmd, nullptr));
  }
}

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
  // shmid64_ds, shminfo64 and shm_info are laid out alike on both sides (64-bit ABIs).
  const int cmd = int(a[1]) & ~kIpc64;
  if (abi32(ctx)) return shmctl32(ctx, int(a[0]), cmd, a[2]);
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
  if (a[3] && !get_guest_timespec(ctx, a[3], ts)) return -EFAULT;
  return safe_syscall(SYS_semtimedop, int(a[0]), sops, size_t(a[2]), a[3] ? &ts : nullptr);
}

SYS(semctl) {
  const int id = int(a[0]), num = int(a[1]), cmd = int(a[2]) & ~kIpc64;
  const uint64_t arg = abi32(ctx) ? uint32_t(a[3]) : a[3];  // union semun by value: an int or a pointer
  switch (cmd) {
    case IPC_STAT:
    case SEM_STAT:
    case SEM_STAT_ANY: {
      HostSemid64 h;
      long r = syscall(SYS_semctl, id, num, cmd, &h);
      if (r < 0) return -errno;
      if (abi32(ctx)) {
        Semid64Ds32 g{};
        g.perm = perm32(h.perm);
        split_time(h.otime, g.otime, g.otime_high);
        split_time(h.ctime, g.ctime, g.ctime_high);
        g.nsems = uint32_t(h.nsems);
        return put_guest(ctx.mem, arg, g) ? r : -EFAULT;
      }
      GuestSemid64 g{h.perm, h.otime, h.ctime, h.nsems, 0, 0};
      return put_guest(ctx.mem, arg, g) ? r : -EFAULT;
    }
    case IPC_SET: {
      if (abi32(ctx)) {
        Semid64Ds32 g;
        if (!get_guest(ctx.mem, arg, g)) return -EFAULT;
        HostSemid64 h{perm64(g.perm), 0, 0, 0, 0, 0, 0, 0};
        return host_ret(syscall(SYS_semctl, id, num, cmd, &h));
      }
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
// struct msgbuf of a 32-bit ABI: a 32-bit mtype, then the text; the host's mtype is a long.
int64_t msgsnd32(SyscallCtx& ctx, const uint64_t* a) {
  const size_t len = size_t(a[2]);
  if (len > (64u << 20)) return -EINVAL;
  std::vector<uint8_t> buf(8 + len);
  int32_t type;
  if (!get_guest(ctx.mem, a[1], type) || (len && !copy_from_guest(ctx.mem, buf.data() + 8, a[1] + 4, len)))
    return -EFAULT;
  const long t = type;
  memcpy(buf.data(), &t, 8);
  return safe_syscall(SYS_msgsnd, int(a[0]), buf.data(), len, int(a[3]));
}
int64_t msgrcv32(SyscallCtx& ctx, const uint64_t* a) {
  const size_t len = size_t(a[2]);
  if (len > (64u << 20)) return -EINVAL;
  if (!ctx.mem.access_ok(a[1], 4 + len, PageFlag::kValid | PageFlag::kWrite)) return -EFAULT;
  std::vector<uint8_t> buf(8 + len);
  const int64_t r = safe_syscall(SYS_msgrcv, int(a[0]), buf.data(), len, long(int32_t(a[3])), int(a[4]));
  if (r < 0) return r;
  long t;
  memcpy(&t, buf.data(), 8);
  if (!put_guest(ctx.mem, a[1], int32_t(t)) || !copy_to_guest(ctx.mem, a[1] + 4, buf.data() + 8, size_t(r)))
    return -EFAULT;
  return r;
}
SYS(msgsnd) {
  if (abi32(ctx)) return msgsnd32(ctx, a);
  // struct msgbuf is a long type followed by the text.
  void* msg = guest_buffer(ctx.mem, a[1], a[2] + sizeof(long));
  if (!msg) return -EFAULT;
  return safe_syscall(SYS_msgsnd, int(a[0]), msg, size_t(a[2]), int(a[3]));
}
SYS(msgrcv) {
  if (abi32(ctx)) return msgrcv32(ctx, a);
  void* msg = guest_buffer(ctx.mem, a[1], a[2] + sizeof(long));
  if (!msg) return -EFAULT;
  return safe_syscall(SYS_msgrcv, int(a[0]), msg, size_t(a[2]), long(a[3]), int(a[4]));
}
SYS(msgctl) {
  // msqid64_ds, msginfo: x86-64 uses the asm-generic layout too.
  const int cmd = int(a[1]) & ~kIpc64;
  if (abi32(ctx)) return msgctl32(ctx, int(a[0]), cmd, a[2]);
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
  if (a[4] && !get_guest_timespec(ctx, a[4], ts)) return -EFAULT;
  return safe_syscall(SYS_mq_timedsend, int(a[0]), msg, size_t(a[2]), unsigned(a[3]), a[4] ? &ts : nullptr);
}
SYS(mq_timedreceive) {
  void* msg = guest_buffer(ctx.mem, a[1], a[2]);
  if (!msg) return -EFAULT;
  timespec ts;
  if (a[4] && !get_guest_timespec(ctx, a[4], ts)) return -EFAULT;
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
