// Machines: the configuration the command line builds, the board interface, and the registry
// that `-M NAME` and `-M help` use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "hw/core/device_options.h"

namespace mimic::tcg {
class Logger;
}

namespace mimic::hw {

class MachineDebug;

// Everything `mimic system` was told (qemu-system's options).
struct MachineConfig {
  // The guest architecture, chosen as QEMU chooses it, by the program: `mimic system-aarch64`
  // ("aarch64"), `mimic system-riscv64` and `mimic system` ("riscv64").
  std::string arch = "riscv64";
  std::string machine = "virt";
  // -M NAME,PROPS: the properties the command line does not handle itself (type=, dumpdtb=),
  // comma-separated, for the board to parse (hw/arm/virt.h: gic-version=, secure=, ...).
  std::string properties;
  uint64_t ram_bytes = uint64_t(128) << 20;  // -m (QEMU's default for virt: 128 MiB)
  unsigned smp = 1;                          // -smp
  std::string cpu;                           // -cpu
  std::string bios;                          // -bios: "" (= "default"), "default", "none" or a file
  std::string kernel, initrd, append, dtb;   // -kernel -initrd -append -dtb
  bool no_reboot = false;                    // -no-reboot: a guest reset ends mimic
  bool single_thread = false;                // -accel tcg,thread=single: round-robin harts on one thread
  uint32_t log_flags = 0;                    // -d (tcg::LogFlag) ...
  std::string log_file;                      // -D
  bool interpreter = false;                  // -interp
  std::string dumpdtb;                       // -M virt,dumpdtb=FILE: write the device tree and exit
  DeviceOptions devices;                     // -drive, -device, -global
  // The program's -d/-D log, shared by the engine and the devices (-d unimp). Null: the machine
  // opens its own from log_flags/log_file (two Loggers on one -D file would truncate each other).
  tcg::Logger* logger = nullptr;
};

// Thrown for a configuration or input file the machine cannot use: `what()` is the whole
// message for the user (names the file/option and the problem).
struct MachineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The console character device: the board's UART reads from and writes to it.
class CharBackend {
 public:
  virtual ~CharBackend() = default;
  virtual void write(const uint8_t* data, size_t len) = 0;
  // Installed by the UART: called (from the console thread, device lock held) for each input byte.
  virtual void set_receiver(std::function<void(uint8_t)> rx, std::function<bool()> can_receive) = 0;
};

class Machine {
 public:
  virtual ~Machine() = default;
  // Runs until the guest powers off (returns its exit status), resets with -no-reboot (0), or
  // stop() is called (the given status).
  virtual int run() = 0;
  virtual void stop(int status) = 0;
  // Monitor commands: text answers.
  virtual std::string info_registers() = 0;
  // `info cpus`: each vCPU's pc and state, without stopping it (QEMU's layout).
  virtual std::string info_cpus() { return "info cpus: not available for this machine\n"; }
  virtual std::string info_mtree() = 0;
  virtual std::string info_tlb() = 0;
  virtual bool read_phys(uint64_t phys, void* buf, size_t len) = 0;
  virtual bool read_virt(unsigned cpu, uint64_t vaddr, void* buf, size_t len) = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  // `info status`: paused by the monitor (stop, -S) or running.
  virtual bool paused() const = 0;
  // `system_reset`: a reset as if the guest asked for one (so with -no-reboot mimic ends).
  virtual void system_reset() = 0;
  // `system_powerdown`: presses the board's power button; returns "" or why nothing happened.
  virtual std::string system_powerdown() = 0;
  // The device lock (QEMU's big lock): the console holds it while it feeds the UART.
  virtual std::recursive_mutex& device_lock() = 0;
  // The debugger's view of the machine (hw/core/debug.h); null when the board has none.
  virtual MachineDebug* debug() { return nullptr; }

  // Whole-machine snapshots (docs/snapshots.md). Each returns "" or the error for the user
  // ("Error: ..." lines, as QEMU's monitor prints them). savevm/loadvm/delvm keep the snapshot
  // inside the qcow2 disks (-loadvm NAME); the files hold it for disks of any format
  // (-loadvm-file FILE). Callable before run() (the command line's -loadvm) and while it runs
  // (the monitor); the machine carries on running afterwards unless it was stopped.
  virtual std::string savevm(const std::string& name) { return unsupported_snapshots(); }
  virtual std::string loadvm(const std::string& name) { return unsupported_snapshots(); }
  virtual std::string delvm(const std::string& name) { return unsupported_snapshots(); }
  // `info snapshots`: the snapshots every writable qcow2 disk has, as QEMU lists them.
  virtual std::string info_snapshots() { return unsupported_snapshots(); }
  virtual std::string save_snapshot_file(const std::string& path) { return unsupported_snapshots(); }
  virtual std::string load_snapshot_file(const std::string& path) { return unsupported_snapshots(); }

 protected:
  static std::string unsupported_snapshots() { return "Error: snapshots are not implemented for this board yet\n"; }
};

struct MachineType {
  std::string name, description;
  std::function<std::unique_ptr<Machine>(const MachineConfig&, CharBackend& console)> create;
  bool is_default = false;
  std::string arch = "riscv64";        // MachineConfig::arch it serves
  std::vector<std::string> cpu_types;  // what -cpu takes (-cpu help lists them)
};
// Registering a name twice replaces the earlier entry (boards are registered explicitly by the
// program, not by static constructors that a static library would drop).
// Machines are keyed by (arch, name): `virt` exists for riscv64 and for aarch64.
void register_machine(MachineType type);
const MachineType* find_machine(const std::string& name, const std::string& arch = "riscv64");
std::vector<const MachineType*> machine_types(const std::string& arch = "riscv64");  // sorted by name
// `-M help`: "Supported machines are:" and one line per machine of `arch`, as qemu-system prints it.
std::string machine_help(const std::string& arch = "riscv64");

}  // namespace mimic::hw
