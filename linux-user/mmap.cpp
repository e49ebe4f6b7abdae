// GuestMemory: host reservation, page-flags table, and the guest's mmap/munmap/mprotect/mremap/brk.
#include "linux-user/mmap.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace mimic::linux_user {

namespace {
constexpr int kReserveFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

// The host never executes guest pages (translated code runs from the code cache), but the
// translator must read them: guest PROT_EXEC becomes host PROT_READ.
int host_prot(int prot) {
  int p = 0;
  if (prot & (GuestProt::kRead | GuestProt::kExec)) p |= PROT_READ;
  if (prot & GuestProt::kWrite) p |= PROT_READ | PROT_WRITE;
  return p;
}

// Linux maps below mmap_min_addr only for a caller with CAP_SYS_RAWIO (cap_mmap_addr); a 32-bit
// guest's MAP_FIXED at 0 works as root. The guest's page 0 is inside its reservation.
bool may_map_below_min_addr() {
  // _LINUX_CAPABILITY_VERSION_3 of this process; CAP_SYS_RAWIO (17) in the effective set.
  uint32_t hdr[2] = {0x20080522, 0}, caps[6] = {};
  return syscall(SYS_capget, hdr, caps) == 0 && (caps[0] & (1u << 17));
}
}  // namespace

uint8_t GuestMemory::prot_to_flags(int prot) {
  uint8_t f = PageFlag::kValid;
  if (prot & GuestProt::kRead) f |= PageFlag::kRead;
  if (prot & GuestProt::kWrite) f |= PageFlag::kWrite | PageFlag::kRead;
  if (prot & GuestProt::kExec) f |= PageFlag::kExec;
  return f;
}

namespace {
// The end of the host mapping just below `addr` (0 when none), from /proc/self/maps.
uintptr_t host_mapping_end_below(uintptr_t addr) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return addr;  // unknown: no room
  uintptr_t best = 0;
  unsigned long lo, hi;
  char line[512];
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi <= addr && hi > best) best = hi;
  fclose(f);
  return best;
}
}  // namespace

std::unique_ptr<GuestMemory> GuestMemory::create(std::string& error, uint64_t max_size) {
  // First choice for a 64-bit guest: 32 TiB at host address 32 TiB, so that guest_base is also
  // the guest space's size and generated code checks every address against the base register it
  // holds anyway (tcg/exec/guest_limit.h); that range is free in a normal host process (PIE
  // programs and libraries live above 2^46).
  if (max_size == 0) {
    constexpr uint64_t size = uint64_t(1) << 45, guard = size / 4;
    void* want = reinterpret_cast<void*>(size);
    void* p = ::mmap(want, size + guard, PROT_NONE, kReserveFlags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == want) {
      auto mem = std::unique_ptr<GuestMemory>(new GuestMemory(static_cast<uint8_t*>(p), size));
      mem->guard_above_ = guard;
      mem->reserve_guard_below(size / 16);
      return mem;
    }
    if (p != MAP_FAILED) ::munmap(p, size + guard);  // a kernel without MAP_FIXED_NOREPLACE
  }
  // Else 64 TiB anywhere holds every layout a riscv64 (Sv39/Sv48 up to 2^46) or arm64 static
  // program expects; smaller sizes are fallbacks for hosts with RLIMIT_AS or a smaller address space.
  for (unsigned bits = 46; bits >= 32; bits -= 2) {
    uint64_t size = uint64_t(1) << bits;
    if (max_size && size > max_size) continue;
    // A PROT_NONE guard a quarter of the size above the guest's space, in the same reservation,
    // so that an access past its end faults at the address the guest used instead of reaching
    // whatever of mimic's the kernel placed right above (its own ELF image, its heap).
    for (const uint64_t guard : {size / 4, uint64_t(0)}) {
      void* p = ::mmap(nullptr, size + guard, PROT_NONE, kReserveFlags, -1, 0);
      if (p == MAP_FAILED) continue;
      auto mem = std::unique_ptr<GuestMemory>(new GuestMemory(static_cast<uint8_t*>(p), size));
      mem->guard_above_ = guard;
      mem->reserve_guard_below(size / 16);
      return mem;
    }
  }
  error = fmt::format("cannot reserve the guest address space: {}", strerror(errno));
  return nullptr;
}

GuestMemory::GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {
  leaf_count_ = size_t((size >> kPageBits) >> kLeafBits);
  if (leaf_count_ == 0) leaf_count_ = 1;
  leaves_.reset(new std::atomic<uintptr_t>[leaf_count_]);
  for (size_t i = 0; i < leaf_count_; i++) leaves_[i].store(0, std::memory_order_relaxed);
  mmap_top_ = size;
}

void GuestMemory::reserve_guard_below(uint64_t max_len) {
  // Below the guest's address 0 (where negative guest addresses wrap to): the free host range
  // there, up to max_len; a page is left free so that no host mapping merges with it.
  const uintptr_t base = uintptr_t(base_), floor = host_mapping_end_below(base) + kPageSize;
  uint64_t len = base > floor ? std::min<uint64_t>(max_len, base - floor) : 0;
  len &= ~(kPageSize - 1);
  if (len == 0) return;
  void* p = ::mmap(base_ - len, len, PROT_NONE, kReserveFlags | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == base_ - len)
    guard_below_ = len;
  else if (p != MAP_FAILED)
    ::munmap(p, len);  // a kernel without MAP_FIXED_NOREPLACE placed it elsewhere
}

GuestMemory::~GuestMemory() {
  ::munmap(base_, size_ + guard_above_);
  if (guard_below_) ::munmap(base_ - guard_below_, guard_below_);
  for (size_t i = 0; i < leaf_count_; i++)
    if (uintptr_t l = leaves_[i].load(); is_array(l)) ::munmap(reinterpret_cast<uint8_t*>(l), kLeafPages);
}

