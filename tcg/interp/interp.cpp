// The IR interpreter: runs a Block directly with the same exit protocol as translated code.
//
// It is the reference the JIT is tested against (tests/difftest), and the engine's fallback with
// `-interp`. The scalar arithmetic comes from tcg/ir/eval.h so it cannot drift from the folder.
#include <xmmintrin.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "tcg/backend.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/exec/guest_limit.h"
#include "tcg/exec/softmmu.h"
#include "tcg/interp/mem_observer.h"

// Weak: linux-user programs link no soft-MMU, and only system mode (which does) calls it.
#pragma weak mimic_softmmu_slow
#include "tcg/helper.h"
#include "tcg/ir/eval.h"

namespace mimic::tcg {

namespace {
// System mode: one access through the soft-MMU's slow path (env->pc is the instruction's pc).
void softmmu_access(CpuBase* env, SlowOp op, uint64_t memop, uint64_t addr, uint64_t v1 = 0, uint64_t v2 = 0,
                    uint32_t rmw = 0) {
  env->mem_args[0] = addr;
  env->mem_args[1] = v1;
  env->mem_args[2] = v2;
  env->mem_args[3] = env->pc;
  env->mem_args[4] = slow_desc(op, uint32_t(memop), rmw);
  mimic_softmmu_slow(env);
}

using eval::V128;

// Per-thread scratch reused by every call: interpreting allocates nothing once warmed up.
// (Not reentrant: helpers never run guest blocks themselves.)
struct Scratch {
  std::vector<V128> values;
  std::vector<uint32_t> label_pos;
  std::vector<uint64_t> label_pc;  // guest pc of the instruction a label lies in (static order)
};
thread_local Scratch scratch;
thread_local MemAccessObserver* observer = nullptr;

void observe(uint64_t addr, uint64_t memop, bool write) {
  observer->on_access(addr, 1u << MemOp::size_log2(memop), write);
}

template <typename T>
T load_host(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename T>
void store_host(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

uint64_t load_sized(const uint8_t* p, unsigned size_log2) {
  switch (size_log2) {
    case 0: return *p;
    case 1: return load_host<uint16_t>(p);
    case 2: return load_host<uint32_t>(p);
    default: return load_host<uint64_t>(p);
  }
}
void store_sized(uint8_t* p, unsigned size_log2, uint64_t v) {
  switch (size_log2) {
    case 0: *p = uint8_t(v); break;
    case 1: store_host<uint16_t>(p, uint16_t(v)); break;
    case 2: store_host<uint32_t>(p, uint32_t(v)); break;
    default: store_host<uint64_t>(p, v); break;
  }
}

// Host atomic compare-and-swap of 1 << size_log2 bytes; returns the old memory value.
uint64_t host_cas(uint8_t* p, unsigned size_log2, uint64_t expected, uint64_t desired) {
  switch (size_log2) {
    case 0: {
      uint8_t e = uint8_t(expected);
      __atomic_compare_exchange_n(p, &e, uint8_t(desired), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
      return e;
    }
    case 1: {
      uint16_t e = uint16_t(expected);
      __atomic_compare_exchange_n(reinterpret_cast<uint16_t*>(p), &e, uint16_t(desired), false, __ATOMIC_SEQ_CST,
                                  __ATOMIC_SEQ_CST);
      return e;
    }
    case 2: {
      uint32_t e = uint32_t(expected);
      __atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(p), &e, uint32_t(desired), false, __ATOMIC_SEQ_CST,
                                  __ATOMIC_SEQ_CST);
      return e;
    }
    default: {
      uint64_t e = expected;
      __atomic_compare_exchange_n(reinterpret_cast<uint64_t*>(p), &e, desired, false, __ATOMIC_SEQ_CST,
                                  __ATOMIC_SEQ_CST);
      return e;
    }
  }
}

uint64_t host_atomic_load(const uint8_t* p, unsigned size_log2) {
  switch (size_log2) {
    case 0: return __atomic_load_n(p, __ATOMIC_RELAXED);
    case 1: return __atomic_load_n(reinterpret_cast<const uint16_t*>(p), __ATOMIC_RELAXED);
    case 2: return __atomic_load_n(reinterpret_cast<const uint32_t*>(p), __ATOMIC_RELAXED);
    default: return __atomic_load_n(reinterpret_cast<const uint64_t*>(p), __ATOMIC_RELAXED);
  }
}

[[noreturn]] void bad_block(const Block& block, size_t i, const char* what) {
  throw std::logic_error("interpret_block: " + std::string(what) + " at instruction " + std::to_string(i) +
                         " (block at guest pc 0x" +
                         [&] {
                           char buf[32];
                           std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(block.guest_pc));
                           return std::string(buf);
                         }() +
                         ")");
}

}  // namespace

// Runs the block under the guest's MXCSR, as the JIT's enter trampoline and epilogue do, so
// inline FP ops round and raise flags the same way in both engines. (A guest fault leaves by
// longjmp past the destructor: cpu_loop_exit_from_signal does the swap back then.)
namespace {
class GuestMxcsr {
 public:
  explicit GuestMxcsr(CpuBase* env) : env_(env) {
    env->host_mxcsr = _mm_getcsr();
    env->guest_mxcsr = (env->guest_mxcsr & kMxcsrGuestBits) | kMxcsrForced;
    _mm_setcsr(env->guest_mxcsr);
    env->mxcsr_live = 1;
  }
  ~GuestMxcsr() {
    env_->guest_mxcsr = _mm_getcsr();
    _mm_setcsr(env_->host_mxcsr);
    env_->mxcsr_live = 0;
  }
  GuestMxcsr(const GuestMxcsr&) = delete;
  GuestMxcsr& operator=(const GuestMxcsr&) = delete;

