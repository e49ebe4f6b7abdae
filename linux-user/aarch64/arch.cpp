// The aarch64 entry of the architecture table: ELF machine, auxv values, layout, O_* flags.
#include "linux-user/arch.h"

#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>

#include <iterator>

#include "target/arm/cpu.h"

namespace mimic::linux_user {

namespace aarch64 {
int run(Process& proc, uint64_t entry, uint64_t sp);

namespace {
// AT_HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h) for exactly what the translator implements.
enum : uint64_t {
  kHwcapFp = 1 << 0,
  kHwcapAsimd = 1 << 1,
  kHwcapAes = 1 << 3,
  kHwcapPmull = 1 << 4,
  kHwcapSha1 = 1 << 5,
  kHwcapSha2 = 1 << 6,
  kHwcapCrc32 = 1 << 7,
  kHwcapAtomics = 1 << 8,
  kHwcapCpuid = 1 << 11,  // MRS of the ID registers is emulated (target/arm/sysreg.cpp)
  kHwcapLrcpc = 1 << 15,
  kHwcapSha3 = 1 << 17,
  kHwcapSm3 = 1 << 18,
  kHwcapSm4 = 1 << 19,
  kHwcapSha512 = 1 << 21,
};
// The crypto bits match ID_AA64ISAR0 (sysreg.cpp): AES+PMULL, SHA1, SHA2 with SHA512, SHA3, SM3, SM4.
constexpr uint64_t kHwcap = kHwcapFp | kHwcapAsimd | kHwcapAes | kHwcapPmull | kHwcapSha1 | kHwcapSha2 | kHwcapCrc32 |
                            kHwcapAtomics | kHwcapCpuid | kHwcapLrcpc | kHwcapSha3 | kHwcapSm3 | kHwcapSm4 |
                            kHwcapSha512;

// The O_* bits where arm64 differs from x86-64 (the others are the asm-generic values on both).
struct FlagPair {
  int guest, host;
};
constexpr FlagPair kOpenFlags[] = {
    {040000, O_DIRECTORY},
    {0100000, O_NOFOLLOW},
    {0200000, O_DIRECT},
    {0400000, 0100000 /* x86-64 __O_LARGEFILE, which glibc spells 0 */},
};
constexpr int kDifferingGuest = 040000 | 0100000 | 0200000 | 0400000;
constexpr int kDifferingHost = O_DIRECTORY | O_NOFOLLOW | O_DIRECT | 0100000;

}  // namespace

int open_flags_to_host(int f) {
  int out = f & ~kDifferingGuest;
  for (const FlagPair& p : kOpenFlags)
    if (f & p.guest) out |= p.host;
  return out;
}
int open_flags_to_guest(int f) {
  int out = f & ~kDifferingHost;
  for (const FlagPair& p : kOpenFlags)
    if (f & p.host) out |= p.guest;
  return out;
}

namespace {

// mov x8, #139 (rt_sigreturn); svc #0 — what the vDSO's __kernel_rt_sigreturn does.
constexpr uint8_t kSigreturn[8] = {0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4};

void register_syscalls(SyscallTable&) {}  // arm64 has no system calls of its own

// arch/arm64/kernel/cpuinfo.c: c_show() and hwcap_str[] (names by AT_HWCAP bit), the MIDR_EL1
// fields of the CPU MRS reports, and BogoMIPS from the generic timer (rate / 500000).
void cpuinfo(std::string& out, unsigned cpu) {
  static constexpr const char* kHwcapNames[] = {
      "fp",    "asimd",    "evtstrm", "aes",  "pmull", "sha1",  "sha2", "crc32", "atomics", "fphp",    "asimdhp",
      "cpuid", "asimdrdm", "jscvt",   "fcma", "lrcpc", "dcpop", "sha3", "sm3",   "sm4",     "asimddp", "sha512"};
  std::string features;
  for (unsigned bit = 0; bit < std::size(kHwcapNames); ++bit)
    if (kHwcap & (uint64_t(1) << bit)) features += (features.empty() ? "" : " ") + std::string(kHwcapNames[bit]);
  const uint64_t midr = arm::kMidr;
  out += fmt::format(
      "processor\t: {}\nBogoMIPS\t: {}.{:02}\nFeatures\t: {}\nCPU implementer\t: {:#04x}\n"
      "CPU architecture: 8\nCPU variant\t: {:#x}\nCPU part\t: {:#05x}\nCPU revision\t: {}\n\n",
      cpu, arm::kCntfrq / 500000, (arm::kCntfrq / 5000) % 100, features, (midr >> 24) & 0xff, (midr >> 20) & 0xf,
      (midr >> 4) & 0xfff, midr & 0xf);
}
}  // namespace
}  // namespace aarch64

// The layout of a kernel with 39-bit virtual addresses (512 GiB of user space), as Android and
// many boards configure it; programs see the same structure as with 48 bits.
extern const ArchInfo kAarch64Arch = {
    .name = "aarch64",
    .e_machine = EM_AARCH64,
    .platform = "aarch64",
    .hwcap = aarch64::kHwcap,
    .hwcap2 = 0,
    .stack_top = 0x7ffffff000,
    .dyn_base = 0x5555555000,
    .interp_base = 0,
    .min_sigstack = 4720,  // sizeof(rt_sigframe) + frame record + alignment, as the kernel computes it
    .sigaction_restorer = true,
    .sigreturn_code = aarch64::kSigreturn,
    .sigreturn_size = sizeof aarch64::kSigreturn,
    .open_flags_to_host = aarch64::open_flags_to_host,
    .open_flags_to_guest = aarch64::open_flags_to_guest,
    .cpuinfo = aarch64::cpuinfo,
    .register_syscalls = aarch64::register_syscalls,
    .run = aarch64::run,
};

}  // namespace mimic::linux_user
