// ExecEngine: the run loop, translation, chaining, jump caches, invalidation and exclusive flushes.
#include "tcg/exec/exec.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xmmintrin.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "tcg/exec/guest_limit.h"

#if __has_include("tcg/opt/passes.h")
#include "tcg/opt/passes.h"
#define MIMIC_HAVE_OPT_PASSES 1
#endif
#if __has_include("tcg/ir/printer.h")
#include "tcg/ir/printer.h"
#define MIMIC_HAVE_IR_PRINTER 1
#endif
#if __has_include("tcg/x86_64/disasm.h")
#include "tcg/x86_64/disasm.h"
#define MIMIC_HAVE_HOST_DISASM 1
#endif

namespace mimic::tcg {

namespace {
// kPageBits (softmmu.h) is also the granularity of the page index used by invalidation.

// Counters written only by their CPU's thread and summed by stats(): plain loads and stores,
// no locked instructions on the loop's path.
inline void bump(std::atomic<uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// Tier 2 samples hot code through the block budget: one tick per this many block entries.
constexpr int32_t kTier2SamplePeriod = 4096;
// Blocks gathered into one region at most, and regions waiting for the compiler thread at most.
constexpr size_t kTier2MaxRegionBlocks = 8;
constexpr size_t kTier2MaxPending = 16;

// Bumped whenever a Cpu record disappears, so that per-thread caches of Cpu pointers go stale.
std::atomic<uint64_t> g_cpu_epoch{1};
}  // namespace

// One jump cache per translation mode (tb_flags value) a CPU has run in lately: generated code
// probes the cache by pc alone, so a cache may only hold blocks of one mode, and guests that
// switch modes all the time (ARM<->Thumb interworking, RISC-V U<->S, AArch64 EL0<->EL1) would
// otherwise empty it at every switch.
struct JumpCacheSet {
  JumpCacheEntry* entries = nullptr;                      // what generated code probes
  std::unique_ptr<std::atomic<TranslationBlock*>[]> tbs;  // the TB behind each entry
  std::atomic<uint32_t> flags{0};
  // The entries filled since the last clear, each once (the owner's thread fills and clears;
  // others clear only while it is stopped): system mode clears the cache at every TLB flush,
  // with a few dozen of its kJumpCacheSize entries in use. Past kMaxFilled a clear empties every
  // entry.
  static constexpr size_t kMaxFilled = 1024;
  std::vector<uint16_t> filled;
  std::unique_ptr<bool[]> in_filled;
  bool filled_overflow = false;

  void note_fill(size_t i) {
    if (filled_overflow || in_filled[i]) return;
    if (filled.size() == kMaxFilled) {
      filled_overflow = true;
      return;
    }
    filled.push_back(uint16_t(i));
    in_filled[i] = true;
  }
  void clear_entry(size_t i) {
    __atomic_store_n(&entries[i].guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
    tbs[i].store(nullptr, std::memory_order_relaxed);
    in_filled[i] = false;
  }

  void allocate() {
    in_filled.reset(new bool[kJumpCacheSize]());
    filled.reserve(kMaxFilled);
    tbs.reset(new std::atomic<TranslationBlock*>[kJumpCacheSize]);
    auto* e = static_cast<JumpCacheEntry*>(std::aligned_alloc(64, kJumpCacheSize * sizeof(JumpCacheEntry)));
    if (!e) throw std::bad_alloc();
    for (size_t i = 0; i < kJumpCacheSize; ++i) {
      e[i] = JumpCacheEntry{kJumpCacheEmpty, 0};
      tbs[i].store(nullptr, std::memory_order_relaxed);
    }
    // Published last: other threads walk only sets whose entries they can see.
    __atomic_store_n(&entries, e, __ATOMIC_RELEASE);
  }
  JumpCacheEntry* visible() const { return __atomic_load_n(&entries, __ATOMIC_ACQUIRE); }
  void clear() {
    if (filled_overflow) {
      for (size_t i = 0; i < kJumpCacheSize; ++i) clear_entry(i);
    } else {
      for (uint16_t i : filled) clear_entry(i);
    }
    filled.clear();
    filled_overflow = false;
  }
  ~JumpCacheSet() { std::free(entries); }
};
constexpr unsigned kJumpCacheModes = 4;

struct ExecEngine::Cpu {
  CpuBase* env = nullptr;
  // sets[active] is the cache of the mode the CPU runs in now; the others are allocated when
  // first needed (most linux-user guests never change mode) and reused oldest first.
  std::array<JumpCacheSet, kJumpCacheModes> sets;
  unsigned active = 0, next_victim = 1;
  JumpCacheEntry* jump_cache = nullptr;           // sets[active].entries
  std::atomic<TranslationBlock*>* tbs = nullptr;  // sets[active].tbs
  std::atomic<bool> running{false};               // inside run() between exec_start and exec_end
  bool has_waiter = false;                        // counted by a pending exclusive section (cpus_mutex_)
  std::atomic<uint64_t> blocks_entered{0}, chain_exits{0}, lookup_exits{0};
  // find_tb calls that the jump cache missed but the global table held: a conflict or
  // capacity miss, not new code (-d stats: jc_table_hits).
  std::atomic<uint64_t> table_hits{0};

  Cpu(CpuBase* e, uint32_t mode) : env(e) {
    sets[0].allocate();
    sets[0].flags.store(mode, std::memory_order_relaxed);
    activate(0);
  }
  uint32_t jc_flags() const { return sets[active].flags.load(std::memory_order_relaxed); }
  void activate(unsigned i) {
    active = i;
    jump_cache = sets[i].entries;
    tbs = sets[i].tbs.get();
    env->jump_cache = jump_cache;
  }
  // Makes `flags`'s cache the active one (owner thread only).
  void switch_mode(uint32_t flags) {
    for (unsigned i = 0; i < kJumpCacheModes; ++i) {
      if (sets[i].visible() && sets[i].flags.load(std::memory_order_relaxed) == flags) return activate(i);
    }
    unsigned i = next_victim;
    next_victim = next_victim + 1 == kJumpCacheModes ? 1 : next_victim + 1;
    if (i == active) i = 0;
    if (!sets[i].visible()) {
      sets[i].allocate();
    } else {
      sets[i].flags.store(~flags, std::memory_order_relaxed);  // nobody matches it while it empties
      sets[i].clear();
    }
    sets[i].flags.store(flags, std::memory_order_relaxed);
    activate(i);
  }
  // Every allocated set, for invalidation from any thread.
  template <typename F>
  void for_each_set(F&& f) {
    for (auto& set : sets) {
      if (set.visible()) f(set);
    }
  }
};

// State of one active run() call, reachable from cpu_loop_exit through a thread-local pointer.
struct ExecEngine::RunContext {
  sigjmp_buf jmp;
  ExecEngine* engine = nullptr;
  Cpu* cpu = nullptr;
  CpuBase* env = nullptr;
  RunContext* prev = nullptr;
  uint32_t reason = 0;
  bool holds_tb_lock = false;  // so that a longjmp out of translation releases the lock
  volatile bool interpreting = false;
  InterpBlockPtr interp_block;  // keeps the interpreted block alive across invalidation
};

namespace {
// initial-exec TLS: reading it is a plain %fs-relative load, safe inside signal handlers.
__attribute__((tls_model("initial-exec"))) thread_local ExecEngine::RunContext* tls_ctx = nullptr;

struct CpuCache {
  const ExecEngine* engine = nullptr;
  CpuBase* env = nullptr;
  void* cpu = nullptr;
  uint64_t epoch = 0;
};
thread_local CpuCache tls_cpu_cache;

// RAII for the tb lock that also records it in the run context.
class TbLock {
 public:
  TbLock(std::mutex& m, ExecEngine::RunContext* ctx) : m_(m), ctx_(ctx) {
    m_.lock();
    if (ctx_) ctx_->holds_tb_lock = true;
  }
  ~TbLock() {
    if (ctx_) ctx_->holds_tb_lock = false;
    m_.unlock();
  }
  TbLock(const TbLock&) = delete;
  TbLock& operator=(const TbLock&) = delete;

