// ArchInfo: what the shared linux-user core needs to know about one guest architecture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mimic::linux_user {

struct Process;
class SyscallTable;
struct SyscallCtx;
class GuestThread;

struct ArchInfo {
  const char* name;        // "riscv64": error messages and uname -m
  uint16_t e_machine;      // ELF machine number
  const char* platform;    // AT_PLATFORM string (empty: none)
  uint64_t hwcap, hwcap2;  // AT_HWCAP, AT_HWCAP2
  uint64_t stack_top;      // default top of the initial stack (clipped to the reservation)
  uint64_t dyn_base;       // where static-PIE programs are loaded
  uint64_t interp_base;    // where the dynamic loader is loaded
  uint64_t min_sigstack;   // AT_MINSIGSTKSZ
  // The ABI's word: 4 for 32-bit guests (pointers, longs, auxv and argv entries), else 8.
  unsigned word_bytes = 8;
  // The guest address space's size (32-bit guests: 4 GiB); 0 takes the largest the host grants.
  uint64_t address_space = 0;
  bool sigaction_restorer;  // the kernel's struct sigaction has sa_restorer (aarch64 yes, riscv no)
  // Code of the signal-return trampoline page (what the vDSO's rt_sigreturn would do).
  const uint8_t* sigreturn_code;
  size_t sigreturn_size;
  // Guest O_* bits that differ from the host's (0/null: identical, as on riscv64).
  int (*open_flags_to_host)(int guest_flags);
  int (*open_flags_to_guest)(int host_flags);
  // Appends /proc/cpuinfo's block for processor `cpu`, as this architecture's Linux prints it.
  void (*cpuinfo)(std::string& out, unsigned cpu);
  // Adds the architecture's own system calls (riscv_flush_icache, ...).
  void (*register_syscalls)(SyscallTable& table);
  // Creates the CPU, runs from `entry` with stack pointer `sp` until the guest exits; returns the
  // exit status (fatal signals end the process from inside).
  int (*run)(Process& process, uint64_t entry, uint64_t sp);
  // -cpu NAME: the entry of that CPU model (its own name, platform, hwcaps, /proc/cpuinfo and
  // `cpu_model`), or null when the architecture has no such CPU; `cpu_names` lists them.
  const ArchInfo* (*select_cpu)(const std::string& name) = nullptr;
  const char* cpu_names = nullptr;
  unsigned cpu_model = 0;  // the architecture's own number for the CPU model (0: its default)
  // The architecture's own prctl options (riscv64's V control); null or -EINVAL: none.
  int64_t (*prctl)(SyscallCtx& ctx, const uint64_t* a) = nullptr;
  // Appends the thread state an execve'd program of this architecture starts with to its host
  // environment, as MIMIC_USER_ARCH_* variables (never passed on to the guest).
  void (*exec_env)(GuestThread& thread, std::vector<std::string>& envp) = nullptr;
  // Appended to /proc/cpuinfo once, after the processors' blocks (arm: Hardware, Revision, Serial).
  const char* cpuinfo_tail = nullptr;
};

// The prefix of the environment variables exec_env adds.
constexpr const char* kArchExecVarPrefix = "MIMIC_USER_ARCH_";

// The architecture of an ELF e_machine value, or null when mimic does not run it.
const ArchInfo* find_arch(uint16_t e_machine);

}  // namespace mimic::linux_user
