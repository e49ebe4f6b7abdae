// run_system: registers the boards, builds the machine, wires console and monitor, runs it.
#include "frontends/system.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <memory>

#include "frontends/console.h"
#include "frontends/gdbstub_system.h"
#include "hw/arm/virt_machine.h"
#include "hw/core/machine.h"
#include "hw/riscv/virt.h"
#include "hw/virtio/virtio_devices.h"
#include "target/arm/system.h"
#include "target/riscv/system.h"

namespace mimic::frontends {

namespace {
void register_boards() {
  static bool done = false;
  if (done) return;
  done = true;
  hw::register_riscv_virt(riscv::make_system_engine);
  hw::register_arm_virt(arm::make_system_engine);
}
}  // namespace

int run_system(const SystemOptions& options) {
  register_boards();
  if (options.machine_help) {
    fmt::print(stdout, "{}", hw::machine_help(options.machine.arch));
    return 0;
  }
  if (options.device_help) {
    fmt::print(stdout, "{}", hw::virtio_device_help());
    return 0;
  }
  const hw::MachineType* type = hw::find_machine(options.machine.machine, options.machine.arch);
  if (!type) {
    fmt::print(stderr, "mimic: unknown {} machine '{}' (-M help lists them)\n", options.machine.arch,
               options.machine.machine);
    return 1;
  }
  if (options.cpu_help) {
    fmt::print(stdout, "Available CPUs:\n");
    for (const std::string& cpu : type->cpu_types) fmt::print(stdout, "  {}\n", cpu);
    return 0;
  }
  std::unique_ptr<hw::Machine> machine;
  StdioConsole console(
      options.stdio,
      [&](const std::string& line) {
        bool quit = false;
        std::string answer = monitor_command(*machine, line, &quit);
        if (quit) machine->stop(0);
        return answer;
      },
      [&] { machine->stop(0); });
  try {
    machine = type->create(options.machine, console);
  } catch (const hw::MachineError& e) {
    fmt::print(stderr, "mimic: {}\n", e.what());
    return 1;
  }
  if (!options.loadvm.empty() || !options.loadvm_file.empty()) {
    if (!options.loadvm.empty() && !options.loadvm_file.empty()) {
      fmt::print(stderr, "mimic: -loadvm and -loadvm-file: give one of them\n");
      return 1;
    }
    std::string error =
        options.loadvm.empty() ? machine->load_snapshot_file(options.loadvm_file) : machine->loadvm(options.loadvm);
    if (!error.empty()) {
      if (error.rfind("Error: ", 0) == 0) error = error.substr(7);
      fmt::print(stderr, "mimic: {}: {}", options.loadvm.empty() ? "-loadvm-file" : "-loadvm", error);
      return 1;
    }
  }
  std::unique_ptr<SystemDebugger> gdb;
  if (options.gdb_port) {
    SystemGdbConfig gc;
    gc.host = options.gdb_host;
    gc.port = options.gdb_port;
    gc.start_stopped = options.start_stopped;
    gc.monitor = [&](const std::string& line) {
      bool quit = false;
      std::string answer = monitor_command(*machine, line, &quit);
      if (quit) machine->stop(0);
      return answer;
    };
    gc.quit = [&] { machine->stop(0); };
    std::string error;
    gdb = start_system_gdb(*machine, gc, &error);
    if (!gdb) {
      fmt::print(stderr, "mimic: {}\n", error);
      return 1;
    }
  } else if (options.start_stopped) {
    machine->pause();  // -S without gdb: the monitor's `cont` starts the harts
  }
  console.start(&machine->device_lock());
  int status;
  try {
    status = machine->run();
  } catch (const std::exception& e) {
    console.stop();
    fmt::print(stderr, "mimic: internal error: {}\n", e.what());
    return 70;
  }
  console.stop();
  if (gdb) gdb->machine_ended(status);
  return status;
}

}  // namespace mimic::frontends
