// The virt board's devices driven through their registers, as a guest would: ns16550a, PLIC,
// ACLINT, Goldfish RTC, SiFive test finisher, empty virtio-mmio slots. Reset values are checked
// against qemu-system-riscv64's virt machine where it is installed.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <sstream>
#include <thread>

#include "hw/char/ns16550a.h"
#include "hw/core/memory.h"
#include "hw/intc/aclint.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "hw/rtc/goldfish_rtc.h"
#include "hw/virtio/virtio_mmio.h"
#include "qemu_oracle.h"
#include "tcg/exec/log.h"

using namespace mimic::hw;
using namespace std::chrono_literals;
using mimic::hw::test::have_qemu_system;

namespace {
struct FakeConsole : CharBackend {
  std::string out;
  std::function<void(uint8_t)> rx;
  std::function<bool()> can_rx;
  void write(const uint8_t* d, size_t n) override { out.append(reinterpret_cast<const char*>(d), n); }
  void set_receiver(std::function<void(uint8_t)> r, std::function<bool()> c) override {
    rx = std::move(r);
    can_rx = std::move(c);
  }
};

// A level observed on an IrqLine, waitable from the test thread.
struct Level {
  std::mutex m;
  std::condition_variable cv;
  bool level = false;
  int edges = 0;
  void attach(IrqLine& line) {
    line.connect([this](bool l) {
      std::lock_guard g(m);
      if (l != level) edges++;
      level = l;
      cv.notify_all();
    });
  }
  bool get() {
    std::lock_guard g(m);
    return level;
  }
  bool wait(bool want, std::chrono::milliseconds limit = 2000ms) {
    std::unique_lock g(m);
    return cv.wait_for(g, limit, [&] { return level == want; });
  }
};

// A machine core for one device: the address space, clock and timers, and the device mapped
// at its virt address.
struct Bench {
  AddressSpace as;
  VirtualClock clock;
  TimerQueue timers{clock, as.device_lock()};
  uint64_t rd(uint64_t a, unsigned size) {
    uint64_t v = ~uint64_t(0);
    EXPECT_TRUE(as.io_read(a, size, &v)) << std::hex << a;
    return v;
  }
  void wr(uint64_t a, unsigned size, uint64_t v) { EXPECT_TRUE(as.io_write(a, size, v)) << std::hex << a; }
};

constexpr uint64_t kUart = 0x10000000;
}  // namespace

// ---------------------------------------------------------------- ns16550a

struct UartTest : testing::Test {
  Bench b;
  FakeConsole con;
  Ns16550a uart{"serial", con, b.timers, nullptr};
  Level irq;
  void SetUp() override {
    irq.attach(uart.irq());
    b.as.add_mmio("serial", kUart, Ns16550a::kSize, &uart);
  }
  uint8_t reg(unsigned r) { return uint8_t(b.rd(kUart + r, 1)); }
  void set(unsigned r, uint8_t v) { b.wr(kUart + r, 1, v); }
  void rx(const std::string& s) {
    std::lock_guard g(b.as.device_lock());
    for (char c : s) con.rx(uint8_t(c));
  }
};

TEST_F(UartTest, ResetValuesMatchQemu) {
  // RBR IER IIR LCR MCR LSR MSR SCR after reset (QEMU serial_reset).
  std::vector<uint8_t> mine;
  for (unsigned r = 0; r < 8; r++) mine.push_back(reg(r));
  EXPECT_EQ(mine, (std::vector<uint8_t>{0x00, 0x00, 0x01, 0x00, 0x08, 0x60, 0xb0, 0x00}));
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed: no oracle check";
  std::vector<test::XpRead> reads;
  for (unsigned r = 0; r < 8; r++) reads.push_back({kUart + r, 1});
  auto q = test::qemu_xp(reads);
  ASSERT_EQ(q.size(), 8u);
  for (unsigned r = 0; r < 8; r++) EXPECT_EQ(q[r].value_or(0x1ff), mine[r]) << "register " << r;
  // Past the eight registers the slot is unassigned in QEMU: so it is here.
  auto past = test::qemu_xp({{kUart + 8, 1}});
  ASSERT_EQ(past.size(), 1u);
  EXPECT_FALSE(past[0].has_value());
  uint64_t v;
  EXPECT_FALSE(b.as.io_read(kUart + 8, 1, &v));
}

