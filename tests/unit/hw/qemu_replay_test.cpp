// Device behaviour against qemu-system-riscv64, access by access: a script of MMIO reads and
// writes runs as a bare-metal M-mode program on QEMU's virt (-bios none) and, replayed, on
// mimic's VirtBoard; every value read must agree (UART, PLIC with the UART as its source, ACLINT,
// RTC alarm registers, test finisher, virtio slots), except the differences listed here.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "hw/riscv/virt.h"
#include "qemu_oracle.h"

using namespace mimic::hw;
using mimic::hw::test::have_qemu_system;
using mimic::hw::test::run_command;

namespace {
struct Op {
  uint64_t addr;
  unsigned size;
  bool write;
  uint64_t value;
  const char* what;
};

constexpr uint64_t kUart = 0x10000000, kPlic = 0xc000000, kClint = 0x2000000, kRtc = 0x101000;
Op rd(uint64_t a, unsigned s, const char* w) { return {a, s, false, 0, w}; }
Op wr(uint64_t a, unsigned s, uint64_t v, const char* w) { return {a, s, true, v, w}; }

std::vector<Op> script() {
  std::vector<Op> s;
  for (unsigned r = 0; r < 8; r++) s.push_back(rd(kUart + r, 1, "uart reset register"));
  // THR-empty interrupt, cleared by reading IIR, and the PLIC seeing the UART's line.
  s.push_back(wr(kPlic + 4 * 10, 4, 1, "priority 10"));
  s.push_back(wr(kPlic + 0x2000, 4, 1u << 10, "enable 10 in context 0"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending before"));
  s.push_back(wr(kUart + 1, 1, 0x02, "IER.THRI"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending with THRI"));
  s.push_back(rd(kUart + 2, 1, "IIR: THR empty"));
  s.push_back(rd(kUart + 2, 1, "IIR after read"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending after IIR read"));
  s.push_back(wr(kUart + 1, 1, 0x00, "IER off"));
  s.push_back(wr(kUart + 1, 1, 0x02, "IER.THRI again"));
  s.push_back(rd(kPlic + 0x200004, 4, "claim"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending after claim"));
  s.push_back(rd(kPlic + 0x200004, 4, "claim again"));
  s.push_back(rd(kUart + 2, 1, "IIR: THR empty (the line falls)"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending with the line low"));
  s.push_back(wr(kPlic + 0x200004, 4, 10, "complete"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending after complete"));
  s.push_back(rd(kPlic + 0x200004, 4, "claim after"));
  s.push_back(wr(kUart + 1, 1, 0x00, "IER off"));
  // PLIC register semantics.
  s.push_back(wr(kPlic + 0, 4, 5, "priority 0 (no source 0)"));
  s.push_back(rd(kPlic + 0, 4, "priority 0"));
  s.push_back(wr(kPlic + 4 * 95, 4, 6, "priority 95"));
  s.push_back(rd(kPlic + 4 * 95, 4, "priority 95"));
  s.push_back(wr(kPlic + 4 * 96, 4, 6, "priority 96 (the last source)"));
  s.push_back(rd(kPlic + 4 * 96, 4, "priority 96"));
  s.push_back(wr(kPlic + 4 * 97, 4, 6, "priority 97 (past the sources)"));
  s.push_back(rd(kPlic + 4 * 97, 4, "priority 97"));
  s.push_back(wr(kPlic + 4 * 5, 4, 0xffffffff, "priority 5 all ones"));
  s.push_back(rd(kPlic + 4 * 5, 4, "priority 5"));
  s.push_back(wr(kPlic + 0x200000, 4, 8, "threshold 8"));
  s.push_back(rd(kPlic + 0x200000, 4, "threshold"));
  s.push_back(wr(kPlic + 0x200000, 4, 3, "threshold 3"));
  s.push_back(rd(kPlic + 0x200000, 4, "threshold"));
  s.push_back(wr(kPlic + 0x2080, 4, 0xffffffff, "enable all in context 1"));
  s.push_back(rd(kPlic + 0x2080, 4, "enable word 0 of context 1"));
  s.push_back(wr(kPlic + 0x2088, 4, 0xffffffff, "enable word 2 of context 1"));
  s.push_back(rd(kPlic + 0x2088, 4, "enable word 2 of context 1"));
  s.push_back(wr(kPlic + 0x1000, 4, 0xffffffff, "pending is read-only"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending"));
  // Divisor latches, FIFO control, loopback, overrun, scratch.
  s.push_back(wr(kUart + 3, 1, 0x83, "LCR DLAB"));
  s.push_back(rd(kUart + 0, 1, "DLL"));
  s.push_back(rd(kUart + 1, 1, "DLM"));
  s.push_back(wr(kUart + 0, 1, 0x01, "DLL 1"));
  s.push_back(rd(kUart + 0, 1, "DLL"));
  s.push_back(wr(kUart + 3, 1, 0x03, "LCR 8N1"));
  s.push_back(rd(kUart + 3, 1, "LCR"));
  s.push_back(wr(kUart + 2, 1, 0xc7, "FCR FIFO on, level 14"));
  s.push_back(rd(kUart + 2, 1, "IIR with FIFOs"));
  s.push_back(wr(kUart + 4, 1, 0x1f, "MCR loopback"));
  s.push_back(rd(kUart + 6, 1, "MSR in loopback"));
  s.push_back(wr(kUart + 0, 1, 'A', "THR A"));
  s.push_back(wr(kUart + 0, 1, 'B', "THR B"));
  s.push_back(rd(kUart + 5, 1, "LSR"));
  s.push_back(rd(kUart + 0, 1, "RBR"));
  s.push_back(rd(kUart + 0, 1, "RBR"));
  s.push_back(rd(kUart + 5, 1, "LSR"));
  s.push_back(wr(kUart + 2, 1, 0x00, "FIFO off"));
  s.push_back(rd(kUart + 2, 1, "IIR"));
  s.push_back(wr(kUart + 0, 1, 'x', "THR x"));
  s.push_back(wr(kUart + 0, 1, 'y', "THR y"));
  s.push_back(rd(kUart + 5, 1, "LSR overrun"));
  s.push_back(rd(kUart + 5, 1, "LSR after"));
  s.push_back(rd(kUart + 0, 1, "RBR"));
  s.push_back(wr(kUart + 4, 1, 0x08, "MCR back"));
  s.push_back(rd(kUart + 6, 1, "MSR"));
  s.push_back(wr(kUart + 7, 1, 0x5a, "SCR"));
  s.push_back(rd(kUart + 7, 1, "SCR"));
  s.push_back(rd(kUart + 0, 4, "RBR as a word"));
  // ACLINT.
  s.push_back(wr(kClint + 0, 4, 0xffffffff, "msip 0 all ones"));
  s.push_back(rd(kClint + 0, 4, "msip 0"));
  s.push_back(wr(kClint + 0, 4, 0, "msip 0 off"));
  s.push_back(rd(kClint + 0, 4, "msip 0"));
  s.push_back(wr(kClint + 0x4000, 8, 0x123456789abcdef0, "mtimecmp"));
  s.push_back(rd(kClint + 0x4000, 8, "mtimecmp"));
  s.push_back(wr(kClint + 0x4004, 4, 0x0fffffff, "mtimecmp high"));
  s.push_back(rd(kClint + 0x4000, 4, "mtimecmp low"));
  s.push_back(rd(kClint + 0x4004, 4, "mtimecmp high"));
  // RTC alarm registers (not the time: it moves).
  s.push_back(wr(kRtc + 0x0c, 4, 0x7fffffff, "ALARM_HIGH"));
  s.push_back(wr(kRtc + 0x08, 4, 0x12345678, "ALARM_LOW"));
  s.push_back(rd(kRtc + 0x08, 4, "ALARM_LOW"));
  s.push_back(rd(kRtc + 0x0c, 4, "ALARM_HIGH"));
  s.push_back(rd(kRtc + 0x18, 4, "ALARM_STATUS running"));
  s.push_back(wr(kRtc + 0x14, 4, 1, "CLEAR_ALARM"));
  s.push_back(rd(kRtc + 0x18, 4, "ALARM_STATUS"));
  s.push_back(wr(kRtc + 0x10, 4, 3, "IRQ_ENABLED"));
  s.push_back(rd(kRtc + 0x10, 4, "IRQ_ENABLED"));
  // Finisher reads and empty virtio slots.
  s.push_back(rd(0x100000, 4, "finisher"));
  s.push_back(wr(0x100000, 4, 0x1234, "not a finisher command"));
  for (uint64_t slot : {0x10001000ull, 0x10008000ull}) {
    s.push_back(rd(slot + 0x0, 4, "virtio magic"));
    s.push_back(rd(slot + 0x8, 4, "virtio device id"));
    s.push_back(rd(slot + 0xc, 4, "virtio vendor"));
    s.push_back(rd(slot + 0x70, 4, "virtio status"));
  }
  s.push_back(rd(0x10001000 + 0x4, 4, "virtio version"));
  // Last, as what follows diverges: completing while the UART still holds its line high.
  s.push_back(wr(kUart + 2, 1, 0x00, "FIFO off"));
  s.push_back(wr(kUart + 1, 1, 0x02, "IER.THRI"));
  s.push_back(rd(kPlic + 0x200004, 4, "claim"));
  s.push_back(wr(kPlic + 0x200004, 4, 10, "complete with the line high"));
  s.push_back(rd(kPlic + 0x1000, 4, "pending after completing a high source"));
  return s;
}

// The bare-metal program (linked without relaxation: nothing sets up gp): runs the script, keeps what it read, then
// prints it over the UART (after putting the UART back in a plain state) and powers off.
std::string guest_source(const std::vector<Op>& ops) {
  std::string table;
  for (const Op& o : ops)
    table += fmt::format("  {{{:#x}ul, {}, {}, {:#x}ul}},\n", o.addr, o.size, o.write ? 1 : 0, o.value);
  return fmt::format(R"(
typedef unsigned long u64;
struct op {{ u64 addr; unsigned size, write; u64 value; }};
static const struct op script[] = {{
{}}};
#define N (sizeof script / sizeof script[0])
static u64 results[N];
static char stack[4096] __attribute__((aligned(16)));
#define UART ((volatile unsigned char*)0x10000000)
static void put(char c) {{ while (!(UART[5] & 0x20)) {{}} UART[0] = c; }}
void guest_main(void) {{
  for (unsigned i = 0; i < N; i++) {{
    const struct op* o = &script[i];
    if (o->write) {{
      switch (o->size) {{
        case 1: *(volatile unsigned char*)o->addr = o->value; break;
        case 2: *(volatile unsigned short*)o->addr = o->value; break;
        case 4: *(volatile unsigned int*)o->addr = o->value; break;
        default: *(volatile u64*)o->addr = o->value; break;
      }}
    }} else {{
      switch (o->size) {{
        case 1: results[i] = *(volatile unsigned char*)o->addr; break;
        case 2: results[i] = *(volatile unsigned short*)o->addr; break;
        case 4: results[i] = *(volatile unsigned int*)o->addr; break;
        default: results[i] = *(volatile u64*)o->addr; break;
      }}
    }}
  }}
  UART[1] = 0; UART[2] = 0; UART[3] = 3; UART[4] = 8;
  for (unsigned i = 0; i < N; i++) {{
    if (script[i].write) continue;
    for (int s = 60; s >= 0; s -= 4) put("0123456789abcdef"[(results[i] >> s) & 15]);
    put('\n');
  }}
  *(volatile unsigned int*)0x100000 = 0x5555;
  for (;;) {{}}
}}
// First in the image (the linker puts .text.startup before .text): -bios none jumps to 0x80000000.
__attribute__((naked, section(".text.startup"))) void _start(void) {{
  __asm__ volatile("lla sp, %0 + 4096\n call guest_main\n" :: "i"(stack));
}}
)",
                     table);
}

struct NoConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};
}  // namespace

TEST(QemuReplay, DeviceAccessesReadWhatQemuReads) {
  if (!have_qemu_system()) GTEST_SKIP() << "qemu-system-riscv64 not installed";
  if (system("riscv64-linux-gnu-gcc --version >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "riscv64-linux-gnu-gcc not installed";
  std::vector<Op> ops = script();
  std::string dir = testing::TempDir();
  std::string src = dir + "/replay.c", elf = dir + "/replay.elf";
  std::ofstream(src) << guest_source(ops);
  std::string cc = run_command(fmt::format(
      "riscv64-linux-gnu-gcc -O2 -march=rv64gc -mabi=lp64d -mcmodel=medany -ffreestanding -nostdlib -static "
      "-mno-relax -Wl,--no-relax -fno-pie -no-pie -Wl,-e,_start -Wl,-Ttext=0x80000000 -Wl,--build-id=none -Wl,-N -o {} "
      "{} 2>&1",
      elf, src));
  ASSERT_TRUE(std::ifstream(elf).good()) << cc;
  std::string out = run_command(
      fmt::format("timeout 30 qemu-system-riscv64 -M virt -m 128M -bios none -kernel {} -display none -monitor none "
                  "-serial stdio 2>&1",
                  elf));
  std::vector<uint64_t> qemu;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.size() == 16) qemu.push_back(std::stoull(line, nullptr, 16));

  NoConsole con;
  MachineConfig c;
  c.bios = "none";
  VirtBoard b(c, con, nullptr);
  b.set_finisher([](FinisherAction, int) {});
  std::vector<uint64_t> mine;
  std::vector<const Op*> reads;
  for (const Op& o : ops) {
    if (o.write) {
      EXPECT_TRUE(b.memory().io_write(o.addr, o.size, o.value)) << o.what;
    } else {
      uint64_t v = 0;
      EXPECT_TRUE(b.memory().io_read(o.addr, o.size, &v)) << o.what;
      mine.push_back(v);
      reads.push_back(&o);
    }
  }
  ASSERT_EQ(qemu.size(), mine.size()) << "QEMU's output:\n" << out;
  for (size_t i = 0; i < mine.size(); i++) {
    const Op& o = *reads[i];
    if (i + 1 == mine.size()) {
      // The PLIC spec's level-triggered gateway requests again at completion while the line is
      // high. QEMU 7.2 waits for the device to raise its line again, which its UART does on its
      // next update (here, whenever its FIFO timeout timer happens to fire): no oracle value.
      EXPECT_EQ(mine[i], 1u << 10);
      continue;
    }
    EXPECT_EQ(mine[i], qemu[i]) << "read " << i << " (" << o.what << ") at " << std::hex << o.addr;
  }
}
