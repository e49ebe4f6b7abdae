// The system-mode memory road: soft-TLB fast path and fills, MMIO, faults with exact state,
// page-crossing accesses, atomics, and blocks dropped by writes to their physical page, run
// through the whole engine (RISC-V translator, optimizer, JIT and interpreter).
#include "tcg/exec/softmmu.h"

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "target/riscv/cpu.h"
#include "target/riscv/translate.h"
#include "tcg/exec/exec.h"

namespace mimic::tcg {
namespace {

constexpr uint64_t kRam = 0x80000000, kRamSize = 1 << 20;
constexpr uint64_t kMmio = 0x10000000;
constexpr uint64_t kWindow = 0x40000000;    // virtual window: kWindow + x -> kRam + x, pages swapped below
constexpr uint64_t kHole = 0x50000000;      // unmapped virtual page
constexpr uint64_t kReadOnly = 0x60000000;  // virtual page mapped read-only onto kRam + 0x8000

// ---- a few RV64 encodings ----
uint32_t itype(uint32_t op, uint32_t f3, unsigned rd, unsigned rs1, int32_t imm) {
  return (uint32_t(imm) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
uint32_t addi(unsigned rd, unsigned rs1, int32_t imm) { return itype(0x13, 0, rd, rs1, imm); }
uint32_t ld(unsigned rd, unsigned rs1, int32_t imm) { return itype(0x03, 3, rd, rs1, imm); }
uint32_t lw(unsigned rd, unsigned rs1, int32_t imm) { return itype(0x03, 2, rd, rs1, imm); }
uint32_t sd(unsigned rs2, unsigned rs1, int32_t imm) {
  return (uint32_t(imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (3u << 12) | (uint32_t(imm & 31) << 7) | 0x23;
}
uint32_t sw(unsigned rs2, unsigned rs1, int32_t imm) { return sd(rs2, rs1, imm) & ~(1u << 12); }
uint32_t amoadd_w(unsigned rd, unsigned rs2, unsigned rs1) {
  return (rs2 << 20) | (rs1 << 15) | (2u << 12) | (rd << 7) | 0x2f;
}
uint32_t bne(unsigned rs1, unsigned rs2, int32_t off) {
  const uint32_t i = uint32_t(off);
  return (((i >> 12) & 1) << 31) | (((i >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (1u << 12) |
         (((i >> 1) & 0xf) << 8) | (((i >> 11) & 1) << 7) | 0x63;
}
constexpr uint32_t kEcall = 0x73;

// Physical memory: 1 MiB of RAM and one page of MMIO that logs its accesses.
class FakePhys final : public PhysMemory {
 public:
  std::vector<uint8_t> ram = std::vector<uint8_t>(kRamSize);
  struct Io {
    bool write;
    uint64_t addr;
    unsigned size;
    uint64_t value;
  };
  std::vector<Io> log;
  uint8_t* ram_page(uint64_t p, bool* writable) override {
    if (p < kRam || p >= kRam + kRamSize) return nullptr;
    *writable = true;
    return &ram[p - kRam];
  }
  bool io_read(uint64_t phys, unsigned size, uint64_t* v) override {
    if ((phys & kPageMask) != kMmio) return false;
    *v = 0x1000 + (phys - kMmio);
    log.push_back({false, phys, size, *v});
    return true;
  }
  bool io_write(uint64_t phys, unsigned size, uint64_t v) override {
    if ((phys & kPageMask) != kMmio) return false;
    log.push_back({true, phys, size, v});
    return true;
  }
};

// Page tables as a map: identity for RAM and MMIO, a window onto RAM, a hole, a read-only page.
class FakeTarget final : public MmuTarget {
 public:
  unsigned fills = 0;
  uint64_t fault_vaddr = 0;
  Access fault_access = Access::Read;
  bool faulted = false;
  std::map<uint64_t, uint64_t> remap;  // virtual page -> physical page, for the window
  std::set<uint64_t> unmapped;         // window pages made invalid (a demand-paged page)
  std::set<uint64_t> global;           // pages whose translation is global (PTE G)
  std::set<uint64_t> superpage;        // pages translated as pieces of a 2 MiB mapping
  bool tlb_fill(CpuBase*, uint64_t vaddr, Access access, unsigned, bool probe, TlbFill* out) override {
    ++fills;
    const uint64_t page = vaddr & kPageMask;
    out->prot = Prot::kRead | Prot::kWrite | Prot::kExec;
    if (unmapped.count(page)) return fail(vaddr, access, probe);
    out->global = global.count(page) != 0;
    if (superpage.count(page)) out->page_bits = 21;
    if (auto it = remap.find(page); it != remap.end()) {
      out->phys_page = it->second;
    } else if (page == kReadOnly) {
      out->phys_page = kRam + 0x8000;
      out->prot = Prot::kRead;
      if (access == Access::Write) return fail(vaddr, access, probe);
    } else if (page >= kWindow && page < kWindow + kRamSize) {
      out->phys_page = kRam + (page - kWindow);
    } else if (page == kHole) {
      return fail(vaddr, access, probe);
    } else {
      out->phys_page = page;
    }
    return true;
  }
  void access_fault(CpuBase*, uint64_t vaddr, Access access, unsigned) override { fail(vaddr, access, false); }

 private:
  bool fail(uint64_t vaddr, Access access, bool probe) {
    if (!probe) {
      faulted = true;
      fault_vaddr = vaddr;
      fault_access = access;
    }
    return false;
  }
};

unsigned code_mmu(uint32_t) { return 0; }

struct System {
  explicit System(bool interp = false)
      : opts(make_opts(interp)), fetcher(&code_mmu), translator(&fetcher), engine(opts, translator) {}
  static EngineOptions make_opts(bool interp) {
    EngineOptions o;
    o.system = true;
    o.interpreter = interp;
    return o;
  }
  struct Vcpu {
    riscv::RiscvCpu cpu;
    std::unique_ptr<SoftMmu> mmu;
  };
  std::unique_ptr<Vcpu> make_cpu() {
    auto v = std::make_unique<Vcpu>();
    v->mmu = std::make_unique<SoftMmu>(&v->cpu, phys, target, *engine.code_pages());
    return v;
  }
  void code(uint64_t phys_addr, std::initializer_list<uint32_t> words) {
    std::memcpy(&phys.ram[phys_addr - kRam], words.begin(), words.size() * 4);
  }
  template <class T>
  T ram(uint64_t phys_addr) {
    T v;
    std::memcpy(&v, &phys.ram[phys_addr - kRam], sizeof v);
    return v;
  }
  FakePhys phys;
  FakeTarget target;
  EngineOptions opts;
  SoftMmuCodeFetcher fetcher;
  riscv::RiscvTranslator translator;
  ExecEngine engine;
};

class SoftMmuTest : public ::testing::TestWithParam<bool> {};

TEST_P(SoftMmuTest, LoadsAndStoresGoThroughTheTlbAndHitAfterOneFill) {
  System s(GetParam());
  auto v = s.make_cpu();
  // x1 = kWindow + 0x1000 (via lui), then a store, a load back, a second load: one fill per page.
  s.code(kRam, {0x400010b7 /* lui x1, 0x40001 */, addi(2, 0, 1234), sd(2, 1, 8), ld(3, 1, 8), lw(4, 1, 8), ld(5, 1, 16),
                kEcall});
  std::memcpy(&s.phys.ram[0x1010], "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 1234u);
  EXPECT_EQ(v->cpu.x[4], 1234u);
  EXPECT_EQ(v->cpu.x[5], 0x8877665544332211ull);
  EXPECT_EQ(s.ram<uint64_t>(kRam + 0x1008), 1234u);
  const unsigned fills = s.target.fills;
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(s.target.fills, fills) << "a second run must hit the TLB (no fill)";
}

TEST_P(SoftMmuTest, MmioIsDispatchedWithItsSizeAddressAndValue) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam,
         {0x100000b7 /* lui x1, 0x10000 */, addi(2, 0, 77), sw(2, 1, 0x10), lw(3, 1, 0x24), ld(4, 1, 0x30), kEcall});
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  ASSERT_EQ(s.phys.log.size(), 3u);
  EXPECT_TRUE(s.phys.log[0].write);
  EXPECT_EQ(s.phys.log[0].addr, kMmio + 0x10);
  EXPECT_EQ(s.phys.log[0].size, 4u);
  EXPECT_EQ(s.phys.log[0].value, 77u);
  EXPECT_EQ(s.phys.log[1].size, 4u);
  EXPECT_EQ(v->cpu.x[3], 0x1024u);
  EXPECT_EQ(s.phys.log[2].size, 8u);
  EXPECT_EQ(v->cpu.x[4], 0x1030u);
}

TEST_P(SoftMmuTest, AFaultLeavesWithThePcOfTheAccessAndTheStateBeforeIt) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam, {addi(6, 0, 5), 0x500000b7 /* lui x1, 0x50000 */, addi(6, 6, 1), ld(7, 1, 8), addi(6, 6, 100), kEcall});
  v->cpu.x[7] = 99;
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), kExitMemFault);
  EXPECT_EQ(v->cpu.pc, kRam + 12);
  EXPECT_EQ(v->cpu.x[6], 6u);
  EXPECT_EQ(v->cpu.x[7], 99u) << "the faulting load must not write its destination";
  EXPECT_TRUE(s.target.faulted);
  EXPECT_EQ(s.target.fault_vaddr, kHole + 8);
  EXPECT_EQ(s.target.fault_access, Access::Read);
}

TEST_P(SoftMmuTest, AStoreToAReadOnlyPageFaultsAndLeavesMemoryUnchanged) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam, {0x600000b7 /* lui x1, 0x60000 */, ld(3, 1, 0), addi(2, 0, 9), sd(2, 1, 0), kEcall});
  std::memcpy(&s.phys.ram[0x8000], "\x01\0\0\0\0\0\0\0", 8);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), kExitMemFault);
  EXPECT_EQ(v->cpu.x[3], 1u);
  EXPECT_EQ(v->cpu.pc, kRam + 12);
  EXPECT_EQ(s.target.fault_access, Access::Write);
  EXPECT_EQ(s.ram<uint64_t>(kRam + 0x8000), 1u);
}

