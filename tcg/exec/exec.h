// ExecEngine: the execution loop, block lookup and chaining, invalidation and full flushes.
#pragma once

#include <ucontext.h>

#include <atomic>
#include <condition_variable>
#include <csetjmp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "tcg/backend.h"
#include "tcg/exec/code_buffer.h"
#include "tcg/exec/cpu_base.h"
#include "tcg/exec/guest.h"
#include "tcg/exec/log.h"
#include "tcg/exec/options.h"
#include "tcg/exec/perf_map.h"
#include "tcg/exec/softmmu.h"
#include "tcg/exec/tb.h"
#include "tcg/exec/tb_table.h"
#include "tcg/llvm/tier2.h"

namespace mimic::tcg {

// Counters of one engine, summed over its CPUs (for tests, the benchmark and -d diagnostics).
struct ExecStats {
  uint64_t translations = 0;      // blocks translated (JIT or interpreter)
  uint64_t blocks_entered = 0;    // times the loop entered a block (chained jumps not counted)
  uint64_t chain_exits = 0;       // kExitChain exits (unchained GotoTb)
  uint64_t lookup_exits = 0;      // kExitLookup exits (GotoPtr jump-cache misses)
  uint64_t jc_table_hits = 0;     // jump-cache misses the global table held (not new code)
  uint64_t chains = 0;            // slots patched into direct jumps
  uint64_t flushes = 0;           // full code-cache flushes
  uint64_t invalidated = 0;       // blocks dropped by invalidate_range
  uint64_t tier2_regions = 0;     // regions compiled and swapped in by tier 2
  uint64_t tier2_rejected = 0;    // hot blocks left to tier 1 (no loop back to them, or an op tier 2 lacks)
  uint64_t tier2_entered = 0;     // times the loop entered tier-2 code
  uint64_t tier2_dropped = 0;     // regions dropped by invalidation
  uint64_t tier2_compile_ms = 0;  // time tier 2 spent compiling (its thread's or, forced, the guest's)
};

// One engine per guest process (linux-user) or machine (system mode). Several threads may call
// run() at once, each with its own CpuBase; they share the code cache.
class ExecEngine {
 public:
  ExecEngine(const EngineOptions& options, GuestTranslator& translator);
  ~ExecEngine();
  ExecEngine(const ExecEngine&) = delete;
  ExecEngine& operator=(const ExecEngine&) = delete;

  // Runs guest code from env->pc until an exit the caller must handle: a frontend reason
  // (>= kExitGuestBase), kExitUnaligned, kExitMemFault, or kExitInterrupt when env->exit_request
  // is set (the caller delivers signals/interrupts and resets exit_request). Sets env->epilogue
  // and env->jump_cache; registers env on first use. kExitInterrupt may be spurious: the engine
  // also uses exit_request to stop CPUs for a flush.
  uint32_t run(CpuBase* env);

  // Registers a CPU (run() does it on first use) / forgets it. Call unregister_cpu before the
  // CpuBase is freed (guest thread exit), from outside run().
  void register_cpu(CpuBase* env);
  void unregister_cpu(CpuBase* env);

  // Drops every block overlapping guest [start, end): removes it from the table and from every
  // CPU's jump cache and unchains every jump into it. Its memory is reclaimed at the next flush.
  // Callable from any thread, inside or outside run() (helpers: fence.i, SMC detection).
  void invalidate_range(uint64_t start, uint64_t end);

  // Called with the guest range a translation is about to read ([pc, pc + 1)) and, after it,
  // with the range it read; under the translation lock. linux-user write-protects guest-writable
  // code pages here to detect self-modifying code. Set before run() is first called.
  void set_code_read_hook(std::function<void(uint64_t, uint64_t)> hook) { code_read_hook_ = std::move(hook); }

  // Debugger breakpoints (guest pcs; in system mode virtual addresses under any mapping): the
  // instruction at one exits with kExitDebug instead of running. Adding or removing one drops the
  // translations of its page (all of them in system mode, where blocks are found by physical
  // page). Call from outside run(). False when it was already there / not there.
  bool add_breakpoint(uint64_t pc);
  bool remove_breakpoint(uint64_t pc);
  // linux-user debugger: while on, single-stepped instructions (CpuBase::single_step) run in the
  // IR interpreter even in a JIT engine, so that the thread's MemAccessObserver sees their loads
  // and stores (read and access watchpoints).
  void set_interpret_single_steps(bool on) {
    if (on) interp_used_.store(true);
    interpret_steps_.store(on);
  }

