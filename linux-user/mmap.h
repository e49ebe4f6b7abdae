// GuestMemory: the guest address space inside one host reservation, its page flags, brk and mmap.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tcg/exec/guest_memory.h"

namespace mimic::linux_user {

constexpr uint64_t kPageSize = 4096;
constexpr unsigned kPageBits = 12;
inline uint64_t page_down(uint64_t a) { return a & ~(kPageSize - 1); }
inline uint64_t page_up(uint64_t a) { return (a + kPageSize - 1) & ~(kPageSize - 1); }

// The host path an open host fd names (its /proc/self/fd link); empty when it has none.
std::string host_path_of_fd(int fd);

// Per-page state of the guest view. kValid marks a mapped page; the others are the guest's PROT_*.
namespace PageFlag {
enum : uint8_t {
  kValid = 1,
  kRead = 2,
  kWrite = 4,
  kExec = 8,
  // Guest-writable page holding translated code: the host page is read-only so that a write
  // faults and drops the stale translations first (self-modifying code detection).
  kCodeProtected = 16,
};
}

// Guest PROT_* and MAP_* values (asm-generic, the same numbers as the x86-64 host's).
namespace GuestProt {
enum : int { kRead = 1, kWrite = 2, kExec = 4 };
}
namespace GuestMap {
enum : int {
  kShared = 0x01,
  kPrivate = 0x02,
  kSharedValidate = 0x03,
  kTypeMask = 0x0f,
  kFixed = 0x10,
  kAnonymous = 0x20,
  kGrowsDown = 0x100,
  kDenyWrite = 0x800,
  kExecutable = 0x1000,
  kLocked = 0x2000,
  kNoReserve = 0x4000,
  kPopulate = 0x8000,
  kNonBlock = 0x10000,
  kStack = 0x20000,
  kHugeTlb = 0x40000,
  kSync = 0x80000,
  kFixedNoReplace = 0x100000,
  kUninitialized = 0x4000000,
  // What MAP_SHARED_VALIDATE accepts besides MAP_SYNC (Linux's LEGACY_MAP_MASK).
  kLegacyMask = kShared | kPrivate | kFixed | kAnonymous | kDenyWrite | kExecutable | kUninitialized | kGrowsDown |
                kLocked | kNoReserve | kPopulate | kNonBlock | kStack | kHugeTlb,
};
}

// Per-mapping properties that Linux keeps as VMA flags: a change of any of them splits the VMA (a
// line of its own in /proc/self/maps), so they live in the mapping's description.
namespace VmFlag {
enum : uint8_t {
  kLocked = 1,        // mlock
  kDontFork = 2,      // MADV_DONTFORK: the child of a fork does not have the pages
  kWipeOnFork = 4,    // MADV_WIPEONFORK
  kDontDump = 8,      // MADV_DONTDUMP
  kSeqRead = 16,      // MADV_SEQUENTIAL
  kRandRead = 32,     // MADV_RANDOM
  kHugePage = 64,     // MADV_HUGEPAGE
  kNoHugePage = 128,  // MADV_NOHUGEPAGE
};
}

// The guest's addresses are offsets into one PROT_NONE host reservation at `base()`: a guest
// pointer can never reach the emulator's own memory (below 2^size_bits), guest NULL faults, and
// the host kernel itself returns EFAULT for buffers that touch unmapped guest pages.
class GuestMemory final : public tcg::CodeFetcher {
 public:
  // Reserves the address space (the largest of a few sizes that the host grants).
  static std::unique_ptr<GuestMemory> create(std::string& error, uint64_t max_size = 0);
  ~GuestMemory() override;
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  uint8_t* base() const { return base_; }
  uint64_t size() const { return size_; }
  void* host(uint64_t addr) const { return base_ + addr; }
  bool in_range(uint64_t addr, uint64_t len) const { return addr <= size_ && len <= size_ - addr; }
  uint64_t guard_below() const { return guard_below_; }
  uint64_t guard_above() const { return guard_above_; }
  // True when host address `host` is mimic's PROT_NONE guard just above or below the guest's
  // space: a fault there is the guest's, at guest address host - base() (modulo 2^64).
  bool in_guard(uintptr_t host) const {
    const uint64_t off = uint64_t(host - uintptr_t(base_));
    return (off >= size_ && off - size_ < guard_above_) || (off >= -guard_below_ && guard_below_ != 0);
  }

