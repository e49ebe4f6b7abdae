// The Arm virt board without its CPUs: QEMU 7.2's memory map and interrupt numbers, the devices
// and their wiring, the device tree hw/arm/virt.c generates, and arm_load_kernel's placement of
// the kernel, initrd and device tree (hw/arm/boot.c).
#include "hw/arm/virt.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "hw/block/pflash_cfi01.h"
#include "hw/char/pl011.h"
#include "hw/core/fdt.h"
#include "hw/gpio/pl061.h"
#include "hw/intc/arm_gicv2.h"
#include "hw/intc/arm_gicv3.h"
#include "hw/intc/arm_gicv3_its.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/pcie_fdt.h"
#include "hw/pci/pcie_host.h"
#include "hw/rtc/pl031.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_devices.h"
#include "hw/virtio/virtio_mmio.h"

namespace mimic::hw {

namespace {
constexpr uint64_t kMiB = uint64_t(1) << 20, kGiB = uint64_t(1) << 30;

constexpr ArmMemMapEntry kMemmap[] = {
    {"flash", 0x00000000, 2 * kArmVirtFlashBankSize},
    {"gic-dist", 0x08000000, 0x00010000},
    {"gic-cpu", 0x08010000, 0x00010000},
    {"gic-v2m", 0x08020000, 0x00001000},
    {"gic-hyp", 0x08030000, 0x00010000},
    {"gic-vcpu", 0x08040000, 0x00010000},
    {"gic-its", 0x08080000, 0x00020000},
    {"gic-redist", 0x080a0000, 0x00f60000},
    {"uart", 0x09000000, 0x00001000},
    {"rtc", 0x09010000, 0x00001000},
    {"fw-cfg", 0x09020000, 0x00000018},
    {"gpio", 0x09030000, 0x00001000},
    {"secure-uart", 0x09040000, 0x00001000},
    {"secure-gpio", 0x090b0000, 0x00001000},
    {"virtio-mmio", 0x0a000000, 0x00000200},  // one slot; kArmVirtMmioCount of them
    {"platform-bus", 0x0c000000, 0x02000000},
    {"secure-mem", 0x0e000000, 0x01000000},
    {"pcie-mmio", 0x10000000, 0x2eff0000},
    {"pcie-pio", 0x3eff0000, 0x00010000},
    {"pcie-ecam", 0x3f000000, 0x01000000},
    {"mem", 0x40000000, 255 * kGiB},  // LEGACY_RAMLIMIT_BYTES
    {"gic-redist2", 0x4000000000, 64 * kMiB},
    {"pcie-ecam-high", 0x4010000000, 256 * kMiB},
    {"pcie-mmio-high", 0x8000000000, 512 * kGiB},
};

// Cells of GIC interrupt specifiers (GIC_FDT_IRQ_*).
constexpr uint32_t kIrqTypeSpi = 0, kIrqTypePpi = 1, kIrqFlagsEdgeRising = 1, kIrqFlagsLevelHigh = 4;
// PSCI 0.2 function ids QEMU's device tree lists (SMC64 where there is one).
constexpr uint32_t kPsciCpuSuspend = 0xc4000001, kPsciCpuOff = 0x84000002, kPsciCpuOn = 0xc4000003,
                   kPsciMigrate = 0xc4000005;
constexpr uint32_t kApbClockHz = 24000000;
constexpr unsigned kPowerButtonLine = 3, kKeyPower = 116;
constexpr uint64_t kPowerButtonPressNs = 100'000'000;  // QEMU's gpio-key releases after 100 ms
// Direct kernel boot (hw/arm/boot.c): the default text offset of headerless images, the most a
// gzip'd kernel may inflate to.
constexpr uint64_t kKernel64LoadAddr = 0x80000, kMaxGunzipBytes = 64 * kMiB, kBootloaderMaxSize = 0x1000;
constexpr unsigned kGicV3RedistPerRegion0 = 0x00f60000 / 0x20000;  // 123 CPUs in the low region

struct NullConsole : CharBackend {
  void write(const uint8_t*, size_t) override {}
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

bool parse_on_off(const std::string& prop, const std::string& v) {
  if (v == "on" || v == "true" || v == "yes") return true;
  if (v == "off" || v == "false" || v == "no") return false;
  throw MachineError(fmt::format("-M virt,{}={}: expected on or off", prop, v));
}

const char* cpu_compatible(const std::string& cpu) {
  if (cpu == "cortex-a53") return "arm,cortex-a53";
  if (cpu == "cortex-a72") return "arm,cortex-a72";
  return "arm,cortex-a57";  // cortex-a57, and max (QEMU's max reports itself as an A57)
}
}  // namespace

const ArmMemMapEntry& arm_virt_memmap(ArmVirtRegion r) { return kMemmap[unsigned(r)]; }

ArmVirtOptions parse_arm_virt_options(const std::string& properties, const std::string& cpu) {
  ArmVirtOptions o;
  size_t pos = 0;
  while (pos < properties.size()) {
    size_t end = properties.find(',', pos);
    if (end == std::string::npos) end = properties.size();
    std::string p = properties.substr(pos, end - pos);
    pos = end + 1;
    if (p.empty()) continue;
    size_t eq = p.find('=');
    std::string key = p.substr(0, eq), value = eq == std::string::npos ? "on" : p.substr(eq + 1);
    if (key == "gic-version") {
      if (value == "2")
        o.gic_version = 2;
      else if (value == "3" || value == "max" || value == "host")
        o.gic_version = 3;
      else
        throw MachineError(fmt::format("-M virt,gic-version={}: mimic has GICv2 and GICv3 (2, 3 or max)", value));
    } else if (key == "secure") {
      o.secure = parse_on_off(key, value);
    } else if (key == "virtualization") {
      o.virtualization = parse_on_off(key, value);
    } else if (key == "highmem") {
      o.highmem = parse_on_off(key, value);
    } else if (key == "its") {
      o.its = parse_on_off(key, value);
    } else if (key != "dumpdtb") {
      throw MachineError(fmt::format(
          "-M virt,{}: unknown property (mimic knows gic-version, secure, virtualization, highmem, its, dumpdtb)", p));
    }
  }
  if (!cpu.empty()) {
    if (cpu != "cortex-a53" && cpu != "cortex-a57" && cpu != "cortex-a72" && cpu != "max")
      throw MachineError(fmt::format("-cpu {}: unsupported for virt (cortex-a53, cortex-a57, cortex-a72, max)", cpu));
    o.cpu_type = cpu;
  }
  return o;
}

uint64_t ArmVirtBoard::cpu_mpidr(unsigned cpu) {
  // virt_cpu_mp_affinity: ARM_DEFAULT_CPUS_PER_CLUSTER (8) CPUs per Aff1 cluster.
  return uint64_t(cpu / 8) << 8 | (cpu % 8);
}

namespace {
// -drive if=pflash,format=raw,file=F[,unit=0|1][,readonly=on]: the two flash banks (units in
// command-line order when not given, as QEMU), taken out of the drive list. QEMU's rules: raw
// images only, the file exactly the bank's size.
void take_pflash_drives(DeviceOptions& devices, ArmVirtOptions& options) {
  std::vector<OptionList> rest;
  unsigned next_unit = 0;
  for (OptionList& d : devices.drives) {
    if (d.get("if") != "pflash") {
      rest.push_back(std::move(d));
      continue;
    }
    auto fail = [&d](const std::string& why) { throw MachineError(fmt::format("-drive {}: {}", d.text, why)); };
    for (auto& [k, v] : d.props)
      if (k != "if" && k != "file" && k != "format" && k != "unit" && k != "index" && k != "readonly" && k != "id")
        fail(fmt::format("unknown property '{}' for a flash drive", k));
    std::string unit_text = d.get("unit", d.get("index"));
    unsigned unit = next_unit;
    if (!unit_text.empty()) {
      char* end = nullptr;
      unit = unsigned(std::strtoul(unit_text.c_str(), &end, 10));
      if (*end) fail("unit=" + unit_text + ": expected 0 or 1");
    }
    if (unit > 1) fail(fmt::format("machine type does not support if=pflash,bus=0,unit={}", unit));
    if (!options.pflash[unit].empty()) fail(fmt::format("drive with bus=0, unit={} exists", unit));
    std::string format = d.get("format", "raw");
    if (format != "raw") fail("format=" + format + ": flash images are raw");
    std::string file = d.get("file");
    if (file.empty()) fail("file= is missing");
    struct stat st;
    if (stat(file.c_str(), &st) != 0) fail(fmt::format("{}: {}", file, strerror(errno)));
    if (uint64_t(st.st_size) != kArmVirtFlashBankSize)
      fail(fmt::format("device requires {} bytes, block backend provides {} bytes", kArmVirtFlashBankSize,
                       uint64_t(st.st_size)));
    std::string ro = d.get("readonly", "off");
    if (ro != "on" && ro != "off") fail("readonly=" + ro + ": expected on or off");
    options.pflash[unit] = file;
    options.pflash_readonly[unit] = ro == "on";
    next_unit = unit + 1;
  }
  devices.drives = std::move(rest);
}
}  // namespace

ArmVirtBoard::ArmVirtBoard(const MachineConfig& config, CharBackend& console, tcg::Logger* log,
                           const ArmVirtOptions* options)
    : config_(config),
      options_(options ? *options : parse_arm_virt_options("", config.cpu)),
      log_(log),
      timers_(clock_, memory_.device_lock()) {
  take_pflash_drives(config_.devices, options_);
  unsigned ncpu = config_.smp;
  unsigned max_cpus = options_.gic_version == 2 ? kArmVirtGicV2MaxCpus
                      : options_.highmem        ? kArmVirtMaxCpus
                                                : kGicV3RedistPerRegion0;
  if (ncpu < 1 || ncpu > max_cpus)
    throw MachineError(fmt::format("-smp {}: the virt machine with GICv{}{} takes 1 to {} CPUs", ncpu,
                                   options_.gic_version, options_.highmem ? "" : " and highmem=off", max_cpus));
  const ArmMemMapEntry& mem = arm_virt_memmap(ArmVirtRegion::Mem);
  uint64_t max_ram = options_.highmem ? mem.size : 4 * kGiB - mem.base;
  if (config_.ram_bytes < 2 * kMiB || config_.ram_bytes % tcg::kPageSize != 0)
    throw MachineError(
        fmt::format("-m: {:#x} bytes of RAM: need a whole number of pages, at least 2 MiB", config_.ram_bytes));
  if (config_.ram_bytes > max_ram)
    throw MachineError(fmt::format("-m: {:#x} bytes of RAM: the virt machine{} takes at most {} GiB", config_.ram_bytes,
                                   options_.highmem ? "" : " with highmem=off", max_ram / kGiB));
  if (!config_.initrd.empty() && config_.kernel.empty()) throw MachineError("-initrd only allowed with -kernel option");
  if (!config_.append.empty() && config_.kernel.empty()) throw MachineError("-append only allowed with -kernel option");
  // Without -kernel the CPU starts in the flash as well (empty flash: it runs zeros, as QEMU's).
  std::string bios = config_.bios == "default" || config_.bios == "none" ? "" : config_.bios;
  boot_.firmware = !bios.empty() || !options_.pflash[0].empty() || config_.kernel.empty();
  // QEMU leaves PSCI to a secure firmware; otherwise it answers PSCI calls itself, on SMC when
  // the guest has EL2 (its HVCs are its own), else on HVC.
  boot_.psci = options_.secure && boot_.firmware ? PsciConduit::None
               : options_.virtualization         ? PsciConduit::Smc
                                                 : PsciConduit::Hvc;
  try {
    memory_.add_ram("mach-virt.ram", mem.base, config_.ram_bytes);
  } catch (const std::runtime_error& e) {
    throw MachineError(fmt::format("-m: {}", e.what()));
  }

  // Flash: two banks of 64 MiB at 0. Bank 0 (firmware code: -bios or pflash unit 0) is ROM, so
  // that the CPU executes from it at RAM speed (QEMU's romd mode, without the switch to command
  // mode: firmware never writes its code bank); bank 1 (variables, pflash unit 1) is the CFI
  // flash with its command set, written through to its file.
  memory_.add_rom("virt.flash0", 0, kArmVirtFlashBankSize);
  vars_flash_ = std::make_unique<PflashCfi01>("-drive if=pflash,unit=1", kArmVirtFlashBankSize, options_.pflash[1],
                                              options_.pflash_readonly[1], log_);
  memory_.add_mmio("virt.flash1", kArmVirtFlashBankSize, kArmVirtFlashBankSize, vars_flash_.get(), 0, 1, 8);

  unsigned num_irqs = kGicFirstSpi + kArmVirtNumSpis;
  if (options_.gic_version == 2) {
    auto gic = std::make_unique<GicV2>(ncpu, num_irqs, log_, options_.virtualization);
    if (options_.virtualization) {
      memory_.add_mmio("gic_vifaceh", arm_virt_memmap(ArmVirtRegion::GicHyp).base, GicV2::kHypSize,
                       &gic->hyp_interface(), 0, 4, 4);
      memory_.add_mmio("gic_vcpu", arm_virt_memmap(ArmVirtRegion::GicVcpu).base, GicV2::kVcpuSize,
                       &gic->vcpu_interface(), 0, 4, 4);
    }
    memory_.add_mmio("gic_dist", arm_virt_memmap(ArmVirtRegion::GicDist).base, GicV2::kDistSize, &gic->distributor(), 0,
                     1, 4);
    memory_.add_mmio("gic_cpu", arm_virt_memmap(ArmVirtRegion::GicCpu).base, GicV2::kCpuSize, &gic->cpu_interface(), 0,
                     4, 4);
    memory_.add_mmio("gicv2m", arm_virt_memmap(ArmVirtRegion::GicV2m).base, GicV2::kV2mSize,
                     &gic->v2m(kArmVirtGicV2mSpi, kArmVirtGicV2mSpis), 0, 2, 4);
    gic_ = std::move(gic);
  } else {
    std::vector<uint64_t> mpidrs;
    for (unsigned c = 0; c < ncpu; c++) mpidrs.push_back(cpu_mpidr(c));
    auto gic = std::make_unique<GicV3>(std::move(mpidrs), num_irqs, log_, options_.virtualization, options_.secure);
    memory_.add_mmio("gicv3_dist", arm_virt_memmap(ArmVirtRegion::GicDist).base, GicV3::kDistSize, &gic->distributor(),
                     0, 1, 8);
    unsigned low = std::min(ncpu, kGicV3RedistPerRegion0);
    memory_.add_mmio("gicv3_redist_region[0]", arm_virt_memmap(ArmVirtRegion::GicRedist).base,
                     low * GicV3::kRedistStride, &gic->redistributors(0, low), 0, 1, 8);
    if (ncpu > low)
      memory_.add_mmio("gicv3_redist_region[1]", arm_virt_memmap(ArmVirtRegion::HighGicRedist2).base,
                       (ncpu - low) * GicV3::kRedistStride, &gic->redistributors(low, ncpu - low), 0, 1, 8);
    if (options_.its) {
      // LPIs come only through the ITS (QEMU's GICD_TYPER.LPIS follows its=).
      gic->set_memory(&memory_);
      its_ = std::make_unique<GicV3Its>(*gic, memory_, log_);
      memory_.add_mmio("gicv3_its", arm_virt_memmap(ArmVirtRegion::GicIts).base, GicV3Its::kSize, its_.get(), 0, 1, 8);
    }
    gic_ = std::move(gic);
  }
  gic_->set_output([this](unsigned cpu, ArmCpuIrq line, bool level) {
    if (cpu_irq_) cpu_irq_(cpu, line, level);
  });
  auto spi = [this](unsigned n) { return [this, n](bool level) { gic_->set_irq(0, kGicFirstSpi + n, level); }; };

  uart_ = std::make_unique<Pl011>("pl011", console, log_);
  memory_.add_mmio("pl011", arm_virt_memmap(ArmVirtRegion::Uart).base, Pl011::kSize, uart_.get(), 0, 1, 4);
  uart_->irq().connect(spi(kArmVirtUartSpi));

  rtc_ = std::make_unique<Pl031>("pl031", timers_, log_);
  memory_.add_mmio("pl031", arm_virt_memmap(ArmVirtRegion::Rtc).base, Pl031::kSize, rtc_.get(), 0, 4, 4);
  rtc_->irq().connect(spi(kArmVirtRtcSpi));

  gpio_ = std::make_unique<Pl061>("pl061", log_);
  memory_.add_mmio("pl061", arm_virt_memmap(ArmVirtRegion::Gpio).base, Pl061::kSize, gpio_.get(), 0, 1, 4);
  gpio_->irq().connect(spi(kArmVirtGpioSpi));
  if (options_.secure) {
    // QEMU's secure UART has no backend unless a second -serial is given: mimic has none.
    static NullConsole secure_console;
    secure_uart_ = std::make_unique<Pl011>("pl011-secure", secure_console, log_);
    memory_.add_mmio("pl011-secure", arm_virt_memmap(ArmVirtRegion::SecureUart).base, Pl011::kSize, secure_uart_.get(),
                     0, 1, 4);
    secure_uart_->irq().connect(spi(kArmVirtSecureUartSpi));
    secure_gpio_ = std::make_unique<Pl061>("pl061-secure", log_);
    memory_.add_mmio("pl061-secure", arm_virt_memmap(ArmVirtRegion::SecureGpio).base, Pl061::kSize, secure_gpio_.get(),
                     0, 1, 4);
    secure_gpio_->set_output_handler([this](uint8_t changed, uint8_t level) {
      for (unsigned line = 0; line < 2; line++)
        if ((changed & level & (1u << line)) && power_handler_) power_handler_(line == 1);
    });
    // Secure RAM: mimic's bus has no security attribute; the vCPUs refuse Non-secure accesses to
    // it (and to the secure flash bank and devices: hw/arm/virt_machine.cpp's secure_only).
    const ArmMemMapEntry& sram = arm_virt_memmap(ArmVirtRegion::SecureMem);
    memory_.add_ram("virt.secure-ram", sram.base, sram.size);
  }
  power_button_release_ = std::make_unique<Timer>(timers_, [this] { gpio_->set_input(kPowerButtonLine, false); });

  fw_cfg_ = std::make_unique<FwCfg>(memory_, log_);
  memory_.add_mmio("fw_cfg", arm_virt_memmap(ArmVirtRegion::FwCfg).base, FwCfg::kSize, fw_cfg_.get(), 0, 1, 8);
  fw_cfg_->add_u16(FwCfgKey::kNbCpus, uint16_t(ncpu));
  fw_cfg_->add_u16(FwCfgKey::kMaxCpus, uint16_t(ncpu));
  fw_cfg_->add_u16(FwCfgKey::kNographic, 0);
  fw_cfg_->add_u16(FwCfgKey::kBootMenu, 0);
  fw_cfg_->add_bytes(FwCfgKey::kUuid, std::vector<uint8_t>(16));

  // PCIe: INTx A-D on SPIs 3-6 (the device tree's interrupt-map swizzle), MSIs are bus writes
  // (to the GICv2m frame), or with GICv3 to GITS_TRANSLATER carrying the function's requester
  // ID as DeviceID. The PIO window is bus address 0 up; the MMIO windows are identity.
  pcie_ = std::make_unique<PcieHost>(
      log_, [this](unsigned line, bool level) { gic_->set_irq(0, kGicFirstSpi + kArmVirtPcieSpi + line, level); },
      [this](unsigned requester, uint64_t address, uint32_t data) {
        if (its_ && address == arm_virt_memmap(ArmVirtRegion::GicIts).base + GicV3Its::kTranslaterOffset)
          its_->translate(requester, data);
        else
          memory_.write(address, &data, 4);
      });
  const ArmMemMapEntry& ecam =
      arm_virt_memmap(options_.highmem ? ArmVirtRegion::HighPcieEcam : ArmVirtRegion::PcieEcam);
  memory_.add_mmio("pcie-ecam", ecam.base, ecam.size, &pcie_->ecam(), 0, 1, 4);
  for (ArmVirtRegion r : {ArmVirtRegion::PcieMmio, ArmVirtRegion::PciePio, ArmVirtRegion::HighPcieMmio}) {
    if (r == ArmVirtRegion::HighPcieMmio && !options_.highmem) continue;
    const ArmMemMapEntry& w = arm_virt_memmap(r);
    bool io = r == ArmVirtRegion::PciePio;
    memory_.add_mmio(w.name, w.base, w.size, &pcie_->add_window(io, io ? 0 : w.base), 0, 1, io ? 4 : 8);
  }

  // virtio: -device virtio-X-pci (and -drive if=virtio, -nic as QEMU's aliases on this board) on
  // the PCIe bus, -device virtio-X-device in the virtio-mmio slots.
  VirtioDevicePlan plan = make_virtio_devices(config_.devices, true);
  virtio_pci_ = make_virtio_pci_devices(memory_, plan, *pcie_, log_);
  const ArmMemMapEntry& vio = arm_virt_memmap(ArmVirtRegion::Mmio);
  virtio_ = make_virtio_mmio_slots(
      memory_, plan, kArmVirtMmioCount, vio.base, vio.size,
      [this](unsigned slot, bool l) { gic_->set_irq(0, kGicFirstSpi + kArmVirtMmioSpi + slot, l); }, log_);

  loader_ = std::make_unique<ImageLoader>(memory_, mem.base, config_.ram_bytes);
  if (config_.dtb.empty())
    build_fdt();
  else
    fdt_ = load_dtb_file(config_.dtb);
  load_images();
  loader_->write_all();
}

ArmVirtBoard::~ArmVirtBoard() {
  // Devices go first, under the device lock: the timer thread cannot be inside one of their
  // callbacks meanwhile (it is stopped after this body, when timers_ is destroyed).
  // The virtio devices' I/O threads take the device lock to return requests: stop them without it.
  for (auto& v : virtio_) v->stop();
  for (auto& v : virtio_pci_) v->stop();
  std::lock_guard lock(memory_.device_lock());
  power_button_release_.reset();
  virtio_.clear();
  virtio_pci_.clear();
  pcie_.reset();
  fw_cfg_.reset();
  vars_flash_.reset();
  gpio_.reset();
  secure_gpio_.reset();
  secure_uart_.reset();
  rtc_.reset();
  uart_.reset();
  its_.reset();
  gic_.reset();
}

void ArmVirtBoard::set_cpu_irq(std::function<void(unsigned, ArmCpuIrq, bool)> sink) {
  std::lock_guard lock(memory_.device_lock());
  cpu_irq_ = std::move(sink);
}

void ArmVirtBoard::set_cpu_index_source(std::function<unsigned()> source) {
  gic_->set_cpu_index_source(std::move(source));
}

void ArmVirtBoard::set_timer_output(unsigned cpu, ArmTimer timer, bool level) {
  std::lock_guard lock(memory_.device_lock());
  gic_->set_irq(cpu, kArmTimerPpi[unsigned(timer)], level);
}

void ArmVirtBoard::set_pmu_output(unsigned cpu, bool level) {
  std::lock_guard lock(memory_.device_lock());
  gic_->set_irq(cpu, kArmPmuPpi, level);
}

bool ArmVirtBoard::gic_sysreg_read(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t& value) {
  std::lock_guard lock(memory_.device_lock());
  return gic_->sysreg_read(cpu, enc, el, access, value);
}

bool ArmVirtBoard::gic_sysreg_write(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t value) {
  std::lock_guard lock(memory_.device_lock());
  return gic_->sysreg_write(cpu, enc, el, access, value);
}

void ArmVirtBoard::set_gic_cpu_world(unsigned cpu, GicWorld world) {
  std::lock_guard lock(memory_.device_lock());
  gic_->set_cpu_world(cpu, world);
}

bool ArmVirtBoard::gic_vsysreg_read(unsigned cpu, uint32_t enc, uint64_t& value) {
  std::lock_guard lock(memory_.device_lock());
  return gic_->vsysreg_read(cpu, enc, value);
}

bool ArmVirtBoard::gic_vsysreg_write(unsigned cpu, uint32_t enc, uint64_t value) {
  std::lock_guard lock(memory_.device_lock());
  return gic_->vsysreg_write(cpu, enc, value);
}

void ArmVirtBoard::system_powerdown() {
  std::lock_guard lock(memory_.device_lock());
  gpio_->set_input(kPowerButtonLine, true);
  power_button_release_->arm(clock_.now_ns() + kPowerButtonPressNs);
}

void ArmVirtBoard::reset() {
  std::lock_guard lock(memory_.device_lock());
  power_button_release_->cancel();
  // hw/arm/boot.c: booting a kernel straight into the Non-secure state, QEMU sets the GIC up as
  // the Secure firmware would, every interrupt in (Non-secure) Group 1.
  if (auto* v3 = dynamic_cast<GicV3*>(gic_.get())) v3->set_reset_nonsecure(options_.secure && boot_.el < 3);
  gic_->reset();
  if (its_) its_->reset();
  uart_->reset();
  rtc_->reset();
  gpio_->set_input(kPowerButtonLine, false);
  gpio_->reset();
  if (secure_uart_) secure_uart_->reset();
  if (secure_gpio_) secure_gpio_->reset();
  vars_flash_->reset();
  pcie_->reset();
  fw_cfg_->reset();
  for (auto& v : virtio_) v->reset();
  loader_->write_all();
}

void ArmVirtBoard::snapshot_sections(std::vector<SnapshotSection>& out) {
  out.push_back(
      {options_.gic_version == 2 ? "arm_gic" : "arm_gicv3", 1, [this](StateIo& io) { gic_->snapshot_state(io); }});
  if (its_) out.push_back({"arm_gicv3_its", 1, [this](StateIo& io) { its_->snapshot_state(io); }});
  out.push_back({"pl011", 1, [this](StateIo& io) { uart_->snapshot_state(io); }});
  out.push_back({"pl031", 1, [this](StateIo& io) { rtc_->snapshot_state(io); }});
  out.push_back({"pl061", 1, [this](StateIo& io) { gpio_->snapshot_state(io); }});
  out.push_back({"fw_cfg", 1, [this](StateIo& io) { fw_cfg_->snapshot_state(io); }});
  out.push_back({"pflash1", 1, [this](StateIo& io) { vars_flash_->snapshot_state(io); }});
  out.push_back({"gpex-pcihost", 1, [this](StateIo& io) { pcie_->snapshot_state(io); }});
  virtio_functions().snapshot_sections(out);
  out.push_back({"power-button", 1, [this](StateIo& io) {
                   // A press in progress is released on time after the load.
                   bool pressed = power_button_release_->armed();
                   io(pressed);
                   if (io.loading() && pressed) power_button_release_->arm(clock_.now_ns() + kPowerButtonPressNs);
                 }});
}

std::string ArmVirtBoard::snapshot_devices() { return virtio_functions().snapshot_devices(); }

std::string ArmVirtBoard::snapshot_blocker() { return virtio_functions().snapshot_blocker(); }

std::vector<VirtioBlk*> ArmVirtBoard::disks() { return virtio_functions().disks(); }

void ArmVirtBoard::drain_io() { virtio_functions().drain(); }

void ArmVirtBoard::build_fdt() {
  unsigned ncpu = config_.smp;
  bool v2 = options_.gic_version == 2;
  FdtBuilder b;
  // phandles as QEMU allocates them: the APB clock, the CPUs from the last, the GIC, its MSI
  // controller (GICv2m, or GICv3's ITS), the GPIO controller.
  uint32_t next = kArmVirtPhandleBase;
  uint32_t clock_ph = next++;
  std::vector<uint32_t> cpu_ph(ncpu);
  for (unsigned i = ncpu; i-- > 0;) cpu_ph[i] = next++;
  uint32_t gic_ph = next++;
  uint32_t msi_ph = v2 || options_.its ? next++ : 0;
  uint32_t gpio_ph = next++;
  uint32_t secure_gpio_ph = options_.secure ? next++ : 0;
  bool secure = options_.secure;
  // Secure-world devices: invisible to the Non-secure OS, enabled for the secure firmware.
  auto secure_only = [&] {
    b.prop_string("status", "disabled");
    b.prop_string("secure-status", "okay");
  };
  auto reg = [&](std::initializer_list<std::pair<uint64_t, uint64_t>> ranges) {
    std::vector<uint32_t> cells;
    for (auto [base, size] : ranges)
      cells.insert(cells.end(), {uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32), uint32_t(size)});
    b.prop_cells("reg", cells);
  };
  auto region = [](ArmVirtRegion r) { return arm_virt_memmap(r); };
  // PPIs in GICv2 device trees carry the mask of CPUs they reach (GIC_FDT_IRQ_PPI_CPU_MASK).
  uint32_t ppi_flags = kIrqFlagsLevelHigh | (v2 ? ((1u << ncpu) - 1) << 8 : 0);

