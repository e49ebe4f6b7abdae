// The virt board: its device tree against qemu-system-riscv64's (-smp 1 and 4, with and without
// -kernel/-initrd/-append, with -dtb), the mrom reset vector and fw_dynamic_info against QEMU's,
// the boot image placement and the loaders' errors, and the interrupt wiring to the harts.
#include "hw/riscv/virt.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "hw/core/fdt.h"
#include "qemu_oracle.h"
#include "target/riscv/system.h"

using namespace mimic::hw;
using mimic::hw::test::have_qemu_system;
using mimic::hw::test::run_command;

namespace {
std::string tmp(const std::string& name) { return std::string(testing::TempDir()) + "/virt_" + name; }

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
}
std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A Linux RISC-V Image: the 64-byte header and some code.
std::vector<uint8_t> fake_image(uint64_t image_size = 0x10000) {
  std::vector<uint8_t> f(0x1000, 0x13);  // nops, byte-wise
  uint64_t text_offset = 0x200000;
  memcpy(&f[0x08], &text_offset, 8);
  memcpy(&f[0x10], &image_size, 8);
  memcpy(&f[0x30], "RISCV\0\0\0", 8);
  memcpy(&f[0x38], "RSC\x05", 4);
  return f;
}

// A minimal RV64 ELF with one PT_LOAD of `code` bytes at `paddr`, entry `entry`.
std::vector<uint8_t> make_elf(uint64_t paddr, uint64_t entry, size_t code = 0x100, uint64_t memsz = 0) {
  std::vector<uint8_t> f(sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + code, 0);
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_offset = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
  ph.p_vaddr = ph.p_paddr = paddr;
  ph.p_filesz = code;
  ph.p_memsz = memsz ? memsz : code;
  ph.p_align = 4;
  memcpy(f.data(), &eh, sizeof eh);
  memcpy(f.data() + sizeof eh, &ph, sizeof ph);
  for (size_t i = 0; i < code; i++) f[sizeof eh + sizeof ph + i] = uint8_t(i);
  return f;
}

MachineConfig config(unsigned smp, uint64_t mib = 256) {
  MachineConfig c;
  c.smp = smp;
  c.ram_bytes = mib << 20;
  return c;
}

std::vector<uint8_t> qemu_dtb(const std::string& args) {
  std::string path = tmp("qemu.dtb");
  std::remove(path.c_str());
  run_command(
      fmt::format("timeout 20 qemu-system-riscv64 -M virt,dumpdtb={} -display none -serial null {} 2>&1", path, args));
  return read_file(path);
}

// The tree as path -> property -> value, for comparison.
using Tree = std::map<std::string, std::string>;
Tree tree_of(const std::vector<uint8_t>& blob) {
  Tree t;
  for (const std::string& line : fdt_flatten(blob)) {
    auto colon = line.find(": ");
    auto eq = line.find(" = ", colon);
    std::string key = line.substr(0, eq == std::string::npos ? line.size() : eq);
    t[key] = eq == std::string::npos ? "" : line.substr(eq + 3);
  }
  return t;
}

// QEMU nodes for devices mimic does not have (yet): PMU description, fw_cfg, flash, the platform
// bus.
bool qemu_only(const std::string& key) {
  for (const char* p : {"/pmu", "/fw-cfg@10100000", "/flash@20000000", "/platform-bus@4000000"})
    if (key.rfind(std::string(p) + ":", 0) == 0 || key.rfind(std::string(p) + "/", 0) == 0) return true;
  return false;
}

std::string hex(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out + "00";
}

