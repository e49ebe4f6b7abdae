// Split virtqueues against hand-built rings in a RAM buffer (chained and indirect descriptors,
// event idx, descriptors outside RAM refused), and the virtio-mmio transport driven through its
// registers as Linux drives it, with virtio-rng and virtio-blk behind it (every request type,
// two queues, a disk that waits while the vCPU goes on, a host disk that is full).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include "hw/block/block.h"
#include "hw/core/memory.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_rng.h"
#include "virtio_mmio_driver.h"

using namespace mimic::hw;
using namespace std::chrono_literals;

namespace {
constexpr uint64_t kRam = 0x80000000, kRamSize = 1 << 20;
constexpr uint64_t kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000, kData = kRam + 0x10000;
constexpr uint64_t kMmio = 0x10000000;

struct NullMmio : MmioOps {
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, uint64_t, unsigned) override {}
};

struct Rings : ::testing::Test {
  AddressSpace as;
  NullMmio mmio;
  GuestRam ram{as};
  uint8_t* host = nullptr;
  Virtqueue vq{ram, 16};
  std::vector<std::pair<uint64_t, uint64_t>> ram_writes;

  void SetUp() override {
    host = as.add_ram("ram", kRam, kRamSize);
    as.add_mmio("dev", kMmio, 0x1000, &mmio);
    as.set_ram_write_hook([this](uint64_t p, uint64_t l) { ram_writes.push_back({p, l}); });
    VirtqueueState& s = vq.state();
    s.num = 16;
    s.desc = kDesc;
    s.avail = kAvail;
    s.used = kUsed;
    s.ready = true;
  }
  uint8_t* at(uint64_t phys) { return host + (phys - kRam); }
  template <typename T>
  T get(uint64_t phys) {
    T v;
    memcpy(&v, at(phys), sizeof v);
    return v;
  }
  template <typename T>
  void set(uint64_t phys, T v) {
    memcpy(at(phys), &v, sizeof v);
  }
  void desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next) {
    set<uint64_t>(table + 16 * i, addr);
    set<uint32_t>(table + 16 * i + 8, len);
    set<uint16_t>(table + 16 * i + 12, flags);
    set<uint16_t>(table + 16 * i + 14, next);
  }
  // Makes descriptor `head` available as the ring's next entry.
  void offer(uint16_t head) {
    uint16_t idx = get<uint16_t>(kAvail + 2);
    set<uint16_t>(kAvail + 4 + 2 * (idx % 16), head);
    set<uint16_t>(kAvail + 2, uint16_t(idx + 1));
  }
};

TEST_F(Rings, ChainedDescriptorsReadableThenWritable) {
  ASSERT_TRUE(vq.validate_rings());
  desc(kDesc, 0, kData, 4, Virtqueue::kDescNext, 5);
  desc(kDesc, 5, kData + 0x100, 6, Virtqueue::kDescNext, 2);
  desc(kDesc, 2, kData + 0x200, 8, Virtqueue::kDescWrite, 0);
  memcpy(at(kData), "abcd", 4);
  memcpy(at(kData + 0x100), "efghij", 6);
  offer(0);
  EXPECT_TRUE(vq.has_available());
  auto c = vq.pop();
  ASSERT_TRUE(c) << vq.error();
  EXPECT_EQ(c->head, 0);
  ASSERT_EQ(c->buffers.size(), 3u);
  EXPECT_EQ(c->readable_bytes(), 10u);
  EXPECT_EQ(c->writable_bytes(), 8u);
  char buf[11] = {};
  ASSERT_TRUE(vq.read_chain(*c, 0, buf, 10));  // across the two readable buffers
  EXPECT_STREQ(buf, "abcdefghij");
  EXPECT_FALSE(vq.read_chain(*c, 5, buf, 6));  // past the readable part
  ASSERT_TRUE(vq.write_chain(*c, 2, "XYZ", 3));
  EXPECT_EQ(memcmp(at(kData + 0x202), "XYZ", 3), 0);
  EXPECT_FALSE(vq.write_chain(*c, 6, "XYZ", 3));
  ram_writes.clear();
  vq.push(c->head, 5);
  EXPECT_EQ(get<uint16_t>(kUsed + 2), 1);
  EXPECT_EQ(get<uint32_t>(kUsed + 4), 0u);  // id
  EXPECT_EQ(get<uint32_t>(kUsed + 8), 5u);  // len
  // Device writes reach RAM through the address space (its hook drops translated code there).
  ASSERT_FALSE(ram_writes.empty());
  EXPECT_EQ(ram_writes[0].first, kUsed + 4);
  EXPECT_FALSE(vq.pop());
  EXPECT_FALSE(vq.state().broken);
}

