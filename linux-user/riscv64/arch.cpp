// The riscv64 entry of the architecture table: ELF machine, auxv values, layout, own syscalls.
#include "linux-user/arch.h"

#include <elf.h>
#include <fmt/format.h>

#include "linux-user/process.h"
#include "linux-user/riscv64/hwprobe.h"
#include "linux-user/riscv64/thread.h"
#include "linux-user/riscv64/vector_control.h"
#include "linux-user/syscall.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user {

namespace riscv64 {
int run(Process& proc, uint64_t entry, uint64_t sp);
const ArchInfo* select_cpu(const std::string& name);

namespace {
// AT_HWCAP: one bit per single-letter extension, bit (letter - 'A'): I M A F D C.
constexpr uint64_t kHwcap = (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) | (1u << ('F' - 'A')) |
                            (1u << ('D' - 'A')) | (1u << ('C' - 'A'));
constexpr uint64_t kHwcapV = 1u << ('V' - 'A');

// riscv_flush_icache(start, end, flags): the guest changed code. Linux ignores the range and
// makes every hart (every thread) see all earlier stores; the write watch has already dropped the
// blocks of pages written through their own address, so only what it cannot see goes (a full
// flush of every thread's code only when that is unknown).
int64_t sys_riscv_flush_icache(SyscallCtx& ctx, const uint64_t* a) {
  if (a[2] & ~uint64_t(1)) return -EINVAL;
  if (!ctx.proc.engine) return 0;
  // The range the program names goes in any case: the watch can miss a write racing with another
  // thread's translation of the same page (jit_dualmap's RWX page under load).
  if (a[0] < a[1]) ctx.proc.mem->invalidate_code(a[0], a[1]);
  if (!ctx.proc.mem->invalidate_unwatched_code()) ctx.proc.engine->flush();
  return 0;
}
// li a7, 139 (rt_sigreturn); ecall
constexpr uint8_t kSigreturn[8] = {0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00};

constexpr SyscallDef kDefs[] = {
    {258, "riscv_hwprobe", sys_riscv_hwprobe, "pupux", 'd'},
    {259, "riscv_flush_icache", sys_riscv_flush_icache, "xxx", 'd'},
};
void register_syscalls(SyscallTable& t) { t.add_all(kDefs); }

// arch/riscv/kernel/cpu.c: c_show(), for the extensions the translator implements, on an Sv39
// machine whose vendor, architecture and implementation ids are 0 (as on QEMU's virt board).
void cpuinfo_isa(std::string& out, unsigned cpu, const char* isa) {
  out += fmt::format(
      "processor\t: {}\nhart\t\t: {}\nisa\t\t: {}\n"
      "mmu\t\t: sv39\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n",
      cpu, cpu, isa);
}
void cpuinfo(std::string& out, unsigned cpu) { cpuinfo_isa(out, cpu, "rv64imafdc_zicntr_zicsr_zifencei_zba_zbb_zbs"); }
// With V, Linux (6.9+) also lists the vector subsets V implies, in its canonical order.
void cpuinfo_v(std::string& out, unsigned cpu) {
  cpuinfo_isa(out, cpu,
              "rv64imafdcv_zicntr_zicsr_zifencei_zba_zbb_zbs_zve32f_zve32x_zve64d_zve64f_zve64x_zvl128b_zvl32b_"
              "zvl64b");
}
}  // namespace
}  // namespace riscv64

// The layout of an Sv39 machine (256 GiB of user space), what most riscv64 boards run.
extern const ArchInfo kRiscv64Arch = {
    .name = "riscv64",
    .e_machine = EM_RISCV,
    .platform = nullptr,  // Linux defines no ELF_PLATFORM for riscv (qemu-riscv64 neither)
    .hwcap = riscv64::kHwcap,
    .hwcap2 = 0,
    .stack_top = 0x3fffff0000,
    .dyn_base = 0x2aaaaab000,
    .interp_base = 0,
    .min_sigstack = 2048,
    .sigaction_restorer = false,
    .sigreturn_code = riscv64::kSigreturn,
    .sigreturn_size = sizeof riscv64::kSigreturn,
    .open_flags_to_host = nullptr,
    .open_flags_to_guest = nullptr,
    .cpuinfo = riscv64::cpuinfo,
    .register_syscalls = riscv64::register_syscalls,
    .run = riscv64::run,
    .select_cpu = riscv64::select_cpu,
    .cpu_names = "rv64 (or any), with options ,v=true|false ,vlen=128 ,elen=64 ,vext_spec=v1.0",
    .cpu_model = riscv64::kModelRv64,
    .prctl = riscv64::vector_prctl,
    .exec_env = riscv64::vector_exec_env,
};

namespace riscv64 {
namespace {
ArchInfo with_vector() {
  ArchInfo a = kRiscv64Arch;
  a.hwcap |= kHwcapV;
  a.cpuinfo = cpuinfo_v;
  a.cpu_model = kModelRv64V;
  return a;
}
}  // namespace

// qemu-riscv64's -cpu syntax: "rv64" (qemu 7.2's default CPU, "any", is the same RV64GC) and
// comma-separated properties. V is off unless v=true, as in qemu 7.2; VLEN 128 and ELEN 64 are
// the only vector sizes mimic implements.
const ArchInfo* select_cpu(const std::string& name) {
  static const ArchInfo v = with_vector();
  size_t comma = name.find(',');
  std::string base = name.substr(0, comma);
  if (base != "rv64" && base != "any") return nullptr;
  bool has_v = false;
  while (comma != std::string::npos) {
    size_t next = name.find(',', comma + 1);
    std::string opt = name.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    comma = next;
    if (opt == "v=true" || opt == "v=on" || opt == "v")
      has_v = true;
    else if (opt == "v=false" || opt == "v=off")
      has_v = false;
    else if (opt != "vlen=128" && opt != "elen=64" && opt != "vext_spec=v1.0")
      return nullptr;
  }
  return has_v ? &v : &kRiscv64Arch;
}
}  // namespace riscv64

}  // namespace mimic::linux_user
