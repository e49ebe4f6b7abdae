// GICv2 and GICv3 through their registers, as a guest drives them: the pending/active state
// machine, priority masking and preemption, EOI modes, SGI targeting, affinity routing.
#include <gtest/gtest.h>

#include <map>

#include "hw/intc/arm_gicv2.h"
#include "hw/intc/arm_gicv3.h"

using namespace mimic::hw;

namespace {
struct Outputs {
  std::map<std::pair<unsigned, int>, bool> level;
  void attach(ArmGic& g) {
    g.set_output([this](unsigned cpu, ArmCpuIrq l, bool v) { level[{cpu, int(l)}] = v; });
  }
  bool irq(unsigned cpu) { return level[{cpu, int(ArmCpuIrq::Irq)}]; }
  bool fiq(unsigned cpu) { return level[{cpu, int(ArmCpuIrq::Fiq)}]; }
  bool virq(unsigned cpu) { return level[{cpu, int(ArmCpuIrq::VIrq)}]; }
};

struct V2 {
  GicV2 gic{4, 64, nullptr};
  Outputs out;
  unsigned cpu = 0;
  V2() {
    out.attach(gic);
    gic.set_cpu_index_source([this] { return cpu; });
  }
  void dw(uint64_t off, uint32_t v) { gic.distributor().write(off, v, 4); }
  uint32_t dr(uint64_t off) { return uint32_t(gic.distributor().read(off, 4)); }
  void cw(uint64_t off, uint32_t v) { gic.cpu_interface().write(off, v, 4); }
  uint32_t cr(uint64_t off) { return uint32_t(gic.cpu_interface().read(off, 4)); }
  void prio(unsigned id, uint8_t p) { gic.distributor().write(0x400 + id, p, 1); }
  // Distributor and every CPU interface on, PMR open.
  void enable_all() {
    dw(0x000, 1);
    for (cpu = 0; cpu < 4; cpu++) {
      cw(0x00, 1);
      cw(0x04, 0xff);
    }
    cpu = 0;
  }
};
}  // namespace

TEST(GicV2, IdentificationAndTyper) {
  V2 g;
  EXPECT_EQ(g.dr(0x004), (3u << 5) | 1u);  // 4 CPUs, 64 INTIDs
  EXPECT_EQ(g.dr(0xfe8), 0x2bu);           // PIDR2: GICv2
  EXPECT_EQ(g.cr(0xfc), 0x2043bu);         // GICC_IIDR
  EXPECT_EQ(g.cr(0x0c), 1023u);            // nothing pending: spurious
  // ITARGETSR of SGIs/PPIs reads the accessing CPU's bit.
  g.cpu = 2;
  EXPECT_EQ(g.dr(0x800), 0x04040404u);
}

TEST(GicV2, LevelSpiPendingActiveAndEoi) {
  V2 g;
  g.enable_all();
  g.dw(0x104, 1u << 8);                            // enable INTID 40
  g.gic.distributor().write(0x800 + 40, 0x02, 1);  // to CPU 1
  g.prio(40, 0x80);
  g.gic.set_irq(0, 40, true);
  EXPECT_FALSE(g.out.irq(0));
  EXPECT_TRUE(g.out.irq(1));
  EXPECT_EQ(g.dr(0x204), 1u << 8);  // pending
  g.cpu = 1;
  EXPECT_EQ(g.cr(0x18), 40u);  // HPPIR
  EXPECT_EQ(g.cr(0x0c), 40u);  // IAR: active (and still pending: the line is high)
  EXPECT_FALSE(g.out.irq(1));
  EXPECT_EQ(g.dr(0x304), 1u << 8);
  EXPECT_EQ(g.dr(0x204), 1u << 8);
  EXPECT_EQ(g.cr(0x14), 0x80u);  // RPR
  g.cw(0x10, 40);                // EOIR: priority drop and deactivation
  EXPECT_EQ(g.dr(0x304), 0u);
  EXPECT_TRUE(g.out.irq(1));  // still asserted: signalled again
  g.gic.set_irq(0, 40, false);
  EXPECT_FALSE(g.out.irq(1));
  EXPECT_EQ(g.cr(0x0c), 1023u);
}

