// Virtual time from the host's monotonic clock, and the timer thread of a machine.
#include "hw/core/clock.h"

#include <time.h>

#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

namespace mimic::hw {

static uint64_t host_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

VirtualClock::VirtualClock() : host_start_(host_now_ns()) {}

uint64_t VirtualClock::now_ns() const {
  std::lock_guard lock(mutex_);
  uint64_t host = paused_ ? paused_at_ : host_now_ns();
  return host - host_start_ - paused_total_;
}

void VirtualClock::pause() {
  std::lock_guard lock(mutex_);
  if (paused_) return;
  paused_ = true;
  paused_at_ = host_now_ns();
}

void VirtualClock::resume() {
  std::lock_guard lock(mutex_);
  if (!paused_) return;
  paused_ = false;
  paused_total_ += host_now_ns() - paused_at_;
}

uint64_t VirtualClock::host_deadline_ns(uint64_t guest_ns) const {
  std::lock_guard lock(mutex_);
  if (paused_) return ~uint64_t(0);  // never, until resumed
  uint64_t host = host_start_ + paused_total_ + guest_ns;
  return host < guest_ns ? ~uint64_t(0) : host;
}

// Lock order: the device lock, then `mutex`. arm()/cancel() are called by devices holding the
// device lock; the thread takes the device lock before `mutex` to fire, and waits holding only
// `mutex`.
struct TimerQueue::Impl {
  std::recursive_mutex& device_lock;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Timer*> timers;
  bool stop = false;
  std::thread thread;

  explicit Impl(std::recursive_mutex& lock) : device_lock(lock) {}

  Timer* earliest() {
    Timer* best = nullptr;
    for (Timer* t : timers)
      if (t->armed_ && (!best || t->deadline_ < best->deadline_)) best = t;
    return best;
  }

  void loop(VirtualClock& clock) {
    for (;;) {
      {
        std::unique_lock lock(mutex);
        for (;;) {
          if (stop) return;
          Timer* t = earliest();
          if (!t) {
            cv.wait(lock);
            continue;
          }
          uint64_t host = clock.host_deadline_ns(t->deadline_);
          if (host_now_ns() >= host) break;
          if (host == ~uint64_t(0)) {
            cv.wait(lock);  // guest time stopped: notify() wakes us
            continue;
          }
          cv.wait_until(lock, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(host)));
        }
      }
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
  {
    std::lock_guard lock(queue_.impl_->mutex);
    deadline_ = guest_deadline_ns;
    armed_ = true;
  }
  queue_.impl_->cv.notify_all();
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
