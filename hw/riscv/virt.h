// QEMU's RISC-V `virt` board (as of QEMU 7.2): its memory map, devices, generated device tree,
// firmware/kernel/initrd loading and the mrom reset vector. VirtBoard is everything but the
// harts (no dependency on target/riscv); VirtMachine (virt_machine.cpp) adds them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/char/ns16550a.h"
#include "hw/core/clock.h"
#include "hw/core/loader.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/core/snapshot.h"
#include "hw/intc/aclint.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "hw/pci/pcie_host.h"
#include "hw/rtc/goldfish_rtc.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_devices.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_pci.h"

namespace mimic::tcg {
class ExecEngine;
class Logger;
}  // namespace mimic::tcg

namespace mimic::hw {

// QEMU's virt_memmap[] (PCIe, flash, fw_cfg and the platform bus are left out: mimic has none
// of those devices yet).
enum class VirtRegion { Debug, Mrom, Test, Rtc, Clint, PciePio, Plic, Uart0, Virtio, PcieEcam, PcieMmio, Dram };
struct MemMapEntry {
  const char* name;
  uint64_t base, size;
};
const MemMapEntry& virt_memmap(VirtRegion r);

constexpr unsigned kVirtUart0Irq = 10, kVirtRtcIrq = 11, kVirtVirtioIrq = 1, kVirtVirtioCount = 8;
constexpr unsigned kVirtPcieIrq = 0x20;  // INTA-INTD on PLIC sources 32-35
// The 64-bit PCIe MMIO window: 16 GiB, at the first multiple of its size above RAM (QEMU 7.2).
constexpr uint64_t kVirtHighPcieMmioSize = uint64_t(16) << 30;
MemMapEntry virt_high_pcie_mmio(uint64_t ram_bytes);
constexpr unsigned kVirtMaxHarts = 512;  // QEMU VIRT_CPUS_MAX; the PLIC aperture is sized for it
constexpr uint64_t kVirtTimebaseHz = 10'000'000;
// What mimic's hart implements (QEMU 7.2's rv64 default adds h, zihintpause and zbc).
constexpr const char* kVirtIsa = "rv64imafdc_zicsr_zifencei_zba_zbb_zbs_sstc";
constexpr const char* kVirtMmuType = "riscv,sv57";
constexpr const char* kDefaultBios = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

// OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h), as the reset vector passes it.
constexpr uint64_t kFwDynamicMagic = 0x4942534f, kFwDynamicVersion = 2, kFwDynamicNextModeS = 1;

struct VirtBootInfo {
  uint64_t start_addr = 0;    // where the reset vector jumps (firmware, or the kernel with -bios none)
  uint64_t firmware_end = 0;  // one past the firmware (= DRAM base with -bios none)
  uint64_t kernel_entry = 0;  // fw_dynamic's next_addr (0 without -kernel)
  uint64_t fdt_addr = 0;
  uint64_t initrd_start = 0, initrd_end = 0;
};

class VirtBoard {
 public:
  // Builds the machine's memory, devices and boot images from `config`; throws MachineError for
  // bad options or input files. Harts are wired through set_hart_irq.
  VirtBoard(const MachineConfig& config, CharBackend& console, tcg::Logger* log);
  ~VirtBoard();

  AddressSpace& memory() { return memory_; }
  VirtualClock& clock() { return clock_; }
  TimerQueue& timers() { return timers_; }
  Aclint& aclint() { return *aclint_; }
  Plic& plic() { return *plic_; }
  Ns16550a& uart() { return *uart_; }
  GoldfishRtc& rtc() { return *rtc_; }
  VirtioMmio& virtio_slot(unsigned i) { return *virtio_[i]; }
  const MachineConfig& config() const { return config_; }
  const std::vector<uint8_t>& fdt() const { return fdt_; }
  const VirtBootInfo& boot() const { return boot_; }
  // The 0x1000 reset vector and fw_dynamic_info exactly as written into mrom.
  const std::vector<uint8_t>& reset_vector() const { return reset_vec_; }

  // Where interrupt lines end: hart `hart`'s MIP bit `irq` (riscv::Irq numbering) gets `level`.
  void set_hart_irq(std::function<void(unsigned hart, unsigned irq, bool level)> sink) { hart_irq_ = std::move(sink); }
  // The test finisher's poweroff/reset requests.
  void set_finisher(std::function<void(FinisherAction, int)> f) { finisher_ = std::move(f); }

  // Machine reset: devices to their reset state, boot images and reset vector written again
  // (QEMU's rom_reset); RAM keeps everything else.
  void reset();

  // Snapshots: every device's section in load order (interrupt controllers before the devices
  // that drive them); the -device list as the loader compares it; the virtio-blk disks; a wait
  // until no virtio request is in flight (vCPUs paused, device lock not held).
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
  void write_reset_vector();

  MachineConfig config_;
  tcg::Logger* log_;
  AddressSpace memory_;
  VirtualClock clock_;
  TimerQueue timers_;
  std::unique_ptr<Aclint> aclint_;
  std::unique_ptr<MmioWindow> mswi_, mtimer_;
  std::unique_ptr<Plic> plic_;
  std::unique_ptr<Ns16550a> uart_;
  std::unique_ptr<GoldfishRtc> rtc_;
  std::unique_ptr<SifiveTest> test_;
  std::unique_ptr<PcieHost> pcie_;
  std::vector<std::unique_ptr<VirtioPci>> virtio_pci_;
  std::vector<std::unique_ptr<VirtioMmio>> virtio_;  // by slot (address order)
  std::unique_ptr<ImageLoader> loader_;
  std::vector<uint8_t> fdt_, reset_vec_;
  VirtBootInfo boot_;
  std::function<void(unsigned, unsigned, bool)> hart_irq_;
  std::function<void(FinisherAction, int)> finisher_;
};

// The device tree VirtBoard generates for `config` (-dtb, -kernel, -initrd and -append applied
// as at boot): what `-M virt,dumpdtb=FILE` writes.
std::vector<uint8_t> virt_device_tree(const MachineConfig& config);
// Writes `blob` to `path` (dumpdtb); throws MachineError.
void write_dtb_file(const std::string& path, const std::vector<uint8_t>& blob);

// The engine the harts share, made by the program that links target/riscv's system mode (the
// board cannot know how the translator is set up). Given the board's memory so that it can hook
// RAM writes (set_ram_write_hook) into its code-page tracking.
using VirtEngineFactory = std::function<std::shared_ptr<tcg::ExecEngine>(const MachineConfig&, AddressSpace&)>;
// Registers "virt" ("RISC-V VirtIO board") in the machine registry (virt_machine.cpp).
void register_riscv_virt(VirtEngineFactory make_engine);

}  // namespace mimic::hw
