// Differential test: random IR run (a) in the interpreter, (b) in the interpreter after the
// passes, (c) through the JIT and (d) through the JIT after the passes; all must agree on the
// guest registers, the sandbox memory, the exit reason and the pc.
//
//   difftest [--seed N] [--count M] [--no-fp] [--no-vector] [--no-memory] [--no-faults] [--no-calls]
//            [--no-control] [--no-jit] [--max-stmts N] [--verbose] [--quiet] [--no-minimize] [--fork]
//
// JIT runs happen in-process (--fork: in a child each); a disagreeing program is printed with its IR, then
// greedily minimized (instructions dropped while the JIT still disagrees).
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include <xmmintrin.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tcg/backend.h"
#include "tcg/ir/builder.h"
#include "tcg/ir/printer.h"
#include "tcg/ir/verifier.h"
#ifdef MIMIC_HAVE_TIER2
#include "tcg/llvm/tier2.h"
#endif
#include "tcg/opt/passes.h"
#include "tests/difftest/generator.h"
#include "tests/difftest/test_cpu.h"

using namespace mimic;
using namespace mimic::tcg;
using namespace mimic::difftest;

namespace {

struct Outcome {
  TestCpu cpu;
  uint8_t sandbox[kSandboxSize + kSandboxSlack];
};

alignas(64) uint8_t g_initial_sandbox[kSandboxSize + kSandboxSlack];

void init_state(TestCpu& cpu, uint64_t seed) {
  Rng rng(seed ^ 0x5eed5eed);
  for (auto& r : cpu.regs) r = rng.chance(50) ? rng.edge(64) : rng.next();
  for (auto& v : cpu.vregs) {
    v[0] = rng.next();
    v[1] = rng.next();
  }
  for (size_t i = 0; i < sizeof g_initial_sandbox; i += 8) {
    const uint64_t x = rng.chance(20) ? rng.edge(64) : rng.next();
    std::memcpy(g_initial_sandbox + i, &x, 8);
  }
}

// Where a crash inside the JIT would otherwise lose the reproduction recipe.
volatile uint64_t g_current_seed = 0;
volatile const char* g_current_stage = "";
void crash_handler(int sig) {
  char buf[160];
  const int n = std::snprintf(
      buf, sizeof buf,
      "\ndifftest: signal %d while running seed %llu (%s); rerun with --seed N --count 1 --fork to minimize\n", sig,
      static_cast<unsigned long long>(g_current_seed), g_current_stage);
  (void)!write(2, buf, size_t(n));
  signal(sig, SIG_DFL);
  raise(sig);
}

// Guest faults (kFaultingGuestBit accesses): the host SIGSEGV leaves the run with kExitMemFault,
// as linux-user's fault handler does: translated code's state comes from the block's per-site
// records (apply_state_map) and its pc from the pc map; the interpreter keeps env exact itself.
struct FaultCatch {
  sigjmp_buf jmp;
  volatile bool armed = false;
  TestCpu* cpu = nullptr;
  uintptr_t code = 0;  // the translated block being run (code_size 0: the interpreter)
  size_t code_size = 0;
  const std::vector<PcMapEntry>* pc_map = nullptr;
  uint64_t block_pc = 0;
  const uint8_t* state_map = nullptr;
  size_t state_map_size = 0;
  uint32_t host_mxcsr = 0;
  uint64_t faults = 0;  // runs that ended in a guest fault
};
FaultCatch g_fault;

void fault_handler(int sig, siginfo_t*, void* ucv) {
  if (!g_fault.armed) return crash_handler(sig);
  const auto* uc = static_cast<const ucontext_t*>(ucv);
  TestCpu* cpu = g_fault.cpu;
  const uintptr_t rip = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  if (g_fault.code_size && rip - g_fault.code < g_fault.code_size) {
    static constexpr int kGregs[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                       REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    FaultHostState host;
    for (int r = 0; r < 16; ++r) host.gpr[r] = uint64_t(uc->uc_mcontext.gregs[kGregs[r]]);
    std::memcpy(host.xmm, uc->uc_mcontext.fpregs->_xmm, sizeof host.xmm);
    const uint32_t off = uint32_t(rip - g_fault.code);
    apply_state_map(g_fault.state_map, g_fault.state_map_size, off, cpu, host);
    cpu->pc = g_fault.block_pc;
    for (const PcMapEntry& e : *g_fault.pc_map)
      if (e.host_offset <= off) cpu->pc = e.guest_pc;
  }
  cpu->exit_reason = kExitMemFault;
  g_fault.armed = false;
  ++g_fault.faults;
  _mm_setcsr(g_fault.host_mxcsr);  // the run left past the code that restores the host's
  siglongjmp(g_fault.jmp, 1);
}

void install_fault_handler() {
  struct sigaction sa = {};
  sa.sa_sigaction = fault_handler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);
}

// Runs the interpreter on `block` with guest faults caught.
void interpret_guarded(const Block& block, TestCpu* cpu) {
  g_fault.cpu = cpu;
  g_fault.code_size = 0;
  g_fault.host_mxcsr = _mm_getcsr();
  if (sigsetjmp(g_fault.jmp, 1) == 0) {
    g_fault.armed = true;
    interpret_block(block, cpu);
  }
  g_fault.armed = false;
}

#ifdef MIMIC_DIFFTEST_JIT
struct Jit {
  uint8_t* mem = nullptr;
  size_t size = size_t(4) << 20;
  Trampolines tramp;
  size_t code_start = 0;
  std::vector<PcMapEntry> pc_map;
  std::vector<JumpCacheEntry> jump_cache =
      std::vector<JumpCacheEntry>(kJumpCacheSize, JumpCacheEntry{kJumpCacheEmpty, 0});

