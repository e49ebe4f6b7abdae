// PerfMap: the perf JIT symbol map writer.
#include "tcg/exec/perf_map.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace mimic::tcg {

PerfMap::PerfMap(bool enabled, std::string arch) : enabled_(enabled), arch_(std::move(arch)) {}

PerfMap::~PerfMap() {
  if (file_) fclose(file_);
}

bool PerfMap::enabled_by_environment() {
  const char* v = getenv("MIMIC_PERFMAP");
  return v && *v && strcmp(v, "0") != 0;
}

void PerfMap::add(uintptr_t start, size_t size, uint64_t guest_pc) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (!file_) {
    std::string path = fmt::format("/tmp/perf-{}.map", getpid());
    file_ = fopen(path.c_str(), "a");
    if (!file_) {
      enabled_ = false;
      return;
    }
  }
  fmt::print(file_, "{:x} {:x} mimic:{}:0x{:x}\n", start, size, arch_, guest_pc);
  fflush(file_);  // perf may read the file while we still run
}

}  // namespace mimic::tcg