TEST_F(Rings, IndirectTable) {
  constexpr uint64_t kTable = kRam + 0x5000;
  desc(kTable, 0, kData, 3, Virtqueue::kDescNext, 1);
  desc(kTable, 1, kData + 0x40, 16, Virtqueue::kDescWrite, 0);
  desc(kDesc, 3, kTable, 32, Virtqueue::kDescIndirect, 0);
  offer(3);
  auto c = vq.pop();
  ASSERT_TRUE(c) << vq.error();
  EXPECT_EQ(c->head, 3);
  ASSERT_EQ(c->buffers.size(), 2u);
  EXPECT_EQ(c->buffers[0].addr, kData);
  EXPECT_FALSE(c->buffers[0].device_writes);
  EXPECT_EQ(c->buffers[1].addr, kData + 0x40);
  EXPECT_TRUE(c->buffers[1].device_writes);
}

TEST_F(Rings, NestedIndirectIsRefused) {
  constexpr uint64_t kTable = kRam + 0x5000;
  desc(kTable, 0, kTable, 16, Virtqueue::kDescIndirect, 0);
  desc(kDesc, 0, kTable, 16, Virtqueue::kDescIndirect, 0);
  offer(0);
  EXPECT_FALSE(vq.pop());
  EXPECT_TRUE(vq.state().broken);
}

TEST_F(Rings, DescriptorOutsideRamIsRefused) {
  // Past the end of RAM, on an MMIO region, and wrapping around the address space.
  for (uint64_t addr : {kRam + kRamSize - 4, kMmio, ~uint64_t(0) - 2}) {
    vq.reset();
    SetUp();
    desc(kDesc, 0, addr, 8, 0, 0);
    offer(0);
    EXPECT_FALSE(vq.pop()) << std::hex << addr;
    EXPECT_TRUE(vq.state().broken);
    EXPECT_NE(vq.error().find("not in RAM"), std::string::npos) << vq.error();
    EXPECT_FALSE(vq.pop());  // broken stays broken until reset
  }
}

TEST_F(Rings, RingsOutsideRamAndLoopsAreRefused) {
  vq.state().used = kRam + kRamSize - 8;
  EXPECT_FALSE(vq.validate_rings());
  vq.reset();
  SetUp();
  desc(kDesc, 0, kData, 4, Virtqueue::kDescNext, 1);
  desc(kDesc, 1, kData, 4, Virtqueue::kDescNext, 0);  // 0 -> 1 -> 0 ...
  offer(0);
  EXPECT_FALSE(vq.pop());
  EXPECT_NE(vq.error().find("loops"), std::string::npos) << vq.error();
  vq.reset();
  SetUp();
  desc(kDesc, 0, kData, 4, Virtqueue::kDescNext, 16);  // next beyond the table
  offer(0);
  EXPECT_FALSE(vq.pop());
  EXPECT_TRUE(vq.state().broken);
  vq.reset();
  SetUp();
  set<uint16_t>(kAvail + 2, 40);  // more entries than the ring holds
  EXPECT_FALSE(vq.pop());
  EXPECT_TRUE(vq.state().broken);
}

