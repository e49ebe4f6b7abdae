// Split virtqueues against hand-built rings in a RAM buffer (chained and indirect descriptors,
// event idx, descriptors outside RAM refused), and the virtio-mmio transport driven through its
// registers as Linux drives it, with virtio-rng and virtio-blk behind it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "hw/block/block.h"
#include "hw/core/memory.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_rng.h"

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
  // Modern setup of queue 0 with the rings of the fixture.
  void setup_modern(uint64_t features) {
    ASSERT_EQ(rd(0x004), 2u);
    wr(0x070, 0);
    wr(0x070, 1 | 2);
    wr(0x014, 1);
    uint64_t offered = uint64_t(rd(0x010)) << 32;
    wr(0x014, 0);
    offered |= rd(0x010);
    ASSERT_TRUE(offered & virtio::kFVersion1);
    features &= offered;
    wr(0x024, 0);
    wr(0x020, uint32_t(features));
    wr(0x024, 1);
    wr(0x020, uint32_t(features >> 32));
    wr(0x070, 1 | 2 | 8);
    ASSERT_EQ(rd(0x070) & 8, 8u);
    wr(0x030, 0);
    ASSERT_GE(rd(0x034), 8u);
    wr(0x038, 8);
    wr(0x080, uint32_t(kDesc));
    wr(0x084, 0);
    wr(0x090, uint32_t(kAvail));
    wr(0x094, 0);
    wr(0x0a0, uint32_t(kUsed));
    wr(0x0a4, 0);
    wr(0x044, 1);
    wr(0x070, 1 | 2 | 8 | 4);
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
  ASSERT_EQ(rd(0x004), 1u);
  wr(0x070, 1 | 2);
  wr(0x020, 0);
  wr(0x028, 4096);  // GuestPageSize
  wr(0x030, 0);
  wr(0x038, 8);
  wr(0x03c, 4096);                              // QueueAlign
  wr(0x040, uint32_t((kRam + 0x20000) >> 12));  // QueuePFN
  wr(0x070, 1 | 2 | 4);
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
