// The contract between the execution engine and a host backend (tcg/x86_64 today).
//
// W^X: the code cache is mapped twice (tcg/exec/code_buffer): a read-write view that the backend
// and the chainer write through and a read-execute view that runs. Generated code must therefore
// be position-independent with respect to the write view: internal labels are relative, and
// anything outside the block (helpers, the epilogue) is reached through an absolute address in a
// register or through CpuBase::epilogue, never through a rel32 computed from the write address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tcg/ir/ir.h"

namespace mimic::tcg {

struct CpuBase;

// Where to emit: `write` is the RW alias of the executable address `exec`.
struct HostCodeRegion {
  uint8_t* write = nullptr;
  uintptr_t exec = 0;
  size_t capacity = 0;
};

// Maps a host code offset (start of the first host instruction of a guest instruction) to the
// guest pc of that instruction. Sorted by host_offset. Used to find the precise guest pc of a
// fault inside translated code.
struct PcMapEntry {
  uint32_t host_offset;
  uint64_t guest_pc;
};

// A GotoTb slot: a `jmp rel32` (E9) or, for a BrCond fused with the block end, a `jcc rel32`
// (0F 8x, jmp_offset then names the 8x byte). Either way the rel32 field is at jmp_offset + 1,
// relative to jmp_offset + 5, and 4-byte aligned, so the chainer can retarget it with one atomic
// 32-bit store while other threads run it. Unchained, it points at reset_offset (the slot's stub).
struct ChainSlot {
  bool used = false;
  uint32_t jmp_offset = 0;
  uint32_t reset_offset = 0;
  uint64_t target_pc = 0;
};

struct CompileResult {
  enum class Status { Ok, OutOfSpace, TooComplex } status = Status::Ok;
  size_t size = 0;  // bytes emitted
  ChainSlot slots[2];
  std::string error;  // with TooComplex: what limit was hit (the caller retries with fewer guest insns)
  // The block's per-site fault-state records (Block::fault_state placed by the register
  // allocator), for apply_state_map(); valid until the next compile_block on this thread.
  const uint8_t* state_map = nullptr;
  size_t state_map_size = 0;
};

// The host registers at a fault in translated code (from the signal's ucontext): GPRs in
// hardware order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15) and xmm0-15.
struct FaultHostState {
  uint64_t gpr[16];
  uint8_t xmm[16][16];
};
// Stores into env the guest-state fields whose values are still in host registers or spill
// slots at host offset `host_offset` of a block with this state map (a fault there); false when
// no record covers that offset (the state in env is already exact). Async-signal-safe.
bool apply_state_map(const uint8_t* map, size_t size, uint32_t host_offset, CpuBase* env, const FaultHostState& host);

// What follows an unchained GotoTb stub's `call [env + chain_exit]`, read through the return address.
struct ChainExitData {
  uint64_t target_pc;
  uint64_t tb;  // the block's cookie (its TranslationBlock*)
  uint32_t slot;
} __attribute__((packed));

// Code that stays for the life of the code cache: entering translated code and leaving it.
struct Trampolines {
  // Runs translated code at `code` with `env` pinned until it jumps to the epilogue.
  void (*enter)(CpuBase* env, const void* code) = nullptr;
  uint64_t epilogue = 0;  // store into CpuBase::epilogue before entering
  // Store into CpuBase::chain_exit: an unchained GotoTb's stub calls it with the exit's data
  // after the call (ChainExitData), and it leaves with kExitChain. One call instead of the five
  // stores per stub keeps the stubs short to emit and small in the cache.
  uint64_t chain_exit = 0;
  // System mode: the shared slow path of guest memory accesses. Generated code calls it with
  // the access in CpuBase::mem_args; it saves every caller-saved host register around
  // mimic_softmmu_slow (tcg/exec/softmmu.h), so the register allocator needs no call protocol.
  uintptr_t softmmu_slow = 0;
  size_t size = 0;
};

struct BackendOptions {
  bool allow_bmi2 = true;   // use shlx/shrx/sarx/rorx/andn when the host has them
  bool allow_sse41 = true;  // vector ops: use SSE4.1/4.2 single instructions when present (false: SSE2)
  // System mode: guest accesses go through the soft TLB (r15 = CpuBase::tlb) with misses sent
  // to Trampolines::softmmu_slow; linux-user's are [guest_base + addr].
  bool softmmu = false;
  uintptr_t softmmu_slow = 0;
  // Every block entry counts CpuBase::block_budget down and leaves when it goes negative.
  bool block_budget = false;
  // linux-user: `Add base, imm32` used only as the address of loads/stores goes into their x86
  // addressing mode (false: computed apart, as before; the engine's -simple-codegen).
  bool fold_addresses = true;
};

// x86-64 backend entry points (tcg/x86_64).
// `softmmu_slow_fn` (system mode; tcg/exec's mimic_softmmu_slow): pin CpuBase::tlb instead of
// guest_base in r15 and emit the slow-path trampoline around that function.
Trampolines emit_trampolines(HostCodeRegion region, void (*softmmu_slow_fn)(CpuBase*) = nullptr);
// Compiles one block. `tb_cookie` is an 8-byte-aligned value stored in CpuBase::exit_tb by an
// unchained GotoTb exit. pc_map is cleared and filled.
CompileResult compile_block(const Block& block, HostCodeRegion region, uint64_t tb_cookie,
                            std::vector<PcMapEntry>& pc_map, const BackendOptions& options = {});

// Runs `block` in the IR interpreter (tcg/interp) with the same exit protocol as translated code:
// on return env->pc and env->exit_reason are set; GotoTb sets kExitChain with exit_tb = 0.
void interpret_block(const Block& block, CpuBase* env);

}  // namespace mimic::tcg
