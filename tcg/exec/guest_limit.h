// The size of linux-user's guest address space, which every guest access is checked against.
#pragma once

#include <atomic>
#include <cstdint>

namespace mimic::tcg {

// linux-user sets it once, before anything is translated, to the size of the host reservation
// holding guest memory (guest addresses are offsets into it). Generated code (Ctx::guest_mem), the
// interpreter and the helpers that touch guest memory send an access at or above it to
// kExitMemFault with fault_addr the guest address, instead of letting guest_base + addr reach
// host memory beyond the reservation. The default, no limit, is for tests and system mode.
// When the reservation starts at host address `size` itself (GuestMemory places it there when it
// can), the limit is guest_base, which generated code holds in r15 anyway: the check is then one
// register compare, without a load.
inline std::atomic<uint64_t> g_user_guest_limit{~uint64_t(0)};
inline std::atomic<bool> g_user_limit_is_base{false};
// Whether PROT_NONE guards of at least 2 GiB lie below guest address 0 and above the limit: then
// base + disp32 faults at its own address whenever base is below the limit, so generated code
// checks the base register of a folded address instead of the whole sum.
inline std::atomic<bool> g_user_guards_cover_disp32{false};
inline uint64_t user_guest_limit() { return g_user_guest_limit.load(std::memory_order_relaxed); }
inline bool user_limit_is_base() { return g_user_limit_is_base.load(std::memory_order_relaxed); }
inline bool user_guards_cover_disp32() { return g_user_guards_cover_disp32.load(std::memory_order_relaxed); }
inline void set_user_guest_limit(uint64_t size, const uint8_t* guest_base, uint64_t guard_below = 0,
                                 uint64_t guard_above = 0) {
  g_user_guest_limit.store(size, std::memory_order_relaxed);
  g_user_limit_is_base.store(reinterpret_cast<uintptr_t>(guest_base) == size, std::memory_order_relaxed);
  constexpr uint64_t kDisp32 = uint64_t(1) << 31;
  g_user_guards_cover_disp32.store(guard_below >= kDisp32 && guard_above >= 2 * kDisp32, std::memory_order_relaxed);
}

}  // namespace mimic::tcg