// Compares mimic's tree with QEMU's: equal except the listed, deliberate differences.
void expect_same_tree(const std::vector<uint8_t>& mine, const std::vector<uint8_t>& qemu, bool generated) {
  Tree m = tree_of(mine), q = tree_of(qemu);
  ASSERT_FALSE(m.empty());
  ASSERT_FALSE(q.empty());
  for (auto& [key, value] : q) {
    if (qemu_only(key)) {
      EXPECT_EQ(m.count(key), 0u) << key;
      continue;
    }
    auto it = m.find(key);
    ASSERT_NE(it, m.end()) << "mimic's tree lacks " << key;
    bool isa = key.find(": riscv,isa") != std::string::npos, mmu = key.find(": mmu-type") != std::string::npos;
    if (generated && isa) {
      EXPECT_EQ(value, hex("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc")) << key;
      EXPECT_EQ(it->second, hex(kVirtIsa)) << key;
    } else if (generated && mmu) {
      EXPECT_EQ(value, hex("riscv,sv48")) << key;
      EXPECT_EQ(it->second, hex(kVirtMmuType)) << key;
    } else if (key == "/chosen: rng-seed") {
      EXPECT_EQ(it->second.size(), value.size()) << key;  // random in both
    } else {
      EXPECT_EQ(it->second, value) << key;
    }
  }
  for (auto& [key, value] : m) EXPECT_EQ(q.count(key), 1u) << "mimic's tree has " << key << " that QEMU's has not";
}
}  // namespace

TEST(VirtFdt, MatchesQemuOneHart) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  expect_same_tree(virt_device_tree(config(1)), qemu_dtb("-smp 1 -m 256M"), true);
}

TEST(VirtFdt, MatchesQemuFourHartsAndOddRam) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  expect_same_tree(virt_device_tree(config(4, 1000)), qemu_dtb("-smp 4 -m 1000M"), true);
}

TEST(VirtFdt, MatchesQemuWithKernelInitrdAndAppend) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  std::string kernel = tmp("Image"), initrd = tmp("initrd");
  write_file(kernel, fake_image());
  write_file(initrd, std::vector<uint8_t>(100000, 0xaa));
  MachineConfig c = config(2);
  c.kernel = kernel;
  c.initrd = initrd;
  c.append = "console=ttyS0 root=/dev/vda rw";
  auto mine = virt_device_tree(c);
  auto q = qemu_dtb(fmt::format("-smp 2 -m 256M -kernel {} -initrd {} -append '{}'", kernel, initrd, c.append));
  expect_same_tree(mine, q, true);
  Tree m = tree_of(mine);
  EXPECT_EQ(m["/chosen: linux,initrd-start"], "88200000");  // kernel entry + 128 MiB
  EXPECT_EQ(m["/chosen: bootargs"], hex(c.append));
}

TEST(VirtFdt, UserDtbIsPatchedLikeQemu) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  // A -dtb file (here QEMU's own tree) gets bootargs and the initrd in /chosen, nothing else.
  auto base = qemu_dtb("-smp 1 -m 256M");
  ASSERT_FALSE(base.empty());
  std::string dtb = tmp("user.dtb"), kernel = tmp("Image2"), initrd = tmp("initrd2");
  write_file(dtb, base);
  write_file(kernel, fake_image());
  write_file(initrd, std::vector<uint8_t>(5000, 0x55));
  MachineConfig c = config(1);
  c.dtb = dtb;
  c.kernel = kernel;
  c.initrd = initrd;
  c.append = "quiet";
  auto mine = virt_device_tree(c);
  auto q = qemu_dtb(fmt::format("-m 256M -dtb {} -kernel {} -initrd {} -append quiet", dtb, kernel, initrd));
  ASSERT_FALSE(q.empty());
  Tree m = tree_of(mine), qt = tree_of(q), orig = tree_of(base);
  // Both re-seed the rng-seed they find (so the seed differs from the file's and between runs).
  EXPECT_NE(m["/chosen: rng-seed"], orig["/chosen: rng-seed"]);
  EXPECT_EQ(m["/chosen: rng-seed"].size(), qt["/chosen: rng-seed"].size());
  m.erase("/chosen: rng-seed");
  qt.erase("/chosen: rng-seed");
  EXPECT_EQ(m, qt);
}

namespace {
std::vector<uint8_t> qemu_mrom(const std::string& args) {
  std::vector<test::XpRead> reads;
  for (uint64_t a = 0x1000; a < 0x1058; a += 4) reads.push_back({a, 4});
  auto vals = test::qemu_xp(reads, args);
  std::vector<uint8_t> out;
  for (auto& v : vals) {
    uint32_t w = uint32_t(v.value_or(0xdeadbeef));
    out.insert(out.end(), reinterpret_cast<uint8_t*>(&w), reinterpret_cast<uint8_t*>(&w) + 4);
  }
  return out;
}

struct NoConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};
}  // namespace

