// System-mode RISC-V without an engine: the CSR table (WARL masks, privilege, illegal accesses),
// trap entry and return, interrupt selection, the Sv39/48/57 walk over a fake physical memory,
// and PMP matching. Values that QEMU 7.2 (qemu-system-riscv64 -M virt -cpu rv64,h=false) also
// shows are marked "QEMU"; tests/system/riscv/ runs the same checks on both.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "target/riscv/cpu.h"
#include "target/riscv/csr.h"
#include "target/riscv/excp.h"
#include "target/riscv/mmu.h"

namespace mimic::riscv {
namespace {

using tcg::Access;
namespace Prot = tcg::Prot;

struct FakeHooks : SystemHooks {
  uint64_t time = 1000;
  int flushes = 0, page_flushes = 0, stimecmp_changes = 0;
  bool unimp = false;
  std::vector<std::string> log;
  std::function<void()> on_read_time;  // runs inside a CSR access that reads mip under Sstc
  uint64_t read_time() override {
    if (on_read_time) on_read_time();
    return time;
  }
  void tlb_flush() override { ++flushes; }
  void tlb_flush_page(uint64_t) override { ++page_flushes; }
  void stimecmp_changed() override { ++stimecmp_changes; }
  bool log_unimp_enabled() const override { return unimp; }
  void log_unimp(const std::string& line) override { log.push_back(line); }
  uint64_t host_cycles() override { return 5000; }
};

struct Hart {
  Hart() {
    c = std::make_unique<RiscvCpu>();
    c->hooks = &hooks;
    csr_reset(*c, 0);
  }
  // csrrw/csrrs/csrrc at the current privilege; returns false when illegal.
  bool write(uint32_t csr, uint64_t v) {
    uint64_t old;
    return csr_access(*c, csr, CsrOp::Write, v, true, &old);
  }
  bool read(uint32_t csr, uint64_t* v) { return csr_access(*c, csr, CsrOp::Set, 0, false, v); }
  uint64_t get(uint32_t csr) {
    uint64_t v = ~0ull;
    EXPECT_TRUE(read(csr, &v)) << std::hex << csr;
    return v;
  }
  uint64_t ones(uint32_t csr) {
    EXPECT_TRUE(write(csr, ~0ull)) << std::hex << csr;
    return get(csr);
  }
  FakeHooks hooks;
  std::unique_ptr<RiscvCpu> c;
};

TEST(RiscvCsr, ResetState) {
  Hart h;
  EXPECT_EQ(h.c->priv, kPrivM);
  EXPECT_EQ(h.get(kCsrMisa), 0x800000000014112dull);  // QEMU: RV64 IMAFDC SU
  EXPECT_EQ(h.get(kCsrMstatus), 0xa00000000ull);      // QEMU: UXL = SXL = 2, all else 0
  EXPECT_EQ(h.get(kCsrMhartid), 0u);
  EXPECT_EQ(h.get(kCsrSatp), 0u);
  EXPECT_EQ(h.c->tb_flags, (kPrivM << kTbPrivShift) | (kMmuM << kTbMmuShift));
}

TEST(RiscvCsr, WarlMasks) {
  Hart h;
  // QEMU 7.2 reads 0x800000cb007e7faa: it also keeps VS (no V here), MPV/GVA (no H here) and a
  // written UXL; the rest agrees.
  EXPECT_EQ(h.ones(kCsrMstatus), 0x8000000a007e79aaull);
  EXPECT_EQ(h.ones(kCsrSstatus), 0x80000002000c6122ull);  // QEMU 0x80000003000c6722 less VS, UXL=3
  EXPECT_EQ(h.ones(kCsrMedeleg), 0xb3ffu);                // QEMU 0xf0bfff less H causes, 10, 11
  EXPECT_EQ(h.ones(kCsrMideleg), 0x222u);                 // QEMU 0x2666 less VS and LCOFI bits
  EXPECT_EQ(h.ones(kCsrMie), 0xaaau);
  EXPECT_EQ(h.get(kCsrSie), 0x222u);                      // the delegated part of mie
  EXPECT_EQ(h.ones(kCsrMenvcfg), 0x80000000000000f1ull);  // QEMU also keeps PBMTE (no Svpbmt here)
  EXPECT_EQ(h.ones(kCsrSenvcfg), 0xf1u);                  // QEMU
  EXPECT_EQ(h.ones(kCsrMisa), 0x800000000014112dull);     // QEMU: writes ignored
  EXPECT_EQ(h.ones(kCsrMscratch), ~0ull);                 // QEMU
  EXPECT_EQ(h.ones(kCsrMepc), ~1ull);                     // IALIGN 16: bit 0 is zero
  EXPECT_EQ(h.ones(kCsrMcounteren), 0xffffffffu);
  EXPECT_EQ(h.ones(kCsrMcountinhibit), 0xfffffffdu);
}

TEST(RiscvCsr, MppWarlKeepsLegalValue) {
  Hart h;
  h.write(kCsrMstatus, 1ull << 11);  // MPP = S
  h.write(kCsrMstatus, 2ull << 11);  // reserved: ignored
  EXPECT_EQ((h.get(kCsrMstatus) >> 11) & 3, 1u);
}

TEST(RiscvCsr, MipWritableBits) {
  Hart h;
  h.c->mip.store(Mip::kMTIP);  // driven by the ACLINT
  EXPECT_EQ(h.ones(kCsrMip), Mip::kMTIP | Mip::kSSIP | Mip::kSTIP | Mip::kSEIP);
  h.write(kCsrMip, 0);
  EXPECT_EQ(h.get(kCsrMip), uint64_t(Mip::kMTIP));  // QEMU: MTIP stays
  // With Sstc, STIP follows time >= stimecmp and is not writable.
  h.write(kCsrMenvcfg, Menvcfg::kSTCE);
  h.write(kCsrStimecmp, 2000);
  EXPECT_EQ(h.get(kCsrMip) & Mip::kSTIP, 0u);
  h.hooks.time = 2000;
  EXPECT_EQ(h.get(kCsrMip) & Mip::kSTIP, uint64_t(Mip::kSTIP));
  EXPECT_GE(h.hooks.stimecmp_changes, 2);
}

// A device line that moves between csrrs/csrrc's read of mip and its write stays as the device
// left it: the PLIC raising SEIP while OpenSBI sets SSIP (an IPI) was lost, and the PLIC
// raises a context's line only once, so that hart never saw its external interrupts again.
TEST(RiscvCsr, MipSetClearKeepLinesMovedMeanwhile) {
  Hart h;
  h.write(kCsrMenvcfg, Menvcfg::kSTCE);  // read_mip asks the time hook after loading mip: the window
  h.write(kCsrStimecmp, ~0ull);
  uint64_t old = 0;
  h.hooks.on_read_time = [&] { h.c->mip.fetch_or(Mip::kSEIP); };
  ASSERT_TRUE(csr_access(*h.c, kCsrMip, CsrOp::Set, Mip::kSSIP, true, &old));
  EXPECT_EQ(h.c->mip.load() & (Mip::kSEIP | Mip::kSSIP), uint64_t(Mip::kSEIP | Mip::kSSIP));
  h.hooks.on_read_time = [&] { h.c->mip.fetch_and(~uint64_t(Mip::kSEIP)); };
  ASSERT_TRUE(csr_access(*h.c, kCsrMip, CsrOp::Clear, Mip::kSSIP, true, &old));
  EXPECT_EQ(h.c->mip.load() & (Mip::kSEIP | Mip::kSSIP), 0u);
  // sip from S-mode alike (SSIP delegated).
  h.write(kCsrMideleg, Mip::kSSIP | Mip::kSEIP);
  h.hooks.on_read_time = [&] { h.c->mip.fetch_or(Mip::kSEIP); };
  ASSERT_TRUE(csr_access(*h.c, kCsrSip, CsrOp::Set, Mip::kSSIP, true, &old));
  EXPECT_EQ(h.c->mip.load() & (Mip::kSEIP | Mip::kSSIP), uint64_t(Mip::kSEIP | Mip::kSSIP));
  h.hooks.on_read_time = nullptr;
  EXPECT_EQ(h.get(kCsrMip) & Mip::kSTIP, 0u);  // Sstc's STIP is computed, never written
}

TEST(RiscvCsr, TvecReservedModeIgnored) {
  Hart h;
  h.write(kCsrStvec, 0x80001001);
  EXPECT_EQ(h.get(kCsrStvec), 0x80001001u);
  h.write(kCsrStvec, ~0ull);  // mode 3: QEMU ignores the write
  EXPECT_EQ(h.get(kCsrStvec), 0x80001001u);
}

TEST(RiscvCsr, IllegalAccesses) {
  Hart h;
  uint64_t v;
  EXPECT_FALSE(h.read(0x7c0, &v));            // no such CSR
  EXPECT_FALSE(h.write(kCsrMhartid, 1));      // read-only number
  EXPECT_TRUE(h.read(kCsrMhartid, &v));       // csrrs x0 does not write
  EXPECT_FALSE(h.read(kCsrPmpcfg0 + 1, &v));  // odd pmpcfg does not exist on RV64
  EXPECT_FALSE(h.read(kCsrFflags, &v));       // FS is Off after reset
  h.c->priv = kPrivS;
  EXPECT_FALSE(h.read(kCsrMstatus, &v));  // M CSR from S
  EXPECT_TRUE(h.read(kCsrSstatus, &v));
  h.c->priv = kPrivU;
  EXPECT_FALSE(h.read(kCsrSstatus, &v));  // S CSR from U
  // An illegal write changes nothing.
  h.c->priv = kPrivS;
  h.c->mstatus = 0;
  EXPECT_FALSE(h.write(kCsrMstatus, Mstatus::kMIE));
  EXPECT_EQ(h.c->mstatus, 0u);
}

TEST(RiscvCsr, UnknownCsrLogsWithUnimp) {
  Hart h;
  h.hooks.unimp = true;
  uint64_t v;
  EXPECT_FALSE(csr_access(*h.c, 0x7c0, CsrOp::Set, 0, false, &v, 0x80000010, 0x7c002573));
  ASSERT_EQ(h.hooks.log.size(), 1u);
  EXPECT_NE(h.hooks.log[0].find("0x7c0"), std::string::npos);
  EXPECT_NE(h.hooks.log[0].find("0x0000000080000010"), std::string::npos);
  EXPECT_NE(h.hooks.log[0].find("7c002573"), std::string::npos);
}

TEST(RiscvCsr, SatpModesTvmAndFlush) {
  Hart h;
  EXPECT_TRUE(h.write(kCsrSatp, (8ull << 60) | 0x80123));
  EXPECT_EQ(h.get(kCsrSatp), (8ull << 60) | 0x80123);
  EXPECT_EQ(h.hooks.flushes, 1);
  for (uint64_t mode : {1, 2, 7, 11, 15}) {
    EXPECT_TRUE(h.write(kCsrSatp, (mode << 60) | 5));
    EXPECT_EQ(h.get(kCsrSatp), (8ull << 60) | 0x80123) << mode;  // unsupported: ignored
  }
  EXPECT_TRUE(h.write(kCsrSatp, (10ull << 60) | 7));  // Sv57
  EXPECT_EQ(h.get(kCsrSatp) >> 60, 10u);
  h.c->mstatus |= Mstatus::kTVM;
  h.c->priv = kPrivS;
  uint64_t v;
  EXPECT_FALSE(h.read(kCsrSatp, &v));
  h.c->mstatus &= ~Mstatus::kTVM;
  EXPECT_TRUE(h.read(kCsrSatp, &v));
}

TEST(RiscvCsr, CounterEnables) {
  Hart h;
  uint64_t v;
  EXPECT_TRUE(h.read(kCsrCycle, &v));
  EXPECT_TRUE(h.read(kCsrTime, &v));
  EXPECT_EQ(v, 1000u);
  h.c->priv = kPrivS;
  EXPECT_FALSE(h.read(kCsrCycle, &v));
  h.c->mcounteren = 1;  // CY
  EXPECT_TRUE(h.read(kCsrCycle, &v));
  EXPECT_FALSE(h.read(kCsrTime, &v));
  h.c->priv = kPrivU;
  EXPECT_FALSE(h.read(kCsrCycle, &v));
  h.c->scounteren = 1;
  EXPECT_TRUE(h.read(kCsrCycle, &v));
  // mcycle writes set the counter (it then counts on from there).
  h.c->priv = kPrivM;
  h.write(kCsrMcycle, 123);
  EXPECT_EQ(h.get(kCsrMcycle), 123u);
}

TEST(RiscvCsr, StimecmpNeedsStceAndTm) {
  Hart h;
  h.c->priv = kPrivS;
  uint64_t v;
  EXPECT_FALSE(h.read(kCsrStimecmp, &v));
  h.c->mcounteren = 2;
  EXPECT_FALSE(h.read(kCsrStimecmp, &v));
  h.c->menvcfg = Menvcfg::kSTCE;
  EXPECT_TRUE(h.read(kCsrStimecmp, &v));
}

TEST(RiscvCsr, FpCsrsMarkFsDirty) {
  Hart h;
  h.write(kCsrMstatus, 1ull << 13);  // FS Initial
  EXPECT_TRUE(h.write(kCsrFrm, 3));
  EXPECT_EQ((h.get(kCsrMstatus) >> 13) & 3, 3u);
  EXPECT_EQ(h.get(kCsrMstatus) >> 63, 1u);  // SD
  EXPECT_EQ(h.get(kCsrFcsr), 3u << 5);
  EXPECT_EQ(h.c->tb_flags & kTbFrmMask, 3u);
  EXPECT_EQ((h.c->tb_flags & kTbFsMask) >> kTbFsShift, 3u);
}

TEST(RiscvCsr, TbFlagsMmuIndex) {
  Hart h;
  h.write(kCsrMstatus, Mstatus::kMPRV | (1ull << 11) | Mstatus::kSUM);  // MPRV with MPP = S
  EXPECT_EQ((h.c->tb_flags & kTbMmuMask) >> kTbMmuShift, unsigned(kMmuSSum));
  h.write(kCsrMstatus, Mstatus::kMXR);
  EXPECT_EQ((h.c->tb_flags & kTbMmuMask) >> kTbMmuShift, unsigned(kMmuM));
  h.c->priv = kPrivU;
  update_tb_flags(*h.c);
  EXPECT_EQ((h.c->tb_flags & kTbMmuMask) >> kTbMmuShift, unsigned(kMmuUMxr));
  EXPECT_EQ(fetch_mmu_index(*h.c), unsigned(kMmuU));
}

// ---- traps ----

TEST(RiscvTrap, ExceptionToMAndDelegatedToS) {
  Hart h;
  RiscvCpu& c = *h.c;
  c.mtvec = 0x80000100;
  c.stvec = 0x80000201;  // vectored: exceptions still go to the base
  c.priv = kPrivU;
  c.pc = 0x1000;
  c.mstatus = Mstatus::kSIE;
  raise_trap(c, kCauseIllegal, false, 0x12345);
  EXPECT_EQ(c.priv, kPrivM);
  EXPECT_EQ(c.pc, 0x80000100u);
  EXPECT_EQ(c.mepc, 0x1000u);
  EXPECT_EQ(c.mcause, 2u);
  EXPECT_EQ(c.mtval, 0x12345u);
  EXPECT_EQ((c.mstatus & Mstatus::kMPP) >> 11, 0u);
  EXPECT_EQ(c.mstatus & Mstatus::kSIE, uint64_t(Mstatus::kSIE));  // S state untouched

  c.medeleg = 1u << kCauseEcallU;
  c.priv = kPrivU;
  c.pc = 0x2000;
  raise_trap(c, kCauseEcallU, false, 0);
  EXPECT_EQ(c.priv, kPrivS);
  EXPECT_EQ(c.pc, 0x80000200u);
  EXPECT_EQ(c.sepc, 0x2000u);
  EXPECT_EQ(c.scause, 8u);
  EXPECT_EQ(c.mstatus & (Mstatus::kSIE | Mstatus::kSPIE | Mstatus::kSPP), uint64_t(Mstatus::kSPIE));
  // From M a delegated exception still goes to M.
  c.priv = kPrivM;
  raise_trap(c, kCauseEcallU, false, 0);
  EXPECT_EQ(c.priv, kPrivM);
}

TEST(RiscvTrap, VectoredInterrupts) {
  Hart h;
  RiscvCpu& c = *h.c;
  c.mtvec = 0x80000001;
  c.pc = 0x500;
  c.mstatus = Mstatus::kMIE;
  raise_trap(c, 7, true, 0);
  EXPECT_EQ(c.pc, 0x80000000u + 4 * 7);
  EXPECT_EQ(c.mcause, (1ull << 63) | 7);
  EXPECT_EQ(c.mstatus & (Mstatus::kMIE | Mstatus::kMPIE), uint64_t(Mstatus::kMPIE));
  EXPECT_EQ((c.mstatus & Mstatus::kMPP) >> 11, 3u);
}

TEST(RiscvTrap, MretSretAndTsr) {
  Hart h;
  RiscvCpu& c = *h.c;
  c.mstatus = Mstatus::kMPIE | (1ull << 11) | Mstatus::kMPRV;
  c.mepc = 0x4000;
  ASSERT_TRUE(do_mret(c));
  EXPECT_EQ(c.priv, kPrivS);
  EXPECT_EQ(c.pc, 0x4000u);
  EXPECT_EQ(c.mstatus & (Mstatus::kMIE | Mstatus::kMPIE | Mstatus::kMPP | Mstatus::kMPRV),
            uint64_t(Mstatus::kMIE | Mstatus::kMPIE));
  EXPECT_FALSE(do_mret(c));  // mret below M
  c.mstatus |= Mstatus::kSPIE | Mstatus::kTSR;
  EXPECT_FALSE(do_sret(c));
  c.mstatus &= ~Mstatus::kTSR;
  c.sepc = 0x5000;
  ASSERT_TRUE(do_sret(c));
  EXPECT_EQ(c.priv, kPrivU);  // SPP was 0
  EXPECT_EQ(c.pc, 0x5000u);
  EXPECT_EQ(c.mstatus & (Mstatus::kSIE | Mstatus::kSPIE), uint64_t(Mstatus::kSIE | Mstatus::kSPIE));
  EXPECT_FALSE(do_sret(c));  // sret from U
}

TEST(RiscvTrap, InterruptPriorityAndEnables) {
  Hart h;
  RiscvCpu& c = *h.c;
  c.mie = Mip::kAll;
  c.mip.store(Mip::kAll);
  EXPECT_EQ(pending_interrupt(c), -1);  // M with MIE=0
  EXPECT_TRUE(wfi_wakeup(c));           // but WFI wakes
  c.mstatus = Mstatus::kMIE;
  int expect[] = {11, 3, 7, 9, 1, 5};
  for (int irq : expect) {
    EXPECT_EQ(pending_interrupt(c), irq);
    c.mip.fetch_and(~(1ull << irq));
  }
  EXPECT_EQ(pending_interrupt(c), -1);
  // Delegated interrupts: never taken in M, taken in S with SIE, always in U.
  c.mideleg = Mip::kSBits;
  c.mip.store(Mip::kSTIP | Mip::kSSIP);
  EXPECT_EQ(pending_interrupt(c), -1);
  c.priv = kPrivS;
  c.mstatus = 0;
  EXPECT_EQ(pending_interrupt(c), -1);
  c.mstatus = Mstatus::kSIE;
  EXPECT_EQ(pending_interrupt(c), 1);
  c.priv = kPrivU;
  c.mstatus = 0;
  EXPECT_EQ(pending_interrupt(c), 1);
  // M-level interrupts beat S-level ones and are taken in S whatever MIE says.
  c.priv = kPrivS;
  c.mip.fetch_or(Mip::kMTIP);
  EXPECT_EQ(pending_interrupt(c), 7);
}

// ---- page walk ----

// Physical memory made of 4 KiB RAM pages allocated on demand, plus nothing elsewhere.
class FakePhys final : public tcg::PhysMemory {
 public:
  uint8_t* ram_page(uint64_t page, bool* writable) override {
    if (page >= kRamTop) return nullptr;
    *writable = true;
    auto& p = pages_[page];
    if (!p) p = std::make_unique<Page>();
    return p->bytes;
  }
  bool io_read(uint64_t, unsigned, uint64_t*) override { return false; }
  bool io_write(uint64_t, unsigned, uint64_t) override { return false; }
  uint64_t read64(uint64_t pa) {
    bool w;
    uint64_t v;
    std::memcpy(&v, ram_page(pa & tcg::kPageMask, &w) + (pa & 0xfff), 8);
    return v;
  }
  void write64(uint64_t pa, uint64_t v) {
    bool w;
    std::memcpy(ram_page(pa & tcg::kPageMask, &w) + (pa & 0xfff), &v, 8);
  }
  static constexpr uint64_t kRamTop = 1ull << 40;

