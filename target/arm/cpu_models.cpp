// The -cpu models of system mode: ID register values as qemu-system-aarch64 7.2 reports them
// (tests/system/aarch64/idregs.c prints them under both), except where mimic implements less:
// EL0/EL1 are AArch64 only (ID_AA64PFR0 EL0/EL1 = 1). ID_AA64ISAR0 is the cores' own (AES with
// PMULL, SHA1, SHA256, CRC32); max shows what mimic implements beyond (LSE, SHA512, SHA3, SM3, SM4).
#include <string>

#include "target/arm/sysreg_system.h"

namespace mimic::arm {

namespace {
// ID_PFR0 ... MVFR2 of the Cortex-A53/A57 (A72 differs in ID_MMFR0).
#define AARCH32_IDS(mmfr0)                                                                                       \
  {                                                                                                              \
    0x131, 0x10001, 0x3010006, 0, mmfr0, 0x40000000, 0x01260000, 0x02102211, 0x02101110, 0x13112111, 0x21232042, \
        0x01112131, 0x00011142, 0x00011121, 0, 0, 0x10110222, 0x12111111, 0x43, 0, 0, 0, 0, 0                    \
  }

constexpr ArmCpuModel kModels[] = {
    {"cortex-a53",
     0x410fd034,
     0,
     0x84448004,
     4,
     0x0a200023,
     {0x700fe01a, 0x201fe00a, 0x707fe07a},
     0,
     0x11,
     0,
     0x10305106,
     0x11120,
     0,
     0x1122,
     0,
     0,
     AARCH32_IDS(0x10101105),
     0x00c50838,
     false,
     false,
     false,
     0x41033000},
    {"cortex-a57",
     0x411fd070,
     0,
     0x8444c004,
     4,
     0x0a200023,
     {0x701fe00a, 0x201fe012, 0x70ffe07a},
     0,
     0x11,
     0,
     0x10305106,
     0x11120,
     0,
     0x1124,
     0,
     0,
     AARCH32_IDS(0x10101105),
     0x00c50838,
     false,
     false,
     false,
     0x41013000},
    {"cortex-a72",
     0x410fd083,
     0,
     0x8444c004,
     4,
     0x0a200023,
     {0x701fe00a, 0x201fe012, 0x707fe07a},
     0,
     0x11,
     0,
     0x10305106,
     0x11120,
     0,
     0x1124,
     0,
     0,
     AARCH32_IDS(0x10201105),
     0x00c50838,
     false,
     false,
     false,
     0x41023000},
    // max: QEMU's MIDR and cache geometry with the features mimic implements: AES/PMULL, SHA1,
    // SHA256/SHA512, SHA3, SM3, SM4, CRC32 and LSE atomics (ISAR0), LRCPC (ISAR1), 48-bit PA with 16-bit
    // ASIDs and all three granules (MMFR0), hardware AF/dirty updates, VHE and PAN (MMFR1), UAO (MMFR2).
    // PMCR_EL0: IMP, IDCODE, N = 6 (QEMU's).
    {"max",
     0x000f0510,
     0,
     0x8444c004,
     4,
     0x02000023,
     {0x701fe00a, 0x201fe012, 0x70ffe07a},
     0,
     0x11,
     0,
     0x10305106,
     0x11100212120,
     0x100000,
     0x00100025,
     0x00100102,
     0x10,
     AARCH32_IDS(0x10101105),
     0x00c50838,
     true,
     true,
     true,
     0x41013000},
};
#undef AARCH32_IDS
}  // namespace

const ArmCpuModel* find_cpu_model(const std::string& name) {
  for (const ArmCpuModel& m : kModels)
    if (name == m.name) return &m;
  return nullptr;
}

std::string cpu_model_names() {
  std::string out;
  for (const ArmCpuModel& m : kModels) out += (out.empty() ? "" : ", ") + std::string(m.name);
  return out;
}

}  // namespace mimic::arm
