// Guest signals: the host fault handler, async signal capture, dispositions, masks and delivery.
#include "linux-user/signal.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "linux-user/arch.h"
#include "linux-user/safe_syscall.h"
#include "linux-user/syscall.h"
#include "linux-user/user.h"
#include "tcg/exec/exec.h"

// The return path of host signal handlers installed with raw rt_sigaction (x86-64 requires
// SA_RESTORER); what glibc's own __restore_rt does.
extern "C" void mimic_rt_sigreturn_restorer();
asm(R"(
  .text
  .globl mimic_rt_sigreturn_restorer
  .type mimic_rt_sigreturn_restorer, @function
mimic_rt_sigreturn_restorer:
  mov $15, %rax
  syscall
  hlt
  .size mimic_rt_sigreturn_restorer, .-mimic_rt_sigreturn_restorer
)");

namespace mimic::linux_user {

namespace {

thread_local int t_fault_signal = SIGSEGV;
thread_local GuestThread* t_current_thread = nullptr;

bool is_fault_signal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}
// Host glibc keeps signals 32 and 33 for itself (SIGCANCEL, SIGSETXID): its sigaction,
// sigaddset, sigfillset and pthread_sigmask refuse or drop them. The guest's glibc needs the same
// two for pthread_cancel and for set*id in threaded programs, and mimic uses neither host feature
// (it cancels no host thread; its set*id calls are raw), so they are the guest's like any other
// realtime signal: dispositions and masks go through the raw system calls, with full 64-bit sets.
struct KernelSigaction {
  void* handler;
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};
constexpr unsigned long kSaRestorer = 0x04000000;

void raw_sigaction(int sig, void* handler, unsigned long flags) {
  KernelSigaction ka{handler, flags | kSaRestorer, mimic_rt_sigreturn_restorer, ~uint64_t(0)};
  syscall(SYS_rt_sigaction, sig, &ka, nullptr, 8);
}

bool default_ignored(int sig) { return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT; }
bool default_stops(int sig) { return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

void write_err(const char* s) { (void)!::write(2, s, strlen(s)); }

constexpr int kFirstRealtime = 32;

void drop_queued(SignalState& s, int sig) {
  int out = 0;
  for (int i = 0; i < s.rt_count; ++i)
    if (s.rt_queue[i].signo != sig) s.rt_queue[out++] = s.rt_queue[i];
  s.rt_count = out;
}

// The kernel picked this host thread because its mask (mirroring the guest thread's) lets the
// signal in: the guest thread running here gets it.
bool mark_pending(int sig, const siginfo_t* si) {
  Process* p = g_process;
  if (!p || sig < 1 || sig > kNumSignals) return false;
  GuestThread* t = t_current_thread ? t_current_thread : p->main_thread;
  if (!t) return false;
  SignalState& s = t->signals;
  if (sig < kFirstRealtime) {
    memcpy(static_cast<void*>(&s.info[sig]), si, sizeof(GuestSiginfo));
  } else {
    // Entries of a signal that is no longer pending were discarded (SIG_IGN): drop them first.
    if (!(s.pending.load() & sig_bit(sig))) drop_queued(s, sig);
    if (s.rt_count == SignalState::kRtQueue) return false;  // full: lost, as past RLIMIT_SIGPENDING
    memcpy(static_cast<void*>(&s.rt_queue[s.rt_count++]), si, sizeof(GuestSiginfo));
  }
  s.pending.fetch_or(sig_bit(sig));
  t->cpu().exit_request.store(1);
  return true;
}

// The siginfo of the next instance of `sig`, which is pending; clears its pending bit when no
// other instance is left. Host signals must be blocked (mark_pending writes the same state).
GuestSiginfo take_pending(SignalState& s, int sig) {
  if (sig < kFirstRealtime) {
    s.pending.fetch_and(~sig_bit(sig));
    return s.info[sig];
  }
  GuestSiginfo info;
  info.signo = sig;
  int left = 0;
  bool found = false;
  for (int i = 0, out = 0; i < s.rt_count; ++i) {
    if (!found && s.rt_queue[i].signo == sig) {
      info = s.rt_queue[i];
      found = true;
      continue;
    }
    left += s.rt_queue[i].signo == sig;
    s.rt_queue[out++] = s.rt_queue[i];
  }
  if (found) --s.rt_count;
  if (!left) s.pending.fetch_and(~sig_bit(sig));
  return info;
}

// Guest signals with a guest handler: remember them; the cpu loop delivers at the next exit.
// A thread about to enter a blocking call for the guest returns EINTR instead (safe_syscall.h).
void host_async_handler(int sig, siginfo_t* si, void* uc) {
  int saved = errno;
  if (mark_pending(sig, si)) safe_syscall_interrupt(static_cast<ucontext_t*>(uc));
  errno = saved;
}

[[noreturn]] void internal_fault(int sig, siginfo_t* si, const ucontext_t* uc) {
  char buf[256];
  snprintf(buf, sizeof buf, "mimic: internal error: host %s at host pc %#llx accessing %p\n", signal_name(sig),
           (unsigned long long)uc->uc_mcontext.gregs[REG_RIP], si->si_addr);
  write_err(buf);
  signal(SIGABRT, SIG_DFL);
  abort();
}

// SIGSEGV/SIGBUS (and SIGILL/SIGFPE/SIGTRAP): a guest access from translated code, the
// interpreter or a helper becomes kExitMemFault with the precise guest pc; anything else is a bug
// in mimic and aborts with one line.
void host_fault_handler(int sig, siginfo_t* si, void* ucv) {
  auto* uc = static_cast<ucontext_t*>(ucv);
  Process* p = g_process;
  if (si->si_code <= 0 && p) {  // sent by kill/tgkill, not a fault
    const GuestSigaction& act = p->sig_actions[sig];
    if (act.handler == kSigIgn) return;
    if (act.handler == kSigDfl) die_from_signal(sig);
    if (mark_pending(sig, si)) safe_syscall_interrupt(uc);
    return;
  }
  tcg::CpuBase* env = tcg::ExecEngine::current_cpu();
  if (p && p->mem && sig == SIGSEGV && (uc->uc_mcontext.gregs[REG_ERR] & 2)) {
    // A write to a page the guest may write is our self-modifying-code watch: drop the page's
    // translations, make it writable and retry the store. The block doing the store finishes
    // this pass as translated (as in qemu-user for non-x86 guests): restarting it at the store
    // would translate and watch the page again before the store could happen.
    const uintptr_t addr = uintptr_t(si->si_addr), base = uintptr_t(p->mem->base());
    if (addr >= base && addr - base < p->mem->size() && p->mem->unprotect_for_write(addr - base)) return;
  }
  if (p && p->engine && env && (sig == SIGSEGV || sig == SIGBUS)) {
    uintptr_t host_pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
    uintptr_t addr = uintptr_t(si->si_addr);
    uintptr_t base = uintptr_t(p->mem->base());
    // The guard reservations around the guest's space fault at the address the guest used.
    bool in_guest = (addr >= base && addr - base < p->mem->size()) || p->mem->in_guard(addr);
    auto gpc = p->engine->recover_fault_state(env, host_pc, uc);
    // A non-canonical guest address faults with si_addr 0 (general protection): still the guest's.
    bool gp = si->si_code == SI_KERNEL;
    if (gpc || tcg::ExecEngine::current_thread_interpreting() || in_guest ||
        (gp && p->engine->in_code_cache(host_pc))) {
      if (gpc) env->pc = *gpc;
      env->fault_addr = in_guest ? addr - base : uint64_t(addr - base);
      if (gp) env->fault_addr = 0;
      env->fault_write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
      t_fault_signal = sig;
      tcg::cpu_loop_exit_from_signal(env, tcg::kExitMemFault, uc);
    }
  }
  internal_fault(sig, si, uc);
}

// Host handlers run with every signal blocked (signals 32 and 33 included).
void install(int sig, void (*fn)(int, siginfo_t*, void*), int extra_flags) {
  raw_sigaction(sig, reinterpret_cast<void*>(fn), SA_SIGINFO | SA_ONSTACK | unsigned(extra_flags));
}

void set_host_disposition(int sig, const GuestSigaction& act) {
  if (is_fault_signal(sig) || sig == SIGKILL || sig == SIGSTOP) return;
  if (act.handler == kSigDfl) {
    raw_sigaction(sig, reinterpret_cast<void*>(SIG_DFL), 0);
  } else if (act.handler == kSigIgn) {
    raw_sigaction(sig, reinterpret_cast<void*>(SIG_IGN), 0);
  } else {
    // No SA_RESTART: a blocking host call returns EINTR, so the guest handler runs promptly and
    // the cpu loop restarts the guest's call itself when the guest asked for SA_RESTART.
    install(sig, host_async_handler, int(act.flags & (GuestSa::kNoCldStop | GuestSa::kNoCldWait)));
  }
}

}  // namespace

int last_fault_signal() { return t_fault_signal; }
GuestThread* current_thread() { return t_current_thread; }
void set_current_thread(GuestThread* thread) { t_current_thread = thread; }

const char* signal_name(int sig) {
  static const char* const kNames[] = {"0",        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP",   "SIGABRT",
                                       "SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE",
                                       "SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",   "SIGTSTP",
                                       "SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
                                       "SIGWINCH", "SIGIO",   "SIGPWR",    "SIGSYS"};
  if (sig >= 0 && sig < int(sizeof kNames / sizeof kNames[0])) return kNames[sig];
  static thread_local char buf[16];
  snprintf(buf, sizeof buf, "SIG%d", sig);
  return buf;
}

namespace {
constexpr size_t kAltStackSize = 256 * 1024;
// Mapped rather than allocated: no malloc lock on a thread's first steps, and the pages go back
// to the kernel at the thread's end.
thread_local void* t_alt_stack = nullptr;
}  // namespace

void thread_signals_init() {
  if (t_alt_stack) return;
  void* p = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return;  // the handlers then run on the thread's stack
  t_alt_stack = p;
  stack_t ss = {};
  ss.ss_sp = p;
  ss.ss_size = kAltStackSize;
  sigaltstack(&ss, nullptr);
}

void thread_signals_release() {
  if (!t_alt_stack) return;
  stack_t ss = {};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  munmap(t_alt_stack, kAltStackSize);
  t_alt_stack = nullptr;
}

static void* do_nothing(void*) { return nullptr; }

void signals_init(Process& proc) {
  thread_signals_init();
  // The host glibc installs its own handler for signal 33 (SIGSETXID) when the process creates its
  // first thread; let that happen now, before the guest can own the signal, rather than at the
  // guest's first pthread_create (which would replace the guest's handler with glibc's).
  pthread_t first;
  if (pthread_create(&first, nullptr, do_nothing, nullptr) == 0) pthread_join(first, nullptr);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) install(sig, host_fault_handler, SA_NODEFER);
  // The guest starts with the dispositions mimic inherited (SIG_IGN survives exec, as in Linux).
  for (int sig = 1; sig <= kNumSignals; sig++) {
    if (is_fault_signal(sig) || sig == SIGKILL || sig == SIGSTOP) continue;
    KernelSigaction old{};
    if (syscall(SYS_rt_sigaction, sig, nullptr, &old, 8) == 0 && old.handler == reinterpret_cast<void*>(SIG_IGN))
      proc.sig_actions[sig].handler = kSigIgn;
  }
}