TEST_P(SoftMmuTest, AnAccessCrossingPagesUsesEachPagesTranslation) {
  System s(GetParam());
  auto v = s.make_cpu();
  // Virtual kWindow+0x3000 and +0x4000 map to physical pages 0x7000 and 0x2000 (not adjacent).
  s.target.remap[kWindow + 0x3000] = kRam + 0x7000;
  s.target.remap[kWindow + 0x4000] = kRam + 0x2000;
  s.code(kRam, {0x400040b7 /* lui x1, 0x40004 */, ld(3, 1, -4), addi(2, 0, -1), sd(2, 1, -2), kEcall});
  std::memcpy(&s.phys.ram[0x7ffc], "\xaa\xbb\xcc\xdd", 4);
  std::memcpy(&s.phys.ram[0x2000], "\x11\x22\x33\x44", 4);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 0x44332211ddccbbaaull);
  EXPECT_EQ(s.ram<uint16_t>(kRam + 0x7ffe), 0xffffu);
  EXPECT_EQ(s.ram<uint64_t>(kRam + 0x2000), 0x0000ffffffffffffull);  // bytes 0-5 of the store, 6-7 untouched
}

TEST_P(SoftMmuTest, AccessesThroughOneBaseSpanningRamAndMmioPagesEachUseTheirOwnPage) {
  // The JIT probes a block's loads (stores) through one base once when their bytes span less
  // than a page; here they straddle a RAM page and an MMIO page, so each must probe alone.
  System s(GetParam());
  auto v = s.make_cpu();
  s.target.remap[kWindow + 0x5000] = kMmio;  // kWindow + 0x4000 stays RAM (kRam + 0x4000)
  s.code(kRam,
         {ld(3, 1, -8), ld(4, 1, 0), ld(5, 1, -16), addi(2, 0, 77), sd(2, 1, -8), sd(2, 1, 8), sd(2, 1, -16), kEcall});
  std::memcpy(&s.phys.ram[0x4ff0], "\x01\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x15\x16\x17\x18", 16);
  for (int run = 0; run < 2; ++run) {  // the second run with the TLB warm
    s.phys.log.clear();
    v->cpu.x[1] = kWindow + 0x5000;  // not a constant of the block: one base value for all six
    v->cpu.pc = kRam;
    ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
    EXPECT_EQ(v->cpu.x[3], run ? 77u : 0x1817161514131211ull);
    EXPECT_EQ(v->cpu.x[4], 0x1000u);  // the MMIO page's read value at offset 0
    EXPECT_EQ(v->cpu.x[5], run ? 77u : 0x0807060504030201ull);
    EXPECT_EQ(s.ram<uint64_t>(kRam + 0x4ff8), 77u);
    EXPECT_EQ(s.ram<uint64_t>(kRam + 0x4ff0), 77u);
    ASSERT_EQ(s.phys.log.size(), 2u);
    EXPECT_FALSE(s.phys.log[0].write);
    EXPECT_EQ(s.phys.log[0].addr, kMmio);
    EXPECT_TRUE(s.phys.log[1].write);
    EXPECT_EQ(s.phys.log[1].addr, kMmio + 8);
    EXPECT_EQ(s.phys.log[1].value, 77u);
  }
}

