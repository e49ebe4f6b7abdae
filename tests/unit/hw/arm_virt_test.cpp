// The Arm virt board: its device tree against qemu-system-aarch64's dumpdtb, the arm64 kernel
// loader (placement as QEMU's hw/arm/boot.c, compressed images, hostile headers refused), and
// the wiring of devices to GIC interrupts.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <map>

#include "hw/arm/virt.h"
#include "hw/char/pl011.h"
#include "hw/core/fdt.h"
#include "tests/unit/hw/qemu_oracle.h"

using namespace mimic::hw;
using mimic::hw::test::run_command;

namespace {

std::string tmp(const std::string& name) { return fmt::format("/tmp/mimic-arm-virt-{}-{}", getpid(), name); }

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}
void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
}

bool have_qemu_aarch64() { return system("qemu-system-aarch64 --version >/dev/null 2>&1") == 0; }

std::vector<uint8_t> qemu_dtb(const std::string& machine, const std::string& args) {
  std::string path = tmp("qemu.dtb");
  std::remove(path.c_str());
  run_command(fmt::format("timeout 20 qemu-system-aarch64 -M virt,{}dumpdtb={} -display none -serial null {} 2>&1",
                          machine, path, args));
  return read_file(path);
}

MachineConfig config(unsigned smp, uint64_t mib = 128) {
  MachineConfig c;
  c.smp = smp;
  c.ram_bytes = mib << 20;
  return c;
}

using Tree = std::map<std::string, std::string>;
Tree tree_of(const std::vector<uint8_t>& blob) {
  Tree t;
  for (const std::string& line : fdt_flatten(blob)) {
    auto eq = line.find(" = ");
    t[line.substr(0, eq)] = eq == std::string::npos ? "" : line.substr(eq + 3);
  }
  return t;
}

// Equal node by node, property by property; the random seeds only in size. phandles are
// compared as values: mimic allocates them in QEMU's order from QEMU's 0x8000.
void expect_same_tree(const std::vector<uint8_t>& mine, const std::vector<uint8_t>& qemu) {
  Tree m = tree_of(mine), q = tree_of(qemu);
  ASSERT_FALSE(m.empty());
  ASSERT_FALSE(q.empty()) << "qemu-system-aarch64 wrote no device tree";
  for (auto& [key, value] : q) {
    auto it = m.find(key);
    if (it == m.end()) {
      ADD_FAILURE() << "mimic's tree lacks " << key;
      continue;
    }
    if (key.find("chosen: rng-seed") != std::string::npos || key.find("chosen: kaslr-seed") != std::string::npos)
      EXPECT_EQ(it->second.size(), value.size()) << key;
    else
      EXPECT_EQ(it->second, value) << key;
  }
  for (auto& [key, value] : m) EXPECT_EQ(q.count(key), 1u) << "mimic's tree has " << key << " that QEMU's has not";
}

struct Case {
  const char* machine;  // QEMU's -M properties after "virt,"
  unsigned smp;
  unsigned mib;
  const char* cpu;
};

}  // namespace

