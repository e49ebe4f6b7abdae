// hw/core/snapshot: a machine's sections and RAM survive a round trip; truncated, bit-flipped,
// foreign and mismatching streams are refused with one SnapshotError and change nothing.
#include "hw/core/snapshot.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace mimic::hw;

namespace {
// A toy machine: a "device" with a few fields and a FIFO, and 1 MiB of RAM mostly zero.
struct Toy {
  uint32_t reg = 0;
  uint64_t wide[3] = {};
  std::vector<uint32_t> table = std::vector<uint32_t>(8);
  std::deque<uint8_t> fifo;
  std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20);

  std::vector<SnapshotSection> sections() {
    return {{"dev", 1, [this](StateIo& io) {
               io(reg), io(wide), io(table);
               io.fifo(fifo, 16);
             }}};
  }
  std::vector<SnapshotMemory> memory() { return {{"ram", ram.data(), ram.size()}}; }
};

const std::string kMachine = "toy -smp 1 -m 1M";

std::vector<uint8_t> save(Toy& t, const std::string& machine = kMachine) {
  std::vector<uint8_t> out;
  SnapshotHeader h;
  h.machine = machine;
  h.vm_clock_ns = 123456789;
  write_snapshot([&](const void* p, size_t n) { out.insert(out.end(), (const uint8_t*)p, (const uint8_t*)p + n); }, h,
                 t.sections(), t.memory());
  return out;
}

SnapshotSource source(const std::vector<uint8_t>& data) {
  auto pos = std::make_shared<size_t>(0);
  return [&data, pos](void* p, size_t n) {
    n = std::min(n, data.size() - *pos);
    if (n) std::memcpy(p, data.data() + *pos, n);
    *pos += n;
    return n;
  };
}

Toy filled() {
  Toy t;
  t.reg = 0xdeadbeef;
  t.wide[0] = 1, t.wide[1] = 2, t.wide[2] = ~0ull;
  for (size_t i = 0; i < t.table.size(); i++) t.table[i] = uint32_t(i * 7);
  t.fifo = {1, 2, 3};
  for (size_t i = 0; i < 4096; i++) t.ram[8192 + i] = uint8_t(i * 13);
  t.ram[(1 << 20) - 1] = 0x5a;
  return t;
}

// Loads into `t` after checking, as the machines do: false (and `t` untouched) when refused.
bool load(Toy& t, const std::vector<uint8_t>& data, std::string* error = nullptr) {
  try {
    read_snapshot(source(data), kMachine, t.sections(), t.memory(), false);
    read_snapshot(source(data), kMachine, t.sections(), t.memory(), true);
    return true;
  } catch (const SnapshotError& e) {
    if (error) *error = e.what();
    return false;
  }
}
}  // namespace

TEST(Snapshot, RoundTrip) {
  Toy a = filled();
  std::vector<uint8_t> data = save(a);
  EXPECT_LT(data.size(), 64u * 1024) << "zero pages are skipped and the rest compressed";
  Toy b;
  b.ram[100] = 1;  // a page that is zero in the snapshot must come back zero
  ASSERT_TRUE(load(b, data));
  EXPECT_EQ(b.reg, a.reg);
  EXPECT_EQ(b.wide[2], a.wide[2]);
  EXPECT_EQ(b.table, a.table);
  EXPECT_EQ(b.fifo, a.fifo);
  EXPECT_EQ(b.ram, a.ram);
  std::string info = describe_snapshot(source(data));
  EXPECT_NE(info.find("machine: toy -smp 1 -m 1M"), std::string::npos) << info;
  EXPECT_NE(info.find("ram:ram"), std::string::npos) << info;
  EXPECT_NE(info.find("vm clock: 00:00:00.123"), std::string::npos) << info;
}

TEST(Snapshot, TruncatedStreamsAreRefused) {
  Toy a = filled();
  std::vector<uint8_t> data = save(a);
  for (size_t len = 0; len < data.size(); len += 1 + len / 8) {
    std::vector<uint8_t> cut(data.begin(), data.begin() + len);
    Toy b;
    std::string error;
    EXPECT_FALSE(load(b, cut, &error)) << "length " << len;
    EXPECT_EQ(b.reg, 0u) << "nothing is applied from a truncated stream (length " << len << ")";
    EXPECT_FALSE(error.empty());
  }
}

TEST(Snapshot, FlippedBytesAreRefused) {
  Toy a = filled();
  std::vector<uint8_t> data = save(a);
  std::mt19937 rng(18);
  for (int i = 0; i < 300; i++) {
    std::vector<uint8_t> bad = data;
    size_t at = rng() % bad.size();
    bad[at] ^= uint8_t(1u << (rng() % 8));
    Toy b;
    if (!load(b, bad)) {
      EXPECT_EQ(b.reg, 0u) << "nothing is applied from a damaged stream";
      continue;
    }
    // A few bits of zstd's frame header (the window size) do not change what it decodes: the
    // state must then be exactly the saved one.
    EXPECT_TRUE(b.reg == a.reg && b.table == a.table && b.fifo == a.fifo && b.ram == a.ram)
        << "a flipped bit at byte " << at << " changed the state unnoticed";
  }
}

TEST(Snapshot, ForeignMachinesAreRefused) {
  Toy a = filled();
  std::string error;
  Toy b;
  EXPECT_FALSE(load(b, save(a, "toy -smp 2 -m 1M"), &error));
  EXPECT_NE(error.find("another machine"), std::string::npos) << error;
  EXPECT_NE(error.find("-smp 2"), std::string::npos) << error;

  // Same identity, but a device table of another length (a different configuration).
  Toy c;
  c.table.resize(9);
  EXPECT_FALSE(load(c, save(a), &error));
  EXPECT_NE(error.find("section 'dev'"), std::string::npos) << error;

  // Another RAM size.
  Toy d;
  d.ram.resize(2 << 20);
  EXPECT_FALSE(load(d, save(a), &error));
  EXPECT_NE(error.find("ram"), std::string::npos) << error;

  // Not a snapshot at all.
  std::vector<uint8_t> junk(100, 'x');
  EXPECT_FALSE(load(b, junk, &error));
  EXPECT_NE(error.find("not a mimic snapshot"), std::string::npos) << error;
}
