// A stand-in for `mimic system -M virt ...` until the frontend lands: builds the virt board with
// RISC-V harts on a system-mode engine and runs it, console on stdout. Takes the options
// run_baremetal.py passes (-M virt -bios B -nographic -kernel K) and -initrd, -append, -m MiB,
// -smp N, -d LIST, -accel tcg,thread=single, -interp.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "hw/core/machine.h"
#include "hw/riscv/virt.h"
#include "target/riscv/system.h"
#include "tcg/exec/options.h"

namespace {

class StdoutConsole final : public mimic::hw::CharBackend {
 public:
  void write(const uint8_t* data, size_t len) override {
    std::fwrite(data, 1, len, stdout);
    std::fflush(stdout);
  }
  void set_receiver(std::function<void(uint8_t)>, std::function<bool()>) override {}
};

int usage(const char* why) {
  std::fprintf(stderr, "virt_runner: %s\nusage: virt_runner -M virt -bios none -nographic -kernel FILE\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mimic;
  hw::MachineConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "-M") {
      config.machine = value();
    } else if (a == "-bios") {
      config.bios = value();
    } else if (a == "-kernel") {
      config.kernel = value();
    } else if (a == "-initrd") {
      config.initrd = value();
    } else if (a == "-append") {
      config.append = value();
    } else if (a == "-m") {
      config.ram_bytes = std::stoull(value()) << 20;  // MiB
    } else if (a == "-smp") {
      config.smp = unsigned(std::stoul(value()));
    } else if (a == "-d") {
      std::string error;
      if (!tcg::parse_log_flags(value(), config.log_flags, error)) return usage(error.c_str());
    } else if (a == "-accel") {
      config.single_thread = value().find("thread=single") != std::string::npos;
    } else if (a == "-interp") {
      config.interpreter = true;
    } else if (a != "-nographic") {
      return usage(("unknown option " + a).c_str());
    }
  }
  hw::register_riscv_virt(riscv::make_system_engine);
  const hw::MachineType* type = hw::find_machine(config.machine);
  if (!type) return usage("unknown machine");
  StdoutConsole console;
  try {
    auto machine = type->create(config, console);
    if (!machine) return 0;
    return machine->run();
  } catch (const hw::MachineError& e) {
    std::fprintf(stderr, "virt_runner: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "virt_runner: internal error: %s\n", e.what());
    return 70;
  }
}
