// The arm virt board's devices through their registers: PL011 FIFOs and interrupts, PL031,
// PL061, the CFI flash's command sequences (persisted to its file), the PCIe host bridge's
// configuration space.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "hw/block/pflash_cfi01.h"
#include "hw/char/pl011.h"
#include "hw/core/machine.h"
#include "hw/gpio/pl061.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/pcie_host.h"

using namespace mimic::hw;

namespace {
struct Console : CharBackend {
  std::string out;
  std::function<void(uint8_t)> rx;
  std::function<bool()> can;
  void write(const uint8_t* d, size_t n) override { out.append(reinterpret_cast<const char*>(d), n); }
  void set_receiver(std::function<void(uint8_t)> r, std::function<bool()> c) override {
    rx = std::move(r);
    can = std::move(c);
  }
};
constexpr uint64_t kDr = 0x00, kFr = 0x18, kLcrH = 0x2c, kImsc = 0x38, kRis = 0x3c, kMis = 0x40, kIcr = 0x44;
}  // namespace

TEST(Pl011, TxRxFifoAndInterrupts) {
  Console con;
  Pl011 u("pl011", con, nullptr);
  bool irq = false;
  u.irq().connect([&](bool l) { irq = l; });
  EXPECT_EQ(u.read(kFr, 4), 0x90u);  // TXFE | RXFE
  u.write(kDr, 'h', 4);
  u.write(kDr, 'i', 1);
  EXPECT_EQ(con.out, "hi");
  EXPECT_EQ(u.read(kRis, 4) & Pl011::kIntTx, Pl011::kIntTx);
  EXPECT_FALSE(irq);  // masked
  u.write(kImsc, Pl011::kIntTx, 4);
  EXPECT_TRUE(irq);
  u.write(kIcr, Pl011::kIntTx, 4);
  EXPECT_FALSE(irq);
  // Without FIFOs one character fills the holding register.
  u.write(kImsc, Pl011::kIntRx, 4);
  con.rx('a');
  EXPECT_TRUE(irq);
  EXPECT_FALSE(con.can());
  EXPECT_EQ(u.read(kFr, 4) & 0x50, 0x40u);  // RXFF, not RXFE
  EXPECT_EQ(u.read(kDr, 4), uint64_t('a'));
  EXPECT_FALSE(irq);
  EXPECT_EQ(u.read(kFr, 4) & 0x10, 0x10u);
  // With FIFOs: 16 characters, the 17th is lost.
  u.write(kLcrH, 0x70, 4);
  for (int i = 0; i < 17; i++)
    if (con.can()) con.rx(uint8_t('A' + i));
  EXPECT_EQ(u.read(kMis, 4), uint64_t(Pl011::kIntRx));
  std::string got;
  while (!(u.read(kFr, 4) & 0x10)) got += char(u.read(kDr, 4));
  EXPECT_EQ(got, "ABCDEFGHIJKLMNOP");
  EXPECT_FALSE(irq);
  EXPECT_EQ(u.read(0xff0, 4), 0x0du);  // PCellID0
}

TEST(Pl061, EdgeAndLevelInterruptsAndMaskedData) {
  Pl061 g("pl061", nullptr);
  bool irq = false;
  g.irq().connect([&](bool l) { irq = l; });
  g.write(0x400, 0x01, 4);  // line 0 output
  g.write(0x000 + (0x01 << 2), 0xff, 4);
  EXPECT_EQ(g.outputs(), 0x01);
  g.write(0x000 + (0x02 << 2), 0xff, 4);  // masked off: line 1 is an input anyway
  EXPECT_EQ(g.read(0x3fc, 4), 0x01u);
  g.write(0x410, 0x0c, 4);  // IE lines 2, 3
  g.write(0x408, 0x04, 4);  // line 2: both edges
  g.write(0x404, 0x08, 4);  // line 3: level
  g.write(0x40c, 0x08, 4);  // line 3 high level
  g.set_input(2, true);
  EXPECT_TRUE(irq);
  g.write(0x41c, 0x04, 4);
  EXPECT_FALSE(irq);
  g.set_input(2, false);  // falling edge counts too
  EXPECT_TRUE(irq);
  g.write(0x41c, 0x04, 4);
  g.set_input(3, true);
  EXPECT_EQ(g.read(0x418, 4), 0x08u);
  g.write(0x41c, 0x08, 4);  // a level interrupt stays while the level holds
  EXPECT_TRUE(irq);
  g.set_input(3, false);
  EXPECT_FALSE(irq);
}

namespace {
std::string tmp(const std::string& n) { return fmt::format("/tmp/mimic-arm-dev-{}-{}", getpid(), n); }
constexpr uint64_t kSize = 4 * PflashCfi01::kSectorSize;
}  // namespace