  // Page flags, lock-free for readers (translator, fault handler, syscall argument checks).
  uint8_t page_flags(uint64_t addr) const;
  // True when every page of [addr, addr+len) has all `need` PageFlag bits (len 0 is always ok).
  bool access_ok(uint64_t addr, uint64_t len, uint8_t need) const;
  bool can_fetch(uint64_t addr, unsigned len) const override {
    return access_ok(addr, len, PageFlag::kValid | PageFlag::kExec);
  }

  // Self-modifying code: the translator read code from [start, end); guest-writable pages there
  // become read-only on the host until the next write (see PageFlag::kCodeProtected).
  void protect_code(uint64_t start, uint64_t end);
  // A write fault at guest `addr` on a page the guest may write: our protection. Makes the page
  // writable again and drops its translations; false when the guest may not write there.
  bool unprotect_for_write(uint64_t addr);
  // Before the host kernel writes guest memory (read(2) into a JIT buffer...).
  void prepare_host_write(uint64_t addr, uint64_t len);
  // The write watch is on (EngineBinding): the translator reports every page it reads code from.
  void set_code_watch(bool on) { code_watch_.store(on); }
  // Instruction-cache maintenance that names no address (riscv's fence.i; riscv_flush_icache,
  // whose range Linux ignores). The watch has already dropped the translations of pages written
  // through their own address; what it cannot see are writes through another mapping of shared
  // pages (a JIT's W^X views of one memfd) or by another process: those translations go. Returns
  // false when code was translated from pages the watch did not protect (the watch is off, or
  // protect_code had to skip): then the caller must drop every translation.
  bool invalidate_unwatched_code();
  // Instruction-cache maintenance by address (AArch64's IC IVAU): the translations of
  // [start, end) and of the other mappings of the same pages of a shared object.
  void invalidate_code(uint64_t start, uint64_t end);

  // vfork: the child of a fork that stands for a vfork logs the pages it writes, to be copied into
  // the parent, whose memory a real vfork child shares. Private writable pages become read-only
  // on the host (the kCodeProtected road, which also covers the host kernel's writes); each first
  // write records its page.
  void start_write_log();
  // The pages written since start_write_log, sorted (every private writable page when the log
  // overflowed).
  std::vector<uint64_t> written_pages() const;
  // While the log is on: pages of [addr, addr+len) that a mapping call made private and writable
  // (the vfork child's own mmap, mprotect, mremap, brk) are logged on their first write as well.
  void log_writes_in(uint64_t addr, uint64_t len);
  // True when the log is on (this process is a vfork child).
  bool write_log_on() const { return write_log_ != nullptr; }

  // Called with [start, end) whenever executable guest pages change or go away.
  void set_invalidate_hook(std::function<void(uint64_t, uint64_t)> hook) { invalidate_ = std::move(hook); }

  // The guest mmap family: the results are what the guest's syscall returns (address or -errno).
  // `host_fd` is -1 for anonymous mappings; prot and flags are guest (asm-generic) values.
  int64_t mmap(uint64_t addr, uint64_t len, int prot, int flags, int host_fd, uint64_t offset);
  int64_t munmap(uint64_t addr, uint64_t len);
  int64_t mprotect(uint64_t addr, uint64_t len, int prot);
  int64_t mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
  int64_t madvise(uint64_t addr, uint64_t len, int advice);
  int64_t msync(uint64_t addr, uint64_t len, int flags);
  // mlock/mlock2 (lock true) and munlock: Linux's range rules, the host's limits.
  int64_t mlock(uint64_t addr, uint64_t len, bool lock, int mlock2_flags);

  // brk: the heap begins at `start` (page-aligned end of the loaded image).
  void init_brk(uint64_t start);
  uint64_t brk(uint64_t new_brk);
  uint64_t brk_start() const { return brk_start_; }

  // Where mmap without a hint looks first (top-down below it); set from the stack placement.
  void set_mmap_top(uint64_t top) { mmap_top_ = top; }
  uint64_t mmap_top() const { return mmap_top_; }
  // Lowest address a guest may map (vm.mmap_min_addr).
  static constexpr uint64_t kMinAddr = 0x10000;

  // A free, page-aligned range of `len` bytes: at `hint` when that is free, else top-down below
  // mmap_top, else anywhere. Returns 0 when none.
  uint64_t find_free(uint64_t len, uint64_t hint) const;
  // True when no page of [addr, addr+len) is mapped.
  bool range_free(uint64_t addr, uint64_t len) const;

  // For the ELF loader and the stack: maps anonymous zero pages at a fixed address with guest prot.
  bool map_fixed_anon(uint64_t addr, uint64_t len, int prot);

