// The gdb stub for linux-user: `mimic user -g PORT` (make_user_debugger is UserOptions::make_debugger).
#pragma once

#include <memory>

#include "linux-user/debug.h"
#include "linux-user/process.h"

namespace mimic::frontends {

// Listens on 127.0.0.1:port and waits for gdb to connect; null (after one line on stderr naming
// the problem) when it cannot.
std::unique_ptr<linux_user::Debugger> make_user_debugger(linux_user::Process& proc, int port);

}  // namespace mimic::frontends
