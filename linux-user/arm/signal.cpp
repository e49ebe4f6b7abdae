// 32-bit Arm signal frames, laid out as arch/arm/kernel/signal.c does:
//   rt_sigframe { siginfo (32-bit layout); sigframe { ucontext; retcode[2] } }   (SA_SIGINFO)
//   sigframe { ucontext; retcode[2] }                                              (otherwise)
// The ucontext's uc_regspace holds the VFP state (vfp_sigframe: D0-D31, FPSCR) and a zero end
// word. The handler runs in the instruction set its address's bit 0 names, returning to the
// restorer (SA_RESTORER) or to the sigreturn trampoline page.
#include "linux-user/signal.h"

#include <fmt/format.h>
#include <signal.h>

#include <cstring>

#include "linux-user/arm/thread.h"
#include "linux-user/uaccess.h"
#include "target/arm/translate_a32.h"

namespace mimic::linux_user::arm32 {

namespace {

constexpr uint32_t kVfpMagic = 0x56465001;

struct SigContext {
  uint32_t trap_no, error_code, oldmask;
  uint32_t regs[16];  // r0-r10, fp, ip, sp, lr, pc
  uint32_t cpsr;
  uint32_t fault_address;
};
struct VfpSigframe {
  uint32_t magic, size;
  uint64_t fpregs[32];
  uint32_t fpscr, pad;
  uint32_t fpexc, fpinst, fpinst2, pad2;
};
static_assert(sizeof(VfpSigframe) == 288);

struct Ucontext {
  uint32_t uc_flags, uc_link;
  uint32_t ss_sp, ss_flags, ss_size;
  SigContext mcontext;
  uint64_t sigmask;
  uint32_t unused[30];
  alignas(8) uint32_t regspace[128];
};
static_assert(offsetof(Ucontext, mcontext) == 20 && offsetof(Ucontext, sigmask) == 104 &&
              offsetof(Ucontext, regspace) == 232 && sizeof(Ucontext) == 744);

struct Sigframe {
  Ucontext uc;
  uint32_t retcode[2];
};
struct RtSigframe {
  uint8_t info[128];
  Sigframe sig;
};
static_assert(sizeof(RtSigframe) == 880);

// The 64-bit siginfo's union (at offset 16) starts at offset 12 on a 32-bit ABI; its leading int
// fields (si_pid, si_uid, si_status, si_timerid ...) and the low half of si_addr keep their order.
void siginfo_to_32(const GuestSiginfo& in, uint8_t out[128]) {
  memset(out, 0, 128);
  memcpy(out, &in, 12);
  memcpy(out + 12, in.fields, 112);
}

bool has_fault_address(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

void save_context(const arm::A32Cpu& c, Ucontext& uc) {
  memcpy(uc.mcontext.regs, c.r, 15 * 4);
  uc.mcontext.regs[15] = uint32_t(c.pc);
  uc.mcontext.cpsr = arm::get_cpsr(c);
  VfpSigframe vfp{};
  vfp.magic = kVfpMagic;
  vfp.size = sizeof vfp;
  for (int i = 0; i < 32; i++) vfp.fpregs[i] = (i & 1) ? c.v[i / 2].hi : c.v[i / 2].lo;
  vfp.fpscr = arm::get_fpscr(c);
  vfp.fpexc = 0x40000000;                 // EN
  memcpy(uc.regspace, &vfp, sizeof vfp);  // followed by the zero end marker
}

bool restore_context(arm::A32Cpu& c, const Ucontext& uc) {
  VfpSigframe vfp;
  memcpy(&vfp, uc.regspace, sizeof vfp);
  if (vfp.magic != kVfpMagic || vfp.size != sizeof vfp) return false;
  const uint32_t cpsr = uc.mcontext.cpsr;
  if ((cpsr & 0x1f) != 0x10) return false;  // only a return to user mode
  memcpy(c.r, uc.mcontext.regs, 15 * 4);
  arm::set_cpsr(c, cpsr);
  c.pc = uc.mcontext.regs[15] & ((cpsr & (1u << 5)) ? ~1u : ~3u);
  for (int i = 0; i < 32; i++) ((i & 1) ? c.v[i / 2].hi : c.v[i / 2].lo) = vfp.fpregs[i];
  arm::set_fpscr(c, vfp.fpscr);
  c.excl_addr = ~0ull;
  return true;
}

}  // namespace

bool A32Thread::setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info, uint64_t saved_mask) {
  arm::A32Cpu& c = cpu_state;
  RtSigframe f{};
  GuestUcontextHead head{};
  const uint64_t top = signal_frame_top(signals, c.r[13], act, saved_mask, head);
  const bool rt = (act.flags & GuestSa::kSigInfo) != 0;
  const uint64_t size = rt ? sizeof(RtSigframe) : sizeof(Sigframe);
  const uint64_t frame = (top - size) & ~uint64_t(7);
  Ucontext& uc = f.sig.uc;
  uc.ss_sp = uint32_t(head.ss_sp);
  uc.ss_flags = uint32_t(head.ss_flags);
  uc.ss_size = uint32_t(head.ss_size);
  uc.sigmask = saved_mask;
  save_context(c, uc);
  uc.mcontext.oldmask = uint32_t(saved_mask);
  if (has_fault_address(sig)) memcpy(&uc.mcontext.fault_address, info.fields, 4);
  siginfo_to_32(info, f.info);
  const void* src = rt ? static_cast<const void*>(&f) : static_cast<const void*>(&f.sig);
  if (!copy_to_guest(*proc_.mem, frame, src, size)) return false;

  const uint64_t uc_addr = rt ? frame + offsetof(RtSigframe, sig) : frame;
  c.excl_addr = ~0ull;
  c.r[0] = uint32_t(sig);
  if (rt) {
    c.r[1] = uint32_t(frame);
    c.r[2] = uint32_t(uc_addr);
  }
  c.r[13] = uint32_t(frame);
  // The trampoline page holds rt_sigreturn's code first, sigreturn's 8 bytes later (ARM state).
  c.r[14] = uint32_t((act.flags & GuestSa::kRestorer) ? act.restorer : proc_.sigreturn_trampoline + (rt ? 0 : 8));
  const bool thumb = act.handler & 1;
  c.pc = act.handler & ~uint64_t(1);
  c.tb_flags = (c.tb_flags & ~(arm::kTbThumb | arm::kTbItMask)) | (thumb ? arm::kTbThumb : 0);
  return true;
}

bool A32Thread::restore_signal_frame(uint64_t* mask) {
  arm::A32Cpu& c = cpu_state;
  const bool old = restoring_old_frame;
  restoring_old_frame = false;
  if (c.r[13] & 7) return false;  // the kernel refuses a misaligned frame
  Ucontext uc;
  const uint64_t at = old ? c.r[13] : c.r[13] + offsetof(RtSigframe, sig);
  if (!copy_from_guest(*proc_.mem, &uc, at, sizeof uc)) return false;
  if (!restore_context(c, uc)) return false;
  *mask = uc.sigmask;
  return true;
}

std::string A32Thread::describe_insn(uint64_t pc) {
  const bool thumb = (cpu_state.tb_flags & arm::kTbThumb) != 0;
  uint8_t bytes[4];
  unsigned len = 4;
  if (!copy_from_guest(*proc_.mem, bytes, pc, 2)) return "instruction not readable";
  if (thumb && ((bytes[1] >> 3) < 0x1d)) len = 2;
  if (len == 4 && !copy_from_guest(*proc_.mem, bytes, pc, 4)) return "instruction not readable";
  std::string mnem = arm::disassemble_a32_insn(bytes, len, pc, thumb);
  std::string hex = len == 2 ? fmt::format("{:04x}", bytes[0] | bytes[1] << 8)
                    : thumb
                        ? fmt::format("{:04x} {:04x}", bytes[0] | bytes[1] << 8, bytes[2] | bytes[3] << 8)
                        : fmt::format("{:08x}", bytes[0] | bytes[1] << 8 | bytes[2] << 16 | unsigned(bytes[3]) << 24);
  return fmt::format("{} {} ({})", thumb ? "thumb" : "arm", hex,
                     mnem.empty() ? std::string("unknown instruction") : mnem);
}

}  // namespace mimic::linux_user::arm32
