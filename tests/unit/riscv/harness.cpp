// The RISC-V test harness: interpreter and (when available) JIT execution of guest snippets.
#include "harness.h"

#include "tcg/backend.h"
#include "tcg/ir/verifier.h"
#include "tests/unit/common/jit_runner.h"
#ifdef MIMIC_TEST_OPT
#include "tcg/opt/passes.h"
#endif

namespace mimic::riscv::test {

Machine::Machine() : mem(kGuard + kMemSize), cpu(std::make_unique<RiscvCpu>()) {
  cpu->guest_base = mem.data() + kGuard;
  cpu->pc = kCode;
}
Machine::~Machine() = default;

void Machine::code_bytes(const void* p, size_t n, uint64_t at) {
  std::memcpy(&mem[kGuard + at], p, n);
  if (at + n > code_end) code_end = at + n;
}
void Machine::code32(std::initializer_list<uint32_t> words) { code_bytes(words.begin(), words.size() * 4); }
void Machine::code16(std::initializer_list<uint16_t> halves) { code_bytes(halves.begin(), halves.size() * 2); }

void Machine::copy_from(const Machine& o) {
  mem = o.mem;
  cpu->guest_base = mem.data() + kGuard;
  cpu->pc = o.cpu->pc;
  std::memcpy(cpu->x, o.cpu->x, sizeof cpu->x);
  std::memcpy(cpu->f, o.cpu->f, sizeof cpu->f);
  fp_set_fflags(*cpu, fp_get_fflags(*o.cpu));
  fp_set_frm(*cpu, o.cpu->frm);
  cpu->reserve_addr = o.cpu->reserve_addr;
  cpu->reserve_value = o.cpu->reserve_value;
  code_end = o.code_end;
  fetch_lo = o.fetch_lo;
  fetch_hi = o.fetch_hi;
}

uint32_t Machine::run(Engine e, unsigned max_blocks, unsigned max_insns) {
  tcg::RangeCodeFetcher fetch(fetch_hi ? fetch_lo : kCode, fetch_hi ? fetch_hi : code_end);
  RiscvTranslator tr(&fetch);
  tcg::Block block;
  std::vector<tcg::JumpCacheEntry> jump_cache(tcg::kJumpCacheSize, {tcg::kJumpCacheEmpty, 0});
  cpu->jump_cache = jump_cache.data();
  for (unsigned i = 0; i < max_blocks; ++i) {
    block.clear();
    block.guest_pc = cpu->pc;
    block.flags = cpu->tb_flags;  // as the engine keys blocks
    tr.translate(block, *cpu, max_insns);
    for (auto& err : tcg::verify(block)) verify_errors.push_back(err);
#ifdef MIMIC_TEST_OPT
    if (e != Engine::Interp) tcg::optimize(block);
#endif
    if (e == Engine::Jit) {
#ifdef MIMIC_TEST_JIT
      const void* code = tcg::test::jit_compile(block);
      if (!code) return ~0u;
      tcg::test::jit_enter(cpu.get(), code);
#endif
    } else {
      tcg::interpret_block(block, cpu.get());
    }
    if (cpu->exit_reason != tcg::kExitChain && cpu->exit_reason != tcg::kExitLookup) return cpu->exit_reason;
  }
  return ~0u;
}

uint32_t run_all(const std::function<void(Machine&)>& setup, const std::function<void(Machine&)>& check,
                 unsigned max_insns, bool compare) {
  Machine ref;
  setup(ref);
  Machine first;
  uint32_t first_reason = 0;
  bool have_first = false;
  for (Engine e : engines()) {
    SCOPED_TRACE(engine_name(e));
    Machine m;
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
    if (!compare) continue;
    EXPECT_EQ(m.cpu->pc, first.cpu->pc);
    for (int r = 0; r < 32; ++r) EXPECT_EQ(m.cpu->x[r], first.cpu->x[r]) << "x" << r;
    for (int r = 0; r < 32; ++r) EXPECT_EQ(m.cpu->f[r], first.cpu->f[r]) << "f" << r;
    EXPECT_EQ(fp_get_fflags(*m.cpu), fp_get_fflags(*first.cpu));
    EXPECT_EQ(m.cpu->frm, first.cpu->frm);
    EXPECT_TRUE(m.mem == first.mem) << "guest memory differs";
  }
  return first_reason;
}

}  // namespace mimic::riscv::test
