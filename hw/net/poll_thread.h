// A backend's host thread: poll() over its descriptors plus an eventfd that wakes it for work
// queued from other threads (frames to send) and for stop.
#pragma once

#include <poll.h>

#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mimic::hw {

class PollThread {
 public:
  PollThread();
  ~PollThread();
  // `body` runs once per loop turn: it fills `fds` and the timeout (ms, -1 = none) it wants;
  // `after` gets the polled fds back. The thread's wake-up fd is appended by PollThread.
  void start(std::function<void(std::vector<pollfd>& fds, int& timeout_ms)> before,
             std::function<void(const std::vector<pollfd>& fds)> after);
  void stop();
  void wake();
  // Frames queued for the thread (bounded: the oldest is dropped past `limit`).
  void queue_frame(const uint8_t* frame, size_t len, size_t limit = 1024);
  std::deque<std::vector<uint8_t>> take_frames();
  bool stopping() const { return stopping_.load(); }

 private:
  int event_fd_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::deque<std::vector<uint8_t>> frames_;
  std::thread thread_;
};

}  // namespace mimic::hw