uint8_t GuestMemory::page_flags(uint64_t addr) const {
  if (addr >= size_) return 0;
  const uintptr_t l = leaf_word(addr);
  if (!is_array(l)) return uniform_flags(l);
  return __atomic_load_n(&reinterpret_cast<const uint8_t*>(l)[(addr >> kPageBits) & (kLeafPages - 1)],
                         __ATOMIC_RELAXED);
}

template <class Keep>
uint64_t GuestMemory::scan(uint64_t addr, uint64_t end, Keep keep) const {
  const uint64_t stop = std::min(end, size_);
  uint64_t p = page_down(addr);
  const uint64_t first = p;
  while (p < stop) {
    const uint64_t leaf_end = std::min(stop, ((p >> kLeafShift) + 1) << kLeafShift);
    const uintptr_t l = leaf_word(p);
    if (!is_array(l)) {
      if (!keep(uniform_flags(l))) return p;
      p = leaf_end;
      continue;
    }
    const uint8_t* a = reinterpret_cast<const uint8_t*>(l);
    for (; p < leaf_end; p += kPageSize)
      if (!keep(__atomic_load_n(&a[(p >> kPageBits) & (kLeafPages - 1)], __ATOMIC_RELAXED))) return p;
  }
  return std::max(stop, first);
}

template <class Keep>
uint64_t GuestMemory::scan_down(uint64_t lo, uint64_t end, Keep keep) const {
  uint64_t p = end;
  while (p > lo) {
    const uint64_t leaf_start = std::max(lo, ((p - 1) >> kLeafShift) << kLeafShift);
    const uintptr_t l = leaf_word(p - 1);
    if (!is_array(l)) {
      if (!keep(uniform_flags(l))) return p;
      p = leaf_start;
      continue;
    }
    const uint8_t* a = reinterpret_cast<const uint8_t*>(l);
    for (; p > leaf_start; p -= kPageSize)
      if (!keep(__atomic_load_n(&a[((p - kPageSize) >> kPageBits) & (kLeafPages - 1)], __ATOMIC_RELAXED))) return p;
  }
  return 0;
}

bool GuestMemory::access_ok(uint64_t addr, uint64_t len, uint8_t need) const {
  if (len == 0) return true;
  if (!in_range(addr, len)) return false;
  return scan(addr, addr + len, [&](uint8_t f) { return (f & need) == need; }) >= addr + len;
}

uint8_t* GuestMemory::flag_slot_for_write(uint64_t addr) {
  std::atomic<uintptr_t>& word = leaves_[addr >> kLeafShift];
  uintptr_t l = word.load(std::memory_order_relaxed);
  if (!is_array(l)) {
    // Fresh anonymous memory, not the heap: a leaf of a never-used GiB (the usual case: a mapping
    // placed in it) needs no fill, and only the host pages holding flags that were set become
    // resident (a host page of flags covers 16 MiB of guest space), not all 256 KiB.
    void* m = ::mmap(nullptr, kLeafPages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
      fprintf(stderr, "mimic: out of memory for the guest page table\n");
      abort();
    }
    auto* a = static_cast<uint8_t*>(m);
    if (uniform_flags(l)) std::memset(a, uniform_flags(l), kLeafPages);
    l = reinterpret_cast<uintptr_t>(a);
    word.store(l, std::memory_order_release);
  }
  return &reinterpret_cast<uint8_t*>(l)[(addr >> kPageBits) & (kLeafPages - 1)];
}

void GuestMemory::set_flags(uint64_t addr, uint64_t len, uint8_t flags) {
  const uint64_t end = addr + len;
  for (uint64_t p = addr; p < end;) {
    const uint64_t leaf_start = (p >> kLeafShift) << kLeafShift;
    const uint64_t leaf_end = leaf_start + (kLeafPages << kPageBits);
    const uint64_t stop = std::min(end, leaf_end);
    std::atomic<uintptr_t>& word = leaves_[p >> kLeafShift];
    const uintptr_t l = word.load(std::memory_order_relaxed);
    if (!is_array(l) && (uniform_flags(l) == flags || (p == leaf_start && stop == leaf_end))) {
      word.store(uniform_leaf(flags), std::memory_order_release);  // the whole leaf, or no change
    } else {
      uint8_t* slot = flag_slot_for_write(p);
      for (uint64_t q = p; q < stop; q += kPageSize, ++slot) __atomic_store_n(slot, flags, __ATOMIC_RELAXED);
    }
    p = stop;
  }
}

void GuestMemory::protect_code(uint64_t start, uint64_t end) {
  // Called under the engine's translation lock, which mapping changes (holding mutex_) may be
  // waiting for through invalidate(): never wait for mutex_ here. Skipping is safe: the page is
  // then just not watched.
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {
    // Remembered for the next address-less icache maintenance, which drops these translations.
    std::lock_guard plock(unwatched_mutex_);
    if (unwatched_.size() < kMaxUnwatched)
      unwatched_.emplace_back(start, end);
    else
      unwatched_overflow_ = true;
    return;
  }
  for (uint64_t page = page_down(start); page < end && page < size_; page += kPageSize) {
    const uint8_t cur = page_flags(page);
    if (!(cur & PageFlag::kWrite) || (cur & PageFlag::kCodeProtected)) continue;
    uint8_t* f = flag_slot_for_write(page);
    __atomic_store_n(f, uint8_t(cur | PageFlag::kCodeProtected), __ATOMIC_RELAXED);
    ::mprotect(base_ + page, kPageSize, PROT_READ);
  }
}

