// The hooks through which a debugger (the gdb stub, frontends/gdbstub_user.cpp) sees and stops
// the guest's threads; Process::debugger is null when none is attached.
#pragma once

#include <cstdint>

namespace mimic::linux_user {

class GuestThread;

class Debugger {
 public:
  virtual ~Debugger() = default;
  // Before every engine.run() of `thread`: parks the thread while the debugger holds it stopped
  // and sets its single-step flag.
  virtual void before_run(GuestThread& thread) = 0;
  // After engine.run() returned `reason` and the cpu loop handled it (tcg::kExitDebug included:
  // a breakpoint or a finished single step; a system call completes a step too).
  virtual void after_exit(GuestThread& thread, uint32_t reason) = 0;
  // A signal is about to be delivered to `thread` (to its handler or its default action): the
  // debugger reports it and returns the signal to deliver instead (0: none).
  virtual int on_signal(GuestThread& thread, int sig) = 0;
  // The process ends: exit status, or the signal that kills it (then status is unused).
  virtual void on_exit(int status, int signal) = 0;
  // In the child of a guest fork (its only thread): the child runs on without the debugger, as
  // under qemu-user and gdbserver without follow-fork (breakpoints gone, the connection closed).
  virtual void after_fork_child() = 0;
};

}  // namespace mimic::linux_user