TEST_F(UartTest, TransmitReachesTheConsoleAndRaisesThri) {
  set(0, 'h');
  set(0, 'i');
  EXPECT_EQ(con.out, "hi");
  EXPECT_EQ(reg(5) & 0x60, 0x60);  // THR empty again at once
  EXPECT_FALSE(irq.get());
  set(1, 0x02);  // IER.THRI with THR empty: interrupt at once
  EXPECT_TRUE(irq.get());
  EXPECT_EQ(reg(2), 0x02);  // IIR: THR empty; reading it clears the condition
  EXPECT_FALSE(irq.get());
  EXPECT_EQ(reg(2), 0x01);
  set(0, '!');  // the next byte sent makes THR empty again
  EXPECT_TRUE(irq.get());
  EXPECT_EQ(con.out, "hi!");
}

TEST_F(UartTest, DivisorLatchesUnderDlab) {
  set(1, 0x05);
  set(3, 0x83);             // DLAB, 8N1
  EXPECT_EQ(reg(0), 0x0c);  // QEMU's reset divisor
  EXPECT_EQ(reg(1), 0x00);
  set(0, 0x01);
  set(1, 0x02);
  EXPECT_EQ(reg(0), 0x01);
  EXPECT_EQ(reg(1), 0x02);
  EXPECT_EQ(con.out, "");  // not transmitted
  set(3, 0x03);
  EXPECT_EQ(reg(1), 0x05);  // IER back
  EXPECT_EQ(reg(3), 0x03);
}

TEST_F(UartTest, ReceiveWithoutFifoAndOverrun) {
  set(1, 0x01 | 0x04);  // RDI and RLSI
  EXPECT_TRUE(con.can_rx());
  rx("a");
  EXPECT_FALSE(con.can_rx());
  EXPECT_TRUE(irq.get());
  EXPECT_EQ(reg(2), 0x04);
  EXPECT_EQ(reg(5) & 0x01, 0x01);
  rx("b");  // overruns the holding register: OE, and the line status interrupt comes first
  EXPECT_EQ(reg(2), 0x06);
  EXPECT_EQ(reg(5) & 0x03, 0x03);  // DR|OE; the read clears OE
  EXPECT_EQ(reg(5) & 0x02, 0x00);
  EXPECT_EQ(reg(2), 0x04);
  EXPECT_EQ(reg(0), 'b');
  EXPECT_FALSE(irq.get());
  EXPECT_EQ(reg(5) & 0x01, 0);
}

TEST_F(UartTest, FifoTriggerLevelAndTimeout) {
  set(2, 0x41);  // FIFO on, trigger level 4
  EXPECT_EQ(reg(2), 0xc1);
  set(1, 0x01);
  rx("abc");
  EXPECT_FALSE(irq.get()) << "3 bytes are below the trigger level";
  // The character timeout (4 character times at 9600 8N1, about 4.2 ms) reports them.
  ASSERT_TRUE(irq.wait(true));
  EXPECT_EQ(reg(2), 0xcc);
  EXPECT_EQ(reg(0), 'a');
  EXPECT_FALSE(irq.get());
  rx("defg");  // 6 bytes now: above the level
  EXPECT_TRUE(irq.get());
  EXPECT_EQ(reg(2), 0xc4);
  std::string got;
  while (reg(5) & 1) got += char(reg(0));
  EXPECT_EQ(got, "bcdefg");
  EXPECT_FALSE(irq.get());
}

