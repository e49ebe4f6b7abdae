// AArch64 helpers: CRC32/CRC32C, the 128-bit exclusive store and CASP (host cmpxchg16b), CNTVCT.
#include "target/arm/helpers.h"

#include <array>
#include <ctime>

#include "target/arm/cpu.h"
#include "tcg/exec/exec.h"
#include "tcg/exec/guest_limit.h"
#include "tcg/exec/softmmu.h"
#include "tcg/helper.h"

namespace mimic::arm {

namespace {

constexpr std::array<uint32_t, 256> make_table(uint32_t poly_reflected) {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ poly_reflected : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kCrc32 = make_table(0xedb88320u);
constexpr auto kCrc32c = make_table(0x82f63b78u);

using U128 = unsigned __int128;

// 128-bit compare-and-swap on guest memory (lock cmpxchg16b; the address is 16-byte aligned,
// which the translated code checked before the call).
U128 cas128(tcg::CpuBase* env, uint64_t addr, U128 expected, U128 desired, uint64_t pc) {
  // Inline cmpxchg16b: GCC sends 16-byte __atomic builtins to libatomic, which may use a lock.
  // System mode: the host page through the soft-MMU (which faults to the guest as a store would).
  // User mode: outside the guest's space is the guest's fault, never host memory.
  if (!env->softmmu && addr >= tcg::user_guest_limit()) {
    env->pc = pc;
    env->fault_addr = addr;
    env->fault_write = 1;
    tcg::cpu_loop_exit(env, tcg::kExitMemFault);
  }
  uint8_t* host = env->softmmu ? env->softmmu->atomic_ptr(addr, 16, (env->tb_flags & kTbMmuMask) >> kTbMmuShift, pc)
                               : env->guest_base + addr;
  auto* p = reinterpret_cast<U128*>(host);
  uint64_t lo = uint64_t(expected), hi = uint64_t(expected >> 64);
  asm volatile("lock cmpxchg16b %0"
               : "+m"(*p), "+a"(lo), "+d"(hi)
               : "b"(uint64_t(desired)), "c"(uint64_t(desired >> 64))
               : "memory", "cc");
  return (U128(hi) << 64) | lo;  // the value seen in memory
}

uint64_t h_crc32(tcg::CpuBase*, uint64_t acc, uint64_t v, uint64_t n, uint64_t, uint64_t) {
  return crc32_update(uint32_t(acc), v, unsigned(n), false);
}
uint64_t h_crc32c(tcg::CpuBase*, uint64_t acc, uint64_t v, uint64_t n, uint64_t, uint64_t) {
  return crc32_update(uint32_t(acc), v, unsigned(n), true);
}
uint64_t h_stxp64(tcg::CpuBase* env, uint64_t addr, uint64_t lo, uint64_t hi, uint64_t pc, uint64_t) {
  auto* cpu = static_cast<A64Cpu*>(env);
  U128 expected = (U128(cpu->excl_val2) << 64) | cpu->excl_val;
  U128 seen = cas128(env, addr, expected, (U128(hi) << 64) | lo, pc);
  return seen == expected ? 0 : 1;
}
uint64_t h_casp64(tcg::CpuBase* env, uint64_t addr, uint64_t s, uint64_t t, uint64_t pc, uint64_t) {
  auto* cpu = static_cast<A64Cpu*>(env);
  auto reg = [&](uint64_t r) { return r >= 31 ? 0 : cpu->x[r]; };
  U128 expected = (U128(reg(s + 1)) << 64) | reg(s);
  U128 seen = cas128(env, addr, expected, (U128(reg(t + 1)) << 64) | reg(t), pc);
  if (s < 31) cpu->x[s] = uint64_t(seen);
  if (s + 1 < 31) cpu->x[s + 1] = uint64_t(seen >> 64);
  return 0;
}
uint64_t h_cntvct(tcg::CpuBase*, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace

uint32_t crc32_update(uint32_t acc, uint64_t value, unsigned bytes, bool castagnoli) {
  const auto& t = castagnoli ? kCrc32c : kCrc32;
  for (unsigned i = 0; i < bytes; ++i) acc = t[(acc ^ uint32_t(value >> (8 * i))) & 0xff] ^ (acc >> 8);
  return acc;
}

uint32_t helper_id(Helper h) {
  static const auto ids = [] {
    std::array<uint32_t, size_t(Helper::kCount)> ids{};
    using namespace tcg::HelperFlag;
    ids[size_t(Helper::crc32)] = tcg::register_helper("a64_crc32", h_crc32, kPure);
    ids[size_t(Helper::crc32c)] = tcg::register_helper("a64_crc32c", h_crc32c, kPure);
    ids[size_t(Helper::stxp64)] = tcg::register_helper("a64_stxp64", h_stxp64, kReadsState | kMayExit);
    ids[size_t(Helper::casp64)] = tcg::register_helper("a64_casp64", h_casp64, kReadsState | kWritesState | kMayExit);
    ids[size_t(Helper::cntvct)] = tcg::register_helper("a64_cntvct", h_cntvct, 0);
    return ids;
  }();
  return ids[size_t(h)];
}

}  // namespace mimic::arm