 private:
  struct alignas(8) Page {
    uint8_t bytes[4096] = {};
  };
  std::map<uint64_t, std::unique_ptr<Page>> pages_;
};

constexpr uint64_t V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;

struct Walk : Hart {
  FakePhys phys;
  uint64_t next_table = 0x100000;
  unsigned levels = 3;
  uint64_t root = 0;
  // S and U need a PMP entry (as firmware sets one up): entry 15 opens all memory, RWX.
  Walk() {
    c->pmpaddr[15] = (1ull << 54) - 1;
    c->pmpcfg[15] = 0x1f;
    pmp_update(*c);
  }
  void set_mode(unsigned mode) {
    levels = mode == 8 ? 3 : mode == 9 ? 4 : 5;
    root = alloc();
    c->satp = (uint64_t(mode) << 60) | (root >> 12);
    c->priv = kPrivS;
  }
  uint64_t alloc() {
    uint64_t t = next_table;
    next_table += 0x1000;
    return t;
  }
  // Maps va to pa with a leaf at `level` (0: 4 KiB); returns the leaf PTE's address.
  uint64_t map(uint64_t va, uint64_t pa, uint64_t flags, unsigned level = 0) {
    uint64_t table = root;
    for (int l = int(levels) - 1; l > int(level); --l) {
      uint64_t slot = table + ((va >> (12 + 9 * l)) & 511) * 8;
      uint64_t pte = phys.read64(slot);
      if (!(pte & V)) {
        pte = ((alloc() >> 12) << 10) | V;
        phys.write64(slot, pte);
      }
      table = (pte >> 10) << 12;
    }
    uint64_t slot = table + ((va >> (12 + 9 * level)) & 511) * 8;
    phys.write64(slot, ((pa >> 12) << 10) | flags);
    return slot;
  }
  WalkResult go(uint64_t va, Access a, unsigned idx, uint64_t* pa, uint8_t* prot = nullptr) {
    return translate_address(*c, phys, va, a, idx, true, pa, prot);
  }
};

TEST(RiscvMmu, BareAndMachineModeAreIdentity) {
  Walk w;
  uint64_t pa;
  uint8_t prot;
  ASSERT_EQ(w.go(0x80001234, Access::Write, kMmuS, &pa, &prot), WalkResult::Ok);
  EXPECT_EQ(pa, 0x80001234u);
  EXPECT_EQ(prot, Prot::kRead | Prot::kWrite | Prot::kExec);
  w.set_mode(8);
  ASSERT_EQ(w.go(0x80001234, Access::Read, kMmuM, &pa), WalkResult::Ok);
  EXPECT_EQ(pa, 0x80001234u);
}

TEST(RiscvMmu, FourKiBPagesInEveryMode) {
  for (unsigned mode : {8u, 9u, 10u}) {
    Walk w;
    w.set_mode(mode);
    uint64_t va = mode == 8 ? 0x40201000 : mode == 9 ? 0x7f0040201000 : 0xff7f0040201000;
    w.map(va, 0x80005000, V | R | W | A | D);
    uint64_t pa;
    ASSERT_EQ(w.go(va + 0x123, Access::Read, kMmuS, &pa), WalkResult::Ok) << mode;
    EXPECT_EQ(pa, 0x80005123u);
    // Not sign-extended from the top implemented bit: page fault.
    uint64_t bits = 12 + 9 * w.levels;
    EXPECT_EQ(w.go(1ull << bits, Access::Read, kMmuS, &pa), WalkResult::PageFault) << mode;
    // Unmapped neighbour.
    EXPECT_EQ(w.go(va + 0x1000, Access::Read, kMmuS, &pa), WalkResult::PageFault) << mode;
  }
}

TEST(RiscvMmu, SuperpagesAndMisalignedSuperpages) {
  Walk w;
  w.set_mode(8);
  w.map(0x40000000, 0x80000000, V | R | W | X | A | D, 2);  // 1 GiB
  w.map(0x00200000, 0x80200000, V | R | A, 1);              // 2 MiB
  w.map(0x00400000, 0x80201000, V | R | A, 1);              // PPN not 2 MiB aligned
  uint64_t pa;
  ASSERT_EQ(w.go(0x40123456, Access::Write, kMmuS, &pa), WalkResult::Ok);
  EXPECT_EQ(pa, 0x80123456u);
  ASSERT_EQ(w.go(0x002fff00, Access::Read, kMmuS, &pa), WalkResult::Ok);
  EXPECT_EQ(pa, 0x802fff00u);
  EXPECT_EQ(w.go(0x00400000, Access::Read, kMmuS, &pa), WalkResult::PageFault);
}

TEST(RiscvMmu, AccessedAndDirtyUpdates) {
  Walk w;
  w.set_mode(8);
  uint64_t slot = w.map(0x1000, 0x80001000, V | R | W);
  uint64_t pa;
  uint8_t prot;
  ASSERT_EQ(w.go(0x1000, Access::Read, kMmuS, &pa, &prot), WalkResult::Ok);
  EXPECT_EQ(w.phys.read64(slot) & (A | D), A);
  EXPECT_EQ(prot, Prot::kRead);  // no write until D is set
  ASSERT_EQ(w.go(0x1000, Access::Write, kMmuS, &pa, &prot), WalkResult::Ok);
  EXPECT_EQ(w.phys.read64(slot) & (A | D), A | D);
  EXPECT_EQ(prot, Prot::kRead | Prot::kWrite);
  // The debug walk writes nothing.
  uint64_t slot2 = w.map(0x2000, 0x80002000, V | R | W);
  ASSERT_EQ(translate_address(*w.c, w.phys, 0x2000, Access::Write, kMmuS, false, &pa), WalkResult::Ok);
  EXPECT_EQ(w.phys.read64(slot2) & (A | D), 0u);
}

TEST(RiscvMmu, PermissionsUserSumMxr) {
  Walk w;
  w.set_mode(9);
  w.map(0x1000, 0x80001000, V | R | W | U | A | D);  // user data
  w.map(0x2000, 0x80002000, V | X | A);              // supervisor execute-only
  w.map(0x3000, 0x80003000, V | X | U | A);          // user execute-only
  w.map(0x4000, 0x80004000, V | R | A);              // supervisor read-only
  uint64_t pa;
  EXPECT_EQ(w.go(0x1000, Access::Read, kMmuS, &pa), WalkResult::PageFault);  // SUM=0
  EXPECT_EQ(w.go(0x1000, Access::Read, kMmuSSum, &pa), WalkResult::Ok);
  EXPECT_EQ(w.go(0x1000, Access::Write, kMmuSSum, &pa), WalkResult::Ok);
  EXPECT_EQ(w.go(0x3000, Access::Fetch, kMmuS, &pa), WalkResult::PageFault);  // S never runs U code
  EXPECT_EQ(w.go(0x3000, Access::Fetch, kMmuU, &pa), WalkResult::Ok);
  EXPECT_EQ(w.go(0x2000, Access::Fetch, kMmuU, &pa), WalkResult::PageFault);  // U on S page
  EXPECT_EQ(w.go(0x1000, Access::Read, kMmuU, &pa), WalkResult::Ok);
  EXPECT_EQ(w.go(0x2000, Access::Read, kMmuS, &pa), WalkResult::PageFault);  // execute-only
  EXPECT_EQ(w.go(0x2000, Access::Read, kMmuSMxr, &pa), WalkResult::Ok);      // MXR
  EXPECT_EQ(w.go(0x3000, Access::Read, kMmuUMxr, &pa), WalkResult::Ok);
  EXPECT_EQ(w.go(0x4000, Access::Write, kMmuS, &pa), WalkResult::PageFault);
  EXPECT_EQ(fault_cause(WalkResult::PageFault, Access::Fetch), 12u);
  EXPECT_EQ(fault_cause(WalkResult::PageFault, Access::Read), 13u);
  EXPECT_EQ(fault_cause(WalkResult::PageFault, Access::Write), 15u);
  EXPECT_EQ(fault_cause(WalkResult::AccessFault, Access::Fetch), 1u);
  EXPECT_EQ(fault_cause(WalkResult::AccessFault, Access::Read), 5u);
  EXPECT_EQ(fault_cause(WalkResult::AccessFault, Access::Write), 7u);
}

TEST(RiscvMmu, ReservedEncodingsFault) {
  Walk w;
  w.set_mode(8);
  w.map(0x1000, 0x80001000, V | W | A | D);             // W without R
  w.map(0x2000, 0x80002000, V | R | A | (1ull << 62));  // PBMT without Svpbmt
  w.map(0x3000, 0x80003000, V | R | A | (1ull << 63));  // N without Svnapot
  w.map(0x4000, 0x80004000, V | R | A | (1ull << 54));  // reserved bit
  uint64_t pa;
  for (uint64_t va : {0x1000, 0x2000, 0x3000, 0x4000})
    EXPECT_EQ(w.go(va, Access::Read, kMmuS, &pa), WalkResult::PageFault) << std::hex << va;
  // A PTE outside RAM: access fault.
  w.c->satp = (8ull << 60) | (FakePhys::kRamTop >> 12);
  EXPECT_EQ(w.go(0x1000, Access::Read, kMmuS, &pa), WalkResult::AccessFault);
}

TEST(RiscvMmu, MprvTranslatesMachineDataAsMpp) {
  Walk w;
  w.set_mode(8);
  w.map(0x1000, 0x80007000, V | R | W | A | D);
  w.c->priv = kPrivM;
  w.c->mstatus = Mstatus::kMPRV | (1ull << 11);
  unsigned idx = data_mmu_index(*w.c);
  EXPECT_EQ(idx, unsigned(kMmuS));
  uint64_t pa;
  ASSERT_EQ(w.go(0x1000, Access::Read, idx, &pa), WalkResult::Ok);
  EXPECT_EQ(pa, 0x80007000u);
  EXPECT_EQ(fetch_mmu_index(*w.c), unsigned(kMmuM));  // fetches ignore MPRV
}

// ---- PMP ----

uint64_t napot(uint64_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }

TEST(RiscvPmp, NoEntryMeansMachineOnly) {
  Hart h;
  EXPECT_TRUE(pmp_check(*h.c, 0x80000000, 8, Access::Write, kPrivM));
  EXPECT_FALSE(pmp_check(*h.c, 0x80000000, 8, Access::Read, kPrivS));
  EXPECT_FALSE(pmp_check(*h.c, 0x80000000, 8, Access::Fetch, kPrivU));
}

TEST(RiscvPmp, MatchingModesAndPriority) {
  Hart h;
  RiscvCpu& c = *h.c;
  // 0: NA4 at 0x80000000 read-only; 1: TOR [0x80000000, 0x80010000) RWX; 2: NAPOT 64 KiB at
  // 0x80010000 R only.
  h.write(kCsrPmpaddr0, 0x80000000 >> 2);
  h.write(kCsrPmpaddr0 + 1, 0x80010000 >> 2);
  h.write(kCsrPmpaddr0 + 2, napot(0x80010000, 0x10000));
  h.write(kCsrPmpcfg0, (uint64_t(0x19) << 16) | (uint64_t(0x0f) << 8) | 0x11);
  EXPECT_EQ(c.pmp_active, uint32_t(kPmpActive));
  EXPECT_GE(h.hooks.flushes, 1);
  EXPECT_FALSE(pmp_check(c, 0x80000000, 4, Access::Write, kPrivS));  // NA4 entry wins
  EXPECT_TRUE(pmp_check(c, 0x80000000, 4, Access::Read, kPrivS));
  EXPECT_TRUE(pmp_check(c, 0x80000004, 4, Access::Write, kPrivS));  // TOR
  EXPECT_FALSE(pmp_check(c, 0x80000002, 4, Access::Read, kPrivS));  // straddles entries 0/1
  EXPECT_TRUE(pmp_check(c, 0x8001fff8, 8, Access::Read, kPrivU));   // NAPOT
  EXPECT_FALSE(pmp_check(c, 0x8001fff8, 8, Access::Fetch, kPrivU));
  EXPECT_FALSE(pmp_check(c, 0x80020000, 8, Access::Read, kPrivS));  // no match
  EXPECT_TRUE(pmp_check(c, 0x80020000, 8, Access::Write, kPrivM));  // M: no match = allowed
  EXPECT_TRUE(pmp_check(c, 0x80000000, 4, Access::Write, kPrivM));  // unlocked: M unchecked
  bool uniform;
  EXPECT_EQ(pmp_page_prot(c, 0x80000000, kPrivS, &uniform), 0);
  EXPECT_FALSE(uniform);  // the NA4 entry splits the page
  EXPECT_EQ(pmp_page_prot(c, 0x80001000, kPrivS, &uniform), Prot::kRead | Prot::kWrite | Prot::kExec);
  EXPECT_TRUE(uniform);
  // M is bound by no entry here: the split page is one fast-path page for M.
  EXPECT_EQ(pmp_page_prot(c, 0x80000000, kPrivM, &uniform), Prot::kRead | Prot::kWrite | Prot::kExec);
  EXPECT_TRUE(uniform);
}

TEST(RiscvPmp, LockingBindsMachineModeAndFreezesEntries) {
  Hart h;
  RiscvCpu& c = *h.c;
  h.write(kCsrPmpaddr0 + 1, 0x80001000 >> 2);
  h.write(kCsrPmpcfg0, (uint64_t(0x80 | 0x08 | 0x01) << 8));  // entry 1: TOR, R, locked
  EXPECT_FALSE(pmp_check(c, 0x80000000, 8, Access::Write, kPrivM));
  EXPECT_TRUE(pmp_check(c, 0x80000000, 8, Access::Read, kPrivM));
  // Locked: neither its cfg nor its address (nor pmpaddr0, the TOR base) can change.
  h.write(kCsrPmpcfg0, 0);
  EXPECT_EQ(h.get(kCsrPmpcfg0), uint64_t(0x89) << 8);
  h.write(kCsrPmpaddr0 + 1, 0);
  EXPECT_EQ(h.get(kCsrPmpaddr0 + 1), uint64_t(0x80001000 >> 2));
  h.write(kCsrPmpaddr0, 0x1234);
  EXPECT_EQ(h.get(kCsrPmpaddr0), 0u);
}

TEST(RiscvPmp, WalkAppliesPmpToFinalPageAndPtes) {
  Walk w;
  w.set_mode(8);
  w.map(0x1000, 0x80001000, V | R | W | A | D);
  uint64_t pa;
  uint8_t prot;
  bool cacheable;
  // S may reach only the page tables ([0x100000, 0x200000)) and 0x80001000's first 2 KiB.
  w.c->priv = kPrivM;   // to write the PMP CSRs; the accesses below use the S index
  w.c->pmpcfg[15] = 0;  // not the fixture's open-everything entry
  w.write(kCsrPmpaddr0, napot(0x100000, 0x100000));
  w.write(kCsrPmpaddr0 + 1, 0x80001000 >> 2);
  w.write(kCsrPmpaddr0 + 2, 0x80001800 >> 2);
  w.write(kCsrPmpcfg0, (uint64_t(0x0b) << 16) | 0x1b);  // 0: NAPOT RW, 2: TOR RW
  ASSERT_EQ(translate_address(*w.c, w.phys, 0x1010, Access::Write, kMmuS, true, &pa, &prot, &cacheable),
            WalkResult::Ok);
  EXPECT_FALSE(cacheable);
  EXPECT_EQ(translate_address(*w.c, w.phys, 0x1810, Access::Read, kMmuS, true, &pa), WalkResult::AccessFault);
  // Without the page-table region, the walk's own PTE read fails: access fault.
  w.write(kCsrPmpcfg0, uint64_t(0x0b) << 16);
  EXPECT_EQ(translate_address(*w.c, w.phys, 0x1010, Access::Read, kMmuS, true, &pa), WalkResult::AccessFault);
}

}  // namespace
}  // namespace mimic::riscv
