// `mimic binfmt install|uninstall|status`: registering mimic with the kernel's binfmt_misc so that
// foreign Linux programs run when executed directly (./prog, a chroot's /bin/sh), as
// qemu-user-binfmt does for qemu; and the interpreter side, when the kernel starts mimic that way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mimic::frontends {

struct BinfmtArch {
  const char* name;  // aarch64, arm, riscv64
  uint16_t machine;  // ELF e_machine
};
// The guest architectures `mimic user` runs.
const std::vector<BinfmtArch>& binfmt_arches();
const BinfmtArch* find_binfmt_arch(const std::string& name);

// Entries are named PREFIX-ARCH ("mimic-aarch64").
constexpr const char* kBinfmtDefaultPrefix = "mimic";
constexpr const char* kBinfmtMiscDir = "/proc/sys/fs/binfmt_misc";

// The line written to /proc/sys/fs/binfmt_misc/register: matches 64-bit little-endian ELF
// executables and shared objects (ET_EXEC, ET_DYN) of `machine`, any OS/ABI byte. Flags: P (the
// guest keeps its argv[0]), O (the kernel passes the program as an open file: AT_EXECFD tells mimic
// it was started by binfmt_misc), F (the kernel opens mimic now, so it also works in chroots and
// containers where mimic's path does not exist). With `credentials`, also C: set-user-ID and
// file-capability programs (sudo, passwd in a chroot) run with their own credentials, as
// natively; mimic then runs with them too, so only register it so when that is wanted.
std::string binfmt_registration(const std::string& entry_name, uint16_t machine, const std::string& interpreter,
                                bool credentials = false);

enum class BinfmtAction { kInstall, kUninstall, kStatus };
struct BinfmtOptions {
  BinfmtAction action = BinfmtAction::kStatus;
  std::vector<std::string> arches;  // empty: all of binfmt_arches()
  std::string prefix = kBinfmtDefaultPrefix;
  std::string interpreter;           // empty: this mimic binary
  std::string dir = kBinfmtMiscDir;  // another folder: tests (never mounted there)
  bool dry_run = false;              // install: print the registration lines only
  bool credentials = false;          // install: the C flag (see binfmt_registration)
};

// Runs the command, printing what it did (or one clear error line) ; returns the exit status.
int run_binfmt(const BinfmtOptions& options);

}  // namespace mimic::frontends