TEST_F(Rings, NoInterruptFlagWithoutEventIdx) {
  desc(kDesc, 0, kData, 4, Virtqueue::kDescWrite, 0);
  offer(0);
  auto c = vq.pop();
  vq.push(c->head, 4);
  EXPECT_TRUE(vq.should_interrupt());
  set<uint16_t>(kAvail, Virtqueue::kAvailNoInterrupt);
  offer(0);
  c = vq.pop();
  vq.push(c->head, 4);
  EXPECT_FALSE(vq.should_interrupt());
}

TEST_F(Rings, EventIdx) {
  vq.set_event_idx(true);
  desc(kDesc, 0, kData, 4, Virtqueue::kDescWrite, 0);
  for (int i = 0; i < 4; i++) offer(0);
  // The driver wants an interrupt once the used index passes 2 (used_event = 2).
  set<uint16_t>(kAvail + 4 + 2 * 16, 2);
  auto c = vq.pop();
  // The device publishes avail_event: the next entry it will take.
  EXPECT_EQ(get<uint16_t>(kUsed + 4 + 8 * 16), 1);
  vq.push(c->head, 1);
  EXPECT_TRUE(vq.should_interrupt());  // the first decision always interrupts
  c = vq.pop();
  vq.push(c->head, 1);  // used idx 2: not past used_event yet
  EXPECT_FALSE(vq.should_interrupt());
  c = vq.pop();
  vq.push(c->head, 1);  // used idx 3: crossed 2
  EXPECT_TRUE(vq.should_interrupt());
  c = vq.pop();
  vq.push(c->head, 1);  // 4: used_event still 2, already signalled
  EXPECT_FALSE(vq.should_interrupt());
  EXPECT_EQ(get<uint16_t>(kUsed + 4 + 8 * 16), 4);
}

// ---- the transport, as Linux's virtio_mmio driver programs it ----

struct Level {
  std::mutex m;
  std::condition_variable cv;
  bool level = false;
  void set(bool l) {
    std::lock_guard g(m);
    level = l;
    cv.notify_all();
  }
  bool wait_high() {
    std::unique_lock g(m);
    return cv.wait_for(g, 5s, [&] { return level; });
  }
};

struct Transport : Rings {
  std::unique_ptr<VirtioMmio> dev;
  Level irq;
  void plug(std::unique_ptr<VirtioDevice> d, bool legacy) {
    dev = std::make_unique<VirtioMmio>("virtio-mmio", as, std::move(d), legacy, nullptr);
    as.add_mmio("virtio-mmio", kMmio + 0x1000, VirtioMmio::kSize, dev.get(), 0, 1, 4);
    dev->irq().connect([this](bool l) { irq.set(l); });
  }
  void TearDown() override {
    if (dev) dev->stop();
  }
  uint32_t rd(uint64_t off) {
    uint64_t v = 0;
    EXPECT_TRUE(as.io_read(kMmio + 0x1000 + off, 4, &v));
    return uint32_t(v);
  }
  void wr(uint64_t off, uint32_t v) { EXPECT_TRUE(as.io_write(kMmio + 0x1000 + off, 4, v)); }
  mimic::test::VirtioMmioRegs regs() {
    return {[this](uint64_t off) { return rd(off); }, [this](uint64_t off, uint32_t v) { wr(off, v); }};
  }
  // Modern setup of queue 0 with the rings of the fixture.
  void setup_modern(uint64_t features) {
    ASSERT_EQ(mimic::test::setup_queue0_modern(regs(), features, kDesc, kAvail, kUsed, 8), "");
  }
  void offer8(uint16_t head) {
    uint16_t idx = get<uint16_t>(kAvail + 2);
    set<uint16_t>(kAvail + 4 + 2 * (idx % 8), head);
    set<uint16_t>(kAvail + 2, uint16_t(idx + 1));
  }
};