 private:
  CpuBase* env_;
};
}  // namespace

void set_thread_mem_observer(MemAccessObserver* o) { observer = o; }

void interpret_block(const Block& block, CpuBase* env) {
  if (env->exit_request.load(std::memory_order_relaxed) != 0) {
    env->pc = block.guest_pc;
    env->exit_reason = kExitInterrupt;
    return;
  }
  GuestMxcsr fp_env(env);
  const std::vector<Inst>& insts = block.insts();
  const size_t n = insts.size();
  Scratch& s = scratch;
  if (s.values.size() < n) s.values.resize(n);
  s.label_pos.assign(block.num_labels(), ~0u);
  s.label_pc.assign(block.num_labels(), block.guest_pc);
  // The guest instruction an op belongs to is the InsnStart before it in list order (what the
  // JIT's pc map says for its host code), also when a branch skipped that InsnStart.
  uint64_t pc = block.guest_pc;
  for (size_t i = 0; i < n; ++i) {
    if (insts[i].op == Opcode::InsnStart) pc = insts[i].args[0].imm;
    if (insts[i].op == Opcode::Label) {
      s.label_pos[insts[i].args[0].value] = uint32_t(i);
      s.label_pc[insts[i].args[0].value] = pc;
    }
  }

  V128* vals = s.values.data();
  auto get = [&](const Arg& a) -> uint64_t { return a.is_imm() ? a.imm : vals[a.value].lo; };
  auto get_v = [&](const Arg& a) -> V128 { return a.is_imm() ? V128{a.imm, 0} : vals[a.value]; };
  uint64_t cur_pc = block.guest_pc;  // guest pc of the instruction being run
  auto jump = [&](size_t i, uint32_t label) -> size_t {
    if (label >= s.label_pos.size() || s.label_pos[label] == ~0u || s.label_pos[label] <= i)
      bad_block(block, i, "branch to an undefined or backward label");
    cur_pc = s.label_pc[label];
    env->pc = cur_pc;
    return s.label_pos[label];  // the loop's ++i steps past the Label itself
  };
  // Misaligned kAligned access: leave with the precise guest pc (set by the last InsnStart).
  auto misaligned = [&](uint64_t memop, uint64_t addr) {
    if ((memop & MemOp::kAligned) == 0 || (addr & (MemOp::size_bytes(memop) - 1)) == 0) return false;
    env->pc = cur_pc;
    env->fault_addr = addr;
    env->exit_reason = kExitUnaligned;
    return true;
  };
  // User mode: an address outside the guest's space faults there, as generated code does
  // (Ctx::check_guest_limit), instead of reaching host memory beyond the reservation.
  auto outside = [&](uint64_t addr, bool write) {
    if (env->softmmu || addr < user_guest_limit()) return false;
    env->pc = cur_pc;
    env->fault_addr = addr;
    env->fault_write = write;
    env->exit_reason = kExitMemFault;
    return true;
  };

  // Stores the optimizer moved past memory ops (Block::fault_state) go to env before each op that
  // may fault, so a fault sees the exact state; the op's own later SetState rewrites the field.
  const std::vector<FaultStateEntry>& fault_state = block.fault_state;
  size_t next_fault_entry = 0;
  auto write_field = [&](uint64_t offset, const Arg& v) {
    uint8_t* p = reinterpret_cast<uint8_t*>(env) + offset;
    const V128 x = get_v(v);
    if (v.type == Type::V128) {
      store_host(p, x.lo);
      store_host(p + 8, x.hi);
    } else if (type_bits(v.type) == 32) {
      store_host(p, uint32_t(x.lo));
    } else {
      store_host(p, x.lo);
    }
  };
  auto settle_state = [&](size_t site) {
    while (next_fault_entry < fault_state.size() && fault_state[next_fault_entry].site < site) ++next_fault_entry;
    for (size_t e = next_fault_entry; e < fault_state.size() && fault_state[e].site == site; ++e)
      write_field(fault_state[e].offset, fault_state[e].value);
  };

  for (size_t i = 0; i < n; ++i) {
    const Inst& in = insts[i];
    const Arg* a = in.args.data();
    V128& out = vals[i];
    if (!fault_state.empty() && has_flag(in.op, kMayFault)) settle_state(i);
    switch (in.op) {
      case Opcode::Nop:
      case Opcode::Label:
      case Opcode::DiscardState:  // a liveness fact for the optimizer
      case Opcode::Fence:         // one thread runs a block; the host's own ordering is enough here
        break;
      case Opcode::InsnStart:
        cur_pc = a[0].imm;
        env->pc = cur_pc;
        break;
      case Opcode::GetState: {
        const uint8_t* p = reinterpret_cast<const uint8_t*>(env) + a[0].imm;
        if (in.type == Type::V128)
          out = V128{load_host<uint64_t>(p), load_host<uint64_t>(p + 8)};
        else
          out = V128{type_bits(in.type) == 32 ? load_host<uint32_t>(p) : load_host<uint64_t>(p), 0};
        break;
      }
      case Opcode::SetState: write_field(a[0].imm, a[1]); break;
      case Opcode::Br: i = jump(i, a[0].value); break;
      case Opcode::BrCond:
        if (eval::compare(Cond(a[2].imm), a[0].type, get(a[0]), get(a[1]))) i = jump(i, a[3].value);
        break;
      case Opcode::GotoTb:
        env->pc = a[1].imm;
        env->exit_reason = kExitChain;
        env->exit_tb = 0;
        env->exit_slot = uint32_t(a[0].imm);
        return;
      case Opcode::GotoPtr:
        env->pc = get(a[0]);
        env->exit_reason = kExitLookup;
        return;
      case Opcode::ExitLoop:
        env->pc = get(a[1]);
        env->exit_reason = uint32_t(a[0].imm);
        return;
      case Opcode::Mov:
      case Opcode::Select:
        if (in.type == Type::V128) {
          out = in.op == Opcode::Mov ? get_v(a[0]) : (get(a[0]) != 0 ? get_v(a[1]) : get_v(a[2]));
          break;
        }
        [[fallthrough]];
      default: {
        uint64_t args[kMaxArgs];
        for (int k = 0; k < in.num_args; ++k) args[k] = get(a[k]);
        uint64_t r;
        if (!eval::scalar(in.op, in.type, a[0].type, args, r)) bad_block(block, i, "unhandled opcode");
        out = V128{r, 0};
        break;
      }
      case Opcode::Load: {
        const uint64_t addr = get(a[0]), memop = a[1].imm;
        if (misaligned(memop, addr)) return;
        if (outside(addr, false)) return;
        if (env->softmmu) {
          softmmu_access(env, SlowOp::Load, memop, addr);
          out = MemOp::size_log2(memop) == 4 ? V128{env->mem_args[0], env->mem_args[1]}
                                             : V128{eval::extend_loaded(env->mem_args[0], memop, in.type), 0};
          break;
        }
        if (observer) observe(addr, memop, false);
        const uint8_t* p = env->guest_base + addr;
        if (MemOp::size_log2(memop) == 4)
          out = V128{load_host<uint64_t>(p), load_host<uint64_t>(p + 8)};
        else
          out = V128{eval::extend_loaded(load_sized(p, MemOp::size_log2(memop)), memop, in.type), 0};
        break;
      }
      case Opcode::Store: {
        const uint64_t addr = get(a[0]), memop = a[2].imm;
        if (misaligned(memop, addr)) return;
        if (outside(addr, true)) return;
        const V128 v = get_v(a[1]);
        if (env->softmmu) {
          softmmu_access(env, SlowOp::Store, memop, addr, v.lo, v.hi);
          break;
        }
        if (observer) observe(addr, memop, true);
        uint8_t* p = env->guest_base + addr;
        if (MemOp::size_log2(memop) == 4) {
          store_host(p, v.lo);
          store_host(p + 8, v.hi);
        } else {
          store_sized(p, MemOp::size_log2(memop), v.lo);
        }
        break;
      }
      case Opcode::AtomicCas: {
        const uint64_t addr = get(a[0]), memop = a[3].imm;
        if (misaligned(memop, addr)) return;
        if (outside(addr, true)) return;
        const unsigned sz = MemOp::size_log2(memop);
        if (env->softmmu) {
          softmmu_access(env, SlowOp::Cas, memop, addr, get(a[1]), get(a[2]));
          out = V128{eval::extend_loaded(env->mem_args[0], memop, in.type), 0};
          break;
        }
        if (observer) {
          observe(addr, memop, false);
          observe(addr, memop, true);
        }
        // Compares the low MemOp-size bits of A1, as the host's sized cmpxchg does.
        const uint64_t old = host_cas(env->guest_base + addr, sz, get(a[1]), get(a[2]));
        out = V128{eval::extend_loaded(old, memop, in.type), 0};
        break;
      }
      case Opcode::AtomicRmw: {
        const uint64_t addr = get(a[0]), memop = a[2].imm;
        if (misaligned(memop, addr)) return;
        if (outside(addr, true)) return;
        const unsigned sz = MemOp::size_log2(memop);
        const uint64_t v = get(a[1]);
        if (env->softmmu) {
          softmmu_access(env, SlowOp::Rmw, memop, addr, v, 0, uint32_t(a[3].imm));
          out = V128{eval::extend_loaded(env->mem_args[0], memop, in.type), 0};
          break;
        }
        if (observer) {
          observe(addr, memop, false);
          observe(addr, memop, true);
        }
        uint8_t* p = env->guest_base + addr;
        uint64_t old = host_atomic_load(p, sz);
        for (;;) {
          const uint64_t seen = host_cas(p, sz, old, eval::rmw(RmwOp(a[3].imm), sz, old, v));
          if (seen == old) break;
          old = seen;
        }
        out = V128{eval::extend_loaded(old, memop, in.type), 0};
        break;
      }
      case Opcode::Call:
      case Opcode::CallVoid: {
        uint64_t args[5] = {0, 0, 0, 0, 0};
        for (int k = 1; k < in.num_args; ++k) args[k - 1] = get(a[k]);
        const HelperInfo& h = helper_info(uint32_t(a[0].imm));
        const uint64_t r = h.fn(env, args[0], args[1], args[2], args[3], args[4]);
        out = V128{r & eval::type_mask(in.type), 0};
        break;
      }
      case Opcode::VConst: out = V128{a[0].imm, a[1].imm}; break;
      case Opcode::VAnd: out = V128{get_v(a[0]).lo & get_v(a[1]).lo, get_v(a[0]).hi & get_v(a[1]).hi}; break;
      case Opcode::VOr: out = V128{get_v(a[0]).lo | get_v(a[1]).lo, get_v(a[0]).hi | get_v(a[1]).hi}; break;
      case Opcode::VXor: out = V128{get_v(a[0]).lo ^ get_v(a[1]).lo, get_v(a[0]).hi ^ get_v(a[1]).hi}; break;
      case Opcode::VAndC: out = V128{get_v(a[0]).lo & ~get_v(a[1]).lo, get_v(a[0]).hi & ~get_v(a[1]).hi}; break;
      case Opcode::VAdd:
      case Opcode::VSub:
        out = eval::lanewise_add(get_v(a[0]), get_v(a[1]), unsigned(a[2].imm), in.op == Opcode::VSub);
        break;
      case Opcode::VDup: out = eval::dup(get(a[0]), unsigned(a[1].imm)); break;
      case Opcode::VCmp: out = eval::vcmp(get_v(a[0]), get_v(a[1]), Cond(a[2].imm), unsigned(a[3].imm)); break;
      case Opcode::VMinS:
      case Opcode::VMinU:
      case Opcode::VMaxS:
      case Opcode::VMaxU:
        out = eval::vminmax(get_v(a[0]), get_v(a[1]), unsigned(a[2].imm),
                            in.op == Opcode::VMinS || in.op == Opcode::VMaxS,
                            in.op == Opcode::VMaxS || in.op == Opcode::VMaxU);
        break;
      case Opcode::VMul: out = eval::vmul(get_v(a[0]), get_v(a[1]), unsigned(a[2].imm)); break;
      case Opcode::VShlI:
      case Opcode::VShrI:
      case Opcode::VSarI:
        out = eval::vshift_imm(get_v(a[0]), unsigned(a[1].imm), unsigned(a[2].imm),
                               in.op == Opcode::VShlI   ? 0
                               : in.op == Opcode::VShrI ? 1
                                                        : 2);
        break;
      case Opcode::VNarrow: out = eval::vnarrow(get_v(a[0]), unsigned(a[1].imm)); break;
      case Opcode::VZeroHigh: out = eval::vzero_high(get_v(a[0])); break;
      case Opcode::VUzp: out = eval::vuzp(get_v(a[0]), get_v(a[1]), unsigned(a[2].imm), a[3].imm != 0); break;
      case Opcode::VWidenU:
      case Opcode::VWidenS:
        out = eval::vwiden(get_v(a[0]), unsigned(a[1].imm), a[2].imm != 0, in.op == Opcode::VWidenS);
        break;
      case Opcode::VFAdd:
      case Opcode::VFSub:
      case Opcode::VFMul:
      case Opcode::VFDiv: out = eval::vfbin(in.op, get_v(a[0]), get_v(a[1]), unsigned(a[2].imm)); break;
      case Opcode::VFMA: out = eval::vfma(get_v(a[0]), get_v(a[1]), get_v(a[2]), unsigned(a[3].imm)); break;
      case Opcode::VFSpecial: out = V128{eval::vfspecial(get_v(a[0]), unsigned(a[1].imm)), 0}; break;
      case Opcode::VExtract:
        out = V128{eval::lane_get(get_v(a[0]), unsigned(a[1].imm), unsigned(a[2].imm)) & eval::type_mask(in.type), 0};
        break;
      case Opcode::VInsert: {
        V128 v = get_v(a[0]);
        eval::lane_set(v, unsigned(a[2].imm), unsigned(a[3].imm), get(a[1]));
        out = v;
        break;
      }
    }
  }
  bad_block(block, n, "block does not end in a block-exit op");
}

}  // namespace mimic::tcg