TEST_P(SoftMmuTest, AtomicsWorkOnRamAndFaultOnHoles) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam, {0x400050b7 /* lui x1, 0x40005 */, addi(2, 0, 5), amoadd_w(3, 2, 1), amoadd_w(4, 2, 1), kEcall});
  std::memcpy(&s.phys.ram[0x5000], "\x0a\0\0\0", 4);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 10u);
  EXPECT_EQ(v->cpu.x[4], 15u);
  EXPECT_EQ(s.ram<uint32_t>(kRam + 0x5000), 20u);
  s.code(kRam + 0x100, {0x500000b7 /* lui x1, 0x50000 */, amoadd_w(3, 2, 1), kEcall});
  v->cpu.pc = kRam + 0x100;
  ASSERT_EQ(s.engine.run(&v->cpu), kExitMemFault);
  EXPECT_EQ(v->cpu.pc, kRam + 0x104);
  EXPECT_EQ(s.target.fault_access, Access::Write);
}

TEST_P(SoftMmuTest, AWriteToACodePageDropsItsBlocks) {
  System s(GetParam());
  auto v = s.make_cpu();
  // The block at 0x80002000 sets x5 = 1. The code at 0x80000000 overwrites its first instruction
  // with "addi x5, x0, 2" through the virtual window, then the block runs again.
  s.code(kRam + 0x2000, {addi(5, 0, 1), kEcall});
  v->cpu.pc = kRam + 0x2000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 1u);
  const uint32_t patch = addi(5, 0, 2);
  // The new instruction word is loaded from data beside the code (kWindow + 0x27f0).
  std::memcpy(&s.phys.ram[0x27f0], &patch, 4);
  s.code(kRam, {0x400020b7 /* lui x1, 0x40002 */, lw(2, 1, 0x7f0), sw(2, 1, 0), kEcall});
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  v->cpu.pc = kRam + 0x2000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 2u) << "the stale block ran: the write did not invalidate it";
  EXPECT_GE(s.engine.stats().invalidated, 1u);
}

