// QEMU's Arm `virt` board (as of QEMU 7.2) without its CPUs: the memory map, the devices (GIC,
// PL011, PL031, PL061 + power button, fw_cfg, CFI flash, virtio-mmio slots, the PCIe host
// bridge), the device tree QEMU generates and the arm64 boot images. The vCPU half
// (hw/arm/virt_machine.cpp) drives the CPUs and wires them through set_cpu_irq,
// set_timer_output and gic_sysreg_read/write.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/clock.h"
#include "hw/core/loader.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/snapshot.h"
#include "hw/intc/arm_gic.h"
#include "hw/virtio/virtio_devices.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

class Pl011;
class Pl031;
class Pl061;
class VirtioMmio;
class VirtioPci;
class PflashCfi01;
class FwCfg;
class PcieHost;
class GicV3Its;
class VirtioBlk;

// ArmCpuIrq (the lines into a CPU that the GIC drives: Irq, Fiq, VIrq, VFiq) is arm_gic.h's.
// A CPU's timer outputs, wired by the board to GIC PPIs as QEMU does (NS EL1 phys 30, virt 27,
// EL2 phys 26, secure phys 29, EL2 virt 28).
enum class ArmTimer { Phys, Virt, Hyp, Sec, HypVirt };
constexpr unsigned kArmTimerPpi[] = {30, 27, 26, 29, 28};  // INTIDs, by ArmTimer
constexpr unsigned kArmPmuPpi = 23, kArmMaintenancePpi = 25;

// QEMU 7.2 hw/arm/virt.c base_memmap[] and extended_memmap[] (the entries mimic implements).
enum class ArmVirtRegion {
  Flash,
  GicDist,
  GicCpu,
  GicV2m,
  GicHyp,
  GicVcpu,
  GicIts,
  GicRedist,
  Uart,
  Rtc,
  FwCfg,
  Gpio,
  SecureUart,
  SecureGpio,
  Mmio,
  PlatformBus,
  SecureMem,
  PcieMmio,
  PciePio,
  PcieEcam,
  Mem,
  HighGicRedist2,
  HighPcieEcam,
  HighPcieMmio,
};
struct ArmMemMapEntry {
  const char* name;
  uint64_t base, size;
};
const ArmMemMapEntry& arm_virt_memmap(ArmVirtRegion r);

// SPI numbers (GIC INTID - 32) of QEMU's a15irqmap[].
constexpr unsigned kArmVirtUartSpi = 1, kArmVirtRtcSpi = 2, kArmVirtPcieSpi = 3 /* 4 INTx */, kArmVirtGpioSpi = 7,
                   kArmVirtSecureUartSpi = 8, kArmVirtMmioSpi = 16, kArmVirtGicV2mSpi = 48;
constexpr unsigned kArmVirtMmioCount = 32, kArmVirtGicV2mSpis = 64;
constexpr unsigned kArmVirtNumSpis = 256;  // QEMU's NUM_IRQS
constexpr unsigned kArmVirtGicV2MaxCpus = 8, kArmVirtMaxCpus = 512;
constexpr uint64_t kArmVirtFlashBankSize = 0x04000000;
constexpr uint32_t kArmVirtPhandleBase = 0x8000;  // where QEMU's qemu_fdt_alloc_phandle starts

enum class PsciConduit { None, Hvc, Smc };

struct ArmVirtOptions {
  unsigned gic_version = 2;  // 2 or 3 (`max` resolves to 3)
  bool secure = false, virtualization = false, highmem = true;
  bool its = true;                           // GICv3's ITS (QEMU's its=on|off; GICv2 has GICv2m regardless)
  std::string cpu_type = "cortex-a57";       // -cpu, QEMU's name
  std::string pflash[2];                     // -drive if=pflash,format=raw,file=... (unit 0 code, unit 1 vars)
  bool pflash_readonly[2] = {false, false};  // ...,readonly=on
};
// Parses the machine properties after "virt," (gic-version=, secure=, virtualization=,
// highmem=, its=, dumpdtb= is handled by the caller) and -cpu; throws MachineError naming the property.
ArmVirtOptions parse_arm_virt_options(const std::string& properties, const std::string& cpu);

