// MIMIC_DEBUG_JITTER (hw/core/jitter.h): random pauses at race-sensitive points.
#include "hw/core/jitter.h"

#include <sched.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace mimic::hw::jitter {

namespace {
uint64_t g_seed = 0;
std::atomic<uint64_t> g_threads{0};

bool read_env() {
  const char* v = std::getenv("MIMIC_DEBUG_JITTER");
  if (!v || !*v) return false;
  g_seed = std::strtoull(v, nullptr, 0) | 1;
  std::fprintf(stderr, "mimic: debug: MIMIC_DEBUG_JITTER=%s: random pauses at vCPU/device/timer race points\n", v);
  return true;
}

// Per thread: the seed, then the order in which threads first reach a point.
uint64_t next() {
  thread_local uint64_t s = 0;
  if (!s) s = (g_seed ^ (g_threads.fetch_add(1) + 1) * 0x9e3779b97f4a7c15ull) | 1;
  s ^= s << 13, s ^= s >> 7, s ^= s << 17;  // xorshift64
  return s;
}

void sleep_ns(uint64_t ns) {
  timespec ts{time_t(ns / 1'000'000'000), long(ns % 1'000'000'000)};
  nanosleep(&ts, nullptr);
}
}  // namespace

const bool g_enabled = read_env();

void pause_slow(Point where) {
  const uint64_t r = next();
  // Most passes go straight on (the guest must still make progress); the rest yield the host
  // CPU or sleep long enough for another thread to run into the window.
  const unsigned roll = unsigned(r % 64);
  const bool rare = where == Point::kAfterInterruptCheck;  // passed once per exit: keep it cheap
  if (rare ? roll >= 2 : roll >= 16) return;
  if (roll % 4 == 0)
    sched_yield();
  else if (roll % 4 == 3 && !rare)
    sleep_ns(1'000'000 + (r >> 8) % 4'000'000);  // 1-5 ms: longer than a block, a time slice
  else
    sleep_ns(1'000 + (r >> 8) % 200'000);  // 1-200 us
}

void start_delay_slow() { sleep_ns(next() % 200'000'000); }

}  // namespace mimic::hw::jitter