  b.begin_node("");
  b.prop_string("compatible", "linux,dummy-virt");
  b.prop_u32("#address-cells", 2);
  b.prop_u32("#size-cells", 2);
  b.prop_string("model", "linux,dummy-virt");
  b.prop_u32("interrupt-parent", gic_ph);

  std::random_device rd;
  auto chosen = [&](const char* node, ArmVirtRegion uart) {
    b.begin_node(node);
    uint32_t seed[8], kaslr[2];
    for (uint32_t& s : seed) s = rd();
    for (uint32_t& s : kaslr) s = rd();
    b.prop_cells("kaslr-seed", {kaslr[0], kaslr[1]});
    b.prop_bytes("rng-seed", seed, sizeof seed);
    b.prop_string("stdout-path", fmt::format("/pl011@{:x}", region(uart).base));
    b.end_node();
  };
  chosen("chosen", ArmVirtRegion::Uart);
  if (secure) chosen("secure-chosen", ArmVirtRegion::SecureUart);

  const ArmMemMapEntry& mem = region(ArmVirtRegion::Mem);
  b.begin_node(fmt::format("memory@{:x}", mem.base));
  b.prop_string("device_type", "memory");
  reg({{mem.base, config_.ram_bytes}});
  b.end_node();

  b.begin_node("apb-pclk");
  b.prop_string("compatible", "fixed-clock");
  b.prop_u32("#clock-cells", 0);
  b.prop_u32("clock-frequency", kApbClockHz);
  b.prop_string("clock-output-names", "clk24mhz");
  b.prop_u32("phandle", clock_ph);
  b.end_node();