TEST(GicV2, EdgeLatchesAndPriorityMaskAndPreemption) {
  V2 g;
  g.enable_all();
  g.dw(0xc08, 0x2u << 0);  // ICFGR2: INTID 32 edge
  g.dw(0xc08, 0xau);       // INTID 32 and 33 edge
  g.dw(0x104, 0x3);        // enable 32, 33
  g.gic.distributor().write(0x800 + 32, 1, 1);
  g.gic.distributor().write(0x800 + 33, 1, 1);
  g.prio(32, 0x40);
  g.prio(33, 0x20);
  g.cw(0x04, 0x40);  // PMR: only priorities below 0x40 pass
  g.gic.set_irq(0, 32, true);
  g.gic.set_irq(0, 32, false);  // the edge stays latched
  EXPECT_EQ(g.dr(0x204), 1u);
  EXPECT_FALSE(g.out.irq(0));  // masked by the PMR
  EXPECT_EQ(g.cr(0x0c), 1023u);
  g.cw(0x04, 0xff);
  EXPECT_TRUE(g.out.irq(0));
  EXPECT_EQ(g.cr(0x0c), 32u);
  EXPECT_EQ(g.dr(0x204), 0u);  // acknowledged edge: no longer pending
  // A higher priority interrupt preempts the running 0x40.
  g.gic.set_irq(0, 33, true);
  EXPECT_TRUE(g.out.irq(0));
  EXPECT_EQ(g.cr(0x0c), 33u);
  EXPECT_EQ(g.cr(0x14), 0x20u);
  EXPECT_EQ(g.cr(0xd0), 1u << (0x20 >> 1));         // APR0: group priority 0x20 active
  EXPECT_EQ(g.cr(0xd4), 1u << ((0x40 >> 1) - 32));  // APR1: and 0x40
  g.cw(0x10, 33);
  EXPECT_EQ(g.cr(0x14), 0x40u);
  g.cw(0x10, 32);
  EXPECT_EQ(g.cr(0x14), 0xffu);
}

TEST(GicV2, BinaryPointGroupsEqualPriorities) {
  V2 g;
  g.enable_all();
  g.dw(0x104, 0x3);
  g.dw(0xc08, 0xa);
  g.gic.distributor().write(0x800 + 32, 1, 1);
  g.gic.distributor().write(0x800 + 33, 1, 1);
  g.prio(32, 0x40);
  g.prio(33, 0x30);
  g.cw(0x08, 5);  // BPR 5: group priority bits [7:6]: 0x40 and 0x30 differ, 0x30 -> 0x00
  g.gic.set_irq(0, 32, true);
  EXPECT_EQ(g.cr(0x0c), 32u);
  g.gic.set_irq(0, 33, true);
  EXPECT_TRUE(g.out.irq(0));  // group priority 0x00 < 0x40
  g.cw(0x08, 6);              // BPR 6: only bit 7 counts: both group priority 0x00
  g.cw(0x10, 32);
  EXPECT_EQ(g.cr(0x0c), 33u);
  g.gic.set_irq(0, 32, false);
  g.gic.set_irq(0, 32, true);
  EXPECT_FALSE(g.out.irq(0));  // same group priority as the running one: no preemption
}

