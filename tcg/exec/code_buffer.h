// CodeBuffer: the executable code cache, W^X through two mappings (RW and RX) of one memfd.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcg/backend.h"
#include "tcg/exec/prefault.h"

namespace mimic::tcg {

// The same physical pages are mapped twice: `write_base()` (PROT_READ|PROT_WRITE), where the
// backend emits and the chainer patches, and `exec_base()` (PROT_READ|PROT_EXEC), which runs.
// No page is ever writable and executable at once in the same mapping, and no mprotect() call is
// needed on the hot paths (translation, chaining), so other threads keep running while one
// writes. Block code is bump-allocated after the trampolines; a full flush rewinds the pointer.
class CodeBuffer {
 public:
  // Throws std::system_error when the mappings cannot be created.
  explicit CodeBuffer(size_t capacity);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer&) = delete;
  CodeBuffer& operator=(const CodeBuffer&) = delete;

  // Emits the trampolines at the start of the buffer (once, at construction by the engine).
  const Trampolines& install_trampolines(void (*softmmu_slow_fn)(CpuBase*) = nullptr);
  const Trampolines& trampolines() const { return trampolines_; }

  // The free space from the bump pointer to the end, as a region for compile_block.
  HostCodeRegion free_region() const;
  // Marks `size` bytes of the free region as used; returns the exec address of their start.
  uintptr_t commit(size_t size);
  // Forgets every block (keeps the trampolines).
  void reset();
  // fork() support. The memfd is MAP_SHARED, so without this parent and child would write into
  // one cache (each with its own bump pointer and chain state). The snapshot must be taken
  // before fork(), while nothing writes: after it the parent keeps translating and patching
  // chains in the shared pages, and a copy taken then by the child could hold jumps into blocks
  // the child's allocator considers free.
  //   int fd = prepare_fork();   // parent, before fork(): a private copy of the used bytes
  //   fork();
  //   child_after_fork(fd);      // child: both views move onto the copy (same addresses)
  //   parent_after_fork(fd);     // parent: drops the copy and keeps the original
  // Throw std::system_error on failure (the child cannot continue without its own cache).
  int prepare_fork() const;
  void child_after_fork(int snapshot_fd);
  static void parent_after_fork(int snapshot_fd);

  uint8_t* write_base() const { return write_; }
  uintptr_t exec_base() const { return reinterpret_cast<uintptr_t>(exec_); }
  size_t capacity() const { return capacity_; }
  size_t used() const { return used_; }
  bool contains_exec(uintptr_t p) const { return p >= exec_base() && p < exec_base() + capacity_; }
  // RW alias of an exec address inside the buffer.
  uint8_t* write_alias(uintptr_t exec) const { return write_ + (exec - exec_base()); }

  static constexpr size_t kBlockAlign = 16;
  // Small enough for tests to force flushes, large enough for the trampolines and one big block.
  static constexpr size_t kMinCapacity = 16 << 10;  // block entries on 16 bytes: decoder-friendly

 private:
  uint8_t* write_ = nullptr;
  uint8_t* exec_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  size_t blocks_start_ = 0;  // first byte after the trampolines
  // The write view below this offset has no page-table entries (release_written).
  size_t write_released_ = 0;
  static constexpr size_t kWriteWindow = size_t(1) << 20;
  void release_written();
  // The write view ahead of the bump pointer, 256 KiB at a time (the next blocks' code).
  Prefault prefault_{size_t(256) << 10};
  Trampolines trampolines_;
};

}  // namespace mimic::tcg