TEST(ArmVirtFdt, MatchesQemuDumpdtb) {
  if (!have_qemu_aarch64()) GTEST_SKIP() << "qemu-system-aarch64 (Debian qemu-system-arm) not installed";
  // GICv3 with its ITS (the its@ node, PCIe's msi-map to it) and without (its=off).
  const Case cases[] = {
      {"gic-version=2,", 1, 128, "cortex-a57"},
      {"gic-version=2,", 4, 256, "cortex-a53"},
      {"gic-version=3,", 2, 512, "cortex-a72"},
      {"gic-version=3,", 4, 256, "max"},
      {"gic-version=3,its=off,", 2, 512, "cortex-a72"},
      {"gic-version=3,its=off,", 8, 128, "max"},
      {"gic-version=2,highmem=off,", 2, 128, "cortex-a57"},
      {"gic-version=3,its=off,virtualization=on,", 2, 128, "max"},
      {"gic-version=2,virtualization=on,", 4, 128, "cortex-a57"},
      {"gic-version=2,secure=on,", 1, 128, "max"},
      {"gic-version=3,its=off,secure=on,virtualization=on,", 4, 256, "max"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(fmt::format("-M virt,{} -smp {} -m {} -cpu {}", c.machine, c.smp, c.mib, c.cpu));
    ArmVirtOptions o = parse_arm_virt_options(c.machine, c.cpu);
    std::vector<uint8_t> mine = arm_virt_device_tree(config(c.smp, c.mib), &o);
    expect_same_tree(mine, qemu_dtb(c.machine, fmt::format("-smp {} -m {} -cpu {}", c.smp, c.mib, c.cpu)));
  }
}

TEST(ArmVirtFdt, ChosenCarriesBootargsAndInitrd) {
  std::vector<uint8_t> image(0x10000);
  memcpy(image.data() + 0x38, "ARM\x64", 4);
  uint64_t image_size = 0x20000;
  memcpy(image.data() + 16, &image_size, 8);
  write_file(tmp("Image"), image);
  write_file(tmp("initrd"), std::vector<uint8_t>(5000, 0xab));
  MachineConfig c = config(1);
  c.kernel = tmp("Image");
  c.initrd = tmp("initrd");
  c.append = "console=ttyAMA0 earlycon";
  ArmVirtOptions o;
  std::vector<uint8_t> dtb = arm_virt_device_tree(c, &o);
  Tree t = tree_of(dtb);
  // -m 128: initrd at RAM base + 64 MiB, 64-bit cells (the root's #address-cells).
  EXPECT_EQ(t["/chosen: linux,initrd-start"], "0000000044000000");
  EXPECT_EQ(t["/chosen: linux,initrd-end"], fmt::format("{:016x}", 0x44000000 + 5000));
  EXPECT_EQ(t["/chosen: bootargs"].substr(0, 8), "636f6e73");  // "cons"
  EXPECT_EQ(t["/chosen: stdout-path"].substr(0, 4), "2f70");   // "/p"
}

namespace {
std::vector<uint8_t> arm64_image(uint64_t text_offset, uint64_t image_size, size_t file_size = 0x1000) {
  std::vector<uint8_t> f(file_size);
  memcpy(f.data() + 8, &text_offset, 8);
  memcpy(f.data() + 16, &image_size, 8);
  memcpy(f.data() + 0x38, "ARM\x64", 4);
  for (size_t i = 0x40; i < f.size(); i++) f[i] = uint8_t(i * 7);
  return f;
}
std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::vector<uint8_t> out(deflateBound(&zs, in.size()) + 64);
  zs.next_in = const_cast<uint8_t*>(in.data());
  zs.avail_in = uInt(in.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
struct NullConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};
std::string error_of(const MachineConfig& c) {
  NullConsole con;
  try {
    ArmVirtBoard b(c, con, nullptr);
  } catch (const MachineError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ArmVirtBoot, ImageLoadsAtTextOffsetPast2MiB) {
  // text_offset 0 (every kernel since 5.8): QEMU moves it 2 MiB up, past its boot stub.
  std::vector<uint8_t> img = arm64_image(0, 0x300000);
  write_file(tmp("Image"), img);
  MachineConfig c = config(1);
  c.kernel = tmp("Image");
  NullConsole con;
  ArmVirtBoard b(c, con, nullptr);
  EXPECT_TRUE(b.boot().linux_image);
  EXPECT_FALSE(b.boot().firmware);
  EXPECT_EQ(b.boot().entry, 0x40200000u);
  EXPECT_EQ(b.boot().el, 1u);
  EXPECT_EQ(b.boot().psci, PsciConduit::Hvc);
  // No initrd: the DTB at the first 2 MiB boundary after half of RAM (64 MiB in).
  EXPECT_EQ(b.boot().dtb_addr, 0x44000000u);
  std::vector<uint8_t> back(img.size());
  ASSERT_TRUE(b.memory().read(0x40200000, back.data(), back.size()));
  EXPECT_EQ(back, img);
  uint32_t magic;
  ASSERT_TRUE(b.memory().read(b.boot().dtb_addr, &magic, 4));
  EXPECT_EQ(magic, 0xedfe0dd0u);  // FDT magic, big-endian
}

TEST(ArmVirtBoot, GzipImageIsInflated) {
  std::vector<uint8_t> img = arm64_image(0x80000, 0x100000, 0x40000);
  write_file(tmp("Image.gz"), gzip(img));
  MachineConfig c = config(1);
  c.kernel = tmp("Image.gz");
  NullConsole con;
  ArmVirtBoard b(c, con, nullptr);
  EXPECT_EQ(b.boot().entry, 0x40080000u);
  std::vector<uint8_t> back(img.size());
  ASSERT_TRUE(b.memory().read(0x40080000, back.data(), back.size()));
  EXPECT_EQ(back, img);
}

TEST(ArmVirtBoot, VirtualizationStartsAtEl2WithSmcPsci) {
  write_file(tmp("Image"), arm64_image(0, 0x10000));
  MachineConfig c = config(2);
  c.kernel = tmp("Image");
  ArmVirtOptions o = parse_arm_virt_options("gic-version=3,virtualization=on", "max");
  NullConsole con;
  ArmVirtBoard b(c, con, nullptr, &o);
  EXPECT_EQ(b.boot().el, 2u);
  EXPECT_EQ(b.boot().psci, PsciConduit::Smc);
}

TEST(ArmVirtBoot, HostileImagesGetOneClearError) {
  MachineConfig c = config(1);
  c.kernel = tmp("bad");
  // text_offset far beyond RAM.
  write_file(c.kernel, arm64_image(0x7fff'ffff'ffff'0000ull, 0x1000));
  EXPECT_NE(error_of(c).find("text_offset"), std::string::npos) << error_of(c);
  // image_size larger than RAM.
  write_file(c.kernel, arm64_image(0, 0x7fff'ffff'0000ull));
  EXPECT_NE(error_of(c).find("do not fit in RAM"), std::string::npos) << error_of(c);
  // A truncated gzip stream.
  std::vector<uint8_t> gz = gzip(arm64_image(0, 0x10000, 0x10000));
  gz.resize(gz.size() / 2);
  write_file(c.kernel, gz);
  EXPECT_NE(error_of(c).find("corrupt gzip"), std::string::npos) << error_of(c);
  // A gzip bomb: more than QEMU's 64 MiB.
  write_file(c.kernel, gzip(std::vector<uint8_t>(65 << 20)));
  EXPECT_NE(error_of(c).find("more than 64 MiB"), std::string::npos) << error_of(c);
  // EFI zboot whose payload lies outside the file, and one with an unknown compression.
  std::vector<uint8_t> z(0x100);
  memcpy(z.data(), "MZ", 2);
  memcpy(z.data() + 4, "zimg", 4);
  uint32_t off = 0x80, size = 0x10000;
  memcpy(z.data() + 8, &off, 4);
  memcpy(z.data() + 12, &size, 4);
  memcpy(z.data() + 0x18, "gzip", 4);
  write_file(c.kernel, z);
  EXPECT_NE(error_of(c).find("beyond the file"), std::string::npos) << error_of(c);
  size = 0x10;
  memcpy(z.data() + 12, &size, 4);
  memcpy(z.data() + 0x18, "zstd", 5);
  write_file(c.kernel, z);
  EXPECT_NE(error_of(c).find("'zstd'"), std::string::npos) << error_of(c);
  // Options.
  EXPECT_THROW(parse_arm_virt_options("gic-version=4", ""), MachineError);
  EXPECT_THROW(parse_arm_virt_options("secure=maybe", ""), MachineError);
  EXPECT_THROW(parse_arm_virt_options("", "cortex-a15"), MachineError);
  MachineConfig many = config(9);
  EXPECT_NE(error_of(many).find("1 to 8 CPUs"), std::string::npos) << error_of(many);
}

TEST(ArmVirtBoard, UartInterruptReachesCpu0ThroughGicV2) {
  struct Console : CharBackend {
    std::string out;
    std::function<void(uint8_t)> rx;
    void write(const uint8_t* d, size_t n) override { out.append(reinterpret_cast<const char*>(d), n); }
    void set_receiver(std::function<void(uint8_t)> r, std::function<bool()>) override { rx = std::move(r); }
  } con;
  MachineConfig c = config(1);
  ArmVirtBoard b(c, con, nullptr);
  std::vector<std::pair<ArmCpuIrq, bool>> lines;
  b.set_cpu_irq([&](unsigned cpu, ArmCpuIrq l, bool level) { lines.push_back({l, level}); });
  AddressSpace& m = b.memory();
  // As a CPU's load/store reaches a device (AddressSpace::read/write are byte-wise bus copies).
  auto w32 = [&](uint64_t a, uint32_t v) { ASSERT_TRUE(m.io_write(a, 4, v)); };
  auto r32 = [&](uint64_t a) {
    uint64_t v = 0;
    EXPECT_TRUE(m.io_read(a, 4, &v));
    return uint32_t(v);
  };
  // Linux's gic setup, reduced: distributor and CPU interface on, SPI 1 (INTID 33) enabled.
  w32(0x08000000, 1);
  w32(0x08010000, 1);
  w32(0x08010004, 0xf0);
  w32(0x08000100 + 4, 1u << 1);
  ASSERT_TRUE(m.io_write(0x08000400 + 33, 1, 0xa0));
  // PL011: RX interrupt unmasked, a byte arrives.
  w32(0x09000038, Pl011::kIntRx);
  std::lock_guard lock(m.device_lock());
  con.rx('x');
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), std::make_pair(ArmCpuIrq::Irq, true));
  EXPECT_EQ(r32(0x0801000c), 33u);  // GICC_IAR
  EXPECT_EQ(r32(0x09000000), uint32_t('x'));
  w32(0x08010010, 33);  // GICC_EOIR
  EXPECT_EQ(lines.back(), std::make_pair(ArmCpuIrq::Irq, false));
  // TX.
  w32(0x09000000, 'A');
  EXPECT_EQ(con.out, "A");
  EXPECT_EQ(r32(0x09000fe0), 0x11u);  // PeriphID0
}

TEST(ArmVirtBoard, PowerButtonRaisesGpioInterrupt) {
  NullConsole con;
  MachineConfig c = config(1);
  ArmVirtBoard b(c, con, nullptr);
  AddressSpace& m = b.memory();
  ASSERT_TRUE(m.io_write(0x09030410, 4, 1u << 3));  // GPIOIE: line 3
  ASSERT_TRUE(m.io_write(0x0903040c, 4, 1u << 3));  // GPIOIEV: rising edge
  b.system_powerdown();
  uint64_t ris = 0, data = 0;
  ASSERT_TRUE(m.io_read(0x09030414, 4, &ris));
  ASSERT_TRUE(m.io_read(0x09030000 + (0xff << 2), 4, &data));
  EXPECT_EQ(ris, 1u << 3);
  EXPECT_EQ(data & (1u << 3), 1u << 3);
  // SPI 7 (INTID 39) pending at the distributor: GICD_ISPENDR1 bit 7.
  uint64_t pend = 0;
  ASSERT_TRUE(m.io_read(0x08000204, 4, &pend));
  EXPECT_EQ(pend & (1u << 7), 1u << 7);
}

TEST(ArmVirtBoot, FirmwareRunsFromFlashAndGetsTheKernelThroughFwCfg) {
  std::vector<uint8_t> fw(0x1000, 0x5a);
  write_file(tmp("QEMU_EFI.fd"), fw);
  std::vector<uint8_t> img = arm64_image(0, 0x10000, 0x8000);
  write_file(tmp("Image.gz"), gzip(img));
  MachineConfig c = config(2);
  c.bios = tmp("QEMU_EFI.fd");
  c.kernel = tmp("Image.gz");
  c.append = "root=/dev/vda";
  NullConsole con;
  ArmVirtBoard b(c, con, nullptr);
  EXPECT_TRUE(b.boot().firmware);
  EXPECT_EQ(b.boot().entry, 0u);
  EXPECT_EQ(b.boot().dtb_addr, 0x40000000u);
  EXPECT_EQ(b.boot().el, 1u);
  uint64_t v = 0;
  ASSERT_TRUE(b.memory().io_read(0, 4, &v));
  EXPECT_EQ(v, 0x5a5a5a5au);
  uint32_t magic;
  ASSERT_TRUE(b.memory().read(0x40000000, &magic, 4));
  EXPECT_EQ(magic, 0xedfe0dd0u);
  // fw_cfg: the kernel's size, decompressed, and the command line (traditional interface).
  AddressSpace& m = b.memory();
  ASSERT_TRUE(m.io_write(0x09020008, 2, __builtin_bswap16(0x08)));
  ASSERT_TRUE(m.io_read(0x09020000, 4, &v));
  EXPECT_EQ(v, img.size());
  ASSERT_TRUE(m.io_write(0x09020008, 2, __builtin_bswap16(0x15)));
  std::string cmdline;
  for (int i = 0; i < 14; i++) {
    ASSERT_TRUE(m.io_read(0x09020000, 1, &v));
    cmdline += char(v);
  }
  EXPECT_EQ(cmdline, std::string("root=/dev/vda\0", 14));
  // The CFI query answers from the variables bank.
  ASSERT_TRUE(m.io_write(0x04000000, 4, 0x98));
  ASSERT_TRUE(m.io_read(0x04000000 + (0x10 << 2), 4, &v));
  EXPECT_EQ(v, 0x00510051u);
  // -bios that does not fit the flash bank.
  write_file(tmp("big.fd"), std::vector<uint8_t>(65 << 20));
  c.bios = tmp("big.fd");
  EXPECT_NE(error_of(c).find("do not fit the 64 MiB flash bank"), std::string::npos) << error_of(c);
}

// -drive if=pflash: the units in order, the file exactly 64 MiB (qemu-system-aarch64's messages
// for the refused cases), the code in bank 0, the variables bank written through to its file.
TEST(ArmVirtBoot, PflashDrivesFillTheTwoBanks) {
  std::vector<uint8_t> code(64 << 20, 0xff), vars(64 << 20, 0xff);
  code[0] = 0x11;
  vars[0] = 0x22;
  write_file(tmp("code.fd"), code);
  write_file(tmp("vars.fd"), vars);
  write_file(tmp("small.fd"), std::vector<uint8_t>(3 << 20));
  auto drive = [](const std::string& text) {
    OptionList o{"-drive", text, "", {}};
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      std::string item = text.substr(start, comma - start);
      size_t eq = item.find('=');
      o.props.emplace_back(item.substr(0, eq), item.substr(eq + 1));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return o;
  };
  MachineConfig c = config(1);
  c.devices.drives = {drive("if=pflash,format=raw,file=" + tmp("code.fd") + ",readonly=on"),
                      drive("if=pflash,format=raw,file=" + tmp("vars.fd"))};
  {
    NullConsole con;
    ArmVirtBoard b(c, con, nullptr);
    EXPECT_TRUE(b.boot().firmware);
    uint64_t v = 0;
    ASSERT_TRUE(b.memory().io_read(0, 1, &v));
    EXPECT_EQ(v, 0x11u);
    ASSERT_TRUE(b.memory().io_read(0x04000000, 1, &v));
    EXPECT_EQ(v, 0x22u);
    // Word program (0x40) of the first word of bank 1: the file has it.
    ASSERT_TRUE(b.memory().io_write(0x04000004, 4, 0x00400040));
    ASSERT_TRUE(b.memory().io_write(0x04000004, 4, 0x12345678));
  }
  std::vector<uint8_t> after = read_file(tmp("vars.fd"));
  ASSERT_EQ(after.size(), vars.size());
  EXPECT_EQ(after[4], 0x78);
  EXPECT_EQ(after[7], 0x12);
  c.devices.drives = {drive("if=pflash,format=raw,unit=1,file=" + tmp("small.fd"))};
  EXPECT_NE(error_of(c).find("device requires 67108864 bytes, block backend provides 3145728 bytes"), std::string::npos)
      << error_of(c);
  c.devices.drives = {drive("if=pflash,format=raw,unit=2,file=" + tmp("vars.fd"))};
  EXPECT_NE(error_of(c).find("machine type does not support if=pflash,bus=0,unit=2"), std::string::npos) << error_of(c);
  c.devices.drives = {drive("if=pflash,format=qcow2,file=" + tmp("vars.fd"))};
  EXPECT_NE(error_of(c).find("format=qcow2"), std::string::npos) << error_of(c);
  for (const char* f : {"code.fd", "vars.fd", "small.fd"}) std::remove(tmp(f).c_str());
}

TEST(ArmVirtBoard, SecureGpioRequestsPoweroffAndReset) {
  NullConsole con;
  MachineConfig c = config(1);
  ArmVirtOptions o = parse_arm_virt_options("secure=on", "");
  ArmVirtBoard b(c, con, nullptr, &o);
  EXPECT_EQ(b.boot().psci, PsciConduit::None);  // the secure firmware's job
  EXPECT_EQ(b.boot().el, 3u);
  std::vector<bool> requests;
  b.set_power_handler([&](bool reset) { requests.push_back(reset); });
  AddressSpace& m = b.memory();
  ASSERT_TRUE(m.io_write(0x090b0400, 4, 0x3));               // lines 0, 1 outputs
  ASSERT_TRUE(m.io_write(0x090b0000 + (0x2 << 2), 4, 0x2));  // line 1 high: restart
  ASSERT_TRUE(m.io_write(0x090b0000 + (0x1 << 2), 4, 0x1));  // line 0 high: poweroff
  EXPECT_EQ(requests, (std::vector<bool>{true, false}));
  // Secure RAM exists (mimic's bus has no security attribute).
  uint32_t v = 0x1234;
  EXPECT_TRUE(m.write(0x0e000000, &v, 4));
}

namespace {
// What qemu-system-aarch64 holds at `addrs` (one 32-bit word each) right after loading, through
// its monitor's xp; empty when qemu did not answer.
std::vector<uint32_t> qemu_words(const std::string& args, const std::vector<uint64_t>& addrs) {
  std::string script;
  for (uint64_t a : addrs) script += fmt::format("xp /1wx {:#x}\\n", a);
  std::string out =
      run_command(fmt::format("printf '{}quit\\n' | timeout 20 qemu-system-aarch64 -M virt -S -display none -monitor "
                              "stdio -serial null {} 2>&1",
                              script, args));
  std::vector<uint32_t> words;
  size_t pos = 0;
  for (uint64_t a : addrs) {
    std::string key = fmt::format("{:016x}: ", a);
    pos = out.find(key, pos);
    if (pos == std::string::npos) return {};
    words.push_back(uint32_t(std::stoul(out.substr(pos + key.size(), 10), nullptr, 16)));
    pos += key.size();
  }
  return words;
}
}  // namespace

TEST(ArmVirtBoot, KernelInitrdAndDtbWhereQemuPutsThem) {
  if (!have_qemu_aarch64()) GTEST_SKIP() << "qemu-system-aarch64 (Debian qemu-system-arm) not installed";
  struct Layout {
    uint64_t text_offset, image_size;
    unsigned mib;
    size_t initrd;
  };
  for (const Layout& l :
       {Layout{0, 0x300000, 128, 5000}, Layout{0x80000, 0x100000, 256, 0}, Layout{0, 0x5000000, 128, 0x100000}}) {
    SCOPED_TRACE(fmt::format("text_offset {:#x} image_size {:#x} -m {} initrd {:#x}", l.text_offset, l.image_size,
                             l.mib, l.initrd));
    write_file(tmp("Image"), arm64_image(l.text_offset, l.image_size, 0x10000));
    MachineConfig c = config(1, l.mib);
    c.kernel = tmp("Image");
    std::string args = fmt::format("-cpu cortex-a57 -m {} -kernel {}", l.mib, c.kernel);
    if (l.initrd) {
      write_file(tmp("initrd"), std::vector<uint8_t>(l.initrd, 0xab));
      c.initrd = tmp("initrd");
      args += " -initrd " + c.initrd;
    }
    NullConsole con;
    ArmVirtBoard b(c, con, nullptr);
    // The image's first word past the header, the initrd's first word, the DTB's magic.
    std::vector<uint64_t> addrs = {b.boot().entry + 0x40, b.boot().dtb_addr};
    if (l.initrd) addrs.push_back(b.boot().initrd_start);
    std::vector<uint32_t> q = qemu_words(args, addrs);
    ASSERT_EQ(q.size(), addrs.size()) << "qemu-system-aarch64 did not answer";
    for (size_t i = 0; i < addrs.size(); i++) {
      uint32_t mine = 0;
      ASSERT_TRUE(b.memory().read(addrs[i], &mine, 4));
      EXPECT_EQ(mine, q[i]) << fmt::format("at {:#x}", addrs[i]);
      EXPECT_NE(q[i], 0u) << fmt::format("QEMU has nothing at {:#x}", addrs[i]);
    }
  }
}