bool GuestMemory::unprotect_for_write(uint64_t addr) {
  const uint64_t page = page_down(addr);
  if (!in_range(page, kPageSize)) return false;
  uint8_t* f = flag_slot(page);
  if (!f) return false;
  const uint8_t cur = __atomic_load_n(f, __ATOMIC_RELAXED);
  if ((cur & (PageFlag::kValid | PageFlag::kWrite)) != (PageFlag::kValid | PageFlag::kWrite)) return false;
  // Translations go first: once the page is writable, nothing may run code read before the write.
  if (invalidate_) invalidate_(page, page + kPageSize);
  __atomic_store_n(f, uint8_t(cur & ~PageFlag::kCodeProtected), __ATOMIC_RELAXED);
  ::mprotect(base_ + page, kPageSize, PROT_READ | PROT_WRITE);
  if (write_log_) {
    const size_t i = write_log_len_.fetch_add(1, std::memory_order_relaxed);
    if (i < kWriteLogCapacity) write_log_[i] = page;
  }
  return true;
}

template <typename Fn>
void GuestMemory::for_each_private_writable(Fn fn, uint64_t lo, uint64_t hi) const {
  uint64_t known_end = 0;  // [.., known_end): the description looked up last
  bool shared = false;
  hi = std::min(hi, size_);
  for (size_t li = lo >> kLeafShift; li < leaf_count_ && (uint64_t(li) << kLeafShift) < hi; li++) {
    const uintptr_t w = leaves_[li].load(std::memory_order_acquire);
    if (!w) continue;
    // An array leaf has a byte per page; a uniform one the same flags for all of its pages.
    const uint8_t* l = is_array(w) ? reinterpret_cast<const uint8_t*>(w) : nullptr;
    const uint8_t all = l ? 0 : uniform_flags(w);
    constexpr uint8_t kWanted = PageFlag::kValid | PageFlag::kWrite;
    if (!l && (all & kWanted) != kWanted) continue;
    const uint64_t leaf_base = uint64_t(li) << kLeafShift;
    const uint64_t first = lo > leaf_base ? (lo - leaf_base) >> kPageBits : 0;
    const uint64_t last = std::min(kLeafPages, (hi - leaf_base + kPageSize - 1) >> kPageBits);
    for (uint64_t p = first; p < last; p++) {
      if (((l ? l[p] : all) & kWanted) != kWanted) continue;
      const uint64_t addr = leaf_base + (p << kPageBits);
      if (addr >= known_end) {
        auto it = info_.upper_bound(addr);
        const bool inside = it != info_.begin() && std::prev(it)->second.end > addr;
        shared = inside && std::prev(it)->second.info.shared;
        known_end = inside ? std::prev(it)->second.end : (it != info_.end() ? it->first : size_);
      }
      if (!shared) fn(addr);
    }
  }
}

void GuestMemory::start_write_log() {
  std::lock_guard lock(mutex_);
  if (!write_log_) write_log_ = std::make_unique<uint64_t[]>(kWriteLogCapacity);
  write_log_len_.store(0);
  protect_for_write_log(0, size_);
}

void GuestMemory::log_writes_in(uint64_t addr, uint64_t len) {
  std::lock_guard lock(mutex_);
  if (!write_log_ || !in_range(page_down(addr), 0)) return;
  protect_for_write_log(page_down(addr), std::min(page_up(addr + len), size_));
}

void GuestMemory::protect_for_write_log(uint64_t lo, uint64_t hi) {
  uint64_t run_start = 0, run_end = 0;
  auto flush = [&] {
    if (run_end > run_start) ::mprotect(base_ + run_start, run_end - run_start, PROT_READ);
  };
  for_each_private_writable(
      [&](uint64_t addr) {
        uint8_t* f = flag_slot_for_write(addr);     // a uniform leaf becomes an array: pages now differ
        if (*f & PageFlag::kCodeProtected) return;  // already read-only on the host
        __atomic_store_n(f, uint8_t(*f | PageFlag::kCodeProtected), __ATOMIC_RELAXED);
        if (addr != run_end) {
          flush();
          run_start = addr;
        }
        run_end = addr + kPageSize;
      },
      lo, hi);
  flush();
}

std::vector<uint64_t> GuestMemory::written_pages() const {
  std::lock_guard lock(mutex_);
  std::vector<uint64_t> pages;
  const size_t n = write_log_len_.load();
  if (n > kWriteLogCapacity) {
    for_each_private_writable([&](uint64_t addr) { pages.push_back(addr); });
    return pages;
  }
  pages.assign(write_log_.get(), write_log_.get() + n);
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  return pages;
}

void GuestMemory::prepare_host_write(uint64_t addr, uint64_t len) {
  if (len == 0 || !in_range(addr, len)) return;
  unprotect_code_range(addr, len);
}

template <typename Fn>
void GuestMemory::for_each_exec_alias(uint64_t start, uint64_t end, bool whole, Fn fn) const {
  // The object pages [start, end) maps: (dev, inode, first and last file offset) per description.
  struct ObjectRange {
    uint64_t dev, inode, lo, hi;
  };
  std::vector<ObjectRange> objects;
  for (const auto& [s, r] : info_) {
    const MapInfo& mi = r.info;
    if (!mi.shared || s >= end || r.end <= start) continue;
    const uint64_t a = std::max(s, start), b = std::min(r.end, end);
    objects.push_back(whole ? ObjectRange{mi.dev, mi.inode, 0, ~uint64_t(0)}
                            : ObjectRange{mi.dev, mi.inode, mi.offset + (a - s), mi.offset + (b - s)});
  }
  if (objects.empty()) return;
  // Every mapping of those objects, shared or private (a private mapping sees the object's
  // writes on the pages it has not copied), where it is executable.
  for (const auto& [s, r] : info_) {
    const MapInfo& mi = r.info;
    for (const ObjectRange& o : objects) {
      if (mi.dev != o.dev || mi.inode != o.inode) continue;
      const uint64_t lo = std::max(o.lo, mi.offset), hi = std::min(o.hi, mi.offset + (r.end - s));
      if (lo >= hi) continue;
      const uint64_t a = s + (lo - mi.offset), b = s + (hi - mi.offset);
      if (any_exec(a, b - a)) fn(a, b);
    }
  }
}

