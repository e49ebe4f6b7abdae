// Parser and help text of the mimic command line (QEMU's option spelling).
#include "frontends/cli.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "tcg/exec/log.h"

namespace mimic::frontends {

namespace {
// A TCP port for -g / QEMU_GDB: decimal 1-65535 (qemu also takes "tcp::PORT" in system mode).
bool parse_gdb_port(const std::string& v, int* port) {
  if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos) return false;
  const int p = std::stoi(v);
  if (p < 1 || p > 65535) return false;
  *port = p;
  return true;
}

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

// QEMU's variable works too, so existing cross-build set-ups keep working; ours wins.
std::string sysroot_from_env(const EnvLookup& env) {
  if (!env) return {};
  if (const char* p = env("MIMIC_LD_PREFIX"); p && *p) return p;
  if (const char* q = env("QEMU_LD_PREFIX"); q && *q) return q;
  return {};
}

// The guest CPU model: MIMIC_CPU, else qemu-user's QEMU_CPU.
std::string cpu_from_env(const EnvLookup& env) {
  if (!env) return {};
  if (const char* p = env("MIMIC_CPU"); p && *p) return p;
  if (const char* q = env("QEMU_CPU"); q && *q) return q;
  return {};
}

// -d from the environment: MIMIC_LOG, else qemu-user's QEMU_LOG ("unimp,strace"...). Under
// binfmt_misc it is the only way to ask, and it reaches every program the guest starts. Adds to
// `flags`; false and `err` set for an unknown item.
bool log_flags_from_env(const EnvLookup& env, uint32_t& flags, std::string& err) {
  if (!env) return true;
  for (const char* name : {"MIMIC_LOG", "QEMU_LOG"}) {
    const char* v = env(name);
    if (!v || !*v) continue;
    if (tcg::parse_log_flags(v, flags, err)) return true;
    err = fmt::format("{}='{}': {}", name, v, err);
    return false;
  }
  return true;
}

CommandLine parse_binfmt(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = Command::kBinfmt;
  BinfmtOptions& b = cl.binfmt;
  if (args.size() < 2) return error("mimic binfmt: give install, uninstall or status");
  const std::string& action = args[1];
  if (action == "install") {
    b.action = BinfmtAction::kInstall;
  } else if (action == "uninstall") {
    b.action = BinfmtAction::kUninstall;
  } else if (action == "status") {
    b.action = BinfmtAction::kStatus;
  } else {
    return error(fmt::format("mimic binfmt: unknown action '{}' (install, uninstall or status)", action));
  }
  for (size_t i = 2; i < args.size(); ++i) {
    std::string opt = args[i];
    if (opt.size() > 2 && opt[0] == '-' && opt[1] == '-') opt.erase(0, 1);
    const bool takes_value = opt == "-arch" || opt == "-prefix" || opt == "-interpreter" || opt == "-dir";
    if (takes_value && i + 1 >= args.size()) return error(fmt::format("option {} needs an argument", args[i]));
    if (opt == "-arch") {
      const std::string& v = args[++i];
      if (v != "all") {
        if (!find_binfmt_arch(v))
          return error(fmt::format("mimic binfmt: unknown architecture '{}' (aarch64, arm, riscv64, all)", v));
        b.arches.push_back(v);
      }
    } else if (opt == "-prefix") {
      b.prefix = args[++i];
      if (b.prefix.empty() || b.prefix.find_first_of(":/") != std::string::npos)
        return error(fmt::format("mimic binfmt: bad entry name prefix '{}'", b.prefix));
    } else if (opt == "-interpreter") {
      b.interpreter = args[++i];
    } else if (opt == "-dir") {
      b.dir = args[++i];
    } else if (opt == "-dry-run" && b.action == BinfmtAction::kInstall) {
      b.dry_run = true;
    } else if (opt == "-credentials" && b.action == BinfmtAction::kInstall) {
      b.credentials = true;
    } else {
      return error(fmt::format("unknown option '{}' for mimic binfmt {}", args[i], action));
    }
  }
  return cl;
}

CommandLine parse_user(const std::vector<std::string>& args, size_t i, const EnvLookup& env) {
  CommandLine cl;
  cl.command = Command::kUser;
  linux_user::UserOptions& u = cl.user;
  bool sysroot_given = false, log_given = false;
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
    if (opt == "-g") {  // qemu-user's spelling: wait for gdb on localhost:PORT
      const std::string* v = value(opt.c_str());
      if (!v || !parse_gdb_port(*v, &u.gdb_port)) return error("option -g needs a TCP port number (1-65535)");
      continue;
    }
    if (opt == "-tier2" || opt == "-tier2-threshold") {
      const std::string* v = value(opt.c_str());
      if (opt == "-tier2") {
        if (!v || !tcg::parse_tier2_mode(*v, u.engine.tier2)) return error("option -tier2 needs off, on or force");
      } else {
        char* end = nullptr;
        const unsigned long n = v ? std::strtoul(v->c_str(), &end, 10) : 0;
        if (!v || v->empty() || *end || n == 0 || n > 1u << 30)
          return error("option -tier2-threshold needs a count from 1 to 2^30");
        u.engine.tier2_threshold = unsigned(n);
      }
      continue;
    }
    if (opt == "-cpu") {
      const std::string* v = value(opt.c_str());
      if (!v || v->empty()) return error("option -cpu needs a CPU model name (arm: cortex-a15, cortex-a7, arm1176)");
      u.cpu = *v;
      continue;
    }
    if (opt == "-L" || opt == "-chroot" || opt == "-E" || opt == "-U" || opt == "-d" || opt == "-D") {
      const std::string* v = value(opt.c_str());
      if (!v) return error(fmt::format("option {} needs an argument", args[i - 1]));
      if (opt == "-L" || opt == "-chroot") {
        if (v->empty()) return error(fmt::format("option {} needs a folder", opt));
        u.sysroot = *v;
        u.sysroot_is_chroot = opt == "-chroot";
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
        log_given = true;
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
    } else if (opt == "-simple-codegen") {
      u.engine.simple_codegen = true;
    } else if (opt == "-one-insn-per-tb" || opt == "-singlestep") {
      u.engine.max_block_insns = 1;
    } else {
      return error(fmt::format("unknown option '{}' for mimic user", args[i - 1]));
    }
  }
  if (i >= args.size()) return error("mimic user: no PROGRAM given");
  if (std::string err; !log_given && !log_flags_from_env(env, u.engine.log, err)) return error(err);
  u.program = args[i];
  u.argv.assign(args.begin() + ptrdiff_t(i), args.end());
  if (!sysroot_given) u.sysroot = sysroot_from_env(env);
  if (u.cpu.empty()) u.cpu = cpu_from_env(env);
  if (env_true(env, "MIMIC_PERFMAP")) u.engine.perf_map = true;
  if (const char* g = env("QEMU_GDB"); g && *g && !u.gdb_port) {
    if (!parse_gdb_port(g, &u.gdb_port)) return error(fmt::format("QEMU_GDB='{}' is not a TCP port number", g));
  }
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
  if (mode == "binfmt") return parse_binfmt(args);
  if (mode == "system" || mode == "system-riscv64" || mode == "system-aarch64") {
    CommandLine cl;
    cl.system.machine.arch = mode == "system-aarch64" ? "aarch64" : "riscv64";
    if (args.size() > 1 && (args[1] == "--help" || args[1] == "-h" || args[1] == "-help")) {
      cl.command = Command::kHelp;
      return cl;
    }
    std::string why;
    if (!parse_system_options(args, 1, cl.system, why)) return error("mimic " + mode + ": " + why);
    cl.command = Command::kSystem;
    return cl;
  }
  if (!mode.empty() && mode[0] == '-') return error(fmt::format("unknown option '{}' (a mode comes first)", mode));
  return error(fmt::format("unknown mode '{}'", mode));
}

CommandLine parse_binfmt_invocation(const std::vector<std::string>& args, bool argv0_preserved, const EnvLookup& env) {
  if (args.empty() || (argv0_preserved && args.size() < 2))
    return error("started by binfmt_misc without a program path (is the entry's flags field 'POF'?)");
  CommandLine cl;
  cl.command = Command::kUser;
  linux_user::UserOptions& u = cl.user;
  u.program = args[0];
  u.argv.push_back(argv0_preserved ? args[1] : args[0]);
  u.argv.insert(u.argv.end(), args.begin() + (argv0_preserved ? 2 : 1), args.end());
  u.sysroot = sysroot_from_env(env);
  u.cpu = cpu_from_env(env);
  if (env_true(env, "MIMIC_PERFMAP")) u.engine.perf_map = true;
  if (std::string err; !log_flags_from_env(env, u.engine.log, err)) return error(err);
  return cl;
}

std::string usage_text() {
  std::string s = fmt::format(
      "Usage: mimic MODE [options] ...\n"
      "\n"
      "Modes:\n"
      "  user [options] PROGRAM [ARGS...]   run a foreign Linux program on this host (riscv64, ...)\n"
      "  binfmt install|uninstall|status    register mimic with binfmt_misc so that foreign programs\n"
      "                                     run when executed directly (install needs root)\n"
      "  system [options]                   emulate a whole machine (-M virt: QEMU's RISC-V virt board)\n"
      "  system-riscv64 [options]           the same as system\n"
      "  system-aarch64 [options]           an AArch64 machine (-M virt: QEMU's Arm virt board)\n"
      "  img COMMAND [options]              disk images, as qemu-img (mimic img --help)\n"
      "\n"
      "General:\n"
      "  -h, --help          print this help\n"
      "  --version           print the version\n"
      "\n"
      "User-mode options:\n"
      "  -L DIR              guest sysroot for the dynamic loader and libraries\n"
      "                      (default: $MIMIC_LD_PREFIX, then $QEMU_LD_PREFIX)\n"
      "  -chroot DIR         run inside the foreign root file system DIR as after chroot(2):\n"
      "                      PROGRAM and every path resolve there, never in the host's files\n"
      "                      (except /dev, /proc, /sys); e.g. -chroot debian-arm64 /bin/bash\n"
      "  -cpu NAME           guest CPU model (arm: cortex-a15, the default, cortex-a7, arm1176\n"
      "                      = ARMv6 + VFPv2; default: $MIMIC_CPU, then $QEMU_CPU)\n"
      "  -E VAR=VALUE        set VAR in the guest environment\n"
      "  -U VAR              remove VAR from the guest environment\n"
      "  -strace             print the guest's system calls\n"
      "  -d ITEM[,ITEM...]   diagnostics: in_asm, op, op_opt, out_asm, exec, nochain, strace, unimp\n"
      "                      (-d help lists them; default: $MIMIC_LOG, then $QEMU_LOG)\n"
      "  -D FILE             write -d output to FILE instead of stderr\n"
      "  -perfmap            write /tmp/perf-<pid>.map for perf (also MIMIC_PERFMAP=1)\n"
      "  -interp             run blocks in the IR interpreter instead of the JIT (slow; for debugging)\n"
      "  -no-opt             skip the IR optimization passes\n"
      "  -simple-codegen     keep every guest-register store before each memory access and address\n"
      "                      arithmetic apart from the access (code as before per-site records)\n"
      "  -tier2 off|on|force second tier for hot loops (LLVM; force: every block, for tests;\n"
      "                      also MIMIC_TIER2=...)\n"
      "  -tier2-threshold N  block entries that make a block hot (default 1000)\n"
      "  -one-insn-per-tb    translate one guest instruction per block\n"
      "  -g PORT             wait for gdb on 127.0.0.1:PORT before the first instruction\n"
      "                      (also QEMU_GDB=PORT; gdb-multiarch: target remote :PORT)\n"
      "  --                  end of options: the next argument is PROGRAM\n"
      "\n"
      "{}"
      "\n"
      "binfmt options:\n"
      "  --arch ARCH         aarch64, arm, riscv64 or all (the default; may be repeated)\n"
      "  --prefix NAME       entries are named NAME-ARCH (default: mimic)\n"
      "  --interpreter PATH  the mimic binary the kernel starts (default: this one)\n"
      "  --dry-run           install: print the registration lines only\n"
      "  --credentials       install: set-user-ID guest programs run with their own credentials\n"
      "                      (binfmt_misc's C flag)\n"
      "  Programs started this way take their sysroot from $MIMIC_LD_PREFIX or $QEMU_LD_PREFIX.\n",
      system_usage_text());
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
