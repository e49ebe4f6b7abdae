// aarch64 signal frames, laid out as arch/arm64/kernel/signal.c does:
//   sp -> struct rt_sigframe { siginfo; ucontext } (the sigcontext's __reserved area holds an
//         fpsimd_context record and the terminating null record)
//         struct frame_record { fp, lr } just above it, 16-byte aligned, which x29 points at so
//         that unwinders walk from the handler into the interrupted code.
#include <fmt/format.h>

#include <cstring>

#include "linux-user/aarch64/thread.h"
#include "linux-user/signal.h"
#include "linux-user/uaccess.h"
#include "target/arm/translate_a64.h"

namespace mimic::linux_user::aarch64 {

namespace {

constexpr uint32_t kFpsimdMagic = 0x46508001;
constexpr uint32_t kFpsimdSize = 528;  // head (8) + fpsr + fpcr + 32 x 16-byte vregs
constexpr uint32_t kEsrMagic = 0x45535201;
constexpr uint32_t kExtraMagic = 0x45585401;

struct RecordHead {
  uint32_t magic;
  uint32_t size;
};
struct FpsimdContext {
  RecordHead head;
  uint32_t fpsr;
  uint32_t fpcr;
  arm::VReg vregs[32];
};
static_assert(sizeof(FpsimdContext) == kFpsimdSize);

// struct ucontext (arm64): uc_flags, uc_link, uc_stack (24), uc_sigmask (8) + 120 bytes of
// padding (room for a 1024-bit sigset), then struct sigcontext aligned to 16.
struct alignas(16) A64Ucontext {
  GuestUcontextHead head;
  uint8_t sigset_pad[120];
  // struct sigcontext
  alignas(16) uint64_t fault_address;
  uint64_t regs[31];
  uint64_t sp;
  uint64_t pc;
  uint64_t pstate;
  alignas(16) uint8_t reserved[4096];  // records: fpsimd_context, then a null head
};
static_assert(offsetof(A64Ucontext, sigset_pad) == 48);
static_assert(offsetof(A64Ucontext, fault_address) == 176);
static_assert(offsetof(A64Ucontext, reserved) == 464);
static_assert(sizeof(A64Ucontext) == 4560);

struct RtSigframe {
  GuestSiginfo info;
  A64Ucontext uc;
};
static_assert(sizeof(RtSigframe) == 4688);

struct FrameRecord {
  uint64_t fp, lr;
};

// SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP carry si_addr; the kernel copies it to fault_address.
bool has_fault_address(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

}  // namespace

bool A64Thread::setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info,
                                   uint64_t saved_mask) {
  arm::A64Cpu& c = cpu_state;
  thread_local RtSigframe f;  // large: keep it off the (possibly alternate) host stack
  memset(static_cast<void*>(&f), 0, sizeof f);
  const uint64_t sp = signal_frame_top(signals, c.sp, act, saved_mask, f.uc.head);
  const uint64_t record = (sp - sizeof(FrameRecord)) & ~uint64_t(15);
  const uint64_t frame = (record - sizeof(RtSigframe)) & ~uint64_t(15);
  f.info = info;
  if (has_fault_address(sig)) memcpy(&f.uc.fault_address, reinterpret_cast<const uint8_t*>(&info) + 16, 8);
  memcpy(f.uc.regs, c.x, sizeof f.uc.regs);
  f.uc.sp = c.sp;
  f.uc.pc = c.pc;
  f.uc.pstate = arm::get_nzcv(c);  // EL0t, AArch64: only the flags are nonzero
  FpsimdContext fp{};
  fp.head = {kFpsimdMagic, kFpsimdSize};
  fp.fpsr = arm::get_fpsr(c);
  fp.fpcr = arm::get_fpcr(c);
  memcpy(fp.vregs, c.v, sizeof fp.vregs);
  memcpy(f.uc.reserved, &fp, sizeof fp);  // followed by the zeroed terminator record
  const FrameRecord fr{c.x[29], c.x[30]};
  if (!copy_to_guest(*proc_.mem, frame, &f, sizeof f) || !copy_to_guest(*proc_.mem, record, &fr, sizeof fr))
    return false;

  c.excl_addr = ~0ull;  // a handler's store-exclusive must not pair with an interrupted load-exclusive
  c.x[0] = uint64_t(sig);
  if (act.flags & GuestSa::kSigInfo) {
    c.x[1] = frame + offsetof(RtSigframe, info);
    c.x[2] = frame + offsetof(RtSigframe, uc);
  }
  c.sp = frame;
  c.x[29] = record;
  c.x[30] = (act.flags & GuestSa::kRestorer) ? act.restorer : proc_.sigreturn_trampoline;
  c.pc = act.handler;
  return true;
}

bool A64Thread::restore_signal_frame(uint64_t* mask) {
  arm::A64Cpu& c = cpu_state;
  if (c.sp & 15) return false;  // the kernel refuses a misaligned frame
  thread_local RtSigframe f;
  if (!copy_from_guest(*proc_.mem, &f, c.sp, sizeof f)) return false;
  // Walk the records: the fpsimd context is required; ESR and unknown-but-well-formed records are
  // skipped; an extra_context (only written for SVE-sized state) is not supported.
  const FpsimdContext* fp = nullptr;
  for (size_t off = 0; off + sizeof(RecordHead) <= sizeof f.uc.reserved;) {
    RecordHead h;
    memcpy(&h, f.uc.reserved + off, sizeof h);
    if (h.magic == 0) {
      if (h.size != 0) return false;
      break;
    }
    if (h.size < sizeof h || h.size % 16 || h.size > sizeof f.uc.reserved - off) return false;
    if (h.magic == kFpsimdMagic) {
      if (h.size != kFpsimdSize || fp) return false;
      fp = reinterpret_cast<const FpsimdContext*>(f.uc.reserved + off);
    } else if (h.magic == kExtraMagic) {
      return false;
    } else if (h.magic != kEsrMagic) {
      return false;  // the kernel rejects records it does not know
    }
    off += h.size;
  }
  if (!fp) return false;
  memcpy(c.x, f.uc.regs, sizeof c.x);
  c.sp = f.uc.sp;
  c.pc = f.uc.pc;
  arm::set_nzcv(c, uint32_t(f.uc.pstate));
  memcpy(c.v, fp->vregs, sizeof c.v);
  arm::set_fpsr(c, fp->fpsr);
  arm::set_fpcr(c, fp->fpcr);
  c.excl_addr = ~0ull;
  *mask = f.uc.head.uc_sigmask;
  return true;
}

std::string A64Thread::describe_insn(uint64_t pc) {
  uint32_t insn;
  if (pc & 3) return "pc not 4-byte aligned";
  if (!copy_from_guest(*proc_.mem, &insn, pc, 4)) return "instruction not readable";
  std::string mnem = arm::disassemble_insn(insn, pc);
  return fmt::format("word {:08x} ({})", insn, mnem.empty() ? std::string("unknown instruction") : mnem);
}

}  // namespace mimic::linux_user::aarch64
