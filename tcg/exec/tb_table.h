// TbTable: the global (guest pc, flags, physical page) -> TranslationBlock hash table with lock-free lookups.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tcg/exec/tb.h"

namespace mimic::tcg {

// Open addressing with linear probing over an array of atomic words: a block pointer (host
// user-space addresses fit in 48 bits) with a 16-bit tag of its pc in the top bits, so that a
// probe past other blocks compares in the slot itself instead of dereferencing each block (a
// cache miss per probe once the table outgrows the host's caches). Readers load the table
// pointer and probe without any lock; writers (insert, remove, clear) hold the engine mutex.
// Removal leaves a tombstone so that probe chains stay intact; growing or purging tombstones
// builds a new array and publishes it, and the old array is retired until the next full flush
// (when no reader can still be probing it), which is an RCU grace period for free.
class TbTable {
 public:
  explicit TbTable(size_t initial_capacity = 4096);
  ~TbTable();
  TbTable(const TbTable&) = delete;
  TbTable& operator=(const TbTable&) = delete;

  // phys_page: system mode's physical page of pc (0 in linux-user).
  TranslationBlock* lookup(uint64_t pc, uint32_t flags, uint64_t phys_page = 0) const;
  void insert(TranslationBlock* tb);  // writer: engine mutex held
  void remove(TranslationBlock* tb);  // writer: engine mutex held
  void clear();                       // writer, and no concurrent readers (exclusive section)
  size_t size() const { return live_; }

 private:
  struct Array {
    size_t mask;
    std::atomic<uint64_t>* slots;  // 0: empty; kTombstone; else tag << 48 | block pointer
  };
  static Array* make_array(size_t capacity);
  static void free_array(Array* a);
  static size_t hash(uint64_t pc, uint32_t flags, uint64_t phys_page);
  static uint64_t tag(uint64_t pc) { return uint64_t(uint16_t(pc ^ (pc >> 16) ^ (pc >> 32))) << 48; }
  static void put(Array* a, TranslationBlock* tb);
  void rebuild(size_t capacity);

  size_t initial_capacity_;
  std::atomic<Array*> array_;
  std::vector<Array*> retired_;
  size_t live_ = 0;
  size_t used_ = 0;  // live entries plus tombstones
};

}  // namespace mimic::tcg