TEST(GicV2, SgiTargetsAndSources) {
  V2 g;
  g.enable_all();
  g.dw(0x100, 0xffff);
  for (g.cpu = 0; g.cpu < 4; g.cpu++) g.dw(0x100, 0xffff);  // SGIs are banked
  g.cpu = 1;
  g.dw(0xf00, (0x0cu << 16) | 5);  // SGI 5 to CPUs 2 and 3
  EXPECT_TRUE(g.out.irq(2));
  EXPECT_TRUE(g.out.irq(3));
  EXPECT_FALSE(g.out.irq(0));
  EXPECT_FALSE(g.out.irq(1));
  g.cpu = 3;
  g.dw(0xf00, (1u << 24) | 7);  // SGI 7 to all but CPU 3
  g.cpu = 2;
  EXPECT_EQ(g.dr(0xf24) >> 8 & 0xff, 0x02u);  // SPENDSGIR1, byte 1 (SGI 5): from CPU 1
  EXPECT_EQ(g.cr(0x0c), (1u << 10) | 5u);     // IAR carries the source CPU
  g.cw(0x10, (1u << 10) | 5u);
  EXPECT_EQ(g.cr(0x0c), (3u << 10) | 7u);
  g.cw(0x10, (3u << 10) | 7u);
  g.cpu = 0;
  EXPECT_EQ(g.cr(0x0c), (3u << 10) | 7u);
  g.cw(0x10, (3u << 10) | 7u);
  g.dw(0xf00, (2u << 24) | 1);  // to self only
  EXPECT_TRUE(g.out.irq(0));
  g.dw(0xf10, 0x1u << 8);  // CPENDSGIR0: SGI 1 from CPU 0 cleared
  EXPECT_FALSE(g.out.irq(0));
}

TEST(GicV2, Group0OnFiqAndSplitEoi) {
  V2 g;
  g.dw(0x000, 3);
  g.cw(0x00, 3 | 8 | 0x200);  // both groups, FIQEn, EOImode
  g.cw(0x04, 0xff);
  g.dw(0x104, 0x3);
  g.dw(0x084, 0x2);  // INTID 33 Group 1
  g.gic.distributor().write(0x800 + 32, 1, 1);
  g.gic.distributor().write(0x800 + 33, 1, 1);
  g.gic.set_irq(0, 32, true);
  EXPECT_TRUE(g.out.fiq(0));
  EXPECT_FALSE(g.out.irq(0));
  EXPECT_EQ(g.cr(0x0c), 32u);
  g.cw(0x10, 32);  // priority drop only
  EXPECT_EQ(g.dr(0x304), 1u);
  g.cw(0x1000, 32);  // GICC_DIR
  EXPECT_EQ(g.dr(0x304), 0u);
  g.gic.set_irq(0, 32, false);
  g.gic.set_irq(0, 33, true);
  EXPECT_TRUE(g.out.irq(0));
  EXPECT_FALSE(g.out.fiq(0));
}

TEST(GicV2, V2mFrameLatchesSpi) {
  V2 g;
  g.enable_all();
  MmioOps& v2m = g.gic.v2m(16, 16);
  EXPECT_EQ(v2m.read(0x008, 4), (48u << 16) | 16u);
  g.dw(0x104, 1u << 17);  // INTID 49
  g.gic.distributor().write(0x800 + 49, 1, 1);
  v2m.write(0x040, 49, 4);
  EXPECT_TRUE(g.out.irq(0));
  EXPECT_EQ(g.cr(0x0c), 49u);
  v2m.write(0x040, 10, 4);  // outside the frame: ignored
  EXPECT_EQ(g.cr(0x0c), 1023u);
}

