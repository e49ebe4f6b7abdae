// Robustness of the arm virt board under guest and user input (built with ASan and UBSan):
// random MMIO over its whole map and random GIC system register accesses never crash; mutated
// kernel images (plain, gzip'd, EFI zboot) load or are refused with a MachineError.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <random>

#include "hw/arm/virt.h"

using namespace mimic::hw;

namespace {
struct NoConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
}

void hammer(ArmVirtBoard& b, std::mt19937_64& rng, unsigned cpus) {
  const uint64_t bases[] = {0x0,        0x03fff000, 0x04000000,   0x08000000,   0x08010000,   0x08020000,
                            0x080a0000, 0x080c0000, 0x09000000,   0x09010000,   0x09020000,   0x09030000,
                            0x0a000000, 0x0a003e00, 0x3eff0000,   0x3f000000,   0x4010000000, 0x4010008000,
                            0x40000000, 0x10000000, 0x8000000000, 0x4000000000, 0x47fffff000};
  unsigned cpu = 0;
  b.set_cpu_index_source([&] { return cpu; });
  for (int i = 0; i < 30000; i++) {
    cpu = unsigned(rng() % (cpus + 1));  // one past the last: the board must clamp it
    uint64_t addr = bases[rng() % std::size(bases)] + (rng() % 0x21000);
    unsigned size = 1u << (rng() % 4);
    addr &= ~uint64_t(size - 1);
    uint64_t v = rng();
    if (rng() % 2)
      b.memory().io_write(addr, size, v);
    else
      b.memory().io_read(addr, size, &v);
    if (i % 8 == 0) {
      // ICC_* lives at op0 3, op1 0/4/6, CRn 4 and 12: random encodings around them.
      uint32_t enc =
          (3u << 14) | (uint32_t(rng() % 8) << 11) | (uint32_t(12 - (rng() % 2) * 8) << 7) | uint32_t(rng() % 128);
      uint64_t value = rng();
      switch (rng() % 4) {
        case 0: b.gic_sysreg_write(cpu, enc, unsigned(rng() % 4), false, value); break;
        case 1: b.gic_sysreg_read(cpu, enc, unsigned(rng() % 4), false, value); break;
        case 2: b.gic_vsysreg_write(cpu, enc, value); break;
        default: b.gic_vsysreg_read(cpu, enc, value); break;
      }
    }
    if (i % 64 == 0) b.set_timer_output(unsigned(rng() % cpus), ArmTimer(rng() % 5), rng() % 2);
  }
}
}  // namespace

TEST(ArmRobust, RandomMmioAndSysregsGicV2) {
  NoConsole con;
  MachineConfig c;
  c.smp = 4;
  ArmVirtBoard b(c, con, nullptr);
  b.set_cpu_irq([](unsigned, ArmCpuIrq, bool) {});
  std::mt19937_64 rng(1);
  hammer(b, rng, 4);
}

TEST(ArmRobust, RandomMmioAndSysregsGicV3) {
  NoConsole con;
  MachineConfig c;
  c.smp = 3;
  ArmVirtOptions o = parse_arm_virt_options("gic-version=3", "max");
  ArmVirtBoard b(c, con, nullptr, &o);
  b.set_cpu_irq([](unsigned, ArmCpuIrq, bool) {});
  std::mt19937_64 rng(2);
  hammer(b, rng, 3);
  b.reset();
}

TEST(ArmRobust, MutatedKernelImagesLoadOrAreRefused) {
  std::vector<uint8_t> image(0x4000);
  for (size_t i = 0; i < image.size(); i++) image[i] = uint8_t(i * 13);
  uint64_t zero = 0, size = 0x8000;
  memcpy(image.data() + 8, &zero, 8);
  memcpy(image.data() + 16, &size, 8);
  memcpy(image.data() + 0x38, "ARM\x64", 4);
  // gzip'd variant.
  std::vector<uint8_t> gz(compressBound(uLong(image.size())) + 64);
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = image.data();
  zs.avail_in = uInt(image.size());
  zs.next_out = gz.data();
  zs.avail_out = uInt(gz.size());
  deflate(&zs, Z_FINISH);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  // EFI zboot around it.
  std::vector<uint8_t> zboot(0x100);
  memcpy(zboot.data(), "MZ", 2);
  memcpy(zboot.data() + 4, "zimg", 4);
  uint32_t off = 0x100, len = uint32_t(gz.size());
  memcpy(zboot.data() + 8, &off, 4);
  memcpy(zboot.data() + 12, &len, 4);
  memcpy(zboot.data() + 0x18, "gzip", 4);
  zboot.insert(zboot.end(), gz.begin(), gz.end());

  std::mt19937_64 rng(3);
  std::string path = "/tmp/mimic-arm-robust-" + std::to_string(getpid());
  unsigned loaded = 0, refused = 0;
  for (int i = 0; i < 120; i++) {
    const std::vector<uint8_t>& base = i % 3 == 0 ? image : i % 3 == 1 ? gz : zboot;
    std::vector<uint8_t> f = base;
    unsigned flips = 1 + unsigned(rng() % 8);
    for (unsigned k = 0; k < flips; k++) {
      // Headers mostly: the first 0x40 bytes (and zboot's) are where the loader looks.
      size_t at = rng() % 4 ? rng() % std::min<size_t>(f.size(), 0x120) : rng() % f.size();
      f[at] = uint8_t(rng());
    }
    if (rng() % 8 == 0) f.resize(rng() % f.size());
    write_file(path, f);
    MachineConfig c;
    c.kernel = path;
    NoConsole con;
    try {
      ArmVirtBoard b(c, con, nullptr);
      loaded++;
    } catch (const MachineError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      refused++;
    }
  }
  std::remove(path.c_str());
  EXPECT_GT(loaded, 0u);
  EXPECT_GT(refused, 0u);
}