TEST_F(Transport, RngFillsTheBufferAndInterrupts) {
  plug(std::make_unique<VirtioRng>(), false);
  EXPECT_EQ(rd(0x000), VirtioMmio::kMagic);
  EXPECT_EQ(rd(0x008), virtio::kIdRng);
  setup_modern(virtio::kFVersion1);
  desc(kDesc, 0, kData, 64, Virtqueue::kDescWrite, 0);
  offer8(0);
  wr(0x050, 0);  // QueueNotify
  ASSERT_TRUE(irq.wait_high());
  EXPECT_EQ(rd(0x060), VirtioMmio::kInterruptVring);
  EXPECT_EQ(get<uint16_t>(kUsed + 2), 1);
  EXPECT_EQ(get<uint32_t>(kUsed + 8), 64u);
  uint8_t zero[64] = {};
  EXPECT_NE(memcmp(at(kData), zero, 64), 0);
  wr(0x064, VirtioMmio::kInterruptVring);  // InterruptACK
  EXPECT_EQ(rd(0x060), 0u);
  EXPECT_FALSE(irq.level);
  wr(0x070, 0);  // reset
  EXPECT_EQ(rd(0x070), 0u);
  EXPECT_EQ(rd(0x044), 0u);
}

TEST_F(Transport, BadDescriptorSetsNeedsReset) {
  plug(std::make_unique<VirtioRng>(), false);
  setup_modern(virtio::kFVersion1);
  desc(kDesc, 0, kMmio, 64, Virtqueue::kDescWrite, 0);  // DMA at a device's registers
  offer8(0);
  wr(0x050, 0);
  ASSERT_TRUE(irq.wait_high());
  EXPECT_EQ(rd(0x060), VirtioMmio::kInterruptConfig);
  EXPECT_EQ(rd(0x070) & virtio::kStatusNeedsReset, virtio::kStatusNeedsReset);
  EXPECT_EQ(get<uint16_t>(kUsed + 2), 0);  // nothing returned
  wr(0x070, 0);
  EXPECT_EQ(rd(0x070), 0u);
}

TEST_F(Transport, FeaturesNotOfferedAreRefused) {
  plug(std::make_unique<VirtioRng>(), false);
  wr(0x070, 1 | 2);
  wr(0x024, 1);
  wr(0x020, 1 | (1u << 30));  // VERSION_1 and an unknown high bit
  wr(0x070, 1 | 2 | 8);
  EXPECT_EQ(rd(0x070) & 8, 0u);
}

TEST_F(Transport, LegacyLayoutFromPfn) {
  plug(std::make_unique<VirtioRng>(), true);
  ASSERT_EQ(mimic::test::setup_queue0_legacy(regs(), kRam + 0x20000, 8), "");
  // Legacy rings: descriptors at the PFN, available after them, used at the next 4 KiB.
  constexpr uint64_t d = kRam + 0x20000, av = d + 16 * 8, used = d + 0x1000;
  desc(d, 0, kData, 32, Virtqueue::kDescWrite, 0);
  set<uint16_t>(av + 4, 0);
  set<uint16_t>(av + 2, 1);
  wr(0x050, 0);
  ASSERT_TRUE(irq.wait_high());
  EXPECT_EQ(get<uint16_t>(used + 2), 1);
  EXPECT_EQ(get<uint32_t>(used + 8), 32u);
  EXPECT_EQ(rd(0x040), uint32_t((kRam + 0x20000) >> 12));
}

