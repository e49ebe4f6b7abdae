// Process system calls: exit, ids, uname, limits, fork-style clone, execve, wait, futex, prctl.
#include <elf.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "linux-user/arch.h"
#include "linux-user/generic/syscall_nr.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/signal.h"
#include "linux-user/syscall.h"
#include "linux-user/thread.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/options.h"

namespace mimic::linux_user {

namespace {

#define SYS(name) int64_t sys_##name(SyscallCtx& ctx, [[maybe_unused]] const uint64_t* a)

SYS(exit_group) {
  send_vfork_writes(ctx.proc);
  ctx.proc.exit_status = int(a[0]) & 0xff;
  ctx.proc.exited = true;
  return kSysNoResult;
}
// One thread ends; the process ends with its last thread (the exit status is the last thread's).
// The thread's robust list and CLONE_CHILD_CLEARTID word are released when its loop returns.
SYS(exit) {
  ctx.thread.exit_code = int(a[0]) & 0xff;
  if (ctx.proc.live_threads.load() == 1) {
    release_thread_resources(ctx.proc, ctx.thread);  // a MAP_SHARED waiter may be watching
    return sys_exit_group(ctx, a);
  }
  ctx.thread.exited = true;
  return kSysNoResult;
}
SYS(getpid) { return getpid(); }
SYS(getppid) { return getppid(); }
SYS(gettid) { return syscall(SYS_gettid); }
SYS(getuid) { return getuid(); }
SYS(geteuid) { return geteuid(); }
SYS(getgid) { return getgid(); }
SYS(getegid) { return getegid(); }
// The raw calls: glibc's wrappers would broadcast to every host thread of mimic.
SYS(setuid) { return host_ret(syscall(SYS_setuid, uid_t(a[0]))); }
SYS(setgid) { return host_ret(syscall(SYS_setgid, gid_t(a[0]))); }
SYS(setreuid) { return host_ret(syscall(SYS_setreuid, uid_t(a[0]), uid_t(a[1]))); }
SYS(setregid) { return host_ret(syscall(SYS_setregid, gid_t(a[0]), gid_t(a[1]))); }
SYS(setresuid) { return host_ret(syscall(SYS_setresuid, uid_t(a[0]), uid_t(a[1]), uid_t(a[2]))); }
SYS(setresgid) { return host_ret(syscall(SYS_setresgid, gid_t(a[0]), gid_t(a[1]), gid_t(a[2]))); }
SYS(setfsuid) { return syscall(SYS_setfsuid, uid_t(a[0])); }
SYS(setfsgid) { return syscall(SYS_setfsgid, gid_t(a[0])); }
SYS(getresuid) {
  uid_t r, e, s;
  if (getresuid(&r, &e, &s) != 0) return -errno;
  if (!put_guest(ctx.mem, a[0], r) || !put_guest(ctx.mem, a[1], e) || !put_guest(ctx.mem, a[2], s)) return -EFAULT;
  return 0;
}
SYS(getresgid) {
  gid_t r, e, s;
  if (getresgid(&r, &e, &s) != 0) return -errno;
  if (!put_guest(ctx.mem, a[0], r) || !put_guest(ctx.mem, a[1], e) || !put_guest(ctx.mem, a[2], s)) return -EFAULT;
  return 0;
}
SYS(getgroups) {
  int n = int(a[0]);
  if (n < 0) return -EINVAL;
  std::vector<gid_t> g(size_t(n ? n : 0) + 1);
  int r = ::getgroups(n, g.data());
  if (r < 0) return -errno;
  if (n && !copy_to_guest(ctx.mem, a[1], g.data(), sizeof(gid_t) * size_t(r))) return -EFAULT;
  return r;
}
SYS(setgroups) {
  size_t n = a[0];
  if (n > 65536) return -EINVAL;
  std::vector<gid_t> g(n + 1);
  if (n && !copy_from_guest(ctx.mem, g.data(), a[1], sizeof(gid_t) * n)) return -EFAULT;
  return host_ret(syscall(SYS_setgroups, n, g.data()));
}
SYS(setpgid) { return host_ret(::setpgid(pid_t(a[0]), pid_t(a[1]))); }
SYS(getpgid) { return host_ret(::getpgid(pid_t(a[0]))); }
SYS(getsid) { return host_ret(::getsid(pid_t(a[0]))); }
SYS(setsid) { return host_ret(::setsid()); }
SYS(getpriority) { return host_ret(syscall(SYS_getpriority, int(a[0]), id_t(a[1]))); }
SYS(setpriority) { return host_ret(::setpriority(__priority_which(a[0]), id_t(a[1]), int(a[2]))); }

SYS(uname) {
  struct utsname u;
  if (::uname(&u) != 0) return -errno;
  // The guest sees its own machine, as on the real board.
  strncpy(u.machine, ctx.proc.arch ? ctx.proc.arch->name : "unknown", sizeof u.machine);
  return copy_to_guest(ctx.mem, a[0], &u, sizeof u) ? 0 : -EFAULT;
}
SYS(sysinfo) {
  struct sysinfo si;  // the same layout on 64-bit guests
  if (::sysinfo(&si) != 0) return -errno;
  return copy_to_guest(ctx.mem, a[0], &si, sizeof si) ? 0 : -EFAULT;
}
SYS(getrlimit) {
  struct rlimit r;
  if (::getrlimit(__rlimit_resource(a[0]), &r) != 0) return -errno;
  return put_guest(ctx.mem, a[1], r) ? 0 : -EFAULT;
}
// Limits on the address space, data and stack would apply to mimic's own reservation and code
// cache instead of the guest: accepted but not applied, as qemu-user does.
bool limit_is_emulated(uint64_t res) { return res == RLIMIT_AS || res == RLIMIT_DATA || res == RLIMIT_STACK; }
SYS(setrlimit) {
  struct rlimit r;
  if (!get_guest(ctx.mem, a[1], r)) return -EFAULT;
  if (limit_is_emulated(a[0])) return 0;
  return host_ret(::setrlimit(__rlimit_resource(a[0]), &r));
}
SYS(prlimit64) {
  struct rlimit n, o, *pn = nullptr;
  if (a[2]) {
    if (!get_guest(ctx.mem, a[2], n)) return -EFAULT;
    pn = &n;
  }
  if (pn && limit_is_emulated(a[1]) && (a[0] == 0 || pid_t(a[0]) == getpid())) pn = nullptr;
  if (syscall(SYS_prlimit64, pid_t(a[0]), int(a[1]), pn, &o) != 0) return -errno;
  if (a[3] && !put_guest(ctx.mem, a[3], o)) return -EFAULT;
  return 0;
}
SYS(getrusage) {
  struct rusage r;
  if (::getrusage(__rusage_who(int(a[0])), &r) != 0) return -errno;
  return put_guest(ctx.mem, a[1], r) ? 0 : -EFAULT;
}
SYS(times) {
  struct tms t;
  clock_t r = ::times(&t);
  if (a[0] && !put_guest(ctx.mem, a[0], t)) return -EFAULT;
  return int64_t(r);
}
SYS(personality) { return host_ret(syscall(SYS_personality, unsigned(a[0]))); }

SYS(prctl) {
  int op = int(a[0]);
  switch (op) {
    case PR_SET_NAME: {
      std::string name;
      if (int64_t r = read_guest_string(ctx.mem, a[1], name, 4096); r < 0 && r != -ENAMETOOLONG) return r;
      name.resize(std::min<size_t>(name.size(), 15));
      return host_ret(::prctl(PR_SET_NAME, name.c_str()));
    }
    case PR_GET_NAME: {
      char name[16] = {};
      if (::prctl(PR_GET_NAME, name) != 0) return -errno;
      return copy_to_guest(ctx.mem, a[1], name, 16) ? 0 : -EFAULT;
    }
    case PR_GET_PDEATHSIG: {
      int sig;
      if (::prctl(PR_GET_PDEATHSIG, &sig) != 0) return -errno;
      return put_guest(ctx.mem, a[1], sig) ? 0 : -EFAULT;
    }
    case PR_SET_PDEATHSIG:
    case PR_SET_DUMPABLE:
    case PR_GET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
    case PR_GET_NO_NEW_PRIVS:
    case PR_SET_CHILD_SUBREAPER:
    case PR_CAPBSET_READ:
    case PR_SET_TIMERSLACK:
    case PR_GET_TIMERSLACK:
    case PR_GET_KEEPCAPS:
    case PR_SET_KEEPCAPS:
    // Capabilities of the process, which are mimic's own and the guest's alike: setpriv and
    // libcap-ng (man-db's triggers in a package installation) read and change them.
    case PR_CAPBSET_DROP:
    case PR_GET_SECUREBITS:
    case PR_SET_SECUREBITS:
    case PR_CAP_AMBIENT: return host_ret(::prctl(op, a[1], a[2], a[3], a[4]));
    case PR_SET_VMA:
      return 0;  // naming anonymous memory: a debugging aid only
    // Seccomp would confine mimic itself: the answer of a kernel built without it, as seccomp(2)'s
    // (no_sandbox, below), and as silent (man-db's mandb probes it before sandboxing itself).
    case PR_GET_SECCOMP:
    case PR_SET_SECCOMP: return -EINVAL;
    // The architecture's own options; seccomp and friends would apply to mimic itself.
    default:
      if (ctx.proc.arch->prctl) return ctx.proc.arch->prctl(ctx, a);
      report_unimplemented(ctx.proc, "prctl", unsigned(op), "(EINVAL)");
      return -EINVAL;
  }
}

SYS(sched_getaffinity) {
  size_t len = a[1];
  if (len == 0 || len > 4096 || (len & 7)) return -EINVAL;
  std::vector<uint8_t> m(len);
  long r = syscall(SYS_sched_getaffinity, pid_t(a[0]), len, m.data());
  if (r < 0) return -errno;
  return copy_to_guest(ctx.mem, a[2], m.data(), size_t(r)) ? r : -EFAULT;
}
SYS(sched_setaffinity) {
  size_t len = std::min<size_t>(a[1], 4096);
  std::vector<uint8_t> m(len);
  if (!copy_from_guest(ctx.mem, m.data(), a[2], len)) return -EFAULT;
  return host_ret(syscall(SYS_sched_setaffinity, pid_t(a[0]), len, m.data()));
}
SYS(sched_yield) { return host_ret(::sched_yield()); }
SYS(sched_getscheduler) { return host_ret(::sched_getscheduler(pid_t(a[0]))); }
SYS(sched_getparam) {
  if (!a[1] || int(a[0]) < 0) return -EINVAL;  // Linux checks these before looking at the task
  sched_param p;
  if (::sched_getparam(pid_t(a[0]), &p) != 0) return -errno;
  return put_guest(ctx.mem, a[1], p) ? 0 : -EFAULT;
}
SYS(sched_setparam) {
  sched_param p;
  if (!get_guest(ctx.mem, a[1], p)) return -EFAULT;
  return host_ret(::sched_setparam(pid_t(a[0]), &p));
}
SYS(sched_setscheduler) {
  sched_param p;
  if (!get_guest(ctx.mem, a[2], p)) return -EFAULT;
  return host_ret(::sched_setscheduler(pid_t(a[0]), int(a[1]), &p));
}
SYS(sched_get_priority_max) { return host_ret(::sched_get_priority_max(int(a[0]))); }
SYS(sched_get_priority_min) { return host_ret(::sched_get_priority_min(int(a[0]))); }
SYS(sched_rr_get_interval) {
  timespec ts;  // the same layout on every 64-bit Linux
  if (::sched_rr_get_interval(pid_t(a[0]), &ts) != 0) return -errno;
  return put_guest(ctx.mem, a[1], ts) ? 0 : -EFAULT;
}
SYS(ioprio_get) { return host_ret(syscall(SYS_ioprio_get, int(a[0]), int(a[1]))); }
SYS(ioprio_set) { return host_ret(syscall(SYS_ioprio_set, int(a[0]), int(a[1]), int(a[2]))); }
SYS(pidfd_open) { return host_ret(syscall(SYS_pidfd_open, pid_t(a[0]), unsigned(a[1]))); }
SYS(pidfd_getfd) { return host_ret(syscall(SYS_pidfd_getfd, int(a[0]), int(a[1]), unsigned(a[2]))); }
SYS(pidfd_send_signal) {
  // siginfo_t is the same 128 bytes on 64-bit asm-generic guests and x86-64.
  siginfo_t si;
  if (a[2] && !get_guest_siginfo(ctx, a[2], &si)) return -EFAULT;
  return host_ret(syscall(SYS_pidfd_send_signal, int(a[0]), int(a[1]), a[2] ? &si : nullptr, unsigned(a[3])));
}

SYS(getcpu) {
  unsigned cpu, node;
  if (syscall(SYS_getcpu, &cpu, &node, nullptr) != 0) return -errno;
  if (a[0] && !put_guest(ctx.mem, a[0], cpu)) return -EFAULT;
  if (a[1] && !put_guest(ctx.mem, a[1], node)) return -EFAULT;
  return 0;
}
SYS(getrandom) {
  void* buf = guest_buffer(ctx.mem, a[0], a[1]);
  if (!buf) return -EFAULT;
  return host_ret(::getrandom(buf, a[1], unsigned(a[2])));
}

SYS(set_tid_address) {
  ctx.thread.clear_child_tid = a[0];
  return syscall(SYS_gettid);
}
SYS(set_robust_list) {
  if (a[1] != 3 * guest_word_bytes(ctx.proc)) return -EINVAL;  // sizeof(struct robust_list_head): 3 words
  ctx.thread.robust_list = a[0];
  return 0;
}
SYS(get_robust_list) {
  if (a[0] != 0 && int(a[0]) != int(syscall(SYS_gettid))) {
    std::lock_guard lock(ctx.proc.threads_mutex);
    for (GuestThread* t : ctx.proc.threads)
      if (t->tid == int(a[0])) {
        const uint64_t w[2] = {t->robust_list, 3 * guest_word_bytes(ctx.proc)};
        if (!put_guest_words(ctx.mem, a[1], &w[0], 1, guest_word_bytes(ctx.proc)) ||
            !put_guest_words(ctx.mem, a[2], &w[1], 1, guest_word_bytes(ctx.proc)))
          return -EFAULT;
        return 0;
      }
    return -ESRCH;
  }
  const uint64_t w[2] = {ctx.thread.robust_list, 3 * guest_word_bytes(ctx.proc)};
  if (!put_guest_words(ctx.mem, a[1], &w[0], 1, guest_word_bytes(ctx.proc)) ||
      !put_guest_words(ctx.mem, a[2], &w[1], 1, guest_word_bytes(ctx.proc)))
    return -EFAULT;
  return 0;
}
// Sandboxes (seccomp filters, Landlock rulesets) would confine mimic's own host process: mimic
// opens, maps and execs for the guest (execve re-runs /proc/self/exe). They answer as a kernel
// built without them does, ENOSYS, which programs take as "no sandbox here" (xz, file, systemd),
// silently: this is a kernel configuration, not a gap to report.
SYS(no_sandbox) { return -ENOSYS; }
SYS(rseq) { return -ENOSYS; }  // glibc falls back; restartable sequences need the scheduler's help

SYS(futex) {
  // The futex word is guest memory, which is host memory at guest_base + addr: host futexes
  // work unchanged (also across processes for MAP_SHARED words).
  int op = int(a[1]);
  int cmd = op & FUTEX_CMD_MASK;
  if (!ctx.mem.access_ok(a[0], 4, PageFlag::kValid | PageFlag::kRead)) return -EFAULT;
  void* uaddr = guest_buffer(ctx.mem, a[0], 4);  // PI operations write the word
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_WAIT_REQUEUE_PI: {
      timespec ts, *pts = nullptr;
      if (a[3]) {
        if (!get_guest_timespec(ctx, a[3], ts)) return -EFAULT;
        pts = &ts;
      }
      void* uaddr2 = nullptr;
      if (cmd == FUTEX_WAIT_REQUEUE_PI) {
        if (!ctx.mem.access_ok(a[4], 4, PageFlag::kValid | PageFlag::kRead)) return -EFAULT;
        uaddr2 = guest_buffer(ctx.mem, a[4], 4);
      }
      return safe_syscall(SYS_futex, uaddr, op, uint32_t(a[2]), pts, uaddr2, uint32_t(a[5]));
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
    case FUTEX_UNLOCK_PI:
    case FUTEX_TRYLOCK_PI:
      return host_ret(syscall(SYS_futex, uaddr, op, uint32_t(a[2]), nullptr, nullptr, uint32_t(a[5])));
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
    case FUTEX_CMP_REQUEUE_PI:
    case FUTEX_WAKE_OP: {
      if (!ctx.mem.access_ok(a[4], 4, PageFlag::kValid | PageFlag::kRead)) return -EFAULT;
      return host_ret(
          syscall(SYS_futex, uaddr, op, uint32_t(a[2]), a[3], guest_buffer(ctx.mem, a[4], 4), uint32_t(a[5])));
    }
    default: return -ENOSYS;
  }
}

// clone: threads (CLONE_VM|CLONE_THREAD, as pthread_create) run on host threads; fork(), vfork()
// and posix_spawn() forms make a host process. A vfork child is a forked copy whose memory writes
// and mapping calls reach the parent when it execs or exits (linux-user/vfork.cpp), with the parent
// waiting until then.
int64_t do_clone(SyscallCtx& ctx, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t tls, uint64_t ctid) {
  constexpr uint64_t kCloneVm = 0x100, kCloneFs = 0x200, kCloneFiles = 0x400, kCloneSighand = 0x800,
                     kCloneVfork = 0x4000, kCloneThread = 0x10000, kCloneSettls = 0x80000, kParentSettid = 0x100000,
                     kChildCleartid = 0x200000, kChildSettid = 0x1000000;
  if (flags & kCloneThread) {
    // The combinations Linux allows: a thread shares signal handlers, which needs shared memory.
    if (!(flags & kCloneSighand) || !(flags & kCloneVm)) return -EINVAL;
    if ((flags & (kCloneFs | kCloneFiles)) != (kCloneFs | kCloneFiles)) {
      fprintf(stderr, "mimic: clone of a thread with private fs/files (flags %#llx) is not supported\n",
              (unsigned long long)flags);
      return -EINVAL;
    }
    return spawn_guest_thread(ctx.proc, ctx.thread, flags, newsp, ptid, tls, ctid);
  }
  if ((flags & kCloneVm) && !(flags & kCloneVfork)) {
    fprintf(stderr,
            "mimic: clone with CLONE_VM but neither CLONE_THREAD nor CLONE_VFORK (flags %#llx) is not supported\n",
            (unsigned long long)flags);
    return -EINVAL;
  }
  // vfork: the parent is suspended until the child execs or exits, and sees what the child wrote
  // to memory (posix_spawn's child reports a failed exec so). The child is a forked copy that
  // logs the pages it writes and sends them down a close-on-exec pipe, which the parent reads to
  // its end (the child's successful exec or its exit).
  int vfork_pipe[2] = {-1, -1};
  if ((flags & kCloneVfork) && pipe2(vfork_pipe, O_CLOEXEC) != 0) return -errno;
  fflush(stderr);
  // fork() keeps mimic's own locks (malloc, stdio, the engine's) consistent in the child; other
  // guest threads do not exist there. Every lock a guest thread may hold at the moment of the fork
  // is held here, in the lock order: a mapping change holds the memory lock and waits for the
  // engine's (invalidation), a starting or exiting thread takes the thread list's.
  std::unique_lock mem_lock(ctx.mem.fork_mutex());
  std::unique_lock threads_lock(ctx.proc.threads_mutex);
  int snapshot = ctx.proc.engine ? ctx.proc.engine->before_fork() : -1;
  // The child starts with no pending signal, as in Linux. A signal our host handler recorded for
  // the parent (the kernel restarts a fork to let the parent's handler run first) must not be
  // delivered again in the child: signals the guest catches are held off across the fork, and the
  // child forgets what the parent had recorded but not yet delivered.
  uint64_t old_mask;
  set_host_mask(host_mask_for_guest(~uint64_t(0)), &old_mask);  // faults stay open
  pid_t pid =
      (flags & 0xff) == SIGCHLD ? ::fork() : pid_t(syscall(SYS_clone, flags & 0xff, nullptr, nullptr, nullptr, 0));
  int fork_errno = errno;
  if (pid == 0) {
    ctx.thread.signals.pending.store(0);
    ctx.thread.signals.rt_count = 0;
  }
  set_host_mask(old_mask, nullptr);
  if (pid != 0) {
    if (ctx.proc.engine) ctx.proc.engine->after_fork_parent(snapshot);
    threads_lock.unlock();
    mem_lock.unlock();
  }
  if (pid == 0) {
    mem_lock.release();
    ctx.mem.child_after_fork();
    ctx.mem.child_drop_dontfork();
    threads_lock.unlock();  // a default mutex: the child's only thread may unlock it
  }
  if (pid == 0 && ctx.proc.vfork_pipe >= 0) {
    // A child of a vfork child: its writes are not the first parent's.
    close(ctx.proc.vfork_pipe);
    ctx.proc.vfork_pipe = -1;
    ctx.proc.vfork_map_ops.clear();
    ctx.proc.vfork_map_ops_sent = 0;
  }
  if (vfork_pipe[0] >= 0) {
    if (pid == 0) {
      close(vfork_pipe[0]);
      // The guest's descriptors share the number space: keep the pipe high, and check before
      // each use that the number still names it (the child may close or dup2 over it).
      struct rlimit rl;
      int fd = vfork_pipe[1];
      if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 256) {
        const int high = fcntl(fd, F_DUPFD_CLOEXEC, int(std::min<rlim_t>(rl.rlim_cur, 1 << 20) - 64));
        if (high >= 0) {
          close(fd);
          fd = high;
        }
      }
      struct stat st;
      ctx.proc.vfork_pipe = fd;
      ctx.proc.vfork_pipe_inode = fstat(fd, &st) == 0 ? st.st_ino : 0;
      ctx.mem.start_write_log();
    } else {
      close(vfork_pipe[1]);
      if (pid > 0) receive_vfork_writes(ctx.mem, vfork_pipe[0], ctx.proc.options.engine.log & tcg::LogFlag::kUnimp);
      close(vfork_pipe[0]);
    }
  }
  if (pid < 0) return -fork_errno;
  if (pid == 0) {
    if (ctx.proc.engine) ctx.proc.engine->after_fork_child(snapshot, &ctx.thread.cpu());
    ctx.mem.child_invalidate_dropped();
    ctx.thread.tid = int(syscall(SYS_gettid));
    ctx.proc.live_threads.store(1);
    {
      std::lock_guard lock(ctx.proc.threads_mutex);
      ctx.proc.threads.assign(1, &ctx.thread);
    }
    if (ctx.proc.debugger) ctx.proc.debugger->after_fork_child();
    if (newsp) ctx.thread.set_sp(newsp);
    if (flags & kCloneSettls) ctx.thread.set_tls(tls);
    int tid = int(syscall(SYS_gettid));
    if (flags & kChildSettid) put_guest(ctx.mem, ctid, tid);
    if (flags & kParentSettid) put_guest(ctx.mem, ptid, tid);
    ctx.thread.clear_child_tid = (flags & kChildCleartid) ? ctid : 0;
    return 0;
  }
  if (flags & kParentSettid) put_guest(ctx.mem, ptid, int(pid));
  return pid;
}
// The generic (and riscv64/arm64) argument order: flags, stack, parent_tid, tls, child_tid.
SYS(clone) { return do_clone(ctx, a[0], a[1], a[2], a[3], a[4]); }

// clone3(struct clone_args*, size): glibc tries it first for threads and falls back to clone on ENOSYS.
SYS(clone3) {
  struct CloneArgs {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
  } ca{};
  constexpr uint64_t kSizeVer0 = 64, kClonePidfd = 0x1000, kCloneIntoCgroup = 0x200000000ull;
  if (a[1] < kSizeVer0 || a[1] > 4096) return -EINVAL;
  if (!copy_from_guest(ctx.mem, &ca, a[0], std::min<uint64_t>(a[1], sizeof ca))) return -EFAULT;
  for (uint64_t off = sizeof ca; off < a[1]; off += 8) {  // a newer struct: unknown fields must be 0
    uint64_t w = 0;
    if (!copy_from_guest(ctx.mem, &w, a[0] + off, std::min<uint64_t>(8, a[1] - off))) return -EFAULT;
    if (w) return -E2BIG;
  }
  if ((ca.flags & 0xff) || ca.exit_signal > 64 || (ca.stack == 0) != (ca.stack_size == 0)) return -EINVAL;
  if ((ca.flags & (kClonePidfd | kCloneIntoCgroup)) || ca.set_tid_size) {
    fprintf(stderr, "mimic: clone3 with pidfd, set_tid or cgroup is not supported\n");
    return -EINVAL;
  }
  return do_clone(ctx, ca.flags | ca.exit_signal, ca.stack ? ca.stack + ca.stack_size : 0, ca.parent_tid, ca.tls,
                  ca.child_tid);
}

// What execve may take in arguments and environment together, as Linux's bprm_stack_limits: a
// quarter of the stack limit, at most 6 MiB (3/4 of _STK_LIM), at least ARG_MAX (128 KiB).
uint64_t exec_arg_limit() {
  rlimit rl{};
  uint64_t limit = uint64_t(6) << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    limit = std::min<uint64_t>(limit, rl.rlim_cur / 4);
  return std::max<uint64_t>(limit, 128 * 1024);
}

// Reads a NULL-terminated guest array of strings, each of at most MAX_ARG_STRLEN bytes; `budget`
// is what the pointers and the strings may still take (E2BIG past it).
int64_t read_string_array(SyscallCtx& ctx, uint64_t addr, std::vector<std::string>& out, uint64_t& budget) {
  out.clear();
  if (!addr) return 0;
  for (size_t i = 0;; i++) {
    const unsigned wb = ctx.proc.arch ? ctx.proc.arch->word_bytes : 8;
    uint64_t p = 0;
    if (!copy_from_guest(ctx.mem, &p, addr + wb * i, wb)) return -EFAULT;
    if (!p) return 0;
    std::string s;
    if (int64_t r = read_guest_string(ctx.mem, p, s, 128 * 1024); r < 0) return r == -ENAMETOOLONG ? -E2BIG : r;
    if (budget < s.size() + 1 + 8) return -E2BIG;
    budget -= s.size() + 1 + 8;
    out.push_back(std::move(s));
  }
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// execve: guest ELF files run in a fresh mimic (the same options); scripts run their interpreter
// through the same rules; host programs run directly.
int64_t exec_file(SyscallCtx& ctx, const std::string& guest_file, uint64_t argv_addr, uint64_t envp_addr) {
  std::vector<std::string> argv, envp;
  uint64_t budget = exec_arg_limit();
  if (int64_t r = read_string_array(ctx, argv_addr, argv, budget); r < 0) return r;
  if (int64_t r = read_string_array(ctx, envp_addr, envp, budget); r < 0) return r;
  std::string file = guest_file;
  for (int depth = 0; depth < 4; depth++) {
    std::string host = host_path_at(ctx.proc, AT_FDCWD, file);
    int fd = ::open(host.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    if (access(host.c_str(), X_OK) != 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    char head[256] = {};
    ssize_t n = ::read(fd, head, sizeof head - 1);
    close(fd);
    if (std::string interp, arg; n > 0 && parse_shebang(head, size_t(n), interp, arg)) {
      if (interp.empty()) return -ENOEXEC;
      std::vector<std::string> nargv{interp};
      if (!arg.empty()) nargv.push_back(arg);
      nargv.push_back(file);
      for (size_t i = 1; i < argv.size(); i++) nargv.push_back(argv[i]);
      argv = std::move(nargv);
      file = interp;
      continue;
    }
    bool elf = n >= 20 && memcmp(head, ELFMAG, SELFMAG) == 0;
    uint16_t machine = 0;
    if (elf) memcpy(&machine, head + 18, 2);
    if (elf && find_arch(machine)) {
      // A new mimic: the guest argv[0] travels in MIMIC_USER_ARGV0 since argv[0] names mimic.
      const UserOptions& o = ctx.proc.options;
      std::vector<std::string> margv{"mimic", "user"};
      if (!o.sysroot.empty()) margv.insert(margv.end(), {"-L", o.sysroot});
      if (!o.cpu.empty()) margv.insert(margv.end(), {"-cpu", o.cpu});
      if (o.engine.log & tcg::LogFlag::kStrace) margv.push_back("-strace");
      if (o.engine.interpreter) margv.push_back("-interp");
      if (!o.engine.optimize) margv.push_back("-no-opt");
      if (o.engine.simple_codegen) margv.push_back("-simple-codegen");
      if (o.engine.tier2 != tcg::EngineOptions::Tier2::Off) {
        margv.insert(margv.end(), {"-tier2", o.engine.tier2 == tcg::EngineOptions::Tier2::Force ? "force" : "on",
                                   "-tier2-threshold", std::to_string(o.engine.tier2_threshold)});
      }
      margv.push_back("--");
      margv.push_back(host);  // resolved: "/proc/self/exe" would name the new mimic itself
      for (size_t i = 1; i < argv.size(); i++) margv.push_back(argv[i]);
      for (std::string& e : envp)
        if (e.rfind("LD_", 0) == 0) e.insert(0, kGuestLoaderVarPrefix);
      const size_t guest_env_size = envp.size();
      envp.push_back("MIMIC_USER_ARGV0=" + (argv.empty() ? file : argv[0]));
      if (o.sysroot_is_chroot) envp.push_back(std::string(kChrootVar) + "=" + o.sysroot);
      char mask_var[64];
      snprintf(mask_var, sizeof mask_var, "%s=%llx", kSigmaskVar, (unsigned long long)ctx.thread.signals.blocked);
      envp.push_back(mask_var);
      if (ctx.proc.arch->exec_env) ctx.proc.arch->exec_env(ctx.thread, envp);
      auto cargv = c_strings(margv);
      auto cenv = c_strings(envp);
      fflush(stderr);
      send_vfork_writes(ctx.proc);
      const uint64_t host_mask = requeue_signals_for_exec(ctx.thread);
      ::execve("/proc/self/exe", cargv.data(), cenv.data());
      const int self_errno = errno;
      if (self_errno == E2BIG || self_errno == ENOMEM) {
        restore_signals_after_failed_exec(host_mask);
        return -self_errno;
      }
      // No usable /proc: a chroot that did not mount it, or debootstrap's first stage, whose
      // /proc is a link to /proc (ELOOP inside the chroot). Hand the program to the kernel,
      // whose binfmt_misc entry (mimic binfmt install; its F flag works in chroots) starts
      // mimic again; an emulated chroot travels with it.
      envp.resize(guest_env_size);
      if (o.sysroot_is_chroot) envp.push_back(std::string(kChrootVar) + "=" + o.sysroot);
      envp.push_back(mask_var);
      if (ctx.proc.arch->exec_env) ctx.proc.arch->exec_env(ctx.thread, envp);
      auto gargv = c_strings(argv);
      auto genv = c_strings(envp);
      ::execve(host.c_str(), gargv.data(), genv.data());
      const int kernel_errno = errno;
      restore_signals_after_failed_exec(host_mask);
      if (kernel_errno == ENOEXEC) {
        fprintf(stderr,
                "mimic: cannot start %s: re-executing mimic through /proc/self/exe failed (%s) and no "
                "binfmt_misc entry runs it (mimic binfmt install)\n",
                file.c_str(), strerror(self_errno));
      }
      return -kernel_errno;
    }
    auto cargv = c_strings(argv);
    auto cenv = c_strings(envp);
    fflush(stderr);
    send_vfork_writes(ctx.proc);
    ::execve(host.c_str(), cargv.data(), cenv.data());
    return -errno;
  }
  return -ELOOP;
}

SYS(execve) {
  std::string guest_file;
  if (int64_t r = read_guest_string(ctx.mem, a[0], guest_file); r < 0) return r;
  return exec_file(ctx, guest_file, a[1], a[2]);
}

// execveat(dirfd, path, argv, envp, flags): the file named relative to dirfd, or dirfd itself
// with AT_EMPTY_PATH (fexecve), becomes a path and takes execve's route.
SYS(execveat) {
  const int dirfd = int(a[0]), flags = int(a[4]);
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return -EINVAL;
  std::string path;
  if (int64_t r = read_guest_string(ctx.mem, a[1], path); r < 0) return r;
  if (path.empty()) {
    if (!(flags & AT_EMPTY_PATH)) return -ENOENT;
    path = host_path_of_fd(dirfd);
    if (path.empty()) return -EBADF;
    // exec_file takes guest paths: in a chroot the descriptor's host path is seen from the root.
    if (ctx.proc.options.sysroot_is_chroot) path = ctx.mem.guest_visible(path);
  } else if (path[0] != '/' && dirfd != AT_FDCWD) {
    std::string dir = host_path_of_fd(dirfd);
    if (dir.empty()) return -EBADF;
    if (ctx.proc.options.sysroot_is_chroot) dir = ctx.mem.guest_visible(dir);
    path = dir + "/" + path;
  }
  if (flags & AT_SYMLINK_NOFOLLOW) {
    struct stat st;
    if (lstat(host_path_at(ctx.proc, AT_FDCWD, path, false).c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return -ELOOP;
  }
  return exec_file(ctx, path, a[2], a[3]);
}

SYS(wait4) {
  int status = 0;
  struct rusage ru;
  const int64_t r = safe_syscall(SYS_wait4, pid_t(a[0]), a[1] ? &status : nullptr, int(a[2]), a[3] ? &ru : nullptr);
  if (r < 0) return r;
  // W* status words and struct rusage are the same on the guest.
  if (a[1] && r > 0 && !put_guest(ctx.mem, a[1], status)) return -EFAULT;
  if (a[3] && !put_guest(ctx.mem, a[3], ru)) return -EFAULT;
  return r;
}
SYS(waitid) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  struct rusage ru;
  const int64_t r =
      safe_syscall(SYS_waitid, int(a[0]), id_t(a[1]), a[2] ? &si : nullptr, int(a[3]), a[4] ? &ru : nullptr);
  if (r < 0) return r;
  if (a[2] && !put_guest_siginfo(ctx, a[2], &si)) return -EFAULT;
  if (a[4] && !put_guest(ctx.mem, a[4], ru)) return -EFAULT;
  return r;
}
SYS(capget) {
  uint32_t hdr[2];
  if (!copy_from_guest(ctx.mem, hdr, a[0], 8)) return -EFAULT;
  uint32_t data[6];
  const uint32_t version = hdr[0];
  long r = syscall(SYS_capget, hdr, a[1] ? data : nullptr);
  const int e = errno;
  // A version the kernel does not know is answered with the one it prefers, written back into
  // the header: when that write faults the call is EFAULT, as in Linux.
  if (hdr[0] != version && !copy_to_guest(ctx.mem, a[0], hdr, 4)) return -EFAULT;
  if (r < 0) return -e;
  // A null data pointer is the version probe (libcap-ng's: setpriv's "activate capabilities:
  // Success" without it): the header written back above is the whole answer.
  if (!a[1]) return 0;
  unsigned n = hdr[0] == 0x19980330 ? 1 : 2;
  if (!copy_to_guest(ctx.mem, a[1], data, 12 * n)) return -EFAULT;
  return 0;
}

#undef SYS

constexpr SyscallDef kDefs[] = {
    {nr::k_exit, "exit", sys_exit, "d", 'n'},
    {nr::k_exit_group, "exit_group", sys_exit_group, "d", 'n'},
    {nr::k_getpid, "getpid", sys_getpid, "", 'd'},
    {nr::k_getppid, "getppid", sys_getppid, "", 'd'},
    {nr::k_gettid, "gettid", sys_gettid, "", 'd'},
    {nr::k_getuid, "getuid", sys_getuid, "", 'd'},
    {nr::k_geteuid, "geteuid", sys_geteuid, "", 'd'},
    {nr::k_getgid, "getgid", sys_getgid, "", 'd'},
    {nr::k_getegid, "getegid", sys_getegid, "", 'd'},
    {nr::k_setuid, "setuid", sys_setuid, "d", 'd'},
    {nr::k_setgid, "setgid", sys_setgid, "d", 'd'},
    {nr::k_setreuid, "setreuid", sys_setreuid, "dd", 'd'},
    {nr::k_setregid, "setregid", sys_setregid, "dd", 'd'},
    {nr::k_setresuid, "setresuid", sys_setresuid, "ddd", 'd'},
    {nr::k_setresgid, "setresgid", sys_setresgid, "ddd", 'd'},
    {nr::k_getresuid, "getresuid", sys_getresuid, "ppp", 'd'},
    {nr::k_getresgid, "getresgid", sys_getresgid, "ppp", 'd'},
    {nr::k_setfsuid, "setfsuid", sys_setfsuid, "d", 'd'},
    {nr::k_setfsgid, "setfsgid", sys_setfsgid, "d", 'd'},
    {nr::k_getgroups, "getgroups", sys_getgroups, "dp", 'd'},
    {nr::k_setgroups, "setgroups", sys_setgroups, "dp", 'd'},
    {nr::k_setpgid, "setpgid", sys_setpgid, "dd", 'd'},
    {nr::k_getpgid, "getpgid", sys_getpgid, "d", 'd'},
    {nr::k_getsid, "getsid", sys_getsid, "d", 'd'},
    {nr::k_setsid, "setsid", sys_setsid, "", 'd'},
    {nr::k_getpriority, "getpriority", sys_getpriority, "dd", 'd'},
    {nr::k_setpriority, "setpriority", sys_setpriority, "ddd", 'd'},
    {nr::k_uname, "uname", sys_uname, "p", 'd'},
    {nr::k_sysinfo, "sysinfo", sys_sysinfo, "p", 'd'},
    {nr::k_getrlimit, "getrlimit", sys_getrlimit, "dp", 'd'},
    {nr::k_setrlimit, "setrlimit", sys_setrlimit, "dp", 'd'},
    {nr::k_prlimit64, "prlimit64", sys_prlimit64, "ddpp", 'd'},
    {nr::k_getrusage, "getrusage", sys_getrusage, "dp", 'd'},
    {nr::k_times, "times", sys_times, "p", 'd'},
    {nr::k_personality, "personality", sys_personality, "x", 'x'},
    {nr::k_prctl, "prctl", sys_prctl, "dxxxx", 'd'},
    {nr::k_sched_getaffinity, "sched_getaffinity", sys_sched_getaffinity, "dup", 'd'},
    {nr::k_sched_setaffinity, "sched_setaffinity", sys_sched_setaffinity, "dup", 'd'},
    {nr::k_sched_yield, "sched_yield", sys_sched_yield, "", 'd'},
    {nr::k_sched_getscheduler, "sched_getscheduler", sys_sched_getscheduler, "d", 'd'},
    {nr::k_sched_getparam, "sched_getparam", sys_sched_getparam, "dp", 'd'},
    {nr::k_sched_setparam, "sched_setparam", sys_sched_setparam, "dp", 'd'},
    {nr::k_sched_setscheduler, "sched_setscheduler", sys_sched_setscheduler, "ddp", 'd'},
    {nr::k_sched_get_priority_max, "sched_get_priority_max", sys_sched_get_priority_max, "d", 'd'},
    {nr::k_sched_get_priority_min, "sched_get_priority_min", sys_sched_get_priority_min, "d", 'd'},
    {nr::k_getcpu, "getcpu", sys_getcpu, "ppp", 'd'},
    {nr::k_getrandom, "getrandom", sys_getrandom, "pux", 'd'},
    {nr::k_set_tid_address, "set_tid_address", sys_set_tid_address, "p", 'd'},
    {nr::k_set_robust_list, "set_robust_list", sys_set_robust_list, "pu", 'd'},
    {nr::k_rseq, "rseq", sys_rseq, "puxx", 'd'},
    {nr::k_seccomp, "seccomp", sys_no_sandbox, "uxp", 'd'},
    {nr::k_landlock_create_ruleset, "landlock_create_ruleset", sys_no_sandbox, "pux", 'd'},
    {nr::k_landlock_add_rule, "landlock_add_rule", sys_no_sandbox, "ddpx", 'd'},
    {nr::k_landlock_restrict_self, "landlock_restrict_self", sys_no_sandbox, "dx", 'd'},
    {nr::k_futex, "futex", sys_futex, "pxdppd", 'd'},
    {nr::k_clone, "clone", sys_clone, "xpppp", 'd'},
    {nr::k_clone3, "clone3", sys_clone3, "pu", 'd'},
    {nr::k_get_robust_list, "get_robust_list", sys_get_robust_list, "dpp", 'd'},
    {nr::k_execve, "execve", sys_execve, "spp", 'd'},
    {nr::k_execveat, "execveat", sys_execveat, "fsppx", 'd'},
    {nr::k_sched_rr_get_interval, "sched_rr_get_interval", sys_sched_rr_get_interval, "dp", 'd'},
    {nr::k_ioprio_get, "ioprio_get", sys_ioprio_get, "dd", 'd'},
    {nr::k_ioprio_set, "ioprio_set", sys_ioprio_set, "ddd", 'd'},
    {nr::k_pidfd_open, "pidfd_open", sys_pidfd_open, "dx", 'd'},
    {nr::k_pidfd_getfd, "pidfd_getfd", sys_pidfd_getfd, "ddx", 'd'},
    {nr::k_pidfd_send_signal, "pidfd_send_signal", sys_pidfd_send_signal, "dSpx", 'd'},
    {nr::k_wait4, "wait4", sys_wait4, "dpxp", 'd'},
    {nr::k_waitid, "waitid", sys_waitid, "ddpxp", 'd'},
    {nr::k_capget, "capget", sys_capget, "pp", 'd'},
};

}  // namespace

void register_process_syscalls(SyscallTable& t) { t.add_all(kDefs); }

}  // namespace mimic::linux_user