TEST_P(SoftMmuTest, StoresBesideCodeOnItsPageKeepItsBlocks) {
  if (GetParam()) GTEST_SKIP() << "the interpreter's blocks are dropped by page";
  System s(GetParam());
  auto v = s.make_cpu();
  // A loop at 0x80003000 stores 100 times into its own physical page (0x80003400, through the
  // window), away from its code: its block is translated once, never dropped.
  s.code(kRam + 0x3000,
         {0x400030b7 /* lui x1, 0x40003 */, addi(3, 0, 100), sw(3, 1, 0x400), addi(3, 3, -1), bne(3, 0, -8), kEcall});
  v->cpu.pc = kRam + 0x3000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(s.ram<uint32_t>(kRam + 0x3400), 1u);
  EXPECT_EQ(s.engine.stats().invalidated, 0u);
  EXPECT_LE(s.engine.stats().translations, 4u) << "the loop was translated again after its stores";
  // A store onto the code itself still drops it: 7 over the loop's "addi x3, x0, 100"
  // (0x80003004; the loop is not run again, only its block's invalidation is checked).
  const uint64_t before = s.engine.stats().invalidated;
  s.code(kRam, {0x400030b7 /* lui x1, 0x40003 */, addi(3, 0, 7), sw(3, 1, 4), kEcall});
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_GT(s.engine.stats().invalidated, before);
}

