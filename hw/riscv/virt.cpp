// The RISC-V virt board without its harts: memory map, devices and their wiring, the device
// tree QEMU 7.2 generates, and the boot flow of QEMU's virt_machine_done (firmware, kernel,
// initrd, FDT placement, mrom reset vector with fw_dynamic_info).
#include "hw/riscv/virt.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <random>

#include "hw/core/fdt.h"
#include "hw/pci/pcie_fdt.h"
#include "hw/pci/pcie_host.h"
#include "hw/virtio/virtio_devices.h"
#include "target/riscv/system.h"

namespace mimic::hw {

namespace {
constexpr uint64_t kMiB = uint64_t(1) << 20;
// Beyond QEMU's practical range, and far more than mimic can back: guards the address arithmetic.
constexpr uint64_t kMaxRam = uint64_t(1) << 40;

// QEMU 7.2 hw/riscv/virt.c virt_memmap[], the entries mimic implements.
constexpr MemMapEntry kMemmap[] = {
    {"debug", 0x0, 0x100},
    {"mrom", 0x1000, 0xf000},
    {"test", 0x100000, 0x1000},
    {"rtc", 0x101000, 0x1000},
    {"clint", 0x2000000, 0x10000},
    {"gpex_ioport_window", 0x3000000, 0x10000},                  // QEMU's name of the PIO window
    {"plic", 0xc000000, 0x200000 + kVirtMaxHarts * 2 * 0x1000},  // VIRT_PLIC_SIZE(VIRT_CPUS_MAX * 2)
    {"uart0", 0x10000000, 0x100},
    {"virtio", 0x10001000, 0x1000},  // one slot; kVirtVirtioCount of them
    {"pcie-ecam", 0x30000000, 0x10000000},
    {"pcie-mmio", 0x40000000, 0x40000000},
    {"dram", 0x80000000, 0x0},  // size: -m
};

// The ns16550a's input clock as the device tree states it (QEMU: 3686400 Hz).
constexpr uint32_t kUartClockHz = 3686400;

struct NullConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
}  // namespace

const MemMapEntry& virt_memmap(VirtRegion r) { return kMemmap[unsigned(r)]; }

MemMapEntry virt_high_pcie_mmio(uint64_t ram_bytes) {
  return {"pcie-mmio-high", align_up(virt_memmap(VirtRegion::Dram).base + ram_bytes, kVirtHighPcieMmioSize),
          kVirtHighPcieMmioSize};
}

VirtBoard::VirtBoard(const MachineConfig& config, CharBackend& console, tcg::Logger* log)
    : config_(config), log_(log), timers_(clock_, memory_.device_lock()) {
  if (!config_.properties.empty())
    throw MachineError(
        fmt::format("-M virt,{}: unknown machine property (the riscv64 virt machine knows type= and dumpdtb=)",
                    config_.properties));
  if (config_.smp < 1 || config_.smp > kVirtMaxHarts)
    throw MachineError(fmt::format("-smp {}: the virt machine takes 1 to {} harts", config_.smp, kVirtMaxHarts));
  if (!config_.cpu.empty() && config_.cpu != "rv64")
    throw MachineError(
        fmt::format("-cpu {}: unsupported for virt (mimic's hart is rv64: RV64GC, Zba/Zbb/Zbs, Sstc)", config_.cpu));
  if (config_.ram_bytes < 2 * kMiB || config_.ram_bytes % tcg::kPageSize != 0)
    throw MachineError(
        fmt::format("-m: {:#x} bytes of RAM: need a whole number of pages, at least 2 MiB", config_.ram_bytes));
  if (!config_.initrd.empty() && config_.kernel.empty()) throw MachineError("-initrd only allowed with -kernel option");
  if (!config_.append.empty() && config_.kernel.empty()) throw MachineError("-append only allowed with -kernel option");
  unsigned harts = config_.smp;

  const MemMapEntry& dram = virt_memmap(VirtRegion::Dram);
  if (config_.ram_bytes > kMaxRam)
    throw MachineError(
        fmt::format("-m: {:#x} bytes of RAM: the virt machine takes at most {} GiB", config_.ram_bytes, kMaxRam >> 30));
  try {
    memory_.add_ram("riscv_virt_board.ram", dram.base, config_.ram_bytes);
  } catch (const std::runtime_error& e) {
    throw MachineError(fmt::format("-m: {}", e.what()));
  }
  const MemMapEntry& mrom = virt_memmap(VirtRegion::Mrom);
  memory_.add_rom("riscv_virt_board.mrom", mrom.base, mrom.size);

  test_ = std::make_unique<SifiveTest>(
      "riscv.sifive.test",
      [this](FinisherAction a, int status) {
        if (finisher_) finisher_(a, status);
      },
      log_);
  memory_.add_mmio("riscv.sifive.test", virt_memmap(VirtRegion::Test).base, SifiveTest::kSize, test_.get(), 0, 2, 4);

  aclint_ = std::make_unique<Aclint>("riscv.aclint", harts, timers_, log_, kVirtTimebaseHz);
  // QEMU's two regions: MSWI takes 32-bit accesses, MTIMER 32- and 64-bit ones.
  uint64_t clint = virt_memmap(VirtRegion::Clint).base;
  mswi_ = std::make_unique<MmioWindow>(*aclint_, 0);
  mtimer_ = std::make_unique<MmioWindow>(*aclint_, Aclint::kMtimecmpBase);
  memory_.add_mmio("riscv.aclint.swi", clint, Aclint::kMtimecmpBase, mswi_.get(), 0, 4, 4);
  memory_.add_mmio("riscv.aclint.mtimer", clint + Aclint::kMtimecmpBase, Aclint::kSize - Aclint::kMtimecmpBase,
                   mtimer_.get(), 0, 4, 8);

  PlicConfig pc;
  pc.num_contexts = 2 * harts;
  pc.size = virt_memmap(VirtRegion::Plic).size;
  plic_ = std::make_unique<Plic>("riscv.sifive.plic", pc, log_);
  memory_.add_mmio("riscv.sifive.plic", virt_memmap(VirtRegion::Plic).base, pc.size, plic_.get(), 0, 4, 4);

  uart_ = std::make_unique<Ns16550a>("serial", console, timers_, log_);
  memory_.add_mmio("serial", virt_memmap(VirtRegion::Uart0).base, Ns16550a::kSize, uart_.get(), 0, 1, 8);
  uart_->irq().connect([this](bool l) { plic_->set_irq(kVirtUart0Irq, l); });

  rtc_ = std::make_unique<GoldfishRtc>("goldfish_rtc", timers_, log_);
  memory_.add_mmio("goldfish_rtc", virt_memmap(VirtRegion::Rtc).base, GoldfishRtc::kSize, rtc_.get(), 0, 4, 4);
  rtc_->irq().connect([this](bool l) { plic_->set_irq(kVirtRtcIrq, l); });

  // PCIe (QEMU's gpex): INTx A-D on PLIC sources 32-35 through the device tree's swizzle. The
  // board has no MSI controller (QEMU's has one only with aia=), so Linux uses INTx.
  pcie_ = std::make_unique<PcieHost>(log_, [this](unsigned line, bool l) { plic_->set_irq(kVirtPcieIrq + line, l); });
  const MemMapEntry& ecam = virt_memmap(VirtRegion::PcieEcam);
  memory_.add_mmio("pcie-ecam", ecam.base, ecam.size, &pcie_->ecam(), 0, 1, 4);
  const MemMapEntry high = virt_high_pcie_mmio(config_.ram_bytes);
  for (const MemMapEntry* w : {&virt_memmap(VirtRegion::PcieMmio), &virt_memmap(VirtRegion::PciePio), &high}) {
    bool io = w == &virt_memmap(VirtRegion::PciePio);
    memory_.add_mmio(w->name, w->base, w->size, &pcie_->add_window(io, io ? 0 : w->base), 0, 1, io ? 4 : 8);
  }

  // virtio: -device virtio-X-pci, -drive if=virtio, -virtfs and -nic on the PCIe bus (as
  // qemu-system-riscv64's `info qtree` shows; for -nic QEMU 7.2 makes no NIC at all, see
  // docs/virtio.md), -device virtio-X-device in the virtio-mmio slots.
  VirtioDevicePlan plan = make_virtio_devices(config_.devices, true);
  virtio_pci_ = make_virtio_pci_devices(memory_, plan, *pcie_, log_);
  const MemMapEntry& vio = virt_memmap(VirtRegion::Virtio);
  virtio_ = make_virtio_mmio_slots(
      memory_, plan, kVirtVirtioCount, vio.base, vio.size,
      [this](unsigned slot, bool l) { plic_->set_irq(kVirtVirtioIrq + slot, l); }, log_);

  // PLIC context 2h is hart h's M mode (MEIP), 2h + 1 its S mode (SEIP); ACLINT drives MSIP/MTIP.
  for (unsigned h = 0; h < harts; h++) {
    plic_->context_irq(2 * h).connect([this, h](bool l) {
      if (hart_irq_) hart_irq_(h, riscv::kIrqMExt, l);
    });
    plic_->context_irq(2 * h + 1).connect([this, h](bool l) {
      if (hart_irq_) hart_irq_(h, riscv::kIrqSExt, l);
    });
    aclint_->msip(h).connect([this, h](bool l) {
      if (hart_irq_) hart_irq_(h, riscv::kIrqMSoft, l);
    });
    aclint_->mtip(h).connect([this, h](bool l) {
      if (hart_irq_) hart_irq_(h, riscv::kIrqMTimer, l);
    });
  }

  loader_ = std::make_unique<ImageLoader>(memory_, dram.base, config_.ram_bytes);
  if (config_.dtb.empty())
    build_fdt();
  else
    fdt_ = load_dtb_file(config_.dtb);
  load_images();
  loader_->write_all();
  write_reset_vector();
}

VirtBoard::~VirtBoard() {
  // Devices go first, under the device lock: the timer thread cannot be inside one of their
  // callbacks meanwhile, and finds their timers gone when it gets the lock (it is stopped after
  // this body, when timers_ is destroyed).
  // The devices' I/O threads take the device lock to return requests: stop them without it.
  for (auto& v : virtio_) v->stop();
  for (auto& v : virtio_pci_) v->stop();
  std::lock_guard lock(memory_.device_lock());
  virtio_.clear();
  virtio_pci_.clear();
  pcie_.reset();
  test_.reset();
  rtc_.reset();
  uart_.reset();
  plic_.reset();
  mswi_.reset();
  mtimer_.reset();
  aclint_.reset();
}

void VirtBoard::build_fdt() {
  unsigned harts = config_.smp;
  FdtBuilder b;
  // phandles in QEMU's order: the cpus from the last to the first (each then its intc), the
  // PLIC, the test device.
  std::vector<uint32_t> cpu_ph(harts), intc_ph(harts);
  for (unsigned i = harts; i-- > 0;) {
    cpu_ph[i] = b.alloc_phandle();
    intc_ph[i] = b.alloc_phandle();
  }
  uint32_t plic_ph = b.alloc_phandle();
  uint32_t test_ph = b.alloc_phandle();
  auto reg = [&](uint64_t base, uint64_t size) {
    b.prop_cells("reg", {uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32), uint32_t(size)});
  };