uint64_t host_mask_as_guest() {
  uint64_t cur = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, nullptr, &cur, 8);
  return cur;
}

uint64_t requeue_signals_for_exec(GuestThread& thread) {
  uint64_t saved = 0;
  set_host_mask(~uint64_t(0), &saved);  // mark_pending cannot run from here on
  SignalState& s = thread.signals;
  const pid_t pid = getpid(), tid = pid_t(syscall(SYS_gettid));
  auto requeue = [&](int sig, const GuestSiginfo& info) {
    siginfo_t si;
    memcpy(&si, &info, sizeof si);  // GuestSiginfo is the host's layout (mark_pending copied it)
    si.si_signo = sig;
    // The kernel takes a siginfo with si_code >= 0 (kill's SI_USER, a child's CLD_*) only from the
    // thread whose id is the pid: elsewhere the signal goes back as from tgkill.
    if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, sig, &si) != 0) syscall(SYS_tgkill, pid, tid, sig);
  };
  const uint64_t pending = s.pending.load();
  for (int sig = 1; sig < kFirstRealtime; sig++)
    if ((pending & sig_bit(sig)) && !is_fault_signal(sig)) requeue(sig, s.info[sig]);
  for (int i = 0; i < s.rt_count; i++) requeue(s.rt_queue[i].signo, s.rt_queue[i]);
  s.rt_count = 0;
  s.pending.store(0);
  return saved;
}

