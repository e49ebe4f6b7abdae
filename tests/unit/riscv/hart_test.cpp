// RiscvHart on a real system-mode engine and address space: reset state, WFI sleeping (no CPU
// spent) until set_irq from another thread, the interrupt trap, request_stop from a device
// write, pause/resume, and the monitor views (dump_registers, debug_translate).
#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "hw/core/clock.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "target/riscv/cpu.h"
#include "target/riscv/system.h"
#include "tcg/exec/exec.h"

namespace mimic::riscv {
namespace {

constexpr uint64_t kRam = 0x80000000;

// A write of the program's result stops the hart (as the SiFive test device ends a machine).
class StopDevice final : public hw::MmioOps {
 public:
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, uint64_t value, unsigned) override {
    written.store(value);
    if (hart) hart->request_stop();
  }
  std::atomic<uint64_t> written{~0ull};
  RiscvHart* hart = nullptr;
};

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Rig {
  Rig() : timers(clock, memory.device_lock()) {
    ram = memory.add_ram("ram", kRam, 1 << 20);
    memory.add_mmio("stop", 0x100000, 0x1000, &stop);
    engine = make_system_engine(hw::MachineConfig{}, memory);
    HartConfig hc;
    hc.read_mtime = [this] { return clock.now_ns() / 100; };  // 10 MHz
    hc.mtime_to_ns = [](uint64_t t) { return t * 100; };
    hart = std::make_unique<RiscvHart>(hc, *engine, memory, timers);
    stop.hart = hart.get();
  }
  ~Rig() { hart.reset(); }
  hw::AddressSpace memory;
  hw::VirtualClock clock;
  hw::TimerQueue timers;
  StopDevice stop;
  uint8_t* ram = nullptr;
  std::shared_ptr<tcg::ExecEngine> engine;
  std::unique_ptr<RiscvHart> hart;
};

// mtvec = handler; mie.MTIE; mstatus.MIE; a0 = 0x1234; wfi loop. handler: mcause (sd) -> the stop
// device, then spin.
constexpr uint32_t kProgram[] = {
    0x00000297,  // auipc t0, 0
    0x02828293,  // addi t0, t0, 40 (handler)
    0x30529073,  // csrw mtvec, t0
    0x08000313,  // li t1, 0x80
    0x30431073,  // csrw mie, t1
    0x30046073,  // csrsi mstatus, 8
    0x00001537,  // lui a0, 1
    0x2345051b,  // addiw a0, a0, 0x234
    0x10500073,  // wait: wfi
    0xffdff06f,  // j wait
    0x342025f3,  // handler: csrr a1, mcause
    0x001003b7,  // lui t2, 0x100
    0x00b3b023,  // sd a1, 0(t2)
    0x0000006f,  // spin: j spin
};

TEST(RiscvHart, ResetState) {
  Rig r;
  r.hart->reset(0x1000, 1, 2, 3);
  RiscvCpu& c = r.hart->cpu();
  EXPECT_EQ(c.pc, 0x1000u);
  EXPECT_EQ(c.x[10], 1u);
  EXPECT_EQ(c.x[11], 2u);
  EXPECT_EQ(c.x[12], 3u);
  EXPECT_EQ(c.priv, kPrivM);
  EXPECT_EQ(c.mstatus, 0u);
  EXPECT_EQ(c.misa, 0x800000000014112dull);
  EXPECT_EQ(r.hart->hartid(), 0u);
}

TEST(RiscvHart, WfiSleepsUntilSetIrqThenTakesTheInterrupt) {
  Rig r;
  std::memcpy(r.ram, kProgram, sizeof kProgram);
  r.hart->reset(kRam);
  std::thread irq([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    r.hart->set_irq(kIrqMTimer, true);
  });
  auto wall0 = std::chrono::steady_clock::now();
  double cpu0 = thread_cpu_seconds();
  HartStop result = r.hart->run();
  double cpu = thread_cpu_seconds() - cpu0;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  irq.join();
  EXPECT_EQ(result, HartStop::Requested);
  EXPECT_EQ(r.stop.written.load(), (1ull << 63) | 7);  // the machine timer interrupt
  RiscvCpu& c = r.hart->cpu();
  EXPECT_EQ(c.x[10], 0x1234u);
  EXPECT_EQ(c.mepc, kRam + 0x24);  // after the wfi
  EXPECT_GE(wall, 0.19);
  EXPECT_LT(cpu, 0.1) << "WFI must sleep, not spin (" << cpu << " s of CPU in " << wall << " s)";
  // The monitor's views.
  std::string regs = r.hart->dump_registers();
  EXPECT_NE(regs.find(" mcause   8000000000000007"), std::string::npos) << regs;
  EXPECT_NE(regs.find("x10/a0   0000000000001234"), std::string::npos) << regs;
  uint64_t phys = 0;
  EXPECT_TRUE(r.hart->debug_translate(kRam + 0x10, &phys));
  EXPECT_EQ(phys, kRam + 0x10);
}

TEST(RiscvHart, PauseParksTheHartAndResumeLetsItFinish) {
  Rig r;
  std::memcpy(r.ram, kProgram, sizeof kProgram);
  r.hart->reset(kRam);
  std::atomic<bool> done{false};
  std::thread runner([&] {
    r.hart->run();
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  r.hart->pause();
  r.hart->set_irq(kIrqMTimer, true);  // pending, but the hart is parked
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(done.load());
  EXPECT_EQ(r.stop.written.load(), ~0ull);
  r.hart->resume();
  runner.join();
  EXPECT_EQ(r.stop.written.load(), (1ull << 63) | 7);
}

}  // namespace
}  // namespace mimic::riscv