  // Flushes the whole code cache. Outside run() it waits for every other CPU to leave translated
  // code (exclusive section); from a helper inside translated code it is deferred to the next
  // safe point of the calling CPU's loop.
  void flush();

  // Clears a CPU's jump cache (needed when env->tb_flags change outside the loop's view; the
  // loop itself does this whenever it sees tb_flags differ from the cache's).
  void flush_jump_cache(CpuBase* env);

  // fork() of a guest process (linux-user's fork-style clone), called outside run():
  //   int s = engine.before_fork(); pid = fork(); child: engine.after_fork_child(s);
  //   parent (also when fork failed): engine.after_fork_parent(s).
  // The child gets its own copy of the code cache, which is otherwise shared (see CodeBuffer).
  // Other threads may be running guest code or translating: before_fork stops them at a safe
  // point (exclusive section) and holds the translation lock across fork, so the child never
  // inherits a half-made translation or a lock held by a thread it does not have. `survivor` is
  // the forking thread's CPU, the only one the child keeps.
  int before_fork();
  void after_fork_child(int snapshot, CpuBase* survivor);
  void after_fork_parent(int snapshot);

  // Exclusive sections (like QEMU's start_exclusive/end_exclusive): on return from
  // start_exclusive no other CPU is inside run()'s translated code or loop; they wait at their
  // next safe point until end_exclusive. Must be called from outside run() (or via flush()).
  void start_exclusive();
  void end_exclusive();

  // Precise state on faults. Async-signal-safe (no locks, no allocation): the guest pc of the
  // instruction whose host code contains host_pc, or nullopt when host_pc is not in a block.
  std::optional<uint64_t> guest_pc_for_host_pc(uintptr_t host_pc) const;
  // The same for a guest access that faulted in translated code (a host signal with context
  // `uc`): also stores into env the guest state the block still kept in host registers there
  // (the block's per-site fault-state records), so env is exact at the faulting instruction.
  std::optional<uint64_t> recover_fault_state(CpuBase* env, uintptr_t host_pc, const ucontext_t* uc) const;
  bool in_code_cache(uintptr_t host_pc) const { return code_.contains_exec(host_pc); }
  // True while the calling thread is inside the IR interpreter: env->pc then already holds the
  // pc of the current instruction. Async-signal-safe.
  static bool current_thread_interpreting();
  // The CPU the calling thread is running inside run(), or null. Async-signal-safe.
  static CpuBase* current_cpu();
  // Bracket a call that may block, made inside run() (an exit hook's system call): meanwhile the
  // CPU counts as outside translated code, so exclusive sections (flushes) do not wait for it.
  // The code cache may have been flushed when the second returns: only the trampolines and the
  // jump cache (emptied then) may be used after it.
  static void leave_translated_code();
  static void reenter_translated_code();

  ExecStats stats() const;
  // With -d stats, logs stats() once (the first call; the destructor calls it too).
  void report_stats();
  const EngineOptions& options() const { return options_; }
  // System mode: which physical pages hold code (every vCPU's SoftMmu registers with it; a
  // write that reaches one drops its blocks). Null in linux-user.
  CodePages* code_pages() { return code_pages_.get(); }
  GuestTranslator& translator() { return translator_; }
  Logger& logger() { return logger_; }

  struct RunContext;  // one active run() call (internal; named here for the thread-local pointer)

 private:
  struct Cpu;
  struct InterpBlockKey {
    uint64_t pc;
    uint32_t flags;
    uint64_t phys_page = 0;  // system mode
    bool operator==(const InterpBlockKey&) const = default;
  };
  struct InterpKeyHash {
    size_t operator()(const InterpBlockKey& k) const { return std::hash<uint64_t>()(k.pc * 31 + k.flags); }
  };
  using InterpBlockPtr = std::shared_ptr<const Block>;