void restore_signals_after_failed_exec(uint64_t saved_host_mask) { set_host_mask(saved_host_mask, nullptr); }

uint64_t inherited_guest_mask() {
  if (const char* v = getenv(kSigmaskVar)) return strtoull(v, nullptr, 16);
  return host_mask_as_guest();
}

uint64_t host_mask_for_guest(uint64_t mask) {
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP}) mask &= ~sig_bit(sig);
  return mask;
}

sigset_t host_sigset_for_guest_mask(uint64_t mask) {
  sigset_t s;
  memset(&s, 0, sizeof s);
  const uint64_t bits = host_mask_for_guest(mask);
  memcpy(&s, &bits, sizeof bits);  // the kernel's 64-bit set is the first word of glibc's sigset_t
  return s;
}

void set_host_mask(uint64_t mask, uint64_t* old) { syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, old, 8); }

void set_guest_mask(GuestThread& thread, uint64_t mask) {
  mask &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
  thread.signals.blocked = mask;
  set_host_mask(host_mask_for_guest(mask), nullptr);
}

void begin_temp_mask(GuestThread& thread, uint64_t mask) {
  SignalState& s = thread.signals;
  s.suspend_mask = s.blocked;
  s.have_suspend_mask = true;
  s.blocked = mask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
}