TEST_F(UartTest, FifoFullOverrunsAndFcrFlushes) {
  set(2, 0x01);
  rx("0123456789abcdef");
  EXPECT_FALSE(con.can_rx());
  rx("X");
  EXPECT_EQ(reg(5) & 0x03, 0x03);
  EXPECT_EQ(reg(0), '0');
  set(2, 0x03);  // clear the receive FIFO
  EXPECT_EQ(reg(5) & 0x01, 0);
  EXPECT_EQ(reg(0), 0);
  set(2, 0x00);  // FIFO off
  EXPECT_EQ(reg(2) & 0xc0, 0);
}

TEST_F(UartTest, LoopbackKeepsBytesInsideAndMirrorsModemLines) {
  set(4, 0x10 | 0x0f);
  set(0, 'z');
  EXPECT_EQ(con.out, "");
  EXPECT_EQ(reg(5) & 0x01, 0x01);
  EXPECT_EQ(reg(0), 'z');
  EXPECT_EQ(reg(6), 0xf0);  // OUT2->DCD, OUT1->RI, DTR->DSR, RTS->CTS
  set(4, 0x10 | 0x02);
  EXPECT_EQ(reg(6), 0x10);
}

TEST_F(UartTest, WideAccessReadsOneRegister) {
  rx("q");
  EXPECT_EQ(b.rd(kUart, 4), uint64_t('q'));  // QEMU: one register, whatever the size
  EXPECT_EQ(reg(5) & 0x01, 0);
  EXPECT_EQ(reg(7), 0);
  b.wr(kUart + 4, 4, 0x1234);
  EXPECT_EQ(reg(4), 0x14);                       // MCR keeps its 5 bits of the low byte
  EXPECT_FALSE(b.as.io_write(kUart + 7, 4, 0));  // runs past the registers: QEMU faults too
}

// ---------------------------------------------------------------- PLIC

struct PlicTest : testing::Test {
  static constexpr uint64_t kBase = 0xc000000;
  Bench b;
  PlicConfig cfg = [] {
    PlicConfig c;
    c.num_contexts = 4;  // two harts
    return c;
  }();
  Plic plic{"plic", cfg, nullptr};
  Level ctx[4];
  void SetUp() override {
    for (int i = 0; i < 4; i++) ctx[i].attach(plic.context_irq(i));
    b.as.add_mmio("plic", kBase, cfg.size, &plic, 0, 4, 4);
  }
  uint32_t rd(uint64_t off) { return uint32_t(b.rd(kBase + off, 4)); }
  void wr(uint64_t off, uint32_t v) { b.wr(kBase + off, 4, v); }
  void line(unsigned s, bool l) {
    std::lock_guard g(b.as.device_lock());
    plic.set_irq(s, l);
  }
};

TEST_F(PlicTest, ClaimCompleteWithALevelSource) {
  wr(10 * 4, 1);         // priority of source 10
  wr(0x2000, 1u << 10);  // context 0 (hart 0 M) enables it
  line(10, true);
  EXPECT_EQ(rd(0x1000), 1u << 10);
  EXPECT_TRUE(ctx[0].get());
  EXPECT_FALSE(ctx[1].get());
  EXPECT_EQ(rd(0x200004), 10u);  // claim
  EXPECT_FALSE(ctx[0].get());
  EXPECT_EQ(rd(0x1000), 0u);
  EXPECT_EQ(rd(0x200004), 0u);  // nothing else
  wr(0x200004, 10);             // complete while the device still holds its line high
  EXPECT_TRUE(ctx[0].get());
  EXPECT_EQ(rd(0x200004), 10u);
  line(10, false);
  wr(0x200004, 10);
  EXPECT_FALSE(ctx[0].get());
  EXPECT_EQ(rd(0x1000), 0u);
  // A request once made stays until claimed, even if the line falls (the PLIC spec; Debian's
  // QEMU 7.2 too, checked access by access in hw-qemu-replay).
  line(10, true);
  line(10, false);
  EXPECT_EQ(rd(0x1000), 1u << 10);
  EXPECT_TRUE(ctx[0].get());
  EXPECT_EQ(rd(0x200004), 10u);
  wr(0x200004, 10);
  EXPECT_EQ(rd(0x1000), 0u);
  EXPECT_FALSE(ctx[0].get());
}

