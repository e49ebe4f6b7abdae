// hw::AddressSpace: region lookup with priorities and aliases, RAM/ROM, MMIO splitting, bus access.
#include "hw/core/memory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

using namespace mimic::hw;

namespace {
// Records every device access and answers reads with bytes derived from the offset.
struct Recorder : MmioOps {
  struct Op {
    bool write;
    uint64_t offset, value;
    unsigned size;
  };
  std::vector<Op> ops;
  std::recursive_mutex* lock = nullptr;
  bool lock_held_seen = true;
  void check_lock() {
    if (!lock) return;
    std::atomic<bool> got{false};
    std::thread t([&] {
      if (lock->try_lock()) {
        got = true;
        lock->unlock();
      }
    });
    t.join();
    if (got) lock_held_seen = false;
  }
  uint64_t read(uint64_t offset, unsigned size) override {
    check_lock();
    ops.push_back({false, offset, 0, size});
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint64_t(0x10 + offset + i) << (8 * i);
    return v;
  }
  void write(uint64_t offset, uint64_t value, unsigned size) override {
    check_lock();
    ops.push_back({true, offset, value, size});
  }
};
}  // namespace

TEST(AddressSpace, RamReadWriteAndPages) {
  AddressSpace as;
  uint8_t* ram = as.add_ram("ram", 0x80000000, 0x100000);
  uint32_t v = 0xdeadbeef;
  ASSERT_TRUE(as.write(0x80000010, &v, 4));
  EXPECT_EQ(memcmp(ram + 0x10, &v, 4), 0);
  bool writable = false;
  EXPECT_EQ(as.ram_page(0x80001000, &writable), ram + 0x1000);
  EXPECT_TRUE(writable);
  uint64_t got = 0;
  ASSERT_TRUE(as.io_read(0x80000010, 4, &got));
  EXPECT_EQ(got, 0xdeadbeefu);
  EXPECT_EQ(as.ram_page(0x80100000, &writable), nullptr);  // one past the end
  EXPECT_FALSE(as.io_read(0x80100000, 4, &got));
}

TEST(AddressSpace, RomIsReadOnlyToTheGuestButLoadable) {
  AddressSpace as;
  uint8_t* rom = as.add_rom("mrom", 0x1000, 0xf000);
  uint32_t v = 0x00000297;
  ASSERT_TRUE(as.write(0x1000, &v, 4));  // loaders fill ROM
  EXPECT_EQ(memcmp(rom, &v, 4), 0);
  bool writable = true;
  EXPECT_EQ(as.ram_page(0x1000, &writable), rom);
  EXPECT_FALSE(writable);
  ASSERT_TRUE(as.io_write(0x1000, 4, 0x12345678));  // the guest's store is dropped
  uint64_t got = 0;
  ASSERT_TRUE(as.io_read(0x1000, 4, &got));
  EXPECT_EQ(got, 0x00000297u);
}

TEST(AddressSpace, PriorityAndOrderDecideOverlaps) {
  AddressSpace as;
  uint8_t* low = as.add_ram("low", 0x0, 0x10000);
  Recorder dev;
  as.add_mmio("dev", 0x4000, 0x1000, &dev, 1);
  uint64_t off = 0;
  const MemoryRegion* r = as.find(0x4010, &off);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name, "dev");
  EXPECT_EQ(off, 0x10u);
  EXPECT_EQ(as.find(0x3fff, &off)->name, "low");
  EXPECT_EQ(as.find(0x5000, &off)->name, "low");
  EXPECT_EQ(off, 0x5000u);
  bool w;
  EXPECT_EQ(as.ram_page(0x4000, &w), nullptr);  // MMIO covers it
  EXPECT_EQ(as.ram_page(0x5000, &w), low + 0x5000);
  // Equal priority: the region added later wins (as in QEMU).
  Recorder dev2;
  as.add_mmio("dev2", 0x8000, 0x1000, &dev2, 0);
  EXPECT_EQ(as.find(0x8000, &off)->name, "dev2");
  // A lower-priority region under a higher one stays hidden.
  Recorder dev3;
  as.add_mmio("dev3", 0x4000, 0x2000, &dev3, 0);
  EXPECT_EQ(as.find(0x4800, &off)->name, "dev");
  EXPECT_EQ(as.find(0x5800, &off)->name, "dev3");
}