void end_temp_mask(GuestThread& thread, bool interrupted) {
  SignalState& s = thread.signals;
  if (!s.have_suspend_mask) return;
  if (interrupted && (s.pending.load() & ~s.blocked)) return;  // delivery restores it
  s.have_suspend_mask = false;
  set_guest_mask(thread, s.suspend_mask);
}

int64_t set_guest_sigaction(Process& proc, int sig, const GuestSigaction* act, GuestSigaction* old) {
  if (sig < 1 || sig > kNumSignals) return -EINVAL;
  if (act && (sig == SIGKILL || sig == SIGSTOP)) return -EINVAL;
  if (old) *old = proc.sig_actions[sig];
  if (act) {
    proc.sig_actions[sig] = *act;
    set_host_disposition(sig, *act);
    // Setting SIG_IGN discards a pending instance (in every thread), as POSIX requires.
    if (act->handler == kSigIgn || (act->handler == kSigDfl && default_ignored(sig))) {
      std::lock_guard lock(proc.threads_mutex);
      for (GuestThread* t : proc.threads) t->signals.pending.fetch_and(~sig_bit(sig));
    }
  }
  return 0;
}

void die_from_signal(int sig) {
  fflush(stdout);
  fflush(stderr);
  if (g_process && g_process->debugger) g_process->debugger->on_exit(0, sig);
  // Like qemu-user: the status says "killed by sig" but mimic's own memory is no core file.
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  raw_sigaction(sig, reinterpret_cast<void*>(SIG_DFL), 0);
  const uint64_t bit = sig_bit(sig);
  syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &bit, nullptr, 8);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
  // Signals whose default is to stop or be ignored come back here.
  _exit(128 + sig);
}

namespace {

// Runs the default action of `sig` for the guest (its disposition is SIG_DFL).
void default_action(int sig) {
  if (default_ignored(sig)) return;
  if (default_stops(sig)) {
    kill(getpid(), SIGSTOP);
    return;
  }
  die_from_signal(sig);
}

void deliver(Process& proc, GuestThread& thread, int sig, const GuestSiginfo& info) {
  SignalState& s = thread.signals;
  GuestSigaction act = proc.sig_actions[sig];
  if (act.handler == kSigIgn) return;
  if (act.handler == kSigDfl) {
    default_action(sig);
    return;
  }
  uint64_t saved = s.have_suspend_mask ? s.suspend_mask : s.blocked;
  s.have_suspend_mask = false;
  if (!thread.setup_signal_frame(sig, act, info, saved)) {
    // Linux kills the process with SIGSEGV when the frame cannot be written.
    die_from_signal(SIGSEGV);
  }
  uint64_t nb = s.blocked | act.mask;
  if (!(act.flags & GuestSa::kNoDefer)) nb |= sig_bit(sig);
  if (act.flags & GuestSa::kResetHand) {
    GuestSigaction dfl;
    set_guest_sigaction(proc, sig, &dfl, nullptr);
  }
  set_guest_mask(thread, nb);
}

}  // namespace