TEST_F(PlicTest, PriorityThresholdAndContexts) {
  wr(0x4 * 5, 0xffffffff);
  EXPECT_EQ(rd(0x4 * 5), 7u);  // 3 priority bits
  wr(0x4 * 6, 3);
  wr(0x4 * 7, 3);
  wr(0x2080 + 0, (1u << 5) | (1u << 6) | (1u << 7) | 1u);  // context 1 (hart 0 S)
  // Bit 0 reads back as written (as in QEMU); source 0 never interrupts (checked below).
  EXPECT_EQ(rd(0x2080), (1u << 5) | (1u << 6) | (1u << 7) | 1u);
  wr(0x201000, 7);  // threshold 7 masks everything
  line(7, true);
  line(6, true);
  line(5, true);
  EXPECT_FALSE(ctx[1].get());
  wr(0x201000, 3);  // only priority > 3: source 5
  EXPECT_TRUE(ctx[1].get());
  EXPECT_EQ(rd(0x201004), 5u);
  EXPECT_FALSE(ctx[1].get());
  wr(0x201000, 0);
  EXPECT_EQ(rd(0x201004), 6u) << "equal priorities: the lower id first";
  EXPECT_EQ(rd(0x201004), 7u);
  EXPECT_EQ(rd(0x201004), 0u);
  EXPECT_FALSE(ctx[0].get());
  EXPECT_FALSE(ctx[2].get());
  // Hart 1's M context sees nothing it did not enable.
  wr(0x2100, 1u << 6);
  wr(0x4 * 6, 1);
  wr(0x200004 + 0x1000, 6);  // context 1 completes 6: pending again (line high)
  EXPECT_TRUE(ctx[2].get());
  EXPECT_EQ(rd(0x202004), 6u);
}

TEST_F(PlicTest, OutOfRangeIsHarmless) {
  line(0, true);
  line(97, true);  // 96 sources: ids 1..96
  wr(0x2000, 1);   // enabling "source 0" does nothing
  EXPECT_EQ(rd(0x200004), 0u);
  EXPECT_EQ(rd(0x1000), 0u);
  EXPECT_EQ(rd(0x1008), 0u);
  EXPECT_EQ(rd(0x100c), 0u);
  wr(0x200004, 1000);  // completing a nonexistent source
  wr(0x200000, 8);     // threshold above the priorities: dropped
  EXPECT_EQ(rd(0x200000), 0u);
  EXPECT_EQ(rd(0x2000 + 0x10), 0u);  // past the enable words of a context
  uint64_t v;
  EXPECT_TRUE(b.as.io_read(kBase + 0x5ffffc, 4, &v));
}

TEST_F(PlicTest, ResetValuesMatchQemu) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  std::vector<test::XpRead> reads = {{kBase + 4 * 10, 4},   {kBase + 0x1000, 4},   {kBase + 0x2000, 4},
                                     {kBase + 0x200000, 4}, {kBase + 0x201004, 4}, {kBase + 0x5ffffc, 4}};
  auto q = test::qemu_xp(reads, "-smp 2");
  ASSERT_EQ(q.size(), reads.size());
  for (size_t i = 0; i < reads.size(); i++) EXPECT_EQ(q[i], std::optional<uint64_t>(b.rd(reads[i].addr, 4))) << i;
}

// ---------------------------------------------------------------- ACLINT

struct AclintTest : testing::Test {
  static constexpr uint64_t kBase = 0x2000000;
  Bench b;
  Aclint clint{"clint", 2, b.timers, nullptr};
  Level msip[2], mtip[2];
  void SetUp() override {
    for (int i = 0; i < 2; i++) {
      msip[i].attach(clint.msip(i));
      mtip[i].attach(clint.mtip(i));
    }
    b.as.add_mmio("clint", kBase, Aclint::kSize, &clint, 0, 4, 8);
  }
};

