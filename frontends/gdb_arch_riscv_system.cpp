// riscv64 as gdb sees a hart of `mimic system`: linux-user's registers (x, pc, f, fflags/frm/fcsr)
// plus QEMU's org.gnu.gdb.riscv.virtual (priv, at 65) and org.gnu.gdb.riscv.csr (every CSR the
// hart has, at 65 + its number: gdb's own numbering of CSRs).
#include <cstdio>
#include <cstring>

#include "frontends/gdb_arch.h"
#include "target/riscv/cpu.h"
#include "target/riscv/csr.h"

namespace mimic::frontends {

namespace {

constexpr int kPrivReg = 65;
constexpr int kFirstCsrReg = 65;

// The FP CSRs are in the fpu feature; the unprivileged counters (cycle, time, instret,
// hpmcounterN) are left out as QEMU does (mcycle/minstret show the same counts).
bool listed_csr(uint32_t csr) { return csr > 3 && (csr < 0xc00 || csr > 0xc1f) && riscv::csr_name(csr); }

// Runs a CSR access as a debugger does: with M-mode's rights, whatever the hart's privilege.
bool debug_csr(riscv::RiscvCpu& c, uint32_t csr, bool write, uint64_t value, uint64_t* old) {
  const uint64_t priv = c.priv;
  c.priv = riscv::kPrivM;
  const bool ok = riscv::csr_access(c, csr, riscv::CsrOp::Write, value, write, old);
  c.priv = priv;
  riscv::update_tb_flags(c);
  return ok;
}

class RiscvSystemArch final : public GdbArch {
 public:
  explicit RiscvSystemArch(const GdbArch& base) : base_(base) {
    target_ =
        "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>"
        "<architecture>riscv:rv64</architecture><xi:include href=\"riscv-64bit-cpu.xml\"/>"
        "<xi:include href=\"riscv-64bit-fpu.xml\"/><xi:include href=\"riscv-64bit-virtual.xml\"/>"
        "<xi:include href=\"riscv-csr.xml\"/></target>";
    csr_ =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
        "<feature name=\"org.gnu.gdb.riscv.csr\">\n";
    for (uint32_t csr = 0; csr < 4096; ++csr) {
      if (!listed_csr(csr)) continue;
      char line[96];
      std::snprintf(line, sizeof line, "  <reg name=\"%s\" bitsize=\"64\" type=\"int\" regnum=\"%u\"/>\n",
                    riscv::csr_name(csr), kFirstCsrReg + csr);
      csr_ += line;
    }
    csr_ += "</feature>\n";
  }

  std::string feature(const std::string& annex) const override {
    if (annex == "target.xml") return target_;
    if (annex == "riscv-64bit-virtual.xml")
      return "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
             "<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
             "  <reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"65\"/>\n</feature>\n";
    if (annex == "riscv-csr.xml") return csr_;
    return base_.feature(annex);
  }
  int g_count() const override { return base_.g_count(); }

  std::string read_register(const tcg::CpuBase& base, int r) const override {
    auto& c = const_cast<riscv::RiscvCpu&>(static_cast<const riscv::RiscvCpu&>(base));
    uint64_t v;
    if (r == kPrivReg) {
      v = c.priv;
    } else if (r > kFirstCsrReg && r < kFirstCsrReg + 4096 && listed_csr(uint32_t(r - kFirstCsrReg))) {
      if (!debug_csr(c, uint32_t(r - kFirstCsrReg), false, 0, &v)) return "";
    } else {
      return base_.read_register(base, r);
    }
    return std::string(reinterpret_cast<const char*>(&v), 8);
  }

  bool write_register(tcg::CpuBase& base, int r, const std::string& b) const override {
    auto& c = static_cast<riscv::RiscvCpu&>(base);
    const bool ours =
        r == kPrivReg || (r > kFirstCsrReg && r < kFirstCsrReg + 4096 && listed_csr(uint32_t(r - kFirstCsrReg)));
    if (!ours) return base_.write_register(base, r, b);
    if (b.size() != 8) return false;
    uint64_t v, old;
    std::memcpy(&v, b.data(), 8);
    if (r == kPrivReg) {
      if (v != riscv::kPrivU && v != riscv::kPrivS && v != riscv::kPrivM) return false;
      c.priv = v;
      riscv::update_tb_flags(c);
      return true;
    }
    return debug_csr(c, uint32_t(r - kFirstCsrReg), true, v, &old);
  }

 private:
  const GdbArch& base_;
  std::string target_, csr_;
};

}  // namespace

const GdbArch* gdb_arch_riscv_system() {
  static const RiscvSystemArch arch(*gdb_arch_for("riscv64"));
  return &arch;
}

}  // namespace mimic::frontends