void process_pending_signals(Process& proc, GuestThread& thread) {
  SignalState& s = thread.signals;
  for (;;) {
    uint64_t ready = s.pending.load() & ~s.blocked;
    if (!ready) break;
    int sig = __builtin_ctzll(ready) + 1;
    // Synchronous signals first, as Linux dequeues them.
    for (int f : {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE})
      if (ready & sig_bit(f)) sig = f;
    uint64_t old;
    set_host_mask(~uint64_t(0), &old);
    const GuestSiginfo info = take_pending(s, sig);
    set_host_mask(old, nullptr);
    if (proc.debugger && !(sig = proc.debugger->on_signal(thread, sig))) continue;  // gdb dropped it
    // Each delivery stacks a frame on the previous one, as Linux does when several signals are
    // deliverable at once: the last one set up runs first.
    deliver(proc, thread, sig, info);
  }
  if (s.have_suspend_mask) {  // an interrupted temporary mask with nothing left to deliver
    s.have_suspend_mask = false;
    set_guest_mask(thread, s.suspend_mask);
  }
}

bool should_restart_syscall(Process& proc, GuestThread& thread) {
  SignalState& s = thread.signals;
  uint64_t ready = s.pending.load() & ~s.blocked;
  if (!ready) return true;
  int sig = __builtin_ctzll(ready) + 1;
  const GuestSigaction& act = proc.sig_actions[sig];
  if (act.handler == kSigDfl || act.handler == kSigIgn) return true;
  return (act.flags & GuestSa::kRestart) != 0;
}

void deliver_sync_signal(Process& proc, GuestThread& thread, int sig, int code, uint64_t addr) {
  if (proc.debugger && !(sig = proc.debugger->on_signal(thread, sig))) return;  // gdb dropped it
  GuestSiginfo info;
  info.signo = sig;
  info.code = code;
  memcpy(info.fields, &addr, 8);  // si_addr
  const GuestSigaction& act = proc.sig_actions[sig];
  bool blocked = (thread.signals.blocked & sig_bit(sig)) != 0;
  if (act.handler != kSigDfl && act.handler != kSigIgn && !blocked) {
    deliver(proc, thread, sig, info);
    return;
  }
  // No handler (or blocked/ignored, which Linux overrides for faults): one clear line, then die.
  uint64_t pc = thread.cpu().pc;
  std::string line = std::string("mimic: ") + (proc.arch ? proc.arch->name : "guest") + " guest " + signal_name(sig);
  char buf[64];
  snprintf(buf, sizeof buf, " at pc 0x%llx", (unsigned long long)pc);
  line += buf;
  std::string insn = thread.describe_insn(pc);
  if (!insn.empty()) line += ": " + insn;
  std::string sym = symbolize(proc.symbols, pc);
  if (!sym.empty()) line += " in " + sym;
  if (sig == SIGSEGV || sig == SIGBUS) {
    snprintf(buf, sizeof buf, ", accessing 0x%llx", (unsigned long long)addr);
    line += buf;
  }
  line += "\n";
  fflush(stdout);
  write_err(line.c_str());
  die_from_signal(sig);
}

int64_t do_rt_sigreturn(Process& proc, GuestThread& thread) {
  uint64_t mask = 0;
  if (!thread.restore_signal_frame(&mask)) {
    deliver_sync_signal(proc, thread, SIGSEGV, 0x80 /*SI_KERNEL*/, 0);
    return kSysNoResult;
  }
  set_guest_mask(thread, mask);
  return kSysNoResult;
}

uint64_t signal_frame_top(const SignalState& s, uint64_t sp, const GuestSigaction& act, uint64_t saved_mask,
                          GuestUcontextHead& head) {
  const bool on_alt = s.altstack_size && sp - s.altstack_sp < s.altstack_size;
  head.ss_sp = s.altstack_sp;
  head.ss_flags = s.altstack_size ? (on_alt ? 1 /*SS_ONSTACK*/ : 0) : 2 /*SS_DISABLE*/;
  head.ss_size = s.altstack_size;
  head.uc_sigmask = saved_mask;
  if ((act.flags & GuestSa::kOnStack) && s.altstack_size && !on_alt) return s.altstack_sp + s.altstack_size;
  return sp;
}

}  // namespace mimic::linux_user
