// Guest threads on host threads (see thread.h).
#include "linux-user/thread.h"

#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>

#include "linux-user/arch.h"
#include "linux-user/signal.h"
#include "linux-user/uaccess.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user {

namespace {

constexpr uint64_t kCloneSettls = 0x80000, kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000,
                   kCloneChildSettid = 0x1000000;

struct StartInfo {
  Process* proc;
  std::unique_ptr<GuestThread> thread;
  uint64_t flags, ptid, ctid;
  std::atomic<int> tid{0};  // published by the child once it knows its id
};

void futex_wake(Process& proc, uint64_t addr, int n) {
  syscall(SYS_futex, proc.mem->host(addr), FUTEX_WAKE, n, nullptr, nullptr, 0);
}

void* thread_main(void* arg) {
  set_host_mask(~uint64_t(0), nullptr);  // glibc starts the thread with SIGCANCEL (32) unblocked
  auto* info = static_cast<StartInfo*>(arg);
  Process& proc = *info->proc;
  std::unique_ptr<GuestThread> owned = std::move(info->thread);
  GuestThread& t = *owned;
  t.tid = int(syscall(SYS_gettid));
  // Both words are written before the child runs guest code (and before clone returns in the
  // parent): glibc's pthread_join waits for the kernel to clear the same word at thread exit.
  if (info->flags & kCloneParentSettid) put_guest(*proc.mem, info->ptid, t.tid);
  if (info->flags & kCloneChildSettid) put_guest(*proc.mem, info->ctid, t.tid);
  info->tid.store(t.tid);
  info->tid.notify_one();  // `info` belongs to the parent from here on

  thread_signals_init();
  {
    ThreadBinding binding(proc, t);
    set_guest_mask(t, t.signals.blocked);  // the host mask was all-blocked until now
    t.run_loop();
    if (proc.exited.load()) exit_process(proc.exit_status);  // exit_group from this thread
    release_thread_resources(proc, t);
  }
  thread_signals_release();
  if (proc.live_threads.fetch_sub(1) == 1) exit_process(t.exit_code);  // the last thread
  return nullptr;
}

}  // namespace

ThreadBinding::ThreadBinding(Process& proc, GuestThread& thread) : proc_(proc), thread_(thread) {
  set_current_thread(&thread);
  if (!thread.tid) thread.tid = int(syscall(SYS_gettid));
  std::lock_guard lock(proc.threads_mutex);
  proc.threads.push_back(&thread);
}

ThreadBinding::~ThreadBinding() {
  {
    std::lock_guard lock(proc_.threads_mutex);
    std::erase(proc_.threads, &thread_);
  }
  if (proc_.engine) proc_.engine->unregister_cpu(&thread_.cpu());
  set_current_thread(nullptr);
}

int64_t spawn_guest_thread(Process& proc, GuestThread& parent, uint64_t flags, uint64_t newsp, uint64_t ptid,
                           uint64_t tls, uint64_t ctid) {
  StartInfo info{&proc, parent.clone_thread(), flags, ptid, ctid};
  GuestThread& child = *info.thread;
  child.set_return_value(0);
  if (newsp) child.set_sp(newsp);
  if (flags & kCloneSettls) child.set_tls(tls);
  child.clear_child_tid = (flags & kCloneChildCleartid) ? ctid : 0;
  child.signals.blocked = parent.signals.blocked;  // the alternate stack is not inherited

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 8 << 20);
  // The child starts with every signal blocked and takes its guest mask once it is bound.
  uint64_t old;
  set_host_mask(~uint64_t(0), &old);
  proc.live_threads.fetch_add(1);
  pthread_t handle;
  int err = pthread_create(&handle, &attr, thread_main, &info);
  set_host_mask(old, nullptr);
  pthread_attr_destroy(&attr);
  if (err) {
    proc.live_threads.fetch_sub(1);
    return -err;
  }
  info.tid.wait(0);
  return info.tid.load();
}

void release_thread_resources(Process& proc, GuestThread& thread) {
  // struct robust_list_head { robust_list* list; long futex_offset; robust_list* list_op_pending; }
  // in the guest's words.
  const unsigned wb = proc.arch ? proc.arch->word_bytes : 8;
  if (uint64_t head = thread.robust_list) {
    uint64_t words[3];
    if (get_guest_words(*proc.mem, head, words, 3, wb)) {
      const int64_t offset = wb == 4 ? int64_t(int32_t(words[1])) : int64_t(words[1]);
      auto release = [&](uint64_t entry) {
        uint64_t uaddr = (entry & ~uint64_t(1)) + uint64_t(offset);
        if (wb == 4) uaddr &= 0xffffffffu;
        uint32_t v;
        if (!get_guest(*proc.mem, uaddr, v) || (v & FUTEX_TID_MASK) != uint32_t(thread.tid)) return;
        const uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        auto* word = reinterpret_cast<std::atomic<uint32_t>*>(proc.mem->host(uaddr));
        if (word->compare_exchange_strong(v, nv) && (v & FUTEX_WAITERS)) futex_wake(proc, uaddr, 1);
      };
      uint64_t entry = words[0];
      for (int n = 0; entry != head && n < 2048; n++) {  // ROBUST_LIST_LIMIT: a corrupt list ends
        uint64_t next;
        if (!get_guest_words(*proc.mem, entry & ~uint64_t(1), &next, 1, wb)) break;
        if ((entry & ~uint64_t(1)) != words[2]) release(entry);
        entry = next;
      }
      if (words[2]) release(words[2]);
    }
  }
  if (uint64_t tid_addr = thread.clear_child_tid) {
    if (put_guest(*proc.mem, tid_addr, uint32_t(0))) futex_wake(proc, tid_addr, 1);
  }
}

void exit_process(int status) {
  if (g_process && g_process->engine) g_process->engine->report_stats();
  fflush(nullptr);
  if (g_process && g_process->debugger) g_process->debugger->on_exit(status, 0);
  syscall(SYS_exit_group, status & 0xff);
  __builtin_unreachable();
}

}  // namespace mimic::linux_user