TEST(VirtBoot, ResetVectorMatchesQemu) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  NoConsole con;
  {
    VirtBoard b(config(1), con, nullptr);
    EXPECT_EQ(b.reset_vector(), qemu_mrom("-m 256M"));
    EXPECT_EQ(b.boot().fdt_addr, 0x8fe00000u);
    EXPECT_EQ(b.boot().kernel_entry, 0u);
  }
  std::string kernel = tmp("Image3");
  write_file(kernel, fake_image());
  MachineConfig c = config(2, 512);
  c.kernel = kernel;
  VirtBoard b(c, con, nullptr);
  EXPECT_EQ(b.reset_vector(), qemu_mrom("-smp 2 -m 512M -kernel " + kernel));
  EXPECT_EQ(b.boot().start_addr, 0x80000000u);
  EXPECT_EQ(b.boot().kernel_entry, 0x80200000u);  // the first 2 MiB after fw_dynamic
  EXPECT_EQ(b.boot().fdt_addr, 0x9fe00000u);
  // And what is in memory is what was loaded: firmware, kernel, device tree, reset vector.
  std::vector<uint8_t> fw = read_file(kDefaultBios), got(fw.size());
  ASSERT_TRUE(b.memory().read(0x80000000, got.data(), got.size()));
  EXPECT_EQ(got, fw);
  std::vector<uint8_t> k(0x1000);
  ASSERT_TRUE(b.memory().read(0x80200000, k.data(), k.size()));
  EXPECT_EQ(k, fake_image());
  std::vector<uint8_t> f(b.fdt().size());
  ASSERT_TRUE(b.memory().read(b.boot().fdt_addr, f.data(), f.size()));
  EXPECT_EQ(f, b.fdt());
  std::vector<uint8_t> rv(b.reset_vector().size());
  ASSERT_TRUE(b.memory().read(0x1000, rv.data(), rv.size()));
  EXPECT_EQ(rv, b.reset_vector());
}

TEST(VirtBoot, BiosNoneWithAnElfKernel) {
  NoConsole con;
  std::string kernel = tmp("kernel.elf");
  write_file(kernel, make_elf(0x80000000, 0x80000000));
  MachineConfig c = config(1);
  c.bios = "none";
  c.kernel = kernel;
  VirtBoard b(c, con, nullptr);
  EXPECT_EQ(b.boot().start_addr, 0x80000000u);
  EXPECT_EQ(b.boot().kernel_entry, 0x80000000u);
  if (have_qemu_system()) {
    EXPECT_EQ(b.reset_vector(), qemu_mrom("-m 256M -bios none -kernel " + kernel));
  }
  uint8_t byte = 0;
  ASSERT_TRUE(b.memory().read(0x80000005, &byte, 1));
  EXPECT_EQ(byte, 5);
  // An ELF whose entry is not its lowest address: mimic starts at e_entry (QEMU 7.2 jumps to
  // the DRAM base whatever the ELF says), next_addr stays the lowest address as in QEMU.
  write_file(kernel, make_elf(0x80200000, 0x80200040));
  VirtBoard b2(c, con, nullptr);
  EXPECT_EQ(b2.boot().start_addr, 0x80200040u);
  EXPECT_EQ(b2.boot().kernel_entry, 0x80200000u);
}

TEST(VirtBoot, ElfFirmwareAndKernelAfterIt) {
  NoConsole con;
  std::string fw = tmp("fw.elf"), kernel = tmp("Image4");
  write_file(fw, make_elf(0x80000000, 0x80000000, 0x100, 0x300000));  // 3 MiB with .bss
  write_file(kernel, fake_image());
  MachineConfig c = config(1);
  c.bios = fw;
  c.kernel = kernel;
  VirtBoard b(c, con, nullptr);
  EXPECT_EQ(b.boot().firmware_end, 0x80300000u);
  EXPECT_EQ(b.boot().kernel_entry, 0x80400000u);
  EXPECT_EQ(b.boot().start_addr, 0x80000000u);
}

