// riscv_hwprobe (syscall 258, Linux 6.4+): what the CPU mimic models has, as Linux 6.12 answers it
// (arch/riscv/kernel/sys_hwprobe.c). glibc picks its string and memory functions by it.
#include "linux-user/riscv64/hwprobe.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "linux-user/process.h"
#include "linux-user/riscv64/thread.h"
#include "linux-user/uaccess.h"

namespace mimic::linux_user::riscv64 {

namespace {
enum Key : int64_t {
  kMvendorid = 0,
  kMarchid = 1,
  kMimpid = 2,
  kBaseBehavior = 3,
  kImaExt0 = 4,
  kCpuperf0 = 5,
  kZicbozBlockSize = 6,
  kHighestVirtAddress = 7,
  kTimeCsrFreq = 8,
  kMisalignedScalarPerf = 9,
  kMisalignedVectorPerf = 10,
  kMaxKey = kMisalignedVectorPerf,  // Linux 6.12's last key: later ones answer key -1
};
constexpr uint64_t kBaseBehaviorIma = 1;
// IMA_EXT_0 bits of the extensions the translator implements (C on RV64 with D is also Zca, Zcd).
constexpr uint64_t kExtFd = 1 << 0, kExtC = 1 << 1, kExtV = 1 << 2, kExtZba = 1 << 3, kExtZbb = 1 << 4,
                   kExtZbs = 1 << 5;
constexpr uint64_t kExtZve32x = 1ull << 37, kExtZve32f = 1ull << 38, kExtZve64x = 1ull << 39, kExtZve64f = 1ull << 40,
                   kExtZve64d = 1ull << 41, kExtZca = 1ull << 43, kExtZcd = 1ull << 45;
constexpr uint64_t kMisalignedUnknown = 0, kMisalignedFast = 3, kMisalignedUnsupported = 4;
constexpr unsigned kFlagWhichCpus = 1;
// cpumask_size() of a kernel built with NR_CPUS = 512: longer CPU sets are read and written only
// that far.
constexpr size_t kCpumaskBytes = 512 / 8;

bool key_is_bitmask(int64_t key) { return key == kBaseBehavior || key == kImaExt0 || key == kCpuperf0; }

// Every hart mimic runs is the same, so a key has one value for any non-empty set of CPUs.
bool value_of(int64_t key, bool has_v, uint64_t& value) {
  switch (key) {
    case kMvendorid:
    case kMarchid:
    case kMimpid: value = 0; return true;  // as /proc/cpuinfo says (QEMU's virt board)
    case kBaseBehavior: value = kBaseBehaviorIma; return true;
    case kImaExt0:
      value = kExtFd | kExtC | kExtZba | kExtZbb | kExtZbs | kExtZca | kExtZcd;
      if (has_v) value |= kExtV | kExtZve32x | kExtZve32f | kExtZve64x | kExtZve64f | kExtZve64d;
      return true;
    case kCpuperf0:
    case kMisalignedScalarPerf: value = kMisalignedFast; return true;  // a host access, any alignment
    case kZicbozBlockSize: value = 0; return true;                     // no Zicboz
    case kHighestVirtAddress: value = 0x3fffffffff; return true;       // Sv39 (ArchInfo's layout)
    case kTimeCsrFreq: value = 10000000; return true;                  // rdtime's 10 MHz
    case kMisalignedVectorPerf: value = has_v ? kMisalignedUnknown : kMisalignedUnsupported; return true;
    default: return false;
  }
}

// The online CPUs, as a cpumask of kCpumaskBytes bytes: 0 .. n-1 as /proc/cpuinfo lists them.
void online_cpus(uint8_t* mask) {
  memset(mask, 0, kCpumaskBytes);
  const long n = std::clamp<long>(sysconf(_SC_NPROCESSORS_ONLN), 1, long(kCpumaskBytes * 8));
  for (long c = 0; c < n; c++) mask[c / 8] |= uint8_t(1u << (c % 8));
}

bool mask_empty(const uint8_t* mask) {
  return std::all_of(mask, mask + kCpumaskBytes, [](uint8_t b) { return b == 0; });
}

void mask_and(uint8_t* mask, const uint8_t* other) {
  for (size_t i = 0; i < kCpumaskBytes; i++) mask[i] &= other[i];
}

struct Pair {
  int64_t key;
  uint64_t value;
};

// Fills in each pair's value for the CPU set (null and 0: all online CPUs); an unknown key
// becomes -1 with value 0.
int64_t get_values(GuestMemory& mem, bool has_v, uint64_t pairs, uint64_t count, uint64_t setsize, uint64_t set) {
  uint8_t online[kCpumaskBytes], cpus[kCpumaskBytes] = {};
  online_cpus(online);
  if (setsize != 0 || set != 0) {
    setsize = std::min<uint64_t>(setsize, kCpumaskBytes);
    if (!copy_from_guest(mem, cpus, set, setsize)) return -EFAULT;
    mask_and(cpus, online);
    if (mask_empty(cpus)) return -EINVAL;  // no CPU to describe
  }
  for (uint64_t i = 0; i < count; i++) {
    const uint64_t at = pairs + i * sizeof(Pair);
    Pair p{};
    if (!get_guest(mem, at, p.key)) return -EFAULT;
    if (!value_of(p.key, has_v, p.value)) p = {-1, 0};
    if (!put_guest(mem, at, p)) return -EFAULT;
  }
  return 0;
}

// RISCV_HWPROBE_WHICH_CPUS: reduces the CPU set (empty: all online CPUs) to those whose values
// match every pair; an unknown key empties it.
int64_t which_cpus(GuestMemory& mem, bool has_v, uint64_t pairs, uint64_t count, uint64_t setsize, uint64_t set) {
  if (setsize == 0 || set == 0) return -EINVAL;
  setsize = std::min<uint64_t>(setsize, kCpumaskBytes);
  uint8_t online[kCpumaskBytes], cpus[kCpumaskBytes] = {};
  online_cpus(online);
  if (!copy_from_guest(mem, cpus, set, setsize)) return -EFAULT;
  if (mask_empty(cpus)) memcpy(cpus, online, sizeof cpus);
  mask_and(cpus, online);
  bool clear_all = false;
  for (uint64_t i = 0; i < count; i++) {
    const uint64_t at = pairs + i * sizeof(Pair);
    Pair p{};
    if (!get_guest(mem, at, p)) return -EFAULT;
    uint64_t have = 0;
    if (!value_of(p.key, has_v, have)) {
      clear_all = true;
      if (!put_guest(mem, at, Pair{-1, 0})) return -EFAULT;
    }
    if (clear_all) continue;
    const bool match = key_is_bitmask(p.key) ? (have & p.value) == p.value : have == p.value;
    if (!match) memset(cpus, 0, sizeof cpus);  // every CPU has the same value
  }
  if (clear_all) memset(cpus, 0, sizeof cpus);
  return copy_to_guest(mem, set, cpus, setsize) ? 0 : -EFAULT;
}
}  // namespace

int64_t sys_riscv_hwprobe(SyscallCtx& ctx, const uint64_t* a) {
  const bool has_v = ctx.proc.arch->cpu_model == kModelRv64V;
  const unsigned flags = unsigned(a[4]);
  if (flags == 0) return get_values(ctx.mem, has_v, a[0], a[1], a[2], a[3]);
  if (flags == kFlagWhichCpus) return which_cpus(ctx.mem, has_v, a[0], a[1], a[2], a[3]);
  return -EINVAL;
}

}  // namespace mimic::linux_user::riscv64
