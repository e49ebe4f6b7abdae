// hw::VirtualClock, Timer and TimerQueue: guest time, pausing, deadline order, the device lock.
#include "hw/core/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

using namespace mimic::hw;
using namespace std::chrono_literals;

TEST(VirtualClock, RunsAndStopsWhilePaused) {
  VirtualClock clock;
  uint64_t a = clock.now_ns();
  std::this_thread::sleep_for(5ms);
  uint64_t b = clock.now_ns();
  EXPECT_GE(b - a, 5'000'000u);
  clock.pause();
  uint64_t p1 = clock.now_ns();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(clock.now_ns(), p1);
  EXPECT_EQ(clock.host_deadline_ns(p1 + 1), ~uint64_t(0));
  clock.resume();
  uint64_t r = clock.now_ns();
  EXPECT_GE(r, p1);
  EXPECT_LT(r - p1, 15'000'000u) << "the paused 20 ms must not count as guest time";
}

namespace {
struct Recorder {
  std::mutex m;
  std::condition_variable cv;
  std::vector<int> order;
  void add(int v) {
    std::lock_guard l(m);
    order.push_back(v);
    cv.notify_all();
  }
  bool wait_for(size_t n, std::chrono::milliseconds limit = 2000ms) {
    std::unique_lock l(m);
    return cv.wait_for(l, limit, [&] { return order.size() >= n; });
  }
};
}  // namespace

TEST(TimerQueue, FiresInDeadlineOrderUnderTheDeviceLock) {
  VirtualClock clock;
  std::recursive_mutex lock;
  TimerQueue q(clock, lock);
  Recorder rec;
  std::atomic<bool> lock_free_seen{false};
  auto held = [&] {
    std::atomic<bool> got{false};
    std::thread t([&] {
      if (lock.try_lock()) {
        got = true;
        lock.unlock();
      }
    });
    t.join();
    if (got) lock_free_seen = true;
  };
  Timer a(q, [&] { held(), rec.add(1); });
  Timer b(q, [&] { held(), rec.add(2); });
  Timer c(q, [&] { held(), rec.add(3); });
  uint64_t now = clock.now_ns();
  a.arm(now + 30'000'000);
  b.arm(now + 10'000'000);
  c.arm(now + 20'000'000);
  ASSERT_TRUE(rec.wait_for(3));
  EXPECT_EQ(rec.order, (std::vector<int>{2, 3, 1}));
  EXPECT_FALSE(lock_free_seen) << "timer callbacks must hold the device lock";
  EXPECT_GE(clock.now_ns(), now + 30'000'000);
  EXPECT_FALSE(a.armed());
}

TEST(TimerQueue, CancelAndRearm) {
  VirtualClock clock;
  std::recursive_mutex lock;
  TimerQueue q(clock, lock);
  Recorder rec;
  Timer a(q, [&] { rec.add(1); });
  Timer b(q, [&] { rec.add(2); });
  uint64_t now = clock.now_ns();
  a.arm(now + 5'000'000);
  b.arm(now + 10'000'000);
  a.cancel();
  b.arm(now + 1'000'000'000);  // moved far out
  b.arm(now + 15'000'000);     // and back
  ASSERT_TRUE(rec.wait_for(1));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(rec.order, (std::vector<int>{2}));
}

TEST(TimerQueue, PastDeadlineFiresAtOnceAndCallbackMayRearm) {
  VirtualClock clock;
  std::recursive_mutex lock;
  TimerQueue q(clock, lock);
  Recorder rec;
  int n = 0;
  Timer* self = nullptr;
  Timer t(q, [&] {
    rec.add(++n);
    if (n < 3) self->arm(clock.now_ns() + 1'000'000);
  });
  self = &t;
  t.arm(0);
  ASSERT_TRUE(rec.wait_for(3));
  EXPECT_EQ(rec.order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerQueue, PausedClockHoldsTimersUntilResume) {
  VirtualClock clock;
  std::recursive_mutex lock;
  TimerQueue q(clock, lock);
  Recorder rec;
  Timer t(q, [&] { rec.add(1); });
  clock.pause();
  t.arm(clock.now_ns() + 2'000'000);
  EXPECT_FALSE(rec.wait_for(1, 30ms));
  clock.resume();
  q.notify();
  EXPECT_TRUE(rec.wait_for(1));
}

TEST(TimerQueue, ShutdownWithArmedTimersIsPrompt) {
  auto start = std::chrono::steady_clock::now();
  {
    VirtualClock clock;
    std::recursive_mutex lock;
    auto q = std::make_unique<TimerQueue>(clock, lock);
    {
      Timer t(*q, [] {});
      t.arm(clock.now_ns() + 60'000'000'000ull);
    }
    q.reset();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(VirtualClock, SetNowWhilePausedGoesOnFromThere) {
  // A restored snapshot's time: far ahead of this clock's age, then running again from there.
  VirtualClock clock;
  clock.pause();
  const uint64_t restored = uint64_t(3600) * 1'000'000'000;
  clock.set_now(restored);
  EXPECT_EQ(clock.now_ns(), restored);
  EXPECT_EQ(clock.host_deadline_ns(restored), ~uint64_t(0)) << "no deadline while paused";
  clock.resume();
  std::this_thread::sleep_for(5ms);
  const uint64_t t = clock.now_ns();
  EXPECT_GE(t, restored + 5'000'000);
  EXPECT_LT(t, restored + 5'000'000'000ull);
  // A deadline 1 ms ahead of guest time is about 1 ms ahead of host time.
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t host = uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
  const uint64_t d = clock.host_deadline_ns(clock.now_ns() + 1'000'000);
  EXPECT_GT(d, host);
  EXPECT_LT(d, host + 1'000'000'000);
}