bool GuestMemory::invalidate_unwatched_code() {
  if (!code_watch_.load()) return false;
  std::vector<std::pair<uint64_t, uint64_t>> unwatched;
  {
    std::lock_guard plock(unwatched_mutex_);
    if (std::exchange(unwatched_overflow_, false)) {
      unwatched_.clear();
      return false;
    }
    unwatched.swap(unwatched_);
  }
  std::lock_guard lock(mutex_);
  if (!invalidate_) return true;
  for (auto [start, end] : unwatched) invalidate_(start, end);
  for_each_exec_alias(0, size_, true, invalidate_);
  return true;
}

void GuestMemory::invalidate_code(uint64_t start, uint64_t end) {
  if (start >= end || !invalidate_) return;
  std::lock_guard lock(mutex_);
  invalidate_(start, end);
  for_each_exec_alias(start, end, false, [&](uint64_t a, uint64_t b) {
    if (a != start || b != end) invalidate_(a, b);
  });
}

bool GuestMemory::range_free(uint64_t addr, uint64_t len) const {
  if (!in_range(addr, len)) return false;
  return scan(addr, addr + len, [](uint8_t f) { return f == 0; }) >= addr + len;
}

bool GuestMemory::any_exec(uint64_t addr, uint64_t len) const {
  const uint64_t end = std::min(addr + len, size_);
  return scan(addr, end, [](uint8_t f) { return !(f & PageFlag::kExec); }) < end;
}

void GuestMemory::invalidate(uint64_t addr, uint64_t len) {
  if (invalidate_ && any_exec(addr, len)) invalidate_(addr, addr + len);
}

void GuestMemory::reserve_again(uint64_t addr, uint64_t len) {
  ::mmap(base_ + addr, len, PROT_NONE, kReserveFlags | MAP_FIXED, -1, 0);
}

uint64_t GuestMemory::find_free(uint64_t len, uint64_t hint) const {
  std::lock_guard lock(mutex_);
  len = page_up(len);
  if (len == 0 || len > size_) return 0;
  // Linux's generic get_unmapped_area (arm64, riscv64) rounds a hint up to a page.
  hint = page_up(hint);
  if (hint >= kMinAddr && in_range(hint, len) && range_free(hint, len)) return hint;
  // Top-down from mmap_top, as Linux's default layout does: try the window [end - len, end), and
  // when a page inside is used, move the window's end down to that page.
  uint64_t end = page_down(mmap_top_);
  while (end >= kMinAddr + len) {
    const uint64_t lo = end - len;
    const uint64_t used = scan_down(lo, end, [](uint8_t f) { return f == 0; });
    if (!used) return lo;
    // Below the whole used run that page is in.
    end = scan_down(kMinAddr, used, [](uint8_t f) { return f != 0; });
  }
  // Nothing below the top: look above it, from each used page to the end of its run.
  for (uint64_t a = page_up(mmap_top_); a <= size_ - len;) {
    const uint64_t used = scan(a, a + len, [](uint8_t f) { return f == 0; });
    if (used >= a + len) return a;
    a = scan(used, size_, [](uint8_t f) { return f != 0; });
  }
  return 0;
}

bool GuestMemory::map_fixed_anon(uint64_t addr, uint64_t len, int prot) {
  return mmap(addr, len, prot, GuestMap::kPrivate | GuestMap::kAnonymous | GuestMap::kFixed, -1, 0) == int64_t(addr);
}

int64_t GuestMemory::mmap(uint64_t addr, uint64_t len, int prot, int flags, int host_fd, uint64_t offset) {
  std::lock_guard lock(mutex_);
  // The checks in Linux's order (sys_mmap, ksys_mmap_pgoff, do_mmap, get_unmapped_area).
  if (offset & (kPageSize - 1)) return -EINVAL;
  const bool anon = flags & GuestMap::kAnonymous;
  if (!anon && (host_fd < 0 || ::fcntl(host_fd, F_GETFD) < 0)) return -EBADF;
  if (len == 0) return -EINVAL;
  const uint64_t plen = page_up(len);
  if (plen == 0) return -ENOMEM;
  if ((offset >> kPageBits) + (plen >> kPageBits) < (offset >> kPageBits)) return -EOVERFLOW;
  if (plen > size_) return -ENOMEM;
  // MAP_FIXED_NOREPLACE is MAP_FIXED that fails instead of replacing.
  if (flags & (GuestMap::kFixed | GuestMap::kFixedNoReplace)) {
    if (addr > size_ - plen) return -ENOMEM;
    if (addr & (kPageSize - 1)) return -EINVAL;
    if (addr < kMinAddr && !may_map_below_min_addr()) return -EPERM;
  } else {
    addr = find_free(plen, addr);
    if (!addr) return -ENOMEM;
  }
  if ((flags & GuestMap::kFixedNoReplace) && !range_free(addr, plen)) return -EEXIST;
  const int type = flags & GuestMap::kTypeMask;
  if (anon ? (type != GuestMap::kShared && type != GuestMap::kPrivate)
           : (type != GuestMap::kShared && type != GuestMap::kPrivate && type != GuestMap::kSharedValidate))
    return -EINVAL;
  if (!anon && type == GuestMap::kSharedValidate && (flags & ~(GuestMap::kLegacyMask | GuestMap::kSync)))
    return -EOPNOTSUPP;
  int hflags = type | MAP_FIXED;
  if (anon) hflags |= MAP_ANONYMOUS;
  hflags |= flags & (GuestMap::kNoReserve | GuestMap::kPopulate | GuestMap::kLocked | GuestMap::kNonBlock |
                     GuestMap::kSync | GuestMap::kStack);
  invalidate(addr, plen);
  void* p = ::mmap(base_ + addr, plen, host_prot(prot), hflags, anon ? -1 : host_fd, anon ? 0 : offset);
  if (p == MAP_FAILED) {
    int e = errno;
    // A failed MAP_FIXED may have unmapped the range: keep the reservation and the table in step.
    if (range_free(addr, plen)) reserve_again(addr, plen);
    return -e;
  }
  set_flags(addr, plen, prot_to_flags(prot));
  info_erase(addr, plen);
  std::erase_if(shm_attached_, [&](const auto& e) { return e.first >= addr && e.first < addr + plen; });
  const bool shared = type != GuestMap::kPrivate;
  MapInfo info;
  if (!anon) {
    info = info_of_fd(host_fd, offset, shared);
  } else if (shared) {
    // Linux's name for shared anonymous memory; each mapping is its own shmem object (device 0:1).
    info = MapInfo{0, makedev(0, 1), next_shmem_inode_++, true, "/dev/zero (deleted)"};
  }
  if (flags & GuestMap::kLocked) info.vm |= VmFlag::kLocked;
  if (!info.plain()) info_insert(addr, plen, info);
  return int64_t(addr);
}

