// The initial guest stack: argv, envp, auxv and the strings they point at, as Linux lays them out.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mimic::linux_user {

// Auxiliary vector keys (the same on every Linux architecture).
enum AuxKey : uint64_t {
  kAtNull = 0,
  kAtPhdr = 3,
  kAtPhent = 4,
  kAtPhnum = 5,
  kAtPagesz = 6,
  kAtBase = 7,
  kAtFlags = 8,
  kAtEntry = 9,
  kAtUid = 11,
  kAtEuid = 12,
  kAtGid = 13,
  kAtEgid = 14,
  kAtPlatform = 15,
  kAtHwcap = 16,
  kAtClktck = 17,
  kAtSecure = 23,
  kAtRandom = 25,
  kAtHwcap2 = 26,
  kAtExecfn = 31,
  kAtMinsigstksz = 51,
};

struct InitialStack {
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  std::string execfn;    // AT_EXECFN string
  std::string platform;  // AT_PLATFORM string, empty for none
  uint8_t random[16] = {};
  unsigned word_bytes = 8;  // argc, the pointers and the auxv entries: 4 on 32-bit guests
  // Auxv entries without AT_RANDOM/AT_PLATFORM/AT_EXECFN/AT_NULL, which the builder adds.
  std::vector<std::pair<uint64_t, uint64_t>> auxv;
};

struct StackImage {
  uint64_t sp = 0;             // guest sp at entry: argc lives here, 16-byte aligned
  std::vector<uint8_t> bytes;  // the contents of [sp, top)
  uint64_t argv = 0, envp = 0, auxv = 0;
  std::vector<std::pair<uint64_t, uint64_t>> final_auxv;  // as written, AT_NULL included
};

// Lays out the stack image ending at `top` (exclusive, 16-byte aligned). Returns false when the
// strings and vectors do not fit in `max_bytes`.
bool build_initial_stack(uint64_t top, const InitialStack& in, uint64_t max_bytes, StackImage& out);

}  // namespace mimic::linux_user
