// PSCI 1.0 as the firmware of QEMU's virt board provides it (through HVC or SMC, no EL3 code):
// the function ids, their arguments and results; the machine carries out the power operations.
#pragma once

#include <cstdint>

namespace mimic::arm {

namespace PsciRet {
enum : int64_t {
  kSuccess = 0,
  kNotSupported = -1,
  kInvalidParams = -2,
  kDenied = -3,
  kAlreadyOn = -4,
  kOnPending = -5,
  kInternalFailure = -6
};
}

// What the machine does for PSCI (hw/arm/virt_machine.cpp).
class PsciPlatform {
 public:
  virtual ~PsciPlatform() = default;
  // Starts the vCPU with this MPIDR at `entry` (EL1, MMU off) with x0 = context_id: a PsciRet.
  virtual int64_t cpu_on(uint64_t target_mpidr, uint64_t entry, uint64_t context_id) = 0;
  // 0 on, 1 off, 2 on pending; or PsciRet::kInvalidParams for an MPIDR no vCPU has.
  virtual int64_t affinity_info(uint64_t target_mpidr) = 0;
  virtual void system_off() = 0;
  virtual void system_reset() = 0;
};

// One call (x0 = function id, x1..x3) through the conduit: the value for x0 (NOT_SUPPORTED for
// ids outside PSCI's ranges, as QEMU 7.2 answers them), or kPsciCpuOff for CPU_OFF.
uint64_t psci_call(PsciPlatform& platform, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

}  // namespace mimic::arm