  Cpu* cpu_for(CpuBase* env);
  uint32_t run_jit(Cpu* cpu, RunContext& ctx);
  uint32_t run_interp(Cpu* cpu, RunContext& ctx);
  TranslationBlock* find_tb(Cpu* cpu, uint64_t pc, uint32_t flags, RunContext& ctx);
  // Translates (pc, flags) into `block_` (IR, optimized), logging in_asm/op/op_opt.
  // `for_tier2`: every guest-state store stays in place (tier 2 cannot apply the per-site fault
  // records that let tier 1 defer them; docs/tier2.md).
  void translate_ir(const CpuBase& env, uint64_t pc, uint32_t flags, unsigned max_insns, bool for_tier2 = false);
  TranslationBlock* translate_locked(Cpu* cpu, uint64_t pc, uint32_t flags, uint64_t phys_page, bool* need_flush);
  // System mode: the physical page of the code at pc under `flags` (TranslationBlock::kNoPage
  // when it cannot be fetched: the block then raises the fetch fault); 0 in linux-user.
  uint64_t code_phys_page(const CpuBase& env, uint64_t pc, uint32_t flags) const;
  // Whether a block's code overlaps [start, end): guest addresses in linux-user, the physical
  // bytes it was translated from in system mode.
  bool tb_in_range(const TranslationBlock* tb, uint64_t start, uint64_t end) const;
  // System mode: calls f(phys, len) for the physical bytes of each page the block's code came from.
  template <class F>
  static void for_each_phys_range(const TranslationBlock* tb, F f);
  // System mode: records in CodePages the code left on a page after some of its blocks went.
  void record_page_code_locked(uint64_t page_index);
  // Drops the blocks a breakpoint change at pc affects (debugger).
  void drop_blocks_at(uint64_t pc);
  void chain(TranslationBlock* from, unsigned slot, TranslationBlock* to);
  void patch_jump(TranslationBlock* tb, unsigned slot, uintptr_t target);
  void unlink_incoming(TranslationBlock* tb);
  void remove_outgoing(TranslationBlock* tb);
  void invalidate_tb_locked(TranslationBlock* tb);
  void fill_jump_cache(Cpu* cpu, TranslationBlock* tb);
  // System mode: whether the block's code lies on one virtual page that could be fetched (always
  // in linux-user); whether it may be found without a lookup (jump cache, chained jumps); whether
  // the translation of its second page (if any) is still the one it was translated from.
  bool maps_one_page(const TranslationBlock* tb) const;
  bool jump_cacheable(const TranslationBlock* tb) const;
  bool second_page_current(const CpuBase& env, const TranslationBlock* tb) const;
  void clear_jump_cache(Cpu* cpu);
  // Flushes from inside the loop (OutOfSpace, a deferred flush()): leaves the running state,
  // takes the exclusive section, flushes unless someone else already did since `seen_generation`
  // (~0: only if a deferred flush is still pending), and resumes.
  void flush_from_loop(Cpu* cpu, RunContext& ctx, uint64_t seen_generation);
  void do_flush_locked();
  void lock_for_fork();      // before_fork: every engine lock, in the lock order
  void unlock_after_fork();  // both sides of the fork
  void exec_start(Cpu* cpu);
  void exec_end(Cpu* cpu);
  void log_translation(const CpuBase& env, const TranslationBlock* tb);

  // Tier 2 (the "Tier 2" section of exec.cpp). tier2_ is null when it is off or not built.
  void tier2_init();
  bool tier2_sampling() const { return tier2_ != nullptr && !tier2_force_; }
  // Counts `weight` entries of tb; a block that gets hot is gathered into a region and compiled.
  void tier2_count(Cpu* cpu, TranslationBlock* tb, RunContext& ctx, uint32_t weight);
  // The hot block and the hot blocks it reaches by direct branches, translated again.
  bool tier2_form_locked(Cpu* cpu, TranslationBlock* head, Tier2Region& region, std::vector<Block>& blocks);
  void tier2_finish(const std::shared_ptr<Tier2Region>& region, bool ok, const std::string& why);
  uint32_t run_tier2(Cpu* cpu, RunContext& ctx, void (*fn)(CpuBase*));
  void tier2_drop_range_locked(uint64_t start, uint64_t end);
  void tier2_flush_locked();
  // Generated code must not find a block that tier 2 now runs: clears its jump-cache entries.
  void clear_code_jump_caches_locked(const TranslationBlock* tb);
  // The jump cache's key of a block (its pc, bit 0 set under interwork_flag_) and the mode a
  // jump cache holds blocks of (tb_flags without it).
  uint64_t jump_cache_key(const TranslationBlock* tb) const { return tb->pc | ((tb->flags & interwork_flag_) ? 1 : 0); }
  uint32_t jump_cache_mode(uint32_t flags) const { return flags & ~interwork_flag_; }
  // After a GotoPtr miss: env->pc is the interworking address, the block's pc is without bit 0.
  void strip_interwork_bit(CpuBase* env) const {
    if (interwork_flag_) env->pc &= ~uint64_t(1);
  }