  PsciConduit psci = boot_.psci;
  if (psci != PsciConduit::None) {
    b.begin_node("psci");
    b.prop_string_list("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    b.prop_string("method", psci == PsciConduit::Hvc ? "hvc" : "smc");
    b.prop_u32("cpu_suspend", kPsciCpuSuspend);
    b.prop_u32("cpu_off", kPsciCpuOff);
    b.prop_u32("cpu_on", kPsciCpuOn);
    b.prop_u32("migrate", kPsciMigrate);
    b.end_node();
  }

  b.begin_node("cpus");
  b.prop_u32("#address-cells", 1);
  b.prop_u32("#size-cells", 0);
  for (unsigned i = 0; i < ncpu; i++) {
    b.begin_node(fmt::format("cpu@{}", i));
    b.prop_string("device_type", "cpu");
    b.prop_string("compatible", cpu_compatible(options_.cpu_type));
    if (ncpu > 1) b.prop_string("enable-method", "psci");  // also when the secure firmware is PSCI
    b.prop_u32("reg", uint32_t(cpu_mpidr(i)));
    b.prop_u32("phandle", cpu_ph[i]);
    b.end_node();
  }
  b.begin_node("cpu-map");
  b.begin_node("socket0");
  b.begin_node("cluster0");
  for (unsigned i = 0; i < ncpu; i++) {
    b.begin_node(fmt::format("core{}", i));
    b.prop_u32("cpu", cpu_ph[i]);
    b.end_node();
  }
  b.end_node();
  b.end_node();
  b.end_node();
  b.end_node();  // cpus

  b.begin_node("timer");
  b.prop_string_list("compatible", {"arm,armv8-timer", "arm,armv7-timer"});
  b.prop_empty("always-on");
  // Secure, Non-secure EL1 physical, virtual, EL2 physical (PPI numbers, INTID - 16).
  b.prop_cells("interrupts", {kIrqTypePpi, 13, ppi_flags, kIrqTypePpi, 14, ppi_flags, kIrqTypePpi, 11, ppi_flags,
                              kIrqTypePpi, 10, ppi_flags});
  b.end_node();

  b.begin_node("pmu");
  b.prop_string("compatible", "arm,armv8-pmuv3");
  b.prop_cells("interrupts", {kIrqTypePpi, kArmPmuPpi - 16, ppi_flags});
  b.end_node();

  // With secure=on bank 0 is the secure firmware's (secflash), bank 1 the Non-secure world's.
  const ArmMemMapEntry& flash = region(ArmVirtRegion::Flash);
  if (secure) {
    b.begin_node(fmt::format("secflash@{:x}", flash.base));
    b.prop_string("compatible", "cfi-flash");
    reg({{flash.base, kArmVirtFlashBankSize}});
    b.prop_u32("bank-width", 4);
    secure_only();
    b.end_node();
    b.begin_node(fmt::format("flash@{:x}", flash.base + kArmVirtFlashBankSize));
    b.prop_string("compatible", "cfi-flash");
    reg({{flash.base + kArmVirtFlashBankSize, kArmVirtFlashBankSize}});
    b.prop_u32("bank-width", 4);
    b.end_node();
  } else {
    b.begin_node(fmt::format("flash@{:x}", flash.base));
    b.prop_string("compatible", "cfi-flash");
    reg({{flash.base, kArmVirtFlashBankSize}, {flash.base + kArmVirtFlashBankSize, kArmVirtFlashBankSize}});
    b.prop_u32("bank-width", 4);
    b.end_node();
  }
  if (secure) {
    const ArmMemMapEntry& sram = region(ArmVirtRegion::SecureMem);
    b.begin_node(fmt::format("secram@{:x}", sram.base));
    b.prop_string("device_type", "memory");
    reg({{sram.base, sram.size}});
    secure_only();
    b.end_node();
  }

  const ArmMemMapEntry& dist = region(ArmVirtRegion::GicDist);
  b.begin_node(fmt::format("intc@{:x}", dist.base));
  b.prop_u32("#interrupt-cells", 3);
  b.prop_empty("interrupt-controller");
  b.prop_u32("#address-cells", 2);
  b.prop_u32("#size-cells", 2);
  b.prop_empty("ranges");
  if (v2) {
    b.prop_string("compatible", "arm,cortex-a15-gic");
    const ArmMemMapEntry& cpu = region(ArmVirtRegion::GicCpu);
    if (options_.virtualization) {
      const ArmMemMapEntry& hyp = region(ArmVirtRegion::GicHyp);
      const ArmMemMapEntry& vcpu = region(ArmVirtRegion::GicVcpu);
      reg({{dist.base, dist.size}, {cpu.base, cpu.size}, {hyp.base, hyp.size}, {vcpu.base, vcpu.size}});
    } else {
      reg({{dist.base, dist.size}, {cpu.base, cpu.size}});
    }
  } else {
    b.prop_string("compatible", "arm,gic-v3");
    unsigned low = std::min(ncpu, kGicV3RedistPerRegion0);
    const ArmMemMapEntry& rd0 = region(ArmVirtRegion::GicRedist);
    if (ncpu > low) {
      b.prop_u32("#redistributor-regions", 2);
      const ArmMemMapEntry& rd1 = region(ArmVirtRegion::HighGicRedist2);
      reg({{dist.base, dist.size}, {rd0.base, rd0.size}, {rd1.base, rd1.size}});
    } else {
      b.prop_u32("#redistributor-regions", 1);
      reg({{dist.base, dist.size}, {rd0.base, rd0.size}});
    }
  }
  // The virtual CPU interface's maintenance interrupt, for a guest hypervisor (QEMU gives it no CPU mask).
  if (options_.virtualization) b.prop_cells("interrupts", {kIrqTypePpi, kArmMaintenancePpi - 16, kIrqFlagsLevelHigh});
  b.prop_u32("phandle", gic_ph);
  if (v2) {
    const ArmMemMapEntry& v2m = region(ArmVirtRegion::GicV2m);
    b.begin_node(fmt::format("v2m@{:x}", v2m.base));
    b.prop_string("compatible", "arm,gic-v2m-frame");
    b.prop_empty("msi-controller");
    reg({{v2m.base, v2m.size}});
    b.prop_u32("phandle", msi_ph);
    b.end_node();
  } else if (options_.its) {
    const ArmMemMapEntry& its = region(ArmVirtRegion::GicIts);
    b.begin_node(fmt::format("its@{:x}", its.base));
    b.prop_string("compatible", "arm,gic-v3-its");
    b.prop_empty("msi-controller");
    b.prop_u32("#msi-cells", 1);
    reg({{its.base, its.size}});
    b.prop_u32("phandle", msi_ph);
    b.end_node();
  }
  b.end_node();

  auto primecell = [&](const char* node, const char* compat, ArmVirtRegion r, unsigned spi_n) {
    const ArmMemMapEntry& e = region(r);
    b.begin_node(fmt::format("{}@{:x}", node, e.base));
    b.prop_string_list("compatible", {compat, "arm,primecell"});
    reg({{e.base, e.size}});
    b.prop_cells("interrupts", {kIrqTypeSpi, spi_n, kIrqFlagsLevelHigh});
  };
  primecell("pl011", "arm,pl011", ArmVirtRegion::Uart, kArmVirtUartSpi);
  b.prop_cells("clocks", {clock_ph, clock_ph});
  b.prop_string_list("clock-names", {"uartclk", "apb_pclk"});
  b.end_node();

  primecell("pl031", "arm,pl031", ArmVirtRegion::Rtc, kArmVirtRtcSpi);
  b.prop_u32("clocks", clock_ph);
  b.prop_string("clock-names", "apb_pclk");
  b.end_node();

  primecell("pl061", "arm,pl061", ArmVirtRegion::Gpio, kArmVirtGpioSpi);
  b.prop_u32("#gpio-cells", 2);
  b.prop_empty("gpio-controller");
  b.prop_u32("clocks", clock_ph);
  b.prop_string("clock-names", "apb_pclk");
  b.prop_u32("phandle", gpio_ph);
  b.end_node();

  if (secure) {
    primecell("pl011", "arm,pl011", ArmVirtRegion::SecureUart, kArmVirtSecureUartSpi);
    b.prop_cells("clocks", {clock_ph, clock_ph});
    b.prop_string_list("clock-names", {"uartclk", "apb_pclk"});
    secure_only();
    b.end_node();
    primecell("pl061", "arm,pl061", ArmVirtRegion::SecureGpio, 0);
    b.prop_u32("#gpio-cells", 2);
    b.prop_empty("gpio-controller");
    b.prop_u32("clocks", clock_ph);
    b.prop_string("clock-names", "apb_pclk");
    b.prop_u32("phandle", secure_gpio_ph);
    secure_only();
    b.end_node();
    const char* names[] = {"gpio-poweroff", "gpio-restart"};
    for (uint32_t line = 0; line < 2; line++) {
      b.begin_node(names[line]);
      b.prop_string("compatible", names[line]);
      b.prop_cells("gpios", {secure_gpio_ph, line, 0});
      secure_only();
      b.end_node();
    }
  }

  b.begin_node("gpio-keys");
  b.prop_string("compatible", "gpio-keys");
  b.begin_node("poweroff");
  b.prop_string("label", "GPIO Key Poweroff");
  b.prop_u32("linux,code", kKeyPower);
  b.prop_cells("gpios", {gpio_ph, kPowerButtonLine, 0});
  b.end_node();
  b.end_node();

  const ArmMemMapEntry& fwcfg = region(ArmVirtRegion::FwCfg);
  b.begin_node(fmt::format("fw-cfg@{:x}", fwcfg.base));
  b.prop_string("compatible", "qemu,fw-cfg-mmio");
  reg({{fwcfg.base, fwcfg.size}});
  b.prop_empty("dma-coherent");
  b.end_node();

  const ArmMemMapEntry& vio = region(ArmVirtRegion::Mmio);
  for (unsigned i = 0; i < kArmVirtMmioCount; i++) {
    uint64_t base = vio.base + i * vio.size;
    b.begin_node(fmt::format("virtio_mmio@{:x}", base));
    b.prop_string("compatible", "virtio,mmio");
    reg({{base, vio.size}});
    b.prop_cells("interrupts", {kIrqTypeSpi, kArmVirtMmioSpi + i, kIrqFlagsEdgeRising});
    b.prop_empty("dma-coherent");
    b.end_node();
  }

  const ArmMemMapEntry& pbus = region(ArmVirtRegion::PlatformBus);
  b.begin_node(fmt::format("platform-bus@{:x}", pbus.base));
  b.prop_string_list("compatible", {"qemu,platform", "simple-bus"});
  b.prop_u32("#size-cells", 1);
  b.prop_u32("#address-cells", 1);
  b.prop_cells("ranges", {0, 0, uint32_t(pbus.base), uint32_t(pbus.size)});
  b.prop_u32("interrupt-parent", gic_ph);
  b.end_node();

  const ArmMemMapEntry& pmmio = region(ArmVirtRegion::PcieMmio);
  const ArmMemMapEntry& ppio = region(ArmVirtRegion::PciePio);
  const ArmMemMapEntry& ecam = region(options_.highmem ? ArmVirtRegion::HighPcieEcam : ArmVirtRegion::PcieEcam);
  PcieFdtLayout pl{
      fmt::format("pcie@{:x}", pmmio.base), ecam.base, ecam.size, ppio.base, ppio.size, pmmio.base, pmmio.size};
  if (options_.highmem) {
    const ArmMemMapEntry& hi = region(ArmVirtRegion::HighPcieMmio);
    pl.high_mmio_base = hi.base;
    pl.high_mmio_size = hi.size;
  }
  pl.intx_parent = [gic_ph](unsigned line) {
    return std::vector<uint32_t>{gic_ph, 0, 0, kIrqTypeSpi, kArmVirtPcieSpi + line, kIrqFlagsLevelHigh};
  };
  pl.msi_map_phandle = msi_ph;
  fdt_pcie_host_node(b, pl);

  b.end_node();  // root
  fdt_ = b.finish();
}

bool parse_arm64_image(const std::vector<uint8_t>& file, Arm64ImageHeader* out) {
  if (file.size() < 0x40 || memcmp(file.data() + 0x38, "ARM\x64", 4) != 0) return false;
  auto u64 = [&](size_t off) {
    uint64_t v;
    memcpy(&v, file.data() + off, 8);
    return v;
  };
  out->text_offset = u64(8);
  out->image_size = u64(16);
  out->flags = u64(24);
  return true;
}

namespace {
std::vector<uint8_t> gunzip(const std::string& what, const uint8_t* data, size_t len) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw MachineError(fmt::format("{}: zlib cannot start", what));
  std::vector<uint8_t> out(std::min<uint64_t>(kMaxGunzipBytes, std::max<uint64_t>(len * 4, 1 << 20)));
  zs.next_in = const_cast<uint8_t*>(data);
  zs.avail_in = uInt(len);
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.total_out == out.size()) {
      if (out.size() >= kMaxGunzipBytes) {
        inflateEnd(&zs);
        throw MachineError(
            fmt::format("{}: the gzip'd kernel inflates to more than {} MiB", what, kMaxGunzipBytes / kMiB));
      }
      out.resize(std::min<uint64_t>(kMaxGunzipBytes, out.size() * 2));
    }
    zs.next_out = out.data() + zs.total_out;
    zs.avail_out = uInt(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw MachineError(fmt::format("{}: corrupt gzip stream ({})", what,
                                     rc == Z_BUF_ERROR ? "truncated"
                                     : zs.msg          ? zs.msg
                                                       : "zlib error"));
    }
  }
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}
}  // namespace

