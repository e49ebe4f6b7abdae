// The enter/epilogue trampolines that switch between C++ and translated code.
//
// They also swap MXCSR: translated code runs with the guest's FP environment (CpuBase::guest_mxcsr).
//
// Frame while translated code runs (rsp 16-byte aligned, so helper calls need no adjustment):
//   [rsp + 0 .. rsp + 8*kSpillSlots)   spill slots of the register allocator
//   [rsp + 8*kSpillSlots]              padding
//   above: saved r15, r14, r13, r12, rbx, rbp, then the return address into the caller of enter
#include <fmt/format.h>

#include <cstddef>

#include "tcg/backend.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/x86_64/regalloc.h"

namespace mimic::tcg {

Trampolines emit_trampolines(HostCodeRegion region, void (*softmmu_slow_fn)(CpuBase*)) {
  const bool softmmu = softmmu_slow_fn != nullptr;
  using namespace x86_64;
  Trampolines t;
  try {
    Xbyak::CodeGenerator code(region.capacity, region.write);
    // enter(env = rdi, code = rsi)
    code.push(code.rbp);
    code.push(code.rbx);
    code.push(code.r12);
    code.push(code.r13);
    code.push(code.r14);
    code.push(code.r15);
    code.sub(code.rsp, kFrameSize);
    code.mov(code.rbp, code.rdi);
    code.mov(code.r15, code.qword[code.rdi + (softmmu ? offsetof(CpuBase, tlb) : offsetof(CpuBase, guest_base))]);
    // Swap in the guest's FP environment (sanitised: exceptions masked, no DAZ/FTZ).
    code.stmxcsr(code.dword[code.rbp + offsetof(CpuBase, host_mxcsr)]);
    auto swap_in_guest_mxcsr = [&] {
      code.mov(code.eax, code.dword[code.rbp + offsetof(CpuBase, guest_mxcsr)]);
      code.and_(code.eax, kMxcsrGuestBits);
      code.or_(code.eax, kMxcsrForced);
      code.mov(code.dword[code.rbp + offsetof(CpuBase, guest_mxcsr)], code.eax);
      code.ldmxcsr(code.dword[code.rbp + offsetof(CpuBase, guest_mxcsr)]);
      code.mov(code.dword[code.rbp + offsetof(CpuBase, mxcsr_live)], 1);
    };
    swap_in_guest_mxcsr();
    code.jmp(code.rsi);

    // Align by the executable address: the write view may sit at a different offset.
    size_t pad = (16 - (region.exec + code.getSize()) % 16) % 16;
    if (pad) code.nop(pad);
    const size_t epilogue = code.getSize();
    Xbyak::Label run_hook, leave_host_mxcsr;
    code.mov(code.eax, code.dword[code.rbp + offsetof(CpuBase, exit_reason)]);
    code.cmp(code.eax, code.dword[code.rbp + offsetof(CpuBase, exit_hook_reason)]);
    code.je(run_hook, Xbyak::CodeGenerator::T_NEAR);
    // rbp is still env: keep the guest's accrued flags and rounding, give the host its own back.
    auto to_host_mxcsr = [&] {
      code.stmxcsr(code.dword[code.rbp + offsetof(CpuBase, guest_mxcsr)]);
      code.ldmxcsr(code.dword[code.rbp + offsetof(CpuBase, host_mxcsr)]);
      code.mov(code.dword[code.rbp + offsetof(CpuBase, mxcsr_live)], 0);
    };
    to_host_mxcsr();
    code.L(leave_host_mxcsr);
    code.add(code.rsp, kFrameSize);
    code.pop(code.r15);
    code.pop(code.r14);
    code.pop(code.r13);
    code.pop(code.r12);
    code.pop(code.rbx);
    code.pop(code.rbp);
    code.ret();

    // The exit hook (CpuBase::exit_hook): called in the block's frame (rsp is 16-byte aligned at
    // every exit), under the host's MXCSR as the loop would be. Every guest value is in env here.
    code.L(run_hook);
    to_host_mxcsr();
    code.mov(code.rdi, code.rbp);
    code.call(code.qword[code.rbp + offsetof(CpuBase, exit_hook)]);
    code.test(code.al, code.al);
    code.jz(leave_host_mxcsr, Xbyak::CodeGenerator::T_NEAR);
    swap_in_guest_mxcsr();
    // On at env->pc through the jump cache, as GotoPtr does (jump_cache_index()).
    static_assert(sizeof(JumpCacheEntry) == 16 && offsetof(JumpCacheEntry, host_code) == 8);
    Xbyak::Label miss;
    code.mov(code.rcx, code.qword[code.rbp + offsetof(CpuBase, pc)]);
    code.mov(code.rdx, code.rcx);
    code.shr(code.rdx, 1);
    code.mov(code.rax, code.rcx);
    code.shr(code.rax, 1 + kJumpCacheBits);
    code.xor_(code.rdx, code.rax);
    code.and_(code.edx, uint32_t(kJumpCacheSize - 1));
    code.shl(code.rdx, 4);
    code.add(code.rdx, code.qword[code.rbp + offsetof(CpuBase, jump_cache)]);
    code.cmp(code.qword[code.rdx + offsetof(JumpCacheEntry, guest_pc)], code.rcx);
    code.jne(miss);
    code.jmp(code.qword[code.rdx + offsetof(JumpCacheEntry, host_code)]);
    code.L(miss);
    code.mov(code.dword[code.rbp + offsetof(CpuBase, exit_reason)], uint32_t(kExitLookup));
    code.jmp(code.qword[code.rbp + offsetof(CpuBase, epilogue)]);

    // chain_exit: called by a GotoTb stub; its return address points at the stub's ChainExitData.
    pad = (16 - (region.exec + code.getSize()) % 16) % 16;
    if (pad) code.nop(pad);
    t.chain_exit = region.exec + code.getSize();
    code.pop(code.r11);
    code.mov(code.rax, code.qword[code.r11 + offsetof(ChainExitData, target_pc)]);
    code.mov(code.qword[code.rbp + offsetof(CpuBase, pc)], code.rax);
    code.mov(code.rax, code.qword[code.r11 + offsetof(ChainExitData, tb)]);
    code.mov(code.qword[code.rbp + offsetof(CpuBase, exit_tb)], code.rax);
    code.mov(code.eax, code.dword[code.r11 + offsetof(ChainExitData, slot)]);
    code.mov(code.dword[code.rbp + offsetof(CpuBase, exit_slot)], code.eax);
    code.mov(code.dword[code.rbp + offsetof(CpuBase, exit_reason)], uint32_t(kExitChain));
    code.jmp(code.qword[code.rbp + offsetof(CpuBase, epilogue)]);

    if (softmmu) {
      // Called from a slow-path stub with rsp 16-byte aligned before the call: 9 pushes make it
      // aligned again. Every caller-saved register survives, so the stub's block keeps its
      // register assignment; callee-saved ones (rbx, rbp = env, r12-r15) the C++ code keeps.
      pad = (16 - (region.exec + code.getSize()) % 16) % 16;
      if (pad) code.nop(pad);
      t.softmmu_slow = region.exec + code.getSize();
      const Xbyak::Reg64 saved[] = {code.rax, code.rcx, code.rdx, code.rsi, code.rdi,
                                    code.r8,  code.r9,  code.r10, code.r11};
      for (const auto& r : saved) code.push(r);
      code.sub(code.rsp, 256);
      for (int i = 0; i < 16; ++i) code.movdqu(code.xword[code.rsp + 16 * i], Xbyak::Xmm(i));
      code.mov(code.rdi, code.rbp);
      code.mov(code.rax, reinterpret_cast<uintptr_t>(softmmu_slow_fn));
      code.call(code.rax);
      for (int i = 0; i < 16; ++i) code.movdqu(Xbyak::Xmm(i), code.xword[code.rsp + 16 * i]);
      code.add(code.rsp, 256);
      for (int i = 8; i >= 0; --i) code.pop(saved[i]);
      code.ret();
    }

    t.enter = reinterpret_cast<void (*)(CpuBase*, const void*)>(region.exec);
    t.epilogue = region.exec + epilogue;
    t.size = code.getSize();
  } catch (const Xbyak::Error& e) {
    throw std::runtime_error(fmt::format("x86_64 backend: cannot emit trampolines: {}", e.what()));
  }
  return t;
}

}  // namespace mimic::tcg
