// aarch64 as gdb sees a vCPU of `mimic system-aarch64`: linux-user's core and fpu features
// (x0-x30, sp, pc, cpsr: 0-33; v0-v31, fpsr, fpcr: 34-67) with cpsr the whole PSTATE (EL, SP,
// DAIF... as QEMU's system mode shows it), plus QEMU's org.qemu.gdb.arm.sys.regs: the system
// registers from 68 on, under QEMU's names.
#include <cstring>

#include "frontends/gdb_arch.h"
#include "target/arm/sysreg_system.h"

namespace mimic::frontends {

namespace {

constexpr int kCpsrReg = 33;
constexpr int kFirstSysreg = 68;

// QEMU 7.2 names a few AArch64 registers after the AArch32 ones they share state with.
std::string qemu_name(const std::string& name) {
  static const char* const kShared[] = {"SCTLR_EL1",  "VBAR_EL1",  "CPACR_EL1", "CNTKCTL_EL1",
                                        "CSSELR_EL1", "CLIDR_EL1", "AIDR_EL1"};
  for (const char* n : kShared)
    if (name == n) return name.substr(0, name.size() - 4);
  return name;
}

class A64SystemArch final : public GdbArch {
 public:
  explicit A64SystemArch(const GdbArch& base) : base_(base) {
    target_ =
        "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>"
        "<architecture>aarch64</architecture><xi:include href=\"aarch64-core.xml\"/>"
        "<xi:include href=\"aarch64-fpu.xml\"/><xi:include href=\"system-registers.xml\"/></target>";
    sysregs_ =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
        "<feature name=\"org.qemu.gdb.arm.sys.regs\">\n";
    const auto& regs = arm::debug_sysregs();
    for (size_t i = 0; i < regs.size(); ++i)
      sysregs_ += "  <reg name=\"" + qemu_name(regs[i].name) + "\" bitsize=\"64\" regnum=\"" +
                  std::to_string(kFirstSysreg + int(i)) + "\" group=\"cp_regs\"/>\n";
    sysregs_ += "</feature>\n";
  }

  std::string feature(const std::string& annex) const override {
    if (annex == "target.xml") return target_;
    if (annex == "system-registers.xml") return sysregs_;
    return base_.feature(annex);
  }
  int g_count() const override { return base_.g_count(); }

  std::string read_register(const tcg::CpuBase& base, int r) const override {
    auto& c = const_cast<arm::A64Cpu&>(static_cast<const arm::A64Cpu&>(base));
    if (r == kCpsrReg) {
      const uint32_t v = uint32_t(arm::read_pstate(c));
      return std::string(reinterpret_cast<const char*>(&v), 4);
    }
    const DebugReg* reg = sysreg(r);
    if (!reg) return base_.read_register(base, r);
    uint64_t v;
    if (!arm::debug_sysreg_read(c, reg->enc, v)) return "";
    return std::string(reinterpret_cast<const char*>(&v), 8);
  }

  bool write_register(tcg::CpuBase& base, int r, const std::string& b) const override {
    auto& c = static_cast<arm::A64Cpu&>(base);
    if (r == kCpsrReg) {
      if (b.size() != 4) return false;
      uint32_t v;
      std::memcpy(&v, b.data(), 4);
      // An EL this CPU lacks (EL2/EL3) or AArch32 stays refused, as an illegal ERET would be.
      if ((v & 0x10) || ((v >> 2) & 3) > 1) return false;
      arm::write_pstate(c, v);
      return true;
    }
    const DebugReg* reg = sysreg(r);
    if (!reg) return base_.write_register(base, r, b);
    if (b.size() != 8) return false;
    uint64_t v;
    std::memcpy(&v, b.data(), 8);
    return arm::debug_sysreg_write(c, reg->enc, v);
  }

 private:
  using DebugReg = arm::DebugSysreg;
  const DebugReg* sysreg(int r) const {
    const auto& regs = arm::debug_sysregs();
    return r >= kFirstSysreg && size_t(r - kFirstSysreg) < regs.size() ? &regs[size_t(r - kFirstSysreg)] : nullptr;
  }

  const GdbArch& base_;
  std::string target_, sysregs_;
};

}  // namespace

const GdbArch* gdb_arch_aarch64_system() {
  static const A64SystemArch arch(*gdb_arch_for("aarch64"));
  return &arch;
}

}  // namespace mimic::frontends
