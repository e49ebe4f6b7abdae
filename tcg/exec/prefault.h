// Prefault: memory that is filled front to back (the code cache's write view, the TB arenas)
// made resident a chunk at a time with one madvise(MADV_POPULATE_WRITE) instead of a page fault
// per 4 KiB page on first touch.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace mimic::tcg {

class Prefault {
 public:
  static constexpr size_t kPage = 4096;
  explicit Prefault(size_t chunk) : chunk_(chunk) {}
  // Makes [base, base + upto + chunk) resident (never past `limit` bytes), unless that much
  // already is. A kernel without MADV_POPULATE_WRITE (EINVAL), or any other failure, turns it
  // off: the pages then fault in on first touch as before.
  void cover(uint8_t* base, size_t upto, size_t limit) {
    if (upto < done_ || !enabled_) return;
    const size_t from = done_ & ~(kPage - 1);
    const size_t to = std::min(limit & ~(kPage - 1), (upto + chunk_ + kPage - 1) & ~(kPage - 1));
    done_ = to;
    if (to > from && ::madvise(base + from, to - from, MADV_POPULATE_WRITE) != 0) enabled_ = false;
  }
  // The region was rewound (a flush) or remapped (fork): populate again from `at`.
  void restart(size_t at) { done_ = at; }

 private:
  size_t chunk_;
  size_t done_ = 0;  // bytes from the base known resident
  bool enabled_ = true;
};

}  // namespace mimic::tcg
