// Architecture-independent pieces of the cpu loops (see cpu_loop.h).
#include "linux-user/cpu_loop.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "linux-user/generic/syscall_nr.h"
#include "linux-user/mmap.h"
#include "linux-user/signal.h"
#include "linux-user/syscall.h"
#include "linux-user/thread.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user {

namespace {

// Calls Linux never restarts after a handler ran (they return EINTR): the sleeps and the waits
// with a temporary signal mask or a timeout.
// By name, so that every ABI's numbering (and its time64 variants) is covered.
bool never_restarts(uint64_t nr) {
  static constexpr std::string_view kNames[] = {"ppoll",
                                                "ppoll_time64",
                                                "pselect6",
                                                "pselect6_time64",
                                                "epoll_pwait",
                                                "epoll_pwait2",
                                                "epoll_wait",
                                                "rt_sigsuspend",
                                                "rt_sigtimedwait",
                                                "rt_sigtimedwait_time64",
                                                "nanosleep",
                                                "clock_nanosleep",
                                                "clock_nanosleep_time64",
                                                "io_getevents",
                                                "io_pgetevents",
                                                "poll",
                                                "pause",
                                                "sigsuspend",
                                                "select",
                                                "_newselect"};
  const char* name = syscall_name(nr);
  if (!name) return false;
  for (std::string_view n : kNames)
    if (n == name) return true;
  return false;
}

// The calls the exit hook runs: they read and write guest memory and host file descriptors only
// (no change to the memory map, the signal state, the threads or the registers other than the
// result), so translated code can go on after them. By name, as never_restarts; filled once by
// install_syscall_hook, before any thread runs guest code through the hook.
bool g_runs_in_place[kSyscallTableSize];

void fill_runs_in_place() {
  static constexpr std::string_view kNames[] = {
      "read",         "write",       "readv",           "writev",     "pread64",     "pwrite64",      "preadv",
      "pwritev",      "lseek",       "openat",          "close",      "fstat",       "newfstatat",    "statx",
      "faccessat",    "faccessat2",  "readlinkat",      "getdents64", "getcwd",      "fcntl",         "dup",
      "dup3",         "pipe2",       "ioctl",           "getpid",     "getppid",     "gettid",        "getuid",
      "geteuid",      "getgid",      "getegid",         "getpgid",    "getsid",      "clock_gettime", "clock_getres",
      "gettimeofday", "nanosleep",   "clock_nanosleep", "getrandom",  "sched_yield", "futex",         "ppoll",
      "pselect6",     "epoll_pwait", "epoll_ctl",       "uname",      "umask",       "getrusage",     "sendto",
      "recvfrom",     "sendmsg",     "recvmsg"};
  for (uint64_t nr = 0; nr < kSyscallTableSize; ++nr) {
    const char* name = syscall_name(nr);
    if (!name) continue;
    for (std::string_view n : kNames)
      if (n == name) g_runs_in_place[nr] = true;
  }
}

}  // namespace

EngineBinding::EngineBinding(Process& proc, tcg::ExecEngine& engine) : proc_(proc) {
  proc.engine = &engine;
  proc.mem->set_invalidate_hook([&engine](uint64_t s, uint64_t e) { engine.invalidate_range(s, e); });
  // The write watch for self-modifying code without cache maintenance (docs/linux-user.md);
  // MIMIC_SMC_WATCH=0 turns it off (code changes are then seen through mprotect, munmap and the
  // architectures' instruction-cache maintenance only).
  const char* w = getenv("MIMIC_SMC_WATCH");
  if (!w || strcmp(w, "0") != 0) {
    GuestMemory* mem = proc.mem.get();
    engine.set_code_read_hook([mem](uint64_t s, uint64_t e) { mem->protect_code(s, e); });
    mem->set_code_watch(true);
  }
}
EngineBinding::~EngineBinding() {
  proc_.mem->set_invalidate_hook(nullptr);
  proc_.mem->set_code_watch(false);
  proc_.engine = nullptr;
}