std::vector<uint8_t> unpack_arm64_kernel(const std::string& what, std::vector<uint8_t> file) {
  if (file.size() >= 2 && file[0] == 0x1f && file[1] == 0x8b) return gunzip(what, file.data(), file.size());
  // EFI zboot (drivers/firmware/efi/libstub/zboot-header.S): "MZ", "zimg", payload offset and
  // size, the compression's name at 0x18.
  if (file.size() >= 0x40 && memcmp(file.data(), "MZ", 2) == 0 && memcmp(file.data() + 4, "zimg", 4) == 0) {
    uint32_t off, size;
    memcpy(&off, file.data() + 8, 4);
    memcpy(&size, file.data() + 12, 4);
    std::string comp(reinterpret_cast<const char*>(file.data() + 0x18),
                     strnlen(reinterpret_cast<const char*>(file.data() + 0x18), 32));
    if (uint64_t(off) + size > file.size())
      throw MachineError(fmt::format("{}: EFI zboot payload [{:#x}, +{:#x}) lies beyond the file ({:#x} bytes)", what,
                                     off, size, file.size()));
    if (comp != "gzip")
      throw MachineError(
          fmt::format("{}: EFI zboot image compressed with '{}': mimic decompresses gzip only", what, comp));
    return gunzip(what, file.data() + off, size);
  }
  return file;
}