TEST_P(SoftMmuTest, AWriteFromAnotherVcpuDropsBlocksThisVcpuTranslated) {
  System s(GetParam());
  auto a = s.make_cpu();
  auto b = s.make_cpu();
  s.code(kRam + 0x2000, {addi(5, 0, 1), kEcall});
  a->cpu.pc = kRam + 0x2000;
  ASSERT_EQ(s.engine.run(&a->cpu), riscv::kExitEcall);
  // vCPU b writes the new instruction from its own thread, through its own TLB.
  const uint32_t patch = addi(5, 0, 3);
  std::memcpy(&s.phys.ram[0x27f0], &patch, 4);
  s.code(kRam, {0x400020b7 /* lui x1, 0x40002 */, lw(2, 1, 0x7f0), sw(2, 1, 0), kEcall});
  std::thread t([&] {
    b->cpu.pc = kRam;
    EXPECT_EQ(s.engine.run(&b->cpu), riscv::kExitEcall);
  });
  t.join();
  a->cpu.pc = kRam + 0x2000;
  ASSERT_EQ(s.engine.run(&a->cpu), riscv::kExitEcall);
  EXPECT_EQ(a->cpu.x[5], 3u);
}

TEST_P(SoftMmuTest, ATlbFlushMakesTheNextAccessUseTheNewMapping) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam, {0x400060b7 /* lui x1, 0x40006 */, ld(3, 1, 0), kEcall});
  std::memcpy(&s.phys.ram[0x6000], "\x01\0\0\0\0\0\0\0", 8);
  std::memcpy(&s.phys.ram[0x9000], "\x02\0\0\0\0\0\0\0", 8);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 1u);
  s.target.remap[kWindow + 0x6000] = kRam + 0x9000;
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 1u) << "without a flush the TLB keeps the old translation, as hardware may";
  v->mmu->flush_page(kWindow + 0x6000);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 2u);
}

TEST_P(SoftMmuTest, FlushingACodePageMakesItsVirtualPcRunTheNewMapping) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam + 0x2000, {addi(5, 0, 1), kEcall});
  s.code(kRam + 0x4000, {addi(5, 0, 2), kEcall});
  for (int i = 0; i < 2; ++i) {  // the second run finds the block through the jump cache
    v->cpu.pc = kWindow + 0x2000;
    ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
    EXPECT_EQ(v->cpu.x[5], 1u);
  }
  s.target.remap[kWindow + 0x2000] = kRam + 0x4000;
  v->mmu->flush_page(kWindow + 0x9000);  // another page: the code page's translation stays cached
  v->cpu.pc = kWindow + 0x2000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 1u);
  v->mmu->flush_page(kWindow + 0x2000);
  v->cpu.pc = kWindow + 0x2000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 2u) << "a block of the old mapping ran after sfence.vma of its page";
  s.target.remap[kWindow + 0x2000] = kRam + 0x2000;
  v->mmu->flush();
  v->cpu.pc = kWindow + 0x2000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 1u);
}

// An ASID's flush (sfence.vma x0, asid) drops the address space's own entries and keeps the
// global ones: after both pages are remapped, only the non-global one reads its new page.
TEST_P(SoftMmuTest, AFlushOfNonGlobalEntriesKeepsGlobalTranslations) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam, {0x400060b7 /* lui x1, 0x40006 */, ld(3, 1, 0), 0x400070b7 /* lui x1, 0x40007 */, ld(4, 1, 0), kEcall});
  for (uint64_t off : {0x6000, 0x7000, 0x9000, 0xa000}) s.phys.ram[off] = uint8_t(off >> 12);
  s.target.global.insert(kWindow + 0x6000);
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 6u);
  EXPECT_EQ(v->cpu.x[4], 7u);
  s.target.remap[kWindow + 0x6000] = kRam + 0x9000;
  s.target.remap[kWindow + 0x7000] = kRam + 0xa000;
  v->mmu->flush_nonglobal();
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 6u) << "a global translation was dropped by an address space's flush";
  EXPECT_EQ(v->cpu.x[4], 0xau) << "a non-global translation survived its address space's flush";
  v->mmu->flush();
  v->cpu.pc = kRam;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[3], 9u);
}

