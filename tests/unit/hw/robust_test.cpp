// Robustness of the machine core under guest and user input: random MMIO accesses over the whole
// virt map, random virtio programming, and mutated ELF firmware and -dtb files, never crash (built with ASan and
// UBSan); loaders either accept an input or refuse it with a MachineError.
#include <elf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>

#include "hw/core/fdt.h"
#include "hw/riscv/virt.h"
#include "virtio_mmio_driver.h"

using namespace mimic::hw;

namespace {
struct NoConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
}
}  // namespace

TEST(HwRobust, RandomMmioOverTheVirtMap) {
  NoConsole con;
  MachineConfig c;
  c.smp = 3;
  c.bios = "none";
  VirtBoard b(c, con, nullptr);
  b.set_finisher([](FinisherAction, int) {});
  std::mt19937_64 rng(12345);
  // Every device slot, its edges and a little past them.
  const uint64_t bases[] = {0x0,       0x1000,    0x100000,   0x101000,   0x2000000,  0x2004000,         0xc000000,
                            0xc200000, 0xc5ff000, 0x10000000, 0x10001000, 0x10008000, 0x80000000 - 0x100};
  unsigned mapped = 0;
  for (int i = 0; i < 200000; i++) {
    uint64_t base = bases[rng() % std::size(bases)];
    uint64_t addr = base + (rng() % 0x2000) - 0x10;
    unsigned size = 1u << (rng() % 4);
    if (rng() % 2) {
      uint64_t v;
      mapped += b.memory().io_read(addr, size, &v);
    } else {
      uint64_t v = rng();
      if (addr >= 0x100000 && addr < 0x101000) v &= ~uint64_t(0xffff);  // no finisher commands
      if (addr >= 0x2004000 && addr < 0x200c000 && rng() % 2) v = ~uint64_t(0) >> (rng() % 64);
      mapped += b.memory().io_write(addr, size, v);
    }
  }
  EXPECT_GT(mapped, 10000u);
  // Interrupt lines from devices with any source number.
  std::lock_guard lock(b.memory().device_lock());
  for (unsigned s = 0; s < 200; s++) b.plic().set_irq(s, s % 2);
}

TEST(HwRobust, MutatedElfFirmwareLoadsOrIsRefused) {
  // A valid ELF to start from: the test's own firmware-like image.
  std::vector<uint8_t> elf(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr) + 0x200, 0);
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_entry = 0x80000000;
  eh.e_phoff = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  memcpy(elf.data(), &eh, sizeof eh);
  for (int i = 0; i < 2; i++) {
    Elf64_Phdr ph{};
    ph.p_type = PT_LOAD;
    ph.p_offset = sizeof eh + 2 * sizeof ph + 0x100 * i;
    ph.p_paddr = 0x80000000 + 0x10000 * i;
    ph.p_filesz = 0x100;
    ph.p_memsz = 0x1000;
    memcpy(elf.data() + sizeof eh + i * sizeof ph, &ph, sizeof ph);
  }
  std::string path = std::string(testing::TempDir()) + "/robust_fw.elf";
  std::mt19937_64 rng(7);
  NoConsole con;
  unsigned loaded = 0, refused = 0;
  for (int i = 0; i < 400; i++) {
    std::vector<uint8_t> f = elf;
    int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; k++) {
      // Mostly the headers, where the checks are.
      size_t at = rng() % 4 ? rng() % (sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr)) : rng() % f.size();
      f[at] = uint8_t(rng());
    }
    if (rng() % 8 == 0) f.resize(rng() % f.size());
    write_file(path, f);
    MachineConfig c;
    c.bios = path;
    c.ram_bytes = 16 << 20;
    try {
      VirtBoard b(c, con, nullptr);
      loaded++;
    } catch (const MachineError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      refused++;
    }
  }
  EXPECT_GT(refused, 50u);
  EXPECT_GT(loaded, 10u);  // flips in padding or harmless fields still load (as raw or ELF)
}

