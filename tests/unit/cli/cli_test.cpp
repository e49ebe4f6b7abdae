// The mimic command line: modes, every user-mode option, errors and `--`.
#include "frontends/cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tcg/exec/log.h"

namespace mimic::frontends {
namespace {

using Args = std::vector<std::string>;

CommandLine parse(const Args& args, std::map<std::string, std::string> env = {}) {
  return parse_command_line(args, [env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Cli, ModesHelpAndVersion) {
  EXPECT_EQ(parse({"--help"}).command, Command::kHelp);
  EXPECT_EQ(parse({"-h"}).command, Command::kHelp);
  EXPECT_EQ(parse({"--version"}).command, Command::kVersion);
  EXPECT_EQ(parse({"system", "-M", "virt"}).command, Command::kSystem);
  EXPECT_EQ(exit_status(Command::kHelp), 0);
  CommandLine none = parse({});
  EXPECT_EQ(none.command, Command::kError);
  EXPECT_EQ(exit_status(none.command), 2);
  CommandLine bad = parse({"usr", "./prog"});
  EXPECT_EQ(bad.command, Command::kError);
  EXPECT_NE(bad.error.find("usr"), std::string::npos);
  std::string help = usage_text();
  for (const char* opt : {"user", "system", "-L DIR", "-E VAR=VALUE", "-U VAR", "-strace", "-d ", "-D FILE", "-perfmap",
                          "-interp", "-no-opt", "--help", "--version", "--"}) {
    EXPECT_NE(help.find(opt), std::string::npos) << opt;
  }
  EXPECT_NE(version_text().find("mimic"), std::string::npos);
}

TEST(Cli, SystemOptionsInQemuSpelling) {
  CommandLine cl = parse({"system",
                          "-M",
                          "virt",
                          "-m",
                          "512M",
                          "-smp",
                          "4",
                          "-nographic",
                          "-bios",
                          "default",
                          "-kernel",
                          "Image",
                          "-initrd",
                          "rd.gz",
                          "-append",
                          "console=ttyS0 quiet",
                          "-no-reboot",
                          "-accel",
                          "tcg,thread=single",
                          "-d",
                          "in_asm,unimp",
                          "-D",
                          "log.txt"});
  ASSERT_EQ(cl.command, Command::kSystem) << cl.error;
  const hw::MachineConfig& m = cl.system.machine;
  EXPECT_EQ(m.machine, "virt");
  EXPECT_EQ(m.ram_bytes, uint64_t(512) << 20);
  EXPECT_EQ(m.smp, 4u);
  EXPECT_EQ(m.bios, "default");
  EXPECT_EQ(m.kernel, "Image");
  EXPECT_EQ(m.initrd, "rd.gz");
  EXPECT_EQ(m.append, "console=ttyS0 quiet");
  EXPECT_TRUE(m.no_reboot);
  EXPECT_TRUE(m.single_thread);
  EXPECT_EQ(m.log_file, "log.txt");
  EXPECT_NE(m.log_flags, 0u);
  EXPECT_EQ(cl.system.stdio, StdioUse::kSerialAndMonitor);
  EXPECT_EQ(parse({"system", "-m", "2G"}).system.machine.ram_bytes, uint64_t(2) << 30);
  EXPECT_EQ(parse({"system", "-m", "256"}).system.machine.ram_bytes, uint64_t(256) << 20);
  EXPECT_EQ(parse({"system", "-smp", "cpus=2,sockets=1"}).system.machine.smp, 2u);
  EXPECT_EQ(parse({"system", "-M", "virt,dumpdtb=x.dtb"}).system.machine.dumpdtb, "x.dtb");
  EXPECT_TRUE(parse({"system", "-M", "help"}).system.machine_help);
  // Each mistake is one message naming the option.
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{{"system", "-m", "lots"},
                                                                            {"system", "-m"},
                                                                            {"system", "-smp", "0"},
                                                                            {"system", "-smp", "x"},
                                                                            {"system", "-accel", "kvm"},
                                                                            {"system", "-frobnicate"},
                                                                            {"system", "-serial", "tcp::4444"},
                                                                            {"system", "-d", "nonsense"}}) {
    CommandLine e = parse(bad);
    EXPECT_EQ(e.command, Command::kError) << bad[1];
    EXPECT_NE(e.error.find(bad[1]), std::string::npos) << e.error;
  }
  EXPECT_NE(usage_text().find("-kernel"), std::string::npos);
}

// What stdio carries for each -serial/-monitor pair, as qemu-system-riscv64 7.2 -nographic gives
// it (each pair run there: -serial none alone gives its "(qemu)" prompt on stdio; -monitor stdio
// next to a serial console on stdio is refused with "cannot use stdio by multiple character devices").
TEST(Cli, SystemStdioRoles) {
  const std::vector<std::pair<Args, StdioUse>> cases = {
      {{}, StdioUse::kSerialAndMonitor},
      {{"-nographic"}, StdioUse::kSerialAndMonitor},
      {{"-serial", "mon:stdio"}, StdioUse::kSerialAndMonitor},
      {{"-serial", "mon:stdio", "-monitor", "none"}, StdioUse::kSerialAndMonitor},
      {{"-serial", "stdio"}, StdioUse::kSerialOnly},
      {{"-nographic", "-monitor", "none"}, StdioUse::kSerialOnly},
      {{"-nographic", "-serial", "none"}, StdioUse::kMonitorOnly},
      {{"-serial", "null", "-monitor", "stdio"}, StdioUse::kMonitorOnly},
      {{"-serial", "none", "-monitor", "none"}, StdioUse::kNothing},
  };
  for (const auto& [options, use] : cases) {
    Args args{"system"};
    args.insert(args.end(), options.begin(), options.end());
    CommandLine cl = parse(args);
    ASSERT_EQ(cl.command, Command::kSystem) << cl.error;
    EXPECT_EQ(cl.system.stdio, use) << fmt::format("{}", fmt::join(options, " "));
  }
  for (Args bad : {Args{"system", "-monitor", "stdio"}, Args{"system", "-serial", "stdio", "-monitor", "stdio"},
                   Args{"system", "-monitor", "stdio", "-serial", "mon:stdio"}}) {
    CommandLine e = parse(bad);
    EXPECT_EQ(e.command, Command::kError);
    EXPECT_NE(e.error.find("-monitor stdio"), std::string::npos) << e.error;
  }
}

TEST(Cli, SystemHelpOptions) {
  EXPECT_TRUE(parse({"system", "-cpu", "help"}).system.cpu_help);
  EXPECT_TRUE(parse({"system-aarch64", "-cpu", "?"}).system.cpu_help);
  CommandLine cl = parse({"system", "-device", "help"});
  ASSERT_EQ(cl.command, Command::kSystem) << cl.error;
  EXPECT_TRUE(cl.system.device_help);
  EXPECT_TRUE(cl.system.machine.devices.devices.empty());
  EXPECT_EQ(parse({"system", "-cpu", "rv64"}).system.machine.cpu, "rv64");
}

TEST(Cli, SystemDeviceOptions) {
  CommandLine cl =
      parse({"system", "-drive", "file=a,,b.img,format=raw,if=none,id=hd0", "-device", "virtio-blk-device,drive=hd0",
             "-netdev", "user,id=n0,hostfwd=tcp::2222-:22", "-nic", "socket,listen=:1234", "-chardev",
             "socket,id=c0,path=/tmp/s,server=on,wait=off", "-global", "virtio-mmio.force-legacy=off"});
  ASSERT_EQ(cl.command, Command::kSystem) << cl.error;
  const hw::DeviceOptions& d = cl.system.machine.devices;
  ASSERT_EQ(d.drives.size(), 1u);
  EXPECT_EQ(d.drives[0].get("file"), "a,b.img");  // ",," is a comma, as in QEMU
  EXPECT_EQ(d.drives[0].get("id"), "hd0");
  ASSERT_EQ(d.devices.size(), 1u);
  EXPECT_EQ(d.devices[0].driver, "virtio-blk-device");
  EXPECT_EQ(d.devices[0].get("drive"), "hd0");
  ASSERT_EQ(d.netdevs.size(), 1u);
  EXPECT_EQ(d.netdevs[0].driver, "user");
  EXPECT_EQ(d.netdevs[0].get("hostfwd"), "tcp::2222-:22");
  ASSERT_EQ(d.nics.size(), 1u);
  EXPECT_EQ(d.nics[0].get("listen"), ":1234");
  ASSERT_EQ(d.chardevs.size(), 1u);
  ASSERT_EQ(d.globals.size(), 1u);
  EXPECT_EQ(d.globals[0].driver, "virtio-mmio");
  EXPECT_EQ(d.globals[0].props[0].first, "force-legacy");
  EXPECT_EQ(d.globals[0].props[0].second, "off");
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{{"system", "-drive", "disk.img"},
                                                                            {"system", "-device", "=x"},
                                                                            {"system", "-device", ",drive=a"},
                                                                            {"system", "-global", "force-legacy"},
                                                                            {"system", "-virtfs", "local,path=/"},
                                                                            {"system", "-net", "user"},
                                                                            {"system", "-drive"}}) {
    CommandLine e = parse(bad);
    EXPECT_EQ(e.command, Command::kError) << bad[1];
    EXPECT_NE(e.error.find(bad[1]), std::string::npos) << e.error;
  }
}

TEST(Cli, SystemVirtfsIsAnFsdevAndItsDevice) {
  CommandLine cl = parse(
      {"system", "-virtfs", "local,path=/srv/share,mount_tag=host0,security_model=mapped-xattr,readonly=on", "-fsdev",
       "local,id=f1,path=/tmp,security_model=none", "-device", "virtio-9p-device,fsdev=f1,mount_tag=tmp"});
  ASSERT_EQ(cl.command, Command::kSystem) << cl.error;
  const hw::DeviceOptions& d = cl.system.machine.devices;
  ASSERT_EQ(d.fsdevs.size(), 2u);
  EXPECT_EQ(d.fsdevs[0].driver, "local");
  EXPECT_EQ(d.fsdevs[0].get("id"), "host0");  // -virtfs without id=: the mount tag, as QEMU
  EXPECT_EQ(d.fsdevs[0].get("path"), "/srv/share");
  EXPECT_EQ(d.fsdevs[0].get("readonly"), "on");
  EXPECT_FALSE(d.fsdevs[0].has("mount_tag"));
  EXPECT_EQ(d.fsdevs[1].get("id"), "f1");
  ASSERT_EQ(d.devices.size(), 2u);
  EXPECT_EQ(d.devices[0].driver, "virtio-9p-device");
  EXPECT_EQ(d.devices[0].get("fsdev"), "host0");
  EXPECT_EQ(d.devices[0].get("mount_tag"), "host0");
  EXPECT_EQ(d.devices[1].get("fsdev"), "f1");
  CommandLine e = parse({"system", "-virtfs", "local,path=/tmp,security_model=none"});
  EXPECT_EQ(e.command, Command::kError);
  EXPECT_NE(e.error.find("mount_tag= is missing"), std::string::npos) << e.error;
}

TEST(Cli, SystemArchAndBoardProperties) {
  // The program picks the architecture, as qemu-system-<arch> does; `system` stays riscv64.
  EXPECT_EQ(parse({"system", "-M", "virt"}).system.machine.arch, "riscv64");
  EXPECT_EQ(parse({"system-riscv64", "-M", "virt"}).system.machine.arch, "riscv64");
  CommandLine a = parse({"system-aarch64", "-M", "virt,gic-version=3,dumpdtb=x.dtb,secure=off", "-cpu", "max"});
  ASSERT_EQ(a.command, Command::kSystem) << a.error;
  EXPECT_EQ(a.system.machine.arch, "aarch64");
  EXPECT_EQ(a.system.machine.cpu, "max");
  EXPECT_EQ(a.system.machine.dumpdtb, "x.dtb");
  // Properties the command line does not know go to the board, which names the bad ones.
  EXPECT_EQ(a.system.machine.properties, "gic-version=3,secure=off");
  EXPECT_EQ(parse({"system", "-M", "virt,aia=aplic"}).system.machine.properties, "aia=aplic");
  CommandLine bad = parse({"system-aarch64", "-smp", "x"});
  EXPECT_EQ(bad.command, Command::kError);
  EXPECT_NE(bad.error.find("system-aarch64"), std::string::npos) << bad.error;
}

TEST(Cli, UserProgramAndArguments) {
  CommandLine cl = parse({"user", "./hello", "a", "-b", "--c"});
  ASSERT_EQ(cl.command, Command::kUser);
  EXPECT_EQ(cl.user.program, "./hello");
  EXPECT_EQ(cl.user.argv, (Args{"./hello", "a", "-b", "--c"}));  // options after PROGRAM are the guest's
  EXPECT_TRUE(cl.user.sysroot.empty());
  EXPECT_EQ(cl.user.engine.log, 0u);
  EXPECT_FALSE(cl.user.engine.interpreter);
  EXPECT_TRUE(cl.user.engine.optimize);
  EXPECT_FALSE(cl.user.engine.perf_map);
}

TEST(Cli, EveryUserOption) {
  CommandLine cl =
      parse({"user",  "-L",           "/sysroot", "-E",      "A=1",     "-E",
             "B=x=y", "-U",           "HOME",     "-strace", "-d",      "in_asm,op,op_opt,out_asm,exec,nochain,unimp",
             "-D",    "/tmp/log.txt", "-perfmap", "-interp", "-no-opt", "-one-insn-per-tb",
             "prog",  "arg"});
  ASSERT_EQ(cl.command, Command::kUser) << cl.error;
  const auto& u = cl.user;
  EXPECT_EQ(u.sysroot, "/sysroot");
  EXPECT_EQ(u.env_set, (Args{"A=1", "B=x=y"}));
  EXPECT_EQ(u.env_unset, (Args{"HOME"}));
  using namespace tcg::LogFlag;
  EXPECT_EQ(u.engine.log, kInAsm | kOp | kOpOpt | kOutAsm | kExec | kNoChain | kUnimp | kStrace);
  EXPECT_EQ(u.engine.log_file, "/tmp/log.txt");
  EXPECT_TRUE(u.engine.perf_map);
  EXPECT_TRUE(u.engine.interpreter);
  EXPECT_FALSE(u.engine.optimize);
  EXPECT_EQ(u.engine.max_block_insns, 1u);
  EXPECT_EQ(u.program, "prog");
  EXPECT_EQ(u.argv, (Args{"prog", "arg"}));
}

TEST(Cli, DoubleDashSpellingsAndEndOfOptions) {
  CommandLine cl = parse({"user", "--strace", "--", "-weird-name", "-x"});
  ASSERT_EQ(cl.command, Command::kUser) << cl.error;
  EXPECT_EQ(cl.user.engine.log, tcg::LogFlag::kStrace);
  EXPECT_EQ(cl.user.program, "-weird-name");
  EXPECT_EQ(cl.user.argv, (Args{"-weird-name", "-x"}));
  EXPECT_EQ(parse({"user", "--help"}).command, Command::kHelp);
  EXPECT_EQ(parse({"user", "-d", "help"}).command, Command::kLogHelp);
}

TEST(Cli, SysrootFromTheEnvironment) {
  EXPECT_EQ(parse({"user", "p"}, {{"QEMU_LD_PREFIX", "/q"}}).user.sysroot, "/q");
  EXPECT_EQ(parse({"user", "p"}, {{"QEMU_LD_PREFIX", "/q"}, {"MIMIC_LD_PREFIX", "/m"}}).user.sysroot, "/m");
  EXPECT_EQ(parse({"user", "-L", "/l", "p"}, {{"MIMIC_LD_PREFIX", "/m"}}).user.sysroot, "/l");
  EXPECT_TRUE(parse({"user", "p"}, {{"MIMIC_PERFMAP", "1"}}).user.engine.perf_map);
  EXPECT_FALSE(parse({"user", "p"}, {{"MIMIC_PERFMAP", "0"}}).user.engine.perf_map);
}

TEST(Cli, GdbPortFromTheOptionOrQemuGdb) {
  EXPECT_EQ(parse({"user", "p"}).user.gdb_port, 0);
  EXPECT_EQ(parse({"user", "-g", "1234", "p"}).user.gdb_port, 1234);
  EXPECT_EQ(parse({"user", "p"}, {{"QEMU_GDB", "4321"}}).user.gdb_port, 4321);
  EXPECT_EQ(parse({"user", "-g", "1234", "p"}, {{"QEMU_GDB", "4321"}}).user.gdb_port, 1234);  // the option wins
  for (const char* bad : {"0", "65536", "abc", "", "12x"}) {
    const CommandLine cl = parse({"user", "-g", bad, "p"});
    EXPECT_EQ(cl.command, Command::kError) << bad;
    EXPECT_NE(cl.error.find("-g"), std::string::npos) << cl.error;
  }
  EXPECT_EQ(parse({"user", "-g"}).command, Command::kError);
  EXPECT_EQ(parse({"user", "p"}, {{"QEMU_GDB", "x"}}).command, Command::kError);
  EXPECT_NE(usage_text().find("-g PORT"), std::string::npos);
}

TEST(Cli, ChrootIsASysrootWithoutHostFallback) {
  const auto u = parse({"user", "-chroot", "/rootfs", "/bin/sh"}, {{"QEMU_LD_PREFIX", "/q"}}).user;
  EXPECT_EQ(u.sysroot, "/rootfs");
  EXPECT_TRUE(u.sysroot_is_chroot);
  EXPECT_EQ(u.program, "/bin/sh");
  EXPECT_FALSE(parse({"user", "-L", "/l", "p"}).user.sysroot_is_chroot);
  EXPECT_EQ(parse({"user", "-chroot"}).command, Command::kError);
  EXPECT_EQ(parse({"user", "-chroot", "", "p"}).command, Command::kError);
}

TEST(Cli, Errors) {
  struct Case {
    Args args;
    const char* mentions;
  };
  for (const Case& c : std::vector<Case>{
           {{"user", "-frobnicate", "p"}, "-frobnicate"},
           {{"user"}, "PROGRAM"},
           {{"user", "-strace"}, "PROGRAM"},
           {{"user", "-L"}, "-L"},
           {{"user", "-E", "NOEQUALS", "p"}, "VAR=VALUE"},
           {{"user", "-E", "=x", "p"}, "VAR=VALUE"},
           {{"user", "-U", "A=B", "p"}, "-U"},
           {{"user", "-d", "in_asm,bogus", "p"}, "bogus"},
           {{"user", "-D"}, "-D"},
           {{"-L", "/x", "user", "p"}, "-L"},
       }) {
    CommandLine cl = parse(c.args);
    EXPECT_EQ(cl.command, Command::kError) << c.args.size();
    EXPECT_NE(cl.error.find(c.mentions), std::string::npos) << cl.error;
  }
}

TEST(Binfmt, RegistrationMatchesQemuMagicAndMask) {
  // Magic and mask as in QEMU's scripts/qemu-binfmt-conf.sh (aarch64_magic/aarch64_mask and the
  // riscv64 pair differ only in e_machine): ELF64 LSB, any OS/ABI, ET_EXEC or ET_DYN.
  const std::string mask =
      "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";
  const std::string ident =
      "\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00";
  EXPECT_EQ(binfmt_registration("mimic-aarch64", 183, "/usr/bin/mimic"),
            ":mimic-aarch64:M::" + ident + "\\xb7\\x00:" + mask + ":/usr/bin/mimic:POF");
  EXPECT_EQ(binfmt_registration("x-riscv64", 243, "/m"), ":x-riscv64:M::" + ident + "\\xf3\\x00:" + mask + ":/m:POF");
  EXPECT_EQ(binfmt_registration("c", 243, "/m", true), ":c:M::" + ident + "\\xf3\\x00:" + mask + ":/m:POCF");
  // qemu's arm_magic: ELF32.
  const std::string ident32 =
      "\\x7f\\x45\\x4c\\x46\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00";
  EXPECT_EQ(binfmt_registration("mimic-arm", 40, "/m"), ":mimic-arm:M::" + ident32 + "\\x28\\x00:" + mask + ":/m:POF");
}

TEST(Binfmt, CommandLine) {
  CommandLine cl = parse({"binfmt", "install", "--arch", "aarch64", "--prefix", "t", "--dry-run"});
  ASSERT_EQ(cl.command, Command::kBinfmt);
  EXPECT_EQ(cl.binfmt.action, BinfmtAction::kInstall);
  EXPECT_EQ(cl.binfmt.arches, std::vector<std::string>{"aarch64"});
  EXPECT_EQ(cl.binfmt.prefix, "t");
  EXPECT_TRUE(cl.binfmt.dry_run);
  EXPECT_FALSE(cl.binfmt.credentials);
  EXPECT_TRUE(parse({"binfmt", "install", "--credentials"}).binfmt.credentials);
  EXPECT_EQ(parse({"binfmt", "status"}).binfmt.action, BinfmtAction::kStatus);
  EXPECT_EQ(parse({"binfmt", "uninstall", "--arch", "all"}).binfmt.arches.size(), 0u);  // all
  for (const Args& bad : {Args{"binfmt"}, Args{"binfmt", "add"}, Args{"binfmt", "install", "--arch", "x86"},
                          Args{"binfmt", "install", "--prefix", "a:b"}, Args{"binfmt", "status", "--dry-run"},
                          Args{"binfmt", "install", "--arch"}}) {
    EXPECT_EQ(parse(bad).command, Command::kError) << bad.back();
  }
}

TEST(Binfmt, InvocationByTheKernel) {
  // With P: PATH, the original argv[0], then the arguments; the sysroot from the environment.
  auto env = [](const char* name) -> const char* {
    return std::string(name) == "QEMU_LD_PREFIX" ? "/sysroot" : nullptr;
  };
  CommandLine cl = parse_binfmt_invocation({"/usr/bin/ls", "ls", "-l", "/"}, true, env);
  ASSERT_EQ(cl.command, Command::kUser);
  EXPECT_EQ(cl.user.program, "/usr/bin/ls");
  EXPECT_EQ(cl.user.argv, (std::vector<std::string>{"ls", "-l", "/"}));
  EXPECT_EQ(cl.user.sysroot, "/sysroot");
  // Without P the kernel put the path in argv[0]'s place.
  cl = parse_binfmt_invocation({"/usr/bin/ls", "-l"}, false, env);
  EXPECT_EQ(cl.user.argv, (std::vector<std::string>{"/usr/bin/ls", "-l"}));
  EXPECT_EQ(parse_binfmt_invocation({"/usr/bin/ls"}, true, env).command, Command::kError);
}

TEST(LogFlags, FromTheEnvironment) {
  // MIMIC_LOG, else QEMU_LOG, stands for -d (the only way under binfmt_misc); -d wins over both.
  CommandLine cl = parse({"user", "./prog"}, {{"QEMU_LOG", "unimp"}});
  ASSERT_EQ(cl.command, Command::kUser);
  EXPECT_EQ(cl.user.engine.log, tcg::LogFlag::kUnimp);
  cl = parse({"user", "./prog"}, {{"MIMIC_LOG", "strace"}, {"QEMU_LOG", "unimp"}});
  EXPECT_EQ(cl.user.engine.log, tcg::LogFlag::kStrace);
  cl = parse({"user", "-d", "in_asm", "./prog"}, {{"MIMIC_LOG", "unimp"}});
  EXPECT_EQ(cl.user.engine.log, tcg::LogFlag::kInAsm);
  cl = parse({"user", "./prog"}, {{"MIMIC_LOG", "nope"}});
  EXPECT_EQ(cl.command, Command::kError);
  EXPECT_NE(cl.error.find("MIMIC_LOG='nope'"), std::string::npos) << cl.error;
  auto env = [](const char* name) -> const char* { return std::string(name) == "MIMIC_LOG" ? "unimp" : nullptr; };
  cl = parse_binfmt_invocation({"/usr/bin/ls", "ls"}, true, env);
  ASSERT_EQ(cl.command, Command::kUser);
  EXPECT_EQ(cl.user.engine.log, tcg::LogFlag::kUnimp);
}

TEST(LogFlags, ParsesListsAndRejectsUnknownItems) {
  uint32_t flags = 0;
  std::string err;
  EXPECT_TRUE(tcg::parse_log_flags("in_asm,,out_asm,", flags, err));
  EXPECT_EQ(flags, tcg::LogFlag::kInAsm | tcg::LogFlag::kOutAsm);
  EXPECT_FALSE(tcg::parse_log_flags("exec,nope", flags, err));
  EXPECT_NE(err.find("nope"), std::string::npos);
  std::string help = tcg::log_flags_help();
  for (const char* item : {"in_asm", "op", "op_opt", "out_asm", "exec", "nochain", "strace", "unimp"}) {
    EXPECT_NE(help.find(item), std::string::npos) << item;
  }
}

}  // namespace
}  // namespace mimic::frontends
