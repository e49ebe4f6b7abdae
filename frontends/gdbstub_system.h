// The gdb stub for `mimic system` (-s, -gdb tcp::PORT, -S): every vCPU a gdb thread, all-stop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "hw/core/machine.h"

namespace mimic::frontends {

class SystemDebugger {
 public:
  virtual ~SystemDebugger() = default;
  // The machine stopped running (poweroff, quit): gdb gets W<status>.
  virtual void machine_ended(int status) = 0;
};

struct SystemGdbConfig {
  std::string host = "127.0.0.1";
  int port = 1234;
  bool start_stopped = false;                              // -S: vCPUs wait at reset until gdb continues
  std::function<std::string(const std::string&)> monitor;  // qRcmd: a monitor command's answer
  std::function<void()> quit;                              // k: end the machine
};

// Listens and installs the stub in the machine's vCPU loops (gdb may connect at any time; the
// machine stops when it does). Null with `error` set when the port cannot be used or the board
// has no debug view.
std::unique_ptr<SystemDebugger> start_system_gdb(hw::Machine& machine, const SystemGdbConfig& config,
                                                 std::string* error);

}  // namespace mimic::frontends
