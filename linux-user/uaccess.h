// Checked access to guest memory for system calls: bad guest pointers give -EFAULT, never a crash.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "linux-user/mmap.h"

namespace mimic::linux_user {

// Copies out of / into guest memory after checking every page's permissions.
inline bool copy_from_guest(const GuestMemory& mem, void* dst, uint64_t addr, uint64_t len) {
  if (!mem.access_ok(addr, len, PageFlag::kValid | PageFlag::kRead)) return false;
  memcpy(dst, mem.host(addr), len);
  return true;
}
inline bool copy_to_guest(const GuestMemory& mem, uint64_t addr, const void* src, uint64_t len) {
  if (!mem.access_ok(addr, len, PageFlag::kValid | PageFlag::kWrite)) return false;
  memcpy(mem.host(addr), src, len);
  return true;
}
template <class T>
bool get_guest(const GuestMemory& mem, uint64_t addr, T& v) {
  return copy_from_guest(mem, &v, addr, sizeof(T));
}
template <class T>
bool put_guest(const GuestMemory& mem, uint64_t addr, const T& v) {
  return copy_to_guest(mem, addr, &v, sizeof(T));
}

// n guest words of the ABI's size (`wb`: 4 or 8 bytes, little-endian) as uint64_t values, for the
// structures made of longs and pointers (iovec, stack_t, sigaction) whose layout follows the word.
inline bool get_guest_words(const GuestMemory& mem, uint64_t addr, uint64_t* out, size_t n, unsigned wb) {
  if (!mem.access_ok(addr, n * wb, PageFlag::kValid | PageFlag::kRead)) return false;
  for (size_t i = 0; i < n; i++) {
    out[i] = 0;
    memcpy(&out[i], static_cast<const uint8_t*>(mem.host(addr)) + i * wb, wb);
  }
  return true;
}
inline bool put_guest_words(const GuestMemory& mem, uint64_t addr, const uint64_t* in, size_t n, unsigned wb) {
  if (!mem.access_ok(addr, n * wb, PageFlag::kValid | PageFlag::kWrite)) return false;
  for (size_t i = 0; i < n; i++) memcpy(static_cast<uint8_t*>(mem.host(addr)) + i * wb, &in[i], wb);
  return true;
}

// A host pointer for a buffer the host kernel reads or writes itself (read(2), write(2) ...):
// in range is enough, because unmapped guest pages are PROT_NONE host pages and the host kernel
// then answers EFAULT exactly as the guest's kernel would. Null when outside the address space.
// Pages of the buffer that hold translated code are made writable first (the host kernel's own
// writes cannot be caught as faults).
inline void* guest_buffer(GuestMemory& mem, uint64_t addr, uint64_t len) {
  if (!mem.in_range(addr, len)) return nullptr;
  mem.prepare_host_write(addr, len);
  return mem.host(addr);
}

// Reads a NUL-terminated guest string of at most `max` bytes (NUL included).
// Returns 0, -EFAULT or -ENAMETOOLONG.
inline int64_t read_guest_string(const GuestMemory& mem, uint64_t addr, std::string& out, uint64_t max = 4096) {
  out.clear();
  for (uint64_t i = 0; i < max; i++) {
    uint64_t a = addr + i;
    if (a < addr) return -EFAULT;
    if (i == 0 || (a & (kPageSize - 1)) == 0) {
      if (!mem.access_ok(a, 1, PageFlag::kValid | PageFlag::kRead)) return -EFAULT;
    }
    char c = *static_cast<const char*>(mem.host(a));
    if (c == 0) return 0;
    out.push_back(c);
  }
  return -ENAMETOOLONG;
}

}  // namespace mimic::linux_user