namespace {
constexpr uint32_t enc(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
constexpr uint32_t kPmr = enc(3, 0, 4, 6, 0), kIar1 = enc(3, 0, 12, 12, 0), kEoir1 = enc(3, 0, 12, 12, 1),
                   kIgrpen1 = enc(3, 0, 12, 12, 7), kSgi1r = enc(3, 0, 12, 11, 5), kRpr = enc(3, 0, 12, 11, 3),
                   kCtlr = enc(3, 0, 12, 12, 4), kDir = enc(3, 0, 12, 11, 1), kSre = enc(3, 0, 12, 12, 5),
                   kIar0 = enc(3, 0, 12, 8, 0), kHppir1 = enc(3, 0, 12, 12, 2);

struct V3 {
  // 10 CPUs: 0..7 in cluster 0 (Aff1 0), 8 and 9 in cluster 1.
  GicV3 gic{{0x000, 0x001, 0x002, 0x003, 0x004, 0x005, 0x006, 0x007, 0x100, 0x101}, 96, nullptr, true};
  Outputs out;
  MmioOps& rd = gic.redistributors(0, 10);
  V3() { out.attach(gic); }
  void dw(uint64_t off, uint64_t v, unsigned size = 4) { gic.distributor().write(off, v, size); }
  uint64_t dr(uint64_t off, unsigned size = 4) { return gic.distributor().read(off, size); }
  uint64_t sr(unsigned cpu, uint32_t e) {
    uint64_t v = ~0ull;
    EXPECT_TRUE(gic.sysreg_read(cpu, e, 1, false, v));
    return v;
  }
  void sw(unsigned cpu, uint32_t e, uint64_t v) { EXPECT_TRUE(gic.sysreg_write(cpu, e, 1, false, v)); }
  // Linux's gic-v3 bring-up, reduced: Group 1 everywhere, CPU interfaces on.
  void enable_all() {
    dw(0x0000, 2);
    for (unsigned i = 1; i < 3; i++) dw(0x0080 + 4 * i, 0xffffffff);
    for (unsigned c = 0; c < 10; c++) {
      rd.write(c * 0x20000 + 0x0014, 0, 4);            // WAKER: awake
      rd.write(c * 0x20000 + 0x10080, 0xffffffff, 4);  // IGROUPR0
      rd.write(c * 0x20000 + 0x10100, 0xffffffff, 4);  // ISENABLER0
      sw(c, kPmr, 0xf0);
      sw(c, kIgrpen1, 1);
    }
  }
};
}  // namespace

TEST(GicV3, RedistributorFramesAndWaker) {
  V3 g;
  EXPECT_EQ(g.dr(0xffe8), 0x3bu);         // PIDR2: GICv3
  EXPECT_EQ(g.dr(0x0000) & 0x50, 0x50u);  // ARE and DS
  // GICR_TYPER of CPU 9: affinity 0.0.1.1, processor number 9, Last.
  EXPECT_EQ(g.rd.read(9 * 0x20000 + 8, 8), (0x101ull << 32) | (9u << 8) | (1u << 4));
  EXPECT_EQ(g.rd.read(8 * 0x20000 + 8, 8), (0x100ull << 32) | (8u << 8));
  EXPECT_EQ(g.rd.read(0x14, 4), 6u);  // asleep at reset
  g.rd.write(0x14, 0, 4);
  EXPECT_EQ(g.rd.read(0x14, 4), 0u);
  EXPECT_EQ(g.sr(0, kSre) & 1, 1u);
  EXPECT_EQ(g.sr(0, kCtlr) >> 8 & 7, 4u);  // PRIbits: 5
  uint64_t v;
  EXPECT_FALSE(g.gic.sysreg_read(0, kEoir1, 1, false, v));               // write-only
  EXPECT_FALSE(g.gic.sysreg_read(0, enc(3, 0, 12, 0, 0), 1, false, v));  // not a GIC register
}

TEST(GicV3, AffinityRoutingOfSpis) {
  V3 g;
  g.enable_all();
  g.dw(0x0100 + 4, 1u << 8);        // enable INTID 40
  g.dw(0x6000 + 8 * 40, 0x101, 8);  // to CPU 9 (Aff1 1, Aff0 1)
  g.gic.distributor().write(0x0400 + 40, 0x80, 1);
  g.gic.set_irq(0, 40, true);
  for (unsigned c = 0; c < 9; c++) EXPECT_FALSE(g.out.irq(c)) << c;
  EXPECT_TRUE(g.out.irq(9));
  EXPECT_EQ(g.sr(9, kHppir1), 40u);
  EXPECT_EQ(g.sr(9, kIar0), 1023u);  // Group 1 interrupt: IAR0 sees nothing
  EXPECT_EQ(g.sr(9, kIar1), 40u);
  EXPECT_EQ(g.sr(9, kRpr), 0x80u);
  g.sw(9, kEoir1, 40);
  g.gic.set_irq(0, 40, false);
  EXPECT_EQ(g.sr(9, kRpr), 0xffu);
  EXPECT_EQ(g.dr(0x6000 + 8 * 40, 8), 0x101u);
  // The distributor's SGI/PPI fields are RAZ/WI under affinity routing.
  g.dw(0x0100, 0xffffffff);
  EXPECT_EQ(g.dr(0x0100), 0u);
  // PMR masking: priorities at or above the mask are not signalled.
  g.sw(9, kPmr, 0x80);
  g.gic.set_irq(0, 40, true);
  EXPECT_FALSE(g.out.irq(9));
  g.sw(9, kPmr, 0x88);
  EXPECT_TRUE(g.out.irq(9));
}

TEST(GicV3, Sgi1rTargetsByAffinity) {
  V3 g;
  g.enable_all();
  // SGI 3 to Aff1 0, TargetList CPUs 1 and 6.
  g.sw(0, kSgi1r, (3ull << 24) | 0x42);
  for (unsigned c = 0; c < 10; c++) EXPECT_EQ(g.out.irq(c), c == 1 || c == 6) << c;
  EXPECT_EQ(g.sr(6, kIar1), 3u);  // no source CPU in GICv3's INTID
  g.sw(6, kEoir1, 3);
  // Aff1 1, TargetList bit 0: CPU 8.
  g.sw(0, kSgi1r, (1ull << 16) | (4ull << 24) | 1);
  EXPECT_TRUE(g.out.irq(8));
  EXPECT_EQ(g.sr(8, kIar1), 4u);
  // IRM: every CPU but the sender.
  g.sw(2, kSgi1r, (1ull << 40) | (5ull << 24));
  EXPECT_FALSE(g.out.irq(2));
  EXPECT_TRUE(g.out.irq(0));
  EXPECT_TRUE(g.out.irq(9));
}

TEST(GicV3, SplitEoiAndPpiFromTimer) {
  V3 g;
  g.enable_all();
  g.sw(0, kCtlr, 2);  // EOImode 1
  g.rd.write(0x10400 + 30, 0xa0, 1);
  g.gic.set_irq(0, 30, true);  // the CPU's EL1 physical timer
  EXPECT_TRUE(g.out.irq(0));
  EXPECT_FALSE(g.out.irq(1));
  EXPECT_EQ(g.sr(0, kIar1), 30u);
  g.sw(0, kEoir1, 30);
  EXPECT_EQ(g.rd.read(0x10300, 4), 1u << 30);  // still active: EOImode splits
  EXPECT_EQ(g.sr(0, kRpr), 0xffu);
  g.gic.set_irq(0, 30, false);
  g.sw(0, kDir, 30);
  EXPECT_EQ(g.rd.read(0x10300, 4), 0u);
}

namespace {
constexpr uint32_t kIchHcr = enc(3, 4, 12, 11, 0), kIchVtr = enc(3, 4, 12, 11, 1), kIchMisr = enc(3, 4, 12, 11, 2),
                   kIchEisr = enc(3, 4, 12, 11, 3), kIchElrsr = enc(3, 4, 12, 11, 5), kIchVmcr = enc(3, 4, 12, 11, 7),
                   kIchLr0 = enc(3, 4, 12, 12, 0), kIchAp1r0 = enc(3, 4, 12, 9, 0);
constexpr uint64_t kPending = 1ull << 62, kActive = 1ull << 63, kHw = 1ull << 61, kGroup1 = 1ull << 60,
                   kEoi = 1ull << 41;
uint64_t ich(V3& g, unsigned cpu, uint32_t e) {
  uint64_t v = ~0ull;
  EXPECT_TRUE(g.gic.sysreg_read(cpu, e, 2, false, v));
  return v;
}
void ich_w(V3& g, unsigned cpu, uint32_t e, uint64_t v) { EXPECT_TRUE(g.gic.sysreg_write(cpu, e, 2, false, v)); }
}  // namespace

TEST(GicV3Virt, IchRegistersOnlyFromEl2) {
  V3 g;
  uint64_t v;
  EXPECT_FALSE(g.gic.sysreg_read(0, kIchVtr, 1, false, v));
  EXPECT_EQ(ich(g, 0, kIchVtr) & 0x1f, 3u);                               // 4 list registers
  EXPECT_EQ(ich(g, 0, kIchVtr) >> 29 & 7, 4u);                            // 5 priority bits
  EXPECT_FALSE(g.gic.sysreg_write(0, kIchVtr, 2, false, 0));              // read-only
  EXPECT_FALSE(g.gic.sysreg_read(0, enc(3, 4, 12, 12, 4), 2, false, v));  // LR4: not implemented
  EXPECT_EQ(ich(g, 0, kIchElrsr), 0xfu);                                  // all list registers empty
}

TEST(GicV3Virt, ListRegisterDeliversToTheVirtualInterface) {
  V3 g;
  g.enable_all();
  // The hypervisor: virtual CPU interface on, Group 1 enabled, VPMR 0xf0; vINTID 27 pending.
  ich_w(g, 1, kIchVmcr, (0xf0ull << 24) | 2);
  ich_w(g, 1, kIchLr0, kPending | kGroup1 | (0xa0ull << 48) | kEoi | 27);
  EXPECT_FALSE(g.out.virq(1));  // ICH_HCR_EL2.En still clear
  ich_w(g, 1, kIchHcr, 1);
  EXPECT_TRUE(g.out.virq(1));
  EXPECT_FALSE(g.out.irq(1));  // nothing physical
  uint64_t v;
  ASSERT_TRUE(g.gic.vsysreg_read(1, kHppir1, v));
  EXPECT_EQ(v, 27u);
  ASSERT_TRUE(g.gic.vsysreg_read(1, kIar1, v));
  EXPECT_EQ(v, 27u);
  EXPECT_FALSE(g.out.virq(1));
  EXPECT_EQ(ich(g, 1, kIchLr0) >> 62, 2u);             // active
  EXPECT_EQ(ich(g, 1, kIchAp1r0), 1u << (0xa0 >> 3));  // its group priority is active
  ASSERT_TRUE(g.gic.vsysreg_read(1, kRpr, v));
  EXPECT_EQ(v, 0xa0u);
  ASSERT_TRUE(g.gic.vsysreg_write(1, kEoir1, 27));
  EXPECT_EQ(ich(g, 1, kIchLr0) >> 62, 0u);
  // The LR asked for an EOI maintenance interrupt: EISR, MISR.EOI and PPI 25 pending.
  EXPECT_EQ(ich(g, 1, kIchEisr), 1u);
  EXPECT_EQ(ich(g, 1, kIchMisr) & 1, 1u);
  EXPECT_EQ(g.rd.read(0x20000 + 0x10200, 4) & (1u << 25), 1u << 25);
  ich_w(g, 1, kIchLr0, 0);
  EXPECT_EQ(g.rd.read(0x20000 + 0x10200, 4) & (1u << 25), 0u);
  // A guest EOI of an interrupt no list register holds counts in ICH_HCR_EL2.EOIcount.
  ASSERT_TRUE(g.gic.vsysreg_write(1, kEoir1, 99));
  EXPECT_EQ(ich(g, 1, kIchHcr) >> 27, 1u);
}

TEST(GicV3Virt, HardwareListRegisterDeactivatesThePhysicalInterrupt) {
  V3 g;
  g.enable_all();
  g.sw(0, kCtlr, 2);           // the hypervisor runs with EOImode 1 (KVM's way)
  g.gic.set_irq(0, 27, true);  // the virtual timer's PPI
  ASSERT_EQ(g.sr(0, kIar1), 27u);
  g.sw(0, kEoir1, 27);  // priority drop only: still active
  EXPECT_EQ(g.rd.read(0x10300, 4) & (1u << 27), 1u << 27);
  ich_w(g, 0, kIchVmcr, (0xf0ull << 24) | 2);
  ich_w(g, 0, kIchHcr, 1);
  ich_w(g, 0, kIchLr0, kPending | kHw | kGroup1 | (0x80ull << 48) | (27ull << 32) | 27);
  uint64_t v;
  ASSERT_TRUE(g.gic.vsysreg_read(0, kIar1, v));
  EXPECT_EQ(v, 27u);
  ASSERT_TRUE(g.gic.vsysreg_write(0, kEoir1, 27));
  EXPECT_EQ(g.rd.read(0x10300, 4) & (1u << 27), 0u);  // the guest's EOI deactivated it
  // VPMR masks: a pending LR at or above it is not signalled.
  ich_w(g, 0, kIchVmcr, (0x80ull << 24) | 2);
  ich_w(g, 0, kIchLr0, kPending | kGroup1 | (0x80ull << 48) | 40);
  EXPECT_FALSE(g.out.virq(0));
  ASSERT_TRUE(g.gic.vsysreg_read(0, kIar1, v));
  EXPECT_EQ(v, 1023u);
}

TEST(GicV2Virt, GichListRegisterThroughGicv) {
  GicV2 gic(2, 64, nullptr, true);
  Outputs out;
  out.attach(gic);
  unsigned cpu = 1;
  gic.set_cpu_index_source([&] { return cpu; });
  MmioOps& h = gic.hyp_interface();
  MmioOps& v = gic.vcpu_interface();
  EXPECT_EQ(h.read(0x04, 4) & 0x3f, 3u);  // GICH_VTR: 4 list registers
  EXPECT_EQ(h.read(0x30, 4), 0xfu);       // GICH_ELRSR0: all empty
  h.write(0x08, (0xf0u << 24) | 1, 4);    // GICH_VMCR: VMPriMask 0xf0, Group 0 enabled
  // LR0: pending, Group 0, priority 0xa0 (5 bits at 27:23), EOI maintenance, virtual SGI 3 from CPU 1.
  h.write(0x100, (1u << 28) | ((0xa0u >> 3) << 23) | (1u << 19) | (1u << 10) | 3, 4);
  h.write(0x00, 1, 4);       // GICH_HCR.En
  EXPECT_TRUE(out.virq(1));  // Group 0 without VMFIQEn: VIRQ
  EXPECT_FALSE(out.virq(0));
  EXPECT_EQ(v.read(0x0c, 4), (1u << 10) | 3u);  // GICV_IAR with the SGI's source CPU
  EXPECT_FALSE(out.virq(1));
  EXPECT_EQ(h.read(0x100, 4) >> 28 & 3, 2u);  // active
  EXPECT_EQ(v.read(0x14, 4), 0xa0u);          // GICV_RPR
  v.write(0x10, (1u << 10) | 3, 4);           // GICV_EOIR
  EXPECT_EQ(h.read(0x100, 4) >> 28 & 3, 0u);
  EXPECT_EQ(h.read(0x20, 4), 1u);      // GICH_EISR0
  EXPECT_EQ(h.read(0x10, 4) & 1, 1u);  // GICH_MISR.EOI
  cpu = 0;
  EXPECT_EQ(h.read(0x20, 4), 0u);  // banked: CPU 0's interface is untouched
  // With VMFIQEn, Group 0 goes to VFIQ.
  h.write(0x08, (0xf0u << 24) | 1 | 8, 4);
  h.write(0x100, (1u << 28) | ((0x80u >> 3) << 23) | 40, 4);
  h.write(0x00, 1, 4);
  EXPECT_TRUE(gic.output_level(0, ArmCpuIrq::VFiq));
  EXPECT_FALSE(out.virq(0));
}

// secure=on's GICv3 (GICD_CTLR.DS = 0): a Secure Group 1 SGI signals FIQ at EL3 and in the
// Non-secure state, IRQ at Secure EL1 (the CPU reports its state); the Non-secure views hide it;
// EL3 reads 1020 through ICC_HPPIR0_EL1 and takes it through ICC_IAR1_EL1; the snapshot keeps
// the CPU's state.
TEST(GicV3Secure, SecureGroup1FollowsTheCpusSecurityState) {
  constexpr uint32_t kIgrpen1El3 = enc(3, 6, 12, 12, 7), kHppir0 = enc(3, 0, 12, 8, 2);
  constexpr unsigned kSecureBank = gic_access::kSecure, kNsBank = gic_access::kNsBank;
  GicV3 gic{{0x000}, 64, nullptr, false, true};
  Outputs out;
  out.attach(gic);
  MmioOps& rd = gic.redistributors(0, 1);
  EXPECT_EQ(gic.distributor().read(0x4, 4) >> 10 & 1, 1u);  // GICD_TYPER.SecurityExtn
  gic.distributor().write(0, 0x37, 4);                      // ARE_S/NS, EnableGrp0/1NS/1S
  EXPECT_EQ(gic.distributor().read(0, 4), 0x37u);
  rd.write(0x14, 0, 4);
  rd.write(0x10d00, 1u << 2, 4);  // SGI 2: IGROUPR0 0, IGRPMODR0 1: Secure Group 1
  rd.write(0x10100, 1u << 2, 4);
  EXPECT_TRUE(gic.sysreg_write(0, kPmr, 3, kSecureBank, 0xff));
  EXPECT_TRUE(gic.sysreg_write(0, kIgrpen1El3, 3, kSecureBank, 3));
  EXPECT_TRUE(gic.sysreg_write(0, kSgi1r, 3, kSecureBank, (2ull << 24) | 1));
  EXPECT_TRUE(out.fiq(0));
  EXPECT_FALSE(out.irq(0));
  gic.set_cpu_world(0, GicWorld::SecureEl1);
  EXPECT_TRUE(out.irq(0));
  EXPECT_FALSE(out.fiq(0));
  gic.set_cpu_world(0, GicWorld::NonSecure);
  EXPECT_TRUE(out.fiq(0));
  EXPECT_EQ(rd.read(0x10100, 4), 0u);              // ISENABLER0: a Secure SGI's bit reads 0
  EXPECT_EQ(gic.distributor().read(0, 4), 0x12u);  // the Non-secure GICD_CTLR
  uint64_t v = 0;
  EXPECT_TRUE(gic.sysreg_read(0, kHppir1, 1, kNsBank, v));
  EXPECT_EQ(v, 1023u);
  // A snapshot taken in the Non-secure state, loaded into a GIC whose CPU is at EL3.
  std::vector<uint8_t> saved;
  StateIo saver = StateIo::saver(saved);
  gic.snapshot_state(saver);
  GicV3 loaded{{0x000}, 64, nullptr, false, true};
  Outputs loaded_out;
  loaded_out.attach(loaded);
  StateIo loader = StateIo::loader(saved);
  loaded.snapshot_state(loader);
  EXPECT_TRUE(loader.consumed());
  EXPECT_TRUE(loaded.output_level(0, ArmCpuIrq::Fiq));  // the lines are restored with the CPUs
  loaded.set_cpu_world(0, GicWorld::SecureEl1);
  EXPECT_TRUE(loaded_out.irq(0));
  gic.set_cpu_world(0, GicWorld::El3);
  EXPECT_TRUE(gic.sysreg_read(0, kHppir0, 3, kSecureBank, v));
  EXPECT_EQ(v, 1020u);
  EXPECT_TRUE(gic.sysreg_read(0, kIar1, 3, kSecureBank, v));
  EXPECT_EQ(v, 2u);
  EXPECT_FALSE(out.fiq(0));
}
