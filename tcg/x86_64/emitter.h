// The per-block emission context shared by the x86-64 op emitters, and their declarations.
#pragma once

#include <xbyak/xbyak.h>

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <new>
#include <type_traits>
#include <vector>

#include "tcg/backend.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/x86_64/mem_groups.h"
#include "tcg/x86_64/regalloc.h"

namespace mimic::tcg::x86_64 {

// Host features the emitters choose between, detected once with Xbyak::util::Cpu.
struct HostFeatures {
  bool bmi1 = false;  // tzcnt, andn
  bool bmi2 = false;  // shlx/shrx/sarx/rorx
  bool lzcnt = false;
  bool popcnt = false;
  bool sse41 = false;
  bool sse42 = false;  // pcmpgtq
  bool ssse3 = false;
};
const HostFeatures& host_features();

// An out-of-line stub to emit after the block body: the callable is stored in place. A
// std::function allocates on the heap for a capture over 16 bytes, and most stubs capture 40-130
// (several per block: a guest-limit fault path per memory access, a chain stub per exit).
class DeferredStub {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, DeferredStub>>>
  explicit DeferredStub(F&& f) {
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= sizeof(buf_) && alignof(Fn) <= alignof(std::max_align_t),
                  "a deferred stub's capture is larger than DeferredStub's storage");
    new (buf_) Fn(std::forward<F>(f));
    ops_ = &kOps<Fn>;
  }
  DeferredStub(DeferredStub&& o) noexcept : ops_(o.ops_) {
    ops_->relocate(buf_, o.buf_);
    o.ops_ = nullptr;
  }
  DeferredStub& operator=(DeferredStub&&) = delete;
  ~DeferredStub() {
    if (ops_) ops_->destroy(buf_);
  }
  void operator()() { ops_->call(buf_); }

 private:
  struct Ops {
    void (*call)(void*);
    void (*relocate)(void* to, void* from);  // move-construct at `to`, destroy `from`
    void (*destroy)(void*);
  };
  template <class Fn>
  static constexpr Ops kOps = {
      [](void* p) { (*static_cast<Fn*>(p))(); },
      [](void* to, void* from) {
        new (to) Fn(std::move(*static_cast<Fn*>(from)));
        static_cast<Fn*>(from)->~Fn();
      },
      [](void* p) { static_cast<Fn*>(p)->~Fn(); },
  };
  alignas(std::max_align_t) unsigned char buf_[144];
  const Ops* ops_ = nullptr;
};

// A fault-state entry placed at its site: the env field, its size and where its value is.
struct SiteValue {
  uint32_t offset;
  uint8_t size;  // 4, 8 or 16 bytes
  RegAlloc::Location loc;
};
// The storage compile_block reuses from one block to the next on a thread: the assembler
// (assembler.h: retargeted at each block's region) and the Ctx's vectors, kept at the capacity of
// the largest block seen.
struct BackendScratch {
  BlockAssembler code;
  std::vector<SiteValue> site_values;  // of every site of the block, in order
  std::vector<uint8_t> state_map;      // the block's encoded per-site records (CompileResult)
  std::vector<size_t> label_index;
  std::vector<DeferredStub> stubs;
  std::deque<Xbyak::Label> label_pool;
  std::vector<MemGroupRole> mem_groups;  // system mode: each instruction's soft-MMU access group
};

class Ctx {
 public:
  Ctx(BackendScratch& scratch, const Block& block, uint64_t tb_cookie, std::vector<PcMapEntry>& pc_map,
      const BackendOptions& options, CompileResult& result);
  ~Ctx();

  BlockAssembler& code;
  const Block& block;
  RegAlloc ra;
  uint64_t tb_cookie;
  std::vector<PcMapEntry>& pc_map;
  CompileResult& result;
  bool use_bmi1, use_bmi2, use_lzcnt;
  bool use_sse41;                    // the optional SSE4.1 forms of the lane-wise integer vector ops (emit_vec.cpp)
  bool use_sse42;                    // pcmpgtq (VFSpecial, emit_vec.cpp); off whenever use_sse41 is
  size_t index = 0;                  // instruction being emitted
  uint64_t insn_pc = 0;              // guest pc of the last InsnStart (precise faults)
  size_t skip_through = 0;           // an emitter that emitted the following ops too sets this
  std::vector<size_t>& label_index;  // IR label id -> index of its Label instruction
  // (IR labels are BlockAssembler's block labels: code.bind_label/jcc_label with the id.)

  // Out-of-line code (exit stubs, fault paths) emitted after the block body, in order.
  template <class F>
  void defer(F&& fn) {
    stubs_.emplace_back(std::forward<F>(fn));
  }
  void emit_deferred();
  // An Xbyak label for the less common paths (rip-relative data, the soft-MMU slow path).
  Xbyak::Label& new_label() { return label_pool_.emplace_back(); }