TEST_F(AclintTest, MtimeCountsAt10MHz) {
  uint64_t t0 = b.rd(kBase + 0xbff8, 8);
  auto h0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(20ms);
  uint64_t t1 = b.rd(kBase + 0xbff8, 8);
  double host_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - h0).count();
  EXPECT_GE(t1 - t0, 200000u);
  EXPECT_LE(double(t1 - t0), host_us * 10 + 1000);
  // The halves read as the two words of the counter.
  uint64_t lo = b.rd(kBase + 0xbff8, 4), hi = b.rd(kBase + 0xbffc, 4);
  EXPECT_EQ(hi, (t1 >> 32));
  EXPECT_GT(lo, t1 & 0xffffffff);
  EXPECT_NEAR(double(clint.mtime_to_ns(clint.read_mtime())), double(b.clock.now_ns()), 1e6);
}

TEST_F(AclintTest, MtimecmpDrivesMtip) {
  EXPECT_FALSE(mtip[0].get());
  b.wr(kBase + 0x4000, 8, 0);  // in the past: MTIP at once
  EXPECT_TRUE(mtip[0].get());
  EXPECT_FALSE(mtip[1].get());
  b.wr(kBase + 0x4000, 8, ~uint64_t(0));
  EXPECT_FALSE(mtip[0].get());
  // 32-bit halves (what RV32 software does): high word first, then low.
  b.wr(kBase + 0x4008 + 4, 4, 0xffffffff);
  b.wr(kBase + 0x4008, 4, 0x12345678);
  EXPECT_EQ(b.rd(kBase + 0x4008, 8), 0xffffffff12345678ull);
  EXPECT_FALSE(mtip[1].get());
  uint64_t soon = clint.read_mtime() + 20000;  // 2 ms
  b.wr(kBase + 0x4008, 8, soon);
  EXPECT_FALSE(mtip[1].get());
  ASSERT_TRUE(mtip[1].wait(true));
  EXPECT_GE(clint.read_mtime(), soon) << "MTIP must not rise before mtime reaches mtimecmp";
}

TEST_F(AclintTest, WritingMtimeMovesTheComparisons) {
  b.wr(kBase + 0x4000, 8, 0x100000000000ull);
  EXPECT_FALSE(mtip[0].get());
  b.wr(kBase + 0xbff8, 8, 0x100000000000ull);
  EXPECT_TRUE(mtip[0].get());
  uint64_t now = b.rd(kBase + 0xbff8, 8);
  EXPECT_GE(now, 0x100000000000ull);
  EXPECT_LT(now, 0x100000000000ull + 10'000'000);
}

TEST_F(AclintTest, MsipBitZeroDrivesMsip) {
  b.wr(kBase + 4, 4, 1);
  EXPECT_TRUE(msip[1].get());
  EXPECT_FALSE(msip[0].get());
  EXPECT_EQ(b.rd(kBase + 4, 4), 1u);
  b.wr(kBase + 4, 4, 0xfffffffe);
  EXPECT_FALSE(msip[1].get());
  EXPECT_EQ(b.rd(kBase + 4, 4), 0u);
}

TEST_F(AclintTest, LayoutMatchesQemu) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  // msip, mtimecmp of both harts, a hole inside MSWI, the end of MTIMER, and past it.
  std::vector<test::XpRead> reads = {
      {kBase, 4}, {kBase + 4, 4}, {kBase + 0x4000, 8}, {kBase + 0x4008, 8}, {kBase + 0xc000, 4}};
  auto q = test::qemu_xp(reads, "-smp 2");
  ASSERT_EQ(q.size(), reads.size());
  for (size_t i = 0; i + 1 < reads.size(); i++)
    EXPECT_EQ(q[i], std::optional<uint64_t>(b.rd(reads[i].addr, reads[i].size))) << i;
  EXPECT_FALSE(q.back().has_value());
  uint64_t v;
  EXPECT_FALSE(b.as.io_read(kBase + 0xc000, 4, &v));
}

