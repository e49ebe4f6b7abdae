// PCI endpoints on the PCIe host: virtio-pci's configuration header against qemu-system-aarch64's
// (the words below are `xp /64wx` of QEMU 7.2's ECAM at 00:02.0 for -device virtio-rng-pci with
// -M virt -S, before firmware touched it), BAR sizing and placement, window routing, INTx
// through the slot swizzle, and MSI-X messages with masking and the pending bit array.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "hw/pci/pcie_host.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"

using namespace mimic::hw;

namespace {
// 0x00..0xa3 of the function's configuration space, by 32-bit word.
const uint32_t kQemuTransitional[] = {
    0x10051af4, 0x00100000, 0x00ff0000, 0x00000000, 0x00000001, 0x00000000, 0x00000000, 0x00000000, 0x0000000c,
    0x00000000, 0x00000000, 0x00041af4, 0x00000000, 0x00000098, 0x00000000, 0x00000100, 0x01100009, 0x00000004,
    0x00000000, 0x00001000, 0x03104009, 0x00000004, 0x00001000, 0x00001000, 0x04105009, 0x00000004, 0x00002000,
    0x00001000, 0x02146009, 0x00000004, 0x00003000, 0x00001000, 0x00000004, 0x05147009, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00018411, 0x00000001, 0x00000801};
const uint32_t kQemuModern[] = {  // disable-legacy=on
    0x10441af4, 0x00100000, 0x00ff0001, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0000000c,
    0x00000000, 0x00000000, 0x11001af4, 0x00000000, 0x00000098, 0x00000000, 0x00000100, 0x01100009, 0x00000004,
    0x00000000, 0x00001000, 0x03104009, 0x00000004, 0x00001000, 0x00001000, 0x04105009, 0x00000004, 0x00002000,
    0x00001000, 0x02146009, 0x00000004, 0x00003000, 0x00001000, 0x00000004, 0x05147009, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00018411, 0x00000001, 0x00000801};
const uint32_t kQemuLegacy[] = {  // disable-modern=on
    0x10051af4, 0x00100000, 0x00ff0000, 0x00000000, 0x00000001, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00041af4, 0x00000000, 0x00000040,
    0x00000000, 0x00000100, 0x00010011, 0x00000001, 0x00000801, 0x00000000};

struct Rig {
  AddressSpace mem;
  std::vector<std::pair<uint64_t, uint32_t>> msis;
  std::vector<std::pair<unsigned, bool>> intx;
  PcieHost host{nullptr, [this](unsigned line, bool l) { intx.emplace_back(line, l); },
                [this](unsigned, uint64_t a, uint32_t d) { msis.emplace_back(a, d); }};
  std::unique_ptr<VirtioPci> dev;
  MmioOps& ecam = host.ecam();
  MmioOps& mmio = host.add_window(false, 0x10000000);
  unsigned slot;
  explicit Rig(VirtioPciOptions o = {}, unsigned s = 2) : slot(s) {
    mem.add_ram("ram", 0x40000000, 1 << 20);
    dev = std::make_unique<VirtioPci>("virtio-rng-pci", mem, std::make_unique<VirtioRng>(), o, nullptr);
    EXPECT_TRUE(host.plug(slot << 3, dev.get()));
  }
  uint64_t cfg(unsigned reg) const { return uint64_t(slot) << 15 | reg; }
  uint32_t rd(unsigned reg, unsigned size = 4) { return uint32_t(ecam.read(cfg(reg), size)); }
  void wr(unsigned reg, uint32_t v, unsigned size = 4) { ecam.write(cfg(reg), v, size); }
};

void expect_header(Rig& r, const uint32_t* words, size_t n) {
  for (size_t i = 0; i < n; i++) EXPECT_EQ(r.rd(unsigned(4 * i)), words[i]) << "config word " << std::hex << 4 * i;
}
}  // namespace

TEST(VirtioPci, ConfigHeaderMatchesQemu) {
  Rig transitional;
  expect_header(transitional, kQemuTransitional, std::size(kQemuTransitional));
  VirtioPciOptions modern;
  modern.legacy = false;
  Rig m(modern);
  expect_header(m, kQemuModern, std::size(kQemuModern));
  VirtioPciOptions legacy;
  legacy.modern = false;
  Rig l(legacy);
  expect_header(l, kQemuLegacy, std::size(kQemuLegacy));
  EXPECT_EQ(l.rd(0x100), 0xffffffffu);  // no extended configuration space
}

