// SoftMmu and CodePages: TLB fill, the slow path of guest memory accesses, code-page tracking.
#include "tcg/exec/softmmu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "tcg/exec/exec.h"
#include "tcg/ir/types.h"

namespace mimic::tcg {

// ---------------------------------------------------------------------------------------------
// CodePages

void CodePages::Map::add(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  const uint64_t first = offset >> kGranuleBits, last = (offset + len - 1) >> kGranuleBits;
  for (uint64_t g = first; g <= last && g < kMapWords * 64; ++g) bits[g / 64] |= uint64_t(1) << (g % 64);
}

bool CodePages::Map::overlaps(uint64_t offset, uint64_t len) const {
  if (len == 0) return false;
  const uint64_t first = offset >> kGranuleBits, last = (offset + len - 1) >> kGranuleBits;
  for (uint64_t g = first; g <= last && g < kMapWords * 64; ++g)
    if (bits[g / 64] & (uint64_t(1) << (g % 64))) return true;
  return false;
}

bool CodePages::Map::empty() const {
  for (uint64_t w : bits)
    if (w) return false;
  return true;
}

bool CodePages::is_code(uint64_t phys_page) const {
  if (exact(phys_page)) return hint(phys_page);
  if (!high_marked_.load(std::memory_order_relaxed)) return false;
  std::lock_guard lock(mutex_);
  return pages_.count(phys_page) != 0;
}

void CodePages::set_hint_locked(uint64_t phys_page, bool on) {
  if (!exact(phys_page)) {
    if (on) high_marked_.store(true, std::memory_order_relaxed);
    return;
  }
  const uint64_t n = phys_page >> kPageBits;
  const uint64_t bit = uint64_t(1) << (n % 64);
  if (on) {
    hint_[n / 64].fetch_or(bit, std::memory_order_relaxed);
  } else {
    hint_[n / 64].fetch_and(~bit, std::memory_order_relaxed);
  }
}

void CodePages::mark(uint64_t phys_page) {
  std::vector<SoftMmu*> mmus;
  {
    std::lock_guard lock(mutex_);
    set_hint_locked(phys_page, true);
    auto [it, inserted] = pages_.try_emplace(phys_page);
    it->second.translating = true;
    if (!inserted) return;  // already write-protected in every TLB
    mmus = mmus_;
  }
  // Pairs with the re-check in SoftMmu::fill: either the filler sees the mark, or we see its entry.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (SoftMmu* m : mmus) m->protect_code_page(phys_page);
}

void CodePages::add_code(uint64_t phys, uint64_t len) {
  std::lock_guard lock(mutex_);
  auto it = pages_.find(phys & kPageMask);
  if (it == pages_.end()) return;  // dropped by a write meanwhile: the block went with it
  it->second.map.add(phys & ~kPageMask, len);
  it->second.translating = false;
}

void CodePages::set_code(uint64_t phys_page, const Map& map) {
  std::lock_guard lock(mutex_);
  auto it = pages_.find(phys_page);
  if (it == pages_.end()) return;
  if (map.empty()) {
    pages_.erase(it);  // no code left: writes may take the fast path again (store_page re-checks)
    set_hint_locked(phys_page, false);
    return;
  }
  it->second.map = map;
  it->second.translating = false;
}

CodePages::Write CodePages::notify_write(uint64_t phys, uint64_t len) {
  if (len == 0) return Write::kNoCode;
  const uint64_t end = phys + len;
  const uint64_t first = phys & kPageMask, last = (end - 1) & kPageMask;
  Write result = Write::kNoCode;
  for (uint64_t page = first;; page += kPageSize) {
    const uint64_t lo = std::max(phys, page), hi = std::min(end, page + kPageSize);
    bool hit = false;
    if (maybe_code(page)) {
      std::lock_guard lock(mutex_);
      auto it = pages_.find(page);
      if (it != pages_.end()) {
        hit = it->second.translating || it->second.map.overlaps(lo - page, hi - lo);
        if (!hit && result == Write::kNoCode) result = Write::kBesideCode;
      }
    }
    // The engine drops the blocks overlapping [lo, hi) and records what is left (set_code).
    if (hit) {
      invalidate_(lo, hi);
      result = Write::kDroppedCode;
    }
    if (page == last) break;
  }
  return result;
}

void CodePages::add_mmu(SoftMmu* mmu) {
  std::lock_guard lock(mutex_);
  mmus_.push_back(mmu);
}

void CodePages::remove_mmu(SoftMmu* mmu) {
  std::lock_guard lock(mutex_);
  std::erase(mmus_, mmu);
}

void CodePages::clear() {
  std::lock_guard lock(mutex_);
  pages_.clear();
  for (auto& w : hint_) w.store(0, std::memory_order_relaxed);
  high_marked_.store(false, std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// SoftMmu

namespace {
constexpr size_t kEntries = size_t(kMaxMmuModes) * kTlbSize;
static_assert(kEntries <= 65536, "filled_ holds entry indices in 16 bits");
// The table's entries and then the victim entries (mode m's from kEntries + m * kTlbVictims).
constexpr size_t kAllEntries = kEntries + size_t(kMaxMmuModes) * kTlbVictims;
constexpr size_t victim_index(unsigned mmu_idx, unsigned v) { return kEntries + mmu_idx * kTlbVictims + v; }

// Empties an entry's three tags (other vCPUs' flushes and probes read them concurrently).
void empty_tags(TlbEntry& e) {
  __atomic_store_n(&e.addr_read, TlbEntry::kTlbEmpty, __ATOMIC_RELAXED);
  __atomic_store_n(&e.addr_write, TlbEntry::kTlbEmpty, __ATOMIC_RELAXED);
  __atomic_store_n(&e.addr_code, TlbEntry::kTlbEmpty, __ATOMIC_RELAXED);
}

// The page an entry maps (from its first field in use), or kTlbEmpty.
uint64_t entry_page(const TlbEntry& e) {
  const uint64_t f = e.addr_read != TlbEntry::kTlbEmpty    ? e.addr_read
                     : e.addr_write != TlbEntry::kTlbEmpty ? e.addr_write
                                                           : e.addr_code;
  return f == TlbEntry::kTlbEmpty ? f : f & kPageMask;
}

uint64_t load_host(const uint8_t* p, unsigned size) {
  switch (size) {
    case 1: return *p;
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

void store_host(uint8_t* p, unsigned size, uint64_t v) {
  switch (size) {
    case 1: *p = uint8_t(v); break;
    case 2: {
      uint16_t x = uint16_t(v);
      std::memcpy(p, &x, 2);
      break;
    }
    case 4: {
      uint32_t x = uint32_t(v);
      std::memcpy(p, &x, 4);
      break;
    }
    default: std::memcpy(p, &v, 8); break;
  }
}

bool tag_matches(uint64_t field, uint64_t vaddr) {
  return (field & ~uint64_t(TlbFlag::kMmio | TlbFlag::kNotDirty | TlbFlag::kWatch)) == (vaddr & kPageMask);
}
}  // namespace

bool Watchpoints::on_page(uint64_t vpage) const {
  for (const Point& p : points)
    if (p.addr < vpage + kPageSize && vpage < p.addr + p.len) return true;
  return false;
}

const Watchpoints::Point* Watchpoints::hit(uint64_t vaddr, unsigned size, bool write) const {
  for (const Point& p : points) {
    const bool kind = p.type == kAccess || (p.type == kWrite) == write;
    if (kind && p.addr < vaddr + size && vaddr < p.addr + p.len) return &p;
  }
  return nullptr;
}

void SoftMmu::set_watchpoints(const Watchpoints* w) {
  watchpoints_ = w && !w->points.empty() ? w : nullptr;
  watch_hit_.reset();
  flush();
}

void SoftMmu::check_watch(uint64_t vaddr, unsigned size, bool write, uint64_t guest_pc) {
  if (!watchpoints_ || watch_suppressed_) return;
  if (const Watchpoints::Point* p = watchpoints_->hit(vaddr, size, write)) {
    watch_hit_ = WatchHit{p->addr, p->type, std::max(vaddr, p->addr)};
    env_->pc = guest_pc;
    cpu_loop_exit(env_, kExitDebug);
  }
}

SoftMmu::SoftMmu(CpuBase* env, PhysMemory& phys, MmuTarget& target, CodePages& code_pages)
    : env_(env),
      phys_(phys),
      target_(target),
      code_pages_(code_pages),
      tlb_(std::make_unique<SoftTlb>()),
      phys_page_(new uint64_t[kAllEntries]()),
      global_(new bool[kAllEntries]()),
      page_bits_(new uint8_t[kAllEntries]()),
      in_filled_(new bool[kEntries]()) {
  filled_.reserve(kMaxFilled);
  env_->softmmu = this;
  env_->tlb = tlb_.get();
  code_pages_.add_mmu(this);
}

const TlbEntry& SoftMmu::entry(size_t i) const {
  if (i < kEntries) return tlb_->table[i / kTlbSize][i % kTlbSize];
  i -= kEntries;
  return victims_[i / kTlbVictims][i % kTlbVictims];
}

void SoftMmu::clear_entry(size_t i) { empty_tags(entry(i)); }

void SoftMmu::flush() {
  if (filled_overflow_) {
    for (size_t i = 0; i < kEntries; ++i) clear_entry(i);
    std::fill_n(in_filled_.get(), kEntries, false);
  } else {
    for (uint16_t i : filled_) {
      clear_entry(i);
      in_filled_[i] = false;
    }
  }
  filled_.clear();
  filled_overflow_ = false;
  for (size_t i = kEntries; i < kAllEntries; ++i) clear_entry(i);
  code_vpages_.clear();
  n_large_ = 0;
  if (on_flush_) on_flush_(kFlushAll);
}

void SoftMmu::flush_nonglobal() {
  if (filled_overflow_) {
    for (size_t i = 0; i < kEntries; ++i)
      if (!global_[i]) clear_entry(i);
  } else {
    // Only filled entries can hold a translation; the global ones stay filled.
    std::erase_if(filled_, [&](uint16_t i) {
      if (global_[i]) return false;
      clear_entry(i);
      in_filled_[i] = false;
      return true;
    });
  }
  for (size_t i = kEntries; i < kAllEntries; ++i)
    if (!global_[i]) clear_entry(i);
  // The jump caches do not know which blocks came from global pages: all go (the pages are
  // recorded again as code is looked up).
  code_vpages_.clear();
  if (on_flush_) on_flush_(kFlushAll);
}

namespace {
// The smallest naturally aligned range holding both (`mask` is the wider's alignment or less).
uint64_t covering_mask(uint64_t a, uint64_t b, uint64_t mask) {
  while (mask && ((a ^ b) & mask)) mask <<= 1;
  return mask;
}
}  // namespace

void SoftMmu::record_large_page(uint64_t vaddr, unsigned page_bits) {
  const uint64_t mask = page_bits >= 64 ? 0 : ~((uint64_t(1) << page_bits) - 1);
  for (unsigned i = 0; i < n_large_; ++i)
    if (large_[i].holds(vaddr) && (large_[i].mask & ~mask) == 0) return;  // already covered
  if (n_large_ < kMaxLarge) {
    large_[n_large_++] = LargeRange{vaddr & mask, mask};
    return;
  }
  // Full: of the recorded ranges and this mapping, merge the two whose covering range is
  // smallest. Widening a range toward a far mapping instead (arm64: the kernel image's blocks and
  // vmemmap's) made one range cover the fixmap, and every TLBI of a text-patching page scanned.
  LargeRange all[kMaxLarge + 1];
  std::copy(large_, large_ + kMaxLarge, all);
  all[kMaxLarge] = LargeRange{vaddr & mask, mask};
  unsigned bi = 0, bj = 1;
  uint64_t best_mask = 0;
  for (unsigned i = 0; i <= kMaxLarge; ++i)
    for (unsigned j = i + 1; j <= kMaxLarge; ++j) {
      const uint64_t m = covering_mask(all[i].addr, all[j].addr, all[i].mask & all[j].mask);
      if ((i == 0 && j == 1) || m > best_mask) bi = i, bj = j, best_mask = m;  // a larger mask: a smaller range
    }
  all[bi] = LargeRange{all[bi].addr & best_mask, best_mask};
  all[bj] = all[kMaxLarge];
  std::copy(all, all + kMaxLarge, large_);
}

void SoftMmu::drop_superpage_pieces(uint64_t vaddr) {
  // The entries filled from the mapping holding vaddr: their page_bits say how far it reaches.
  auto piece = [&](size_t i) {
    const unsigned bits = page_bits_[i];
    if (bits <= kPageBits) return false;
    const uint64_t f = entry_page(entry(i));
    if (f == TlbEntry::kTlbEmpty) return false;
    const uint64_t mask = bits >= 64 ? 0 : ~((uint64_t(1) << bits) - 1);
    if ((f & mask) != (vaddr & mask)) return false;
    clear_entry(i);
    // The jump cache is keyed by virtual pc: code fetched from this piece goes from it.
    const uint64_t vpage = f & kPageMask;
    if (code_vpages_.erase(vpage) && on_flush_) on_flush_(vpage);
    return true;
  };
  for (size_t i = kEntries; i < kAllEntries; ++i) piece(i);
  if (filled_overflow_) {
    for (size_t i = 0; i < kEntries; ++i) piece(i);
    return;
  }
  std::erase_if(filled_, [&](uint16_t i) {
    if (!piece(i)) return false;
    in_filled_[i] = false;
    return true;
  });
}

bool SoftMmu::flush_scans_superpages(uint64_t vaddr) const {
  for (unsigned i = 0; i < n_large_; ++i)
    if (large_[i].holds(vaddr)) return true;
  return false;
}

void SoftMmu::flush_page(uint64_t vaddr) {
  // Inside a superpage: its other 4 KiB pieces may be anywhere in the TLB.
  if (flush_scans_superpages(vaddr)) drop_superpage_pieces(vaddr);
  const uint64_t page = vaddr & kPageMask;
  const size_t idx = SoftTlb::index(vaddr);
  auto drop = [page](TlbEntry& e) {
    if (tag_matches(e.addr_read, page) || tag_matches(e.addr_write, page) || tag_matches(e.addr_code, page) ||
        (e.addr_read & kPageMask) == page || (e.addr_write & kPageMask) == page || (e.addr_code & kPageMask) == page)
      empty_tags(e);
  };
  for (auto& table : tlb_->table) drop(table[idx]);
  for (auto& mode : victims_)
    for (TlbEntry& e : mode) drop(e);
  if (code_vpages_.erase(page) && on_flush_) on_flush_(page);
}

void SoftMmu::protect_code_page(uint64_t phys_page) {
  // Runs on the thread that translated, while the owner may refill or flush the same entry: a
  // compare-and-swap so that a flag set here never lands on an entry that changed since it was
  // read (a plain store could revive a flushed tag, or pair this tag with a new addend: writes
  // then reach the wrong host page). A refill re-checks is_code itself (install).
  for (size_t i = 0; i < kAllEntries; ++i) {
    if (__atomic_load_n(&phys_page_[i], __ATOMIC_RELAXED) != phys_page) continue;
    TlbEntry& e = entry(i);
    uint64_t w = __atomic_load_n(&e.addr_write, __ATOMIC_ACQUIRE);
    if (w == TlbEntry::kTlbEmpty || (w & (TlbFlag::kInvalid | TlbFlag::kNotDirty))) continue;
    if (__atomic_load_n(&phys_page_[i], __ATOMIC_ACQUIRE) != phys_page) continue;  // refilled meanwhile
    __atomic_compare_exchange_n(&e.addr_write, &w, w | TlbFlag::kNotDirty, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
  }
}

[[noreturn]] void SoftMmu::fault(uint64_t guest_pc) {
  env_->pc = guest_pc;
  cpu_loop_exit(env_, kExitMemFault);
}

TlbEntry& SoftMmu::fill(uint64_t vaddr, Access access, unsigned mmu_idx, uint64_t guest_pc, unsigned size) {
  if (victim_hit(vaddr, access, mmu_idx)) return tlb_->table[mmu_idx][SoftTlb::index(vaddr)];
  TlbFill f;
  f.size = size;
  if (!target_.tlb_fill(env_, vaddr, access, mmu_idx, false, &f)) fault(guest_pc);
  return install(vaddr, mmu_idx, f);
}

void SoftMmu::publish(size_t i, const TlbEntry& e, uint64_t phys) {
  TlbEntry& slot = entry(i);
  // Invalidate the tags first so generated code never pairs a new tag with an old addend.
  empty_tags(slot);
  slot.addend = e.addend;
  __atomic_store_n(&phys_page_[i], phys, __ATOMIC_RELAXED);
  // Release: the addend and physical page above are in place before a thread sees the tags.
  __atomic_store_n(&slot.addr_code, e.addr_code, __ATOMIC_RELEASE);
  __atomic_store_n(&slot.addr_read, e.addr_read, __ATOMIC_RELEASE);
  __atomic_store_n(&slot.addr_write, e.addr_write, __ATOMIC_RELEASE);
  // Pairs with CodePages::mark: either its protect_code_page sees this entry, or we see the mark.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!(e.addr_write & (TlbFlag::kMmio | TlbFlag::kNotDirty)) && e.addr_write != TlbEntry::kTlbEmpty &&
      code_pages_.is_code(phys))
    __atomic_store_n(&slot.addr_write, e.addr_write | TlbFlag::kNotDirty, __ATOMIC_RELAXED);
}

bool SoftMmu::victim_hit(uint64_t vaddr, Access access, unsigned mmu_idx) {
  for (unsigned v = 0; v < kTlbVictims; ++v) {
    const TlbEntry& e = victims_[mmu_idx][v];
    const uint64_t field = access == Access::Read ? e.addr_read : access == Access::Write ? e.addr_write : e.addr_code;
    if (!tag_matches(field, vaddr)) continue;
    // Swap it with the table's entry (which may be empty: then the victim slot empties).
    const size_t t = mmu_idx * kTlbSize + SoftTlb::index(vaddr), w = victim_index(mmu_idx, v);
    const TlbEntry table_entry = entry(t), victim = e;
    const uint64_t table_phys = phys_page_[t], victim_phys = phys_page_[w];
    std::swap(global_[t], global_[w]);
    std::swap(page_bits_[t], page_bits_[w]);
    publish(w, table_entry, table_phys);
    publish(t, victim, victim_phys);
    note_filled(t);
    return true;
  }
  return false;
}

void SoftMmu::note_filled(size_t i) {
  if (filled_overflow_ || in_filled_[i]) return;
  if (filled_.size() < kMaxFilled) {
    filled_.push_back(uint16_t(i));
    in_filled_[i] = true;
  } else {
    filled_overflow_ = true;
  }
}

TlbEntry& SoftMmu::install(uint64_t vaddr, unsigned mmu_idx, const TlbFill& f) {
  const uint64_t page = vaddr & kPageMask;
  const size_t idx = SoftTlb::index(vaddr);
  bool writable = false;
  uint8_t* host = phys_.ram_page(f.phys_page, &writable);
  auto field = [&](uint8_t prot_bit) {
    uint64_t v = (f.prot & prot_bit) ? page : page | TlbFlag::kInvalid;
    if (!host) v |= TlbFlag::kMmio;
    return v;
  };
  TlbEntry e;
  e.addr_read = field(Prot::kRead);
  e.addr_write = field(Prot::kWrite);
  e.addr_code = field(Prot::kExec);
  if (f.single_use) {
    // Good for the access that asked (its caller uses the entry once), never for the fast path
    // or a later lookup: a PMP edge inside the page makes every access ask again.
    e.addr_read |= TlbFlag::kInvalid;
    e.addr_write |= TlbFlag::kInvalid;
    e.addr_code |= TlbFlag::kInvalid;
  }
  if (host) {
    e.addend = uintptr_t(host) - page;
    if (!writable) e.addr_write |= TlbFlag::kMmio;  // ROM: writes go to the slow path (dropped)
    if (code_pages_.is_code(f.phys_page)) e.addr_write |= TlbFlag::kNotDirty;
  }
  if (watchpoints_ && watchpoints_->on_page(page)) {
    e.addr_read |= TlbFlag::kWatch;
    e.addr_write |= TlbFlag::kWatch;
  }
  if (f.page_bits > kPageBits) record_large_page(vaddr, f.page_bits);
  const size_t i = mmu_idx * kTlbSize + idx;
  // The entry this fill displaces becomes a victim (unless it maps this page: its rights are
  // being replaced); an older victim of this page goes, so that a page has one entry at most.
  for (unsigned v = 0; v < kTlbVictims; ++v)
    if (entry_page(victims_[mmu_idx][v]) == page) clear_entry(victim_index(mmu_idx, v));
  const TlbEntry& old = tlb_->table[mmu_idx][idx];
  if (const uint64_t old_page = entry_page(old); old_page != TlbEntry::kTlbEmpty && old_page != page) {
    const size_t w = victim_index(mmu_idx, next_victim_[mmu_idx]);
    next_victim_[mmu_idx] = (next_victim_[mmu_idx] + 1) % kTlbVictims;
    global_[w] = global_[i];
    page_bits_[w] = page_bits_[i];
    publish(w, old, phys_page_[i]);
  }
  global_[i] = f.global;
  page_bits_[i] = uint8_t(f.page_bits);
  note_filled(i);
  publish(i, e, f.phys_page);
  return tlb_->table[mmu_idx][idx];
}

uint64_t SoftMmu::load_page(uint64_t vaddr, unsigned size, unsigned mmu_idx, uint64_t guest_pc) {
  TlbEntry* e = &tlb_->table[mmu_idx][SoftTlb::index(vaddr)];
  if (!tag_matches(e->addr_read, vaddr)) e = &fill(vaddr, Access::Read, mmu_idx, guest_pc, size);
  if (e->addr_read & TlbFlag::kMmio) {
    const uint64_t phys = phys_page_[mmu_idx * kTlbSize + SoftTlb::index(vaddr)] | (vaddr & ~kPageMask);
    uint64_t v = 0;
    if (!phys_.io_read(phys, size, &v)) {
      target_.access_fault(env_, vaddr, Access::Read, mmu_idx);
      fault(guest_pc);
    }
    return v;
  }
  return load_host(reinterpret_cast<const uint8_t*>(e->addend + vaddr), size);
}

void SoftMmu::store_page(uint64_t vaddr, unsigned size, uint64_t value, unsigned mmu_idx, uint64_t guest_pc) {
  const size_t idx = SoftTlb::index(vaddr);
  TlbEntry* e = &tlb_->table[mmu_idx][idx];
  if (!tag_matches(e->addr_write, vaddr)) e = &fill(vaddr, Access::Write, mmu_idx, guest_pc, size);
  const uint64_t phys = phys_page_[mmu_idx * kTlbSize + idx] | (vaddr & ~kPageMask);
  if (e->addr_write & TlbFlag::kMmio) {
    bool writable = false;
    if (phys_.ram_page(phys & kPageMask, &writable)) return;  // ROM: the write is dropped, as on the bus
    if (!phys_.io_write(phys, size, value)) {
      target_.access_fault(env_, vaddr, Access::Write, mmu_idx);
      fault(guest_pc);
    }
    return;
  }
  // A write beside the page's code drops nothing, and the entry keeps its flag (one cheap check
  // per store, as QEMU's notdirty writes).
  if ((e->addr_write & TlbFlag::kNotDirty) && code_pages_.notify_write(phys, size) != CodePages::Write::kBesideCode) {
    // No code is left on the page, maybe: later writes may take the fast path again. Cleared only
    // after the fence and check below, so that a translation marking the page again meanwhile
    // either sees this entry (and sets the flag back) or is seen here.
    uint64_t w = __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED);
    __atomic_store_n(&e->addr_write, w & ~uint64_t(TlbFlag::kNotDirty), __ATOMIC_RELAXED);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (code_pages_.is_code(phys & kPageMask)) __atomic_store_n(&e->addr_write, w, __ATOMIC_RELAXED);
  }
  store_host(reinterpret_cast<uint8_t*>(e->addend + vaddr), size, value);
}

uint64_t SoftMmu::load(uint64_t vaddr, unsigned size, unsigned mmu_idx, uint64_t guest_pc) {
  check_watch(vaddr, size, false, guest_pc);
  if (((vaddr + size - 1) & kPageMask) == (vaddr & kPageMask)) return load_page(vaddr, size, mmu_idx, guest_pc);
  // Crossing a page: byte by byte, each byte through its own page's translation.
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= load_page(vaddr + i, 1, mmu_idx, guest_pc) << (8 * i);
  return v;
}

void SoftMmu::store(uint64_t vaddr, unsigned size, uint64_t value, unsigned mmu_idx, uint64_t guest_pc) {
  check_watch(vaddr, size, true, guest_pc);
  if (((vaddr + size - 1) & kPageMask) == (vaddr & kPageMask)) return store_page(vaddr, size, value, mmu_idx, guest_pc);
  // Both pages must be writable before any byte lands (a fault leaves memory unchanged).
  const uint64_t second = (vaddr + size - 1) & kPageMask;
  for (uint64_t a : {vaddr, second}) {
    TlbEntry* e = &tlb_->table[mmu_idx][SoftTlb::index(a)];
    if (!tag_matches(e->addr_write, a)) fill(a, Access::Write, mmu_idx, guest_pc, 1);
  }
  for (unsigned i = 0; i < size; ++i) store_page(vaddr + i, 1, value >> (8 * i), mmu_idx, guest_pc);
}

uint8_t* SoftMmu::atomic_ptr(uint64_t vaddr, unsigned size, unsigned mmu_idx, uint64_t guest_pc) {
  check_watch(vaddr, size, false, guest_pc);  // an atomic reads and writes
  check_watch(vaddr, size, true, guest_pc);
  const size_t idx = SoftTlb::index(vaddr);
  TlbEntry* e = &tlb_->table[mmu_idx][idx];
  if (!tag_matches(e->addr_write, vaddr)) e = &fill(vaddr, Access::Write, mmu_idx, guest_pc, size);
  // An atomic must also be allowed to read.
  if (!tag_matches(e->addr_read, vaddr) || (e->addr_read & TlbFlag::kInvalid)) {
    fill(vaddr, Access::Read, mmu_idx, guest_pc, size);
    e = &tlb_->table[mmu_idx][idx];
  }
  const uint64_t phys = phys_page_[mmu_idx * kTlbSize + idx] | (vaddr & ~kPageMask);
  if (e->addr_write & TlbFlag::kMmio) {
    target_.access_fault(env_, vaddr, Access::Write, mmu_idx);
    fault(guest_pc);
  }
  if (e->addr_write & TlbFlag::kNotDirty) code_pages_.notify_write(phys, size);
  return reinterpret_cast<uint8_t*>(e->addend + vaddr);
}

bool SoftMmu::code_phys(uint64_t vaddr, unsigned mmu_idx, uint64_t* phys) {
  const size_t idx = SoftTlb::index(vaddr);
  TlbEntry& e = tlb_->table[mmu_idx][idx];
  if (tag_matches(e.addr_code, vaddr) || victim_hit(vaddr, Access::Fetch, mmu_idx)) {  // kInvalid never matches
    code_vpages_.insert(vaddr & kPageMask);
    *phys = phys_page_[mmu_idx * kTlbSize + idx] | (vaddr & ~kPageMask);
    return true;
  }
  TlbFill f;
  if (!target_.tlb_fill(env_, vaddr, Access::Fetch, mmu_idx, true, &f) || !(f.prot & Prot::kExec)) return false;
  bool writable;
  if (!phys_.ram_page(f.phys_page, &writable)) return false;  // code runs only from RAM/ROM
  install(vaddr, mmu_idx, f);                                 // the next lookup of this page needs no walk
  code_vpages_.insert(vaddr & kPageMask);
  *phys = f.phys_page | (vaddr & ~kPageMask);
  return true;
}

const uint8_t* SoftMmu::code_host_page(uint64_t phys_page) {
  bool writable;
  return phys_.ram_page(phys_page & kPageMask, &writable);
}

std::string SoftMmu::dump(std::span<const char* const> mode_names) const {
  std::string out;
  for (unsigned m = 0; m < kMaxMmuModes; ++m) {
    for (unsigned i = 0; i < kTlbSize + kTlbVictims; ++i) {  // the mode's table, then its victims
      const size_t n = i < kTlbSize ? m * kTlbSize + i : victim_index(m, i - kTlbSize);
      const TlbEntry& e = entry(n);
      auto show = [](uint64_t f, char c) { return f == TlbEntry::kTlbEmpty || (f & TlbFlag::kInvalid) ? '-' : c; };
      uint64_t tag = e.addr_read != TlbEntry::kTlbEmpty    ? e.addr_read
                     : e.addr_write != TlbEntry::kTlbEmpty ? e.addr_write
                                                           : e.addr_code;
      if (tag == TlbEntry::kTlbEmpty) continue;
      const std::string mode = m < mode_names.size() ? std::string(mode_names[m]) : fmt::format("mmu{}", m);
      out += fmt::format("{:<9} {:016x} -> {:016x} {}{}{}{}\n", mode, tag & kPageMask, phys_page_[n],
                         show(e.addr_read, 'r'), show(e.addr_write, 'w'), show(e.addr_code, 'x'),
                         (e.addr_read & TlbFlag::kMmio) ? " io" : "");
    }
  }
  return out;
}

bool SoftMmuCodeFetcher::fetch(const CpuBase& env, uint64_t addr, void* buf, unsigned len) const {
  SoftMmu* mmu = env.softmmu;
  const unsigned idx = mmu_index_(env.tb_flags);
  auto* out = static_cast<uint8_t*>(buf);
  while (len) {
    uint64_t phys;
    if (!mmu->code_phys(addr, idx, &phys)) return false;
    const uint8_t* host = mmu->code_host_page(phys);
    if (!host) return false;
    const unsigned n = unsigned(std::min<uint64_t>(len, kPageSize - (addr & ~kPageMask)));
    std::memcpy(out, host + (phys & ~kPageMask), n);
    out += n;
    addr += n;
    len -= n;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The slow-path entry of generated code and the interpreter

namespace {
uint64_t extend(uint64_t v, uint32_t memop) {
  const unsigned bits = 8 * MemOp::size_bytes(memop);
  if (bits >= 64 || !MemOp::is_signed(memop)) return v;
  const unsigned sh = 64 - bits;
  return uint64_t(int64_t(v << sh) >> sh);
}

uint64_t rmw_apply(RmwOp op, uint64_t old, uint64_t val, unsigned size) {
  const unsigned sh = 64 - 8 * size;
  auto sx = [&](uint64_t x) { return size == 8 ? int64_t(x) : int64_t(x << sh) >> sh; };
  auto zx = [&](uint64_t x) { return size == 8 ? x : (x << sh) >> sh; };
  switch (op) {
    case RmwOp::Xchg: return val;
    case RmwOp::Add: return old + val;
    case RmwOp::And: return old & val;
    case RmwOp::Or: return old | val;
    case RmwOp::Xor: return old ^ val;
    case RmwOp::SMin: return sx(old) < sx(val) ? old : val;
    case RmwOp::SMax: return sx(old) > sx(val) ? old : val;
    case RmwOp::UMin: return zx(old) < zx(val) ? old : val;
    case RmwOp::UMax: return zx(old) > zx(val) ? old : val;
  }
  return val;
}

template <typename T>
uint64_t atomic_op(uint8_t* p, SlowOp op, RmwOp rmw, uint64_t a, uint64_t b) {
  T* ptr = reinterpret_cast<T*>(p);
  if (op == SlowOp::Cas) {
    T expected = T(a);
    __atomic_compare_exchange_n(ptr, &expected, T(b), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return uint64_t(expected);
  }
  T old = __atomic_load_n(ptr, __ATOMIC_RELAXED);
  for (;;) {
    T desired = T(rmw_apply(rmw, uint64_t(old), a, sizeof(T)));
    if (__atomic_compare_exchange_n(ptr, &old, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return uint64_t(old);
  }
}
}  // namespace

}  // namespace mimic::tcg

extern "C" void mimic_softmmu_slow(mimic::tcg::CpuBase* env) {
  using namespace mimic::tcg;
  SoftMmu& mmu = *env->softmmu;
  const uint64_t desc = env->mem_args[4];
  const SlowOp op = SlowOp(desc >> 32);
  const uint32_t memop = uint32_t(desc & 0xffffff);
  const RmwOp rmw = RmwOp((desc >> 24) & 0xff);
  const uint64_t addr = env->mem_args[0], pc = env->mem_args[3];
  const unsigned size = MemOp::size_bytes(memop), idx = MemOp::mmu_index(memop);
  switch (op) {
    case SlowOp::Load:
      if (size == 16) {
        // Both halves translated before either is returned (a fault leaves no partial result).
        uint64_t lo = mmu.load(addr, 8, idx, pc), hi = mmu.load(addr + 8, 8, idx, pc);
        env->mem_args[0] = lo;
        env->mem_args[1] = hi;
      } else {
        env->mem_args[0] = extend(mmu.load(addr, size, idx, pc), memop);
      }
      return;
    case SlowOp::Store:
      if (size == 16) {
        mmu.load(addr + 8, 1, idx, pc);  // probe: no half-done store when the second half faults
        mmu.store(addr, 8, env->mem_args[1], idx, pc);
        mmu.store(addr + 8, 8, env->mem_args[2], idx, pc);
      } else {
        mmu.store(addr, size, env->mem_args[1], idx, pc);
      }
      return;
    case SlowOp::Cas:
    case SlowOp::Rmw: {
      uint8_t* p = mmu.atomic_ptr(addr, size, idx, pc);
      uint64_t old = 0;
      switch (size) {
        case 1: old = atomic_op<uint8_t>(p, op, rmw, env->mem_args[1], env->mem_args[2]); break;
        case 2: old = atomic_op<uint16_t>(p, op, rmw, env->mem_args[1], env->mem_args[2]); break;
        case 4: old = atomic_op<uint32_t>(p, op, rmw, env->mem_args[1], env->mem_args[2]); break;
        default: old = atomic_op<uint64_t>(p, op, rmw, env->mem_args[1], env->mem_args[2]); break;
      }
      env->mem_args[0] = extend(old, memop);
      return;
    }
  }
}
