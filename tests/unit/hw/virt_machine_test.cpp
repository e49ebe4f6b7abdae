// VirtMachine (the board with its harts) over the scripted fake hart: the registry entry,
// dumpdtb, poweroff/fail status from the test finisher, reset and -no-reboot, stop(), the
// single-threaded round robin, a fatal hart, interrupts reaching hart set_irq, info mtree.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "fake_hart.h"
#include "hw/core/fdt.h"
#include "hw/riscv/virt.h"
#include "tcg/exec/exec.h"

using namespace mimic::hw;
using mimic::hw::test::fake_guest;
using mimic::hw::test::fake_hart_log;

namespace {
struct NoConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};

// The fake harts never touch the engine; a real one is still made, as the factory would.
struct DummyTranslator : mimic::tcg::GuestTranslator {
  const char* arch_name() const override { return "riscv64"; }
  void translate(mimic::tcg::Block&, const mimic::tcg::CpuBase&, unsigned) override {}
  std::string disassemble(const mimic::tcg::CpuBase&, uint64_t, uint32_t) const override { return ""; }
};

std::shared_ptr<mimic::tcg::ExecEngine> make_engine(const MachineConfig&, AddressSpace&) {
  static DummyTranslator translator;
  return std::make_shared<mimic::tcg::ExecEngine>(mimic::tcg::EngineOptions{}, translator);
}

struct VirtMachineTest : testing::Test {
  NoConsole con;
  void SetUp() override {
    register_riscv_virt(make_engine);
    std::lock_guard l(fake_hart_log.mutex);
    fake_hart_log.events.clear();
  }
  void TearDown() override { fake_guest = nullptr; }
  std::unique_ptr<Machine> make(MachineConfig c) {
    const MachineType* t = find_machine("virt");
    EXPECT_NE(t, nullptr);
    return t->create(c, con);
  }
  static MachineConfig cfg(unsigned smp) {
    MachineConfig c;
    c.smp = smp;
    return c;
  }
};
}  // namespace

TEST_F(VirtMachineTest, RegisteredAsTheDefault) {
  std::string help = machine_help();
  EXPECT_NE(help.find("virt                 RISC-V VirtIO board (default)\n"), std::string::npos) << help;
}

TEST_F(VirtMachineTest, FinisherFailCodeEndsRunWithIt) {
  fake_guest = [](unsigned hart, unsigned runs, mimic::tcg::PhysMemory& phys) {
    if (hart == 1) phys.io_write(0x100000, 4, (7u << 16) | 0x3333);
    return true;
  };
  auto m = make(cfg(2));
  EXPECT_EQ(m->run(), 7);
  EXPECT_EQ(fake_hart_log.count("reset 0 0x1000"), 1u);
  EXPECT_EQ(fake_hart_log.count("reset 1 0x1000"), 1u);
  EXPECT_EQ(fake_hart_log.count("run "), 2u);
}

TEST_F(VirtMachineTest, ResetRestartsTheHartsAndNoRebootEnds) {
  fake_guest = [](unsigned hart, unsigned runs, mimic::tcg::PhysMemory& phys) {
    if (hart == 0) phys.io_write(0x100000, 4, runs == 1 ? 0x7777 : 0x5555);
    return true;
  };
  auto m = make(cfg(1));
  EXPECT_EQ(m->run(), 0);
  EXPECT_EQ(fake_hart_log.count("run 0"), 2u);
  EXPECT_EQ(fake_hart_log.count("reset 0 0x1000"), 2u);
}

TEST_F(VirtMachineTest, NoReboot) {
  fake_guest = [](unsigned, unsigned, mimic::tcg::PhysMemory& phys) {
    phys.io_write(0x100000, 4, 0x7777);
    return true;
  };
  MachineConfig c = cfg(1);
  c.no_reboot = true;
  auto m = make(c);
  EXPECT_EQ(m->run(), 0);
  EXPECT_EQ(fake_hart_log.count("run 0"), 1u);
}

TEST_F(VirtMachineTest, StopFromAnotherThread) {
  auto m = make(cfg(2));
  std::thread t([&] {
    while (fake_hart_log.count("run ") < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    m->stop(5);
  });
  EXPECT_EQ(m->run(), 5);
  t.join();
}

TEST_F(VirtMachineTest, SingleThreadRoundRobin) {
  fake_guest = [](unsigned hart, unsigned runs, mimic::tcg::PhysMemory& phys) {
    if (hart == 2 && runs == 3) phys.io_write(0x100000, 4, 0x5555);
    return true;
  };
  MachineConfig c = cfg(3);
  c.single_thread = true;
  auto m = make(c);
  EXPECT_EQ(m->run(), 0);
  std::lock_guard l(fake_hart_log.mutex);
  std::vector<std::string> runs;
  for (auto& e : fake_hart_log.events)
    if (e.rfind("run ", 0) == 0) runs.push_back(e);
  EXPECT_EQ(runs, (std::vector<std::string>{"run 0", "run 1", "run 2", "run 0", "run 1", "run 2", "run 0", "run 1",
                                            "run 2"}));
}

TEST_F(VirtMachineTest, FatalHartEndsTheMachine) {
  fake_guest = [](unsigned hart, unsigned, mimic::tcg::PhysMemory&) { return hart != 0; };
  auto m = make(cfg(2));
  EXPECT_EQ(m->run(), 1);
}

TEST_F(VirtMachineTest, InterruptsReachHartSetIrq) {
  fake_guest = [](unsigned hart, unsigned, mimic::tcg::PhysMemory& phys) {
    if (hart == 0) {
      phys.io_write(0x2000004, 4, 1);  // msip of hart 1
      phys.io_write(0x100000, 4, 0x5555);
    }
    return true;
  };
  auto m = make(cfg(2));
  EXPECT_EQ(m->run(), 0);
  EXPECT_EQ(fake_hart_log.count("irq 1 3 1"), 1u);
  EXPECT_NE(m->info_mtree().find("riscv.sifive.plic"), std::string::npos);
  EXPECT_NE(m->info_registers().find("CPU#1\n"), std::string::npos);
  uint32_t word = 0;
  ASSERT_TRUE(m->read_virt(0, 0x1000, &word, 4));
  EXPECT_EQ(word, 0x00000297u);  // auipc t0, 0 of the reset vector
}

TEST_F(VirtMachineTest, DumpDtb) {
  std::string path = std::string(testing::TempDir()) + "/vm_dump.dtb";
  std::remove(path.c_str());
  MachineConfig c = cfg(2);
  c.dumpdtb = path;
  auto m = make(c);
  EXPECT_EQ(m->run(), 0);
  EXPECT_EQ(fake_hart_log.count("run "), 0u);
  auto blob = load_dtb_file(path);
  auto strip = [](std::vector<std::string> v) {
    std::erase_if(v, [](const std::string& s) { return s.rfind("/chosen: rng-seed", 0) == 0; });
    return v;
  };
  EXPECT_EQ(strip(fdt_flatten(blob)), strip(fdt_flatten(virt_device_tree(cfg(2)))));
}