  // What /proc/self/maps says about a mapping besides its permissions: the file it maps (device,
  // inode, the file offset at its first page, the path) or a name such as [stack].
  struct MapInfo {
    uint64_t offset = 0;
    uint64_t dev = 0;  // host st_dev
    uint64_t inode = 0;
    bool shared = false;
    std::string name;  // empty: anonymous
    uint8_t vm = 0;    // VmFlag bits
    bool continues(const MapInfo& prev, uint64_t prev_len) const {
      return dev == prev.dev && inode == prev.inode && shared == prev.shared && name == prev.name && vm == prev.vm &&
             (inode == 0 || offset == prev.offset + prev_len);
    }
    // Private anonymous memory without VMA flags needs no description.
    bool plain() const { return inode == 0 && name.empty() && !shared && vm == 0; }
  };
  // Describes the mapped pages [addr, addr+len) (the loader names the program's segments this way).
  void describe(uint64_t addr, uint64_t len, MapInfo info);
  // A host mapping already placed at [addr, addr+len) inside the reservation (System V shared
  // memory attached by shmat): the guest's now, with `prot`, described by `info`.
  void adopt_mapping(uint64_t addr, uint64_t len, int prot, MapInfo info);
  // The length of the shared memory segment attached at `addr` by adopt_mapping, or 0.
  uint64_t attached_shm_length(uint64_t addr) const;
  // A private mapping of the host file `host_path` from `offset`, as the guest sees it.
  MapInfo file_info(const std::string& host_path, uint64_t offset) const;
  // Paths under this host folder (the sysroot) are shown as the guest sees them, without it.
  void set_guest_root(std::string root) { guest_root_ = std::move(root); }
  // A host path as the guest names it (without the guest root).
  std::string guest_visible(std::string host_path) const;

  // Text of /proc/self/maps for the guest, in Linux's format: one line per run of pages with the
  // same permissions and mapping.
  std::string maps_text() const;
  // The bytes mapped (the kernel's total_vm, /proc/<pid>/stat's vsize).
  uint64_t mapped_bytes() const;

  // fork: the child drops the MADV_DONTFORK mappings (the host child does not have them) right
  // after fork, and their translations once its engine is ready.
  void child_drop_dontfork();
  void child_invalidate_dropped();

  static uint8_t prot_to_flags(int prot);

 private:
  GuestMemory(uint8_t* base, uint64_t size);
  void reserve_guard_below(uint64_t max_len);
  uint64_t guard_above_ = 0, guard_below_ = 0;
  void set_flags(uint64_t addr, uint64_t len, uint8_t flags);  // mutex held
  bool any_exec(uint64_t addr, uint64_t len) const;
  void reserve_again(uint64_t addr, uint64_t len);  // turns host pages back into PROT_NONE reservation
  void invalidate(uint64_t addr, uint64_t len);
  // The end of the guest VMA holding the mapped page at `addr`: the run of pages with the same
  // flags and the same description, as Linux's VMAs.
  uint64_t vma_end(uint64_t addr) const;
  // The first address after `addr` where a description starts or ends (size_ when none).
  uint64_t info_boundary(uint64_t addr) const;
  // Calls fn(start, end) (returning 0 or -errno) for each mapped piece of [addr, end), split at
  // descriptions; a hole gives -ENOMEM, at once when stop_at_hole, else after the walk (madvise,
  // msync), as Linux's VMA walks do. The first error of fn ends the walk.
  template <class Fn>
  int64_t for_each_mapped(uint64_t addr, uint64_t end, bool stop_at_hole, Fn fn);
  // Sets and clears VmFlag bits of the mapped range [addr, addr+len).
  void update_vm(uint64_t addr, uint64_t len, uint8_t set, uint8_t clear);
  // Host pages of [addr, addr+len) write-protected by the SMC watch become writable again (their
  // translations dropped), so that the host sees the range as the guest's one VMA.
  void unprotect_code_range(uint64_t addr, uint64_t len);
  int64_t unmap_locked(uint64_t addr, uint64_t len);  // mutex held, range checked
  int64_t move_mapping(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool dont_unmap, uint64_t dst);
  std::optional<MapInfo> info_at(uint64_t addr) const;  // the description of the page at addr
  // The MapInfo table (mutex held): ranges never overlap; erase splits entries at the edges.
  void info_erase(uint64_t addr, uint64_t len);
  void info_insert(uint64_t addr, uint64_t len, MapInfo info);
  MapInfo info_of_fd(int host_fd, uint64_t offset, bool shared) const;
  struct InfoRange {
    uint64_t end;
    MapInfo info;
  };
  std::map<uint64_t, InfoRange> info_;         // by start address
  std::map<uint64_t, uint64_t> shm_attached_;  // address -> length, until unmapped
  uint64_t next_shmem_inode_ = 1;              // shared anonymous mappings are each their own object
  std::vector<std::pair<uint64_t, uint64_t>> dropped_after_fork_;
  std::string guest_root_;