// ---------------------------------------------------------------- Goldfish RTC

struct RtcTest : testing::Test {
  static constexpr uint64_t kBase = 0x101000;
  Bench b;
  GoldfishRtc rtc{"goldfish_rtc", b.timers, nullptr};
  Level irq;
  void SetUp() override {
    irq.attach(rtc.irq());
    b.as.add_mmio("goldfish_rtc", kBase, GoldfishRtc::kSize, &rtc, 0, 4, 4);
  }
  uint64_t time() {
    uint64_t lo = b.rd(kBase, 4);
    return lo | (b.rd(kBase + 4, 4) << 32);
  }
};

TEST_F(RtcTest, TimeIsWallClockNanoseconds) {
  auto wall =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(double(time()), double(wall), 1e9);
  // The guest sets the clock: high then low, as Linux's goldfish driver does.
  uint64_t want = 1000ull * 1'000'000'000;
  b.wr(kBase + 4, 4, want >> 32);
  b.wr(kBase, 4, want & 0xffffffff);
  EXPECT_NEAR(double(time()), double(want), 1e8);
}

TEST_F(RtcTest, AlarmRaisesTheIrqWhenEnabled) {
  b.wr(kBase + 0x10, 4, 1);  // IRQ_ENABLED
  uint64_t at = time() + 5'000'000;
  b.wr(kBase + 0xc, 4, at >> 32);
  b.wr(kBase + 0x8, 4, at & 0xffffffff);
  EXPECT_EQ(b.rd(kBase + 0x18, 4), 1u);  // ALARM_STATUS: running
  EXPECT_EQ(b.rd(kBase + 0x8, 4), at & 0xffffffff);
  ASSERT_TRUE(irq.wait(true));
  EXPECT_GE(time(), at);
  EXPECT_EQ(b.rd(kBase + 0x18, 4), 0u);
  b.wr(kBase + 0x1c, 4, 1);  // CLEAR_INTERRUPT
  EXPECT_FALSE(irq.get());
  // An alarm already past fires at once; with the IRQ disabled the line stays low.
  b.wr(kBase + 0x10, 4, 0);
  b.wr(kBase + 0x8, 4, 0);
  EXPECT_FALSE(irq.get());
  b.wr(kBase + 0x10, 4, 1);  // enabling shows the pending interrupt
  EXPECT_TRUE(irq.get());
  b.wr(kBase + 0x1c, 4, 1);
  // CLEAR_ALARM cancels a running alarm.
  at = time() + 5'000'000;
  b.wr(kBase + 0xc, 4, at >> 32);
  b.wr(kBase + 0x8, 4, at & 0xffffffff);
  b.wr(kBase + 0x14, 4, 1);
  EXPECT_EQ(b.rd(kBase + 0x18, 4), 0u);
  EXPECT_FALSE(irq.wait(true, 30ms));
}