  EngineOptions options_;
  GuestTranslator& translator_;
  const uint32_t interwork_flag_;  // translator_.interwork_flag()
  std::function<void(uint64_t, uint64_t)> code_read_hook_;
  BreakpointSet breakpoints_;              // guarded by tb_mutex_ (translations read it under it)
  std::unique_ptr<CodePages> code_pages_;  // system mode
  Logger logger_;
  std::atomic<bool> stats_reported_{false};
  PerfMap perf_map_;
  BackendOptions backend_options_;

  // Translation state, guarded by tb_mutex_ (the "tb lock"); lookups are lock-free.
  std::mutex tb_mutex_;
  CodeBuffer code_;
  Trampolines trampolines_;
  TbStore store_;
  TbTable table_;
  std::unordered_map<uint64_t, std::vector<TranslationBlock*>> pages_;  // guest page -> blocks
  Block block_;                                                         // reused IR block
  std::vector<PcMapEntry> pc_map_;                                      // reused pc map
  std::atomic<uint64_t> generation_{0};                                 // bumped by every flush
  std::atomic<bool> flush_pending_{false};
  std::atomic<bool> interpret_steps_{false};
  std::atomic<bool> interp_used_{false};  // interp_blocks_ may hold blocks (invalidation sweeps it)

  // Interpreter mode: IR blocks by (pc, flags); readers share, translation and invalidation own.
  mutable std::shared_mutex interp_mutex_;
  std::unordered_map<InterpBlockKey, InterpBlockPtr, InterpKeyHash> interp_blocks_;

  // CPU registry and the exclusive-section protocol, guarded by cpus_mutex_.
  // Lock order: tb_mutex_ before cpus_mutex_.
  mutable std::mutex cpus_mutex_;
  std::condition_variable exclusive_cond_;  // the exclusive thread waits for running CPUs
  std::condition_variable resume_cond_;     // CPUs wait for the exclusive section to end
  std::atomic<int> pending_cpus_{0};        // nonzero while an exclusive section is pending/active
  std::vector<std::unique_ptr<Cpu>> cpus_;
  uint64_t retired_blocks_entered_ = 0, retired_chain_exits_ = 0, retired_lookup_exits_ = 0;
  uint64_t retired_table_hits_ = 0;

  std::atomic<uint64_t> translations_{0}, chains_{0}, flushes_{0}, invalidated_{0};

  std::unique_ptr<Tier2Compiler> tier2_;
  bool tier2_force_ = false;
  uint32_t tier2_threshold_ = 1000;
  // Swapped-in regions and dropped ones whose code may still run until the next flush (tb_mutex_).
  std::vector<std::shared_ptr<Tier2Region>> tier2_regions_, tier2_retired_;
  std::atomic<uint64_t> tier2_compiled_{0}, tier2_rejected_{0}, tier2_dropped_{0};
  std::atomic<uint64_t> tier2_entered_{0};
};

// Leaves translated code (or the interpreter) for the loop of the calling thread, which returns
// `reason` from run(). For helpers raising guest exceptions: they set env->pc (and fault_addr)
// first. Not for use outside run() of env's thread.
[[noreturn]] void cpu_loop_exit(CpuBase* env, uint32_t reason);
// The same from a host signal handler (SIGSEGV/SIGBUS in translated code): restores the signal
// mask the handler interrupted (uc->uc_sigmask) so the signal is not left blocked, then jumps.
[[noreturn]] void cpu_loop_exit_from_signal(CpuBase* env, uint32_t reason, const ucontext_t* uc);

}  // namespace mimic::tcg
