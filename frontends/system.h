// `mimic system`: builds the machine the options name, puts its console on stdio, runs it.
#pragma once

#include "frontends/system_cli.h"

namespace mimic::frontends {

// Returns the process exit status: the guest's poweroff status, 0 after Ctrl-a x or `quit`, 1
// with a message on stderr when the machine cannot be built.
int run_system(const SystemOptions& options);

// One monitor command line against a machine (`info registers`, `x /4x ADDR`, ...): the text
// the monitor prints. `quit` is the caller's (it ends the machine).
std::string monitor_command(hw::Machine& machine, const std::string& line, bool* quit);

}  // namespace mimic::frontends
