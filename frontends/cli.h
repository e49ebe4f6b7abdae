// The mimic command line: parsing `mimic MODE [options] ...` into options, separate from main()
// so that it can be unit-tested.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "frontends/binfmt.h"
#include "frontends/system_cli.h"
#include "linux-user/user.h"

namespace mimic::frontends {

enum class Command {
  kHelp,     // print usage_text(), exit 0
  kVersion,  // print version_text(), exit 0
  kLogHelp,  // -d help: print tcg::log_flags_help(), exit 0
  kUser,     // run `user` with CommandLine::user
  kSystem,   // run a machine with CommandLine::system
  kBinfmt,   // binfmt install|uninstall|status with CommandLine::binfmt
  kError,    // print `error` and the usage hint, exit 2
};

struct CommandLine {
  Command command = Command::kError;
  linux_user::UserOptions user;
  BinfmtOptions binfmt;
  SystemOptions system;
  std::string error;  // with kError: one line naming what is wrong
};

// Environment lookup (getenv in main, a map in tests); returns null when unset.
using EnvLookup = std::function<const char*(const char* name)>;

// `args` are the arguments after the program name (argv[1..]).
CommandLine parse_command_line(const std::vector<std::string>& args, const EnvLookup& env);

// mimic started by the kernel's binfmt_misc for a foreign program (see binfmt.h): `args` are
// "PATH [ARGV0] ARGS..." — ARGV0 is there when the entry has the P flag (`argv0_preserved`,
// AT_FLAGS_PRESERVE_ARGV0). The sysroot comes from the environment as for `mimic user`.
CommandLine parse_binfmt_invocation(const std::vector<std::string>& args, bool argv0_preserved, const EnvLookup& env);

std::string usage_text();    // --help
std::string version_text();  // --version
// Exit status for a parsed command that does not run anything (help, errors, system mode).
int exit_status(Command command);

}  // namespace mimic::frontends