TEST(PflashCfi01, QueryIdentifyAndStatus) {
  PflashCfi01 f("flash", kSize, "", false, nullptr);
  EXPECT_EQ(f.read(0, 4), 0xffffffffu);  // erased
  f.write(0, 0x00980098, 4);
  EXPECT_EQ(f.read(0x10 << 2, 4), 0x00510051u);  // 'Q' from both devices
  EXPECT_EQ(f.read(0x11 << 2, 4), 0x00520052u);
  EXPECT_EQ(f.read(0x12 << 2, 4), 0x00590059u);
  EXPECT_EQ(f.read(0x2c << 2, 4), 0x00010001u);  // one erase region
  EXPECT_EQ(f.read(0x2d << 2, 4), 0x00030003u);  // 4 blocks
  f.write(0, 0x00900090, 4);
  EXPECT_EQ(f.read(0, 4), 0x00890089u);
  EXPECT_EQ(f.read(4, 4), 0x00180018u);
  f.write(0, 0x00700070, 4);
  EXPECT_EQ(f.read(0, 4), 0x00800080u);
  f.write(0, 0x00ff00ff, 4);
  EXPECT_EQ(f.read(0, 4), 0xffffffffu);
}

TEST(PflashCfi01, ProgramEraseAndBufferedProgramPersist) {
  std::string path = tmp("vars.fd");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::string ff(kSize, '\xff');
    out.write(ff.data(), std::streamsize(ff.size()));
  }
  {
    PflashCfi01 f("flash", kSize, path, false, nullptr);
    f.write(0x100, 0x00400040, 4);  // word program
    f.write(0x100, 0x12345678, 4);
    EXPECT_EQ(f.read(0x100, 4), 0x00800080u);  // status until read array
    f.write(0, 0xff, 4);
    EXPECT_EQ(f.read(0x100, 4), 0x12345678u);
    // Buffered program of 3 words at the second sector.
    uint64_t s1 = PflashCfi01::kSectorSize;
    f.write(s1, 0x00e800e8, 4);
    EXPECT_EQ(f.read(s1, 4) & 0x80, 0x80u);
    f.write(s1, 0x00020002, 4);  // count - 1
    f.write(s1, 0xaaaaaaaa, 4);
    f.write(s1 + 4, 0xbbbbbbbb, 4);
    f.write(s1 + 8, 0xcccccccc, 4);
    f.write(s1, 0x00d000d0, 4);
    f.write(0, 0xff, 4);
    EXPECT_EQ(f.read(s1 + 8, 4), 0xccccccccu);
    // Programming only clears bits; erase sets the sector back to ones.
    f.write(0x100, 0x40, 4);
    f.write(0x100, 0xffff0000, 4);
    f.write(0, 0xff, 4);
    EXPECT_EQ(f.read(0x100, 4), 0x12340000u);
    f.write(s1 + 0x40, 0x20, 4);
    f.write(s1 + 0x40, 0xd0, 4);
    f.write(0, 0xff, 4);
    EXPECT_EQ(f.read(s1, 4), 0xffffffffu);
    // An unconfirmed erase fails and leaves data alone.
    f.write(0x100, 0x20, 4);
    f.write(0x100, 0x00, 4);
    f.write(0, 0x70, 4);
    EXPECT_EQ(f.read(0, 4) & 0x20, 0x20u);
    f.write(0, 0x50, 4);  // clear status
    EXPECT_EQ(f.read(0, 4) & 0x20, 0u);
  }
  PflashCfi01 again("flash", kSize, path, false, nullptr);
  EXPECT_EQ(again.read(0x100, 4), 0x12340000u);  // the file kept it
  EXPECT_EQ(again.read(PflashCfi01::kSectorSize, 4), 0xffffffffu);
  std::remove(path.c_str());
  EXPECT_THROW(PflashCfi01("flash", kSize, "/nonexistent/vars.fd", false, nullptr), MachineError);
}

TEST(PcieHost, HostBridgeConfigSpace) {
  PcieHost h(nullptr);
  MmioOps& e = h.ecam();
  EXPECT_EQ(e.read(0x00, 4), 0x00081b36u);  // what qemu-system-aarch64's monitor shows at the ECAM base
  EXPECT_EQ(e.read(0x08, 4), 0x06000000u);
  EXPECT_EQ(e.read(0x2c, 4), 0x11001af4u);
  EXPECT_EQ(e.read(1 << 15, 4), 0xffffffffu);  // 00:01.0 absent
  EXPECT_EQ(e.read((1 << 20) | 2, 2), 0xffffu);
  e.write(0x04, 0xffff, 2);
  EXPECT_EQ(e.read(0x04, 2), 0x0507u);
  e.write(0x00, 0, 4);  // ids are read-only
  EXPECT_EQ(e.read(0x00, 4), 0x00081b36u);
  EXPECT_EQ(h.add_window(false, 0x10000000).read(0, 4), 0xffffffffu);  // no BAR claims it
}