TEST(HwRobust, MutatedDtbLoadsOrIsRefused) {
  MachineConfig base;
  base.bios = "none";
  std::vector<uint8_t> dtb = virt_device_tree(base);
  std::string path = std::string(testing::TempDir()) + "/robust.dtb";
  std::mt19937_64 rng(99);
  NoConsole con;
  unsigned refused = 0;
  for (int i = 0; i < 300; i++) {
    std::vector<uint8_t> f = dtb;
    for (int k = 0; k < 1 + int(rng() % 3); k++) f[rng() % (rng() % 2 ? 0x40 : f.size())] = uint8_t(rng());
    if (rng() % 6 == 0) f.resize(rng() % f.size());
    write_file(path, f);
    MachineConfig c = base;
    c.dtb = path;
    c.kernel = path;  // any file as a raw kernel, so that /chosen gets edited
    c.append = "console=ttyS0";
    try {
      VirtBoard b(c, con, nullptr);
      // What was accepted is a tree libfdt can walk, with the edits.
      EXPECT_FALSE(fdt_flatten(b.fdt()).empty());
    } catch (const MachineError&) {
      refused++;
    }
  }
  EXPECT_GT(refused, 30u);
}

// Finds the virtio-rng among the virt board's virtio-mmio slots, resets it and drives one
// 64-byte request through queue 0 in the given layout. True when the device returned the
// buffer filled and raised its used-buffer interrupt within five seconds.
static bool rng_serves_after_reset(VirtBoard& b, bool legacy) {
  auto reg_at = [&](unsigned slot, uint64_t off) { return 0x10001000 + slot * 0x1000 + off; };
  auto rd = [&](unsigned slot, uint64_t off) {
    uint64_t v = 0;
    b.memory().io_read(reg_at(slot, off), 4, &v);
    return uint32_t(v);
  };
  auto wr = [&](unsigned slot, uint64_t off, uint32_t v) { b.memory().io_write(reg_at(slot, off), 4, v); };
  unsigned slot = 0;
  while (slot < 8 && rd(slot, 0x008) != 4) slot++;  // DeviceID 4: entropy source
  if (slot == 8) return false;
  constexpr uint64_t ring = 0x80100000, data = 0x80110000;  // 4 KiB-aligned, inside the 4 MiB
  std::vector<uint8_t> zero(0x3000, 0);
  b.memory().write(ring, zero.data(), zero.size());
  b.memory().write(data, zero.data(), 64);
  // Both layouts put the available ring after 8 descriptors and the used ring 4 KiB on.
  const uint64_t desc = ring, avail = ring + 16 * 8, used = ring + 0x1000;
  const mimic::test::VirtioMmioRegs regs{[&](uint64_t off) { return rd(slot, off); },
                                         [&](uint64_t off, uint32_t v) { wr(slot, off, v); }};
  const std::string failed = legacy ? mimic::test::setup_queue0_legacy(regs, ring, 8)
                                    : mimic::test::setup_queue0_modern(regs, 1ull << 32, desc, avail, used, 8);
  if (!failed.empty()) {
    ADD_FAILURE() << "virtio-rng setup: " << failed;
    return false;
  }
  struct {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
  } d0{data, 64, 2 /* device writes */, 0};
  b.memory().write(desc, &d0, sizeof d0);
  uint16_t head = 0, idx = 1;
  b.memory().write(avail + 4, &head, 2);
  b.memory().write(avail + 2, &idx, 2);
  wr(slot, 0x050, 0);  // QueueNotify
  for (int wait = 0; wait < 500; wait++) {
    uint16_t used_idx = 0;
    b.memory().read(used + 2, &used_idx, 2);
    if (used_idx == 1 && (rd(slot, 0x060) & 1)) {
      uint8_t got[64];
      b.memory().read(data, got, 64);
      return std::any_of(got, got + 64, [](uint8_t x) { return x != 0; });
    }
    usleep(10000);
  }
  return false;
}