// Demand paging: the first fetch from a page faults, the guest maps it and flushes that page
// (sfence.vma addr) and returns to the same pc. The fetch-fault block must not be found again:
// the jump cache kept it (a per-mode cache even across the trap to another mode), and the flush
// named a page no code had been fetched from, so it did not empty the cache.
TEST_P(SoftMmuTest, AFullFlushForgetsSuperpagesSoPageFlushesStayLocal) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  s.target.superpage.insert(kWindow);
  mmu.load(kWindow, 8, 0, 0);  // a piece of a 2 MiB mapping enters the TLB
  mmu.load(kRam + 0x5000, 8, 0, 0);
  unsigned fills = s.target.fills;
  mmu.flush_page(kWindow + 0x1000);  // inside the superpage: its pieces may be anywhere, all go
  mmu.load(kWindow, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills + 1) << "a superpage's piece survived a flush of another of its pages";
  mmu.load(kRam + 0x5000, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills + 1) << "a flush inside a superpage dropped a page outside it";
  // After a full flush no superpage is left: flushing a 4 KiB page drops that page only (Linux
  // flushes single user pages all the time; each used to empty the whole TLB).
  mmu.flush();
  s.target.superpage.clear();
  mmu.load(kWindow + 0x1000, 8, 0, 0);
  mmu.load(kRam + 0x5000, 8, 0, 0);
  fills = s.target.fills;
  mmu.flush_page(kWindow + 0x1000);
  mmu.load(kRam + 0x5000, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills) << "a 4 KiB page's flush emptied the TLB";
  mmu.load(kWindow + 0x1000, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills + 1);
}

// Linux's text patching at boot flushes its fixmap page, which lies between two superpage
// regions (the linear map and the kernel image): with one range covering both, every such flush
// emptied the TLB. Each region is its own range: a page between them flushes alone, and a
// flush inside one region drops that region's pieces only.
TEST_P(SoftMmuTest, APageFlushBetweenTwoSuperpageRegionsDropsThatPageOnly) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  // Pieces of the 2 MiB mappings at kWindow and kWindow + 4 MiB, and a 4 KiB page in the 2 MiB
  // between (in three different TLB slots).
  const uint64_t low = kWindow, high = kWindow + 0x401000, between = kWindow + 0x202000;
  s.target.superpage = {low, high};
  s.target.remap[high] = kRam + 0x3000;
  s.target.remap[between] = kRam + 0x4000;
  mmu.load(low, 8, 0, 0);
  mmu.load(high, 8, 0, 0);
  mmu.load(between, 8, 0, 0);
  unsigned fills = s.target.fills;
  mmu.flush_page(between);
  mmu.load(low, 8, 0, 0);
  mmu.load(high, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills) << "a page flush between two superpages dropped them";
  mmu.load(between, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills + 1) << "the flushed page stayed in the TLB";
  // A flush inside one superpage drops its pieces, not the other's nor other pages.
  fills = s.target.fills;
  mmu.flush_page(low + 0x1000);
  mmu.load(high, 8, 0, 0);
  mmu.load(between, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills);
  mmu.load(low, 8, 0, 0);
  EXPECT_EQ(s.target.fills, fills + 1);
}

