// Entry point of linux-user mode: run one guest Linux program on this host.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tcg/exec/options.h"

namespace mimic::linux_user {

struct Process;
class Debugger;

struct UserOptions {
  std::string program;            // path of the guest ELF file
  std::vector<std::string> argv;  // guest argv; argv[0] defaults to `program`
  std::string sysroot;            // -L DIR (or QEMU_LD_PREFIX)
  std::string cpu;                // -cpu NAME (or MIMIC_CPU, QEMU_CPU): the guest CPU model
  // The sysroot is the root the guest chrooted into: paths missing from it do not fall back to
  // the host's (except under /dev, /proc and /sys). Travels through guest execve in kChrootVar.
  bool sysroot_is_chroot = false;
  std::vector<std::string> env_set;    // -E VAR=VALUE
  std::vector<std::string> env_unset;  // -U VAR
  tcg::EngineOptions engine;
  // -g PORT (or QEMU_GDB): make_debugger is called once the process is set up and before its
  // first instruction (the gdb stub waits for gdb there); it returns null after printing why
  // it cannot (run_program then fails with status 1).
  int gdb_port = 0;
  std::function<std::unique_ptr<Debugger>(Process&, int port)> make_debugger;
};

// Loads and runs the program; returns the process exit status to pass to exit(), or ends the
// process with the same signal that ended the guest. Errors are printed as one clear line naming
// the file and the problem: status 127 for a missing program, 126 for a file that is not a
// runnable ELF for a supported guest (as a shell would).
int run_program(const UserOptions& options);

// A guest execve of a guest program starts a new mimic, whose host dynamic loader must not act on
// the guest's loader variables (a guest LD_PRELOAD names a guest library): LD_* variables travel
// with this prefix and become the guest's own again in the new mimic's guest environment.
constexpr const char* kGuestLoaderVarPrefix = "MIMIC_USER_GUEST_";
// Set by a guest execve in a guest that called chroot: the host path of its root.
constexpr const char* kChrootVar = "MIMIC_USER_CHROOT";
// Set by a guest execve of a guest program: the guest's signal mask (hex). The host mask is all
// blocked across that execve (see requeue_signals_for_exec), so the new mimic cannot inherit it.
constexpr const char* kSigmaskVar = "MIMIC_USER_SIGMASK";

}  // namespace mimic::linux_user
