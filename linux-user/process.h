// Process and GuestThread: the state of the one guest process this mimic runs.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "linux-user/debug.h"
#include "linux-user/elfload.h"
#include "linux-user/mmap.h"
#include "linux-user/user.h"
#include "linux-user/vfork.h"
#include "tcg/exec/cpu_base.h"

namespace mimic::tcg {
class ExecEngine;
}

namespace mimic::linux_user {

struct ArchInfo;

constexpr int kNumSignals = 64;  // guest signals 1..64

// The kernel's struct sigaction as the guest passes it, normalized (restorer 0 when the arch has none).
struct GuestSigaction {
  uint64_t handler = 0;  // SIG_DFL 0, SIG_IGN 1, or a guest address
  uint64_t flags = 0;
  uint64_t restorer = 0;
  uint64_t mask = 0;
};
constexpr uint64_t kSigDfl = 0, kSigIgn = 1;
// SA_* values (asm-generic, the same as the host's).
namespace GuestSa {
enum : uint64_t {
  kNoCldStop = 1,
  kNoCldWait = 2,
  kSigInfo = 4,
  kRestorer = 0x04000000,  // sa_restorer is the return address (arches with sa_restorer)
  kOnStack = 0x08000000,
  kRestart = 0x10000000,
  kNoDefer = 0x40000000,
  kResetHand = 0x80000000,
};
}

// A guest siginfo: 128 bytes whose layout on 64-bit asm-generic targets matches the host's.
struct GuestSiginfo {
  int32_t signo = 0, err = 0, code = 0, pad = 0;
  uint8_t fields[112] = {};  // union: si_addr / si_pid,si_uid / si_status ... at offset 16
};
static_assert(sizeof(GuestSiginfo) == 128);

// A thread's signal state: mask, pending signals, alternate stack (Linux keeps them per thread;
// the dispositions are the process's, in Process::sig_actions).
struct SignalState {
  uint64_t blocked = 0;                // guest mask, bit (sig - 1)
  std::atomic<uint64_t> pending{0};    // bit (sig - 1), set by host handlers and the cpu loop
  GuestSiginfo info[kNumSignals + 1];  // of each pending standard signal (1..31)
  // Realtime signals (32..64) are queued, not merged: every instance with its own siginfo, in
  // arrival order. Written by the host signal handler on this thread, read by the cpu loop with
  // host signals blocked. Linux bounds the queue by RLIMIT_SIGPENDING; this one holds kRtQueue.
  static constexpr int kRtQueue = 64;
  GuestSiginfo rt_queue[kRtQueue];
  int rt_count = 0;
  uint64_t altstack_sp = 0, altstack_size = 0;
  int altstack_flags = 2;          // SS_DISABLE
  bool have_suspend_mask = false;  // rt_sigsuspend: the mask to restore after the handler
  uint64_t suspend_mask = 0;
};

// The arch-neutral view of one guest thread (its CPU, registers and signal state) that syscalls
// and signal delivery use. The arch folder implements it around its CPU state struct and lays out
// its signal frames. Each guest thread runs on its own host thread.
class GuestThread {
 public:
  virtual ~GuestThread() = default;
  virtual tcg::CpuBase& cpu() = 0;
  virtual uint64_t sp() const = 0;
  virtual void set_sp(uint64_t sp) = 0;
  virtual void set_tls(uint64_t tls) = 0;
  virtual void set_return_value(uint64_t v) = 0;
  // Pushes a signal frame for a handler and points the CPU at it. False when the frame cannot be
  // written (the caller then kills the process with SIGSEGV, as Linux does).
  virtual bool setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info,
                                  uint64_t saved_mask) = 0;
  // rt_sigreturn: restores registers and the signal mask from the frame at sp. False on a bad frame.
  virtual bool restore_signal_frame(uint64_t* mask) = 0;
  // The raw bytes and disassembly of the instruction at pc for fatal-signal messages.
  virtual std::string describe_insn(uint64_t pc) = 0;
  // A new thread of the same architecture whose registers are a copy of this one's (clone).
  virtual std::unique_ptr<GuestThread> clone_thread() = 0;
  // Runs this thread's cpu loop on the calling host thread until the thread or the process exits.
  virtual void run_loop() = 0;

  SignalState signals;
  uint64_t clear_child_tid = 0;  // CLONE_CHILD_CLEARTID / set_tid_address
  uint64_t robust_list = 0;      // set_robust_list head (walked when the thread exits)
  int tid = 0;                   // host (= guest) thread id
  bool exited = false;           // exit(2) of this thread only
  int exit_code = 0;
};

struct Process {
  const ArchInfo* arch = nullptr;
  UserOptions options;
  std::unique_ptr<GuestMemory> mem;
  tcg::ExecEngine* engine = nullptr;   // owned by the arch's run(), shared by every thread
  Debugger* debugger = nullptr;        // the gdb stub when one is attached (-g PORT)
  GuestThread* main_thread = nullptr;  // the initial thread (signals that arrive outside any)
  std::atomic<int> live_threads{1};
  std::mutex threads_mutex;           // guards `threads`
  std::vector<GuestThread*> threads;  // every live guest thread
  std::string exe_path;               // host path of the guest program (/proc/self/exe)
  std::string exe_guest_path;         // as the guest named it
  std::vector<ElfSymbol> symbols;
  std::vector<uint64_t> auxv;  // flat key/value words for /proc/self/auxv
  uint64_t stack_top = 0, stack_bottom = 0;
  // What /proc/<pid>/stat reports from the kernel's mm_struct, as the guest's kernel would.
  struct {
    uint64_t start_code, end_code, start_data, end_data, start_stack, arg_start, arg_end, env_start, env_end;
  } layout{};
  uint64_t sigreturn_trampoline = 0;            // guest address of `li a7, 139; ecall` (or the arch's)
  GuestSigaction sig_actions[kNumSignals + 1];  // dispositions, shared by all threads
  bool strace = false;
  // In the child of a vfork (CLONE_VM|CLONE_VFORK, posix_spawn): the pipe to the waiting parent,
  // which takes the pages the child wrote when it execs or exits (see do_clone).
  int vfork_pipe = -1;
  uint64_t vfork_pipe_inode = 0;
  std::vector<VforkMapOp> vfork_map_ops;  // the child's own mapping calls (linux-user/vfork.h)
  size_t vfork_map_ops_sent = 0;
  std::atomic<bool> exited{false};  // exit_group (or the last thread's exit)
  int exit_status = 0;
};

// The process this mimic runs (one per host process; signal handlers reach it here).
extern Process* g_process;

}  // namespace mimic::linux_user
