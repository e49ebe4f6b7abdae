// The translator's system switch, run through the IR interpreter and the JIT with a minimal hart
// loop (the exits RiscvHart handles, on the same excp.cpp functions): CSR instructions through
// the CSR table with illegal accesses trapping (mtval = instruction bits), FS Off trapping and FS
// dirty marking, mret into S-mode, privilege checks made at translation time, and linux-user's
// unchanged view of the privileged encodings.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "target/riscv/cpu.h"
#include "target/riscv/csr.h"
#include "target/riscv/excp.h"
#include "target/riscv/mmu.h"
#include "target/riscv/translate.h"
#include "tcg/backend.h"
#include "tcg/ir/verifier.h"
#include "tests/unit/common/jit_runner.h"
#ifdef MIMIC_TEST_OPT
#include "tcg/opt/passes.h"
#endif

namespace mimic::riscv {
namespace {

using tcg::test::Engine;

constexpr uint64_t kMem = 0x20000;
// Host room below guest address 0, so x0-relative accesses (-2048..-1) stay inside the buffer.
constexpr uint64_t kGuard = 0x1000;

struct NoHooks : SystemHooks {
  uint64_t read_time() override { return 42; }
  void tlb_flush() override {}
  void tlb_flush_page(uint64_t) override {}
  void stimecmp_changed() override {}
};

// The same memory as the physical address space handle_exit's walks read.
class BufferPhys final : public tcg::PhysMemory {
 public:
  explicit BufferPhys(uint8_t* base) : base_(base) {}
  uint8_t* ram_page(uint64_t page, bool* writable) override {
    *writable = true;
    return page < kMem ? base_ + page : nullptr;
  }
  bool io_read(uint64_t, unsigned, uint64_t*) override { return false; }
  bool io_write(uint64_t, unsigned, uint64_t) override { return false; }

 private:
  uint8_t* base_;
};

struct SysMachine {
  explicit SysMachine(Engine e)
      : engine(e), mem(kGuard + kMem + kGuard), cpu(std::make_unique<RiscvCpu>()), phys(mem.data() + kGuard) {
    cpu->guest_base = mem.data() + kGuard;
    cpu->hooks = &hooks;
    csr_reset(*cpu, 0);
    // S and U need a PMP entry: entry 15 opens everything, as firmware does.
    cpu->pmpaddr[15] = (1ull << 54) - 1;
    cpu->pmpcfg[15] = 0x1f;
    pmp_update(*cpu);
    jump_cache.assign(tcg::kJumpCacheSize, {tcg::kJumpCacheEmpty, 0});
    cpu->jump_cache = jump_cache.data();
  }
  void code(uint64_t at, std::initializer_list<uint32_t> words) {
    std::memcpy(&mem[kGuard + at], words.begin(), words.size() * 4);
  }
  template <class T>
  T read(uint64_t addr) {
    T v;
    std::memcpy(&v, &mem[kGuard + addr], sizeof v);
    return v;
  }

