// The PMUv3 of one vCPU as QEMU 7.2 has it without -icount: PMCR_EL0.N = 6 event counters and
// the cycle counter, counting guest time at 1 GHz (QEMU's cycles), the events SW_INCR and
// CPU_CYCLES (STALL_FRONTEND/BACKEND are accepted and never count), EL filtering (PMEVTYPER /
// PMCCFILTR P, U, NSK, NSU, NSH), overflow flags and the overflow interrupt (the board's PPI 23).
#pragma once

#include <cstdint>

#include "target/arm/cpu.h"

namespace mimic::arm {

constexpr unsigned kPmuCounters = 6;
constexpr unsigned kPmuCycleCounter = 31;  // the C bit of PMCNTEN/PMOVS/PMINTEN

struct PmuState {
  uint64_t pmcr = 0;  // the writable bits (E P C D X DP LC); IMP/IDCODE/N come from the model
  uint32_t cnten = 0, inten = 0, ovs = 0;
  uint64_t ccnt = 0;
  uint32_t evcnt[kPmuCounters] = {}, evtype[kPmuCounters] = {};
  uint64_t ccfilter = 0;
  uint64_t last = 0;  // the cycle count the counters were brought up to
  bool irq = false;   // the overflow interrupt's level as last signalled
};

// Brings the counters up to the current cycle under the current EL's filters (before an EL
// change or a PMU register access), sets overflow flags and the interrupt line.
void pmu_sync(A64Cpu& c);
void pmu_reset(A64Cpu& c);
// Whether `enc` is a PMU register pmu.cpp handles (PMCR_EL0... PMEVCNTR<n>_EL0, PMEVTYPER<n>_EL0).
bool is_pmu_reg(uint32_t enc);
// EL0 access that PMUSERENR_EL0 (EN, and ER/CR for reads of the counters) does not allow.
bool pmu_el0_trapped(const A64Cpu& c, uint32_t enc, bool read);
bool pmu_read(A64Cpu& c, uint32_t enc, uint64_t& value);
bool pmu_write(A64Cpu& c, uint32_t enc, uint64_t value);

}  // namespace mimic::arm