TEST_F(RtcTest, ResetValuesMatchQemuAndUnimpIsLogged) {
  std::string log_path = std::string(testing::TempDir()) + "/rtc_unimp.log";
  std::remove(log_path.c_str());
  mimic::tcg::EngineOptions opts;
  opts.log = mimic::tcg::LogFlag::kUnimp;
  opts.log_file = log_path;
  {
    mimic::tcg::Logger log(opts);
    GoldfishRtc logged("goldfish_rtc", b.timers, &log);
    EXPECT_EQ(logged.read(0x20, 4), 0u);
    logged.write(0x18, 1, 4);  // ALARM_STATUS is read-only
  }
  std::ifstream in(log_path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("device goldfish_rtc: unimplemented register 0x20 read\n"), std::string::npos) << ss.str();
  EXPECT_NE(ss.str().find("device goldfish_rtc: write to read-only register ALARM_STATUS (0x18)\n"), std::string::npos)
      << ss.str();
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  std::vector<test::XpRead> reads = {{kBase + 0x8, 4}, {kBase + 0xc, 4}, {kBase + 0x10, 4}, {kBase + 0x18, 4}};
  auto q = test::qemu_xp(reads);
  ASSERT_EQ(q.size(), reads.size());
  for (size_t i = 0; i < reads.size(); i++) EXPECT_EQ(q[i], std::optional<uint64_t>(b.rd(reads[i].addr, 4))) << i;
  auto past = test::qemu_xp({{kBase + 0x24, 4}});
  ASSERT_EQ(past.size(), 1u);
  EXPECT_FALSE(past[0].has_value());
  uint64_t v;
  EXPECT_FALSE(b.as.io_read(kBase + 0x24, 4, &v));
}

// ---------------------------------------------------------------- SiFive test, virtio-mmio

TEST(SifiveTest, FinisherCommands) {
  std::vector<std::pair<FinisherAction, int>> seen;
  SifiveTest t(
      "sifive_test",
      [&](FinisherAction a, int s) {
        seen.push_back({a, s});
      },
      nullptr);
  AddressSpace as;
  as.add_mmio("test", 0x100000, SifiveTest::kSize, &t, 0, 2, 4);
  as.io_write(0x100000, 4, 0x5555);
  as.io_write(0x100000, 4, (3u << 16) | 0x3333);
  as.io_write(0x100000, 4, 0x7777);
  as.io_write(0x100000, 4, 0x1234);  // not a command
  as.io_write(0x100004, 4, 0x5555);  // not the register
  as.io_write(0x100000, 2, 0x5555);  // a halfword store works too
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], std::make_pair(FinisherAction::PowerOff, 0));
  EXPECT_EQ(seen[1], std::make_pair(FinisherAction::PowerOff, 3));
  EXPECT_EQ(seen[2], std::make_pair(FinisherAction::Reset, 0));
  EXPECT_EQ(seen[3], std::make_pair(FinisherAction::PowerOff, 0));
  uint64_t v = 1;
  ASSERT_TRUE(as.io_read(0x100000, 4, &v));
  EXPECT_EQ(v, 0u);
}

TEST(VirtioMmio, EmptySlotIdentifiesAsNoDevice) {
  AddressSpace as;
  VirtioMmio slot("virtio-mmio", as, nullptr, true, nullptr);
  as.add_mmio("virtio-mmio", 0x10001000, VirtioMmio::kSize, &slot, 0, 1, 4);
  uint64_t v;
  ASSERT_TRUE(as.io_read(0x10001000, 4, &v));
  EXPECT_EQ(v, 0x74726976u);
  ASSERT_TRUE(as.io_read(0x10001004, 4, &v));
  EXPECT_EQ(v, 1u);  // legacy, as QEMU 7.2's default force-legacy=on
  ASSERT_TRUE(as.io_read(0x10001008, 4, &v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(as.io_read(0x1000100c, 4, &v));
  EXPECT_EQ(v, 0x554d4551u);
  ASSERT_TRUE(as.io_read(0x10001070, 4, &v));  // Status
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(as.io_read(0x10001200, 4, &v));
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  auto q = test::qemu_xp(
      {{0x10001000, 4}, {0x10001008, 4}, {0x1000100c, 4}, {0x10001070, 4}, {0x10001200, 4}, {0x10001004, 4}});
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q[0], std::optional<uint64_t>(0x74726976));
  EXPECT_EQ(q[1], std::optional<uint64_t>(0));
  EXPECT_EQ(q[2], std::optional<uint64_t>(0x554d4551));
  EXPECT_EQ(q[3], std::optional<uint64_t>(0));
  EXPECT_FALSE(q[4].has_value());
  EXPECT_EQ(q[5], std::optional<uint64_t>(1));
}
