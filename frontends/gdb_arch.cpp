// Target descriptions (the standard org.gnu.gdb.riscv.* / org.gnu.gdb.aarch64.* features gdb knows) and
// register access for the riscv64 and aarch64 CPU state structs.
#include "frontends/gdb_arch.h"

#include <cstring>

#include "target/arm/cpu.h"
#include "target/riscv/cpu.h"

namespace mimic::frontends {

namespace {

std::string bytes_of(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

// riscv64: 0-31 x0-x31, 32 pc, 33-64 f0-f31, 66 fflags, 67 frm, 68 fcsr (gdb's own numbering:
// the FP CSRs sit at 65 + their CSR number).
constexpr const char* kRiscvTarget =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target><architecture>riscv:rv64</architecture>"
    "<xi:include href=\"riscv-64bit-cpu.xml\"/><xi:include href=\"riscv-64bit-fpu.xml\"/></target>";
constexpr const char* kRiscvCpu = R"XML(<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.riscv.cpu">
  <reg name="zero" bitsize="64" type="int"/>
  <reg name="ra" bitsize="64" type="code_ptr"/>
  <reg name="sp" bitsize="64" type="data_ptr"/>
  <reg name="gp" bitsize="64" type="data_ptr"/>
  <reg name="tp" bitsize="64" type="data_ptr"/>
  <reg name="t0" bitsize="64" type="int"/>
  <reg name="t1" bitsize="64" type="int"/>
  <reg name="t2" bitsize="64" type="int"/>
  <reg name="fp" bitsize="64" type="data_ptr"/>
  <reg name="s1" bitsize="64" type="int"/>
  <reg name="a0" bitsize="64" type="int"/>
  <reg name="a1" bitsize="64" type="int"/>
  <reg name="a2" bitsize="64" type="int"/>
  <reg name="a3" bitsize="64" type="int"/>
  <reg name="a4" bitsize="64" type="int"/>
  <reg name="a5" bitsize="64" type="int"/>
  <reg name="a6" bitsize="64" type="int"/>
  <reg name="a7" bitsize="64" type="int"/>
  <reg name="s2" bitsize="64" type="int"/>
  <reg name="s3" bitsize="64" type="int"/>
  <reg name="s4" bitsize="64" type="int"/>
  <reg name="s5" bitsize="64" type="int"/>
  <reg name="s6" bitsize="64" type="int"/>
  <reg name="s7" bitsize="64" type="int"/>
  <reg name="s8" bitsize="64" type="int"/>
  <reg name="s9" bitsize="64" type="int"/>
  <reg name="s10" bitsize="64" type="int"/>
  <reg name="s11" bitsize="64" type="int"/>
  <reg name="t3" bitsize="64" type="int"/>
  <reg name="t4" bitsize="64" type="int"/>
  <reg name="t5" bitsize="64" type="int"/>
  <reg name="t6" bitsize="64" type="int"/>
  <reg name="pc" bitsize="64" type="code_ptr"/>
</feature>
)XML";
constexpr const char* kRiscvFpu = R"XML(<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.riscv.fpu">
  <union id="riscv_double">
    <field name="float" type="ieee_single"/>
    <field name="double" type="ieee_double"/>
  </union>
  <reg name="ft0" bitsize="64" type="riscv_double" regnum="33"/>
  <reg name="ft1" bitsize="64" type="riscv_double"/>
  <reg name="ft2" bitsize="64" type="riscv_double"/>
  <reg name="ft3" bitsize="64" type="riscv_double"/>
  <reg name="ft4" bitsize="64" type="riscv_double"/>
  <reg name="ft5" bitsize="64" type="riscv_double"/>
  <reg name="ft6" bitsize="64" type="riscv_double"/>
  <reg name="ft7" bitsize="64" type="riscv_double"/>
  <reg name="fs0" bitsize="64" type="riscv_double"/>
  <reg name="fs1" bitsize="64" type="riscv_double"/>
  <reg name="fa0" bitsize="64" type="riscv_double"/>
  <reg name="fa1" bitsize="64" type="riscv_double"/>
  <reg name="fa2" bitsize="64" type="riscv_double"/>
  <reg name="fa3" bitsize="64" type="riscv_double"/>
  <reg name="fa4" bitsize="64" type="riscv_double"/>
  <reg name="fa5" bitsize="64" type="riscv_double"/>
  <reg name="fa6" bitsize="64" type="riscv_double"/>
  <reg name="fa7" bitsize="64" type="riscv_double"/>
  <reg name="fs2" bitsize="64" type="riscv_double"/>
  <reg name="fs3" bitsize="64" type="riscv_double"/>
  <reg name="fs4" bitsize="64" type="riscv_double"/>
  <reg name="fs5" bitsize="64" type="riscv_double"/>
  <reg name="fs6" bitsize="64" type="riscv_double"/>
  <reg name="fs7" bitsize="64" type="riscv_double"/>
  <reg name="fs8" bitsize="64" type="riscv_double"/>
  <reg name="fs9" bitsize="64" type="riscv_double"/>
  <reg name="fs10" bitsize="64" type="riscv_double"/>
  <reg name="fs11" bitsize="64" type="riscv_double"/>
  <reg name="ft8" bitsize="64" type="riscv_double"/>
  <reg name="ft9" bitsize="64" type="riscv_double"/>
  <reg name="ft10" bitsize="64" type="riscv_double"/>
  <reg name="ft11" bitsize="64" type="riscv_double"/>
  <reg name="fflags" bitsize="32" type="int" regnum="66"/>
  <reg name="frm" bitsize="32" type="int" regnum="67"/>
  <reg name="fcsr" bitsize="32" type="int" regnum="68"/>
</feature>
)XML";

class RiscvArch final : public GdbArch {
 public:
  std::string feature(const std::string& annex) const override {
    if (annex == "target.xml") return kRiscvTarget;
    if (annex == "riscv-64bit-cpu.xml") return kRiscvCpu;
    if (annex == "riscv-64bit-fpu.xml") return kRiscvFpu;
    return "";
  }
  int g_count() const override { return 65; }
  std::string read_register(const tcg::CpuBase& base, int r) const override {
    const auto& c = static_cast<const riscv::RiscvCpu&>(base);
    if (r >= 0 && r < 32) return bytes_of(&c.x[r], 8);
    if (r == 32) return bytes_of(&c.pc, 8);
    if (r >= 33 && r < 65) return bytes_of(&c.f[r - 33], 8);
    uint32_t v;
    switch (r) {
      case 66: v = riscv::fp_get_fflags(c); break;
      case 67: v = c.frm; break;
      case 68: v = riscv::fp_get_fflags(c) | c.frm << 5; break;
      default: return "";
    }
    return bytes_of(&v, 4);
  }
  bool write_register(tcg::CpuBase& base, int r, const std::string& b) const override {
    auto& c = static_cast<riscv::RiscvCpu&>(base);
    const size_t want = (r >= 66 && r <= 68) ? 4 : 8;
    if (r < 0 || r > 68 || r == 65 || b.size() != want) return false;
    uint64_t v = 0;
    std::memcpy(&v, b.data(), want);
    if (r == 0) return true;  // x0 stays zero, as on hardware
    if (r < 32) {
      c.x[r] = v;
    } else if (r == 32) {
      c.pc = v;
    } else if (r < 65) {
      c.f[r - 33] = v;
    } else if (r == 66) {
      riscv::fp_set_fflags(c, uint32_t(v) & 0x1f);
    } else if (r == 67) {
      riscv::fp_set_frm(c, uint32_t(v) & 7);
    } else {
      riscv::fp_set_fflags(c, uint32_t(v) & 0x1f);
      riscv::fp_set_frm(c, (uint32_t(v) >> 5) & 7);
    }
    return true;
  }
};

// aarch64: 0-30 x0-x30, 31 sp, 32 pc, 33 cpsr, 34-65 v0-v31, 66 fpsr, 67 fpcr.
constexpr const char* kA64Target =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target><architecture>aarch64</architecture>"
    "<xi:include href=\"aarch64-core.xml\"/><xi:include href=\"aarch64-fpu.xml\"/></target>";
constexpr const char* kA64Core = R"XML(<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.aarch64.core">
  <reg name="x0" bitsize="64"/>
  <reg name="x1" bitsize="64"/>
  <reg name="x2" bitsize="64"/>
  <reg name="x3" bitsize="64"/>
  <reg name="x4" bitsize="64"/>
  <reg name="x5" bitsize="64"/>
  <reg name="x6" bitsize="64"/>
  <reg name="x7" bitsize="64"/>
  <reg name="x8" bitsize="64"/>
  <reg name="x9" bitsize="64"/>
  <reg name="x10" bitsize="64"/>
  <reg name="x11" bitsize="64"/>
  <reg name="x12" bitsize="64"/>
  <reg name="x13" bitsize="64"/>
  <reg name="x14" bitsize="64"/>
  <reg name="x15" bitsize="64"/>
  <reg name="x16" bitsize="64"/>
  <reg name="x17" bitsize="64"/>
  <reg name="x18" bitsize="64"/>
  <reg name="x19" bitsize="64"/>
  <reg name="x20" bitsize="64"/>
  <reg name="x21" bitsize="64"/>
  <reg name="x22" bitsize="64"/>
  <reg name="x23" bitsize="64"/>
  <reg name="x24" bitsize="64"/>
  <reg name="x25" bitsize="64"/>
  <reg name="x26" bitsize="64"/>
  <reg name="x27" bitsize="64"/>
  <reg name="x28" bitsize="64"/>
  <reg name="x29" bitsize="64"/>
  <reg name="x30" bitsize="64"/>
  <reg name="sp" bitsize="64" type="data_ptr"/>
  <reg name="pc" bitsize="64" type="code_ptr"/>
  <reg name="cpsr" bitsize="32"/>
</feature>
)XML";
constexpr const char* kA64Fpu = R"XML(<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.aarch64.fpu">
  <vector id="v2d" type="ieee_double" count="2"/>
  <vector id="v2u" type="uint64" count="2"/>
  <vector id="v2i" type="int64" count="2"/>
  <vector id="v4f" type="ieee_single" count="4"/>
  <vector id="v4u" type="uint32" count="4"/>
  <vector id="v4i" type="int32" count="4"/>
  <vector id="v8u" type="uint16" count="8"/>
  <vector id="v8i" type="int16" count="8"/>
  <vector id="v16u" type="uint8" count="16"/>
  <vector id="v16i" type="int8" count="16"/>
  <vector id="v1u" type="uint128" count="1"/>
  <vector id="v1i" type="int128" count="1"/>
  <union id="vnd">
    <field name="f" type="v2d"/>
    <field name="u" type="v2u"/>
    <field name="s" type="v2i"/>
  </union>
  <union id="vns">
    <field name="f" type="v4f"/>
    <field name="u" type="v4u"/>
    <field name="s" type="v4i"/>
  </union>
  <union id="vnh">
    <field name="u" type="v8u"/>
    <field name="s" type="v8i"/>
  </union>
  <union id="vnb">
    <field name="u" type="v16u"/>
    <field name="s" type="v16i"/>
  </union>
  <union id="vnq">
    <field name="u" type="v1u"/>
    <field name="s" type="v1i"/>
  </union>
  <union id="aarch64v">
    <field name="d" type="vnd"/>
    <field name="s" type="vns"/>
    <field name="h" type="vnh"/>
    <field name="b" type="vnb"/>
    <field name="q" type="vnq"/>
  </union>
  <reg name="v0" bitsize="128" type="aarch64v" regnum="34"/>
  <reg name="v1" bitsize="128" type="aarch64v" />
  <reg name="v2" bitsize="128" type="aarch64v" />
  <reg name="v3" bitsize="128" type="aarch64v" />
  <reg name="v4" bitsize="128" type="aarch64v" />
  <reg name="v5" bitsize="128" type="aarch64v" />
  <reg name="v6" bitsize="128" type="aarch64v" />
  <reg name="v7" bitsize="128" type="aarch64v" />
  <reg name="v8" bitsize="128" type="aarch64v" />
  <reg name="v9" bitsize="128" type="aarch64v" />
  <reg name="v10" bitsize="128" type="aarch64v"/>
  <reg name="v11" bitsize="128" type="aarch64v"/>
  <reg name="v12" bitsize="128" type="aarch64v"/>
  <reg name="v13" bitsize="128" type="aarch64v"/>
  <reg name="v14" bitsize="128" type="aarch64v"/>
  <reg name="v15" bitsize="128" type="aarch64v"/>
  <reg name="v16" bitsize="128" type="aarch64v"/>
  <reg name="v17" bitsize="128" type="aarch64v"/>
  <reg name="v18" bitsize="128" type="aarch64v"/>
  <reg name="v19" bitsize="128" type="aarch64v"/>
  <reg name="v20" bitsize="128" type="aarch64v"/>
  <reg name="v21" bitsize="128" type="aarch64v"/>
  <reg name="v22" bitsize="128" type="aarch64v"/>
  <reg name="v23" bitsize="128" type="aarch64v"/>
  <reg name="v24" bitsize="128" type="aarch64v"/>
  <reg name="v25" bitsize="128" type="aarch64v"/>
  <reg name="v26" bitsize="128" type="aarch64v"/>
  <reg name="v27" bitsize="128" type="aarch64v"/>
  <reg name="v28" bitsize="128" type="aarch64v"/>
  <reg name="v29" bitsize="128" type="aarch64v"/>
  <reg name="v30" bitsize="128" type="aarch64v"/>
  <reg name="v31" bitsize="128" type="aarch64v"/>
  <reg name="fpsr" bitsize="32"/>
  <reg name="fpcr" bitsize="32"/>
