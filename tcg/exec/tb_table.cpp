// TbTable: lock-free probing for readers, rebuild-and-retire for writers.
#include "tcg/exec/tb_table.h"

#include <stdexcept>

namespace mimic::tcg {

namespace {
constexpr uint64_t kTombstone = 8;  // tag 0, never a block's address
constexpr uint64_t kPointerMask = (uint64_t(1) << 48) - 1;
TranslationBlock* block_of(uint64_t slot) { return reinterpret_cast<TranslationBlock*>(slot & kPointerMask); }
}  // namespace

TbTable::Array* TbTable::make_array(size_t capacity) {
  auto* a = new Array;
  a->mask = capacity - 1;
  a->slots = new std::atomic<uint64_t>[capacity];
  for (size_t i = 0; i < capacity; ++i) a->slots[i].store(0, std::memory_order_relaxed);
  return a;
}

void TbTable::free_array(Array* a) {
  delete[] a->slots;
  delete a;
}

TbTable::TbTable(size_t initial_capacity) {
  size_t cap = 16;
  while (cap < initial_capacity) cap <<= 1;
  initial_capacity_ = cap;
  array_.store(make_array(cap), std::memory_order_release);
}

TbTable::~TbTable() {
  for (Array* a : retired_) free_array(a);
  free_array(array_.load(std::memory_order_relaxed));
}

size_t TbTable::hash(uint64_t pc, uint32_t flags, uint64_t phys_page) {
  // System mode: the same pc under many address spaces (one per process) differs by its
  // physical page alone, which spreads those blocks over the table instead of one probe chain.
  uint64_t h = (pc ^ (uint64_t(flags) << 40) ^ (phys_page << 8)) * 0x9e3779b97f4a7c15ull;
  return size_t(h >> 20);
}

TranslationBlock* TbTable::lookup(uint64_t pc, uint32_t flags, uint64_t phys_page) const {
  const Array* a = array_.load(std::memory_order_acquire);
  const uint64_t want = tag(pc);
  for (size_t i = hash(pc, flags, phys_page);; ++i) {
    const uint64_t slot = a->slots[i & a->mask].load(std::memory_order_acquire);
    if (slot == 0) return nullptr;
    if ((slot & ~kPointerMask) != want || slot == kTombstone) continue;  // only this pc's tag is worth a look
    TranslationBlock* tb = block_of(slot);
    if (tb->pc == pc && tb->flags == flags && tb->phys_page == phys_page) return tb;
  }
}

void TbTable::put(Array* a, TranslationBlock* tb) {
  size_t j = hash(tb->pc, tb->flags, tb->phys_page);
  while (a->slots[j & a->mask].load(std::memory_order_relaxed) != 0) ++j;
  a->slots[j & a->mask].store(tag(tb->pc) | reinterpret_cast<uintptr_t>(tb), std::memory_order_release);
}

void TbTable::rebuild(size_t capacity) {
  Array* old = array_.load(std::memory_order_relaxed);
  Array* a = make_array(capacity);
  for (size_t i = 0; i <= old->mask; ++i) {
    const uint64_t slot = old->slots[i].load(std::memory_order_relaxed);
    if (slot != 0 && slot != kTombstone) put(a, block_of(slot));
  }
  array_.store(a, std::memory_order_release);
  retired_.push_back(old);  // readers may still be probing it
  used_ = live_;
}

void TbTable::insert(TranslationBlock* tb) {
  if (reinterpret_cast<uintptr_t>(tb) & ~kPointerMask)
    throw std::logic_error("TbTable: a block's address does not fit in 48 bits");
  Array* a = array_.load(std::memory_order_relaxed);
  size_t cap = a->mask + 1;
  if ((used_ + 1) * 2 > cap) {
    // Grow when live entries dominate; otherwise the same size purges tombstones.
    rebuild((live_ + 1) * 4 > cap ? cap * 2 : cap);
    a = array_.load(std::memory_order_relaxed);
  }
  put(a, tb);
  ++live_;
  ++used_;
}

void TbTable::remove(TranslationBlock* tb) {
  Array* a = array_.load(std::memory_order_relaxed);
  for (size_t i = hash(tb->pc, tb->flags, tb->phys_page);; ++i) {
    const uint64_t slot = a->slots[i & a->mask].load(std::memory_order_relaxed);
    if (slot == 0) return;
    if (slot != kTombstone && block_of(slot) == tb) {
      a->slots[i & a->mask].store(kTombstone, std::memory_order_release);
      --live_;
      return;
    }
  }
}

void TbTable::clear() {
  for (Array* a : retired_) free_array(a);
  retired_.clear();
  // Back to the first size: a table that grew before the flush would spread the few blocks
  // translated after it over megabytes, and most lookups would miss the host's caches.
  Array* a = array_.load(std::memory_order_relaxed);
  if (a->mask + 1 > initial_capacity_) {
    free_array(a);
    array_.store(make_array(initial_capacity_), std::memory_order_release);
  } else {
    for (size_t i = 0; i <= a->mask; ++i) a->slots[i].store(0, std::memory_order_relaxed);
  }
  live_ = used_ = 0;
}

}  // namespace mimic::tcg