// arm64's kernel image is mapped by a dozen 2 MiB blocks side by side, vmemmap by blocks far
// above it, and Linux's text patching flushes a fixmap page above both 100 K times in a boot.
// With the superpage ranges full, the two nearest merge: the image's blocks share ranges,
// vmemmap keeps its own, and a fixmap page's flush does not scan the TLB for pieces.
TEST_P(SoftMmuTest, FullSuperpageRangesMergeTheNearestSoAFarPageFlushesAlone) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  const uint64_t image = 0xffff800080000000ull, vmemmap = 0xfffffdffc0000000ull, fixmap = 0xffffffffff5fc000ull;
  auto map_block = [&](uint64_t va) {
    s.target.superpage.insert(va);
    s.target.remap[va] = kRam + 0x3000;
    mmu.load(va, 8, 0, 0);
  };
  for (uint64_t i = 0; i < 12; ++i) map_block(image + (i << 21));
  map_block(vmemmap);
  for (uint64_t i = 0; i < 12; ++i) EXPECT_TRUE(mmu.flush_scans_superpages(image + (i << 21) + 0x1000)) << i;
  EXPECT_TRUE(mmu.flush_scans_superpages(vmemmap + 0x1000));
  EXPECT_FALSE(mmu.flush_scans_superpages(fixmap)) << "a range widened over the fixmap: every flush of it scans";
  mmu.flush();
  EXPECT_FALSE(mmu.flush_scans_superpages(image));
}

TEST_P(SoftMmuTest, APageMappedAfterAFetchFaultRunsItsCode) {
  System s(GetParam());
  auto v = s.make_cpu();
  s.code(kRam + 0x3000, {addi(5, 0, 3), kEcall});
  s.target.unmapped.insert(kWindow + 0x3000);
  for (int i = 0; i < 2; ++i) {  // the fault comes back while the page stays invalid
    v->cpu.pc = kWindow + 0x3000;
    ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitFetchFault);
    EXPECT_EQ(v->cpu.pc, kWindow + 0x3000);
    EXPECT_EQ(v->cpu.fault_addr, kWindow + 0x3000);
  }
  s.target.unmapped.clear();
  v->mmu->flush_page(kWindow + 0x3000);
  v->cpu.pc = kWindow + 0x3000;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall) << "the fetch fault of the invalid page ran again";
  EXPECT_EQ(v->cpu.x[5], 3u);
}

// A 4-byte instruction whose upper half lies on the next page: faulting while that page is
// invalid, then running with whatever that page maps to after each flush of it.
TEST_P(SoftMmuTest, AnInstructionStraddlingPagesFollowsTheSecondPagesMapping) {
  System s(GetParam());
  auto v = s.make_cpu();
  auto place = [&](uint64_t phys_lo, uint64_t phys_hi, uint32_t insn) {
    std::memcpy(&s.phys.ram[phys_lo - kRam], &insn, 2);
    std::memcpy(&s.phys.ram[phys_hi - kRam], reinterpret_cast<const uint8_t*>(&insn) + 2, 2);
    std::memcpy(&s.phys.ram[phys_hi + 2 - kRam], &kEcall, 4);
  };
  place(kRam + 0x4ffe, kRam + 0x5000, addi(5, 0, 11));
  place(kRam + 0x4ffe, kRam + 0x7000, addi(5, 0, 22));  // same lower half, another upper half
  s.target.unmapped.insert(kWindow + 0x5000);
  v->cpu.pc = kWindow + 0x4ffe;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitFetchFault);
  EXPECT_EQ(v->cpu.fault_addr, kWindow + 0x5000);
  s.target.unmapped.clear();
  v->mmu->flush_page(kWindow + 0x5000);
  for (int i = 0; i < 2; ++i) {
    v->cpu.pc = kWindow + 0x4ffe;
    ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall) << "the straddling fetch fault ran again";
    EXPECT_EQ(v->cpu.x[5], 11u);
  }
  s.target.remap[kWindow + 0x5000] = kRam + 0x7000;
  v->mmu->flush_page(kWindow + 0x5000);
  v->cpu.pc = kWindow + 0x4ffe;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 22u) << "a block ran with the old mapping of its second page";
}

// Two virtual pages 1 MiB apart share a slot of the direct-mapped table: the one a fill
// displaces waits in the victim TLB, so alternating between them walks twice, not every time.
// Flushes must reach the victims like the table's own entries.
constexpr uint64_t kAlias = kWindow + (uint64_t(kTlbSize) << kPageBits);  // kWindow's slot

