// PerfMap: /tmp/perf-<pid>.map lines so that `perf report` names translated blocks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace mimic::tcg {

// Off by default because the file outlives the process; on with -perfmap or MIMIC_PERFMAP=1.
class PerfMap {
 public:
  PerfMap(bool enabled, std::string arch);
  ~PerfMap();
  PerfMap(const PerfMap&) = delete;
  PerfMap& operator=(const PerfMap&) = delete;

  bool enabled() const { return enabled_; }
  // Appends `<start> <size> mimic:<arch>:0x<guest pc>`.
  void add(uintptr_t start, size_t size, uint64_t guest_pc);
  // Honours MIMIC_PERFMAP=1 in the environment.
  static bool enabled_by_environment();

 private:
  bool enabled_;
  std::string arch_;
  std::mutex mutex_;
  FILE* file_ = nullptr;
};

}  // namespace mimic::tcg