std::string host_path_of_fd(int fd) {
  char link[64], path[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  return n > 0 ? std::string(path, size_t(n)) : std::string();
}

GuestMemory::MapInfo GuestMemory::info_of_fd(int host_fd, uint64_t offset, bool shared) const {
  MapInfo mi;
  mi.offset = offset;
  mi.shared = shared;
  struct stat st;
  if (fstat(host_fd, &st) == 0) mi.dev = st.st_dev, mi.inode = st.st_ino;
  if (std::string path = host_path_of_fd(host_fd); !path.empty()) mi.name = guest_visible(std::move(path));
  return mi;
}

GuestMemory::MapInfo GuestMemory::file_info(const std::string& host_path, uint64_t offset) const {
  MapInfo mi;
  mi.offset = offset;
  struct stat st;
  if (stat(host_path.c_str(), &st) == 0) mi.dev = st.st_dev, mi.inode = st.st_ino;
  char* real = realpath(host_path.c_str(), nullptr);
  mi.name = guest_visible(real ? real : host_path);
  std::free(real);
  return mi;
}

std::string GuestMemory::guest_visible(std::string path) const {
  if (!guest_root_.empty() && path == guest_root_) return "/";
  if (!guest_root_.empty() && path.size() > guest_root_.size() && path.rfind(guest_root_, 0) == 0 &&
      path[guest_root_.size()] == '/')
    path.erase(0, guest_root_.size());
  return path;
}

void GuestMemory::adopt_mapping(uint64_t addr, uint64_t len, int prot, MapInfo info) {
  std::lock_guard lock(mutex_);
  invalidate(addr, len);
  set_flags(addr, len, prot_to_flags(prot));
  info_erase(addr, len);
  info_insert(addr, len, std::move(info));
  shm_attached_[addr] = len;
}

uint64_t GuestMemory::attached_shm_length(uint64_t addr) const {
  std::lock_guard lock(mutex_);
  auto it = shm_attached_.find(addr);
  return it == shm_attached_.end() ? 0 : it->second;
}

void GuestMemory::describe(uint64_t addr, uint64_t len, MapInfo info) {
  std::lock_guard lock(mutex_);
  info_erase(addr, len);
  info_insert(addr, len, std::move(info));
}

void GuestMemory::info_erase(uint64_t addr, uint64_t len) {
  const uint64_t end = addr + len;
  auto it = info_.lower_bound(addr);
  if (it != info_.begin() && std::prev(it)->second.end > addr) --it;
  while (it != info_.end() && it->first < end) {
    const uint64_t s = it->first;
    InfoRange r = it->second;
    it = info_.erase(it);
    if (s < addr) info_.emplace(s, InfoRange{addr, r.info});  // the part before
    if (r.end > end) {                                        // the part after, its offset moved on
      MapInfo after = r.info;
      if (after.inode) after.offset += end - s;
      info_.emplace(end, InfoRange{r.end, after});
    }
  }
}

void GuestMemory::info_insert(uint64_t addr, uint64_t len, MapInfo info) {
  auto next = info_.lower_bound(addr);
  // One mapping, as Linux merges adjacent compatible VMAs: with the one after...
  if (next != info_.end() && next->first == addr + len && next->second.info.continues(info, len)) {
    InfoRange r = next->second;
    info_.erase(next);
    r.info = info;
    info_insert(addr, r.end - addr, r.info);
    return;
  }
  // ... and with the one before.
  if (next != info_.begin()) {
    auto prev = std::prev(next);
    if (prev->second.end == addr && info.continues(prev->second.info, addr - prev->first)) {
      prev->second.end = addr + len;
      return;
    }
  }
  info_.emplace(addr, InfoRange{addr + len, std::move(info)});
}

std::optional<GuestMemory::MapInfo> GuestMemory::info_at(uint64_t addr) const {
  auto it = info_.upper_bound(addr);
  if (it == info_.begin() || std::prev(it)->second.end <= addr) return std::nullopt;
  --it;
  MapInfo mi = it->second.info;
  if (mi.inode) mi.offset += addr - it->first;
  return mi;
}

uint64_t GuestMemory::info_boundary(uint64_t addr) const {
  auto it = info_.upper_bound(addr);
  if (it != info_.begin() && std::prev(it)->second.end > addr) return std::prev(it)->second.end;
  return it != info_.end() ? it->first : size_;
}

uint64_t GuestMemory::vma_end(uint64_t addr) const {
  const uint8_t f0 = page_flags(addr) & ~PageFlag::kCodeProtected;
  const uint64_t limit = info_boundary(addr);
  const uint64_t p =
      scan(page_down(addr) + kPageSize, limit, [&](uint8_t f) { return (f & ~PageFlag::kCodeProtected) == f0; });
  return std::min(p, limit);
}

template <class Fn>
int64_t GuestMemory::for_each_mapped(uint64_t addr, uint64_t end, bool stop_at_hole, Fn fn) {
  bool hole = false;
  uint64_t p = addr;
  while (p < end) {
    if (p >= size_) {
      hole = true;
      break;
    }
    if (!(page_flags(p) & PageFlag::kValid)) {
      hole = true;
      if (stop_at_hole) break;
      p = scan(p, end, [](uint8_t f) { return !(f & PageFlag::kValid); });
      continue;
    }
    const uint64_t limit = std::min(end, info_boundary(p));
    const uint64_t q = scan(p + kPageSize, limit, [](uint8_t f) { return (f & PageFlag::kValid) != 0; });
    if (int64_t r = fn(p, q); r < 0) return r;
    p = q;
  }
  return hole ? -ENOMEM : 0;
}

void GuestMemory::update_vm(uint64_t addr, uint64_t len, uint8_t set, uint8_t clear) {
  std::vector<std::pair<uint64_t, MapInfo>> pieces;  // start and description of each piece
  for (uint64_t p = addr, end = addr + len; p < end;) {
    const uint64_t q = std::min(end, info_boundary(p));
    MapInfo mi = info_at(p).value_or(MapInfo{});
    mi.vm = uint8_t((mi.vm | set) & ~clear);
    pieces.emplace_back(p, mi);
    p = q;
  }
  info_erase(addr, len);
  for (size_t i = 0; i < pieces.size(); i++) {
    const uint64_t end = i + 1 < pieces.size() ? pieces[i + 1].first : addr + len;
    if (!pieces[i].second.plain()) info_insert(pieces[i].first, end - pieces[i].first, pieces[i].second);
  }
}

void GuestMemory::unprotect_code_range(uint64_t addr, uint64_t len) {
  const uint64_t end = std::min(addr + len, size_);
  auto unwatched = [](uint8_t f) { return !(f & PageFlag::kCodeProtected); };
  for (uint64_t page = scan(addr, end, unwatched); page < end; page = scan(page + kPageSize, end, unwatched))
    unprotect_for_write(page);
}

int64_t GuestMemory::munmap(uint64_t addr, uint64_t len) {
  std::lock_guard lock(mutex_);
  // Linux: EINVAL for an unaligned address, a range reaching past TASK_SIZE (here the
  // reservation's size) and length 0.
  if ((addr & (kPageSize - 1)) || addr > size_ || len > size_ - addr) return -EINVAL;
  uint64_t plen = page_up(len);
  if (plen == 0) return -EINVAL;
  return unmap_locked(addr, std::min(plen, size_ - addr));
}

int64_t GuestMemory::unmap_locked(uint64_t addr, uint64_t plen) {
  if (plen == 0) return 0;
  invalidate(addr, plen);
  reserve_again(addr, plen);
  set_flags(addr, plen, 0);
  info_erase(addr, plen);
  std::erase_if(shm_attached_, [&](const auto& e) { return e.first >= addr && e.first < addr + plen; });
  return 0;
}

int64_t GuestMemory::mprotect(uint64_t addr, uint64_t len, int prot) {
  std::lock_guard lock(mutex_);
  constexpr int kGrowsDown = 0x01000000, kGrowsUp = 0x02000000, kSem = 0x8;
  const int grows = prot & (kGrowsDown | kGrowsUp);
  prot &= ~grows;
  if (grows == (kGrowsDown | kGrowsUp)) return -EINVAL;
  if (addr & (kPageSize - 1)) return -EINVAL;
  if (len == 0) return 0;
  const uint64_t plen = page_up(len), end = addr + plen;
  if (end <= addr) return -ENOMEM;
  if (prot & ~(GuestProt::kRead | GuestProt::kWrite | GuestProt::kExec | kSem)) return -EINVAL;
  if (grows) {
    // No guest mapping grows (MAP_GROWSDOWN is not kept): EINVAL where Linux finds the mapping.
    const bool found = (grows & kGrowsDown) ? !range_free(addr, std::min(plen, size_ > addr ? size_ - addr : 0))
                                            : (page_flags(addr) & PageFlag::kValid) != 0;
    return found ? -EINVAL : -ENOMEM;
  }
  if (!(page_flags(addr) & PageFlag::kValid)) return -ENOMEM;
  // Mapping by mapping up to the first hole, as Linux: the pages before a hole or a mapping that
  // refuses the protection (EACCES: writable view of a read-only shared file) keep the change.
  return for_each_mapped(addr, end, true, [&](uint64_t s, uint64_t e) -> int64_t {
    invalidate(s, e - s);
    if (::mprotect(base_ + s, e - s, host_prot(prot)) != 0) return -errno;
    set_flags(s, e - s, prot_to_flags(prot));
    return 0;
  });
}

int64_t GuestMemory::mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr) {
  std::lock_guard lock(mutex_);
  constexpr int kMayMove = 1, kFixed = 2, kDontUnmap = 4;
  // Linux's check_mremap_params (6.x), then the VMA at old_addr (check_prep_vma).
  if (flags & ~(kMayMove | kFixed | kDontUnmap)) return -EINVAL;
  if (old_addr & (kPageSize - 1)) return -EINVAL;
  old_len = page_up(old_len);
  new_len = page_up(new_len);
  if (new_len == 0) return -EINVAL;
  if (new_len > size_) return -EINVAL;
  const bool to_new = flags & (kFixed | kDontUnmap);  // a move to (or near) new_addr
  if (to_new) {
    if (new_addr > size_ - new_len) return -EINVAL;
    if (new_addr & (kPageSize - 1)) return -EINVAL;
    if (!(flags & kMayMove)) return -EINVAL;
    if ((flags & kDontUnmap) && old_len != new_len) return -EINVAL;
    if ((flags & kFixed) && new_addr < old_addr + old_len && old_addr < new_addr + new_len) return -EINVAL;
  }
  if (old_addr >= size_ || !(page_flags(old_addr) & PageFlag::kValid)) return -EFAULT;
  const std::optional<MapInfo> info = info_at(old_addr);
  // Length 0 makes a second mapping of the same shared pages (the "duplicate shm area" case).
  if (old_len == 0 && !(info && info->shared)) return -EINVAL;
  if (new_len > old_len || to_new) {
    if (old_len > vma_end(old_addr) - old_addr) return -EFAULT;  // not across mappings
    if (info && info->inode && (info->offset >> kPageBits) + (new_len >> kPageBits) < (info->offset >> kPageBits))
      return -EINVAL;
  }
  if (to_new) {
    if (flags & kFixed) {
      unmap_locked(new_addr, new_len);
    }
    if (new_len < old_len) {
      unmap_locked(old_addr + new_len, old_len - new_len);
      old_len = new_len;
    }
    uint64_t dst = new_addr;
    if (!(flags & kFixed)) {
      dst = find_free(new_len, new_addr);  // MREMAP_DONTUNMAP alone: new_addr is a hint
      if (!dst) return -ENOMEM;
    }
    return move_mapping(old_addr, old_len, new_len, flags & kDontUnmap, dst);
  }
  if (new_len == old_len) return int64_t(old_addr);
  if (new_len < old_len) {
    unmap_locked(old_addr + new_len, old_len - new_len);
    return int64_t(old_addr);
  }
  // Grow in place when the range ends where its mapping ends and the pages after it are free.
  const uint64_t tail = old_addr + old_len, grow = new_len - old_len;
  if (tail == vma_end(old_addr) && in_range(tail, grow) && range_free(tail, grow)) {
    unprotect_code_range(old_addr, old_len);  // one host VMA, ending at tail
    // Host mremap grows in place only into unmapped host space: drop that part of the reservation.
    ::munmap(base_ + tail, grow);
    void* p = ::mremap(base_ + old_addr, old_len, new_len, 0);
    if (p != MAP_FAILED) {
      set_flags(tail, grow, page_flags(old_addr));
      if (info) {
        MapInfo more = *info;
        if (more.inode) more.offset += old_len;
        info_insert(tail, grow, more);
      }
      return int64_t(old_addr);
    }
    reserve_again(tail, grow);
  }
  if (!(flags & kMayMove)) return -ENOMEM;
  const uint64_t dst = find_free(new_len, 0);
  if (!dst) return -ENOMEM;
  return move_mapping(old_addr, old_len, new_len, false, dst);
}