// A guest programming the virtio devices at random: registers in both layouts, rings and
// descriptors full of random values pointing anywhere. Nothing crashes or reaches outside RAM
// (ASan), and the devices' I/O threads stop cleanly with the board.
TEST(HwRobust, RandomVirtioProgramming) {
  char disk[] = "/tmp/mimic-robust-disk-XXXXXX";
  int fd = mkstemp(disk);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 1 << 20), 0);
  close(fd);
  for (const char* legacy : {"on", "off"}) {
    NoConsole con;
    MachineConfig c;
    c.bios = "none";
    c.ram_bytes = 4 << 20;
    auto opt = [](const char* o, const char* driver, std::vector<std::pair<std::string, std::string>> p) {
      return OptionList{o, driver, driver, std::move(p)};
    };
    c.devices.drives.push_back(opt("-drive", "", {{"file", disk}, {"if", "virtio"}, {"format", "raw"}}));
    c.devices.devices.push_back(opt("-device", "virtio-rng-device", {}));
    c.devices.devices.push_back(opt("-device", "virtio-serial-device", {}));
    c.devices.netdevs.push_back(
        opt("-netdev", "socket", {{"id", "n0"}, {"udp", "127.0.0.1:9"}, {"localaddr", "127.0.0.1:0"}}));
    c.devices.devices.push_back(opt("-device", "virtio-net-device", {{"netdev", "n0"}}));
    c.devices.globals.push_back(opt("-global", "virtio-mmio", {{"force-legacy", legacy}}));
    VirtBoard b(c, con, nullptr);
    std::mt19937_64 rng(legacy[1]);
    const uint64_t ram = 0x80000000;
    auto reg = [&](unsigned slot, uint64_t off, uint64_t v) {
      b.memory().io_write(0x10001000 + slot * 0x1000 + off, 4, v);
    };
    auto ram_addr = [&] { return ram + (rng() % 16) * 0x1000 + (rng() % 4 ? 0 : rng() % 0x1000); };
    unsigned needs_reset = 0;
    for (int i = 0; i < 100000; i++) {
      unsigned slot = 4 + rng() % 4;  // the four devices sit at slots 7..4
      switch (rng() % 12) {
        case 0: reg(slot, 0x070, (const uint32_t[]){0, 1, 3, 11, 15, 7, uint32_t(rng())}[rng() % 7]); break;
        case 1: reg(slot, 0x030, rng() % 4); break;
        case 2: reg(slot, 0x038, rng() % 3 ? 1u << (rng() % 10) : uint32_t(rng())); break;
        case 3: reg(slot, 0x040, uint32_t(ram_addr() >> 12)); break;
        case 4: reg(slot, 0x080 + 0x10 * (rng() % 3), uint32_t(ram_addr())); break;
        case 5: reg(slot, 0x044, rng() % 2); break;
        case 6: reg(slot, 0x050, rng() % 3); break;
        case 7: reg(slot, 0x020, uint32_t(rng())); break;
        case 8: reg(slot, 0x064, rng() % 4); break;
        case 9: {
          uint64_t v = rng() % 2 ? rng() : ram_addr() | (rng() % 64) << 32;
          b.memory().write(ram_addr() & ~uint64_t(7), &v, 8);
          break;
        }
        case 10: {
          uint16_t idx = uint16_t(rng() % 8);
          b.memory().write(ram_addr() + 2, &idx, 2);
          break;
        }
        default: {
          uint64_t v = 0, st = 0;
          b.memory().io_read(0x10001000 + slot * 0x1000 + (rng() % 0x80) * 4, 4, &v);
          b.memory().io_read(0x10001000 + slot * 0x1000 + 0x70, 4, &st);
          needs_reset += (st & 0x40) != 0;
        }
      }
    }
    // The rings were reached: the devices refused bad ones.
    EXPECT_GT(needs_reset, 0u) << "legacy=" << legacy;
    // After the abuse, a reset and a well-formed ring bring each layout's virtio-rng back: it
    // returns a filled buffer and raises its interrupt (whether random rings also returned
    // buffers depends on when the I/O threads ran, so only this is asserted).
    EXPECT_TRUE(rng_serves_after_reset(b, legacy[1] == 'n')) << "legacy=" << legacy;
  }
  unlink(disk);
}