void ArmVirtBoard::load_images() {
  const ArmMemMapEntry& mem = arm_virt_memmap(ArmVirtRegion::Mem);
  uint64_t ram_end = mem.base + config_.ram_bytes;
  std::string bios = config_.bios == "default" || config_.bios == "none" ? "" : config_.bios;
  FdtEditor chosen(fdt_, config_.dtb.empty() ? "generated device tree" : "-dtb " + config_.dtb);

  if (!bios.empty() && !options_.pflash[0].empty())
    throw MachineError("-bios and -drive if=pflash,unit=0 both give the firmware: take one");
  if (!bios.empty() || !options_.pflash[0].empty()) {
    std::string what = bios.empty() ? "-drive if=pflash,unit=0,file=" + options_.pflash[0] : "-bios " + bios;
    std::vector<uint8_t> file = read_input_file(what, bios.empty() ? options_.pflash[0] : bios);
    if (file.size() > kArmVirtFlashBankSize)
      throw MachineError(fmt::format("{}: {:#x} bytes do not fit the {} MiB flash bank", what, file.size(),
                                     kArmVirtFlashBankSize / kMiB));
    if (!memory_.write(arm_virt_memmap(ArmVirtRegion::Flash).base, file.data(), file.size()))
      throw MachineError(fmt::format("{}: cannot write the flash", what));
  }
  if (boot_.firmware) {
    // The firmware starts at the flash base at the highest EL; it reads the DTB at the RAM base
    // and finds the kernel through fw_cfg.
    boot_.entry = arm_virt_memmap(ArmVirtRegion::Flash).base;
    boot_.el = options_.secure ? 3 : options_.virtualization ? 2 : 1;
    boot_.dtb_addr = mem.base;
  } else {
    boot_.el = options_.virtualization ? 2 : 1;
  }

  uint64_t image_high = mem.base;
  if (!config_.kernel.empty() && boot_.firmware) {
    // Firmware boots the kernel itself: QEMU hands it over through fw_cfg, decompressed.
    std::string what = "-kernel " + config_.kernel;
    std::vector<uint8_t> kernel = unpack_arm64_kernel(what, read_input_file("-kernel", config_.kernel));
    fw_cfg_->add_u32(FwCfgKey::kKernelSize, uint32_t(kernel.size()));
    fw_cfg_->add_bytes(FwCfgKey::kKernelData, std::move(kernel));
    if (!config_.initrd.empty()) {
      std::vector<uint8_t> rd = read_input_file("-initrd", config_.initrd);
      fw_cfg_->add_u32(FwCfgKey::kInitrdSize, uint32_t(rd.size()));
      fw_cfg_->add_bytes(FwCfgKey::kInitrdData, std::move(rd));
    }
    fw_cfg_->add_u32(FwCfgKey::kCmdlineSize, uint32_t(config_.append.size() + 1));
    fw_cfg_->add_string(FwCfgKey::kCmdlineData, config_.append);
  } else if (!config_.kernel.empty()) {
    std::string what = "-kernel " + config_.kernel;
    std::vector<uint8_t> file = read_input_file("-kernel", config_.kernel);
    if (ImageLoader::is_elf(file)) {
      ImageLoader::ElfInfo elf = loader_->load_elf(what, file, 183 /* EM_AARCH64 */);
      boot_.entry = elf.entry;
      image_high = elf.high;
      // QEMU enters an image that is not a Linux kernel at the highest EL (EL3 with secure=on).
      if (options_.secure) boot_.el = 3;
    } else {
      file = unpack_arm64_kernel(what, std::move(file));
      Arm64ImageHeader hdr;
      uint64_t offset = kKernel64LoadAddr, size = file.size();
      if (parse_arm64_image(file, &hdr)) {
        boot_.linux_image = true;
        if (hdr.image_size != 0) {
          // hw/arm/boot.c load_aarch64_image: text_offset from the header; QEMU keeps the first
          // 4 KiB for its boot stub, so an offset inside it moves 2 MiB up.
          if (hdr.text_offset > config_.ram_bytes)
            throw MachineError(fmt::format("{}: arm64 Image header's text_offset {:#x} lies beyond RAM ({:#x} bytes)",
                                           what, hdr.text_offset, config_.ram_bytes));
          offset = hdr.text_offset < kBootloaderMaxSize ? hdr.text_offset + 2 * kMiB : hdr.text_offset;
          size = std::max<uint64_t>(size, hdr.image_size);
        }
      }
      if (offset + size > config_.ram_bytes)
        throw MachineError(fmt::format("{}: {:#x} bytes at {:#x} do not fit in RAM (ends at {:#x}); raise -m", what,
                                       size, mem.base + offset, ram_end));
      loader_->load_raw(what, file, mem.base + offset, size);
      boot_.entry = mem.base + offset;
      image_high = mem.base + offset + size;
    }
    boot_.kernel_end = image_high;

    // The initrd at half of RAM (at most 128 MiB in), past the image, page aligned.
    uint64_t initrd_start = mem.base + std::min<uint64_t>(config_.ram_bytes / 2, 128 * kMiB);
    initrd_start = align_up(std::max(initrd_start, image_high), tcg::kPageSize);
    uint64_t initrd_size = 0;
    if (!config_.initrd.empty()) {
      std::vector<uint8_t> rd = read_input_file("-initrd", config_.initrd);
      if (initrd_start >= ram_end || rd.size() > ram_end - initrd_start)
        throw MachineError(fmt::format("-initrd {}: {:#x} bytes at {:#x} do not fit in RAM (ends at {:#x}); raise -m",
                                       config_.initrd, rd.size(), initrd_start, ram_end));
      initrd_size = rd.size();
      loader_->load_raw("-initrd " + config_.initrd, rd, initrd_start);
      boot_.initrd_start = initrd_start;
      boot_.initrd_end = initrd_start + initrd_size;
      uint64_t s = __builtin_bswap64(boot_.initrd_start), e = __builtin_bswap64(boot_.initrd_end);
      chosen.set_bytes("/chosen", "linux,initrd-start", &s, 8);
      chosen.set_bytes("/chosen", "linux,initrd-end", &e, 8);
    }
    if (!config_.append.empty()) chosen.set_string("/chosen", "bootargs", config_.append);
    // The DTB after the initrd, 2 MiB aligned: early arm64 kernels map it as one 2 MiB block.
    boot_.dtb_addr = align_up(initrd_start + initrd_size, 2 * kMiB);
  }
  // hw/arm/boot.c: QEMU's PSCI is off when the guest starts at or above the EL its conduit
  // would trap to (a bare program entered at EL3 is its own firmware).
  if ((boot_.psci == PsciConduit::Hvc && boot_.el >= 2) || (boot_.psci == PsciConduit::Smc && boot_.el == 3))
    boot_.psci = PsciConduit::None;
  chosen.randomize_rng_seeds();
  chosen.pack();
  if (boot_.dtb_addr >= ram_end || fdt_.size() > ram_end - boot_.dtb_addr)
    throw MachineError(fmt::format(
        "device tree of {:#x} bytes: not enough RAM for it after the kernel and initrd (at {:#x}); raise -m",
        fdt_.size(), boot_.dtb_addr));
  loader_->load_raw("fdt", fdt_, boot_.dtb_addr);
  if (auto* v3 = dynamic_cast<GicV3*>(gic_.get()); v3 && options_.secure && boot_.el < 3) {
    v3->set_reset_nonsecure(true);
    v3->reset();
  }
}

std::vector<uint8_t> arm_virt_device_tree(const MachineConfig& config, const ArmVirtOptions* options) {
  NullConsole console;
  ArmVirtBoard board(config, console, nullptr, options);
  return board.fdt();
}

}  // namespace mimic::hw