class ArmVirtBoard {
 public:
  // Builds the machine's memory, devices and boot images; throws MachineError for bad options or
  // input files. `options` default from config.machine's properties and config.cpu when null.
  ArmVirtBoard(const MachineConfig& config, CharBackend& console, tcg::Logger* log,
               const ArmVirtOptions* options = nullptr);
  ~ArmVirtBoard();

  AddressSpace& memory() { return memory_; }
  VirtualClock& clock() { return clock_; }
  TimerQueue& timers() { return timers_; }
  const MachineConfig& config() const { return config_; }
  const ArmVirtOptions& options() const { return options_; }
  const std::vector<uint8_t>& fdt() const { return fdt_; }

  struct BootInfo {
    uint64_t entry = 0;     // first instruction of CPU 0
    uint64_t dtb_addr = 0;  // x0 with the Linux boot protocol
    // -bios/pflash (or no -kernel at all): start at the flash base at the highest EL, the DTB at
    // the RAM base, the firmware finds the kernel through fw_cfg. Else the Linux arm64 boot
    // protocol (x0 = dtb, x1..x3 = 0) for an Image, or a bare-metal ELF entered at e_entry with
    // every register 0 (QEMU's non-Linux boot; the DTB is loaded at dtb_addr all the same).
    bool firmware = false;
    bool linux_image = false;  // an arm64 Image (not ELF, not firmware)
    unsigned el = 1;           // the EL CPU 0 starts at: firmware 3/2/1 by secure/virtualization, else 2 or 1
    PsciConduit psci = PsciConduit::Hvc;
    uint64_t initrd_start = 0, initrd_end = 0;
    uint64_t kernel_end = 0;  // one past the image (image_size included)
  };
  const BootInfo& boot() const { return boot_; }
  // MPIDR_EL1's affinity fields of CPU `cpu` as QEMU's virt assigns them (8 CPUs per cluster).
  static uint64_t cpu_mpidr(unsigned cpu);

  // Where the GIC's outputs go: the board calls sink(cpu, line, level).
  void set_cpu_irq(std::function<void(unsigned cpu, ArmCpuIrq line, bool level)> sink);
  // Which CPU makes the current MMIO access (its index): GICv2's banked registers need it. The
  // vCPU half answers from its thread's running CPU; without it every access is CPU 0's.
  void set_cpu_index_source(std::function<unsigned()> source);
  // A CPU's timer output level (the CPU's generic timer calls this; the board drives the PPI).
  void set_timer_output(unsigned cpu, ArmTimer timer, bool level);
  // The CPU's PMU overflow interrupt (PPI 23).
  void set_pmu_output(unsigned cpu, bool level);
  // GICv3 CPU interface registers (ICC_*), encoding op0:op1:CRn:CRm:op2 packed as
  // ((op0<<14)|(op1<<11)|(CRn<<7)|(CRm<<3)|op2), accessed at `el` with the gic_access bits
  // `access`. False: not a GIC register / not accessible (the CPU raises UNDEFINED). With GICv2
  // these always return false.
  bool gic_sysreg_read(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t& value);
  bool gic_sysreg_write(unsigned cpu, uint32_t enc, unsigned el, unsigned access, uint64_t value);
  // The CPU's Security state (its exception entries and returns) for GICv3's signalling.
  void set_gic_cpu_world(unsigned cpu, GicWorld world);
  // GICv3's virtual CPU interface: the same ICC_* encodings (ICV_*) as EL1 reaches them when
  // HCR_EL2.IMO/FMO route its interrupts to EL2; the hypervisor programs it through ICH_*_EL2
  // (gic_sysreg_* at EL2). Its outputs are set_cpu_irq's VIrq/VFiq. False: UNDEFINED.
  bool gic_vsysreg_read(unsigned cpu, uint32_t enc, uint64_t& value);
  bool gic_vsysreg_write(unsigned cpu, uint32_t enc, uint64_t value);
  // Power requests: the guest asked for poweroff or reset (fw_cfg / PSCI come through the CPU).
  // The PL061 power button is an input: system_powerdown() presses it.
  void system_powerdown();
  // With secure=on, the secure GPIO's lines 0 and 1 (gpio-poweroff, gpio-restart for the secure
  // firmware) request poweroff or reset on a rising edge: `handler(reset)`.
  void set_power_handler(std::function<void(bool reset)> handler) { power_handler_ = std::move(handler); }

