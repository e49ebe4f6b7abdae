// safe_syscall (see safe_syscall.h): the x86-64 entry in assembly, so that the window between the
// pending-signal check and the `syscall` instruction is a known range of host pcs.
#include "linux-user/safe_syscall.h"

#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "linux-user/process.h"
#include "linux-user/signal.h"
#include "linux-user/syscall.h"

// long mimic_safe_syscall_base(const SignalState* s, long nr, long a1, ..., long a6)
// SysV arguments: rdi = s, rsi = nr, rdx, rcx, r8, r9 = a1..a4, stack = a5, a6. The state pointer
// stays in rbx (callee-saved) because every syscall argument register is taken.
asm(R"(
  .text
  .globl mimic_safe_syscall_base
  .type mimic_safe_syscall_base, @function
mimic_safe_syscall_base:
  .cfi_startproc
  push %rbx
  .cfi_adjust_cfa_offset 8
  .cfi_rel_offset %rbx, 0
  mov %rdi, %rbx
  mov %rsi, %rax
  mov %rdx, %rdi
  mov %rcx, %rsi
  mov %r8, %rdx
  mov %r9, %r10
  mov 16(%rsp), %r8
  mov 24(%rsp), %r9
  .globl mimic_safe_syscall_start
mimic_safe_syscall_start:
  mov (%rbx), %rcx
  not %rcx
  and 8(%rbx), %rcx
  jnz mimic_safe_syscall_interrupted
  syscall
  .globl mimic_safe_syscall_end
mimic_safe_syscall_end:
  pop %rbx
  .cfi_adjust_cfa_offset -8
  .cfi_restore %rbx
  ret
  .cfi_adjust_cfa_offset 8
  .cfi_rel_offset %rbx, 0
  .globl mimic_safe_syscall_interrupted
mimic_safe_syscall_interrupted:
  mov $-512, %rax
  pop %rbx
  .cfi_adjust_cfa_offset -8
  .cfi_restore %rbx
  ret
  .cfi_endproc
  .size mimic_safe_syscall_base, .-mimic_safe_syscall_base
)");

extern "C" {
long mimic_safe_syscall_base(const void* state, long nr, long a1, long a2, long a3, long a4, long a5, long a6);
extern const char mimic_safe_syscall_start[], mimic_safe_syscall_end[], mimic_safe_syscall_interrupted[];
}

namespace mimic::linux_user {

// The assembly reads the guest mask at offset 0 and the pending set at offset 8: "a signal is
// pending that the guest does not block".
static_assert(offsetof(SignalState, blocked) == 0);
static_assert(offsetof(SignalState, pending) == 8);
static_assert(sizeof(std::atomic<uint64_t>) == 8 && sizeof(SignalState::blocked) == 8);
constexpr long kInterruptedBeforeEntry = -512;  // ERESTARTSYS: the kernel never returns it

int64_t safe_syscall_raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
  GuestThread* t = current_thread();
  if (!t) {  // mimic's own calls outside any guest thread: nothing to deliver
    long r = syscall(nr, a1, a2, a3, a4, a5, a6);
    return r < 0 ? -int64_t(errno) : r;
  }
  const long r = mimic_safe_syscall_base(&t->signals, nr, a1, a2, a3, a4, a5, a6);
  return r == kInterruptedBeforeEntry ? kSysRestart : r;
}

void safe_syscall_interrupt(ucontext_t* uc) {
  const auto pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  if (pc >= uintptr_t(mimic_safe_syscall_start) && pc < uintptr_t(mimic_safe_syscall_end))
    uc->uc_mcontext.gregs[REG_RIP] = greg_t(uintptr_t(mimic_safe_syscall_interrupted));
}

}  // namespace mimic::linux_user