  b.begin_node("");
  b.prop_u32("#address-cells", 2);
  b.prop_u32("#size-cells", 2);
  b.prop_string("compatible", "riscv-virtio");
  b.prop_string("model", "riscv-virtio,qemu");

  b.begin_node("chosen");
  std::random_device rd;
  uint32_t seed[8];
  for (uint32_t& s : seed) s = rd();
  b.prop_bytes("rng-seed", seed, sizeof seed);
  b.prop_string("stdout-path", fmt::format("/soc/serial@{:x}", virt_memmap(VirtRegion::Uart0).base));
  b.end_node();

  b.begin_node("poweroff");
  b.prop_u32("value", SifiveTest::kPass);
  b.prop_u32("offset", 0);
  b.prop_u32("regmap", test_ph);
  b.prop_string("compatible", "syscon-poweroff");
  b.end_node();
  b.begin_node("reboot");
  b.prop_u32("value", SifiveTest::kReset);
  b.prop_u32("offset", 0);
  b.prop_u32("regmap", test_ph);
  b.prop_string("compatible", "syscon-reboot");
  b.end_node();

  const MemMapEntry& dram = virt_memmap(VirtRegion::Dram);
  b.begin_node(fmt::format("memory@{:x}", dram.base));
  b.prop_string("device_type", "memory");
  reg(dram.base, config_.ram_bytes);
  b.end_node();