TEST(AddressSpace, AliasesResolveToTheirTarget) {
  AddressSpace as;
  uint8_t* ram = as.add_ram("ram", 0x80000000, 0x10000);
  as.add_alias("ram-alias", 0x20000000, 0x1000, 0x80002000);
  ram[0x2004] = 0x5a;
  uint8_t b = 0;
  ASSERT_TRUE(as.read(0x20000004, &b, 1));
  EXPECT_EQ(b, 0x5a);
  bool w;
  EXPECT_EQ(as.ram_page(0x20000000, &w), ram + 0x2000);
  uint64_t off = 0;
  EXPECT_EQ(as.find(0x20000004, &off)->name, "ram");
  EXPECT_EQ(off, 0x2004u);
  // An alias pointing at nothing answers nothing.
  as.add_alias("dangling", 0x30000000, 0x1000, 0x40000000);
  EXPECT_EQ(as.find(0x30000000, &off), nullptr);
}

TEST(AddressSpace, MmioWiderThanTheDeviceIsSplitLittleEndian) {
  AddressSpace as;
  Recorder dev;
  dev.lock = &as.device_lock();
  as.add_mmio("dev", 0x10000000, 0x100, &dev, 0, 1, 4);
  uint64_t v = 0;
  ASSERT_TRUE(as.io_read(0x10000008, 8, &v));
  ASSERT_EQ(dev.ops.size(), 2u);
  EXPECT_EQ(dev.ops[0].offset, 8u);
  EXPECT_EQ(dev.ops[0].size, 4u);
  EXPECT_EQ(dev.ops[1].offset, 12u);
  EXPECT_EQ(v, 0x1f1e1d1c1b1a1918ull);
  dev.ops.clear();
  ASSERT_TRUE(as.io_write(0x10000000, 8, 0x1122334455667788ull));
  ASSERT_EQ(dev.ops.size(), 2u);
  EXPECT_EQ(dev.ops[0].value, 0x55667788u);
  EXPECT_EQ(dev.ops[1].value, 0x11223344u);
  EXPECT_EQ(dev.ops[1].offset, 4u);
  EXPECT_TRUE(dev.lock_held_seen) << "MMIO callbacks must run with the device lock held";
}

TEST(AddressSpace, MmioNarrowerThanTheDeviceIsWidened) {
  AddressSpace as;
  Recorder dev;
  as.add_mmio("dev", 0x2000000, 0x10000, &dev, 0, 4, 8);
  uint64_t v = 0;
  ASSERT_TRUE(as.io_read(0x2000002, 1, &v));
  ASSERT_EQ(dev.ops.size(), 1u);
  EXPECT_EQ(dev.ops[0].offset, 0u);
  EXPECT_EQ(dev.ops[0].size, 4u);
  EXPECT_EQ(v, 0x12u);  // byte 2 of the word at 0
  dev.ops.clear();
  ASSERT_TRUE(as.io_write(0x2000001, 2, 0xabcd));
  ASSERT_EQ(dev.ops.size(), 1u);
  EXPECT_EQ(dev.ops[0].offset, 0u);
  EXPECT_EQ(dev.ops[0].value, 0xabcd00u);
}

// A debugger's or the monitor's read (AddressSpace::read) of device registers makes the widest
// naturally aligned accesses, as QEMU's do: a device whose registers answer only word reads (a GIC
// distributor's GICD_TYPER) shows its value, not zeros from four byte reads.
TEST(AddressSpace, BusAccessToMmioUsesAlignedPieces) {
  AddressSpace as;
  Recorder dev;
  as.add_mmio("dev", 0x10000000, 0x100, &dev, 0, 1, 8);
  uint8_t buf[14] = {};
  ASSERT_TRUE(as.read(0x10000002, buf, sizeof buf));  // offsets 2..15: 2 + 4 + 8 bytes
  ASSERT_EQ(dev.ops.size(), 3u);
  EXPECT_EQ(dev.ops[0].offset, 2u);
  EXPECT_EQ(dev.ops[0].size, 2u);
  EXPECT_EQ(dev.ops[1].offset, 4u);
  EXPECT_EQ(dev.ops[1].size, 4u);
  EXPECT_EQ(dev.ops[2].offset, 8u);
  EXPECT_EQ(dev.ops[2].size, 8u);
  for (unsigned i = 0; i < sizeof buf; i++) EXPECT_EQ(buf[i], 0x10 + 2 + i) << i;
  dev.ops.clear();
  const uint8_t word[4] = {0x78, 0x56, 0x34, 0x12};
  ASSERT_TRUE(as.write(0x10000020, word, 4));
  ASSERT_EQ(dev.ops.size(), 1u);
  EXPECT_TRUE(dev.ops[0].write);
  EXPECT_EQ(dev.ops[0].size, 4u);
  EXPECT_EQ(dev.ops[0].value, 0x12345678u);
}