namespace {
std::string board_error(const MachineConfig& c) {
  NoConsole con;
  try {
    VirtBoard b(c, con, nullptr);
  } catch (const MachineError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(VirtBoot, UnknownMachinePropertyIsNamed) {
  MachineConfig c;
  c.properties = "aia=aplic";
  EXPECT_NE(board_error(c).find("-M virt,aia=aplic: unknown machine property"), std::string::npos) << board_error(c);
}

TEST(VirtBoot, BadInputsGetClearErrors) {
  std::string f = tmp("bad.elf");
  MachineConfig c = config(1);
  c.bios = f;

  auto elf = make_elf(0x80000000, 0x80000000);
  write_file(f, std::vector<uint8_t>(elf.begin(), elf.begin() + 40));
  EXPECT_NE(board_error(c).find("-bios " + f + ": bad ELF file: 40 bytes is shorter than the ELF header"),
            std::string::npos)
      << board_error(c);

  write_file(f, std::vector<uint8_t>(elf.begin(), elf.begin() + sizeof(Elf64_Ehdr) + 10));
  EXPECT_NE(board_error(c).find("program headers at offset 0x40 run past the end of the file"), std::string::npos)
      << board_error(c);

  write_file(f, std::vector<uint8_t>(elf.begin(), elf.end() - 16));
  EXPECT_NE(board_error(c).find("past the end of the file"), std::string::npos) << board_error(c);

  write_file(f, make_elf(0x10000000, 0x10000000));
  EXPECT_NE(board_error(c).find("segment 0 at [0x10000000, 0x10000100) is outside RAM [0x80000000, 0x90000000)"),
            std::string::npos)
      << board_error(c);

  write_file(f, make_elf(0x8ffffff0, 0x8ffffff0));  // runs off the end of RAM
  EXPECT_NE(board_error(c).find("is outside RAM"), std::string::npos) << board_error(c);

  auto arm = make_elf(0x80000000, 0x80000000);
  arm[18] = EM_AARCH64;
  write_file(f, arm);
  EXPECT_NE(board_error(c).find("is not RISC-V"), std::string::npos) << board_error(c);

  auto huge_filesz = make_elf(0x80000000, 0x80000000);
  Elf64_Phdr ph;
  memcpy(&ph, huge_filesz.data() + sizeof(Elf64_Ehdr), sizeof ph);
  ph.p_filesz = ph.p_memsz + 1;
  memcpy(huge_filesz.data() + sizeof(Elf64_Ehdr), &ph, sizeof ph);
  write_file(f, huge_filesz);
  EXPECT_NE(board_error(c).find("larger than memory size"), std::string::npos) << board_error(c);

  c.bios = tmp("missing-firmware");
  std::remove(c.bios.c_str());
  EXPECT_NE(board_error(c).find("-bios " + c.bios + ": cannot open"), std::string::npos) << board_error(c);

  MachineConfig k = config(1);
  k.initrd = f;
  EXPECT_EQ(board_error(k), "-initrd only allowed with -kernel option");

  // A Linux Image larger than RAM (image_size, not the file size, decides).
  std::string img = tmp("big-Image");
  write_file(img, fake_image(uint64_t(300) << 20));
  MachineConfig big = config(1);
  big.kernel = img;
  EXPECT_NE(board_error(big).find("do not fit in RAM"), std::string::npos) << board_error(big);

  // A kernel ELF on top of the firmware.
  std::string kelf = tmp("overlap.elf");
  write_file(kelf, make_elf(0x80010000, 0x80010000));
  MachineConfig ov = config(1);
  ov.kernel = kelf;
  EXPECT_NE(board_error(ov).find("overlaps -bios " + std::string(kDefaultBios)), std::string::npos) << board_error(ov);

  MachineConfig huge = config(1);
  huge.ram_bytes = ~uint64_t(0) & ~uint64_t(0xfff);
  EXPECT_NE(board_error(huge).find("-m: "), std::string::npos) << board_error(huge);
  huge.ram_bytes = uint64_t(1) << 39;  // 512 GiB: more than this host can map, with a clear error or fine
  EXPECT_NO_THROW({
    try {
      NoConsole con;
      VirtBoard b(huge, con, nullptr);
    } catch (const MachineError&) {
    }
  });
  MachineConfig smp = config(0);
  EXPECT_NE(board_error(smp).find("-smp 0"), std::string::npos);
  MachineConfig cpu = config(1);
  cpu.cpu = "rv32";
  EXPECT_NE(board_error(cpu).find("-cpu rv32: unsupported"), std::string::npos);
  std::string baddtb = tmp("bad.dtb");
  write_file(baddtb, std::vector<uint8_t>(64, 0));
  MachineConfig d = config(1);
  d.dtb = baddtb;
  EXPECT_NE(board_error(d).find("-dtb " + baddtb + ": not a device tree blob"), std::string::npos) << board_error(d);
}

TEST(VirtBoard, InterruptsReachTheHarts) {
  NoConsole con;
  VirtBoard b(config(2), con, nullptr);
  std::vector<std::tuple<unsigned, unsigned, bool>> seen;
  b.set_hart_irq([&](unsigned h, unsigned irq, bool l) { seen.emplace_back(h, irq, l); });
  auto wr = [&](uint64_t a, unsigned size, uint64_t v) { ASSERT_TRUE(b.memory().io_write(a, size, v)); };
  // UART (source 10) to hart 1's S-mode context (3).
  wr(0xc000000 + 4 * kVirtUart0Irq, 4, 1);
  wr(0xc002000 + 3 * 0x80, 4, 1u << kVirtUart0Irq);
  wr(0x10000001, 1, 0x02);  // UART IER.THRI: THR is empty, the line rises
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), std::make_tuple(1u, unsigned(mimic::riscv::kIrqSExt), true));
  uint64_t claim = 0;
  ASSERT_TRUE(b.memory().io_read(0xc200000 + 3 * 0x1000 + 4, 4, &claim));
  EXPECT_EQ(claim, kVirtUart0Irq);
  EXPECT_EQ(seen.back(), std::make_tuple(1u, unsigned(mimic::riscv::kIrqSExt), false));
  seen.clear();
  wr(0x2000004, 4, 1);  // msip of hart 1
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_tuple(1u, unsigned(mimic::riscv::kIrqMSoft), true));
  seen.clear();
  wr(0x2004000, 8, 0);  // mtimecmp of hart 0, already passed
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_tuple(0u, unsigned(mimic::riscv::kIrqMTimer), true));
  // The RTC (source 11) to hart 0's M context.
  seen.clear();
  wr(0xc000000 + 4 * kVirtRtcIrq, 4, 2);
  wr(0xc002000, 4, 1u << kVirtRtcIrq);
  wr(0x101010, 4, 1);  // IRQ_ENABLED
  wr(0x101008, 4, 0);  // an alarm in the past fires at once
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), std::make_tuple(0u, unsigned(mimic::riscv::kIrqMExt), true));
}

