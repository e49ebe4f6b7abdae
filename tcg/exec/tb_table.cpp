// TbTable: lock-free probing for readers, rebuild-and-retire for writers.
#include "tcg/exec/tb_table.h"

namespace mimic::tcg {

namespace {
TranslationBlock* const kTombstone = reinterpret_cast<TranslationBlock*>(uintptr_t(8));
}

TbTable::Array* TbTable::make_array(size_t capacity) {
  auto* a = new Array;
  a->mask = capacity - 1;
  a->slots = new std::atomic<TranslationBlock*>[capacity];
  for (size_t i = 0; i < capacity; ++i) a->slots[i].store(nullptr, std::memory_order_relaxed);
  return a;
}

void TbTable::free_array(Array* a) {
  delete[] a->slots;
  delete a;
}

TbTable::TbTable(size_t initial_capacity) {
  size_t cap = 16;
  while (cap < initial_capacity) cap <<= 1;
  array_.store(make_array(cap), std::memory_order_release);
}

TbTable::~TbTable() {
  for (Array* a : retired_) free_array(a);
  free_array(array_.load(std::memory_order_relaxed));
}

size_t TbTable::hash(uint64_t pc, uint32_t flags) {
  uint64_t h = (pc ^ (uint64_t(flags) << 40)) * 0x9e3779b97f4a7c15ull;
  return size_t(h >> 20);
}

TranslationBlock* TbTable::lookup(uint64_t pc, uint32_t flags, uint64_t phys_page) const {
  const Array* a = array_.load(std::memory_order_acquire);
  for (size_t i = hash(pc, flags);; ++i) {
    TranslationBlock* tb = a->slots[i & a->mask].load(std::memory_order_acquire);
    if (tb == nullptr) return nullptr;
    if (tb != kTombstone && tb->pc == pc && tb->flags == flags && tb->phys_page == phys_page) return tb;
  }
}

void TbTable::rebuild(size_t capacity) {
  Array* old = array_.load(std::memory_order_relaxed);
  Array* a = make_array(capacity);
  for (size_t i = 0; i <= old->mask; ++i) {
    TranslationBlock* tb = old->slots[i].load(std::memory_order_relaxed);
    if (tb == nullptr || tb == kTombstone) continue;
    size_t j = hash(tb->pc, tb->flags);
    while (a->slots[j & a->mask].load(std::memory_order_relaxed) != nullptr) ++j;
    a->slots[j & a->mask].store(tb, std::memory_order_relaxed);
  }
  array_.store(a, std::memory_order_release);
  retired_.push_back(old);  // readers may still be probing it
  used_ = live_;
}

void TbTable::insert(TranslationBlock* tb) {
  Array* a = array_.load(std::memory_order_relaxed);
  size_t cap = a->mask + 1;
  if ((used_ + 1) * 2 > cap) {
    // Grow when live entries dominate; otherwise the same size purges tombstones.
    rebuild((live_ + 1) * 4 > cap ? cap * 2 : cap);
    a = array_.load(std::memory_order_relaxed);
  }
  size_t j = hash(tb->pc, tb->flags);
  while (a->slots[j & a->mask].load(std::memory_order_relaxed) != nullptr) ++j;
  a->slots[j & a->mask].store(tb, std::memory_order_release);
  ++live_;
  ++used_;
}

void TbTable::remove(TranslationBlock* tb) {
  Array* a = array_.load(std::memory_order_relaxed);
  for (size_t i = hash(tb->pc, tb->flags);; ++i) {
    TranslationBlock* cur = a->slots[i & a->mask].load(std::memory_order_relaxed);
    if (cur == nullptr) return;
    if (cur == tb) {
      a->slots[i & a->mask].store(kTombstone, std::memory_order_release);
      --live_;
      return;
    }
  }
}

void TbTable::clear() {
  for (Array* a : retired_) free_array(a);
  retired_.clear();
  Array* a = array_.load(std::memory_order_relaxed);
  for (size_t i = 0; i <= a->mask; ++i) a->slots[i].store(nullptr, std::memory_order_relaxed);
  live_ = used_ = 0;
}

}  // namespace mimic::tcg