namespace {
struct FwCfgRig {
  AddressSpace mem;
  FwCfg fw{mem, nullptr};
  FwCfgRig() { mem.add_ram("ram", 0x40000000, 1 << 20); }
  void select(uint16_t key) { fw.write(8, __builtin_bswap16(key), 2); }
  // A DMA request at 0x40000000 for `control` / `len` bytes into 0x40001000; the control word
  // as the device leaves it.
  uint32_t dma(uint32_t control, uint32_t len, bool split = false) {
    uint32_t d[4] = {__builtin_bswap32(control), __builtin_bswap32(len), 0, __builtin_bswap32(0x40001000)};
    mem.write(0x40000000, d, sizeof d);
    if (split) {
      fw.write(0x10, 0, 4);
      fw.write(0x14, __builtin_bswap32(0x40000000), 4);
    } else {
      fw.write(0x10, __builtin_bswap64(0x40000000), 8);
    }
    uint32_t c;
    mem.read(0x40000000, &c, 4);
    return __builtin_bswap32(c);
  }
  std::vector<uint8_t> buf(size_t n) {
    std::vector<uint8_t> b(n);
    mem.read(0x40001000, b.data(), n);
    return b;
  }
};
}  // namespace

TEST(FwCfg, TraditionalInterfaceSignatureAndId) {
  FwCfgRig r;
  r.select(FwCfgKey::kSignature);
  EXPECT_EQ(r.fw.read(0, 4), 0x554d4551u);  // "QEMU" in address order
  r.select(FwCfgKey::kId);
  EXPECT_EQ(r.fw.read(0, 1), 3u);                                           // traditional + DMA
  EXPECT_EQ(r.fw.read(0, 4), 0u);                                           // past the end: zeros
  EXPECT_EQ(__builtin_bswap64(r.fw.read(0x10, 8)), 0x51454d5520434647ull);  // "QEMU CFG"
  r.select(0x1234);                                                         // no such item
  EXPECT_EQ(r.fw.read(0, 8), 0u);
}

TEST(FwCfg, DmaReadsItemsAndFileDirectory) {
  FwCfgRig r;
  r.fw.add_file("etc/b", {1, 2, 3});
  uint16_t a = r.fw.add_file("etc/a", {9, 8, 7, 6, 5});
  r.fw.add_string(FwCfgKey::kCmdlineData, "console=ttyAMA0");
  // Select + read of the directory: sorted by name.
  EXPECT_EQ(r.dma((uint32_t(FwCfgKey::kFileDir) << 16) | 8 | 2, 4 + 2 * 64), 0u);
  std::vector<uint8_t> dir = r.buf(4 + 2 * 64);
  EXPECT_EQ(dir[3], 2);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(&dir[4 + 8])), "etc/a");
  EXPECT_EQ(dir[4 + 3], 5);                    // size, big-endian
  EXPECT_EQ(dir[4 + 4] << 8 | dir[4 + 5], a);  // select, big-endian
  // Read 8 bytes of a 5-byte file: the rest zeroed; then skip and read continue the stream.
  std::vector<uint8_t> ff(8, 0xff);
  r.mem.write(0x40001000, ff.data(), 8);
  EXPECT_EQ(r.dma((uint32_t(a) << 16) | 8 | 2, 8, true), 0u);
  EXPECT_EQ(r.buf(8), (std::vector<uint8_t>{9, 8, 7, 6, 5, 0, 0, 0}));
  EXPECT_EQ(r.dma((uint32_t(FwCfgKey::kCmdlineData) << 16) | 8 | 4, 8), 0u);  // skip "console="
  EXPECT_EQ(r.dma(2, 8), 0u);
  std::vector<uint8_t> rest = r.buf(8);
  EXPECT_EQ(std::string(rest.begin(), rest.begin() + 7), "ttyAMA0");
  // Writes are refused; a buffer outside RAM fails with the error bit.
  EXPECT_EQ(r.dma((uint32_t(a) << 16) | 8 | 0x10, 4), 1u);
  uint32_t d[4] = {__builtin_bswap32((uint32_t(a) << 16) | 8 | 2), __builtin_bswap32(0xfffff000u), 0, 0};
  r.mem.write(0x40000000, d, sizeof d);
  r.fw.write(0x10, __builtin_bswap64(0x40000000), 8);
  uint32_t c;
  r.mem.read(0x40000000, &c, 4);
  EXPECT_EQ(__builtin_bswap32(c), 1u);
}