TEST(VirtBoard, MtreeMatchesQemuForTheDevicesMimicHas) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  NoConsole con;
  VirtBoard b(config(1), con, nullptr);
  std::string mine = b.memory().mtree();
  std::string q = run_command(
      "printf 'info mtree\nquit\n' | timeout 20 qemu-system-riscv64 -M virt -m 256M -S -display none "
      "-monitor stdio -serial null 2>&1");
  std::erase(q, '\r');  // the monitor on stdio ends lines with CR LF
  auto start = q.find("address-space: memory\n");
  ASSERT_NE(start, std::string::npos) << q;
  q = q.substr(start, q.find("\n\n", start) - start + 1);
  // QEMU maps the PCIe windows as aliases into the host bridge's containers; mimic maps them
  // directly: compare the name, the range and the priority.
  q = std::regex_replace(q, std::regex("alias (pcie-[a-z-]+) @[^\n]*"), "$1");
  // Every line of mimic's map is QEMU's, in the same order; QEMU has more (flash, fw_cfg, the
  // platform bus: devices mimic does not have).
  size_t pos = 0, lines = 0;
  for (size_t s = 0, e; (e = mine.find('\n', s)) != std::string::npos; s = e + 1) {
    std::string line = mine.substr(s, e - s + 1);
    size_t at = q.find(line, pos);
    EXPECT_NE(at, std::string::npos) << "not in QEMU's map (or out of order): " << line << "QEMU:\n" << q;
    if (at != std::string::npos) pos = at + line.size();
    lines++;
  }
  EXPECT_EQ(lines, 2u + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 8 + 3 + 1);  // ... pio, plic, uart, virtio, 3 PCIe
}