</feature>
)XML";

class A64Arch final : public GdbArch {
 public:
  std::string feature(const std::string& annex) const override {
    if (annex == "target.xml") return kA64Target;
    if (annex == "aarch64-core.xml") return kA64Core;
    if (annex == "aarch64-fpu.xml") return kA64Fpu;
    return "";
  }
  int g_count() const override { return 68; }
  std::string read_register(const tcg::CpuBase& base, int r) const override {
    const auto& c = static_cast<const arm::A64Cpu&>(base);
    if (r >= 0 && r < 31) return bytes_of(&c.x[r], 8);
    if (r == 31) return bytes_of(&c.sp, 8);
    if (r == 32) return bytes_of(&c.pc, 8);
    if (r >= 34 && r < 66) return bytes_of(&c.v[r - 34], 16);
    uint32_t v;
    switch (r) {
      case 33: v = arm::get_nzcv(c); break;
      case 66: v = arm::get_fpsr(c); break;
      case 67: v = arm::get_fpcr(c); break;
      default: return "";
    }
    return bytes_of(&v, 4);
  }
  bool write_register(tcg::CpuBase& base, int r, const std::string& b) const override {
    auto& c = static_cast<arm::A64Cpu&>(base);
    const size_t want = (r >= 34 && r < 66) ? 16 : (r == 33 || r == 66 || r == 67) ? 4 : 8;
    if (r < 0 || r > 67 || b.size() != want) return false;
    if (r >= 34 && r < 66) {
      std::memcpy(&c.v[r - 34], b.data(), 16);
      return true;
    }
    uint64_t v = 0;
    std::memcpy(&v, b.data(), want);
    if (r < 31) {
      c.x[r] = v;
    } else if (r == 31) {
      c.sp = v;
    } else if (r == 32) {
      c.pc = v;
    } else if (r == 33) {
      arm::set_nzcv(c, uint32_t(v) & 0xf0000000u);
    } else if (r == 66) {
      arm::set_fpsr(c, uint32_t(v));
    } else {
      arm::set_fpcr(c, uint32_t(v));
    }
    return true;
  }
};

}  // namespace

const GdbArch* gdb_arch_for(const std::string& arch_name) {
  static const RiscvArch riscv;
  static const A64Arch a64;
  if (arch_name == "riscv64") return &riscv;
  if (arch_name == "aarch64") return &a64;
  return nullptr;
}

}  // namespace mimic::frontends
