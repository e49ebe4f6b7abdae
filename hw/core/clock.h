// Virtual time and timers. Guest time runs from the host's monotonic clock (scaled, and stopped
// while the machine is paused); timers fire on one timer thread, under the device lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

namespace mimic::hw {

class VirtualClock {
 public:
  VirtualClock();
  // Nanoseconds of guest time since the machine started (monotonic, never goes back). Lock-free:
  // every `time` CSR read of every hart lands here.
  uint64_t now_ns() const;
  // Stops and restarts guest time (monitor `stop`/`cont`, snapshots).
  void pause();
  void resume();
  // Snapshots: while paused, makes guest time read `guest_ns` (the restored machine's time goes
  // on from where it was saved, whatever this process's host time).
  void set_now(uint64_t guest_ns);
  // Host monotonic time at which guest time reaches `guest_ns` (for timed waits, WFI).
  uint64_t host_deadline_ns(uint64_t guest_ns) const;

 private:
  struct State {
    bool paused;
    uint64_t paused_at, paused_total;
  };
  // A consistent copy of the pause state, with the host time read inside the same window (so
  // that a pause racing with the read cannot make time go back).
  State snapshot(uint64_t* host_now) const;
  void update(bool paused, uint64_t paused_at, uint64_t paused_total);

  std::mutex mutex_;  // writers (pause/resume); readers use the sequence count
  const uint64_t host_start_;
  std::atomic<uint32_t> seq_{0};  // odd while a writer updates the fields below
  std::atomic<bool> paused_{false};
  std::atomic<uint64_t> paused_at_{0}, paused_total_{0};
};

// A one-shot timer on a machine's TimerQueue: arm() (re)schedules, cancel() disarms; the
// callback runs on the timer thread with the device lock held.
class TimerQueue;
class Timer {
 public:
  Timer(TimerQueue& queue, std::function<void()> callback);
  ~Timer();
  void arm(uint64_t guest_deadline_ns);
  void cancel();
  bool armed() const;

 private:
  friend class TimerQueue;
  TimerQueue& queue_;
  std::function<void()> callback_;
  uint64_t deadline_ = 0;
  bool armed_ = false;
};

// One thread firing every armed Timer of a machine in deadline order.
class TimerQueue {
 public:
  TimerQueue(VirtualClock& clock, std::recursive_mutex& device_lock);
  ~TimerQueue();  // stops the thread (every Timer must be destroyed before its queue)
  VirtualClock& clock() { return clock_; }
  // Re-reads the clock: call after VirtualClock::resume() so that deadlines computed while
  // guest time stood still are recomputed.
  void notify();

 private:
  friend class Timer;
  struct Impl;
  VirtualClock& clock_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mimic::hw