TEST(VirtBoard, FinisherAndResetReloadImages) {
  NoConsole con;
  VirtBoard b(config(1), con, nullptr);
  std::vector<std::pair<FinisherAction, int>> seen;
  b.set_finisher([&](FinisherAction a, int s) { seen.push_back({a, s}); });
  ASSERT_TRUE(b.memory().io_write(0x100000, 4, (42u << 16) | 0x3333));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::make_pair(FinisherAction::PowerOff, 42));
  // The guest scribbles over its firmware; a reset brings it back (QEMU's ROM blobs).
  uint32_t junk = 0;
  ASSERT_TRUE(b.memory().write(0x80000000, &junk, 4));
  b.reset();
  std::vector<uint8_t> fw = read_file(kDefaultBios), got(16);
  ASSERT_TRUE(b.memory().read(0x80000000, got.data(), got.size()));
  EXPECT_EQ(got, std::vector<uint8_t>(fw.begin(), fw.begin() + 16));
}

TEST(VirtBoard, DumpDtbWritesTheTree) {
  std::string path = tmp("dump.dtb");
  auto blob = virt_device_tree(config(1));
  write_dtb_file(path, blob);
  EXPECT_EQ(read_file(path), blob);
  EXPECT_EQ(load_dtb_file(path), blob);
  EXPECT_THROW(write_dtb_file("/nonexistent-dir/x.dtb", blob), MachineError);
}

// A virtio-pci function sits on the PCIe host (config space through ECAM at 0x30000000) and is
// part of the machine a snapshot describes.
TEST(VirtBoard, VirtioPciFunctionInConfigSpaceAndSnapshots) {
  NoConsole con;
  MachineConfig c = config(1);
  c.devices.devices.push_back({"-device", "virtio-rng-pci", "virtio-rng-pci", {}});
  VirtBoard b(c, con, nullptr);
  uint32_t id = 0;
  ASSERT_TRUE(b.memory().read(0x30000000 + (1 << 15), &id, 4));  // 00:01.0 vendor/device
  EXPECT_EQ(id, 0x10051af4u);                                    // Red Hat, transitional virtio-rng
  EXPECT_EQ(b.snapshot_blocker(), "");
  EXPECT_NE(b.snapshot_devices().find("virtio-pci.0@08="), std::string::npos) << b.snapshot_devices();
  std::vector<SnapshotSection> sections;
  b.snapshot_sections(sections);
  std::set<std::string> names;
  for (auto& s : sections) names.insert(s.name);
  EXPECT_TRUE(names.count("gpex-pcihost") && names.count("virtio-pci.0"));
}