TEST_P(SoftMmuTest, PagesSharingATlbSlotAlternateWithoutWalks) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  s.target.remap[kAlias] = kRam + 0x3000;
  s.phys.ram[0] = 1;
  s.phys.ram[0x3000] = 3;
  const unsigned fills = s.target.fills;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(mmu.load(kWindow, 1, 0, 0), 1u);
    EXPECT_EQ(mmu.load(kAlias, 1, 0, 0), 3u);
  }
  EXPECT_EQ(s.target.fills, fills + 2) << "a page displaced from its TLB slot was walked again";
  EXPECT_NE(mmu.dump().find("40000000"), std::string::npos) << "info tlb leaves out the victim entry";
}

TEST_P(SoftMmuTest, PageAndFullFlushesReachTheVictimTlb) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  s.target.remap[kAlias] = kRam + 0x3000;
  for (uint64_t off : {0x0, 0x3000, 0x9000, 0xa000}) s.phys.ram[off] = uint8_t(off >> 12);
  mmu.load(kWindow, 1, 0, 0);
  mmu.load(kAlias, 1, 0, 0);  // kWindow is a victim now
  s.target.remap[kWindow] = kRam + 0x9000;
  mmu.flush_page(kWindow);
  EXPECT_EQ(mmu.load(kWindow, 1, 0, 0), 9u) << "a page flush missed the victim entry of its page";
  mmu.load(kAlias, 1, 0, 0);  // kWindow a victim again, under its new mapping
  s.target.remap[kWindow] = kRam + 0xa000;
  mmu.flush();
  EXPECT_EQ(mmu.load(kWindow, 1, 0, 0), 0xau) << "a full flush missed the victim entry";
}

TEST_P(SoftMmuTest, AFlushOfNonGlobalEntriesReachesTheVictimTlb) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  const uint64_t global_alias = kAlias + (uint64_t(kTlbSize) << kPageBits);  // the same slot again
  s.target.remap[kAlias] = kRam + 0x3000;
  s.target.remap[global_alias] = kRam + 0x4000;
  s.target.global.insert(global_alias);
  for (uint64_t off : {0x0, 0x3000, 0x4000, 0x9000, 0xa000}) s.phys.ram[off] = uint8_t(off >> 12);
  mmu.load(global_alias, 1, 0, 0);
  mmu.load(kWindow, 1, 0, 0);
  mmu.load(kAlias, 1, 0, 0);  // the other two are victims
  s.target.remap[kWindow] = kRam + 0x9000;
  s.target.remap[global_alias] = kRam + 0xa000;
  mmu.flush_nonglobal();
  EXPECT_EQ(mmu.load(kWindow, 1, 0, 0), 9u) << "a non-global victim survived its address space's flush";
  EXPECT_EQ(mmu.load(global_alias, 1, 0, 0), 4u) << "a global victim was dropped by an address space's flush";
}

// A data page waiting in the victim TLB becomes a code page (a block is translated from the
// same physical page through another address): a store through the victim must drop the block.
TEST_P(SoftMmuTest, AStoreThroughAVictimEntryToANewCodePageDropsItsBlock) {
  System s(GetParam());
  auto v = s.make_cpu();
  SoftMmu& mmu = *v->mmu;
  const uint64_t code_phys = kRam + 0x2000, data_view = kWindow + 0x2000;
  const uint64_t alias = data_view + (uint64_t(kTlbSize) << kPageBits);
  s.target.remap[alias] = kRam + 0x3000;
  s.code(code_phys, {addi(5, 0, 1), kEcall});
  mmu.store(data_view + 0x100, 4, 0, 0, 0);  // writable, fast path allowed: no code there yet
  mmu.load(alias, 1, 0, 0);                  // data_view's entry is a victim now
  v->cpu.pc = code_phys;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 1u);
  mmu.store(data_view, 4, addi(5, 0, 2), 0, 0);
  v->cpu.pc = code_phys;
  ASSERT_EQ(s.engine.run(&v->cpu), riscv::kExitEcall);
  EXPECT_EQ(v->cpu.x[5], 2u) << "a store through a victim TLB entry left the old block of its page";
}

INSTANTIATE_TEST_SUITE_P(Engines, SoftMmuTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "interp" : "jit"; });

}  // namespace
}  // namespace mimic::tcg