TEST_F(Transport, BlkWritesReadsAndFlushes) {
  char path[] = "/tmp/mimic-virtio-blk-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 1 << 20), 0);
  close(fd);
  std::string error;
  auto image = block::open_image(path, {}, error);
  ASSERT_TRUE(image) << error;
  VirtioBlkConfig cfg;
  cfg.serial = "mimic-disk";
  plug(std::make_unique<VirtioBlk>(std::move(image), cfg), false);
  EXPECT_EQ(rd(0x100), uint32_t((1 << 20) / 512));  // capacity, low word
  setup_modern(virtio::kFVersion1 | virtio::kFRingIndirectDesc);
  auto request = [&](uint32_t type, uint64_t sector, uint64_t data, uint32_t len, bool device_writes) {
    constexpr uint64_t hdr = kData, status = kData + 0x20;
    set<uint32_t>(hdr, type);
    set<uint32_t>(hdr + 4, 0);
    set<uint64_t>(hdr + 8, sector);
    set<uint8_t>(status, 0xff);
    desc(kDesc, 0, hdr, 16, Virtqueue::kDescNext, 1);
    if (len) {
      desc(kDesc, 1, data, len, Virtqueue::kDescNext | (device_writes ? Virtqueue::kDescWrite : 0), 2);
      desc(kDesc, 2, status, 1, Virtqueue::kDescWrite, 0);
    } else {
      desc(kDesc, 1, status, 1, Virtqueue::kDescWrite, 0);
    }
    uint16_t used = get<uint16_t>(kUsed + 2);
    offer8(0);
    wr(0x050, 0);
    for (int i = 0; i < 500 && get<uint16_t>(kUsed + 2) == used; i++) std::this_thread::sleep_for(10ms);
    wr(0x064, rd(0x060));
    return get<uint8_t>(status);
  };
  memset(at(kData + 0x1000), 0x5a, 1024);
  EXPECT_EQ(request(VirtioBlk::kOut, 10, kData + 0x1000, 1024, false), VirtioBlk::kStatusOk);
  EXPECT_EQ(request(VirtioBlk::kFlush, 0, 0, 0, false), VirtioBlk::kStatusOk);
  EXPECT_EQ(request(VirtioBlk::kIn, 10, kData + 0x4000, 1024, true), VirtioBlk::kStatusOk);
  EXPECT_EQ(memcmp(at(kData + 0x4000), at(kData + 0x1000), 1024), 0);
  EXPECT_EQ(get<uint32_t>(kUsed + 4 + 8 * 2 + 4), 1025u);  // data + status written
  EXPECT_EQ(request(VirtioBlk::kGetId, 0, kData + 0x5000, 20, true), VirtioBlk::kStatusOk);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(at(kData + 0x5000))), "mimic-disk");
  // Past the end of the disk, and an unknown request type.
  EXPECT_EQ(request(VirtioBlk::kIn, 2047, kData + 0x4000, 1024, true), VirtioBlk::kStatusIoErr);
  EXPECT_EQ(request(99, 0, 0, 0, false), VirtioBlk::kStatusUnsupported);
  // The bytes are in the file.
  fd = open(path, O_RDONLY);
  uint8_t b[1024];
  ASSERT_EQ(pread(fd, b, sizeof b, 10 * 512), 1024);
  EXPECT_EQ(b[0], 0x5a);
  EXPECT_EQ(b[1023], 0x5a);
  close(fd);
  unlink(path);
}
}  // namespace

// ---- virtio-blk's other requests, its queues and its I/O thread ----

