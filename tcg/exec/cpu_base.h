// CpuBase: the header every guest CPU state struct starts with; generated code addresses it
// through the pinned env register, so its layout is an ABI between the JIT and the exec loop.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mimic::tcg {

class SoftMmu;
struct SoftTlb;

// Why translated code returned to the execution loop (CpuBase::exit_reason).
// Values below kExitGuestBase are the engine's own; frontends define theirs from kExitGuestBase
// up (system call, breakpoint, illegal instruction, ...), passed through ExitLoop unchanged.
enum ExitReason : uint32_t {
  kExitChain = 0,      // GotoTb whose slot is not chained yet: pc holds the target, exit_tb/exit_slot say where from
  kExitLookup = 1,     // GotoPtr missed the jump cache: pc holds the target
  kExitInterrupt = 2,  // exit_request was set (signal, interrupt, flush, stop): pc is the next block's start
  kExitUnaligned = 3,  // a kAligned memory access was misaligned: pc is the instruction, fault_addr the address
  kExitMemFault = 4,   // a guest access faulted: pc is the instruction, fault_addr the guest address,
                       // fault_write nonzero for writes (set by the host fault handler)
  kExitDebug = 5,      // debugger: pc is a breakpoint (not executed), or single_step ran one instruction
                       // and pc is the next one
  kExitGuestBase = 16,
};

// The tb_flags bit the engine itself owns (frontends leave it clear): blocks translated for
// single-stepping, one instruction each, so they never mix with normal blocks in the caches.
constexpr uint32_t kTbSingleStep = 1u << 31;

// One entry of the per-CPU jump cache that generated code searches for indirect branches.
struct JumpCacheEntry {
  uint64_t guest_pc;   // kJumpCacheEmpty when unused
  uint64_t host_code;  // entry point of the translated block
};
constexpr uint64_t kJumpCacheEmpty = ~0ull;  // never a valid guest pc (odd and at the top)
// 64 Ki entries (QEMU has 4 Ki): with 4 Ki, gcc's cc1 (25 MB of code) missed about two of three
// indirect branches on blocks it had translated (docs/performance.md). 1.5 MiB a CPU and mode.
constexpr unsigned kJumpCacheBits = 16;
constexpr size_t kJumpCacheSize = size_t(1) << kJumpCacheBits;
// The hash generated code computes inline: keep this function and the backend in step.
constexpr size_t jump_cache_index(uint64_t pc) {
  return size_t((pc >> 1) ^ (pc >> (1 + kJumpCacheBits))) & (kJumpCacheSize - 1);
}
// The pcs of one 4 KiB page vary only the index's low 11 bits: a page's entries are the
// kJumpCachePageEntries from jump_cache_page_first(page) on (a TLB page flush walks only those).
constexpr size_t kJumpCachePageEntries = size_t(1) << 11;
static_assert(kJumpCacheBits >= 11, "a page's entries must be one aligned range");
constexpr size_t jump_cache_page_first(uint64_t page) { return jump_cache_index(page) & ~(kJumpCachePageEntries - 1); }

struct alignas(64) CpuBase {
  // Guest pc of the next instruction to run whenever the CPU is outside translated code.
  uint64_t pc = 0;
  // Nonzero asks translated code to return to the loop at the next block entry (kExitInterrupt).
  // Written by other threads and signal handlers, read by generated code with a plain load.
  std::atomic<uint32_t> exit_request{0};
  uint32_t exit_reason = 0;              // ExitReason or a frontend reason, set by generated code on exit
  uint64_t exit_tb = 0;                  // with kExitChain: the TranslationBlock* that exited
  uint32_t exit_slot = 0;                // with kExitChain: its GotoTb slot (0 or 1)
  uint32_t tb_flags = 0;                 // translation flags of the current CPU mode
  uint8_t* guest_base = nullptr;         // user mode: host address of guest address 0
  JumpCacheEntry* jump_cache = nullptr;  // kJumpCacheSize entries
  uint64_t epilogue = 0;                 // host address generated code jumps to when leaving
  uint64_t chain_exit = 0;               // the kExitChain exit stubs call (Trampolines::chain_exit)
  uint64_t fault_addr = 0;               // with kExitUnaligned / kExitMemFault
  uint32_t fault_write = 0;              // with kExitMemFault: 1 for a store or atomic
  // Nonzero: the loop runs one guest instruction per run() (one-instruction blocks, never chained,
  // translated under kTbSingleStep) and returns kExitDebug after it (debugger stepping).
  uint32_t single_step = 0;
  uint64_t scratch[4] = {};  // spill room for backend sequences that need memory temps
  // The guest's SSE control/status word (rounding control and sticky exception flags): host
  // MXCSR holds it while translated code or the interpreter runs (swapped by the enter
  // trampoline / epilogue), so inline FP ops round and raise flags as the guest asked. Only the
  // flag bits 0-5 and rounding control 13-14 are the guest's: entry forces every exception
  // masked and DAZ/FTZ off. Outside translated code this field holds the current value.
  uint32_t guest_mxcsr = 0x1f80;
  uint32_t host_mxcsr = 0x1f80;  // the host's MXCSR, saved by the enter trampoline
  // Nonzero while host MXCSR holds guest_mxcsr (translated code, helpers, the interpreter): code
  // that reads or writes the guest FP environment uses the live register then, the field otherwise.
  uint32_t mxcsr_live = 0;
  // With EngineOptions::block_budget: decremented at every block entry (chained or not) after
  // the exit_request check; an entry that takes it below zero leaves as kExitInterrupt before the
  // block runs. The round-robin loop's deterministic time slice.
  int32_t block_budget = 0;
  // System mode (null in linux-user): the vCPU's soft-MMU and its TLB, which generated code
  // addresses through r15 in place of guest_base (tcg/exec/softmmu.h).
  class SoftMmu* softmmu = nullptr;
  struct SoftTlb* tlb = nullptr;
  // Arguments and result of a slow-path memory access from generated code (emit_mem.cpp).
  uint64_t mem_args[5] = {};
  // An exit with exit_reason == exit_hook_reason calls exit_hook (a bool (*)(CpuBase*)) from the
  // epilogue, outside the guest's MXCSR, before anything returns to the loop: true means "done,
  // go on at pc" (the jump cache is probed there; a miss leaves as kExitLookup), false leaves
  // with exit_reason, which the hook may have changed. linux-user runs the common system calls
  // this way (docs/linux-user.md, "System calls without a return to the loop").
  uint64_t exit_hook = 0;
  uint32_t exit_hook_reason = ~0u;  // none: ~0u is no exit reason
  // System mode: the TLB addend a group of accesses through one base register shares within a
  // block (0: the group's first probe missed, each access probes alone; tcg/x86_64/mem_groups.h).
  uint64_t page_addend[4] = {};
};

// The MXCSR bits a guest owns (exception flags and rounding control) and the ones entry forces.
constexpr uint32_t kMxcsrGuestBits = 0x603f;
constexpr uint32_t kMxcsrForced = 0x1f80;  // all exceptions masked

}  // namespace mimic::tcg
