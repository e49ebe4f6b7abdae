// TranslationBlock and TbStore: translated blocks, their chain slots and their compact pc maps.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "tcg/backend.h"
#include "tcg/exec/prefault.h"

namespace mimic::tcg {

struct TranslationBlock;

// A reference to one outgoing slot of a TB: the TB pointer with the slot number in bit 0 (TBs
// are at least 8-byte aligned). Zero is "none".
using TbSlotRef = uintptr_t;
inline TbSlotRef make_slot_ref(TranslationBlock* tb, unsigned slot) { return reinterpret_cast<uintptr_t>(tb) | slot; }
inline TranslationBlock* slot_ref_tb(TbSlotRef r) { return reinterpret_cast<TranslationBlock*>(r & ~uintptr_t(1)); }
inline unsigned slot_ref_slot(TbSlotRef r) { return unsigned(r & 1); }

// One GotoTb exit of a block. `dest` and `next_incoming` are guarded by the engine's mutex.
struct TbJump {
  bool used = false;
  uint32_t jmp_offset = 0;    // the 5-byte jmp rel32, rel32 4-byte aligned at jmp_offset + 1
  uint32_t reset_offset = 0;  // the slot's exit stub: what the jmp points at while unchained
  uint64_t target_pc = 0;
  TranslationBlock* dest = nullptr;  // block this slot is chained to, or null
  TbSlotRef next_incoming = 0;       // next entry of dest->incoming
};

// A pc-map entry stored relative to its block: 8 bytes instead of 16, in one arena per cache.
struct CompactPcMapEntry {
  uint32_t host_offset;
  uint32_t guest_offset;  // guest pc - block pc (blocks never span 4 GiB)
};

struct alignas(16) TranslationBlock {
  uint64_t pc = 0;
  uint32_t flags = 0;
  uint32_t guest_size = 0;
  // System mode: the physical pages the block's code came from (phys_page2 when it straddles
  // into a second page, else kNoPage); linux-user leaves both 0 / kNoPage.
  uint64_t phys_page = 0;
  uint64_t phys_page2 = kNoPage;
  static constexpr uint64_t kNoPage = ~uint64_t(0);
  uintptr_t code = 0;  // exec address of the entry
  uint32_t code_size = 0;
  uint32_t pc_map_count = 0;
  const CompactPcMapEntry* pc_map = nullptr;
  // The backend's per-site fault-state records (CompileResult::state_map), or none.
  const uint8_t* state_map = nullptr;
  uint32_t state_map_size = 0;
  TbJump jumps[2];
  TbSlotRef incoming = 0;  // head of the list of slots chained to this block (engine mutex)
  // Set once when the block is invalidated; readers that race with invalidation check it.
  std::atomic<bool> invalid{false};
  // Tier 2 (the "Tier 2" section of exec.cpp): the region entered through this block instead of its code
  // (set and cleared under the engine's mutex), how hot the block is, and whether it was handed
  // to tier 2 (kTier2Cold / kTier2Taken / kTier2Rejected).
  std::atomic<void (*)(struct CpuBase*)> tier2{nullptr};
  std::atomic<uint32_t> hits{0};
  std::atomic<uint8_t> tier2_state{0};
  static constexpr uint8_t kTier2Cold = 0, kTier2Taken = 1, kTier2Rejected = 2;

  uint64_t guest_end() const { return pc + (guest_size ? guest_size : 1); }
  bool overlaps(uint64_t start, uint64_t end) const { return pc < end && guest_end() > start; }
  bool contains_host(uintptr_t host_pc) const { return host_pc >= code && host_pc < code + code_size; }
  // Guest pc of the instruction whose host code contains host_pc (host_pc inside this block).
  uint64_t guest_pc_at(uintptr_t host_pc) const;
};

// Storage of every TB and pc map of one code-cache generation: two bump arenas in lazily
// committed anonymous memory, so translating allocates nothing from the heap and a full flush
// frees everything at once. TBs are allocated in the same order as their code, so the TB that
// holds a host pc is found by binary search without a lock (signal handlers do this).
class TbStore {
 public:
  TbStore(size_t max_tbs, size_t max_pc_map_entries);
  ~TbStore();
  TbStore(const TbStore&) = delete;
  TbStore& operator=(const TbStore&) = delete;

  // The next TB slot (not yet visible to lookups), or null when the arena is full.
  TranslationBlock* prepare();
  // Makes the prepared TB permanent with its pc map; false when the pc-map arena is full.
  bool commit(TranslationBlock* tb, const std::vector<PcMapEntry>& pc_map, const uint8_t* state_map = nullptr,
              size_t state_map_size = 0);
  // Forgets every TB; only while no other thread can hold a TB pointer (exclusive section).
  void reset();

  size_t count() const { return count_.load(std::memory_order_acquire); }
  TranslationBlock* at(size_t i) const { return &tbs_[i]; }
  // Lock-free and async-signal-safe: the TB whose host code contains host_pc.
  TranslationBlock* find_by_host_pc(uintptr_t host_pc) const;

 private:
  TranslationBlock* tbs_ = nullptr;
  size_t max_tbs_ = 0;
  std::atomic<size_t> count_{0};
  CompactPcMapEntry* pc_map_ = nullptr;
  size_t max_pc_map_ = 0;
  size_t pc_map_used_ = 0;
  uint8_t* state_maps_ = nullptr;  // the fault-state records' arena (bytes)
  size_t max_state_maps_ = 0;
  // The arenas fill front to back: made resident 64 KiB ahead (pages stay after a reset).
  Prefault tbs_prefault_{size_t(64) << 10};
  Prefault pc_map_prefault_{size_t(64) << 10};
  Prefault state_maps_prefault_{size_t(64) << 10};
  size_t state_maps_used_ = 0;
};

}  // namespace mimic::tcg