// -drive if=virtio and -virtfs make PCI functions, as qemu-system-riscv64 7.2 makes them (its
// `info qtree`): -device and -virtfs in command-line order from 00:01.0, then the drives; an
// explicit -device virtio-X-device keeps its virtio-mmio slot.
TEST(VirtBoard, DefaultVirtioDevicesAreOnPciAsQemuPutsThem) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  // One writable image, one shared by the two read-only drives (an image has one writer).
  std::string disk = tmp("default-disk.raw"), ro = tmp("default-ro.raw"), share = testing::TempDir();
  write_file(disk, std::vector<uint8_t>(1 << 20));
  write_file(ro, std::vector<uint8_t>(1 << 20));
  std::string q = run_command(fmt::format(
      "printf 'info qtree\nquit\n' | timeout 20 qemu-system-riscv64 -M virt -m 256M -S -display none -monitor stdio "
      "-serial null -drive file={0},format=raw,if=virtio -drive file={1},format=raw,if=virtio,readonly=on "
      "-device virtio-rng-pci -virtfs local,path={2},mount_tag=t,security_model=none "
      "-drive file={1},format=raw,if=none,id=x,readonly=on -device virtio-blk-device,drive=x 2>&1",
      disk, ro, share));
  std::erase(q, '\r');
  // QEMU: "dev: virtio-blk-pci" ... "addr = 03.0" ... "dev: virtio-blk-device": function and device.
  std::set<std::string> want;
  std::smatch m;
  std::istringstream lines(q);
  bool in_pci = false;
  unsigned long slot = 0;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, m, std::regex("dev: virtio-[a-z0-9]+-pci,"))) {
      in_pci = true;
    } else if (in_pci && std::regex_search(line, m, std::regex("^ *addr = ([0-9a-f]{2})\\.0$"))) {
      slot = std::stoul(m[1].str(), nullptr, 16);
    } else if (in_pci && std::regex_search(line, m, std::regex("dev: (virtio-[a-z0-9]+-device),"))) {
      want.insert(fmt::format("@{:02x}={}", slot << 3, m[1].str()));
      in_pci = false;
    }
  }
  ASSERT_EQ(want.size(), 4u) << q;
  ASSERT_TRUE(std::regex_search(q, std::regex("bus: virtio-mmio-bus\\.7\n.*\n *dev: virtio-blk-device,"))) << q;

  NoConsole con;
  MachineConfig c = config(1);
  using P = std::vector<std::pair<std::string, std::string>>;
  c.devices.drives.push_back({"-drive", "", "", P{{"file", disk}, {"format", "raw"}, {"if", "virtio"}}});
  c.devices.drives.push_back(
      {"-drive", "", "", P{{"file", ro}, {"format", "raw"}, {"if", "virtio"}, {"readonly", "on"}}});
  c.devices.drives.push_back(
      {"-drive", "", "", P{{"file", ro}, {"format", "raw"}, {"if", "none"}, {"id", "x"}, {"readonly", "on"}}});
  c.devices.devices.push_back({"-device", "virtio-rng-pci", "virtio-rng-pci", {}});
  c.devices.fsdevs.push_back({"-virtfs", "", "local", P{{"path", share}, {"security_model", "none"}, {"id", "t"}}});
  c.devices.devices.push_back({"-virtfs", "", "virtio-9p-device", P{{"fsdev", "t"}, {"mount_tag", "t"}}});
  c.devices.devices.push_back({"-device", "", "virtio-blk-device", P{{"drive", "x"}}});
  VirtBoard b(c, con, nullptr);
  std::string mine = b.snapshot_devices();
  std::set<std::string> have;
  for (auto it = mine.cbegin(); std::regex_search(it, mine.cend(), m, std::regex("virtio-pci\\.\\d+(@[0-9a-f]+=\\S+)"));
       it = m.suffix().first)
    have.insert(m[1].str());
  EXPECT_EQ(have, want) << mine << "\nQEMU:\n" << q;
  EXPECT_NE(mine.find("virtio-mmio.7=virtio-blk-device"), std::string::npos) << mine;
  EXPECT_EQ(mine.find("virtio-mmio.6="), std::string::npos) << mine;
}

// -nic: QEMU 7.2's riscv virt creates no NIC for it (only "requested NIC ... was not created");
// mimic makes the virtio-net-pci a user expects, as the arm virt board (and -device) would.
TEST(VirtBoard, NicIsAVirtioNetPciFunction) {
  NoConsole con;
  MachineConfig c = config(1);
  c.devices.nics.push_back({"-nic", "user", "user", {}});
  VirtBoard b(c, con, nullptr);
  EXPECT_EQ(b.snapshot_devices(), " virtio-pci.0@08=virtio-net-device");
  uint32_t id = 0;
  ASSERT_TRUE(b.memory().read(0x30000000 + (1 << 15), &id, 4));  // 00:01.0 vendor/device
  EXPECT_EQ(id, 0x10001af4u);                                    // Red Hat, transitional virtio-net
}
