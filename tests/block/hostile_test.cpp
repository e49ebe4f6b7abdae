// Damaged and hostile images: each is refused with one line naming the image, or opens and then
// reads (and takes a write) without touching memory it must not; and several threads on one
// image. Built with ASan and UBSan.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hw/block/block.h"
#include "hw/block/file.h"

using namespace mimic::hw::block;

namespace {

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mimic-block-hostile-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string path(const std::string& name) { return dir_ + "/" + name; }

  std::vector<uint8_t> slurp(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
  }
  void spit(const std::string& p, const std::vector<uint8_t>& d) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(d.data()), std::streamsize(d.size()));
  }
  // A good image of `format` with data, zeroes and (qcow2) a snapshot and compressed clusters.
  std::string make(const std::string& format, const std::string& extra = "") {
    std::string p = path("good." + format + extra);
    CreateOptions c;
    c.format = format;
    c.size = 4 << 20;
    c.cluster_size = format == "qcow2" ? 4096 : 0;
    if (extra == "stream") c.subformat = "streamOptimized";
    std::string error;
    EXPECT_EQ(create_image(p, c, error), 0) << error;
    OpenOptions o;
    auto img = open_image(p, o, error);
    EXPECT_TRUE(img) << error;
    std::vector<uint8_t> buf(65536);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i * 7 / 5);
    for (uint64_t off = 0; off < (4u << 20); off += 512 * 1024) {
      if (format == "vmdk" && extra == "stream")
        EXPECT_EQ(img->write_compressed(off, buf.data(), buf.size()), 0);
      else
        EXPECT_EQ(img->write(off, buf.data(), 3000), 0);
    }
    if (format == "qcow2") {
      EXPECT_EQ(img->write_compressed(1 << 20, buf.data(), 4096), 0);
      EXPECT_EQ(img->snapshot_create("s1", error), 0) << error;
      EXPECT_EQ(img->write(100, buf.data(), 9000), 0);
    }
    EXPECT_EQ(img->flush(), 0);
    return p;
  }
  // Opens a damaged copy; when it opens, reads all of it, writes a little and checks it.
  void exercise(const std::string& p, const std::string& format) {
    for (bool writable : {false, true}) {
      OpenOptions o;
      o.format = format;
      o.read_only = !writable;
      o.lock = false;
      std::string error;
      auto img = open_image(p, o, error);
      if (!img) {
        EXPECT_EQ(error.find(p), 0u) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
        continue;
      }
      uint64_t size = std::min<uint64_t>(img->size(), 64 << 20);
      std::vector<uint8_t> buf(1 << 16);
      for (uint64_t off = 0; off < size; off += buf.size())
        img->read(off, buf.data(), std::min<uint64_t>(buf.size(), size - off));
      if (writable && size >= 8192) {
        img->write(4096, buf.data(), 4096);
        img->discard(0, 8192);
        img->flush();
        CheckResult res;
        img->check(Repair::kNone, res);
      }
    }
  }
  void corrupt_many(const std::string& good, const std::string& format, uint64_t flip_range) {
    auto data = slurp(good);
    std::mt19937 rng(1234);
    std::string bad = path("bad");
    // Truncated at many points.
    for (uint64_t cut = 0; cut < data.size(); cut += std::max<uint64_t>(data.size() / 40, 1)) {
      spit(bad, std::vector<uint8_t>(data.begin(), data.begin() + long(cut)));
      exercise(bad, format);
    }
    // Flipped bits in the header and the tables.
    for (int n = 0; n < 150; ++n) {
      auto d = data;
      for (int k = 0; k < 1 + n % 3; ++k) {
        uint64_t at = rng() % std::min<uint64_t>(flip_range, d.size());
        d[at] ^= uint8_t(1u << (rng() % 8));
      }
      spit(bad, d);
      exercise(bad, format);
    }
  }
  std::string dir_;
};

TEST_F(Hostile, DamagedQcow2) { corrupt_many(make("qcow2"), "qcow2", 6 * 4096); }
TEST_F(Hostile, DamagedVdi) { corrupt_many(make("vdi"), "vdi", 1024); }
TEST_F(Hostile, DamagedVmdk) { corrupt_many(make("vmdk"), "vmdk", 64 * 1024); }
TEST_F(Hostile, DamagedStreamVmdk) { corrupt_many(make("vmdk", "stream"), "vmdk", 64 * 1024); }

// Field edits with the message a user gets.
struct Edit {
  uint32_t offset;
  uint64_t value;
  int width;
  const char* message;
};

TEST_F(Hostile, Qcow2HeaderFieldsAreNamed) {
  std::string good = make("qcow2");
  auto data = slurp(good);
  const Edit edits[] = {
      {0, 0x12345678, 4, "bad magic"},
      {4, 4, 4, "unsupported qcow2 version 4"},
      {20, 30, 4, "cluster size 2^30 is out of range"},
      {24, 1ull << 63, 8, "virtual size"},
      {36, 0, 4, "too small for the disk size"},
      {40, 1ull << 40, 8, "L1 table offset 0x10000000000 lies past the end of the file"},
      {40, 0, 8, "L1 table overlaps the header"},
      {48, 1ull << 40, 8, "refcount table offset 0x10000000000 lies past the end of the file"},
      {56, 1u << 30, 4, "refcount table of 1073741824 clusters is out of range"},
      {64, 1ull << 40, 8, "snapshot table offset"},
      {72, 1ull << 10, 8, "unsupported qcow2 feature(s): bit 10"},
      {72, 16, 8, "extended L2"},
      {32, 1, 4, "encrypted"},
  };
  for (const Edit& e : edits) {
    auto d = data;
    for (int i = 0; i < e.width; ++i) d[e.offset + i] = uint8_t(e.value >> (8 * (e.width - 1 - i)));
    std::string bad = path("edit.qcow2");
    spit(bad, d);
    OpenOptions o;
    o.format = "qcow2";  // probing would take a bad magic for a raw image, as qemu does
    std::string error;
    EXPECT_FALSE(open_image(bad, o, error)) << e.message;
    EXPECT_NE(error.find(e.message), std::string::npos) << error;
    EXPECT_EQ(error.rfind(bad, 0), 0u) << error;
  }
}

