// main() of the mimic program: parse the command line and start the chosen mode.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "frontends/cli.h"
#include "linux-user/user.h"
#include "tcg/exec/log.h"

int main(int argc, char** argv) {
  using namespace mimic::frontends;
  std::vector<std::string> args(argv + 1, argv + argc);
  CommandLine cl = parse_command_line(args, [](const char* name) -> const char* { return std::getenv(name); });
  switch (cl.command) {
    case Command::kHelp: fmt::print(stdout, "{}", usage_text()); break;
    case Command::kVersion: fmt::print(stdout, "{}", version_text()); break;
    case Command::kLogHelp: fmt::print(stdout, "{}", mimic::tcg::log_flags_help()); break;
    case Command::kSystem:
      fmt::print(stderr, "mimic: system mode is not implemented yet (only 'mimic user PROGRAM' works today)\n");
      break;
    case Command::kError: fmt::print(stderr, "mimic: {}\nTry 'mimic --help' for more information.\n", cl.error); break;
    case Command::kUser: try { return mimic::linux_user::run_program(cl.user);
      } catch (const std::exception& e) {
        fmt::print(stderr, "mimic: internal error: {}\n", e.what());
        return 70;  // EX_SOFTWARE
      }
  }
  return exit_status(cl.command);
}
