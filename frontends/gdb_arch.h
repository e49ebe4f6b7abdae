// The guest architectures as gdb sees them: target descriptions and register numbering for the
// riscv64 and aarch64 CPU state structs (shared by the linux-user and system-mode gdb targets).
#pragma once

#include <cstdint>
#include <string>

#include "tcg/exec/cpu_base.h"

namespace mimic::frontends {

class GdbArch {
 public:
  virtual ~GdbArch() = default;
  // The annexes of qXfer:features:read ("target.xml" and what it includes); "" when unknown.
  virtual std::string feature(const std::string& annex) const = 0;
  // The registers of the `g` packet are 0 .. g_count()-1 (p/P reach the same numbers).
  virtual int g_count() const = 0;
  // Raw little-endian bytes of register `regno` (empty when there is no such register).
  virtual std::string read_register(const tcg::CpuBase& cpu, int regno) const = 0;
  // False when there is no such register or `bytes` has the wrong size.
  virtual bool write_register(tcg::CpuBase& cpu, int regno, const std::string& bytes) const = 0;
};

const GdbArch* gdb_arch_for(const std::string& arch_name);  // "riscv64", "aarch64"; null otherwise
// A RISC-V hart in system mode: gdb_arch_for("riscv64") with priv and the CSRs
// (frontends/gdb_arch_riscv_system.cpp, linked with the system-mode targets).
const GdbArch* gdb_arch_riscv_system();
// An AArch64 vCPU in system mode: gdb_arch_for("aarch64") with the whole PSTATE in cpsr and the
// system registers (frontends/gdb_arch_aarch64_system.cpp).
const GdbArch* gdb_arch_aarch64_system();

}  // namespace mimic::frontends