  b.begin_node("cpus");
  b.prop_u32("#address-cells", 1);
  b.prop_u32("#size-cells", 0);
  b.prop_u32("timebase-frequency", uint32_t(kVirtTimebaseHz));
  for (unsigned i = harts; i-- > 0;) {
    b.begin_node(fmt::format("cpu@{}", i));
    b.prop_u32("phandle", cpu_ph[i]);
    b.prop_string("device_type", "cpu");
    b.prop_u32("reg", i);
    b.prop_string("status", "okay");
    b.prop_string("compatible", "riscv");
    b.prop_string("riscv,isa", kVirtIsa);
    b.prop_string("mmu-type", kVirtMmuType);
    b.begin_node("interrupt-controller");
    b.prop_u32("#interrupt-cells", 1);
    b.prop_empty("interrupt-controller");
    b.prop_string("compatible", "riscv,cpu-intc");
    b.prop_u32("phandle", intc_ph[i]);
    b.end_node();
    b.end_node();
  }
  b.begin_node("cpu-map");
  b.begin_node("cluster0");
  for (unsigned i = 0; i < harts; i++) {
    b.begin_node(fmt::format("core{}", i));
    b.prop_u32("cpu", cpu_ph[i]);
    b.end_node();
  }
  b.end_node();
  b.end_node();
  b.end_node();  // cpus