namespace {
// A disk in memory whose reads can be held at a gate (a disk that waits) and whose writes can
// fail with an errno (a full host disk).
class GatedDisk final : public block::BlockImage {
 public:
  explicit GatedDisk(size_t size) : data_(size, 0) {}
  uint64_t size() const override { return data_.size(); }
  bool read_only() const override { return false; }
  const char* format_name() const override { return "gated"; }
  int read(uint64_t offset, void* buf, size_t len) override {
    std::unique_lock g(m_);
    reading_ = true;
    cv_.notify_all();
    cv_.wait(g, [&] { return !closed_; });
    std::memcpy(buf, data_.data() + offset, len);
    return 0;
  }
  int write(uint64_t offset, const void* buf, size_t len) override {
    std::lock_guard g(m_);
    if (write_error_) return write_error_;
    std::memcpy(data_.data() + offset, buf, len);
    return 0;
  }
  int flush() override { return 0; }
  void close_gate() {
    std::lock_guard g(m_);
    closed_ = true;
  }
  void open_gate() {
    std::lock_guard g(m_);
    closed_ = false;
    cv_.notify_all();
  }
  bool wait_reading() {
    std::unique_lock g(m_);
    return cv_.wait_for(g, 5s, [&] { return reading_; });
  }
  void fail_writes(int error) {
    std::lock_guard g(m_);
    write_error_ = error;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<uint8_t> data_;
  bool closed_ = false, reading_ = false;
  int write_error_ = 0;
};

constexpr uint64_t kFBlkMq = uint64_t(1) << 12, kFBlkDiscard = uint64_t(1) << 13, kFBlkWriteZeroes = uint64_t(1) << 14;

struct BlkTransport : Transport {
  // Queue q's rings: queue 0 at the fixture's addresses, queue 1 beyond them.
  static uint64_t desc_of(unsigned q) { return q ? kRam + 0x6000 : kDesc; }
  static uint64_t avail_of(unsigned q) { return q ? kRam + 0x7000 : kAvail; }
  static uint64_t used_of(unsigned q) { return q ? kRam + 0x8000 : kUsed; }

