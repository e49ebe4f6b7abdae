// The AArch64 vCPU's registers in a whole-machine snapshot (target/arm/snapshot.cpp).
#pragma once

namespace mimic::hw {
class StateIo;
}

namespace mimic::arm {

struct A64Cpu;
// Saves or loads (io.loading()) the architectural registers of `c`; loading recomputes the
// derived state (flags, FPCR in the MXCSR, tb_flags). The caller flushes TLBs and re-arms timers.
void snapshot_registers(A64Cpu& c, hw::StateIo& io);

}  // namespace mimic::arm