  b.begin_node("soc");
  b.prop_u32("#address-cells", 2);
  b.prop_u32("#size-cells", 2);
  b.prop_string("compatible", "simple-bus");
  b.prop_empty("ranges");

  const MemMapEntry& rtc = virt_memmap(VirtRegion::Rtc);
  b.begin_node(fmt::format("rtc@{:x}", rtc.base));
  b.prop_u32("interrupts", kVirtRtcIrq);
  b.prop_u32("interrupt-parent", plic_ph);
  reg(rtc.base, rtc.size);
  b.prop_string("compatible", "google,goldfish-rtc");
  b.end_node();

  const MemMapEntry& uart = virt_memmap(VirtRegion::Uart0);
  b.begin_node(fmt::format("serial@{:x}", uart.base));
  b.prop_u32("interrupts", kVirtUart0Irq);
  b.prop_u32("interrupt-parent", plic_ph);
  b.prop_u32("clock-frequency", kUartClockHz);
  reg(uart.base, uart.size);
  b.prop_string("compatible", "ns16550a");
  b.end_node();

  const MemMapEntry& test = virt_memmap(VirtRegion::Test);
  b.begin_node(fmt::format("test@{:x}", test.base));
  b.prop_u32("phandle", test_ph);
  reg(test.base, test.size);
  b.prop_string_list("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  b.end_node();

  const MemMapEntry& vio = virt_memmap(VirtRegion::Virtio);
  for (unsigned i = kVirtVirtioCount; i-- > 0;) {
    uint64_t base = vio.base + i * vio.size;
    b.begin_node(fmt::format("virtio_mmio@{:x}", base));
    b.prop_u32("interrupts", kVirtVirtioIrq + i);
    b.prop_u32("interrupt-parent", plic_ph);
    reg(base, vio.size);
    b.prop_string("compatible", "virtio,mmio");
    b.end_node();
  }

  const MemMapEntry& plic = virt_memmap(VirtRegion::Plic);
  b.begin_node(fmt::format("plic@{:x}", plic.base));
  b.prop_u32("phandle", plic_ph);
  b.prop_u32("riscv,ndev", plic_->config().num_sources - 1);
  reg(plic.base, plic.size);
  std::vector<uint32_t> plic_ext, clint_ext;
  for (unsigned i = 0; i < harts; i++) {
    plic_ext.insert(plic_ext.end(), {intc_ph[i], riscv::kIrqMExt, intc_ph[i], riscv::kIrqSExt});
    clint_ext.insert(clint_ext.end(), {intc_ph[i], riscv::kIrqMSoft, intc_ph[i], riscv::kIrqMTimer});
  }
  b.prop_cells("interrupts-extended", plic_ext);
  b.prop_empty("interrupt-controller");
  b.prop_string_list("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  b.prop_u32("#address-cells", 0);
  b.prop_u32("#interrupt-cells", 1);
  b.end_node();

  const MemMapEntry& clint = virt_memmap(VirtRegion::Clint);
  b.begin_node(fmt::format("clint@{:x}", clint.base));
  b.prop_cells("interrupts-extended", clint_ext);
  reg(clint.base, clint.size);
  b.prop_string_list("compatible", {"sifive,clint0", "riscv,clint0"});
  b.end_node();

  const MemMapEntry &pio = virt_memmap(VirtRegion::PciePio), &ecam = virt_memmap(VirtRegion::PcieEcam),
                    &mmio = virt_memmap(VirtRegion::PcieMmio);
  const MemMapEntry high = virt_high_pcie_mmio(config_.ram_bytes);
  PcieFdtLayout pl{fmt::format("pci@{:x}", ecam.base),
                   ecam.base,
                   ecam.size,
                   pio.base,
                   pio.size,
                   mmio.base,
                   mmio.size,
                   high.base,
                   high.size};
  pl.intx_parent = [plic_ph](unsigned line) { return std::vector<uint32_t>{plic_ph, kVirtPcieIrq + line}; };
  fdt_pcie_host_node(b, pl);

  b.end_node();  // soc
  b.end_node();  // root
  fdt_ = b.finish();
}

void VirtBoard::load_images() {
  const MemMapEntry& dram = virt_memmap(VirtRegion::Dram);
  uint64_t dram_end = dram.base + config_.ram_bytes;
  boot_.start_addr = dram.base;
  boot_.firmware_end = dram.base;

  std::string bios = config_.bios.empty() ? "default" : config_.bios;
  if (bios != "none") {
    std::string path = bios == "default" ? kDefaultBios : bios;
    std::string what = "-bios " + path;
    std::vector<uint8_t> file = read_input_file("-bios", path);
    if (ImageLoader::is_elf(file)) {
      // QEMU still jumps to the DRAM base: an ELF firmware is expected to start there.
      boot_.firmware_end = loader_->load_elf(what, file).high;
    } else {
      loader_->load_raw(what, file, dram.base);
      boot_.firmware_end = dram.base + file.size();
    }
  }

  FdtEditor chosen(fdt_, config_.dtb.empty() ? "generated device tree" : "-dtb " + config_.dtb);
  if (!config_.kernel.empty()) {
    std::string what = "-kernel " + config_.kernel;
    std::vector<uint8_t> file = read_input_file("-kernel", config_.kernel);
    // riscv_calc_kernel_start_addr: the first 2 MiB boundary after the firmware (RV64).
    uint64_t kernel_start = align_up(boot_.firmware_end, 2 * kMiB);
    LinuxImageHeader image;
    if (ImageLoader::is_elf(file)) {
      ImageLoader::ElfInfo elf = loader_->load_elf(what, file);
      // QEMU hands the firmware the lowest address, not e_entry (as fw_jump/fw_payload do).
      boot_.kernel_entry = elf.low;
      if (bios == "none") boot_.start_addr = elf.entry;
    } else if (parse_linux_image(file, &image)) {
      if (image.image_size != 0 && image.image_size < file.size())
        throw MachineError(fmt::format("{}: Linux Image header says image_size {:#x}, smaller than the file ({:#x})",
                                       what, image.image_size, file.size()));
      // image_size covers .bss: reserve it so that the initrd or the FDT never lands there.
      loader_->load_raw(what, file, kernel_start, image.image_size);
      boot_.kernel_entry = kernel_start;
    } else {
      loader_->load_raw(what, file, kernel_start);
      boot_.kernel_entry = kernel_start;
    }
    if (bios == "none" && !ImageLoader::is_elf(file)) boot_.start_addr = boot_.kernel_entry;

    if (!config_.initrd.empty()) {
      // riscv_load_initrd: half of RAM, at most 128 MiB, past the kernel.
      std::vector<uint8_t> rd = read_input_file("-initrd", config_.initrd);
      uint64_t start = boot_.kernel_entry + std::min<uint64_t>(config_.ram_bytes / 2, 128 * kMiB);
      if (start >= dram_end || rd.size() > dram_end - start)
        throw MachineError(fmt::format("-initrd {}: {:#x} bytes at {:#x} do not fit in RAM (ends at {:#x}); raise -m",
                                       config_.initrd, rd.size(), start, dram_end));
      loader_->load_raw("-initrd " + config_.initrd, rd, start);
      boot_.initrd_start = start;
      boot_.initrd_end = start + rd.size();
      // QEMU 7.2 writes these as single cells.
      chosen.set_u32("/chosen", "linux,initrd-start", uint32_t(boot_.initrd_start));
      chosen.set_u32("/chosen", "linux,initrd-end", uint32_t(boot_.initrd_end));
    }
  }
  if (!config_.append.empty()) chosen.set_string("/chosen", "bootargs", config_.append);
  chosen.randomize_rng_seeds();
  chosen.pack();

  // riscv_load_fdt: 2 MiB aligned, below the end of RAM or 3 GiB, whichever is lower.
  uint64_t top = dram.base < 3072 * kMiB ? std::min<uint64_t>(dram_end, 3072 * kMiB) : dram_end;
  if (fdt_.size() > top - dram.base || align_down(top - fdt_.size(), 2 * kMiB) < dram.base)
    throw MachineError(
        fmt::format("device tree of {:#x} bytes: no 2 MiB aligned room for it in RAM; raise -m", fdt_.size()));
  boot_.fdt_addr = align_down(top - fdt_.size(), 2 * kMiB);
  loader_->load_raw("fdt", fdt_, boot_.fdt_addr);
}

void VirtBoard::write_reset_vector() {
  // riscv_setup_rom_reset_vec (RV64): a2 = &fw_dynamic_info, a0 = mhartid, a1 = FDT, jump.
  uint32_t words[10] = {
      0x00000297,  // 1: auipc t0, %pcrel_hi(fw_dyn)
      0x02828613,  //    addi  a2, t0, %pcrel_lo(1b)
      0xf1402573,  //    csrr  a0, mhartid
      0x0202b583,  //    ld    a1, 32(t0)
      0x0182b283,  //    ld    t0, 24(t0)
      0x00028067,  //    jr    t0
      uint32_t(boot_.start_addr),
      uint32_t(boot_.start_addr >> 32),
      uint32_t(boot_.fdt_addr),
      uint32_t(boot_.fdt_addr >> 32),
  };
  uint64_t info[6] = {kFwDynamicMagic, kFwDynamicVersion, boot_.kernel_entry, kFwDynamicNextModeS, 0, 0};
  reset_vec_.resize(sizeof words + sizeof info);
  memcpy(reset_vec_.data(), words, sizeof words);  // little-endian host, little-endian guest
  memcpy(reset_vec_.data() + sizeof words, info, sizeof info);
  if (!memory_.write(virt_memmap(VirtRegion::Mrom).base, reset_vec_.data(), reset_vec_.size()))
    throw MachineError("mrom: cannot write the reset vector");
}

void VirtBoard::reset() {
  std::lock_guard lock(memory_.device_lock());
  aclint_->reset();
  plic_->reset();
  uart_->reset();
  rtc_->reset();
  for (auto& v : virtio_) v->reset();
  pcie_->reset();
  loader_->write_all();
  write_reset_vector();
}

void VirtBoard::snapshot_sections(std::vector<SnapshotSection>& out) {
  out.push_back({"plic", 1, [this](StateIo& io) { plic_->snapshot_state(io); }});
  out.push_back({"aclint", 1, [this](StateIo& io) { aclint_->snapshot_state(io); }});
  out.push_back({"serial", 1, [this](StateIo& io) { uart_->snapshot_state(io); }});
  out.push_back({"goldfish-rtc", 1, [this](StateIo& io) { rtc_->snapshot_state(io); }});
  out.push_back({"gpex-pcihost", 1, [this](StateIo& io) { pcie_->snapshot_state(io); }});
  virtio_functions().snapshot_sections(out);
}

std::string VirtBoard::snapshot_devices() { return virtio_functions().snapshot_devices(); }

std::string VirtBoard::snapshot_blocker() { return virtio_functions().snapshot_blocker(); }

std::vector<VirtioBlk*> VirtBoard::disks() { return virtio_functions().disks(); }

void VirtBoard::drain_io() { virtio_functions().drain(); }

std::vector<uint8_t> virt_device_tree(const MachineConfig& config) {
  NullConsole console;
  VirtBoard board(config, console, nullptr);
  return board.fdt();
}

void write_dtb_file(const std::string& path, const std::vector<uint8_t>& blob) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(reinterpret_cast<const char*>(blob.data()), std::streamsize(blob.size())))
    throw MachineError(fmt::format("dumpdtb={}: cannot write the device tree: {}", path, strerror(errno)));
}

}  // namespace mimic::hw
