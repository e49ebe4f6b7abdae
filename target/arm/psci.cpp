// PSCI 1.1 function decoding (QEMU 7.2 target/arm/psci.c behaviour: version 1.1, no migration,
// CPU_SUSPEND returns at once, SYSTEM_OFF/RESET through the machine).
#include "target/arm/psci.h"

#include "target/arm/sysreg_system.h"

namespace mimic::arm {

namespace {
enum : uint32_t {
  kVersion = 0x84000000,
  kCpuSuspend = 0x84000001,
  kCpuOff = 0x84000002,
  kCpuOn = 0x84000003,
  kAffinityInfo = 0x84000004,
  kMigrate = 0x84000005,
  kMigrateInfoType = 0x84000006,
  kMigrateInfoUpCpu = 0x84000007,
  kSystemOff = 0x84000008,
  kSystemReset = 0x84000009,
  kFeatures = 0x8400000a,
  kSmc64 = 0x40000000,  // the SMC64 calling convention bit of the function id
};

// PSCI's function ranges: 0x84000000-0x8400001F (SMC32) and 0xC4000000-0xC400001F (SMC64).
bool is_psci(uint64_t fn) { return (fn & ~uint64_t(kSmc64 | 0x1f)) == 0x84000000; }

bool implemented(uint32_t fn) {
  switch (fn & ~kSmc64) {
    case kVersion:
    case kCpuSuspend:
    case kCpuOff:
    case kCpuOn:
    case kAffinityInfo:
    case kMigrateInfoType:
    case kSystemOff:
    case kSystemReset:
    case kFeatures:
      return (fn & kSmc64) == 0 || (fn & ~kSmc64) == kCpuSuspend || (fn & ~kSmc64) == kCpuOn ||
             (fn & ~kSmc64) == kAffinityInfo;
    default: return false;
  }
}
}  // namespace

uint64_t psci_call(PsciPlatform& p, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
  // QEMU answers every call through the conduit: what is not PSCI's is NOT_SUPPORTED.
  if (!is_psci(fn)) return uint64_t(PsciRet::kNotSupported);
  const uint32_t id = uint32_t(fn);
  if (!(id & kSmc64)) {  // SMC32: 32-bit arguments
    a1 = uint32_t(a1);
    a2 = uint32_t(a2);
    a3 = uint32_t(a3);
  }
  auto ret = [](int64_t v) { return uint64_t(v); };
  switch (id & ~kSmc64) {
    case kVersion: return 0x00010001;  // 1.1, as QEMU 7.2
    case kCpuSuspend: return ret(PsciRet::kSuccess);
    case kCpuOff: return kPsciCpuOff;
    case kCpuOn: return ret(p.cpu_on(a1, a2, a3));
    case kAffinityInfo:
      if (a2 != 0) return ret(PsciRet::kNotSupported);  // lowest affinity level only
      return ret(p.affinity_info(a1));
    case kMigrateInfoType: return 2;  // no Trusted OS: migration not required
    case kMigrate:
    case kMigrateInfoUpCpu: return ret(PsciRet::kNotSupported);
    case kSystemOff: p.system_off(); return ret(PsciRet::kSuccess);
    case kSystemReset: p.system_reset(); return ret(PsciRet::kSuccess);
    case kFeatures: return ret(implemented(uint32_t(a1)) && is_psci(a1) ? PsciRet::kSuccess : PsciRet::kNotSupported);
    default: return ret(PsciRet::kNotSupported);
  }
}

}  // namespace mimic::arm