  ArmGic& gic() { return *gic_; }
  Pl011& uart() { return *uart_; }
  FwCfg& fw_cfg() { return *fw_cfg_; }

  // Machine reset: devices to their reset state, boot images and the device tree written again.
  void reset();

  // Whole-machine snapshots (hw/core/vcpu_machine.h, docs/snapshots.md): one section per
  // device; the identity of the plugged devices; the virtio disks; waiting for in-flight I/O.
  void snapshot_sections(std::vector<SnapshotSection>& out);
  std::string snapshot_devices();
  // The first device's reason the machine cannot be saved now (a mounted 9p export), or empty.
  std::string snapshot_blocker();
  std::vector<VirtioBlk*> disks();
  void drain_io();

 private:
  VirtioFunctions virtio_functions() { return {virtio_pci_, virtio_}; }
  void build_fdt();
  void load_images();

  MachineConfig config_;
  ArmVirtOptions options_;
  tcg::Logger* log_;
  AddressSpace memory_;
  VirtualClock clock_;
  TimerQueue timers_;
  std::unique_ptr<ArmGic> gic_;
  std::vector<std::unique_ptr<MmioOps>> gic_windows_;
  std::unique_ptr<GicV3Its> its_;  // GICv3's ITS (QEMU's virt has one from 6.2 on)
  std::unique_ptr<Pl011> uart_;
  std::unique_ptr<Pl031> rtc_;
  std::unique_ptr<Pl061> gpio_;
  std::unique_ptr<Pl011> secure_uart_;
  std::unique_ptr<Pl061> secure_gpio_;
  std::function<void(bool)> power_handler_;
  std::unique_ptr<PflashCfi01> vars_flash_;
  std::unique_ptr<PcieHost> pcie_;
  std::unique_ptr<FwCfg> fw_cfg_;
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;
  std::vector<std::unique_ptr<VirtioPci>> virtio_pci_;
  std::unique_ptr<Timer> power_button_release_;
  std::unique_ptr<ImageLoader> loader_;
  std::vector<uint8_t> fdt_;
  BootInfo boot_;
  std::function<void(unsigned, ArmCpuIrq, bool)> cpu_irq_;
  std::function<unsigned()> current_cpu_;
};

// The device tree ArmVirtBoard generates for `config` (-kernel, -initrd and -append applied as
// at boot): what `-M virt,dumpdtb=FILE` writes.
std::vector<uint8_t> arm_virt_device_tree(const MachineConfig& config, const ArmVirtOptions* options = nullptr);

// The Linux arm64 Image header (Documentation/arm64/booting.rst).
struct Arm64ImageHeader {
  uint64_t text_offset = 0, image_size = 0, flags = 0;
};
// True and fills `out` when `file` carries the "ARM\x64" magic at 0x38.
bool parse_arm64_image(const std::vector<uint8_t>& file, Arm64ImageHeader* out);
// The kernel as the board loads it: a gzip'd Image or an EFI zboot image (gzip payload)
// decompressed (at most 64 MiB, QEMU's LOAD_IMAGE_MAX_GUNZIP_BYTES), anything else as it is.
// Throws MachineError naming `what` for a corrupt compressed stream.
std::vector<uint8_t> unpack_arm64_kernel(const std::string& what, std::vector<uint8_t> file);

}  // namespace mimic::hw
