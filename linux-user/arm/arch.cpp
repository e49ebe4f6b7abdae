// The 32-bit Arm (EABI, armhf and armel) entry of the architecture table: ELF machine, auxv
// values, layout, the kuser helper page and /proc/cpuinfo.
#include "linux-user/arch.h"

#include <elf.h>
#include <fmt/format.h>

#include <cstring>

#include "linux-user/arm/thread.h"
#include "linux-user/mmap.h"
#include "linux-user/process.h"

namespace mimic::linux_user {

namespace aarch64 {
int open_flags_to_host(int f);
int open_flags_to_guest(int f);
}  // namespace aarch64

namespace arm32 {
// The -cpu names (the models are thread.h's CpuModelId).
constexpr const char* kCpuNames = "cortex-a15 (the default; max and any name it too), cortex-a7, arm1176";
int run(Process& proc, uint64_t entry, uint64_t sp);
void register_syscalls(SyscallTable& table);
const ArchInfo* select_cpu(const std::string& name);

namespace {
// AT_HWCAP bits (arch/arm/include/uapi/asm/hwcap.h) for what the translator implements.
enum : uint64_t {
  kHwcapSwp = 1 << 0,
  kHwcapHalf = 1 << 1,
  kHwcapThumb = 1 << 2,
  kHwcapFastMult = 1 << 4,
  kHwcapVfp = 1 << 6,
  kHwcapEdsp = 1 << 7,
  kHwcapNeon = 1 << 12,
  kHwcapVfpv3 = 1 << 13,
  kHwcapTls = 1 << 15,
  kHwcapVfpv4 = 1 << 16,
  kHwcapIdiva = 1 << 17,
  kHwcapIdivt = 1 << 18,
  kHwcapVfpd32 = 1 << 19,
  kHwcapLpae = 1 << 20,
};
// ARMv6 (the ARM1176): SWP, the halfword and DSP instructions, Thumb, VFPv2 and the TLS register.
constexpr uint64_t kHwcapV6 =
    kHwcapSwp | kHwcapHalf | kHwcapThumb | kHwcapFastMult | kHwcapVfp | kHwcapEdsp | kHwcapTls;
// ARMv7-A with NEON, VFPv4-D32, the divides and LPAE (the Cortex-A15 and A7 models).
constexpr uint64_t kHwcap =
    kHwcapV6 | kHwcapNeon | kHwcapVfpv3 | kHwcapVfpv4 | kHwcapIdiva | kHwcapIdivt | kHwcapVfpd32 | kHwcapLpae;
// AT_HWCAP2: the ARMv8 Cryptographic Extension and CRC32, all implemented (not on the ARMv6 model).
enum : uint64_t {
  kHwcap2Aes = 1 << 0,
  kHwcap2Pmull = 1 << 1,
  kHwcap2Sha1 = 1 << 2,
  kHwcap2Sha2 = 1 << 3,
  kHwcap2Crc32 = 1 << 4
};
constexpr uint64_t kHwcap2 = kHwcap2Aes | kHwcap2Pmull | kHwcap2Sha1 | kHwcap2Sha2 | kHwcap2Crc32;

// The kuser helpers (arch/arm/kernel/entry-armv.S, __kuser_helper_start) at their fixed
// addresses in the vector page, assembled from Linux's SMP (ARMv7) versions:
//   0xffff0f60 __kuser_cmpxchg64: push {r4-r7}; ldrd r4,r5,[r0]; ldrd r6,r7,[r1];
//              1: ldrexd r0,r1,[r2]; eors r3,r0,r4; eorseq r3,r1,r5; strexdeq r3,r6,r7,[r2];
//              teqeq r3,#1; beq 1b; pop {r4-r7}; rsbs r0,r3,#0; bx lr
//   0xffff0fa0 __kuser_memory_barrier: dmb ish; bx lr
//   0xffff0fc0 __kuser_cmpxchg: 1: ldrex r3,[r2]; subs r3,r3,r0; strexeq r3,r1,[r2];
//              teqeq r3,#1; beq 1b; rsbs r0,r3,#0; bx lr
//   0xffff0fe0 __kuser_get_tls: mrc p15,0,r0,c13,c0,3; bx lr
//   0xffff0ffc __kuser_helper_version: 5 (the number of 32-byte helper slots)
// (arm-linux-gnueabihf-as -march=armv7-a, objdump -d.)
constexpr uint64_t kVectorPage = 0xffff0000;
constexpr uint32_t kCmpxchg64[] = {0xe92d00f0, 0xe1c040d0, 0xe1c160d0, 0xe1b20f9f, 0xe0303004, 0x00313005,
                                   0x01a23f96, 0x03330001, 0x0afffff9, 0xe8bd00f0, 0xe2730000, 0xe12fff1e};
constexpr uint32_t kMemoryBarrier[] = {0xf57ff05b, 0xe12fff1e};
// ARMv6 has no DMB: Linux's ARMv6 build of the helper is the CP15 barrier, mcr p15, 0, r0, c7, c10, 5.
constexpr uint32_t kMemoryBarrierV6[] = {0xee070fba, 0xe12fff1e};
constexpr uint32_t kCmpxchg[] = {0xe1923f9f, 0xe0533000, 0x01823f91, 0x03330001, 0x0afffffa, 0xe2730000, 0xe12fff1e};
constexpr uint32_t kGetTls[] = {0xee1d0f70, 0xe12fff1e};
constexpr uint32_t kHelperVersion = 5;

// mov r7, #173 (rt_sigreturn); svc 0; mov r7, #119 (sigreturn); svc 0 — in ARM state, as the
// kernel's sigpage holds them (sigreturn_codes in arch/arm/kernel/sigreturn_codes.S).
constexpr uint8_t kSigreturn[16] = {0xad, 0x70, 0xa0, 0xe3, 0x00, 0x00, 0x00, 0xef,
                                    0x77, 0x70, 0xa0, 0xe3, 0x00, 0x00, 0x00, 0xef};

// What /proc/cpuinfo says of each CPU model (arch/arm/kernel/setup.c: c_show(); the main ID
// register's fields as the silicon has them).
struct CpuModel {
  const char* model_name;
  uint64_t hwcap, hwcap2;
  unsigned variant, part, revision;
};
constexpr CpuModel kModels[] = {
    {"ARMv7 Processor rev 1 (v7l)", kHwcap, kHwcap2, 0x2, 0xc0f, 1},         // kCortexA15: r2p1
    {"ARMv7 Processor rev 5 (v7l)", kHwcap, kHwcap2, 0x0, 0xc07, 5},         // kCortexA7: r0p5
    {"ARMv6-compatible processor rev 7 (v6l)", kHwcapV6, 0, 0x0, 0xb76, 7},  // kArm1176: r0p7 (a Raspberry Pi 1)
};

void cpuinfo_of(const CpuModel& m, std::string& out, unsigned cpu) {
  static constexpr const char* kNames[21] = {"swp",      "half", "thumb",  "26bit",  "fastmult", "fpa",    "vfp",
                                             "edsp",     "java", "iwmmxt", "crunch", "thumbee",  "neon",   "vfpv3",
                                             "vfpv3d16", "tls",  "vfpv4",  "idiva",  "idivt",    "vfpd32", "lpae"};
  std::string features;
  for (unsigned bit = 0; bit < 21; ++bit)
    if (m.hwcap & (uint64_t(1) << bit)) features += std::string(kNames[bit]) + " ";
  static constexpr const char* kNames2[5] = {"aes", "pmull", "sha1", "sha2", "crc32"};
  for (unsigned bit = 0; bit < 5; ++bit)
    if (m.hwcap2 & (uint64_t(1) << bit)) features += std::string(kNames2[bit]) + " ";
  // Linux prints "CPU architecture: 7" for the ARM1176 too (its CPUID scheme is ARMv7's).
  out += fmt::format(
      "processor\t: {}\nmodel name\t: {}\nBogoMIPS\t: 50.00\nFeatures\t: {}\n"
      "CPU implementer\t: 0x41\nCPU architecture: 7\nCPU variant\t: {:#x}\nCPU part\t: {:#x}\nCPU revision\t: {}\n\n",
      cpu, m.model_name, features, m.variant, m.part, m.revision);
}
void cpuinfo(std::string& out, unsigned cpu) { cpuinfo_of(kModels[kCortexA15], out, cpu); }
void cpuinfo_a7(std::string& out, unsigned cpu) { cpuinfo_of(kModels[kCortexA7], out, cpu); }
void cpuinfo_arm1176(std::string& out, unsigned cpu) { cpuinfo_of(kModels[kArm1176], out, cpu); }
}  // namespace

// The vector page with the kuser helpers, read-only and executable, as Linux maps it at
// 0xffff0000 for every ARM process (CONFIG_KUSER_HELPERS).
void map_kuser_helpers(Process& proc) {
  GuestMemory& mem = *proc.mem;
  if (!mem.in_range(kVectorPage, kPageSize) ||
      !mem.map_fixed_anon(kVectorPage, kPageSize, GuestProt::kRead | GuestProt::kWrite))
    return;
  uint8_t* page = static_cast<uint8_t*>(mem.host(kVectorPage));
  memcpy(page + 0xf60, kCmpxchg64, sizeof kCmpxchg64);
  if (proc.arch->cpu_model == kArm1176)
    memcpy(page + 0xfa0, kMemoryBarrierV6, sizeof kMemoryBarrierV6);
  else
    memcpy(page + 0xfa0, kMemoryBarrier, sizeof kMemoryBarrier);
  memcpy(page + 0xfc0, kCmpxchg, sizeof kCmpxchg);
  memcpy(page + 0xfe0, kGetTls, sizeof kGetTls);
  memcpy(page + 0xffc, &kHelperVersion, 4);
  mem.mprotect(kVectorPage, kPageSize, GuestProt::kRead | GuestProt::kExec);
  mem.describe(kVectorPage, kPageSize, GuestMemory::MapInfo{0, 0, 0, false, "[vectors]"});
}

}  // namespace arm32

// The 3G/1G split of a 32-bit Arm kernel: user space below 0xbf000000 (TASK_SIZE), the stack at
// its top, PIE programs at two thirds of it (ELF_ET_DYN_BASE).
extern const ArchInfo kArmArch = {
    .name = "armv7l",
    .e_machine = EM_ARM,
    .platform = "v7l",
    .hwcap = arm32::kHwcap,
    .hwcap2 = arm32::kHwcap2,
    .stack_top = 0xbf000000,
    .dyn_base = 0x7f550000,
    .interp_base = 0,
    .min_sigstack = 2048,  // MINSIGSTKSZ
    .word_bytes = 4,
    .address_space = uint64_t(1) << 32,
    .sigaction_restorer = true,
    .sigreturn_code = arm32::kSigreturn,
    .sigreturn_size = sizeof arm32::kSigreturn,
    .open_flags_to_host = aarch64::open_flags_to_host,  // Arm's O_* values are arm64's
    .open_flags_to_guest = aarch64::open_flags_to_guest,
    .cpuinfo = arm32::cpuinfo,
    .register_syscalls = arm32::register_syscalls,
    .run = arm32::run,
    .select_cpu = arm32::select_cpu,
    .cpu_names = arm32::kCpuNames,
    .cpu_model = arm32::kCortexA15,
    // arch/arm/kernel/setup.c's c_show, after the CPUs: a kernel booted from a device tree
    // names the generic machine; no board revision or serial number.
    .cpuinfo_tail = "Hardware\t: Generic DT based system\nRevision\t: 0000\nSerial\t\t: 0000000000000000\n",
};

namespace arm32 {
namespace {
// A Cortex-A7 as mimic models it is a Cortex-A15 (the same ARMv7-A with VFPv4 and the divides).
ArchInfo cortex_a7() {
  ArchInfo a = kArmArch;
  a.cpuinfo = cpuinfo_a7;
  a.cpu_model = kCortexA7;
  return a;
}
// The ARM1176JZF-S (ARMv6K with VFPv2; Raspberry Pi OS's armhf baseline): no Thumb-2, no
// ARMv7 instructions (they raise SIGILL), uname -m armv6l, AT_PLATFORM v6l.
ArchInfo arm1176() {
  ArchInfo a = kArmArch;
  a.name = "armv6l";
  a.platform = "v6l";
  a.hwcap = kHwcapV6;
  a.hwcap2 = 0;
  a.cpuinfo = cpuinfo_arm1176;
  a.cpu_model = kArm1176;
  return a;
}
}  // namespace

const ArchInfo* select_cpu(const std::string& name) {
  static const ArchInfo a7 = cortex_a7(), v6 = arm1176();
  // qemu-arm's default ("any", its "max") is an ARMv8 AArch32 CPU with NEON and the crypto
  // extensions; mimic's most capable model stands for it.
  if (name == "cortex-a15" || name == "max" || name == "any") return &kArmArch;
  if (name == "cortex-a7") return &a7;
  if (name == "arm1176") return &v6;
  return nullptr;
}
}  // namespace arm32

}  // namespace mimic::linux_user
