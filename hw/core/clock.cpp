// Virtual time from the host's monotonic clock, and the timer thread of a machine.
#include "hw/core/clock.h"

#include <time.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "hw/core/jitter.h"

namespace mimic::hw {

static uint64_t host_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

VirtualClock::VirtualClock() : host_start_(host_now_ns()) {}

VirtualClock::State VirtualClock::snapshot(uint64_t* host_now) const {
  for (;;) {
    const uint32_t seq = seq_.load(std::memory_order_acquire);
    if (seq & 1) continue;  // a writer is in the middle
    State st{paused_.load(std::memory_order_relaxed), paused_at_.load(std::memory_order_relaxed),
             paused_total_.load(std::memory_order_relaxed)};
    if (host_now) *host_now = host_now_ns();
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq_.load(std::memory_order_relaxed) == seq) return st;
  }
}

void VirtualClock::update(bool paused, uint64_t paused_at, uint64_t paused_total) {  // under mutex_
  const uint32_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  paused_.store(paused, std::memory_order_relaxed);
  paused_at_.store(paused_at, std::memory_order_relaxed);
  paused_total_.store(paused_total, std::memory_order_relaxed);
  seq_.store(seq + 2, std::memory_order_release);
}

uint64_t VirtualClock::now_ns() const {
  uint64_t host;
  const State st = snapshot(&host);
  return (st.paused ? st.paused_at : host) - host_start_ - st.paused_total;
}

void VirtualClock::pause() {
  std::lock_guard lock(mutex_);
  const State st = snapshot(nullptr);
  if (st.paused) return;
  update(true, host_now_ns(), st.paused_total);
}

void VirtualClock::resume() {
  std::lock_guard lock(mutex_);
  const State st = snapshot(nullptr);
  if (!st.paused) return;
  update(false, 0, st.paused_total + (host_now_ns() - st.paused_at));
}

void VirtualClock::set_now(uint64_t guest_ns) {
  std::lock_guard lock(mutex_);
  const State st = snapshot(nullptr);
  if (!st.paused) throw std::logic_error("VirtualClock::set_now on a running clock");
  // now = paused_at - host_start - paused_total, so paused_total may wrap ("negative" when the
  // restored time is ahead of this process's age): the arithmetic is modulo 2^64 throughout.
  update(true, st.paused_at, st.paused_at - host_start_ - guest_ns);
}

uint64_t VirtualClock::host_deadline_ns(uint64_t guest_ns) const {
  const State st = snapshot(nullptr);
  if (st.paused) return ~uint64_t(0);  // never, until resumed
  // host_start + paused_total is the host time of guest time 0 (possibly before the epoch of
  // CLOCK_MONOTONIC after a restore: paused_total wraps), so compute with a sign.
  const __int128 host = (__int128)int64_t(host_start_ + st.paused_total) + guest_ns;
  if (host < 0) return 0;
  return host > (__int128)~uint64_t(0) ? ~uint64_t(0) : uint64_t(host);
}

// Lock order: the device lock, then `mutex`. arm()/cancel() are called by devices holding the
// device lock; the thread takes the device lock before `mutex` to fire, and waits holding only
// `mutex`.
struct TimerQueue::Impl {
  std::recursive_mutex& device_lock;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Timer*> timers;
  // The host time the thread sleeps until (~0: until notified), 0 while it is awake. An arm()
  // for a later time needs no wake-up: the thread looks at the queue again whenever it wakes.
  uint64_t sleeping_until = 0;
  bool stop = false;
  std::thread thread;

  explicit Impl(std::recursive_mutex& lock) : device_lock(lock) {}

  Timer* earliest() {
    Timer* best = nullptr;
    for (Timer* t : timers)
      if (t->armed_ && (!best || t->deadline_ < best->deadline_)) best = t;
    return best;
  }

  void sleep(std::unique_lock<std::mutex>& lock, uint64_t host_ns) {
    sleeping_until = host_ns;
    if (host_ns == ~uint64_t(0))
      cv.wait(lock);
    else
      cv.wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(host_ns)));
    sleeping_until = 0;
  }

  void loop(VirtualClock& clock) {
    for (;;) {
      {
        std::unique_lock lock(mutex);
        for (;;) {
          if (stop) return;
          Timer* t = earliest();
          if (!t) {
            sleep(lock, ~uint64_t(0));
            continue;
          }
          uint64_t host = clock.host_deadline_ns(t->deadline_);
          if (host_now_ns() >= host) break;
          // Guest time stopped (notify() wakes us), or a deadline past what a steady_clock time
          // point holds (a 10 MHz compare value near 2^57, centuries ahead): a signed wrap would
          // make wait_until return at once, the thread spinning until the next arm().
          sleep(lock, host > uint64_t(INT64_MAX) ? ~uint64_t(0) : host);
        }
      }
      // Not under the device lock: a pause there would starve every vCPU's MMIO instead.
      jitter::pause(jitter::Point::kTimerFire);
      std::lock_guard dev(device_lock);
      std::unique_lock lock(mutex);
      // Fire everything due, earliest first; a callback may re-arm its own or other timers.
      for (;;) {
        if (stop) return;
        Timer* t = earliest();
        if (!t || t->deadline_ > clock.now_ns()) break;
        t->armed_ = false;
        lock.unlock();
        t->callback_();
        lock.lock();
      }
    }
  }
};

TimerQueue::TimerQueue(VirtualClock& clock, std::recursive_mutex& device_lock)
    : clock_(clock), impl_(std::make_unique<Impl>(device_lock)) {
  impl_->thread = std::thread([this] { impl_->loop(clock_); });
}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  impl_->thread.join();
}

void TimerQueue::notify() {
  { std::lock_guard lock(impl_->mutex); }
  impl_->cv.notify_all();
}

Timer::Timer(TimerQueue& queue, std::function<void()> callback) : queue_(queue), callback_(std::move(callback)) {
  std::lock_guard lock(queue_.impl_->mutex);
  queue_.impl_->timers.push_back(this);
}

Timer::~Timer() {
  // Taking the device lock waits for a callback in flight on the timer thread to finish.
  std::lock_guard dev(queue_.impl_->device_lock);
  std::lock_guard lock(queue_.impl_->mutex);
  auto& v = queue_.impl_->timers;
  std::erase(v, this);
}

void Timer::arm(uint64_t guest_deadline_ns) {
  bool wake;
  {
    std::lock_guard lock(queue_.impl_->mutex);
    deadline_ = guest_deadline_ns;
    armed_ = true;
    // A guest reprograms its timer at every tick and hrtimer change, mostly to a time after the
    // one the thread already sleeps until: waking it then would cost two context switches for
    // nothing. (A paused clock gives ~0 here: notify() wakes the thread at resume.)
    wake = queue_.clock_.host_deadline_ns(guest_deadline_ns) < queue_.impl_->sleeping_until;
  }
  if (wake) queue_.impl_->cv.notify_all();
}

void Timer::cancel() {
  std::lock_guard lock(queue_.impl_->mutex);
  armed_ = false;
}

bool Timer::armed() const {
  std::lock_guard lock(queue_.impl_->mutex);
  return armed_;
}

}  // namespace mimic::hw