  // Places the operands; at a memory op with fault-state entries also notes where each entry's
  // value is (the op's site record), now that nothing moves before the access.
  Assigned assign(const Inst& inst, const Constraints& c) {
    Assigned a = ra.assign(index, inst, c);
    if (!block.fault_state.empty()) open_site();
    return a;
  }
  // Per-site fault-state records (state_map.cpp). open_site() captures the current op's entries
  // (a no-op without any); close_site() after the op's inline code encodes its host range.
  void open_site();
  void close_site();
  // Out-of-line fault paths of the current site (limit check, alignment, soft-MMU slow path):
  // stores the captured entries into env. Returns what to pass to the deferred stub.
  struct SiteRef {
    uint32_t first = 0, count = 0;
  };
  SiteRef site() const { return site_; }
  void emit_state_writeback(SiteRef s);
  Type arg_type(const Arg& a) const { return ra.arg_type(a); }

  // Leaving translated code: `jmp [env + epilogue]` (an absolute target, so position independent).
  void jmp_epilogue();
  // env->pc = pc (an immediate or a register), env->exit_reason = reason.
  void store_exit(uint64_t pc_imm, HReg pc_reg, uint32_t reason);
  // A 64-bit store of an immediate into env at `off` (via r11 when it does not fit imm32).
  void store_env_imm64(uint32_t off, uint64_t v);

  // Guest memory operand [guest_base + addr] for an I64 address operand (register or imm32).
  Xbyak::RegExp guest_addr(const Opnd& addr);

  // System mode (BackendOptions::softmmu): guest memory goes through the soft TLB.
  bool softmmu = false;
  uintptr_t softmmu_slow = 0;
  std::vector<MemGroupRole>& mem_groups;  // by instruction (empty: no groups)
  // How a memory op wants its address (system mode: always a register) and how many extra
  // GPR temps it needs for the TLB probe.
  InKind addr_kind() const { return softmmu ? InKind::Reg : InKind::RegOrImm; }
  uint8_t mem_temps() const { return softmmu ? 1 : 0; }
  // The host memory operand of a guest access. User mode: [guest_base + addr]. System mode:
  // probes the TLB inline (`tmp` ends up holding the page's addend: the operand is [addr + tmp])
  // and sets `slow` to the label a miss jumps to; the caller then emits its slow path there with
  // slow_path().
  Xbyak::RegExp guest_mem(const Opnd& addr, HReg tmp, uint64_t memop, bool write, Xbyak::Label** slow);
  // Emits, out of line at `slow`, the stub that stores the access (`store_args` writes
  // mem_args[1..2]), calls the shared slow path and moves the result (`load_result`), then
  // continues after the inline access; binds the continuation label here.
  void slow_path(Xbyak::Label* slow, const Opnd& addr, uint64_t desc, std::function<void()> store_args,
                 std::function<void()> load_result);
  // With MemOp::kAligned: branch to an out-of-line unaligned-access exit when misaligned.
  void check_alignment(const Opnd& addr, uint64_t memop);
  // User mode: the addresses (IR value base + offset, or base + or_offset: one of the two on each
  // path) whose guest-limit check passed on every path to the current instruction; an access
  // near both (up to 4 GiB above; within 2 GiB either side when the guards are that large) needs
  // no check of its own: it lands inside the space or in a guard. Cleared at each Label.
  struct CheckedAddr {
    ValueId base;
    uint64_t offset;
    uint64_t or_offset;
  };
  std::array<CheckedAddr, 8> checked_addrs{};
  unsigned num_checked_addrs = 0;

 private:
  std::vector<SiteValue>& site_values_;
  std::vector<uint8_t>& state_map_;
  SiteRef site_;  // entries of the op being emitted (count 0: none)
  bool site_open_ = false;
  uint32_t site_start_ = 0;     // host offset where the open site's code starts
  uint32_t prev_site_end_ = 0;  // for the delta encoding
  std::vector<DeferredStub>& stubs_;
  std::deque<Xbyak::Label>& label_pool_;  // deque: labels keep their addresses
};

// x86 condition codes (the low nibble of Jcc/SETcc/CMOVcc).
enum class X86Cond : uint8_t { O = 0, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };
X86Cond x86_cond(Cond c);
void emit_setcc(Xbyak::CodeGenerator& code, X86Cond cc, const Xbyak::Reg8& r);
void emit_cmov(Xbyak::CodeGenerator& code, X86Cond cc, const Xbyak::Reg& dst, const Xbyak::Operand& src);
// cmp/test of two integer operands (a must be a register) for a Cond.
void emit_compare(Ctx& ctx, Cond c, Type t, const Opnd& a, const Opnd& b);
// Zero- or sign-extends the low `size_log2` bytes of r to type t in place.
void extend_in_place(Xbyak::CodeGenerator& code, HReg r, Type t, unsigned size_log2, bool is_signed);

[[noreturn]] void unsupported(const Inst& inst, const char* what);

// One emitter per IR op (the X-macro keeps this list complete: a missing one fails to link).
#define OP(name, res, a0, a1, a2, a3, a4, a5, flags, desc) void emit_##name(Ctx& ctx, const Inst& inst);
#include "tcg/ir/opcodes.inc"
#undef OP

}  // namespace mimic::tcg::x86_64