  // Runs until an ecall from M (returns true) or too many blocks, as RiscvHart's loop does:
  // pending interrupts are taken before each block, every exit goes through handle_exit.
  bool run(uint64_t pc, unsigned max_blocks = 100) {
    tcg::RangeCodeFetcher fetcher(0, kMem);  // guest memory 0..kMem at guest_base
    RiscvTranslator tr(&fetcher, true);
    cpu->pc = pc;
    for (unsigned i = 0; i < max_blocks; ++i) {
      int irq = pending_interrupt(*cpu);
      if (irq >= 0) raise_trap(*cpu, unsigned(irq), true, 0);
      tcg::Block block;
      block.guest_pc = cpu->pc;
      block.flags = cpu->tb_flags;
      tr.translate(block, *cpu, 32);
      auto errors = tcg::verify(block);
      EXPECT_TRUE(errors.empty()) << errors.front();
#ifdef MIMIC_TEST_OPT
      if (engine != Engine::Interp) tcg::optimize(block);
#endif
      if (engine == Engine::Jit) {
#ifdef MIMIC_TEST_JIT
        const void* entry = tcg::test::jit_compile(block);
        if (!entry) return false;
        tcg::test::jit_enter(cpu.get(), entry);
#endif
      } else {
        tcg::interpret_block(block, cpu.get());
      }
      uint32_t r = cpu->exit_reason;
      if (r == tcg::kExitChain || r == tcg::kExitLookup) continue;
      if (r == tcg::kExitInterrupt) {  // exit_request seen at a block entry: back to the loop
        cpu->exit_request.store(0);
        ++interrupt_exits;
        continue;
      }
      if (r == kExitEcall && cpu->priv == kPrivM) return true;
      uint64_t addr = 0;
      switch (handle_exit(*cpu, phys, r, &addr)) {
        case ExitAction::Continue: break;
        case ExitAction::Wait: ++waits; break;
        case ExitAction::FlushTlb: ++flushes; break;
        case ExitAction::FlushTlbAsid: ++asid_flushes; break;
        case ExitAction::FlushTlbPage:
          ++page_flushes;
          flush_addr = addr;
          break;
        case ExitAction::Unhandled: ADD_FAILURE() << "exit " << r; return false;
      }
    }
    return false;
  }
  Engine engine;
  NoHooks hooks;
  std::vector<uint8_t> mem;
  std::unique_ptr<RiscvCpu> cpu;
  BufferPhys phys;
  std::vector<tcg::JumpCacheEntry> jump_cache;
  int waits = 0, flushes = 0, page_flushes = 0, asid_flushes = 0, interrupt_exits = 0;
  uint64_t flush_addr = 0;
};

// The handler at 0x100 reads mcause, mtval, mepc into s0, s1, a0 and stops with ecall.
void install_handler(SysMachine& m) {
  m.cpu->mtvec = 0x100;
  m.code(0x100, {0x34202473 /* csrr s0, mcause */, 0x343024f3 /* csrr s1, mtval */, 0x34102573 /* csrr a0, mepc */,
                 0x00000073 /* ecall */});
}

class SystemTranslate : public ::testing::TestWithParam<Engine> {};

TEST_P(SystemTranslate, CsrAccessAndIllegalCsrTraps) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->x[5] = 0x55;
  m.code(0x1000, {0x34029073 /* csrw mscratch, t0 */, 0x34002373 /* csrr t1, mscratch */,
                  0x7c0023f3 /* csrr t2, 0x7c0 (no such CSR) */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.cpu->mscratch, 0x55u);
  EXPECT_EQ(m.cpu->x[6], 0x55u);
  EXPECT_EQ(m.cpu->x[8], 2u);           // illegal instruction
  EXPECT_EQ(m.cpu->x[9], 0x7c0023f3u);  // mtval: the instruction
  EXPECT_EQ(m.cpu->x[10], 0x1008u);     // mepc
  EXPECT_EQ(m.cpu->x[7], 0u);           // rd untouched
}

TEST_P(SystemTranslate, FpWithFsOffTrapsAndMarksDirtyOtherwise) {
  SysMachine m(GetParam());
  install_handler(m);
  m.code(0x1000, {0x023170d3 /* fadd.d ft1, ft2, ft3 */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.cpu->x[8], 2u);
  EXPECT_EQ(m.cpu->x[9], 0x023170d3u);

  SysMachine n(GetParam());
  install_handler(n);
  n.cpu->mstatus = 1ull << 13;  // FS Initial
  update_tb_flags(*n.cpu);
  n.code(0x1000, {0x00103027 /* fsd ft1, 0(zero): no FP state written */, 0x00000073 /* ecall */});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ((n.cpu->mstatus >> 13) & 3, 1u);
  n.code(0x1000, {0xe20082d3 /* fmv.x.d t0, ft1: no FP state written */, 0x00000073 /* ecall */});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ((n.cpu->mstatus >> 13) & 3, 1u);
  n.code(0x1000, {0xa220a2d3 /* feq.d t0, ft1, ft2: may raise NV, so FS becomes dirty */, 0x00000073});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ((n.cpu->mstatus >> 13) & 3, 3u);
  n.cpu->mstatus = 1ull << 13;
  update_tb_flags(*n.cpu);
  n.code(0x1000, {0x023170d3 /* fadd.d */, 0x00000073 /* ecall */});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ((n.cpu->mstatus >> 13) & 3, 3u);
  EXPECT_EQ(read_mstatus(*n.cpu) >> 63, 1u);  // SD
  EXPECT_EQ((n.cpu->tb_flags & kTbFsMask) >> kTbFsShift, 3u);
}

TEST_P(SystemTranslate, MretToSupervisorThenPrivilegeChecks) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->mepc = 0x2000;
  m.cpu->mstatus = 1ull << 11;  // MPP = S
  update_tb_flags(*m.cpu);
  m.code(0x1000, {0x30200073 /* mret */});
  m.code(0x2000, {0x300022f3 /* csrr t0, mstatus: M CSR from S */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.cpu->priv, kPrivM);  // trapped back to M
  EXPECT_EQ(m.cpu->x[8], 2u);
  EXPECT_EQ(m.cpu->x[9], 0x300022f3u);
  EXPECT_EQ(m.cpu->x[10], 0x2000u);
  EXPECT_EQ((m.cpu->mstatus >> 11) & 3, 1u);  // MPP: the trap came from S

  // mret from S is illegal at translation time (the block's privilege is in tb_flags).
  SysMachine n(GetParam());
  install_handler(n);
  n.cpu->mepc = 0x2000;
  n.cpu->mstatus = 1ull << 11;
  update_tb_flags(*n.cpu);
  n.code(0x1000, {0x30200073 /* mret */});
  n.code(0x2000, {0x30200073 /* mret (in S) */});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ(n.cpu->x[9], 0x30200073u);
  EXPECT_EQ(n.cpu->x[10], 0x2000u);
}

TEST_P(SystemTranslate, EcallCausesAndDelegation) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->mepc = 0x2000;  // MPP = U after reset
  m.code(0x1000, {0x30200073 /* mret */});
  m.code(0x2000, {0x00000073 /* ecall (U) */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.cpu->x[8], 8u);
  EXPECT_EQ(m.cpu->x[9], 0u);
  EXPECT_EQ(m.cpu->x[10], 0x2000u);
  // Delegated to S: the U ecall enters stvec in S with scause 8, sepc at the ecall.
  SysMachine n(GetParam());
  install_handler(n);
  n.cpu->medeleg = 1u << 8;
  n.cpu->stvec = 0x3000;
  n.cpu->mepc = 0x2000;
  n.code(0x1000, {0x30200073 /* mret */});
  n.code(0x2000, {0x00000073 /* ecall (U) */});
  n.code(0x3000, {0x00000073 /* ecall (S): cause 9 to M */});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ(n.cpu->scause, 8u);
  EXPECT_EQ(n.cpu->sepc, 0x2000u);
  EXPECT_EQ(n.cpu->x[8], 9u);
  EXPECT_EQ(n.cpu->x[10], 0x3000u);
}

TEST_P(SystemTranslate, MisalignedAtomicsTrap) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->x[5] = 0x3002;
  m.code(0x1000, {0x0002a02f /* amoadd.w zero, zero, (t0) */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.cpu->x[8], 6u);  // store/AMO address misaligned
  EXPECT_EQ(m.cpu->x[9], 0x3002u);
  SysMachine n(GetParam());
  install_handler(n);
  n.cpu->x[5] = 0x3004;
  n.code(0x1000, {0x1002b02f /* lr.d zero, (t0) */});
  ASSERT_TRUE(n.run(0x1000));
  EXPECT_EQ(n.cpu->x[8], 4u);  // load address misaligned
  EXPECT_EQ(n.cpu->x[9], 0x3004u);
}

// sfence.vma with rs2: the current ASID drops its (non-global) entries or its page; another
// ASID has nothing in the soft TLB (a satp write empties it), so nothing is flushed.
TEST_P(SystemTranslate, SfenceVmaWithAnAsidFlushesOnlyTheCurrentAddressSpace) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->satp = 7ull << 44;  // Bare, ASID 7 (the walk ignores it; handle_exit compares it)
  m.cpu->x[5] = 0x5000;
  m.cpu->x[6] = 7;
  m.cpu->x[7] = 0x10003;  // ASID 3 (bits above the 16 ASID bits are ignored)
  m.code(0x1000, {0x30200073 /* mret to S */});
  m.cpu->mepc = 0x2000;
  m.cpu->mstatus = 1ull << 11;
  update_tb_flags(*m.cpu);
  m.code(0x2000, {0x12600073 /* sfence.vma x0, t1 */, 0x12700073 /* sfence.vma x0, t2 */,
                  0x12628073 /* sfence.vma t0, t1 */, 0x12728073 /* sfence.vma t0, t2 */, 0x00000073 /* ecall */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.asid_flushes, 1);
  EXPECT_EQ(m.page_flushes, 1);
  EXPECT_EQ(m.flush_addr, 0x5000u);
  EXPECT_EQ(m.flushes, 0);
  EXPECT_EQ(m.cpu->x[8], 9u);  // the S ecall: every sfence.vma ran on
}

TEST_P(SystemTranslate, WfiAndSfenceVma) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->x[5] = 0x5000;
  m.code(0x1000, {0x10500073 /* wfi (M): waits */, 0x30200073 /* mret to S */});
  m.cpu->mepc = 0x2000;
  m.cpu->mstatus = 1ull << 11;
  update_tb_flags(*m.cpu);
  m.code(0x2000, {0x12028073 /* sfence.vma t0 */, 0x10500073 /* wfi (S, TW=0) */, 0x00000073 /* ecall */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.waits, 2);
  EXPECT_EQ(m.page_flushes, 1);
  EXPECT_EQ(m.flush_addr, 0x5000u);
  EXPECT_EQ(m.cpu->x[8], 9u);  // the S ecall
  // TVM makes sfence.vma illegal in S, TW makes wfi illegal in S; U-mode wfi always traps.
  for (uint64_t bit : {uint64_t(1) << 20, uint64_t(1) << 21}) {
    SysMachine n(GetParam());
    install_handler(n);
    n.cpu->mepc = 0x2000;
    n.cpu->mstatus = (1ull << 11) | bit;
    update_tb_flags(*n.cpu);
    n.code(0x1000, {0x30200073});
    n.code(0x2000, {bit == (1ull << 20) ? 0x12028073u : 0x10500073u});
    ASSERT_TRUE(n.run(0x1000));
    EXPECT_EQ(n.cpu->x[8], 2u);
    EXPECT_EQ(n.cpu->x[9], bit == (1ull << 20) ? 0x12028073u : 0x10500073u);
    EXPECT_EQ(n.waits + n.flushes + n.page_flushes, 0);
  }
  SysMachine u(GetParam());
  install_handler(u);
  u.cpu->mepc = 0x2000;
  u.code(0x1000, {0x30200073});
  u.code(0x2000, {0x10500073});
  ASSERT_TRUE(u.run(0x1000));
  EXPECT_EQ(u.cpu->x[8], 2u);
  EXPECT_EQ(u.cpu->x[9], 0x10500073u);
}

// A CSR write that enables a pending interrupt ends the block; the interrupt is taken with mepc
// at the next instruction.
TEST_P(SystemTranslate, InterruptTakenAfterEnablingCsrWrite) {
  SysMachine m(GetParam());
  install_handler(m);
  m.cpu->mie = 1u << 7;
  m.cpu->mip.store(1u << 7);
  m.cpu->x[6] = 1u << 3;  // MIE
  m.code(0x1000, {0x30032073 /* csrs mstatus, t1 */, 0x00100393 /* addi t2, zero, 1 */});
  ASSERT_TRUE(m.run(0x1000));
  EXPECT_EQ(m.cpu->x[8], (1ull << 63) | 7);
  EXPECT_EQ(m.cpu->x[10], 0x1004u);
  EXPECT_EQ(m.cpu->x[7], 0u);       // the addi did not run first
  EXPECT_EQ(m.interrupt_exits, 1);  // the helper asked the loop to look (exit_request)
}

// Random instruction words in system mode, in every privilege and FS state: each translates to IR
// the verifier accepts and runs (CSR helper included) to a defined exit, never a host crash.
TEST_P(SystemTranslate, RandomWordsNeverCrash) {
  SysMachine m(GetParam());
  tcg::RangeCodeFetcher fetcher(0, kMem);
  RiscvTranslator tr(&fetcher, true);
  std::mt19937_64 rng(57);
  static const unsigned kPrivs[] = {kPrivU, kPrivS, kPrivM};
  for (unsigned i = 0; i < 20000; ++i) {
    uint32_t w = uint32_t(rng());
    if (i & 1) {
      w = (w & 0xffff) == 0xffff ? 0 : w & 0xffff;
      if ((w & 3) == 3) w &= ~1u;
    } else {
      w |= 3;
    }
    std::memcpy(&m.mem[kGuard + 0x1000], &w, 4);
    csr_reset(*m.cpu, 0);
    m.cpu->priv = kPrivs[i % 3];
    m.cpu->mstatus = uint64_t((i / 3) % 4) << 13;  // FS Off .. Dirty
    update_tb_flags(*m.cpu);
    // Every register points into the middle of guest memory so any reg+imm12 access stays inside.
    for (int r = 1; r < 32; ++r) m.cpu->x[r] = kMem / 2;
    m.cpu->pc = 0x1000;
    tcg::Block block;
    block.guest_pc = 0x1000;
    block.flags = m.cpu->tb_flags;
    tr.translate(block, *m.cpu, 1);
    auto errors = tcg::verify(block);
    ASSERT_TRUE(errors.empty()) << std::hex << w << ": " << errors.front();
#ifdef MIMIC_TEST_OPT
    if (GetParam() != Engine::Interp) tcg::optimize(block);
#endif
    if (GetParam() == Engine::Jit) {
#ifdef MIMIC_TEST_JIT
      const void* entry = tcg::test::jit_compile(block);
      ASSERT_NE(entry, nullptr);
      tcg::test::jit_enter(m.cpu.get(), entry);
#endif
    } else {
      tcg::interpret_block(block, m.cpu.get());
    }
    uint32_t r = m.cpu->exit_reason;
    bool ok = r == tcg::kExitChain || r == tcg::kExitLookup || r == tcg::kExitUnaligned || r == kExitEcall ||
              r == kExitEbreak || r == kExitIllegal || r == kExitFenceI || r == kExitMret || r == kExitSret ||
              r == kExitWfi || r == kExitSfenceVma;
    ASSERT_TRUE(ok) << std::hex << w << " exit " << std::dec << r;
    if (r == kExitIllegal) {
      EXPECT_EQ(m.cpu->bad_insn, w) << std::hex << w;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, SystemTranslate, ::testing::ValuesIn(tcg::test::engines()), [](const auto& info) {
  std::string name = tcg::test::engine_name(info.param);
  for (char& ch : name)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
});

// linux-user keeps treating the privileged encodings and CSRs as illegal instructions.
TEST(UserTranslate, PrivilegedEncodingsStayIllegal) {
  std::vector<uint8_t> mem(0x2000);
  auto cpu = std::make_unique<RiscvCpu>();
  cpu->guest_base = mem.data();
  RiscvTranslator tr;
  for (uint32_t insn : {0x30200073u, 0x10200073u, 0x10500073u, 0x12028073u, 0x34002373u}) {
    std::memcpy(&mem[0x1000], &insn, 4);
    tcg::Block block;
    block.guest_pc = 0x1000;
    tr.translate(block, *cpu, 8);
    tcg::interpret_block(block, cpu.get());
    EXPECT_EQ(cpu->exit_reason, uint32_t(kExitIllegal)) << std::hex << insn;
    EXPECT_EQ(cpu->pc, 0x1000u);
  }
}

}  // namespace
}  // namespace mimic::riscv