TEST_F(Hostile, BackingChainsCyclesAndProtocols) {
  std::string a = path("a.qcow2"), b = path("b.qcow2");
  CreateOptions c;
  c.format = "qcow2";
  c.size = 1 << 20;
  std::string error;
  ASSERT_EQ(create_image(b, c, error), 0);
  c.backing_file = "b.qcow2";
  ASSERT_EQ(create_image(a, c, error), 0) << error;
  OpenOptions o;
  {
    auto top = open_image(b, o, error);
    ASSERT_TRUE(top);
    ASSERT_EQ(top->set_backing_file("a.qcow2", "qcow2", error), 0) << error;
  }
  EXPECT_FALSE(open_image(a, o, error));
  EXPECT_NE(error.find("loops back"), std::string::npos) << error;
  {
    auto top = open_image(b, OpenOptions{.format = "qcow2", .open_backing = false}, error);
    ASSERT_TRUE(top) << error;
    ASSERT_EQ(top->set_backing_file("nbd://127.0.0.1/x", "raw", error), 0);
  }
  EXPECT_FALSE(open_image(b, o, error));
  EXPECT_NE(error.find("names a protocol"), std::string::npos) << error;
  {
    auto top = open_image(b, OpenOptions{.format = "qcow2", .open_backing = false}, error);
    ASSERT_EQ(top->set_backing_file("json:{\"file\":1}", "raw", error), 0);
  }
  EXPECT_FALSE(open_image(b, o, error));
  {
    auto top = open_image(b, OpenOptions{.format = "qcow2", .open_backing = false}, error);
    ASSERT_EQ(top->set_backing_file("../outside.qcow2", "raw", error), 0);
  }
  OpenOptions confined;
  confined.allow_backing_outside = false;
  EXPECT_FALSE(open_image(b, confined, error));
  EXPECT_NE(error.find("outside"), std::string::npos) << error;
  // A chain deeper than 32 images.
  c.backing_file = "";
  ASSERT_EQ(create_image(path("d0.qcow2"), c, error), 0);
  int i = 1;
  for (; i <= 40; ++i) {
    c.backing_file = "d" + std::to_string(i - 1) + ".qcow2";
    c.backing_format = "qcow2";
    if (create_image(path("d" + std::to_string(i) + ".qcow2"), c, error) < 0) break;
  }
  EXPECT_EQ(i, 33);  // creating opens the chain below: 32 images deep is the limit
  EXPECT_NE(error.find("deeper than 32"), std::string::npos) << error;
  EXPECT_FALSE(open_image(path("d32.qcow2"), o, error));
}

TEST_F(Hostile, SnapshotTablePastTheEnd) {
  std::string good = make("qcow2");
  auto d = slurp(good);
  // Keep the snapshot table offset, cut the file just after it.
  uint64_t snap = be64(&d[64]);
  d.resize(snap + 20);
  std::string bad = path("cut.qcow2");
  spit(bad, d);
  std::string error;
  EXPECT_FALSE(open_image(bad, OpenOptions{}, error));
  EXPECT_NE(error.find("snapshot"), std::string::npos) << error;
}

}  // namespace

namespace {

// Several I/O threads on one image (as virtio-blk's queues use it): each writes its own
// stripes, reads them back, flushes; the result is whole and checks clean.
TEST_F(Hostile, ThreadsShareOneImage) {
  for (const char* format : {"qcow2", "vdi", "vmdk"}) {
    std::string p = path(std::string("threads.") + format);
    CreateOptions c;
    c.format = format;
    c.size = 16 << 20;
    std::string error;
    ASSERT_EQ(create_image(p, c, error), 0) << error;
    auto img = open_image(p, OpenOptions{}, error);
    ASSERT_TRUE(img) << error;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::vector<uint8_t> buf(12288, uint8_t(t + 1)), got(buf.size());
        for (uint64_t off = uint64_t(t) * buf.size(); off + buf.size() <= img->size(); off += 4 * buf.size()) {
          if (img->write(off, buf.data(), buf.size()) < 0 || img->read(off, got.data(), got.size()) < 0 || got != buf)
            ++failures;
          if ((off / buf.size()) % 16 == 0 && img->flush() < 0) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0) << format;
    std::vector<uint8_t> got(12288);
    for (uint64_t off = 0; off + got.size() <= img->size(); off += got.size()) {
      ASSERT_EQ(img->read(off, got.data(), got.size()), 0);
      EXPECT_EQ(got, std::vector<uint8_t>(got.size(), uint8_t(off / got.size() % 4 + 1))) << format << " at " << off;
    }
    CheckResult res;
    EXPECT_EQ(img->check(Repair::kNone, res), 0);
    EXPECT_EQ(res.corruptions + res.leaks, 0u) << format;
  }
}

}  // namespace