  Jit() {
    mem = static_cast<uint8_t*>(
        mmap(nullptr, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (mem == MAP_FAILED) {
      std::perror("mmap RWX");
      std::exit(2);
    }
    tramp = emit_trampolines(HostCodeRegion{mem, uintptr_t(mem), 4096});
    code_start = 4096;
  }
  // Returns an error text when the backend refuses the block.
  std::string run(const Block& block, TestCpu& cpu) {
    pc_map.clear();
    const uint64_t cookie = 0x7e57c0de00ull;
    CompileResult r;
    try {
      r = compile_block(block, HostCodeRegion{mem + code_start, uintptr_t(mem + code_start), size - code_start}, cookie,
                        pc_map);
    } catch (const std::exception& e) {
      return std::string("compile_block threw: ") + e.what();
    }
    if (r.status != CompileResult::Status::Ok)
      return "compile_block failed: " +
             (r.error.empty() ? std::string("status ") + std::to_string(int(r.status)) : r.error);
    cpu.epilogue = tramp.epilogue;
    cpu.chain_exit = tramp.chain_exit;
    cpu.jump_cache = jump_cache.data();
    g_fault.cpu = &cpu;
    g_fault.code = uintptr_t(mem + code_start);
    g_fault.code_size = r.size;
    g_fault.pc_map = &pc_map;
    g_fault.block_pc = block.guest_pc;
    g_fault.state_map = r.state_map;
    g_fault.state_map_size = r.state_map_size;
    g_fault.host_mxcsr = _mm_getcsr();
    if (sigsetjmp(g_fault.jmp, 1) == 0) {
      g_fault.armed = true;
      tramp.enter(&cpu, mem + code_start);
    }
    g_fault.armed = false;
    g_fault.code_size = 0;
    if (cpu.exit_reason == kExitChain) {
      if (cpu.exit_tb != cookie) return "GotoTb exit: exit_tb is not the tb cookie";
      cpu.exit_tb = 0;  // the interpreter reports 0
    }
    return {};
  }
};
#endif

struct Runner {
  GenOptions gen;
  bool use_jit = true;
  bool verbose = false;
  bool quiet = false;
  bool minimize = true;
  bool fork_all = false;        // run every JIT program in a child (slower; survives crashes)
  uint64_t tier2_programs = 0;  // --tier2 N: the first N programs also through tier 2 (LLVM)
#ifdef MIMIC_HAVE_TIER2
  std::unique_ptr<Tier2Compiler> tier2;
  Outcome tier2_outcome;
  uint64_t tier2_runs = 0;

  // The optimized block as a one-block tier-2 region, run with tier-2 code's MXCSR swap. Its
  // entry pc is moved where no GotoTb goes, so a GotoTb back to the block leaves as in tier 1.
  std::string run_tier2(const Block& blk, Outcome& o, uint64_t seed) {
    if (!tier2) {
      std::string error;
      tier2 = Tier2Compiler::create(error);
      if (!tier2) return "tier 2: " + error;
    }
    prepare(o, seed);
    Tier2Region region;
    region.target.guest_base = o.cpu.guest_base;
    std::vector<Block> blocks{blk};
    blocks[0].guest_pc = 0xfffffffffff0ull;
    std::string why;
    if (!tier2->compile(region, blocks, why)) return "tier 2 rejected the block: " + why;
    o.cpu.host_mxcsr = _mm_getcsr();
    o.cpu.guest_mxcsr = (o.cpu.guest_mxcsr & kMxcsrGuestBits) | kMxcsrForced;
    _mm_setcsr(o.cpu.guest_mxcsr);
    o.cpu.mxcsr_live = 1;
    // A guest fault in tier-2 code finds env exact (docs/tier2.md), as in the interpreter: the
    // handler takes the state from env (code_size 0).
    g_fault.cpu = &o.cpu;
    g_fault.code_size = 0;
    g_fault.host_mxcsr = o.cpu.host_mxcsr;
    if (sigsetjmp(g_fault.jmp, 1) == 0) {
      g_fault.armed = true;
      region.fn(&o.cpu);
      g_fault.armed = false;
      o.cpu.guest_mxcsr = _mm_getcsr();
    }
    _mm_setcsr(o.cpu.host_mxcsr);
    o.cpu.mxcsr_live = 0;
    tier2->release(region.handle);
    // A region leaves through kExitLookup where tier 1 leaves through a chain slot.
    if (o.cpu.exit_reason == kExitLookup && outcomes[0]->cpu.exit_reason == kExitChain) {
      o.cpu.exit_reason = kExitChain;
      o.cpu.exit_slot = outcomes[0]->cpu.exit_slot;
    }
    return {};
  }
#endif

  bool jit_available() const {
#ifdef MIMIC_DIFFTEST_JIT
    return use_jit;
#else
    return false;
#endif
  }

  // Runs one block on a fresh state. JIT runs happen in a child process so that a crash in
  // generated code is reported (and minimized) instead of ending the whole run.
  std::string run_stage(bool jit_stage, const Block& blk, Outcome& o, uint64_t seed, bool isolate = true) {
    prepare(o, seed);
    if (!jit_stage) {
      interpret_guarded(blk, &o.cpu);
      return {};
    }
#ifdef MIMIC_DIFFTEST_JIT
    if (!jit) jit = std::make_unique<Jit>();
    if (!shared) {
      shared = static_cast<Shared*>(
          mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
      if (shared == MAP_FAILED) std::abort();
    }
    if (!isolate) return jit->run(blk, o.cpu);
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      for (int sig : {SIGILL, SIGFPE}) signal(sig, SIG_DFL);
      const std::string err = jit->run(blk, o.cpu);
      std::memcpy(static_cast<void*>(&shared->outcome), &o, sizeof o);
      std::snprintf(shared->error, sizeof shared->error, "%s", err.c_str());
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return "JIT code crashed with signal " + std::to_string(WTERMSIG(status));
    std::memcpy(static_cast<void*>(&o), &shared->outcome, sizeof o);
    o.cpu.guest_base = o.sandbox - kSandboxGuest;
    return shared->error;
#else
    return "JIT not built";
#endif
  }

  bool jit_disagrees(const Block& blk, uint64_t seed) {
    Outcome& ref = *outcomes[0];
    prepare(ref, seed);
    interpret_guarded(blk, &ref.cpu);
    Outcome& o = *outcomes[2];
    const std::string err = run_stage(true, blk, o, seed);
    return !err.empty() || !compare(ref, o).empty();
  }

  // Greedy reduction: drop instructions (uses of a dropped integer value become 0) while the
  // block stays verifier-clean and the JIT still disagrees with the interpreter.
  void minimize_block(Block& blk, uint64_t seed) {
    for (bool progress = true; progress;) {
      progress = false;
      for (size_t i = blk.size(); i-- > 0;) {
        const Inst& in = blk[ValueId(i)];
        if (in.is_nop() || in.op == Opcode::Label || in.op == Opcode::InsnStart || i + 1 == blk.size()) continue;
        if (in.type != Type::Void && !is_int(in.type)) {
          // A float/vector value: only removable when nothing uses it.
          bool used = false;
          for (const Inst& u : blk.insts())
            for (int k = 0; k < u.num_args; ++k) used |= u.args[k].is_value() && u.args[k].value == i;
          if (used) continue;
        }
        Block cand = blk;
        // i64 values stand in as the sandbox base so that addresses built from them stay inside it.
        const Type t = cand[ValueId(i)].type;
        if (t != Type::Void) cand.replace_uses(ValueId(i), Arg::constant(t, t == Type::I64 ? kSandboxGuest : 0));
        const bool was_exit = has_flag(cand[ValueId(i)].op, kBlockEnd);
        cand[ValueId(i)] = Inst{};
        if (was_exit) continue;
        run_unreachable(cand);
        if (!verify(cand).empty() || !jit_disagrees(cand, seed)) continue;
        blk = cand;
        progress = true;
      }
    }
    blk.compact();
  }

#ifdef MIMIC_DIFFTEST_JIT
  struct Shared {
    Outcome outcome;
    char error[512];
  };
  Shared* shared = nullptr;
#endif
#ifdef MIMIC_DIFFTEST_JIT
  std::unique_ptr<Jit> jit;
#endif
  Block original, optimized;
  uint64_t programs_run = 0;
  std::unique_ptr<Outcome> outcomes[4];
  uint64_t runs[4] = {};

  Runner() {
    for (auto& o : outcomes) o = std::make_unique<Outcome>();
  }

  void prepare(Outcome& o, uint64_t seed) {
    new (&o.cpu) TestCpu();  // value-initialised: every register zero before init_state
    init_state(o.cpu, seed);
    std::memcpy(o.sandbox, g_initial_sandbox, sizeof o.sandbox);
    o.cpu.guest_base = o.sandbox - kSandboxGuest;
    o.cpu.pc = 0xdead;
  }

  static std::string compare(const Outcome& a, const Outcome& b) {
    std::string d;
    char buf[200];
    auto field = [&](const char* name, uint64_t x, uint64_t y) {
      if (x == y) return;
      std::snprintf(buf, sizeof buf, "  %s: reference %#llx, got %#llx\n", name, static_cast<unsigned long long>(x),
                    static_cast<unsigned long long>(y));
      d += buf;
    };
    field("exit_reason", a.cpu.exit_reason, b.cpu.exit_reason);
    field("pc", a.cpu.pc, b.cpu.pc);
    if (a.cpu.exit_reason == kExitChain) field("exit_slot", a.cpu.exit_slot, b.cpu.exit_slot);
    if (a.cpu.exit_reason == kExitUnaligned) field("fault_addr", a.cpu.fault_addr, b.cpu.fault_addr);
    for (int r = 0; r < 32; ++r) {
      const std::string name = "regs[" + std::to_string(r) + "] (+" + std::to_string(reg_offset(r)) + ")";
      field(name.c_str(), a.cpu.regs[r], b.cpu.regs[r]);
    }
    for (int r = 0; r < 8; ++r)
      for (int h = 0; h < 2; ++h) {
        const std::string name = "vregs[" + std::to_string(r) + "]." + (h ? "hi" : "lo");
        field(name.c_str(), a.cpu.vregs[r][h], b.cpu.vregs[r][h]);
      }
    for (size_t i = 0; i < sizeof a.sandbox; ++i)
      if (a.sandbox[i] != b.sandbox[i]) {
        std::snprintf(buf, sizeof buf, "  sandbox byte guest %#llx: reference %#x, got %#x\n",
                      static_cast<unsigned long long>(kSandboxGuest + i), a.sandbox[i], b.sandbox[i]);
        d += buf;
      }
    return d;
  }

  // Returns false on any disagreement (already reported).
  bool run_one(uint64_t seed) {
    g_current_seed = seed;
    generate(original, seed, gen);
    if (auto errs = verify(original); !errs.empty()) {
      std::printf("seed %llu: GENERATOR produced invalid IR:\n%s", static_cast<unsigned long long>(seed),
                  print_block(original).c_str());
      for (auto& e : errs) std::printf("  %s\n", e.c_str());
      return false;
    }
    optimized = original;
    optimize(optimized);
    if (auto errs = verify(optimized); !errs.empty()) {
      std::printf("seed %llu: optimize() produced invalid IR\n--- before:\n%s--- after:\n%s",
                  static_cast<unsigned long long>(seed), print_block(original).c_str(), print_block(optimized).c_str());
      for (auto& e : errs) std::printf("  %s\n", e.c_str());
      return false;
    }
    static const char* kNames[4] = {"interp", "interp+opt", "jit", "jit+opt"};
    bool ok = true;
    g_current_stage = kNames[0];
    prepare(*outcomes[0], seed);
    interpret_guarded(original, &outcomes[0]->cpu);
    ++runs[0];
    for (int k = 1; k < 4; ++k) {
      const bool jit_stage = k >= 2;
      if (jit_stage && !jit_available()) continue;
      const Block& blk = (k & 1) ? optimized : original;
      g_current_stage = kNames[k];
      Outcome& o = *outcomes[k];
      const std::string err = run_stage(jit_stage, blk, o, seed, fork_all);
      ++runs[k];
      std::string d = err.empty() ? compare(*outcomes[0], o) : "  " + err + "\n";
      if (d.empty()) continue;
      ok = false;
      std::printf("seed %llu: %s disagrees with interp:\n%s", static_cast<unsigned long long>(seed), kNames[k],
                  d.c_str());
      if (quiet) continue;
      std::printf("--- IR%s:\n%s", (k & 1) ? " after optimize()" : "", print_block(blk).c_str());
      if (jit_stage && minimize) {
        Block small = blk;
        minimize_block(small, seed);
        Outcome& ref = *outcomes[0];
        prepare(ref, seed);
        interpret_guarded(small, &ref.cpu);
        const std::string e2 = run_stage(true, small, o, seed);
        std::printf("--- minimized IR (%s):\n%s%s", kNames[2], print_block(small).c_str(),
                    (e2.empty() ? compare(ref, o) : "  " + e2 + "\n").c_str());
      }
      break;  // one report per program
    }
#ifdef MIMIC_HAVE_TIER2
    if (ok && programs_run < tier2_programs) {
      g_current_stage = "tier2+opt";
      // Tier 2 translates its blocks with every guest-state store in place (no fault records).
      Block for_tier2 = original;
      optimize(for_tier2, false);
      const std::string err = run_tier2(for_tier2, tier2_outcome, seed);
      ++tier2_runs;
      const std::string d = err.empty() ? compare(*outcomes[0], tier2_outcome) : "  " + err + "\n";
      if (!d.empty()) {
        ok = false;
        std::printf("seed %llu: tier2+opt disagrees with interp:\n%s--- IR after optimize(block, false):\n%s",
                    static_cast<unsigned long long>(seed), d.c_str(), print_block(for_tier2).c_str());
      }
    }
#endif
    ++programs_run;
    if (verbose) std::printf("seed %llu ok\n%s", static_cast<unsigned long long>(seed), print_block(original).c_str());
    return ok;
  }
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1, count = 10000;
  Runner runner;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--count" && i + 1 < argc)
      count = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--no-fp")
      runner.gen.fp = false;
    else if (a == "--no-vector")
      runner.gen.vector = false;
    else if (a == "--no-memory")
      runner.gen.memory = false;
    else if (a == "--no-calls")
      runner.gen.calls = false;
    else if (a == "--no-faults")
      runner.gen.faults = false;
    else if (a == "--no-control")
      runner.gen.control = false;
    else if (a == "--no-jit")
      runner.use_jit = false;
    else if (a == "--verbose")
      runner.verbose = true;
    else if (a == "--quiet")
      runner.quiet = true;
    else if (a == "--no-minimize")
      runner.minimize = false;
    else if (a == "--fork")
      runner.fork_all = true;
    else if (a == "--tier2" && i + 1 < argc)
      runner.tier2_programs = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--max-stmts" && i + 1 < argc)
      runner.gen.max_stmts = unsigned(std::strtoul(argv[++i], nullptr, 0));
    else {
      std::fprintf(
          stderr,
          "usage: %s [--seed N] [--count M] [--no-fp] [--no-vector] [--no-memory] [--no-faults] [--no-calls]\n"
          "          [--no-control] [--no-jit] [--max-stmts N] [--verbose] [--quiet] [--no-minimize] [--fork]\n"
          "          [--tier2 N]\n",
          argv[0]);
      return 2;
    }
  }
  install_fault_handler();
  signal(SIGILL, crash_handler);
  signal(SIGFPE, crash_handler);
  // MIMIC_TIER2=force (meson test --setup tier2force): the tier-2 stage for 500 programs.
  if (const char* t2 = std::getenv("MIMIC_TIER2"); t2 && std::string(t2) == "force" && runner.tier2_programs == 0)
    runner.tier2_programs = 500;
  uint64_t failed = 0, programs = 0;
  for (uint64_t s = seed; s < seed + count; ++s, ++programs)
    if (!runner.run_one(s)) {
      if (++failed >= 20 && !runner.quiet) {
        std::printf("stopping after 20 failing programs\n");
        ++programs;
        break;
      }
    }
  std::printf(
      "difftest: seeds %llu..%llu, %llu programs, runs: interp %llu, interp+opt %llu, jit %llu, jit+opt %llu; "
      "%llu disagreeing programs; %llu runs ended in a guest fault%s\n",
      static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed + count - 1),
      static_cast<unsigned long long>(count), static_cast<unsigned long long>(runner.runs[0]),
      static_cast<unsigned long long>(runner.runs[1]), static_cast<unsigned long long>(runner.runs[2]),
      static_cast<unsigned long long>(runner.runs[3]), static_cast<unsigned long long>(failed),
      static_cast<unsigned long long>(g_fault.faults),
#ifdef MIMIC_DIFFTEST_JIT
      ""
#else
      " (JIT not built yet: interpreter only)"
#endif
  );
#ifdef MIMIC_HAVE_TIER2
  if (runner.tier2_programs)
    std::printf("difftest: tier2+opt runs %llu\n", static_cast<unsigned long long>(runner.tier2_runs));
#else
  if (runner.tier2_programs) std::printf("difftest: tier 2 not built (no LLVM): its stage did not run\n");
#endif
  return failed == 0 ? 0 : 1;
}
