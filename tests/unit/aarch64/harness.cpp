// The AArch64 test harness: interpreter and (when available) JIT execution of guest snippets.
#include "harness.h"

#include "tcg/backend.h"
#include "tcg/ir/verifier.h"
#ifdef MIMIC_TEST_OPT
#include "tcg/opt/passes.h"
#endif

namespace mimic::arm::test {

Machine::Machine(uint64_t mem_size) : mem(mem_size), cpu(std::make_unique<A64Cpu>()) {
  cpu->guest_base = mem.data();
  cpu->pc = kCode;
}
Machine::~Machine() = default;

void Machine::code(std::initializer_list<uint32_t> words, uint64_t at) {
  std::memcpy(&mem[at], words.begin(), words.size() * 4);
  if (at < code_start || code_end == code_start) code_start = std::min(code_start, at);
  code_end = std::max(code_end, at + words.size() * 4);
}

void Machine::copy_from(const Machine& o) {
  mem = o.mem;
  cpu->guest_base = mem.data();
  cpu->pc = o.cpu->pc;
  std::memcpy(cpu->x, o.cpu->x, sizeof cpu->x);
  cpu->sp = o.cpu->sp;
  cpu->nf = o.cpu->nf, cpu->zf = o.cpu->zf, cpu->cf = o.cpu->cf, cpu->vf = o.cpu->vf;
  cpu->tpidr_el0 = o.cpu->tpidr_el0;
  cpu->tpidrro_el0 = o.cpu->tpidrro_el0;
  cpu->fpcr = o.cpu->fpcr, cpu->fpsr = o.cpu->fpsr;
  cpu->guest_mxcsr = o.cpu->guest_mxcsr;  // FP flags and rounding of inline code (fpenv.cpp)
  cpu->tb_flags = o.cpu->tb_flags;        // FPCR modes the blocks are translated for
  cpu->excl_addr = o.cpu->excl_addr, cpu->excl_size = o.cpu->excl_size, cpu->excl_val = o.cpu->excl_val,
  cpu->excl_val2 = o.cpu->excl_val2;
  cpu->svc_imm = o.cpu->svc_imm;
  cpu->ic_inval_addr = o.cpu->ic_inval_addr;
  std::memcpy(cpu->v, o.cpu->v, sizeof cpu->v);
  code_start = o.code_start;
  code_end = o.code_end;
}

bool run_block(Engine e, tcg::Block& block, A64Cpu* cpu) {
#ifdef MIMIC_TEST_OPT
  if (e != Engine::Interp) tcg::optimize(block);
#endif
  if (e == Engine::Jit) {
#ifdef MIMIC_TEST_JIT
    const void* code = jit_compile(block);
    if (!code) return false;
    jit_enter(cpu, code);
#endif
  } else {
    tcg::interpret_block(block, cpu);
  }
  return true;
}

uint32_t Machine::run(Engine e, unsigned max_blocks, unsigned max_insns) {
  tcg::RangeCodeFetcher fetch(code_start, code_end);
  A64Translator tr(&fetch);
  tcg::Block block;
  std::vector<tcg::JumpCacheEntry> jump_cache(tcg::kJumpCacheSize, {tcg::kJumpCacheEmpty, 0});
  cpu->jump_cache = jump_cache.data();
  for (unsigned i = 0; i < max_blocks; ++i) {
    block.clear();
    block.guest_pc = cpu->pc;
    block.flags = cpu->tb_flags;  // as the engine keys blocks
    tr.translate(block, *cpu, max_insns);
    for (auto& err : tcg::verify(block)) verify_errors.push_back(err);
    if (!run_block(e, block, cpu.get())) return ~0u;
    if (cpu->exit_reason != tcg::kExitChain && cpu->exit_reason != tcg::kExitLookup) return cpu->exit_reason;
  }
  return ~0u;
}

uint32_t run_all(const std::function<void(Machine&)>& setup, const std::function<void(Machine&)>& check,
                 unsigned max_insns, uint64_t mem_size) {
  Machine ref(mem_size);
  setup(ref);
  Machine first(mem_size);
  uint32_t first_reason = 0;
  bool have_first = false;
  for (Engine e : engines()) {
    SCOPED_TRACE(engine_name(e));
    Machine m(mem_size);
    m.copy_from(ref);
    uint32_t reason = m.run(e, 10000, max_insns);
    EXPECT_TRUE(m.verify_errors.empty()) << m.verify_errors.front();
    check(m);
    if (!have_first) {
      first.copy_from(m);
      first_reason = reason;
      have_first = true;
      continue;
    }
    EXPECT_EQ(reason, first_reason);
    EXPECT_EQ(m.cpu->pc, first.cpu->pc);
    for (int r = 0; r < 31; ++r) EXPECT_EQ(m.cpu->x[r], first.cpu->x[r]) << "x" << r;
    EXPECT_EQ(m.cpu->sp, first.cpu->sp);
    EXPECT_EQ(get_nzcv(*m.cpu), get_nzcv(*first.cpu));
    EXPECT_EQ(get_fpsr(*m.cpu), get_fpsr(*first.cpu));
    EXPECT_EQ(get_fpcr(*m.cpu), get_fpcr(*first.cpu));
    EXPECT_EQ(0, std::memcmp(m.cpu->v, first.cpu->v, sizeof m.cpu->v)) << "V registers differ";
    EXPECT_EQ(m.cpu->excl_addr, first.cpu->excl_addr);
    EXPECT_TRUE(m.mem == first.mem) << "guest memory differs";
  }
  return first_reason;
}

}  // namespace mimic::arm::test
