// CodeBuffer: memfd-backed dual mapping of the code cache and its bump allocator.
#include "tcg/exec/code_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace mimic::tcg {

namespace {
[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }
size_t round_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }
int new_memfd(size_t size) {
  int fd = memfd_create("mimic-code-cache", MFD_CLOEXEC);
  if (fd < 0) fail("code cache: memfd_create");
  if (ftruncate(fd, off_t(size)) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    fail("code cache: ftruncate");
  }
  return fd;
}
}  // namespace

CodeBuffer::CodeBuffer(size_t capacity) {
  capacity_ = round_up(capacity < kMinCapacity ? kMinCapacity : capacity, size_t(sysconf(_SC_PAGESIZE)));
  // Block code is reached by rel32 jumps between blocks: the buffer must stay under 2 GiB.
  if (capacity_ > (size_t(1) << 31)) capacity_ = size_t(1) << 31;
  int fd = new_memfd(capacity_);
  void* w = mmap(nullptr, capacity_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  void* x = w == MAP_FAILED ? MAP_FAILED : mmap(nullptr, capacity_, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);  // the mappings keep the pages alive
  if (w == MAP_FAILED || x == MAP_FAILED) {
    if (w != MAP_FAILED) munmap(w, capacity_);
    errno = e;
    fail("code cache: mmap");
  }
  write_ = static_cast<uint8_t*>(w);
  exec_ = static_cast<uint8_t*>(x);
}

CodeBuffer::~CodeBuffer() {
  munmap(write_, capacity_);
  munmap(exec_, capacity_);
}

const Trampolines& CodeBuffer::install_trampolines(void (*softmmu_slow_fn)(CpuBase*)) {
  trampolines_ = emit_trampolines(HostCodeRegion{write_, exec_base(), capacity_}, softmmu_slow_fn);
  blocks_start_ = round_up(trampolines_.size, kBlockAlign);
  used_ = blocks_start_;
  prefault_.cover(write_, used_, capacity_);
  return trampolines_;
}

HostCodeRegion CodeBuffer::free_region() const {
  return HostCodeRegion{write_ + used_, exec_base() + used_, capacity_ - used_};
}

uintptr_t CodeBuffer::commit(size_t size) {
  uintptr_t start = exec_base() + used_;
  used_ = round_up(used_ + size, kBlockAlign);
  if (used_ > capacity_) used_ = capacity_;
  release_written();
  prefault_.cover(write_, used_, capacity_);
  return start;
}

// Each page of code is resident through both views, and the kernel counts it once per view in
// the process's RSS. Code well behind the bump pointer is only patched now and then (chaining,
// unchaining), so the write view's page-table entries for it go; the pages stay in the memfd,
// where the exec view runs them, and a later patch faults its page back in.
void CodeBuffer::release_written() {
  if (used_ < write_released_ + 2 * kWriteWindow) return;
  // From the start: the pages patches have faulted back in since the last pass go again.
  const size_t upto = (used_ - kWriteWindow) & ~(kWriteWindow - 1);
  ::madvise(write_, upto, MADV_DONTNEED);
  write_released_ = upto;
}

void CodeBuffer::reset() {
  used_ = blocks_start_;
  write_released_ = 0;
  prefault_.restart(0);
}

int CodeBuffer::prepare_fork() const {
  int fd = new_memfd(capacity_);
  size_t n = used_ < capacity_ ? used_ : capacity_;
  for (size_t done = 0; done < n;) {
    ssize_t w = pwrite(fd, write_ + done, n - done, off_t(done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      close(fd);
      errno = e;
      fail("code cache: snapshot before fork");
    }
    done += size_t(w);
  }
  return fd;
}

void CodeBuffer::child_after_fork(int fd) {
  // MAP_FIXED replaces the shared views in place, so every code address stays valid.
  void* w = mmap(write_, capacity_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  void* x = mmap(exec_, capacity_, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
  int e = errno;
  close(fd);
  errno = e;
  if (w == MAP_FAILED || x == MAP_FAILED) fail("code cache: mmap after fork");
  prefault_.restart(0);
}

void CodeBuffer::parent_after_fork(int fd) { close(fd); }

}  // namespace mimic::tcg