  // Two-level table of one flag byte per page. A 1 GiB leaf is either uniform (every page has the
  // same flags, one word: `(flags << 1) | 1`, or 0 for a leaf never used) or an array of bytes,
  // made only where a mapping's edge or a per-page change falls inside it. So a mapping costs a
  // word per GiB and at most two arrays, however large it is, and the walks below skip a uniform
  // leaf in one step. Arrays live until the GuestMemory does: a lock-free reader may hold one.
  static constexpr unsigned kLeafBits = 30 - kPageBits;
  static constexpr uint64_t kLeafPages = uint64_t(1) << kLeafBits;
  static constexpr unsigned kLeafShift = kLeafBits + kPageBits;  // address bits of a leaf's index
  static bool is_array(uintptr_t leaf) { return leaf != 0 && !(leaf & 1); }
  static uint8_t uniform_flags(uintptr_t leaf) { return uint8_t(leaf >> 1); }
  static uintptr_t uniform_leaf(uint8_t flags) { return flags ? (uintptr_t(flags) << 1) | 1 : 0; }
  uintptr_t leaf_word(uint64_t addr) const { return leaves_[addr >> kLeafShift].load(std::memory_order_acquire); }
  // The flag byte of the page holding addr, null when its leaf is uniform (no page of it was ever
  // changed on its own).
  uint8_t* flag_slot(uint64_t addr) const {
    const uintptr_t l = leaf_word(addr);
    return is_array(l) ? &reinterpret_cast<uint8_t*>(l)[(addr >> kPageBits) & (kLeafPages - 1)] : nullptr;
  }
  // The same, making the leaf an array first (mutex held).
  uint8_t* flag_slot_for_write(uint64_t addr);
  // The first page-aligned address in [page_down(addr), min(end, size_)) whose flags fail
  // `keep`, or that end when none does.
  template <class Keep>
  uint64_t scan(uint64_t addr, uint64_t end, Keep keep) const;
  // One past the highest page in [lo, end) (both page-aligned) whose flags fail `keep`, or 0.
  template <class Keep>
  uint64_t scan_down(uint64_t lo, uint64_t end, Keep keep) const;

  uint8_t* base_;
  uint64_t size_;
  std::unique_ptr<std::atomic<uintptr_t>[]> leaves_;
  size_t leaf_count_;
  mutable std::recursive_mutex mutex_;

 public:
  // Held across fork() so that no other guest thread is inside a mapping change in the child.
  // The child must call child_after_fork instead of unlocking: a recursive mutex records its
  // owner's thread id, which is another one in the child.
  std::recursive_mutex& fork_mutex() const { return mutex_; }
  void child_after_fork() { new (&mutex_) std::recursive_mutex(); }
  std::function<void(uint64_t, uint64_t)> invalidate_;
  std::atomic<bool> code_watch_{false};
  // Code ranges protect_code had to skip (the mutex was busy), until the next icache maintenance;
  // when there were more than kMaxUnwatched, that one drops every translation.
  static constexpr size_t kMaxUnwatched = 4096;
  std::mutex unwatched_mutex_;
  std::vector<std::pair<uint64_t, uint64_t>> unwatched_;
  bool unwatched_overflow_ = false;
  // Calls fn(start, end) for the executable guest ranges that map the same pages of a shared
  // object as [start, end) does (all of that object's executable mappings when `whole`) (mutex held).
  template <typename Fn>
  void for_each_exec_alias(uint64_t start, uint64_t end, bool whole, Fn fn) const;
  uint64_t brk_start_ = 0, brk_cur_ = 0, brk_mapped_end_ = 0;
  uint64_t mmap_top_ = 0;
  // The vfork child's write log: a fixed buffer, filled from the fault handler (no allocation).
  static constexpr size_t kWriteLogCapacity = size_t(1) << 16;
  std::unique_ptr<uint64_t[]> write_log_;
  std::atomic<size_t> write_log_len_{0};
  // Private, writable, mapped pages of [lo, hi) (shared mappings need no copy: the parent sees
  // those writes).
  template <typename Fn>
  void for_each_private_writable(Fn fn, uint64_t lo = 0, uint64_t hi = ~uint64_t(0)) const;
  // Makes the private writable pages of [lo, hi) read-only so that their first write is logged
  // (mutex held).
  void protect_for_write_log(uint64_t lo, uint64_t hi);
};

}  // namespace mimic::linux_user