  // Modern setup with `queues` queues of 8 (as Linux's virtio_mmio driver does it).
  void setup(uint64_t features, unsigned queues) {
    ASSERT_EQ(rd(0x004), 2u);
    wr(0x070, 0);
    wr(0x070, 1 | 2);
    wr(0x014, 1);
    uint64_t offered = uint64_t(rd(0x010)) << 32;
    wr(0x014, 0);
    offered |= rd(0x010);
    ASSERT_EQ(offered & features, features);
    wr(0x024, 0);
    wr(0x020, uint32_t(features));
    wr(0x024, 1);
    wr(0x020, uint32_t(features >> 32));
    wr(0x070, 1 | 2 | 8);
    ASSERT_EQ(rd(0x070) & 8, 8u);
    for (unsigned q = 0; q < queues; q++) {
      wr(0x030, q);
      ASSERT_GE(rd(0x034), 8u);
      wr(0x038, 8);
      wr(0x080, uint32_t(desc_of(q)));
      wr(0x084, 0);
      wr(0x090, uint32_t(avail_of(q)));
      wr(0x094, 0);
      wr(0x0a0, uint32_t(used_of(q)));
      wr(0x0a4, 0);
      wr(0x044, 1);
    }
    wr(0x070, 1 | 2 | 8 | 4);
  }
  // Puts a request on queue q (header, optional data, status) and rings the doorbell; returns
  // the status byte's address.
  uint64_t submit(unsigned q, uint32_t type, uint64_t sector, uint64_t data, uint32_t len, bool device_writes) {
    const uint64_t hdr = kData + q * 0x100, status = hdr + 0x20, d = desc_of(q);
    set<uint32_t>(hdr, type);
    set<uint32_t>(hdr + 4, 0);
    set<uint64_t>(hdr + 8, sector);
    set<uint8_t>(status, 0xff);
    desc(d, 0, hdr, 16, Virtqueue::kDescNext, 1);
    if (len) {
      desc(d, 1, data, len, Virtqueue::kDescNext | (device_writes ? Virtqueue::kDescWrite : 0), 2);
      desc(d, 2, status, 1, Virtqueue::kDescWrite, 0);
    } else {
      desc(d, 1, status, 1, Virtqueue::kDescWrite, 0);
    }
    const uint64_t avail = avail_of(q);
    uint16_t idx = get<uint16_t>(avail + 2);
    set<uint16_t>(avail + 4 + 2 * (idx % 8), 0);
    set<uint16_t>(avail + 2, uint16_t(idx + 1));
    wr(0x050, q);
    return status;
  }
  uint8_t request(unsigned q, uint32_t type, uint64_t sector, uint64_t data, uint32_t len, bool device_writes) {
    uint16_t used = get<uint16_t>(used_of(q) + 2);
    uint64_t status = submit(q, type, sector, data, len, device_writes);
    for (int i = 0; i < 500 && get<uint16_t>(used_of(q) + 2) == used; i++) std::this_thread::sleep_for(10ms);
    wr(0x064, rd(0x060));
    return get<uint8_t>(status);
  }
  // A discard / write-zeroes request: one 16-byte segment {sector, count, flags}.
  uint8_t range_request(uint32_t type, uint64_t sector, uint32_t count, uint32_t flags) {
    const uint64_t seg = kData + 0x800;
    set<uint64_t>(seg, sector);
    set<uint32_t>(seg + 8, count);
    set<uint32_t>(seg + 12, flags);
    return request(0, type, 0, seg, 16, false);
  }
};

std::string temp_raw(size_t size, uint8_t fill) {
  char path[] = "/tmp/mimic-virtio-blk-XXXXXX";
  int fd = mkstemp(path);
  std::vector<uint8_t> b(size, fill);
  EXPECT_EQ(write(fd, b.data(), b.size()), ssize_t(size));
  close(fd);
  return path;
}
}  // namespace

// discard=unmap: DISCARD punches a hole in a raw file (SEEK_HOLE finds it, it reads zero);
// WRITE_ZEROES zeroes exactly its range; a DISCARD with flags is UNSUPP (5.2.6.2).
TEST_F(BlkTransport, DiscardPunchesHolesAndWriteZeroesZeroes) {
  const std::string path = temp_raw(1 << 20, 0x5a);
  std::string error;
  auto image = block::open_image(path, {}, error);
  ASSERT_TRUE(image) << error;
  VirtioBlkConfig cfg;
  cfg.discard_unmap = true;
  plug(std::make_unique<VirtioBlk>(std::move(image), cfg), false);
  setup(virtio::kFVersion1 | kFBlkDiscard | kFBlkWriteZeroes, 1);
  EXPECT_EQ(range_request(VirtioBlk::kDiscard, 256, 256, 0), VirtioBlk::kStatusOk);     // [128 KiB, 256 KiB)
  EXPECT_EQ(range_request(VirtioBlk::kWriteZeroes, 1024, 8, 0), VirtioBlk::kStatusOk);  // [512 KiB, +4 KiB)
  EXPECT_EQ(range_request(VirtioBlk::kDiscard, 0, 8, 1), VirtioBlk::kStatusUnsupported);
  EXPECT_EQ(range_request(VirtioBlk::kWriteZeroes, 2040, 16, 0), VirtioBlk::kStatusIoErr);  // past the end
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(lseek(fd, 0, SEEK_HOLE), 128 << 10) << "the discarded range is a hole in the file";
  std::vector<uint8_t> b(1 << 20);
  ASSERT_EQ(pread(fd, b.data(), b.size(), 0), ssize_t(b.size()));
  close(fd);
  unlink(path.c_str());
  auto all = [&](size_t from, size_t to, uint8_t v) {
    return std::all_of(b.begin() + long(from), b.begin() + long(to), [v](uint8_t x) { return x == v; });
  };
  EXPECT_TRUE(all(0, 128 << 10, 0x5a));
  EXPECT_TRUE(all(128 << 10, 256 << 10, 0));
  EXPECT_TRUE(all(256 << 10, 512 << 10, 0x5a));
  EXPECT_TRUE(all(512 << 10, (512 << 10) + 4096, 0));
  EXPECT_TRUE(all((512 << 10) + 4096, 1 << 20, 0x5a));
}

// discard=ignore (QEMU's default): DISCARD completes and the image keeps its data.
TEST_F(BlkTransport, DiscardIgnoredByDefault) {
  const std::string path = temp_raw(1 << 20, 0x5a);
  std::string error;
  auto image = block::open_image(path, {}, error);
  ASSERT_TRUE(image) << error;
  plug(std::make_unique<VirtioBlk>(std::move(image), VirtioBlkConfig{}), false);
  setup(virtio::kFVersion1 | kFBlkDiscard, 1);
  EXPECT_EQ(range_request(VirtioBlk::kDiscard, 0, 2048, 0), VirtioBlk::kStatusOk);
  int fd = open(path.c_str(), O_RDONLY);
  uint8_t b = 0;
  EXPECT_EQ(pread(fd, &b, 1, 4096), 1);
  EXPECT_EQ(b, 0x5a);
  close(fd);
  unlink(path.c_str());
}

// num-queues=2: MQ offered, num_queues in the config space, and a request on queue 1 is served
// and interrupts as one on queue 0.
TEST_F(BlkTransport, SecondQueueServesRequests) {
  auto disk = std::make_unique<GatedDisk>(1 << 20);
  VirtioBlkConfig cfg;
  cfg.num_queues = 2;
  plug(std::make_unique<VirtioBlk>(std::move(disk), cfg), false);
  EXPECT_EQ(rd(0x100 + 32) >> 16, 2u);  // num_queues (le16 at offset 34)
  setup(virtio::kFVersion1 | kFBlkMq, 2);
  memset(at(kData + 0x1000), 0x33, 512);
  EXPECT_EQ(request(1, VirtioBlk::kOut, 4, kData + 0x1000, 512, false), VirtioBlk::kStatusOk);
  EXPECT_EQ(get<uint16_t>(used_of(1) + 2), 1);
  EXPECT_EQ(get<uint16_t>(used_of(0) + 2), 0);
  EXPECT_EQ(request(0, VirtioBlk::kIn, 4, kData + 0x2000, 512, true), VirtioBlk::kStatusOk);
  EXPECT_EQ(get<uint8_t>(kData + 0x2000), 0x33);
}

// Device work is off the vCPU thread: the QueueNotify write returns while the disk still holds
// the read, the guest's memory is untouched until the disk answers, then the request completes.
TEST_F(BlkTransport, NotifyReturnsWhileTheDiskWaits) {
  auto owned = std::make_unique<GatedDisk>(1 << 20);
  GatedDisk* disk = owned.get();
  plug(std::make_unique<VirtioBlk>(std::move(owned), VirtioBlkConfig{}), false);
  setup(virtio::kFVersion1, 1);
  disk->close_gate();
  auto notify = std::async(std::launch::async, [&] { return submit(0, VirtioBlk::kIn, 0, kData + 0x3000, 512, true); });
  const bool returned = notify.wait_for(5s) == std::future_status::ready;
  EXPECT_TRUE(disk->wait_reading()) << "the I/O thread never reached the disk";
  EXPECT_TRUE(returned) << "QueueNotify waited for the disk (device work on the vCPU thread)";
  EXPECT_EQ(get<uint16_t>(kUsed + 2), 0) << "completed although the disk has not answered";
  disk->open_gate();
  uint64_t status = notify.get();
  ASSERT_TRUE(irq.wait_high());
  EXPECT_EQ(get<uint16_t>(kUsed + 2), 1);
  EXPECT_EQ(get<uint8_t>(status), VirtioBlk::kStatusOk);
}

// A write the host cannot store (ENOSPC) is an I/O error for the guest, and the device goes on
// serving once there is room again.
TEST_F(BlkTransport, HostDiskFullIsAGuestIoError) {
  auto owned = std::make_unique<GatedDisk>(1 << 20);
  GatedDisk* disk = owned.get();
  plug(std::make_unique<VirtioBlk>(std::move(owned), VirtioBlkConfig{}), false);
  setup(virtio::kFVersion1, 1);
  disk->fail_writes(-ENOSPC);
  EXPECT_EQ(request(0, VirtioBlk::kOut, 0, kData + 0x1000, 512, false), VirtioBlk::kStatusIoErr);
  EXPECT_EQ(rd(0x070) & virtio::kStatusNeedsReset, 0u);
  disk->fail_writes(0);
  EXPECT_EQ(request(0, VirtioBlk::kOut, 0, kData + 0x1000, 512, false), VirtioBlk::kStatusOk);
}
