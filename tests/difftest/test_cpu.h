// The guest state and sandbox the differential test runs random IR against.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcg/exec/cpu_base.h"

namespace mimic::difftest {

struct TestCpu : tcg::CpuBase {
  uint64_t regs[32];
  uint64_t vregs[8][2];
};

constexpr uint32_t reg_offset(unsigned r) { return uint32_t(offsetof(TestCpu, regs) + 8 * r); }
constexpr uint32_t vreg_offset(unsigned r) { return uint32_t(offsetof(TestCpu, vregs) + 16 * r); }

// Guest addresses [kSandboxGuest, kSandboxGuest + kSandboxSize) are the only memory programs
// touch; the host buffer has slack after it for accesses that start near the end.
constexpr uint64_t kSandboxGuest = 0x10000;
constexpr uint64_t kSandboxSize = 4096;
constexpr uint64_t kSandboxSlack = 64;
// Guest addresses with this bit set are non-canonical on the host for any guest base below 2^47:
// an access faults there (SIGSEGV) in both the interpreter and translated code.
constexpr uint64_t kFaultingGuestBit = uint64_t(1) << 63;

// Test helpers, registered at start-up; ids for the generator.
struct TestHelpers {
  uint32_t id[6];  // id[k] takes k arguments
  bool pure[6];
};
const TestHelpers& test_helpers();

}  // namespace mimic::difftest
