// main() of the mimic program: parse the command line and start the chosen mode.
#include <fmt/format.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "frontends/cli.h"
#include "frontends/gdbstub_user.h"
#include "frontends/img.h"
#include "frontends/system.h"
#include "hw/core/snapshot.h"
#include "linux-user/user.h"
#include "tcg/exec/log.h"

namespace {
// Linux 5.12 and later say in AT_FLAGS whether binfmt_misc kept argv[0] (the P flag); earlier
// kernels do not, and our entries always have P.
bool argv0_preserved() {
  if (getauxval(AT_FLAGS) & 1) return true;
  utsname u{};
  int major = 0, minor = 0;
  if (uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return true;
  return major < 5 || (major == 5 && minor < 12);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace mimic::frontends;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  // `mimic img ...`: qemu-img's commands, parsed by frontends/img.cpp.
  if (!args.empty() && args[0] == "img") return run_img(std::vector<std::string>(args.begin() + 1, args.end()));
  // `mimic snapshot info FILE`: what a snapshot file holds (docs/snapshots.md).
  if (!args.empty() && args[0] == "snapshot") {
    if (args.size() != 3 || args[1] != "info") {
      fmt::print(stderr, "usage: mimic snapshot info FILE\n");
      return 1;
    }
    try {
      fmt::print("{}", mimic::hw::describe_snapshot(mimic::hw::snapshot_file_source(args[2])));
      return 0;
    } catch (const mimic::hw::SnapshotError& e) {
      fmt::print(stderr, "mimic: snapshot info: {}: {}\n", args[2], e.what());
      return 1;
    }
  }
  CommandLine cl;
  // binfmt_misc's O flag hands us the program as an open file: that is how we know the kernel
  // started us for a foreign program rather than a user typing `mimic ...`.
  if (const unsigned long execfd = getauxval(AT_EXECFD); execfd != 0) {
    close(int(execfd));  // we open the program by its path, as for `mimic user`
    cl = parse_binfmt_invocation(args, argv0_preserved(), env);
  } else {
    cl = parse_command_line(args, env);
  }
  switch (cl.command) {
    case Command::kHelp: fmt::print(stdout, "{}", usage_text()); break;
    case Command::kVersion: fmt::print(stdout, "{}", version_text()); break;
    case Command::kLogHelp: fmt::print(stdout, "{}", mimic::tcg::log_flags_help()); break;
    case Command::kSystem: return run_system(cl.system);
    case Command::kBinfmt: return run_binfmt(cl.binfmt);
    case Command::kError: fmt::print(stderr, "mimic: {}\nTry 'mimic --help' for more information.\n", cl.error); break;
    case Command::kUser:
      try {
        cl.user.make_debugger = make_user_debugger;
        return mimic::linux_user::run_program(cl.user);
      } catch (const std::exception& e) {
        fmt::print(stderr, "mimic: internal error: {}\n", e.what());
        return 70;  // EX_SOFTWARE
      }
  }
  return exit_status(cl.command);
}