int64_t GuestMemory::move_mapping(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool dont_unmap,
                                  uint64_t dst) {
  const uint8_t fl = page_flags(old_addr) & ~PageFlag::kCodeProtected;
  std::optional<MapInfo> moved = info_at(old_addr);
  unprotect_code_range(old_addr, old_len);  // the host moves one VMA
  invalidate(old_addr, old_len);
  invalidate(dst, new_len);
  const int hflags = MREMAP_MAYMOVE | MREMAP_FIXED | (dont_unmap ? MREMAP_DONTUNMAP : 0);
  void* p = ::mremap(base_ + old_addr, old_len, new_len, hflags, base_ + dst);
  if (p == MAP_FAILED) {
    const int e = errno;
    if (range_free(dst, new_len)) reserve_again(dst, new_len);
    return -e;
  }
  if (!dont_unmap && old_len) {
    reserve_again(old_addr, old_len);
    set_flags(old_addr, old_len, 0);
    info_erase(old_addr, old_len);
    std::erase_if(shm_attached_, [&](const auto& e) { return e.first >= old_addr && e.first < old_addr + old_len; });
  } else if (dont_unmap && moved && (moved->vm & VmFlag::kLocked)) {
    update_vm(old_addr, old_len, 0, VmFlag::kLocked);  // the pages left behind are not locked
  }
  set_flags(dst, new_len, fl);
  info_erase(dst, new_len);
  if (moved && !moved->plain()) info_insert(dst, new_len, *moved);
  return int64_t(dst);
}

