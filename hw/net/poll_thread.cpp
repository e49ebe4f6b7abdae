#include "hw/net/poll_thread.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <stdexcept>
#include <utility>

namespace mimic::hw {

PollThread::PollThread() : event_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (event_fd_ < 0) throw std::runtime_error("eventfd failed");
}

PollThread::~PollThread() {
  stop();
  close(event_fd_);
}

void PollThread::start(std::function<void(std::vector<pollfd>&, int&)> before,
                       std::function<void(const std::vector<pollfd>&)> after) {
  thread_ = std::thread([this, before = std::move(before), after = std::move(after)] {
    std::vector<pollfd> fds;
    while (!stopping_.load()) {
      fds.clear();
      int timeout = -1;
      before(fds, timeout);
      fds.push_back({event_fd_, POLLIN, 0});
      int n = poll(fds.data(), fds.size(), timeout);
      if (n < 0) fds.assign(fds.size(), pollfd{-1, 0, 0});  // EINTR: nothing ready
      if (fds.back().revents & POLLIN) {
        uint64_t v;
        (void)!read(event_fd_, &v, sizeof v);
      }
      fds.pop_back();
      if (stopping_.load()) break;
      after(fds);
    }
  });
}

void PollThread::stop() {
  stopping_.store(true);
  wake();
  if (thread_.joinable()) thread_.join();
}

void PollThread::wake() {
  uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof one);
}

void PollThread::queue_frame(const uint8_t* frame, size_t len, size_t limit) {
  {
    std::lock_guard lock(mutex_);
    if (frames_.size() >= limit) frames_.pop_front();
    frames_.emplace_back(frame, frame + len);
  }
  wake();
}

std::deque<std::vector<uint8_t>> PollThread::take_frames() {
  std::lock_guard lock(mutex_);
  return std::exchange(frames_, {});
}

}  // namespace mimic::hw