int run_initial_thread(Process& proc, tcg::ExecEngine& engine, GuestThread& thread) {
  EngineBinding engine_binding(proc, engine);
  proc.main_thread = &thread;
  ThreadBinding binding(proc, thread);
  set_guest_mask(thread, inherited_guest_mask());  // the mask mimic inherited
  thread.run_loop();
  // exit_group ends every thread at once, as in the kernel. Returning from main instead would
  // free the code cache and run static destructors under threads still running guest code
  // (xz -T2 died by SIGABRT about once in 30 runs that way).
  if (proc.exited.load()) exit_process(proc.exit_status);
  // exit(2) of the initial thread alone
  release_thread_resources(proc, thread);
  if (proc.live_threads.fetch_sub(1) == 1) exit_process(thread.exit_code);
  syscall(SYS_exit, 0);  // this host thread only; the others keep the process
  __builtin_unreachable();
}

SyscallOutcome run_guest_syscall(Process& proc, GuestThread& thread, uint64_t nr, const uint64_t args[6],
                                 int64_t& result) {
  int64_t r = do_syscall(proc, thread, nr, args);
  if (proc.exited.load() || thread.exited) return SyscallOutcome::kExited;
  if (r == kSysNoResult) return SyscallOutcome::kNoResult;
  if ((r == -EINTR && !never_restarts(nr) && should_restart_syscall(proc, thread)) || r == kSysRestart)
    return SyscallOutcome::kRestart;  // runs again after the handler returns
  result = r;
  return SyscallOutcome::kReturn;
}

InPlace run_syscall_in_place(uint64_t nr, const uint64_t args[6], int64_t& result) {
  Process* proc = g_process;
  GuestThread* thread = current_thread();
  if (nr >= kSyscallTableSize || !g_runs_in_place[nr] || !proc || !thread || proc->debugger) return InPlace::kNotRun;
  // Out of translated code while the call may block: a flush by another thread must not wait.
  tcg::ExecEngine::leave_translated_code();
  SyscallOutcome outcome;
  try {
    outcome = run_guest_syscall(*proc, *thread, nr, args, result);
  } catch (...) {
    // Nothing may unwind through translated code: the loop runs the call again and reports it.
    tcg::ExecEngine::reenter_translated_code();
    return InPlace::kNotRun;
  }
  tcg::ExecEngine::reenter_translated_code();
  switch (outcome) {
    case SyscallOutcome::kReturn: return InPlace::kReturned;
    case SyscallOutcome::kRestart: return InPlace::kRestart;
    case SyscallOutcome::kNoResult:
    case SyscallOutcome::kExited: break;
  }
  // None of these calls ends a thread or sets registers itself: only another thread's exit_group
  // gets here, and the process ends as the loop would end it.
  if (proc->exited.load()) exit_process(proc->exit_status);
  fprintf(stderr, "mimic: internal error: system call %llu run in place ended its thread\n", (unsigned long long)nr);
  abort();
}

bool continue_after_syscall(tcg::CpuBase& env, InPlace how) {
  if (how == InPlace::kNotRun) return false;
  GuestThread* thread = current_thread();
  if (how == InPlace::kRestart || thread->signals.pending.load() || env.exit_request.load(std::memory_order_relaxed)) {
    env.exit_reason = tcg::kExitInterrupt;
    return false;
  }
  return true;
}

void install_syscall_hook(tcg::CpuBase& env, uint32_t reason, bool (*hook)(tcg::CpuBase*)) {
  static const bool enabled = [] {
    const char* v = getenv("MIMIC_SYSCALL_IN_PLACE");
    return !v || strcmp(v, "0") != 0;
  }();
  if (!enabled) return;
  static std::once_flag filled;
  std::call_once(filled, fill_runs_in_place);
  env.exit_hook = reinterpret_cast<uint64_t>(hook);
  env.exit_hook_reason = reason;
}

void deliver_segv(Process& proc, GuestThread& thread, uint64_t addr) {
  int code = (proc.mem->page_flags(addr) & PageFlag::kValid) ? 2 /*SEGV_ACCERR*/ : 1 /*SEGV_MAPERR*/;
  deliver_sync_signal(proc, thread, SIGSEGV, code, addr);
}

void deliver_mem_fault(Process& proc, GuestThread& thread, uint64_t addr) {
  // Beyond the guest's space only the limit checks fault, never the host with SIGBUS.
  if (addr < proc.mem->size() && last_fault_signal() == SIGBUS)
    deliver_sync_signal(proc, thread, SIGBUS, 2 /*BUS_ADRERR*/, addr);
  else
    deliver_segv(proc, thread, addr);
}

}  // namespace mimic::linux_user
