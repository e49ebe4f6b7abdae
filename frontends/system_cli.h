// `mimic system` options in qemu-system's spelling, parsed into a machine configuration.
#pragma once

#include <string>
#include <vector>

#include "frontends/console.h"
#include "hw/core/machine.h"

namespace mimic::frontends {

struct SystemOptions {
  hw::MachineConfig machine;
  bool machine_help = false;  // -M help
  bool cpu_help = false;      // -cpu help: the board's CPU models
  bool device_help = false;   // -device help: the devices -device takes
  // What stdio carries, from -serial and -monitor as qemu-system -nographic resolves them (see
  // StdioUse). Set by parse_system_options once every option is read.
  StdioUse stdio = StdioUse::kSerialAndMonitor;
  // -s / -gdb tcp:[HOST]:PORT: the gdb stub's address (port 0: no stub); -S: start stopped.
  std::string gdb_host = "127.0.0.1";
  int gdb_port = 0;
  bool start_stopped = false;
  // -loadvm NAME: start from the snapshot NAME of the qcow2 disks; -loadvm-file FILE: from a
  // snapshot file (docs/snapshots.md).
  std::string loadvm, loadvm_file;
};

// -gdb's device in QEMU's spelling: "tcp::PORT", "tcp:HOST:PORT" or a bare PORT. An empty host
// is 127.0.0.1 (QEMU listens on every interface; the stub reads and writes guest memory).
bool parse_gdb_device(const std::string& spec, std::string& host, int& port, std::string& error);

// Parses args[start..] (after "system"). Returns false and sets `error` to one line naming the
// option and the problem.
bool parse_system_options(const std::vector<std::string>& args, size_t start, SystemOptions& out, std::string& error);

// Sizes as -m takes them: a number of MiB, or with a suffix K, M, G, T (QEMU's rule).
bool parse_ram_size(const std::string& text, uint64_t& bytes);

std::string system_usage_text();

}  // namespace mimic::frontends