int64_t GuestMemory::madvise(uint64_t addr, uint64_t len, int advice) {
  std::lock_guard lock(mutex_);
  // Advice values are asm-generic on both sides: the host kernel says which ones are valid (a
  // zero-length call checks nothing else), before the range is looked at, as in Linux.
  if (::madvise(base_, 0, advice) != 0) return -errno;
  if (addr & (kPageSize - 1)) return -EINVAL;
  const uint64_t plen = page_up(len), end = addr + plen;
  if (len && !plen) return -EINVAL;
  if (end < addr) return -EINVAL;
  if (end == addr) return 0;
  uint8_t set = 0, clear = 0;
  switch (advice) {
    case MADV_NORMAL: clear = VmFlag::kSeqRead | VmFlag::kRandRead; break;
    case MADV_RANDOM: set = VmFlag::kRandRead, clear = VmFlag::kSeqRead; break;
    case MADV_SEQUENTIAL: set = VmFlag::kSeqRead, clear = VmFlag::kRandRead; break;
    case MADV_DONTFORK: set = VmFlag::kDontFork; break;
    case MADV_DOFORK: clear = VmFlag::kDontFork; break;
    case MADV_WIPEONFORK: set = VmFlag::kWipeOnFork; break;
    case MADV_KEEPONFORK: clear = VmFlag::kWipeOnFork; break;
    case MADV_DONTDUMP: set = VmFlag::kDontDump; break;
    case MADV_DODUMP: clear = VmFlag::kDontDump; break;
    case MADV_HUGEPAGE: set = VmFlag::kHugePage, clear = VmFlag::kNoHugePage; break;
    case MADV_NOHUGEPAGE: set = VmFlag::kNoHugePage, clear = VmFlag::kHugePage; break;
    default: break;
  }
  const bool drops =
      advice == MADV_DONTNEED || advice == MADV_REMOVE || advice == MADV_FREE || advice == 4 /*MADV_DONTNEED_LOCKED*/;
  // Each mapping in turn; a hole is ENOMEM after the walk, the mappings around it advised.
  return for_each_mapped(addr, end, false, [&](uint64_t s, uint64_t e) -> int64_t {
    if (drops) invalidate(s, e - s);  // the contents may change (a private file page comes back)
    if (::madvise(base_ + s, e - s, advice) != 0) return -errno;
    if (set || clear) update_vm(s, e - s, set, clear);
    return 0;
  });
}

