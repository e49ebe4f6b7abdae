// The riscv64 entry of the architecture table: ELF machine, auxv values, layout, own syscalls.
#include "linux-user/arch.h"

#include <elf.h>
#include <fmt/format.h>

#include "linux-user/process.h"
#include "linux-user/syscall.h"
#include "tcg/exec/exec.h"

namespace mimic::linux_user {

namespace riscv64 {
int run(Process& proc, uint64_t entry, uint64_t sp);

namespace {
// AT_HWCAP: one bit per single-letter extension, bit (letter - 'A'): I M A F D C.
constexpr uint64_t kHwcap = (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) | (1u << ('F' - 'A')) |
                            (1u << ('D' - 'A')) | (1u << ('C' - 'A'));

// riscv_flush_icache(start, end, flags): the guest changed code. Linux ignores the range and
// makes every hart (every thread) see all earlier stores; the write watch has already dropped the
// blocks of pages written through their own address, so only what it cannot see goes (a full
// flush of every thread's code only when that is unknown).
int64_t sys_riscv_flush_icache(SyscallCtx& ctx, const uint64_t* a) {
  if (a[2] & ~uint64_t(1)) return -EINVAL;
  if (ctx.proc.engine && !ctx.proc.mem->invalidate_unwatched_code()) ctx.proc.engine->flush();
  return 0;
}
// riscv_hwprobe: glibc and others fall back to AT_HWCAP when it is missing.
int64_t sys_riscv_hwprobe(SyscallCtx&, const uint64_t*) { return -ENOSYS; }

// li a7, 139 (rt_sigreturn); ecall
constexpr uint8_t kSigreturn[8] = {0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00};

constexpr SyscallDef kDefs[] = {
    {258, "riscv_hwprobe", sys_riscv_hwprobe, "pupux", 'd'},
    {259, "riscv_flush_icache", sys_riscv_flush_icache, "xxx", 'd'},
};
void register_syscalls(SyscallTable& t) { t.add_all(kDefs); }

// arch/riscv/kernel/cpu.c: c_show(), for the extensions the translator implements, on an Sv39
// machine whose vendor, architecture and implementation ids are 0 (as on QEMU's virt board).
void cpuinfo(std::string& out, unsigned cpu) {
  out += fmt::format(
      "processor\t: {}\nhart\t\t: {}\nisa\t\t: rv64imafdc_zicntr_zicsr_zifencei_zba_zbb_zbs\n"
      "mmu\t\t: sv39\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n",
      cpu, cpu);
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
};

}  // namespace mimic::linux_user
