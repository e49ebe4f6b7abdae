// Parser and help text of the mimic command line (QEMU's option spelling).
#include "frontends/cli.h"

#include <fmt/format.h>

#include <cstring>

#include "tcg/exec/log.h"

namespace mimic::frontends {

namespace {
constexpr const char* kVersion = "0.1.0";

bool env_true(const EnvLookup& env, const char* name) {
  const char* v = env ? env(name) : nullptr;
  return v && *v && std::strcmp(v, "0") != 0;
}

CommandLine error(std::string message) {
  CommandLine cl;
  cl.command = Command::kError;
  cl.error = std::move(message);
  return cl;
}

CommandLine parse_user(const std::vector<std::string>& args, size_t i, const EnvLookup& env) {
  CommandLine cl;
  cl.command = Command::kUser;
  linux_user::UserOptions& u = cl.user;
  bool sysroot_given = false;
  // Options end at the first non-option (the program), at "--", or at a lone "-".
  while (i < args.size()) {
    std::string opt = args[i];
    if (opt == "--") {
      ++i;
      break;
    }
    if (opt.size() < 2 || opt[0] != '-') break;
    if (opt.size() > 2 && opt[0] == '-' && opt[1] == '-') opt.erase(0, 1);  // --strace == -strace
    ++i;
    auto value = [&](const char* what) -> const std::string* {
      if (i >= args.size()) return nullptr;
      (void)what;
      return &args[i++];
    };
    if (opt == "-h" || opt == "-help") {
      cl.command = Command::kHelp;
      return cl;
    }
    if (opt == "-L" || opt == "-E" || opt == "-U" || opt == "-d" || opt == "-D") {
      const std::string* v = value(opt.c_str());
      if (!v) return error(fmt::format("option {} needs an argument", args[i - 1]));
      if (opt == "-L") {
        u.sysroot = *v;
        sysroot_given = true;
      } else if (opt == "-E") {
        size_t eq = v->find('=');
        if (eq == std::string::npos || eq == 0) {
          return error(fmt::format("option -E needs VAR=VALUE, got '{}'", *v));
        }
        u.env_set.push_back(*v);
      } else if (opt == "-U") {
        if (v->empty() || v->find('=') != std::string::npos) {
          return error(fmt::format("option -U needs a variable name, got '{}'", *v));
        }
        u.env_unset.push_back(*v);
      } else if (opt == "-d") {
        if (*v == "help") {
          cl.command = Command::kLogHelp;
          return cl;
        }
        std::string err;
        if (!tcg::parse_log_flags(*v, u.engine.log, err)) return error("-d: " + err);
      } else {
        if (v->empty()) return error("option -D needs a file name");
        u.engine.log_file = *v;
      }
      continue;
    }
    if (opt == "-strace") {
      u.engine.log |= tcg::LogFlag::kStrace;
    } else if (opt == "-perfmap") {
      u.engine.perf_map = true;
    } else if (opt == "-interp") {
      u.engine.interpreter = true;
    } else if (opt == "-no-opt") {
      u.engine.optimize = false;
    } else if (opt == "-one-insn-per-tb" || opt == "-singlestep") {
      u.engine.max_block_insns = 1;
    } else {
      return error(fmt::format("unknown option '{}' for mimic user", args[i - 1]));
    }
  }
  if (i >= args.size()) return error("mimic user: no PROGRAM given");
  u.program = args[i];
  u.argv.assign(args.begin() + ptrdiff_t(i), args.end());
  if (!sysroot_given && env) {
    // QEMU's variable works too, so existing cross-build set-ups keep working; ours wins.
    if (const char* p = env("MIMIC_LD_PREFIX"); p && *p) {
      u.sysroot = p;
    } else if (const char* q = env("QEMU_LD_PREFIX"); q && *q) {
      u.sysroot = q;
    }
  }
  if (env_true(env, "MIMIC_PERFMAP")) u.engine.perf_map = true;
  return cl;
}
}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args, const EnvLookup& env) {
  if (args.empty()) return error("no mode given");
  const std::string& mode = args[0];
  if (mode == "-h" || mode == "--help" || mode == "-help" || mode == "help") {
    CommandLine cl;
    cl.command = Command::kHelp;
    return cl;
  }
  if (mode == "--version" || mode == "-version" || mode == "-V") {
    CommandLine cl;
    cl.command = Command::kVersion;
    return cl;
  }
  if (mode == "user") return parse_user(args, 1, env);
  if (mode == "system") {
    CommandLine cl;
    cl.command = Command::kSystem;
    return cl;
  }
  if (!mode.empty() && mode[0] == '-') return error(fmt::format("unknown option '{}' (a mode comes first)", mode));
  return error(fmt::format("unknown mode '{}'", mode));
}

std::string usage_text() {
  std::string s = fmt::format(
      "Usage: mimic MODE [options] ...\n"
      "\n"
      "Modes:\n"
      "  user [options] PROGRAM [ARGS...]   run a foreign Linux program on this host (riscv64, ...)\n"
      "  system ...                         emulate a whole machine (not implemented yet)\n"
      "\n"
      "General:\n"
      "  -h, --help          print this help\n"
      "  --version           print the version\n"
      "\n"
      "User-mode options:\n"
      "  -L DIR              guest sysroot for the dynamic loader and libraries\n"
      "                      (default: $MIMIC_LD_PREFIX, then $QEMU_LD_PREFIX)\n"
      "  -E VAR=VALUE        set VAR in the guest environment\n"
      "  -U VAR              remove VAR from the guest environment\n"
      "  -strace             print the guest's system calls\n"
      "  -d ITEM[,ITEM...]   diagnostics: in_asm, op, op_opt, out_asm, exec, nochain, strace, unimp\n"
      "                      (-d help lists them)\n"
      "  -D FILE             write -d output to FILE instead of stderr\n"
      "  -perfmap            write /tmp/perf-<pid>.map for perf (also MIMIC_PERFMAP=1)\n"
      "  -interp             run blocks in the IR interpreter instead of the JIT (slow; for debugging)\n"
      "  -no-opt             skip the IR optimization passes\n"
      "  -one-insn-per-tb    translate one guest instruction per block\n"
      "  --                  end of options: the next argument is PROGRAM\n");
  return s;
}

std::string version_text() { return fmt::format("mimic {} (guests: riscv64; host: x86-64 Linux)\n", kVersion); }

int exit_status(Command command) {
  switch (command) {
    case Command::kHelp:
    case Command::kVersion:
    case Command::kLogHelp: return 0;
    default: return 2;
  }
}

}  // namespace mimic::frontends