int64_t GuestMemory::msync(uint64_t addr, uint64_t len, int flags) {
  std::lock_guard lock(mutex_);
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if (addr & (kPageSize - 1)) return -EINVAL;
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return -EINVAL;
  const uint64_t end = addr + page_up(len);
  if (end < addr) return -ENOMEM;
  if (end == addr) return 0;
  return for_each_mapped(addr, end, false, [&](uint64_t s, uint64_t e) -> int64_t {
    return ::msync(base_ + s, e - s, flags) != 0 ? -errno : 0;
  });
}

int64_t GuestMemory::mlock(uint64_t addr, uint64_t len, bool lock_pages, int mlock2_flags) {
  std::lock_guard lock(mutex_);
  if (mlock2_flags & ~MLOCK_ONFAULT) return -EINVAL;
  len = page_up(len + (addr & (kPageSize - 1)));
  addr = page_down(addr);
  const uint64_t end = addr + len;
  if (end < addr) return -EINVAL;
  if (end == addr) return 0;
  if (!(page_flags(addr) & PageFlag::kValid)) return -ENOMEM;
  return for_each_mapped(addr, end, true, [&](uint64_t s, uint64_t e) -> int64_t {
    int r = lock_pages ? int(syscall(SYS_mlock2, base_ + s, e - s, mlock2_flags)) : ::munlock(base_ + s, e - s);
    if (r != 0) return -errno;
    update_vm(s, e - s, lock_pages ? VmFlag::kLocked : 0, lock_pages ? 0 : VmFlag::kLocked);
    return 0;
  });
}

void GuestMemory::child_drop_dontfork() {
  std::vector<std::pair<uint64_t, uint64_t>> drop;
  for (const auto& [start, r] : info_)
    if (r.info.vm & VmFlag::kDontFork) drop.emplace_back(start, r.end - start);
  for (auto [start, len] : drop) {
    reserve_again(start, len);  // before anything of mimic's own can be mapped into the hole
    if (any_exec(start, len)) dropped_after_fork_.emplace_back(start, len);
    set_flags(start, len, 0);
    info_erase(start, len);
  }
}

void GuestMemory::child_invalidate_dropped() {
  std::lock_guard lock(mutex_);
  if (invalidate_)
    for (auto [start, len] : dropped_after_fork_) invalidate_(start, start + len);
  dropped_after_fork_.clear();
}

void GuestMemory::init_brk(uint64_t start) {
  std::lock_guard lock(mutex_);
  brk_start_ = brk_cur_ = brk_mapped_end_ = page_up(start);
}

uint64_t GuestMemory::brk(uint64_t new_brk) {
  std::lock_guard lock(mutex_);
  if (new_brk < brk_start_ || new_brk > size_) return brk_cur_;
  uint64_t new_end = page_up(new_brk);
  if (new_end > brk_mapped_end_) {
    uint64_t grow = new_end - brk_mapped_end_;
    // Linux keeps a free page between the heap and the next mapping above it.
    if (!range_free(brk_mapped_end_, grow + kPageSize)) return brk_cur_;
    if (!map_fixed_anon(brk_mapped_end_, grow, GuestProt::kRead | GuestProt::kWrite)) return brk_cur_;
  } else if (new_end < brk_mapped_end_) {
    munmap(new_end, brk_mapped_end_ - new_end);
  }
  brk_mapped_end_ = new_end;
  brk_cur_ = new_brk;
  return brk_cur_;
}

uint64_t GuestMemory::mapped_bytes() const {
  std::lock_guard lock(mutex_);
  uint64_t total = 0;
  auto valid = [](uint8_t f) { return (f & PageFlag::kValid) != 0; };
  for (uint64_t p = scan(0, size_, [&](uint8_t f) { return !valid(f); }); p < size_;) {
    const uint64_t q = scan(p, size_, valid);
    total += q - p;
    p = scan(q, size_, [&](uint8_t f) { return !valid(f); });
  }
  return total;
}

std::string GuestMemory::maps_text() const {
  std::lock_guard lock(mutex_);
  std::string out;
  auto emit = [&](uint64_t start, uint64_t end, uint8_t flags, std::optional<MapInfo> info) {
    MapInfo mi = info.value_or(MapInfo{});  // info_at already moved a file offset to `start`
    // Linux's vma_is_initial_heap(): anonymous memory overlapping [start_brk, brk).
    if (mi.name.empty() && !mi.inode && start < brk_cur_ && end > brk_start_) mi.name = "[heap]";
    // Linux's show_map_vma(): the name starts in column 73 (64-bit), an anonymous line ends in "0 ".
    const size_t line_start = out.size();
    out += fmt::format("{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ", start, end,
                       (flags & PageFlag::kRead) ? 'r' : '-', (flags & PageFlag::kWrite) ? 'w' : '-',
                       (flags & PageFlag::kExec) ? 'x' : '-', mi.shared ? 's' : 'p', mi.offset, major(mi.dev),
                       minor(mi.dev), mi.inode);
    if (!mi.name.empty()) {
      if (out.size() - line_start < 73) out.append(73 - (out.size() - line_start), ' ');
      out += mi.name;
    }
    out += '\n';
  };
  // One line per run of pages with the same flags inside one description (or outside all).
  for (uint64_t p = 0; p < size_;) {
    const uint8_t f = page_flags(p) & ~PageFlag::kCodeProtected;
    const uint64_t run_end =
        scan(p + kPageSize, size_, [&](uint8_t g) { return (g & ~PageFlag::kCodeProtected) == f; });
    if (!f) {
      p = run_end;
      continue;
    }
    const uint64_t end = std::min(run_end, info_boundary(p));
    emit(p, end, f, info_at(p));
    p = end;
  }
  return out;
}

}  // namespace mimic::linux_user
