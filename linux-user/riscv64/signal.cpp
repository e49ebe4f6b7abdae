// riscv64 signal frames: struct rt_sigframe { siginfo; ucontext } as arch/riscv/kernel/signal.c lays it out.
#include "linux-user/signal.h"

#include <fmt/format.h>

#include <cstring>

#include "linux-user/riscv64/thread.h"
#include "linux-user/uaccess.h"
#include "target/riscv/translate.h"
#include "target/riscv/vector.h"

namespace mimic::linux_user::riscv64 {

namespace {

// struct ucontext (riscv): uc_flags, uc_link, uc_stack (24), uc_sigmask (8) + 120 reserved bytes,
// then struct sigcontext aligned to 16: 32 general registers (pc in x0's place) and the FP state
// union (f[32] + fcsr, padded to the Q-extension size 528).
struct RiscvUcontext {
  GuestUcontextHead head;
  uint8_t reserved[120];
  uint64_t align_pad;
  uint64_t gregs[32];
  uint64_t fpregs[32];
  uint32_t fcsr;
  uint8_t fp_reserved[528 - 256 - 4];
};
static_assert(offsetof(RiscvUcontext, reserved) == 48);
static_assert(offsetof(RiscvUcontext, gregs) == 176);
static_assert(sizeof(RiscvUcontext) == 960);

struct RtSigframe {
  GuestSiginfo info;
  RiscvUcontext uc;
};
static_assert(sizeof(RtSigframe) == 1088);

// With V, Linux (6.5+) chains extension records from the last 8 bytes of the FP union
// (sc_extdesc.hdr; the u32 before it must be 0): a RISCV_V_MAGIC record holding vstart, vl,
// vtype, vcsr, vlenb and datap, the registers at datap, then an END record (magic and size 0).
constexpr uint32_t kRiscvVMagic = 0x53465457;
constexpr size_t kExtHdrOff = offsetof(RtSigframe, uc) + offsetof(RiscvUcontext, fpregs) + 520;
struct VState {
  uint64_t vstart, vl, vtype, vcsr, vlenb, datap;
};
struct VFrameTail {
  VState state;
  uint8_t regs[32 * riscv::kVlenb];
  uint32_t end_magic, end_size;
  uint64_t pad;
};
constexpr uint32_t kVRecordSize = 8 + sizeof(VState) + 32 * riscv::kVlenb;
static_assert(sizeof(RtSigframe) + sizeof(VFrameTail) == 1664);

// Walks the extension records as Linux's restore_sigcontext does: a V record restores the vector
// state from its datap; an unknown record or a nonzero reserved word fails the sigreturn.
bool restore_vector(GuestMemory& mem, riscv::RiscvCpu& c, uint64_t frame, const RtSigframe& f) {
  const uint8_t* raw = reinterpret_cast<const uint8_t*>(&f);
  uint32_t reserved;
  memcpy(&reserved, raw + kExtHdrOff - 4, 4);
  if (reserved != 0) return false;
  uint64_t hdr_addr = frame + kExtHdrOff;
  for (int n = 0; n < 8; ++n) {
    uint32_t hdr[2];
    if (!copy_from_guest(mem, hdr, hdr_addr, sizeof hdr)) return false;
    if (hdr[0] == 0 && hdr[1] == 0) return true;
    if (hdr[0] != kRiscvVMagic || hdr[1] != kVRecordSize) return false;
    VState st;
    if (!copy_from_guest(mem, &st, hdr_addr + 8, sizeof st)) return false;
    if (!copy_from_guest(mem, c.vreg, st.datap, sizeof c.vreg)) return false;
    c.vstart = st.vstart & (riscv::kVlenb * 8 - 1);
    riscv::set_vector_config(c, st.vl, st.vtype);
    c.vxsat = st.vcsr & 1;
    c.vxrm = (st.vcsr >> 1) & 3;
    hdr_addr += hdr[1];
  }
  return false;
}

}  // namespace

bool RiscvThread::setup_signal_frame(int sig, const GuestSigaction& act, const GuestSiginfo& info,
                                     uint64_t saved_mask) {
  riscv::RiscvCpu& c = cpu_state;
  thread_local RtSigframe f;  // large: keep it off the (possibly alternate) host stack
  thread_local VFrameTail v;
  memset(static_cast<void*>(&f), 0, sizeof f);
  const uint64_t sp = signal_frame_top(signals, c.x[2], act, saved_mask, f.uc.head);
  // Linux saves V only while the thread may use it (a thread with V off has no live V state).
  const bool v_on = c.ext_v && !(c.tb_flags & riscv::kTbVOff);
  const size_t size = sizeof(RtSigframe) + (v_on ? sizeof(VFrameTail) : 0);
  const uint64_t frame = (sp - size) & ~uint64_t(15);
  f.info = info;
  f.uc.gregs[0] = c.pc;
  for (int i = 1; i < 32; i++) f.uc.gregs[i] = c.x[i];
  memcpy(f.uc.fpregs, c.f, sizeof f.uc.fpregs);
  f.uc.fcsr = riscv::fp_get_fflags(c) | ((c.frm & 7) << 5);  // flags accrued in MXCSR too
  if (v_on) {
    const uint32_t hdr[2] = {kRiscvVMagic, kVRecordSize};
    memcpy(reinterpret_cast<uint8_t*>(&f) + kExtHdrOff, hdr, sizeof hdr);
    v.state = {c.vstart,      c.vl,
               c.vtype,       (uint64_t(c.vxrm) << 1) | c.vxsat,
               riscv::kVlenb, frame + sizeof(RtSigframe) + offsetof(VFrameTail, regs)};
    memcpy(v.regs, c.vreg, sizeof v.regs);
    v.end_magic = v.end_size = 0;
    v.pad = 0;
    if (!copy_to_guest(*proc_.mem, frame + sizeof f, &v, sizeof v)) return false;
  }
  if (!copy_to_guest(*proc_.mem, frame, &f, sizeof f)) return false;

  c.x[1] = proc_.sigreturn_trampoline;  // ra: where the handler returns
  c.x[2] = frame;
  c.x[10] = uint64_t(sig);
  c.x[11] = frame + offsetof(RtSigframe, info);
  c.x[12] = frame + offsetof(RtSigframe, uc);
  c.pc = act.handler;
  return true;
}

bool RiscvThread::restore_signal_frame(uint64_t* mask) {
  riscv::RiscvCpu& c = cpu_state;
  thread_local RtSigframe f;
  const uint64_t frame = c.x[2];
  if (!copy_from_guest(*proc_.mem, &f, frame, sizeof f)) return false;
  c.pc = f.uc.gregs[0];
  for (int i = 1; i < 32; i++) c.x[i] = f.uc.gregs[i];
  memcpy(c.f, f.uc.fpregs, sizeof c.f);
  riscv::fp_set_fflags(c, f.uc.fcsr & 0x1f);
  riscv::fp_set_frm(c, (f.uc.fcsr >> 5) & 7);  // also MXCSR rounding and tb_flags
  c.reserve_addr = ~0ull;                      // a handler between LR and SC breaks the reservation
  if (c.ext_v && !(c.tb_flags & riscv::kTbVOff) && !restore_vector(*proc_.mem, c, frame, f)) return false;
  *mask = f.uc.head.uc_sigmask;
  return true;
}

std::string RiscvThread::describe_insn(uint64_t pc) {
  uint8_t b[4];
  unsigned n = 0;
  if (copy_from_guest(*proc_.mem, b, pc, 2)) {
    n = (b[0] & 3) == 3 ? 4 : 2;
    if (n == 4 && !copy_from_guest(*proc_.mem, b + 2, pc + 2, 2)) n = 2;
  }
  if (n == 0) return "instruction not readable";
  uint32_t insn = 0;
  memcpy(&insn, b, n);
  std::string text = "bytes";
  for (unsigned i = 0; i < n; i++) text += fmt::format(" {:02x}", b[i]);
  std::string mnem = riscv::disassemble_insn(insn, pc);
  text += " (" + (mnem.empty() ? std::string("unknown instruction") : mnem) + ")";
  return text;
}

}  // namespace mimic::linux_user::riscv64