TEST(VirtioPci, BarSizingAndWindowRouting) {
  Rig r;
  for (unsigned bar : {0x10u, 0x14u, 0x20u, 0x24u, 0x18u}) r.wr(bar, 0xffffffff);
  EXPECT_EQ(r.rd(0x10), 0xffffffe1u);  // I/O, 32 bytes: 0x18 of registers + no device config
  EXPECT_EQ(r.rd(0x14), 0xfffff000u);  // MSI-X, 4 KiB
  EXPECT_EQ(r.rd(0x20), 0xffffc00cu);  // modern, 16 KiB, 64-bit prefetchable
  EXPECT_EQ(r.rd(0x24), 0xffffffffu);
  EXPECT_EQ(r.rd(0x18), 0u);  // no BAR 2
  r.wr(0x20, 0x10004000);
  r.wr(0x24, 0);
  EXPECT_EQ(r.mmio.read(0x4000 + 0x12, 2), 0xffffu);  // memory decoding off: aborts
  r.wr(0x04, 0x0002, 2);
  EXPECT_EQ(r.mmio.read(0x4000 + 0x12, 2), 1u);  // common cfg num_queues
  r.mmio.write(0x4000 + 0x00, 1, 4);             // device_feature_select = 1
  EXPECT_EQ(r.mmio.read(0x4000 + 0x04, 4), 1u);  // VIRTIO_F_VERSION_1
  EXPECT_EQ(r.mmio.read(0x4000 + 0x18, 2), 8u);  // queue_size: virtio-rng's maximum until the driver picks
  EXPECT_EQ(r.mmio.read(0x0, 4), 0xffffffffu);   // below the BAR
}

TEST(VirtioPci, IntxFollowsIsrThroughTheSwizzle) {
  Rig r({}, 2);
  r.wr(0x20, 0x10004000);
  r.wr(0x24, 0);
  r.wr(0x04, 0x0002, 2);
  r.mmio.write(0x4000 + 0x14, 1 | 2 | 4, 1);  // ACKNOWLEDGE, DRIVER, DRIVER_OK
  r.dev->config_changed();
  ASSERT_EQ(r.intx.size(), 1u);
  EXPECT_EQ(r.intx[0], std::make_pair(2u, true));  // slot 2 INTA: line (0 + 2) % 4
  EXPECT_EQ(r.rd(0x04) >> 16 & 0x08, 0x08u);       // status: interrupt pending
  EXPECT_EQ(r.mmio.read(0x4000 + 0x1000, 1), 2u);  // ISR: configuration change, read clears
  EXPECT_EQ(r.intx.back(), std::make_pair(2u, false));
  EXPECT_EQ(r.mmio.read(0x4000 + 0x1000, 1), 0u);
}

TEST(VirtioPci, MsixMessagesMaskingAndPending) {
  Rig r;
  r.wr(0x14, 0x10001000);  // MSI-X BAR
  r.wr(0x20, 0x10004000);
  r.wr(0x24, 0);
  r.wr(0x04, 0x0006, 2);  // memory + bus master
  // Table entry 0: address 0x08020040 (GICv2m SETSPI), data 80, unmasked.
  r.mmio.write(0x1000, 0x08020040, 4);
  r.mmio.write(0x1004, 0, 4);
  r.mmio.write(0x1008, 80, 4);
  r.mmio.write(0x100c, 0, 4);
  r.wr(0x98 + 2, 0xc000, 2);          // enable + function mask
  r.mmio.write(0x4000 + 0x10, 0, 2);  // msix_config = 0
  EXPECT_EQ(r.mmio.read(0x4000 + 0x10, 2), 0u);
  r.mmio.write(0x4000 + 0x10, 7, 2);  // beyond the table: NO_VECTOR
  EXPECT_EQ(r.mmio.read(0x4000 + 0x10, 2), 0xffffu);
  r.mmio.write(0x4000 + 0x10, 0, 2);
  r.mmio.write(0x4000 + 0x14, 1 | 2 | 4, 1);
  r.dev->config_changed();
  EXPECT_TRUE(r.msis.empty());            // masked: pending
  EXPECT_EQ(r.mmio.read(0x1800, 4), 1u);  // PBA bit 0
  EXPECT_TRUE(r.intx.empty());            // no INTx while MSI-X is on
  r.wr(0x98 + 2, 0x8000, 2);              // function unmask: the pending message goes
  ASSERT_EQ(r.msis.size(), 1u);
  EXPECT_EQ(r.msis[0], std::make_pair(uint64_t(0x08020040), 80u));
  EXPECT_EQ(r.mmio.read(0x1800, 4), 0u);
  r.wr(0x04, 0x0002, 2);  // bus master off: no message
  r.dev->config_changed();
  EXPECT_EQ(r.msis.size(), 1u);
}

TEST(PcieHost, SlotsAndAbsentFunctions) {
  Rig r({}, 1);
  EXPECT_EQ(r.host.free_slot(), 2);
  VirtioPciOptions o;
  VirtioPci other("x", r.mem, std::make_unique<VirtioRng>(), o, nullptr);
  EXPECT_FALSE(r.host.plug(1 << 3, &other));                  // taken
  EXPECT_EQ(r.ecam.read(1 << 15 | 1 << 12, 4), 0xffffffffu);  // 00:01.1 absent
  EXPECT_EQ(r.ecam.read(0, 4), 0x00081b36u);                  // the host bridge stays
}