 private:
  std::mutex& m_;
  ExecEngine::RunContext* ctx_;
};
}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction and the CPU registry

ExecEngine::ExecEngine(const EngineOptions& options, GuestTranslator& translator)
    : options_(options),
      translator_(translator),
      interwork_flag_(translator.interwork_flag()),
      logger_(options),
      perf_map_(options.perf_map || PerfMap::enabled_by_environment(), translator.arch_name()),
      code_(options.interpreter ? 65536 : options.code_cache_bytes),
      // Generous maxima in lazily committed memory: a block is never smaller than ~32 bytes
      // of host code, and there is at most one pc-map entry per few bytes of it.
      store_(std::max<size_t>(code_.capacity() / 32, 64), std::max<size_t>(code_.capacity() / 4, 256)) {
  if (options_.max_block_insns == 0) options_.max_block_insns = 1;
  translator_.set_breakpoints(&breakpoints_);
  if (!options_.interpreter) trampolines_ = code_.install_trampolines(options_.system ? &mimic_softmmu_slow : nullptr);
  backend_options_.fold_addresses = !options_.simple_codegen;
  if (options_.system) {
    backend_options_.softmmu = true;
    backend_options_.softmmu_slow = trampolines_.softmmu_slow;
    backend_options_.block_budget = options_.block_budget;
    code_pages_ = std::make_unique<CodePages>([this](uint64_t start, uint64_t end) { invalidate_range(start, end); });
  }
  tier2_init();
}

ExecEngine::~ExecEngine() {
  report_stats();
  tier2_.reset();  // joins the compiler thread before the blocks it reports to go away
  translator_.set_breakpoints(nullptr);
  g_cpu_epoch.fetch_add(1, std::memory_order_acq_rel);
  for (auto& c : cpus_) {
    if (c->env->jump_cache == c->jump_cache) c->env->jump_cache = nullptr;
  }
}

// Every engine lock is held across fork, in the lock order, so that the child inherits none
// that a thread it does not have was holding: a thread that starts or exits takes cpus_mutex_
// (register_cpu, unregister_cpu) at any moment, and an invalidation from outside run() takes
// interp_mutex_.
void ExecEngine::lock_for_fork() {
  tb_mutex_.lock();
  if (tier2_) tier2_->before_fork();
  interp_mutex_.lock();
  cpus_mutex_.lock();
}

void ExecEngine::unlock_after_fork() {  // the parent's side
  cpus_mutex_.unlock();
  interp_mutex_.unlock();
  if (tier2_) tier2_->after_fork(false);
  tb_mutex_.unlock();
}

int ExecEngine::before_fork() {
  start_exclusive();
  lock_for_fork();
  return code_.prepare_fork();  // under the tb lock: no half-made translation is copied
}

void ExecEngine::after_fork_parent(int snapshot) {
  CodeBuffer::parent_after_fork(snapshot);
  unlock_after_fork();
  end_exclusive();
}

void ExecEngine::after_fork_child(int snapshot, CpuBase* survivor) {
  // The forking thread locked them before fork. A glibc default mutex does not check its owner,
  // so the child's only thread unlocks it; a rwlock's writer unlock compares the owner's tid,
  // which is another one in the child, so interp_mutex_ starts afresh.
  cpus_mutex_.unlock();
  new (&interp_mutex_) std::shared_mutex();
  if (tier2_) tier2_->after_fork(true);
  tb_mutex_.unlock();
  code_.child_after_fork(snapshot);
  // Threads of the parent may have been waiting on these; their state must not outlive them
  // (destroying a condition variable with recorded waiters blocks forever).
  new (&exclusive_cond_) std::condition_variable();
  new (&resume_cond_) std::condition_variable();
  {
    std::lock_guard lock(cpus_mutex_);
    std::erase_if(cpus_, [&](const std::unique_ptr<Cpu>& c) { return c->env != survivor; });
    for (auto& c : cpus_) c->running.store(false);
    g_cpu_epoch.fetch_add(1, std::memory_order_acq_rel);
  }
  end_exclusive();
}

void ExecEngine::register_cpu(CpuBase* env) {
  std::lock_guard lock(cpus_mutex_);
  for (auto& c : cpus_) {
    if (c->env == env) return;
  }
  auto cpu = std::make_unique<Cpu>(env, jump_cache_mode(env->tb_flags));
  env->jump_cache = cpu->jump_cache;
  // The jump cache is keyed by virtual pc: it is only valid while the TLB's mappings are.
  if (options_.system && env->softmmu) {
    env->softmmu->set_flush_hook([this, c = cpu.get()](uint64_t vpage) {
      if (vpage == SoftMmu::kFlushAll) return clear_jump_cache(c);
      c->for_each_set([vpage](JumpCacheSet& set) {
        auto drop = [&](size_t i) {
          if ((__atomic_load_n(&set.entries[i].guest_pc, __ATOMIC_RELAXED) & kPageMask) != vpage) return;
          __atomic_store_n(&set.entries[i].guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
          set.tbs[i].store(nullptr, std::memory_order_relaxed);
        };
        if (set.filled_overflow) {
          // Every pc of the page hashes into its own range of the cache.
          const size_t first = jump_cache_page_first(vpage);
          for (size_t i = first; i < first + kJumpCachePageEntries; ++i) drop(i);
        } else {
          for (uint16_t i : set.filled) drop(i);
        }
      });
    });
  }
  cpus_.push_back(std::move(cpu));
}

void ExecEngine::unregister_cpu(CpuBase* env) {
  std::lock_guard lock(cpus_mutex_);
  for (size_t i = 0; i < cpus_.size(); ++i) {
    if (cpus_[i]->env != env) continue;
    Cpu* c = cpus_[i].get();
    retired_blocks_entered_ += c->blocks_entered.load(std::memory_order_relaxed);
    retired_chain_exits_ += c->chain_exits.load(std::memory_order_relaxed);
    retired_lookup_exits_ += c->lookup_exits.load(std::memory_order_relaxed);
    retired_table_hits_ += c->table_hits.load(std::memory_order_relaxed);
    if (env->jump_cache == c->jump_cache) env->jump_cache = nullptr;
    cpus_.erase(cpus_.begin() + ptrdiff_t(i));
    g_cpu_epoch.fetch_add(1, std::memory_order_acq_rel);
    return;
  }
}

ExecEngine::Cpu* ExecEngine::cpu_for(CpuBase* env) {
  CpuCache& cache = tls_cpu_cache;
  uint64_t epoch = g_cpu_epoch.load(std::memory_order_acquire);
  if (cache.engine == this && cache.env == env && cache.epoch == epoch) return static_cast<Cpu*>(cache.cpu);
  register_cpu(env);
  std::lock_guard lock(cpus_mutex_);
  for (auto& c : cpus_) {
    if (c->env == env) {
      cache = CpuCache{this, env, c.get(), epoch};
      return c.get();
    }
  }
  throw std::logic_error("ExecEngine: CPU vanished while registering");
}

ExecStats ExecEngine::stats() const {
  ExecStats s;
  s.translations = translations_.load();
  s.chains = chains_.load();
  s.flushes = flushes_.load();
  s.invalidated = invalidated_.load();
  s.tier2_regions = tier2_compiled_.load();
  s.tier2_rejected = tier2_rejected_.load();
  s.tier2_entered = tier2_entered_.load();
  s.tier2_dropped = tier2_dropped_.load();
  s.tier2_compile_ms = tier2_ ? tier2_->compile_us() / 1000 : 0;
  std::lock_guard lock(cpus_mutex_);
  s.blocks_entered = retired_blocks_entered_;
  s.chain_exits = retired_chain_exits_;
  s.lookup_exits = retired_lookup_exits_;
  s.jc_table_hits = retired_table_hits_;
  for (auto& c : cpus_) {
    s.blocks_entered += c->blocks_entered.load(std::memory_order_relaxed);
    s.chain_exits += c->chain_exits.load(std::memory_order_relaxed);
    s.lookup_exits += c->lookup_exits.load(std::memory_order_relaxed);
    s.jc_table_hits += c->table_hits.load(std::memory_order_relaxed);
  }
  return s;
}

void ExecEngine::report_stats() {
  if (!logger_.enabled(LogFlag::kStats) || stats_reported_.exchange(true)) return;
  const ExecStats s = stats();
  logger_.write(fmt::format(
      "stats: translations={} blocks_entered={} chain_exits={} lookup_exits={} chains={} "
      "flushes={} invalidated={} tier2_regions={} tier2_rejected={} tier2_entered={} tier2_dropped={} "
      "tier2_compile_ms={} jc_table_hits={}\n",
      s.translations, s.blocks_entered, s.chain_exits, s.lookup_exits, s.chains, s.flushes, s.invalidated,
      s.tier2_regions, s.tier2_rejected, s.tier2_entered, s.tier2_dropped, s.tier2_compile_ms, s.jc_table_hits));
}

CpuBase* ExecEngine::current_cpu() {
  ExecEngine::RunContext* ctx = tls_ctx;
  return ctx ? ctx->env : nullptr;
}

void ExecEngine::leave_translated_code() {
  RunContext* ctx = tls_ctx;
  ctx->engine->exec_end(ctx->cpu);
}

void ExecEngine::reenter_translated_code() {
  RunContext* ctx = tls_ctx;
  ctx->engine->exec_start(ctx->cpu);
}

bool ExecEngine::current_thread_interpreting() {
  ExecEngine::RunContext* ctx = tls_ctx;
  return ctx && ctx->interpreting;
}

// ---------------------------------------------------------------------------------------------
// The loop

uint32_t ExecEngine::run(CpuBase* env) {
  Cpu* cpu = cpu_for(env);
  env->epilogue = trampolines_.epilogue;
  env->chain_exit = trampolines_.chain_exit;
  env->jump_cache = cpu->jump_cache;
  if (tier2_sampling() && env->block_budget <= 0) env->block_budget = kTier2SamplePeriod;

  RunContext ctx;
  ctx.engine = this;
  ctx.cpu = cpu;
  ctx.env = env;
  ctx.prev = tls_ctx;
  tls_ctx = &ctx;
  exec_start(cpu);

  auto leave = [&] {
    if (ctx.holds_tb_lock) {  // cpu_loop_exit from inside translation (a faulting fetch)
      ctx.holds_tb_lock = false;
      tb_mutex_.unlock();
    }
    ctx.interpreting = false;
    ctx.interp_block.reset();
    exec_end(cpu);
    tls_ctx = ctx.prev;
  };

  uint32_t reason;
  if (sigsetjmp(ctx.jmp, 0) == 0) {
    try {
      const bool interpret =
          options_.interpreter || (env->single_step && interpret_steps_.load(std::memory_order_relaxed));
      reason = interpret ? run_interp(cpu, ctx) : run_jit(cpu, ctx);
    } catch (...) {
      leave();
      throw;
    }
  } else {
    reason = ctx.reason;  // from cpu_loop_exit
  }
  leave();
  return reason;
}

uint32_t ExecEngine::run_jit(Cpu* cpu, RunContext& ctx) {
  CpuBase* env = cpu->env;
  const bool nochain = (options_.log & LogFlag::kNoChain) != 0;
  const bool log_exec = logger_.enabled(LogFlag::kExec);
  TranslationBlock* last = nullptr;  // block whose unchained slot brought us here
  unsigned last_slot = 0;
  for (;;) {
    if (env->exit_request.load(std::memory_order_relaxed)) return kExitInterrupt;
    if (flush_pending_.load(std::memory_order_relaxed)) {
      flush_from_loop(cpu, ctx, ~0ull);
      last = nullptr;
    }
    uint64_t gen = generation_.load(std::memory_order_relaxed);
    const bool step = env->single_step != 0;
    TranslationBlock* tb = find_tb(cpu, env->pc, env->tb_flags | (step ? kTbSingleStep : 0), ctx);
    // Only this thread can have flushed since `last` exited (others wait for us): check that.
    if (last && !nochain && !step && generation_.load(std::memory_order_relaxed) == gen) chain(last, last_slot, tb);
    last = nullptr;
    if (tier2_) {
      if (tb->tier2.load(std::memory_order_acquire) == nullptr) tier2_count(cpu, tb, ctx, 1);
      if (auto fn = tb->tier2.load(std::memory_order_acquire); fn && !step) {
        if (log_exec)
          logger_.write(fmt::format("Trace: host=0x{:x} pc=0x{:x} tier2\n", reinterpret_cast<uintptr_t>(fn), tb->pc));
        if (uint32_t reason = run_tier2(cpu, ctx, fn); reason != kExitLookup) return reason;
        continue;
      }
    }
    if (log_exec) logger_.write(fmt::format("Trace: host=0x{:x} pc=0x{:x}\n", tb->code, tb->pc));
    bump(cpu->blocks_entered);
    trampolines_.enter(env, reinterpret_cast<const void*>(tb->code));
    switch (uint32_t reason = env->exit_reason) {
      case kExitChain:
        bump(cpu->chain_exits);
        if (step) return env->exit_reason = kExitDebug;
        last = reinterpret_cast<TranslationBlock*>(env->exit_tb);
        last_slot = env->exit_slot & 1;
        break;
      case kExitLookup:
        bump(cpu->lookup_exits);
        strip_interwork_bit(env);
        if (step) return env->exit_reason = kExitDebug;
        break;
      case kExitInterrupt:
        // Tier 2's sampling tick (the block budget ran out, nothing asked us to stop): the block
        // about to run at env->pc is hot in proportion to how often a tick lands on it.
        if (tier2_sampling() && env->block_budget < 0 && !env->exit_request.load(std::memory_order_relaxed)) {
          env->block_budget = kTier2SamplePeriod;
          if (TranslationBlock* hot = table_.lookup(env->pc, env->tb_flags, 0))
            tier2_count(cpu, hot, ctx, std::max(1u, tier2_threshold_ / 8));
          break;
        }
        return reason;
      default: return reason;
    }
  }
}

uint32_t ExecEngine::run_interp(Cpu* cpu, RunContext& ctx) {
  CpuBase* env = cpu->env;
  const bool log_exec = logger_.enabled(LogFlag::kExec);
  for (;;) {
    if (env->exit_request.load(std::memory_order_relaxed)) return kExitInterrupt;
    if (flush_pending_.load(std::memory_order_relaxed)) flush_from_loop(cpu, ctx, ~0ull);
    const bool step = env->single_step != 0;
    const uint32_t flags = env->tb_flags | (step ? kTbSingleStep : 0);
    const InterpBlockKey key{env->pc, flags, code_phys_page(*env, env->pc, flags)};
    InterpBlockPtr block;
    {
      std::shared_lock lock(interp_mutex_);
      auto it = interp_blocks_.find(key);
      if (it != interp_blocks_.end()) block = it->second;
    }
    if (!block) {
      TbLock lock(tb_mutex_, &ctx);
      {
        std::shared_lock rlock(interp_mutex_);
        auto it = interp_blocks_.find(key);
        if (it != interp_blocks_.end()) block = it->second;
      }
      if (!block) {
        if (code_pages_ && key.phys_page != TranslationBlock::kNoPage) {
          // The interpreter's blocks are dropped by page (invalidate_range): all of it is code.
          code_pages_->mark(key.phys_page);
          code_pages_->add_code(key.phys_page, kPageSize);
        }
        translate_ir(*env, key.pc, key.flags, step ? 1 : options_.max_block_insns);
        block = std::make_shared<const Block>(block_);
        // System mode keys a block by its first page only: one reaching into a second page
        // (whose mapping may change) is translated again each time.
        const uint64_t last = key.pc + (block_.guest_size ? block_.guest_size : 1) - 1;
        std::unique_lock wlock(interp_mutex_);
        if (!options_.system || (last & kPageMask) == (key.pc & kPageMask)) interp_blocks_[key] = block;
        translations_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (options_.block_budget && --env->block_budget < 0)
      return env->exit_reason = kExitInterrupt;  // as the JIT's entry
    if (log_exec) {
      logger_.write(fmt::format("Trace: host=0x{:x} pc=0x{:x}\n", reinterpret_cast<uintptr_t>(block.get()), key.pc));
    }
    bump(cpu->blocks_entered);
    ctx.interp_block = block;
    ctx.interpreting = true;
    interpret_block(*block, env);
    ctx.interpreting = false;
    switch (uint32_t reason = env->exit_reason) {
      case kExitChain: bump(cpu->chain_exits); break;
      case kExitLookup:
        bump(cpu->lookup_exits);
        strip_interwork_bit(env);
        break;
      default: return reason;
    }
    if (step) return env->exit_reason = kExitDebug;
  }
}

TranslationBlock* ExecEngine::find_tb(Cpu* cpu, uint64_t pc, uint32_t flags, RunContext& ctx) {
  // Generated code probes the jump cache by its key alone, so it must only hold blocks of the
  // current mode: a mode change switches to that mode's cache.
  if (jump_cache_mode(flags) != cpu->jc_flags()) cpu->switch_mode(jump_cache_mode(flags));
  const size_t idx = jump_cache_index(pc);
  // The entry's pc first: generated code has just read that line (a GotoPtr that missed), while
  // the TB behind it is usually cold, and after such a miss it is another pc's TB. An empty
  // entry may still have its TB (a block run by tier 2 keeps the loop's entry only).
  TranslationBlock* tb = nullptr;
  const uint64_t entry_pc = __atomic_load_n(&cpu->jump_cache[idx].guest_pc, __ATOMIC_RELAXED);
  if (entry_pc == pc || entry_pc == kJumpCacheEmpty) {
    tb = cpu->tbs[idx].load(std::memory_order_acquire);
    if (tb && tb->pc == pc && tb->flags == flags && !tb->invalid.load(std::memory_order_relaxed)) return tb;
  }

  const uint64_t phys_page = code_phys_page(*cpu->env, pc, flags);
  tb = table_.lookup(pc, flags, phys_page);
  if (tb) bump(cpu->table_hits);
  if (tb && !second_page_current(*cpu->env, tb)) {
    TbLock lock(tb_mutex_, &ctx);
    invalidate_tb_locked(tb);  // translated under another mapping of its second page
    tb = nullptr;
  }
  while (!tb) {
    bool need_flush = false;
    uint64_t gen;
    {
      TbLock lock(tb_mutex_, &ctx);
      gen = generation_.load(std::memory_order_relaxed);
      const bool cache_empty = store_.count() == 0;
      tb = translate_locked(cpu, pc, flags, phys_page, &need_flush);
      if (need_flush && cache_empty) {
        throw std::runtime_error(fmt::format("{} block at 0x{:x} does not fit in an empty code cache of {} bytes",
                                             translator_.arch_name(), pc, code_.capacity()));
      }
    }
    if (!need_flush) break;
    // Other CPUs may refill the cache before we retry; each flush still lets one block in.
    flush_from_loop(cpu, ctx, gen);
  }
  if (jump_cacheable(tb)) fill_jump_cache(cpu, tb);
  return tb;
}

bool ExecEngine::maps_one_page(const TranslationBlock* tb) const {
  if (!options_.system) return true;
  return tb->phys_page != TranslationBlock::kNoPage && ((tb->guest_end() - 1) & kPageMask) == (tb->pc & kPageMask);
}

bool ExecEngine::jump_cacheable(const TranslationBlock* tb) const {
  // Generated code would run a single-step block it found there without returning to the loop.
  // System mode: the jump cache (and a chained jump) is trusted only while the TLB holds the
  // translation of the block's one page, which a flush of that page empties. A block that raises
  // a fetch fault has no such translation (the page becoming valid is flushed without any code
  // fetched from it), and one reaching into a second page would need that page checked too: both
  // are found by a lookup each time.
  return !(tb->flags & kTbSingleStep) && maps_one_page(tb);
}

bool ExecEngine::second_page_current(const CpuBase& env, const TranslationBlock* tb) const {
  if (!options_.system || ((tb->guest_end() - 1) & kPageMask) == (tb->pc & kPageMask)) return true;
  return code_phys_page(env, tb->guest_end() - 1, tb->flags) == tb->phys_page2;
}

// ---------------------------------------------------------------------------------------------
// Translation

void ExecEngine::translate_ir(const CpuBase& env, uint64_t pc, uint32_t flags, unsigned max_insns, bool for_tier2) {
  block_.clear();
  block_.guest_pc = pc;
  block_.flags = flags;
  if (code_read_hook_) code_read_hook_(pc, pc + 1);
  translator_.translate(block_, env, max_insns);
  if (code_read_hook_ && block_.guest_size > 1) code_read_hook_(pc, pc + block_.guest_size);
  if (logger_.enabled(LogFlag::kInAsm)) {
    logger_.write(fmt::format("IN: {} pc=0x{:x} size={}\n{}\n", translator_.arch_name(), pc, block_.guest_size,
                              translator_.disassemble(env, pc, block_.guest_size)));
  }
#ifdef MIMIC_HAVE_IR_PRINTER
  if (logger_.enabled(LogFlag::kOp)) logger_.write(fmt::format("OP: pc=0x{:x}\n{}\n", pc, print_block(block_)));
#endif
#ifdef MIMIC_HAVE_OPT_PASSES
  if (options_.optimize) optimize(block_, !options_.simple_codegen && !for_tier2);
#endif
#ifdef MIMIC_HAVE_IR_PRINTER
  if (logger_.enabled(LogFlag::kOpOpt)) {
    logger_.write(fmt::format("OP after optimization: pc=0x{:x}\n{}\n", pc, print_block(block_)));
  }
#endif
}

uint64_t ExecEngine::code_phys_page(const CpuBase& env, uint64_t pc, uint32_t flags) const {
  if (!options_.system) return 0;
  uint64_t phys;
  if (!env.softmmu->code_phys(pc, translator_.code_mmu_index(flags), &phys)) return TranslationBlock::kNoPage;
  return phys & kPageMask;
}

template <class F>
void ExecEngine::for_each_phys_range(const TranslationBlock* tb, F f) {
  const uint64_t size = tb->guest_size ? tb->guest_size : 1;
  const uint64_t offset = tb->pc & ~kPageMask;
  if (tb->phys_page != TranslationBlock::kNoPage) f(tb->phys_page + offset, std::min(size, kPageSize - offset));
  if (tb->phys_page2 != TranslationBlock::kNoPage) f(tb->phys_page2, ((tb->pc + size - 1) & ~kPageMask) + 1);
}

bool ExecEngine::tb_in_range(const TranslationBlock* tb, uint64_t start, uint64_t end) const {
  if (!options_.system) return tb->overlaps(start, end);
  bool hit = false;
  for_each_phys_range(tb, [&](uint64_t phys, uint64_t len) { hit |= phys < end && phys + len > start; });
  return hit;
}

void ExecEngine::record_page_code_locked(uint64_t page_index) {
  CodePages::Map map;
  const uint64_t page = page_index << kPageBits;
  if (auto it = pages_.find(page_index); it != pages_.end())
    for (const TranslationBlock* tb : it->second) {
      if (tb->invalid.load(std::memory_order_relaxed)) continue;
      for_each_phys_range(tb, [&](uint64_t phys, uint64_t len) {
        if ((phys & kPageMask) == page) map.add(phys & ~kPageMask, len);
      });
    }
  code_pages_->set_code(page, map);
}

TranslationBlock* ExecEngine::translate_locked(Cpu* cpu, uint64_t pc, uint32_t flags, uint64_t phys_page,
                                               bool* need_flush) {
  if (TranslationBlock* tb = table_.lookup(pc, flags, phys_page)) return tb;  // another thread was quicker
  // Marked before the code is read: a write that races with the translation drops the block.
  if (code_pages_ && phys_page != TranslationBlock::kNoPage) code_pages_->mark(phys_page);
  unsigned max_insns = (flags & kTbSingleStep) ? 1 : options_.max_block_insns;
  for (;;) {
    translate_ir(*cpu->env, pc, flags, max_insns);
    TranslationBlock* tb = store_.prepare();
    if (!tb) {
      *need_flush = true;
      return nullptr;
    }
    tb->pc = pc;
    tb->flags = flags;
    tb->guest_size = block_.guest_size;
    tb->phys_page = phys_page;
    if (options_.system && ((tb->guest_end() - 1) & kPageMask) != (pc & kPageMask)) {
      tb->phys_page2 = code_phys_page(*cpu->env, tb->guest_end() - 1, flags);
      if (tb->phys_page2 != TranslationBlock::kNoPage) code_pages_->mark(tb->phys_page2);
    }
    CompileResult r =
        compile_block(block_, code_.free_region(), reinterpret_cast<uint64_t>(tb), pc_map_, backend_options_);
    if (r.status == CompileResult::Status::OutOfSpace) {
      *need_flush = true;
      return nullptr;
    }
    if (r.status == CompileResult::Status::TooComplex) {
      if (max_insns <= 1 || block_.guest_insns <= 1) {
        throw std::runtime_error(
            fmt::format("{} block at 0x{:x} cannot be compiled: {}", translator_.arch_name(), pc, r.error));
      }
      max_insns = std::max(1u, std::min(max_insns, block_.guest_insns) / 2);
      continue;
    }
    tb->code = code_.commit(r.size);
    tb->code_size = uint32_t(r.size);
    for (unsigned s = 0; s < 2; ++s) {
      tb->jumps[s].used = r.slots[s].used;
      tb->jumps[s].jmp_offset = r.slots[s].jmp_offset;
      tb->jumps[s].reset_offset = r.slots[s].reset_offset;
      tb->jumps[s].target_pc = r.slots[s].target_pc;
    }
    if (!store_.commit(tb, pc_map_, r.state_map, r.state_map_size)) {
      *need_flush = true;
      return nullptr;
    }
    if (options_.system) {
      // Indexed by physical page: invalidation comes from writes to physical memory, and only
      // writes to the bytes a block came from drop it.
      for (uint64_t page : {tb->phys_page, tb->phys_page2})
        if (page != TranslationBlock::kNoPage) pages_[page >> kPageBits].push_back(tb);
      for_each_phys_range(tb, [&](uint64_t phys, uint64_t len) { code_pages_->add_code(phys, len); });
    } else {
      for (uint64_t page = pc >> kPageBits; page <= (tb->guest_end() - 1) >> kPageBits; ++page) {
        pages_[page].push_back(tb);
      }
    }
    table_.insert(tb);
    translations_.fetch_add(1, std::memory_order_relaxed);
    perf_map_.add(tb->code, tb->code_size, pc);
    log_translation(*cpu->env, tb);
    return tb;
  }
}

void ExecEngine::log_translation(const CpuBase& env, const TranslationBlock* tb) {
  if (!logger_.enabled(LogFlag::kOutAsm)) return;
#ifdef MIMIC_HAVE_HOST_DISASM
  logger_.write(fmt::format("OUT: pc=0x{:x} host=0x{:x} size={}\n{}\n", tb->pc, tb->code, tb->code_size,
                            disassemble_host(reinterpret_cast<const uint8_t*>(tb->code), tb->code_size, tb->code)));
#else
  logger_.write(fmt::format("OUT: pc=0x{:x} host=0x{:x} size={} (no host disassembler built in)\n", tb->pc, tb->code,
                            tb->code_size));
#endif
}

// ---------------------------------------------------------------------------------------------
// Chaining

void ExecEngine::patch_jump(TranslationBlock* tb, unsigned slot, uintptr_t target) {
  uintptr_t jmp = tb->code + tb->jumps[slot].jmp_offset;
  int64_t rel = int64_t(target) - int64_t(jmp + 5);
  // One aligned 32-bit store: a thread running the jump sees either the old or the new target.
  auto* field = reinterpret_cast<uint32_t*>(code_.write_alias(jmp + 1));
  __atomic_store_n(field, uint32_t(int32_t(rel)), __ATOMIC_RELEASE);
}

void ExecEngine::chain(TranslationBlock* from, unsigned slot, TranslationBlock* to) {
  TbJump& j = from->jumps[slot];
  // The chained jump skips the loop's flags check: only chain within one translation mode.
  if (!j.used || j.target_pc != to->pc || from->flags != to->flags || !jump_cacheable(to)) return;
  // System mode: only within one virtual page (QEMU's rule). Entering a page always goes
  // through a lookup by physical page, so a chain never outlives the mapping it was made under.
  if (options_.system && (from->pc & kPageMask) != (to->pc & kPageMask)) return;
  TbLock lock(tb_mutex_, tls_ctx);
  if (j.dest || from->invalid.load(std::memory_order_relaxed) || to->invalid.load(std::memory_order_relaxed)) return;
  if (to->tier2.load(std::memory_order_relaxed)) return;  // entered through the loop, which runs its region
  patch_jump(from, slot, to->code);
  j.dest = to;
  j.next_incoming = to->incoming;
  to->incoming = make_slot_ref(from, slot);
  chains_.fetch_add(1, std::memory_order_relaxed);
}

void ExecEngine::unlink_incoming(TranslationBlock* tb) {
  for (TbSlotRef r = tb->incoming; r != 0;) {
    TranslationBlock* src = slot_ref_tb(r);
    unsigned s = slot_ref_slot(r);
    r = src->jumps[s].next_incoming;
    patch_jump(src, s, src->code + src->jumps[s].reset_offset);
    src->jumps[s].dest = nullptr;
    src->jumps[s].next_incoming = 0;
  }
  tb->incoming = 0;
}

void ExecEngine::remove_outgoing(TranslationBlock* tb) {
  for (unsigned s = 0; s < 2; ++s) {
    TranslationBlock* dest = tb->jumps[s].dest;
    if (!dest) continue;
    const TbSlotRef me = make_slot_ref(tb, s);
    for (TbSlotRef* link = &dest->incoming; *link != 0;) {
      if (*link == me) {
        *link = tb->jumps[s].next_incoming;
        break;
      }
      link = &slot_ref_tb(*link)->jumps[slot_ref_slot(*link)].next_incoming;
    }
    tb->jumps[s].dest = nullptr;
    tb->jumps[s].next_incoming = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Jump caches

void ExecEngine::fill_jump_cache(Cpu* cpu, TranslationBlock* tb) {
  // The key's bit 0 does not change the index: pc and pc | 1 share an entry (and the clearing
  // code below and in invalidate_tb_locked finds it by tb->pc).
  static_assert(jump_cache_index(0x1234) == jump_cache_index(0x1235));
  const size_t idx = jump_cache_index(tb->pc);
  JumpCacheEntry& e = cpu->jump_cache[idx];
  // Invalidate the key first so generated code never pairs a new pc with an old entry point.
  __atomic_store_n(&e.guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
  __atomic_store_n(&e.host_code, uint64_t(tb->code), __ATOMIC_RELAXED);
  __atomic_store_n(&e.guest_pc, jump_cache_key(tb), __ATOMIC_RELEASE);
  cpu->tbs[idx].store(tb, std::memory_order_relaxed);
  cpu->sets[cpu->active].note_fill(idx);
  // Pairs with invalidate_tb_locked: either it sees our entry and clears it, or we see `invalid`.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (tb->invalid.load(std::memory_order_relaxed)) {
    __atomic_store_n(&e.guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
    cpu->tbs[idx].store(nullptr, std::memory_order_relaxed);
  } else if (tb->tier2.load(std::memory_order_relaxed)) {
    // Pairs with tier2_finish: generated code must not jump to the tier-1 code of a block
    // whose region runs in its place; the loop's own entry stays.
    __atomic_store_n(&e.guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
  }
}

void ExecEngine::clear_code_jump_caches_locked(const TranslationBlock* tb) {
  const size_t idx = jump_cache_index(tb->pc);
  std::lock_guard lock(cpus_mutex_);
  for (auto& c : cpus_) {
    c->for_each_set([idx, tb](JumpCacheSet& set) {
      JumpCacheEntry& e = set.entries[idx];
      if (__atomic_load_n(&e.host_code, __ATOMIC_RELAXED) == tb->code)
        __atomic_store_n(&e.guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
    });
  }
}

void ExecEngine::clear_jump_cache(Cpu* cpu) {
  cpu->for_each_set([](JumpCacheSet& set) { set.clear(); });
}

void ExecEngine::flush_jump_cache(CpuBase* env) { clear_jump_cache(cpu_for(env)); }

// ---------------------------------------------------------------------------------------------
// Invalidation

void ExecEngine::invalidate_tb_locked(TranslationBlock* tb) {
  if (tb->invalid.exchange(true, std::memory_order_seq_cst)) return;
  table_.remove(tb);
  unlink_incoming(tb);
  remove_outgoing(tb);
  const size_t idx = jump_cache_index(tb->pc);
  {
    std::lock_guard lock(cpus_mutex_);
    for (auto& c : cpus_) {
      c->for_each_set([idx, tb](JumpCacheSet& set) {
        JumpCacheEntry& e = set.entries[idx];
        if (__atomic_load_n(&e.host_code, __ATOMIC_RELAXED) == tb->code) {
          __atomic_store_n(&e.guest_pc, kJumpCacheEmpty, __ATOMIC_RELAXED);
        }
        TranslationBlock* expected = tb;
        set.tbs[idx].compare_exchange_strong(expected, nullptr, std::memory_order_relaxed);
      });
    }
  }
  invalidated_.fetch_add(1, std::memory_order_relaxed);
}

void ExecEngine::invalidate_range(uint64_t start, uint64_t end) {
  if (start >= end) return;
  if (options_.interpreter || interp_used_.load()) {
    std::unique_lock lock(interp_mutex_);
    for (auto it = interp_blocks_.begin(); it != interp_blocks_.end();) {
      const Block& b = *it->second;
      uint64_t bend = b.guest_pc + (b.guest_size ? b.guest_size : 1);
      const uint64_t kp = it->first.phys_page;
      const bool hit = options_.system ? (kp != TranslationBlock::kNoPage && kp < end && kp + kPageSize > start)
                                       : (b.guest_pc < end && bend > start);
      if (hit) {
        it = interp_blocks_.erase(it);
        invalidated_.fetch_add(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
    if (options_.interpreter) {
      if (code_pages_)
        for (uint64_t page = start & kPageMask; page < end; page += kPageSize) code_pages_->set_code(page, {});
      return;
    }
  }
  TbLock lock(tb_mutex_, nullptr);
  if (tier2_) tier2_drop_range_locked(start, end);
  auto sweep = [&](std::vector<TranslationBlock*>& tbs) {
    std::erase_if(tbs, [&](TranslationBlock* tb) {
      if (tb->invalid.load(std::memory_order_relaxed)) return true;  // dropped through another page
      if (!tb_in_range(tb, start, end)) return false;
      invalidate_tb_locked(tb);
      return true;
    });
  };
  const uint64_t first = start >> kPageBits, last = (end - 1) >> kPageBits;
  std::vector<uint64_t> swept;
  if (last - first >= pages_.size()) {  // a huge range (munmap of a region): walk the index
    for (auto it = pages_.begin(); it != pages_.end();) {
      if (it->first >= first && it->first <= last) {
        sweep(it->second);
        swept.push_back(it->first);
      }
      it = it->second.empty() ? pages_.erase(it) : std::next(it);
    }
  } else {
    for (uint64_t page = first; page <= last; ++page) {
      swept.push_back(page);
      auto it = pages_.find(page);
      if (it == pages_.end()) continue;
      sweep(it->second);
      if (it->second.empty()) pages_.erase(it);
    }
  }
  // What stays on each page is its code now. (A block reaching into a second page, dropped
  // through this one, stays in the other page's record until a write there finds it gone.)
  if (code_pages_)
    for (uint64_t page : swept) record_page_code_locked(page);
}

// ---------------------------------------------------------------------------------------------
// Debugger breakpoints

void ExecEngine::drop_blocks_at(uint64_t pc) {
  // System mode indexes blocks by physical page, which a virtual pc does not name: flush all.
  if (options_.system) {
    flush();
  } else {
    const uint64_t page = pc & kPageMask;
    invalidate_range(page, page + kPageSize);
  }
}

bool ExecEngine::add_breakpoint(uint64_t pc) {
  {
    TbLock lock(tb_mutex_, nullptr);
    if (!breakpoints_.insert(pc)) return false;
  }
  drop_blocks_at(pc);
  return true;
}

bool ExecEngine::remove_breakpoint(uint64_t pc) {
  {
    TbLock lock(tb_mutex_, nullptr);
    if (!breakpoints_.erase(pc)) return false;
  }
  drop_blocks_at(pc);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Exclusive sections and full flushes (the protocol of QEMU's cpus-common.c)

void ExecEngine::exec_start(Cpu* cpu) {
  cpu->running.store(true, std::memory_order_seq_cst);
  if (pending_cpus_.load(std::memory_order_seq_cst) != 0) {
    std::unique_lock lock(cpus_mutex_);
    if (!cpu->has_waiter) {
      // An exclusive section is starting or running and did not count us: stay out until it ends.
      cpu->running.store(false, std::memory_order_seq_cst);
      resume_cond_.wait(lock, [&] { return pending_cpus_.load() == 0; });
      cpu->running.store(true, std::memory_order_seq_cst);
    }
    // else: it counted us and set our exit_request; we leave at once through exec_end.
  }
}

void ExecEngine::exec_end(Cpu* cpu) {
  cpu->running.store(false, std::memory_order_seq_cst);
  if (pending_cpus_.load(std::memory_order_seq_cst) != 0) {
    std::lock_guard lock(cpus_mutex_);
    if (cpu->has_waiter) {
      cpu->has_waiter = false;
      if (pending_cpus_.fetch_sub(1) - 1 == 1) exclusive_cond_.notify_all();
    }
  }
}

void ExecEngine::start_exclusive() {
  std::unique_lock lock(cpus_mutex_);
  resume_cond_.wait(lock, [&] { return pending_cpus_.load() == 0; });  // one exclusive section at a time
  pending_cpus_.store(1, std::memory_order_seq_cst);
  int running = 0;
  for (auto& c : cpus_) {
    if (c->running.load(std::memory_order_seq_cst)) {
      c->has_waiter = true;
      ++running;
      c->env->exit_request.store(1, std::memory_order_seq_cst);  // leave translated code
    }
  }
  pending_cpus_.store(running + 1, std::memory_order_seq_cst);
  exclusive_cond_.wait(lock, [&] { return pending_cpus_.load() <= 1; });
}

void ExecEngine::end_exclusive() {
  std::lock_guard lock(cpus_mutex_);
  pending_cpus_.store(0, std::memory_order_seq_cst);
  resume_cond_.notify_all();
}

void ExecEngine::do_flush_locked() {
  if (tier2_) tier2_flush_locked();
  table_.clear();
  store_.reset();
  pages_.clear();
  if (code_pages_) code_pages_->clear();
  code_.reset();
  {
    std::unique_lock lock(interp_mutex_);
    interp_blocks_.clear();
  }
  {
    std::lock_guard lock(cpus_mutex_);
    for (auto& c : cpus_) clear_jump_cache(c.get());
  }
  flush_pending_.store(false, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_relaxed);
  flushes_.fetch_add(1, std::memory_order_relaxed);
}

void ExecEngine::flush_from_loop(Cpu* cpu, RunContext& ctx, uint64_t seen_generation) {
  exec_end(cpu);
  start_exclusive();
  {
    TbLock lock(tb_mutex_, &ctx);
    // Another CPU may have flushed while we waited: once is enough.
    if (seen_generation == ~0ull ? flush_pending_.load() : generation_.load() == seen_generation) do_flush_locked();
  }
  end_exclusive();
  exec_start(cpu);
}

void ExecEngine::flush() {
  RunContext* ctx = tls_ctx;
  if (ctx && ctx->engine == this) {
    // Inside translated code (a helper): the code we would return into must survive, so the
    // flush waits for this CPU's next pass through its loop.
    flush_pending_.store(true, std::memory_order_relaxed);
    ctx->env->exit_request.store(1, std::memory_order_relaxed);
    return;
  }
  start_exclusive();
  {
    TbLock lock(tb_mutex_, nullptr);
    do_flush_locked();
  }
  end_exclusive();
}

// ---------------------------------------------------------------------------------------------
// Tier 2 (docs/tier2.md): counting, region formation, the swap and the drop

void ExecEngine::tier2_init() {
  const char* env = std::getenv("MIMIC_TIER2");
  if (env && *env && !parse_tier2_mode(env, options_.tier2)) {
    logger_.write(fmt::format("mimic: MIMIC_TIER2={}: expected off, on or force; tier 2 stays off\n", env));
    options_.tier2 = EngineOptions::Tier2::Off;
  }
  if (const char* t = std::getenv("MIMIC_TIER2_THRESHOLD"); t && *t) {
    const unsigned long n = std::strtoul(t, nullptr, 10);
    if (n > 0 && n <= (1u << 30)) options_.tier2_threshold = unsigned(n);
  }
  if (options_.tier2 == EngineOptions::Tier2::Off || options_.interpreter) return;
  if (options_.system) {
    // Soft-MMU accesses and per-page lookups are not lowered yet: system mode keeps tier 1.
    logger_.write("mimic: tier 2 is not available in system mode yet; running tier 1 only\n");
    return;
  }
#ifdef MIMIC_HAVE_TIER2
  std::string error;
  tier2_ = Tier2Compiler::create(error);
  if (!tier2_) {
    logger_.write(fmt::format("mimic: tier 2 unavailable ({}); running tier 1 only\n", error));
    return;
  }
  tier2_force_ = options_.tier2 == EngineOptions::Tier2::Force;
  tier2_threshold_ = std::max(1u, options_.tier2_threshold);
  if (!tier2_force_) backend_options_.block_budget = true;  // the sampling tick
#else
  logger_.write("mimic: this build has no tier 2 (configured without LLVM); running tier 1 only\n");
#endif
}

void ExecEngine::tier2_count(Cpu* cpu, TranslationBlock* tb, RunContext& ctx, uint32_t weight) {
  if (tb->tier2_state.load(std::memory_order_relaxed) != TranslationBlock::kTier2Cold || (tb->flags & kTbSingleStep))
    return;
  if (!tier2_force_) {
    const uint32_t hits = tb->hits.load(std::memory_order_relaxed) + weight;
    tb->hits.store(hits, std::memory_order_relaxed);
    if (hits < tier2_threshold_ || tier2_->pending() >= kTier2MaxPending) return;
  }
  uint8_t cold = TranslationBlock::kTier2Cold;
  if (!tb->tier2_state.compare_exchange_strong(cold, TranslationBlock::kTier2Taken)) return;
  auto region = std::make_shared<Tier2Region>();
  std::vector<Block> blocks;
  {
    TbLock lock(tb_mutex_, &ctx);
    if (tb->invalid.load(std::memory_order_relaxed)) return;
    if (!tier2_form_locked(cpu, tb, *region, blocks)) {
      tb->tier2_state.store(TranslationBlock::kTier2Rejected, std::memory_order_relaxed);
      tier2_rejected_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  if (tier2_force_) {
    // Synchronous: the guest waits, and the block runs at tier 2 from its first entry.
    std::string why;
    const bool ok = tier2_->compile(*region, blocks, why);
    tier2_finish(region, ok, why);
    return;
  }
  tier2_->submit(std::move(region), std::move(blocks),
                 [this](std::shared_ptr<Tier2Region> r, bool ok, const std::string& why) { tier2_finish(r, ok, why); });
}

bool ExecEngine::tier2_form_locked(Cpu* cpu, TranslationBlock* head, Tier2Region& region, std::vector<Block>& blocks) {
  region.entry_pc = head->pc;
  region.flags = head->flags;
  region.generation = generation_.load(std::memory_order_relaxed);
  region.head = head;
  region.target.guest_base = cpu->env->guest_base;
  region.target.guest_limit = user_guest_limit();
  // Breadth first over direct branches to blocks already translated: a hot block's successors
  // are where its loop goes (a successor that is not translated yet has not run). Including a
  // cold one costs compile time only; leaving out a block of the loop costs a trip through the
  // loop per iteration.
  std::vector<TranslationBlock*> members{head};
  for (size_t i = 0; i < members.size() && !tier2_force_; ++i) {
    for (const TbJump& j : members[i]->jumps) {
      if (!j.used || members.size() >= kTier2MaxRegionBlocks) continue;
      TranslationBlock* t = table_.lookup(j.target_pc, head->flags, 0);
      if (!t || t->invalid.load(std::memory_order_relaxed) ||
          std::find(members.begin(), members.end(), t) != members.end())
        continue;
      members.push_back(t);
    }
  }
  // Only a region that loops back to its head pays: every other way out of a region is a trip
  // through the loop, where tier 1 would have jumped chained. Such a block stays tier 1.
  bool loops = tier2_force_;
  for (const TranslationBlock* m : members)
    for (const TbJump& j : m->jumps) loops |= j.used && j.target_pc == head->pc;
  if (!loops) return false;
  for (TranslationBlock* m : members) {
    translate_ir(*cpu->env, m->pc, m->flags, options_.max_block_insns, true);
    // A block that tier 1 had to split (TooComplex) is translated again differently: leave it out.
    if (block_.guest_size != m->guest_size) {
      if (m == head) return false;
      continue;
    }
    blocks.push_back(block_);
    region.ranges.emplace_back(m->pc, m->guest_end());
  }
  return true;
}

void ExecEngine::tier2_finish(const std::shared_ptr<Tier2Region>& region, bool ok, const std::string& why) {
  TbLock lock(tb_mutex_, tls_ctx && tls_ctx->engine == this ? tls_ctx : nullptr);
  if (generation_.load(std::memory_order_relaxed) != region->generation) {  // flushed meanwhile
    if (ok) tier2_->release(region->handle);
    return;
  }
  auto* head = static_cast<TranslationBlock*>(region->head);
  if (!ok) {
    head->tier2_state.store(TranslationBlock::kTier2Rejected, std::memory_order_relaxed);
    tier2_rejected_.fetch_add(1, std::memory_order_relaxed);
    if (logger_.enabled(LogFlag::kUnimp))
      logger_.write(fmt::format("tier2: region at 0x{:x} stays tier 1: {}\n", region->entry_pc, why));
    return;
  }
  if (region->invalid.load() || head->invalid.load(std::memory_order_relaxed)) {
    tier2_->release(region->handle);  // never entered
    head->tier2_state.store(TranslationBlock::kTier2Cold, std::memory_order_relaxed);
    head->hits.store(0, std::memory_order_relaxed);
    return;
  }
  // The swap: the loop enters the region from now on; chained jumps and the jump caches of
  // generated code stop leading to the block's tier-1 code (fill_jump_cache re-checks tier2).
  head->tier2.store(region->fn, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  unlink_incoming(head);
  clear_code_jump_caches_locked(head);
  tier2_regions_.push_back(region);
  tier2_compiled_.fetch_add(1, std::memory_order_relaxed);
  if (logger_.enabled(LogFlag::kExec) || logger_.enabled(LogFlag::kOutAsm))
    logger_.write(
        fmt::format("tier2: region at 0x{:x} ({} blocks) swapped in\n", region->entry_pc, region->ranges.size()));
}

uint32_t ExecEngine::run_tier2(Cpu* cpu, RunContext& ctx, void (*fn)(CpuBase*)) {
  CpuBase* env = cpu->env;
  bump(cpu->blocks_entered);
  bump(tier2_entered_);  // approximate across threads, but no locked instruction per entry
  // env->pc is exact at every fault point in tier-2 code, as in the interpreter: the fault
  // handler must not map the host pc (ExecEngine::current_thread_interpreting).
  ctx.interpreting = true;
  env->host_mxcsr = _mm_getcsr();
  env->guest_mxcsr = (env->guest_mxcsr & kMxcsrGuestBits) | kMxcsrForced;
  _mm_setcsr(env->guest_mxcsr);
  env->mxcsr_live = 1;
  fn(env);
  env->guest_mxcsr = _mm_getcsr();
  _mm_setcsr(env->host_mxcsr);
  env->mxcsr_live = 0;
  ctx.interpreting = false;
  if (env->exit_reason == kExitLookup) {
    bump(cpu->lookup_exits);
    strip_interwork_bit(env);
  }
  return env->exit_reason;
}

void ExecEngine::tier2_drop_range_locked(uint64_t start, uint64_t end) {
  std::erase_if(tier2_regions_, [&](const std::shared_ptr<Tier2Region>& r) {
    if (!r->overlaps(start, end)) return false;
    r->invalid.store(1, std::memory_order_seq_cst);  // a thread inside it leaves at its next branch
    auto* head = static_cast<TranslationBlock*>(r->head);
    head->tier2.store(nullptr, std::memory_order_seq_cst);
    head->hits.store(0, std::memory_order_relaxed);
    head->tier2_state.store(TranslationBlock::kTier2Cold, std::memory_order_relaxed);
    tier2_retired_.push_back(r);
    tier2_dropped_.fetch_add(1, std::memory_order_relaxed);
    return true;
  });
}

void ExecEngine::tier2_flush_locked() {
  // Exclusive: no thread runs tier-2 code, so it can all be freed.
  for (auto* list : {&tier2_regions_, &tier2_retired_}) {
    for (auto& r : *list) {
      r->invalid.store(1);
      tier2_->release(r->handle);
    }
    list->clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Faults

std::optional<uint64_t> ExecEngine::guest_pc_for_host_pc(uintptr_t host_pc) const {
  if (!code_.contains_exec(host_pc)) return std::nullopt;
  const TranslationBlock* tb = store_.find_by_host_pc(host_pc);
  if (!tb) return std::nullopt;
  return tb->guest_pc_at(host_pc);
}

std::optional<uint64_t> ExecEngine::recover_fault_state(CpuBase* env, uintptr_t host_pc, const ucontext_t* uc) const {
  if (!code_.contains_exec(host_pc)) return std::nullopt;
  const TranslationBlock* tb = store_.find_by_host_pc(host_pc);
  if (!tb) return std::nullopt;
  if (tb->state_map_size && uc) {
    // Guest-state values the block keeps in host registers or spill slots at this access.
    static constexpr int kGregs[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                       REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    FaultHostState host;
    for (int r = 0; r < 16; ++r) host.gpr[r] = uint64_t(uc->uc_mcontext.gregs[kGregs[r]]);
    if (uc->uc_mcontext.fpregs)
      std::memcpy(host.xmm, uc->uc_mcontext.fpregs->_xmm, sizeof host.xmm);
    else
      std::memset(host.xmm, 0, sizeof host.xmm);
    apply_state_map(tb->state_map, tb->state_map_size, uint32_t(host_pc - tb->code), env, host);
  }
  return tb->guest_pc_at(host_pc);
}

void cpu_loop_exit(CpuBase* env, uint32_t reason) {
  ExecEngine::RunContext* ctx = tls_ctx;
  if (!ctx || ctx->env != env) {
    static const char kMsg[] = "mimic: cpu_loop_exit called outside ExecEngine::run of this CPU\n";
    (void)!write(2, kMsg, sizeof kMsg - 1);
    abort();
  }
  // Leaving translated code (or the interpreter) past the epilogue: do its MXCSR swap.
  if (env->mxcsr_live) {
    env->guest_mxcsr = _mm_getcsr();
    _mm_setcsr(env->host_mxcsr);
    env->mxcsr_live = 0;
  }
  env->exit_reason = reason;
  ctx->reason = reason;
  siglongjmp(ctx->jmp, 1);
}

void cpu_loop_exit_from_signal(CpuBase* env, uint32_t reason, const ucontext_t* uc) {
  // The raw call: glibc's pthread_sigmask would drop signals 32 and 33, which the guest may block.
  if (uc) syscall(SYS_rt_sigprocmask, SIG_SETMASK, &uc->uc_sigmask, nullptr, 8);
  // The kernel gave the handler a fresh FP state: the guest's MXCSR is the interrupted one.
  if (uc && uc->uc_mcontext.fpregs && env->mxcsr_live) {
    env->guest_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    _mm_setcsr(env->host_mxcsr);
    env->mxcsr_live = 0;
  }
  cpu_loop_exit(env, reason);
}

}  // namespace mimic::tcg