TEST(AddressSpace, BusAccessSpansRegionsAllOrNothing) {
  AddressSpace as;
  uint8_t* a = as.add_ram("a", 0x0, 0x1000);
  uint8_t* b = as.add_ram("b", 0x1000, 0x1000);
  std::vector<uint8_t> data(0x20, 0xee);
  ASSERT_TRUE(as.write(0xff0, data.data(), data.size()));
  EXPECT_EQ(a[0xfff], 0xee);
  EXPECT_EQ(b[0xf], 0xee);
  EXPECT_EQ(b[0x10], 0);
  // The range runs off the end of mapped memory: nothing is written.
  std::vector<uint8_t> more(0x20, 0x77);
  EXPECT_FALSE(as.write(0x1ff0, more.data(), more.size()));
  EXPECT_EQ(b[0xff0], 0);
  std::vector<uint8_t> back(0x20);
  EXPECT_FALSE(as.read(0x1ff0, back.data(), back.size()));
  // A device access straddling RAM and nothing faults as a whole.
  uint64_t v;
  EXPECT_FALSE(as.io_read(0x1ffe, 4, &v));
  EXPECT_FALSE(as.io_write(0x1ffe, 4, 0));
  EXPECT_EQ(b[0xffe], 0);
  // Straddling two RAM regions works.
  ASSERT_TRUE(as.io_read(0xffe, 4, &v));
  EXPECT_EQ(v, 0xeeeeeeeeu);
}

TEST(AddressSpace, RamWriteHookSeesLoaderAndDeviceWrites) {
  AddressSpace as;
  as.add_ram("ram", 0x80000000, 0x10000);
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  as.set_ram_write_hook([&](uint64_t p, uint64_t l) { seen.push_back({p, l}); });
  uint8_t buf[16] = {};
  as.write(0x80000100, buf, sizeof buf);
  as.io_write(0x80000200, 8, 1);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(uint64_t(0x80000100), uint64_t(16)));
  EXPECT_EQ(seen[1], std::make_pair(uint64_t(0x80000200), uint64_t(8)));
}

TEST(AddressSpace, MtreeListsRegionsByAddressLikeQemu) {
  AddressSpace as;
  Recorder dev;
  as.add_ram("riscv_virt_board.ram", 0x80000000, 0x8000000);
  as.add_rom("riscv.virt.mrom", 0x1000, 0xf000);
  as.add_mmio("serial", 0x10000000, 0x8, &dev);
  std::string t = as.mtree();
  auto rom = t.find("    0000000000001000-000000000000ffff (prio 0, rom): riscv.virt.mrom\n");
  auto uart = t.find("    0000000010000000-0000000010000007 (prio 0, i/o): serial\n");
  auto ram = t.find("    0000000080000000-0000000087ffffff (prio 0, ram): riscv_virt_board.ram\n");
  ASSERT_NE(rom, std::string::npos) << t;
  ASSERT_NE(uart, std::string::npos) << t;
  ASSERT_NE(ram, std::string::npos) << t;
  EXPECT_LT(rom, uart);
  EXPECT_LT(uart, ram);
}

TEST(AddressSpace, BadRegionsAreRefused) {
  AddressSpace as;
  Recorder dev;
  EXPECT_THROW(as.add_ram("zero", 0x1000, 0), std::invalid_argument);
  EXPECT_THROW(as.add_mmio("wrap", ~uint64_t(0) - 0xf, 0x100, &dev), std::invalid_argument);
  EXPECT_THROW(as.add_mmio("sizes", 0x1000, 0x100, &dev, 0, 3, 8), std::invalid_argument);
}
